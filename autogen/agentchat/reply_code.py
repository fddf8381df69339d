"""Code execution: find code blocks in the last messages and run them with the agent's executor.

``code_execution_config`` is ``False`` (off), the classic dict (``work_dir``, ``use_docker``, ``timeout``,
``last_n_messages``) or ``{"executor": <instance or name>, ...}``; either dict becomes a CodeExecutor
through :func:`autogen.coding.factory.executor_from_config` (which owns the Docker-by-default rule).
``last_n_messages`` (default ``"auto"``: the messages received since this agent last spoke) says how far
back to look; the most recent message with code wins. The reply is
``"exitcode: <n> (execution succeeded|execution failed)\\nCode output: <output>"``, the output capped at
``max_output_chars`` (default 20,000; None: no cap) with the whole output saved in the work dir (see ``output_cap``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Literal, Optional, Sequence, Tuple, Union

from .._flow import Flow, Invoke
from ..exception_utils import ConfigError
from .output_cap import DEFAULT_MAX_OUTPUT_CHARS, cap_output, check_max_output_chars, needs_cap

if TYPE_CHECKING:
    from .agent import Agent
    from .conversable_agent import ConversableAgent

__all__ = ["code_execution_flow", "exit_code_reply", "messages_to_scan", "validate_code_execution_config"]

AGENT_ONLY_KEYS = ("last_n_messages", "max_output_chars")


def validate_code_execution_config(config: Any) -> Union[Dict[str, Any], Literal[False]]:
    """A private copy of the config (or False), with ``last_n_messages`` checked."""
    if config is False:
        return False
    if config is None:
        import warnings

        warnings.warn(
            "Using None to signal a default code_execution_config is deprecated. "
            "Use {} to use default or False to disable code execution.",
            UserWarning,
            stacklevel=3,
        )
        return {}
    if not isinstance(config, dict):
        raise ConfigError(
            "code_execution_config must be a dict or False. Pass False for no code execution, or a dict such as "
            f"{{'work_dir': 'coding', 'use_docker': False}} or {{'executor': executor}}; got {config!r}."
        )
    config = dict(config)
    if config.get("executor") is not None:
        hints = {
            "use_docker": "pick DockerCommandLineCodeExecutor or LocalCommandLineCodeExecutor as the executor",
            "work_dir": "pass work_dir=... when you build the executor",
            "timeout": "pass timeout=... when you build the executor",
        }
        for key, hint in hints.items():
            if key in config:
                raise ConfigError(
                    f"'{key}' in code_execution_config is not valid when 'executor' is set. Use the appropriate "
                    f"arg in the chosen executor instead ({hint})."
                )
    messages_to_scan(config.get("last_n_messages", "auto"), [])
    check_max_output_chars(config.get("max_output_chars", DEFAULT_MAX_OUTPUT_CHARS))
    return config


def messages_to_scan(last_n_messages: Any, messages: Sequence[Dict[str, Any]]) -> int:
    """How many trailing messages to look at for code: an int as is, ``"auto"`` for those received
    since this agent last spoke (the trailing run of ``role == "user"`` messages)."""
    if last_n_messages == "auto":
        count = 0
        for message in reversed(messages):
            if message.get("role") != "user":
                break
            count += 1
        return count
    if isinstance(last_n_messages, bool) or not isinstance(last_n_messages, int) or last_n_messages < 0:
        raise ConfigError(
            "last_n_messages must be either a non-negative integer, or the string 'auto'. "
            f"code_execution_config['last_n_messages'] is {last_n_messages!r}."
        )
    return last_n_messages


def exit_code_reply(exit_code: int, output: str) -> str:
    status = "execution succeeded" if exit_code == 0 else "execution failed"
    return f"exitcode: {exit_code} ({status})\nCode output: {output}"


def code_execution_flow(
    agent: ConversableAgent,
    messages: Optional[List[Dict[str, Any]]] = None,
    sender: Optional[Agent] = None,
    config: Optional[Any] = None,
) -> Flow[Tuple[bool, Any]]:
    """Run the code blocks of the most recent message (among the last n) that has some."""
    exec_config = config if config is not None else agent._code_execution_config
    if exec_config is False or exec_config is None:
        return False, None
    if messages is None:
        messages = agent.chat_messages[sender]
    count = messages_to_scan(exec_config.get("last_n_messages", "auto"), messages)
    if count == 0:
        return False, None
    extractor = agent._executor_for(exec_config).code_extractor
    for message in reversed(messages[-count:]):
        content = message.get("content")
        if not content:
            continue
        blocks = extractor.extract_code_blocks(content)
        if not blocks:
            continue
        if exec_config.get("executor") is not None:  # classic: the executor gets all the blocks at once
            run = Invoke(agent._run_with_executor, args=(blocks, agent._executor_for(exec_config)), blocking=True)
        else:  # classic: block by block through execute_code_blocks / run_code (subclasses override them)
            run = Invoke(agent.execute_code_blocks, args=(blocks,), blocking=True)
        exit_code, output = yield run
        max_chars = exec_config.get("max_output_chars", DEFAULT_MAX_OUTPUT_CHARS)
        if needs_cap(output, max_chars):
            work_dir = _work_dir(agent._executor_for(exec_config), exec_config)
            output = yield Invoke(cap_output, args=(output, max_chars, work_dir), blocking=True)
        return True, exit_code_reply(exit_code, output)
    return False, None


def _work_dir(executor: Any, exec_config: Dict[str, Any]) -> Path:
    """Where the whole output of a capped run is kept: the executor's work dir (or the configured one)."""
    where = getattr(executor, "work_dir", None) or exec_config.get("work_dir") or "coding"
    return Path(where)


def join_outputs(outputs: Sequence[str]) -> str:
    """The outputs of consecutive blocks as one log (blocks whose output starts a new line are kept as is)."""
    log = ""
    for output in outputs:
        if log and not log.endswith("\n") and not output.startswith("\n"):
            log += "\n"
        log += output
    return log


def block_parts(block: Any) -> Tuple[str, str]:
    """``(language, code)`` of a CodeBlock or a classic ``(lang, code)`` tuple."""
    if isinstance(block, (tuple, list)):
        return str(block[0] or ""), str(block[1])
    return str(getattr(block, "language", "") or ""), str(block.code)
