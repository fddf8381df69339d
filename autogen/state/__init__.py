"""Conversations as plain data: save them, load them, and pick them up where they stopped.

Every document is JSON with a ``kind`` and a format ``version`` (see :mod:`autogen.formats.document`):

=======================  =====================================================  ================================
kind                     what                                                   made by
=======================  =====================================================  ================================
``autogen.agent``        one agent's per-peer histories, counters, usage        ``agent.save_state()``
``autogen.groupchat``    a manager, the agents of its group, the messages       ``manager.save_state()``
``autogen.chat``         a chat in progress and who speaks next                 :func:`run_chat`, :func:`save_chat`
``autogen.chat_queue``   sequential chats: which are done, the carryover        :func:`initiate_chats`
``autogen.chat_result``  a ``ChatResult``                                       ``result.to_dict()``
=======================  =====================================================  ================================

Agents are configuration (code); the state holds what they said. Build the agents as before, then load the state
into them: saved states name peers by agent name, resolved against the agents you pass.

Typical use::

    from autogen import state

    result = state.run_chat(user, assistant, "chat.json", message="Plot a chart of NVDA.")
    # killed half-way? run the same line again (in a new process): the chat continues where it stopped.

Importing this package is cheap: the submodules load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from ..formats.agent import load_agent, save_agent
    from ..formats.document import FORMAT_VERSION, dumps, load, loads, save
    from ..formats.errors import StateError
    from ..formats.groupchat import load_groupchat, save_groupchat
    from ..formats.result import chat_result_to_dict
    from .chat import load_chat, save_chat
    from .checkpoint import Checkpointer
    from .queue import a_initiate_chats, initiate_chats
    from .redis_store import RedisStore
    from .result import chat_result_from_dict
    from .resume import a_resume_chat, a_run_chat, resume_chat, run_chat
    from .store import CheckpointStore, FileStore, MemoryStore

_EXPORTS: dict[str, str] = {
    "FORMAT_VERSION": "..formats.document",
    "dumps": "..formats.document",
    "loads": "..formats.document",
    "save": "..formats.document",
    "load": "..formats.document",
    "StateError": "..formats.errors",
    "save_agent": "..formats.agent",
    "load_agent": "..formats.agent",
    "save_groupchat": "..formats.groupchat",
    "load_groupchat": "..formats.groupchat",
    "chat_result_to_dict": "..formats.result",
    "chat_result_from_dict": ".result",
    "save_chat": ".chat",
    "load_chat": ".chat",
    "Checkpointer": ".checkpoint",
    "CheckpointStore": ".store",
    "FileStore": ".store",
    "MemoryStore": ".store",
    "RedisStore": ".redis_store",
    "run_chat": ".resume",
    "a_run_chat": ".resume",
    "resume_chat": ".resume",
    "a_resume_chat": ".resume",
    "initiate_chats": ".queue",
    "a_initiate_chats": ".queue",
}

__all__ = sorted(_EXPORTS)

if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
