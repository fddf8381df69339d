"""A write that waits out the SQLite busy timeout gets a clear 503 (not a bare 500), and Studio's default busy
timeout is longer than SQLite's 5 s."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from conftest import AUTH, TOKEN


def _app(tmp_path: Path, uri: str) -> Any:
    from autogenstudio.security import SecurityConfig
    from autogenstudio.web.app import create_app

    return create_app(tmp_path / "appdir", database_uri=uri, security=SecurityConfig(token=TOKEN))


def test_a_write_locked_past_the_busy_timeout_is_a_503_that_says_what_to_do(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    db = tmp_path / "studio.sqlite"
    app = _app(tmp_path, f"sqlite:///{db}?timeout=0.05")
    with TestClient(app, base_url="http://localhost", headers=dict(AUTH)) as client:
        workflow_id = client.get("/api/workflows").json()[0]["id"]
        other = sqlite3.connect(db, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another writer holds the lock
        try:
            response = client.post("/api/sessions", json={"workflow_id": workflow_id})
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert response.status_code == 503
        assert "locked" in response.json()["detail"] and "?timeout=SECONDS" in response.json()["detail"]
        assert response.headers["retry-after"] == "1"
        # nothing was half-written: the same request succeeds once the lock is gone
        assert client.post("/api/sessions", json={"workflow_id": workflow_id}).status_code == 201
        assert len(client.get("/api/sessions").json()) == 1


def test_the_default_busy_timeout_outlasts_sqlites_own(tmp_path: Path) -> None:
    from autogenstudio.database import SQLITE_BUSY_SECONDS, Database

    database = Database(f"sqlite:///{tmp_path / 'a.sqlite'}")
    with database.engine.connect() as conn:
        busy_ms = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
    assert busy_ms == int(SQLITE_BUSY_SECONDS * 1000) and busy_ms > 5000
    given = Database(f"sqlite:///{tmp_path / 'b.sqlite'}?timeout=2")
    with given.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 2000
