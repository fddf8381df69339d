"""CompressibleAgent: an assistant that compresses its conversation when it nears the model's token limit.

Before each LLM reply it counts the tokens of its system message, tool descriptions and history. With
``compress_config`` (a dict; ``True`` for the defaults):

* ``mode`` "TERMINATE" (default): end the conversation (reply None) once no tokens are left for a reply;
* ``mode`` "COMPRESS": past ``trigger_count`` tokens, ask an LLM to summarize the history between the first
  message and the last ``leave_last_n`` ones, and go on from ``[first message, summary, last n messages]``;
* ``mode`` "CUSTOMIZED": past ``trigger_count``, call ``compress_function(messages) -> (success, messages)``.

``trigger_count``: tokens (an int), or a share of the model's context window (a float in (0, 1]; default
0.7). ``broadcast`` (default True): the sender's copy of the conversation is replaced by the compressed one
too. ``verbose``: print the text before and after compression. ``max_tokens``: the context window, for a
model whose window AutoGen does not know. The history is compressed in place (the stored conversation
changes). :class:`~autogen.agentchat.contrib.capabilities.transform_messages.TransformMessages` is the
alternative that leaves the history as it is.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Dict, List, Literal, Optional, Tuple, Union

from ..._flow import Call, Flow, Invoke, flow_backed, run_async, run_sync
from ...code_utils import DEFAULT_MODEL, content_str
from ...token_count_utils import count_token, get_max_token_limit, num_tokens_from_functions
from ..agent import Agent
from ..conversable_agent import ConversableAgent
from ..printing import colored
from .capabilities.transforms_util import calls_tools, is_tool_response, text_tokens

__all__ = ["CompressibleAgent"]

logger = logging.getLogger(__name__)

COMPRESSED_PREFIX = "Below is the compressed content of the earlier conversation; review it and continue if needed:\n"
COMPRESS_SYSTEM_MESSAGE = """You compress conversation histories so that a conversation can go on within a limited context.
You get a transcript in which each message starts with a marker: ##NAME(ROLE)## for a speaker, ##FUNCTION_CALL## for a function call, ##FUNCTION_RETURN## for its result.
Rewrite it as a much shorter transcript that keeps, in order, every fact, number, decision, code result and open question needed to continue, under the same markers.
Keep code only when it is still needed; drop greetings, repetitions and failed attempts that taught nothing."""
DEFAULT_COMPRESS_CONFIG: Dict[str, Any] = {
    "mode": "TERMINATE",
    "compress_function": None,
    "trigger_count": 0.7,
    "async": False,
    "broadcast": True,
    "verbose": False,
    "leave_last_n": 2,
}
MODES = ("COMPRESS", "TERMINATE", "CUSTOMIZED")


def _transcript_line(message: Dict[str, Any]) -> str:
    content = message.get("content")
    text = content_str(content) if isinstance(content, (str, list)) else ""
    lines = []
    if message.get("role") in ("function", "tool"):
        lines.append(
            f"##FUNCTION_RETURN## (from {message.get('name') or message.get('tool_call_id') or 'a tool'}):\n{text}"
        )
    elif text:
        if text.startswith(COMPRESSED_PREFIX):
            lines.append(text[len(COMPRESSED_PREFIX) :])
        elif message.get("name"):
            lines.append(f"##{message['name']}({str(message.get('role', '')).upper()})## {text}")
        else:
            lines.append(f"##{str(message.get('role', '')).upper()}## {text}")
    calls = [message["function_call"]] if message.get("function_call") else []
    calls += [c.get("function", {}) for c in message.get("tool_calls") or []]
    for call in calls:
        lines.append(f"##FUNCTION_CALL##\nName: {call.get('name', '')}\nArgs: {call.get('arguments', '')}")
    return "\n".join(lines)


def _swap_role(message: Dict[str, Any]) -> Dict[str, Any]:
    role = message.get("role")
    if calls_tools(message) or role not in ("user", "assistant"):
        return dict(message)
    return {**message, "role": "assistant" if role == "user" else "user"}


def token_limit_flow(
    agent: CompressibleAgent,
    messages: Optional[List[Dict[str, Any]]] = None,
    sender: Optional[Agent] = None,
    config: Optional[Any] = None,
) -> Flow[Tuple[bool, Any]]:
    """Check the token count before the LLM reply; terminate or compress as ``compress_config`` says."""
    if agent.compress_config is False:
        return False, None
    if messages is None:
        messages = agent.chat_messages[sender]
    init_tokens = agent._compute_init_token_count()
    used = init_tokens + agent._history_tokens(messages)
    final, compressed = yield from agent._manage_history_flow(messages, used, agent._max_token_allowed)
    if compressed is not None:
        agent._print_compress_info(init_tokens, used, init_tokens + agent._history_tokens(compressed))
        history = agent.chat_messages[sender] if sender is not None else None
        messages[:] = compressed  # the replies after this one see the compressed history
        if history is not None and history is not messages:
            history[:] = compressed
        peer_histories = getattr(sender, "chat_messages", None) if sender is not None else None
        if peer_histories is not None and agent.compress_config["broadcast"]:
            swapped = [_swap_role(m) for m in compressed]
            if isinstance(peer_histories.get(agent), list):
                peer_histories[agent][:] = swapped  # in place: a running initiate_chat holds this list
            else:
                peer_histories[agent] = swapped
    return (True, None) if final else (False, None)


def compress_flow(
    agent: CompressibleAgent, messages: List[Dict[str, Any]], client: Any
) -> Flow[Tuple[bool, Optional[List[Dict[str, Any]]]]]:
    """Summarize all messages but the first and the last ``leave_last_n`` (kept with their tool calls)."""
    leave = int(agent.compress_config.get("leave_last_n", 0)) if agent.compress_config else 0
    keep_from = len(messages) - leave
    while 1 < keep_from < len(messages) and is_tool_response(messages[keep_from]):
        keep_from -= 1  # a kept tool result keeps its call
    if keep_from <= 1:
        logger.warning(
            "Compression skipped: the first message and the last %d messages are never compressed, and there are "
            "%d messages. Consider raising trigger_count.",
            leave,
            len(messages),
        )
        return False, None
    lines = filter(None, (_transcript_line(m) for m in messages[1:keep_from]))
    transcript = "To be compressed:\n" + "".join(line + "\n" for line in lines)
    verbose = bool(agent.compress_config and agent.compress_config.get("verbose"))
    if verbose:
        agent._print(colored("*" * 30 + "Start compressing the following content:" + "*" * 30, "magenta"))
        agent._print(transcript)
    request = [{"role": "system", "content": COMPRESS_SYSTEM_MESSAGE}, {"role": "user", "content": transcript}]
    try:
        response = yield Call(client, "create", messages=request, cache=agent.client_cache)
    except Exception as exc:  # noqa: BLE001 - a failed compression leaves the conversation as it was
        agent._print(colored(f"Failed to compress the content due to {exc}", "red"))
        return False, None
    summary = client.extract_text_or_completion_object(response)[0]
    if not isinstance(summary, str):
        summary = content_str(getattr(summary, "content", None) or "")
    if verbose:
        agent._print(colored("*" * 30 + "Content after compressing:" + "*" * 30, "magenta"))
        agent._print(summary + " " + colored("\n" + "*" * 80, "magenta"))  # the classic layout
    compressed = {"content": COMPRESSED_PREFIX + summary, "role": "system"}
    return True, [messages[0], compressed, *messages[keep_from:]]


class CompressibleAgent(ConversableAgent):
    """An assistant agent that handles its context window (see the module doc).

    Args:
        compress_config: False (off), True (defaults) or a dict (see the module doc).
        Other arguments: as for ConversableAgent (``human_input_mode`` defaults to "NEVER").
    """

    DEFAULT_SYSTEM_MESSAGE = """You are a helpful AI assistant. Solve tasks with your language skills and, when it helps, with code.
When code would help, write a complete Python (```python) or shell (```sh) block for the user to run, and look at its output before going on; the user runs code as given and does not edit it.
Check your answer, and reply "TERMINATE" when the task is done."""
    DEFAULT_CONFIG = {"model": DEFAULT_MODEL}

    def __init__(
        self,
        name: str,
        system_message: Optional[str] = DEFAULT_SYSTEM_MESSAGE,
        is_termination_msg: Optional[Callable[[Dict[str, Any]], bool]] = None,
        max_consecutive_auto_reply: Optional[int] = None,
        human_input_mode: Literal["ALWAYS", "NEVER", "TERMINATE"] = "NEVER",
        function_map: Optional[Dict[str, Callable[..., Any]]] = None,
        code_execution_config: Union[Dict[str, Any], Literal[False]] = False,
        llm_config: Optional[Union[Dict[str, Any], Literal[False]]] = None,
        default_auto_reply: Union[str, Dict[str, Any]] = "",
        compress_config: Union[Dict[str, Any], bool] = False,
        description: Optional[str] = None,
        **kwargs: Any,
    ):
        super().__init__(
            name=name,
            system_message=system_message,
            is_termination_msg=is_termination_msg,
            max_consecutive_auto_reply=max_consecutive_auto_reply,
            human_input_mode=human_input_mode,
            function_map=function_map,
            code_execution_config=code_execution_config,
            llm_config=llm_config,
            default_auto_reply=default_auto_reply,
            description=description,
            **kwargs,
        )
        self._set_compress_config(compress_config)
        llm = self.llm_config if isinstance(self.llm_config, dict) else None
        self.llm_compress_config: Union[Dict[str, Any], Literal[False]] = (
            {k: v for k, v in llm.items() if k not in ("tools", "functions")} if llm else False
        )
        self._compress_client: Any = None
        position = next(
            (
                i
                for i, e in enumerate(self._reply_func_list)
                if e["reply_func"] in (ConversableAgent.generate_oai_reply, ConversableAgent.a_generate_oai_reply)
            ),
            len(self._reply_func_list),
        )
        self.register_reply([Agent, None], CompressibleAgent.on_oai_token_limit, position=position)

    # ------------------------------------------------------------------------------------ config --
    @property
    def _model(self) -> str:
        config = self.llm_config if isinstance(self.llm_config, dict) else {}
        config_list = config.get("config_list") or [{}]
        return str(config.get("model") or config_list[0].get("model") or DEFAULT_MODEL)

    def _set_compress_config(self, compress_config: Union[Dict[str, Any], bool] = False) -> None:
        if not compress_config:
            self.compress_config: Union[Dict[str, Any], Literal[False]] = False
            return
        if compress_config is True:
            compress_config = {}
        if not isinstance(compress_config, dict):
            raise ValueError("compress_config must be a dict or True/False.")
        config = {**DEFAULT_COMPRESS_CONFIG, **compress_config}
        if config["mode"] not in MODES:
            raise ValueError(
                f"Invalid compression mode. Allowed values are: {', '.join(MODES)} (got {config['mode']!r})."
            )
        if config["mode"] == "CUSTOMIZED" and not callable(config["compress_function"]):
            raise ValueError(
                "compress_function must be provided when mode is CUSTOMIZED: a callable "
                "(messages) -> (success, compressed messages)."
            )
        if config["mode"] != "CUSTOMIZED" and config["compress_function"] is not None:
            self._print("Warning: compress_function is provided but mode is not 'CUSTOMIZED'.")  # classic's line
        leave = config["leave_last_n"]
        if isinstance(leave, bool) or not isinstance(leave, int) or leave < 0:
            raise ValueError(f"leave_last_n must be a non-negative integer (got {leave!r}).")
        if config.get("async"):
            logger.warning("Asynchronous compression is not supported; compression runs before the reply.")
        max_tokens = config.get("max_tokens")
        if max_tokens is None:
            try:
                max_tokens = get_max_token_limit(self._model)
            except KeyError:
                raise ValueError(
                    f"The context window of model {self._model!r} is unknown: give it as compress_config['max_tokens']."
                ) from None
        self._max_token_allowed = int(max_tokens)
        trigger = config["trigger_count"]
        if isinstance(trigger, float):
            if not 0 < trigger <= 1:
                raise ValueError(
                    "trigger_count must be a positive number; a float is a share of the context window, in (0, 1]."
                )
            trigger = int(trigger * self._max_token_allowed)
        if not isinstance(trigger, int) or trigger <= 0:
            raise ValueError(
                "trigger_count must be a positive number: an int (tokens) or a float in (0, 1] (a share of the "
                "context window)."
            )
        config["trigger_count"] = trigger
        init_count = self._compute_init_token_count()
        if trigger < init_count:
            # classic's warning; classic meant to turn compression off here (and then failed on the next line)
            self._print(
                f"Warning: trigger_count {trigger} is less than the initial token count {init_count} (system message "
                "+ function description if passed), compression will be disabled. Please increase trigger_count if "
                "you want to enable compression."
            )
            self.compress_config = False
            return
        self.compress_config = config

    @property
    def compress_client(self) -> Any:
        """The OpenAIWrapper that compresses (from the agent's llm_config), or None without an LLM."""
        if self._compress_client is None and self.llm_compress_config:
            from ...oai.client import OpenAIWrapper

            self._compress_client = OpenAIWrapper(**self.llm_compress_config)
        return self._compress_client

    # ---------------------------------------------------------------------------------- counting --
    def _compute_init_token_count(self) -> int:
        """Tokens of the system message and of the tool/function descriptions."""
        if not isinstance(self.llm_config, dict):
            return 0
        tools = (self.llm_config.get("functions") or []) + (self.llm_config.get("tools") or [])
        schemas = num_tokens_from_functions(tools, self._model) if tools else 0
        return schemas + count_token(self.system_messages, self._model)

    def _history_tokens(self, messages: List[Dict[str, Any]]) -> int:
        """Tokens of the messages (texts are counted once and remembered)."""
        model = self._model
        total = 3
        for message in messages:
            content = message.get("content")
            if isinstance(content, str) and not (message.get("tool_calls") or message.get("function_call")):
                total += (
                    3
                    + text_tokens(content, model)
                    + (1 + text_tokens(str(message["name"]), model) if message.get("name") else 0)
                )
            else:
                total += count_token([message], model) - 3
        return total

    # -------------------------------------------------------------------------------- compressing --
    def _manage_history_flow(
        self, messages: List[Dict[str, Any]], token_used: int, max_token_allowed: int
    ) -> Flow[Tuple[bool, Optional[List[Dict[str, Any]]]]]:
        """``(terminate, compressed messages or None)``."""
        assert self.compress_config
        mode = self.compress_config["mode"]
        if mode == "TERMINATE":
            if max_token_allowed - token_used <= 0:
                self._print(
                    colored(
                        f'Warning: Terminate Agent "{self.name}" due to no token left for oai reply. max token for '
                        f"{self._model}: {max_token_allowed}, existing token count: {token_used}",
                        "yellow",
                    )
                )
                return True, None
            return False, None
        if token_used < self.compress_config["trigger_count"]:
            return False, None
        copied = [dict(m) for m in messages]
        if mode == "COMPRESS":
            client = self.compress_client
            if client is None:
                return False, None
            _, compressed = yield from compress_flow(self, copied, client)
        else:
            _, compressed = yield Invoke(self.compress_config["compress_function"], args=(copied,), blocking=True)
        if compressed is not None:
            compressed = [self._valid_message(m) for m in compressed]
        return False, compressed

    @staticmethod
    def _valid_message(message: Union[Dict[str, Any], str]) -> Dict[str, Any]:
        if isinstance(message, str):
            return {"content": message, "role": "user"}
        keys = ("content", "function_call", "tool_calls", "tool_responses", "tool_call_id", "name", "role")
        out = {k: message[k] for k in keys if k in message}
        if "content" not in out and not calls_tools(out):
            raise ValueError("A compressed message must have 'content', 'function_call' or 'tool_calls'.")
        out.setdefault("role", "user")
        return out

    def compress_messages(
        self, messages: Optional[List[Dict[str, Any]]] = None, config: Optional[Any] = None
    ) -> Tuple[bool, Optional[List[Dict[str, Any]]]]:
        """Compress ``messages`` with the LLM (``config``: another client): ``(success, compressed messages)``."""
        return run_sync(compress_flow(self, list(messages or []), config or self.compress_client))

    async def a_compress_messages(
        self, messages: Optional[List[Dict[str, Any]]] = None, config: Optional[Any] = None
    ) -> Tuple[bool, Optional[List[Dict[str, Any]]]]:
        return await run_async(compress_flow(self, list(messages or []), config or self.compress_client))

    def _print(self, text: str) -> None:
        self._iostream().print(text, flush=True)

    def _print_compress_info(self, init_token_count: int, token_used: int, token_after_compression: int) -> None:
        self._print(
            colored(
                f"Token Count (including {init_token_count} tokens from system msg and function descriptions). "
                f"Before compression : {token_used} | After: {token_after_compression}",
                "magenta",
            )
        )
        self._print("-" * 80)

    @flow_backed(token_limit_flow)
    def on_oai_token_limit(
        self,
        messages: Optional[List[Dict[str, Any]]] = None,
        sender: Optional[Agent] = None,
        config: Optional[Any] = None,
    ) -> Tuple[bool, Union[str, Dict[str, Any], None]]:
        """Terminate or compress the conversation as ``compress_config`` says, before the LLM reply."""
        return run_sync(token_limit_flow(self, messages, sender, config))
