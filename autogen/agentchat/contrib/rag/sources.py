"""Where documents come from: files, folders (optionally recursive) and URLs (downloaded with requests)."""

from __future__ import annotations

import glob
import hashlib
import os
import tempfile
from typing import Iterable, List, Optional, Sequence, Union
from urllib.parse import unquote, urlsplit

from .errors import DocumentPathNotFoundError, import_extra
from .extract import TEXT_FORMATS, file_format

__all__ = ["get_file_from_url", "get_files_from_dir", "is_url"]

DOWNLOAD_TIMEOUT = 60  # seconds

# content type -> extension, for URLs whose path does not say what they serve
_CONTENT_TYPES = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/pdf": "pdf",
    "application/json": "json",
    "text/markdown": "md",
    "text/csv": "csv",
    "text/plain": "txt",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
}


def is_url(string: str) -> bool:
    """Whether ``string`` is an http(s) URL."""
    if not isinstance(string, str):
        return False
    parts = urlsplit(string.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _file_name_for(url: str, content_type: str) -> str:
    path = unquote(urlsplit(url).path)
    name = os.path.basename(path.rstrip("/")) or "index"
    name = "".join(c if c.isalnum() or c in "._-" else "_" for c in name)
    if not file_format(name):
        ext = _CONTENT_TYPES.get(content_type.split(";")[0].strip().lower(), "txt")
        name = f"{name}.{ext}"
    # two URLs ending in the same name must not overwrite each other
    digest = hashlib.sha256(url.encode()).hexdigest()[:8]
    stem, ext = os.path.splitext(name)
    return f"{stem}-{digest}{ext}"


def get_file_from_url(url: str, save_path: Optional[str] = None) -> str:
    """Download ``url`` and return the local file's path.

    ``save_path``: a folder to save into (created if needed; default: a new temporary folder) or, when it
    has an extension, the file to write. The file's extension comes from the URL, else from the content type.
    """
    requests = import_extra("requests", package="requests", extra="retrievechat", feature="Reading documents from URLs")
    response = requests.get(url, timeout=DOWNLOAD_TIMEOUT, headers={"User-Agent": "autogen-retrievechat"})
    response.raise_for_status()
    if save_path is not None and file_format(save_path):
        target = save_path
        os.makedirs(os.path.dirname(os.path.abspath(target)), exist_ok=True)
    else:
        folder = save_path or tempfile.mkdtemp(prefix="autogen-docs-")
        os.makedirs(folder, exist_ok=True)
        target = os.path.join(folder, _file_name_for(url, response.headers.get("Content-Type", "")))
    with open(target, "wb") as f:
        f.write(response.content)
    return target


def _normalize_types(types: Iterable[str]) -> List[str]:
    return sorted({t.lower().lstrip(".") for t in types if t})


def get_files_from_dir(
    dir_path: Union[str, Sequence[str]],
    types: Sequence[str] = TEXT_FORMATS,
    recursive: bool = True,
) -> List[str]:
    """The files ``dir_path`` names: a file, a folder, a URL, or a list of these.

    Files are taken as they are (any extension); in folders only files with one of ``types`` as extension
    are taken (in sub-folders too when ``recursive``); URLs are downloaded to a temporary folder. Each path
    appears once, in the order given (folders sorted). Raises FileNotFoundError for a path that does not
    exist (a DocumentPathNotFoundError, also a ValueError as in classic), ValueError when ``dir_path`` is empty.
    """
    if isinstance(dir_path, (str, os.PathLike)):
        items: List[str] = [os.fspath(dir_path)]
    elif isinstance(dir_path, (list, tuple)):
        items = [os.fspath(p) for p in dir_path]
    else:
        raise TypeError(f"dir_path must be a path, a URL or a list of these, got {type(dir_path).__name__}.")
    if not items:
        raise ValueError("dir_path is empty: give at least one file, folder or URL.")
    wanted = _normalize_types(types)
    download_dir: Optional[str] = None
    files: List[str] = []
    for item in items:
        if is_url(item):
            if download_dir is None:
                download_dir = tempfile.mkdtemp(prefix="autogen-docs-")
            files.append(get_file_from_url(item, download_dir))
        elif os.path.isfile(item):
            files.append(item)
        elif os.path.isdir(item):
            found = []
            for name in glob.glob(os.path.join(glob.escape(item), "**" if recursive else "", "*"), recursive=recursive):
                if os.path.isfile(name) and file_format(name) in wanted:
                    found.append(name)
            files.extend(sorted(found))
        else:
            raise DocumentPathNotFoundError(
                f"Directory {item} does not exist. The document path {item!r} is neither a file, a folder nor an "
                "http(s) URL: check docs_path."
            )
    return list(dict.fromkeys(files))
