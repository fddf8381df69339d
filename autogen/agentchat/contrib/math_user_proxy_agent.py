"""MathUserProxyAgent: the user side of MathChat, which solves math problems with an LLM assistant.

Start a chat with ``message=mathproxyagent.message_generator`` and the problem as ``problem``::

    mathproxyagent.initiate_chat(assistant, message=mathproxyagent.message_generator, problem="...")

The first message tells the assistant how to work (``prompt_type``: "default", "python" or "two_tools",
or a ``customized_prompt``). The agent runs the Python blocks of the assistant's replies and answers with
their output; the code of earlier blocks runs again before each new one (without its prints), so names
defined in one block can be used in the next. ``wolfram`` blocks go to Wolfram Alpha (``pip install
"pyautogen[mathchat]"`` and ``WOLFRAM_ALPHA_APPID``). The chat ends when a reply holds an answer in
``\\boxed{}`` and no code.
"""

from __future__ import annotations

import ast
import os
import re
from typing import Any, Callable, Dict, List, Literal, Optional, Tuple, Union

from ..._flow import Flow, Invoke, flow_backed, run_sync
from ..._optional import import_optional
from ...code_utils import UNKNOWN, content_str, execute_code, extract_code, infer_lang
from ...math_utils import get_answer
from ..agent import Agent
from ..user_proxy_agent import UserProxyAgent

__all__ = [
    "PROMPTS",
    "MathUserProxyAgent",
    "MissingProblemError",
    "UnknownPromptTypeError",
    "WolframAlphaAPIWrapper",
    "get_from_dict_or_env",
]

_RULES = """Answer with a \\boxed{} answer in the end; keep it exact (fractions, square roots, pi) unless the problem asks for a decimal."""

PROMPTS = {
    "default": """Let's solve a math problem together. You may use Python to compute: the user runs each Python code block you write (in ```python fences) and tells you what it printed.
Work step by step:
1. Decide whether the problem is easy enough to solve by reasoning alone, or needs code.
2. When you write code, print every result you need (use sympy for exact algebra), and keep a block small.
   Names defined in earlier blocks can be used in later ones.
3. Read the output. When it shows a mistake, fix the code or the reasoning and try again.
4. """
    + _RULES
    + """

Problem: """,
    "python": """Let's solve a math problem with Python. Write the whole solution as one Python program in a ```python block, printing the final result (use sympy for exact algebra, fractions.Fraction for exact rational arithmetic). The user runs it and tells you the output; correct the program when it fails.
"""
    + _RULES
    + """

Problem: """,
    "two_tools": """Let's solve a math problem together. You have two tools:
- Python: the user runs each ```python block you write and tells you what it printed (print what you need to see).
- Wolfram Alpha: the user sends each ```wolfram block (one query per block, in plain text) to Wolfram Alpha and tells you its answer.
Work step by step, check each result, and correct any mistake you find.
"""
    + _RULES
    + """

Problem: """,
}

DEFAULT_REPLY = "Continue. Please keep solving the problem until you need to query. (If you get to the answer, put it in \\boxed{}.)"
# the replies the assistant gets, word for word as in classic MathChat (scripts match on them)
REPEATED_RESULT = "\nYour query or result is same from the last, please try a new approach."
REVISIT = (
    "Please revisit the problem statement and your reasoning. If you think this step is correct, solve it yourself "
    "and continue the next step. Otherwise, correct this step."
)
TOO_LONG = (
    "Your requested query response is too long. You might have made a mistake. Please revise your reasoning and query."
)
MAX_OUTPUT_CHARS = 2000
DEFAULT_TIMEOUT = 5
_RUN_KEYS = ("work_dir", "use_docker")
# the temporary file the code ran from, blanked in errors as classic did: File "", line 3, in <module>
_TRACEBACK_FILE = re.compile(r'File "(?:[^"]*[\\/])?tmp_code_[0-9a-f]+\.py"')


class MissingProblemError(TypeError, ValueError):
    """``message_generator`` without a ``problem``: classic failed with a TypeError there (``None`` added to the
    prompt); a ValueError too, as the message says what to pass."""


class UnknownPromptTypeError(KeyError, ValueError):
    """An unknown ``prompt_type``: a KeyError as in classic (the ``PROMPTS`` lookup), and a ValueError."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def _is_termination_msg_mathchat(message: Union[Dict[str, Any], str]) -> bool:
    """A reply ends the chat when it has a \\boxed{} answer and no code to run."""
    text = content_str(message.get("content") if isinstance(message, dict) else message)
    if any(lang != UNKNOWN for lang, _ in extract_code(text)):
        return False
    answer = get_answer(text)
    return answer is not None and answer != ""


def _is_print(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Name)
        and node.value.func.id == "print"
    )


def _add_print_to_last_line(code: str) -> str:
    """``code`` printing the value of its last statement when that is a bare expression (as a notebook shows it)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return code
    if not tree.body or not isinstance(tree.body[-1], ast.Expr) or _is_print(tree.body[-1]):
        return code
    last = tree.body[-1]
    lines = code.splitlines()
    start, end = last.lineno - 1, (last.end_lineno or last.lineno)
    expression = "\n".join(lines[start:end])
    indent = len(expression) - len(expression.lstrip())
    return "\n".join([*lines[:start], " " * indent + f"print({expression.strip()})", *lines[end:]])


def _remove_print(code: str) -> str:
    """``code`` without its top-level ``print(...)`` statements (kept to run again before later blocks)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return "\n".join(line for line in code.splitlines() if not line.startswith("print("))
    lines = code.splitlines()
    for node in reversed(tree.body):
        if _is_print(node):
            del lines[node.lineno - 1 : node.end_lineno or node.lineno]
    return "\n".join(lines)


def _imports_of(code: str) -> str:
    return "".join(line + "\n" for line in code.splitlines() if "import" in line and not line.startswith(" "))


def get_from_dict_or_env(data: Dict[str, Any], key: str, env_key: str, default: Optional[str] = None) -> str:
    """``data[key]`` when set, else the environment variable ``env_key``, else ``default``; ValueError when
    none of them is there."""
    value = data.get(key) or os.environ.get(env_key) or default
    if value is None:
        raise ValueError(f"{key} is not set: pass {key}=... or set the environment variable {env_key}.")
    return value


class WolframAlphaAPIWrapper:
    """Queries Wolfram Alpha (``pip install "pyautogen[mathchat]"``; the app id from ``WOLFRAM_ALPHA_APPID``).

    ``wolfram_client``: a ``wolframalpha.Client`` to use instead of making one (then no app id is needed).
    """

    def __init__(self, wolfram_alpha_appid: Optional[str] = None, *, wolfram_client: Any = None):
        values = self.validate_environment(
            {"wolfram_alpha_appid": wolfram_alpha_appid, "wolfram_client": wolfram_client}
        )
        self.wolfram_alpha_appid: Optional[str] = values["wolfram_alpha_appid"]
        self.wolfram_client = values["wolfram_client"]

    @classmethod
    def validate_environment(cls, values: Dict[str, Any]) -> Dict[str, Any]:
        """The classic check: ``values`` with ``wolfram_client`` made from the app id (given, or from
        ``WOLFRAM_ALPHA_APPID``) unless one is already there."""
        values = dict(values)
        if values.get("wolfram_client") is not None:
            values.setdefault("wolfram_alpha_appid", None)
            return values
        appid = get_from_dict_or_env(values, "wolfram_alpha_appid", "WOLFRAM_ALPHA_APPID")
        wolframalpha = import_optional(
            "wolframalpha", package="wolframalpha", extra="mathchat", feature="Wolfram Alpha queries"
        )
        values["wolfram_alpha_appid"] = appid
        values["wolfram_client"] = wolframalpha.Client(appid)
        return values

    def run(self, query: str) -> Tuple[str, bool]:
        """``(answer text, success)`` for one query: the plain text of the result pods."""
        try:
            result = self.wolfram_client.query(query)
        except Exception as exc:  # noqa: BLE001 - reported to the assistant
            return f"Error: Wolfram Alpha failed on the query: {exc}", False
        lines = []
        for pod in getattr(result, "pods", None) or []:
            subpods = getattr(pod, "subpods", None) or []
            texts = [str(sub.plaintext) for sub in subpods if getattr(sub, "plaintext", None)]
            if texts:
                lines.append(f"{getattr(pod, 'title', 'Result')}: " + "; ".join(texts))
        if not lines:
            return "Error: Wolfram Alpha found no answer to the query.", False
        return "\n".join(lines), True


def math_reply_flow(
    agent: MathUserProxyAgent,
    messages: Optional[List[Dict[str, Any]]] = None,
    sender: Optional[Agent] = None,
    config: Optional[Any] = None,
) -> Flow[Tuple[bool, Any]]:
    """Run the code blocks of the assistant's last reply; the default reply when it has none."""
    if messages is None:
        messages = agent.chat_messages[sender]
    if not messages:
        return False, None
    blocks = extract_code(content_str(messages[-1].get("content")))
    if len(blocks) == 1 and blocks[0][0] == UNKNOWN:
        return True, agent._default_auto_reply
    reply = yield Invoke(agent._run_blocks, args=(blocks,), blocking=True)
    return True, reply


class MathUserProxyAgent(UserProxyAgent):
    """The user proxy of MathChat (see the module doc).

    Args:
        name: the agent's name.
        is_termination_msg: default: a reply with a \\boxed{} answer and no code ends the chat.
        human_input_mode: "NEVER" by default.
        default_auto_reply: the reply to a message without code.
        max_invalid_q_per_step: after this many replies in a row with failing code, the assistant is asked to
            revisit its reasoning.
        **kwargs: the other UserProxyAgent arguments (``code_execution_config``: ``work_dir``, ``use_docker``,
            ``timeout`` (5 s by default) for the Python blocks).
    """

    MAX_CONSECUTIVE_AUTO_REPLY = 15
    DEFAULT_REPLY = DEFAULT_REPLY

    def __init__(
        self,
        name: Optional[str] = "MathChatAgent",
        is_termination_msg: Optional[Callable[[Dict[str, Any]], bool]] = _is_termination_msg_mathchat,
        human_input_mode: Literal["ALWAYS", "NEVER", "TERMINATE"] = "NEVER",
        default_auto_reply: Optional[Union[str, Dict[str, Any]]] = DEFAULT_REPLY,
        max_invalid_q_per_step: int = 3,
        **kwargs: Any,
    ):
        super().__init__(
            name=name or "MathChatAgent",
            is_termination_msg=is_termination_msg,
            human_input_mode=human_input_mode,
            default_auto_reply=default_auto_reply,
            **kwargs,
        )
        self.register_reply([Agent, None], MathUserProxyAgent._generate_math_reply, position=2)
        self._max_invalid_q_per_step = max_invalid_q_per_step
        self._reset()

    @staticmethod
    def message_generator(sender: MathUserProxyAgent, recipient: Agent, context: Dict[str, Any]) -> str:
        """The first message of a MathChat: the prompt (``prompt_type`` or ``customized_prompt``) and the ``problem``."""
        sender._reset()
        problem = context.get("problem")
        if not problem:
            raise MissingProblemError(
                "MathChat needs the problem: initiate_chat(..., message=message_generator, problem='...')."
            )
        customized = context.get("customized_prompt")
        if customized is not None:
            return customized + problem
        prompt_type = context.get("prompt_type", "default")
        if prompt_type not in PROMPTS:
            raise UnknownPromptTypeError(f"{prompt_type!r}: prompt_type must be one of {sorted(PROMPTS)}.")
        return PROMPTS[prompt_type] + problem

    def _reset(self) -> None:
        """Forget the code and the counters of the previous problem."""
        self._valid_q_count = 0
        self._total_q_count = 0
        self._accum_invalid_q_per_step = 0
        self._previous_code = ""
        self.last_reply: Optional[str] = None

    def _run_options(self) -> Dict[str, Any]:
        config = self._code_execution_config if isinstance(self._code_execution_config, dict) else {}
        options = {k: v for k, v in config.items() if k in _RUN_KEYS}
        options["timeout"] = config.get("timeout", DEFAULT_TIMEOUT)
        return options

    def execute_one_python_code(self, pycode: str) -> Tuple[str, bool]:
        """Run one Python block after the code kept from earlier blocks; ``(output, success)``."""
        pycode = _add_print_to_last_line(pycode.replace("; ", "\n").replace(";", "\n"))
        options = self._run_options()
        exit_code, output, _ = execute_code(self._previous_code + pycode, **options)
        success = exit_code == 0
        if not success:
            output = "Error: " + _TRACEBACK_FILE.sub('File ""', output or "")
        elif not output:
            success = "print" in pycode
            output = "No output found." if success else "No output found. Make sure you print the results."
        if len(output) > MAX_OUTPUT_CHARS:
            output, success = TOO_LONG, False
        if success:
            self._previous_code += _remove_print(pycode) + "\n"
        else:
            imports = _imports_of(pycode)
            if imports and execute_code(self._previous_code + imports, **options)[0] == 0:
                self._previous_code += imports
        return output, success

    def execute_one_wolfram_query(self, query: str) -> Tuple[str, bool]:
        """Send one query to Wolfram Alpha; ``(answer, success)``."""
        output, success = WolframAlphaAPIWrapper().run(query)
        if not output:
            return "Error: The wolfram query is invalid.", False
        return output, success

    def _run_blocks(self, blocks: List[Tuple[str, str]]) -> str:
        """The reply to a message with code: the outputs of its blocks, with MathChat's feedback rules."""
        outputs = []
        all_success = True
        for lang, code in blocks:
            lang = lang or infer_lang(code)
            self._total_q_count += 1
            if lang in ("python", "py", "Python"):
                output, success = self.execute_one_python_code(code)
            elif lang == "wolfram":
                output, success = self.execute_one_wolfram_query(code)
            else:
                output, success = f"Error: Unknown language. Only python and wolfram blocks are run, not {lang}.", False
            outputs.append(output)
            if success:
                self._valid_q_count += 1
            else:
                all_success = False
        reply = "\n".join(outputs).strip()
        if reply == self.last_reply:
            return reply + REPEATED_RESULT
        self.last_reply = reply
        if all_success:
            self._accum_invalid_q_per_step = 0
        else:
            self._accum_invalid_q_per_step += 1
            if self._accum_invalid_q_per_step > self._max_invalid_q_per_step:
                self._accum_invalid_q_per_step = 0
                reply = REVISIT
        return reply

    @flow_backed(math_reply_flow)
    def _generate_math_reply(
        self,
        messages: Optional[List[Dict[str, Any]]] = None,
        sender: Optional[Agent] = None,
        config: Optional[Any] = None,
    ) -> Tuple[bool, Any]:
        return run_sync(math_reply_flow(self, messages, sender, config))
