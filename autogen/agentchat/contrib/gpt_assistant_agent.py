"""GPTAssistantAgent: a conversable agent whose replies come from an OpenAI assistant (Assistants API v2).

::

    assistant = GPTAssistantAgent(
        name="analyst",
        instructions="You answer with numbers.",
        llm_config={"config_list": [{"model": "gpt-4o", "api_key": "sk-..."}]},
        assistant_config={"tools": [{"type": "code_interpreter"}]},
    )
    user.initiate_chat(assistant, message="What is 2**100?")

The assistant is created on the account, or reused: by ``assistant_config["assistant_id"]``, or else the
first assistant with the agent's name whose instructions (when given) and tools (built-in types and
function names) match. Each peer gets its own thread; a turn adds the new messages to it, starts a
run, polls it every ``assistant_config["check_every_ms"]`` milliseconds (default 1000), runs the
function tools the run asks for through the agent's ``function_map`` and submits their outputs.
The reply is the text the run wrote. A run that fails or expires raises :class:`AssistantRunError`.

Only the first config of ``llm_config["config_list"]`` is used (OpenAI or Azure OpenAI).
The reply works the same in sync and async chats (see :mod:`.assistant_run`).
"""

from __future__ import annotations

import logging
import sys
from collections import defaultdict
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple, Union

from ..._flow import flow_backed, run_sync
from ..agent import Agent
from ..assistant_agent import AssistantAgent
from ..conversable_agent import ConversableAgent
from . import assistants_client as api
from .assistant_run import delete_threads_flow, invoke_assistant_flow
from .assistant_utils import (
    AssistantRunError,
    assistant_create_params,
    matching_assistants,
    normalize_tools,
    poll_interval,
    retrieve_assistants_by_name,
    split_configs,
    tool_signature,
)

if TYPE_CHECKING:
    from openai.types.beta import Assistant, Thread

__all__ = ["AssistantRunError", "GPTAssistantAgent"]

logger = logging.getLogger(__name__)


def _loop_running() -> bool:
    asyncio = sys.modules.get("asyncio")  # no asyncio imported: no loop can be running
    if asyncio is None:
        return False
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class GPTAssistantAgent(ConversableAgent):
    """An agent backed by an OpenAI assistant.

    Args:
        name: the agent's name, also the assistant's name when one is created or looked up.
        instructions: the assistant's instructions. None: those of the reused assistant, or
            ``AssistantAgent.DEFAULT_SYSTEM_MESSAGE`` for a new one. They are sent with every run, so
            they apply even when the stored assistant keeps other instructions.
        llm_config: ``{"config_list": [{"model", "api_key", "base_url"?, "api_type"?, "api_version"?}]}``;
            the first config names the endpoint (and the model of a new assistant).
        assistant_config: ``assistant_id`` (reuse that assistant), ``tools`` (``{"type": "code_interpreter"}``,
            ``{"type": "file_search"}``, function schemas), ``tool_resources`` (or classic ``file_ids``),
            ``check_every_ms``, and ``model``, ``description``, ``metadata``, ``temperature``, ``top_p``,
            ``response_format`` for a new assistant.
        overwrite_instructions: update the reused assistant's stored instructions when they differ.
        overwrite_tools: update the reused assistant's stored tools when they differ.
        **kwargs: passed to ConversableAgent (``function_map``, ``is_termination_msg``, ``description``,
            ``human_input_mode`` (default "NEVER"), ...); ``verbose=True`` prints tool results.
    """

    DEFAULT_MODEL = "gpt-4"
    DEFAULT_MODEL_NAME = DEFAULT_MODEL  # classic name: the model of a new assistant when no config names one

    def __init__(
        self,
        name: str = "GPT Assistant",
        instructions: Optional[str] = None,
        llm_config: Optional[Union[Dict[str, Any], bool]] = None,
        assistant_config: Optional[Dict[str, Any]] = None,
        overwrite_instructions: bool = False,
        overwrite_tools: bool = False,
        **kwargs: Any,
    ):
        self._verbose = bool(kwargs.pop("verbose", False))
        client_config, self._assistant_config = split_configs(llm_config, assistant_config)
        self._poll_seconds = poll_interval(self._assistant_config)
        self._assistants_client = api.AssistantsClient.from_llm_config(client_config)
        self._openai_threads: Dict[Any, Thread] = {}
        self._unread_index: Dict[Any, int] = defaultdict(int)
        self._last_reply: Dict[Any, str] = {}
        self._threads_to_delete: List[str] = []
        self._interrupted_runs: Dict[str, str] = {}  # thread id -> a run that may still be going on
        self.cancellation_requested = False
        kwargs.setdefault("human_input_mode", "NEVER")
        # the agent first (bad arguments fail before anything is created on the account), then the assistant
        super().__init__(name=name, system_message=instructions, llm_config=client_config, **kwargs)
        model = self._assistant_config.get("model") or self._config_model(client_config) or self.DEFAULT_MODEL_NAME
        logger.warning("OpenAI client config of GPTAssistantAgent(%s) - model: %s", name, model)
        self._openai_assistant, resolved = self._resolve_assistant(
            name, instructions, model, overwrite_instructions, overwrite_tools
        )
        if resolved != instructions:
            self.update_system_message(resolved)  # type: ignore[arg-type]
            if "description" not in kwargs:
                self.description = resolved  # type: ignore[assignment]
        self.register_reply([Agent, None], GPTAssistantAgent._invoke_assistant, position=2)

    # ------------------------------------------------------------------------------- construction --
    @staticmethod
    def _config_model(client_config: Dict[str, Any]) -> Optional[str]:
        config_list = client_config.get("config_list") or [client_config]
        return config_list[0].get("model") if isinstance(config_list[0], dict) else None

    def _resolve_assistant(
        self,
        name: str,
        instructions: Optional[str],
        model: str,
        overwrite_instructions: bool,
        overwrite_tools: bool,
    ) -> Tuple[Assistant, Optional[str]]:
        """The assistant to use (found, reused or created) and the instructions the agent runs with."""
        client = self._assistants_client
        config = self._assistant_config
        assistant_id = config.get("assistant_id")
        if assistant_id is None:
            candidates = retrieve_assistants_by_name(client, name)
            found = matching_assistants(candidates, instructions, config.get("tools"))
            if found:
                logger.warning("Matching assistant found, using the first matching assistant: %s", found[0].id)
                return found[0], instructions if instructions is not None else found[0].instructions
            logger.warning("No matching assistant found, creating a new assistant")
            if instructions is None:
                logger.warning(
                    "No instructions were provided for new assistant. Using default instructions from "
                    "AssistantAgent.DEFAULT_SYSTEM_MESSAGE."
                )
                instructions = AssistantAgent.DEFAULT_SYSTEM_MESSAGE
            params = assistant_create_params(name, instructions, model, config)
            return client.send(api.create_assistant(params)), instructions
        assistant = client.send(api.retrieve_assistant(assistant_id))
        updates: Dict[str, Any] = {}
        if instructions is None:
            logger.warning(
                "No instructions were provided for given assistant. Using existing instructions from assistant API."
            )
            instructions = assistant.instructions
        elif instructions != assistant.instructions:
            if overwrite_instructions:
                logger.warning(
                    "overwrite_instructions is True. Provided instructions will be used and will modify the "
                    "assistant in the API (assistant %s).",
                    assistant_id,
                )
                updates["instructions"] = instructions
            else:
                logger.warning(
                    "overwrite_instructions is False. Provided instructions will be used without permanently "
                    "modifying the assistant in the API (assistant %s).",
                    assistant_id,
                )
        if "tools" not in config:
            if assistant.tools:
                logger.warning("No tools were provided for given assistant. Using existing tools from assistant API.")
            else:
                logger.info("No tools were provided for the assistant, and the assistant currently has no tools set.")
        elif tool_signature(config["tools"]) != tool_signature(assistant.tools):
            if overwrite_tools:
                logger.warning(
                    "overwrite_tools is True. Provided tools will be used and will modify the assistant in the API "
                    "(assistant %s).",
                    assistant_id,
                )
                wanted = assistant_create_params(name, instructions, model, config)
                updates["tools"] = normalize_tools(config["tools"])
                if "tool_resources" in wanted:
                    updates["tool_resources"] = wanted["tool_resources"]
            else:
                logger.warning(
                    "overwrite_tools is False. Using existing tools from assistant API (assistant %s: %s).",
                    assistant_id,
                    sorted(map(sorted, tool_signature(assistant.tools))),
                )
        if updates:
            assistant = client.send(api.update_assistant(assistant_id, updates))
        return assistant, instructions

    # --------------------------------------------------------------------------------- the reply --
    @flow_backed(invoke_assistant_flow)
    def _invoke_assistant(
        self,
        messages: Optional[List[Dict[str, Any]]] = None,
        sender: Optional[Agent] = None,
        config: Optional[Any] = None,
    ) -> Tuple[bool, Union[str, Dict[str, Any], None]]:
        """The assistant's reply to the conversation with ``sender``, through its thread (always final)."""
        return run_sync(invoke_assistant_flow(self, messages, sender, config))

    # ------------------------------------------------------------------------------- assistant --
    @property
    def openai_client(self) -> Any:
        """The ``openai.OpenAI`` (or ``AzureOpenAI``) client of the agent's endpoint."""
        return self._assistants_client.sync_client

    @property
    def openai_assistant(self) -> Assistant:
        """The assistant (an ``openai.types.beta.Assistant``) as last read from the API."""
        return self._openai_assistant

    @property
    def assistant_id(self) -> str:
        return self._openai_assistant.id

    @property
    def oai_threads(self) -> Dict[Any, Thread]:
        """The thread of each peer, ``{agent: Thread}``."""
        return self._openai_threads

    def get_assistant_instructions(self) -> Optional[str]:
        """The instructions stored with the assistant."""
        return self._openai_assistant.instructions

    def delete_assistant(self) -> None:
        """Delete the assistant from the account (and the agent's threads)."""
        logger.warning("Permanently deleting assistant... (%s)", self.assistant_id)
        self._queue_thread_deletion(list(self._openai_threads))
        self._delete_queued_threads()
        self._assistants_client.send(api.delete_assistant(self.assistant_id))

    def can_execute_function(self, name: Union[List[str], str]) -> bool:
        """False: the assistant runs its tools inside its own runs, not for calls other agents send."""
        return False

    # --------------------------------------------------------------------------------- threads --
    def _queue_thread_deletion(self, peers: List[Any]) -> None:
        for peer in peers:
            thread = self._openai_threads.pop(peer, None)
            if thread is not None:
                logger.info("Clearing thread %s", thread.id)
                self._threads_to_delete.append(thread.id)
                self._interrupted_runs.pop(thread.id, None)
            self._unread_index.pop(peer, None)
            self._last_reply.pop(peer, None)

    def _delete_queued_threads(self) -> None:
        if self._threads_to_delete:
            run_sync(delete_threads_flow(self._assistants_client, self._threads_to_delete))

    def find_matching_assistant(
        self, candidate_assistants: List[Any], instructions: Optional[str], tools: Optional[List[Any]]
    ) -> List[Any]:
        """The candidates (assistants of the same name) whose instructions, when given, are ``instructions`` and
        whose tools (types and function names) are ``tools``: those the agent may reuse instead of creating one."""
        return matching_assistants(candidate_assistants, instructions, tools)

    def clear_history(  # type: ignore[override]
        self,
        agent: Optional[Agent] = None,
        nr_messages_to_preserve: Optional[int] = None,
        *,
        nb_messages_to_preserve: Optional[int] = None,
        recipient: Optional[Agent] = None,
    ) -> None:
        """Forget the conversation with ``agent`` (all when None; ``recipient=`` is accepted too) and delete its
        thread, so the next turn starts a fresh one. When messages are preserved, the threads (which hold them)
        are kept.

        Inside a running event loop the deletion is not done here (it would block the loop): it happens
        at the agent's next reply, or at ``reset()`` / ``delete_assistant()``."""
        if agent is not None and recipient is not None and agent is not recipient:
            raise ValueError("clear_history: pass the agent once, as agent= (classic) or recipient=, not both.")
        recipient = agent if agent is not None else recipient
        super().clear_history(recipient, nr_messages_to_preserve, nb_messages_to_preserve=nb_messages_to_preserve)
        if recipient is None and (nr_messages_to_preserve or nb_messages_to_preserve):
            for peer, conversation in self.chat_messages.items():
                self._unread_index[peer] = len(conversation)
            return
        self._queue_thread_deletion([recipient] if recipient is not None else list(self._openai_threads))
        if recipient is None:
            self._unread_index.clear()
            self._last_reply.clear()
        if not _loop_running():
            self._delete_queued_threads()

    def reset(self) -> None:
        """Forget everything (see ConversableAgent.reset) and delete all the agent's threads."""
        super().reset()
        self._queue_thread_deletion(list(self._openai_threads))
        self._delete_queued_threads()
        self._unread_index.clear()
        self._last_reply.clear()
        self.cancellation_requested = False

    def pretty_print_thread(self, thread: Any, order: str = "asc") -> None:
        """Print the messages of ``thread`` (a Thread or its id) in order, through the IOStream."""
        stream = self._iostream()
        if thread is None:
            stream.print("No thread to print")
            return
        thread_id = thread if isinstance(thread, str) else thread.id
        messages: List[Any] = []
        after = None
        while True:
            page = self._assistants_client.send(api.list_messages(thread_id, order=order, after=after))
            messages.extend(page.data)
            if not page.has_more or not page.data:
                break
            after = page.data[-1].id
        # the classic layout (print() of its parts, space separated)
        stream.print("~~~~~~~THREAD CONTENTS~~~~~~~")
        for message in messages:
            kinds = ", ".join(block.type for block in message.content)
            stream.print(f"[{message.created_at}] {message.role} : [ {kinds} ]")
            for block in message.content:
                if block.type == "text":
                    value: Any = block.text.value
                elif block.type == "image_file":
                    value = block.image_file.file_id
                else:
                    value = block
                stream.print(f"{block.type} :  {value}")
        stream.print("~~~~~~~~~~~~~~~~~~~~~~~~~~~~~")
