"""MathChat: the assistant's Python blocks executed with state kept across blocks, \\boxed{} answers."""

from __future__ import annotations

import asyncio
import sys
import types
from pathlib import Path
from typing import Any, Iterator, List

import pytest
from helpers import ScriptedIO

from autogen import AssistantAgent
from autogen.agentchat.contrib.math_user_proxy_agent import (
    PROMPTS,
    MathUserProxyAgent,
    _add_print_to_last_line,
    _is_termination_msg_mathchat,
    _remove_print,
)
from autogen.io.base import IOStream
from autogen.math_utils import (
    eval_math_responses,
    get_answer,
    is_equiv,
    is_equiv_chain_of_thought,
    last_boxed_only_string,
    remove_boxed,
)

PROBLEM = "Find the sum of the roots of x^2 - 5x + 6 = 0."


@pytest.fixture(autouse=True)
def _io() -> Iterator[ScriptedIO]:
    stream = ScriptedIO()
    with IOStream.set_default(stream):
        yield stream


def math_proxy(tmp_path: Path, **kwargs: Any) -> MathUserProxyAgent:
    return MathUserProxyAgent(code_execution_config={"use_docker": False, "work_dir": str(tmp_path / "math")}, **kwargs)


def test_mathchat_runs_blocks_keeps_state_and_ends_on_boxed_answer(
    llm_server: Any, llm_config: dict, tmp_path: Path
) -> None:
    assistant = AssistantAgent("assistant", llm_config=llm_config, system_message="You are a math expert.")
    proxy = math_proxy(tmp_path)
    llm_server.script(
        "Use the quadratic formula.\n```python\nimport math\na, b, c = 1, -5, 6\nd = math.sqrt(b * b - 4 * a * c)\n"
        "roots = sorted([(-b - d) / (2 * a), (-b + d) / (2 * a)])\nroots\n```",
        "Now add them, reusing `roots`.\n```python\nsum(roots)\n```",
        "The sum of the roots is $\\boxed{5}$.",
    )
    result = proxy.initiate_chat(assistant, message=proxy.message_generator, problem=PROBLEM)
    contents = [m["content"] for m in result.chat_history]
    assert contents[0] == PROMPTS["default"] + PROBLEM
    assert contents[2] == "[2.0, 3.0]"
    assert contents[4] == "5.0"  # the second block used `roots` from the first one
    assert len(contents) == 6 and get_answer(contents[-1]) == "5"
    assert proxy._valid_q_count == 2 and "print(" not in proxy._previous_code
    assert llm_server.chat_requests()[0]["messages"][-1]["content"].endswith(PROBLEM)


def test_errors_feedback_and_prompts(tmp_path: Path) -> None:
    proxy = math_proxy(tmp_path, max_invalid_q_per_step=1)
    assert (
        proxy.message_generator(proxy, None, {"problem": "1+1?", "prompt_type": "python"}) == PROMPTS["python"] + "1+1?"
    )
    assert proxy.message_generator(proxy, None, {"problem": "1+1?", "customized_prompt": "Solve: "}) == "Solve: 1+1?"
    with pytest.raises(ValueError, match="prompt_type"):
        proxy.message_generator(proxy, None, {"problem": "x", "prompt_type": "nope"})

    def reply(text: str) -> Any:
        return proxy.generate_reply([{"role": "user", "content": text}])

    failing = reply("```python\nimport math\nmath.sqrt(-1)\n```")
    assert failing.startswith("Error: ") and "ValueError: math domain error" in failing
    assert proxy._previous_code == "import math\n"  # the imports of a failing block are kept
    assert reply("```python\nmath.floor(2.5)\n```") == "2"
    assert reply("```python\nmath.floor(2.5)\n```").endswith("please try a new approach.")
    assert reply("```python\na = 1\n```") == "No output found. Make sure you print the results."
    assert (
        reply("```python\nundefined_name\n```")
        == "Please revisit the problem statement and your reasoning. If you think this step is correct, solve it yourself and continue the next step. Otherwise, correct this step."
    )
    assert reply("```ruby\nputs 1\n```") == "Error: Unknown language. Only python and wolfram blocks are run, not ruby."
    assert reply("no code at all") == MathUserProxyAgent.DEFAULT_REPLY
    long_output = math_proxy(tmp_path).generate_reply(
        [{"role": "user", "content": "```python\nprint('x' * 3000)\n```"}]
    )
    assert long_output.startswith("Your requested query response is too long.")


def test_wolfram_blocks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pods = [types.SimpleNamespace(title="Result", subpods=[types.SimpleNamespace(plaintext="x = 2 or x = 3")])]

    class Client:
        def __init__(self, appid: str) -> None:
            assert appid == "app-1"

        def query(self, text: str) -> Any:
            return types.SimpleNamespace(pods=pods if "solve" in text else [])

    monkeypatch.setitem(sys.modules, "wolframalpha", types.SimpleNamespace(Client=Client))
    monkeypatch.setenv("WOLFRAM_ALPHA_APPID", "app-1")
    proxy = math_proxy(tmp_path)
    assert (
        proxy.generate_reply([{"role": "user", "content": "```wolfram\nsolve x^2-5x+6=0\n```"}])
        == "Result: x = 2 or x = 3"
    )
    assert proxy.generate_reply([{"role": "user", "content": "```wolfram\nnonsense\n```"}]).startswith("Error:")
    monkeypatch.setitem(sys.modules, "wolframalpha", None)
    with pytest.raises(ImportError, match=r"pyautogen\[mathchat\]"):
        proxy.execute_one_wolfram_query("solve")


def test_wolfram_wrapper_takes_the_classic_client_and_values(monkeypatch: pytest.MonkeyPatch) -> None:
    from autogen.agentchat.contrib.math_user_proxy_agent import WolframAlphaAPIWrapper, get_from_dict_or_env

    made: List[str] = []
    monkeypatch.setitem(sys.modules, "wolframalpha", types.SimpleNamespace(Client=lambda appid: made.append(appid)))
    monkeypatch.delenv("WOLFRAM_ALPHA_APPID", raising=False)
    with pytest.raises(ValueError, match="WOLFRAM_ALPHA_APPID"):
        WolframAlphaAPIWrapper()
    mine = types.SimpleNamespace(query=lambda text: types.SimpleNamespace(pods=[]))
    assert WolframAlphaAPIWrapper(wolfram_client=mine).wolfram_client is mine and made == []
    values = WolframAlphaAPIWrapper.validate_environment({"wolfram_alpha_appid": "app-2"})
    assert values["wolfram_alpha_appid"] == "app-2" and made == ["app-2"]
    monkeypatch.setenv("THE_KEY", "from-env")
    assert get_from_dict_or_env({"key": ""}, "key", "THE_KEY") == "from-env"
    assert get_from_dict_or_env({"key": "given"}, "key", "THE_KEY") == "given"
    assert get_from_dict_or_env({}, "other", "NOT_SET_ANYWHERE", default="d") == "d"


def test_async_mathchat(llm_server: Any, llm_config: dict, tmp_path: Path) -> None:
    assistant = AssistantAgent("assistant", llm_config=llm_config)
    proxy = math_proxy(tmp_path)
    llm_server.script("```python\n2**10\n```", "So the answer is \\boxed{1024}.")
    result = asyncio.run(proxy.a_initiate_chat(assistant, message=proxy.message_generator, problem="2^10?"))
    assert [m["content"] for m in result.chat_history][2] == "1024"


def test_code_helpers() -> None:
    assert _add_print_to_last_line("x = 1\nx + 1") == "x = 1\nprint(x + 1)"
    assert _add_print_to_last_line("x = 1") == "x = 1"
    assert _add_print_to_last_line("print(1)") == "print(1)"
    assert _add_print_to_last_line("for i in range(2):\n    i") == "for i in range(2):\n    i"
    assert _remove_print("a = 1\nprint(a)\nif a:\n    print(a)") == "a = 1\nif a:\n    print(a)"
    assert _is_termination_msg_mathchat({"content": "so \\boxed{3}"})
    assert not _is_termination_msg_mathchat({"content": "```python\nprint(3)\n```\n\\boxed{3}"})
    assert not _is_termination_msg_mathchat("no answer yet")


def test_math_utils() -> None:
    text = "First \\boxed{1}, finally \\boxed{\\frac{1}{2}} done"
    assert last_boxed_only_string(text) == "\\boxed{\\frac{1}{2}}"
    assert remove_boxed("\\boxed{\\frac{1}{2}}") == "\\frac{1}{2}"
    assert get_answer("answer: \\boxed 7$") == "7"
    assert get_answer("\\fbox{x+1}") == "x+1" and get_answer("none") is None and get_answer(None) is None
    assert get_answer("\\boxed{unclosed") is None
    assert is_equiv("\\frac12", "0.5") and is_equiv("\\dfrac{1}{2}", "1/2") and is_equiv("x = 5", "5")
    assert is_equiv("\\left( 1, 2 \\right)", "(1,2)") and is_equiv("10\\%", "10") and is_equiv("2.0", "2")
    assert not is_equiv("3", "4") and is_equiv(None, None) and not is_equiv("1", None)
    assert is_equiv_chain_of_thought("so \\boxed{\\tfrac{3}{4}}", "\\boxed{0.75}")
    scores = eval_math_responses(["\\boxed{2}", "\\boxed{2.0}", "\\boxed{3}", "no answer"], solution="\\boxed{2}")
    assert scores == {
        "expected_success": 0.5,
        "success": True,
        "success_vote": True,
        "voted_answer": "\\boxed{2}",
        "votes": 2,
    }
