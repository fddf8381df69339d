"""The classic commands of ``autogenstudio``: ``serve``, ``import`` and ``export`` (``ui`` and ``version`` are in cli).

autogenstudio serve --workflow workflow.json [--port 8084] [--host 127.0.0.1] [--workers N] [--docs] [--no-token]
autogenstudio import FILE.json [FILE.json ...] [--appdir DIR]      classic skill/model/agent/workflow files
autogenstudio export {skill,model,agent,workflow} ID [-o FILE] [--appdir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Optional

from .classic_format import KINDS, export_classic, import_classic, read_file


def add_commands(sub: Any) -> None:
    serve = sub.add_parser("serve", help="serve one exported workflow as an HTTP endpoint (GET/POST /predict)")
    serve.add_argument("--workflow", required=True, metavar="FILE", help="a workflow JSON file (classic or Studio's)")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    serve.add_argument("--port", type=int, default=8084)
    serve.add_argument("--workers", type=int, default=1, help="server processes (default 1)")
    serve.add_argument(
        "--docs", action=argparse.BooleanOptionalAction, default=False, help="serve the API docs at /docs"
    )
    serve.add_argument("--token", default=None, help="the access token (default: $AUTOGENSTUDIO_TOKEN, else random)")
    serve.add_argument(
        "--no-token", action="store_true", help="answer without the access token (only on a trusted machine)"
    )
    serve.add_argument("--allowed-host", action="append", default=[], metavar="NAME", help="another Host name")
    serve.add_argument("--max-body-mb", type=float, default=1.0, help="largest request body, in MB (default 1)")
    serve.add_argument("--work-dir", default=None, help="where runs write their files (default: a temporary dir)")

    imp = sub.add_parser("import", help="import classic Studio JSON files (skills, models, agents, workflows)")
    imp.add_argument("files", nargs="+", metavar="FILE")
    imp.add_argument("--appdir", default=None, help="Studio's app dir (default ~/.autogenstudio)")
    imp.add_argument("--database-uri", default=None, help="a SQLAlchemy URL (default: SQLite in the app dir)")

    exp = sub.add_parser("export", help="write a skill, model, agent or workflow as a classic Studio JSON file")
    exp.add_argument("kind", choices=KINDS)
    exp.add_argument("id", type=int)
    exp.add_argument("-o", "--output", default=None, help="the file to write (default: standard output)")
    exp.add_argument("--appdir", default=None, help="Studio's app dir (default ~/.autogenstudio)")
    exp.add_argument("--database-uri", default=None, help="a SQLAlchemy URL (default: SQLite in the app dir)")


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> Optional[int]:
    """Run a command of this module; None when ``args.command`` is not one of them."""
    if args.command == "serve":
        return _serve(args, parser)
    if args.command == "import":
        return _import(args)
    if args.command == "export":
        return _export(args)
    return None


def _studio(args: argparse.Namespace) -> Any:
    from .web.app import Studio

    appdir = Path(args.appdir).expanduser().resolve() if args.appdir else Path.home() / ".autogenstudio"
    return Studio(appdir, args.database_uri)


def _import(args: argparse.Namespace) -> int:
    studio = _studio(args)
    failed = 0
    for name in args.files:
        try:
            kind, record = import_classic(studio.db, read_file(name))
        except ValueError as exc:
            print(f"{name}: {exc}", file=sys.stderr)
            failed += 1
            continue
        label = record.get("name") or record.get("model")
        print(f"{name}: imported {kind} {record['id']} ({label})")
    return 1 if failed else 0


def _export(args: argparse.Namespace) -> int:
    exported = export_classic(_studio(args), args.kind, args.id)
    if exported is None:
        print(f"no {args.kind} with id {args.id} (see the ids in Studio or GET /api/{args.kind}s)", file=sys.stderr)
        return 1
    text = json.dumps(exported, indent=2) + "\n"
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _serve(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    import uvicorn

    from . import serve
    from .security import SecurityConfig, allowed_hosts_for, new_token

    path = Path(args.workflow).expanduser().resolve()
    try:
        workflow = serve.load_workflow_file(path)  # a bad file stops here, before any worker starts
        security = SecurityConfig(
            token=args.token or os.environ.get(serve.ENV_TOKEN) or new_token(),
            allowed_hosts=allowed_hosts_for(args.host, args.allowed_host),
            max_body_bytes=int(args.max_body_mb * 1024 * 1024),
        )
    except ValueError as exc:
        parser.error(str(exc))
    if args.workers < 1:
        parser.error(f"--workers must be at least 1, got {args.workers}")
    work_dir = Path(args.work_dir).resolve() if args.work_dir else Path(tempfile.mkdtemp(prefix="autogenstudio_serve_"))
    os.environ.update(
        {
            serve.ENV_WORKFLOW: str(path),
            serve.ENV_WORK_DIR: str(work_dir),
            serve.ENV_TOKEN: security.token,
            serve.ENV_NO_TOKEN: "1" if args.no_token else "0",
            serve.ENV_DOCS: "1" if args.docs else "0",
            serve.ENV_HOSTS: ",".join(sorted(security.allowed_hosts)),
            serve.ENV_MAX_BODY: str(security.max_body_bytes),
        }
    )
    host = f"[{args.host}]" if ":" in args.host else args.host
    auth = "no token needed" if args.no_token else f"send 'Authorization: token {security.token}'"
    print(
        f"Serving workflow {workflow.name!r} at http://{host}:{args.port}/predict/<message> ({auth})",
        file=sys.stderr,
        flush=True,
    )
    uvicorn.run(
        "autogenstudio.serve:_factory",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="warning",
    )
    return 0
