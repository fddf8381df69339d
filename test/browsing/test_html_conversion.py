"""HTML to Markdown: one implementation (``autogen.browsing.convert.html_to_markdown``) behind the web surfer, the
classic ``retrieve_utils.parse_html_to_markdown`` and retrieval's HTML reader; checked on real-world-shaped pages
(``pages/``): headings, links, tables, lists, code and characters survive, scripts, styles and the like do not."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Callable, Iterator, List, Optional

import pytest

pytest.importorskip("bs4", reason='needs the websurfer extra: pip install "pyautogen[websurfer]"')
pytest.importorskip("markdownify", reason='needs the websurfer extra: pip install "pyautogen[websurfer]"')

from site_server import SiteServer  # noqa: E402

from autogen.agentchat.contrib.rag.errors import MissingExtraError, RetrievalError  # noqa: E402
from autogen.agentchat.contrib.rag.extract import extract_text, html_to_text  # noqa: E402
from autogen.browser_utils import SimpleTextBrowser  # noqa: E402
from autogen.browsing.convert import html_to_markdown  # noqa: E402
from autogen.retrieve_utils import parse_html_to_markdown  # noqa: E402

PAGES = Path(__file__).parent / "pages"
WIKI_URL = "https://en.wikipedia.org/wiki/Sea_otter"
SHOP_URL = "https://acme.example/pricing/"


def _page(name: str) -> str:
    return (PAGES / f"{name}.html").read_text(encoding="utf-8")


def _via_browser_converter(html: str, url: Optional[str]) -> str:
    return html_to_markdown(html, url)[1]


def _via_rag(html: str, url: Optional[str]) -> str:
    return html_to_text(html)


# every public way to turn HTML into Markdown
CONVERTERS: List[Callable[[str, Optional[str]], str]] = [_via_browser_converter, parse_html_to_markdown, _via_rag]


@pytest.fixture(params=CONVERTERS, ids=["html_to_markdown", "parse_html_to_markdown", "html_to_text"])
def convert(request: pytest.FixtureRequest) -> Callable[[str, Optional[str]], str]:
    return request.param  # type: ignore[no-any-return]


def _table_rows(text: str) -> List[List[str]]:
    return [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in text.splitlines() if "|" in line]


def test_article_keeps_headings_tables_and_links(convert: Callable[[str, Optional[str]], str]) -> None:
    text = convert(_page("wikipedia_article"), WIKI_URL)
    assert re.search(r"^## Taxonomy$", text, re.MULTILINE) and re.search(r"^### Subspecies$", text, re.MULTILINE)
    rows = _table_rows(text)
    assert ["Subspecies", "Range", "Estimated population"] in rows
    assert any(row[0] == "*E. l. nereis*" and row[-1] == "3,000" for row in rows)
    assert "[fur trade](" in text and "[Enhydra lutris](https://www.iucnredlist.org/species/7750/21939518)" in text
    assert "RLCONF" not in text and "infobox{" not in text and "wgBackendResponseTime" not in text


def test_links_and_images_are_made_absolute_against_the_page_url() -> None:
    text = parse_html_to_markdown(_page("scripts_styles_nav"), SHOP_URL)
    assert "[Terms](https://acme.example/legal/terms)" in text
    assert "[Pricing](https://acme.example/pricing/pricing.html)" in text  # relative to the page's folder
    assert "![Our team](https://acme.example/img/team.jpg)" in text
    assert "[Read the FAQ](#faq)" in text and "[email sales](mailto:sales@acme.example)" in text  # left as they are


def test_wikipedia_pages_keep_the_article_only() -> None:
    title, text = html_to_markdown(_page("wikipedia_article"), WIKI_URL)
    assert title == "Sea otter - Wikipedia"
    assert text.startswith("# Sea otter\n\n")
    assert "Random article" not in text and "Privacy policy" not in text  # site navigation and footer
    # the same page from elsewhere is converted whole
    other = html_to_markdown(_page("wikipedia_article"), "https://mirror.example/Sea_otter")[1]
    assert "Random article" in other and "## Taxonomy" in other


def test_scripts_styles_and_embedded_things_are_dropped(convert: Callable[[str, Optional[str]], str]) -> None:
    text = convert(_page("scripts_styles_nav"), SHOP_URL)
    for gone in ("dataLayer", "font-family", "schema.org", "googletagmanager", "Please enable JavaScript"):
        assert gone not in text
    for gone in ("TEMPLATE-ROW", "IFRAME-FALLBACK", "logo icon", "javascript:", "data:image", "querySelectorAll"):
        assert gone not in text
    assert "Acme Widgets" not in text.split("\n\n", 1)[-1]  # the <head> (title) is not part of the body text
    assert re.search(r"^# Simple pricing for every team$", text, re.MULTILINE)
    assert ["Team", "$29/mo", "10"] in _table_rows(text)
    assert "Menu" in text and "pixel" in text  # a script link keeps its text, an inline image its alt text
    assert "Yes, at any time." in text


def test_code_blocks_keep_their_text_and_language(convert: Callable[[str, Optional[str]], str]) -> None:
    text = convert(_page("code_blocks"), None)
    fences = re.findall(r"^```(\w*)\n(.*?)\n```$", text, re.MULTILINE | re.DOTALL)
    assert [language for language, _ in fences] == ["python", "", ""]
    python = fences[0][1]
    assert "def count_lines(path: str) -> int:" in python and "        return sum(1 for _ in f)" in python
    assert 'print(count_lines("data.txt") < 10' in python
    assert 'echo "done" && exit 0' in fences[1][1]
    assert 'for line in open("x"):\n    print(line)' == fences[2][1]  # highlighted markup becomes plain code
    assert "`open()`" in text and "`Ctrl`+`C`" in text


def test_nested_lists_keep_their_depth_and_numbering(convert: Callable[[str, Optional[str]], str]) -> None:
    lines = convert(_page("nested_lists"), "https://travel.example/list").splitlines()

    def indent(item: str) -> int:
        line = next(line for line in lines if line.strip().endswith(item))
        return len(line) - len(line.lstrip())

    assert indent("Clothes") < indent("Shirts") < indent("Linen shirt")
    assert indent("Socks") == indent("Shirts") and indent("Toothbrush") == indent("Clothes")
    assert any(re.match(r"\s*2\. Flannel shirt$", line) for line in lines)
    assert any(re.match(r"3\. Check the weather$", line) for line in lines)  # <ol start="3">
    assert any("[Passport](https://travel.example/passport)" in line for line in lines)


def test_entities_and_non_ascii_text(convert: Callable[[str, Optional[str]], str]) -> None:
    text = convert(_page("entities"), "https://cafe.example/fr/")
    assert "# Café de l’Été" in text
    assert "3\xa0€" in text and "£2 × 2" in text
    assert 'Tom & Jerry said "hi" <not a tag> © 2024' in text
    for phrase in ("日本語のテキスト", "Ελληνικά", "Здравствуйте", "🦦", "😀", "x ≤ y ≠ z", "αβγ", "½"):
        assert phrase in text
    assert "&amp;" not in text and "&eacute;" not in text


def test_title_comes_from_the_head() -> None:
    assert html_to_markdown(_page("entities"))[0] == "Café & crème — «menu»"
    assert parse_html_to_markdown(_page("entities")).startswith("# Café & crème — «menu»\n\n")
    assert html_to_markdown("<p>no title</p>") == (None, "no title")


@pytest.mark.parametrize("name", sorted(page.stem for page in PAGES.glob("*.html")))
def test_retrieval_reads_html_through_the_same_conversion(name: str, tmp_path: Path) -> None:
    html = _page(name)
    path = tmp_path / f"{name}.html"
    path.write_text(html, encoding="utf-8")
    assert extract_text(path) == html_to_text(html) == html_to_markdown(html)[1]


def test_retrieval_names_its_own_extra_when_markdownify_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "markdownify", None)
    with pytest.raises(MissingExtraError, match=r'"markdownify".*pip install "pyautogen\[retrievechat\]"') as info:
        html_to_text("<p>x</p>")
    assert isinstance(info.value, RetrievalError) and isinstance(info.value, ImportError)


@pytest.fixture
def page_site() -> Iterator[SiteServer]:
    with SiteServer(PAGES) as server:
        yield server


def test_web_surfer_browser_shows_the_converted_pages(page_site: SiteServer) -> None:
    browser = SimpleTextBrowser(viewport_size=1024 * 64)
    text = browser.visit_page(page_site.url + "/scripts_styles_nav.html")
    assert browser.page_title == "Acme Widgets | Pricing"
    assert "# Simple pricing for every team" in text and "dataLayer" not in text
    assert f"[Terms]({page_site.url}/legal/terms)" in text
    text = browser.visit_page("entities.html")
    assert browser.page_title == "Café & crème — «menu»" and "日本語のテキスト" in text and "🦦" in text
