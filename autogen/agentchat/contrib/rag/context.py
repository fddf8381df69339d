"""Pick the retrieved chunks that go into the next message: unseen ones, closest first, within a token budget."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Collection, List, Optional, Sequence, Set, Tuple

from ..vectordb.base import Document

__all__ = ["ContextSelection", "select_context"]


@dataclass
class ContextSelection:
    """The outcome of :func:`select_context`."""

    text: str = ""
    docs: List[Document] = field(default_factory=list)
    too_long: List[Document] = field(default_factory=list)  # chunks that alone exceed the budget
    tokens: int = 0


def select_context(
    ranked: Sequence[Tuple[Document, float]],
    seen_ids: Collection[str],
    max_tokens: int,
    count_tokens: Callable[[str], int],
    max_docs: Optional[int] = None,
) -> ContextSelection:
    """Add chunks of ``ranked`` (closest first) not in ``seen_ids`` while they fit in ``max_tokens``, at most
    ``max_docs`` of them (the agent's ``n_results``, as classic: a store may return more than asked for).

    Stops at the first chunk that does not fit, so the context follows the ranking; a chunk larger than the
    whole budget is skipped (and reported in ``too_long``) instead of blocking every later one.
    """
    selection = ContextSelection()
    parts: List[str] = []
    chosen: Set[str] = set()
    for doc, _distance in ranked:
        if doc["id"] in seen_ids or doc["id"] in chosen:
            continue
        tokens = count_tokens(doc["content"])
        if tokens > max_tokens:
            selection.too_long.append(doc)
            continue
        if selection.tokens + tokens > max_tokens:
            break
        selection.tokens += tokens
        selection.docs.append(doc)
        chosen.add(str(doc["id"]))
        parts.append(doc["content"])
        if max_docs is not None and len(selection.docs) >= max_docs:
            break
    selection.text = "".join(part + "\n" for part in parts)  # classic: each chunk ends with a newline
    return selection
