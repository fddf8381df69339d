"""Tests of autogen.graph_utils: transition-graph checks, inversion, self-loops and drawing."""

from __future__ import annotations

import builtins
import logging
from pathlib import Path
from typing import Any

import pytest

from autogen.graph_utils import (
    check_graph_validity,
    has_self_loops,
    invert_disallowed_to_allowed,
    visualize_speaker_transitions_dict,
)


class FakeAgent:
    """The least an agent needs to be a graph node: a name (typed as Any below)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.description = f"{name} does things"

    def __repr__(self) -> str:
        return f"Node({self.name})"


Node: Any = FakeAgent


@pytest.fixture
def trio() -> list[Any]:
    return [Node("alice"), Node("bob"), Node("carol")]


def test_valid_graph_passes_silently(trio: list[Any], caplog: pytest.LogCaptureFixture) -> None:
    a, b, c = trio
    with caplog.at_level(logging.WARNING):
        check_graph_validity({a: [b], b: [c], c: [a]}, trio)
    assert caplog.records == []


def test_graph_must_be_a_dict_of_lists(trio: list[Any]) -> None:
    a, b, _ = trio
    with pytest.raises(ValueError, match="must be a dict"):
        check_graph_validity([(a, b)], trio)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="must be a list of agents"):
        check_graph_validity({a: b}, trio)  # type: ignore[dict-item]


def test_names_instead_of_agents_are_rejected(trio: list[Any]) -> None:
    a, _, _ = trio
    with pytest.raises(ValueError, match="agent objects, not names"):
        check_graph_validity({a: ["bob"]}, trio)
    with pytest.raises(ValueError, match="agent objects, not names"):
        check_graph_validity({"alice": [a]}, trio)


def test_an_unknown_key_is_rejected_and_an_unknown_successor_warned_about_as_classic(
    trio: list[Any], caplog: pytest.LogCaptureFixture
) -> None:
    a, b, c = trio
    stranger = Node("mallory")
    with pytest.raises(ValueError, match="'mallory', which is not in the group chat"):
        check_graph_validity({stranger: [b]}, trio)
    with caplog.at_level(logging.WARNING, logger="autogen.graph_utils"):
        check_graph_validity({a: [b, c, stranger], b: [a], c: [a]}, trio)
    assert "allowed_speaker_transitions do not match agents. Offending agents: ['mallory']" in caplog.text
    # a group chat still refuses it: that agent could be chosen to speak without being in the chat
    from autogen import ConversableAgent, GroupChat

    agents = [ConversableAgent(n, llm_config=False) for n in ("x", "y")]
    outsider = ConversableAgent("outsider", llm_config=False)
    with pytest.raises(ValueError, match="'outsider', which is not in the group chat"):
        GroupChat(
            agents, [], allowed_or_disallowed_speaker_transitions={agents[0]: [agents[1], outsider], agents[1]: []},
            speaker_transitions_type="allowed",
        )  # fmt: skip


def test_isolated_agents_and_duplicates_warn(trio: list[Any], caplog: pytest.LogCaptureFixture) -> None:
    a, b, c = trio
    with caplog.at_level(logging.WARNING, logger="autogen.graph_utils"):
        check_graph_validity({a: [b, b], b: [a]}, trio)
    text = caplog.text
    assert "isolated agent nodes" in text and "carol" in text
    assert "has duplicate elements" in text and "bob" in text
    del c


def test_invert_disallowed_to_allowed(trio: list[Any]) -> None:
    a, b, c = trio
    allowed = invert_disallowed_to_allowed({a: [b], c: [c, a]}, trio)
    assert allowed == {a: [a, c], b: [a, b, c], c: [b]}


def test_has_self_loops(trio: list[Any]) -> None:
    a, b, c = trio
    assert not has_self_loops({a: [b], b: [c]})
    assert has_self_loops({a: [b], b: [b, c]})
    assert has_self_loops(invert_disallowed_to_allowed({}, trio))


def test_visualize_exports_a_picture(trio: list[Any], tmp_path: Path) -> None:
    pytest.importorskip("networkx")
    pytest.importorskip("matplotlib")
    a, b, c = trio
    target = tmp_path / "graph.png"
    graph = visualize_speaker_transitions_dict({a: [b, c], b: [c], c: [a]}, trio, export_path=str(target))
    assert target.read_bytes().startswith(b"\x89PNG")
    assert sorted(graph.edges) == [("alice", "bob"), ("alice", "carol"), ("bob", "carol"), ("carol", "alice")]


@pytest.mark.parametrize("missing", ["networkx", "matplotlib"])
def test_visualize_without_the_graph_extra_says_what_to_install(
    trio: list[Any], monkeypatch: pytest.MonkeyPatch, missing: str
) -> None:
    real_import = builtins.__import__

    def fake_import(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == missing or name.startswith(missing + "."):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(ImportError, match=r'pip install "pyautogen\[graph\]"') as info:
        visualize_speaker_transitions_dict({}, trio, export_path="unused.png")
    assert missing in str(info.value)
