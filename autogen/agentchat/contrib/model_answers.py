"""Reading structured answers out of model text (shared by AutoBuild and AgentEval).

Models asked for "JSON only" still wrap it in code fences, put a sentence before it or after it, or
answer in prose. :func:`extract_json` finds the first JSON list or object in such a text;
:class:`AnswerError` carries what was wrong together with the feedback to send back when asking again.
"""

from __future__ import annotations

import json
import re
from typing import Any, List, Optional

__all__ = ["AnswerError", "NoJSONFound", "extract_json", "strip_fences"]

_FENCE = re.compile(r"```[ \t]*([A-Za-z0-9_+-]*)[ \t]*\n(.*?)```", re.DOTALL)


class AnswerError(ValueError):
    """A model answer that cannot be used; ``feedback`` is what to tell the model when asking again."""

    def __init__(self, problem: str, feedback: Optional[str] = None):
        super().__init__(problem)
        self.problem = problem
        self.feedback = feedback or f"{problem} Please answer again, in exactly the format asked for."


class NoJSONFound(AnswerError):
    """The answer holds no JSON list or object."""


def strip_fences(text: str) -> str:
    """``text`` without a code fence around all of it (and without surrounding whitespace)."""
    stripped = (text or "").strip()
    match = _FENCE.fullmatch(stripped)
    if match:
        return match.group(2).strip()
    return stripped


def _candidates(text: str) -> List[str]:
    found = [text.strip()]
    found += [m.group(2) for m in _FENCE.finditer(text)]
    return found


def extract_json(text: Optional[str]) -> Any:
    """The first JSON list or object in ``text``: the whole text, a fenced block, or one embedded in prose.

    Raises :class:`NoJSONFound` (whose ``feedback`` asks for JSON only) when there is none.
    """
    if not text or not text.strip():
        raise NoJSONFound("The answer is empty.", "Your answer was empty. Reply with the JSON only.")
    decoder = json.JSONDecoder(strict=False)
    for candidate in _candidates(text):
        try:
            value = decoder.decode(candidate.strip())
        except ValueError:
            continue
        if isinstance(value, (list, dict)):
            return value
    # JSON embedded in prose: try each opening bracket in turn
    for match in re.finditer(r"[\[{]", text):
        try:
            value, _ = decoder.raw_decode(text, match.start())
        except ValueError:
            continue
        if isinstance(value, (list, dict)):
            return value
    snippet = text.strip().replace("\n", " ")[:120]
    raise NoJSONFound(
        f"The answer is not JSON: {snippet!r}.",
        "Your answer could not be read as JSON. Reply with the JSON only, with no text before or after it.",
    )
