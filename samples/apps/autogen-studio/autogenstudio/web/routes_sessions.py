"""Routes of the playground: sessions, their messages (a task runs here), human input, files, profile, websocket.

A session is addressed by its random uid, never by its row id: a conversation's URL and websocket path cannot be
guessed. Inside, the row id keys the work dir, the listeners and the agents.

Routes that only use the store or the disk are plain ``def`` (run in worker threads); posting a message and the
websocket stay ``async`` and hand each blocking step to ``offloop`` (the run itself to ``run_long``).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List, Tuple

from fastapi import APIRouter, HTTPException, WebSocket, WebSocketDisconnect
from fastapi.responses import FileResponse, JSONResponse

from ..datamodel import InputAnswer, MessageIn, SessionIn, WorkFlowConfig
from ..offloop import off_loop, run_long
from ..profiler import session_profile
from ..workflowmanager import list_files
from .studio import PUBLIC_ID, Studio, public, serve_file

logger = logging.getLogger(__name__)


def sessions_router(studio: Studio) -> APIRouter:
    router = APIRouter()

    @router.get("/api/sessions")
    def list_sessions() -> List[Dict[str, Any]]:
        return [public("session", s) for s in studio.db.list("session")]

    @router.post("/api/sessions", status_code=201)
    def create_session(body: SessionIn) -> Dict[str, Any]:
        workflow = studio.must_get("workflow", body.workflow_id)
        name = body.name or f"{workflow['name']} session"
        created = studio.db.create("session", {"workflow_id": body.workflow_id, "name": name, "last_result": None})
        return public("session", created)

    @router.get("/api/sessions/{session_id}")
    def get_session(session_id: str) -> Dict[str, Any]:
        return public("session", studio.session(session_id))

    def idle(session_id: str) -> Dict[str, Any]:
        session = studio.session(session_id)
        if session["id"] in studio.running:
            raise HTTPException(409, "the session is running; wait for it to finish")
        return session

    @router.delete("/api/sessions/{session_id}")
    def delete_session(session_id: str) -> Dict[str, Any]:
        row_id = idle(session_id)["id"]
        studio.clear(row_id)
        studio.db.delete("session", row_id)
        return {"deleted": session_id}

    @router.post("/api/sessions/{session_id}/reset")
    def reset_session(session_id: str) -> Dict[str, Any]:
        session = idle(session_id)
        row_id = session["id"]
        studio.clear(row_id)
        data = {k: session[k] for k in ("workflow_id", "name")}
        return public("session", studio.db.update("session", row_id, {**data, "last_result": None}) or {})

    @router.get("/api/sessions/{session_id}/messages")
    def session_messages(session_id: str) -> List[Dict[str, Any]]:
        row_id = studio.session(session_id)["id"]
        return [public("message", m) for m in studio.db.list("message", parent_id=row_id)]

    @router.post("/api/sessions/{session_id}/messages")
    async def post_message(session_id: str, body: MessageIn) -> Dict[str, Any]:
        def prepare() -> Tuple[Dict[str, Any], WorkFlowConfig]:
            session = studio.session(session_id)
            return session, studio.workflow_config(studio.must_get("workflow", session["workflow_id"]))

        session, config = await off_loop(prepare)
        row_id = session["id"]
        with studio.lock:
            if row_id in studio.running:
                raise HTTPException(409, "this session is already running a task")
            studio.running.add(row_id)
        loop = asyncio.get_running_loop()

        def emit(event: Dict[str, Any]) -> None:
            event = {**event, "session_id": session_id}
            if event["type"] == "message":
                studio.db.create("message", event, parent_id=row_id)
            loop.call_soon_threadsafe(studio.broadcast, row_id, event)

        def ask(prompt: str) -> str:
            return studio.inputs.ask(session_id, prompt, body.input_timeout, emit)

        def run() -> Dict[str, Any]:
            manager = studio.manager_for(row_id, config, on_event=emit, ask_human=ask)
            seen = len(manager.messages)
            try:
                result = manager.run(message=body.content, clear_history=False).to_dict()
            except BaseException:
                studio.forget(row_id)
                raise
            result["messages"] = result["messages"][seen:]
            studio.db.create("run", {k: result[k] for k in ("usage", "time", "cost", "started")}, parent_id=row_id)
            return result

        try:
            result = await run_long(run)
        except Exception as exc:
            logger.exception("session %s failed", session_id)
            error = f"{type(exc).__name__}: {exc}"
            studio.broadcast(row_id, {"type": "error", "session_id": session_id, "error": error})
            raise HTTPException(502, f"the workflow failed: {error}") from None
        finally:
            studio.running.discard(row_id)
        summary = {k: v for k, v in result.items() if k != "messages"}
        await off_loop(
            studio.db.update,
            "session",
            row_id,
            {"workflow_id": session["workflow_id"], "name": session["name"], "last_result": summary},
        )
        studio.broadcast(row_id, {"type": "result", "session_id": session_id, **summary})
        return result

    @router.post("/api/sessions/{session_id}/input")
    def answer_input(session_id: str, body: InputAnswer) -> Dict[str, Any]:
        studio.session(session_id)
        if not studio.inputs.answer(session_id, body.request_id, body.content):
            raise HTTPException(404, f"no open input request {body.request_id} in this session (answered or timed out)")
        return {"answered": body.request_id}

    @router.get("/api/sessions/{session_id}/profile")
    def profile(session_id: str, download: bool = False) -> JSONResponse:
        row_id = studio.session(session_id)["id"]
        data = session_profile(studio.db.list("message", parent_id=row_id), studio.db.list("run", parent_id=row_id))
        data["session_id"] = session_id
        headers = {"Content-Disposition": f'attachment; filename="profile-{session_id}.json"'} if download else None
        return JSONResponse(data, headers=headers)

    @router.get("/api/sessions/{session_id}/files")
    def session_files(session_id: str) -> List[Dict[str, Any]]:
        row_id = studio.session(session_id)["id"]
        return [
            {"path": p, "url": f"/api/sessions/{session_id}/files/{p}"} for p in list_files(studio.work_dir(row_id))
        ]

    @router.get("/api/sessions/{session_id}/files/{file_path:path}")
    def session_file(session_id: str, file_path: str) -> FileResponse:
        return serve_file(studio.work_dir(studio.session(session_id)["id"]), file_path)

    @router.websocket("/api/ws/{session_id}")
    async def session_socket(websocket: WebSocket, session_id: str) -> None:
        await websocket.accept()
        session = await off_loop(studio.db.get_by_uid, "session", session_id) if PUBLIC_ID.match(session_id) else None
        if session is None:
            await websocket.send_json({"type": "error", "error": f"session {session_id} not found"})
            await websocket.close(code=4404)
            return
        row_id = session["id"]
        queue: asyncio.Queue = asyncio.Queue()
        studio.listeners.setdefault(row_id, set()).add(queue)
        await websocket.send_json({"type": "connected", "session_id": session_id})
        for request in studio.inputs.open_requests(session_id):  # a page opened while an agent waits for an answer
            await websocket.send_json(request)

        async def pump() -> None:
            while True:
                await websocket.send_json(await queue.get())

        async def drain() -> None:
            while True:
                await websocket.receive_text()

        tasks = [asyncio.ensure_future(pump()), asyncio.ensure_future(drain())]
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in done:  # a disconnect ends the socket; anything else is logged
                error = task.exception()
                if error is not None and not isinstance(error, WebSocketDisconnect):
                    logger.warning("websocket of session %s closed: %r", session_id, error)
        finally:
            for task in tasks:
                task.cancel()
            studio.listeners.get(row_id, set()).discard(queue)

    return router
