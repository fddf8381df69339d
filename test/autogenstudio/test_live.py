"""Real HTTP: the websocket streams agent messages as they are produced; the CLI serves the app."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any, Dict, List

import httpx
from conftest import CODE_REPLY, free_port, local_model


def test_websocket_streams_messages(live_server: Any, llm_server: Any) -> None:
    import websockets

    with httpx.Client(base_url=live_server.url, timeout=30) as http:
        model = http.post("/api/models", json=local_model(llm_server)).json()
        user = http.post("/api/agents", json={"name": "u", "type": "userproxy", "code_execution": True}).json()
        bot = http.post("/api/agents", json={"name": "bot", "model_ids": [model["id"]]}).json()
        wf = http.post("/api/workflows", json={"name": "w", "sender_id": user["id"], "receiver_id": bot["id"]}).json()
        session = http.post("/api/sessions", json={"workflow_id": wf["id"]}).json()
    llm_server.script({"content": CODE_REPLY, "delay": 0.3}, "done TERMINATE")

    async def scenario() -> List[Dict[str, Any]]:
        events: List[Dict[str, Any]] = []
        ws_url = live_server.url.replace("http", "ws") + f"/api/ws/{session['id']}"
        async with websockets.connect(ws_url) as ws, httpx.AsyncClient(base_url=live_server.url, timeout=30) as http:
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
    port = free_port()
    env = {**os.environ, "AUTOGEN_USE_DOCKER": "0"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "autogenstudio.cli", "ui", "--port", str(port), "--appdir", str(tmp_path / "app")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
    )
    try:
        deadline = time.time() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/workflows", timeout=2) as r:
                    assert len(json.load(r)) == 2
                break
            except OSError:
                assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
                assert time.time() < deadline, "autogenstudio ui did not start"
                time.sleep(0.2)
        assert (tmp_path / "app" / "database.sqlite").exists()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
