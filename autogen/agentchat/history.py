"""The conversation state of an agent: per-peer histories, auto-reply counters, hooks, printing.

``HistoryMixin`` is one part of :class:`~autogen.agentchat.conversable_agent.ConversableAgent`; it holds
no logic about replies. Messages are stored as they are received (one new dict per message, from the
storing agent's point of view, see :func:`~autogen.agentchat.messages.to_history_message`): histories
are never copied or re-encoded per turn.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Union

from .. import runtime_logging
from ..io.base import IOStream
from .errors import HookError, InvalidMessageError
from .messages import assert_valid_name, instantiate, message_to_dict, normalize_name, to_history_message
from .printing import print_message

if TYPE_CHECKING:
    from .agent import Agent

__all__ = ["HOOKABLE_METHODS", "ConversationTables", "HistoryMixin"]

HOOKABLE_METHODS = (
    "process_last_received_message",
    "process_all_messages_before_reply",
    "process_message_before_send",
    "update_agent_state",
)


@dataclass(frozen=True)
class ConversationTables:
    """An agent's per-peer data, live (the agent's own dicts and list, not copies): what ``autogen.formats``
    saves and restores. Keys are the peer agents."""

    messages: Dict[Any, List[Dict[str, Any]]]
    auto_reply_counts: Dict[Any, int]
    reply_at_receive: Dict[Any, bool]
    max_auto_replies: Dict[Any, int]
    human_input: List[str]
    """What the human typed for this agent, in order."""


class HistoryMixin:
    """Histories, counters and hooks of a ConversableAgent."""

    if TYPE_CHECKING:
        _oai_messages: Dict[Any, List[Dict[str, Any]]]
        _oai_system_message: List[Dict[str, Any]]
        _human_input: List[str]
        _consecutive_auto_reply_counter: Dict[Any, int]
        _max_consecutive_auto_reply: int
        _max_consecutive_auto_reply_dict: Dict[Any, int]
        reply_at_receive: Dict[Any, bool]
        hook_lists: Dict[str, List[Callable[..., Any]]]
        llm_config: Union[Dict[str, Any], bool]
        silent: Optional[bool]

        @property
        def name(self) -> str: ...

    # ---------------------------------------------------------------------------------- histories --
    @property
    def chat_messages(self) -> Dict[Any, List[Dict[str, Any]]]:
        """The conversation with each peer: ``{agent: [message, ...]}``."""
        return self._oai_messages

    def conversation_tables(self) -> ConversationTables:
        """The agent's per-peer tables (live), for saving and restoring conversations."""
        return ConversationTables(
            self._oai_messages,
            self._consecutive_auto_reply_counter,
            self.reply_at_receive,
            self._max_consecutive_auto_reply_dict,
            self._human_input,
        )

    @property
    def system_messages(self) -> List[Dict[str, Any]]:
        """The system message(s) as sent to the LLM before the conversation (``[{"role": "system", ...}]``)."""
        return self._oai_system_message

    def chat_messages_for_summary(self, agent: Agent) -> List[Dict[str, Any]]:
        """The messages a summary of the chat with ``agent`` is made from."""
        return self._oai_messages[agent]

    def last_message(self, agent: Optional[Agent] = None) -> Optional[Dict[str, Any]]:
        """The last message exchanged with ``agent`` (may be omitted when there is one conversation)."""
        if agent is None:
            if not self._oai_messages:
                return None
            if len(self._oai_messages) > 1:
                raise ValueError(
                    "More than one conversation is found. Please specify the sender to get the last message."
                )
            conversation = next(iter(self._oai_messages.values()))
            return conversation[-1] if conversation else None
        if agent not in self._oai_messages:
            raise KeyError(
                f"The agent '{agent.name}' is not present in any conversation. No history available for this agent."
            )
        conversation = self._oai_messages[agent]
        return conversation[-1] if conversation else None

    def clear_history(
        self,
        recipient: Optional[Agent] = None,
        nr_messages_to_preserve: Optional[int] = None,
        *,
        nb_messages_to_preserve: Optional[int] = None,
    ) -> None:
        """Forget the conversation with ``recipient``; with None, all conversations, keeping the last
        ``nr_messages_to_preserve`` messages of each (a tool response is never cut from its call).
        ``nb_messages_to_preserve`` is accepted as another spelling of the same argument."""
        if nr_messages_to_preserve is not None and nb_messages_to_preserve is not None:
            raise TypeError("Give nr_messages_to_preserve or nb_messages_to_preserve, not both.")
        nb_messages_to_preserve = nr_messages_to_preserve or nb_messages_to_preserve or 0
        stream = self._iostream()
        if recipient is not None:
            self._oai_messages[recipient].clear()
            if nb_messages_to_preserve:
                stream.print(
                    "WARNING: `nr_preserved_messages` is ignored when clearing chat history with a specific agent.",
                    flush=True,
                )
            return
        if not nb_messages_to_preserve:
            self._oai_messages.clear()
            return
        for peer, conversation in self._oai_messages.items():
            keep = nb_messages_to_preserve
            if keep < len(conversation) and "tool_responses" in conversation[-keep]:
                keep += 1
                stream.print(
                    f"Preserving one more message for {self.name} to not divide history between tool call and tool response.",
                    flush=True,
                )
            self._oai_messages[peer] = conversation[-keep:]

    # ----------------------------------------------------------------------------------- counters --
    # The reply functions, contrib agents, ``autogen.formats`` and ``autogen.state`` read and change an agent's
    # own data through ``chat_messages``, ``system_messages`` and the counter methods below, never through the
    # underscored attributes (docs/CONTRACTS.md, "The agent's data").
    def auto_reply_count(self, sender: Optional[Agent]) -> int:
        """Automatic replies sent to ``sender`` in a row (since the human last spoke or the chat started)."""
        return self._consecutive_auto_reply_counter[sender]

    def count_auto_reply(self, sender: Optional[Agent]) -> None:
        """One more automatic reply to ``sender``."""
        self._consecutive_auto_reply_counter[sender] += 1

    def reset_consecutive_auto_reply_counter(self, sender: Optional[Agent] = None) -> None:
        if sender is None:
            self._consecutive_auto_reply_counter.clear()
        else:
            self._consecutive_auto_reply_counter[sender] = 0

    def stop_reply_at_receive(self, sender: Optional[Agent] = None) -> None:
        """Do not reply automatically to ``sender`` (to anyone when None) until the next chat starts."""
        if sender is None:
            self.reply_at_receive.clear()
        else:
            self.reply_at_receive[sender] = False

    def max_consecutive_auto_reply(self, sender: Optional[Agent] = None) -> int:
        return self._max_consecutive_auto_reply if sender is None else self._max_consecutive_auto_reply_dict[sender]

    def update_max_consecutive_auto_reply(self, value: int, sender: Optional[Agent] = None) -> None:
        if sender is None:
            self._max_consecutive_auto_reply = value
            for peer in self._max_consecutive_auto_reply_dict:
                self._max_consecutive_auto_reply_dict[peer] = value
        else:
            self._max_consecutive_auto_reply_dict[sender] = value

    # ------------------------------------------------------------------------- storing and showing --
    @staticmethod
    def _message_to_dict(message: Any) -> Dict[str, Any]:
        return message_to_dict(message)

    @staticmethod
    def _normalize_name(name: str) -> str:
        return normalize_name(name)

    @staticmethod
    def _assert_valid_name(name: str) -> str:
        return assert_valid_name(name)

    @staticmethod
    def _is_silent(agent: Any, silent: Optional[bool] = False) -> bool:
        """An agent's own ``silent`` setting wins over the chat's."""
        own = getattr(agent, "silent", None)
        return bool(own if own is not None else silent)

    def _iostream(self) -> IOStream:
        return IOStream.get_default()

    def _append_oai_message(self, message: Any, role: str, conversation_id: Agent, is_sending: bool) -> bool:
        """Store ``message`` in the conversation with ``conversation_id``; False if it is invalid."""
        entry = to_history_message(
            message, role, self.name if is_sending else conversation_id.name, "sent" if is_sending else "received"
        )
        if entry is None:
            return False
        self._oai_messages[conversation_id].append(entry)
        return True

    def _process_received_message(self, message: Any, sender: Agent, silent: Optional[bool]) -> None:
        valid = self._append_oai_message(message, "user", sender, is_sending=False)
        if runtime_logging.is_logging:
            runtime_logging.log_event(self, "received_message", message=message, sender=sender.name, valid=valid)
        if not valid:
            raise InvalidMessageError(message, when="received")
        if not self._is_silent(sender, silent):
            self._print_received_message(message, sender)

    def _print_received_message(self, message: Any, sender: Agent, skip_head: bool = False) -> None:
        allow = bool(isinstance(self.llm_config, dict) and self.llm_config.get("allow_format_str_template", False))
        print_message(
            self._iostream(),
            message,
            sender.name,
            self.name,
            with_head=not skip_head,
            render_content=lambda m: instantiate(m.get("content"), m.get("context"), allow),
        )

    # -------------------------------------------------------------------------------------- hooks --
    def register_hook(self, hookable_method: str, hook: Callable[..., Any]) -> None:
        """Add ``hook`` to ``hookable_method``:

        * ``process_last_received_message``: ``hook(content) -> content`` rewrites the text of the last
          message before replying (the stored history is not changed);
        * ``process_all_messages_before_reply``: ``hook(messages) -> messages``;
        * ``process_message_before_send``: ``hook(sender=, message=, recipient=, silent=) -> message``;
        * ``update_agent_state``: ``hook(agent, messages)`` before each reply.
        """
        if hookable_method not in self.hook_lists:
            raise HookError(f"{hookable_method} is not a hookable method. Use one of {', '.join(HOOKABLE_METHODS)}.")
        if not callable(hook):
            raise HookError(f"A hook must be callable, got {type(hook).__name__}.")
        if hook in self.hook_lists[hookable_method]:
            raise HookError(f"{hook} is already registered as a hook. (It is a hook of {hookable_method!r}.)")
        self.hook_lists[hookable_method].append(hook)

    def process_last_received_message(self, messages: Optional[List[Dict[str, Any]]]) -> Optional[List[Dict[str, Any]]]:
        """Run the ``process_last_received_message`` hooks on the last message's text (on a copy)."""
        hooks = self.hook_lists["process_last_received_message"]
        if not hooks or not messages:
            return messages
        last = messages[-1]
        if "function_call" in last or "context" in last or "content" not in last:
            return messages
        content = last["content"]
        if not isinstance(content, (str, list)) or content == "exit":
            return messages
        processed = content
        for hook in hooks:
            processed = hook(processed)
        if processed == content:
            return messages
        return [*messages[:-1], {**last, "content": processed}]

    def process_all_messages_before_reply(self, messages: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        """Run the ``process_all_messages_before_reply`` hooks."""
        for hook in self.hook_lists["process_all_messages_before_reply"]:
            messages = hook(messages)
        return messages

    def _process_message_before_send(self, message: Any, recipient: Agent, silent: bool) -> Any:
        for hook in self.hook_lists["process_message_before_send"]:
            message = hook(sender=self, message=message, recipient=recipient, silent=silent)
        return message
