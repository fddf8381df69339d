"""What one chat of a batch is: data that says how to build the agents and what to say.

A :class:`ChatSpec` holds no agents: ``factory(**factory_args)`` builds them where the chat runs (in an asyncio task
of this process, or in a Ray worker on another machine). So a spec is cheap to create, safe to send over the network
(for Ray, the factory must be importable on the workers: a function defined in a module, not in ``__main__`` or a
notebook cell, unless you ship it with ``ray.init(runtime_env=...)``), and a retried chat starts from new agents.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Tuple, Union

from ..exception_utils import ConfigError

__all__ = ["ChatSpec", "as_spec", "build_agents", "resolve_factory"]

Factory = Union[Callable[..., Any], str]


@dataclass
class ChatSpec:
    """One chat of a batch.

    Args:
        factory: builds the two sides of the chat: ``factory(**factory_args) -> (initiator, recipient)`` (the
            recipient may be a GroupChatManager), or a dict with "initiator" and "recipient". A
            ``"package.module:function"`` string names it for workers that import it themselves.
        message: the first message (str, dict, or a callable as ``initiate_chat`` accepts).
        chat_kwargs: other ``initiate_chat`` arguments (``max_turns``, ``summary_method``, ``summary_args``, ...).
        factory_args: keyword arguments for the factory.
        chat_id: your label for the chat (default: its index in the batch).
        cache: an LLM cache for the chat: a ``Cache`` configuration dict (``{"redis_url": ..., "cache_seed": 42}``,
            ``{"cache_path_root": ..., "cache_seed": 42}``), built where the chat runs; or a cache object (local
            back end only).
        checkpoint: where the chat is checkpointed (``autogen.state.run_chat``), so a retry continues where the failed
            attempt stopped instead of starting over: a file path, or a store object (``load()``/``save(state)``)
            such as ``autogen.state.RedisStore(url, key)``. On Ray it must be reachable from every node: a Redis
            store, or a path on a shared directory.
    """

    factory: Factory
    message: Any = None
    chat_kwargs: Dict[str, Any] = field(default_factory=dict)
    factory_args: Dict[str, Any] = field(default_factory=dict)
    chat_id: Any = None
    cache: Any = None
    checkpoint: Any = None


def as_spec(index: int, spec: Any) -> ChatSpec:
    """Item ``index`` of a batch as a ChatSpec (a dict of ChatSpec fields is accepted too)."""
    if isinstance(spec, dict):
        if "factory" not in spec:
            raise TypeError(f"chat_specs[{index}] has no 'factory' (the function that builds the chat's agents).")
        spec = ChatSpec(**spec)
    if not isinstance(spec, ChatSpec):
        raise TypeError(f"chat_specs[{index}] must be a ChatSpec (or a dict of its fields), got {type(spec).__name__}.")
    return spec


def resolve_factory(factory: Factory) -> Callable[..., Any]:
    """The factory callable (imported when given as ``"module:function"``)."""
    if callable(factory):
        return factory
    if isinstance(factory, str) and ":" in factory:
        module_name, _, attribute = factory.partition(":")
        target: Any = importlib.import_module(module_name)
        for part in attribute.split("."):
            target = getattr(target, part)
        if callable(target):
            return target  # type: ignore[no-any-return]
    raise ConfigError(f"A chat factory must be a callable or a 'package.module:function' string, got {factory!r}.")


def build_agents(spec: ChatSpec) -> Tuple[Any, Any]:
    """``(initiator, recipient)`` built by the spec's factory."""
    built = resolve_factory(spec.factory)(**spec.factory_args)
    if isinstance(built, dict):
        built = (built.get("initiator"), built.get("recipient"))
    if not isinstance(built, (tuple, list)) or len(built) != 2 or any(agent is None for agent in built):
        raise ConfigError(
            "A chat factory must return (initiator, recipient) or {'initiator': ..., 'recipient': ...}, "
            f"got {built!r:.200}."
        )
    return built[0], built[1]
