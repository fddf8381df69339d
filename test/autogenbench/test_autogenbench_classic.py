"""AutoGenBench runs scenario templates written for the classic tool unchanged: ``testbed_utils`` in every trial
folder, the classic success string, ``Scripts/custom_tabulate.py`` with ``default_tabulate`` and ``load_module``,
``run -m``, ``clone -b`` and ``tabulate -c``. The scenario talks to the local LLM server through the real SDK."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from bench_helpers import run_cli
from bench_model import load_problems, make_responder

# A template in the classic style: testbed_utils.init/default_llm_config/finalize, the classic marker printed when
# the check passes, and no agbench.record (so tabulate falls back to the console log).
CLASSIC_SCENARIO = """\
import os
import autogen
import testbed_utils

testbed_utils.init()
config_list = autogen.config_list_from_json("OAI_CONFIG_LIST")
llm_config = testbed_utils.default_llm_config(config_list, timeout=180)
assistant = autogen.AssistantAgent("assistant", llm_config=llm_config)
user_proxy = autogen.UserProxyAgent(
    "user_proxy", human_input_mode="NEVER", code_execution_config=False, max_consecutive_auto_reply=0
)
user_proxy.initiate_chat(assistant, message="Say __WORD__")
answer = assistant.last_message(user_proxy)["content"]
if "__WORD__" == "pass":
    print("ALL TESTS PASSED !#!#")
testbed_utils.finalize(agents=[assistant, user_proxy])
"""

CUSTOM_TABULATE = """\
import os
import sys

from autogenbench.load_module import load_module
from autogenbench.tabulate_cmd import default_scorer, default_tabulate


def scorer(instance_dir):
    # the classic way: look at what the trial left in its folder
    if not os.path.isfile(os.path.join(instance_dir, "user_proxy_messages.json")):
        return None
    return default_scorer(instance_dir)


def main(args):
    parsed, rows = default_tabulate(args, scorer=scorer)
    print("CUSTOM ROWS", rows)


if __name__ == "__main__" and __package__ is None:
    main(sys.argv)
"""


def _classic_scenario(root: Path) -> Path:
    scenario = root / "Classic"
    template = scenario / "Templates" / "TwoAgents"
    template.mkdir(parents=True)
    (template / "scenario.py").write_text(CLASSIC_SCENARIO)
    (scenario / "Scripts").mkdir()
    (scenario / "Scripts" / "custom_tabulate.py").write_text(CUSTOM_TABULATE)
    (scenario / "Tasks").mkdir()
    lines = [
        {"id": f"Classic_{i}", "template": "Templates/TwoAgents", "substitutions": {"scenario.py": {"__WORD__": w}}}
        for i, w in enumerate(["pass", "fail"])
    ]
    (scenario / "Tasks" / "classic.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    return scenario


def test_classic_template_runs_and_tabulates(llm_server: Any, tmp_path: Path, monkeypatch: Any) -> None:
    scenario = _classic_scenario(tmp_path)
    configs = llm_server.config_list(model="gpt-4") + llm_server.config_list(model="other-model")
    (scenario / "OAI_CONFIG_LIST").write_text(json.dumps(configs))
    monkeypatch.chdir(scenario)

    done = run_cli("run", "--native", "-m", "gpt-4", "Tasks/classic.jsonl")
    assert done.code == 0, done.err
    trial = scenario / "Results" / "classic" / "Classic_0" / "0"
    assert (trial / "testbed_utils.py").is_file()  # copied into every trial folder
    assert "pyautogen version:" in (trial / "timestamp.txt").read_text()  # init()
    saved = json.loads((trial / "user_proxy_messages.json").read_text())  # finalize()
    assert saved["assistant"][0]["content"] == "Say pass"
    assert (trial / "logs.db").is_file()  # runtime logging started by init()
    # -m kept only the gpt-4 configuration: every request the trials made named it
    assert {body["model"] for body in llm_server.chat_requests()} == {"gpt-4"}

    # the scenario's custom_tabulate.py is used, through the classic default_tabulate and load_module
    done = run_cli("tabulate", "Results/classic")
    assert done.code == 0, done.err
    assert "CUSTOM ROWS [['Classic_0', True], ['Classic_1', False]]" in done.out
    lines = done.out.splitlines()
    assert lines[0].split() == ["Task", "Id", "Trial", "0", "Success"]
    done = run_cli("tabulate", "-c", "Results/classic")
    assert "Task Id,Trial 0 Success\nClassic_0,True\nClassic_1,False\n" in done.out


def test_plain_tabulate_reads_the_classic_success_string(llm_server: Any, tmp_path: Path, monkeypatch: Any) -> None:
    scenario = _classic_scenario(tmp_path)
    (scenario / "Scripts" / "custom_tabulate.py").unlink()
    (scenario / "OAI_CONFIG_LIST").write_text(json.dumps(llm_server.config_list()))
    monkeypatch.chdir(scenario)
    assert run_cli("run", "--native", "Tasks/classic.jsonl").code == 0
    done = run_cli("tabulate", "Results/classic")
    assert done.code == 0, done.err
    rows = [line.split() for line in done.out.splitlines()]
    assert ["Classic_0", "True"] in rows and ["Classic_1", "False"] in rows


def test_run_model_filter_and_clone_branch_errors(tmp_path: Path, llm_server: Any, monkeypatch: Any) -> None:
    scenario = _classic_scenario(tmp_path)
    (scenario / "OAI_CONFIG_LIST").write_text(json.dumps(llm_server.config_list(model="gpt-4")))
    monkeypatch.chdir(scenario)
    done = run_cli("run", "--native", "--model", "gpt-5", "Tasks/classic.jsonl")
    assert done.code == 2 and "--model gpt-5: no configuration" in done.err
    done = run_cli("clone", "-b", "experimental", "HumanEval", str(tmp_path / "h"))
    assert done.code == 2 and "are not downloaded" in done.err
    done = run_cli("clone", "-b", "main", "--no-init", "HumanEval", str(tmp_path / "h"))
    assert done.code == 0 and (tmp_path / "h" / "README.md").is_file()


@pytest.mark.docker
@pytest.mark.timeout(900)  # 26 trials, one container each, one after the other as the blog runs them
def test_the_classic_blog_session_as_written(
    need_docker: None, llm_server: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    """The AutoGenBench blog's commands: clone HumanEval, cd into it, run the reduced two-agent tasks (in Docker,
    the default), tabulate the results."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OAI_CONFIG_LIST", json.dumps(llm_server.config_list()))
    assert run_cli("clone", "HumanEval").code == 0
    monkeypatch.chdir(tmp_path / "HumanEval")
    lines = Path("Tasks/r_human_eval_two_agents.jsonl").read_text().splitlines()
    task_ids = [json.loads(line)["id"] for line in lines]
    assert len(task_ids) == 26
    everything = load_problems()
    solved = set(task_ids[::2])  # the scripted model gets every other problem right
    llm_server.responder = make_responder({t: everything[t] for t in task_ids}, solved)

    done = run_cli("run", "Tasks/r_human_eval_two_agents.jsonl")
    assert done.code == 0, done.err
    done = run_cli("tabulate", "Results/r_human_eval_two_agents")
    assert done.code == 0, done.err
    rows = {line.split()[0]: line.split()[1:] for line in done.out.splitlines() if line.startswith("HumanEval_")}
    assert rows == {t: ["True" if t in solved else "False"] for t in task_ids}
    assert ["Successes", "13"] in [line.split() for line in done.out.splitlines()]
