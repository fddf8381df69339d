"""``ChatResult`` to and from plain JSON data.

Format ``autogen.chat_result``, version 1::

    {
      "kind": "autogen.chat_result", "version": 1,
      "chat_id": 3,                      # any JSON value, or null
      "chat_history": [{...}, ...],      # the messages, as the initiating agent stored them
      "summary": "...",
      "cost": {"usage_including_cached_inference": {...}, "usage_excluding_cached_inference": {...}},
      "human_input": ["..."]
    }
"""

from __future__ import annotations

from typing import Any, Dict

from .document import check, envelope, to_jsonable

__all__ = ["chat_result_fields", "chat_result_to_dict"]

KIND = "autogen.chat_result"
FIELDS = ("chat_id", "chat_history", "summary", "cost", "human_input")


def chat_result_to_dict(result: Any) -> Dict[str, Any]:
    """A ``ChatResult`` as JSON-able data (raises ``StateError`` for a field JSON cannot hold)."""
    return envelope(KIND, **{name: to_jsonable(getattr(result, name), f"ChatResult.{name}") for name in FIELDS})


def chat_result_fields(data: Dict[str, Any]) -> Dict[str, Any]:
    """The fields of the ``ChatResult`` saved by :func:`chat_result_to_dict` (``ChatResult(**fields)``)."""
    check(data, KIND)
    return {name: data.get(name) for name in FIELDS}
