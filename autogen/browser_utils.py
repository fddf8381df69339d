"""SimpleTextBrowser: a text-only web browser for agents.

It keeps an address and a history, turns what it fetches into text (HTML as markdown, PDFs as plain text,
text as is; other files are saved to ``downloads_folder`` when one is set) and shows the text through a
viewport of about ``viewport_size`` characters, moved with :meth:`page_down` / :meth:`page_up` or by
:meth:`find_on_page`. ``visit_page("bing: <query>")`` (or ``"search: <query>"``) searches the web
through a Bing-style API when ``bing_api_key`` is set. Needs ``pip install "pyautogen[websurfer]"``.
"""

from __future__ import annotations

import importlib.util
import mimetypes
import os
import re
import uuid
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import unquote, urljoin, urlparse

from ._optional import import_optional
from .browsing.search import BING_BASE_URL, bing_results_markdown, bing_search
from .browsing.viewport import find_in_text, split_pages

__all__ = ["IS_PDF_CAPABLE", "SimpleTextBrowser"]

IS_PDF_CAPABLE = importlib.util.find_spec("pdfminer") is not None  # classic flag: PDFs can be read (not imported here)

SEARCH_PREFIXES = ("bing:", "search:")
_UNSAFE_FILENAME = re.compile(r"[^\w.\- ]+")


def _decode(data: bytes, encoding: Optional[str]) -> str:
    try:
        return data.decode(encoding or "utf-8", errors="replace")
    except LookupError:  # an unknown charset name
        return data.decode("utf-8", errors="replace")


class SimpleTextBrowser:
    """A text browser (see the module doc).

    Args:
        start_page: the first address ("about:blank" by default).
        viewport_size: about how many characters one viewport page shows.
        downloads_folder: where files that are not pages are saved (None: they are not downloaded).
        bing_base_url: the search API's address.
        bing_api_key: the search API's key; without one, searching is an error.
        request_kwargs: extra arguments for each ``requests.get`` (headers, timeout, proxies...).
    """

    def __init__(
        self,
        start_page: Optional[str] = None,
        viewport_size: Optional[int] = 1024 * 8,
        downloads_folder: Optional[str] = None,
        bing_base_url: str = BING_BASE_URL,
        bing_api_key: Optional[str] = None,
        request_kwargs: Optional[Dict[str, Any]] = None,
    ):
        self.start_page = start_page or "about:blank"
        self.viewport_size = viewport_size or 1024 * 8
        self.downloads_folder = downloads_folder
        self.bing_base_url = bing_base_url
        self.bing_api_key = bing_api_key
        self.request_kwargs = request_kwargs
        self.history: List[str] = []
        self.page_title: Optional[str] = None
        self.viewport_current_page = 0
        self.viewport_pages: List[Tuple[int, int]] = [(0, 0)]
        self._page_content = ""
        self._find_query: Optional[str] = None
        self._find_end = 0
        self.set_address(self.start_page)

    # ---------------------------------------------------------------------------------- address --
    @property
    def address(self) -> str:
        """The address of the current page."""
        return self.history[-1]

    def set_address(self, uri_or_path: str) -> None:
        """Go to ``uri_or_path``: a URL, a path relative to the current page, "about:blank", or a search."""
        uri_or_path = uri_or_path.strip()
        self._find_query = None
        lowered = uri_or_path.lower()
        prefix = next((p for p in SEARCH_PREFIXES if lowered.startswith(p)), None)
        if prefix is not None:
            self.history.append(uri_or_path)
            self._search(uri_or_path[len(prefix) :].strip())
        elif uri_or_path == "about:blank":
            self.history.append(uri_or_path)
            self.page_title = None
            self._set_page_content("")
        else:
            if not lowered.startswith(("http:", "https:", "file:")) and self.history:
                uri_or_path = urljoin(self.address, uri_or_path)
            self.history.append(uri_or_path)
            self._fetch_page(uri_or_path)
        self.viewport_current_page = 0

    def visit_page(self, path_or_uri: str) -> str:
        """Go to ``path_or_uri``; the first viewport of the page."""
        self.set_address(path_or_uri)
        return self.viewport

    # --------------------------------------------------------------------------------- viewport --
    @property
    def page_content(self) -> str:
        """The whole text of the current page."""
        return self._page_content

    @property
    def viewport(self) -> str:
        """The text of the current viewport page."""
        start, end = self.viewport_pages[self.viewport_current_page]
        return self._page_content[start:end]

    def _set_page_content(self, content: str, one_viewport: bool = False) -> None:
        self._page_content = content
        self.viewport_pages = [(0, len(content))] if one_viewport else split_pages(content, self.viewport_size)
        self.viewport_current_page = min(self.viewport_current_page, len(self.viewport_pages) - 1)

    def page_down(self) -> None:
        self.viewport_current_page = min(self.viewport_current_page + 1, len(self.viewport_pages) - 1)

    def page_up(self) -> None:
        self.viewport_current_page = max(self.viewport_current_page - 1, 0)

    def _show(self, position: int) -> None:
        for index, (start, end) in enumerate(self.viewport_pages):
            if start <= position < end or (start == end == position):
                self.viewport_current_page = index
                return

    def find_on_page(self, query: str) -> Optional[str]:
        """Scroll to the first match of ``query`` from the current viewport on (case-insensitive; whitespace
        matches any whitespace, ``*`` any text); the viewport with the match, or None if there is none."""
        start = self.viewport_pages[self.viewport_current_page][0]
        return self._find(query, start)

    def find_next(self) -> Optional[str]:
        """Scroll to the next match of the last :meth:`find_on_page` query (wrapping around), or None."""
        if self._find_query is None:
            return None
        return self._find(self._find_query, self._find_end)

    def _find(self, query: str, start: int) -> Optional[str]:
        span = find_in_text(self._page_content, query, start)
        if span is None:
            self._find_query = None
            return None
        self._find_query, self._find_end = query, span[1]
        self._show(span[0])
        return self.viewport

    # ----------------------------------------------------------------------------------- search --
    def _bing_api_call(self, query: str) -> Dict[str, Any]:
        if not self.bing_api_key:
            raise ValueError("Missing Bing API key. Give SimpleTextBrowser a bing_api_key to search the web.")
        return bing_search(query, self.bing_api_key, self.bing_base_url, self.request_kwargs)

    def _search(self, query: str) -> None:
        results = self._bing_api_call(query)
        self.page_title = f"{query} - Search"
        self._set_page_content(bing_results_markdown(query, results), one_viewport=True)  # shown whole (classic)

    def _bing_search(self, query: str) -> None:
        """Classic name of the search step."""
        self._search(query)

    # ---------------------------------------------------------------------------------- fetching --
    def _fetch_page(self, url: str) -> None:
        if url.lower().startswith("file:"):
            self._open_file(unquote(urlparse(url).path))
            return
        requests = import_optional("requests", package="requests", extra="websurfer", feature="Browsing the web")
        kwargs = dict(self.request_kwargs or {})
        kwargs.setdefault("timeout", 60)
        try:
            response = requests.get(url, **kwargs)
            response.raise_for_status()
        except requests.exceptions.RequestException as exc:
            self.page_title = "Error"
            self._set_page_content(str(exc))
            return
        header = response.headers.get("content-type", "")
        content_type = header.split(";")[0].strip().lower()
        charset = re.search(r"charset=([\w.:-]+)", header, re.IGNORECASE)
        if response.url and response.url != url:
            self.history[-1] = response.url  # redirected
        self._show_document(response.url or url, content_type, response.content, charset.group(1) if charset else None)

    def _open_file(self, path: str) -> None:
        if not os.path.isfile(path):
            self.page_title = "Error"
            self._set_page_content(f"File not found: {path}")
            return
        with open(path, "rb") as f:
            data = f.read()
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        self._show_document("file://" + path, content_type, data, "utf-8")

    def _show_document(self, url: str, content_type: str, data: bytes, encoding: Optional[str]) -> None:
        if content_type in ("text/html", "application/xhtml+xml"):
            from .browsing.convert import html_to_markdown

            title, text = html_to_markdown(_decode(data, encoding), url)
            self.page_title = title
            self._set_page_content(text)
        elif content_type.startswith("text/") or content_type in ("application/json", "application/xml"):
            self.page_title = None
            self._set_page_content(_decode(data, encoding))
        elif content_type == "application/pdf":
            from .browsing.convert import pdf_to_text

            self.page_title = os.path.basename(urlparse(url).path) or None
            self._set_page_content(pdf_to_text(data))
        elif self.downloads_folder is not None:
            path = self._download_path(url, content_type)
            with open(path, "wb") as f:
                f.write(data)
            self.page_title = "Download complete."
            self._set_page_content(f"Downloaded '{url}' to '{path}'.")
        else:
            self.page_title = f"Error - Unsupported Content-Type '{content_type}'"
            self._set_page_content(self.page_title)

    def _download_path(self, url: str, content_type: str) -> str:
        assert self.downloads_folder is not None
        name = _UNSAFE_FILENAME.sub("_", os.path.basename(unquote(urlparse(url).path))).strip(" ._")
        if not name:
            name = str(uuid.uuid4()) + (mimetypes.guess_extension(content_type) or ".download")
        os.makedirs(self.downloads_folder, exist_ok=True)
        return os.path.abspath(os.path.join(self.downloads_folder, name))
