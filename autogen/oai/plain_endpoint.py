"""What the openai SDK client would send to a plain OpenAI endpoint, worked out without importing the SDK.

Importing ``openai`` costs about a second (its types, pydantic models, httpx). A script that builds two agents
and asks for one reply needs none of it when the endpoint is plainly configured: the request is a URL, a few
headers and a JSON body. ``settings_for(endpoint)`` computes the values the SDK's ``OpenAI`` client would use
(its public ``base_url``, ``auth_headers``, ``default_headers``, ``default_query``, ``timeout``,
``max_retries``), so ``direct.py`` can build the same request from them.

Only the plainest configurations qualify, everything else returns None and the SDK client is built as before:

* ``api_type`` ``openai`` (Azure's credential and deployment rules stay the SDK's);
* settings limited to ``api_key`` (a non-empty string, or ``OPENAI_API_KEY``), ``base_url`` (or
  ``OPENAI_BASE_URL``), ``organization`` / ``project`` (or ``OPENAI_ORG_ID`` / ``OPENAI_PROJECT_ID``),
  ``default_headers`` and ``default_query`` with string values;
* no other ``OPENAI_*`` variable in the environment (newer SDKs read more of them, e.g. custom headers or an
  admin key: we do not guess what they do).

``test/oai/test_plain_endpoint.py`` compares every value with the installed SDK's own client, so a release that
changes them fails there (``scripts/test_matrix.sh`` runs it on the oldest and newest supported SDK).
"""

from __future__ import annotations

import os
import platform
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping, Optional

if TYPE_CHECKING:
    from .client_pool import Endpoint

__all__ = ["ClientSettings", "SdkTimeout", "DEFAULT_TIMEOUT", "DEFAULT_MAX_RETRIES", "settings_for"]

# the SDK's defaults (openai.DEFAULT_TIMEOUT / openai.DEFAULT_MAX_RETRIES)
DEFAULT_MAX_RETRIES = 2

_SETTINGS = frozenset({"api_key", "base_url", "organization", "project", "default_headers", "default_query"})
_ENV_READ = frozenset({"OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID"})
_DEFAULT_BASE_URL = "https://api.openai.com/v1"


@dataclass(frozen=True)
class SdkTimeout:
    """The SDK's default timeout (an ``httpx.Timeout(600, connect=5.0)``), as the direct path reads it."""

    connect: float = 5.0
    read: float = 600
    write: float = 600
    pool: float = 600


DEFAULT_TIMEOUT = SdkTimeout()


@dataclass
class ClientSettings:
    """The public request settings of an ``openai.OpenAI`` client, by the same names."""

    base_url: str
    auth_headers: dict[str, str]
    default_headers: dict[str, Optional[str]]  # None: the header is left out (the SDK's ``Omit()``)
    default_query: dict[str, Any] = field(default_factory=dict)
    api_key: str = ""
    timeout: Any = DEFAULT_TIMEOUT
    max_retries: int = DEFAULT_MAX_RETRIES
    custom_auth: Any = None
    sdk: bool = False  # settings of a real SDK client would say True


def _os_name() -> str:
    """The ``X-Stainless-OS`` value: the SDK's names for the common systems, else the lower-case platform."""
    try:
        system = platform.system().lower()
        name = platform.platform().lower()
    except Exception:
        return "Unknown"
    if "iphone" in name or "ipad" in name:
        return "iOS"
    if system == "darwin":
        return "MacOS"
    if system == "windows":
        return "Windows"
    if "android" in name:
        return "Android"
    if system == "linux":
        return "Linux"
    return name or "Unknown"


def _arch() -> str:
    try:
        machine = platform.machine().lower()
    except Exception:
        return "unknown"
    if machine in ("arm64", "aarch64"):
        return "arm64"
    if machine in ("arm", "x86_64"):
        return "arm" if machine == "arm" else "x64"
    if sys.maxsize <= 2**32:
        return "x32"
    return machine or "unknown"


_platform: Optional[dict[str, str]] = None


def platform_headers(version: str) -> dict[str, str]:
    """The SDK's ``X-Stainless-*`` description of this client (language, package version, system, runtime)."""
    global _platform
    if _platform is None:
        _platform = {
            "X-Stainless-OS": _os_name(),
            "X-Stainless-Arch": _arch(),
            "X-Stainless-Runtime": platform.python_implementation(),
            "X-Stainless-Runtime-Version": platform.python_version(),
        }
    return {"X-Stainless-Lang": "python", "X-Stainless-Package-Version": version, **_platform}


def _strings(value: Any) -> Optional[dict[str, str]]:
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        return None
    return dict(value)


def settings_for(endpoint: Endpoint, environ: Optional[Mapping[str, str]] = None) -> Optional[ClientSettings]:
    """The settings the SDK would build for ``endpoint``; None when it is not plain enough to work them out."""
    from .sdk_adapter import installed_openai_version

    env = os.environ if environ is None else environ
    kwargs = endpoint.kwargs
    if endpoint.api_type != "openai" or not set(kwargs) <= _SETTINGS:
        return None
    if any(name.startswith("OPENAI_") and name not in _ENV_READ for name in env):
        return None
    api_key = kwargs.get("api_key", env.get("OPENAI_API_KEY"))
    base_url = kwargs.get("base_url", env.get("OPENAI_BASE_URL")) or _DEFAULT_BASE_URL
    organization = kwargs.get("organization", env.get("OPENAI_ORG_ID"))
    project = kwargs.get("project", env.get("OPENAI_PROJECT_ID"))
    headers, query = _strings(kwargs.get("default_headers")), _strings(kwargs.get("default_query"))
    texts = (api_key, base_url, organization or "", project or "")
    if not api_key or headers is None or query is None or not all(isinstance(v, str) for v in texts):
        return None  # no key: the SDK raises its own error when the client is built
    version = installed_openai_version()  # ImportError naming the supported range, as loading the SDK would
    default_headers: dict[str, Optional[str]] = {
        "Accept": "application/json",
        "Content-Type": "application/json",
        "User-Agent": f"OpenAI/Python {version}",
        **platform_headers(version),
        **headers,
        "X-Stainless-Async": "false",
        "OpenAI-Organization": organization,
        "OpenAI-Project": project,
        **headers,
    }
    return ClientSettings(
        base_url=base_url if base_url.endswith("/") else base_url + "/",
        auth_headers={"Authorization": f"Bearer {api_key}"},
        default_headers=default_headers,
        default_query=query,
        api_key=api_key,
    )
