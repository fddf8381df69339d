"""autogen.retrieve_utils on real files: text extraction per format, chunking, folders, URLs and chromadb."""

from __future__ import annotations

import functools
import gc
import json
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator, List

import pytest
from fd_count import fds_left_under, fds_under, needs_proc_fd

from autogen.agentchat.contrib.rag.errors import ConfigError, MissingExtraError
from autogen.retrieve_utils import (
    TEXT_FORMATS,
    create_vector_db_from_dir,
    extract_text_from_pdf,
    get_file_from_url,
    get_files_from_dir,
    is_url,
    query_vector_db,
    split_files_to_chunks,
    split_text_to_chunks,
)
from autogen.token_count_utils import count_token

# ------------------------------------------------------------------------------------------- helpers --


def write_pdf(path: Path, pages: List[List[str]]) -> Path:
    """A small but valid PDF (Helvetica text, one content stream per page), written by hand."""
    n_pages = len(pages)
    objects = ["<< /Type /Catalog /Pages 2 0 R >>"]
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(n_pages))
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {n_pages} >>")
    font_ref = 3 + 2 * n_pages
    for i, lines in enumerate(pages):
        escaped = [line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") for line in lines]
        stream = "BT /F1 12 Tf 72 720 Td 16 TL " + " ".join(f"({line}) Tj T*" for line in escaped) + " ET"
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {4 + 2 * i} 0 R "
            f"/Resources << /Font << /F1 {font_ref} 0 R >> >> >>"
        )
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
    objects.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))
    return path


def write_docx(path: Path) -> Path:
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_heading("Quarterly report", level=1)
    document.add_paragraph("Revenue of the Flumbury branch grew by 12 percent.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "city"
    table.cell(0, 1).text = "staff"
    table.cell(1, 0).text = "Flumbury"
    table.cell(1, 1).text = "42"
    document.add_paragraph("The report ends here.")
    document.save(str(path))
    return path


@pytest.fixture
def docs_dir(tmp_path: Path) -> Path:
    """A folder with one document of each format, and a sub-folder."""
    root = tmp_path / "docs"
    (root / "sub").mkdir(parents=True)
    (root / "notes.txt").write_text("The lighthouse of Brimsworth was built in 1871.\n", encoding="utf-8")
    (root / "guide.md").write_text("# Guide\n\nTo reset the Zephyr router, hold the red button.\n", encoding="utf-8")
    (root / "page.html").write_text(
        "<html><head><title>T</title><style>p {color: red}</style></head><body><h1>Otters</h1>"
        "<p>Sea otters hold hands while sleeping.</p><script>var x = 1;</script></body></html>",
        encoding="utf-8",
    )
    (root / "data.json").write_text(json.dumps({"planet": "Kepler-22b", "moons": 0}), encoding="utf-8")
    (root / "table.csv").write_text("name,age\nAda,36\nAlan,41\n", encoding="utf-8")
    write_pdf(root / "paper.pdf", [["Photosynthesis turns light into sugar."], ["Second page about chlorophyll."]])
    (root / "sub" / "deep.txt").write_text("A deep file about glaciers.\n", encoding="utf-8")
    (root / "ignored.bin").write_bytes(b"\x00\x01\x02")
    return root


@pytest.fixture
def file_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A local http.server serving a folder; yields (base URL, folder)."""
    folder = tmp_path / "served"
    folder.mkdir()

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", folder
    finally:
        server.shutdown()
        server.server_close()


# ------------------------------------------------------------------------------------------ chunking --


def test_split_multi_lines_respects_the_token_limit() -> None:
    paragraphs = [" ".join(f"word{p}_{i}" for i in range(30)) for p in range(8)]
    text = "\n\n".join(paragraphs)
    chunks = split_text_to_chunks(text, max_tokens=120)
    assert len(chunks) > 1
    assert all(count_token(chunk, "gpt-4") <= 120 for chunk in chunks)
    # nothing is lost, and chunks end at paragraph boundaries
    assert "\n\n".join(chunks).split() == text.split()
    for chunk in chunks:
        assert chunk.split()[-1].endswith("_29")


def test_split_without_empty_line_breaks_fills_chunks() -> None:
    text = "\n".join(f"line number {i}" for i in range(200))
    chunks = split_text_to_chunks(text, max_tokens=50, must_break_at_empty_line=False)
    assert all(count_token(c, "gpt-4") <= 50 for c in chunks)
    assert "\n".join(chunks).split("\n") == text.split("\n")


def test_split_one_line_mode_and_long_lines() -> None:
    assert split_text_to_chunks("first line\n\n  \nsecond line\n", chunk_mode="one_line") == [
        "first line",
        "second line",
    ]
    long_line = " ".join(f"token{i}" for i in range(400))
    pieces = split_text_to_chunks(long_line, max_tokens=40)
    assert len(pieces) > 5
    assert all(count_token(p, "gpt-4") <= 40 for p in pieces)
    assert " ".join(pieces).split() == long_line.split()


def test_split_overlap_repeats_lines() -> None:
    text = "\n".join(f"sentence {i} of the text" for i in range(40))
    chunks = split_text_to_chunks(text, max_tokens=30, must_break_at_empty_line=False, overlap=1)
    for a, b in zip(chunks, chunks[1:]):
        assert a.split("\n")[-1] == b.split("\n")[0]


def test_split_rejects_bad_arguments() -> None:
    with pytest.raises(ConfigError, match="chunk_mode"):
        split_text_to_chunks("x", chunk_mode="paragraphs")
    with pytest.raises(ConfigError, match="max_tokens"):
        split_text_to_chunks("x", max_tokens=0)


# ------------------------------------------------------------------------------------ text extraction --


def test_extract_text_from_pdf(tmp_path: Path) -> None:
    pytest.importorskip("pypdf")
    pdf = write_pdf(tmp_path / "a.pdf", [["Hello (PDF) world."], ["Page two."]])
    text = extract_text_from_pdf(str(pdf))
    assert "Hello (PDF) world." in text
    assert "Page two." in text


def test_every_format_is_read(docs_dir: Path, tmp_path: Path) -> None:
    pytest.importorskip("bs4")
    pytest.importorskip("pypdf")
    docx_file = write_docx(docs_dir / "report.docx")
    chunks, sources = split_files_to_chunks(get_files_from_dir(str(docs_dir)), max_tokens=500)
    by_source = {Path(s["source"]).name: c for c, s in zip(chunks, sources)}
    assert "1871" in by_source["notes.txt"]
    assert "Zephyr router" in by_source["guide.md"]
    assert "# Otters" in by_source["page.html"]  # HTML becomes Markdown
    assert "Sea otters hold hands" in by_source["page.html"]
    assert "var x" not in by_source["page.html"] and "color: red" not in by_source["page.html"]
    assert "Kepler-22b" in by_source["data.json"]
    assert "Alan,41" in by_source["table.csv"]
    assert "Photosynthesis" in by_source["paper.pdf"] and "chlorophyll" in by_source["paper.pdf"]
    assert "glaciers" in by_source["deep.txt"]
    report = by_source[docx_file.name]
    assert "Quarterly report" in report and "12 percent" in report
    assert "Flumbury | 42" in report
    assert report.index("12 percent") < report.index("Flumbury | 42") < report.index("ends here")
    assert "ignored.bin" not in by_source


def test_custom_split_function(docs_dir: Path) -> None:
    chunks, sources = split_files_to_chunks(
        [str(docs_dir / "guide.md")], custom_text_split_function=lambda text: text.split("\n\n")
    )
    assert chunks == ["# Guide", "To reset the Zephyr router, hold the red button.\n"]
    assert [s["source"] for s in sources] == [str(docs_dir / "guide.md")] * 2


# ------------------------------------------------------------------------------------- files and URLs --


def test_get_files_from_dir(docs_dir: Path) -> None:
    names = {Path(f).name for f in get_files_from_dir(str(docs_dir))}
    assert names == {"notes.txt", "guide.md", "page.html", "data.json", "table.csv", "paper.pdf", "deep.txt"}
    flat = {Path(f).name for f in get_files_from_dir(str(docs_dir), recursive=False)}
    assert "deep.txt" not in flat and "notes.txt" in flat
    only_md = get_files_from_dir(str(docs_dir), types=[".MD"])
    assert [Path(f).name for f in only_md] == ["guide.md"]
    # a file is taken whatever its extension; duplicates collapse
    mixed = get_files_from_dir(
        [str(docs_dir / "ignored.bin"), str(docs_dir / "notes.txt"), str(docs_dir / "notes.txt")]
    )
    assert [Path(f).name for f in mixed] == ["ignored.bin", "notes.txt"]
    assert "pdf" in TEXT_FORMATS and "docx" in TEXT_FORMATS


def test_get_files_from_dir_errors(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="nowhere"):
        get_files_from_dir(str(tmp_path / "nowhere"))
    with pytest.raises(ValueError, match="empty"):
        get_files_from_dir([])


def test_urls_are_downloaded(file_server: tuple[str, Path], tmp_path: Path) -> None:
    pytest.importorskip("requests")
    base, folder = file_server
    (folder / "facts.txt").write_text("Wombats have cube-shaped droppings.\n", encoding="utf-8")
    (folder / "site").mkdir()
    (folder / "site" / "index.html").write_text("<h2>Tardigrades</h2><p>They survive in space.</p>", encoding="utf-8")
    assert is_url(base + "/facts.txt") and not is_url("facts.txt") and not is_url("ftp://x/y")

    files = get_files_from_dir([base + "/facts.txt", base + "/site/"])
    assert len(files) == 2
    chunks, _ = split_files_to_chunks(files)
    joined = "\n".join(chunks)
    assert "cube-shaped" in joined
    assert "## Tardigrades" in joined  # served as text/html without an extension: read as HTML

    saved = get_file_from_url(base + "/facts.txt", save_path=str(tmp_path / "out" / "copy.txt"))
    assert Path(saved).read_text(encoding="utf-8").startswith("Wombats")


def test_url_errors_are_raised(file_server: tuple[str, Path]) -> None:
    requests = pytest.importorskip("requests")
    base, _ = file_server
    with pytest.raises(requests.HTTPError):
        get_files_from_dir(base + "/missing.txt")


# ------------------------------------------------------------------------------- the chromadb helpers --


def test_create_and_query_vector_db(docs_dir: Path, tmp_path: Path) -> None:
    pytest.importorskip("chromadb")
    pytest.importorskip("sentence_transformers")
    db_path = str(tmp_path / "chroma")
    client = create_vector_db_from_dir(str(docs_dir), max_tokens=200, db_path=db_path, collection_name="facts")
    results = query_vector_db(["When was the lighthouse built?"], n_results=3, client=client, collection_name="facts")
    assert {"ids", "documents", "metadatas", "distances"} <= set(results)  # and chromadb's other keys, as classic
    assert "1871" in results["documents"][0][0]
    assert results["metadatas"][0][0]["source"].endswith("notes.txt")
    assert results["distances"][0] == sorted(results["distances"][0])

    filtered = query_vector_db(
        ["When was the lighthouse built?"],
        n_results=3,
        db_path=db_path,
        collection_name="facts",
        search_string="otters",
    )
    assert len(filtered["documents"][0]) == 1 and "otters" in filtered["documents"][0][0]

    # a second run on the same collection neither fails nor duplicates
    count = client.get_collection("facts").count()
    create_vector_db_from_dir(str(docs_dir), max_tokens=200, db_path=db_path, collection_name="facts")
    (docs_dir / "new.txt").write_text("Honey never spoils.\n", encoding="utf-8")
    create_vector_db_from_dir(
        str(docs_dir), max_tokens=200, db_path=db_path, collection_name="facts", get_or_create=True
    )
    assert client.get_collection("facts").count() == count + 1


def test_custom_embedding_function(docs_dir: Path, tmp_path: Path) -> None:
    pytest.importorskip("chromadb")
    calls: List[int] = []

    def letters(texts: List[str]) -> List[List[float]]:
        calls.append(len(texts))
        return [[t.lower().count(c) + 0.01 for c in "aeiost"] for t in texts]

    client = create_vector_db_from_dir(
        str(docs_dir / "notes.txt"), db_path=str(tmp_path / "db"), collection_name="tiny", embedding_function=letters
    )
    results = query_vector_db(
        ["lighthouse"], n_results=1, client=client, collection_name="tiny", embedding_function=letters
    )
    assert "1871" in results["documents"][0][0]
    assert calls == [1, 1]


def test_missing_extra_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "chromadb", None)
    with pytest.raises(MissingExtraError, match=r'pip install "pyautogen\[retrievechat\]"'):
        create_vector_db_from_dir(str(tmp_path), db_path=str(tmp_path / "never-made"))
    monkeypatch.setitem(sys.modules, "pypdf", None)
    with pytest.raises(MissingExtraError, match="pypdf"):
        extract_text_from_pdf(str(write_pdf(tmp_path / "x.pdf", [["x"]])))


def test_importing_retrieval_is_cheap() -> None:
    code = (
        "import sys, autogen.retrieve_utils, autogen.agentchat.contrib.retrieve_user_proxy_agent, "
        "autogen.agentchat.contrib.qdrant_retrieve_user_proxy_agent, autogen.agentchat.contrib.capabilities.teachability\n"
        "heavy = {'chromadb', 'torch', 'sentence_transformers', 'qdrant_client', 'pypdf', 'docx', 'bs4', 'numpy'}\n"
        "print(sorted(heavy & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_default_db_path_is_relative_to_the_working_folder(
    docs_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("chromadb")

    def vowels(texts: List[str]) -> List[List[float]]:
        return [[t.count(c) + 0.5 for c in "aeiou"] for t in texts]

    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        monkeypatch.chdir(tmp_path / name)
        create_vector_db_from_dir(str(docs_dir / "notes.txt"), embedding_function=vowels)
        assert (tmp_path / name / "tmp" / "chromadb.db").is_dir()


@needs_proc_fd
def test_clients_and_folders_are_given_back(docs_dir: Path, tmp_path: Path) -> None:
    pytest.importorskip("chromadb")

    def vowels(texts: List[str]) -> List[List[float]]:
        return [[t.count(c) + 0.5 for c in "aeiou"] for t in texts]

    def build_and_query(folder: Path) -> Any:
        client = create_vector_db_from_dir(str(docs_dir / "notes.txt"), db_path=str(folder), embedding_function=vowels)
        (found,) = query_vector_db(["lighthouse"], n_results=1, db_path=str(folder), embedding_function=vowels)["ids"]
        assert len(found) == 1
        return client

    kept = [build_and_query(tmp_path / f"kept{i}") for i in range(3)]
    assert all(fds_under(tmp_path / f"kept{i}") for i in range(3))  # a client the caller keeps keeps its folder open
    assert kept[0].get_collection("all-my-documents").count() > 0
    del kept  # dropped: closed
    for i in range(10):  # a folder per tenant: the returned clients are dropped at once
        build_and_query(tmp_path / f"tenant{i}")
    gc.collect()
    assert fds_left_under(tmp_path) == []
