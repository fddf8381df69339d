"""One implementation, two drivers: how agents run the same logic synchronously and asynchronously.

Every behaviour of an agent that may wait on something (an LLM, a human, a tool, code execution, the
other agent's reply) is written ONCE, as a generator ("a flow") that *yields effects* and receives
their results::

    def _oai_reply_flow(self, messages, sender, config):
        ...
        response = yield Call(client, "create", messages=..., cache=...)   # client.create / client.a_create
        ...
        return True, text

A flow never performs I/O itself. Two tiny drivers run flows: :func:`run_sync` performs each effect
with blocking calls, :func:`run_async` awaits the async twin. So ``generate_reply`` /
``a_generate_reply``, ``send`` / ``a_send``, ``initiate_chat`` / ``a_initiate_chat`` are one-liners
over the same flow, and the sync/async difference lives only in the effect classes below.

Flows compose with ``yield from`` (bounded nesting). A conversation, however, is a chain of tail
calls (send -> receive -> generate reply -> send ...). A flow may *return* ``Tail(effect)`` to hand
its caller's continuation to ``effect``; the trampoline then replaces the finished flow instead of
stacking a new Python frame per message, so chats of any length run in constant stack depth.
(A flow returning ``Tail`` must not rely on an enclosing ``try/finally`` around the tail effect.)

An effect whose target is an agent method still backed by its default flow (not overridden, not
patched) is run *in place* by the trampoline (:meth:`Effect.inline`); an overridden method is called
like any user code.
"""

from __future__ import annotations

import contextvars
import inspect
import threading
from typing import Any, Callable, Generator, Iterable, Mapping, Optional, Sequence, TypeVar

__all__ = [
    "IS_ASYNC",
    "Call",
    "Effect",
    "Flow",
    "Gather",
    "Invoke",
    "Tail",
    "flow_backed",
    "run_async",
    "run_coroutine_sync",
    "run_sync",
]

T = TypeVar("T")
_Method = TypeVar("_Method", bound=Callable[..., Any])  # keeps the marked method's signature for type checkers
Flow = Generator[Any, Any, T]
"""A generator that yields effects (or ``IS_ASYNC``) and returns its result (or a ``Tail``)."""

FLOW_ATTR = "__autogen_flow__"


class _IsAsync:
    """Yield ``IS_ASYNC`` from a flow to learn whether it runs under the async driver."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "IS_ASYNC"


IS_ASYNC = _IsAsync()


class Effect:
    """Something a flow asks its driver to do; the driver sends back the result or throws the error."""

    __slots__ = ()

    def inline(self, is_async: bool) -> Optional[Flow[Any]]:
        """A flow the trampoline may run in place of this effect (no extra Python stack), or None."""
        return None

    def run_sync(self) -> Any:
        raise NotImplementedError

    async def run_async(self) -> Any:
        raise NotImplementedError


class Tail:
    """Returned by a flow: "my result is the result of ``effect``" (a tail call, see module doc)."""

    __slots__ = ("effect",)

    def __init__(self, effect: Effect) -> None:
        self.effect = effect


def flow_backed(flow_fn: Callable[..., Flow[Any]]) -> Callable[[_Method], _Method]:
    """Mark a public method (or reply function) as a thin edge over ``flow_fn(self, *args, **kwargs)``.

    Drivers run the flow in place of the method while the method is the marked one; a subclass
    override or a monkeypatch has no mark and is called as is.
    """

    def mark(method: _Method) -> _Method:
        setattr(method, FLOW_ATTR, flow_fn)
        return method

    return mark


def flow_of(func: Any) -> Optional[Callable[..., Flow[Any]]]:
    """The flow function behind ``func`` (a function or bound method marked by :func:`flow_backed`)."""
    try:
        return getattr(func, FLOW_ATTR)  # type: ignore[no-any-return]
    except AttributeError:
        return None


class Call(Effect):
    """``obj.name(*args)`` when sync, ``await obj.a_name(*args)`` when async (``obj.name`` in a worker
    thread when ``obj`` has no ``a_name``).

    Used for agents (``send``, ``receive``, ``generate_reply``, ``get_human_input``, ...) and for the
    LLM client (``create`` / ``a_create``). When the method is backed by a flow, it runs in place.
    """

    __slots__ = ("obj", "name", "args", "kwargs")

    def __init__(self, obj: Any, name: str, /, *args: Any, **kwargs: Any) -> None:
        self.obj = obj
        self.name = name
        self.args = args
        self.kwargs = kwargs

    def inline(self, is_async: bool) -> Optional[Flow[Any]]:
        method = getattr(self.obj, "a_" + self.name if is_async else self.name, None)
        flow_fn = flow_of(method)
        if flow_fn is None:
            return None
        return flow_fn(self.obj, *self.args, **self.kwargs)

    def run_sync(self) -> Any:
        return getattr(self.obj, self.name)(*self.args, **self.kwargs)

    async def run_async(self) -> Any:
        method = getattr(self.obj, "a_" + self.name, None)
        if method is None:  # an object with only the sync method: run it off the event loop
            import asyncio

            return await asyncio.to_thread(getattr(self.obj, self.name), *self.args, **self.kwargs)
        result = method(*self.args, **self.kwargs)
        return await result if inspect.isawaitable(result) else result

    def __repr__(self) -> str:
        return f"Call({type(self.obj).__name__}.{self.name})"


class Invoke(Effect):
    """Call user code that may be sync or async (a reply function, a tool, a hook, a summary method).

    Sync driver: call it; a coroutine it returns is run to completion (:func:`run_coroutine_sync`).
    Async driver: await coroutine functions; a plain function runs in a worker thread when
    ``blocking=True`` (tools, code execution: they may take long), else inline.
    """

    __slots__ = ("func", "args", "kwargs", "blocking")

    def __init__(
        self,
        func: Callable[..., Any],
        args: Sequence[Any] = (),
        kwargs: Optional[Mapping[str, Any]] = None,
        blocking: bool = False,
    ) -> None:
        self.func = func
        self.args = tuple(args)
        self.kwargs = dict(kwargs or {})
        self.blocking = blocking

    def run_sync(self) -> Any:
        result = self.func(*self.args, **self.kwargs)
        if inspect.isawaitable(result):
            result = run_coroutine_sync(result)
        return result

    async def run_async(self) -> Any:
        if self.blocking and not inspect.iscoroutinefunction(self.func):
            import asyncio

            result = await asyncio.to_thread(self.func, *self.args, **self.kwargs)
        else:
            result = self.func(*self.args, **self.kwargs)
        if inspect.isawaitable(result):
            result = await result
        return result


class Gather(Effect):
    """Run several flows; their results in order. Sequential when sync, concurrent (asyncio.gather) when async."""

    __slots__ = ("flows",)

    def __init__(self, flows: Iterable[Flow[Any]]) -> None:
        self.flows = list(flows)

    def run_sync(self) -> list[Any]:
        return [run_sync(flow) for flow in self.flows]

    async def run_async(self) -> list[Any]:
        import asyncio

        return list(await asyncio.gather(*(run_async(flow) for flow in self.flows)))


def _trampoline(flow: Flow[T], is_async: bool) -> Generator[Effect, Any, T]:
    """Run ``flow`` and the flows it inlines on an explicit stack; yield only the effects to perform."""
    stack: list[Flow[Any]] = [flow]
    value: Any = None
    error: Optional[BaseException] = None
    while stack:
        top = stack[-1]
        try:
            if error is None:
                step = top.send(value)
            else:
                thrown, error = error, None
                step = top.throw(thrown)
        except StopIteration as stop:
            stack.pop()
            if not isinstance(stop.value, Tail):
                value = stop.value
                continue
            step = stop.value.effect  # performed on behalf of the caller of the finished flow
        except BaseException as exc:  # noqa: B036 - propagate anything to the calling flow
            stack.pop()
            if not stack:
                raise
            error = exc
            continue
        if step is IS_ASYNC:
            value = is_async
            continue
        sub = step.inline(is_async)
        if sub is not None:
            stack.append(sub)
            value = None
            continue
        try:
            value = yield step
        except GeneratorExit:  # the driver was abandoned: close the flows too
            for pending in reversed(stack):
                pending.close()
            raise
        except BaseException as exc:  # noqa: B036
            if not stack:
                raise
            error = exc
    return value  # type: ignore[no-any-return]


def run_sync(flow: Flow[T]) -> T:
    """Drive ``flow`` to completion with blocking calls."""
    core = _trampoline(flow, is_async=False)
    value: Any = None
    error: Optional[BaseException] = None
    while True:
        try:
            effect = core.send(value) if error is None else core.throw(error)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        try:
            value, error = effect.run_sync(), None
        except BaseException as exc:  # noqa: B036
            value, error = None, exc


async def run_async(flow: Flow[T]) -> T:
    """Drive ``flow`` to completion, awaiting the async twin of each effect (never blocks the loop)."""
    core = _trampoline(flow, is_async=True)
    value: Any = None
    error: Optional[BaseException] = None
    while True:
        try:
            effect = core.send(value) if error is None else core.throw(error)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        try:
            value, error = await effect.run_async(), None
        except BaseException as exc:  # noqa: B036
            value, error = None, exc


def run_coroutine_sync(awaitable: Any) -> Any:
    """Run an awaitable to completion from sync code.

    Without a running event loop in this thread it uses ``asyncio.run``; inside one (a sync chat started
    from a notebook cell or a coroutine) it runs the awaitable on a fresh loop in a helper thread, so the
    caller's loop is never re-entered. Context variables (e.g. the IOStream in force) are carried over.
    """

    import asyncio

    async def wrapper() -> Any:
        return await awaitable

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(wrapper())
    box: dict[str, Any] = {}
    context = contextvars.copy_context()

    def target() -> None:
        try:
            box["value"] = context.run(asyncio.run, wrapper())
        except BaseException as exc:  # noqa: B036 - re-raised in the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=target, name="autogen-run-coroutine", daemon=True)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]
