"""The exceptions AutoGen raises on purpose. Each message says what was wrong and how to fix it."""

from __future__ import annotations

from typing import Any


class AutoGenError(Exception):
    """Base class of every error AutoGen raises on purpose."""


class ConfigError(AutoGenError, ValueError):
    """An llm_config, config list or code_execution_config is malformed."""


class ConfigAssertionError(ConfigError, AssertionError):
    """A bad argument that the classic package rejected with an ``assert`` (so ``except AssertionError`` works)."""


class AgentNameConflict(AutoGenError):
    def __init__(self, msg: str = "Found multiple agents with the same name.", *args: Any, **kwargs: Any):
        super().__init__(msg, *args, **kwargs)


class NoEligibleSpeaker(AutoGenError):
    """No speaker is eligible to speak next (e.g. the transition graph leaves none)."""

    def __init__(self, message: str = "No eligible speakers."):
        self.message = message
        super().__init__(self.message)


class SenderRequired(AutoGenError):
    """A reply was requested without a sender where one is needed."""

    def __init__(self, message: str = "Sender is required but not provided."):
        self.message = message
        super().__init__(self.message)


class InvalidCarryOverType(AutoGenError):
    """The carryover of a chat must be a string or a list of strings/messages."""

    def __init__(self, message: str = "Carryover should be a string or a list of strings."):
        self.message = message
        super().__init__(self.message)


class UndefinedNextAgent(AutoGenError):
    """The agent named as next speaker does not exist in the group chat."""

    def __init__(self, message: str = "The provided agents list does not overlap with agents in the group."):
        self.message = message
        super().__init__(self.message)
