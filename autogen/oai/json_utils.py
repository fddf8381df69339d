"""JSON helpers for request bodies and cache keys."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from typing import Any, Optional

__all__ = ["canonical_json", "stable_hash", "find_unserializable"]


def _key_default(value: Any) -> Any:
    """How cache keys render values JSON has no spelling for (stable across processes where possible)."""
    dump = getattr(value, "model_dump", None)
    if callable(dump) and not isinstance(value, type):
        return dump(mode="json")
    if isinstance(value, type):
        schema = getattr(value, "model_json_schema", None)
        if callable(schema):
            return {"__type__": f"{value.__module__}.{value.__qualname__}", "schema": schema()}
        return {"__type__": f"{value.__module__}.{value.__qualname__}"}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    if isinstance(value, bytes):
        return value.decode("utf-8", "backslashreplace")
    if callable(value):
        return {"__callable__": f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', repr(value))}"}
    return repr(value)


def canonical_json(value: Any) -> str:
    """Key-sorted, compact JSON of ``value``; non-JSON values get a stable textual stand-in."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_key_default)


def stable_hash(value: Any) -> str:
    """A SHA-256 hex digest of ``canonical_json(value)``."""
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()


def find_unserializable(value: Any, path: str = "body") -> Optional[tuple[str, Any]]:
    """The first place in ``value`` that plain JSON cannot encode, as (path, offending value), or None.

    Pydantic models count as serialisable (the openai SDK dumps them).
    """
    if value is None or isinstance(value, (str, bool, int)):
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else (path, value)
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                return (f"{path} (key {key!r})", key)
            found = find_unserializable(item, f"{path}[{key!r}]")
            if found:
                return found
        return None
    if isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            found = find_unserializable(item, f"{path}[{i}]")
            if found:
                return found
        return None
    if callable(getattr(value, "model_dump", None)) and not isinstance(value, type):
        return None
    return (path, value)
