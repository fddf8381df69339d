"""``Task``: what the agents under evaluation were asked to do, with a successful and a failed example."""

from __future__ import annotations

import json
from typing import Any, Dict

from pydantic import BaseModel

__all__ = ["Task"]


class Task(BaseModel):
    """A task to evaluate responses to."""

    name: str
    description: str
    successful_response: str
    failed_response: str

    def get_sys_message(self) -> str:
        """The task as the critic and the quantifier read it."""
        return (
            f"Task: {self.name}.\n"
            f"Task description: {self.description}\n"
            f"Example of a successful response: {self.successful_response}\n"
            f"Example of a failed response: {self.failed_response}"
        )

    def to_dict(self) -> Dict[str, Any]:
        dump = getattr(self, "model_dump", None)
        data: Dict[str, Any] = dump() if callable(dump) else self.dict()
        return data

    def write_json(self) -> str:
        """The task as a JSON object."""
        return json.dumps(self.to_dict(), indent=2)

    @staticmethod
    def parse_json_str(task: str) -> Task:
        """The task of a JSON object (as written by :meth:`write_json`)."""
        return Task(**json.loads(task))
