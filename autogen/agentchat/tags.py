"""``<tag attr=...>`` markers in message text (classic ``parse_tags_from_content``).

``<img photo.png>`` gives ``{"src": "photo.png"}``; ``<audio text="Hello there" voice=en>`` gives
``{"text": "Hello there", "voice": "en"}``. Words that are not ``key=value`` make up ``src``.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Union

__all__ = ["parse_tags_from_content"]

_ATTRIBUTE = re.compile(r"""(?P<key>[\w-]+)=(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>\S+))|(?P<word>\S+)""")


def _attributes(inside: str) -> Dict[str, str]:
    attributes: Dict[str, str] = {}
    words: List[str] = []
    for match in _ATTRIBUTE.finditer(inside):
        if match.group("word") is not None:
            words.append(match.group("word"))
            continue
        value = next(v for v in (match.group("dq"), match.group("sq"), match.group("bare")) if v is not None)
        attributes[match.group("key")] = value
    if words:
        attributes["src"] = " ".join(words) if "src" not in attributes else f"{attributes['src']} {' '.join(words)}"
    return attributes


def _tags_in_text(tag: str, text: str) -> List[Dict[str, Any]]:
    pattern = re.compile(rf"<{re.escape(tag)} (.*?)>")
    return [
        {"tag": tag, "attr": _attributes(match.group(1).strip()), "match": match} for match in pattern.finditer(text)
    ]


def parse_tags_from_content(tag: str, content: Union[str, List[Dict[str, Any]]]) -> List[Dict[str, Any]]:
    """Every ``<tag ...>`` in ``content`` (a string, or the text parts of a multimodal content list):
    ``{"tag": tag, "attr": {name: value}, "match": re.Match}`` in order of appearance.

    Raises ``ValueError`` when ``content`` is neither a string nor a list.
    """
    if isinstance(content, str):
        return _tags_in_text(tag, content)
    if isinstance(content, list):
        found: List[Dict[str, Any]] = []
        for part in content:
            if isinstance(part, dict) and part.get("type") == "text":
                found.extend(_tags_in_text(tag, str(part.get("text", ""))))
        return found
    raise ValueError(f"content must be str or list, but got {type(content)}")
