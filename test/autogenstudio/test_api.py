"""The JSON API through FastAPI's test client, with the local LLM server as the model."""

from __future__ import annotations

from typing import Any, Dict

from conftest import CODE_REPLY, local_model


def _workflow(client: Any, llm_server: Any) -> Dict[str, Any]:
    model = client.post("/api/models", json=local_model(llm_server)).json()
    skill = client.post("/api/skills", json={"name": "add", "content": "def add(a, b):\n    return a + b\n"}).json()
    user = client.post("/api/agents", json={"name": "user", "type": "userproxy", "code_execution": True}).json()
    helper = client.post(
        "/api/agents", json={"name": "helper", "model_ids": [model["id"]], "skill_ids": [skill["id"]]}
    ).json()
    response = client.post("/api/workflows", json={"name": "wf", "sender_id": user["id"], "receiver_id": helper["id"]})
    assert response.status_code == 201, response.text
    return response.json()


def test_defaults_are_seeded_on_first_start(client: Any) -> None:
    skills = client.get("/api/skills").json()
    assert len(skills) == 3
    workflows = client.get("/api/workflows").json()
    assert {w["type"] for w in workflows} == {"twoagents", "groupchat"}
    assert {a["name"] for a in client.get("/api/agents").json()} >= {"user_proxy", "primary_assistant"}
    assert client.get("/").status_code == 200 and "AutoGen Studio" in client.get("/").text
    assert client.get("/ui/app.js").status_code == 200


def test_skill_crud_and_syntax_check(client: Any) -> None:
    bad = client.post("/api/skills", json={"name": "broken", "content": "def broken(:\n    pass"})
    assert bad.status_code == 422
    assert "syntax error at line 1" in bad.json()["detail"]
    assert client.post("/api/skills", json={"name": "x", "content": "x = 1"}).status_code == 422
    assert client.post("/api/skills", json={"name": "no spaces", "content": "def f(): pass"}).status_code == 422
    created = client.post("/api/skills", json={"name": "hello", "content": "def hello():\n    return 'hi'\n"})
    assert created.status_code == 201
    sid = created.json()["id"]
    updated = client.put(f"/api/skills/{sid}", json={"name": "hello", "description": "d", "content": "def hello(): 1"})
    assert updated.json()["description"] == "d"
    assert client.put(f"/api/skills/{sid}", json={"name": "hello", "content": "def ("}).status_code == 422
    assert client.delete(f"/api/skills/{sid}").status_code == 200
    assert client.get(f"/api/skills/{sid}").status_code == 404
    assert client.get("/api/skills/notanumber").status_code == 422


def test_model_keys_are_masked(client: Any, llm_server: Any) -> None:
    created = client.post("/api/models", json=local_model(llm_server)).json()
    assert created["api_key"] == "****1234"
    assert all("secret" not in str(m) for m in client.get("/api/models").json())
    # saving the masked value back keeps the real key
    client.put(f"/api/models/{created['id']}", json={**local_model(llm_server), "api_key": "****1234"})
    assert client.app.state.studio.db.get("model", created["id"])["api_key"] == "sk-test-secret-key-1234"
    llm_server.script("OK")
    assert client.post(f"/api/models/{created['id']}/test").json() == {"ok": True, "reply": "OK"}
    llm_server.script({"status": 401})
    assert client.post(f"/api/models/{created['id']}/test").json()["ok"] is False
    assert client.post("/api/models", json={"model": "m", "base_url": "ftp://x"}).status_code == 422


def test_bad_input_answers_4xx(client: Any) -> None:
    assert client.post("/api/agents", json={"name": "a", "human_input_mode": "SOMETIMES"}).status_code == 422
    missing = client.post("/api/agents", json={"name": "a", "model_ids": [9999]})
    assert missing.status_code == 422 and "9999" in missing.json()["detail"]
    assert client.post("/api/workflows", json={"name": "w", "sender_id": 1}).status_code == 422
    assert client.post("/api/workflows", json={"name": "w", "sender_id": 9999, "receiver_id": 9998}).status_code == 422
    assert client.post("/api/sessions", json={"workflow_id": 9999}).status_code == 404
    assert client.get("/api/workflows/9999/export").status_code == 404
    assert client.post("/api/sessions/9999/messages", json={"content": "hi"}).status_code == 404
    assert (
        client.post("/api/skills", content=b"not json", headers={"content-type": "application/json"}).status_code == 422
    )
    assert client.post("/api/gallery", json={"session_id": "A" * 22}).status_code == 404
    assert client.post("/api/gallery", json={"session_id": 9999}).status_code == 422  # ids are random strings


def test_session_run_files_and_gallery(client: Any, llm_server: Any) -> None:
    wf = _workflow(client, llm_server)
    session = client.post("/api/sessions", json={"workflow_id": wf["id"]}).json()
    llm_server.script(CODE_REPLY, "Wrote result.txt. TERMINATE")
    response = client.post(f"/api/sessions/{session['id']}/messages", json={"content": "write 42 to a file"})
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["final_answer"] == "Wrote result.txt."
    assert result["files"] == ["result.txt"] and result["cost"] > 0 and result["time"] > 0
    stored = client.get(f"/api/sessions/{session['id']}/messages").json()
    assert [m["sender"] for m in stored][:3] == ["user", "helper", "user"]
    files = client.get(f"/api/sessions/{session['id']}/files").json()
    assert files == [{"path": "result.txt", "url": f"/api/sessions/{session['id']}/files/result.txt"}]
    assert client.get(files[0]["url"]).text == "42"
    # path traversal is refused
    for evil in ("..%2F..%2Fdatabase.sqlite", "%2e%2e/%2e%2e/database.sqlite", "%2Fetc%2Fpasswd"):
        bad = client.get(f"/api/sessions/{session['id']}/files/{evil}")
        assert bad.status_code in (403, 404), evil
        assert "passwd" not in bad.text and "SQLite" not in bad.text
    assert client.get(f"/api/sessions/{session['id']}/files/nothing.txt").status_code == 404
    # publish, view read-only
    item = client.post("/api/gallery", json={"session_id": session["id"], "title": "answer"}).json()
    shown = client.get(f"/api/gallery/{item['id']}").json()
    assert shown["title"] == "answer" and len(shown["messages"]) == len(stored)
    assert shown["workflow"]["receiver"]["llm_config"]["config_list"][0]["api_key"] is None
    # reset and delete
    client.post(f"/api/sessions/{session['id']}/reset")
    assert client.get(f"/api/sessions/{session['id']}/messages").json() == []
    assert client.get(f"/api/sessions/{session['id']}/files").json() == []
    assert client.delete(f"/api/sessions/{session['id']}").status_code == 200


def test_export_import_round_trip(client: Any, llm_server: Any) -> None:
    wf = _workflow(client, llm_server)
    exported = client.get(f"/api/workflows/{wf['id']}/export").json()
    assert exported["receiver"]["skills"][0]["name"] == "add"
    assert "sk-test" not in str(exported)
    imported = client.post("/api/workflows/import", json=exported)
    assert imported.status_code == 201, imported.text
    again = client.get(f"/api/workflows/{imported.json()['id']}/export").json()
    assert again["receiver"]["skills"] == exported["receiver"]["skills"]
    assert client.post("/api/workflows/import", json={"type": "twoagents"}).status_code == 422


def test_failing_model_is_a_clear_error(client: Any, llm_server: Any) -> None:
    wf = _workflow(client, llm_server)
    session = client.post("/api/sessions", json={"workflow_id": wf["id"]}).json()
    llm_server.responder = lambda body: {"status": 400}
    response = client.post(f"/api/sessions/{session['id']}/messages", json={"content": "hi"})
    assert response.status_code == 502 and "the workflow failed" in response.json()["detail"]


def test_follow_up_continues_the_conversation(client: Any, llm_server: Any) -> None:
    wf = _workflow(client, llm_server)
    session = client.post("/api/sessions", json={"workflow_id": wf["id"]}).json()
    url = f"/api/sessions/{session['id']}/messages"
    llm_server.script("first answer TERMINATE")
    assert client.post(url, json={"content": "first question"}).json()["final_answer"] == "first answer"
    llm_server.script("second answer TERMINATE")
    second = client.post(url, json={"content": "second question"}).json()
    assert second["final_answer"] == "second answer"
    assert [m["content"] for m in second["messages"]] == ["second question", "second answer TERMINATE"]
    contents = [m["content"] for m in llm_server.chat_requests()[-1]["messages"]]
    assert "first question" in contents and "second question" in contents
    # after a reset the agents start over
    client.post(f"/api/sessions/{session['id']}/reset")
    llm_server.script("fresh TERMINATE")
    client.post(url, json={"content": "third question"})
    contents = [m["content"] for m in llm_server.chat_requests()[-1]["messages"]]
    assert "first question" not in contents and "third question" in contents
