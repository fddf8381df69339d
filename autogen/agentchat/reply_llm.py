"""The LLM reply: send the system message and the conversation to the model client, return its answer.

The request is built once per turn from references to the stored messages (``tool_responses`` unrolled,
``context`` left out); nothing in the history is copied or re-encoded. Tools and functions come from the
agent's ``llm_config`` at call time, so registering or removing a tool never rebuilds the client.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Optional, Tuple

from .._flow import Call, Flow, Invoke
from .messages import llm_request_messages, normalize_name

if TYPE_CHECKING:
    from .agent import Agent
    from .conversable_agent import ConversableAgent

__all__ = ["client_reply_flow", "normalize_llm_reply", "oai_reply_flow", "reflection_flow"]

TOOL_KEYS = ("tools", "functions")


def normalize_llm_reply(extracted: Any) -> Any:
    """The model's answer as a message: text as is; a message object as a dict whose function/tool
    names are valid API names (and without null ``id``/``type`` some APIs send)."""
    if extracted is None or isinstance(extracted, str):
        return extracted
    dump = getattr(extracted, "model_dump", None)
    if callable(dump):
        extracted = dump()
    if isinstance(extracted, dict):
        function_call = extracted.get("function_call")
        if function_call and function_call.get("name"):
            function_call["name"] = normalize_name(function_call["name"])
        for tool_call in extracted.get("tool_calls") or ():
            function = tool_call.get("function") or {}
            if function.get("name"):
                function["name"] = normalize_name(function["name"])
            for key in ("id", "type"):
                if key in tool_call and tool_call[key] is None:
                    del tool_call[key]
    return extracted


def client_reply_flow(
    agent: Any,
    client: Any,
    history: List[Dict[str, Any]],
    cache: Any = None,
    system: Iterable[Dict[str, Any]] = (),
) -> Flow[Any]:
    """Ask ``client`` for the next message after ``system`` + ``history``; None if it gave nothing."""
    params: Dict[str, Any] = {"messages": llm_request_messages(system, history), "cache": cache, "agent": agent}
    context = history[-1].get("context") if history else None
    if context is not None:
        params["context"] = context
    llm_config = getattr(agent, "llm_config", None)
    if isinstance(llm_config, dict) and client is getattr(agent, "_client", None):
        for key in TOOL_KEYS:
            if llm_config.get(key):
                params[key] = llm_config[key]
    response = yield Call(client, "create", **params)
    extracted = client.extract_text_or_completion_object(response)[0]
    if extracted is None:
        warnings.warn(f"Extracted_response from {response} is None.", UserWarning, stacklevel=2)
        return None
    return normalize_llm_reply(extracted)


def oai_reply_flow(
    agent: ConversableAgent,
    messages: Optional[List[Dict[str, Any]]] = None,
    sender: Optional[Agent] = None,
    config: Optional[Any] = None,
) -> Flow[Tuple[bool, Any]]:
    """The LLM's reply to the conversation (``config`` may be another client to use)."""
    client = config
    if client is None:
        client = agent._client
        if client is None and agent._client_pending:
            # building the client loads the SDK: under the async driver, in a worker thread (the loop stays free)
            client = yield Invoke(_build_client, (agent,), blocking=True)
    if client is None:
        return False, None
    if messages is None:
        messages = agent.chat_messages[sender]
    reply = yield from client_reply_flow(agent, client, messages, agent.client_cache, agent.system_messages)
    return (False, None) if reply is None else (True, reply)


def _build_client(agent: ConversableAgent) -> Any:
    return agent.client


def reflection_flow(
    agent: ConversableAgent,
    prompt: str,
    messages: List[Dict[str, Any]],
    llm_agent: Optional[Any] = None,
    cache: Any = None,
    role: Optional[str] = None,
) -> Flow[Any]:
    """Ask an LLM to reflect on ``messages`` with ``prompt`` (as a ``role`` message, "system" by default).

    Uses ``llm_agent``'s client if it has one, else ``agent``'s.
    """
    client = getattr(llm_agent, "client", None) if llm_agent is not None else None
    owner = llm_agent
    if client is None:
        client, owner = agent.client, agent
    if client is None:
        from ..exception_utils import ConfigError

        raise ConfigError(
            "No OpenAIWrapper client is found. summary_method='reflection_with_llm' needs an llm_config on the "
            "sender or the recipient of the chat."
        )
    request = [*messages, {"role": role or "system", "content": prompt}]
    return (yield from client_reply_flow(owner, client, request, cache))
