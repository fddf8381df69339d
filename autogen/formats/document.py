"""The envelope every saved state shares, JSON conversion, and reading/writing state files.

Every document this package writes is a JSON object with two header keys::

    {"kind": "autogen.agent", "version": 1, ...}

``kind`` says what the document holds (see :data:`KINDS`), ``version`` the format version it was written in.
Readers accept every version up to :data:`FORMAT_VERSION` and refuse newer ones with an error that says so.
Files are written atomically (a temporary file in the same directory, then ``os.replace``), so a process killed
while saving leaves the previous file intact.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Dict, Union

from .errors import StateError

__all__ = [
    "FORMAT_VERSION",
    "KINDS",
    "check",
    "dumps",
    "envelope",
    "load",
    "loads",
    "save",
    "to_jsonable",
]

FORMAT_VERSION = 1
"""The version of the formats written by this release."""

KINDS = (
    "autogen.agent",
    "autogen.groupchat",
    "autogen.chat",
    "autogen.chat_queue",
    "autogen.chat_result",
)
"""The kinds of documents: an agent, a group chat, a chat in progress, a queue of chats, a chat result."""

PathLike = Union[str, "os.PathLike[str]"]


def envelope(kind: str, **body: Any) -> Dict[str, Any]:
    """A new document of ``kind`` in the current format version."""
    return {"kind": kind, "version": FORMAT_VERSION, **body}


def check(state: Any, kind: str) -> Dict[str, Any]:
    """``state`` if it is a document of ``kind`` in a version this release reads; else a ``StateError``."""
    if not isinstance(state, dict):
        raise StateError(
            f"A saved {kind} state must be a dict (as returned by save_state()), got {type(state).__name__}."
        )
    found = state.get("kind")
    if found != kind:
        raise StateError(f"Expected a saved state of kind {kind!r}, got kind {found!r}.")
    version = state.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise StateError(f"The saved {kind} state has no valid 'version' (got {version!r}).")
    if version > FORMAT_VERSION:
        raise StateError(
            f"The saved {kind} state is in format version {version}, written by a newer AutoGen; this one reads "
            f"versions up to {FORMAT_VERSION}. Upgrade pyautogen to load it."
        )
    return state


def to_jsonable(value: Any, where: str = "state") -> Any:
    """``value`` as plain JSON data: dicts (string keys), lists, strings, numbers, booleans and None.

    Tuples become lists; pydantic models (``model_dump``) and dataclasses become dicts. Anything else raises a
    ``StateError`` naming where it was found, rather than being saved in a form that cannot be loaded back.
    """
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise StateError(f"{where} is {value!r}, which JSON cannot hold.")
        return value
    if isinstance(value, dict):
        out: Dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise StateError(f"{where} has the non-string key {key!r}; JSON objects need string keys.")
            out[key] = to_jsonable(item, f"{where}[{key!r}]")
        return out
    if isinstance(value, (list, tuple)):
        return [to_jsonable(item, f"{where}[{index}]") for index, item in enumerate(value)]
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return to_jsonable(dump(), where)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_jsonable(dataclasses.asdict(value), where)
    raise StateError(
        f"{where} holds a {type(value).__name__}, which cannot be saved as JSON. Keep messages to plain data "
        "(strings, numbers, lists, dicts)."
    )


def dumps(state: Dict[str, Any], indent: Union[int, None] = None) -> str:
    """A state as JSON text."""
    return json.dumps(to_jsonable(state), indent=indent, ensure_ascii=False)


def loads(text: Union[str, bytes]) -> Dict[str, Any]:
    """A state from JSON text (its kind and version are checked by the function that applies it)."""
    try:
        state = json.loads(text)
    except ValueError as err:
        raise StateError(f"The saved state is not valid JSON: {err}.") from err
    if not isinstance(state, dict) or "kind" not in state:
        raise StateError("The saved state must be a JSON object with a 'kind' and a 'version'.")
    return state


def save(state: Dict[str, Any], path: PathLike, indent: Union[int, None] = None, durable: bool = False) -> Path:
    """Write ``state`` to ``path`` as JSON, atomically: a process killed meanwhile leaves the old file whole.

    ``durable=True`` also flushes the file to the disk (``fsync``) before it replaces the old one, so the state
    survives a power cut too; it costs a few milliseconds per save.
    """
    target = Path(path)
    text = dumps(state, indent=indent)
    directory = target.parent if str(target.parent) else Path(".")
    directory.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise
    return target


def load(path: PathLike) -> Dict[str, Any]:
    """Read a state written by :func:`save`."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as err:
        raise StateError(f"No saved state at {str(path)!r}.") from err
    return loads(text)
