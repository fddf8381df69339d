"""Classic module ``autogen.formatting_utils``: ``colored`` text for the console (termcolor when installed)."""

from __future__ import annotations

from .agentchat.printing import colored

__all__ = ["colored"]
