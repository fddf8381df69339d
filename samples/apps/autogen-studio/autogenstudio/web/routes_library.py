"""Routes of the library: skills, models, agents and workflows (CRUD), testing a model, workflow export/import.

Every route that reads or writes the store is a plain ``def`` (run in a worker thread, see ``offloop``)."""

from __future__ import annotations

import re
from typing import Any, Dict, List

from fastapi import APIRouter, HTTPException
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from ..classic_format import store_workflow
from ..datamodel import AgentIn, GraphIn, ModelConfig, ModelIn, SkillIn, WorkFlowConfig, WorkflowIn
from ..workflowgraph import graph_problems
from .studio import ItemId, Studio, endpoint_changed, public, strip_keys

KINDS: Dict[str, type[BaseModel]] = {"skills": SkillIn, "models": ModelIn, "agents": AgentIn, "workflows": WorkflowIn}
SINGULAR = {"skills": "skill", "models": "model", "agents": "agent", "workflows": "workflow"}


def library_router(studio: Studio) -> APIRouter:
    router = APIRouter(prefix="")

    # ------------------------------------------------------------------------------------------- CRUD --
    def register_crud(plural: str) -> None:
        kind = SINGULAR[plural]
        schema = KINDS[plural]

        def list_items() -> List[Dict[str, Any]]:
            return [public(kind, i) for i in studio.db.list(kind)]

        def get_item(item_id: ItemId) -> Dict[str, Any]:
            return public(kind, studio.must_get(kind, item_id))

        def create_item(body: BaseModel) -> Dict[str, Any]:
            data = body.model_dump()
            studio.check_refs(kind, data)
            return public(kind, studio.db.create(kind, data))

        def update_item(item_id: ItemId, body: BaseModel) -> Dict[str, Any]:
            old = studio.must_get(kind, item_id)
            data = body.model_dump()
            if kind == "model" and (not data.get("api_key") or data["api_key"].startswith("****")):
                changed = endpoint_changed(old, data)
                if changed and old.get("api_key"):
                    # the stored key only ever goes to the endpoint it was entered for
                    raise HTTPException(
                        422,
                        f"changing {' and '.join(changed)} requires the model's API key again: "
                        "enter the full key (the stored one is only sent to the endpoint it was saved for)",
                    )
                data["api_key"] = old.get("api_key")  # the masked value sent back means "unchanged"
            studio.check_refs(kind, data)
            return public(kind, studio.db.update(kind, item_id, data) or {})

        def delete_item(item_id: ItemId) -> Dict[str, Any]:
            studio.must_get(kind, item_id)
            studio.db.delete(kind, item_id)
            return {"deleted": item_id}

        # the body type is chosen at run time: give FastAPI the class itself, not the postponed annotation
        create_item.__annotations__["body"] = schema
        update_item.__annotations__["body"] = schema
        router.add_api_route(f"/api/{plural}", list_items, methods=["GET"])
        router.add_api_route(f"/api/{plural}", create_item, methods=["POST"], status_code=201)
        router.add_api_route(f"/api/{plural}/{{item_id}}", get_item, methods=["GET"])
        router.add_api_route(f"/api/{plural}/{{item_id}}", update_item, methods=["PUT"])
        router.add_api_route(f"/api/{plural}/{{item_id}}", delete_item, methods=["DELETE"])

    for plural in KINDS:
        register_crud(plural)

    @router.post("/api/models/{item_id}/test")
    def test_model(item_id: ItemId) -> Dict[str, Any]:
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

        return call()

    @router.get("/api/workflows/{item_id}/export")
    def export_workflow(item_id: ItemId, download: bool = False) -> JSONResponse:
        """The workflow with its agents, skills and models as one self-contained JSON document (no API keys)."""
        workflow = studio.must_get("workflow", item_id)
        data = strip_keys(studio.workflow_config(workflow).model_dump())
        name = re.sub(r"[^A-Za-z0-9_-]+", "_", workflow["name"]).strip("_") or "workflow"
        headers = {"Content-Disposition": f'attachment; filename="{name}.json"'} if download else None
        return JSONResponse(data, headers=headers)

    @router.post("/api/workflows/graph-check")
    async def graph_check(body: GraphIn) -> Dict[str, Any]:
        """The problems of a speaker-transition graph (shown on the graph in the builder), by agent id."""
        return {"problems": graph_problems(body.agent_ids, body.transitions)}

    @router.post("/api/workflows/import", status_code=201)
    def import_workflow(config: WorkFlowConfig) -> Dict[str, Any]:
        try:
            return public("workflow", store_workflow(studio.db, config))
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from None

    return router
