"""Documents as text a model can read: HTML as markdown, PDFs as plain text.

This module owns the conversion of HTML to markdown; the web surfer (``autogen.browser_utils``), the classic
``autogen.retrieve_utils.parse_html_to_markdown`` and retrieval's document reader
(``autogen.agentchat.contrib.rag.extract``) all call :func:`html_to_markdown`.

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
_LANGUAGE_PREFIXES = ("language-", "lang-")


def _code_language(pre: Any) -> str:
    """The language a ``<pre>`` block declares (``class="language-python"`` on it or its ``<code>``), or ''."""
    code = pre.find("code")
    for element in (pre, code) if code is not None else (pre,):
        for name in element.get("class") or ():
            for prefix in _LANGUAGE_PREFIXES:
                if name.startswith(prefix) and len(name) > len(prefix):
                    return str(name[len(prefix) :])
    return ""


def _wikipedia_article(soup: Any, url: Optional[str]) -> Optional[Tuple[Any, Optional[str]]]:
    """``(article body, article title)`` of a Wikipedia page, whose navigation and footer are left out (as
    the classic browser did); None for other pages."""
    if not url or "wikipedia.org" not in url:
        return None
    body = soup.find("div", {"id": "mw-content-text"})
    if body is None:
        return None
    heading = soup.find("span", {"class": "mw-page-title-main"})
    return body, heading.get_text(strip=True) if heading is not None else None


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
    """``(title, markdown)`` of an HTML document (title None when it has none).

    Headings, links, images, lists, tables and code blocks (with their declared language) are kept; scripts,
    styles, ``<head>``, iframes, SVG and templates are dropped, as are ``javascript:`` links and inline
    ``data:`` images (their text or alt text stays). Links and images are made absolute against ``url``; a
    Wikipedia ``url`` keeps only the article (headed by its title)."""
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
    if soup.head is not None:
        soup.head.decompose()
    heading = None
    article = _wikipedia_article(soup, url)
    if article is not None:
        root, heading = article
    else:
        root = soup.body if soup.body is not None else soup
    text = _markdown_converter(heading_style="ATX", code_language_callback=_code_language).convert_soup(root)
    if heading:
        text = f"# {heading}\n\n{text}"
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
