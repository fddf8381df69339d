"""OpenAI-format messages as strictly alternating user/assistant turns, for providers that demand them.

Anthropic Messages, Bedrock Converse and Gemini all want: the system prompt apart, a conversation that starts with
the user, user and assistant turns alternating, and every tool result in the turn right after the assistant turn
that made the call (with matching ids). AutoGen histories break each rule now and then (group chats, two replies
of one agent in a row, a tool call whose result was dropped), so ``to_turns`` reshapes them once, the same way for
every provider:

* system messages (anywhere) join into ``Conversation.system``;
* ``tool`` / ``function`` messages become ``ToolResult`` blocks of a user turn, assistant ``tool_calls`` /
  ``function_call`` become ``ToolUse`` blocks;
* consecutive turns of one role merge (tool results first in a user turn);
* a tool result without its call, or a call without its result, becomes plain text (so nothing is lost);
* a conversation that starts with the assistant, or ends with it, is padded with a short user turn;
* when user messages come from more than one ``name`` (a group chat), each one's text starts with ``"name: "``.

Each provider client renders the neutral blocks in its own wire format.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Sequence, Union

from .client_utils import (
    ImagePart,
    content_parts,
    content_text,
    message_tool_calls,
    new_tool_call_id,
    parse_tool_arguments,
    tool_result_id,
)

__all__ = ["Conversation", "Text", "ToolResult", "ToolUse", "Turn", "fetch_image", "to_turns"]

START = "(The conversation starts.)"
CONTINUE = "Please continue."


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class ToolUse:
    id: str
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True)
class ToolResult:
    id: str
    name: str
    content: str


Block = Union[Text, ImagePart, ToolUse, ToolResult]


@dataclass
class Turn:
    role: str  # "user" or "assistant"
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Conversation:
    system: str
    turns: list[Turn]


def _user_blocks(message: Mapping[str, Any], named: bool) -> list[Block]:
    blocks: list[Block] = []
    for part in content_parts(message.get("content")):
        if isinstance(part, str):
            if part.strip():
                blocks.append(Text(part))
        else:
            blocks.append(part)
    name = message.get("name") if named else None
    if name and blocks and isinstance(blocks[0], Text):
        blocks[0] = Text(f"{name}: {blocks[0].text}")
    elif name and blocks:
        blocks.insert(0, Text(f"{name}:"))
    return blocks


def _assistant_blocks(message: Mapping[str, Any], names: dict[str, str]) -> list[Block]:
    blocks: list[Block] = []
    text = content_text(message.get("content"))
    if text.strip():
        blocks.append(Text(text))
    for call in message_tool_calls(message):
        function = call.get("function") or {}
        call_id = call.get("id") or new_tool_call_id()
        names[call_id] = function.get("name", "")
        blocks.append(ToolUse(call_id, function.get("name", ""), parse_tool_arguments(function.get("arguments"))))
    return blocks


def _result_block(message: Mapping[str, Any], names: dict[str, str]) -> Block:
    content = content_text(message.get("content")) or "(no output)"
    call_id = tool_result_id(message)
    return ToolResult(call_id, names.get(call_id) or message.get("name") or "", content)


def _raw_turns(messages: Sequence[Mapping[str, Any]]) -> tuple[list[str], list[Turn]]:
    system: list[str] = []
    turns: list[Turn] = []
    names: dict[str, str] = {}  # call id -> function name, for the results
    named = len({m.get("name") for m in messages if m.get("role") == "user"} - {None, ""}) > 1
    for message in messages:
        role = message.get("role")
        if role == "system":
            text = content_text(message.get("content"))
            if text.strip():
                system.append(text)
            continue
        if role == "assistant":
            turn = Turn("assistant", _assistant_blocks(message, names))
        elif role in ("tool", "function"):
            turn = Turn("user", [_result_block(message, names)])
        elif role == "user":
            turn = Turn("user", _user_blocks(message, named))
        else:
            raise ValueError(f"Unsupported message role {role!r}; use system, user, assistant, tool or function.")
        if turn.blocks:
            turns.append(turn)
    return system, turns


def _merge(turns: list[Turn]) -> list[Turn]:
    merged: list[Turn] = []
    for turn in turns:
        if merged and merged[-1].role == turn.role:
            merged[-1].blocks.extend(turn.blocks)
        else:
            merged.append(Turn(turn.role, list(turn.blocks)))
    return merged


def _call_as_text(block: ToolUse) -> Text:
    return Text(f"(called tool {block.name} with arguments {json.dumps(block.arguments)})")


def _result_as_text(block: ToolResult) -> Text:
    return Text(f"(result of tool {block.name or block.id}: {block.content})")


def _pair_tool_blocks(turns: list[Turn]) -> None:
    """Every ToolUse answered by a ToolResult in the next turn and vice versa; the rest becomes text."""
    for i, turn in enumerate(turns):
        if turn.role != "user":
            continue
        before = turns[i - 1] if i > 0 else None
        called = {b.id for b in before.blocks if isinstance(b, ToolUse)} if before else set()
        answered = {b.id for b in turn.blocks if isinstance(b, ToolResult) and b.id in called}
        turn.blocks = [
            b if not isinstance(b, ToolResult) or b.id in answered else _result_as_text(b) for b in turn.blocks
        ]
        if before is not None:
            before.blocks = [
                b if not isinstance(b, ToolUse) or b.id in answered else _call_as_text(b) for b in before.blocks
            ]
    if turns and turns[-1].role == "assistant":
        turns[-1].blocks = [_call_as_text(b) if isinstance(b, ToolUse) else b for b in turns[-1].blocks]
    for turn in turns:  # tool results lead their user turn (a stable sort keeps the rest in order)
        turn.blocks.sort(key=lambda b: not isinstance(b, ToolResult))


def _tool_blocks_as_text(turns: list[Turn]) -> None:
    for turn in turns:
        turn.blocks = [
            _call_as_text(b) if isinstance(b, ToolUse) else _result_as_text(b) if isinstance(b, ToolResult) else b
            for b in turn.blocks
        ]


def to_turns(messages: Sequence[Mapping[str, Any]], pad_end: bool = True, tool_blocks: bool = True) -> Conversation:
    """The messages as a system prompt and alternating turns starting (and, with ``pad_end``, ending) with the user.

    ``tool_blocks=False`` writes tool calls and results as text (for a request without tools, which Anthropic and
    Bedrock refuse when the history holds tool blocks).
    """
    system, raw = _raw_turns(messages)
    turns = _merge(raw)
    if not tool_blocks:
        _tool_blocks_as_text(turns)
    if not turns or turns[0].role != "user":
        turns.insert(0, Turn("user", [Text(START)]))
    _pair_tool_blocks(turns)  # before padding: calls of a trailing assistant turn have no results, they become text
    if pad_end and turns[-1].role == "assistant":
        turns.append(Turn("user", [Text(CONTINUE)]))
    return Conversation("\n\n".join(system), turns)


def fetch_image(image: ImagePart, timeout: float = 30.0) -> ImagePart:
    """An image given by URL, downloaded (for providers that take image bytes only); data images as they are."""
    if image.data is not None or not image.url:
        return image
    import base64

    import httpx

    response = httpx.get(image.url, timeout=timeout, follow_redirects=True)
    response.raise_for_status()
    mime = response.headers.get("content-type", image.mime_type).split(";")[0].strip() or image.mime_type
    return ImagePart(mime_type=mime, data=base64.b64encode(response.content).decode())


def image_format(image: ImagePart) -> str:
    """ "png", "jpeg", "gif" or "webp" from the image's MIME type."""
    subtype = image.mime_type.split("/")[-1].lower()
    return "jpeg" if subtype in ("jpg", "jpeg", "pjpeg") else subtype


def only_text(blocks: Sequence[Block]) -> Optional[str]:
    """The text of blocks that are all Text, else None."""
    if all(isinstance(b, Text) for b in blocks):
        return "\n".join(b.text for b in blocks if isinstance(b, Text))
    return None
