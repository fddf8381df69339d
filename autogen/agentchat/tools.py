"""Tools on agents: the caller's side (schemas in ``llm_config``) and the executor's side (``function_map``).

::

    @assistant.register_for_llm(description="Add two numbers.")   # the assistant's LLM may call it
    @user_proxy.register_for_execution()                            # the user proxy runs it
    def add(a: int, b: int) -> int: ...

or ``register_function(add, caller=assistant, executor=user_proxy, description="Add two numbers.")``.
Schemas come from :func:`autogen.function_utils.get_function_schema`; executed functions get their
pydantic/dataclass arguments loaded and their results serialised to text. Running the calls is the
job of the tool-call replies (``autogen.agentchat.reply_tools``).
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Literal, Mapping, Optional, Tuple, Union

from .._flow import flow_backed, run_async, run_sync
from .errors import LLMConfigRequiredError
from .messages import assert_valid_name
from .reply_tools import execute_function_flow, remove_or_add_schema, wrap_function

if TYPE_CHECKING:
    from .conversable_agent import ConversableAgent

__all__ = ["ToolsMixin", "register_function"]

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def _tool_name(func: Callable[..., Any], name: Optional[str]) -> str:
    """The tool's name: ``name``, else one given by an earlier decorator, else the function's name."""
    return assert_valid_name(name or getattr(func, "_name", None) or func.__name__)


def _set_or_drop(config: Dict[str, Any], key: str, entries: List[Dict[str, Any]]) -> None:
    if entries:
        config[key] = entries
    else:
        config.pop(key, None)


class ToolsMixin:
    """Function/tool registration and execution for a ConversableAgent."""

    if TYPE_CHECKING:
        _function_map: Dict[str, Callable[..., Any]]
        llm_config: Union[Dict[str, Any], Literal[False]]

        @property
        def name(self) -> str: ...

    @property
    def function_map(self) -> Dict[str, Callable[..., Any]]:
        """The functions this agent executes, by name."""
        return self._function_map

    def can_execute_function(self, name: Union[List[str], str]) -> bool:
        names = name if isinstance(name, list) else [name]
        return all(n in self._function_map for n in names)

    def register_function(self, function_map: Mapping[str, Optional[Callable[..., Any]]]) -> None:
        """Add functions this agent executes (a None value removes that name)."""
        import warnings

        for name, func in function_map.items():
            assert_valid_name(name)
            if func is not None and name in self._function_map:
                warnings.warn(f"Function '{name}' is being overridden.", UserWarning, stacklevel=2)
        merged = {**self._function_map, **function_map}
        self._function_map = {k: v for k, v in merged.items() if v is not None}

    @flow_backed(execute_function_flow)
    def execute_function(
        self, func_call: Dict[str, Any], verbose: bool = False, *, call_id: Optional[str] = None
    ) -> Tuple[bool, Dict[str, Any]]:
        """Run ``func_call`` (``{"name", "arguments"}``): ``(succeeded, {"name", "role": "function", "content"})``.
        Bad arguments, an unknown name or an exception give an ``"Error: ..."`` content, never a raise."""
        return run_sync(execute_function_flow(self, func_call, verbose, call_id=call_id))  # type: ignore[arg-type]

    @flow_backed(execute_function_flow)
    async def a_execute_function(
        self, func_call: Dict[str, Any], verbose: bool = False, *, call_id: Optional[str] = None
    ) -> Tuple[bool, Dict[str, Any]]:
        return await run_async(execute_function_flow(self, func_call, verbose, call_id=call_id))  # type: ignore[arg-type]

    @staticmethod
    def _format_json_str(jstr: str) -> str:
        """Classic helper: drop newlines outside JSON strings and escape newlines and tabs inside them, so that
        arguments a model wrote with literal line breaks parse with ``json.loads``."""
        out: List[str] = []
        inside = False
        previous = " "
        for char in jstr:
            if char == '"' and previous != "\\":
                inside = not inside
            previous = char
            if char == "\n":
                if inside:
                    out.append("\\n")
                continue
            out.append("\\t" if inside and char == "\t" else char)
        return "".join(out)

    def _wrap_function(self, func: Callable[..., Any]) -> Callable[..., Any]:
        return wrap_function(self, func)

    def _llm_config_or_raise(self, what: str) -> Dict[str, Any]:
        if not isinstance(self.llm_config, dict):
            raise LLMConfigRequiredError(
                f"To {what}, agent must have an llm_config (agent {self.name!r} has llm_config={self.llm_config!r}). "
                "Register functions for the LLM on the agent that calls the model."
            )
        return self.llm_config

    def update_tool_signature(self, tool_sig: Union[str, Dict[str, Any]], is_remove: bool) -> None:
        """Add a tool schema ``{"type": "function", "function": {...}}`` to ``llm_config["tools"]``, or
        remove the tool named ``tool_sig`` (``is_remove=True``). The list is replaced, never mutated."""
        config = self._llm_config_or_raise("update a tool signature")
        if not is_remove and isinstance(tool_sig, dict):
            assert_valid_name((tool_sig.get("function") or {}).get("name", ""))
        tools = remove_or_add_schema(
            config.get("tools"), tool_sig, is_remove, lambda t: (t.get("function") or {}).get("name"), "tool"
        )
        _set_or_drop(config, "tools", tools)

    def update_function_signature(self, func_sig: Union[str, Dict[str, Any]], is_remove: bool) -> None:
        """Add a legacy function schema to ``llm_config["functions"]``, or remove the one named ``func_sig``."""
        config = self._llm_config_or_raise("update a function signature")
        if not is_remove and isinstance(func_sig, dict):
            assert_valid_name(func_sig.get("name", ""))
        functions = remove_or_add_schema(
            config.get("functions"), func_sig, is_remove, lambda f: f.get("name"), "function"
        )
        _set_or_drop(config, "functions", functions)

    def register_for_llm(
        self,
        *,
        name: Optional[str] = None,
        description: Optional[str] = None,
        api_style: Literal["function", "tool"] = "tool",
    ) -> Decorator:
        """Decorator: tell this agent's LLM about the function (its JSON schema goes into ``llm_config``).

        ``description`` defaults to one given by an earlier decorator, then to the docstring. Raises
        :class:`LLMConfigRequiredError` when the agent has no llm_config.
        """
        if api_style not in ("tool", "function"):
            raise ValueError(f"Unsupported API style: {api_style}. Use 'tool' or 'function'.")

        def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
            from ..function_utils import get_function_schema

            if self.llm_config is None:
                raise LLMConfigRequiredError(
                    "LLM config must be setup before registering a function for LLM. "
                    f"Agent {self.name!r} has llm_config=None; give it an llm_config."
                )
            self._llm_config_or_raise(
                "update a tool signature" if api_style == "tool" else "update a function signature"
            )
            func_name = _tool_name(func, name)  # after the llm_config checks, which classic made first
            text = description or getattr(func, "_description", None) or inspect.getdoc(func)
            if not text:
                raise ValueError(
                    f"Function description is required, none found. Pass description=... for {func_name!r} "
                    "or give it a docstring."
                )
            schema = get_function_schema(func, name=func_name, description=text)
            if api_style == "tool":
                self.update_tool_signature(schema, is_remove=False)
            else:
                self.update_function_signature(schema["function"], is_remove=False)
            func._name, func._description = func_name, text  # type: ignore[attr-defined]  # for the next decorator
            return func

        return decorator

    def register_for_execution(self, name: Optional[str] = None) -> Decorator:
        """Decorator: this agent runs the function when an LLM calls it."""

        def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
            func_name = _tool_name(func, name)
            self.register_function({func_name: wrap_function(self, func)})
            func._name = func_name  # type: ignore[attr-defined]
            return func

        return decorator


def register_function(
    f: Callable[..., Any],
    *,
    caller: ConversableAgent,
    executor: ConversableAgent,
    name: Optional[str] = None,
    description: str,
) -> None:
    """Let ``caller``'s LLM call ``f`` and ``executor`` run it (``register_for_llm`` + ``register_for_execution``)."""
    f = caller.register_for_llm(name=name, description=description)(f)
    executor.register_for_execution(name=name)(f)
