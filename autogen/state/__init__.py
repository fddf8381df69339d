"""Conversations as plain data: save them, load them, and pick them up where they stopped.

Every document is JSON with a ``kind`` and a format ``version`` (see :mod:`autogen.state.format`):

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

import importlib
from typing import Any

_EXPORTS = {
    "FORMAT_VERSION": "autogen.state.format",
    "dumps": "autogen.state.format",
    "loads": "autogen.state.format",
    "save": "autogen.state.format",
    "load": "autogen.state.format",
    "StateError": "autogen.state.errors",
    "save_agent": "autogen.state.agent",
    "load_agent": "autogen.state.agent",
    "save_groupchat": "autogen.state.groupchat",
    "load_groupchat": "autogen.state.groupchat",
    "chat_result_to_dict": "autogen.state.result",
    "chat_result_from_dict": "autogen.state.result",
    "save_chat": "autogen.state.chat",
    "load_chat": "autogen.state.chat",
    "Checkpointer": "autogen.state.checkpoint",
    "CheckpointStore": "autogen.state.store",
    "FileStore": "autogen.state.store",
    "MemoryStore": "autogen.state.store",
    "run_chat": "autogen.state.resume",
    "a_run_chat": "autogen.state.resume",
    "resume_chat": "autogen.state.resume",
    "a_resume_chat": "autogen.state.resume",
    "initiate_chats": "autogen.state.queue",
    "a_initiate_chats": "autogen.state.queue",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'autogen.state' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
