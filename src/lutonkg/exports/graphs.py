"""Exports for other tools: GraphML (yEd, Cytoscape), GEXF with time spells (Gephi's timeline) and a responsibility
matrix per snapshot (bodies x duties and recommendations) as CSV. Same graph in, byte-identical files out.

GraphML and GEXF take only plain attribute values, so lists become text: documents and years joined with '; ',
citations as 'doc locator: "anchor"' joined with ' | ', the held years as runs ('2000-2005; 2018-2021') plus
`first_year` and `last_year`. In GEXF each node and edge also carries its held years as spells, so Gephi's timeline
shows a body only in the years it holds.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import networkx as nx

from lutonkg.analysis.graphview import at, name
from lutonkg.analysis.measures import SNAPSHOTS
from lutonkg.analysis.timespan import format_ranges, ranges

DROP = {"evidence", "citations", "years"}
CELL = {"held_by": "H", "discharged_by": "D", "requires_body": "R", "addressed_to": "A"}


def _plain(value: object) -> object:
    """A value GraphML and GEXF accept: str, int, float or bool; None, empty text and empty lists become None."""
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return value or None
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else list(value)
        return "; ".join(str(v) for v in items) or None
    return None if value is None else str(value)


def _flatten(attrs: dict) -> dict:
    """Plain attributes for export: citations and evidence as text, held years as runs and bounds; absent values
    are left out rather than written as '' or -1."""
    flat = {k: _plain(v) for k, v in sorted(attrs.items()) if k not in DROP}
    years = attrs.get("years", ())
    if years:
        flat.update(held=format_ranges(years).replace(", ", "; "), first_year=min(years), last_year=max(years))
    flat["citations"] = " | ".join(f'{d} {loc}: "{anchor}"' for d, loc, anchor in attrs.get("citations", []))
    if attrs.get("evidence"):
        flat["evidence"] = " | ".join(f"{e['doc']} {e['locator']}: {e['status']}" for e in attrs["evidence"])
    return {k: v for k, v in flat.items() if v is not None and v != ""}


def _one_type_per_attribute(graph: nx.MultiDiGraph) -> None:
    """GraphML and GEXF declare one type per attribute: where values mix numbers and text, numbers become text."""
    for items in (graph.nodes.values(), [d for _, _, d in graph.edges(data=True)]):
        kinds: dict[str, set[type]] = {}
        for attrs in items:
            for attr, value in attrs.items():
                kinds.setdefault(attr, set()).add(type(value))
        mixed = {attr for attr, found in kinds.items() if len(found) > 1}
        for attrs in items:
            for attr in mixed & set(attrs):
                attrs[attr] = str(attrs[attr])


def plain_graph(graph: nx.MultiDiGraph, spells: bool = False) -> nx.MultiDiGraph:
    """A copy with only plain attributes, each of one type (and GEXF spells when asked)."""
    out = nx.MultiDiGraph(name="lutonkg")
    for node, attrs in graph.nodes(data=True):
        out.add_node(node, **_flatten(attrs))
    for u, v, k, attrs in graph.edges(keys=True, data=True):
        out.add_edge(u, v, key=k, **_flatten(attrs))
    _one_type_per_attribute(out)
    if spells:
        for node, attrs in graph.nodes(data=True):
            if attrs.get("years"):
                out.nodes[node]["spells"] = ranges(attrs["years"])
        for u, v, k, attrs in graph.edges(keys=True, data=True):
            if attrs.get("years"):
                out.edges[u, v, k]["spells"] = ranges(attrs["years"])
    return out


def write_graphml(graph: nx.MultiDiGraph, path: Path) -> None:
    """GraphML with typed, plain attributes."""
    nx.write_graphml(plain_graph(graph), path, encoding="utf-8", prettyprint=True)


def write_gexf(graph: nx.MultiDiGraph, path: Path) -> None:
    """GEXF 1.2 with year spells on nodes and edges; the writer's date stamp is removed for reproducibility."""
    g = plain_graph(graph, spells=True)
    g.graph["mode"] = "dynamic"
    buffer = io.BytesIO()
    nx.write_gexf(g, buffer, encoding="utf-8", prettyprint=True, version="1.2draft")
    text = buffer.getvalue().decode("utf-8")
    text = re.sub(r' lastmodifieddate="[^"]*"', "", text)
    path.write_text(text, encoding="utf-8")


def matrix_rows(graph: nx.MultiDiGraph, year: int) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the responsibility matrix for one snapshot: bodies x duties and recommendations.

    Cells: H holds the duty, D discharges it, R the duty requires the body, A the recommendation is addressed to it;
    several letters when several apply.
    """
    view = at(graph, year)
    items = sorted(n for n, d in view.nodes(data=True) if d["kind"] in ("duty", "recommendation"))
    cells: dict[str, dict[str, str]] = {}
    for item in items:
        for _, body, d in view.out_edges(item, data=True):
            if d["relation"] in CELL:
                row = cells.setdefault(body, {})
                row[item] = "".join(sorted(set(row.get(item, "") + CELL[d["relation"]])))
    bodies = sorted(cells, key=lambda b: (graph.nodes[b]["label"].casefold(), b))
    header = ["body_id", "body", *[i.split("/", 1)[1] for i in items]]
    rows = [[b.split("/", 1)[1], name(graph, b), *[cells[b].get(i, "") for i in items]] for b in bodies]
    return header, rows


def write_matrix(graph: nx.MultiDiGraph, year: int, path: Path) -> None:
    """The responsibility matrix of one snapshot as CSV."""
    header, rows = matrix_rows(graph, year)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def export_all(graph: nx.MultiDiGraph, out: Path, years: tuple[int, ...] = SNAPSHOTS) -> list[Path]:
    """lutonkg.graphml, lutonkg.gexf and responsibility-matrix-<year>.csv for each snapshot, into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    written = [out / "lutonkg.graphml", out / "lutonkg.gexf"]
    write_graphml(graph, written[0])
    write_gexf(graph, written[1])
    for year in years:
        path = out / f"responsibility-matrix-{year}.csv"
        write_matrix(graph, year, path)
        written.append(path)
    return written
