"""Agent libraries for ``AgentBuilder.build_from_library``: loading them and ranking them by similarity.

A library is a JSON list of agent profiles, each ``{"name", "system_message", "description"?, "model"?,
"tags"?}`` (``"profile"`` is read as the system message when that is missing; the description defaults to
the system message). It is given as a file path or as the JSON text itself.
"""

from __future__ import annotations

import json
import math
import os
from typing import Any, Callable, Dict, List, Optional, Sequence

from .answers import clean_name

__all__ = ["format_library", "load_library", "rank_by_similarity"]


class LibraryError(ValueError):
    """The agent library cannot be read; the message says what is wrong with it."""


def _read(library_path_or_json: Any) -> Any:
    if isinstance(library_path_or_json, (list, tuple)):
        return list(library_path_or_json)
    text = str(library_path_or_json)
    if os.path.isfile(text):
        with open(text, encoding="utf-8") as f:
            source, text = f"the library file {library_path_or_json!r}", f.read()
    else:
        source = "the library JSON (not the path of an existing file, so read as JSON)"
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise LibraryError(f"Could not read {source}: {err}.") from err


def load_library(library_path_or_json: Any) -> List[Dict[str, Any]]:
    """The library's profiles, each with a valid unique ``name``, a ``system_message`` and a ``description``."""
    data = _read(library_path_or_json)
    if not isinstance(data, list) or not data:
        raise LibraryError('An agent library must be a non-empty JSON list of {"name", "system_message", ...}.')
    profiles: List[Dict[str, Any]] = []
    names: set[str] = set()
    for i, entry in enumerate(data):
        if not isinstance(entry, dict):
            raise LibraryError(f"Library entry {i} must be a JSON object, got {type(entry).__name__}.")
        name = clean_name(entry.get("name", ""))
        system_message = entry.get("system_message") or entry.get("profile")
        if not name or not isinstance(system_message, str) or not system_message.strip():
            raise LibraryError(f"Library entry {i} needs a 'name' and a non-empty 'system_message': {entry!r:.200}")
        if name in names:
            raise LibraryError(f"The library has two agents named {name!r}; names must be unique.")
        names.add(name)
        description = entry.get("description")
        profile = {**entry, "name": name, "system_message": system_message.strip()}
        profile["description"] = (
            description.strip() if isinstance(description, str) and description.strip() else (profile["system_message"])
        )
        profile.pop("profile", None)
        profiles.append(profile)
    return profiles


def format_library(profiles: List[Dict[str, Any]]) -> str:
    """The profiles as the list shown to the builder model."""
    return "\n".join(f"- {p['name']}: {p['description']}" for p in profiles)


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


def embedding_function_for(
    embedding_model: Optional[str], embedding_function: Optional[Callable[..., Any]]
) -> Callable[[List[str]], List[List[float]]]:
    """``texts -> vectors``: the function given, else the named sentence-transformers model (loaded offline
    for the default all-MiniLM-L6-v2, see ``autogen.agentchat.contrib.rag.embeddings``)."""
    from ..rag.embeddings import embed, resolve_embedding_function

    function = resolve_embedding_function(embedding_function, embedding_model)
    return lambda texts: embed(function, texts)


def rank_by_similarity(
    task: str, profiles: List[Dict[str, Any]], embed: Callable[[List[str]], List[List[float]]]
) -> List[Dict[str, Any]]:
    """The profiles, most similar first, by cosine similarity of the task and each "name: description"."""
    vectors = embed([task] + [f"{p['name']}: {p['description']}" for p in profiles])
    if len(vectors) != len(profiles) + 1:
        raise ValueError(f"The embedding function returned {len(vectors)} vectors for {len(profiles) + 1} texts.")
    query, rest = vectors[0], vectors[1:]
    scored = sorted(zip(profiles, (_cosine(query, v) for v in rest)), key=lambda pair: -pair[1])
    return [profile for profile, _ in scored]
