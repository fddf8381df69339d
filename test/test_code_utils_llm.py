"""The classic LLM-based helpers of autogen.code_utils, through the local server; generated code really runs."""

from __future__ import annotations

import functools
from typing import Any, Dict

import pytest
from llm_server import LLMServer, last_user_content

from autogen.code_utils import (
    PassAssertionFilter,
    eval_function_completions,
    generate_assertions,
    generate_code,
    implement,
    improve_code,
    improve_function,
)
from autogen.oai.completion import Completion

DEFINITION = '''def add(a, b):
    """Add two numbers.
    >>> add(1, 2)
    3
    """
'''
GOLD_TEST = "def check(candidate):\n    assert candidate(2, 2) == 4\n    assert candidate(-1, 1) == 0\n"


@pytest.fixture(autouse=True)
def _local_execution(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("AUTOGEN_USE_DOCKER", "False")
    Completion.set_cache(41, ".cache")
    yield
    Completion.clear_cache(cache_path_root=".cache")


def model_of_the_team(body: Dict[str, Any]) -> Any:
    content = last_user_content(body)
    if "assert statement" in content:
        return "assert add(1, 2) == 3"
    if content.startswith("# Python 3"):
        # the cheap model gets it wrong every time, the strong one right
        body_text = "    return a - b\n" if body["model"] == "gpt-3.5-turbo" else "    return a + b\n"
        return {"choices": [body_text] * body.get("n", 1)}
    return "?"


def test_generate_code_returns_the_code_block_and_the_cost(llm_server: LLMServer) -> None:
    llm_server.script("Here it is:\n```python\nprint('hi')\n```\nDone.")
    code, cost = generate_code(
        messages=[{"role": "user", "content": "print hi"}], config_list=llm_server.config_list(), use_cache=False
    )
    assert code == "print('hi')"
    assert cost > 0


def test_improve_function_and_improve_code_send_the_files(llm_server: LLMServer, tmp_path: Any) -> None:
    source = tmp_path / "mathlib.py"
    source.write_text("def slow_sum(xs):\n    total = 0\n    for x in xs: total += x\n    return total\n")
    other = tmp_path / "main.py"
    other.write_text("from mathlib import slow_sum\nprint(slow_sum([1, 2]))\n")
    llm_server.script("def slow_sum(xs):\n    return sum(xs)", "1. use sum()")
    answer, cost = improve_function(
        str(source), "slow_sum", "run faster", config_list=llm_server.config_list(), use_cache=False
    )
    assert answer.startswith("def slow_sum") and cost > 0
    prompt = last_user_content(llm_server.chat_requests()[0])
    assert "slow_sum" in prompt and "run faster" in prompt and "total += x" in prompt
    answer, _ = improve_code(
        [str(source), str(other)], "be idiomatic", suggest_only=False, config_list=llm_server.config_list()
    )
    assert answer == "1. use sum()"
    prompt = last_user_content(llm_server.chat_requests()[1])
    assert f"{other}:\nfrom mathlib import slow_sum" in prompt
    assert "followed by the improved code" in prompt and "be idiomatic" in prompt


def test_generate_assertions_asks_for_the_docstring_examples(llm_server: LLMServer) -> None:
    llm_server.responder = model_of_the_team
    assertions, cost = generate_assertions(DEFINITION, config_list=llm_server.config_list("gpt-3.5-turbo"))
    assert assertions == "assert add(1, 2) == 3"
    body = llm_server.chat_requests()[0]
    assert body["model"] == "gpt-3.5-turbo" and body["max_tokens"] == 256 and body["stop"] == "\n\n"
    assert ">>> add(1, 2)" in last_user_content(body)
    assert cost > 0


def test_eval_function_completions_runs_the_code() -> None:
    wrong, right = "    return a - b\n", "    return a + b\n"
    gold = eval_function_completions([wrong, right], DEFINITION, test=GOLD_TEST, entry_point="add", use_docker=False)
    assert gold["success"] is True
    assert gold["expected_success"] == pytest.approx(1 - 0.5**2)
    assert eval_function_completions([wrong], DEFINITION, GOLD_TEST, "add", use_docker=False)["success"] is False

    # a completion that restates the whole function, with a check() of its own that is dropped
    restated = "def add(a, b):\n    return a + b\n\ndef check(candidate):\n    raise SystemExit(1)\n"
    assert eval_function_completions([restated], DEFINITION, GOLD_TEST, "add", use_docker=False)["success"] is True

    chosen = eval_function_completions(
        [wrong, right], DEFINITION, test=GOLD_TEST, entry_point="add", assertions="assert add(1, 2) == 3",
        use_docker=False,
    )  # fmt: skip
    assert chosen == {
        "index_selected": 1,
        "succeed_assertions": True,
        "success": True,
        "gen_cost": 0.0,
        "assertions": "assert add(1, 2) == 3",
    }
    with pytest.raises(ValueError, match="gold test"):
        eval_function_completions([right], DEFINITION)


def test_implement_tries_configs_until_one_passes_the_generated_assertions(llm_server: LLMServer) -> None:
    llm_server.responder = model_of_the_team
    endpoint = {"base_url": llm_server.base_url, "api_key": "test"}
    configs = [
        {"model": "gpt-3.5-turbo", "prompt": "# Python 3{definition}", "n": 3, "stop": ["\ndef"], **endpoint},
        {"model": "gpt-4", "prompt": "# Python 3{definition}", "temperature": 0, **endpoint},
    ]
    assertion_maker = functools.partial(generate_assertions, config_list=llm_server.config_list("gpt-3.5-turbo"))
    code, cost, config_id = implement(DEFINITION, configs, assertions=assertion_maker)
    assert code == "    return a + b\n"
    assert config_id == 1
    models = [b["model"] for b in llm_server.chat_requests()]
    assert models == ["gpt-3.5-turbo", "gpt-3.5-turbo", "gpt-4"]  # assertions, cheap try, strong try
    assert llm_server.chat_requests()[1]["n"] == 3
    assert cost > 0

    # the filter on its own: remembers what it judged
    check = PassAssertionFilter("assert add(1, 2) == 3")
    response = {
        "choices": [{"message": {"content": "    return a * b\n"}}, {"message": {"content": "    return b + a"}}]
    }
    assert check.pass_assertions({"definition": DEFINITION}, response) is True
    assert check.metrics is not None and check.metrics["index_selected"] == 1
    assert check.responses == ["    return a * b\n", "    return b + a"]
