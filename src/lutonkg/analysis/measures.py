"""Measures per snapshot: which bodies are hubs of the partnership network, how much responsibility each body
carries, and that load beside the capacity the sources report (staff numbers and budgets over time).

- **Partnership network**: bodies (not schools) linked by any stated relationship except school membership of
  trusts and neighbourhoods, inspection and statistical-neighbour comparison; undirected, one link per pair.
  Centrality: degree (number of distinct partners) and betweenness (share of shortest paths through the body: how
  far it brokers between others).
- **Responsibility load**: duties a body holds, duties it discharges, duties that require it, and open
  recommendations addressed to it, in the snapshot.
- **Load beside capacity**: claims on a body's staff or budget (topics such as school-improvement-adviser-team-size,
  consultant-team-size, core-education-budget) with the earliest and latest value, next to the load the body (and
  the unit it belongs to) carries at the snapshot nearest the latest value.
"""

from __future__ import annotations

import re

import networkx as nx

from lutonkg.analysis.graphview import at, citation_cells, in_edges, name, out_edges
from lutonkg.analysis.timespan import year_of
from lutonkg.table import Table

NOT_PARTNERSHIP = ("in-neighbourhood", "in-trust", "inspects")
RELATIONSHIP_TYPES = (
    "part-of", "member-of", "works-with", "leads", "funds", "advises", "provides-service-to", "accountable-to",
    "oversees", "established", "commissions", "chairs", "coterminous-with", "sponsors", "appointed-by", "provides",
    "acts-as", "nominated-by",
)  # fmt: skip
CAPACITY_TOPIC = re.compile(r"team-size|team-count|budget(?!-savings)|heads-of-service-count|foster-carer-count")
SNAPSHOTS = (2000, 2002, 2008, 2020)


def partnership_network(view: nx.MultiDiGraph) -> nx.Graph:
    """The undirected body-to-body network of a snapshot (see module docstring)."""
    net = nx.Graph()
    for u, v, d in view.edges(data=True):
        ends_are_bodies = view.nodes[u]["kind"] == "body" and view.nodes[v]["kind"] == "body"
        if d["relation"] in RELATIONSHIP_TYPES and u != v and ends_are_bodies:
            net.add_edge(u, v)
    return net


def centrality(graph: nx.MultiDiGraph, year: int, top: int = 15) -> Table:
    """The hubs of the partnership network in a year, by betweenness then degree."""
    view = at(graph, year)
    net = partnership_network(view)
    between = nx.betweenness_centrality(net, normalized=True) if net.number_of_nodes() > 2 else {}
    ranked = sorted(net.nodes, key=lambda n: (-between.get(n, 0.0), -net.degree(n), n))[:top]
    rows = []
    for rank, node in enumerate(ranked, start=1):
        d = graph.nodes[node]
        rows.append({
            "year": year, "rank": rank, "body": d["label"], "type": d["body_type"], "partners": net.degree(node),
            "betweenness": round(between.get(node, 0.0), 3), "documents": ", ".join(d["attested"]), "id": node,
        })  # fmt: skip
    note = (f"partnership network {year}: {net.number_of_nodes()} bodies, {net.number_of_edges()} links "
            f"({nx.number_connected_components(net)} components); top {len(rows)} by betweenness")  # fmt: skip
    columns = ["year", "rank", "body", "type", "partners", "betweenness", "documents"]
    return Table(f"centrality {year}", columns, rows, [note], ["id"])


def load_of(view: nx.MultiDiGraph, body: str) -> dict[str, int]:
    """A body's responsibility load in a snapshot: duties held, discharged, requiring it; recommendations to it."""
    counts = {
        "holds": len(in_edges(view, body, ("held_by",))),
        "discharges": len(in_edges(view, body, ("discharged_by",))),
        "required_by": len(in_edges(view, body, ("requires_body",))),
        "recommendations": len(in_edges(view, body, ("addressed_to",))),
    }
    counts["load"] = sum(counts.values())
    return counts


def load(graph: nx.MultiDiGraph, year: int, top: int = 15) -> Table:
    """The bodies carrying most responsibility in a year."""
    view = at(graph, year)
    loads = {n: load_of(view, n) for n, d in view.nodes(data=True) if d["kind"] in ("body", "school")}
    ranked = sorted((n for n in loads if loads[n]["load"]), key=lambda n: (-loads[n]["load"], n))[:top]
    rows = [{"year": year, "body": graph.nodes[n]["label"], "type": graph.nodes[n]["body_type"], **loads[n], "id": n}
            for n in ranked]  # fmt: skip
    columns = ["year", "body", "type", "holds", "discharges", "required_by", "recommendations", "load"]
    note = "duties are attested only by the 2020 strategy (Appendix C); earlier loads are recommendations"
    return Table(f"responsibility load {year}", columns, rows, [note], ["id"])


def number(value: str) -> float | None:
    """The first number in a claim value ('£3.6m' -> 3.6, '87,923' -> 87923.0), or None."""
    found = re.search(r"\d[\d,]*(?:\.\d+)?", value)
    return float(found.group().replace(",", "")) if found else None


def nearest_snapshot(year: int) -> int:
    """The snapshot year closest to a year (ties go to the later)."""
    return min(SNAPSHOTS, key=lambda s: (abs(s - year), -s))


def capacity(graph: nx.MultiDiGraph, year: int | None = None) -> Table:
    """Capacity claims (staff numbers, budgets) per body and topic, first and last value, beside the body's load at
    the snapshot nearest the last value; with a year, only the claims whose nearest snapshot is that year."""
    groups: dict[tuple[str, str], list[dict]] = {}
    for claim in graph.graph.get("claims", []):
        if CAPACITY_TOPIC.search(claim["topic"]) and claim["about"] in graph and claim["as_of"]:
            groups.setdefault((claim["about"], claim["topic"]), []).append(claim)
    rows = []
    for (body, topic), claims in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        claims.sort(key=lambda c: c["as_of"])
        first, last = claims[0], claims[-1]
        at_year = nearest_snapshot(year_of(last["as_of"]))
        if year is not None and at_year != year:
            continue
        view = at(graph, at_year)
        own = load_of(view, body) if body in view else {"load": 0, "discharges": 0, "holds": 0}
        parents = [v for _, v, _, _ in out_edges(view, body, ("part-of",))]
        unit = f"; {name(graph, parents[0])}: {load_of(view, parents[0])['load']}" if parents else ""
        a, b = number(first["value"]), number(last["value"])
        change = f"{(b - a) / a:+.0%}" if a and b is not None and len(claims) > 1 else ""
        per = ""
        countable = "%" not in last["value"] and max(a or 0, b or 0) < 1000
        if a and b and own["load"] and len(claims) > 1 and countable:
            per = f"{own['load'] / a:.2f} -> {own['load'] / b:.2f}"
        rows.append({
            "body": graph.nodes[body]["label"], "measure": topic,
            "first": f"{first['value']} ({first['as_of']})",
            "last": f"{last['value']} ({last['as_of']})" if len(claims) > 1 else "", "change": change,
            "load": f"{own['load']} in {at_year}{unit}", "load_per_unit": per, "id": body,
            "statement": last["statement"],
            **citation_cells(last),
        })  # fmt: skip
    columns = ["body", "measure", "first", "last", "change", "load", "load_per_unit", "document", "locator"]
    notes = [
        "load: duties held + discharged + requiring the body + open recommendations addressed to it, at the snapshot "
        "nearest the last value (and of the unit it is part of); load_per_unit: that load per person (or per £1m), "
        "at the first value -> at the last value"
    ]
    return Table("load beside capacity", columns, rows, notes, ["id", "statement", "citations"])


def measures(graph: nx.MultiDiGraph, year: int | None = None) -> list[Table]:
    """Centrality and load for one snapshot (or each of 2000, 2002, 2008, 2020), then load beside capacity."""
    years = [year] if year is not None else list(SNAPSHOTS)
    tables = [centrality(graph, y) for y in years] + [load(graph, y) for y in years]
    return tables + [capacity(graph, year)]


__all__ = ["capacity", "centrality", "citation_cells", "load", "measures", "partnership_network"]
