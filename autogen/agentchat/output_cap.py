"""Cap the code output that goes into a message to the LLM.

A block can print megabytes; sent whole, that is one huge (and costly, or rejected) LLM request. Past
``max_output_chars`` (``code_execution_config["max_output_chars"]``, default 20,000; None turns the cap off)
the message keeps the head and the tail of the output and says how much was left out in between; the whole
output is saved in the executor's work dir and the message names that file.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Optional

from ..exception_utils import ConfigError

__all__ = ["DEFAULT_MAX_OUTPUT_CHARS", "cap_output", "check_max_output_chars", "needs_cap"]

DEFAULT_MAX_OUTPUT_CHARS = 20_000


def check_max_output_chars(value: Any) -> Optional[int]:
    """The configured cap: a positive int, or None for no cap."""
    if value is None or (isinstance(value, int) and not isinstance(value, bool) and value > 0):
        return value
    raise ConfigError(
        "code_execution_config['max_output_chars'] must be a positive number of characters "
        f"(default {DEFAULT_MAX_OUTPUT_CHARS}) or None for no cap, got {value!r}."
    )


def needs_cap(output: str, max_chars: Optional[int]) -> bool:
    return max_chars is not None and len(output) > max_chars


def cap_output(output: str, max_chars: int, work_dir: Path) -> str:
    """``output`` cut to about ``max_chars``: head and tail kept, the rest saved to a file in ``work_dir``."""
    digest = hashlib.sha256(output.encode("utf-8", errors="replace")).hexdigest()[:16]
    path = Path(work_dir) / f"code_output_{digest}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(output, encoding="utf-8", errors="replace")
    head_chars = max_chars // 2
    tail_chars = max_chars - head_chars
    head, tail = output[:head_chars], output[len(output) - tail_chars :]
    omitted = output[head_chars : len(output) - tail_chars]
    lines = omitted.count("\n")
    note = (
        f"\n\n[... {len(omitted):,} characters ({lines:,} lines) of output left out here; the whole output "
        f"({len(output):,} characters) is saved in {path.resolve()} ...]\n\n"
    )
    return head + note + tail
