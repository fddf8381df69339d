"""Retrieval helpers (classic API): read documents, split them into chunks, store and query them in chromadb.

The pieces live in ``autogen.agentchat.contrib.rag`` (text extraction, chunking, document sources,
embeddings) and ``autogen.agentchat.contrib.vectordb`` (vector stores); this module keeps the classic
names. Optional packages are imported only when used: ``pip install "pyautogen[retrievechat]"``.
"""

from __future__ import annotations

import logging
import os
from typing import Any, Callable, Dict, List, Optional, Sequence, Union

from .agentchat.contrib.rag.chunking import CHUNK_MODES, split_files_to_chunks, split_text_to_chunks
from .agentchat.contrib.rag.embeddings import DEFAULT_EMBEDDING_MODEL
from .agentchat.contrib.rag.extract import TEXT_FORMATS, extract_text, extract_text_from_pdf
from .agentchat.contrib.rag.ingest import ChunkingOptions, prepare_collection
from .agentchat.contrib.rag.sources import get_file_from_url, get_files_from_dir, is_url
from .agentchat.contrib.vectordb.base import results_to_dict
from .token_count_utils import count_token

__all__ = [
    "HASH_LENGTH",
    "RAG_MINIMUM_MESSAGE_LENGTH",
    "TEXT_FORMATS",
    "UNSTRUCTURED_FORMATS",
    "VALID_CHUNK_MODES",
    "create_vector_db_from_dir",
    "extract_text",
    "extract_text_from_pdf",
    "get_file_from_url",
    "get_files_from_dir",
    "is_url",
    "num_tokens_from_text",
    "parse_html_to_markdown",
    "query_vector_db",
    "split_files_to_chunks",
    "split_text_to_chunks",
]

logger = logging.getLogger(__name__)

# Classic constants (the environment variables of the classic package are honoured).
HASH_LENGTH = int(os.environ.get("HASH_LENGTH", 8))
UNSTRUCTURED_FORMATS = ["doc", "docx", "epub", "msg", "odt", "org", "pdf", "ppt", "pptx", "rtf", "rst", "xlsx"]
VALID_CHUNK_MODES = frozenset(CHUNK_MODES)
RAG_MINIMUM_MESSAGE_LENGTH = int(os.environ.get("RAG_MINIMUM_MESSAGE_LENGTH", 5))

DEFAULT_DB_PATH = "tmp/chromadb.db"
QUERY_INCLUDED = ("metadatas", "documents", "distances")  # what query_vector_db's result holds
DEFAULT_COLLECTION = "all-my-documents"


def num_tokens_from_text(text: str, model: str = "gpt-3.5-turbo-0613") -> int:
    """Tokens in ``text`` for ``model`` (see ``autogen.token_count_utils``)."""
    return count_token(text, model)


def _chroma(client: Any, db_path: str, embedding_model: str, embedding_function: Optional[Callable[..., Any]]) -> Any:
    from .agentchat.contrib.vectordb.chromadb import ChromaVectorDB

    return ChromaVectorDB(
        client=client,
        path=None if client is not None else db_path,
        embedding_function=embedding_function,
        embedding_model=embedding_model,
    )


def parse_html_to_markdown(html: str, url: Optional[str] = None) -> str:
    """An HTML page as Markdown headed by its title (``# title``); scripts and styles dropped, links made
    absolute against ``url``. Needs beautifulsoup4 and markdownify (``pip install "pyautogen[websurfer]"``)."""
    from .browsing.convert import html_to_markdown

    title, text = html_to_markdown(html, url)
    return f"# {title}\n\n{text}" if title else text


def create_vector_db_from_dir(
    dir_path: Union[str, List[str]],
    max_tokens: int = 4000,
    client: Any = None,
    db_path: str = DEFAULT_DB_PATH,
    collection_name: str = DEFAULT_COLLECTION,
    get_or_create: bool = False,
    chunk_mode: str = "multi_lines",
    must_break_at_empty_line: bool = True,
    embedding_model: str = DEFAULT_EMBEDDING_MODEL,
    embedding_function: Optional[Callable[..., Any]] = None,
    custom_text_split_function: Optional[Callable[[str], List[str]]] = None,
    custom_text_types: Sequence[str] = TEXT_FORMATS,
    recursive: bool = True,
    extra_docs: bool = False,
) -> Any:
    """Split the documents of ``dir_path`` (files, folders, URLs) into chunks and store them in the chromadb
    collection ``collection_name``; returns the chromadb client (``client``, else a new one for ``db_path``, which
    keeps the folder's files open until it is closed or garbage-collected).

    When the collection already exists it is used as it is, unless ``get_or_create`` (then chunks not yet in
    it are added). Chunk ids are derived from the text, so ``extra_docs`` (kept for compatibility) changes
    nothing: documents are never duplicated nor overwritten.
    """
    if client is None:  # returned to the caller, who owns it (as in classic AutoGen): it outlives this call's store
        from .agentchat.contrib.vectordb.chromadb import chroma_client

        client = chroma_client(db_path)
    db = _chroma(client, db_path, embedding_model, embedding_function)
    options = ChunkingOptions(
        max_tokens=max_tokens,
        chunk_mode=chunk_mode,
        must_break_at_empty_line=must_break_at_empty_line,
        custom_text_split_function=custom_text_split_function,
        custom_text_types=tuple(custom_text_types),
        recursive=recursive,
    )
    prepare_collection(db, collection_name, dir_path, get_or_create=get_or_create, options=options)
    return db.client


def query_vector_db(
    query_texts: List[str],
    n_results: int = 10,
    client: Any = None,
    db_path: str = DEFAULT_DB_PATH,
    collection_name: str = DEFAULT_COLLECTION,
    search_string: str = "",
    embedding_model: str = DEFAULT_EMBEDDING_MODEL,
    embedding_function: Optional[Callable[..., Any]] = None,
) -> Dict[str, Any]:
    """The ``n_results`` chunks nearest to each query text (only chunks containing ``search_string`` when
    given), as chromadb returns them: ``{"ids", "documents", "metadatas", "distances"}``, one list per query (and
    chromadb's other keys, ``embeddings``, ``uris``, ``data`` as None, ``included``).

    Use the same embedding as when the collection was created. Without ``client``, ``db_path`` is opened for the
    call and closed after it."""
    db = _chroma(client, db_path, embedding_model, embedding_function)
    try:
        found = results_to_dict(db.retrieve_docs(query_texts, collection_name, n_results, search_string=search_string))
        # the other keys of chromadb's QueryResult, as classic returned it (what was not asked for is None)
        return {"embeddings": None, "uris": None, "data": None, "included": list(QUERY_INCLUDED), **found}
    finally:
        db.close()  # the folder opened for the call (a client passed in stays open)
