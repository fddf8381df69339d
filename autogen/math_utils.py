"""Helpers for math answers written in LaTeX: the last ``\\boxed{...}`` of a solution, and answer equivalence."""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Tuple

__all__ = [
    "DEFAULT_MODEL",
    "eval_math_responses",
    "get_answer",
    "is_equiv",
    "is_equiv_chain_of_thought",
    "last_boxed_only_string",
    "remove_boxed",
    "solve_problem",
    "voting_counts",
]

DEFAULT_MODEL = "gpt-4"
_MATH_PROMPT = "{problem} Work it out step by step; give the final answer, as simple as it gets, in \\boxed{{}}."

_BOX_COMMANDS = ("\\boxed", "\\fbox")


def last_boxed_only_string(string: str) -> Optional[str]:
    """The last ``\\boxed{...}`` (or ``\\fbox{...}``, or ``\\boxed x``) of ``string`` with its braces
    balanced, or None when there is none (or its braces never close)."""
    start = max(string.rfind(command) for command in _BOX_COMMANDS)
    if start < 0:
        return None
    command = next(c for c in _BOX_COMMANDS if string.startswith(c, start))
    rest = string[start + len(command) :]
    if rest.startswith(" "):  # "\boxed 5": up to the next "$" or the end
        return command + " " + rest[1:].split("$")[0].strip()
    if not rest.startswith("{"):
        return None
    depth = 0
    for index, char in enumerate(rest):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return command + rest[: index + 1]
    return None


def remove_boxed(string: str) -> Optional[str]:
    """The content of a ``\\boxed{...}`` (or ``\\boxed x``) string, or None if it is not one."""
    for command in _BOX_COMMANDS:
        if string.startswith(command + " "):
            return string[len(command) + 1 :]
        if string.startswith(command + "{") and string.endswith("}"):
            return string[len(command) + 1 : -1]
    return None


def get_answer(solution: Optional[str]) -> Optional[str]:
    """The answer of a solution: the content of its last ``\\boxed{}``, or None."""
    if solution is None:
        return None
    boxed = last_boxed_only_string(solution)
    return None if boxed is None else remove_boxed(boxed)


def _fix_fracs(text: str) -> str:
    """``\\frac12`` -> ``\\frac{1}{2}``, ``\\frac1{2}`` -> ``\\frac{1}{2}``."""
    return re.sub(
        r"\\frac(?:\s*)(\{[^{}]*\}|\w)(?:\s*)(\{[^{}]*\}|\w)",
        lambda m: "\\frac" + "".join(g if g.startswith("{") else "{" + g + "}" for g in (m.group(1), m.group(2))),
        text,
    )


def _normalize(answer: str) -> str:
    """A canonical spelling of a short LaTeX answer, so that equal answers compare equal as strings."""
    text = answer.strip()
    text = re.sub(r"\\text\{\s*([^{}]*)\}", r"\1", text)
    text = text.replace("\\!", "").replace("\\left", "").replace("\\right", "")
    text = text.replace("tfrac", "frac").replace("dfrac", "frac")
    text = text.replace("^{\\circ}", "").replace("^\\circ", "")
    text = text.replace("\\$", "").replace("$", "").replace("\\%", "").replace("%", "")
    text = re.sub(r"\s+", "", text)
    named = re.fullmatch(r"[a-zA-Z]\w?=(.+)", text)  # "x=5" -> "5"
    if named:
        text = named.group(1)
    text = re.sub(r"(?<![\d}])\.(\d)", r"0.\1", text)  # ".5" -> "0.5"
    text = _fix_fracs(text)
    simple = re.fullmatch(r"(-?\d+)/(\d+)", text)
    if simple:
        text = f"\\frac{{{simple.group(1)}}}{{{simple.group(2)}}}"
    text = re.sub(r"(\d)\.0+$", r"\1", text)  # "2.0" -> "2"
    if text == "0.5":
        text = "\\frac{1}{2}"
    return text


def _as_number(text: str) -> Optional[float]:
    frac = re.fullmatch(r"(-?)\\frac\{(-?\d+)\}\{(\d+)\}", text)
    try:
        if frac:
            value = float(frac.group(2)) / float(frac.group(3))
            return -value if frac.group(1) else value
        return float(text.replace(",", ""))
    except (ValueError, ZeroDivisionError):
        return None


def is_equiv(str1: Optional[str], str2: Optional[str]) -> bool:
    """Whether two answers are the same after normalisation (spacing, \\left/\\right, units in \\text{},
    fraction spellings, "x=" prefixes...), or are numbers within 1e-9 of each other."""
    if str1 is None or str2 is None:
        return str1 is None and str2 is None
    a, b = _normalize(str1), _normalize(str2)
    if a == b:
        return True
    x, y = _as_number(a), _as_number(b)
    return x is not None and y is not None and abs(x - y) <= 1e-9 * max(1.0, abs(x), abs(y))


def is_equiv_chain_of_thought(str1: str, str2: str) -> bool:
    """Whether the boxed answers of two solutions are equivalent."""
    return is_equiv(get_answer(str1), get_answer(str2))


def voting_counts(responses: List[str]) -> Dict[int, int]:
    """Votes per answer: the index of the first response giving each answer -> how many responses give an
    equivalent one. Responses without a boxed answer are not counted."""
    answers = [get_answer(r) for r in responses]
    counts: Dict[int, int] = {}
    for index, answer in enumerate(answers):
        if answer is None:
            continue
        first = next((j for j in counts if is_equiv(answers[j], answer)), index)
        counts[first] = counts.get(first, 0) + 1
    return counts


def eval_math_responses(responses: List[str], solution: Optional[str] = None, **args: Any) -> Dict[str, Any]:
    """Score several responses to one problem against its ``solution`` by majority vote on their answers.

    Returns ``expected_success`` (the share of responses that are right), ``success`` (any is right),
    ``success_vote`` (the most common answer is right), ``voted_answer`` and ``votes``.
    """
    if solution is None:
        solution = args.get("solution")
    expected = get_answer(solution)
    answers = [get_answer(r) for r in responses]
    counts = voting_counts(responses)
    right = [is_equiv(a, expected) for a in answers]
    best = max(counts, key=counts.__getitem__) if counts else None
    return {
        "expected_success": sum(right) / len(responses) if responses else 0.0,
        "success": any(right),
        "success_vote": best is not None and right[best],
        "voted_answer": responses[best] if best is not None else None,
        "votes": counts[best] if best is not None else 0,
    }


def solve_problem(problem: str, **config: Any) -> Tuple[Optional[str], float]:
    """The classic one-call solver: ``(voted answer, cost)`` of a completion of ``problem`` through
    ``autogen.Completion`` (``config`` as there: ``config_list``, ``n``, ``model``...; ``gpt-4`` by default)."""
    import warnings

    from .oai.completion import Completion

    params: Dict[str, Any] = {"model": DEFAULT_MODEL, "prompt": _MATH_PROMPT, **config}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the classic helper calls the classic API on purpose
        response = Completion.create({"problem": problem}, allow_format_str_template=True, **params)
    if not isinstance(response, dict):
        raise RuntimeError("The model could not be reached (rate limit or timeout on every config).")
    result = eval_math_responses(Completion.extract_text(response))
    return result.get("voted_answer"), float(response.get("cost", 0.0))
