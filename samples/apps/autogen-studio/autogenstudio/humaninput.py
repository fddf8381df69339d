"""Human input in the middle of a run: an agent asks, the person answers in the browser.

The run happens in a worker thread; :meth:`HumanInputBroker.ask` publishes an ``input_request`` event and blocks that
thread until :meth:`HumanInputBroker.answer` is called for the request (from the API) or the timeout passes. A
timeout answers ``"exit"``, which ends the conversation as a person typing it would: an unattended ``ALWAYS`` agent
would otherwise keep asking forever.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional

TIMEOUT_ANSWER = "exit"


@dataclass
class _Pending:
    session: str
    event: Dict[str, Any]
    done: threading.Event = field(default_factory=threading.Event)
    reply: Optional[str] = None


class HumanInputBroker:
    """Open questions to people, by request id."""

    def __init__(self) -> None:
        self._pending: Dict[str, _Pending] = {}
        self._lock = threading.Lock()

    def ask(self, session: str, prompt: str, timeout: float, emit: Callable[[Dict[str, Any]], None]) -> str:
        request_id = secrets.token_urlsafe(12)
        event = {"type": "input_request", "request_id": request_id, "prompt": prompt, "timeout": timeout}
        pending = _Pending(session, event)
        with self._lock:
            self._pending[request_id] = pending
        emit(event)
        try:
            answered = pending.done.wait(timeout)
        finally:
            with self._lock:
                self._pending.pop(request_id, None)
        if not answered or pending.reply is None:
            emit({"type": "input_timeout", "request_id": request_id, "answer": TIMEOUT_ANSWER})
            return TIMEOUT_ANSWER
        emit({"type": "input_answered", "request_id": request_id})
        return pending.reply

    def answer(self, session: str, request_id: str, reply: str) -> bool:
        """Give ``reply`` to the open request; False when there is none of that id in that session."""
        with self._lock:
            pending = self._pending.get(request_id)
            if pending is None or pending.session != session or pending.done.is_set():
                return False
            pending.reply = reply
            pending.done.set()
            return True

    def open_requests(self, session: str) -> List[Dict[str, Any]]:
        """The questions still waiting in ``session`` (a page opened late asks them again)."""
        with self._lock:
            return [dict(p.event, session_id=session) for p in self._pending.values() if p.session == session]
