"""The ``autogenstudio`` command: ``autogenstudio ui --port 8081 [--host 127.0.0.1] [--appdir DIR] ...``."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import List, Optional

_TOKEN_ENV = "AUTOGENSTUDIO_TOKEN"


def _factory() -> object:
    """App factory for uvicorn's --reload mode, configured through the environment."""
    from .security import DEFAULT_MAX_BODY_BYTES, LOOPBACK_HOSTS, SecurityConfig, new_token
    from .web.app import create_app

    appdir = os.environ.get("AUTOGENSTUDIO_APPDIR")
    hosts = os.environ.get("AUTOGENSTUDIO_ALLOWED_HOSTS", "")
    security = SecurityConfig(
        token=os.environ.pop(_TOKEN_ENV, "") or _announce(new_token()),  # out of the environment agent code sees
        allowed_hosts=frozenset(h for h in hosts.split(",") if h) or LOOPBACK_HOSTS,
        max_body_bytes=int(os.environ.get("AUTOGENSTUDIO_MAX_BODY_BYTES") or DEFAULT_MAX_BODY_BYTES),
    )
    app = create_app(
        Path(appdir) if appdir else None, os.environ.get("AUTOGENSTUDIO_DATABASE_URI") or None, security=security
    )
    from .serve import set_docs

    return set_docs(app, os.environ.get("AUTOGENSTUDIO_DOCS", "1") == "1")


def _announce(token: str) -> str:
    print(f"AutoGen Studio access token: {token}", file=sys.stderr, flush=True)
    return token


def _display_host(host: str) -> str:
    if host in ("0.0.0.0", "::", ""):
        return "localhost"
    return f"[{host}]" if ":" in host else host


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
    ui.add_argument(
        "--token",
        default=None,
        help=f"the access token (default: ${_TOKEN_ENV}, else a new random one per launch, printed in the URL)",
    )
    ui.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="NAME",
        help="another Host name the server answers to (e.g. the machine's name behind a proxy); repeatable",
    )
    ui.add_argument("--max-body-mb", type=float, default=10.0, help="largest request body accepted, in MB (default 10)")
    ui.add_argument("--workers", type=int, default=1, help="server processes (default 1; see docs/security.md)")
    ui.add_argument("--docs", action=argparse.BooleanOptionalAction, default=True, help="API docs at /docs")
    sub.add_parser("version", help="print the version")
    from .cli_classic import add_commands, run

    add_commands(sub)
    args = parser.parse_args(argv)
    done = run(args, parser)
    if done is not None:
        return done

    if args.command == "version":
        from . import __version__

        print(__version__)
        return 0
    if args.command != "ui":
        parser.print_help()
        return 2

    import uvicorn

    from .security import SecurityConfig, allowed_hosts_for, new_token

    token = args.token or os.environ.get(_TOKEN_ENV) or new_token()
    if args.workers < 1:
        parser.error(f"--workers must be at least 1, got {args.workers}")
    if args.max_body_mb <= 0:
        parser.error(f"--max-body-mb must be positive, got {args.max_body_mb}")
    try:
        security = SecurityConfig(
            token=token,
            allowed_hosts=allowed_hosts_for(args.host, args.allowed_host),
            max_body_bytes=int(args.max_body_mb * 1024 * 1024),
        )
    except ValueError as exc:
        parser.error(str(exc))
    appdir = Path(args.appdir).expanduser().resolve() if args.appdir else Path.home() / ".autogenstudio"
    os.environ["AUTOGENSTUDIO_APPDIR"] = str(appdir)
    os.environ[_TOKEN_ENV] = security.token
    os.environ["AUTOGENSTUDIO_ALLOWED_HOSTS"] = ",".join(sorted(security.allowed_hosts))
    os.environ["AUTOGENSTUDIO_MAX_BODY_BYTES"] = str(security.max_body_bytes)
    os.environ["AUTOGENSTUDIO_DOCS"] = "1" if args.docs else "0"
    if args.database_uri:
        os.environ["AUTOGENSTUDIO_DATABASE_URI"] = args.database_uri
    if args.workers > 1:  # make the app dir, key file and examples once, not in a race between the workers
        from .web.app import Studio

        Studio(appdir, args.database_uri)
    url = f"http://{_display_host(args.host)}:{args.port}/?token={security.token}"
    print(f"AutoGen Studio (app dir {appdir}); open it at:\n    {url}", file=sys.stderr, flush=True)
    uvicorn.run(
        "autogenstudio.cli:_factory",
        factory=True,
        host=args.host,
        port=args.port,
        reload=args.reload,
        workers=args.workers,
        ws_max_size=security.max_body_bytes,  # the body limit holds for websocket messages too
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
