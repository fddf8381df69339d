"""Factories that build the agents of one chat, importable by Ray workers (this directory is on their PYTHONPATH)."""

from __future__ import annotations

from typing import Any, Dict, Tuple

from autogen import ConversableAgent


def llm_config(base_url: str, **extra: Any) -> Dict[str, Any]:
    return {"config_list": [{"model": "gpt-4", "base_url": base_url, "api_key": "test"}], "cache_seed": None, **extra}


def two_agents(base_url: str, fail: bool = False) -> Tuple[ConversableAgent, ConversableAgent]:
    """A user and an assistant; with ``fail``, the assistant's reply raises (a deliberately failing chat)."""
    assistant = ConversableAgent("assistant", llm_config=llm_config(base_url), human_input_mode="NEVER")
    user = ConversableAgent("user", llm_config=False, human_input_mode="NEVER", default_auto_reply="thanks")
    if fail:

        def broken(recipient: Any, messages: Any, sender: Any, config: Any) -> Any:
            raise RuntimeError("deliberately failing chat")

        assistant.register_reply([ConversableAgent, None], broken)
    return user, assistant


def worker_pid() -> int:
    import os

    return os.getpid()
