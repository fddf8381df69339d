"""Split texts into chunks of at most ``max_tokens`` tokens, for embedding and retrieval.

``chunk_mode``:

* ``"multi_lines"``: consecutive lines are packed into a chunk as long as it fits; with
  ``must_break_at_empty_line`` a chunk that has to end early ends at its last empty line (a paragraph
  boundary) when it has one.
* ``"one_line"``: every non-empty line is a chunk.

A line longer than ``max_tokens`` on its own is cut into pieces, at spaces where possible. Every line is
tokenized once, so splitting is linear in the size of the text.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from ....exception_utils import ConfigAssertionError
from ....token_count_utils import get_encoder
from .errors import ConfigError
from .extract import extract_text

__all__ = ["CHUNK_MODES", "split_files_to_chunks", "split_text_to_chunks"]

logger = logging.getLogger(__name__)

CHUNK_MODES = ("multi_lines", "one_line")
TOKEN_MODEL = "gpt-4"  # the tokenizer chunk sizes are measured with


def _count(text: str) -> int:
    return len(get_encoder(TOKEN_MODEL).encode(text))


def _split_long_line(line: str, max_tokens: int) -> List[str]:
    """Pieces of ``line`` of at most ``max_tokens`` tokens each, cut at a space where there is one."""
    pieces: List[str] = []
    rest = line.strip()
    while rest:
        tokens = _count(rest)
        if tokens <= max_tokens:
            pieces.append(rest)
            break
        # a first guess from the average token length, shrunk until the piece fits
        size = max(1, int(len(rest) * max_tokens / tokens))
        while size > 1 and _count(rest[:size]) > max_tokens:
            size = max(1, int(size * 0.9))
        cut = rest.rfind(" ", 0, size + 1)
        if cut <= size // 2:  # no space in the second half: cut inside the word
            cut = size
        pieces.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    return [p for p in pieces if p]


def _validate(max_tokens: int, chunk_mode: str, overlap: int) -> None:
    if chunk_mode not in CHUNK_MODES:  # classic asserted it: the error is an AssertionError too
        raise ConfigAssertionError(f"chunk_mode must be 'multi_lines' or 'one_line', got {chunk_mode!r}.")
    if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1:
        raise ConfigError(f"max_tokens must be a positive integer, got {max_tokens!r}.")
    if isinstance(overlap, bool) or not isinstance(overlap, int) or overlap < 0:
        raise ConfigError(f"overlap must be a non-negative number of lines, got {overlap!r}.")


def split_text_to_chunks(
    text: str,
    max_tokens: int = 4000,
    chunk_mode: str = "multi_lines",
    must_break_at_empty_line: bool = True,
    overlap: int = 0,
) -> List[str]:
    """Split ``text`` into chunks of at most ``max_tokens`` tokens (see the module doc).

    ``overlap``: how many lines the end of a chunk shares with the start of the next (multi_lines mode).
    """
    _validate(max_tokens, chunk_mode, overlap)
    lines = text.split("\n")
    if chunk_mode == "one_line":
        chunks: List[str] = []
        for line in lines:
            if line.strip():
                chunks.extend(_split_long_line(line, max_tokens))
        return chunks

    # a line costs its own tokens plus one for the newline that joins it to the next
    costs = [_count(line) + 1 for line in lines]
    chunks = []
    start = 0
    while start < len(lines):
        end, used = start, 0
        while end < len(lines) and used + costs[end] <= max_tokens:
            used += costs[end]
            end += 1
        if end == start:  # a single line that does not fit on its own
            chunks.extend(_split_long_line(lines[start], max_tokens))
            start += 1
            continue
        next_start = end
        if end < len(lines) and must_break_at_empty_line:
            for k in range(end - 1, start, -1):
                if not lines[k].strip():
                    end, next_start = k, k + 1
                    break
        chunk = "\n".join(lines[start:end]).strip()
        if chunk:
            chunks.append(chunk)
        if overlap and next_start < len(lines):
            next_start = max(start + 1, next_start - overlap)
        start = next_start
    return chunks


def split_files_to_chunks(
    files: Sequence[Any],
    max_tokens: int = 4000,
    chunk_mode: str = "multi_lines",
    must_break_at_empty_line: bool = True,
    custom_text_split_function: Optional[Callable[[str], List[str]]] = None,
) -> Tuple[List[str], List[Dict[str, Any]]]:
    """The chunks of the text of every file, and for each chunk its metadata (``{"source": path}``).

    ``custom_text_split_function(text) -> chunks`` replaces the built-in splitter when given. Empty files
    give no chunks; a file that cannot be read is logged and skipped.
    """
    chunks: List[str] = []
    sources: List[Dict[str, Any]] = []
    for file in files:
        try:
            text = extract_text(file)
        except ImportError:
            raise  # a missing extra is the user's to fix, not a bad file
        except Exception as exc:
            logger.warning("Skipping %s: its text could not be read (%s).", file, exc)
            continue
        if not text.strip():
            continue
        if custom_text_split_function is not None:
            pieces = [p for p in custom_text_split_function(text) if p and p.strip()]
        else:
            pieces = split_text_to_chunks(text, max_tokens, chunk_mode, must_break_at_empty_line)
        chunks.extend(pieces)
        sources.extend({"source": str(file)} for _ in pieces)
    return chunks, sources
