"""``autogenstudio serve``, ``ui --workers/--docs`` and ``version``: the real CLI, over real HTTP, with the local LLM
server behind the agents."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Iterator, List, Tuple

import httpx
import pytest
from conftest import free_port, start_cli

CLASSIC = Path(__file__).parent / "classic"


def _write_workflow(tmp_path: Path, llm_server: Any, name: str = "workflow_twoagents.json") -> Path:
    path = tmp_path / name
    path.write_text((CLASSIC / name).read_text().replace("LLM_BASE_URL", llm_server.base_url))
    return path


class Served:
    def __init__(self, proc: subprocess.Popen, url: str, banner: str) -> None:
        self.proc, self.url, self.banner = proc, url, banner
        marker = "Authorization: token "
        self.token = banner.split(marker)[1].rstrip("')") if marker in banner else ""

    def auth(self) -> dict:
        return {"Authorization": f"token {self.token}"}


def _start_serve(tmp_path: Path, *args: str) -> Served:
    port = free_port()
    env = {**os.environ, "AUTOGEN_USE_DOCKER": "0"}
    env.pop("AUTOGENSTUDIO_TOKEN", None)
    command = [sys.executable, "-m", "autogenstudio.cli", "serve", "--port", str(port), *args]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    assert proc.stdout is not None
    banner = proc.stdout.readline().decode().strip()
    assert banner.startswith("Serving workflow"), banner
    threading.Thread(target=proc.stdout.read, daemon=True).start()  # keep the pipe drained
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            httpx.get(url + "/", timeout=2)
            return Served(proc, url, banner)
        except httpx.TransportError:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                raise AssertionError("autogenstudio serve did not start") from None
            time.sleep(0.2)


@pytest.fixture
def served(tmp_path: Path, llm_server: Any) -> Iterator[Served]:
    server = _start_serve(tmp_path, "--workflow", str(_write_workflow(tmp_path, llm_server)))
    yield server
    server.proc.terminate()
    server.proc.wait(timeout=15)


def _chat_requests(llm_server: Any) -> List[Any]:
    return [r for r in llm_server.requests if r.path.endswith("/chat/completions")]


def test_serve_runs_the_workflow_on_get_and_post(served: Served, llm_server: Any) -> None:
    assert served.url.startswith("http://127.0.0.1:") and len(served.token) >= 32
    llm_server.script("Paris is the capital of France. TERMINATE", "Berlin. TERMINATE")
    with httpx.Client(base_url=served.url, headers=served.auth(), timeout=60) as http:
        got = http.get("/predict/What%20is%20the%20capital%20of%20France%3F")  # a ? in the message is escaped
        assert got.status_code == 200, got.text
        body = got.json()
        assert (body["message"], body["status"]) == ("Task successfully completed", True)
        assert body["data"]["role"] == "assistant" and body["data"]["content"] == "Paris is the capital of France."
        meta = body["data"]["meta"]
        assert [m["sender"] for m in meta["messages"]] == ["userproxy", "primary_assistant"]
        assert meta["messages"][0]["content"] == "What is the capital of France?"

        posted = http.post("/predict", json={"message": "And of Germany?"})
        assert posted.status_code == 200 and posted.json()["data"]["content"] == "Berlin."
        assert http.get("/").json()["workflow"] == "General Agent Workflow"
    first, second = _chat_requests(llm_server)
    # the file's own llm_config reaches the model: its model, temperature and key
    assert first.body["model"] == "gpt-4-1106-preview" and first.body["temperature"] == 0.1
    assert {k.lower(): v for k, v in first.headers.items()}["authorization"] == "Bearer sk-classic-file-key-0001"
    # every request runs fresh agents: the second conversation does not carry the first
    assert "France" not in json.dumps(second.body["messages"])


def test_serve_keeps_the_security_layer(served: Served) -> None:
    assert httpx.get(served.url + "/predict/hello", timeout=10).status_code == 401
    bad_token = {"Authorization": "token not-the-right-token-000"}
    assert httpx.get(served.url + "/predict/hello", headers=bad_token, timeout=10).status_code == 401
    foreign = {**served.auth(), "Host": "evil.example"}
    assert httpx.get(served.url + "/predict/hello", headers=foreign, timeout=10).status_code == 403
    big = httpx.post(served.url + "/predict", headers=served.auth(), json={"message": "x" * 2_000_000}, timeout=10)
    assert big.status_code == 413
    assert httpx.get(served.url + "/docs", headers=served.auth(), timeout=10).status_code == 404  # docs off by default
    empty = httpx.post(served.url + "/predict", headers=served.auth(), json={"message": " "}, timeout=10)
    assert empty.status_code == 422


def test_a_failing_run_answers_502_with_status_false(served: Served, llm_server: Any) -> None:
    llm_server.script({"status": 400, "content": "this model is not available"})
    answer = httpx.get(served.url + "/predict/hello", headers=served.auth(), timeout=60)
    assert answer.status_code == 502
    body = answer.json()
    assert body["status"] is False and body["data"] is None
    assert "BadRequestError" in body["message"] and "this model is not available" in body["message"]


def test_serve_without_token_with_docs_and_two_workers(tmp_path: Path, llm_server: Any) -> None:
    path = _write_workflow(tmp_path, llm_server, "workflow_groupchat.json")
    server = _start_serve(tmp_path, "--workflow", str(path), "--no-token", "--docs", "--workers", "2")
    try:
        assert "no token needed" in server.banner
        assert httpx.get(server.url + "/docs", timeout=10).status_code == 200
        paths = httpx.get(server.url + "/openapi.json", timeout=10).json()["paths"]
        assert "/predict" in paths and "/predict/{message}" in paths
        llm_server.script("Day 1: the Louvre.", "Then the Seine. TERMINATE")
        answer = httpx.post(server.url + "/predict", json={"message": "Plan a day in Paris"}, timeout=60)
        assert answer.status_code == 200, answer.text
        speakers = [m["sender"] for m in answer.json()["data"]["meta"]["messages"]]
        assert speakers == ["userproxy", "travel_planner", "local_expert"]
        assert httpx.get(server.url + "/", headers={"Host": "evil.example"}, timeout=10).status_code == 403
    finally:
        server.proc.terminate()
        server.proc.wait(timeout=15)


def _run_cli(*args: str) -> Tuple[int, str]:
    done = subprocess.run(
        [sys.executable, "-m", "autogenstudio.cli", *args], capture_output=True, text=True, timeout=60
    )
    return done.returncode, done.stdout + done.stderr


def test_serve_refuses_a_bad_workflow_file(tmp_path: Path) -> None:
    code, out = _run_cli("serve", "--workflow", str(tmp_path / "missing.json"))
    assert code == 2 and "no such file" in out
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"name": "w", "sender": {"type": "userproxy", "config": {"name": "u"}}}))
    code, out = _run_cli("serve", "--workflow", str(broken))
    assert code == 2 and "not a valid classic workflow: receiver" in out
    code, out = _run_cli("serve")
    assert code == 2 and "--workflow" in out


def test_serve_takes_studios_own_export(tmp_path: Path, llm_server: Any) -> None:
    own = {
        "name": "own",
        "type": "twoagents",
        "sender": {"name": "me", "type": "userproxy"},
        "receiver": {
            "name": "bot",
            "llm_config": {"config_list": [{"model": "gpt-4", "base_url": llm_server.base_url, "api_key": "sk-own"}]},
        },
    }
    path = tmp_path / "own.json"
    path.write_text(json.dumps(own))
    server = _start_serve(tmp_path, "--workflow", str(path), "--token", "a-chosen-token-0123456789")
    try:
        llm_server.script("hi there TERMINATE")
        answer = httpx.get(server.url + "/predict/hi", headers={"Authorization": "Bearer a-chosen-token-0123456789"})
        assert answer.status_code == 200 and answer.json()["data"]["content"] == "hi there"
    finally:
        server.proc.terminate()
        server.proc.wait(timeout=15)


def test_ui_with_workers_and_without_docs(tmp_path: Path) -> None:
    proc, url = start_cli(tmp_path, "--workers", "2", "--no-docs")
    try:
        base, token = url.split("?token=")
        auth = {"Authorization": f"token {token}"}
        assert httpx.get(base + "docs", headers=auth, timeout=10).status_code == 404
        assert httpx.get(base + "openapi.json", headers=auth, timeout=10).status_code == 404
        for _ in range(4):  # whichever worker answers, it shares the one database the parent seeded once
            assert [w["name"] for w in httpx.get(base + "api/workflows", headers=auth, timeout=10).json()] == [
                "Default Workflow",
                "Group Chat Workflow",
            ]
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def test_ui_serves_docs_by_default(tmp_path: Path) -> None:
    proc, url = start_cli(tmp_path)
    try:
        base, token = url.split("?token=")
        assert httpx.get(base + "docs", timeout=10).status_code == 401  # behind the token like the rest
        assert httpx.get(base + "docs", headers={"Authorization": f"token {token}"}, timeout=10).status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def test_version_and_bad_worker_counts() -> None:
    from autogenstudio import __version__

    assert _run_cli("version") == (0, __version__ + "\n")
    code, out = _run_cli("ui", "--workers", "0")
    assert code == 2 and "--workers must be at least 1" in out
