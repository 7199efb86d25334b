"""Gaps a governance review should look at: duties nobody is named to carry out, recommendations nobody followed
up, and bodies with duties but no line of oversight."""

from __future__ import annotations

import networkx as nx

from lutonkg.analysis.graphview import citation_cells, in_edges, name, out_edges, years_text
from lutonkg.table import Table

GAP_COLUMNS = ["gap", "item", "detail", "held", "document", "locator"]
OVERSIGHT_OUT = ("accountable-to", "part-of", "in-trust")
OVERSIGHT_IN = ("oversees",)


def duties_without_discharger(graph: nx.MultiDiGraph) -> list[dict]:
    """Duties for which the source names no body to carry them out."""
    rows = []
    for node, d in sorted(graph.nodes(data=True)):
        if d["kind"] == "duty" and not out_edges(graph, node, ("discharged_by",)):
            holders = ", ".join(name(graph, v) for _, v, _, _ in out_edges(graph, node, ("held_by",)))
            detail = f"aspect: {d['aspect_label']}; held by {holders or 'nobody named'}"
            rows.append({"gap": "duty with no named discharging body", "item": d["duty_id"], "detail": detail,
                         "held": years_text(d), "id": node, **citation_cells(d)})  # fmt: skip
    return rows


def recommendations_without_evidence(graph: nx.MultiDiGraph) -> list[dict]:
    """Recommendations that no later document is assessed as following up."""
    rows = []
    for node, d in sorted(graph.nodes(data=True)):
        if d["kind"] == "recommendation" and not d["evidence"]:
            to = ", ".join(name(graph, v) for _, v, _, _ in out_edges(graph, node, ("addressed_to",)))
            detail = f"made in {d['doc']} ({d['priority_level']}); to {to}; themes: {', '.join(d['themes'])}"
            rows.append({"gap": "recommendation with no later evidence", "item": name(graph, node), "detail": detail,
                         "held": years_text(d), "id": node, **citation_cells(d)})  # fmt: skip
    return rows


def unsupervised_duty_bodies(graph: nx.MultiDiGraph) -> list[dict]:
    """Bodies that hold or discharge a duty but have no accountable-to, part-of or overseen-by link at any date."""
    rows = []
    carriers = sorted({v for _, v, r in graph.edges(data="relation") if r in ("held_by", "discharged_by")})
    for body in carriers:
        if out_edges(graph, body, OVERSIGHT_OUT) or in_edges(graph, body, OVERSIGHT_IN):
            continue
        d = graph.nodes[body]
        held = len(in_edges(graph, body, ("held_by",)))
        done = len(in_edges(graph, body, ("discharged_by",)))
        detail = f"{d['body_type']}; holds {held} and discharges {done} duties"
        rows.append({"gap": "body with duties but no oversight link", "item": d["label"], "detail": detail,
                     "held": years_text(d), "id": body, **citation_cells(d)})  # fmt: skip
    return rows


def gaps(graph: nx.MultiDiGraph) -> Table:
    """All three kinds of gap in one table."""
    rows = duties_without_discharger(graph) + recommendations_without_evidence(graph) + unsupervised_duty_bodies(graph)
    counts = {}
    for row in rows:
        counts[row["gap"]] = counts.get(row["gap"], 0) + 1
    notes = [f"{gap}: {n}" for gap, n in counts.items()]
    notes.append("oversight link: accountable to, part of (or in trust), or overseen by another body, at any date")
    return Table("gaps", GAP_COLUMNS, rows, notes, ["id", "citations"])
