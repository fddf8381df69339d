"""Helpers for speaker-transition graphs of a group chat.

A transition graph is a dict ``{agent: [agents that may speak right after it]}``. ``GroupChat`` accepts one either as
the *allowed* transitions or as the *disallowed* ones (turned into allowed ones by :func:`invert_disallowed_to_allowed`).
Drawing a graph needs the ``graph`` extra (networkx and matplotlib), imported only when drawing.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Dict, List, Optional

if TYPE_CHECKING:
    from .agentchat.agent import Agent

logger = logging.getLogger(__name__)

__all__ = [
    "check_graph_validity",
    "has_self_loops",
    "invert_disallowed_to_allowed",
    "visualize_speaker_transitions_dict",
]

_GRAPH_EXTRA_HINT = 'install the "graph" extra: pip install "pyautogen[graph]"'


def _label(agent: Any) -> str:
    """A readable name for an agent (or for whatever was put in its place) in error messages."""
    name = getattr(agent, "name", None)
    return name if isinstance(name, str) else repr(agent)


def _looks_like_agent(obj: Any) -> bool:
    return not isinstance(obj, str) and isinstance(getattr(obj, "name", None), str)


def has_self_loops(allowed_speaker_transitions: Dict[Any, List[Any]]) -> bool:
    """Whether some agent may speak twice in a row (it lists itself among its successors)."""
    return any(agent in successors for agent, successors in allowed_speaker_transitions.items())


def _check_graph_structure(transitions: Any, agents: List[Agent], successors_outside: bool = False) -> None:
    """Raise ``ValueError`` unless ``transitions`` maps agents of ``agents`` to lists of agents of ``agents``
    (with ``successors_outside``, successors may be other agents: ``check_graph_validity`` warns about those)."""
    if not isinstance(transitions, dict):
        raise ValueError(
            "allowed_speaker_transitions_dict must be a dictionary. The speaker transitions must map each agent to "
            "the list of agents that may speak after it; "
            f"got {type(transitions).__name__}."
        )
    members = list(agents)
    for source, successors in transitions.items():
        if not isinstance(successors, list):
            raise ValueError(
                "allowed_speaker_transitions_dict must be a dictionary with lists as values. "
                f"The speaker transitions of {_label(source)} must be a list of agents, got {type(successors).__name__}."
            )
        for node in (source, *successors):
            if not _looks_like_agent(node):
                raise ValueError(
                    "allowed_speaker_transitions_dict has values that are not lists of Agents. The speaker "
                    f"transitions must use agent objects, not names or other values: got {node!r}"
                    f" in the transitions of {_label(source)}."
                )
            if not any(node is member for member in members) and (node is source or not successors_outside):
                where = "keys" if node is source else "values"
                raise ValueError(
                    f"allowed_speaker_transitions_dict has {where} not in agents. The speaker transitions name the agent "
                    f"{_label(node)!r}, which is not in the group chat "
                    f"(agents: {[_label(a) for a in members]}). Add it to the group or remove it from the transitions."
                )


def check_graph_validity(allowed_speaker_transitions_dict: Dict[Any, List[Any]], agents: List[Agent]) -> None:
    """Check that ``allowed_speaker_transitions_dict`` is a usable transition graph over ``agents``.

    Raises ``ValueError`` when the graph is not a dict of lists, when a key or a successor is not an agent (a name
    given where the agent object is expected, say) or a key is an agent outside ``agents``.
    Logs a warning for agents without any edge (they can never speak, nor hand over), for agents on one side only
    (in ``agents`` without an edge, or a successor outside ``agents``: a GroupChat refuses the latter) and for
    duplicated successors.
    """
    _check_graph_structure(allowed_speaker_transitions_dict, agents, successors_outside=True)
    members = list(agents)
    has_outgoing = {id(source) for source, successors in allowed_speaker_transitions_dict.items() if successors}
    has_incoming = {id(agent) for successors in allowed_speaker_transitions_dict.values() for agent in successors}
    isolated = [agent for agent in members if id(agent) not in has_outgoing and id(agent) not in has_incoming]
    if isolated:
        logger.warning(
            "Warning: There are isolated agent nodes, there are not incoming nor outgoing edges. Isolated agents: %s "
            "(they will never speak).",
            [_label(agent) for agent in isolated],
        )
    in_graph: Dict[int, Any] = {id(s): s for s, successors in allowed_speaker_transitions_dict.items() if successors}
    in_graph.update((id(a), a) for successors in allowed_speaker_transitions_dict.values() for a in successors)
    member_ids = {id(agent) for agent in members}
    offending = [a for a in members if id(a) not in in_graph] + [a for i, a in in_graph.items() if i not in member_ids]
    if offending:
        logger.warning(
            "Warning: The set of agents in allowed_speaker_transitions do not match agents. Offending agents: %s",
            [_label(agent) for agent in offending],
        )
    for source, successors in allowed_speaker_transitions_dict.items():
        seen: set[int] = set()
        duplicates: list[str] = []
        for agent in successors:
            if id(agent) in seen and _label(agent) not in duplicates:
                duplicates.append(_label(agent))
            seen.add(id(agent))
        if duplicates:
            logger.warning(
                "Agent '%s' has duplicate elements: %s. Please remove duplicates manually.", _label(source), duplicates
            )


def invert_disallowed_to_allowed(
    disallowed_speaker_transitions_dict: Dict[Any, List[Any]], agents: List[Agent]
) -> Dict[Any, List[Any]]:
    """Turn a graph of forbidden transitions into the graph of allowed ones over ``agents``.

    Every agent may hand over to every agent (itself included) except those listed for it.
    """
    allowed: Dict[Any, List[Any]] = {}
    for agent in agents:
        forbidden = disallowed_speaker_transitions_dict.get(agent, [])
        allowed[agent] = [other for other in agents if not any(other is f for f in forbidden)]
    return allowed


def visualize_speaker_transitions_dict(
    speaker_transitions_dict: Dict[Any, List[Any]], agents: List[Agent], export_path: Optional[str] = None
) -> Any:
    """Draw the transition graph with networkx and matplotlib (the ``graph`` extra).

    Saves the picture to ``export_path`` when given, otherwise shows it. Returns the ``networkx.DiGraph``.
    """
    try:
        import networkx as nx
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            f"Failed to import networkx or matplotlib. Drawing speaker transitions needs networkx: {_GRAPH_EXTRA_HINT}"
        ) from exc
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ImportError(
            "Failed to import networkx or matplotlib. Drawing speaker transitions needs matplotlib: "
            f"{_GRAPH_EXTRA_HINT}"
        ) from exc

    graph = nx.DiGraph()
    graph.add_nodes_from(_label(agent) for agent in agents)
    for source, successors in speaker_transitions_dict.items():
        for target in successors:
            graph.add_edge(_label(source), _label(target))

    draw_options: dict[str, Any] = {"with_labels": True, "font_weight": "bold", "node_color": "lightblue"}
    if export_path is not None:
        # A bare Figure needs no GUI backend, and leaves pyplot's global state alone.
        figure = Figure()
        nx.draw(graph, ax=figure.subplots(), **draw_options)
        figure.savefig(export_path)
    else:
        import matplotlib.pyplot as plt

        plt.figure()
        nx.draw(graph, **draw_options)
        plt.show()
    return graph
