"""``retrieve_config``: the settings of a retrieval agent, as plain data checked once.

:class:`RetrieveConfig` is built from the classic ``retrieve_config`` dict (unknown keys are an error that
lists the known ones). Sizes left out follow the model's context window (``max_tokens``): chunks of 40% of
it, at most 80% of it of context per message.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Union

from ....token_count_utils import get_max_token_limit
from .chunking import CHUNK_MODES
from .embeddings import DEFAULT_EMBEDDING_MODEL
from .errors import ConfigError
from .extract import TEXT_FORMATS
from .prompts import TASKS

__all__ = ["RetrieveConfig"]


@dataclass
class RetrieveConfig:
    """The settings of a retrieval agent (the keys of the classic ``retrieve_config`` dict).

    Attributes:
        task: "default", "code" or "qa": which prompt is used.
        vector_db: "chroma" (default), "qdrant", "pgvector", or a VectorDB instance.
        client: a client of the vector store to use (chromadb or qdrant-client client, psycopg connection).
        db_config: keyword arguments for the vector store, e.g. ``{"path": "tmp/db"}``.
        docs_path: files, folders or URLs of the documents (None: use the existing collection).
        extra_docs: kept for compatibility (chunk ids come from the text, so nothing is ever overwritten).
        collection_name: the collection holding the chunks.
        model: the model the context is sized for; ``max_tokens`` defaults to its context window.
        chunk_token_size, context_max_tokens: chunk size and context budget in tokens.
        chunk_mode, must_break_at_empty_line: how documents are split (see ``rag.chunking``).
        embedding_model, embedding_function: how texts are embedded (see ``rag.embeddings``).
        customized_prompt: a template with ``{input_question}`` and ``{input_context}``.
        customized_answer_prefix: in "qa", a reply without this prefix asks for more context.
        update_context: whether "UPDATE CONTEXT" replies fetch more context.
        get_or_create, overwrite: what to do with an existing collection (see ``rag.ingest``).
        custom_token_count_function: ``(text, model) -> tokens`` for sizing the context.
        custom_text_split_function: ``text -> chunks`` instead of the built-in splitter.
        custom_text_types: extensions read from folders.
        recursive: read sub-folders.
        distance_threshold: drop results farther than this (negative: keep all).
        n_results: how many chunks a question retrieves when the chat does not say.
    """

    task: str = "default"
    vector_db: Any = "chroma"
    client: Any = None
    db_config: Dict[str, Any] = field(default_factory=dict)
    docs_path: Union[None, str, List[str]] = None
    extra_docs: bool = False
    collection_name: str = "autogen-docs"
    model: str = "gpt-4"
    max_tokens: Optional[int] = None
    chunk_token_size: Optional[int] = None
    context_max_tokens: Optional[int] = None
    chunk_mode: str = "multi_lines"
    must_break_at_empty_line: bool = True
    embedding_model: str = DEFAULT_EMBEDDING_MODEL
    embedding_function: Optional[Callable[..., Any]] = None
    customized_prompt: Optional[str] = None
    customized_answer_prefix: str = ""
    update_context: bool = True
    get_or_create: bool = False
    overwrite: bool = False
    custom_token_count_function: Optional[Callable[[str, str], int]] = None
    custom_text_split_function: Optional[Callable[[str], List[str]]] = None
    custom_text_types: Sequence[str] = tuple(TEXT_FORMATS)
    recursive: bool = True
    distance_threshold: float = -1
    n_results: int = 20

    def __post_init__(self) -> None:
        if isinstance(self.task, str):
            self.task = self.task.lower()  # classic matched the task without case ("QA", "Code")
        if self.task not in TASKS:
            raise ConfigError(f"retrieve_config['task'] must be one of {', '.join(TASKS)}, got {self.task!r}.")
        if self.chunk_mode not in CHUNK_MODES:
            raise ConfigError(
                f"retrieve_config['chunk_mode'] must be one of {', '.join(CHUNK_MODES)}, got {self.chunk_mode!r}."
            )
        if self.max_tokens is None:
            try:
                self.max_tokens = get_max_token_limit(self.model)
            except KeyError:
                raise ConfigError(
                    f"The context window of the model {self.model!r} is not known: set retrieve_config['max_tokens'] "
                    "(or 'chunk_token_size' and 'context_max_tokens')."
                ) from None
        if self.chunk_token_size is None:
            self.chunk_token_size = int(self.max_tokens * 0.4)
        if self.context_max_tokens is None:
            self.context_max_tokens = int(self.max_tokens * 0.8)
        for name in ("max_tokens", "chunk_token_size", "context_max_tokens", "n_results"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"retrieve_config[{name!r}] must be a positive integer, got {value!r}.")
        if isinstance(self.docs_path, tuple):
            self.docs_path = list(self.docs_path)
        self.customized_answer_prefix = (self.customized_answer_prefix or "").upper()

    @classmethod
    def keys(cls) -> List[str]:
        return [f.name for f in dataclasses.fields(cls)]

    @classmethod
    def from_dict(cls, config: Optional[Mapping[str, Any]], *, ignored: Iterable[str] = ()) -> RetrieveConfig:
        """Check and complete a ``retrieve_config`` dict; keys in ``ignored`` are accepted and dropped."""
        if config is None:
            config = {}
        if isinstance(config, cls):
            return config
        if not isinstance(config, Mapping):
            raise ConfigError(f"retrieve_config must be a dict, got {type(config).__name__}.")
        known = set(cls.keys())
        skip = set(ignored)
        unknown = sorted(k for k in config if k not in known and k not in skip)
        if unknown:
            raise ConfigError(
                f"Unknown retrieve_config keys: {', '.join(unknown)}. Known keys: {', '.join(sorted(known | skip))}."
            )
        return cls(**{k: v for k, v in config.items() if k in known})

    def count_tokens(self, text: str) -> int:
        """Tokens of ``text`` for ``model`` (or by ``custom_token_count_function``)."""
        if self.custom_token_count_function is not None:
            return int(self.custom_token_count_function(text, self.model))
        from ....token_count_utils import count_token

        return count_token(text, self.model)
