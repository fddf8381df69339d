"""Load documents into a vector-store collection, and decide what to do with one that already exists.

Chunk ids come from the chunks' text, so loading the same documents twice adds nothing, and loading a
changed folder adds only the new chunks (only those are embedded).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Callable, List, Optional, Sequence, Union

from ..vectordb.base import VectorDB, make_documents
from .chunking import split_files_to_chunks
from .errors import CollectionNotFoundError, ConfigError
from .extract import TEXT_FORMATS
from .sources import get_files_from_dir

__all__ = ["ChunkingOptions", "load_documents", "prepare_collection"]

logger = logging.getLogger(__name__)


@dataclass
class ChunkingOptions:
    """How documents are read and split."""

    max_tokens: int = 4000
    chunk_mode: str = "multi_lines"
    must_break_at_empty_line: bool = True
    custom_text_split_function: Optional[Callable[[str], List[str]]] = None
    custom_text_types: Sequence[str] = tuple(TEXT_FORMATS)
    recursive: bool = True


def load_documents(
    db: VectorDB,
    collection_name: str,
    docs_path: Union[str, Sequence[str]],
    options: Optional[ChunkingOptions] = None,
) -> int:
    """Read, split and add the documents of ``docs_path`` to the (existing) collection; the number of
    chunks added (those already in the collection are skipped)."""
    options = options or ChunkingOptions()
    files = get_files_from_dir(docs_path, options.custom_text_types, options.recursive)
    chunks, sources = split_files_to_chunks(
        files,
        options.max_tokens,
        options.chunk_mode,
        options.must_break_at_empty_line,
        options.custom_text_split_function,
    )
    docs = make_documents(chunks, sources)
    known = db.existing_ids((d["id"] for d in docs), collection_name)
    new_docs = [d for d in docs if d["id"] not in known]
    if new_docs:
        db.insert_docs(new_docs, collection_name, upsert=True)
    logger.info(
        "Collection %r: %d chunks from %d files, %d new.", collection_name, len(docs), len(files), len(new_docs)
    )
    return len(new_docs)


def prepare_collection(
    db: VectorDB,
    collection_name: str,
    docs_path: Union[None, str, Sequence[str]],
    *,
    get_or_create: bool = False,
    overwrite: bool = False,
    options: Optional[ChunkingOptions] = None,
    warn: Callable[[str], Any] = logger.warning,
) -> int:
    """Make sure ``collection_name`` exists and holds the documents; the number of chunks added.

    * it does not exist, or ``overwrite``: (re)create it from ``docs_path`` (an error without one);
    * it exists and ``get_or_create``: reuse it, adding the new chunks of ``docs_path``;
    * it exists otherwise: reuse it as it is (``warn`` says so), so a second run never fails.
    """
    exists = db.collection_exists(collection_name)
    if exists and not overwrite:
        if not get_or_create:
            if docs_path:
                warn(
                    f"The collection {collection_name!r} already exists: it is used as it is and docs_path is not "
                    "read again. Set get_or_create=True to add new documents to it, or overwrite=True to rebuild it."
                )
            return 0
        db.create_collection(collection_name, get_or_create=True)
        return load_documents(db, collection_name, docs_path, options) if docs_path else 0
    if not docs_path and exists:
        raise ConfigError(
            f"overwrite=True would empty the collection {collection_name!r}, but no docs_path was given to rebuild it."
        )
    if not docs_path:
        raise CollectionNotFoundError(
            f"Collection {collection_name} does not exist. No docs_path was given to build it from: "  # classic first
            "Set retrieve_config['docs_path'] to the files, folders or URLs of your documents."
        )
    db.create_collection(collection_name, overwrite=overwrite, get_or_create=True)
    return load_documents(db, collection_name, docs_path, options)
