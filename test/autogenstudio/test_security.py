"""The attacks of issue 23, made as the exact requests an attacker (a hostile web page, DNS rebinding, a stranger on
the network) would send, through FastAPI's test client. The same over real sockets is in test_security_live.py."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from pathlib import Path
from typing import Any, Dict

import pytest
from conftest import AUTH, TOKEN, local_model
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect


def _session(client: Any) -> Dict[str, Any]:
    workflow = client.get("/api/workflows").json()[0]
    response = client.post("/api/sessions", json={"workflow_id": workflow["id"]})
    assert response.status_code == 201, response.text
    return response.json()


# ------------------------------------------------------------------------------------------------ token --
def test_every_route_needs_the_token(anonymous: Any, client: Any) -> None:
    session = _session(client)
    paths = set()
    for route_path, operations in anonymous.app.openapi()["paths"].items():  # every route of every router
        path = route_path.replace("{item_id}", "1").replace("{session_id}", session["id"])
        paths.update((m.upper(), path.replace("{file_path}", "x.txt")) for m in operations)
    assert len(paths) > 25
    for method, path in sorted(paths):
        response = anonymous.request(method, path, json={})
        assert response.status_code == 401, (method, path, response.status_code)
        assert "access token" in response.json()["detail"]
    for path in ("/", "/ui/app.js", "/docs", "/openapi.json", "/nothing"):
        assert anonymous.get(path).status_code == 401, path
    wrong = {"Authorization": "token " + "x" * len(TOKEN)}
    assert anonymous.get("/api/skills", headers=wrong).status_code == 401
    assert anonymous.get("/api/skills", params={"token": "nope-nope-nope-nope"}).status_code == 401
    # the token works as a header (scripts), a Bearer header, or the query parameter of an API call
    assert anonymous.get("/api/skills", headers=AUTH).status_code == 200
    assert anonymous.get("/api/skills", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    assert anonymous.get("/api/skills", params={"token": TOKEN}).status_code == 200


def test_the_websocket_needs_the_token(anonymous: Any, client: Any) -> None:
    session = _session(client)
    with pytest.raises(WebSocketDisconnect) as refused:
        with anonymous.websocket_connect(f"ws://localhost/api/ws/{session['id']}"):
            pass
    assert refused.value.code == 1008
    with anonymous.websocket_connect(f"ws://localhost/api/ws/{session['id']}", headers=dict(AUTH)) as ws:
        assert ws.receive_json() == {"type": "connected", "session_id": session["id"]}
    with anonymous.websocket_connect(f"ws://localhost/api/ws/{session['id']}?token={TOKEN}") as ws:
        assert ws.receive_json()["type"] == "connected"


def test_the_page_trades_the_url_token_for_a_strict_cookie(anonymous: Any) -> None:
    first = anonymous.get(f"/?token={TOKEN}&tab=gallery", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/?tab=gallery"
    cookie = first.headers["set-cookie"]
    assert cookie.startswith(f"autogenstudio_token_80={TOKEN};")  # named after the port: one per Studio
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    # the client keeps the cookie: the page and the API now work without the token in the URL
    assert "AutoGen Studio" in anonymous.get("/").text
    assert anonymous.get("/api/skills").status_code == 200
    assert anonymous.get("/?token=wrong-wrong-wrong-wrong", follow_redirects=False).status_code == 401


def test_a_given_token_must_be_long_enough(tmp_path: Path) -> None:
    from autogenstudio.security import SecurityConfig

    with pytest.raises(ValueError, match="at least 16 characters"):
        SecurityConfig(token="short")
    assert SecurityConfig().token != SecurityConfig().token  # a fresh random one per launch


# ------------------------------------------------------------------------------------ Host and Origin --
def test_dns_rebinding_host_is_refused(studio_app: Any) -> None:
    for host in ("http://evil.example:8081", "http://127.0.0.1.evil.example", "http://localhost.evil.example"):
        with TestClient(studio_app, base_url=host, headers=dict(AUTH)) as rebound:
            response = rebound.get("/api/models")
            assert response.status_code == 403, host
            assert "is not allowed" in response.json()["detail"]
            with pytest.raises(WebSocketDisconnect):
                with rebound.websocket_connect(host.replace("http", "ws") + "/api/ws/" + "A" * 22):
                    pass
    for host in ("http://127.0.0.1:8081", "http://localhost", "http://[::1]:9000", "http://LOCALHOST."):
        with TestClient(studio_app, base_url=host, headers=dict(AUTH)) as local:
            assert local.get("/api/skills").status_code == 200, host


def test_host_allow_list_follows_the_bind_address() -> None:
    from autogenstudio.security import allowed_hosts_for

    assert allowed_hosts_for("127.0.0.1") == {"127.0.0.1", "localhost", "::1"}
    assert allowed_hosts_for("192.168.1.5") == {"127.0.0.1", "localhost", "::1", "192.168.1.5"}
    assert allowed_hosts_for("0.0.0.0", ["studio.lan"]) == {"127.0.0.1", "localhost", "::1", "studio.lan"}


def test_foreign_origin_is_refused(client: Any) -> None:
    session = _session(client)
    evil = {**AUTH, "Origin": "http://evil.example"}
    with pytest.raises(WebSocketDisconnect):
        with client.websocket_connect(f"ws://localhost/api/ws/{session['id']}", headers=evil):
            pass
    # same host name, other port (another local web app): another origin
    for origin in ("http://localhost:3000", "null", "file://", "http://evil.example"):
        with pytest.raises(WebSocketDisconnect):
            with client.websocket_connect(f"ws://localhost/api/ws/{session['id']}", headers={**AUTH, "Origin": origin}):
                pass
        assert client.post("/api/skills", json={}, headers={"Origin": origin}).status_code == 403, origin
    with client.websocket_connect(
        f"ws://localhost/api/ws/{session['id']}", headers={**AUTH, "Origin": "http://localhost"}
    ) as ws:
        assert ws.receive_json()["type"] == "connected"


# ------------------------------------------------------------------------------------------ session ids --
def test_session_ids_are_unguessable(client: Any) -> None:
    first, second = _session(client), _session(client)
    for s in (first, second):
        assert isinstance(s["id"], str) and len(s["id"]) >= 22 and not s["id"].isdigit()
    assert first["id"] != second["id"]
    row_id = client.app.state.studio.db.get_by_uid("session", first["id"])["id"]
    for guess in (str(row_id), str(row_id + 1), "1"):
        assert client.get(f"/api/sessions/{guess}/messages").status_code == 404
        with client.websocket_connect(f"ws://localhost/api/ws/{guess}") as ws:
            assert ws.receive_json()["type"] == "error"
    item = client.post("/api/gallery", json={"session_id": first["id"]}).json()
    assert isinstance(item["id"], str) and len(item["id"]) >= 22
    assert client.get(f"/api/gallery/{item['id']}").json()["session"]["id"] == first["id"]
    assert client.get("/api/gallery/1").status_code == 404
    assert all(s["id"] in (first["id"], second["id"]) for s in client.get("/api/sessions").json())


def test_old_databases_get_random_session_ids(tmp_path: Path) -> None:
    """A version-1 database (sequential ids only) is migrated: its sessions get random public ids."""
    appdir = tmp_path / "old"
    appdir.mkdir()
    conn = sqlite3.connect(appdir / "database.sqlite")
    conn.executescript(
        "CREATE TABLE studio_records (id INTEGER PRIMARY KEY AUTOINCREMENT, kind VARCHAR(32) NOT NULL,"
        " parent_id INTEGER, data TEXT NOT NULL, created_at FLOAT NOT NULL, updated_at FLOAT NOT NULL);"
        "CREATE TABLE studio_meta (key VARCHAR(64) PRIMARY KEY, value TEXT NOT NULL);"
        "INSERT INTO studio_meta VALUES ('schema_version', '1');"
        "INSERT INTO studio_records (kind, data, created_at, updated_at) VALUES"
        ' (\'session\', \'{"workflow_id": 7, "name": "old", "last_result": null}\', 0, 0),'
        ' (\'model\', \'{"model": "gpt-4", "api_key": "sk-plaintext-legacy-5555"}\', 0, 0);'
    )
    conn.commit()
    conn.close()
    from autogenstudio.security import SecurityConfig
    from autogenstudio.web.app import create_app

    app = create_app(appdir, security=SecurityConfig(token=TOKEN))
    with TestClient(app, base_url="http://localhost", headers=dict(AUTH)) as c:
        (old,) = c.get("/api/sessions").json()
        assert old["name"] == "old" and len(old["id"]) >= 22
        assert c.get(f"/api/sessions/{old['id']}").json()["name"] == "old"
        # a legacy plaintext key still works, and is encrypted when the model is saved again
        model = c.get("/api/models").json()[0]
        assert model["api_key"] == "****5555"
        assert c.put(f"/api/models/{model['id']}", json={"model": "gpt-4", "api_key": "****5555"}).status_code == 200
    assert b"sk-plaintext-legacy-5555" not in (appdir / "database.sqlite").read_bytes()


# ------------------------------------------------------------------------------------ stored API keys --
def test_changing_the_endpoint_requires_the_key_again(client: Any, llm_server: Any) -> None:
    model = client.post("/api/models", json=local_model(llm_server)).json()
    url = f"/api/models/{model['id']}"
    stolen = {**local_model(llm_server), "api_key": "****1234", "base_url": "http://evil.example/v1"}
    refused = client.put(url, json=stolen)
    assert refused.status_code == 422
    assert "requires the model's API key again" in refused.json()["detail"] and "base_url" in refused.json()["detail"]
    no_key = client.put(url, json={**stolen, "api_key": None})
    assert no_key.status_code == 422
    azure = client.put(url, json={**local_model(llm_server), "api_key": "", "api_type": "azure"})
    assert azure.status_code == 422 and "api_type" in azure.json()["detail"]
    stored = client.app.state.studio.db.get("model", model["id"])
    assert stored["base_url"] == llm_server.base_url and stored["api_key"] == "sk-test-secret-key-1234"
    # with the key given again the change is fine; other edits keep the stored key as before
    moved = client.put(url, json={**stolen, "api_key": "sk-new-key-for-new-host-7777"})
    assert moved.status_code == 200 and moved.json()["api_key"] == "****7777"
    edited = client.put(url, json={**stolen, "api_key": "****7777", "description": "renamed"})
    assert edited.status_code == 200
    assert client.app.state.studio.db.get("model", model["id"])["api_key"] == "sk-new-key-for-new-host-7777"


def test_database_and_key_file_are_private_and_keys_encrypted(tmp_path: Path, client: Any, llm_server: Any) -> None:
    appdir = client.app.state.studio.appdir
    client.post("/api/models", json=local_model(llm_server))
    for name in ("database.sqlite", "studio.key"):
        mode = stat.S_IMODE(os.stat(appdir / name).st_mode)
        assert mode == 0o600, (name, oct(mode))
    assert stat.S_IMODE(os.stat(appdir).st_mode) == 0o700
    raw = (appdir / "database.sqlite").read_bytes()
    assert b"sk-test-secret-key-1234" not in raw
    rows = sqlite3.connect(appdir / "database.sqlite").execute("SELECT data FROM studio_records WHERE kind='model'")
    keys = [json.loads(data)["api_key"] for (data,) in rows]
    assert any(k and k.startswith("fernet:") for k in keys)
    # a restarted Studio reads the key back with the key file
    from autogenstudio.security import SecurityConfig
    from autogenstudio.web.app import create_app

    again = create_app(appdir, security=SecurityConfig(token=TOKEN))
    assert any(m.get("api_key") == "sk-test-secret-key-1234" for m in again.state.studio.db.list("model"))


def test_an_existing_database_file_is_made_private(tmp_path: Path) -> None:
    appdir = tmp_path / "app"
    appdir.mkdir()
    (appdir / "database.sqlite").touch(mode=0o644)
    os.chmod(appdir / "database.sqlite", 0o644)
    from autogenstudio.web.app import create_app

    create_app(appdir)
    assert stat.S_IMODE(os.stat(appdir / "database.sqlite").st_mode) == 0o600


# ------------------------------------------------------------------------------------- malformed input --
def test_malformed_paths_and_ids_are_4xx(client: Any) -> None:
    session = _session(client)
    for path in (
        f"/api/sessions/{session['id']}/files/a%00b.txt",
        f"/api/sessions/{session['id']}/files/%00",
        "/api/skills/1%00",
        "/ui/app.js%00.txt",
    ):
        response = client.get(path)
        assert response.status_code == 400, (path, response.status_code)
        assert "NUL" in response.json()["detail"]
    for bad in (str(2**63), str(2**64 + 5), "99999999999999999999999999", "-1", "0", "abc", "1.5", "1e3"):
        for method in ("GET", "PUT", "DELETE"):
            response = client.request(method, f"/api/agents/{bad}", json={"name": "a"})
            assert response.status_code == 422, (method, bad, response.status_code)
        assert client.post(f"/api/models/{bad}/test").status_code == 422
        assert client.get(f"/api/workflows/{bad}/export").status_code == 422
    assert client.get(f"/api/agents/{2**63 - 1}").status_code == 404
    for body in (
        {"name": "a", "model_ids": [2**64]},
        {"name": "a", "skill_ids": [-3]},
        {"name": "a", "model_ids": ["x"]},
    ):
        assert client.post("/api/agents", json=body).status_code == 422, body
    assert client.post("/api/sessions", json={"workflow_id": 2**70}).status_code == 422
    wf = {"name": "w", "sender_id": 2**64, "receiver_id": 1}
    assert client.post("/api/workflows", json=wf).status_code == 422
    files = f"/api/sessions/{session['id']}/files/"
    assert client.get(files + "a" * 5000).status_code == 400  # a name too long for the file system
    assert client.get(files + "/".join(["d"] * 3000)).status_code in (400, 404)
    for bad in ("..", "%2e%2e", "A" * 100, "x y"):
        assert client.get(f"/api/sessions/{bad}").status_code == 404, bad


def test_bodies_above_the_limit_get_413(tmp_path: Path) -> None:
    from autogenstudio.security import SecurityConfig
    from autogenstudio.web.app import create_app

    app = create_app(tmp_path / "app", security=SecurityConfig(token=TOKEN, max_body_bytes=1000))
    with TestClient(app, base_url="http://localhost", headers=dict(AUTH)) as c:
        big = {"name": "big", "content": "def big():\n    return '" + "x" * 2000 + "'\n"}
        response = c.post("/api/skills", json=big)
        assert response.status_code == 413 and "larger than the limit" in response.json()["detail"]

        def chunks() -> Any:  # no Content-Length: counted as it arrives
            for _ in range(10):
                yield b"x" * 300

        assert c.post("/api/skills", content=chunks(), headers={"content-type": "application/json"}).status_code == 413
        small = {"name": "small", "content": "def small():\n    return 1\n"}
        assert c.post("/api/skills", json=small).status_code == 201
    from autogenstudio.security import DEFAULT_MAX_BODY_BYTES

    assert DEFAULT_MAX_BODY_BYTES == 10 * 1024 * 1024


def test_agent_written_files_cannot_act_as_studio(client: Any) -> None:
    """An HTML file the model wrote is served sandboxed: its scripts get an opaque origin, not Studio's."""
    session = _session(client)
    row_id = client.app.state.studio.db.get_by_uid("session", session["id"])["id"]
    work = client.app.state.studio.work_dir(row_id)
    work.mkdir(parents=True)
    (work / "report.html").write_text("<script>fetch('/api/models').then(r => r.text()).then(alert)</script>")
    response = client.get(f"/api/sessions/{session['id']}/files/report.html")
    assert response.status_code == 200 and response.headers["content-security-policy"] == "sandbox"
    page = client.get("/")
    assert page.headers["x-frame-options"] == "DENY" and page.headers["x-content-type-options"] == "nosniff"
