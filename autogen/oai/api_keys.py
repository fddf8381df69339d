"""The shape of an OpenAI API key (a leaf module: the client checks keys without importing the config helpers)."""

from __future__ import annotations

import re

__all__ = ["is_valid_api_key"]

_API_KEY_PATTERN = re.compile(r"^sk-([A-Za-z0-9]+(-+[A-Za-z0-9]+)*-)?[A-Za-z0-9]{32,}$")


def is_valid_api_key(api_key: str) -> bool:
    """Whether ``api_key`` looks like an OpenAI key (``sk-`` followed by 32+ alphanumerics, optionally a project part)."""
    return bool(_API_KEY_PATTERN.fullmatch(api_key or ""))
