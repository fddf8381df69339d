"""Speaker selection of a group chat, as plain logic over a ``GroupChat``'s data.

Everything here is a function of the group chat (its agents, messages and settings) and of the last speaker. The only
outside effects are the ones a selection method needs: asking a human (``manual``, through the default IOStream) and
asking the LLM (``auto``). The LLM request is *yielded* as a :class:`~autogen._flow.Call` effect (see
:mod:`autogen._flow`), so the same code serves ``GroupChat.select_speaker`` and ``GroupChat.a_select_speaker``.

"auto" talks to an ``OpenAIWrapper`` directly (the manager's own, or one built once per group chat from
``select_speaker_auto_llm_config``): no helper agents are built per round, and the retry loop is a plain loop.
"""

from __future__ import annotations

import functools
import logging
import random
import re
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Tuple

from .._flow import Call, Flow
from ..exception_utils import NoEligibleSpeaker, UndefinedNextAgent
from ..io.base import IOStream
from .messages import content_text
from .printing import print_message

if TYPE_CHECKING:
    from .agent import Agent
    from .groupchat import GroupChat

logger = logging.getLogger(__name__)

# the classic names of the two sides of a selection round: they show in the requests and in verbose output
_ASKER = "checking_agent"
_ANSWERER = "speaker_selection_agent"

VALID_SPEAKER_SELECTION_METHODS = ("auto", "manual", "random", "round_robin")

__all__ = [
    "VALID_SPEAKER_SELECTION_METHODS",
    "auto_select_speaker_steps",
    "build_selection_messages",
    "eligible_speakers",
    "function_call_names",
    "manual_select_speaker",
    "mentioned_agents",
    "next_agent_in_order",
    "resolve_speaker",
    "select_speaker_steps",
    "selection_client",
]


# ----------------------------------------------------------------------------------------------------------------
# small pure helpers


def function_call_names(message: Dict[str, Any]) -> List[str]:
    """Names of the functions a message asks to call (legacy ``function_call`` and ``tool_calls`` of type function)."""
    names: list[str] = []
    function_call = message.get("function_call")
    if isinstance(function_call, dict) and function_call.get("name"):
        names.append(function_call["name"])
    for tool_call in message.get("tool_calls") or []:
        if isinstance(tool_call, dict) and tool_call.get("type", "function") == "function":
            name = (tool_call.get("function") or {}).get("name")
            if name:
                names.append(name)
    return names


def next_agent_in_order(agents: Sequence[Agent], agent: Agent, subset: Optional[Sequence[Agent]] = None) -> Agent:
    """The agent after ``agent`` in the order of ``agents``, skipping those outside ``subset``, wrapping around.

    An ``agent`` outside the group is treated as standing before the first one.
    Raises ``UndefinedNextAgent`` when ``subset`` is empty or holds agents outside ``agents``.
    """
    if subset is None:
        subset = agents
    if not subset or any(member not in agents for member in subset):
        raise UndefinedNextAgent()
    names = [a.name for a in agents]
    index = next((i for i, a in enumerate(agents) if a is agent), -1)
    if index < 0 and agent.name in names:
        index = names.index(agent.name)
    count = len(agents)
    for step in range(1, count + 1):
        candidate = agents[(index + step) % count]
        if candidate in subset:
            return candidate
    raise UndefinedNextAgent()  # pragma: no cover - subset is non-empty and inside agents


@functools.lru_cache(maxsize=1024)
def _mention_pattern(name: str) -> re.Pattern[str]:
    # The name as written, with underscores read as spaces, or with escaped underscores (as markdown writes them);
    # bounded by non-word characters on both sides (the text is padded with spaces before matching).
    variants = sorted({name, name.replace("_", " "), name.replace("_", r"\_")}, key=len, reverse=True)
    alternatives = "|".join(re.escape(v) for v in variants)
    return re.compile(rf"(?<=\W)(?:{alternatives})(?=\W)")


def mentioned_agents(text: Any, agents: Sequence[Agent]) -> Dict[str, int]:
    """How many times each agent's name occurs in ``text`` as a whole word (names not mentioned are left out)."""
    if isinstance(text, dict):
        text = text.get("content")
    padded = f" {content_text(text)} "
    mentions: dict[str, int] = {}
    for agent in agents:
        count = len(_mention_pattern(agent.name).findall(padded))
        if count:
            mentions[agent.name] = count
    return mentions


_DECORATION = " \t\r\n`'\"*_.:!"


def resolve_speaker(answer: Optional[str], candidates: Sequence[Agent]) -> Tuple[Optional[Agent], str]:
    """Find the agent an LLM answer names among ``candidates``.

    Returns ``(agent, "ok")``, or ``(None, "none")`` when the answer names no candidate, or ``(None, "multiple")`` when
    it names several. An answer that is exactly a name (quotes, backticks, bold and end punctuation aside) wins;
    otherwise the candidates mentioned as whole words are counted, and exactly one must be.
    """
    if not answer or not answer.strip():
        return None, "none"
    bare = answer.strip().strip(_DECORATION)
    for agent in candidates:
        if agent.name == answer.strip() or agent.name == bare:
            return agent, "ok"
    mentions = mentioned_agents(answer, candidates)
    if len(mentions) == 1:
        name = next(iter(mentions))
        return next(agent for agent in candidates if agent.name == name), "ok"
    return None, ("multiple" if mentions else "none")


# ----------------------------------------------------------------------------------------------------------------
# who may speak next


def _can_execute(agent: Agent, names: List[str]) -> bool:
    check = getattr(agent, "can_execute_function", None)
    return bool(check(names)) if callable(check) else False


def _may_follow(groupchat: GroupChat, last_speaker: Agent, agent: Agent, last_in_group: bool) -> bool:
    graph = groupchat._transition_graph
    if graph is not None:
        return not last_in_group or agent in graph.get(last_speaker, ())
    if agent is last_speaker:
        repeat = groupchat.allow_repeat_speaker
        if repeat is False:
            return False
        if isinstance(repeat, list):
            return last_speaker in repeat
    return True


def eligible_speakers(groupchat: GroupChat, last_speaker: Agent) -> Tuple[Optional[Agent], List[Agent]]:
    """The agents that may speak after ``last_speaker``, and the one that must speak when there is no choice.

    Returns ``(forced, candidates)``: ``forced`` is set when exactly one agent qualifies (no selection needed).
    Rules, in order: a pending function/tool call goes to the agents that can execute it (``func_call_filter``);
    then the transition graph (or, without one, ``allow_repeat_speaker``) narrows the choice.
    Raises ``NoEligibleSpeaker`` when the rules leave nobody (which ends the chat).
    """
    agents = groupchat.agents
    if len(agents) < 2:
        raise ValueError(
            f"GroupChat is underpopulated with {len(agents)} agents. "
            "Please add more agents to the GroupChat or use direct communication instead. "
            "For two agents, use initiate_chat directly."
        )
    if len(agents) == 2 and groupchat.allow_repeat_speaker is not False and not groupchat._warned_two_agents:
        method = groupchat.speaker_selection_method
        if not (isinstance(method, str) and method.lower() == "round_robin"):
            groupchat._warned_two_agents = True
            logger.warning(
                "GroupChat is underpopulated with 2 agents. Consider setting speaker_selection_method to "
                "'round_robin' or allow_repeat_speaker to False, or use direct communication, unless repeated "
                "speaker is desired."
            )

    candidates: List[Agent] = list(agents)
    routing_call = False
    if groupchat.func_call_filter and groupchat.messages:
        names = function_call_names(groupchat.messages[-1])
        if names:
            executors = [agent for agent in agents if _can_execute(agent, names)]
            if not executors:
                executors = [agent for agent in agents if getattr(agent, "function_map", None)]
            if not executors:
                raise ValueError(
                    f"No agent can execute the function {', '.join(names)}. Please check the function_map of the "
                    "agents. Register the function(s) "
                    "for execution on one agent of the group chat (register_function(..., executor=agent) or "
                    "agent.register_for_execution())."
                )
            if len(executors) == 1:
                return executors[0], executors
            candidates = executors
            routing_call = True

    last_in_group = last_speaker in agents
    narrowed = [agent for agent in candidates if _may_follow(groupchat, last_speaker, agent, last_in_group)]
    if not narrowed:
        if routing_call:
            # A pending call must be answered by an agent that can execute it, even where the graph says otherwise.
            narrowed = candidates
        else:
            raise NoEligibleSpeaker(
                f"No agent may speak after {last_speaker.name!r}: the speaker transitions and allow_repeat_speaker "
                "leave no candidate."
            )
    if len(narrowed) == 1:
        return narrowed[0], narrowed
    return None, narrowed


# ----------------------------------------------------------------------------------------------------------------
# manual


def manual_select_speaker(agents: Sequence[Agent]) -> Optional[Agent]:
    """Ask the human (through the default IOStream) to pick the next speaker from a numbered list.

    Invalid answers are asked again (three tries in all); an empty answer or ``q`` returns None, and the group chat
    then moves to the next agent in order (classic's "auto selection" here never asked the model).
    """
    iostream = IOStream.get_default()
    iostream.print("Please select the next speaker from the following list:")
    for number, agent in enumerate(agents, start=1):
        iostream.print(f"{number}: {agent.name}")
    tries = 3
    for attempt in range(1, tries + 1):
        answer = iostream.input(
            "Enter the number of the next speaker (enter nothing or `q` to use auto selection): "
        ).strip()
        if answer in ("", "q"):
            return None
        if answer.isdigit() and 1 <= int(answer) <= len(agents):
            return agents[int(answer) - 1]
        if attempt < tries:
            iostream.print(f"Invalid input. Please enter a number between 1 and {len(agents)}.")
    iostream.print(f"You have tried {tries} times. The next speaker will be selected automatically.")
    return None


# ----------------------------------------------------------------------------------------------------------------
# auto


_VALID_OPENAI_NAME = re.compile(r"^[^\s<|\\/>]{1,64}$")


def _describe_calls(message: Dict[str, Any]) -> List[str]:
    lines: list[str] = []
    function_call = message.get("function_call")
    if isinstance(function_call, dict) and function_call.get("name"):
        lines.append(f"[calls function {function_call['name']}({function_call.get('arguments', '')})]")
    for tool_call in message.get("tool_calls") or []:
        function = (tool_call or {}).get("function") or {}
        if function.get("name"):
            lines.append(f"[calls tool {function['name']}({function.get('arguments', '')})]")
    return lines


def selection_message(message: Dict[str, Any]) -> Dict[str, Any]:
    """One group chat message as the selector sees it: plain text, with calls and tool results written out.

    Tool and function messages become text, so the request stays valid whatever the history holds (a tool result
    without its call, say).
    """
    role = message.get("role")
    parts: list[str] = []
    responses = message.get("tool_responses")
    if role in ("tool", "function") or responses:
        if responses:
            parts.extend(f"[tool result] {content_text(r.get('content'))}" for r in responses if isinstance(r, dict))
        else:
            parts.append(f"[{role} result] {content_text(message.get('content'))}")
    else:
        text = content_text(message.get("content"))
        if text:
            parts.append(text)
    parts.extend(_describe_calls(message))
    text = "\n".join(parts)
    out: dict[str, Any] = {"role": role if role in ("user", "assistant", "system") else "user"}
    name = message.get("name")
    if isinstance(name, str) and name:
        if _VALID_OPENAI_NAME.match(name):
            out["name"] = name
        else:
            text = f"{name}: {text}"
    out["content"] = text
    return out


def _conversation_view(groupchat: GroupChat) -> List[Dict[str, Any]]:
    """``groupchat.messages`` converted by :func:`selection_message`, cached so a round converts only new messages."""
    messages = groupchat.messages
    sources = groupchat._view_sources
    view = groupchat._view
    if len(sources) > len(messages) or (sources and messages[len(sources) - 1] is not sources[-1]):
        sources.clear()
        view.clear()
    for message in messages[len(sources) :]:
        sources.append(message)
        view.append(selection_message(message))
    if view:
        view[-1] = selection_message(messages[-1])  # the last message may still be edited in place
    return view


def build_selection_messages(groupchat: GroupChat, agents: Sequence[Agent]) -> List[Dict[str, Any]]:
    """The request to the selector LLM: the roles (descriptions) as system message, the conversation, the question."""
    messages: list[dict[str, Any]] = [{"role": "system", "content": groupchat.select_speaker_msg(list(agents))}]
    messages.extend(_conversation_view(groupchat))
    if groupchat.select_speaker_prompt_template:
        messages.append(
            {
                "role": groupchat.role_for_select_speaker_messages,
                "content": groupchat.select_speaker_prompt(list(agents)),
                "name": _ASKER,
            }
        )
    transform = groupchat.select_speaker_transform_messages
    if transform is not None:
        # A TransformMessages capability (contrib) or anything with the same method: applied to all but the system
        # message, as it would be for an agent's LLM request.
        apply = getattr(transform, "_transform_messages", None) or getattr(transform, "apply_transform", None)
        if callable(apply):
            messages = messages[:1] + list(apply(messages[1:]))
    return messages


def _listify(value: Any) -> List[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


_TOOL_KEYS = ("functions", "tools", "tool_choice", "function_call")


def selection_client(groupchat: GroupChat, selector: Optional[Any]) -> Optional[Any]:
    """The OpenAIWrapper that answers "auto" selection requests, or None when there is no LLM to ask.

    A dedicated wrapper (built once per group chat and reused every round) serves when
    ``select_speaker_auto_llm_config`` is set (on the group chat, else on the manager) or a custom
    ``select_speaker_auto_model_client_cls`` is given; otherwise the selector's (the manager's) own client.
    """
    config = groupchat.select_speaker_auto_llm_config
    if config is None and selector is not None:
        config = getattr(selector, "select_speaker_auto_llm_config", None)
    client_classes = _listify(groupchat.select_speaker_auto_model_client_cls)
    if config is None and not client_classes:
        return getattr(selector, "client", None) if selector is not None else None
    if config is None:
        config = getattr(selector, "llm_config", None)
    if not config:
        return None
    key = (id(config), tuple(id(c) for c in client_classes))
    if groupchat._selection_client is None or groupchat._selection_client_key != key:
        from ..oai.client import OpenAIWrapper

        params = {k: v for k, v in dict(config).items() if k not in _TOOL_KEYS}
        wrapper = OpenAIWrapper(**params)
        for client_class in client_classes:
            wrapper.register_model_client(client_class)
        groupchat._selection_client = wrapper
        groupchat._selection_client_key = key
    return groupchat._selection_client


def _answer_text(client: Any, response: Any) -> Optional[str]:
    extract = getattr(client, "extract_text_or_completion_object", None)
    answers = extract(response) if callable(extract) else [response]
    if not answers:
        return None
    first = answers[0]
    if isinstance(first, str):
        return first
    if isinstance(first, dict):
        return content_text(first.get("content")) or None
    content = getattr(first, "content", None)
    return content_text(content) if content is not None else None


def auto_select_speaker_steps(
    groupchat: GroupChat, last_speaker: Agent, selector: Optional[Any], agents: Sequence[Agent]
) -> Flow[Agent]:
    """Ask the LLM who speaks next among ``agents``; retry with feedback; fall back to the next agent in order."""
    client = selection_client(groupchat, selector)
    if client is None:
        if not groupchat._warned_no_llm:
            groupchat._warned_no_llm = True
            logger.warning(
                "speaker_selection_method='auto' needs an LLM, but the group chat manager has no llm_config and no "
                "select_speaker_auto_llm_config is set: speakers are taken in order instead."
            )
        return next_agent_in_order(groupchat.agents, last_speaker, agents)

    iostream = IOStream.get_default()
    verbose = groupchat.select_speaker_auto_verbose
    messages = build_selection_messages(groupchat, agents)
    extra: dict[str, Any] = dict(groupchat.select_speaker_auto_llm_args or {})
    cache = getattr(selector, "client_cache", None)
    if cache is not None and "cache" not in extra:
        extra["cache"] = cache
    agentlist = f"{[agent.name for agent in agents]}"
    attempts = 1 + groupchat.max_retries_for_selecting_speaker
    answer: Optional[str] = None
    question = messages[-1]
    for attempt in range(1, attempts + 1):
        if verbose:  # classic showed each selection round as a chat between these two agents
            print_message(iostream, question, _ASKER, _ANSWERER)
        response = yield Call(client, "create", messages=messages, **extra)
        answer = _answer_text(client, response)
        if verbose:
            print_message(iostream, {"content": answer, "role": "assistant"}, _ANSWERER, _ASKER)
        chosen, problem = resolve_speaker(answer, agents)
        if chosen is not None:
            if verbose:
                iostream.print(
                    f">>>>>>>> Select speaker attempt {attempt} of {attempts} successfully selected: {chosen.name}",
                    flush=True,
                )
            return chosen
        if verbose:
            if problem == "multiple":
                classic = f"Select speaker attempt {attempt} of {attempts} failed as it included multiple agent names."
            else:
                classic = f"Select speaker attempt #{attempt} failed as it did not include any agent names."
            iostream.print(f">>>>>>>> {classic}", flush=True)
        if attempt < attempts:
            template = (
                groupchat.select_speaker_auto_multiple_template
                if problem == "multiple"
                else groupchat.select_speaker_auto_none_template
            )
            question = {
                "role": groupchat.role_for_select_speaker_messages,
                "content": template.format(agentlist=agentlist),
                "name": _ASKER,
            }
            messages = [*messages, {"role": "assistant", "content": answer or "", "name": _ANSWERER}, question]
    fallback = next_agent_in_order(groupchat.agents, last_speaker, agents)
    logger.warning(
        "GroupChat select_speaker failed to resolve the next speaker's name. This is because the speaker selection "
        "OAI call returned:\n%s\nSpeaker selection failed after %d attempt(s); %s speaks next (next in order).",
        answer,
        attempts,
        fallback.name,
    )
    if verbose:
        iostream.print(f">>>>>>>> Select speaker failed; falling back to the next agent in order: {fallback.name}")
    return fallback


# ----------------------------------------------------------------------------------------------------------------
# the whole selection


def _method_name(method: str) -> str:
    lowered = method.lower()
    if lowered not in VALID_SPEAKER_SELECTION_METHODS:
        raise ValueError(
            f"GroupChat speaker_selection_method is set to '{method}'. It should be one of "
            f"{list(VALID_SPEAKER_SELECTION_METHODS)} (case insensitive). "  # the classic sentence, then ours
            "It may also be a callable (last_speaker, groupchat) -> Agent | str | None."
        )
    return lowered


def select_speaker_steps(groupchat: GroupChat, last_speaker: Agent, selector: Optional[Any]) -> Flow[Agent]:
    """Choose the next speaker with the group chat's ``speaker_selection_method``.

    A callable method returns an agent of the group (taken as is), a method name (applied like a configured one), or
    None (raises ``NoEligibleSpeaker``, which ends the chat).
    """
    method: Any = groupchat.speaker_selection_method
    if callable(method):
        choice = method(last_speaker, groupchat)
        if choice is None:
            raise NoEligibleSpeaker("Custom speaker selection function returned None. Terminating conversation.")
        if isinstance(choice, str):
            method = choice
        elif choice in groupchat.agents:
            return choice  # type: ignore[no-any-return]
        elif isinstance(getattr(choice, "name", None), str):
            raise ValueError(
                f"Custom speaker selection function returned an agent {choice.name} not in the group chat. "
                "Return an agent of the group, a selection method name, or None to end the chat."
            )
        else:
            raise ValueError(
                f"Custom speaker selection function returned an object of type {type(choice)} instead of Agent or "
                "str. Return an agent of the group, a selection method name, or None to end the chat."
            )
    method = _method_name(method)

    forced, candidates = eligible_speakers(groupchat, last_speaker)
    if forced is not None:
        return forced
    if method == "round_robin":
        return next_agent_in_order(groupchat.agents, last_speaker, candidates)
    if method == "random":
        return random.choice(candidates)
    if method == "manual":
        chosen = manual_select_speaker(candidates)
        # no choice (empty answer, `q`, or too many invalid ones): the next agent in order speaks, as in classic
        return chosen if chosen is not None else next_agent_in_order(groupchat.agents, last_speaker, candidates)
    return (yield from auto_select_speaker_steps(groupchat, last_speaker, selector, candidates))
