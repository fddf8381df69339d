"""AgentOptimizer: train the functions of agents from their conversations, like the weights of a model.

::

    optimizer = AgentOptimizer(max_actions_per_step=3, llm_config=llm_config, optimizer_model="gpt-4")
    for epoch in range(epochs):
        for problem in problems:
            user_proxy.initiate_chat(assistant, message=problem["question"])
            history = assistant.chat_messages_for_summary(user_proxy)
            optimizer.record_one_conversation(history, is_satisfied=check(history, problem["answer"]))
        register_for_llm, register_for_executor = optimizer.step()
        for item in register_for_llm:
            assistant.update_function_signature(**item)
        if register_for_executor:
            user_proxy.register_function(function_map=register_for_executor)

A step compares the satisfaction rate of the conversations recorded since the last step with the best so
far: when it is worse, the functions go back to the best set (and the set that did worse is shown to the
optimizer model as a failure). Then the optimizer model, shown the best conversations and the current
functions, proposes at most ``max_actions_per_step`` changes through the tools ``add_function``,
``revise_function`` and ``remove_function``. Every change is checked (see ``optimizer.functions``) before
any is applied; a rejected set is sent back with the reasons, up to ``max_trials`` times. The step returns
what changed for the agents: signatures to add or remove, and executor functions to register (None removes).
The functions run as separate Python processes (see ``optimizer.execution``).
"""

from __future__ import annotations

import copy
import json
import logging
from typing import Any, Callable, Dict, List, Optional, Tuple

from ...exception_utils import ConfigAssertionError, ConfigError
from .optimizer import prompts
from .optimizer.execution import make_executor
from .optimizer.functions import ActionRejected, FunctionSpec, apply_action, describe_functions

__all__ = ["ADD_FUNC", "OPT_PROMPT", "REMOVE_FUNC", "REVISE_FUNC", "AgentOptimizer", "execute_func"]

logger = logging.getLogger(__name__)

# the classic module-level names: the optimizer model's prompt and its three tools
OPT_PROMPT = prompts.OPT_PROMPT
ADD_FUNC = prompts.ADD_FUNC
REVISE_FUNC = prompts.REVISE_FUNC
REMOVE_FUNC = prompts.REMOVE_FUNC


SATISFACTION_QUESTION = (
    "Please provide whether the user is satisfied with the solution. 1 represents satisfied. "
    "0 represents not satisfied. Press enter to submit. \n"
)


class InvalidSatisfactionAnswer(ValueError, AssertionError):
    """The human's answer to the satisfaction question was neither 1 nor 0."""


def execute_func(name: str, packages: str, code: str, **args: Any) -> str:
    """Run the function ``name`` defined by ``code`` with ``args`` in a separate Python process (installing the
    missing ``packages`` first) and return what it printed or returned; raises when it fails. Docker is
    used as for any generated code (``AUTOGEN_USE_DOCKER`` decides)."""
    spec = FunctionSpec(name=name, description="", arguments={}, packages=packages or "", code=code)
    return make_executor(spec)(**args)


_MESSAGE_KEYS = ("role", "name", "content", "function_call", "tool_calls", "tool_call_id")


def _plain_message(message: Any) -> Dict[str, Any]:
    if isinstance(message, str):
        return {"content": message}
    if hasattr(message, "model_dump"):
        message = message.model_dump()
    plain: Dict[str, Any] = json.loads(
        json.dumps({k: message[k] for k in _MESSAGE_KEYS if message.get(k) is not None}, default=str)
    )
    return plain


def _call_dict(call: Any) -> Dict[str, Any]:
    function = call.function
    return {"id": call.id, "type": "function", "function": {"name": function.name, "arguments": function.arguments}}


class AgentOptimizer:
    """Improve agents' functions from recorded conversations and their outcomes (see the module documentation).

    Args:
        max_actions_per_step: the most function changes (add, revise, remove) one step makes.
        llm_config: the optimizer model's llm_config (``config_list`` and settings).
        optimizer_model: keep only the configs of this model (None: all of them).
        max_trials: how many times a step asks again after its proposed changes were rejected.
        execution_config: how the functions run: ``use_docker`` (default: decided as for code execution,
            Docker unless ``AUTOGEN_USE_DOCKER=False``), ``work_dir``, ``timeout``.
    """

    OPT_PROMPT = prompts.OPT_PROMPT
    RETRY_PROMPT = prompts.RETRY_PROMPT
    ADD_FUNC = prompts.ADD_FUNC
    REVISE_FUNC = prompts.REVISE_FUNC
    REMOVE_FUNC = prompts.REMOVE_FUNC

    def __init__(
        self,
        max_actions_per_step: int,
        llm_config: Dict[str, Any],
        optimizer_model: Optional[str] = "gpt-4-1106-preview",
        *,
        max_trials: int = 3,
        execution_config: Optional[Dict[str, Any]] = None,
    ):
        if not isinstance(llm_config, dict):
            raise ConfigAssertionError(
                "llm_config must be a dict, such as {'config_list': [{'model': ..., 'api_key': ...}]}."
            )
        if llm_config in ({}, {"config_list": []}, {"config_list": [{"model": ""}]}):
            raise ConfigError(
                "When using OpenAI or Azure OpenAI endpoints, specify a non-empty 'model' either in 'llm_config' "
                "or in each config of 'config_list'."
            )
        if max_actions_per_step < 1:
            raise ValueError("max_actions_per_step must be at least 1.")
        self._max_actions_per_step = max_actions_per_step
        self._max_trials = max(1, max_trials)
        self.optimizer_model = optimizer_model
        self.execution_config = dict(execution_config or {})
        self.llm_config = copy.deepcopy(llm_config)
        config_list = self.llm_config.get("config_list")
        if optimizer_model is not None and config_list is not None:
            from ...oai.openai_utils import filter_config

            kept = filter_config(config_list, {"model": [optimizer_model]})
            if not kept:
                models = sorted({str(c.get("model")) for c in config_list})
                raise ConfigError(
                    f"No config for the optimizer model {optimizer_model!r} in llm_config (models: {models}). "
                    "Pass optimizer_model= naming one of them, or None to use the config list as it is."
                )
            self.llm_config["config_list"] = kept
        self._client: Any = None
        self.rejections: List[str] = []
        self.reset_optimizer()

    @property
    def max_actions_per_step(self) -> int:
        """The most function changes (add, revise, remove) one step makes."""
        return self._max_actions_per_step

    @max_actions_per_step.setter
    def max_actions_per_step(self, value: int) -> None:
        if value < 1:
            raise ValueError("max_actions_per_step must be at least 1.")
        self._max_actions_per_step = value

    @property
    def client(self) -> Any:
        """The optimizer model's OpenAIWrapper (built on first use)."""
        if self._client is None:
            from ...oai.client import OpenAIWrapper

            self._client = OpenAIWrapper(**self.llm_config)
        return self._client

    def reset_optimizer(self) -> None:
        """Forget every recorded conversation, the functions and the best performance."""
        self._trial_conversations_history: List[Dict[str, Any]] = []
        self._trial_conversations_performance: List[Dict[str, int]] = []
        self._trial_functions: List[FunctionSpec] = []
        self._best_conversations_history: List[Dict[str, Any]] = []
        self._best_conversations_performance: List[Dict[str, int]] = []
        self._best_functions: List[FunctionSpec] = []
        self._failure_functions_performance: List[Dict[str, Any]] = []
        self._best_performance: float = -1  # an int, as classic kept it
        self.rejections = []

    @property
    def functions(self) -> List[Dict[str, Any]]:
        """The functions the agents have now (as returned by the last step)."""
        return [f.to_dict() for f in self._trial_functions]

    # ------------------------------------------------------------------------------------------ record --
    def record_one_conversation(
        self, conversation_history: List[Dict[str, Any]], is_satisfied: Optional[bool] = None
    ) -> None:
        """Record a conversation held with the current functions and whether its outcome was satisfactory.

        ``is_satisfied`` None asks the human (through the IOStream) for 1 or 0.
        """
        if is_satisfied is None:
            is_satisfied = self._ask_satisfaction()
        label = f"Conversation {len(self._trial_conversations_history)}"
        self._trial_conversations_history.append({label: [_plain_message(m) for m in conversation_history]})
        self._trial_conversations_performance.append({label: 1 if is_satisfied else 0})

    @staticmethod
    def _ask_satisfaction() -> bool:
        # The classic question and error (an AssertionError, here also a ValueError).
        from ...io.base import IOStream

        reply = IOStream.get_default().input(SATISFACTION_QUESTION)
        if reply not in ("0", "1"):
            raise InvalidSatisfactionAnswer(
                "The input is invalid. Please input 1 or 0. 1 represents satisfied. 0 represents not satisfied. "
                f"Got {reply!r}; pass is_satisfied= to record_one_conversation to skip the question."
            )
        return reply == "1"

    # -------------------------------------------------------------------------------------------- step --
    def step(self) -> Tuple[List[Dict[str, Any]], Dict[str, Optional[Callable[..., Any]]]]:
        """One optimization step; returns ``(register_for_llm, register_for_executor)``.

        ``register_for_llm``: keyword arguments for ``update_function_signature`` (``func_sig`` and ``is_remove``),
        one per function added, revised or removed (a removal's ``func_sig`` is ``{"name": ...}``). ``register_for_executor``: a ``function_map`` for
        ``register_function`` (a None value removes the function).
        """
        if not self._trial_conversations_performance:
            raise ValueError("Record at least one conversation (record_one_conversation) before calling step().")
        outcomes = [next(iter(p.values())) for p in self._trial_conversations_performance]
        performance = sum(outcomes) / len(outcomes)
        if performance < self._best_performance:
            self._failure_functions_performance.append(
                {"functions": [f.to_dict() for f in self._trial_functions], "performance": performance}
            )
            self._failure_functions_performance.sort(key=lambda item: item["performance"], reverse=True)
        else:
            self._failure_functions_performance = []
            self._best_performance = performance
            self._best_functions = list(self._trial_functions)
            self._best_conversations_history = self._trial_conversations_history
            self._best_conversations_performance = self._trial_conversations_performance
        self._trial_conversations_history = []
        self._trial_conversations_performance = []

        proposed = self._propose(list(self._best_functions))
        changes = self._changes(self._trial_functions, proposed)
        self._trial_functions = proposed
        return changes

    def _prompt(self, functions: List[FunctionSpec]) -> str:
        outcomes = [next(iter(p.values())) for p in self._best_conversations_performance]
        statistic = f"{sum(outcomes)} of {len(outcomes)} satisfactory"
        conversations = "\n\n".join(
            f"### {label} ({'satisfactory' if outcome else 'not satisfactory'})\n{json.dumps(history, indent=1)}"
            for record, outcome in zip(self._best_conversations_history, outcomes)
            for label, history in record.items()
        )
        failures = ""
        if self._failure_functions_performance:
            tried = "\n".join(
                f"- satisfaction rate {item['performance']:.2f} with: {json.dumps(item['functions'])}"
                for item in self._failure_functions_performance
            )
            failures = (
                f"\n## Function sets that did worse\nThese were tried after the current functions and did worse "
                f"(the current ones reach {self._best_performance:.2f}); do not propose them again:\n{tried}\n"
            )
        return self.OPT_PROMPT.format(
            statistic=statistic,
            conversations=conversations,
            functions=describe_functions(functions),
            failures=failures,
            max_actions=self._max_actions_per_step,
        )

    def _propose(self, functions: List[FunctionSpec]) -> List[FunctionSpec]:
        """The functions after the optimizer model's changes (unchanged when every proposal was rejected)."""
        messages: List[Dict[str, Any]] = [{"role": "user", "content": self._prompt(functions)}]
        tools = [self.ADD_FUNC, self.REVISE_FUNC, self.REMOVE_FUNC]
        for _ in range(self._max_trials):
            response = self.client.create(messages=messages, tools=tools, tool_choice="auto")
            message = response.choices[0].message
            calls = list(message.tool_calls or [])
            if not calls:
                return functions
            updated, results = self._apply(functions, calls)
            if updated is not None:
                return updated
            messages = messages + [
                {"role": "assistant", "content": message.content, "tool_calls": [_call_dict(c) for c in calls]},
                *({"role": "tool", "tool_call_id": c.id, "content": result} for c, result in zip(calls, results)),
                {"role": "user", "content": self.RETRY_PROMPT.format(max_actions=self._max_actions_per_step)},
            ]
        logger.warning(
            "AgentOptimizer: every change proposed in %d trial(s) was rejected; the functions stay as they are. "
            "Reasons: %s",
            self._max_trials,
            "; ".join(self.rejections[-3:]),
        )
        return functions

    def _apply(self, functions: List[FunctionSpec], calls: List[Any]) -> Tuple[Optional[List[FunctionSpec]], List[str]]:
        """Apply the calls in order: ``(new functions, results)``, or ``(None, results)`` when one is rejected."""
        results: List[str] = []
        current = functions
        rejected = False
        for index, call in enumerate(calls):
            if index >= self._max_actions_per_step:
                results.append(f"Ignored: at most {self._max_actions_per_step} change(s) are made per step.")
                continue
            if rejected:
                results.append("Not applied: another change of this set was rejected.")
                continue
            try:
                current = apply_action(current, call)
                results.append("Accepted.")
            except ActionRejected as error:
                rejected = True
                self.rejections.append(str(error))
                logger.info("AgentOptimizer rejected %s: %s", getattr(call.function, "name", "?"), error)
                results.append(f"Rejected: {error}")
        if len(calls) > self._max_actions_per_step:
            logger.warning(
                "The optimizer model proposed %d changes; only the first %d are considered.",
                len(calls),
                self._max_actions_per_step,
            )
        return (None if rejected else current), results

    def _changes(
        self, before: List[FunctionSpec], after: List[FunctionSpec]
    ) -> Tuple[List[Dict[str, Any]], Dict[str, Optional[Callable[..., Any]]]]:
        register_for_llm: List[Dict[str, Any]] = []
        register_for_executor: Dict[str, Optional[Callable[..., Any]]] = {}
        after_by_name = {f.name: f for f in after}
        for old in before:
            if old.name not in after_by_name:
                register_for_llm.append({"func_sig": {"name": old.name}, "is_remove": True})
                register_for_executor[old.name] = None
        before_by_name = {f.name: f for f in before}
        for new in after:
            if before_by_name.get(new.name) != new:
                register_for_llm.append({"func_sig": new.signature(), "is_remove": False})
                register_for_executor[new.name] = make_executor(new, self.execution_config)
        return register_for_llm, register_for_executor
