"""GroupChat: who takes part in a group conversation, what was said, and how the next speaker is chosen.

``GroupChat`` is configuration and state (a dataclass). The selection logic lives in
:mod:`autogen.agentchat.speaker_selection`; the manager agent that runs the rounds lives in
:mod:`autogen.agentchat.groupchat_manager` and is re-exported here (lazily: ``from autogen.agentchat.groupchat import
GroupChatManager`` works as it always did).
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Dict, List, Literal, Optional, Set, Union

from .._flow import run_async, run_sync
from ..code_utils import content_str
from ..exception_utils import AgentNameConflict
from ..graph_utils import _check_graph_structure, check_graph_validity, invert_disallowed_to_allowed
from . import speaker_selection as _selection

if TYPE_CHECKING:
    from .agent import Agent
    from .groupchat_manager import GroupChatManager

logger = logging.getLogger(__name__)

__all__ = ["GroupChat", "GroupChatManager"]

SpeakerSelectionMethod = Union[
    Literal["auto", "manual", "random", "round_robin"],
    Callable[..., Any],
]

DEFAULT_SELECT_SPEAKER_MESSAGE_TEMPLATE = """You coordinate a conversation between several participants. Each one is \
listed with what they do:
{roles}

Read the conversation that follows, then decide which participant from {agentlist} should speak next. \
Reply with that participant's name and nothing else."""

DEFAULT_SELECT_SPEAKER_PROMPT_TEMPLATE = (
    "Based on the conversation above, which participant from {agentlist} should speak next? Reply with the name only."
)

DEFAULT_SELECT_SPEAKER_AUTO_MULTIPLE_TEMPLATE = """Your answer named more than one participant. Reply with exactly \
one name from {agentlist}: the participant who should speak next. If the conversation says who should go next, \
choose that one; otherwise choose the first participant your previous answer named. Write the name exactly as \
listed (names are case-sensitive) and give no explanation."""

DEFAULT_SELECT_SPEAKER_AUTO_NONE_TEMPLATE = """Your answer did not name a participant from {agentlist}. Reply with \
exactly one of those names: the participant who should speak next. Write the name exactly as listed (names are \
case-sensitive) and give no explanation."""

DEFAULT_INTRO_MSG = """Hello everyone. We are a team working together on the tasks and questions that come up \
in this conversation. These are the participants:"""


@dataclass
class GroupChat:
    """A group chat of several agents, driven by a ``GroupChatManager``.

    Args:
        agents: the participants.
        messages: the messages said so far (each a dict with "content", "role" and the speaker's "name").
        max_round: the most messages a run of the chat produces, the first one included.
        admin_name: the name of the human admin: on KeyboardInterrupt the agent with this name speaks next.
        func_call_filter: when the last message calls a function or tool, only agents that can execute it may speak.
        speaker_selection_method: "auto" (an LLM chooses from the agents' descriptions), "round_robin", "random",
            "manual" (a human chooses), or a callable ``(last_speaker, groupchat) -> Agent | str | None`` returning the
            next speaker, a method name to apply, or None to end the chat.
        max_retries_for_selecting_speaker: how many times "auto" asks again when the answer names no eligible
            agent or several; after that the next agent in order speaks.
        allow_repeat_speaker: whether an agent may speak twice in a row: True, False, or the list of agents that may.
            With a transition graph leave it True: the graph's self-loops decide.
        allowed_or_disallowed_speaker_transitions: a graph ``{agent: [agents]}`` of the transitions that are allowed
            (or disallowed, see ``speaker_transitions_type``) from one speaker to the next.
        speaker_transitions_type: "allowed" or "disallowed": how to read the graph above.
        enable_clear_history: honour a ``clear history [agent name] [number of messages to keep]`` command in a
            human's reply (a reply given as a message dict; a model's text reply is never read as a command).
        send_introductions: start each chat by telling every agent who the participants are.
        select_speaker_message_template: the system message of an "auto" selection request; ``{roles}`` becomes the
            list of "name: description" lines and ``{agentlist}`` the list of eligible names.
        select_speaker_prompt_template: the question closing an "auto" selection request (``{agentlist}``);
            None leaves it out.
        select_speaker_auto_multiple_template: feedback when the answer named several agents (``{agentlist}``).
        select_speaker_auto_none_template: feedback when the answer named no eligible agent (``{agentlist}``).
        select_speaker_transform_messages: message transforms (e.g. contrib ``TransformMessages``) applied to the
            conversation sent for "auto" selection.
        select_speaker_auto_verbose: print each "auto" selection attempt.
        select_speaker_auto_model_client_cls: custom ModelClient class(es) for the selection LLM.
        select_speaker_auto_llm_config: the llm_config of the selection LLM (default: the manager's).
        role_for_select_speaker_messages: the role of the selection question and feedback messages.
        select_speaker_auto_llm_args: extra arguments for each selection request (e.g. ``{"temperature": 0}``).
    """

    agents: List[Agent]
    messages: List[Dict[str, Any]] = field(default_factory=list)
    max_round: int = 10
    admin_name: str = "Admin"
    func_call_filter: bool = True
    speaker_selection_method: SpeakerSelectionMethod = "auto"
    max_retries_for_selecting_speaker: int = 2
    allow_repeat_speaker: Optional[Union[bool, List[Agent]]] = True
    allowed_or_disallowed_speaker_transitions: Optional[Dict[Any, List[Any]]] = None
    speaker_transitions_type: Literal["allowed", "disallowed", None] = None
    enable_clear_history: bool = False
    send_introductions: bool = False
    select_speaker_message_template: str = DEFAULT_SELECT_SPEAKER_MESSAGE_TEMPLATE
    select_speaker_prompt_template: Optional[str] = DEFAULT_SELECT_SPEAKER_PROMPT_TEMPLATE
    select_speaker_auto_multiple_template: str = DEFAULT_SELECT_SPEAKER_AUTO_MULTIPLE_TEMPLATE
    select_speaker_auto_none_template: str = DEFAULT_SELECT_SPEAKER_AUTO_NONE_TEMPLATE
    select_speaker_transform_messages: Optional[Any] = None
    select_speaker_auto_verbose: Optional[bool] = False
    select_speaker_auto_model_client_cls: Optional[Union[Any, List[Any]]] = None
    select_speaker_auto_llm_config: Optional[Union[Dict[str, Any], Literal[False]]] = None
    role_for_select_speaker_messages: Optional[str] = "system"
    select_speaker_auto_llm_args: Optional[Dict[str, Any]] = None

    # derived state, not configuration
    allowed_speaker_transitions_dict: Dict[Any, List[Any]] = field(init=False, repr=False, compare=False)
    _transition_graph: Optional[Dict[Any, List[Any]]] = field(init=False, repr=False, compare=False, default=None)
    _view: List[Dict[str, Any]] = field(init=False, repr=False, compare=False, default_factory=list)
    _view_sources: List[Dict[str, Any]] = field(init=False, repr=False, compare=False, default_factory=list)
    _selection_client: Any = field(init=False, repr=False, compare=False, default=None)
    _selection_client_key: Any = field(init=False, repr=False, compare=False, default=None)
    _warned_two_agents: bool = field(init=False, repr=False, compare=False, default=False)
    _warned_no_llm: bool = field(init=False, repr=False, compare=False, default=False)
    _warned_empty_description: Set[str] = field(init=False, repr=False, compare=False, default_factory=set)

    DEFAULT_INTRO_MSG: ClassVar[str] = DEFAULT_INTRO_MSG
    _VALID_SPEAKER_SELECTION_METHODS: ClassVar[List[str]] = list(_selection.VALID_SPEAKER_SELECTION_METHODS)
    _VALID_SPEAKER_TRANSITIONS_TYPE: ClassVar[List[Optional[str]]] = ["allowed", "disallowed", None]

    def __post_init__(self) -> None:
        self.agents = list(self.agents)
        self._check_names()
        self._check_selection_settings()
        self._build_transitions()

    # -- validation ------------------------------------------------------------------------------------------------

    def _check_names(self) -> None:
        # As in the classic package, names need not be unique (nested teams reuse them): agent_by_name returns
        # the first match, and raises AgentNameConflict only when asked to (raise_on_name_conflict=True).
        names = [agent.name for agent in self.agents]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            logger.warning(
                "Several agents of the group chat share a name (%s): selecting a speaker by name picks the first.",
                duplicates,
            )

    def _check_selection_settings(self) -> None:
        method = self.speaker_selection_method
        if isinstance(method, str):
            _selection._method_name(method)
        elif not callable(method):
            raise ValueError(
                f"speaker_selection_method must be one of {self._VALID_SPEAKER_SELECTION_METHODS} or a callable, "
                f"got {method!r}."
            )
        if self.allow_repeat_speaker is None:
            self.allow_repeat_speaker = True
        if isinstance(self.allow_repeat_speaker, list):
            strangers = [getattr(a, "name", a) for a in self.allow_repeat_speaker if a not in self.agents]
            if strangers:
                raise ValueError(f"allow_repeat_speaker lists agents that are not in the group chat: {strangers}.")
        elif not isinstance(self.allow_repeat_speaker, bool):
            raise ValueError(
                "GroupChat allow_repeat_speaker should be a bool or a list of Agents. Pass True, False or a list "
                f"of agents of the group chat; got {self.allow_repeat_speaker!r}."
            )
        if not isinstance(self.select_speaker_message_template, str) or not self.select_speaker_message_template:
            raise ValueError("select_speaker_message_template cannot be empty or None.")
        if self.select_speaker_prompt_template is not None and not isinstance(self.select_speaker_prompt_template, str):
            raise ValueError("select_speaker_prompt_template must be a string, or None to send no closing prompt.")
        for name in ("select_speaker_auto_multiple_template", "select_speaker_auto_none_template"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value:
                raise ValueError(f"{name} cannot be empty or None.")
        if not isinstance(self.role_for_select_speaker_messages, str) or not self.role_for_select_speaker_messages:
            raise ValueError("role_for_select_speaker_messages cannot be empty or None.")
        retries = self.max_retries_for_selecting_speaker
        if isinstance(retries, bool) or not isinstance(retries, int):
            raise ValueError(
                "max_retries_for_selecting_speaker cannot be None or non-int. Pass an int (0 or more); "
                f"got {retries!r}."
            )
        if retries < 0:
            raise ValueError("max_retries_for_selecting_speaker must be greater than or equal to zero.")
        if not isinstance(self.select_speaker_auto_verbose, bool):
            raise ValueError("select_speaker_auto_verbose cannot be None or non-bool. Pass True or False.")

    def _build_transitions(self) -> None:
        transitions = self.allowed_or_disallowed_speaker_transitions
        kind = self.speaker_transitions_type
        if transitions is None:
            self._transition_graph = None
            repeat = self.allow_repeat_speaker
            self.allowed_speaker_transitions_dict = {
                agent: [
                    other
                    for other in self.agents
                    if other is not agent or repeat is True or (isinstance(repeat, list) and agent in repeat)
                ]
                for agent in self.agents
            }
            return
        if kind is None:
            raise ValueError(
                "GroupChat allowed_or_disallowed_speaker_transitions is not None, but speaker_transitions_type is "
                "None. Please set speaker_transitions_type to either 'allowed' or 'disallowed'."
            )
        if kind not in ("allowed", "disallowed"):
            raise ValueError(
                f"GroupChat speaker_transitions_type is set to '{kind}'. It should be one of "
                "['allowed', 'disallowed', None] (case insensitive)."
            )
        if self.allow_repeat_speaker is not True:
            raise ValueError(
                "Don't provide both allowed_or_disallowed_speaker_transitions and allow_repeat_speaker in group "
                "chat. Please set one of them to None. With a "
                "transition graph, an agent may speak twice in a row when the graph has a self-loop for it. Leave "
                "allow_repeat_speaker at its default (True)."
            )
        if kind == "allowed":
            allowed = transitions
            _check_graph_structure(allowed, self.agents)  # stricter than check_graph_validity: no outside agents
        else:
            _check_graph_structure(transitions, self.agents)
            allowed = invert_disallowed_to_allowed(transitions, self.agents)
        check_graph_validity(allowed_speaker_transitions_dict=allowed, agents=self.agents)
        self.allowed_speaker_transitions_dict = allowed
        self._transition_graph = allowed

    # -- participants --------------------------------------------------------------------------------------------

    @property
    def agent_names(self) -> List[str]:
        """The names of the agents, in order."""
        return [agent.name for agent in self.agents]

    def nested_agents(self) -> List[Agent]:
        """The agents of this group chat, then (recursively) those of the group chats their managers run."""
        found: list[Agent] = list(self.agents)
        for agent in self.agents:
            inner = getattr(agent, "groupchat", None)
            if isinstance(inner, GroupChat) and inner is not self:
                found.extend(inner.nested_agents())
        return found

    def agent_by_name(
        self, name: str, recursive: bool = False, raise_on_name_conflict: bool = False
    ) -> Optional[Agent]:
        """The agent called ``name`` (searching nested group chats too when ``recursive``), or None.

        With ``raise_on_name_conflict``, several agents of that name raise ``AgentNameConflict``.
        """
        pool = self.nested_agents() if recursive else self.agents
        matches = [agent for agent in pool if agent.name == name]
        if raise_on_name_conflict and len(matches) > 1:
            raise AgentNameConflict(
                f"Found multiple agents with the same name. {len(matches)} agents of the group chat are named {name!r}."
            )
        return matches[0] if matches else None

    def next_agent(self, agent: Agent, agents: Optional[List[Agent]] = None) -> Agent:
        """The agent after ``agent`` in the group's order, among ``agents`` (default: all)."""
        return _selection.next_agent_in_order(self.agents, agent, agents)

    # -- messages ------------------------------------------------------------------------------------------------

    def append(self, message: Dict[str, Any], speaker: Agent) -> None:
        """Record ``message`` as said by ``speaker`` (sets its "name"; a non-text content is turned into text, no
        content into "" as in classic, e.g. for a message that only calls tools)."""
        if message.get("role") != "function":
            message["name"] = speaker.name
        content = message.get("content")
        if content is None:
            message["content"] = ""
        elif isinstance(content, list):
            message["content"] = content_str(content)
        elif content is not None and not isinstance(content, str):
            message["content"] = str(content)
        self.messages.append(message)

    def reset(self) -> None:
        """Forget the messages."""
        self.messages.clear()
        self._view.clear()
        self._view_sources.clear()

    # -- prompts -------------------------------------------------------------------------------------------------

    def _participant_roles(self, agents: Optional[List[Agent]] = None) -> str:
        lines = []
        for agent in self.agents if agents is None else agents:
            description = getattr(agent, "description", None) or ""
            if not description.strip() and agent.name not in self._warned_empty_description:
                self._warned_empty_description.add(agent.name)
                logger.warning(
                    "The agent %r has an empty description, and may not work well with GroupChat.", agent.name
                )
            lines.append(f"{agent.name}: {description}".strip())
        return "\n".join(lines)

    def select_speaker_msg(self, agents: Optional[List[Agent]] = None) -> str:
        """The system message of an "auto" selection request: the agents' roles (descriptions) and names."""
        agents = self.agents if agents is None else agents
        return self.select_speaker_message_template.format(
            roles=self._participant_roles(agents), agentlist=f"{[agent.name for agent in agents]}"
        )

    def select_speaker_prompt(self, agents: Optional[List[Agent]] = None) -> Optional[str]:
        """The question that closes an "auto" selection request (None without a prompt template, as in classic)."""
        if self.select_speaker_prompt_template is None:
            return None
        agents = self.agents if agents is None else agents
        return self.select_speaker_prompt_template.format(agentlist=f"{[agent.name for agent in agents]}")

    def introductions_msg(self, agents: Optional[List[Agent]] = None) -> str:
        """The message that introduces the participants (sent when ``send_introductions`` is on)."""
        agents = self.agents if agents is None else agents
        return f"{self.DEFAULT_INTRO_MSG}\n\n{self._participant_roles(agents)}"

    def _mentioned_agents(self, message_content: Any, agents: Optional[List[Agent]]) -> Dict[str, int]:
        """How many times each agent's name is mentioned in ``message_content`` (whole words only)."""
        return _selection.mentioned_agents(message_content, self.agents if agents is None else agents)

    # -- selection -----------------------------------------------------------------------------------------------

    def manual_select_speaker(self, agents: Optional[List[Agent]] = None) -> Optional[Agent]:
        """Ask the human to choose the next speaker; None when they leave it to automatic selection."""
        return _selection.manual_select_speaker(self.agents if agents is None else agents)

    def random_select_speaker(self, agents: Optional[List[Agent]] = None) -> Agent:
        """A random agent among ``agents`` (default: all)."""
        return random.choice(self.agents if agents is None else agents)

    def select_speaker(self, last_speaker: Agent, selector: Any) -> Agent:
        """Choose the next speaker. ``selector`` is the manager: its LLM client serves "auto" selection."""
        return run_sync(_selection.select_speaker_steps(self, last_speaker, selector))

    async def a_select_speaker(self, last_speaker: Agent, selector: Any) -> Agent:
        """Choose the next speaker (async: the "auto" LLM request does not block the event loop)."""
        return await run_async(_selection.select_speaker_steps(self, last_speaker, selector))

    def _auto_select_speaker(
        self, last_speaker: Agent, selector: Any, messages: Any = None, agents: Any = None
    ) -> Agent:
        """Classic: let the LLM of ``selector`` choose among ``agents`` (default: all), whatever the selection
        method. ``messages`` is accepted for the classic signature; the group chat's own messages are used."""
        return run_sync(_selection.auto_select_speaker_steps(self, last_speaker, selector, agents or self.agents))

    async def a_auto_select_speaker(
        self, last_speaker: Agent, selector: Any, messages: Any = None, agents: Any = None
    ) -> Agent:
        """Async :meth:`_auto_select_speaker`."""
        return await run_async(
            _selection.auto_select_speaker_steps(self, last_speaker, selector, agents or self.agents)
        )


def __getattr__(name: str) -> Any:
    # GroupChatManager lives in groupchat_manager.py (it is an agent, and imports the agent core); it is re-exported
    # here lazily, so importing GroupChat alone stays light and the two modules import each other without a cycle.
    if name == "GroupChatManager":
        from .groupchat_manager import GroupChatManager

        globals()[name] = GroupChatManager
        return GroupChatManager
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
