"""UserProxyAgent: a ConversableAgent standing in for a human, which runs the code it receives."""

from __future__ import annotations

from typing import Any, Callable, Dict, Literal, Optional, Union

from .conversable_agent import ConversableAgent

__all__ = ["UserProxyAgent"]


class UserProxyAgent(ConversableAgent):
    """A proxy for a human user. By default it asks the human at every turn (``human_input_mode="ALWAYS"``),
    executes the code blocks it receives (``code_execution_config={}``: Docker by default, see
    ``autogen.code_utils.decide_use_docker``; pass ``{"use_docker": False}`` to run locally), and uses
    no LLM (``llm_config=False``)."""

    DEFAULT_USER_PROXY_AGENT_DESCRIPTIONS = {
        "ALWAYS": (
            "An attentive HUMAN user who can answer questions about the task, and can run Python code or "
            "shell commands on a Linux terminal and report back the results."
        ),
        "TERMINATE": "A user who can run Python code or shell commands on a Linux terminal and report back the results.",
        "NEVER": (
            "A computer terminal that does nothing but run the Python scripts (given to it in ```python code "
            "blocks) or shell scripts (given to it in ```sh code blocks) it receives, and report their output."
        ),
    }

    def __init__(
        self,
        name: str,
        is_termination_msg: Optional[Callable[[Dict[str, Any]], bool]] = None,
        max_consecutive_auto_reply: Optional[int] = None,
        human_input_mode: Literal["ALWAYS", "TERMINATE", "NEVER"] = "ALWAYS",
        function_map: Optional[Dict[str, Callable[..., Any]]] = None,
        code_execution_config: Union[Dict[str, Any], Literal[False]] = {},  # noqa: B006 - classic default; copied
        default_auto_reply: Optional[Union[str, Dict[str, Any]]] = "",
        llm_config: Optional[Union[Dict[str, Any], Literal[False]]] = False,
        system_message: Optional[str] = "",
        description: Optional[str] = None,
        **kwargs: Any,
    ):
        if description is None:
            description = self.DEFAULT_USER_PROXY_AGENT_DESCRIPTIONS.get(human_input_mode, "")
        super().__init__(
            name=name,
            system_message=system_message,
            is_termination_msg=is_termination_msg,
            max_consecutive_auto_reply=max_consecutive_auto_reply,
            human_input_mode=human_input_mode,
            function_map=function_map,
            code_execution_config=code_execution_config,
            llm_config=llm_config,
            default_auto_reply="" if default_auto_reply is None else default_auto_reply,
            description=description,
            **kwargs,
        )
        self._log_init(locals())
