"""The FastAPI application: JSON API under /api, a websocket per session, the single-page UI at /."""

from __future__ import annotations

import asyncio
import logging
import re
import shutil
import threading
from contextlib import asynccontextmanager
from pathlib import Path as FilePath
from typing import Annotated, Any, AsyncIterator, Dict, List, Optional, Set, Type

from fastapi import FastAPI, HTTPException, Path, Request, WebSocket, WebSocketDisconnect
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel

from ..database import Database
from ..datamodel import (
    MAX_ID,
    SESSION_ID_PATTERN,
    AgentConfig,
    AgentIn,
    GroupChatConfig,
    LLMConfig,
    MessageIn,
    ModelConfig,
    ModelIn,
    PublishIn,
    SessionIn,
    SkillConfig,
    SkillIn,
    WorkFlowConfig,
    WorkflowIn,
)
from ..keystore import KEY_FILE_NAME, KeyStore, make_private_file
from ..security import SecurityConfig, SecurityMiddleware
from ..seed import seed_defaults
from ..workflowmanager import AutoGenWorkFlowManager, list_files
from .routes_classic import classic_router

logger = logging.getLogger(__name__)
UI_DIR = FilePath(__file__).parent / "ui"
ItemId = Annotated[int, Path(ge=1, le=MAX_ID, description="a record id (a positive 64-bit integer)")]
_PUBLIC_ID = re.compile(SESSION_ID_PATTERN)

_KINDS: Dict[str, Type[BaseModel]] = {"skills": SkillIn, "models": ModelIn, "agents": AgentIn, "workflows": WorkflowIn}
_SINGULAR = {"skills": "skill", "models": "model", "agents": "agent", "workflows": "workflow"}


def mask_key(key: Optional[str]) -> Optional[str]:
    """Never send an API key back in full: keep only its last four characters."""
    if not key:
        return None
    return "****" + key[-4:] if len(key) > 8 else "****"


def _public(kind: str, item: Dict[str, Any]) -> Dict[str, Any]:
    """A record as the API shows it: keys masked; sessions and gallery items known only by their random uid."""
    item = dict(item)
    uid = item.pop("uid", None)
    if kind == "model":
        item["api_key"] = mask_key(item.get("api_key"))
    elif kind in ("session", "gallery"):
        item["id"] = uid
    elif kind == "message":
        item.pop("parent_id", None)
    return item


def _endpoint_changed(old: Dict[str, Any], new: Dict[str, Any]) -> List[str]:
    defaults = {"base_url": None, "api_type": "openai"}
    return [f for f, d in defaults.items() if (old.get(f) or d) != (new.get(f) or d)]


class Studio:
    """State shared by the routes: the store, the app directory, running sessions and websocket listeners."""

    def __init__(self, appdir: FilePath, database_uri: Optional[str]) -> None:
        self.appdir = appdir
        appdir.mkdir(mode=0o700, parents=True, exist_ok=True)
        uri = database_uri or f"sqlite:///{appdir / 'database.sqlite'}"
        sqlite_file = _sqlite_file(uri)
        if sqlite_file is not None:
            make_private_file(sqlite_file)  # 0600 before SQLite writes a byte (its journals copy the mode)
        keystore = KeyStore(appdir / KEY_FILE_NAME, {"model": ("api_key",)})
        self.db = Database(uri, keystore=keystore)
        seed_defaults(self.db)
        self.listeners: Dict[int, Set[asyncio.Queue]] = {}
        self.running: Set[int] = set()
        self.lock = threading.Lock()
        # the agents of each session, kept between messages so that a follow-up continues the conversation
        self.managers: Dict[int, AutoGenWorkFlowManager] = {}

    def forget(self, session_id: int) -> None:
        manager = self.managers.pop(session_id, None)
        if manager is not None:
            manager.close()

    def session(self, public_id: str) -> Dict[str, Any]:
        """The session whose public (random) id is ``public_id``, or 404."""
        found = self.db.get_by_uid("session", public_id) if _PUBLIC_ID.match(public_id) else None
        if found is None:
            raise HTTPException(404, f"session {public_id} not found")
        return found

    def work_dir(self, session_id: int) -> FilePath:
        return (self.appdir / "work" / f"session_{session_id}").resolve()

    def must_get(self, kind: str, item_id: ItemId) -> Dict[str, Any]:
        item = self.db.get(kind, item_id)
        if item is None:
            raise HTTPException(404, f"{kind} {item_id} not found")
        return item

    # ------------------------------------------------------------------------------------ references --
    def check_refs(self, kind: str, data: Dict[str, Any]) -> None:
        def need(ref_kind: str, ids: List[Optional[int]], field: str) -> None:
            for ref in ids:
                if ref is not None and self.db.get(ref_kind, ref) is None:
                    raise HTTPException(422, f"{field}: {ref_kind} {ref} does not exist")

        if kind == "agent":
            need("model", data["model_ids"], "model_ids")
            need("skill", data["skill_ids"], "skill_ids")
        elif kind == "workflow":
            need("agent", [data["sender_id"], data.get("receiver_id")], "sender_id/receiver_id")
            need("agent", data["agent_ids"], "agent_ids")

    def agent_config(self, agent_id: int) -> AgentConfig:
        agent = self.db.get("agent", agent_id)
        if agent is None:
            raise HTTPException(409, f"the workflow refers to agent {agent_id}, which was deleted")
        models = [m for m in (self.db.get("model", i) for i in agent.get("model_ids", [])) if m]
        skills = [s for s in (self.db.get("skill", i) for i in agent.get("skill_ids", [])) if s]
        llm = LLMConfig(config_list=[ModelConfig.model_validate(m) for m in models]) if models else None
        return AgentConfig(
            name=agent["name"],
            type=agent.get("type", "assistant"),
            description=agent.get("description", ""),
            system_message=agent.get("system_message", ""),
            human_input_mode=agent.get("human_input_mode", "NEVER"),
            max_consecutive_auto_reply=agent.get("max_consecutive_auto_reply", 10),
            code_execution=agent.get("code_execution", False),
            llm_config=llm,
            skills=[SkillConfig.model_validate(s) for s in skills],
        )

    def workflow_config(self, workflow: Dict[str, Any]) -> WorkFlowConfig:
        sender = self.agent_config(workflow["sender_id"])
        common = {
            "name": workflow["name"],
            "description": workflow.get("description", ""),
            "summary_method": workflow.get("summary_method", "last_msg"),
        }
        if workflow.get("type") == "groupchat":
            members = [self.agent_config(i) for i in workflow["agent_ids"]]
            gc = GroupChatConfig(
                agents=members,
                speaker_selection_method=workflow.get("speaker_selection_method", "auto"),
                max_round=workflow.get("max_round", 10),
            )
            return WorkFlowConfig(type="groupchat", sender=sender, groupchat=gc, **common)
        return WorkFlowConfig(
            type="twoagents", sender=sender, receiver=self.agent_config(workflow["receiver_id"]), **common
        )

    # ------------------------------------------------------------------------------------- streaming --
    def broadcast(self, session_id: int, event: Dict[str, Any]) -> None:
        for queue in list(self.listeners.get(session_id, ())):
            queue.put_nowait(event)


def _strip_keys(config: Dict[str, Any]) -> Dict[str, Any]:
    """An exported workflow never carries API keys."""
    if isinstance(config, dict):
        return {k: (None if k == "api_key" else _strip_keys(v)) for k, v in config.items()}
    if isinstance(config, list):
        return [_strip_keys(v) for v in config]  # type: ignore[return-value]
    return config


def _sqlite_file(uri: str) -> Optional[FilePath]:
    from sqlalchemy.engine import make_url

    url = make_url(uri)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return FilePath(url.database)


def create_app(
    appdir: Optional[FilePath] = None,
    database_uri: Optional[str] = None,
    security: Optional[SecurityConfig] = None,
) -> FastAPI:
    """The Studio app. ``security`` defaults to a fresh random token (``app.state.security.token``), loopback Host
    names only and a 10 MB body limit."""
    appdir = FilePath(appdir or FilePath.home() / ".autogenstudio").resolve()
    studio = Studio(appdir, database_uri)
    security = security or SecurityConfig()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        for session_id in list(studio.managers):  # stop the sessions' code executors (Docker containers)
            studio.forget(session_id)

    app = FastAPI(title="AutoGen Studio", lifespan=lifespan)
    app.state.studio = studio
    app.state.security = security
    app.add_middleware(SecurityMiddleware, config=security)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
            problems.append(f"{where}: {err.get('msg')}" if where else str(err.get("msg")))
        return JSONResponse(status_code=422, content={"detail": "; ".join(problems), "errors": problems})

    # ------------------------------------------------------------------------------------------- CRUD --
    def register_crud(plural: str) -> None:
        kind = _SINGULAR[plural]
        schema = _KINDS[plural]

        async def list_items() -> List[Dict[str, Any]]:
            return [_public(kind, i) for i in studio.db.list(kind)]

        async def get_item(item_id: ItemId) -> Dict[str, Any]:
            return _public(kind, studio.must_get(kind, item_id))

        async def create_item(body: BaseModel) -> Dict[str, Any]:
            data = body.model_dump()
            studio.check_refs(kind, data)
            return _public(kind, studio.db.create(kind, data))

        async def update_item(item_id: ItemId, body: BaseModel) -> Dict[str, Any]:
            old = studio.must_get(kind, item_id)
            data = body.model_dump()
            if kind == "model" and (not data.get("api_key") or data["api_key"].startswith("****")):
                changed = _endpoint_changed(old, data)
                if changed and old.get("api_key"):
                    # the stored key only ever goes to the endpoint it was entered for
                    raise HTTPException(
                        422,
                        f"changing {' and '.join(changed)} requires the model's API key again: "
                        "enter the full key (the stored one is only sent to the endpoint it was saved for)",
                    )
                data["api_key"] = old.get("api_key")  # the masked value sent back means "unchanged"
            studio.check_refs(kind, data)
            return _public(kind, studio.db.update(kind, item_id, data) or {})

        async def delete_item(item_id: ItemId) -> Dict[str, Any]:
            studio.must_get(kind, item_id)
            studio.db.delete(kind, item_id)
            return {"deleted": item_id}

        # the body type is chosen at run time: give FastAPI the class itself, not the postponed annotation
        create_item.__annotations__["body"] = schema
        update_item.__annotations__["body"] = schema
        app.add_api_route(f"/api/{plural}", list_items, methods=["GET"])
        app.add_api_route(f"/api/{plural}", create_item, methods=["POST"], status_code=201)
        app.add_api_route(f"/api/{plural}/{{item_id}}", get_item, methods=["GET"])
        app.add_api_route(f"/api/{plural}/{{item_id}}", update_item, methods=["PUT"])
        app.add_api_route(f"/api/{plural}/{{item_id}}", delete_item, methods=["DELETE"])

    for plural in _KINDS:
        register_crud(plural)

    @app.post("/api/models/{item_id}/test")
    async def test_model(item_id: ItemId) -> Dict[str, Any]:
        model = ModelConfig.model_validate(studio.must_get("model", item_id))

        def call() -> Dict[str, Any]:
            from autogen import OpenAIWrapper

            try:
                client = OpenAIWrapper(config_list=[model.to_autogen()], cache_seed=None, timeout=30, max_retries=0)
                response = client.create(messages=[{"role": "user", "content": "Reply with the word OK."}])
                text = client.extract_text_or_completion_object(response)[0]
                return {"ok": True, "reply": text if isinstance(text, str) else str(text)}
            except Exception as exc:  # the answer to "does this model work" is a result, not a server error
                return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}

        return await asyncio.to_thread(call)

    @app.get("/api/workflows/{item_id}/export")
    async def export_workflow(item_id: ItemId) -> Dict[str, Any]:
        config = studio.workflow_config(studio.must_get("workflow", item_id))
        return _strip_keys(config.model_dump())

    @app.post("/api/workflows/import", status_code=201)
    async def import_workflow(config: WorkFlowConfig) -> Dict[str, Any]:
        def add_agent(cfg: AgentConfig) -> int:
            model_ids = [
                studio.db.create(
                    "model",
                    ModelIn(
                        model=m.model,
                        api_key=m.api_key,
                        base_url=m.base_url,
                        api_type="azure" if m.api_type == "azure" else "openai",
                        api_version=m.api_version,
                    ).model_dump(),
                )["id"]
                for m in (cfg.llm_config.config_list if cfg.llm_config else [])
            ]
            skill_ids = [
                studio.db.create(
                    "skill", SkillIn(name=s.name, description=s.description, content=s.content).model_dump()
                )["id"]
                for s in cfg.skills
            ]
            data = AgentIn(
                name=cfg.name,
                type=cfg.type,
                description=cfg.description,
                system_message=cfg.system_message,
                human_input_mode=cfg.human_input_mode,
                max_consecutive_auto_reply=cfg.max_consecutive_auto_reply,
                code_execution=cfg.code_execution,
                model_ids=model_ids,
                skill_ids=skill_ids,
            )
            return studio.db.create("agent", data.model_dump())["id"]

        try:
            sender_id = add_agent(config.sender)
            receiver_id = add_agent(config.receiver) if config.receiver else None
            agent_ids = [add_agent(a) for a in config.groupchat.agents] if config.groupchat else []
            wf = WorkflowIn(
                name=config.name,
                description=config.description,
                type=config.type,
                sender_id=sender_id,
                receiver_id=receiver_id,
                agent_ids=agent_ids,
                speaker_selection_method=(config.groupchat.speaker_selection_method if config.groupchat else "auto"),
                max_round=config.groupchat.max_round if config.groupchat else 10,
            )
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from None
        return _public("workflow", studio.db.create("workflow", wf.model_dump()))

    app.include_router(classic_router(studio))  # the classic Studio JSON files (autogenstudio.classic_format)

    # --------------------------------------------------------------------------------------- sessions --
    # A session (and a gallery item) is addressed by its random uid, never by its row id: a conversation's URL and
    # websocket path cannot be guessed. Inside, the row id keys the work dir, the listeners and the agents.
    @app.get("/api/sessions")
    async def list_sessions() -> List[Dict[str, Any]]:
        return [_public("session", s) for s in studio.db.list("session")]

    @app.post("/api/sessions", status_code=201)
    async def create_session(body: SessionIn) -> Dict[str, Any]:
        workflow = studio.must_get("workflow", body.workflow_id)
        name = body.name or f"{workflow['name']} session"
        created = studio.db.create("session", {"workflow_id": body.workflow_id, "name": name, "last_result": None})
        return _public("session", created)

    @app.get("/api/sessions/{session_id}")
    async def get_session(session_id: str) -> Dict[str, Any]:
        return _public("session", studio.session(session_id))

    @app.delete("/api/sessions/{session_id}")
    async def delete_session(session_id: str) -> Dict[str, Any]:
        row_id = studio.session(session_id)["id"]
        if row_id in studio.running:
            raise HTTPException(409, "the session is running; wait for it to finish")
        studio.forget(row_id)
        studio.db.delete_children("message", row_id)
        studio.db.delete("session", row_id)
        shutil.rmtree(studio.work_dir(row_id), ignore_errors=True)
        return {"deleted": session_id}

    @app.post("/api/sessions/{session_id}/reset")
    async def reset_session(session_id: str) -> Dict[str, Any]:
        session = studio.session(session_id)
        row_id = session["id"]
        if row_id in studio.running:
            raise HTTPException(409, "the session is running; wait for it to finish")
        studio.forget(row_id)
        studio.db.delete_children("message", row_id)
        shutil.rmtree(studio.work_dir(row_id), ignore_errors=True)
        data = {k: session[k] for k in ("workflow_id", "name")}
        return _public("session", studio.db.update("session", row_id, {**data, "last_result": None}) or {})

    @app.get("/api/sessions/{session_id}/messages")
    async def session_messages(session_id: str) -> List[Dict[str, Any]]:
        row_id = studio.session(session_id)["id"]
        return [_public("message", m) for m in studio.db.list("message", parent_id=row_id)]

    @app.post("/api/sessions/{session_id}/messages")
    async def post_message(session_id: str, body: MessageIn) -> Dict[str, Any]:
        session = studio.session(session_id)
        row_id = session["id"]
        workflow = studio.must_get("workflow", session["workflow_id"])
        config = studio.workflow_config(workflow)
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

        def run() -> Dict[str, Any]:
            manager = studio.managers.get(row_id)
            fresh = manager is None or manager.config != config  # an edited workflow starts over
            if manager is None or fresh:
                studio.forget(row_id)
                manager = AutoGenWorkFlowManager(config, work_dir=studio.work_dir(row_id), on_event=emit)
                studio.managers[row_id] = manager
            else:
                manager.on_event = emit
            seen = len(manager.messages)
            try:
                result = manager.run(message=body.content, clear_history=fresh).to_dict()
            except BaseException:
                studio.forget(row_id)
                raise
            result["messages"] = result["messages"][seen:]
            return result

        try:
            result = await asyncio.to_thread(run)
        except Exception as exc:
            logger.exception("session %s failed", session_id)
            error = f"{type(exc).__name__}: {exc}"
            studio.broadcast(row_id, {"type": "error", "session_id": session_id, "error": error})
            raise HTTPException(502, f"the workflow failed: {error}") from None
        finally:
            studio.running.discard(row_id)
        summary = {k: v for k, v in result.items() if k != "messages"}
        studio.db.update(
            "session",
            row_id,
            {"workflow_id": session["workflow_id"], "name": session["name"], "last_result": summary},
        )
        studio.broadcast(row_id, {"type": "result", "session_id": session_id, **summary})
        return result

    @app.get("/api/sessions/{session_id}/files")
    async def session_files(session_id: str) -> List[Dict[str, Any]]:
        row_id = studio.session(session_id)["id"]
        return [
            {"path": p, "url": f"/api/sessions/{session_id}/files/{p}"} for p in list_files(studio.work_dir(row_id))
        ]

    @app.get("/api/sessions/{session_id}/files/{file_path:path}")
    async def session_file(session_id: str, file_path: str) -> FileResponse:
        root = studio.work_dir(studio.session(session_id)["id"])
        if "\x00" in file_path:
            raise HTTPException(400, "the file path contains a NUL byte")
        try:
            target = (root / file_path).resolve()
            if not target.is_relative_to(root):
                raise HTTPException(403, "the path leaves the session's work directory")
            found = target.is_file()
        except (OSError, RuntimeError) as exc:  # a name too long, a symlink loop: bad input, not a server error
            raise HTTPException(400, f"unusable file path: {getattr(exc, 'strerror', None) or exc}") from None
        if not found:
            raise HTTPException(404, f"no file {file_path!r} in this session")
        # files written by agent code are shown, never run as part of Studio: a sandboxed, opaque origin of their own
        return FileResponse(target, headers={"Content-Security-Policy": "sandbox"})

    @app.websocket("/api/ws/{session_id}")
    async def session_socket(websocket: WebSocket, session_id: str) -> None:
        await websocket.accept()
        session = studio.db.get_by_uid("session", session_id) if _PUBLIC_ID.match(session_id) else None
        if session is None:
            await websocket.send_json({"type": "error", "error": f"session {session_id} not found"})
            await websocket.close(code=4404)
            return
        row_id = session["id"]
        queue: asyncio.Queue = asyncio.Queue()
        studio.listeners.setdefault(row_id, set()).add(queue)
        await websocket.send_json({"type": "connected", "session_id": session_id})

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

    # ---------------------------------------------------------------------------------------- gallery --
    @app.get("/api/gallery")
    async def list_gallery() -> List[Dict[str, Any]]:
        return [_public("gallery", g) for g in studio.db.list("gallery")]

    @app.get("/api/gallery/{item_id}")
    async def get_gallery(item_id: str) -> Dict[str, Any]:
        found = studio.db.get_by_uid("gallery", item_id) if _PUBLIC_ID.match(item_id) else None
        if found is None:
            raise HTTPException(404, f"gallery item {item_id} not found")
        return _public("gallery", found)

    @app.post("/api/gallery", status_code=201)
    async def publish(body: PublishIn) -> Dict[str, Any]:
        session = studio.session(body.session_id)
        workflow = studio.db.get("workflow", session["workflow_id"])
        exported = _strip_keys(studio.workflow_config(workflow).model_dump()) if workflow else None
        messages = [_public("message", m) for m in studio.db.list("message", parent_id=session["id"])]
        shown = _public("session", session)
        created = studio.db.create(
            "gallery",
            {
                "title": body.title or session["name"],
                "session": {k: shown.get(k) for k in ("id", "name", "workflow_id", "last_result")},
                "workflow": exported,
                "messages": messages,
            },
        )
        return _public("gallery", created)

    # -------------------------------------------------------------------------------------------- UI --
    @app.get("/", include_in_schema=False)
    async def index() -> FileResponse:
        return FileResponse(UI_DIR / "index.html")

    app.mount("/ui", StaticFiles(directory=str(UI_DIR)), name="ui")
    return app
