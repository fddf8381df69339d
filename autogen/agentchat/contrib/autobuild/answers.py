"""Reading the builder model's answers: expert roles, free text, yes/no, choices from a library.

Each parser returns the value or raises :class:`~autogen.agentchat.contrib.model_answers.AnswerError`,
whose feedback goes back to the model when the builder asks again. Problems that can be repaired are
repaired with a warning instead: names are made valid agent names, duplicates are dropped, a list
longer than allowed is cut.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any, Callable, Collection, Dict, List, Optional, TypeVar

from ..model_answers import AnswerError, NoJSONFound, extract_json, strip_fences

__all__ = [
    "Role",
    "ask_until_valid",
    "clean_name",
    "parse_agent_choice",
    "parse_library_choice",
    "parse_roles",
    "parse_text",
    "parse_yes_no",
]

logger = logging.getLogger(__name__)

T = TypeVar("T")

_NOT_NAME_CHARS = re.compile(r"[^A-Za-z0-9_-]+")
_NAME_KEYS = ("name", "agent", "agent_name", "expert", "expert_name", "title")
_ROLE_KEYS = ("role", "description", "expertise", "skills", "responsibility", "responsibilities", "profile")
MAX_NAME_LENGTH = 64


@dataclass(frozen=True)
class Role:
    """An expert proposed by the builder model."""

    name: str
    role: str = ""


def clean_name(raw: Any) -> str:
    """``raw`` as a valid agent name: letters, digits, "_" and "-" only, at most 64 characters ('' if nothing is left)."""
    name = _NOT_NAME_CHARS.sub("_", str(raw).strip())
    name = re.sub(r"_{2,}", "_", name).strip("_-")
    return name[:MAX_NAME_LENGTH]


def _items(data: Any) -> List[Any]:
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        lists = [value for value in data.values() if isinstance(value, list)]
        if len(lists) == 1:  # {"agents": [...]}
            return lists[0]
        if data and all(isinstance(value, str) for value in data.values()):  # {"name": "role", ...}
            if any(key in data for key in _NAME_KEYS):  # a single expert object
                return [data]
            return [{"name": key, "role": value} for key, value in data.items()]
        if any(key in data for key in _NAME_KEYS):
            return [data]
    raise AnswerError(
        "The answer is JSON but not a list of experts.",
        'Your answer is not a list of experts. Reply with JSON only: a list of {"name": "...", "role": "..."}.',
    )


# one name of a comma-separated list: at most three words of letters, digits, "_" and "-"
_LISTED_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*( [A-Za-z0-9_-]+){0,2}$")
_LIST_MARKERS = re.compile(r"^\s*(?:[-*\u2022]|\d+[.)])\s*")


def _name_list(text: str) -> Optional[List[str]]:
    """The names of a classic answer, names separated by commas or lines ("Python_Expert, Math_Expert"),
    or None when the text is not such a list (prose, a question)."""
    body = strip_fences(text or "").strip().rstrip(".")
    names = []
    for part in re.split(r"[,\n]", body):
        name = _LIST_MARKERS.sub("", part).strip().strip("\"'`*").strip()
        if not name:
            continue
        if not _LISTED_NAME.match(name):
            return None
        names.append(name)
    return names or None


def _json_or_names(text: str) -> Any:
    """The JSON of the answer or, failing that, its comma-separated names (the classic AutoBuild format)."""
    try:
        return extract_json(text)
    except NoJSONFound:
        names = _name_list(text)
        if names is None:
            raise
        return names


def _first(item: Dict[str, Any], keys: Collection[str]) -> Optional[str]:
    lowered = {str(k).lower(): v for k, v in item.items()}
    for key in keys:
        value = lowered.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
        if isinstance(value, list) and value:
            return ", ".join(str(v) for v in value)
    return None


def _unique(names: List[Role], reserved: Collection[str], max_agents: int) -> List[Role]:
    reserved_lower = {name.lower() for name in reserved}
    seen = set(reserved_lower)
    kept: List[Role] = []
    for role in names:
        name = role.name
        if name.lower() in reserved_lower:
            name = clean_name(f"{name}_expert")
            logger.warning("The builder model named an expert %r, a reserved name; renamed it %r.", role.name, name)
        if name.lower() in seen:
            logger.warning("The builder model proposed the expert %r twice; the second one is dropped.", name)
            continue
        seen.add(name.lower())
        kept.append(Role(name, role.role))
    if len(kept) > max_agents:
        logger.warning(
            "The builder model proposed %d experts but at most %d are allowed; keeping the first %d: %s.",
            len(kept),
            max_agents,
            max_agents,
            [r.name for r in kept[:max_agents]],
        )
        kept = kept[:max_agents]
    return kept


def parse_roles(text: str, max_agents: int, reserved: Collection[str] = ()) -> List[Role]:
    """The experts of a roles answer (a JSON list of ``{"name", "role"}`` or of names, or the classic names
    separated by commas), repaired as needed."""
    roles: List[Role] = []
    for item in _items(_json_or_names(text)):
        if isinstance(item, str):
            name, role = item, ""
        elif isinstance(item, dict):
            name, role = _first(item, _NAME_KEYS) or "", _first(item, _ROLE_KEYS) or ""
        else:
            continue
        cleaned = clean_name(name)
        if not cleaned:
            logger.warning("Skipping an expert without a usable name in the builder model's answer: %r.", item)
            continue
        roles.append(Role(cleaned, role))
    roles = _unique(roles, reserved, max_agents)
    if not roles:
        raise AnswerError(
            "The answer lists no expert with a usable name.",
            f"Your answer lists no expert with a usable name. Propose from 1 to {max_agents} experts, as JSON "
            'only: a list of {"name": "...", "role": "..."} where each name uses letters, digits and underscores.',
        )
    return roles


def parse_text(text: str) -> str:
    """A free-text answer without fences or quotes around it; an empty one is an error."""
    cleaned = strip_fences(text or "")
    if len(cleaned) >= 2 and cleaned[0] == cleaned[-1] and cleaned[0] in "\"'":
        cleaned = cleaned[1:-1].strip()
    if not cleaned:
        raise AnswerError("The answer is empty.", "Your answer was empty. Reply with the text asked for.")
    return cleaned


def parse_yes_no(text: str) -> bool:
    """True for an answer saying YES, False for NO; anything else (both, neither) is an error."""
    words = set(re.findall(r"[a-z]+", (text or "").lower()))
    yes, no = "yes" in words, "no" in words
    if yes != no:
        return yes
    raise AnswerError(
        f"The answer is not a clear YES or NO: {(text or '').strip()[:80]!r}.",
        "Answer with the single word YES or NO.",
    )


def parse_library_choice(text: str, library_names: List[str], max_agents: int) -> List[str]:
    """The library names chosen in the answer (a JSON list of names, or names separated by commas); unknown
    names are dropped."""
    data = _json_or_names(text)
    if isinstance(data, dict):
        data = _items(data)
    by_lower = {name.lower(): name for name in library_names}
    chosen: List[str] = []
    unknown: List[str] = []
    for item in data if isinstance(data, list) else []:
        raw = item if isinstance(item, str) else _first(item, _NAME_KEYS) if isinstance(item, dict) else None
        if raw is None:
            continue
        name = by_lower.get(raw.strip().lower()) or by_lower.get(clean_name(raw).lower())
        if name is None:
            unknown.append(raw)
        elif name not in chosen:
            chosen.append(name)
    if unknown:
        logger.warning("The builder model chose experts that are not in the library: %s; they are ignored.", unknown)
    if not chosen:
        raise AnswerError(
            "The answer names no expert of the library.",
            f"Your answer names no expert of the list. Reply with JSON only: a list of 1 to {max_agents} names "
            f"taken from {library_names}.",
        )
    if len(chosen) > max_agents:
        logger.warning("The builder model chose %d experts; keeping the first %d.", len(chosen), max_agents)
        chosen = chosen[:max_agents]
    return chosen


def parse_agent_choice(text: str, names: List[str]) -> str:
    """The one agent of ``names`` that the answer names (the answer itself, or the only name it mentions)."""
    cleaned = parse_text(text).strip().rstrip(".").strip("\"'`* ")
    by_lower = {name.lower(): name for name in names}
    if cleaned.lower() in by_lower:
        return by_lower[cleaned.lower()]
    mentioned = [name for name in names if re.search(rf"(?<![A-Za-z0-9_-]){re.escape(name)}(?![A-Za-z0-9_-])", text)]
    if len(mentioned) == 1:
        return mentioned[0]
    raise AnswerError(
        f"The answer does not name exactly one of the agents {names}: {text.strip()[:80]!r}.",
        f"Answer with the name of one agent only, exactly as written in this list: {names}.",
    )


def ask_until_valid(
    complete: Callable[[List[Dict[str, Any]]], str],
    prompt: str,
    parse: Callable[[str], T],
    attempts: int,
) -> T:
    """Ask ``prompt``, parse the answer, and ask again with the parser's feedback while it fails.

    Raises the last :class:`AnswerError` (its ``answer`` attribute holds the last answer) after ``attempts``.
    """
    messages: List[Dict[str, Any]] = [{"role": "user", "content": prompt}]
    last_error: Optional[AnswerError] = None
    for _ in range(max(1, attempts)):
        answer = complete(messages)
        try:
            return parse(answer)
        except AnswerError as error:
            logger.info("Builder model answer rejected (%s); asking again.", error.problem)
            error.answer = answer  # type: ignore[attr-defined]
            last_error = error
            messages = messages + [
                {"role": "assistant", "content": answer},
                {"role": "user", "content": error.feedback},
            ]
    assert last_error is not None
    raise last_error
