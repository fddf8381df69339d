"""``autogenstudio serve --workflow FILE``: one exported workflow as an HTTP endpoint, as the classic tool had.

    GET  /predict/{message}              run the workflow on ``message``
    POST /predict   {"message": "..."}   the same, for messages that do not fit in a URL

Both answer the classic JSON ``{"message": "Task successfully completed", "status": true, "data": {"role":
"assistant", "content": <final answer>, "meta": {messages, time, cost, files, ...}}}``; a failed run answers 502
with ``"status": false`` and the error in ``"message"``. Every request runs fresh agents in a work directory of
its own, so requests do not share a conversation and may run at the same time.

The workflow file is a classic Studio workflow (``autogenstudio.classic_format``) or Studio's own export.
The endpoint sits behind Studio's security middleware: Host/Origin allow-list, body limit and, unless started with
``--no-token``, the access token (``Authorization: token <TOKEN>``).
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
from pathlib import Path
from typing import Any, Dict, Optional

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from .classic_format import load_workflow, read_file
from .datamodel import WorkFlowConfig
from .offloop import run_long
from .security import LOOPBACK_HOSTS, Scope, SecurityConfig, SecurityMiddleware
from .workflowmanager import AutoGenWorkFlowManager

logger = logging.getLogger(__name__)
ENV_WORKFLOW = "AUTOGENSTUDIO_WORKFLOW_FILE"
ENV_WORK_DIR = "AUTOGENSTUDIO_SERVE_WORK_DIR"
ENV_TOKEN = "AUTOGENSTUDIO_TOKEN"
ENV_NO_TOKEN = "AUTOGENSTUDIO_SERVE_NO_TOKEN"
ENV_DOCS = "AUTOGENSTUDIO_DOCS"
ENV_HOSTS = "AUTOGENSTUDIO_ALLOWED_HOSTS"
ENV_MAX_BODY = "AUTOGENSTUDIO_MAX_BODY_BYTES"


class PredictIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    message: str = Field(min_length=1, max_length=100_000)


class TokenlessSecurityMiddleware(SecurityMiddleware):
    """Studio's middleware without the token check (``serve --no-token``): Host, Origin and body limit still hold."""

    def _has_token(self, scope: Scope, headers: Dict[str, str]) -> bool:
        return True


def set_docs(app: FastAPI, enabled: bool) -> FastAPI:
    """Keep or remove the API documentation routes (/docs, /redoc, /openapi.json) of a built app."""
    if enabled:
        return app
    doc_paths = {app.docs_url, app.redoc_url, app.openapi_url, app.swagger_ui_oauth2_redirect_url} - {None}
    app.router.routes[:] = [r for r in app.router.routes if getattr(r, "path", None) not in doc_paths]
    app.docs_url = app.redoc_url = app.openapi_url = None
    return app


def load_workflow_file(path: Path) -> WorkFlowConfig:
    """The workflow in ``path``; ``ValueError`` says what is wrong with the file."""
    try:
        return load_workflow(read_file(path))
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None


def _answer(status: int, message: str, data: Optional[Dict[str, Any]]) -> JSONResponse:
    return JSONResponse({"message": message, "status": data is not None, "data": data}, status_code=status)


def create_serve_app(
    workflow: WorkFlowConfig,
    work_dir: Path,
    security: Optional[SecurityConfig] = None,
    require_token: bool = True,
    docs: bool = False,
) -> FastAPI:
    """The endpoint app for ``workflow``; each run gets a fresh directory under ``work_dir``, removed after it."""
    security = security or SecurityConfig()
    app = FastAPI(title=f"AutoGen Studio: {workflow.name}", description=workflow.description)
    app.state.security = security
    app.state.workflow = workflow
    middleware = SecurityMiddleware if require_token else TokenlessSecurityMiddleware
    app.add_middleware(middleware, config=security)

    def run(message: str) -> Dict[str, Any]:
        run_dir = work_dir / f"run_{secrets.token_hex(8)}"
        manager = AutoGenWorkFlowManager(workflow, work_dir=run_dir)
        try:
            result = manager.run(message=message)
        finally:
            manager.close()
            shutil.rmtree(run_dir, ignore_errors=True)
        return {"role": "assistant", "content": result.final_answer, "meta": result.to_dict()}

    async def predict(message: str) -> JSONResponse:
        try:
            data = await run_long(run, message)
        except Exception as exc:
            logger.exception("workflow %s failed", workflow.name)
            return _answer(502, f"the workflow failed: {type(exc).__name__}: {exc}", None)
        return _answer(200, "Task successfully completed", data)

    @app.get("/predict/{message:path}")
    async def predict_get(message: str) -> JSONResponse:
        if not message.strip():
            return _answer(422, "the message is empty: GET /predict/<your message>", None)
        return await predict(message)

    @app.post("/predict")
    async def predict_post(body: PredictIn) -> JSONResponse:
        return await predict(body.message)

    @app.get("/")
    async def describe() -> Dict[str, Any]:
        return {"workflow": workflow.name, "description": workflow.description, "type": workflow.type}

    return set_docs(app, docs)


def _factory() -> FastAPI:
    """App factory for uvicorn (one per worker), configured by ``autogenstudio serve`` through the environment."""
    path = Path(os.environ[ENV_WORKFLOW])
    hosts = os.environ.get(ENV_HOSTS, "")
    security = SecurityConfig(
        token=os.environ.pop(ENV_TOKEN, "") or secrets.token_urlsafe(32),  # out of the environment agents see
        allowed_hosts=frozenset(h for h in hosts.split(",") if h) or LOOPBACK_HOSTS,
        max_body_bytes=int(os.environ[ENV_MAX_BODY]),
    )
    return create_serve_app(
        load_workflow_file(path),
        Path(os.environ[ENV_WORK_DIR]),
        security=security,
        require_token=os.environ.get(ENV_NO_TOKEN) != "1",
        docs=os.environ.get(ENV_DOCS) == "1",
    )
