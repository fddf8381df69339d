"""The FastAPI application: JSON API under /api, a websocket per session, the single-page UI at /.

The routes live in one router per resource: ``routes_library`` (skills, models, agents, workflows),
``routes_sessions`` (the playground) and ``routes_gallery``; ``studio.Studio`` is the state they share.
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from pathlib import Path as FilePath
from typing import AsyncIterator, Optional

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import OperationalError

from ..offloop import off_loop
from ..security import SecurityConfig, SecurityMiddleware
from .routes_classic import classic_router
from .routes_gallery import gallery_router
from .routes_library import library_router
from .routes_sessions import sessions_router
from .studio import Studio, mask_key

logger = logging.getLogger(__name__)
UI_DIR = FilePath(__file__).parent / "ui"

__all__ = ["UI_DIR", "Studio", "create_app", "mask_key"]


async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    problems = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
        problems.append(f"{where}: {err.get('msg')}" if where else str(err.get("msg")))
    return JSONResponse(status_code=422, content={"detail": "; ".join(problems), "errors": problems})


async def _database_busy(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, OperationalError) and "locked" in str(exc.orig or exc).lower():
        detail = (
            "The Studio database stayed locked by another writer for longer than its busy timeout. Try again; "
            "to wait longer, start Studio with a database URI ending in ?timeout=SECONDS."
        )
        return JSONResponse(status_code=503, content={"detail": detail}, headers={"Retry-After": "1"})
    raise exc


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
            await off_loop(studio.forget, session_id)

    app = FastAPI(title="AutoGen Studio", lifespan=lifespan)
    app.state.studio = studio
    app.state.security = security
    app.add_middleware(SecurityMiddleware, config=security)
    app.add_exception_handler(RequestValidationError, _validation)  # type: ignore[arg-type]
    app.add_exception_handler(OperationalError, _database_busy)
    routers = (library_router(studio), sessions_router(studio), gallery_router(studio), classic_router(studio))
    for router in routers:
        app.include_router(router)

    @app.get("/", include_in_schema=False)
    async def index() -> FileResponse:
        return FileResponse(UI_DIR / "index.html")

    app.mount("/ui", StaticFiles(directory=str(UI_DIR)), name="ui")
    return app
