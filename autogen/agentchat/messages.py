"""Pure functions of chat messages: normalising, role mapping, validation, carryover, tool responses.

No agent state and no I/O here, so every rule about the message format is testable on its own.
A message is a ``str`` or an OpenAI-style dict (``content``, ``role``, ``name``, ``function_call``,
``tool_calls``, ``tool_responses``, ``tool_call_id``, ``context``).
"""

from __future__ import annotations

import functools
import re
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Set, Union

from ..exception_utils import InvalidCarryOverType
from .request_history import build_request
from .stored_message import StoredMessage

__all__ = [
    "HISTORY_KEYS",
    "Message",
    "apply_carryover",
    "assert_valid_name",
    "carryover_item_text",
    "content_text",
    "default_is_termination_msg",
    "instantiate",
    "llm_request_messages",
    "message_problem",
    "message_to_dict",
    "normalize_name",
    "request_entries",
    "to_history_message",
    "tool_response_message",
]

Message = Dict[str, Any]

# The keys of a message kept in an agent's history (everything the LLM API and the agents need).
HISTORY_KEYS = ("content", "function_call", "tool_calls", "tool_responses", "tool_call_id", "name", "context")

_INVALID_NAME_CHARS = re.compile(r"[^a-zA-Z0-9_-]")
_VALID_NAME = re.compile(r"^[a-zA-Z0-9_-]+$")


def message_to_dict(message: Any) -> Message:
    """A message as a dict: a string becomes ``{"content": message}``; a dict is returned as is.

    Objects with ``model_dump`` (e.g. an openai ``ChatCompletionMessage``) are dumped.
    """
    if isinstance(message, str):
        return {"content": message}
    if isinstance(message, dict):
        return message
    dump = getattr(message, "model_dump", None)
    if callable(dump):
        return dict(dump())
    try:
        return dict(message)
    except (TypeError, ValueError):
        from .errors import InvalidMessageError

        raise InvalidMessageError(message) from None


def _strings(value: Any, where: str) -> Iterator[tuple[str, str]]:
    """Every string inside ``value`` (through dicts and lists) with its path."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{where}[{key!r}]")
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from _strings(item, f"{where}[{i}]")


def _bad_string(value: Any, where: str) -> Optional[str]:
    """Where ``value`` holds a string that cannot be encoded as UTF-8 (a lone surrogate), else None."""
    if value is None or (type(value) is str and value.isascii()):  # the common cases, without a generator
        return None
    for path, text in _strings(value, where):
        if text.isascii():  # O(1) for the common case
            continue
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as err:
            return f"{path}[{err.start}] ({text[err.start : err.end]!r})"
    return None


_CHECKED_KEYS = ("content", "tool_calls", "function_call", "tool_responses", "name")


def message_problem(entry: Message) -> Optional[str]:
    """What makes a history entry unsendable to an LLM API (a sentence saying how to fix it), or None.

    Checked once when a message enters a history, so a malformed message never poisons later calls.
    """
    calls = entry.get("tool_calls")
    if calls is not None and (not isinstance(calls, list) or not all(isinstance(c, dict) for c in calls)):
        return (
            f"'tool_calls' must be a list of dicts such as {{'id': ..., 'type': 'function', 'function': "
            f"{{'name': ..., 'arguments': '...'}}}}, got {type(calls).__name__}."
        )
    function_call = entry.get("function_call")
    if function_call is not None and not isinstance(function_call, dict):
        return f"'function_call' must be a dict with 'name' and 'arguments', got {type(function_call).__name__}."
    for key in _CHECKED_KEYS:
        where = _bad_string(entry.get(key), key)
        if where:
            return (
                f"{where} is a lone surrogate, which cannot be encoded as UTF-8 for the LLM API. Decode bytes with "
                "errors='replace' (or remove the character) before sending."
            )
    return None


def to_history_message(message: Any, role: str, name: str, when: str = "sent") -> Optional[Message]:
    """The entry one agent stores in its history for ``message``, or None if the message is invalid.

    ``role`` is the point of view of the storing agent: ``"assistant"`` for what it sends, ``"user"``
    for what it receives. Function and tool results keep their role; a message carrying a function or
    tool call is always ``"assistant"`` (the only role the API accepts for calls); ``override_role``
    forces a role. ``name`` (the speaker) is filled in when the message has none and makes no call.
    Only :data:`HISTORY_KEYS` with a value are kept; the caller's dict is never modified.
    A message no LLM API could take (see :func:`message_problem`) raises ``InvalidMessageError``
    saying it cannot be ``when``.
    """
    source = message_to_dict(message)
    entry: Message = {key: source[key] for key in HISTORY_KEYS if source.get(key) is not None}
    problem = message_problem(entry)
    if problem:
        from .errors import InvalidMessageError

        raise InvalidMessageError(message, when=when, problem=problem)
    has_call = bool(entry.get("function_call") or entry.get("tool_calls"))
    if "content" not in entry:
        if not ("function_call" in entry or "tool_calls" in entry):
            return None
        entry["content"] = None
    given_role = source.get("role")
    if given_role in ("function", "tool"):
        entry["role"] = given_role
    elif "override_role" in source:
        entry["role"] = source["override_role"]
    else:
        entry["role"] = role
    if has_call:
        entry["role"] = "assistant"
    elif "name" not in entry:
        entry["name"] = name
    return StoredMessage(entry)


def content_text(content: Any) -> str:
    """The text of a message content (``code_utils.content_str``: a string as is, None as "", multimodal parts
    joined, images as ``<image>``); never raises: content of another shape is shown as ``str(content)``."""
    if isinstance(content, str):
        return content
    if content is None:
        return ""
    from ..code_utils import content_str

    try:
        return content_str(content)
    except (TypeError, ValueError, AssertionError):
        return str(content)


def default_is_termination_msg(message: Message) -> bool:
    """The classic default termination test: the message's text is exactly ``TERMINATE``.

    A reply such as "All done. TERMINATE" does not end a chat by default (as in AutoGen 0.2); pass
    ``is_termination_msg=lambda m: (m.get("content") or "").rstrip().endswith("TERMINATE")`` for that.
    """
    return content_text(message.get("content")) == "TERMINATE"


def carryover_item_text(item: Any) -> str:
    """One carryover entry as text: a string as is, a message dict as its content, anything else via str()."""
    if isinstance(item, str):
        return item
    if isinstance(item, dict) and "content" in item:
        return content_text(item["content"])
    return str(item)


def _carryover_text(carryover: Any) -> str:
    if isinstance(carryover, str):
        return carryover
    if isinstance(carryover, (list, tuple)):
        return "\n".join(carryover_item_text(item) for item in carryover)
    raise InvalidCarryOverType(
        "Carryover should be a string or a list of strings. A list may also hold message dicts; "
        f"got {type(carryover).__name__}."
    )


def apply_carryover(message: Any, carryover: Any) -> Any:
    """Append the carryover to a chat's first message: ``content + "\\nContext: \\n" + carryover``.

    ``carryover`` is a string or a list (joined with newlines). A dict message gets a new dict; a
    multimodal content gets one more text part. Nothing happens for an empty carryover.
    """
    if not carryover:
        return message
    context = "\nContext: \n" + _carryover_text(carryover)
    if isinstance(message, str):
        return message + context
    if isinstance(message, dict):
        content = message.get("content")
        if isinstance(content, list):
            return {**message, "content": [*content, {"type": "text", "text": context}]}
        if isinstance(content, str) or content is None:
            return {**message, "content": (content or "") + context}
        return message
    raise InvalidCarryOverType(
        f"The message of a chat with carryover must be a str or a dict, got {type(message).__name__}."
    )


def instantiate(content: Any, context: Optional[Dict[str, Any]], allow_format_str_template: bool = False) -> Any:
    """Fill a templated content with ``context``: a callable is called with it, a format string is
    formatted when allowed. Other contents are returned as is."""
    if not context:
        return content
    if callable(content):
        return content(context)
    if allow_format_str_template and isinstance(content, str):
        return content.format(**context)
    return content


def tool_response_message(responses: Sequence[Message]) -> Message:
    """The single reply answering all the tool calls of one message, in the order of the calls."""
    return {
        "role": "tool",
        "tool_responses": list(responses),
        "content": "\n\n".join(str(r.get("content", "")) for r in responses),
    }


def llm_request_messages(system: Iterable[Message], history: Sequence[Message]) -> List[Message]:
    """The message list to send to the LLM: the system message(s), then the history with
    ``tool_responses`` unrolled into the individual tool messages the API expects and ``context``
    (templating data, not an API field) left out. Only messages that need it are copied.

    The entries of a conversation's earlier messages are kept from its last request, so a turn converts
    only the new messages (see ``request_history``); the list is the same as a fresh conversion.
    """
    return build_request(list(system), history, request_entries)


def request_entries(history: Sequence[Message]) -> List[Message]:
    """The request entries of ``history`` (what ``llm_request_messages`` sends after the system messages)."""
    out: List[Message] = []
    append = out.append
    valid_names = _VALID_API_NAMES
    for message in history:
        # the common case, checked cheaply: nothing to unroll or drop, no name or a valid one
        if "tool_responses" not in message and "context" not in message:
            name = message.get("name")
            if name is None or name in valid_names:
                append(message)
                continue
        else:
            responses = message.get("tool_responses")
            if responses:
                out.extend(responses)
                if message.get("role") == "tool":  # its content only repeats the tool responses
                    continue
                message = {k: v for k, v in message.items() if k != "tool_responses"}
            if "context" in message:
                message = {k: v for k, v in message.items() if k != "context"}
            name = message.get("name")
        if name is not None and message.get("role") != "function":
            api_name = _api_name(name)
            if api_name != name:  # e.g. an agent called "User Proxy": the API accepts [a-zA-Z0-9_-]{1,64}
                message = {**message, "name": api_name}
            elif len(valid_names) < 4096:
                valid_names.add(name)
        append(message)
    return out


# names already known to be valid API names (a set lookup per message instead of a cached call)
_VALID_API_NAMES: Set[str] = set()


@functools.lru_cache(maxsize=1024)
def _api_name(name: str) -> str:
    return normalize_name(name) or "_"


def normalize_name(name: str) -> str:
    """A function name the LLM APIs accept: letters, digits, ``_`` and ``-`` only, at most 64 characters."""
    return _INVALID_NAME_CHARS.sub("_", name)[:64]


def assert_valid_name(name: str) -> str:
    """Check a function/tool name; raise ``ValueError`` saying how to fix it."""
    if not _VALID_NAME.match(name or ""):
        raise ValueError(
            f"Invalid name: {name}. Only letters, numbers, '_' and '-' are allowed. "
            "Function and tool names must match ^[a-zA-Z0-9_-]+$."
        )
    if len(name) > 64:
        raise ValueError(f"Invalid name: {name}. Name must be less than 64 characters. It has {len(name)}.")
    return name


TerminationTest = Callable[[Message], bool]
ContentLike = Union[str, List[Dict[str, Any]], None]
