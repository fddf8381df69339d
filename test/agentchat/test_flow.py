"""The flow drivers: one generator, run by a sync and an async driver."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import pytest

from autogen._flow import (
    IS_ASYNC,
    Call,
    Flow,
    Gather,
    Invoke,
    Tail,
    flow_backed,
    run_async,
    run_coroutine_sync,
    run_sync,
)


class Service:
    def __init__(self) -> None:
        self.log: list[str] = []

    def fetch(self, x: int) -> int:
        self.log.append("sync")
        return x * 2

    async def a_fetch(self, x: int) -> int:
        self.log.append("async")
        return x * 3


def doubled(service: Service, x: int) -> Flow[tuple[bool, int]]:
    mode = yield IS_ASYNC
    value = yield Call(service, "fetch", x)
    return mode, value


def test_same_flow_two_drivers() -> None:
    service = Service()
    assert run_sync(doubled(service, 2)) == (False, 4)
    assert asyncio.run(run_async(doubled(service, 2))) == (True, 6)
    assert service.log == ["sync", "async"]


def test_errors_are_thrown_into_the_flow() -> None:
    class Failing:
        def fetch(self) -> None:
            raise KeyError("boom")

    def flow() -> Flow[str]:
        try:
            yield Call(Failing(), "fetch")
        except KeyError:
            return "caught"
        return "not reached"

    assert run_sync(flow()) == "caught"

    def uncaught() -> Flow[None]:
        yield Call(Failing(), "fetch")

    with pytest.raises(KeyError):
        run_sync(uncaught())


class Pinger:
    """Two of these bounce a counter with tail calls, like agents sending replies back and forth."""

    def __init__(self) -> None:
        self.peer: Pinger | None = None

    def _ping_flow(self, n: int) -> Flow[int]:
        if n == 0:
            return 0
        return Tail(Call(self.peer, "ping", n - 1))  # type: ignore[return-value]
        yield

    @flow_backed(_ping_flow)
    def ping(self, n: int) -> int:
        return run_sync(self._ping_flow(n))

    @flow_backed(_ping_flow)
    async def a_ping(self, n: int) -> int:
        return await run_async(self._ping_flow(n))


def test_tail_calls_run_in_constant_stack_depth() -> None:
    a, b = Pinger(), Pinger()
    a.peer, b.peer = b, a
    depth = sys.getrecursionlimit() * 5
    assert a.ping(depth) == 0
    assert asyncio.run(a.a_ping(depth)) == 0


def test_overridden_method_is_called_not_inlined() -> None:
    class Custom(Pinger):
        calls = 0

        def ping(self, n: int) -> int:
            Custom.calls += 1
            return super().ping(n)

    a, b = Pinger(), Custom()
    a.peer, b.peer = b, a
    assert a.ping(6) == 0
    assert Custom.calls == 3


def test_invoke_runs_sync_and_async_callables_in_both_drivers() -> None:
    async def coro(x: int) -> int:
        await asyncio.sleep(0)
        return x + 1

    def plain(x: int) -> int:
        return x + 2

    def flow() -> Flow[list[int]]:
        a = yield Invoke(coro, args=(1,))
        b = yield Invoke(plain, args=(1,), blocking=True)
        return [a, b]

    assert run_sync(flow()) == [2, 3]
    assert asyncio.run(run_async(flow())) == [2, 3]


def test_gather_is_concurrent_only_when_async() -> None:
    events: list[str] = []
    wanted = {"n": 3}

    async def slow() -> str:
        events.append("start")
        for _ in range(3000):  # wait until every gathered flow has started (they must run at the same time)
            if events.count("start") >= wanted["n"]:
                events.append("end")
                return "done"
            await asyncio.sleep(0.01)
        return "alone"

    def one() -> Flow[str]:
        return (yield Invoke(slow))

    def many() -> Flow[list[str]]:
        return (yield Gather([one(), one(), one()]))

    assert asyncio.run(run_async(many())) == ["done"] * 3
    assert events[:3] == ["start"] * 3  # all three began before any ended
    events.clear()
    wanted["n"] = 1
    assert run_sync(many()) == ["done"] * 3
    assert events == ["start", "end"] * 3  # one after the other


def test_run_coroutine_sync_inside_a_running_loop() -> None:
    async def value() -> int:
        return 7

    async def main() -> Any:
        return run_coroutine_sync(value())  # a sync call made from async code must not re-enter the loop

    assert asyncio.run(main()) == 7
    assert run_coroutine_sync(value()) == 7


def test_async_driver_runs_a_sync_only_method_off_the_loop() -> None:
    import threading

    class SyncOnly:
        def fetch(self, x: int) -> tuple[int, str]:
            return x, threading.current_thread().name

    def flow() -> Flow[Any]:
        return (yield Call(SyncOnly(), "fetch", 1))

    value, thread = asyncio.run(run_async(flow()))
    assert value == 1 and thread != threading.main_thread().name
