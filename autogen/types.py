"""Classic module ``autogen.types``: the typed shapes of user message content."""

from __future__ import annotations

from typing import Dict, List, Literal, TypedDict, Union

__all__ = ["MessageContentType", "UserMessageTextContentPart", "UserMessageImageContentPart"]

MessageContentType = Union[str, List[Union[Dict, str]], None]  # type: ignore[type-arg]


class UserMessageTextContentPart(TypedDict):
    """A text part of a multimodal message: ``{"type": "text", "text": ...}``."""

    type: Literal["text"]
    text: str


class UserMessageImageContentPart(TypedDict):
    """An image part of a multimodal message: ``{"type": "image_url", "image_url": {"url": ..., "detail": ...}}``."""

    type: Literal["image_url"]
    image_url: Dict[Literal["url", "detail"], str]
