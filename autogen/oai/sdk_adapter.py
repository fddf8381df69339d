"""The one place that knows which openai SDK versions we support and that touches SDK internals.

* ``load_openai()``: the SDK, imported through here by the LLM layer, after checking that its version is in
  the supported range (``SUPPORTED_OPENAI``); anything else is one clear ImportError naming the range.
* ``retry_policy(client)``: the SDK's own retry decision (``x-should-retry``, 408/409/429/5xx), its back-off
  (``retry-after-ms`` / ``retry-after``, else exponential with jitter) and its status-error factory
  (``RateLimitError``, ``InternalServerError``, ...), so that the direct path retries and raises exactly as
  ``client.chat.completions.create`` does. These are private methods of the SDK client: they are looked up
  (feature detection) and when one is missing or has another shape, ``AdapterUnavailable`` says so and the
  caller sends through the SDK's public ``client.post`` instead.
* ``response_format_param(model)``: the SDK's strict JSON-schema ``response_format`` for a pydantic class,
  with a plain fallback.
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass
from typing import Any, Callable, Optional

__all__ = [
    "SUPPORTED_OPENAI",
    "AdapterUnavailable",
    "RetryPolicy",
    "check_openai_version",
    "installed_openai_version",
    "load_openai",
    "http_module",
    "retry_policy",
    "response_format_param",
    "sends_read_timeout_header",
    "source_sends_read_timeout_header",
]

# The openai versions the LLM layer is tested with (scripts/test_matrix.sh runs the oldest and the newest).
# 1.55.3 is the first 1.x that works with the httpx pip installs today.
OPENAI_FLOOR = (1, 55, 3)
OPENAI_CEILING = (4,)  # exclusive
SUPPORTED_OPENAI = "openai>=1.55.3,<4"


class AdapterUnavailable(Exception):
    """This openai version lacks an internal the direct path would use; send through the SDK instead."""


def check_openai_version(version: Optional[str] = None) -> str:
    """The installed openai version; ImportError naming the supported range when it is missing or outside it."""
    if version is None:
        from importlib import metadata

        try:
            version = metadata.version("openai")
        except metadata.PackageNotFoundError:
            raise ImportError(
                f'The LLM layer of pyautogen needs the openai package ({SUPPORTED_OPENAI}): pip install "{SUPPORTED_OPENAI}"'
            ) from None
    from packaging.version import InvalidVersion, Version

    try:
        found = Version(version).release
    except InvalidVersion:
        found = ()
    if not (OPENAI_FLOOR <= found < OPENAI_CEILING):
        raise ImportError(
            f"pyautogen supports {SUPPORTED_OPENAI}, but openai {version} is installed. "
            f'Install a supported version: pip install "{SUPPORTED_OPENAI}"'
        )
    return version


_installed: Optional[str] = None


def installed_openai_version() -> str:
    """``check_openai_version()`` without importing the SDK (the loaded SDK's own version once it is imported)."""
    global _installed
    loaded = sys.modules.get("openai")
    version = getattr(loaded, "__version__", None)
    if isinstance(version, str):
        return check_openai_version(version)
    if _installed is None:
        _installed = check_openai_version()
    return _installed


_checked: Any = None


def load_openai() -> Any:
    """The ``openai`` module, once its version is known to be supported (checked on first use)."""
    global _checked
    import openai

    if _checked is not openai:
        check_openai_version(getattr(openai, "__version__", None) or "0")
        _checked = openai
    return openai


def http_module() -> Any:
    """The httpx flavour the installed SDK is built on (``httpx``, or ``httpx2`` in recent releases): its
    ``Request`` / ``Response`` / ``Headers`` are what the SDK's exceptions carry."""
    import openai

    for cls in type.mro(openai.DefaultHttpxClient)[1:]:
        top = cls.__module__.split(".")[0]
        if top != "openai" and cls.__name__ == "Client":
            return sys.modules.get(top) or importlib.import_module(top)
    raise AdapterUnavailable("openai.DefaultHttpxClient is not built on an httpx Client")


@dataclass
class _RetryOptions:
    """What the SDK's back-off reads from its request options."""

    max_retries: int

    def get_max_retries(self, default: int) -> int:
        return self.max_retries


@dataclass
class RetryPolicy:
    should_retry: Callable[[Any], bool]  # (response) -> bool
    _delay: Callable[..., float]
    status_error: Callable[[Any], Exception]  # (response) -> the SDK's APIStatusError subclass

    def delay(self, remaining: int, max_retries: int, headers: Any = None) -> float:
        """Seconds to wait before the next try, ``remaining`` tries being left of ``max_retries``."""
        return float(self._delay(remaining, _RetryOptions(max_retries), headers))


def retry_policy(client: Any) -> RetryPolicy:
    """The retry and error behaviour of the SDK ``client`` (a sync ``OpenAI`` / ``AzureOpenAI``)."""
    names = ("_should_retry", "_calculate_retry_timeout", "_make_status_error_from_response")
    found = [getattr(client, name, None) for name in names]
    missing = [name for name, fn in zip(names, found) if not callable(fn)]
    if missing:
        raise AdapterUnavailable(f"openai {getattr(sys.modules.get('openai'), '__version__', '?')} has no {missing}")
    policy = RetryPolicy(found[0], found[1], found[2])  # type: ignore[arg-type]
    try:  # the shapes we call them with
        http = http_module()
        probe = http.Response(503, headers={"retry-after-ms": "1"}, request=http.Request("POST", "http://x/"))
        ok = policy.should_retry(probe) is True and abs(policy.delay(1, 2, probe.headers) - 0.001) < 1e-9
    except Exception as err:
        raise AdapterUnavailable(f"the SDK's retry methods have another shape: {err!r}") from err
    if not ok:
        raise AdapterUnavailable("the SDK's retry methods answered unexpectedly")
    return policy


_read_timeout_header: dict[type, bool] = {}


def sends_read_timeout_header(client: Any) -> bool:
    """Whether this SDK sends ``x-stainless-read-timeout`` (releases from early 2025 on), read once per class."""
    cls = type(client)
    known = _read_timeout_header.get(cls)
    if known is None:
        import inspect

        try:
            known = "x-stainless-read-timeout" in inspect.getsource(cls._build_headers)
        except (AttributeError, OSError, TypeError):
            known = False
        _read_timeout_header[cls] = known
    return known


_source_header: Optional[bool] = None


def source_sends_read_timeout_header() -> bool:
    """``sends_read_timeout_header`` for the installed SDK without importing it: whether its client module's
    source names the header (the SDK's own ``_base_client.py``, read as text)."""
    global _source_header
    if _source_header is None:
        from importlib.util import find_spec

        try:
            spec = find_spec("openai")
            folder = list(spec.submodule_search_locations or ()) if spec is not None else []
            with open(folder[0] + "/_base_client.py", encoding="utf-8") as source:
                _source_header = "x-stainless-read-timeout" in source.read()
        except (ImportError, IndexError, OSError, ValueError):
            _source_header = False
    return _source_header


def response_format_param(value: Any) -> Any:
    """A pydantic model class as ``response_format`` becomes a strict JSON-schema format (as the SDK's
    ``parse`` sends it); any other value is sent as given."""
    if not (isinstance(value, type) and hasattr(value, "model_json_schema")):
        return value
    try:
        from openai.lib._parsing._completions import type_to_response_format_param

        return type_to_response_format_param(value)
    except (ImportError, AttributeError):
        return {
            "type": "json_schema",
            "json_schema": {"name": value.__name__, "schema": value.model_json_schema(), "strict": True},
        }
