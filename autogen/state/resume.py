"""Run a chat that survives interruptions, and continue a saved chat with the right next speaker.

* :func:`run_chat` (``a_run_chat``): ``initiate_chat`` with a checkpoint. Without a saved checkpoint it starts the
  chat; with one of a chat still running it restores the agents and continues; with one of a finished chat it
  returns the saved ``ChatResult`` without running anything.
* :func:`resume_chat` (``a_resume_chat``): continue a chat from an ``autogen.chat`` state (a checkpoint, or a
  snapshot taken with :func:`~autogen.state.chat.save_chat` after an exception).

Each is written once as a flow (see :mod:`autogen._flow`); the sync and async functions are thin edges.
Continuing replays nothing: the next speaker composes its reply to the last stored message, and the chat goes on as
it would have (same turns, same rounds left, same summary), so no request already answered is sent again.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Optional, Union

from .._flow import Call, Flow, run_async, run_sync
from ..formats.document import check
from ..formats.errors import StateError
from ..formats.result import chat_result_to_dict
from .chat import chat_agents, chat_settings, is_manager, load_chat
from .checkpoint import Checkpointer
from .result import chat_result_from_dict
from .store import CheckpointStore, as_store

__all__ = ["a_resume_chat", "a_run_chat", "continue_flow", "resume_chat", "run_chat", "run_chat_flow"]

DEFAULT = object()  # "not given": fall back to the saved settings


def _pair_flow(
    initiator: Any, recipient: Any, speaker: Any, peer: Any, max_turns: Optional[int], turns: int, silent: Any
) -> Flow[None]:
    """Two agents: ``speaker`` replies to ``peer``, then the chat goes on as ``initiate_chat`` runs it."""
    reply = yield Call(speaker, "generate_reply", sender=peer)
    if max_turns is None:
        if reply is not None:
            yield Call(speaker, "send", reply, peer, silent=silent)  # the chain goes on by reply_at_receive
        return None
    if speaker is recipient:  # the recipient answers the initiator's last turn (the initiator does not auto-reply)
        if reply is None:
            return None
        yield Call(recipient, "send", reply, initiator, silent=silent)
        if turns >= max_turns:
            return None
        reply = yield Call(initiator, "generate_reply", messages=initiator.chat_messages[recipient], sender=recipient)
    yield from initiator._turns_flow(recipient, reply, max_turns, silent, turns_done=turns)
    return None


def _group_member_flow(manager: Any, speaker: Any, rounds_done: int) -> Flow[None]:
    """Group chat: ``speaker`` (chosen already) replies, then the manager runs the rounds left."""
    groupchat = manager.groupchat
    reply = yield Call(speaker, "generate_reply", sender=manager)
    if reply is None:
        return None
    if groupchat.enable_clear_history:
        reply = manager._apply_clear_history_command(reply, groupchat)
    yield Call(speaker, "send", reply, manager, request_reply=False, silent=getattr(manager, "_silent", False))
    remaining = groupchat.max_round - rounds_done
    if remaining > 0:
        message = manager.last_message(speaker)
        yield from manager._rounds_flow(groupchat, speaker, message, remaining, introduce=False)
    return None


def _group_select_flow(manager: Any, last_name: str, rounds_done: int) -> Flow[None]:
    """Group chat: the message of ``last_name`` was broadcast; choose the next speaker, who replies."""
    from ..exception_utils import NoEligibleSpeaker

    groupchat = manager.groupchat
    if rounds_done >= groupchat.max_round:
        return None
    last = chat_agents(manager, manager).get(last_name) or manager
    manager._last_speaker = last
    try:
        speaker = yield Call(groupchat, "select_speaker", last, manager)
    except NoEligibleSpeaker:
        return None
    yield from _group_member_flow(manager, speaker, rounds_done)
    return None


def continue_flow(
    initiator: Any,
    recipient: Any,
    state: Dict[str, Any],
    *,
    cache: Any = None,
    silent: Any = False,
    max_turns: Optional[int] = None,
    summary_method: Any = "last_msg",
    summary_args: Optional[Dict[str, Any]] = None,
    chat_id: Any = None,
) -> Flow[Any]:
    """Continue the chat whose state was loaded into the agents: run the pending step, then the rest, then sum up."""
    return (
        yield from initiator._chat_flow(
            recipient,
            _pending_flow(initiator, recipient, state, silent, max_turns),
            cache,
            summary_method,
            summary_args,
            chat_id,
        )
    )


def _pending_flow(initiator: Any, recipient: Any, state: Dict[str, Any], silent: Any, max_turns: Any) -> Flow[None]:
    """The step the chat was about to take when it was saved, and the chat from there on."""
    everyone = chat_agents(initiator, recipient)
    step = state.get("next")
    group = state.get("group")
    rounds_done = int(group.get("round", 0)) if group else 0
    if step and "select_after" in step:
        if not is_manager(recipient):
            raise StateError("A 'select_after' step belongs to a group chat; the recipient is no GroupChatManager.")
        yield from _group_select_flow(recipient, step["select_after"], rounds_done)
    elif step:
        speaker, peer = everyone.get(step.get("speaker")), everyone.get(step.get("reply_to"))
        if speaker is None or peer is None:
            raise StateError(f"The pending step {step} names agents that are not part of this chat.")
        if is_manager(recipient) and peer is recipient and speaker is not recipient:
            yield from _group_member_flow(recipient, speaker, rounds_done)
        else:
            turns = int(state.get("turns", 0))
            yield from _pair_flow(initiator, recipient, speaker, peer, max_turns, turns, silent)


def _setting(given: Any, state: Dict[str, Any], key: str, fallback: Any) -> Any:
    """The setting given to the call, else the one saved in the state, else ``fallback``."""
    if given is not DEFAULT:
        return given
    settings = state.get("settings") or {}
    if key not in settings:
        return fallback
    saved = settings[key]
    if isinstance(saved, str) and saved.startswith("callable:"):
        raise StateError(
            f"The chat was saved with a custom {key} ({saved[len('callable:') :]}); pass it again to resume the chat."
        )
    return saved


def _resume_flow(
    initiator: Any,
    recipient: Any,
    state: Dict[str, Any],
    checkpointer: Optional[Checkpointer],
    cache: Any,
    silent: Any,
    max_turns: Any,
    summary_method: Any,
    summary_args: Optional[Dict[str, Any]],
    chat_id: Any,
) -> Flow[Any]:
    check(state, "autogen.chat")
    load_chat(initiator, recipient, state)
    if state.get("status") == "finished" and state.get("result") is not None:
        return chat_result_from_dict(state["result"])  # the agents hold the finished chat; nothing to run
    options = {
        "cache": cache,
        "silent": _setting(silent, state, "silent", False),
        "max_turns": _setting(max_turns, state, "max_turns", None),
        "summary_method": _setting(summary_method, state, "summary_method", "last_msg"),
        "summary_args": summary_args,
        "chat_id": _setting(chat_id, state, "chat_id", None),
    }
    if checkpointer is None:
        return (yield from continue_flow(initiator, recipient, state, **options))
    group = state.get("group")
    if group is not None:
        checkpointer.run_start = len(recipient.groupchat.messages) - int(group.get("round", 0))
    checkpointer.turns = int(state.get("turns", 0))
    with checkpointer:
        result = yield from continue_flow(initiator, recipient, state, **options)
    checkpointer.save(None, "finished", chat_result_to_dict(result))
    return result


def run_chat_flow(
    initiator: Any,
    recipient: Any,
    checkpoint: Union[str, Any, CheckpointStore],
    *,
    every: int = 1,
    **chat: Any,
) -> Flow[Any]:
    """The flow behind :func:`run_chat` and :func:`a_run_chat`."""
    store = as_store(checkpoint)
    if store is None:
        raise StateError("run_chat needs a checkpoint: a file path or an object with load() and save(state).")
    settings = chat_settings(**chat)
    checkpointer = Checkpointer(initiator, recipient, store, settings=settings, every=every)
    saved = store.load()
    if saved is not None:
        return (
            yield from _resume_flow(
                initiator,
                recipient,
                saved,
                checkpointer,
                chat.get("cache"),
                chat.get("silent", False),
                chat.get("max_turns"),
                chat.get("summary_method", "last_msg"),
                chat.get("summary_args"),
                chat.get("chat_id"),
            )
        )
    with checkpointer:
        result = yield Call(initiator, "initiate_chat", recipient, **chat)
    checkpointer.save(None, "finished", chat_result_to_dict(result))
    return result


def run_chat(
    initiator: Any, recipient: Any, checkpoint: Union[str, Any, CheckpointStore], *, every: int = 1, **chat: Any
) -> Any:
    """``initiator.initiate_chat(recipient, **chat)``, checkpointed at every reply start into ``checkpoint``.

    ``checkpoint`` is a file path (JSON, replaced atomically) or an object with ``load()`` and ``save(state)``.
    Run the same call again after a crash (in this process or another, with the agents built the same way) and the
    chat continues from the last checkpoint; once the chat is finished, the call returns the saved ``ChatResult``.
    ``every=n`` writes a checkpoint every n-th reply start. Returns the ``ChatResult``.
    """
    return run_sync(run_chat_flow(initiator, recipient, checkpoint, every=every, **chat))


async def a_run_chat(
    initiator: Any, recipient: Any, checkpoint: Union[str, Any, CheckpointStore], *, every: int = 1, **chat: Any
) -> Any:
    """:func:`run_chat` for asyncio (``a_initiate_chat`` underneath)."""
    return await run_async(run_chat_flow(initiator, recipient, checkpoint, every=every, **chat))


def resume_chat(
    initiator: Any,
    recipient: Any,
    state: Dict[str, Any],
    *,
    checkpoint: Union[str, Any, CheckpointStore, None] = None,
    cache: Any = None,
    silent: Any = DEFAULT,
    max_turns: Any = DEFAULT,
    summary_method: Union[str, Callable[..., Any], None, Any] = DEFAULT,
    summary_args: Optional[Dict[str, Any]] = None,
    chat_id: Any = DEFAULT,
) -> Any:
    """Continue the chat saved in ``state`` (an ``autogen.chat`` document) between the agents given.

    The agents are built as for the original chat; their state is replaced by the saved one. Settings not given
    (``max_turns``, ``summary_method``, ``silent``, ``chat_id``) are taken from the state. With ``checkpoint``, the
    continued chat is checkpointed too. Returns the ``ChatResult`` of the whole chat.
    """
    store = as_store(checkpoint)
    checkpointer = (
        Checkpointer(initiator, recipient, store, settings=state.get("settings")) if store is not None else None
    )
    return run_sync(
        _resume_flow(
            initiator, recipient, state, checkpointer, cache, silent, max_turns, summary_method, summary_args, chat_id
        )
    )


async def a_resume_chat(
    initiator: Any,
    recipient: Any,
    state: Dict[str, Any],
    *,
    checkpoint: Union[str, Any, CheckpointStore, None] = None,
    cache: Any = None,
    silent: Any = DEFAULT,
    max_turns: Any = DEFAULT,
    summary_method: Union[str, Callable[..., Any], None, Any] = DEFAULT,
    summary_args: Optional[Dict[str, Any]] = None,
    chat_id: Any = DEFAULT,
) -> Any:
    """:func:`resume_chat` for asyncio."""
    store = as_store(checkpoint)
    checkpointer = (
        Checkpointer(initiator, recipient, store, settings=state.get("settings")) if store is not None else None
    )
    return await run_async(
        _resume_flow(
            initiator, recipient, state, checkpointer, cache, silent, max_turns, summary_method, summary_args, chat_id
        )
    )
