"""The ``autogenstudio`` command: ``autogenstudio ui --port 8081 [--host 127.0.0.1] [--appdir DIR] ...``."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import List, Optional


def _factory() -> object:
    """App factory for uvicorn's --reload mode, configured through the environment."""
    from .web.app import create_app

    appdir = os.environ.get("AUTOGENSTUDIO_APPDIR")
    return create_app(Path(appdir) if appdir else None, os.environ.get("AUTOGENSTUDIO_DATABASE_URI") or None)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="autogenstudio", description="AutoGen Studio")
    sub = parser.add_subparsers(dest="command")
    ui = sub.add_parser("ui", help="serve the web UI")
    ui.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    ui.add_argument("--port", type=int, default=8081)
    ui.add_argument(
        "--appdir", default=None, help="where the database and session files live (default ~/.autogenstudio)"
    )
    ui.add_argument("--database-uri", default=None, help="a SQLAlchemy URL (default: SQLite in the app dir)")
    ui.add_argument("--reload", action="store_true", help="reload on code changes (development)")
    sub.add_parser("version", help="print the version")
    args = parser.parse_args(argv)

    if args.command == "version":
        from . import __version__

        print(__version__)
        return 0
    if args.command != "ui":
        parser.print_help()
        return 2

    import uvicorn

    appdir = Path(args.appdir).expanduser().resolve() if args.appdir else Path.home() / ".autogenstudio"
    os.environ["AUTOGENSTUDIO_APPDIR"] = str(appdir)
    if args.database_uri:
        os.environ["AUTOGENSTUDIO_DATABASE_URI"] = args.database_uri
    print(f"AutoGen Studio on http://{args.host}:{args.port} (app dir {appdir})", file=sys.stderr, flush=True)
    uvicorn.run("autogenstudio.cli:_factory", factory=True, host=args.host, port=args.port, reload=args.reload)
    return 0


if __name__ == "__main__":
    sys.exit(main())
