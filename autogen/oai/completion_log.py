"""The history ``Completion.start_logging`` records: per conversation (compact) or per call."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

__all__ = ["UsageLog"]


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _plain(message: Dict[str, Any]) -> Dict[str, Any]:
    """A response message as a request message: its set fields only."""
    return {k: message[k] for k in ("role", "content", "function_call", "tool_calls") if message.get(k) is not None}


@dataclass
class UsageLog:
    """The logged history and the count of calls logged so far."""

    history: Dict[Any, Any] = field(default_factory=dict)
    compact: bool = True
    count: int = 0
    active: bool = True

    @classmethod
    def start(
        cls, previous: Optional[UsageLog], history: Optional[Dict[Any, Any]], compact: bool, reset_counter: bool
    ) -> UsageLog:
        count = 0 if reset_counter or previous is None else previous.count
        return cls(history if history is not None else {}, compact, count)

    def record(self, request: Dict[str, Any], response: Dict[str, Any]) -> None:
        if not self.compact:
            self.history[self.count] = {"request": request, "response": response}
            self.count += 1
            return
        entry: Dict[str, List[Any]] = {"created_at": [], "cost": [], "token_count": []}
        messages = request.get("messages")
        if messages is not None:
            # a conversation continued by this call: its entry moves to the longer key
            if len(messages) > 1 and messages[-1].get("role") != "assistant":
                entry = self.history.pop(_key(messages[:-1]), entry)
            replies = [_plain(choice.get("message") or {}) for choice in response.get("choices", [])]
            key = _key(list(messages) + replies)
        else:
            replies = [choice.get("text") for choice in response.get("choices", [])]
            key = _key([request.get("prompt"), *replies])
        usage = response.get("usage") or {}
        entry["created_at"].append(self.count)
        entry["cost"].append(response.get("cost", 0.0))
        entry["token_count"].append(
            {
                "model": response.get("model"),
                "prompt_tokens": usage.get("prompt_tokens", 0),
                "completion_tokens": usage.get("completion_tokens", 0),
                "total_tokens": usage.get("total_tokens", 0),
            }
        )
        self.history[key] = entry
        self.count += 1

    def summary(self) -> Dict[str, Any]:
        """``{"total_cost": ..., "token_count": {model: {prompt_tokens, completion_tokens, total_tokens}}}``."""
        total = 0.0
        per_model: Dict[str, Dict[str, int]] = {}

        def add(model: Any, usage: Dict[str, Any]) -> None:
            counts = per_model.setdefault(str(model), {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0})
            for name in counts:
                counts[name] += usage.get(name) or 0

        for entry in self.history.values():
            if self.compact:
                total += sum(entry["cost"])
                for usage in entry["token_count"]:
                    add(usage["model"], usage)
            else:
                response = entry["response"]
                total += response.get("cost", 0.0)
                add(response.get("model"), response.get("usage") or {})
        return {"total_cost": total, "token_count": per_model}
