"""Helpers for OpenAI assistants: configuration, matching, thread messages and reply text.

Most of these are pure functions, tested on their own. The classic blocking helpers
(:func:`retrieve_assistants_by_name`, :func:`create_gpt_assistant`, :func:`update_gpt_assistant`)
take an ``openai.OpenAI`` client (or an :class:`~.assistants_client.AssistantsClient`).
"""

from __future__ import annotations

import json
import logging
from typing import Any, Dict, FrozenSet, Iterable, List, Mapping, Optional, Sequence, Tuple

from ...exception_utils import AutoGenError, ConfigError
from ..messages import content_text
from . import assistants_client as api

__all__ = [
    "AssistantRunError",
    "assistant_create_params",
    "create_gpt_assistant",
    "format_message",
    "format_text",
    "matching_assistants",
    "retrieve_assistants_by_name",
    "split_configs",
    "thread_message",
    "tool_signature",
    "update_gpt_assistant",
]

logger = logging.getLogger(__name__)

# settings of the agent itself, read from assistant_config (classic also accepted them in llm_config)
AGENT_KEYS = ("assistant_id", "check_every_ms")
# what an assistant is created (or updated) with
CREATE_KEYS = (
    "tools",
    "tool_resources",
    "file_ids",
    "description",
    "metadata",
    "temperature",
    "top_p",
    "response_format",
    "reasoning_effort",
)
BUILTIN_TOOLS = ("code_interpreter", "file_search")
DEFAULT_CHECK_EVERY_MS = 1000


class AssistantRunError(AutoGenError, ValueError):
    """An assistant run ended in a status with no answer (failed, expired, cancelled elsewhere, ...)."""

    def __init__(self, message: str, run: Any = None) -> None:
        super().__init__(message)
        self.run = run
        self.status = getattr(run, "status", None)
        self.last_error = getattr(run, "last_error", None)


# ------------------------------------------------------------------------------- configuration --
def split_configs(
    llm_config: Any, assistant_config: Optional[Mapping[str, Any]]
) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    """(client config, assistant config): the agent's llm_config minus assistant settings, and the
    assistant_config plus those settings found in llm_config (classic placed them there)."""
    if llm_config is None or llm_config is False:
        classic = "llm_config=False is not supported for GPTAssistantAgent. " if llm_config is False else ""
        raise ConfigError(
            f"{classic}GPTAssistantAgent needs an llm_config naming the OpenAI endpoint, got llm_config={llm_config!r}. "
            'Pass llm_config={"config_list": [{"model": "gpt-4o", "api_key": "sk-..."}]} '
            "(add 'base_url' for another endpoint; for Azure 'api_type': 'azure' and 'api_version')."
        )
    if not isinstance(llm_config, Mapping):
        raise ConfigError(f"llm_config must be a dict with a 'config_list', got {type(llm_config).__name__}.")
    if assistant_config is not None and not isinstance(assistant_config, Mapping):
        raise ConfigError(
            f"assistant_config must be a dict (e.g. {{'assistant_id': ..., 'tools': [...]}}), got "
            f"{type(assistant_config).__name__}."
        )
    client_cfg = dict(llm_config)
    assistant_cfg = dict(assistant_config or {})
    if not client_cfg.get("config_list") and not any(
        client_cfg.get(k) for k in ("api_key", "base_url", "azure_endpoint", "model")
    ):
        raise ConfigError(
            "GPTAssistantAgent needs llm_config['config_list'] with at least one config, e.g. "
            '{"config_list": [{"model": "gpt-4o", "api_key": "sk-..."}]}; '
            f"got llm_config with keys {sorted(client_cfg) or 'none'}."
        )
    for key in (*AGENT_KEYS, "tools", "tool_resources", "file_ids"):
        value = client_cfg.pop(key, None)
        if value is not None and assistant_cfg.get(key) is None:
            assistant_cfg[key] = value
    unknown = sorted(set(assistant_cfg) - set(AGENT_KEYS) - set(CREATE_KEYS) - {"model"})
    if unknown:
        logger.warning(
            "assistant_config keys %s are not used by GPTAssistantAgent (known: %s).",
            unknown,
            ", ".join((*AGENT_KEYS, *CREATE_KEYS, "model")),
        )
    return client_cfg, assistant_cfg


def poll_interval(assistant_config: Mapping[str, Any]) -> float:
    """Seconds between two checks of a run in progress (``check_every_ms``, default 1000)."""
    value = assistant_config.get("check_every_ms", DEFAULT_CHECK_EVERY_MS)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ConfigError(f"assistant_config['check_every_ms'] must be a number of milliseconds >= 0, got {value!r}.")
    return float(value) / 1000


def _tool_dict(tool: Any) -> Dict[str, Any]:
    if isinstance(tool, Mapping):
        return dict(tool)
    dump = getattr(tool, "model_dump", None)
    if callable(dump):
        return dict(dump(exclude_none=True))
    raise ConfigError(f"A tool must be a dict such as {{'type': 'code_interpreter'}}, got {tool!r}.")


def _tool_type(tool: Mapping[str, Any]) -> str:
    kind = str(tool.get("type", ""))
    return "file_search" if kind == "retrieval" else kind  # "retrieval" is the v1 name of file_search


def normalize_tools(tools: Optional[Iterable[Any]]) -> List[Dict[str, Any]]:
    """Tools as v2 dicts ("retrieval" becomes "file_search")."""
    out = []
    for tool in tools or ():
        entry = _tool_dict(tool)
        if entry.get("type") == "retrieval":
            entry["type"] = "file_search"
        out.append(entry)
    return out


def tool_signature(tools: Optional[Iterable[Any]]) -> Tuple[FrozenSet[str], FrozenSet[str]]:
    """(built-in tool types, function names): what makes two tool lists "the same" for reuse."""
    kinds, names = set(), set()
    for tool in tools or ():
        entry = _tool_dict(tool)
        kind = _tool_type(entry)
        if kind == "function":
            function = entry.get("function") or {}
            names.add(str(function.get("name") if isinstance(function, Mapping) else getattr(function, "name", "")))
        else:
            kinds.add(kind)
    return frozenset(kinds), frozenset(names)


def matching_assistants(
    candidates: Sequence[Any], instructions: Optional[str], tools: Optional[Iterable[Any]]
) -> List[Any]:
    """The candidates whose instructions (when given) and tools (types and function names) match."""
    wanted = tool_signature(tools)
    matches = []
    for assistant in candidates:
        # the classic log lines (without classic's dump of the other instructions)
        if instructions is not None and instructions != getattr(assistant, "instructions", None):
            logger.warning("instructions not match, skip assistant(%s)", assistant.id)
            continue
        kinds, names = tool_signature(getattr(assistant, "tools", None))
        if (kinds, names) != wanted:
            logger.warning(
                "tools not match, skip assistant(%s): tools %s, functions %s",
                assistant.id,
                sorted(kinds),
                sorted(names),
            )
            continue
        matches.append(assistant)
    return matches


def _tool_resources(assistant_config: Mapping[str, Any], tools: List[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    """``tool_resources``, with classic v1 ``file_ids`` turned into v2 resources of the tools present."""
    resources = dict(assistant_config.get("tool_resources") or {})
    file_ids = list(assistant_config.get("file_ids") or [])
    if not file_ids:
        return resources or None
    if resources.get("file_search") is not None:
        raise ConfigError(
            "Cannot specify both `tool_resources['file_search']` tool and `file_ids` in the assistant config. "
            "Put the files in tool_resources['file_search'] (a vector store) or give only file_ids."
        )
    kinds = {_tool_type(t) for t in tools}
    if not kinds & set(BUILTIN_TOOLS):
        raise ConfigError(
            "assistant_config['file_ids'] needs a 'code_interpreter' or 'file_search' tool in assistant_config['tools']."
        )
    if "code_interpreter" in kinds and "code_interpreter" not in resources:
        resources["code_interpreter"] = {"file_ids": file_ids}
    if "file_search" in kinds and "file_search" not in resources:
        resources["file_search"] = {"vector_stores": [{"file_ids": file_ids}]}
    return resources


def assistant_create_params(
    name: str, instructions: Optional[str], model: str, assistant_config: Mapping[str, Any]
) -> Dict[str, Any]:
    """The body that creates an assistant from the agent's settings."""
    tools = normalize_tools(assistant_config.get("tools"))
    params: Dict[str, Any] = {"name": name, "instructions": instructions, "model": model, "tools": tools}
    resources = _tool_resources(assistant_config, tools)
    if resources:
        params["tool_resources"] = resources
    for key in ("description", "metadata", "temperature", "top_p", "response_format", "reasoning_effort"):
        if assistant_config.get(key) is not None:
            params[key] = assistant_config[key]
    return params


# --------------------------------------------------------------------------------- thread side --
def thread_message(message: Mapping[str, Any]) -> Optional[Dict[str, str]]:
    """The thread message for one history message (None when it has no text, e.g. a bare tool call).

    The agent's own messages are "assistant" messages; everything it received (also tool and function
    results) is a "user" message, the only other role threads take.
    """
    text = content_text(message.get("content"))
    if not text:
        return None
    return {"role": "assistant" if message.get("role") == "assistant" else "user", "content": text}


def annotation_file_ids(messages: Iterable[Any]) -> List[str]:
    """The ids of the files cited in ``messages`` (SDK ``Message`` objects), in order, once each."""
    ids: List[str] = []
    for message in messages:
        for block in message.content:
            if block.type != "text":
                continue
            for note in block.text.annotations or ():
                target = getattr(note, note.type, None)
                file_id = getattr(target, "file_id", None)
                if file_id and file_id not in ids:
                    ids.append(file_id)
    return ids


def format_text(value: str, annotations: Iterable[Any], file_names: Mapping[str, str]) -> str:
    """Text with each annotation replaced by a ``[n]`` marker and the cited files listed below it."""
    notes = []
    for index, note in enumerate(annotations or ()):
        marker = f"[{index}]"
        value = value.replace(note.text, f" {marker}") if note.text else value
        target = getattr(note, note.type, None)
        file_id = getattr(target, "file_id", "") or ""
        name = file_names.get(file_id, file_id)
        if note.type == "file_path":
            notes.append(f"{marker} file {name} (id {file_id}), written by the assistant")
        else:
            notes.append(f"{marker} cited from {name}")
    return value if not notes else value + "\n\n" + "\n".join(notes)


def format_message(message: Any, file_names: Mapping[str, str]) -> str:
    """The text of an SDK ``Message``: its text blocks (with citations) and a line per image."""
    parts = []
    for block in message.content:
        if block.type == "text":
            parts.append(format_text(block.text.value, block.text.annotations, file_names))
        elif block.type == "image_file":
            parts.append(f"Received file id={block.image_file.file_id}")
        elif block.type == "image_url":
            parts.append(f"Received image {block.image_url.url}")
        else:
            parts.append(json.dumps(block.model_dump(exclude_none=True)))
    return "\n".join(parts)


def run_error_message(run: Any, thread_id: str) -> str:
    """Why a run gave no answer, and what to do about it."""
    head = (
        f"Unexpected run status: {run.status}. "  # the classic sentence first
        f"Run {run.id} of assistant {run.assistant_id} on thread {thread_id} ended with status {run.status!r}"
    )
    if run.status == "failed" and run.last_error is not None:
        return f"{head}: {run.last_error.code}: {run.last_error.message}"
    if run.status == "expired":
        return f"{head}: it did not finish in time (tool outputs must be submitted before the run expires)."
    if run.status == "cancelled":
        return f"{head}: it was cancelled outside this agent."
    if run.status == "requires_action":
        kind = getattr(run.required_action, "type", None)
        return f"{head}: it asks for an action this agent does not perform ({kind!r})."
    return f"{head}. Full run info:\n{json.dumps(run.model_dump(), indent=2, default=str)}"


# ------------------------------------------------------------------------- classic blocking helpers --
def retrieve_assistants_by_name(client: Any, name: str) -> List[Any]:
    """All assistants of the account named ``name`` (``client``: an ``openai.OpenAI`` client)."""
    sender = api.AssistantsClient.for_sdk_client(client)
    found: List[Any] = []
    after: Optional[str] = None
    while True:
        page = sender.send(api.list_assistants(after=after))
        found.extend(a for a in page.data if a.name == name)
        if not page.has_more or not page.data:
            return found
        after = page.data[-1].id


def create_gpt_assistant(
    client: Any, name: str, instructions: Optional[str], model: str, assistant_config: Mapping[str, Any]
) -> Any:
    """Create an assistant on the account of ``client``; returns the SDK ``Assistant``."""
    params = assistant_create_params(name, instructions, model, assistant_config)
    return api.AssistantsClient.for_sdk_client(client).send(api.create_assistant(params))


def update_gpt_assistant(client: Any, assistant_id: str, assistant_config: Mapping[str, Any]) -> Any:
    """Update an assistant (``instructions``, ``tools``, ``tool_resources``, ``description``, ... as given)."""
    params: Dict[str, Any] = {}
    if "tools" in assistant_config:
        params["tools"] = normalize_tools(assistant_config["tools"])
    resources = _tool_resources(assistant_config, params.get("tools", []))
    if resources:
        params["tool_resources"] = resources
    for key in ("instructions", "name", "model", "description", "metadata", "temperature", "top_p", "response_format"):
        if assistant_config.get(key) is not None:
            params[key] = assistant_config[key]
    return api.AssistantsClient.for_sdk_client(client).send(api.update_assistant(assistant_id, params))
