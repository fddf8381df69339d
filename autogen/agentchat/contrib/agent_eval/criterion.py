"""``Criterion``: one way of judging a response, with the values a grade may take (pydantic model)."""

from __future__ import annotations

import json
from typing import Any, Dict, List

from pydantic import BaseModel, Field

__all__ = ["Criterion", "criteria_from_data"]


class Criterion(BaseModel):
    """A criterion: its name, what it measures, the grades it accepts (worst first) and its sub-criteria."""

    name: str
    description: str
    accepted_values: List[str]
    sub_criteria: List[Criterion] = Field(default_factory=list)

    def to_dict(self) -> Dict[str, Any]:
        dump = getattr(self, "model_dump", None)
        data: Dict[str, Any] = dump() if callable(dump) else self.dict()
        return data

    def leaves(self, prefix: str = "") -> List[tuple[str, Criterion]]:
        """``(path, criterion)`` of the criteria graded directly: this one, or its sub-criteria ("name/sub")."""
        path = f"{prefix}{self.name}"
        if not self.sub_criteria:
            return [(path, self)]
        return [leaf for sub in self.sub_criteria for leaf in sub.leaves(f"{path}/")]

    @staticmethod
    def parse_json_str(criteria: str) -> List[Criterion]:
        """The criteria of a JSON list (as written by :meth:`write_json`)."""
        return criteria_from_data(json.loads(criteria))

    @staticmethod
    def write_json(criteria: List[Criterion]) -> str:
        """The criteria as an indented JSON list."""
        return json.dumps([criterion.to_dict() for criterion in criteria], indent=2)


def _rebuild() -> None:
    rebuild = getattr(Criterion, "model_rebuild", None)
    if callable(rebuild):
        rebuild()
    else:  # pydantic v1
        Criterion.update_forward_refs()


_rebuild()


def _values(raw: Any, name: str) -> List[str]:
    if isinstance(raw, dict):  # {"poor": "explanation", ...}
        raw = list(raw)
    elif isinstance(raw, str):
        raw = [part.strip() for part in raw.split(",")]
    if not isinstance(raw, list) or not raw:
        raise ValueError(f"The criterion {name!r} needs a non-empty list of 'accepted_values'.")
    return [str(value).strip() for value in raw if str(value).strip()]


def criteria_from_data(data: Any) -> List[Criterion]:
    """Criteria from decoded JSON: a list of ``{"name", "description", "accepted_values", "sub_criteria"?}``
    (or ``{"criteria": [...]}``). Accepted values are made strings; names must be unique among siblings."""
    if isinstance(data, dict) and isinstance(data.get("criteria"), list):
        data = data["criteria"]
    if not isinstance(data, list) or not data:
        raise ValueError('Criteria must be a non-empty JSON list of {"name", "description", "accepted_values"}.')
    criteria: List[Criterion] = []
    for i, item in enumerate(data):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"].strip():
            raise ValueError(f"Criterion {i} must be a JSON object with a non-empty 'name'.")
        name = item["name"].strip()
        sub_criteria = criteria_from_data(item["sub_criteria"]) if item.get("sub_criteria") else []
        values = _values(item.get("accepted_values"), name) if not sub_criteria or item.get("accepted_values") else []
        description = item.get("description")
        criteria.append(
            Criterion(
                name=name,
                description=description.strip() if isinstance(description, str) else "",
                accepted_values=values,
                sub_criteria=sub_criteria,
            )
        )
    names = [c.name.lower() for c in criteria]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"Criterion names must be unique; these are repeated: {duplicates}.")
    return criteria
