"""What the routers share: the store, the app directory, running sessions, their listeners and open questions."""

from __future__ import annotations

import asyncio
import json
import re
import threading
from pathlib import Path as FilePath
from typing import Annotated, Any, Dict, List, Optional, Set

from fastapi import HTTPException, Path
from fastapi.responses import FileResponse

from ..database import Database
from ..datamodel import (
    MAX_ID,
    SESSION_ID_PATTERN,
    AgentConfig,
    GroupChatConfig,
    LLMConfig,
    ModelConfig,
    SkillConfig,
    WorkFlowConfig,
)
from ..humaninput import HumanInputBroker
from ..keystore import KEY_FILE_NAME, KeyStore, make_private_file
from ..seed import seed_defaults
from ..workflowgraph import transitions_dict
from ..workflowmanager import AutoGenWorkFlowManager

ItemId = Annotated[int, Path(ge=1, le=MAX_ID, description="a record id (a positive 64-bit integer)")]
PUBLIC_ID = re.compile(SESSION_ID_PATTERN)
STATE_DIR = ".studio"  # inside a session's work dir; hidden, so never listed as one of the agents' files


def mask_key(key: Optional[str]) -> Optional[str]:
    """Never send an API key back in full: keep only its last four characters."""
    if not key:
        return None
    return "****" + key[-4:] if len(key) > 8 else "****"


def public(kind: str, item: Dict[str, Any]) -> Dict[str, Any]:
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


def endpoint_changed(old: Dict[str, Any], new: Dict[str, Any]) -> List[str]:
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
        # the agents of each session, kept between messages so that a follow-up continues the conversation; their
        # conversation is also checkpointed in the work dir, so that it continues after a restart too
        self.managers: Dict[int, AutoGenWorkFlowManager] = {}
        self.inputs = HumanInputBroker()

    def forget(self, session_id: int) -> None:
        manager = self.managers.pop(session_id, None)
        if manager is not None:
            manager.close()

    def clear(self, session_id: int) -> None:
        """Drop what a session did: its agents, messages, runs and work dir (with the saved conversation)."""
        import shutil

        self.forget(session_id)
        for kind in ("message", "run"):
            self.db.delete_children(kind, session_id)
        shutil.rmtree(self.work_dir(session_id), ignore_errors=True)

    def manager_for(self, session_id: int, config: WorkFlowConfig, **callbacks: Any) -> AutoGenWorkFlowManager:
        """The session's agents: the running ones, else built anew and loaded with the saved conversation (if it
        was held by this same workflow; an edited workflow starts over)."""
        manager = self.managers.get(session_id)
        if manager is not None and manager.config == config:
            manager.on_event = callbacks.get("on_event")
            manager.ask_human = callbacks.get("ask_human")
            return manager
        self.forget(session_id)
        state_dir = self.work_dir(session_id) / STATE_DIR
        state_dir.mkdir(parents=True, exist_ok=True)
        config_file, state_file = state_dir / "workflow.json", state_dir / "chat.json"
        current = json.dumps(config.model_dump(), sort_keys=True)
        if not config_file.is_file() or config_file.read_text(encoding="utf-8") != current:
            state_file.unlink(missing_ok=True)
            config_file.write_text(current, encoding="utf-8")
        manager = AutoGenWorkFlowManager(config, work_dir=self.work_dir(session_id), state_file=state_file, **callbacks)
        self.managers[session_id] = manager
        return manager

    def session(self, public_id: str) -> Dict[str, Any]:
        """The session whose public (random) id is ``public_id``, or 404."""
        found = self.db.get_by_uid("session", public_id) if PUBLIC_ID.match(public_id) else None
        if found is None:
            raise HTTPException(404, f"session {public_id} not found")
        return found

    def work_dir(self, session_id: int) -> FilePath:
        return (self.appdir / "work" / f"session_{session_id}").resolve()

    def gallery_dir(self, gallery_id: int) -> FilePath:
        return (self.appdir / "gallery" / f"item_{gallery_id}").resolve()

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
            names = dict(zip(workflow["agent_ids"], (m.name for m in members)))
            edges = [(names.get(a), names.get(b)) for a, b in workflow.get("transitions", [])]
            gc = GroupChatConfig(
                agents=members,
                allowed_transitions=transitions_dict([], [(a, b) for a, b in edges if a is not None and b is not None]),
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


def strip_keys(config: Dict[str, Any]) -> Dict[str, Any]:
    """An exported workflow never carries API keys."""
    if isinstance(config, dict):
        return {k: (None if k == "api_key" else strip_keys(v)) for k, v in config.items()}
    if isinstance(config, list):
        return [strip_keys(v) for v in config]  # type: ignore[return-value]
    return config


def _sqlite_file(uri: str) -> Optional[FilePath]:
    from sqlalchemy.engine import make_url

    url = make_url(uri)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return FilePath(url.database)


def serve_file(root: FilePath, file_path: str) -> FileResponse:
    """A file under ``root``, never outside it; shown in a sandbox (files written by agent code never run as Studio)."""
    if "\x00" in file_path:
        raise HTTPException(400, "the file path contains a NUL byte")
    try:
        target = (root / file_path).resolve()
        if not target.is_relative_to(root):
            raise HTTPException(403, "the path leaves the session's work directory")
        found = target.is_file() and not any(p.startswith(".") for p in target.relative_to(root).parts)
    except (OSError, RuntimeError) as exc:  # a name too long, a symlink loop: bad input, not a server error
        raise HTTPException(400, f"unusable file path: {getattr(exc, 'strerror', None) or exc}") from None
    if not found:
        raise HTTPException(404, f"no file {file_path!r} in this session")
    return FileResponse(target, headers={"Content-Security-Policy": "sandbox"})
