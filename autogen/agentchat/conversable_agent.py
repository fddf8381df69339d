"""ConversableAgent: an agent that keeps a conversation with each peer and replies through a registry.

The agent's state is plain data (names, configs, histories, counters); its behaviours are flows (see
``autogen._flow``): each is written once and the public sync/async method pairs
(``send``/``a_send``, ``generate_reply``/``a_generate_reply``, ``initiate_chat``/``a_initiate_chat``,
``generate_oai_reply``/``a_generate_oai_reply``, ...) are two-line edges over it. The built-in replies
live in ``autogen.agentchat.builtin_replies`` and ``reply_*``; pure message rules in ``messages``; printing in ``printing``.

Importing this module imports neither openai nor pydantic nor docker: the LLM client is created on
first use (``agent.client``) and the code executor on the first code block.
"""

from __future__ import annotations

import copy
import inspect
import logging
from collections import defaultdict
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Literal, Optional, Type, Union

from .. import runtime_logging
from .._flow import IS_ASYNC, Call, Flow, Invoke, Tail, flow_backed, flow_of, run_async, run_sync
from ..exception_utils import ConfigAssertionError, ConfigError
from .agent import Agent, LLMAgent
from .builtin_replies import BuiltinReplies, builtin_entries
from .chat import ChatResult, a_initiate_chats, initiate_chats
from .classic_helpers import ClassicHelpersMixin
from .code_execution import CodeExecutionMixin
from .errors import InvalidMessageError, LLMConfigRequiredError, MessagesOrSenderRequiredError, ReplyFunctionError
from .history import HOOKABLE_METHODS, HistoryMixin
from .messages import apply_carryover, default_is_termination_msg
from .nested import make_nested_reply
from .reply_code import validate_code_execution_config
from .reply_human import HUMAN_INPUT_MODES
from .reply_llm import client_reply_flow, reflection_flow
from .reply_registry import make_entry, match_trigger
from .summary import DEFAULT_SUMMARY_METHOD, DEFAULT_SUMMARY_PROMPT, summary_flow
from .tools import ToolsMixin, register_function
from .utils import consolidate_chat_info, gather_usage_summary, usage_of

if TYPE_CHECKING:
    from ..cache.abstract_cache_base import AbstractCache
    from ..coding.base import CodeExecutor
    from ..oai.client import OpenAIWrapper

__all__ = ["ConversableAgent", "register_function"]

Message = Union[Dict[str, Any], str]

logger = logging.getLogger(__name__)


def _validate_llm_config(llm_config: Any) -> Union[Dict[str, Any], Literal[False]]:
    if llm_config is None or llm_config is False:
        return False
    if not isinstance(llm_config, dict):
        raise ConfigAssertionError(
            "llm_config must be a dict or False or None. Pass a dict such as "
            f"{{'config_list': [{{'model': 'gpt-4', 'api_key': ...}}]}}, or False for no LLM; got {type(llm_config).__name__}."
        )
    if llm_config in ({}, {"config_list": []}, {"config_list": [{"model": ""}]}):
        raise ConfigError(
            "When using OpenAI or Azure OpenAI endpoints, specify a non-empty 'model' either in 'llm_config' "
            "or in each config of 'config_list'."
        )
    config_list = llm_config.get("config_list")
    if config_list is not None and (
        not isinstance(config_list, (list, tuple)) or not all(isinstance(c, dict) for c in config_list)
    ):
        raise ConfigError(
            "llm_config['config_list'] must be a list of dicts such as [{'model': 'gpt-4', 'api_key': ...}], "
            f"got {config_list!r:.200}."
        )
    # A shallow copy: the tool lists are replaced (never mutated) when tools are registered, so the
    # caller's dict, often shared by several agents, is left alone without deep-copying config lists.
    return dict(llm_config)


class ConversableAgent(HistoryMixin, BuiltinReplies, ToolsMixin, CodeExecutionMixin, ClassicHelpersMixin, LLMAgent):
    """An agent that converses with other agents, humans and LLMs.

    Args:
        name: the agent's name (unique among the agents it talks to).
        system_message: sent to the LLM before the conversation.
        is_termination_msg: ``message -> bool``; default (classic): the text is exactly "TERMINATE".
        max_consecutive_auto_reply: automatic replies in a row to one sender before the human is asked
            (TERMINATE mode) or the chat stops (NEVER mode); default 100.
        human_input_mode: "ALWAYS", "TERMINATE" or "NEVER" (see ``autogen.agentchat.reply_human``).
        function_map: functions the agent executes when asked by a function/tool call, by name.
        code_execution_config: False, or a dict: classic (``work_dir``, ``use_docker``, ``timeout``,
            ``last_n_messages``, ``max_output_chars``) or ``{"executor": ...}`` (see ``autogen.agentchat.reply_code``).
        llm_config: a dict for ``OpenAIWrapper`` (``config_list``, ``temperature``, ``cache_seed``, ...)
            or False for no LLM. The agent keeps its own (shallow) copy.
        default_auto_reply: the reply when no reply function gives a final one.
        description: what the agent does, for other agents; defaults to the system message.
        chat_messages: histories to start with, ``{agent: [message, ...]}``.
        silent: when set, overrides the ``silent`` of chats for messages this agent sends.

    Parts: identity, LLM client and the conversation flows (here); histories, counters and hooks
    (:class:`~autogen.agentchat.history.HistoryMixin`); the built-in replies
    (:class:`~autogen.agentchat.builtin_replies.BuiltinReplies`); tools (:class:`~autogen.agentchat.tools.ToolsMixin`);
    code execution (:class:`~autogen.agentchat.code_execution.CodeExecutionMixin`).
    """

    DEFAULT_CONFIG: Union[Dict[str, Any], Literal[False]] = False
    MAX_CONSECUTIVE_AUTO_REPLY = 100
    DEFAULT_SUMMARY_PROMPT = DEFAULT_SUMMARY_PROMPT
    DEFAULT_SUMMARY_METHOD = DEFAULT_SUMMARY_METHOD
    llm_config: Union[Dict[str, Any], Literal[False]]

    def __init__(
        self,
        name: str,
        system_message: Optional[Union[str, List[str]]] = "You are a helpful AI Assistant.",
        is_termination_msg: Optional[Callable[[Dict[str, Any]], bool]] = None,
        max_consecutive_auto_reply: Optional[int] = None,
        human_input_mode: Literal["ALWAYS", "NEVER", "TERMINATE"] = "TERMINATE",
        function_map: Optional[Dict[str, Callable[..., Any]]] = None,
        code_execution_config: Union[Dict[str, Any], Literal[False]] = False,
        llm_config: Optional[Union[Dict[str, Any], Literal[False]]] = None,
        default_auto_reply: Union[str, Dict[str, Any]] = "",
        description: Optional[str] = None,
        chat_messages: Optional[Dict[Agent, List[Dict[str, Any]]]] = None,
        silent: Optional[bool] = None,
    ):
        if human_input_mode not in HUMAN_INPUT_MODES:
            raise ConfigError(
                f"human_input_mode must be one of 'ALWAYS', 'TERMINATE' or 'NEVER', got {human_input_mode!r}."
            )
        if not isinstance(name, str) or not name:
            raise ConfigError(f"An agent needs a non-empty string name, got {name!r}.")
        self._name = name
        self._oai_system_message = [{"content": system_message, "role": "system"}]
        self._description = description if description is not None else system_message
        self._is_termination_msg = is_termination_msg if is_termination_msg is not None else default_is_termination_msg
        self.silent = silent
        self._silent = silent  # classic private name; group chats and subclasses read it
        self.human_input_mode = human_input_mode
        self._oai_messages: Dict[Any, List[Dict[str, Any]]] = defaultdict(list)
        if chat_messages is not None:
            self._oai_messages.update(chat_messages)
        self.llm_config = _validate_llm_config(self.DEFAULT_CONFIG if llm_config is None else llm_config)
        self._client: Optional[OpenAIWrapper] = None
        self._client_pending = self.llm_config is not False  # built from llm_config on first use
        self.client_cache: Optional[AbstractCache] = None
        self.previous_cache: Optional[AbstractCache] = None
        self._max_consecutive_auto_reply = (
            self.MAX_CONSECUTIVE_AUTO_REPLY if max_consecutive_auto_reply is None else max_consecutive_auto_reply
        )
        self._consecutive_auto_reply_counter: Dict[Any, int] = defaultdict(int)
        self._max_consecutive_auto_reply_dict: Dict[Any, int] = defaultdict(self.max_consecutive_auto_reply)
        self._function_map: Dict[str, Callable[..., Any]] = {}
        if function_map:
            self.register_function(function_map)
        self._default_auto_reply = default_auto_reply
        self._human_input: List[str] = []
        self.reply_at_receive: Dict[Any, bool] = defaultdict(bool)
        self._code_execution_config = validate_code_execution_config(code_execution_config)
        self._code_executor: Optional[CodeExecutor] = None
        self._setup_code_execution()
        self._reply_func_list: List[Dict[str, Any]] = builtin_entries()
        if self._code_execution_config is False:  # classic: no code-execution entry when it is off
            self._reply_func_list = [
                e for e in self._reply_func_list if e["reply_func"] is not BuiltinReplies.generate_code_execution_reply
            ]
        self.hook_lists: Dict[str, List[Callable[..., Any]]] = {name: [] for name in HOOKABLE_METHODS}
        self._finished_chats: List[ChatResult] = []
        self._log_init(locals())

    def _log_init(self, arguments: Dict[str, Any]) -> None:
        """Log this agent to the runtime log with a constructor's arguments (its ``locals()``). Each class of the
        chain logs on its way out of ``__init__``, the most derived last, and its arguments are the ones kept."""
        if runtime_logging.is_logging:
            runtime_logging.log_new_agent(self, {k: v for k, v in arguments.items() if k not in ("self", "__class__")})

    # ------------------------------------------------------------------------------------ identity --
    @property
    def name(self) -> str:
        return self._name

    @property
    def description(self) -> str:
        return self._description  # type: ignore[return-value]

    @description.setter
    def description(self, description: str) -> None:
        self._description = description

    @property
    def system_message(self) -> str:
        return self._oai_system_message[0]["content"]  # type: ignore[return-value]

    def update_system_message(self, system_message: str) -> None:
        self._oai_system_message[0]["content"] = system_message

    def __repr__(self) -> str:
        # the classic default repr (module-qualified class and address: logs and tests look for the class path),
        # with the agent's name added
        cls = type(self)
        return f"<{cls.__module__}.{cls.__qualname__} object {self._name!r} at {id(self):#x}>"

    # -------------------------------------------------------------------------------------- client --
    @property
    def client(self) -> Optional[OpenAIWrapper]:
        """The LLM client (an OpenAIWrapper built from ``llm_config`` on first use), or None."""
        if self._client is None and self._client_pending:
            from ..oai.client import OpenAIWrapper

            config = {k: v for k, v in self.llm_config.items() if k not in ("tools", "functions")}  # type: ignore[union-attr]
            self._client = OpenAIWrapper(**config)
            self._client_pending = False
        return self._client

    @client.setter
    def client(self, client: Optional[OpenAIWrapper]) -> None:
        self._client = client
        self._client_pending = False

    def register_model_client(self, model_client_cls: Type[Any], **kwargs: Any) -> None:
        """Register a custom ModelClient class for the configs that name it in ``model_client_cls``."""
        if self.client is None:
            raise LLMConfigRequiredError(
                f"Agent {self.name!r} has no llm_config, so it has no model client to register."
            )
        self.client.register_model_client(model_client_cls, **kwargs)

    def get_total_usage(self) -> Optional[Dict[str, Any]]:
        """LLM usage including answers served from the cache (None without an LLM)."""
        return usage_of(self, "total")

    def get_actual_usage(self) -> Optional[Dict[str, Any]]:
        """LLM usage of the calls actually made (None without an LLM)."""
        return usage_of(self, "actual")

    def print_usage_summary(self, mode: Union[str, List[str]] = ["actual", "total"]) -> None:  # noqa: B006
        stream = self._iostream()
        if self._client is None:  # classic: this line alone, without the "Agent '...':" head
            stream.print(f"No cost incurred from agent '{self.name}'.", flush=True)
        else:
            stream.print(f"Agent '{self.name}':", flush=True)
            self._client.print_usage_summary(mode)

    # ------------------------------------------------------------------------------ reply registry --
    def register_reply(
        self,
        trigger: Any,
        reply_func: Callable[..., Any],
        position: int = 0,
        config: Optional[Any] = None,
        reset_config: Optional[Callable[..., Any]] = None,
        *,
        ignore_async_in_sync_chat: bool = False,
        remove_other_reply_funcs: bool = False,
    ) -> None:
        """Register ``reply_func(recipient, messages, sender, config) -> (final, reply)`` at ``position``
        (0 = tried first), for senders matching ``trigger`` (a class, an agent, a name, a callable
        ``sender -> bool``, None, or a list of these). An async ``reply_func`` is awaited in async chats
        and run to completion in sync chats, unless ``ignore_async_in_sync_chat`` (then it is skipped there)."""
        entry = make_entry(trigger, reply_func, config, reset_config, ignore_async_in_sync_chat)
        if remove_other_reply_funcs:
            self._reply_func_list.clear()
        self._reply_func_list.insert(position, entry)

    def reset(self) -> None:
        """Forget conversations, counters and usage; give reply-function configs back their initial values."""
        self.clear_history()
        self.reset_consecutive_auto_reply_counter()
        self.stop_reply_at_receive()
        if self._client is not None:
            self._client.clear_usage_summary()
        for entry in self._reply_func_list:
            if entry["reset_config"] is not None:
                entry["reset_config"](entry["config"])
            else:
                entry["config"] = copy.copy(entry["init_config"])

    def replace_reply_func(self, old_reply_func: Callable[..., Any], new_reply_func: Callable[..., Any]) -> None:
        for entry in self._reply_func_list:
            if entry["reply_func"] == old_reply_func:
                entry["reply_func"] = new_reply_func

    def _match_trigger(self, trigger: Any, sender: Optional[Agent]) -> bool:
        return match_trigger(trigger, sender)

    def _raise_exception_on_async_reply_functions(self) -> None:
        """A no-op kept for classic subclasses that call it: async reply functions run in sync chats too."""

    def register_nested_chats(
        self,
        chat_queue: List[Dict[str, Any]],
        trigger: Any,
        reply_func_from_nested_chats: Union[str, Callable[..., Any]] = "summary_from_nested_chats",
        position: int = 2,
        use_async: Optional[bool] = None,
        **kwargs: Any,
    ) -> None:
        """Reply to messages matching ``trigger`` by running the chats of ``chat_queue`` (see ``nested``)."""
        reply = make_nested_reply(chat_queue, reply_func_from_nested_chats, use_async)
        self.register_reply(trigger, reply, position, kwargs.get("config"), kwargs.get("reset_config"))

    # ------------------------------------------------------------------------ conversation flows --
    def _send_flow(
        self, message: Message, recipient: Agent, request_reply: Optional[bool] = None, silent: Optional[bool] = False
    ) -> Flow[None]:
        message = self._process_message_before_send(message, recipient, self._is_silent(self, silent))
        if not self._append_oai_message(message, "assistant", recipient, is_sending=True):
            raise InvalidMessageError(message)
        return Tail(Call(recipient, "receive", message, self, request_reply, silent))  # type: ignore[return-value]
        yield  # noqa: B901 - unreachable; makes this function a flow

    def _receive_flow(
        self, message: Message, sender: Agent, request_reply: Optional[bool] = None, silent: Optional[bool] = False
    ) -> Flow[None]:
        self._process_received_message(message, sender, silent)
        if request_reply is False or (request_reply is None and self.reply_at_receive[sender] is False):
            return None
        reply = yield Call(self, "generate_reply", messages=self._oai_messages[sender], sender=sender)
        if reply is None:
            return None
        return Tail(Call(self, "send", reply, sender, silent=silent))  # type: ignore[return-value]

    def _generate_reply_flow(
        self,
        messages: Optional[List[Dict[str, Any]]] = None,
        sender: Optional[Agent] = None,
        exclude: Any = (),
        **kwargs: Any,
    ) -> Flow[Union[str, Dict[str, Any], None]]:
        if kwargs:
            raise TypeError(f"generate_reply() got unexpected keyword arguments: {', '.join(kwargs)}.")
        if messages is None and sender is None:
            raise MessagesOrSenderRequiredError(
                "Either messages=None or sender=None must be provided: generate_reply needs the messages to reply "
                "to, or the sender whose conversation holds them."
            )
        if messages is None:
            messages = self._oai_messages[sender]
        for hook in self.hook_lists["update_agent_state"]:
            hook(self, messages)
        messages = self.process_last_received_message(messages)
        messages = self.process_all_messages_before_reply(messages)  # type: ignore[arg-type]
        is_async = yield IS_ASYNC
        ran_flows: set[Any] = {flow_of(f) for f in exclude} if exclude else set()
        for entry in list(self._reply_func_list):
            func = entry["reply_func"]
            if exclude and func in exclude:
                continue
            if not self._match_trigger(entry["trigger"], sender):
                continue
            call_args = {"messages": messages, "sender": sender, "config": entry["config"]}
            flow_fn = flow_of(func)
            if flow_fn is not None:  # a built-in pair (sync/async twins share one flow): run it once
                if flow_fn in ran_flows:
                    continue
                ran_flows.add(flow_fn)
                outcome = yield from flow_fn(self, **call_args)
            elif inspect.iscoroutinefunction(func):
                if not is_async and entry["ignore_async_in_sync_chat"]:
                    continue
                outcome = yield Invoke(func, args=(self,), kwargs=call_args)
            else:
                outcome = func(self, **call_args)
            if not isinstance(outcome, tuple) or len(outcome) != 2:
                raise ReplyFunctionError(
                    f"Reply function {getattr(func, '__name__', func)!r} must return a tuple (final: bool, reply), "
                    f"got {outcome!r}."
                )
            final, reply = outcome
            if runtime_logging.is_logging:
                runtime_logging.log_event(
                    self,
                    "reply_func_executed",
                    reply_func_module=getattr(func, "__module__", None),
                    reply_func_name=getattr(func, "__name__", repr(func)),
                    final=final,
                    reply=reply,
                )
            if final:
                return reply
        return self._default_auto_reply

    def _init_message_flow(self, message: Any = None, **kwargs: Any) -> Flow[Any]:
        if message is None:
            message = yield Call(self, "get_human_input", ">")
        return apply_carryover(message, kwargs.get("carryover"))

    def _initiate_chat_flow(
        self,
        recipient: ConversableAgent,
        clear_history: bool = True,
        silent: Optional[bool] = False,
        cache: Optional[AbstractCache] = None,
        max_turns: Optional[int] = None,
        summary_method: Optional[Union[str, Callable[..., Any]]] = DEFAULT_SUMMARY_METHOD,
        summary_args: Optional[Dict[str, Any]] = None,
        message: Optional[Union[Dict[str, Any], str, Callable[..., Any]]] = None,
        **kwargs: Any,
    ) -> Flow[ChatResult]:
        consolidate_chat_info({"recipient": recipient, "summary_method": summary_method}, uniform_sender=self)
        if max_turns is not None and (isinstance(max_turns, bool) or not isinstance(max_turns, int) or max_turns < 0):
            raise ValueError(f"max_turns must be None or a non-negative int, got {max_turns!r}.")
        self._prepare_chat(recipient, clear_history, reply_at_receive=max_turns is None)
        return (
            yield from self._chat_flow(
                recipient,
                self._opening_flow(recipient, message, max_turns, silent, kwargs),
                cache,
                summary_method,
                summary_args,
                kwargs.get("chat_id"),
            )
        )

    def _opening_flow(
        self, recipient: ConversableAgent, message: Any, max_turns: Optional[int], silent: Optional[bool], kwargs: Any
    ) -> Flow[None]:
        if callable(message):
            first = yield Invoke(message, args=(self, recipient, kwargs))
        else:
            first = yield Call(self, "generate_init_message", message, **kwargs)
        if max_turns is None:
            yield Call(self, "send", first, recipient, silent=silent)
        else:
            yield from self._turns_flow(recipient, first, max_turns, silent)

    def _turns_flow(
        self, recipient: Agent, reply: Any, max_turns: int, silent: Optional[bool], turns_done: int = 0
    ) -> Flow[None]:
        """A chat bounded by ``max_turns`` from this (the initiating) agent's side, ``turns_done`` turns in: send
        ``reply``, let the recipient answer, reply to it, until the turns are used up or nobody answers."""
        history = self._oai_messages[recipient]
        for turn in range(turns_done, max_turns):
            if reply is None:
                break
            before = len(history)
            yield Call(self, "send", reply, recipient, request_reply=True, silent=silent)
            # last turn, or no answer came (only the message sent was added; a history that shrank was rewritten
            # by the recipient, e.g. a CompressibleAgent compressing it, and the chat goes on)
            if turn == max_turns - 1 or len(history) == before + 1:
                break
            reply = yield Call(self, "generate_reply", messages=history, sender=recipient)

    def _chat_flow(
        self,
        recipient: ConversableAgent,
        body: Flow[Any],
        cache: Optional[AbstractCache],
        summary_method: Any,
        summary_args: Optional[Dict[str, Any]],
        chat_id: Any,
    ) -> Flow[ChatResult]:
        """Run ``body`` (the exchanges of a chat started or continued) with ``cache`` serving both agents, then sum
        the chat up: what starting a chat and resuming one share."""
        agents = (self, recipient)
        for agent in agents:
            agent.previous_cache, agent.client_cache = agent.client_cache, cache
        try:
            yield from body
            summary = yield from summary_flow(self, recipient, summary_method, summary_args, cache)
        finally:
            for agent in agents:
                agent.client_cache, agent.previous_cache = agent.previous_cache, None
        return ChatResult(
            chat_id=chat_id,
            chat_history=list(self._oai_messages[recipient]),
            summary=summary,
            cost=gather_usage_summary(agents),
            human_input=list(self._human_input),
        )

    def _prepare_chat(
        self,
        recipient: Agent,
        clear_history: bool,
        prepare_recipient: bool = True,
        reply_at_receive: bool = True,
    ) -> None:
        self.reset_consecutive_auto_reply_counter(recipient)
        self.reply_at_receive[recipient] = reply_at_receive
        if clear_history:
            self.clear_history(recipient)
            self._human_input = []
        if prepare_recipient and hasattr(recipient, "_prepare_chat"):
            recipient._prepare_chat(self, clear_history, False, reply_at_receive)

    # ------------------------------------------------------------- public conversation methods --
    @flow_backed(_send_flow)
    def send(
        self, message: Message, recipient: Agent, request_reply: Optional[bool] = None, silent: Optional[bool] = False
    ) -> None:
        """Send ``message`` (a str or a message dict) to ``recipient``; it replies if ``request_reply``
        (None: as the recipient's ``reply_at_receive`` says). Raises ``InvalidMessageError`` for a message
        with no content and no function/tool call."""
        run_sync(self._send_flow(message, recipient, request_reply, silent))

    @flow_backed(_send_flow)
    async def a_send(
        self, message: Message, recipient: Agent, request_reply: Optional[bool] = None, silent: Optional[bool] = False
    ) -> None:
        await run_async(self._send_flow(message, recipient, request_reply, silent))

    @flow_backed(_receive_flow)
    def receive(
        self, message: Message, sender: Agent, request_reply: Optional[bool] = None, silent: Optional[bool] = False
    ) -> None:
        """Store and print ``message`` from ``sender``; then reply to it unless told not to."""
        run_sync(self._receive_flow(message, sender, request_reply, silent))

    @flow_backed(_receive_flow)
    async def a_receive(
        self, message: Message, sender: Agent, request_reply: Optional[bool] = None, silent: Optional[bool] = False
    ) -> None:
        await run_async(self._receive_flow(message, sender, request_reply, silent))

    @flow_backed(_generate_reply_flow)
    def generate_reply(
        self,
        messages: Optional[List[Dict[str, Any]]] = None,
        sender: Optional[Agent] = None,
        exclude: Any = (),
        **kwargs: Any,
    ) -> Union[str, Dict[str, Any], None]:
        """The reply to ``messages`` (default: the conversation with ``sender``): the first final reply of
        the registered reply functions (skipping those in ``exclude``), else ``default_auto_reply``.
        None means "no reply" (e.g. the conversation ends)."""
        return run_sync(self._generate_reply_flow(messages, sender, exclude, **kwargs))

    @flow_backed(_generate_reply_flow)
    async def a_generate_reply(
        self,
        messages: Optional[List[Dict[str, Any]]] = None,
        sender: Optional[Agent] = None,
        exclude: Any = (),
        **kwargs: Any,
    ) -> Union[str, Dict[str, Any], None]:
        return await run_async(self._generate_reply_flow(messages, sender, exclude, **kwargs))

    @flow_backed(_init_message_flow)
    def generate_init_message(self, message: Any = None, **kwargs: Any) -> Union[str, Dict[str, Any]]:
        """The first message of a chat: ``message`` (asked from the human when None) plus the carryover."""
        return run_sync(self._init_message_flow(message, **kwargs))  # type: ignore[no-any-return]

    @flow_backed(_init_message_flow)
    async def a_generate_init_message(self, message: Any = None, **kwargs: Any) -> Union[str, Dict[str, Any]]:
        return await run_async(self._init_message_flow(message, **kwargs))  # type: ignore[no-any-return]

    @flow_backed(_initiate_chat_flow)
    def initiate_chat(
        self,
        recipient: ConversableAgent,
        clear_history: bool = True,
        silent: Optional[bool] = False,
        cache: Optional[AbstractCache] = None,
        max_turns: Optional[int] = None,
        summary_method: Optional[Union[str, Callable[..., Any]]] = DEFAULT_SUMMARY_METHOD,
        summary_args: Optional[Dict[str, Any]] = {},  # noqa: B006 - classic signature; never mutated
        message: Optional[Union[Dict[str, Any], str, Callable[..., Any]]] = None,
        **kwargs: Any,
    ) -> ChatResult:
        """Start a chat with ``recipient`` and run it to its end.

        ``message``: a str, a dict, or a callable ``(sender, recipient, context) -> str | dict``
        (``context`` holds the extra keyword arguments, e.g. ``carryover``); None asks the human.
        ``max_turns`` bounds the number of exchanges; otherwise the chat runs until a reply is None
        (termination message, ``max_consecutive_auto_reply``, "exit"). ``summary_method``: "last_msg",
        "reflection_with_llm" (``summary_args``: ``summary_prompt``, ``summary_role``) or a callable.
        ``cache`` is used by both agents' LLM calls during the chat. ``carryover`` (str or list) is
        appended to the first message as context.
        """
        return run_sync(
            self._initiate_chat_flow(
                recipient, clear_history, silent, cache, max_turns, summary_method, summary_args, message, **kwargs
            )
        )

    @flow_backed(_initiate_chat_flow)
    async def a_initiate_chat(
        self,
        recipient: ConversableAgent,
        clear_history: bool = True,
        silent: Optional[bool] = False,
        cache: Optional[AbstractCache] = None,
        max_turns: Optional[int] = None,
        summary_method: Optional[Union[str, Callable[..., Any]]] = DEFAULT_SUMMARY_METHOD,
        summary_args: Optional[Dict[str, Any]] = {},  # noqa: B006
        message: Optional[Union[Dict[str, Any], str, Callable[..., Any]]] = None,
        **kwargs: Any,
    ) -> ChatResult:
        return await run_async(
            self._initiate_chat_flow(
                recipient, clear_history, silent, cache, max_turns, summary_method, summary_args, message, **kwargs
            )
        )

    def _chat_queue_with_sender(self, chat_queue: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        return [chat if chat.get("sender") is not None else {**chat, "sender": self} for chat in chat_queue]

    def initiate_chats(self, chat_queue: List[Dict[str, Any]]) -> List[ChatResult]:
        """``autogen.initiate_chats`` with this agent as the sender of chats that name none."""
        self._finished_chats = initiate_chats(self._chat_queue_with_sender(chat_queue))
        return self._finished_chats

    async def a_initiate_chats(self, chat_queue: List[Dict[str, Any]]) -> Dict[Any, ChatResult]:
        finished = await a_initiate_chats(self._chat_queue_with_sender(chat_queue))
        self._finished_chats = list(finished.values())
        return finished

    def get_chat_results(self, chat_index: Optional[int] = None) -> Union[List[ChatResult], ChatResult]:
        return self._finished_chats if chat_index is None else self._finished_chats[chat_index]

    # ------------------------------------------------------------------------------------ state --
    def save_state(self) -> Dict[str, Any]:
        """This agent's conversations as JSON-able data (format in ``autogen.formats.agent``)."""
        from ..formats.agent import save_agent

        return save_agent(self)

    def load_state(self, state: Dict[str, Any], peers: Any = None) -> None:
        """Replace this agent's conversations with ``state``; peer names resolve against ``peers`` (agents)."""
        from ..formats.agent import load_agent

        load_agent(self, state, peers)

    # ------------------------------------------------------------------------------ human input --
    def get_human_input(self, prompt: str) -> str:
        """Ask the human through the IOStream in force; the answer is recorded for ChatResult.human_input."""
        reply = self._iostream().input(prompt)
        self._human_input.append(reply)
        return reply

    async def a_get_human_input(self, prompt: str) -> str:
        """``get_human_input`` in a worker thread, so waiting for the human never blocks the event loop."""
        import asyncio

        return await asyncio.to_thread(self.get_human_input, prompt)

    # ------------------------------------------------------------------------ LLM helpers (classic) --
    def _generate_oai_reply_from_client(self, llm_client: Any, messages: List[Dict[str, Any]], cache: Any) -> Any:
        return run_sync(client_reply_flow(self, llm_client, messages, cache))

    def _reflection_with_llm(
        self,
        prompt: str,
        messages: List[Dict[str, Any]],
        llm_agent: Optional[Agent] = None,
        cache: Any = None,
        role: Optional[str] = None,
    ) -> Any:
        return run_sync(reflection_flow(self, prompt, messages, llm_agent, cache, role))

    def _summarize_chat(
        self, summary_method: Any, summary_args: Dict[str, Any], recipient: Optional[Agent] = None, cache: Any = None
    ) -> str:
        return run_sync(summary_flow(self, recipient, summary_method, summary_args, cache))
