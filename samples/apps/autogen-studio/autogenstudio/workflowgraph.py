"""A group chat's speaker-transition graph: which agent may speak after which, and what is wrong with a graph.

Edges are ``(from, to)`` pairs of agent keys (ids in the stored workflow, names in a runnable one). An empty graph
means "no constraint": anyone may follow anyone. Otherwise every member needs an edge (an *isolated* agent never
speaks) and every agent that can be reached needs a way out (a *dead end* stops the chat when it speaks).
"""

from __future__ import annotations

from typing import Dict, Hashable, List, Sequence, Tuple, TypeVar

K = TypeVar("K", bound=Hashable)


def graph_problems(members: Sequence[K], edges: Sequence[Tuple[K, K]]) -> List[Dict[str, object]]:
    """Problems of the graph, one per agent: ``{"agent": key, "kind": "isolated" | "dead_end" | "unknown",
    "message": ...}``; empty when the graph is usable."""
    if not edges:
        return []
    known = set(members)
    problems: List[Dict[str, object]] = []
    for a, b in edges:
        for end in (a, b):
            if end not in known:
                problems.append(
                    {"agent": end, "kind": "unknown", "message": f"the transition {a} → {b} names {end}, not a member"}
                )
    outgoing = {a for a, _ in edges}
    incoming = {b for _, b in edges}
    for agent in members:
        if agent not in outgoing and agent not in incoming:
            problems.append(
                {"agent": agent, "kind": "isolated", "message": f"{agent} has no transition, so it never speaks"}
            )
        elif agent not in outgoing:
            problems.append(
                {"agent": agent, "kind": "dead_end", "message": f"no one may speak after {agent}: a dead end"}
            )
    return problems


def transitions_dict(members: Sequence[K], edges: Sequence[Tuple[K, K]]) -> Dict[K, List[K]]:
    """``{from: [to, ...]}`` for every member (the shape autogen's GroupChat takes)."""
    out: Dict[K, List[K]] = {m: [] for m in members}
    for a, b in edges:
        if b not in out.setdefault(a, []):
            out[a].append(b)
    return out
