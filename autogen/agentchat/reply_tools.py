"""Function and tool calls: running them (the executor side) and registering them (both sides).

* :func:`tool_calls_flow` answers a message's ``tool_calls`` (all of them; concurrently in async chats)
  with ONE message ``{"role": "tool", "tool_responses": [...], "content": ...}`` in the order of the calls.
* :func:`function_call_flow` answers a legacy ``function_call`` with ``{"name", "role": "function", "content"}``.
* :func:`execute_function_flow` runs one call. Bad JSON arguments, an unknown function and an exception
  raised by the function all come back as an ``"Error: ..."`` content for the LLM to see; the chat goes on.

Sync tool functions run inline in sync chats and in a worker thread in async chats (so a slow tool never
blocks the event loop, and parallel calls overlap); async tool functions are awaited (run to completion
on a private loop in sync chats).
"""

from __future__ import annotations

import functools
import inspect
import json
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Tuple

from .. import runtime_logging
from .._flow import Call, Flow, Gather, Invoke, flow_of
from .errors import SchemaNotFoundError
from .messages import tool_response_message
from .printing import colored

if TYPE_CHECKING:
    from .agent import Agent
    from .conversable_agent import ConversableAgent

__all__ = [
    "execute_function_flow",
    "function_call_flow",
    "parse_arguments",
    "remove_or_add_schema",
    "tool_calls_flow",
    "wrap_function",
]


def parse_arguments(raw: Any) -> Tuple[Optional[Dict[str, Any]], Optional[str]]:
    """``(arguments, None)`` for valid JSON-object arguments, ``(None, error text)`` otherwise.

    Literal newlines inside strings (which models sometimes emit) are accepted.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return {}, None
    if isinstance(raw, dict):
        return raw, None
    try:
        arguments = json.loads(raw, strict=False)
    except (TypeError, ValueError) as e:
        return None, f"Error: {e}\n The argument must be in JSON format."  # the classic 0.2 text
    if not isinstance(arguments, dict):
        return None, f"Error: the arguments must be a JSON object (name -> value), got: {raw}"
    return arguments, None


def execute_function_flow(
    agent: ConversableAgent,
    func_call: Dict[str, Any],
    verbose: bool = False,
    *,
    call_id: Optional[str] = None,
) -> Flow[Tuple[bool, Dict[str, Any]]]:
    """Run ``func_call`` (``{"name", "arguments"}``) with the agent's function map."""
    stream = agent._iostream()
    name = func_call.get("name", "") or ""
    func = agent._function_map.get(name)
    arguments: Optional[Dict[str, Any]] = None
    succeeded = False
    content: Any
    if func is None:
        content = f"Error: Function {name} not found."  # the classic 0.2 text
    else:
        arguments, content = parse_arguments(func_call.get("arguments", "{}"))
        if arguments is not None:
            kind = "ASYNC FUNCTION" if inspect.iscoroutinefunction(func) else "FUNCTION"  # the classic banners
            # classic printed the banner only (the arguments show with verbose=True, with the output)
            stream.print(colored(f"\n>>>>>>>> EXECUTING {kind} {name}...", "magenta"), flush=True)
            try:
                content = yield Invoke(func, kwargs=arguments, blocking=True)
                succeeded = True
            except Exception as e:  # the error goes back to the LLM, the chat goes on
                content = f"Error: {e}"
            if runtime_logging.is_logging and not hasattr(func, "_origin"):  # a tool wrapper logs its raw result
                runtime_logging.log_function_use(agent, func, arguments, content)
    if verbose:
        stream.print(colored(f"\nInput arguments: {arguments}\nOutput:\n{content}", "magenta"), flush=True)
    return succeeded, {"name": name, "role": "function", "content": "" if content is None else str(content)}


def _last_message(
    agent: ConversableAgent, messages: Optional[List[Dict[str, Any]]], sender: Optional[Agent]
) -> Optional[Dict[str, Any]]:
    if messages is None:
        messages = agent.chat_messages[sender]
    return messages[-1] if messages else None


def function_call_flow(
    agent: ConversableAgent,
    messages: Optional[List[Dict[str, Any]]] = None,
    sender: Optional[Agent] = None,
    config: Optional[Any] = None,
) -> Flow[Tuple[bool, Any]]:
    """Answer a legacy ``function_call`` in the last message."""
    message = _last_message(agent, messages, sender)
    call = message.get("function_call") if message else None
    if not call:
        return False, None
    _, result = yield Call(agent, "execute_function", call)
    return True, result


def _accepts_call_id(agent: ConversableAgent) -> bool:
    """Whether the agent's execute_function takes ``call_id`` (a classic subclass override may not)."""
    method = agent.execute_function
    if flow_of(method) is execute_function_flow:
        return True
    try:
        parameters = inspect.signature(method).parameters.values()
    except (TypeError, ValueError):
        return True
    return any(p.name == "call_id" or p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)


def _one_tool_call(agent: ConversableAgent, tool_call: Dict[str, Any]) -> Flow[Dict[str, Any]]:
    function = tool_call.get("function") or {}
    if _accepts_call_id(agent):
        _, result = yield Call(agent, "execute_function", function, call_id=tool_call.get("id"))
    else:
        _, result = yield Call(agent, "execute_function", function)
    response: Dict[str, Any] = {"role": "tool", "content": result.get("content") or ""}
    if tool_call.get("id") is not None:  # some APIs (e.g. Mistral) send calls without ids
        response = {"tool_call_id": tool_call["id"], **response}
    return response


def tool_calls_flow(
    agent: ConversableAgent,
    messages: Optional[List[Dict[str, Any]]] = None,
    sender: Optional[Agent] = None,
    config: Optional[Any] = None,
) -> Flow[Tuple[bool, Any]]:
    """Answer every ``tool_calls`` entry of the last message with one tool message."""
    message = _last_message(agent, messages, sender)
    calls = message.get("tool_calls") if message else None
    if not calls:
        return False, None
    responses = yield Gather(_one_tool_call(agent, call) for call in calls)
    return True, tool_response_message(responses)


def _log_use(agent: Any, func: Callable[..., Any], kwargs: Dict[str, Any], result: Any) -> None:
    """Log a tool call with the function's own return value (before it is made a string), as classic did."""
    if runtime_logging.is_logging:
        runtime_logging.log_function_use(agent, func, kwargs, result)


def wrap_function(agent: Any, func: Callable[..., Any]) -> Callable[..., Any]:
    """``func`` as a tool executor: pydantic/dataclass arguments are loaded from their JSON, the result
    is serialised to a string. Keeps sync/async nature; the original is ``wrapped._origin``."""
    from ..function_utils import load_basemodels_if_needed, serialize_to_str

    loaded = load_basemodels_if_needed(func)
    wrapped: Callable[..., Any]
    if inspect.iscoroutinefunction(func):

        @functools.wraps(func)
        async def _async_tool(*args: Any, **kwargs: Any) -> str:
            result = loaded(*args, **kwargs)
            if inspect.isawaitable(result):
                result = await result
            _log_use(agent, func, kwargs, result)
            return serialize_to_str(result)

        wrapped = _async_tool
    else:

        @functools.wraps(func)
        def _tool(*args: Any, **kwargs: Any) -> str:
            result = loaded(*args, **kwargs)
            _log_use(agent, func, kwargs, result)
            return serialize_to_str(result)

        wrapped = _tool
    wrapped._origin = func  # type: ignore[attr-defined,union-attr]
    return wrapped


def remove_or_add_schema(
    entries: Optional[List[Dict[str, Any]]],
    schema_or_name: Any,
    is_remove: bool,
    name_of: Callable[[Dict[str, Any]], Optional[str]],
    kind: str,
) -> List[Dict[str, Any]]:
    """A new list of tool/function schemas with ``schema_or_name`` added (replacing one of the same
    name, with a warning) or removed. Never mutates ``entries`` (configs may be shared between agents)."""
    import warnings

    current = list(entries or [])
    if is_remove and isinstance(schema_or_name, dict):  # {"name": ...} (AgentOptimizer's removals) or a full schema
        schema_or_name = name_of(schema_or_name) or schema_or_name.get("name")
    if is_remove:
        if not current:
            raise SchemaNotFoundError(
                f"The agent config doesn't have {kind} {schema_or_name}. Its llm_config has no {kind}s to remove."
            )
        kept = [e for e in current if name_of(e) != schema_or_name]
        if len(kept) == len(current):
            warnings.warn(
                f"No {kind} named {schema_or_name!r} to remove; the agent has: "
                f"{', '.join(str(name_of(e)) for e in current)}.",
                UserWarning,
                stacklevel=4,
            )
        return kept
    if not isinstance(schema_or_name, dict):
        raise ValueError(
            f"The {kind} signature must be of the type dict. Received {kind} signature type {type(schema_or_name)}"
        )
    new_name = name_of(schema_or_name)
    if any(name_of(e) == new_name for e in current):
        warnings.warn(f"Function '{new_name}' is being overridden.", UserWarning, stacklevel=4)
        current = [e for e in current if name_of(e) != new_name]
    return current + [schema_or_name]
