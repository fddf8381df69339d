"""Real HTTP: the websocket streams agent messages as they are produced; the CLI serves the app."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Dict, List

import httpx
import pytest
from conftest import AUTH, CODE_REPLY, local_model, start_cli


def test_websocket_streams_messages(live_server: Any, llm_server: Any) -> None:
    import websockets

    with httpx.Client(base_url=live_server.url, headers=AUTH, timeout=30) as http:
        model = http.post("/api/models", json=local_model(llm_server)).json()
        user = http.post("/api/agents", json={"name": "u", "type": "userproxy", "code_execution": True}).json()
        bot = http.post("/api/agents", json={"name": "bot", "model_ids": [model["id"]]}).json()
        wf = http.post("/api/workflows", json={"name": "w", "sender_id": user["id"], "receiver_id": bot["id"]}).json()
        session = http.post("/api/sessions", json={"workflow_id": wf["id"]}).json()
    llm_server.script({"content": CODE_REPLY, "delay": 0.3}, "done TERMINATE")

    async def scenario() -> List[Dict[str, Any]]:
        events: List[Dict[str, Any]] = []
        ws_url = live_server.url.replace("http", "ws") + f"/api/ws/{session['id']}"
        async with (
            websockets.connect(ws_url, additional_headers=AUTH) as ws,
            httpx.AsyncClient(base_url=live_server.url, headers=AUTH, timeout=30) as http,
        ):
            assert json.loads(await ws.recv())["type"] == "connected"
            post = asyncio.ensure_future(http.post(f"/api/sessions/{session['id']}/messages", json={"content": "go"}))
            while True:
                event = json.loads(await asyncio.wait_for(ws.recv(), 20))
                event["_post_done"] = post.done()
                events.append(event)
                if event["type"] in ("result", "error"):
                    break
            assert (await post).status_code == 200
        return events

    events = asyncio.run(scenario())
    messages = [e for e in events if e["type"] == "message"]
    assert [m["sender"] for m in messages] == ["u", "bot", "u", "bot"]
    assert not messages[0]["_post_done"]  # streamed while the run was still going
    assert any(e["type"] == "warning" and "LOCALLY" in e["text"] for e in events)
    result = events[-1]
    assert result["type"] == "result" and result["final_answer"] == "done" and result["files"] == ["result.txt"]


def test_cli_serves_the_app(tmp_path: Path) -> None:
    proc, url = start_cli(tmp_path)
    try:
        assert url.startswith("http://127.0.0.1:") and len(url.split("?token=")[1]) >= 32
        token = url.split("?token=")[1]
        base = url.split("?")[0]
        request = urllib.request.Request(base + "api/workflows", headers={"Authorization": f"token {token}"})
        with urllib.request.urlopen(request, timeout=5) as r:
            assert len(json.load(r)) == 2
        assert (tmp_path / "app" / "database.sqlite").exists()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_cli_takes_a_token_and_refuses_a_weak_one(tmp_path: Path) -> None:
    proc, url = start_cli(tmp_path, "--token", "my-own-long-token-0001")
    try:
        assert url.endswith("/?token=my-own-long-token-0001")
        request = urllib.request.Request(url.split("?")[0] + "api/skills")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=5)
        assert refused.value.code == 401
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    weak = subprocess.run(
        [sys.executable, "-m", "autogenstudio.cli", "ui", "--token", "1234", "--appdir", str(tmp_path / "w")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert weak.returncode == 2 and "at least 16 characters" in weak.stderr
