"""The API of the new Studio features: graph checks, profile, human input, checkpointed sessions, gallery files."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Dict, List

import pytest
from autogenstudio import AutoGenWorkFlowManager, WorkFlowConfig
from autogenstudio.humaninput import HumanInputBroker
from autogenstudio.workflowgraph import graph_problems
from conftest import CODE_REPLY, local_model


def test_graph_problems() -> None:
    assert graph_problems([1, 2, 3], []) == []  # no graph: anyone may follow anyone
    assert graph_problems([1, 2], [(1, 2), (2, 1)]) == []
    kinds = {(p["agent"], p["kind"]) for p in graph_problems([1, 2, 3], [(1, 2)])}
    assert kinds == {(2, "dead_end"), (3, "isolated")}
    assert graph_problems([1, 2], [(1, 9), (2, 1)])[0]["kind"] == "unknown"


def test_graph_is_validated_on_save(client: Any) -> None:
    agents = [client.post("/api/agents", json={"name": n}).json()["id"] for n in ("a", "b", "c")]
    body = {"name": "g", "type": "groupchat", "sender_id": agents[0], "agent_ids": agents}
    bad = client.post("/api/workflows", json={**body, "transitions": [[agents[0], agents[1]]]})
    assert bad.status_code == 422 and "dead end" in bad.json()["detail"] and "never speaks" in bad.json()["detail"]
    ring = [[agents[0], agents[1]], [agents[1], agents[2]], [agents[2], agents[0]]]
    good = client.post("/api/workflows", json={**body, "transitions": ring})
    assert good.status_code == 201 and good.json()["transitions"] == ring
    check = client.post("/api/workflows/graph-check", json={"agent_ids": agents, "transitions": ring[:1]}).json()
    assert {p["kind"] for p in check["problems"]} == {"dead_end", "isolated"}
    exported = client.get(f"/api/workflows/{good.json()['id']}/export").json()
    assert exported["groupchat"]["allowed_transitions"] == {"a": ["b"], "b": ["c"], "c": ["a"]}
    imported = client.post("/api/workflows/import", json=exported).json()
    names = {a["id"]: a["name"] for a in client.get("/api/agents").json()}
    assert [[names[x], names[y]] for x, y in imported["transitions"]] == [["a", "b"], ["b", "c"], ["c", "a"]]


def test_human_input_broker_answer_and_timeout() -> None:
    broker = HumanInputBroker()
    events: List[Dict[str, Any]] = []
    answers: List[str] = []
    asker = threading.Thread(target=lambda: answers.append(broker.ask("s1", "name?", 30, events.append)))
    asker.start()
    while not events:
        threading.Event().wait(0.01)
    request_id = events[0]["request_id"]
    assert events[0]["type"] == "input_request" and events[0]["prompt"] == "name?"
    assert not broker.answer("other-session", request_id, "x")  # only the session that asked
    assert broker.answer("s1", request_id, "Ada")
    asker.join(10)
    assert answers == ["Ada"] and events[-1]["type"] == "input_answered"
    assert not broker.answer("s1", request_id, "again")  # answered once
    # nobody answers: "exit" ends the conversation
    assert broker.ask("s1", "still there?", 0.05, events.append) == "exit"
    assert events[-1]["type"] == "input_timeout"


def _workflow(client: Any, llm_server: Any, mode: str = "NEVER") -> Dict[str, Any]:
    model = client.post("/api/models", json=local_model(llm_server)).json()
    user = client.post("/api/agents", json={"name": "u", "type": "userproxy", "human_input_mode": mode}).json()
    user_code = client.post("/api/agents", json={"name": "x", "type": "userproxy", "code_execution": True}).json()
    bot = client.post("/api/agents", json={"name": "bot", "model_ids": [model["id"]]}).json()
    sender = user if mode != "CODE" else user_code
    return client.post("/api/workflows", json={"name": "w", "sender_id": sender["id"], "receiver_id": bot["id"]}).json()


def test_profile_and_per_message_files(client: Any, llm_server: Any) -> None:
    wf = _workflow(client, llm_server, "CODE")
    session = client.post("/api/sessions", json={"workflow_id": wf["id"]}).json()
    url = f"/api/sessions/{session['id']}"
    llm_server.script(
        {"content": CODE_REPLY, "usage": {"prompt_tokens": 50, "completion_tokens": 10}},
        {"content": "done TERMINATE", "usage": {"prompt_tokens": 70, "completion_tokens": 2}},
    )
    result = client.post(url + "/messages", json={"content": "go"}).json()
    assert result["usage"] == [
        {
            "agent": "bot",
            "model": "gpt-4",
            "cost": result["cost"],
            "prompt_tokens": 120,
            "completion_tokens": 12,
            "total_tokens": 132,
        }
    ]
    messages = client.get(url + "/messages").json()
    assert messages[2]["files"] == [{"path": "result.txt", "image": False}]  # the code's output names the file
    assert "files" not in messages[1] and not any(m["inner"] for m in messages)
    profile = client.get(url + "/profile").json()
    assert profile["agents"][0]["total_tokens"] == 132 and profile["total_tokens"] == 132
    assert [t["sender"] for t in profile["timeline"]] == ["x", "bot", "x", "bot"]
    assert profile["timeline"][0]["at"] == 0
    download = client.get(url + "/profile", params={"download": "true"})
    assert download.headers["content-disposition"].startswith("attachment")
    # the saved conversation lives in the work dir, hidden: not listed, not served
    assert client.get(url + "/files").json()[0]["path"] == "result.txt" and len(client.get(url + "/files").json()) == 1
    studio = client.app.state.studio
    assert (studio.work_dir(studio.session(session["id"])["id"]) / ".studio" / "chat.json").is_file()
    assert client.get(url + "/files/.studio/chat.json").status_code == 404
    # published: the files are copied and outlive the session
    item = client.post("/api/gallery", json={"session_id": session["id"]}).json()
    assert item["files"] == ["result.txt"] and item["profile"]["total_tokens"] == 132
    client.delete(url)
    assert client.get(f"/api/gallery/{item['id']}/files/result.txt").text == "42"
    assert client.get(f"/api/gallery/{item['id']}/files/..%2F..%2Fdatabase.sqlite").status_code in (403, 404)


def test_input_answer_for_unknown_request_is_404(client: Any, llm_server: Any) -> None:
    wf = _workflow(client, llm_server)
    session = client.post("/api/sessions", json={"workflow_id": wf["id"]}).json()
    response = client.post(f"/api/sessions/{session['id']}/input", json={"request_id": "nope", "content": "x"})
    assert response.status_code == 404 and "no open input request" in response.json()["detail"]


def test_manager_resumes_from_its_checkpoint(llm_server: Any, tmp_path: Path) -> None:
    """The Python API: a new manager on the same state file continues the conversation (as after a restart)."""
    config = WorkFlowConfig.model_validate(
        {
            "type": "twoagents",
            "sender": {"name": "me", "type": "userproxy"},
            "receiver": {"name": "bot", "llm_config": {"config_list": [local_model(llm_server)]}},
        }
    )
    state = tmp_path / "chat.json"
    llm_server.script("noted TERMINATE")
    AutoGenWorkFlowManager(config, work_dir=tmp_path, state_file=state).run("remember 7")
    assert state.is_file()
    later = AutoGenWorkFlowManager(config, work_dir=tmp_path, state_file=state)
    assert later.resumed
    llm_server.script("it was 7 TERMINATE")
    assert later.run("which number?").final_answer == "it was 7"
    sent = [m["content"] for m in llm_server.chat_requests()[-1]["messages"][1:]]
    assert sent == ["remember 7", "noted TERMINATE", "which number?"]


def test_edited_workflow_starts_over(client: Any, llm_server: Any) -> None:
    wf = _workflow(client, llm_server)
    session = client.post("/api/sessions", json={"workflow_id": wf["id"]}).json()
    llm_server.script("one TERMINATE")
    client.post(f"/api/sessions/{session['id']}/messages", json={"content": "first"})
    studio = client.app.state.studio
    studio.managers.clear()  # as after a restart
    body = {k: wf[k] for k in ("name", "sender_id", "receiver_id")}
    client.put(f"/api/workflows/{wf['id']}", json={**body, "description": "edited"})
    llm_server.script("two TERMINATE")
    client.post(f"/api/sessions/{session['id']}/messages", json={"content": "second"})
    sent = [m["content"] for m in llm_server.chat_requests()[-1]["messages"][1:]]
    assert sent == ["second"]


@pytest.mark.parametrize("timeout", [0, -1, 100000])
def test_input_timeout_is_checked(client: Any, llm_server: Any, timeout: float) -> None:
    wf = _workflow(client, llm_server)
    session = client.post("/api/sessions", json={"workflow_id": wf["id"]}).json()
    response = client.post(f"/api/sessions/{session['id']}/messages", json={"content": "x", "input_timeout": timeout})
    assert response.status_code == 422 and "input_timeout" in response.json()["detail"]


def test_terminate_mode_asks_only_at_the_end(llm_server: Any, tmp_path: Path) -> None:
    """human_input_mode="TERMINATE": the person is asked when the chat would end; their answer continues it."""
    config = WorkFlowConfig.model_validate(
        {
            "type": "twoagents",
            "sender": {"name": "me", "type": "userproxy", "human_input_mode": "TERMINATE"},
            "receiver": {"name": "bot", "llm_config": {"config_list": [local_model(llm_server)]}},
        }
    )
    prompts: List[str] = []
    answers = iter(["one more thing", ""])

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        return next(answers)

    llm_server.script("first TERMINATE", "second TERMINATE")
    result = AutoGenWorkFlowManager(config, work_dir=tmp_path, ask_human=ask).run("hello")
    assert len(prompts) == 2 and all("bot" in p for p in prompts)
    assert [m["content"] for m in result.messages] == ["hello", "first TERMINATE", "one more thing", "second TERMINATE"]
