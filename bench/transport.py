"""Side-by-side measurement of HTTP client libraries for the LLM layer's request path.

For each candidate: the CPU time of this process per request (one chat-completion POST of about 1 KB, a
keep-alive connection, the answer read whole), sequentially against a server that answers at once; and, for
the asyncio candidates, the effective concurrency of 100 concurrent clients each sending 5 requests to a
server that answers after 100 ms (100 x 5 x 0.1 s / wall time). The server runs in its own process.

    python bench/transport.py
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from run import _ServerProcess  # noqa: E402

BODY = json.dumps(
    {
        "model": "gpt-4",
        "messages": [
            {"role": "system", "content": "You are a helpful assistant." * 10},
            {"role": "user", "content": "hello " * 100},
        ],
    }
).encode()
HEADERS = {"Content-Type": "application/json", "Authorization": "Bearer test", "Accept": "application/json"}


def cpu_per_request(send: Callable[[], bytes], n: int = 400) -> float:
    for _ in range(20):
        send()
    samples = []
    for _ in range(5):
        start = time.process_time()
        for _ in range(n // 5):
            send()
        samples.append((time.process_time() - start) / (n // 5))
    return statistics.median(samples) * 1000


def sync_candidates(url: str) -> dict[str, Callable[[], bytes]]:
    import httpcore
    import httpx
    import urllib3

    hx = httpx.Client(timeout=30)
    hc = httpcore.ConnectionPool()
    u3 = urllib3.PoolManager()
    return {
        "httpx.Client": lambda: hx.post(url, content=BODY, headers=HEADERS).content,
        "httpcore.ConnectionPool": lambda: hc.request("POST", url, headers=HEADERS, content=BODY).content,
        "urllib3.PoolManager": lambda: u3.request("POST", url, body=BODY, headers=HEADERS).data,
    }


async def async_candidates(url: str) -> tuple[dict[str, Callable[[], Any]], Callable[[], Any]]:
    import aiohttp
    import httpcore
    import httpx

    # the same limits for all: up to 1000 connections, all kept alive (as the openai SDK's pool allows)
    hx = httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=1000, max_keepalive_connections=1000))
    hc = httpcore.AsyncConnectionPool(max_connections=1000, max_keepalive_connections=1000)
    ah = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1000))

    async def via_httpx() -> bytes:
        return (await hx.post(url, content=BODY, headers=HEADERS)).content

    async def via_httpcore() -> bytes:
        return (await hc.request("POST", url, headers=HEADERS, content=BODY)).content

    async def via_aiohttp() -> bytes:
        async with ah.post(url, data=BODY, headers=HEADERS) as response:
            return await response.read()

    async def close() -> None:
        await hx.aclose()
        await hc.aclose()
        await ah.close()

    candidates = {
        "httpx.AsyncClient": via_httpx,
        "httpcore.AsyncConnectionPool": via_httpcore,
        "aiohttp.ClientSession": via_aiohttp,
    }
    return candidates, close


async def async_cpu(send: Callable[[], Any], n: int = 400) -> float:
    for _ in range(20):
        await send()
    samples = []
    for _ in range(5):
        start = time.process_time()
        for _ in range(n // 5):
            await send()
        samples.append((time.process_time() - start) / (n // 5))
    return statistics.median(samples) * 1000


async def concurrency(send: Callable[[], Any], clients: int = 100, each: int = 5, latency: float = 0.1) -> float:
    async def one() -> None:
        for _ in range(each):
            await send()

    await asyncio.gather(*(one() for _ in range(10)))  # warm: open connections
    best = 0.0
    for _ in range(3):
        start = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(clients)))
        best = max(best, clients * each * latency / (time.perf_counter() - start))
    return best


def main() -> None:
    rows: list[tuple[str, str, str]] = []
    with _ServerProcess(delay=0.0) as base_url:
        url = base_url + "/chat/completions"
        for name, send in sync_candidates(url).items():
            rows.append((name, f"{cpu_per_request(send):.2f} ms", "(blocking)"))

        async def cpu_all() -> None:
            candidates, close = await async_candidates(url)
            for name, send in candidates.items():
                rows.append((name, f"{await async_cpu(send):.2f} ms", ""))
            await close()

        asyncio.run(cpu_all())
    with _ServerProcess(delay=0.1) as base_url:
        url = base_url + "/chat/completions"

        async def conc_all() -> None:
            candidates, close = await async_candidates(url)
            for name, send in candidates.items():
                value = await concurrency(send)
                for j, row in enumerate(rows):
                    if row[0] == name:
                        rows[j] = (row[0], row[1], f"{value:.0f} of 100")
            await close()

        asyncio.run(conc_all())
    print(f"{'library':<32} {'CPU per request':>16} {'100 clients at 100 ms':>24}")
    for name, cpu, conc in rows:
        print(f"{name:<32} {cpu:>16} {conc:>24}")


if __name__ == "__main__":
    main()
