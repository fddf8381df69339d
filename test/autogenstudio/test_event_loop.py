"""Studio never blocks its event loop on the database: a request whose SQL waits for a lock held by another
connection waits in a worker thread, while the loop keeps answering other requests and websocket pings.

Each test starts the real app under uvicorn, takes a lock on its SQLite file from a second connection, starts a
request that needs the database and waits until Studio's engine is about to run that request's statement (an
SQLAlchemy event on the app's own engine: the barrier). While that statement waits for the lock, other requests get
their answers and a callback the test put on the server's loop keeps firing; the waiting request is still unanswered
until the lock goes. Nothing here measures time: each wait is a bound that only a stalled loop would reach.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import sqlite3
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List

import httpx
import pytest
from conftest import AUTH, TOKEN, LiveServer, local_model
from sqlalchemy import event

BOUND = 60  # seconds: how long a wait may take before the test calls the loop stalled (never reached when it runs)
# async routes allowed: they await nothing blocking themselves (each blocking step goes through autogenstudio.offloop)
ASYNC_ROUTES = {"post_message", "graph_check", "index", "session_socket"}


class LoopTicks:
    """A callback on ``loop`` that re-arms itself and counts its calls: it only fires while the loop runs freely."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.count = 0
        self.running = True
        self.changed = threading.Condition()
        loop.call_soon_threadsafe(self._tick)

    def _tick(self) -> None:
        with self.changed:
            self.count += 1
            self.changed.notify_all()
        if self.running:
            self.loop.call_later(0.001, self._tick)

    def advance(self, ticks: int) -> bool:
        """Wait until the callback has fired ``ticks`` more times; False if the loop stalled for ``BOUND`` s."""
        with self.changed:
            target = self.count + ticks
            return self.changed.wait_for(lambda: self.count >= target, timeout=BOUND)

    def stop(self) -> None:
        self.running = False


class StatementBarrier:
    """Set once the app's engine is about to execute a statement that ``matches`` (on the worker thread running it)."""

    def __init__(self, engine: Any, matches: Callable[[str], bool]) -> None:
        self.engine = engine
        self.matches = matches
        self.reached = threading.Event()
        self.statements: List[str] = []
        event.listen(engine, "before_cursor_execute", self._before)

    def _before(self, conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        if self.matches(statement):
            self.statements.append(statement)
            self.reached.set()

    def remove(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._before)


@pytest.fixture
def studio(tmp_path: Path) -> Iterator[Any]:
    """Studio under uvicorn on an SQLite file whose busy timeout (10 min) outlasts any lock the tests hold."""
    from autogenstudio.security import SecurityConfig
    from autogenstudio.web.app import create_app

    db_file = tmp_path / "studio.sqlite"
    app = create_app(
        tmp_path / "appdir", database_uri=f"sqlite:///{db_file}?timeout=600", security=SecurityConfig(token=TOKEN)
    )
    app.state.db_file = db_file
    server = LiveServer(app).start()
    server.app = app  # type: ignore[attr-defined]
    server.ticks = LoopTicks(server.server.servers[0].get_loop())  # type: ignore[attr-defined]
    yield server
    server.ticks.stop()  # type: ignore[attr-defined]
    server.stop()


class SqliteLock:
    """A second connection holding ``BEGIN IMMEDIATE`` (writers wait) or ``BEGIN EXCLUSIVE`` (readers wait too)."""

    def __init__(self, db_file: Path, mode: str) -> None:
        self.conn = sqlite3.connect(db_file, isolation_level=None, check_same_thread=False)
        self.conn.execute(f"BEGIN {mode}")
        self.held = True

    def release(self) -> None:
        if self.held:
            self.held = False
            self.conn.execute("ROLLBACK")
            self.conn.close()


def _client(server: Any) -> httpx.Client:
    return httpx.Client(base_url=server.url, headers=dict(AUTH), timeout=BOUND * 2)


def _in_background(pool: ThreadPoolExecutor, server: Any, method: str, path: str, **kwargs: Any) -> Future:
    def call() -> httpx.Response:
        with _client(server) as c:
            return c.request(method, path, **kwargs)

    return pool.submit(call)


def _ws_url(server: Any, public_id: str) -> str:
    return f"ws://127.0.0.1:{server.port}/api/ws/{public_id}"


def test_a_write_waiting_for_the_lock_leaves_the_loop_free(studio: Any) -> None:
    from websockets.sync.client import connect

    with _client(studio) as api:
        workflow_id = api.get("/api/workflows").json()[0]["id"]
        first = api.post("/api/sessions", json={"workflow_id": workflow_id, "name": "before the lock"}).json()
    with (
        connect(_ws_url(studio, first["id"]), additional_headers=dict(AUTH), open_timeout=BOUND) as ws,
        ThreadPoolExecutor(max_workers=1) as pool,
    ):
        assert json.loads(ws.recv(timeout=BOUND)) == {"type": "connected", "session_id": first["id"]}
        is_insert = lambda sql: sql.lstrip().upper().startswith("INSERT")  # noqa: E731
        barrier = StatementBarrier(studio.app.state.studio.db.engine, is_insert)
        lock = SqliteLock(studio.app.state.db_file, "IMMEDIATE")
        try:
            pending = _in_background(
                pool, studio, "POST", "/api/sessions", json={"workflow_id": workflow_id, "name": "while locked"}
            )
            assert barrier.reached.wait(BOUND), "the create request never reached its INSERT"

            # the INSERT now waits for the lock in a worker thread; the loop answers everything else meanwhile
            assert ws.ping().wait(BOUND), "no pong: the event loop is blocked"
            assert studio.ticks.advance(20), "a callback on the server's loop stopped firing"
            with _client(studio) as api:
                check = api.post("/api/workflows/graph-check", json={"agent_ids": [1, 2], "transitions": [[1, 2]]})
                assert check.status_code == 200 and "problems" in check.json()
                assert api.get("/").status_code == 200
                listed = api.get("/api/sessions")  # a reader goes on: the lock holds writers only
                assert [s["name"] for s in listed.json()] == ["before the lock"]
            assert not pending.done(), "the write finished while the lock was held"
            assert studio.ticks.advance(20)

            lock.release()
            created = pending.result(timeout=BOUND)
            assert created.status_code == 201, created.text
            assert created.json()["name"] == "while locked"
        finally:
            lock.release()
            barrier.remove()
    with _client(studio) as api:
        assert [s["name"] for s in api.get("/api/sessions").json()] == ["before the lock", "while locked"]


def test_a_websocket_whose_lookup_waits_leaves_the_loop_free(studio: Any) -> None:
    """With readers locked out too, a new websocket's session lookup waits off the loop; pings still get pongs."""
    from websockets.sync.client import connect

    with _client(studio) as api:
        workflow_id = api.get("/api/workflows").json()[0]["id"]
        session = api.post("/api/sessions", json={"workflow_id": workflow_id}).json()
    barrier = StatementBarrier(studio.app.state.studio.db.engine, lambda sql: "uid" in sql)
    lock = SqliteLock(studio.app.state.db_file, "EXCLUSIVE")
    try:
        with connect(_ws_url(studio, session["id"]), additional_headers=dict(AUTH), open_timeout=BOUND) as ws:
            assert barrier.reached.wait(BOUND), "the websocket never looked its session up"
            assert ws.ping().wait(BOUND), "no pong: the event loop is blocked"
            assert studio.ticks.advance(20), "a callback on the server's loop stopped firing"
            with _client(studio) as api:
                assert api.post("/api/workflows/graph-check", json={"agent_ids": [], "transitions": []}).is_success
            with pytest.raises(TimeoutError):
                ws.recv(timeout=0)  # nothing yet: "connected" only comes once the lookup has its answer
            lock.release()
            assert json.loads(ws.recv(timeout=BOUND)) == {"type": "connected", "session_id": session["id"]}
    finally:
        lock.release()
        barrier.remove()


def test_a_run_whose_messages_wait_for_the_lock_leaves_the_loop_free(studio: Any, llm_server: Any) -> None:
    """A task's agents write each message to the store as they go; while those writes wait, the session's websocket,
    a second task on the same session (409) and other readers are answered, and the run ends once the lock goes."""
    from websockets.sync.client import connect

    with _client(studio) as api:
        model = api.post("/api/models", json=local_model(llm_server)).json()
        user = api.post("/api/agents", json={"name": "u", "type": "userproxy", "max_consecutive_auto_reply": 0})
        bot = api.post("/api/agents", json={"name": "bot", "model_ids": [model["id"]]}).json()
        wf = {"name": "w", "sender_id": user.json()["id"], "receiver_id": bot["id"]}
        session = api.post("/api/sessions", json={"workflow_id": api.post("/api/workflows", json=wf).json()["id"]})
    public_id = session.json()["id"]
    llm_server.script("the answer TERMINATE")
    messages_path = f"/api/sessions/{public_id}/messages"
    with (
        connect(_ws_url(studio, public_id), additional_headers=dict(AUTH), open_timeout=BOUND) as ws,
        ThreadPoolExecutor(max_workers=1) as pool,
    ):
        assert json.loads(ws.recv(timeout=BOUND))["type"] == "connected"
        is_insert = lambda sql: sql.lstrip().upper().startswith("INSERT")  # noqa: E731
        barrier = StatementBarrier(studio.app.state.studio.db.engine, is_insert)
        lock = SqliteLock(studio.app.state.db_file, "IMMEDIATE")
        try:
            run = _in_background(pool, studio, "POST", messages_path, json={"content": "go"})
            assert barrier.reached.wait(BOUND), "the run never wrote its first message"
            assert ws.ping().wait(BOUND), "no pong: the event loop is blocked"
            assert studio.ticks.advance(20), "a callback on the server's loop stopped firing"
            with _client(studio) as api:
                again = api.post(messages_path, json={"content": "again"})
                assert again.status_code == 409 and "already running" in again.json()["detail"]
                assert api.get(messages_path).json() == []  # the first message still waits for the lock
            assert not run.done(), "the run finished while its message write was held"
            lock.release()
            events: List[Dict[str, Any]] = []
            while not events or events[-1]["type"] not in ("result", "error"):
                events.append(json.loads(ws.recv(timeout=BOUND)))
            answer = run.result(timeout=BOUND)
        finally:
            lock.release()
            barrier.remove()
    assert answer.status_code == 200, answer.text
    assert answer.json()["final_answer"] == "the answer"
    assert [e["sender"] for e in events if e["type"] == "message"] == ["u", "bot"]
    with _client(studio) as api:
        assert [m["content"] for m in api.get(messages_path).json()] == ["go", "the answer TERMINATE"]


def test_only_routes_that_await_nothing_blocking_are_async(studio_app: Any) -> None:
    """Every route touching the store or the disk is a plain def (run in a worker thread); the few async ones are
    those that stream or await a run, and they go through ``autogenstudio.offloop``."""
    from autogenstudio.web.routes_classic import classic_router
    from autogenstudio.web.routes_gallery import gallery_router
    from autogenstudio.web.routes_library import library_router
    from autogenstudio.web.routes_sessions import sessions_router

    shared = studio_app.state.studio
    routers = (library_router(shared), sessions_router(shared), gallery_router(shared), classic_router(shared))
    routes: List[Any] = [route for router in routers for route in router.routes]
    routes += [r for r in studio_app.routes if getattr(r, "path", None) == "/"]
    assert len(routes) > 40 and {"create_item", "publish", "import_file", "index"} <= {r.name for r in routes}
    assert {r.name for r in routes if inspect.iscoroutinefunction(r.endpoint)} == ASYNC_ROUTES
