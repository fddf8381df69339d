"""One chat of a batch, with its retries: written once as a flow, run by every back end.

The local back end drives :func:`chat_flow` with the async driver (one asyncio task per chat); the Ray back end
drives it with the same async driver inside its workers (async actors, many chats each). Both build the agents with the spec's factory, open the spec's
cache where the chat runs, and turn any error into a :class:`~autogen.scale.outcome.ChatOutcome`.
"""

from __future__ import annotations

import time
from typing import Any, Tuple

from .._flow import Call, Effect, Flow
from ..io.base import IOStream
from .outcome import ChatOutcome
from .retry import RetryPolicy
from .spec import ChatSpec, build_agents

__all__ = ["QuietIO", "Sleep", "chat_flow"]


class Sleep(Effect):
    """Wait ``seconds``: ``time.sleep`` under the sync driver, ``asyncio.sleep`` under the async one."""

    __slots__ = ("seconds",)

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def run_sync(self) -> None:
        time.sleep(self.seconds)

    async def run_async(self) -> None:
        import asyncio

        await asyncio.sleep(self.seconds)


class QuietIO(IOStream):
    """Prints nothing; asking a human is an error (a batch has nobody to answer)."""

    def print(self, *objects: Any, sep: str = " ", end: str = "\n", flush: bool = False) -> None:
        pass

    def input(self, prompt: str = "", *, password: bool = False) -> str:
        raise RuntimeError(
            f"A chat of a batch asked for human input ({prompt.strip()!r}); chats run by run_chats have no human to "
            "answer: give the agents human_input_mode='NEVER' (and a first message)."
        )


def _open_cache(cache: Any) -> Tuple[Any, bool]:
    """``(cache object, whether this chat owns it)`` from a spec's cache (a Cache config dict, an object, None)."""
    if cache is None or not isinstance(cache, dict):
        return cache, False
    from ..cache.cache import Cache

    return Cache(cache), True


def _attempt_flow(spec: ChatSpec, chat_id: Any) -> Flow[Any]:
    initiator, recipient = build_agents(spec)
    cache, owned = _open_cache(spec.cache)
    try:
        kwargs = {**spec.chat_kwargs, "message": spec.message, "cache": cache, "chat_id": chat_id}
        if spec.checkpoint:
            from ..state.resume import run_chat_flow

            return (yield from run_chat_flow(initiator, recipient, spec.checkpoint, **kwargs))
        return (yield Call(initiator, "initiate_chat", recipient, **kwargs))
    finally:
        if owned:
            cache.close()


def chat_flow(
    spec: ChatSpec, index: int, policy: RetryPolicy, quiet: bool = True, first_attempt: int = 1
) -> Flow[ChatOutcome]:
    """Run the chat of ``spec`` (attempts as ``policy`` allows); never raises for a failed chat.

    ``first_attempt`` > 1 when earlier attempts ran elsewhere (a Ray worker that was lost): they count against the
    policy's ``max_attempts``.
    """
    chat_id = index if spec.chat_id is None else spec.chat_id
    start = time.perf_counter()
    attempt = first_attempt - 1
    while True:
        attempt += 1
        try:
            if quiet:
                with IOStream.set_default(QuietIO()):
                    result = yield from _attempt_flow(spec, chat_id)
            else:
                result = yield from _attempt_flow(spec, chat_id)
        except Exception as error:
            if policy.should_retry(error, attempt):
                yield Sleep(policy.delay(attempt))
                continue
            return ChatOutcome.failure(index, chat_id, error, attempt, time.perf_counter() - start)
        return ChatOutcome(index, chat_id, result=result, attempts=attempt, duration=time.perf_counter() - start)
