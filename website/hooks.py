"""MkDocs hooks: pages whose sources live outside website/docs.

* every notebook in ``notebook/`` becomes the page ``notebook/<name>.ipynb`` (rendered by mkdocs-jupyter);
* ``docs/state-and-scale.md`` becomes the page ``state-and-scale.md``.

The files are read where they are; nothing is copied into the source tree.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

REPO_ROOT = Path(__file__).resolve().parent.parent

def _external_pages() -> dict[str, Path]:
    """Page path in the site -> the folder holding it (the source file is folder / page path)."""
    pages = {"state-and-scale.md": REPO_ROOT / "docs"}
    for notebook in sorted((REPO_ROOT / "notebook").glob("*.ipynb")):
        pages[f"notebook/{notebook.name}"] = REPO_ROOT
    return pages


@event_priority(100)  # before mkdocs-jupyter looks for notebooks among the files
def on_files(files: Files, config, **kwargs) -> Files:
    for src_uri, folder in _external_pages().items():
        if files.get_file_from_path(src_uri) is None:
            files.append(
                File(
                    src_uri,
                    src_dir=str(folder),
                    dest_dir=config["site_dir"],
                    use_directory_urls=config["use_directory_urls"],
                )
            )
    return files
