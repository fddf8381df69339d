"""Routes of the gallery: a published session (messages, files, profile) is a read-only copy of it.

The routes touch the store and the disk: plain ``def`` routes, run in worker threads (see ``offloop``)."""

from __future__ import annotations

import shutil
from typing import Any, Dict, List

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

from ..datamodel import PublishIn
from ..profiler import session_profile
from ..workflowmanager import list_files
from .studio import PUBLIC_ID, Studio, public, serve_file, strip_keys


def gallery_router(studio: Studio) -> APIRouter:
    router = APIRouter()

    def item(item_id: str) -> Dict[str, Any]:
        found = studio.db.get_by_uid("gallery", item_id) if PUBLIC_ID.match(item_id) else None
        if found is None:
            raise HTTPException(404, f"gallery item {item_id} not found")
        return found

    @router.get("/api/gallery")
    def list_gallery() -> List[Dict[str, Any]]:
        return [public("gallery", g) for g in studio.db.list("gallery")]

    @router.get("/api/gallery/{item_id}")
    def get_gallery(item_id: str) -> Dict[str, Any]:
        return public("gallery", item(item_id))

    @router.post("/api/gallery", status_code=201)
    def publish(body: PublishIn) -> Dict[str, Any]:
        session = studio.session(body.session_id)
        row_id = session["id"]
        workflow = studio.db.get("workflow", session["workflow_id"])
        exported = strip_keys(studio.workflow_config(workflow).model_dump()) if workflow else None
        stored = studio.db.list("message", parent_id=row_id)
        messages = [public("message", m) for m in stored]
        shown = public("session", session)
        files = list_files(studio.work_dir(row_id))
        created = studio.db.create(
            "gallery",
            {
                "title": body.title or session["name"],
                "session": {k: shown.get(k) for k in ("id", "name", "workflow_id", "last_result")},
                "workflow": exported,
                "messages": messages,
                "files": files,
                "profile": session_profile(stored, studio.db.list("run", parent_id=row_id)),
            },
        )

        target = studio.gallery_dir(created["id"])  # the published copy outlives the session and its work dir
        for rel in files:
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(studio.work_dir(row_id) / rel, target / rel)
        return public("gallery", created)

    @router.get("/api/gallery/{item_id}/files/{file_path:path}")
    def gallery_file(item_id: str, file_path: str) -> FileResponse:
        return serve_file(studio.gallery_dir(item(item_id)["id"]), file_path)

    return router
