"""AgentEval against the local OpenAI-compatible server, with the critic's and quantifier's answers scripted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
from helpers import ScriptedIO
from llm_server import LLMServer

from autogen.agentchat.contrib.agent_eval import AgentEvalError, aggregate_results
from autogen.agentchat.contrib.agent_eval.agent_eval import generate_criteria, quantify_criteria
from autogen.agentchat.contrib.agent_eval.aggregate import default_is_successful, score_of
from autogen.agentchat.contrib.agent_eval.criterion import Criterion
from autogen.agentchat.contrib.agent_eval.critic_agent import CriticAgent
from autogen.agentchat.contrib.agent_eval.quantifier_agent import QuantifierAgent
from autogen.agentchat.contrib.agent_eval.subcritic_agent import SubCriticAgent
from autogen.agentchat.contrib.agent_eval.task import Task
from autogen.io.base import IOStream

REPO_ROOT = Path(__file__).resolve().parents[3]
CRITIC = CriticAgent.DEFAULT_SYSTEM_MESSAGE[:60]
SUBCRITIC = SubCriticAgent.DEFAULT_SYSTEM_MESSAGE[:60]
QUANTIFIER = QuantifierAgent.DEFAULT_SYSTEM_MESSAGE[:60]

TASK = Task(
    name="Math problem solving",
    description="Solve a school math problem and explain the answer.",
    successful_response="12 - 5 = 7, so 7 apples are left.",
    failed_response="About 10 apples.",
)
CRITERIA = [
    {"name": "accuracy", "description": "Is the answer right?", "accepted_values": ["wrong", "partly right", "right"]},
    {"name": "clarity", "description": "Is it clear?", "accepted_values": ["unclear", "clear", "very clear"]},
]
SUB_CRITERIA = [
    CRITERIA[0],
    {
        **CRITERIA[1],
        "accepted_values": [],
        "sub_criteria": [
            {"name": "structure", "description": "Steps in order", "accepted_values": ["1", "2", "3"]},
            {"name": "wording", "description": "Plain words", "accepted_values": ["poor", "good"]},
        ],
    },
]


@pytest.fixture(autouse=True)
def _quiet_io() -> Iterator[ScriptedIO]:
    stream = ScriptedIO()
    with IOStream.set_default(stream):
        yield stream


def system_of(body: Dict[str, Any]) -> str:
    return body["messages"][0]["content"] or ""


def requests_to(llm_server: LLMServer, mark: str) -> List[Dict[str, Any]]:
    return [b for b in llm_server.chat_requests() if system_of(b).startswith(mark)]


def criteria() -> List[Criterion]:
    return Criterion.parse_json_str(json.dumps(CRITERIA))


# ----------------------------------------------------------------------------------------------- criteria --
def test_generate_criteria_with_the_critic(llm_server: LLMServer) -> None:
    llm_server.responder = lambda body: "Here are the criteria:\n```json\n" + json.dumps(CRITERIA) + "\n```"
    found = generate_criteria(llm_server.llm_config(), TASK, additional_instructions="Use at most two criteria.")
    assert [c.name for c in found] == ["accuracy", "clarity"]
    assert found[0].accepted_values == ["wrong", "partly right", "right"] and found[0].sub_criteria == []
    (request,) = llm_server.chat_requests()  # round robin: no selection call
    assert system_of(request).startswith(CRITIC) and system_of(request).endswith("Use at most two criteria.")
    assert request["messages"][-1]["content"] == TASK.get_sys_message()


def test_generate_criteria_with_a_subcritic(llm_server: LLMServer) -> None:
    def model(body: Dict[str, Any]) -> Any:
        if system_of(body).startswith(SUBCRITIC):
            assert json.loads(body["messages"][-1]["content"]) == CRITERIA  # it reads the critic's answer
            return json.dumps(SUB_CRITERIA)
        return json.dumps(CRITERIA)

    llm_server.responder = model
    found = generate_criteria(llm_server.llm_config(), TASK, use_subcritic=True)  # max_round=2 is raised to 3
    assert [c.name for c in found[1].sub_criteria] == ["structure", "wording"]
    assert [path for c in found for path, _ in c.leaves()] == ["accuracy", "clarity/structure", "clarity/wording"]
    assert len(requests_to(llm_server, SUBCRITIC)) == 1


def test_malformed_criteria_are_sent_back_to_the_critic(llm_server: LLMServer) -> None:
    llm_server.script("Accuracy and clarity would be good criteria.", json.dumps([{"name": "accuracy"}]))
    llm_server.responder = lambda body: json.dumps(CRITERIA)
    found = generate_criteria(llm_server.llm_config(), TASK)
    assert [c.name for c in found] == ["accuracy", "clarity"]
    retries = requests_to(llm_server, CRITIC)[1:]
    assert "could not be read as JSON" in retries[0]["messages"][-1]["content"]
    assert TASK.get_sys_message() in retries[0]["messages"][-1]["content"]
    assert "needs a non-empty list of 'accepted_values'" in retries[1]["messages"][-1]["content"]


def test_a_critic_that_never_answers_json_is_a_clear_error(llm_server: LLMServer) -> None:
    llm_server.responder = lambda body: "I think accuracy matters."
    with pytest.raises(AgentEvalError, match="critic gave no usable criteria in 2 attempt"):
        generate_criteria(llm_server.llm_config(), TASK, max_retries=1)


# ------------------------------------------------------------------------------------------------ grades --
def test_quantify_criteria(llm_server: LLMServer) -> None:
    llm_server.responder = lambda body: json.dumps({"Accuracy": "Right.", "clarity": "clear"})
    result = quantify_criteria(llm_server.llm_config(), criteria(), TASK, "7 apples are left.", ground_truth="true")
    assert result == {
        "actual_success": "true",
        "estimated_performance": json.dumps({"accuracy": "right", "clarity": "clear"}),
        "quantified": {"accuracy": "right", "clarity": "clear"},
    }
    (request,) = llm_server.chat_requests()
    assert system_of(request).startswith(QUANTIFIER)
    prompt = request["messages"][-1]["content"]
    assert TASK.get_sys_message() in prompt and '"accepted_values"' in prompt and prompt.endswith("7 apples are left.")


def test_quantify_sub_criteria(llm_server: LLMServer) -> None:
    llm_server.responder = lambda body: json.dumps(
        {"accuracy": "wrong", "clarity": {"structure": 2, "wording": "good"}}
    )
    subs = Criterion.parse_json_str(json.dumps(SUB_CRITERIA))
    result = quantify_criteria(llm_server.llm_config(), subs, TASK, "x", ground_truth=False)
    assert result["quantified"] == {"accuracy": "wrong", "clarity/structure": "2", "clarity/wording": "good"}
    assert json.loads(result["estimated_performance"])["clarity"] == {"structure": "2", "wording": "good"}


def test_bad_grades_are_sent_back_then_a_clear_error(llm_server: LLMServer) -> None:
    llm_server.script("accuracy: right", json.dumps({"accuracy": "excellent", "clarity": "clear"}))
    llm_server.responder = lambda body: json.dumps({"accuracy": "right", "clarity": "clear"})
    result = quantify_criteria(llm_server.llm_config(), criteria(), TASK, "x", ground_truth=True)
    assert result["quantified"] == {"accuracy": "right", "clarity": "clear"}
    feedback = [b["messages"][-1]["content"] for b in llm_server.chat_requests()[1:]]
    assert "could not be read as JSON" in feedback[0]
    assert "'accuracy' has the grade 'excellent', which is not one of" in feedback[1]

    llm_server.reset()
    llm_server.responder = lambda body: json.dumps({"accuracy": "right"})
    with pytest.raises(AgentEvalError, match="'clarity' has no grade"):
        quantify_criteria(llm_server.llm_config(), criteria(), TASK, "x", max_retries=1)
    assert len(llm_server.chat_requests()) == 2


# --------------------------------------------------------------------------------------------- aggregate --
def test_grades_of_many_test_cases_are_aggregated_into_a_table(llm_server: LLMServer, tmp_path: Path) -> None:
    cases = [
        ("12 - 5 = 7", True, {"accuracy": "right", "clarity": "very clear"}),
        ("7, since 12 - 5 = 7", "yes", {"accuracy": "right", "clarity": "clear"}),
        ("About 10", False, {"accuracy": "wrong", "clarity": "unclear"}),
        ("8?", "failed", {"accuracy": "partly right", "clarity": "unclear"}),
    ]
    answers = iter([json.dumps(grades) for _, _, grades in cases])
    llm_server.responder = lambda body: next(answers)
    found = criteria()
    results = [quantify_criteria(llm_server.llm_config(), found, TASK, text, truth) for text, truth, _ in cases]
    table = aggregate_results(results, found)
    assert (table.successful_cases, table.failed_cases) == (2, 2)
    assert table.as_dict() == {
        "accuracy": {"successful": 2.0, "failed": 0.5},
        "clarity": {"successful": 1.5, "failed": 0.0},
    }
    assert table.rows[0].successful_count == 2 and table.rows[0].failed_count == 2
    assert table.to_markdown().splitlines() == [
        "| criterion | successful (2) | failed (2) |",
        "| --- | --- | --- |",
        "| accuracy | 2.00 | 0.50 |",
        "| clarity | 1.50 | 0.00 |",
    ]
    assert json.loads(table.to_json())["criteria"]["accuracy"]["failed"] == 0.5

    # without the criteria only numeric grades count; classic results (grades as JSON text) are read too
    classic = [
        {"actual_success": 1, "estimated_performance": '{"score": "4", "tone": "kind"}'},
        {"actual_success": 0, "estimated_performance": '```json\n{"score": 2}\n```'},
    ]
    assert aggregate_results(classic).as_dict() == {"score": {"successful": 4.0, "failed": 2.0}}

    pytest.importorskip("matplotlib")
    figure = table.plot(str(tmp_path / "table.png"))
    assert (tmp_path / "table.png").stat().st_size > 1000 and figure.axes[0].get_title()


def test_scores_and_success_labels() -> None:
    assert score_of("Clear", ["unclear", "clear", "very clear"]) == 1.0
    assert score_of("3", ["1", "2", "3"]) == 3.0 and score_of("4.5", None) == 4.5
    assert score_of("meh", ["poor", "good"]) is None
    assert default_is_successful("Passed") and not default_is_successful("no") and default_is_successful(2)
    with pytest.raises(ValueError, match="is_successful"):
        default_is_successful("42 apples")
    table = aggregate_results(
        [{"actual_success": "42", "quantified": {"accuracy": "right"}}], criteria(), is_successful=lambda a: a == "42"
    )
    assert table.as_dict() == {
        "accuracy": {"successful": 2.0, "failed": None},
        "clarity": {"successful": None, "failed": None},
    }
    assert "| clarity | - | - |" in str(table)


# ------------------------------------------------------------------------------------------------ models --
def test_criterion_and_task_json_round_trip(tmp_path: Path) -> None:
    subs = Criterion.parse_json_str(json.dumps(SUB_CRITERIA))
    text = Criterion.write_json(subs)
    assert Criterion.parse_json_str(text) == subs
    assert json.loads(text)[1]["sub_criteria"][0] == {
        "name": "structure",
        "description": "Steps in order",
        "accepted_values": ["1", "2", "3"],
        "sub_criteria": [],
    }
    assert Task.parse_json_str(TASK.write_json()) == TASK
    # accepted values given as numbers or a dict become strings; {"criteria": [...]} is accepted
    loose = Criterion.parse_json_str(
        json.dumps(
            {"criteria": [{"name": "n", "accepted_values": [1, 2]}, {"name": "m", "accepted_values": {"a": "x"}}]}
        )
    )
    assert loose[0].accepted_values == ["1", "2"] and loose[1].accepted_values == ["a"] and loose[0].description == ""
    with pytest.raises(ValueError, match="repeated"):
        Criterion.parse_json_str(json.dumps([CRITERIA[0], CRITERIA[0]]))


def test_pydantic_stays_out_of_import_autogen() -> None:
    code = (
        "import sys, autogen, autogen.agentchat.contrib.agent_eval as e, autogen.agentchat.contrib.agent_builder, "
        "autogen.agentchat.contrib.agent_optimizer; assert 'pydantic' not in sys.modules, 'pydantic'; "
        "assert 'openai' not in sys.modules, 'openai'; e.Criterion; assert 'pydantic' in sys.modules"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT)
    assert done.returncode == 0, done.stderr


# ------------------------------------------------------------------------------------------------ sample --
def _sample_model(body: Dict[str, Any]) -> Any:
    system = system_of(body)
    if system.startswith(CRITIC):
        return json.dumps(CRITERIA)
    if system.startswith(QUANTIFIER):
        response = body["messages"][-1]["content"].rsplit("The response to grade:\n", 1)[1]
        good = "150 km" in response or "= 70" in response
        return json.dumps({"accuracy": "right" if good else "wrong", "clarity": "clear" if good else "unclear"})
    raise AssertionError(f"unexpected request: {system[:80]!r}")


def test_agent_eval_sample(llm_server: LLMServer, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    llm_server.responder = _sample_model
    config_file = tmp_path / "configs.json"
    config_file.write_text(json.dumps(llm_server.config_list()))
    env = {**os.environ, "OAI_CONFIG_LIST": str(config_file), "PYTHONPATH": str(REPO_ROOT)}
    sample = str(REPO_ROOT / "samples" / "contrib" / "agent_eval.py")
    done = subprocess.run(
        [sys.executable, sample, "--save-criteria", "criteria.json", "--plot", "table.png"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("criteria: accuracy, clarity\n")  # the agents' chats are not printed
    assert "| accuracy | 2.00 | 0.00 |" in done.stdout and "| clarity | 1.00 | 0.00 |" in done.stdout
    assert (tmp_path / "table.png").is_file()

    llm_server.reset()
    llm_server.responder = _sample_model
    done = subprocess.run(
        [sys.executable, sample, "--criteria", "criteria.json"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert not requests_to(llm_server, CRITIC)  # saved criteria: no critic call
