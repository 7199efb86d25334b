"""Small helpers the analysis questions share: labels, citations as row cells, dated views and succession walks."""

from __future__ import annotations

import re
from collections.abc import Iterable

import networkx as nx

from lutonkg.analysis.network import snapshot
from lutonkg.analysis.timespan import format_ranges

CHANGE_RELATIONS = ("succeeded_by", "renamed_to", "merged_into", "restructured_into", "became")
UPWARD = ("part-of", "in-trust", "accountable-to")
DOWNWARD = ("oversees", "leads", "chairs")
RESPONSIBILITY = ("held_by", "discharged_by", "addressed_to")


def at(graph: nx.MultiDiGraph, year: int | None) -> nx.MultiDiGraph:
    """The snapshot for a year, or the whole graph when no year is given."""
    return graph if year is None else snapshot(graph, year)


def name(graph: nx.MultiDiGraph, node: str, width: int = 60) -> str:
    """A short readable name: duty and recommendation ids with a clipped summary, else the label."""
    d = graph.nodes[node]
    if d["kind"] == "duty":
        return d["duty_id"]
    if d["kind"] == "recommendation":
        return f"{d['rec_id']}: {clip(d['label'], width - len(d['rec_id']) - 2)}"
    return clip(d["label"], width)


def clip(text: str, width: int) -> str:
    """Text cut to a width with an ellipsis."""
    return text if len(text) <= width else text[: max(1, width - 1)].rstrip() + "\u2026"


def short_name(graph: nx.MultiDiGraph, node: str) -> str:
    """A body's abbreviation where the sources use one (LSCB, CYPSB, MAPPA, Ofsted), else its label."""
    d = graph.nodes[node]
    alts = d.get("alt_labels", [])
    if "Ofsted" in alts:
        return "Ofsted"
    acronyms = sorted(a for a in alts if 3 <= len(a) <= 7 and a.isalpha() and a.isupper())
    if acronyms:
        return acronyms[0]
    named = sorted((a for a in alts if len(a) <= 12 and a[0].isupper() and re.search(r"\b[A-Z]{3,}\b", a)),
                   key=lambda a: (len(a), a))  # fmt: skip
    if named:
        return named[0]
    label = re.sub(r"^HM Inspectorate of ", "HMI ", d["label"])
    return "HMCPSI" if label == "HM Crown Prosecution Service Inspectorate" else label


def citation_cells(attrs: dict) -> dict:
    """Document, locator (+N more) and the full citation list of a node or edge, as row cells."""
    cites = attrs.get("citations") or []
    if not cites:
        curated = attrs.get("inferred")
        return {"document": "curation" if curated else "", "locator": "", "citations": []}
    doc, loc, _ = cites[0]
    more = f" (+{len(cites) - 1} more)" if len(cites) > 1 else ""
    return {
        "document": doc,
        "locator": loc + more,
        "citations": [f"{d} {loc}: \u201c{anchor}\u201d" for d, loc, anchor in cites],
    }


def years_text(attrs: dict) -> str:
    """The years a node or edge holds, as runs."""
    return format_ranges(attrs.get("years", ()))


def out_edges(graph: nx.MultiDiGraph, node: str, relations: Iterable[str]) -> list[tuple[str, str, str, dict]]:
    """Outgoing edges of the given relations, as (u, v, key, attrs), sorted by key."""
    wanted = set(relations)
    if node not in graph:
        return []
    found = [(u, v, k, d) for u, v, k, d in graph.out_edges(node, keys=True, data=True) if d["relation"] in wanted]
    return sorted(found, key=lambda e: e[2])


def in_edges(graph: nx.MultiDiGraph, node: str, relations: Iterable[str]) -> list[tuple[str, str, str, dict]]:
    """Incoming edges of the given relations, as (u, v, key, attrs), sorted by key."""
    wanted = set(relations)
    if node not in graph:
        return []
    found = [(u, v, k, d) for u, v, k, d in graph.in_edges(node, keys=True, data=True) if d["relation"] in wanted]
    return sorted(found, key=lambda e: e[2])


def successors(graph: nx.MultiDiGraph, body: str) -> list[tuple[str, bool]]:
    """Bodies a body was succeeded, renamed, merged or restructured into, transitively, with an 'inferred' flag."""
    found: list[tuple[str, bool]] = []
    frontier, seen = [(body, False)], {body}
    while frontier:
        node, inferred = frontier.pop(0)
        for _, nxt, _, d in out_edges(graph, node, CHANGE_RELATIONS):
            if nxt not in seen:
                seen.add(nxt)
                found.append((nxt, inferred or d["inferred"]))
                frontier.append((nxt, inferred or d["inferred"]))
    return found


def predecessors(graph: nx.MultiDiGraph, body: str) -> list[str]:
    """Bodies that were succeeded by (or reorganised into) this one, transitively."""
    found, frontier = [], [body]
    while frontier:
        node = frontier.pop(0)
        for prev, _, _, _ in in_edges(graph, node, CHANGE_RELATIONS):
            if prev not in found and prev != body:
                found.append(prev)
                frontier.append(prev)
    return found
