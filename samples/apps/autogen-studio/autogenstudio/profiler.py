"""A session's profile: tokens and cost per agent and per model, and who spoke when.

Built from what the store keeps: one ``run`` record per task (its per-agent usage, see
``workflowmanager.usage_by_agent``) and the messages with their timestamps.
"""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

_COUNTS = ("prompt_tokens", "completion_tokens", "total_tokens")


def _add(into: Dict[Tuple[str, ...], Dict[str, Any]], key: Tuple[str, ...], row: Dict[str, Any]) -> None:
    bucket = into.setdefault(key, {"cost": 0.0, **{c: 0 for c in _COUNTS}})
    bucket["cost"] += float(row.get("cost", 0) or 0)
    for count in _COUNTS:
        bucket[count] += int(row.get(count, 0) or 0)


def session_profile(messages: List[Dict[str, Any]], runs: List[Dict[str, Any]]) -> Dict[str, Any]:
    by_agent_model: Dict[Tuple[str, ...], Dict[str, Any]] = {}
    by_agent: Dict[Tuple[str, ...], Dict[str, Any]] = {}
    by_model: Dict[Tuple[str, ...], Dict[str, Any]] = {}
    for run in runs:
        for row in run.get("usage", []):
            _add(by_agent_model, (row["agent"], row["model"]), row)
            _add(by_agent, (row["agent"],), row)
            _add(by_model, (row["model"],), row)
    start = min((m["timestamp"] for m in messages if m.get("timestamp")), default=None)
    timeline = [
        {
            "sender": m.get("sender"),
            "recipient": m.get("recipient"),
            "at": round(m["timestamp"] - start, 3),
            "timestamp": m["timestamp"],
            "inner": bool(m.get("inner")),
        }
        for m in messages
        if m.get("timestamp") and start is not None
    ]
    return {
        "usage": [{"agent": a, "model": m, **v} for (a, m), v in by_agent_model.items()],
        "agents": [{"agent": a, **v} for (a,), v in by_agent.items()],
        "models": [{"model": m, **v} for (m,), v in by_model.items()],
        "total_cost": sum(v["cost"] for v in by_model.values()),
        "total_tokens": sum(v["total_tokens"] for v in by_model.values()),
        "runs": [{k: r.get(k) for k in ("started", "time", "cost")} for r in runs],
        "timeline": timeline,
    }
