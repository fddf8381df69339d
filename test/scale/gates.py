"""A responder for the local LLM server that holds some requests until enough of them wait at once."""

from __future__ import annotations

import threading
from typing import Any, Callable, Dict, Optional

from llm_server import last_user_content


class Gate:
    """Answers "echo: <last message>"; requests whose last message starts with ``hold`` wait until ``count`` of them
    wait together (then ``on_full`` runs once, e.g. to kill a worker) and are answered after it. Held requests that
    never fill the gate fail after ``timeout`` seconds with HTTP 400 (which the client does not retry)."""

    def __init__(
        self, hold: str, count: int, on_full: Optional[Callable[[], Any]] = None, timeout: float = 240.0
    ) -> None:
        self.hold = hold
        self.count = count
        self.on_full = on_full
        self.timeout = timeout
        self.lock = threading.Lock()
        self.full = threading.Event()
        self.waiting = 0

    def __call__(self, body: Dict[str, Any]) -> Any:
        text = last_user_content(body)
        with self.lock:
            held = text.startswith(self.hold) and not self.full.is_set()
            if held:
                self.waiting += 1
                if self.waiting >= self.count:
                    if self.on_full is not None:
                        self.on_full()
                    self.full.set()
        if held and not self.full.wait(self.timeout):
            with self.lock:
                self.waiting -= 1
            return {"status": 400, "content": f"the gate never filled ({self.waiting + 1} of {self.count} waited)"}
        return "echo: " + text
