"""AssistantAgent: a ConversableAgent with defaults for an LLM that solves tasks by writing code."""

from __future__ import annotations

from typing import Any, Callable, Dict, Literal, Optional, Union

from .conversable_agent import ConversableAgent

__all__ = ["AssistantAgent"]


class AssistantAgent(ConversableAgent):
    """An LLM-backed assistant. By default it never asks a human, runs no code itself, and is told to
    solve tasks step by step with Python/shell code blocks that another agent (e.g. a UserProxyAgent)
    executes, ending with TERMINATE when done."""

    DEFAULT_SYSTEM_MESSAGE = """You are a helpful AI assistant. You solve tasks with your language skills and, where it helps, with code that the user runs for you.
When you need information (search or browse the web, download or read a file, look at a web page, check the date or the operating system), write a Python or shell script that prints it; once enough has been printed, carry on with your own reasoning.
When a task needs computation or an action, write code that performs it and prints the result.
Work step by step. If no plan has been given, first state your plan, and say which steps use code and which use your language skills.
Put every piece of code in a fenced block tagged with its language (```python or ```sh). The user cannot edit your code, so only give complete code that runs as it is, with no placeholders to fill in, and never ask the user to copy, paste or change anything. Give one code block per reply when the blocks must run one after another. To save code to a file before it runs, make the first line of the block `# filename: <file name>`. Print results with print() instead of asking the user to read them off the screen.
Read the execution result the user sends back. If there is an error, correct it and send the whole corrected code again, not just the changed lines. If the error cannot be fixed, or the task is still not solved although the code ran, analyse the problem, question your assumptions, collect the information you lack and try another approach.
When you have an answer, check it carefully and give verifiable evidence where you can.
When everything is done, end your reply with "TERMINATE"."""

    DEFAULT_DESCRIPTION = (
        "A helpful, general-purpose AI assistant with strong language skills, Python skills and Linux "
        "command-line skills."
    )

    def __init__(
        self,
        name: str,
        system_message: Optional[str] = DEFAULT_SYSTEM_MESSAGE,
        llm_config: Optional[Union[Dict[str, Any], Literal[False]]] = None,
        is_termination_msg: Optional[Callable[[Dict[str, Any]], bool]] = None,
        max_consecutive_auto_reply: Optional[int] = None,
        human_input_mode: Literal["ALWAYS", "NEVER", "TERMINATE"] = "NEVER",
        description: Optional[str] = None,
        **kwargs: Any,
    ):
        if description is None and system_message == self.DEFAULT_SYSTEM_MESSAGE:
            description = self.DEFAULT_DESCRIPTION
        super().__init__(
            name,
            system_message,
            is_termination_msg,
            max_consecutive_auto_reply,
            human_input_mode,
            llm_config=llm_config,
            description=description,
            **kwargs,
        )
        self._log_init(locals())
