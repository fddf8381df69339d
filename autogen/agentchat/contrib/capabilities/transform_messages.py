"""TransformMessages: change what an agent's LLM sees of its history, without changing the history.

``TransformMessages(transforms=[...]).add_to_agent(agent)`` hooks ``process_all_messages_before_reply``:
before each reply the transforms run, in order, on the conversation (a leading system message stays first
and is never transformed), and the replies work from the result. The stored history is left as it is.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from .transforms import MessageTransform

__all__ = ["TransformMessages"]

Message = Dict[str, Any]


class TransformMessages:
    """Applies message transforms (e.g. ``MessageHistoryLimiter``, ``MessageTokenLimiter``) before each reply.

    Args:
        transforms: applied in order.
        verbose: print what each transform did (when it did something).
    """

    def __init__(self, *, transforms: Optional[List[MessageTransform]] = None, verbose: bool = True):
        self._transforms: List[MessageTransform] = list(transforms or [])
        self._verbose = verbose

    def add_to_agent(self, agent: Any) -> None:
        """Transform ``agent``'s history before each of its replies."""
        agent.register_hook(hookable_method="process_all_messages_before_reply", hook=self._transform_messages)

    def _transform_messages(self, messages: List[Message]) -> List[Message]:
        if not messages:
            return messages
        system = messages[:1] if messages[0].get("role") == "system" else []
        current = messages[len(system) :]
        for transform in self._transforms:
            before = current
            current = transform.apply_transform(current)
            if self._verbose:
                text, changed = transform.get_logs(before, current)
                if changed:
                    self._print(text)
        return system + current

    @staticmethod
    def _print(text: str) -> None:
        from ...printing import colored, say

        say(colored(text, "yellow"))
