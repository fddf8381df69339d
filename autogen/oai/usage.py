"""Usage summaries: tokens and cost per model, accumulated over calls.

A summary is ``None`` before the first call, then
``{"total_cost": float, "<model>": {"cost", "prompt_tokens", "completion_tokens", "total_tokens"}}``
(the classic AutoGen format that ``gather_usage_summary`` and agents read).
"""

from __future__ import annotations

from typing import Any, Optional, Sequence, Union

__all__ = ["update_usage_summary", "format_usage_summary", "usage_summary_lines", "USAGE_KEYS"]

USAGE_KEYS = ("prompt_tokens", "completion_tokens", "total_tokens", "cost", "model")
_COUNTERS = ("cost", "prompt_tokens", "completion_tokens", "total_tokens")


def update_usage_summary(
    summary: Optional[dict[str, Any]], usage: Optional[dict[str, Any]]
) -> Optional[dict[str, Any]]:
    """``summary`` with one call's ``usage`` (a ModelClient.get_usage dict) added; incomplete usage is ignored."""
    if not usage or any(key not in usage for key in USAGE_KEYS):
        return summary
    summary = summary if summary is not None else {"total_cost": 0}  # an int until a cost is added, as classic
    cost = usage["cost"] or 0
    summary["total_cost"] = summary.get("total_cost", 0) + cost
    per_model = summary.setdefault(usage["model"], {counter: 0 for counter in _COUNTERS})
    per_model["cost"] += cost
    per_model["prompt_tokens"] += usage["prompt_tokens"] or 0
    per_model["completion_tokens"] += usage["completion_tokens"] or 0
    per_model["total_tokens"] += usage["total_tokens"] or 0
    return summary


def usage_summary_lines(summary: Optional[dict[str, Any]], kind: str) -> list[str]:
    """Readable lines for one summary; ``kind`` is "actual" (excluding cache hits) or "total"."""
    if summary is None:
        return ["No actual cost incurred (all completions are using cache)."]
    scope = "including" if kind == "total" else "excluding"
    lines = [f"Usage summary {scope} cached usage: ", f"Total cost: {round(summary['total_cost'], 5)}"]
    for model, counts in summary.items():
        if model == "total_cost":
            continue
        lines.append(
            f"* Model '{model}': cost: {round(counts['cost'], 5)}, prompt_tokens: {counts['prompt_tokens']}, "
            f"completion_tokens: {counts['completion_tokens']}, total_tokens: {counts['total_tokens']}"
        )
    return lines


def _normalize_mode(mode: Union[str, Sequence[str]]) -> str:
    if mode == "both":
        return "both"
    if isinstance(mode, str):
        modes = [mode]
    else:
        modes = list(mode)
    valid = {"actual", "total"}
    if not modes or len(modes) > 2 or not set(modes) <= valid:
        raise ValueError(f'Invalid mode: {mode}, choose from "actual", "total", ["actual", "total"]')
    return "both" if set(modes) == valid else modes[0]


def format_usage_summary(
    actual: Optional[dict[str, Any]],
    total: Optional[dict[str, Any]],
    mode: Union[str, Sequence[str]] = ("actual", "total"),
) -> list[str]:
    """The lines ``print_usage_summary`` prints."""
    which = _normalize_mode(mode)
    if total is None:
        return ['No usage summary. Please call "create" first.']
    rule = "-" * 100
    lines = [rule]
    if which in ("both", "actual"):
        lines += usage_summary_lines(actual, "actual")
    if which == "both":
        lines.append("")
        if actual == total:
            lines.append(
                "All completions are non-cached: the total cost with cached completions is the same as actual cost."
            )
        else:
            lines += usage_summary_lines(total, "total")
    if which == "total":
        lines += usage_summary_lines(total, "total")
    lines.append(rule)
    return lines
