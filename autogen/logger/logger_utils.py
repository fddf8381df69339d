"""Helpers shared by the loggers: timestamps, and turning any object into JSON that never fails."""

from __future__ import annotations

import dataclasses
import datetime
import enum
import inspect
import json
import uuid
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any, Tuple

__all__ = ["SECRET_KEYS", "get_current_ts", "is_agent", "safe_serialize", "source_name", "to_dict", "to_json"]

# never written to a log: credentials, endpoints and the object itself
SECRET_KEYS: Tuple[str, ...] = (
    "self",
    "__class__",
    "api_key",
    "organization",
    "base_url",
    "azure_endpoint",
    "azure_ad_token",
    "azure_ad_token_provider",
)

_MAX_DEPTH = 12


def get_current_ts() -> str:
    """The current UTC time as ``YYYY-MM-DD HH:MM:SS.ffffff`` (sortable, what SQLite expects)."""
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")


def is_agent(obj: Any) -> bool:
    """Whether ``obj`` looks like an agent: a string ``name`` plus ``send`` and ``receive`` methods."""
    return (
        isinstance(getattr(obj, "name", None), str)
        and callable(getattr(obj, "send", None))
        and callable(getattr(obj, "receive", None))
    )


def source_name(source: Any) -> str:
    """The name to record for a log source: the string itself, or the object's ``name``."""
    if isinstance(source, str):
        return source
    name = getattr(source, "name", None)
    return name if isinstance(name, str) else type(source).__name__


def client_class_name(client: Any) -> str:
    """The ``class`` logged for a model client: the SDK class for the OpenAI/Azure client (``sdk_class_name``), as
    classic logged the SDK object; any other client's own class."""
    name = getattr(client, "sdk_class_name", None)
    return name if isinstance(name, str) else type(client).__name__


def _callable_to_str(obj: Any) -> str:
    if getattr(obj, "__name__", None) == "<lambda>":
        try:
            return inspect.getsource(obj).strip()
        except (OSError, TypeError):
            pass
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None) or type(obj).__name__
    return f"{module}.{qualname}" if module else str(qualname)


def _model_dump(obj: Any) -> Any:
    """pydantic v2 ``model_dump`` (or v1 ``dict``) in Python mode; ``None`` if the object has neither."""
    dump = getattr(obj, "model_dump", None)
    if callable(dump):
        try:
            return dump(warnings=False)
        except (TypeError, ValueError):  # the openai SDK's models under pydantic 1 refuse ``warnings``
            return dump()
    legacy = getattr(obj, "dict", None)
    if callable(legacy) and hasattr(obj, "__fields__"):
        return legacy()
    return None


def to_dict(obj: Any, exclude: Tuple[str, ...] = (), no_recursive: Tuple[Any, ...] = ()) -> Any:
    """A JSON-able copy of ``obj`` for logging.

    Mappings, sequences, dataclasses, pydantic/openai models and plain objects (their ``__dict__``) are
    walked; keys and attributes named in ``exclude`` are dropped at every level. Instances of the types in
    ``no_recursive`` are written as ``str(obj)`` (as the classic helper did), other agents as their name (they are
    large and refer back to each other).
    Functions become their qualified name (lambdas their source); cycles, very deep nesting and anything
    else become a string. Never raises.
    """
    return _to_dict(obj, exclude, no_recursive, set(), 0)


def _to_dict(obj: Any, exclude: Tuple[str, ...], no_recursive: Tuple[Any, ...], path: set[int], depth: int) -> Any:
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, enum.Enum):
        return _to_dict(obj.value, exclude, no_recursive, path, depth)
    if no_recursive and isinstance(obj, no_recursive):
        return _safe_str(obj)  # the classic rendering: str(obj)
    if is_agent(obj):
        return source_name(obj)
    if isinstance(obj, (datetime.datetime, datetime.date, datetime.time)):
        return obj.isoformat()
    if isinstance(obj, (uuid.UUID, PurePath)):
        return str(obj)
    if isinstance(obj, (bytes, bytearray)):
        return repr(bytes(obj))
    if inspect.isroutine(obj) or inspect.isclass(obj) or isinstance(obj, type):
        return _callable_to_str(obj)
    if id(obj) in path:
        return f"<cycle: {type(obj).__name__}>"
    if depth >= _MAX_DEPTH:
        return _safe_repr(obj)
    path.add(id(obj))
    try:
        return _walk(obj, exclude, no_recursive, path, depth + 1)
    except Exception:
        return _safe_repr(obj)
    finally:
        path.discard(id(obj))


def _walk(obj: Any, exclude: Tuple[str, ...], no_recursive: Tuple[Any, ...], path: set[int], depth: int) -> Any:
    def sub(value: Any) -> Any:
        return _to_dict(value, exclude, no_recursive, path, depth)

    if isinstance(obj, Mapping):
        return {str(k): sub(v) for k, v in obj.items() if k not in exclude}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [sub(item) for item in obj]
    if dataclasses.is_dataclass(obj):
        return {f.name: sub(getattr(obj, f.name)) for f in dataclasses.fields(obj) if f.name not in exclude}
    dumped = _model_dump(obj)
    if isinstance(dumped, Mapping):
        return sub(dumped)
    attributes = getattr(obj, "__dict__", None)
    if isinstance(attributes, dict):
        return {str(k): sub(v) for k, v in attributes.items() if k not in exclude}
    if callable(obj):
        return _callable_to_str(obj)
    return _safe_repr(obj)


def _safe_str(obj: Any) -> str:
    try:
        return str(obj)
    except Exception:
        return f"<{type(obj).__name__}>"


def _safe_repr(obj: Any) -> str:
    try:
        return repr(obj)
    except Exception:
        return f"<{type(obj).__name__}>"


def to_json(obj: Any, exclude: Tuple[str, ...] = (), no_recursive: Tuple[Any, ...] = ()) -> str:
    """``to_dict(obj)`` as a JSON string. Never raises."""
    return json.dumps(to_dict(obj, exclude, no_recursive), ensure_ascii=False, default=_safe_repr)


def safe_serialize(obj: Any) -> str:
    """The classic helper of the loggers: ``obj`` as JSON, an object that is not JSON written through its
    ``to_json()`` when it has one, else as ``<<non-serializable: TypeName>>``."""

    def fallback(o: Any) -> str:
        to_json_method = getattr(o, "to_json", None)
        if callable(to_json_method):
            return str(to_json_method())
        return f"<<non-serializable: {type(o).__qualname__}>>"

    return json.dumps(obj, default=fallback)
