"""GroupChatManager: the agent that runs a group chat.

It receives the first message, then, round after round, records the message, broadcasts it to the other agents,
asks the group chat who speaks next, and has that agent reply. The round logic is written once, as a flow (see
:mod:`autogen._flow`): ``run_chat`` and ``a_run_chat`` are thin sync/async edges over it, and so are
``resume`` and ``a_resume``.
"""

from __future__ import annotations

import copy
import json
import logging
import sys
from typing import Any, Callable, Dict, List, Literal, Optional, Tuple, Union

from .._flow import Call, Flow, flow_backed, run_async, run_sync
from ..exception_utils import NoEligibleSpeaker
from ..io.base import IOStream
from .agent import Agent
from .conversable_agent import ConversableAgent
from .groupchat import GroupChat
from .printing import colored
from .speaker_selection import select_speaker_steps

__all__ = ["GroupChatManager"]

logger = logging.getLogger(__name__)

_ARG_PUNCTUATION = ".,;:!?"


class GroupChatManager(ConversableAgent):
    """An agent that runs a :class:`~autogen.agentchat.groupchat.GroupChat`.

    Start a group chat by sending the manager a message, e.g. ``user.initiate_chat(manager, message=...)``. The chat
    ends after ``groupchat.max_round`` messages, on a message that passes the manager's ``is_termination_msg``, when
    the speaker selection finds nobody (or a custom selection function returns None), or when a speaker has no reply.

    Args:
        groupchat: the group chat to run.
        name, max_consecutive_auto_reply, human_input_mode, system_message: as for ConversableAgent.
        silent: do not print the messages of the speakers (nor the "Next speaker" lines).
        select_speaker_auto_llm_config: the llm_config for "auto" speaker selection, when it should differ from the
            manager's own ``llm_config`` (the group chat's ``select_speaker_auto_llm_config`` wins if both are set).
        **kwargs: the other ConversableAgent arguments (``llm_config``, ``is_termination_msg``, ...). The manager does
            not call tools, so an ``llm_config`` with "functions" or "tools" is refused.
    """

    def __init__(
        self,
        groupchat: GroupChat,
        name: Optional[str] = "chat_manager",
        max_consecutive_auto_reply: Optional[int] = sys.maxsize,
        human_input_mode: Literal["ALWAYS", "NEVER", "TERMINATE"] = "NEVER",
        system_message: Optional[Union[str, List[str]]] = "Group chat manager.",
        silent: bool = False,
        select_speaker_auto_llm_config: Optional[Dict[str, Any]] = None,
        **kwargs: Any,
    ):
        llm_config = kwargs.get("llm_config")
        if isinstance(llm_config, dict) and (llm_config.get("functions") or llm_config.get("tools")):
            raise ValueError(
                "GroupChatManager is not allowed to make function/tool calls. Please remove the 'functions' or "
                "'tools' config in 'llm_config' you passed in. Register the tools with the agents instead."
            )
        super().__init__(
            name=name,  # type: ignore[arg-type]
            max_consecutive_auto_reply=max_consecutive_auto_reply,
            human_input_mode=human_input_mode,
            system_message=system_message,
            **kwargs,
        )
        self._groupchat = groupchat
        self._last_speaker: Optional[Agent] = None
        self._silent = silent
        self.select_speaker_auto_llm_config = select_speaker_auto_llm_config
        # Order matters: the async edge is registered last, so it sits on top and serves async chats; sync chats
        # skip it and use run_chat. Both run the same flow, once.
        self.register_reply(Agent, GroupChatManager.run_chat, config=groupchat, reset_config=GroupChat.reset)
        self.register_reply(
            Agent,
            GroupChatManager.a_run_chat,
            config=groupchat,
            reset_config=GroupChat.reset,
            ignore_async_in_sync_chat=True,
        )
        self._log_init(locals())

    # ---------------------------------------------------------------------------------------------- state --
    @property
    def groupchat(self) -> GroupChat:
        """The group chat this manager runs."""
        return self._groupchat

    @property
    def last_speaker(self) -> Optional[Agent]:
        """The agent that spoke last (the one whose message was broadcast last)."""
        return self._last_speaker

    def chat_messages_for_summary(self, agent: Agent) -> List[Dict[str, Any]]:
        """The whole group conversation (what a summary of the chat should read)."""
        return self._groupchat.messages

    def save_state(self) -> Dict[str, Any]:
        """The group chat as JSON-able data: this manager, the group's agents and messages (``autogen.state``)."""
        from ..formats.groupchat import save_groupchat

        return save_groupchat(self)

    def load_state(self, state: Dict[str, Any], peers: Any = None) -> None:
        """Restore the group chat saved by :meth:`save_state`; ``peers``: agents outside the group that took part."""
        from ..formats.groupchat import load_groupchat

        load_groupchat(self, state, peers)

    def _groupchat_configs(self) -> List[GroupChat]:
        """The group chat and the copies of it that the registered run_chat entries hold as their config."""
        found: List[GroupChat] = [self._groupchat]
        for entry in self._reply_func_list:
            config = entry.get("config")
            if isinstance(config, GroupChat) and all(config is not g for g in found):
                found.append(config)
        return found

    def _prepare_chat(
        self,
        recipient: Agent,
        clear_history: bool,
        prepare_recipient: bool = True,
        reply_at_receive: bool = True,
    ) -> None:
        super()._prepare_chat(recipient, clear_history, prepare_recipient, reply_at_receive)
        if clear_history:
            self._groupchat.reset()
        for agent in self._groupchat.agents:
            if (recipient is not agent or prepare_recipient) and isinstance(agent, ConversableAgent):
                agent._prepare_chat(self, clear_history, False, reply_at_receive)

    # ---------------------------------------------------------------------------------------- the rounds --
    def _run_chat_flow(
        self,
        messages: Optional[List[Dict[str, Any]]] = None,
        sender: Optional[Agent] = None,
        config: Optional[GroupChat] = None,
    ) -> Flow[Tuple[bool, Optional[str]]]:
        groupchat = config if isinstance(config, GroupChat) else self._groupchat
        if messages is None:
            messages = self.chat_messages[sender]
        yield from self._rounds_flow(groupchat, sender, messages[-1], groupchat.max_round, groupchat.send_introductions)
        return True, None

    def _rounds_flow(
        self, groupchat: GroupChat, speaker: Optional[Agent], message: Dict[str, Any], rounds: int, introduce: bool
    ) -> Flow[None]:
        """Up to ``rounds`` rounds from ``message`` of ``speaker`` (introductions first when ``introduce``): the loop
        that running a group chat and resuming one share."""
        silent = self._silent
        if introduce:
            # The introduction goes to every agent's history, not to the group's messages.
            intro = groupchat.introductions_msg()
            for agent in groupchat.agents:
                yield Call(self, "send", intro, agent, request_reply=False, silent=True)
        # The cache given to initiate_chat serves every agent of the group during the chat.
        shared_cache = self.client_cache
        sharing = [a for a in groupchat.agents if hasattr(a, "client_cache")] if shared_cache is not None else []
        for agent in sharing:
            agent.previous_cache, agent.client_cache = agent.client_cache, shared_cache  # type: ignore[attr-defined]
        try:
            for round_index in range(rounds):
                self._last_speaker = speaker
                groupchat.append(message, speaker)  # type: ignore[arg-type]
                for agent in groupchat.agents:
                    if agent is not speaker:
                        yield Call(self, "send", message, agent, request_reply=False, silent=True)
                if self._is_termination_msg(message) or round_index == rounds - 1:
                    break
                try:
                    speaker = yield from select_speaker_steps(groupchat, speaker, self)  # type: ignore[arg-type]
                    if not silent:
                        IOStream.get_default().print(colored(f"\nNext speaker: {speaker.name}\n", "green"), flush=True)
                    reply = yield Call(speaker, "generate_reply", sender=self)
                except KeyboardInterrupt:
                    # The human pressed Ctrl-C: the admin, if one takes part, speaks next.
                    admin = groupchat.agent_by_name(groupchat.admin_name)
                    if admin is None:
                        raise
                    speaker = admin
                    reply = yield Call(speaker, "generate_reply", sender=self)
                except NoEligibleSpeaker:
                    break
                if reply is None:
                    break
                if groupchat.enable_clear_history:
                    reply = self._apply_clear_history_command(reply, groupchat)
                yield Call(speaker, "send", reply, self, request_reply=False, silent=silent)
                message = self.last_message(speaker)  # type: ignore[assignment]
        finally:
            for agent in sharing:
                agent.client_cache, agent.previous_cache = agent.previous_cache, None  # type: ignore[attr-defined]

    @flow_backed(_run_chat_flow)
    def run_chat(
        self,
        messages: Optional[List[Dict[str, Any]]] = None,
        sender: Optional[Agent] = None,
        config: Optional[GroupChat] = None,
    ) -> Tuple[bool, Optional[str]]:
        """Run the group chat (the manager's reply function): returns ``(True, None)`` when the chat ends."""
        return run_sync(self._run_chat_flow(messages, sender, config))

    @flow_backed(_run_chat_flow)
    async def a_run_chat(
        self,
        messages: Optional[List[Dict[str, Any]]] = None,
        sender: Optional[Agent] = None,
        config: Optional[GroupChat] = None,
    ) -> Tuple[bool, Optional[str]]:
        """Run the group chat asynchronously (LLM calls and replies never block the event loop)."""
        return await run_async(self._run_chat_flow(messages, sender, config))

    # ------------------------------------------------------------------------------------- clear history --
    def _apply_clear_history_command(self, reply: Union[str, Dict[str, Any]], groupchat: GroupChat) -> Any:
        # Only a reply given as a message dict (what a human's answer becomes) carries the command, as in classic:
        # a model's plain-text reply that happens to say "clear history" leaves the histories alone.
        if not isinstance(reply, dict):
            return reply
        content = reply.get("content")
        if isinstance(content, str) and "CLEAR HISTORY" in content.upper():
            reply["content"] = self.clear_agents_history(reply, groupchat)
        return reply

    def clear_agents_history(self, reply: Dict[str, Any], groupchat: GroupChat) -> str:
        """Carry out a "clear history" command found in ``reply`` and return the reply's text without it.

        ``clear history`` clears the history of every agent and the group's messages; ``clear history <agent name>``
        only that agent's; a number after it (``clear history 3``, ``clear history coder 3``) keeps that many of the
        last messages. When the reply answers a tool call, the last message is kept so the call keeps its answer.
        """
        iostream = IOStream.get_default()
        words = str(reply.get("content") or "").split()
        start = None
        for index in range(len(words) - 1, -1, -1):
            if (
                words[index].upper() == "CLEAR"
                and index + 1 < len(words)
                and words[index + 1].upper().rstrip(_ARG_PUNCTUATION) == "HISTORY"
            ):
                start = index
                break
        if start is None:
            return str(reply.get("content") or "")

        target: Optional[Agent] = None
        keep: Optional[int] = None
        used = 2
        for word in words[start + 2 : start + 4]:
            bare = word.rstrip(_ARG_PUNCTUATION)
            if keep is None and bare.isdigit():
                keep = int(bare)
            elif target is None and (found := groupchat.agent_by_name(word) or groupchat.agent_by_name(bare)):
                target = found
            else:
                break
            used += 1
        if "tool_responses" in reply and not keep:
            keep = 1
            logger.warning(
                "The last tool call message will be saved to prevent errors caused by tool response without tool call."
            )

        if target is not None:
            suffix = f" except last {keep} messages" if keep else ""
            iostream.print(f"Clearing history for {target.name}{suffix}.")
            clear = getattr(target, "clear_history", None)
            if callable(clear):
                clear(None, keep or 0)
        else:
            if keep:
                iostream.print(f"Clearing history for all agents except last {keep} messages.")
                kept = groupchat.messages[-keep:]
                groupchat.messages.clear()
                groupchat.messages.extend(kept)
            else:
                iostream.print("Clearing history for all agents.")
                groupchat.messages.clear()
            for agent in groupchat.agents:
                clear = getattr(agent, "clear_history", None)
                if callable(clear):
                    clear(None, keep or 0)
        return " ".join(words[:start] + words[start + used :])

    # --------------------------------------------------------------------------------------------- resume --
    @staticmethod
    def messages_to_string(messages: List[Dict[str, Any]]) -> str:
        """The messages as a JSON string (for :meth:`resume`)."""

        def fallback(value: Any) -> Any:
            dump = getattr(value, "model_dump", None)
            return dump() if callable(dump) else str(value)

        return json.dumps(messages, default=fallback)

    @staticmethod
    def messages_from_string(message_string: str) -> List[Dict[str, Any]]:
        """The messages from a JSON string made by :meth:`messages_to_string`."""
        try:
            messages = json.loads(message_string)
        except json.JSONDecodeError as error:
            raise ValueError(
                f"Messages string is not a valid JSON string ({error}). Pass the string messages_to_string() made."
            ) from error
        if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
            raise ValueError("The string does not hold a JSON list of message objects.")
        return messages

    def _valid_resume_messages(self, messages: List[Dict[str, Any]]) -> None:
        if not messages:
            raise ValueError(
                "Cannot resume group chat as no messages were provided. Use GroupChatManager.run_chat or "
                "ConversableAgent.initiate_chat to start a new chat."
            )
        known = {self.name, self._groupchat.admin_name}
        for index, message in enumerate(messages):
            name = message.get("name")
            if not name or message.get("role") == "function":
                continue
            if index == 0 and len(messages) > 1:
                continue  # the opening message may come from outside the group (whoever started the chat)
            if name not in known and self._groupchat.agent_by_name(name) is None:
                raise ValueError(
                    f"Agent name in message doesn't exist as agent in group chat: {name}. Resume a chat with the "
                    f"agents it was held with (group chat agents: {self._groupchat.agent_names})."
                )

    def _process_resume_termination(
        self, remove_termination_string: Optional[Union[str, Callable[[str], str]]], messages: List[Dict[str, Any]]
    ) -> None:
        last = messages[-1]
        if isinstance(remove_termination_string, str):
            to_remove = remove_termination_string

            def remove(content: str) -> str:
                return content.replace(to_remove, "")

        else:
            remove = remove_termination_string  # type: ignore[assignment]
        if remove is not None and isinstance(last.get("content"), str):
            last["content"] = remove(last["content"])
        if self._is_termination_msg(last):
            logger.warning(
                "WARNING: Last message meets termination criteria and this may terminate the chat. "
                "The last message of the resumed chat meets the termination condition, so the chat may end at once. "
                "Pass remove_termination_string to resume() to remove the termination text."
            )

    def _speaker_of(self, message: Dict[str, Any]) -> Optional[Agent]:
        """The agent that said ``message`` when resuming: an agent of the group, the manager, or None."""
        name = message.get("name")
        if message.get("role") == "function":
            return None
        if not name:
            message["name"] = self.name
            return self
        agent = self._groupchat.agent_by_name(name)
        if agent is None and name == self.name:
            return self
        return agent

    def _resume_flow(
        self,
        messages: Union[List[Dict[str, Any]], str],
        remove_termination_string: Optional[Union[str, Callable[[str], str]]] = None,
        silent: Optional[bool] = False,
    ) -> Flow[Tuple[ConversableAgent, Dict[str, Any]]]:
        if isinstance(messages, str):
            messages = self.messages_from_string(messages)
        elif isinstance(messages, list) and all(isinstance(m, dict) for m in messages):
            messages = copy.deepcopy(messages)
        else:
            raise TypeError(
                "Messages is not of type str or List[Dict]. Pass a list of message dicts, or a JSON string made by "
                "messages_to_string()."
            )
        self._valid_resume_messages(messages)

        groupchat = self._groupchat
        for agent in groupchat.agents:
            if isinstance(agent, ConversableAgent):
                agent.clear_history()
        self.clear_history()
        groupchat.reset()

        # Replay all but the last message as it happened: the speaker sends it to the manager, which records it and
        # passes it on to the others. The last message is sent again by whoever resumes the chat.
        for message in messages[:-1]:
            speaker = self._speaker_of(message)
            if speaker is not None and speaker is not self:
                yield Call(speaker, "send", message, self, request_reply=False, silent=True)
            for agent in groupchat.agents:
                if agent is not speaker:
                    yield Call(self, "send", message, agent, request_reply=False, silent=True)
            if speaker is not None:
                groupchat.append(message, speaker)
            else:
                groupchat.messages.append(message)

        last_message = messages[-1]
        last_name = last_message.get("name") or self.name
        # an unknown name (the admin's included) resumes with the manager as the last speaker
        last_agent = self._speaker_of(last_message) or self
        self._process_resume_termination(remove_termination_string, messages)
        if not silent:
            IOStream.get_default().print(
                f"Prepared group chat with {len(messages)} messages, the last speaker is",
                colored(last_name, "yellow"),
                flush=True,
            )
        # The participants were introduced when the chat first ran.
        for config in self._groupchat_configs():
            config.send_introductions = False
        return last_agent, last_message  # type: ignore[return-value]

    def resume(
        self,
        messages: Union[List[Dict[str, Any]], str],
        remove_termination_string: Optional[Union[str, Callable[[str], str]]] = None,
        silent: Optional[bool] = False,
    ) -> Tuple[ConversableAgent, Dict[str, Any]]:
        """Load a previous group chat so it can go on: returns ``(last_agent, last_message)``.

        ``messages`` is the group's messages (``groupchat.messages`` of the earlier chat), as a list or as the JSON
        string made by :meth:`messages_to_string`. The group chat and the agents must be set up as they were.
        Continue with ``last_agent.initiate_chat(manager, message=last_message, clear_history=False)``.
        ``remove_termination_string`` (a string, or a function of the text) is removed from the last message so the
        resumed chat does not end at once.
        """
        return run_sync(self._resume_flow(messages, remove_termination_string, silent))

    async def a_resume(
        self,
        messages: Union[List[Dict[str, Any]], str],
        remove_termination_string: Optional[Union[str, Callable[[str], str]]] = None,
        silent: Optional[bool] = False,
    ) -> Tuple[ConversableAgent, Dict[str, Any]]:
        """:meth:`resume` for asyncio (continue with ``a_initiate_chat``)."""
        return await run_async(self._resume_flow(messages, remove_termination_string, silent))
