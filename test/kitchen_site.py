"""A small website for the browser and web-surfer tests, written into a folder and served by SiteServer.

Pages: ``index.html`` (links, a script and a style to drop), ``about.html``, ``long.html`` (a long article
that needs several viewport pages, with a needle near its end), ``notes.txt``, ``report.pdf`` (a one-page
PDF written here, no PDF library needed), ``data.bin`` (a download), and ``/search`` answering like the
Bing Web Search API when the right key is sent.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["BING_KEY", "NEEDLE", "bing_route", "make_pdf", "write_site"]

BING_KEY = "test-bing-key"
NEEDLE = "The secret ingredient is cardamom."

INDEX = """<!DOCTYPE html>
<html><head><title>Test Kitchen</title><style>body { color: red; }</style>
<script>console.log("never shown");</script></head>
<body>
<h1>Welcome to the Test Kitchen</h1>
<p>Read <a href="about.html">about us</a>, our <a href="/long.html">long article</a>,
the <a href="notes.txt">notes</a> or the <a href="report.pdf">annual report</a>.</p>
<ul><li>Soups</li><li>Breads</li></ul>
<p><a href="javascript:void(0)">a script link</a></p>
</body></html>
"""

ABOUT = """<html><head><title>About the Test Kitchen</title></head>
<body><h2>About</h2><p>We test recipes since 1999. <a href="index.html">Home</a></p></body></html>
"""


def _long_article() -> str:
    paragraphs = [
        f"<p>Paragraph {i}: simmer the stock slowly and taste it often, adding salt a little at a time.</p>"
        for i in range(1, 121)
    ]
    paragraphs.insert(110, f"<p>{NEEDLE}</p>")
    return (
        "<html><head><title>A Long Article</title></head><body><h1>Stock</h1>" + "".join(paragraphs) + "</body></html>"
    )


def make_pdf(lines: list[str]) -> bytes:
    """A minimal valid PDF showing ``lines`` in Helvetica (offsets computed, so parsers accept it)."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    stream = "BT /F1 14 Tf 72 720 Td 18 TL " + " ".join(f"({escape(line)}) Tj T*" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def write_site(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.html").write_text(INDEX)
    (folder / "about.html").write_text(ABOUT)
    (folder / "long.html").write_text(_long_article())
    (folder / "notes.txt").write_text("Plain notes: bread needs time.\n")
    (folder / "report.pdf").write_bytes(make_pdf(["Annual Report 2023", "Revenue grew by 12 percent."]))
    (folder / "data.bin").write_bytes(b"\x00\x01binary")
    return folder


def bing_route(site_url: str) -> Any:
    """A handler for ``/search`` in the Bing Web Search API's format (401 without the right key)."""

    def handle(query: dict[str, list[str]], headers: dict[str, str]) -> tuple[int, Any]:
        if headers.get("Ocp-Apim-Subscription-Key") != BING_KEY:
            return 401, {"error": {"code": "401", "message": "Access denied: invalid subscription key."}}
        q = (query.get("q") or [""])[0]
        return 200, {
            "_type": "SearchResponse",
            "webPages": {
                "value": [
                    {
                        "name": "Test Kitchen",
                        "url": f"{site_url}/index.html",
                        "snippet": f"Recipes about {q}.",
                        "deepLinks": [{"name": "About", "url": f"{site_url}/about.html"}],
                    },
                    {"name": "A Long Article", "url": f"{site_url}/long.html", "snippet": "All about stock."},
                ]
            },
            "news": {"value": [{"name": "Kitchen news", "url": f"{site_url}/notes.txt", "description": "New notes."}]},
        }

    return handle
