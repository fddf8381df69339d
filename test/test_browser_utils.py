"""SimpleTextBrowser against a small website served on localhost."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterator

import pytest
from kitchen_site import BING_KEY, NEEDLE, bing_route, write_site
from site_server import SiteServer

from autogen.browser_utils import SimpleTextBrowser
from autogen.browsing.viewport import find_in_text, split_pages


@pytest.fixture
def site(tmp_path: Path) -> Iterator[SiteServer]:
    with SiteServer(write_site(tmp_path / "site")) as server:
        server.route("/search", bing_route(server.url))
        yield server


def test_visit_a_page_as_markdown_and_follow_relative_links(site: SiteServer) -> None:
    browser = SimpleTextBrowser()
    assert browser.address == "about:blank" and browser.page_content == ""
    text = browser.visit_page(site.url + "/index.html")
    assert browser.page_title == "Test Kitchen"
    assert text.startswith("# Welcome to the Test Kitchen")
    assert f"[about us]({site.url}/about.html)" in text  # links made absolute
    assert "* Soups" in text or "- Soups" in text
    assert "never shown" not in text and "color: red" not in text and "javascript:" not in text
    browser.visit_page("about.html")  # relative to the current page
    assert browser.address == site.url + "/about.html"
    assert browser.page_title == "About the Test Kitchen" and "since 1999" in browser.viewport
    assert browser.history == ["about:blank", site.url + "/index.html", site.url + "/about.html"]


def test_long_page_is_paged_through_the_viewport(site: SiteServer) -> None:
    browser = SimpleTextBrowser(viewport_size=1024)
    first = browser.visit_page(site.url + "/long.html")
    pages = len(browser.viewport_pages)
    assert pages > 5 and len(first) >= 1024 and len(first) < 1200
    assert "".join(browser.page_content[a:b] for a, b in browser.viewport_pages) == browser.page_content
    assert first[-1] in " \n"  # pages end on whitespace
    browser.page_up()
    assert browser.viewport_current_page == 0
    browser.page_down()
    browser.page_down()
    assert browser.viewport_current_page == 2 and browser.viewport != first
    for _ in range(pages + 3):
        browser.page_down()
    assert browser.viewport_current_page == pages - 1


def test_find_on_page_and_find_next(site: SiteServer) -> None:
    browser = SimpleTextBrowser(viewport_size=1024)
    browser.visit_page(site.url + "/long.html")
    found = browser.find_on_page("secret   INGREDIENT")
    assert found is not None and NEEDLE in found
    assert browser.viewport_current_page > 3
    assert browser.find_on_page("no such words") is None
    browser.viewport_current_page = 0
    assert browser.find_on_page("Paragraph 2") is not None  # "Paragraph 2:", then 20: ... 29:
    pages = [browser.viewport_current_page]
    for _ in range(10):
        assert browser.find_next() is not None
        pages.append(browser.viewport_current_page)
    assert pages[0] == 0 and pages[-1] > 0 and pages == sorted(pages)
    browser.find_next()  # wraps around to the first match
    assert browser.viewport_current_page == 0
    assert SimpleTextBrowser().find_next() is None


def test_plain_text_pdf_download_and_errors(site: SiteServer, tmp_path: Path) -> None:
    downloads = tmp_path / "downloads"
    browser = SimpleTextBrowser(downloads_folder=str(downloads))
    assert browser.visit_page(site.url + "/notes.txt") == "Plain notes: bread needs time.\n"
    assert browser.page_title is None
    text = browser.visit_page(site.url + "/report.pdf")
    assert "Annual Report 2023" in text and "Revenue grew by 12 percent." in text
    assert browser.page_title == "report.pdf"
    browser.visit_page(site.url + "/data.bin")
    assert browser.page_title == "Download complete."
    assert (downloads / "data.bin").read_bytes() == b"\x00\x01binary"
    browser.visit_page(site.url + "/missing.html")
    assert browser.page_title == "Error" and "404" in browser.page_content
    no_downloads = SimpleTextBrowser()
    no_downloads.visit_page(site.url + "/data.bin")
    assert no_downloads.page_title.startswith("Error - Unsupported Content-Type")
    local = SimpleTextBrowser()
    assert "Welcome to the Test Kitchen" in local.visit_page((tmp_path / "site" / "index.html").as_uri())


def test_search_through_a_bing_style_api(site: SiteServer) -> None:
    browser = SimpleTextBrowser(bing_base_url=site.url + "/search", bing_api_key=BING_KEY)
    text = browser.visit_page("bing: stock recipes")
    assert browser.page_title == "stock recipes - Search"
    assert text.startswith("A Bing search for 'stock recipes' found 4 results:")
    assert f"1. [Test Kitchen]({site.url}/index.html)\nRecipes about stock recipes." in text
    assert f"2. [About]({site.url}/about.html)" in text and "## News Results" in text
    path, query, headers = site.requests[-1]
    assert path == "/search" and query["q"] == ["stock recipes"]
    assert headers["Ocp-Apim-Subscription-Key"] == BING_KEY
    with pytest.raises(ValueError, match="Missing Bing API key"):
        SimpleTextBrowser(bing_base_url=site.url + "/search").visit_page("bing: anything")


def test_missing_packages_name_the_extra(site: SiteServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "markdownify", None)
    with pytest.raises(ImportError, match=r"pyautogen\[websurfer\]"):
        SimpleTextBrowser().visit_page(site.url + "/index.html")


def test_viewport_helpers() -> None:
    assert split_pages("", 10) == [(0, 0)]
    assert split_pages("aaa bbb ccc", 4) == [(0, 4), (4, 8), (8, 11)]
    assert split_pages("abcdefgh ij", 3) == [(0, 9), (9, 11)]  # a long word stays whole
    assert find_in_text("one two\nthree two", "TWO three") == (4, 13)
    assert find_in_text("abc abd", "ab*d") == (0, 7)
    assert find_in_text("x two y two", "two", start=6) == (8, 11)
    assert find_in_text("x two y", "two", start=6) == (2, 5)  # wraps around
    with pytest.raises(ValueError):
        split_pages("text", 0)
