"""Routes for the classic Studio JSON files: import one (any kind) and export a record in the classic shape.

POST /api/classic/import                 body: a classic skill, model, agent or workflow file -> the record made
GET  /api/classic/{kind}s/{id}           the record as a classic file (a download; never with API keys)
"""

from __future__ import annotations

import re
from typing import Any, Dict

from fastapi import APIRouter, Body, HTTPException
from fastapi.responses import JSONResponse

from ..classic_format import KINDS, export_classic, import_classic
from ..datamodel import MAX_ID


def classic_router(studio: Any) -> APIRouter:
    """``studio`` is the app's shared state (``Studio``): its ``db``, ``agent_config`` and ``workflow_config``."""
    router = APIRouter(prefix="/api/classic")

    @router.post("/import", status_code=201)
    def import_file(data: Any = Body(...)) -> Dict[str, Any]:
        try:
            kind, record = import_classic(studio.db, data)
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from None
        record = {k: v for k, v in record.items() if k not in ("uid", "api_key")}
        return {"kind": kind, "item": record}

    @router.get("/{plural}/{item_id}")
    def export_file(plural: str, item_id: int) -> JSONResponse:
        kind = plural[:-1] if plural.endswith("s") else plural
        if kind not in KINDS:
            raise HTTPException(404, f"no classic export for {plural!r}: use skills, models, agents or workflows")
        if not 1 <= item_id <= MAX_ID:
            raise HTTPException(422, "item_id must be a positive 64-bit integer")
        exported = export_classic(studio, kind, item_id)
        if exported is None:
            raise HTTPException(404, f"{kind} {item_id} not found")
        label = exported.get("name") or exported.get("model") or exported.get("config", {}).get("name") or kind
        filename = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{kind}_{label}")[:80] + ".json"
        return JSONResponse(exported, headers={"Content-Disposition": f'attachment; filename="{filename}"'})

    return router
