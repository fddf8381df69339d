"""Agents' own data as versioned JSON documents: the envelope (``kind``/``version``), an agent's conversations,
a group chat, a ``ChatResult``.

This layer sits below the agents: it reads and writes their plain data and imports nothing from
``autogen.agentchat``. Checkpoints, resume and queues (``autogen.state``) build on it from above; users normally
go through ``autogen.state``, which re-exports these names.
"""
