"""Many chats at once in one process: agents, the disk and Redis caches and the runtime logger stay correct."""

from __future__ import annotations

import asyncio
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, List

import pytest
from chat_factories import llm_config
from llm_server import LLMServer, last_user_content

from autogen import Cache, ConversableAgent, runtime_logging
from autogen.scale import ChatSpec, run_chats

CHATS = 60
SQLITE_CHATS = 4  # the SQLite logger commits each record on its own (see the test at the end): keep it small


def pair(base_url: str, index: int) -> tuple[ConversableAgent, ConversableAgent]:
    assistant = ConversableAgent(f"assistant_{index}", llm_config=llm_config(base_url), human_input_mode="NEVER")
    user = ConversableAgent(f"user_{index}", llm_config=False, human_input_mode="NEVER", default_auto_reply="more")
    return user, assistant


def check(results: List[Any], count: int) -> None:
    for index, result in enumerate(results):
        assert [m["content"] for m in result.chat_history] == [
            f"task {index}",
            f"echo: task {index}",
            "more",
            "echo: more",
        ], index


async def test_async_chats_share_a_disk_cache_and_the_sqlite_logger(llm_server: LLMServer, tmp_path: Path) -> None:
    chats = SQLITE_CHATS
    llm_server.responder = lambda body: {"content": "echo: " + last_user_content(body), "delay": 0.05}
    db = tmp_path / "logs.db"
    runtime_logging.start(config={"dbname": str(db)})
    try:
        with Cache.disk(cache_seed=7, cache_path_root=str(tmp_path / "cache")) as cache:

            async def run_all() -> List[Any]:
                pairs = [pair(llm_server.base_url, i) for i in range(chats)]
                return list(
                    await asyncio.gather(
                        *(
                            u.a_initiate_chat(a, message=f"task {i}", max_turns=2, cache=cache, silent=True)
                            for i, (u, a) in enumerate(pairs)
                        )
                    )
                )

            first = await run_all()
            asked = len(llm_server.chat_requests())
            second = await run_all()  # every answer now comes from the shared cache
        check(first, chats)
        assert [r.chat_history for r in second] == [r.chat_history for r in first]
        assert asked == len(llm_server.chat_requests()) == 2 * chats
    finally:
        runtime_logging.stop()
    with sqlite3.connect(db) as con:
        rows = con.execute("SELECT is_cached, COUNT(*) FROM chat_completions GROUP BY is_cached").fetchall()
        agents = con.execute("SELECT COUNT(DISTINCT name) FROM agents").fetchone()[0]
    counts: Dict[int, int] = dict(rows)
    assert counts == {0: 2 * chats, 1: 2 * chats}
    assert agents == 2 * chats


@pytest.mark.redis
def test_threads_share_a_redis_cache_and_the_file_logger(llm_server: LLMServer, redis_url: str, tmp_path: Path) -> None:
    llm_server.responder = lambda body: {"content": "echo: " + last_user_content(body), "delay": 0.02}
    log = tmp_path / "runtime.log"
    runtime_logging.start(logger_type="file", config={"filename": str(log)})
    try:

        def one(index: int) -> Any:
            user, assistant = pair(llm_server.base_url, index)
            with Cache.redis(cache_seed=f"threads-{tmp_path.name}", redis_url=redis_url) as cache:
                return user.initiate_chat(assistant, message=f"task {index}", max_turns=2, cache=cache, silent=True)

        with ThreadPoolExecutor(max_workers=16) as pool:
            results = list(pool.map(one, range(CHATS)))
    finally:
        runtime_logging.stop()
    check(results, CHATS)
    assert len(llm_server.chat_requests()) == 2 * CHATS
    lines = log.read_text().splitlines()
    assert sum('"is_cached"' in line or "chat_completion" in line for line in lines) >= 2 * CHATS


def test_run_chats_with_a_disk_cache_config(llm_server: LLMServer, tmp_path: Path) -> None:
    specs = [
        ChatSpec(pair, message=f"task {i}", chat_kwargs={"max_turns": 2}, factory_args={"base_url": llm_server.base_url, "index": i},
                 cache={"cache_seed": 3, "cache_path_root": str(tmp_path / "cache")})
        for i in range(CHATS)
    ]  # fmt: skip
    first = run_chats(specs, progress=False).raise_on_failure()
    asked = len(llm_server.chat_requests())
    second = run_chats(specs, progress=False).raise_on_failure()
    check(first.results, CHATS)
    assert second.results == [
        type(r)(**{**r.__dict__, "cost": s.cost}) for r, s in zip(first.results, second.results)
    ]  # the same chats, cost aside
    assert len(llm_server.chat_requests()) == asked
    assert second.total_cost == 0


async def test_sqlite_logging_keeps_every_record_of_concurrent_chats(llm_server: LLMServer, tmp_path: Path) -> None:
    """Concurrent chats log all their completions; the log uses WAL so commits do not wait for the disk
    (the cost itself is a benchmark matter, not a timed test)."""
    import sqlite3

    chats = 6
    pairs = [pair(llm_server.base_url, i) for i in range(chats)]
    runtime_logging.start(config={"dbname": str(tmp_path / "logs.db")})
    try:
        await asyncio.gather(
            *(u.a_initiate_chat(a, message=f"task {i}", max_turns=2, silent=True) for i, (u, a) in enumerate(pairs))
        )
    finally:
        runtime_logging.stop()
    con = sqlite3.connect(tmp_path / "logs.db")
    try:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        logged = con.execute("SELECT COUNT(*) FROM chat_completions").fetchone()[0]
    finally:
        con.close()
    assert logged == len(llm_server.chat_requests()) == chats * 2
