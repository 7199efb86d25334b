"""Timeline of bodies and reorganisations: a Gantt-like chart of the council's statutory roles, directorates,
members' bodies, officers and boards, with the years each holds, the documents that name it, stated dates and
succession arrows (dashed when the curators inferred them)."""

from __future__ import annotations

import re
from pathlib import Path

import networkx as nx
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, Patch, Rectangle

from lutonkg.analysis.graphview import CHANGE_RELATIONS, predecessors
from lutonkg.analysis.timespan import ranges
from lutonkg.diagrams.style import footer, legend_anchor, new_figure, save, styled, title, wrap

SECTIONS = [
    ("Council and statutory roles", "#08306b", ("local-authority", "statutory-capacity"), r"Luton"),
    ("Directorates and education services", "#2171b5", ("directorate", "service", "team"),
     r"(?i)^(?=.*(directorate|department)).*(lifelong|children|social services)|^luton education service$|"
     r"^school improvement (service|adviser team)$|^children's social care services$"),
    ("Members: executive and scrutiny", "#6a51a3", ("committee", "office"),
     r"(?i)^executive$|^(?!chair).*scrutiny committee|review group|^education committee$|^children's panel$|"
     r"portfolio holder for "
     r"(children's services|lifelong learning)"),
    ("Officers", "#238b45", ("office",),
     r"(?i)director.*(lifelong|children|education)|^chief executive$|designated officer|virtual school"),
    ("Boards and partnerships", "#d94801", ("partnership", "forum"),
     r"Child Protection|Safeguarding Children|Children's Trust|Strategic Board|Young People's Partnership|"
     r"Luton Forum|School Improvement Advisory|Schools Forum"),
    ("Central government", "#737373", ("government-department",), r"Department for Education"),
]  # fmt: skip
FIRST, LAST = 1998, 2022
ROW = 0.26


def doc_x(date: str) -> float:
    """A document date as a decimal year ('2002-07' -> 2002.54)."""
    parts = date.split("-")
    return int(parts[0]) + ((int(parts[1]) - 0.5) / 12 if len(parts) > 1 else 0.5)


def timeline_rows(graph: nx.MultiDiGraph) -> list[tuple[str, str, list[str]]]:
    """(section, colour, bodies) in chart order: each section's bodies by lineage, then first year."""
    found = []
    for name, colour, types, pattern in SECTIONS:
        bodies = [n for n, d in graph.nodes(data=True) if d.get("body_type") in types and re.search(pattern, d["label"])
                  and d["years"]]  # fmt: skip
        found.append((name, colour, sorted(bodies, key=lambda n: _lineage_key(graph, n))))
    return [(n, c, b) for n, c, b in found if b]


def _lineage_key(graph: nx.MultiDiGraph, node: str) -> tuple:
    """Sort key placing a body after its predecessors: the first year of its lineage, then its own."""
    lineage = [node, *predecessors(graph, node)]
    start = min(min(graph.nodes[n]["years"], default=9999) for n in lineage)
    root = min(lineage, key=lambda n: (min(graph.nodes[n]["years"], default=9999), n))
    return (start, graph.nodes[root]["label"].casefold(), min(graph.nodes[node]["years"]), graph.nodes[node]["label"])


def body_timeline_figure(graph: nx.MultiDiGraph, out: Path, stem: str = "timeline-bodies") -> list[Path]:
    """Draw the chart; write PNG and SVG."""
    sections = timeline_rows(graph)
    count = sum(len(b) + 1 for _, _, b in sections)
    with styled():
        fig = new_figure(13.0, count * ROW + 2.75)
        height = count * ROW
        ax = fig.add_axes((0.25, 0.75 / fig.get_figheight(), 0.73, height / fig.get_figheight()))
        ax.set_xlim(FIRST, LAST + 1)
        ax.set_ylim(count, 0)
        ypos = _draw_rows(ax, graph, sections)
        _draw_documents(ax, graph, count)
        _draw_changes(ax, graph, ypos)
        ax.set_yticks([])
        ax.set_xticks(range(2000, LAST + 1, 2))
        ax.tick_params(axis="x", labelsize=8)
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        title(fig, "Bodies and reorganisations in Luton's education and children's services, 2000-2020",
              "Each row is a body; its bar covers the years it holds by the snapshot rules (named in a document of "
              "year D: D-2 to D+1, joined between documents, cut by change events). Arrows: successions and "
              "reorganisations.")  # fmt: skip
        _legend(fig)
        docs = sorted(graph.graph["documents"], key=lambda d: graph.graph["documents"][d]["date"])
        note = ("Rows: the council and its statutory roles, directorates and education services, members' bodies, "
                "senior officers, safeguarding and children's boards, and the education department of central "
                "government, as the graph names them; other bodies are left out.")  # fmt: skip
        footer(fig, graph.graph["documents"], docs, note)
        return save(fig, out, stem)


def _draw_rows(ax, graph: nx.MultiDiGraph, sections) -> dict[str, float]:
    """Section headings and one row per body: held bar, stated interval, document marks; returns row centres."""
    ypos: dict[str, float] = {}
    y = 0.0
    documents = graph.graph["documents"]
    for name, colour, bodies in sections:
        ax.text(FIRST - 0.2, y + 0.55, name, ha="right", va="center", fontsize=8.5, fontweight="bold", color=colour,
                clip_on=False)  # fmt: skip
        y += 1
        for body in bodies:
            d = graph.nodes[body]
            centre = y + 0.5
            ypos[body] = centre
            for first, last in ranges(d["years"]):
                ax.add_patch(Rectangle((first, y + 0.2), last - first + 1, 0.6, facecolor=colour, alpha=0.22,
                                       edgecolor="none"))  # fmt: skip
            if d["valid_from"] or d["valid_to"]:
                start = _year(d["valid_from"]) or min(d["years"])
                end = _year(d["valid_to"], end=True) or max(d["years"]) + 1
                ax.add_patch(Rectangle((start, y + 0.38), end - start, 0.24, facecolor=colour, edgecolor="none"))
            for doc in sorted(set(d["attested"]) | set(d.get("named_in", []))):
                marker = "o" if doc in d["attested"] else "D"
                ax.plot([doc_x(documents[doc]["date"])], [centre], marker=marker, markersize=3.6, color="#222222",
                        linestyle="none", zorder=4)  # fmt: skip
            ax.text(FIRST - 0.2, centre, wrap(d["label"], 48, 1), ha="right", va="center", fontsize=7.5, clip_on=False)
            y += 1
    return ypos


def _year(date: str, end: bool = False) -> float | None:
    """A stated date as a decimal year (the end of the period when `end`)."""
    if not date:
        return None
    if len(date) == 4:
        return int(date) + (1 if end else 0)
    return doc_x(date)


def _draw_documents(ax, graph: nx.MultiDiGraph, count: int) -> None:
    """A dotted vertical line and label for each source document's date."""
    documents = graph.graph["documents"]
    for i, doc in enumerate(sorted(documents, key=lambda d: documents[d]["date"])):
        x = doc_x(documents[doc]["date"])
        ax.axvline(x, color="#999999", linestyle=":", linewidth=0.8, zorder=0)
        ax.text(x, -0.3 - 0.9 * (i % 2), f"{doc} ({documents[doc]['date']})", ha="center", va="bottom",
                fontsize=6.5, color="#555555", clip_on=False)  # fmt: skip


def _draw_changes(ax, graph: nx.MultiDiGraph, ypos: dict[str, float]) -> None:
    """An arrow from the end of each ended body to the start of its successor, dashed when inferred."""
    for u, v, d in sorted(graph.edges(data=True), key=lambda e: (e[0], e[1])):
        if d["relation"] not in CHANGE_RELATIONS or u not in ypos or v not in ypos:
            continue
        start_x = max((y for y in graph.nodes[u]["years"] if y < min(graph.nodes[v]["years"])), default=None)
        start_x = (start_x + 1) if start_x is not None else min(graph.nodes[v]["years"])
        end_x = min(graph.nodes[v]["years"])
        arrow = FancyArrowPatch((start_x, ypos[u]), (end_x, ypos[v]), arrowstyle="-|>", mutation_scale=8,
                                connectionstyle="arc3,rad=-0.2", linewidth=1.0, color="#111111",
                                linestyle="--" if d["inferred"] else "-", zorder=5)  # fmt: skip
        ax.add_patch(arrow)


def _legend(fig) -> None:
    """Bars, marks and arrows."""
    handles = [
        Patch(facecolor="#2171b5", alpha=0.22, label="holds (snapshot rules)"),
        Patch(facecolor="#2171b5", label="dates stated by a source"),
        Line2D([], [], marker="o", linestyle="none", color="#222222", markersize=4, label="named by the document"),
        Line2D([], [], marker="D", linestyle="none", color="#222222", markersize=3.6,
               label="named in a link the document states"),
        Line2D([], [], color="#111111", label="succession stated by a source"),
        Line2D([], [], color="#111111", linestyle="--", label="succession inferred by the curators"),
    ]  # fmt: skip
    fig.legend(handles=handles, loc="upper left", bbox_to_anchor=legend_anchor(fig), ncol=6,
               fontsize=7.5, frameon=False)  # fmt: skip
