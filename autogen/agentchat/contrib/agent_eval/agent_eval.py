"""``generate_criteria`` and ``quantify_criteria``: the two steps of AgentEval.

::

    task = Task(name="Math problem solving", description="...", successful_response="...", failed_response="...")
    criteria = generate_criteria(llm_config, task, use_subcritic=True)
    result = quantify_criteria(llm_config, criteria, task, test_case=response_text, ground_truth="true")

Answers that cannot be used (not JSON, missing grades, grades that are not accepted values) are sent back
to the agent that wrote them with what to fix, ``max_retries`` times, before :class:`AgentEvalError`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, TypeVar

from ..model_answers import AnswerError
from .parsing import AgentEvalError, nest_grades, parse_criteria, parse_grades

if TYPE_CHECKING:
    from ...conversable_agent import ConversableAgent
    from .criterion import Criterion
    from .task import Task

__all__ = ["AgentEvalError", "generate_criteria", "quantify_criteria"]

T = TypeVar("T")


def _user(name: str) -> ConversableAgent:
    from ...user_proxy_agent import UserProxyAgent

    return UserProxyAgent(
        name=name, human_input_mode="NEVER", max_consecutive_auto_reply=0, code_execution_config=False
    )


def _repair(
    user: ConversableAgent,
    agent: ConversableAgent,
    text: str,
    parse: Callable[[str], T],
    max_retries: int,
    context: str,
    what: str,
) -> T:
    """``parse(text)``; while it fails, show ``agent`` its answer with the feedback and parse the new one."""
    for attempt in range(max_retries + 1):
        try:
            return parse(text)
        except AnswerError as error:
            if attempt == max_retries:
                raise AgentEvalError(
                    f"The {agent.name} gave no usable {what} in {max_retries + 1} attempt(s): {error.problem} "
                    f"Its last answer was: {text[:300]!r}."
                ) from error
            message = f"{context}\n\nYour answer was:\n{text}\n\n{error.feedback}"
            result = user.initiate_chat(agent, message=message, max_turns=1, silent=True, clear_history=True)
            text = _content(result.chat_history[-1] if result.chat_history else None)
    raise AssertionError("unreachable")


def _content(message: Optional[Dict[str, Any]]) -> str:
    content = (message or {}).get("content")
    return content if isinstance(content, str) else ""


def generate_criteria(
    llm_config: Optional[Dict[str, Any]] = None,
    task: Optional[Task] = None,
    additional_instructions: str = "",
    max_round: int = 2,
    use_subcritic: bool = False,
    *,
    max_retries: int = 2,
) -> List[Criterion]:
    """The criteria for judging responses to ``task``, from a CriticAgent (then a SubCriticAgent adding
    sub-criteria, when ``use_subcritic``) in a round-robin group chat of at most ``max_round`` messages
    (raised to the number of participants, so that each one speaks)."""
    from ...groupchat import GroupChat, GroupChatManager
    from .critic_agent import CriticAgent
    from .subcritic_agent import SubCriticAgent

    if not llm_config or task is None:
        raise ValueError("generate_criteria needs an llm_config and a task.")
    system_message = CriticAgent.DEFAULT_SYSTEM_MESSAGE
    if additional_instructions:
        system_message += "\n\n" + additional_instructions
    critic = CriticAgent(system_message=system_message, llm_config=llm_config)
    critic_user = _user("critic_user")
    agents: List[Any] = [critic_user, critic]
    if use_subcritic:
        agents.append(SubCriticAgent(llm_config=llm_config))
    groupchat = GroupChat(
        agents=agents, messages=[], max_round=max(max_round, len(agents)), speaker_selection_method="round_robin"
    )
    manager = GroupChatManager(groupchat=groupchat, llm_config=llm_config, silent=True)
    critic_user.initiate_chat(manager, message=task.get_sys_message(), silent=True)

    by_name = {agent.name: agent for agent in agents[1:]}
    last = next((m for m in reversed(groupchat.messages) if m.get("name") in by_name), None)
    if last is None:
        raise AgentEvalError("The critic did not answer: the group chat ended before it spoke.")
    author = by_name[last["name"]]
    context = f"{task.get_sys_message()}\n\nGive the evaluation criteria for this task."
    return _repair(critic_user, author, _content(last), parse_criteria, max_retries, context, "criteria")


def quantify_criteria(
    llm_config: Optional[Dict[str, Any]] = None,
    criteria: Optional[List[Criterion]] = None,
    task: Optional[Task] = None,
    test_case: str = "",
    ground_truth: Any = "",
    *,
    max_retries: int = 2,
) -> Dict[str, Any]:
    """Grade ``test_case`` (a response to ``task``) by each criterion with a QuantifierAgent.

    Returns ``{"actual_success": ground_truth, "estimated_performance": <the grades as JSON text>,
    "quantified": {criterion path: grade}}`` (a path is the criterion's name, "name/sub" for a sub-criterion).
    """
    import json

    from .criterion import Criterion
    from .quantifier_agent import QuantifierAgent

    if not llm_config or task is None or not criteria:
        raise ValueError("quantify_criteria needs an llm_config, the criteria and a task.")
    quantifier = QuantifierAgent(llm_config=llm_config)
    quantifier_user = _user("quantifier_user")
    message = (
        f"{task.get_sys_message()}\n\nEvaluation criteria (JSON):\n{Criterion.write_json(criteria)}\n\n"
        f"The response to grade:\n{test_case}"
    )
    result = quantifier_user.initiate_chat(quantifier, message=message, max_turns=1, silent=True)
    history = result.chat_history or []
    answer = _content(history[-1] if len(history) > 1 else None)
    grades = _repair(
        quantifier_user,
        quantifier,
        answer,
        lambda text: parse_grades(text, criteria),
        max_retries,
        message,
        "grades",
    )
    return {
        "actual_success": ground_truth,
        "estimated_performance": json.dumps(nest_grades(grades)),
        "quantified": grades,
    }
