"""The error raised when a state cannot be saved, read or applied."""

from __future__ import annotations

from ..exception_utils import AutoGenError

__all__ = ["StateError"]


class StateError(AutoGenError, ValueError):
    """A state could not be saved, read or applied; the message says what was wrong and how to fix it."""
