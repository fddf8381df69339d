"""Documents as text a model can read: HTML as markdown, PDFs as plain text.

HTML needs beautifulsoup4 and markdownify, PDFs pdfminer.six (``pip install "pyautogen[websurfer]"``).
"""

from __future__ import annotations

import re
from io import BytesIO
from typing import Any, Optional, Tuple
from urllib.parse import urljoin

from .._optional import import_optional

__all__ = ["html_to_markdown", "pdf_to_text"]

_DROPPED_TAGS = ("script", "style", "noscript", "template", "iframe", "svg")
_FEATURE = "Reading web pages"


def _markdown_converter(**options: Any) -> Any:
    markdownify = import_optional("markdownify", package="markdownify", extra="websurfer", feature=_FEATURE)

    class Converter(markdownify.MarkdownConverter):  # type: ignore[name-defined,misc]
        """markdownify without what a text reader cannot use: script links and inline image data."""

        def convert_a(self, el: Any, text: str, *args: Any, **kwargs: Any) -> Any:
            href = el.get("href") or ""
            if href.lower().startswith(("javascript:", "data:")):
                return text
            return super().convert_a(el, text, *args, **kwargs)

        def convert_img(self, el: Any, text: str, *args: Any, **kwargs: Any) -> Any:
            src = el.get("src") or ""
            if src.lower().startswith("data:"):
                return el.get("alt") or ""
            return super().convert_img(el, text, *args, **kwargs)

    return Converter(**options)


def html_to_markdown(html: str, url: Optional[str] = None) -> Tuple[Optional[str], str]:
    """``(title, markdown)`` of an HTML document; links are made absolute against ``url``."""
    bs4 = import_optional("bs4", package="beautifulsoup4", extra="websurfer", feature=_FEATURE)
    soup = bs4.BeautifulSoup(html, "html.parser")
    for element in soup(list(_DROPPED_TAGS)):
        element.decompose()
    if url:
        for tag, attribute in (("a", "href"), ("img", "src")):
            for element in soup.find_all(tag):
                value = element.get(attribute)
                if value and not value.lower().startswith(("javascript:", "data:", "mailto:", "#")):
                    element[attribute] = urljoin(url, value)
    title = soup.title.get_text(strip=True) if soup.title is not None else None
    root = soup.body if soup.body is not None else soup
    text = _markdown_converter(heading_style="ATX").convert_soup(root)
    text = re.sub(r"\r\n?", "\n", text)
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return title or None, text


def pdf_to_text(data: bytes) -> str:
    """The text of a PDF document."""
    high_level = import_optional(
        "pdfminer.high_level", package="pdfminer.six", extra="websurfer", feature="Reading PDF files"
    )
    text = high_level.extract_text(BytesIO(data))
    return re.sub(r"\n{3,}", "\n\n", str(text)).strip()
