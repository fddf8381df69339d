"""Text out of documents: plain text formats as they are, PDF, Word (.docx) and HTML converted.

The readers of PDF (pypdf), Word (python-docx) and HTML (beautifulsoup4, markdownify) are imported when a
file of that kind is read; they come with ``pip install "pyautogen[retrievechat]"``.
"""

from __future__ import annotations

import logging
import os
from typing import Callable, Dict, List, Union

from .errors import import_extra

__all__ = ["TEXT_FORMATS", "extract_text", "extract_text_from_pdf", "file_format", "html_to_text"]

logger = logging.getLogger(__name__)

PathLike = Union[str, "os.PathLike[str]"]

# The formats read from folders by default (file extensions, without the dot).
TEXT_FORMATS: List[str] = [
    "txt",
    "json",
    "csv",
    "tsv",
    "md",
    "html",
    "htm",
    "rtf",
    "rst",
    "jsonl",
    "log",
    "xml",
    "yaml",
    "yml",
    "pdf",
    "docx",
]

_EXTRA = "retrievechat"


def file_format(path: PathLike) -> str:
    """The lower-case extension of ``path`` without the dot ('' when it has none)."""
    return os.path.splitext(os.fspath(path))[1].lstrip(".").lower()


def _read_plain(path: PathLike) -> str:
    with open(path, "rb") as f:
        data = f.read()
    # utf-8 (with or without a byte-order mark) is by far the most common; anything else keeps its
    # readable parts rather than failing the whole folder.
    return data.decode("utf-8-sig", errors="replace")


def extract_text_from_pdf(file: PathLike) -> str:
    """The text of every page of a PDF file, pages separated by a blank line."""
    pypdf = import_extra("pypdf", package="pypdf", extra=_EXTRA, feature="Reading PDF documents")
    reader = pypdf.PdfReader(os.fspath(file))
    pages = []
    for page in reader.pages:
        text = page.extract_text() or ""
        if text.strip():
            pages.append(text.strip())
    return "\n\n".join(pages)


def _read_docx(path: PathLike) -> str:
    docx = import_extra("docx", package="python-docx", extra=_EXTRA, feature="Reading Word (.docx) documents")
    document = docx.Document(os.fspath(path))
    blocks: List[str] = []
    # paragraphs and tables in document order (python-docx >= 1.0), else paragraphs then tables
    items = (
        document.iter_inner_content()
        if hasattr(document, "iter_inner_content")
        else [
            *document.paragraphs,
            *document.tables,
        ]
    )
    for item in items:
        if hasattr(item, "rows"):
            for row in item.rows:
                cells = [cell.text.strip() for cell in row.cells]
                if any(cells):
                    blocks.append(" | ".join(cells))
        elif item.text.strip():
            blocks.append(item.text)
    return "\n\n".join(blocks)


def html_to_text(html: str) -> str:
    """Readable text of an HTML page: its body as Markdown (headings, lists, links, tables and code blocks
    kept; scripts, styles and the ``<head>`` dropped), converted by :func:`autogen.browsing.convert.html_to_markdown`."""
    for module, package in (("bs4", "beautifulsoup4"), ("markdownify", "markdownify")):
        import_extra(module, package=package, extra=_EXTRA, feature="Reading HTML documents")
    from ....browsing.convert import html_to_markdown

    return html_to_markdown(html)[1]


def _read_html(path: PathLike) -> str:
    return html_to_text(_read_plain(path))


_READERS: Dict[str, Callable[[PathLike], str]] = {
    "pdf": extract_text_from_pdf,
    "docx": _read_docx,
    "html": _read_html,
    "htm": _read_html,
}


def extract_text(path: PathLike) -> str:
    """The text of the file at ``path``, read according to its extension (unknown ones as plain text)."""
    reader = _READERS.get(file_format(path), _read_plain)
    return reader(path)
