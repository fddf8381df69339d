"""EcoOptiGen end to end: Completion.tune searches configs against the local server, whose answers depend on them.

The scripted model answers a sum correctly only when asked with the precise prompt template and a temperature
of at most 1.2 (gpt-4 copes with any temperature); its answers use about half of max_tokens, so the cost of
a config grows with the model's price, max_tokens and n. A good config is therefore cheap: the cheap model,
the precise template, a low temperature, few tokens.
"""

from __future__ import annotations

import re
import warnings
from typing import Any, Dict, List

import pytest
from llm_server import LLMServer, last_user_content

from autogen import ChatCompletion, Completion

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # "flaml.automl is not available": only flaml.tune is used
    from flaml import tune

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

VAGUE = "What about {problem}?"
PRECISE = "Add the numbers and answer with only the number: {problem}"
DATA = [{"problem": f"{a} + {b}", "answer": str(a + b)} for a, b in [(2, 3), (10, 7), (41, 1), (8, 8)]]


def responder(body: Dict[str, Any]) -> Dict[str, Any]:
    content = last_user_content(body)
    a, b = (int(x) for x in re.search(r"(\d+) \+ (\d+)", content).groups())  # type: ignore[union-attr]
    precise = "only the number" in content
    careful = body.get("model") == "gpt-4" or body.get("temperature", 1.0) <= 1.2
    text = str(a + b) if precise and careful else f"Roughly {a + b + 1}, I think."
    completion_tokens = max(1, body.get("max_tokens", 1000) // 2)
    n = body.get("n", 1)
    return {
        "choices": [text] * n,
        "usage": {"prompt_tokens": 20, "completion_tokens": completion_tokens * n},
    }


def eval_func(responses: List[str], answer: str, **_: Any) -> Dict[str, Any]:
    votes = sum(r.strip() == answer for r in responses)
    return {"success": int(votes * 2 > len(responses)), "votes": votes}


@pytest.fixture(autouse=True)
def _no_cache_between_tests() -> Any:
    Completion.set_cache(41, ".cache")
    yield
    Completion.clear_cache(cache_path_root=".cache")


def test_tune_finds_a_better_and_cheaper_config_within_the_budgets(llm_server: LLMServer) -> None:
    llm_server.responder = responder
    endpoint = [{"base_url": llm_server.base_url, "api_key": "test"}]
    baseline = {"model": "gpt-4", "prompt": VAGUE, "max_tokens": 600, "temperature": 1.0, "n": 1}
    base_result = ChatCompletion.test(
        DATA, eval_func=eval_func, config_list=endpoint, allow_format_str_template=True, **baseline
    )
    assert base_result["success"] == 0
    requests_before = len(llm_server.chat_requests())

    inference_budget = 0.01
    optimization_budget = 0.5
    config, analysis = ChatCompletion.tune(
        data=DATA,
        metric="success",
        mode="max",
        eval_func=eval_func,
        inference_budget=inference_budget,
        optimization_budget=optimization_budget,
        num_samples=20,
        model=["gpt-4", "gpt-3.5-turbo"],
        prompt=[VAGUE, PRECISE],
        max_tokens=tune.lograndint(50, 1000),
        n=tune.randint(1, 4),
        config_list=endpoint,
        allow_format_str_template=True,
    )
    # the best config is ready for create()/test(): templates and endpoints filled in
    assert config["prompt"] == PRECISE
    assert config["config_list"] == endpoint
    assert "temperature_or_top_p" not in config
    assert config.get("temperature", 0) <= 1.2 or config["model"] == "gpt-4"

    result = ChatCompletion.test(DATA, eval_func=eval_func, **config)
    assert result["success"] == 1
    assert result["cost"] < base_result["cost"]
    assert result["cost"] / len(DATA) <= inference_budget

    # the search explored: both models and both templates were tried, cheap settings first
    tuning_requests = llm_server.chat_requests()[requests_before:]
    assert {b["model"] for b in tuning_requests} == {"gpt-4", "gpt-3.5-turbo"}
    contents = {b["messages"][0]["content"].split(":")[0] for b in tuning_requests}
    assert {"What about 2 + 3?", "Add the numbers and answer with only the number"} <= contents
    assert tuning_requests[0]["model"] == "gpt-3.5-turbo" and tuning_requests[0]["max_tokens"] == 50

    # the spend of the search is the sum of its trials' costs, within the optimization budget
    trials = [t.last_result for t in analysis.trials if t.last_result]
    spent = sum(r["cost"] for r in trials)
    assert spent == pytest.approx(trials[-1]["total_cost"])
    assert spent <= optimization_budget

    # a config over the inference budget is pruned after the first instance and scored as infeasible
    expensive = {"model": "gpt-4", "max_tokens": 1000, "n": 3, "prompt": 1, "temperature_or_top_p": {"temperature": 0}}
    Completion.clear_cache(cache_path_root=".cache")
    before = len(llm_server.chat_requests())
    pruned = ChatCompletion.eval(expensive)
    assert len(llm_server.chat_requests()) == before + 1
    assert pruned["success"] == float("-inf")
    assert pruned["inference_cost"] > inference_budget
    full = ChatCompletion.eval(expensive, prune=False)
    assert full["success"] == 1 and full["inference_cost"] > inference_budget


def test_a_small_optimization_budget_stops_the_search(llm_server: LLMServer, tmp_path: Any) -> None:
    llm_server.responder = responder
    endpoint = [{"base_url": llm_server.base_url, "api_key": "test"}]
    config, analysis = ChatCompletion.tune(
        data=DATA,
        metric="success",
        mode="max",
        eval_func=eval_func,
        optimization_budget=0.05,
        num_samples=-1,  # unlimited: only the budget ends the search
        log_file_name=str(tmp_path / "tune.log"),
        model="gpt-4",
        prompt=PRECISE,
        max_tokens=tune.lograndint(100, 1000),
        temperature=0.5,
        n=1,
        config_list=endpoint,
        allow_format_str_template=True,
    )
    trials = [t.last_result for t in analysis.trials if t.last_result]
    assert trials[-1]["total_cost"] >= 0.05
    assert trials[-1]["total_cost"] <= 0.05 + 0.03 + 0.001  # stopped after the request that crossed the budget
    assert config["model"] == "gpt-4" and config["temperature"] == 0.5
    logged = [line for line in (tmp_path / "tune.log").read_text().splitlines() if line.startswith("trial ")]
    assert len(logged) == len(trials)  # flaml's log names each trial's config


def test_eval_and_test_options(llm_server: LLMServer) -> None:
    llm_server.responder = responder
    endpoint = [{"base_url": llm_server.base_url, "api_key": "test"}]
    summary, per_instance, responses = ChatCompletion.test(
        DATA,
        eval_func=eval_func,
        agg_method={"success": "median", "votes": sum},
        return_responses_and_per_instance_result=True,
        config_list=endpoint,
        model="gpt-3.5-turbo",
        prompt=PRECISE,
        allow_format_str_template=True,
        temperature=0,
        max_tokens=50,
        n=3,
    )
    assert summary["votes"] == 12 and summary["success"] == 1
    assert len(per_instance) == 4 and responses[0] == ["5", "5", "5"]

    with pytest.raises(ValueError, match="mode"):
        ChatCompletion.tune(DATA, "success", "best", eval_func, config_list=endpoint)
    with pytest.raises(ValueError, match="no config of config_list serves it"):
        ChatCompletion.tune(
            DATA,
            "success",
            "max",
            eval_func,
            model=["gpt-4"],
            config_list=[{"model": "gpt-3.5-turbo", **endpoint[0]}],
        )


def test_the_search_space_built_from_the_classic_arguments() -> None:
    from autogen.oai.completion_tune import TuneSetup

    chats = [
        [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "{problem}"}],
        [{"role": "user", "content": "Think, then answer: {problem}"}],
    ]
    setup = TuneSetup.build(
        ChatCompletion.default_search_space,
        DATA,
        "success",
        "max",
        eval_func,
        None,
        None,
        {"messages": chats, "stop": [None, "\n"], "temperature": 0.3, "config_list": [{"api_key": "k"}]},
    )
    # the messages replace the default prompt; a fixed temperature replaces the temperature_or_top_p choice
    assert "prompt" not in setup.space and "temperature_or_top_p" not in setup.space
    assert setup.space["messages"].categories == [0, 1] and setup.space["stop"].categories == [0, 1]
    assert setup.low_cost == {"model": "gpt-3.5-turbo", "max_tokens": 50, "n": 1}
    assert setup.starting_points() == [{**setup.low_cost, "messages": 0}, {**setup.low_cost, "messages": 1}]
    params = setup.params_for_create({"model": "gpt-4", "messages": 1, "stop": 0, "temperature": 0.3, "n": 2})
    assert params == {
        "model": "gpt-4",
        "messages": chats[1],
        "temperature": 0.3,
        "n": 2,
        "config_list": [{"api_key": "k"}],
    }  # stop None is left out of the request
    assert setup.params_for_create({"stop": 1})["stop"] == "\n"
