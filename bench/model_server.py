"""The stand-in model for the bench rows that run the server in a process of its own.

It answers chat completions exactly as ``test/llm_server.py`` does (the same JSON, built by the same
function), after ``delay`` seconds, on aiohttp: one event loop instead of a thread per connection, so that
1,000 connections in flight cost the server little CPU and the figure measures the framework, as a remote
model would. Prints its base URL, then serves until its standard input closes.

    python bench/model_server.py DELAY
"""

from __future__ import annotations

import asyncio
import json
import sys
from itertools import count
from pathlib import Path

from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "test"))

from llm_server import _completion, _normalise_reply  # noqa: E402


def make_app(delay: float) -> web.Application:
    serial = count(1)

    async def chat(request: web.Request) -> web.Response:
        try:
            body = json.loads(await request.read())
        except ValueError:
            error = {"error": {"message": "request body is not JSON", "type": "invalid_request_error"}}
            return web.json_response(error, status=400)
        if body.get("stream"):
            error = {"error": {"message": "this stand-in does not stream", "type": "invalid_request_error"}}
            return web.json_response(error, status=400)
        if delay:
            await asyncio.sleep(delay)
        completion = _completion(_normalise_reply("thinking"), body, next(serial))
        return web.Response(body=json.dumps(completion).encode(), content_type="application/json")

    app = web.Application()
    app.router.add_post("/v1/chat/completions", chat)
    return app


async def serve(delay: float) -> None:
    runner = web.AppRunner(make_app(delay), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, backlog=4096)
    await site.start()
    port = runner.addresses[0][1]
    print(f"http://127.0.0.1:{port}/v1", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until the bench closes our stdin
    await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(serve(float(sys.argv[1])))
