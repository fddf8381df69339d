"""The Claude and Gemini ends of notebook/agentchat_mixed_providers.ipynb, for test/test_notebooks.py.

``provider_servers(monkeypatch)`` starts a strict Anthropic and a strict Gemini server, points the SDKs at them
through their own environment variables (as a user's gateway would) and answers as the notebook's writer and
planner; ``critic`` answers the GPT requests on the OpenAI-protocol server.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

import pytest
from anthropic_server import AnthropicServer
from gemini_server import GeminiServer
from protocol_server import ProtocolServer, Recorded

__all__ = ["MIXED_PROVIDERS_EXPECTED", "critic", "provider_servers"]

FIRST = "rain taps the tin roof\nsoft drums in the empty barn\nthe cows do not mind"
SECOND = "rain taps the tin roof\nsoft drums in the empty barn\nthen the sun comes out"

MIXED_PROVIDERS_EXPECTED = [
    "speakers: ['user', 'planner', 'writer', 'user', 'writer', 'critic', 'writer', 'critic']",
    "models used: ['claude-3-5-sonnet-20240620', 'gemini-1.5-flash', 'gpt-4']",
    "total cost > 0: True",
    "final draft: Draft: " + SECOND.replace("\n", " / "),
]


def writer(request: Recorded) -> Any:
    """Claude: check the syllables with the tool, show the draft, revise once when asked."""
    body = request.body
    assert body["system"].startswith("You are the writer") and body["tools"][0]["name"] == "count_syllables"
    last = body["messages"][-1]["content"]
    if any(block.get("type") == "tool_result" for block in last):
        assert last[0]["content"] == "5, 7, 5", last
        return "Draft: " + FIRST.replace("\n", " / ")
    if any("critic: Revise:" in block.get("text", "") for block in last):
        return "Draft: " + SECOND.replace("\n", " / ")
    assert "planner: Plan:" in last[-1]["text"], last  # group-chat messages carry their speaker's name
    return {
        "content": "Let me check the syllables.",
        "tool_calls": [{"name": "count_syllables", "arguments": {"text": FIRST}}],
    }


def planner(request: Recorded) -> Any:
    """Gemini."""
    assert request.body["systemInstruction"]["parts"][0]["text"].startswith("You are the planner")
    return "Plan: one picture of rain on metal, in three lines of 5, 7 and 5 syllables."


def critic(body: dict[str, Any]) -> Any:
    """GPT on the OpenAI-protocol server."""
    drafts = [m for m in body["messages"] if str(m.get("content") or "").startswith("Draft:")]
    return "APPROVED" if len(drafts) >= 2 else "Revise: end on a change in the weather."


@contextmanager
def provider_servers(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[ProtocolServer]]:
    claude, gemini = AnthropicServer().start(), GeminiServer().start()
    claude.responder, gemini.responder = writer, planner
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-notebook")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", claude.url)
    monkeypatch.setenv("GOOGLE_API_KEY", "AIza-notebook")
    monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", gemini.url)
    monkeypatch.delenv("GOOGLE_GEMINI_API_KEY", raising=False)
    try:
        yield [claude, gemini]
    finally:
        claude.stop()
        gemini.stop()
