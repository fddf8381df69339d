"""A chat completion that is the JSON the server sent until someone needs the openai ``ChatCompletion``.

The agent loop reads three things of an answer: the message texts, the usage (tokens, model) and, for the
cache, a picklable copy. Building the SDK's pydantic ``ChatCompletion`` for that costs a validation pass per
turn and, for the first reply of a process, importing the whole SDK. ``LazyChatCompletion`` keeps the parsed
JSON for those readers (``message_texts``, ``usage_of``) and builds the real ``ChatCompletion`` (exactly as
``direct.parse_response`` builds it) the first time anything else is asked of it: an attribute
(``r.choices[0].message``), ``model_dump()``, ``==``, ``repr``, iteration. From then on every request goes to that
model, so it behaves as the SDK's object does.

* ``isinstance(r, ChatCompletion)`` is True: ``r.__class__`` names ``ChatCompletion`` once the SDK is loaded (and
  nobody can hold ``ChatCompletion`` before that). ``type(r)`` is this class.
* Attributes set on it (``cost``, ``config_id``, ``pass_filter``, ``message_retrieval_function``) are kept until
  the model is built, then set on the model as they would have been on the SDK object.
* Pickled before it is built, it stays lazy when loaded (the disk and Redis caches store it so); pickled after,
  it is the pickle of the real ``ChatCompletion``.
"""

from __future__ import annotations

import json
import sys
import threading
from typing import Any, Optional

__all__ = [
    "LazyChatCompletion",
    "from_body",
    "message_texts",
    "usage_of",
    "set_hidden",
    "restore",
    "needs_sdk",
    "build",
]

HIDDEN = "message_retrieval_function"  # an attribute kept out of the model's fields (and its dumps)

_lock = threading.Lock()
_get = object.__getattribute__
_set = object.__setattr__


def _sdk_class() -> Optional[type]:
    module = sys.modules.get("openai.types.chat.chat_completion")
    return getattr(module, "ChatCompletion", None)


def set_hidden(model: Any, name: str, value: Any) -> None:
    """Set ``name`` on an SDK model outside its fields, so ``model_dump()`` / JSON of it are unchanged."""
    try:
        _set(model, name, value)
    except (AttributeError, TypeError):
        setattr(model, name, value)
    _exclude_on_pydantic_v1(type(model), name)


def _exclude_on_pydantic_v1(cls: type, name: str) -> None:
    """Under pydantic 1 every instance attribute is a field of ``dict()`` / ``json()``: leave ``name`` out there too
    (pydantic 1's own per-class exclusion, the one ``Field(exclude=True)`` sets)."""
    excluded: Any = getattr(cls, "__exclude_fields__", False)
    if excluded is False or (excluded is not None and name in excluded):
        return  # pydantic 2 (no such attribute), or done already
    if excluded is None or isinstance(excluded, dict):
        cls.__exclude_fields__ = {**(excluded or {}), name: ...}  # type: ignore[attr-defined]
    else:
        cls.__exclude_fields__ = {*excluded, name}  # type: ignore[attr-defined]


class LazyChatCompletion:
    """The server's chat-completion JSON, standing in for the SDK's ``ChatCompletion`` (see the module doc)."""

    __slots__ = ("_body", "_data", "_request_id", "_attrs", "_model")
    __hash__ = None  # type: ignore[assignment]  # pydantic models are not hashable either

    def __init__(self, body: bytes, data: dict[str, Any], request_id: Optional[str] = None) -> None:
        _set(self, "_body", body)
        _set(self, "_data", data)
        _set(self, "_request_id", request_id)
        _set(self, "_attrs", {})
        _set(self, "_model", None)

    # ----- the real model, built on first need
    def _materialize(self) -> Any:
        model = _get(self, "_model")
        if model is not None:
            return model
        from .direct import parse_response
        from .sdk_adapter import load_openai
        from .transport import RawResponse

        load_openai()
        from openai.types.chat import ChatCompletion

        request_id = _get(self, "_request_id")
        headers = [("x-request-id", request_id)] if request_id is not None else []
        built = parse_response(ChatCompletion, RawResponse(200, headers, _get(self, "_body")))
        with _lock:
            model = _get(self, "_model")
            if model is None:
                for name, value in _get(self, "_attrs").items():
                    if name == HIDDEN:
                        set_hidden(built, name, value)
                    else:
                        setattr(built, name, value)
                _set(self, "_model", built)
                _set(self, "_attrs", {})
                model = built
        return model

    @property  # type: ignore[misc]
    def __class__(self) -> type:  # noqa: D105
        return _sdk_class() or LazyChatCompletion

    def __getattr__(self, name: str) -> Any:
        if _get(self, "_model") is None:
            attrs = _get(self, "_attrs")
            if name in attrs:
                return attrs[name]
        return getattr(self._materialize(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        with _lock:
            if _get(self, "_model") is None:
                _get(self, "_attrs")[name] = value
                return
        setattr(_get(self, "_model"), name, value)

    def __delattr__(self, name: str) -> None:
        with _lock:
            attrs = _get(self, "_attrs")
            if _get(self, "_model") is None and name in attrs:
                del attrs[name]
                return
        delattr(self._materialize(), name)

    def __eq__(self, other: Any) -> bool:
        if type(other) is LazyChatCompletion:
            other = other._materialize()
        return bool(self._materialize() == other)

    def __repr__(self) -> str:
        return repr(self._materialize())

    def __str__(self) -> str:
        return str(self._materialize())

    def __iter__(self) -> Any:
        return iter(self._materialize())

    def __dir__(self) -> list[str]:
        return dir(self._materialize())

    def __reduce_ex__(self, protocol: Any) -> Any:
        model = _get(self, "_model")
        if model is not None:
            return model.__reduce_ex__(protocol)
        return restore, (_get(self, "_body"), _get(self, "_request_id"), dict(_get(self, "_attrs")))


def restore(body: bytes, request_id: Optional[str], attrs: dict[str, Any]) -> LazyChatCompletion:
    """A pickled ``LazyChatCompletion`` back (the pickle names this function)."""
    response = LazyChatCompletion(body, json.loads(body), request_id)
    _get(response, "_attrs").update(attrs)
    return response


def from_body(body: bytes, request_id: Optional[str]) -> Optional[LazyChatCompletion]:
    """A lazy completion of a chat-completion body; None when the body is not one (the SDK's parsing decides)."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("choices"), list):
        return None
    return LazyChatCompletion(body, data, request_id)


def _plain(response: Any) -> Optional[dict[str, Any]]:
    """The JSON of a lazy completion not built yet (once built, the model is the truth: it may have been changed)."""
    if type(response) is LazyChatCompletion and _get(response, "_model") is None:
        return _get(response, "_data")  # type: ignore[no-any-return]
    return None


def message_texts(response: Any) -> Optional[list[Any]]:
    """The text of each choice of a lazy completion; None when a choice has more (tool or function calls, an
    unusual shape), or for any other object: then the model's own message objects are read."""
    data = _plain(response)
    if data is None or data.get("object") == "text_completion":
        return None
    texts = []
    for choice in data["choices"]:
        message = choice.get("message") if isinstance(choice, dict) else None
        if not isinstance(message, dict) or message.get("tool_calls") or message.get("function_call"):
            return None
        content = message.get("content")
        if content is not None and not isinstance(content, str):
            return None
        texts.append(content)
    return texts


def usage_of(response: Any) -> Optional[tuple[dict[str, Any], dict[str, Any]]]:
    """(the completion's JSON, its usage dict) of a lazy completion; None for any other object."""
    data = _plain(response)
    if data is None:
        return None
    usage = data.get("usage")
    return data, (usage if isinstance(usage, dict) else {})


def needs_sdk(response: Any) -> bool:
    """Whether the agent loop will build the SDK's model of ``response`` (a tool or function call, an unusual
    shape) while the SDK is not loaded yet: an asyncio caller builds it off the loop first (:func:`build`)."""
    return _plain(response) is not None and message_texts(response) is None and _sdk_class() is None


def build(response: LazyChatCompletion) -> None:
    """Build the SDK model of ``response`` now (loading the SDK if needed)."""
    response._materialize()
