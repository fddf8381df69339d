"""Classic AutoGen Studio JSON files: import (HTTP and CLI) creates runnable records; export writes the classic shape."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict

import pytest

CLASSIC = Path(__file__).parent / "classic"


def classic_file(name: str, llm_server: Any) -> Dict[str, Any]:
    """A classic file of test/autogenstudio/classic/, its models pointed at the local LLM server."""
    text = (CLASSIC / name).read_text(encoding="utf-8")
    return json.loads(text.replace("LLM_BASE_URL", llm_server.base_url))


def test_classic_two_agent_workflow_imports_and_runs(client: Any, llm_server: Any) -> None:
    imported = client.post("/api/classic/import", json=classic_file("workflow_twoagents.json", llm_server))
    assert imported.status_code == 201, imported.text
    body = imported.json()
    assert body["kind"] == "workflow" and body["item"]["name"] == "General Agent Workflow"
    wf = body["item"]
    sender = client.get(f"/api/agents/{wf['sender_id']}").json()
    receiver = client.get(f"/api/agents/{wf['receiver_id']}").json()
    assert (sender["name"], sender["type"], sender["code_execution"]) == ("userproxy", "userproxy", True)
    assert (receiver["name"], receiver["max_consecutive_auto_reply"]) == ("primary_assistant", 8)
    [skill_id] = receiver["skill_ids"]
    assert client.get(f"/api/skills/{skill_id}").json()["name"] == "fetch_profile"
    [model_id] = receiver["model_ids"]
    model = client.get(f"/api/models/{model_id}").json()
    assert model["base_url"] == llm_server.base_url and model["api_key"] == "****0001"

    llm_server.script("The capital of France is Paris. TERMINATE")
    session = client.post("/api/sessions", json={"workflow_id": wf["id"]}).json()
    result = client.post(f"/api/sessions/{session['id']}/messages", json={"content": "Capital of France?"})
    assert result.status_code == 200, result.text
    assert result.json()["final_answer"] == "The capital of France is Paris."
    [request] = [r for r in llm_server.requests if r.path.endswith("/chat/completions")]
    assert request.body is not None and request.body["model"] == "gpt-4-1106-preview"
    assert {k.lower(): v for k, v in request.headers.items()}["authorization"] == "Bearer sk-classic-file-key-0001"
    assert "fetch_profile" in request.body["messages"][0]["content"]  # the agent is told about its skill


def test_classic_group_chat_imports_and_runs(client: Any, llm_server: Any) -> None:
    imported = client.post("/api/classic/import", json=classic_file("workflow_groupchat.json", llm_server))
    assert imported.status_code == 201, imported.text
    wf = imported.json()["item"]
    assert (wf["type"], wf["speaker_selection_method"], wf["max_round"]) == ("groupchat", "round_robin", 6)
    names = [client.get(f"/api/agents/{i}").json()["name"] for i in wf["agent_ids"]]
    assert names == ["travel_planner", "local_expert"]
    models = client.get("/api/models").json()
    assert sum(m["base_url"] == llm_server.base_url for m in models) == 1  # one endpoint: one model record

    llm_server.script("Day 1: the Louvre.", "Add a walk along the Seine. TERMINATE")
    session = client.post("/api/sessions", json={"workflow_id": wf["id"]}).json()
    result = client.post(f"/api/sessions/{session['id']}/messages", json={"content": "Plan a day in Paris"}).json()
    speakers = [m["sender"] for m in result["messages"]]
    assert speakers[:3] == ["userproxy", "travel_planner", "local_expert"]
    assert "Seine" in result["messages"][2]["content"]


def test_export_writes_the_classic_shape_without_keys(client: Any, llm_server: Any) -> None:
    original = classic_file("workflow_twoagents.json", llm_server)
    wf = client.post("/api/classic/import", json=original).json()["item"]
    exported = client.get(f"/api/classic/workflows/{wf['id']}")
    assert exported.status_code == 200
    assert exported.headers["content-disposition"].startswith('attachment; filename="workflow_General_Agent')
    data = exported.json()
    assert (data["name"], data["type"], data["summary_method"]) == ("General Agent Workflow", "twoagents", "last")
    sender, receiver = data["sender"], data["receiver"]
    assert sender["type"] == "userproxy" and sender["config"]["llm_config"] is False
    assert sender["config"]["code_execution_config"] == {"work_dir": None, "use_docker": False}
    config = receiver["config"]
    assert config["name"] == "primary_assistant" and config["max_consecutive_auto_reply"] == 8
    assert config["system_message"] == original["receiver"]["config"]["system_message"]
    [entry] = config["llm_config"]["config_list"]
    assert entry["model"] == "gpt-4-1106-preview" and entry["base_url"] == llm_server.base_url
    assert "sk-classic" not in exported.text and entry["api_key"] is None
    assert receiver["skills"][0]["title"] == "fetch_profile" and "def fetch_profile" in receiver["skills"][0]["content"]

    again = client.post("/api/classic/import", json=data).json()["item"]  # the export imports back to the same
    assert client.get(f"/api/classic/workflows/{again['id']}").json() == data
    assert [s["name"] for s in client.get("/api/skills").json()].count("fetch_profile") == 1  # reused, not copied


def test_group_chat_export_round_trips(client: Any, llm_server: Any) -> None:
    wf = client.post("/api/classic/import", json=classic_file("workflow_groupchat.json", llm_server)).json()["item"]
    data = client.get(f"/api/classic/workflows/{wf['id']}").json()
    receiver = data["receiver"]
    assert data["type"] == "groupchat" and receiver["type"] == "groupchat"
    gc = receiver["groupchat_config"]
    assert [a["config"]["name"] for a in gc["agents"]] == ["travel_planner", "local_expert"]
    assert (gc["max_round"], gc["speaker_selection_method"]) == (6, "round_robin")
    again = client.post("/api/classic/import", json=data).json()["item"]
    assert client.get(f"/api/classic/workflows/{again['id']}").json() == data


def test_skills_models_and_agents_import_and_export_alone(client: Any, llm_server: Any) -> None:
    skill = {"title": "Add Numbers", "content": "def add_numbers(a: int, b: int) -> int:\n    return a + b\n"}
    made = client.post("/api/classic/import", json=skill).json()
    assert made["kind"] == "skill" and made["item"]["name"] == "add_numbers"  # a title with a space: the function
    assert client.get(f"/api/classic/skills/{made['item']['id']}").json()["content"] == skill["content"].strip()

    model = {"model": "gpt-4o", "api_key": "sk-abcdefgh1234", "base_url": llm_server.base_url, "api_type": "open_ai"}
    made = client.post("/api/classic/import", json={**model, "description": "local"}).json()
    assert made["kind"] == "model" and "api_key" not in made["item"]
    out = client.get(f"/api/classic/models/{made['item']['id']}").json()
    assert out == {**model, "api_key": None, "api_type": "openai", "api_version": None, "description": "local"}

    agent = classic_file("workflow_twoagents.json", llm_server)["receiver"]
    made = client.post("/api/classic/import", json=agent).json()
    assert made["kind"] == "agent" and made["item"]["name"] == "primary_assistant"
    out = client.get(f"/api/classic/agents/{made['item']['id']}").json()
    assert out["type"] == "assistant" and out["config"]["llm_config"]["config_list"][0]["model"] == "gpt-4-1106-preview"
    assert [s["name"] for s in out["skills"]] == ["fetch_profile"]


@pytest.mark.parametrize(
    ("payload", "problem"),
    [
        ({"foo": 1}, "not a classic AutoGen Studio file"),
        ([1, 2], "one JSON object"),
        ({"title": "x", "content": "print(1)"}, "must define at least one top-level function"),
        ({"title": "bad", "content": "def f(:\n"}, "syntax error at line 1"),
        ({"type": "robot", "config": {"name": "a"}}, "not a valid classic agent: type"),
        ({"type": "assistant", "config": {"name": "has space"}}, "an agent name must start with a letter"),
        ({"type": "groupchat", "config": {"name": "m"}}, "is a group chat"),
        ({"type": "assistant", "config": {"name": "a", "human_input_mode": "SOMETIMES"}}, "config.human_input_mode"),
        (
            {
                "name": "w",
                "type": "groupchat",
                "sender": {"config": {"name": "u"}},
                "receiver": {"config": {"name": "a"}},
            },
            "needs a receiver of type 'groupchat'",
        ),
    ],
)
def test_bad_files_get_a_clear_422(client: Any, payload: Any, problem: str) -> None:
    answer = client.post("/api/classic/import", json=payload)
    assert answer.status_code == 422 and problem in answer.json()["detail"], answer.text


def test_export_of_unknown_items(client: Any) -> None:
    assert client.get("/api/classic/workflows/999").status_code == 404
    assert "use skills, models" in client.get("/api/classic/robots/1").json()["detail"]
    seeded = {w["name"]: w["id"] for w in client.get("/api/workflows").json()}  # the examples export too
    assert client.get(f"/api/classic/workflows/{seeded['Default Workflow']}").json()["type"] == "twoagents"
    group = client.get(f"/api/classic/workflows/{seeded['Group Chat Workflow']}").json()
    assert group["receiver"]["type"] == "groupchat" and len(group["receiver"]["groupchat_config"]["agents"]) >= 2


def test_classic_import_needs_the_token(anonymous: Any) -> None:
    assert anonymous.post("/api/classic/import", json={"model": "gpt-4"}).status_code == 401
    assert anonymous.get("/api/classic/workflows/8").status_code == 401


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "AUTOGEN_USE_DOCKER": "0"}
    return subprocess.run(
        [sys.executable, "-m", "autogenstudio.cli", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_cli_imports_and_exports_files(tmp_path: Path, llm_server: Any) -> None:
    appdir = tmp_path / "app"
    wf_file = tmp_path / "wf.json"
    wf_file.write_text(json.dumps(classic_file("workflow_groupchat.json", llm_server)))
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    done = _cli("import", str(wf_file), str(bad), "--appdir", str(appdir))
    assert done.returncode == 1  # one file failed
    assert "imported workflow" in done.stdout and "Travel Agent" in done.stdout
    assert "bad.json is not JSON" in done.stderr
    wf_id = int(done.stdout.split("imported workflow ")[1].split()[0])

    out = tmp_path / "out.json"
    done = _cli("export", "workflow", str(wf_id), "-o", str(out), "--appdir", str(appdir))
    assert done.returncode == 0, done.stderr
    exported = json.loads(out.read_text())
    assert exported["receiver"]["groupchat_config"]["speaker_selection_method"] == "round_robin"
    assert "sk-classic" not in out.read_text()

    done = _cli("export", "agent", "99999", "--appdir", str(appdir))
    assert done.returncode == 1 and "no agent with id 99999" in done.stderr
