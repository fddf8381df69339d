"""A long text seen through a window of about ``size`` characters: its pages, and search within it."""

from __future__ import annotations

import re
from typing import List, Optional, Tuple

__all__ = ["find_in_text", "split_pages"]

_BREAKS = " \t\r\n"


def split_pages(text: str, size: int) -> List[Tuple[int, int]]:
    """``(start, end)`` bounds of the pages of ``text``: each about ``size`` characters, ending after
    whitespace (a page is longer when a word runs past the limit). An empty text has one empty page."""
    if size <= 0:
        raise ValueError(f"The viewport size must be positive, got {size}.")
    if not text:
        return [(0, 0)]
    pages = []
    start = 0
    while start < len(text):
        end = min(start + size, len(text))
        while end < len(text) and text[end - 1] not in _BREAKS:
            end += 1
        pages.append((start, end))
        start = end
    return pages


def _pattern(query: str) -> re.Pattern[str]:
    """``query`` as a case-insensitive pattern: any run of whitespace matches any whitespace, ``*`` any text."""
    words = query.strip().split()
    pieces = [".*?".join(re.escape(part) for part in word.split("*")) for word in words]
    return re.compile(r"\s+".join(pieces), re.IGNORECASE | re.DOTALL)


def find_in_text(text: str, query: str, start: int = 0) -> Optional[Tuple[int, int]]:
    """Bounds of the first match of ``query`` at or after ``start``, wrapping around to the beginning."""
    if not query.strip():
        return None
    pattern = _pattern(query)
    match = pattern.search(text, start) or (pattern.search(text, 0) if start else None)
    return match.span() if match else None
