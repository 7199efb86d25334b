"""Recommendation tracker 2002 -> 2008 -> 2020: every recommendation, grouped by theme, with the status later
documents show for it (curators' assessments), and a summary of the latest status by theme."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
from matplotlib.patches import Patch, Rectangle

from lutonkg.analysis.graphview import out_edges, short_name
from lutonkg.diagrams.style import STATUS_COLOURS, footer, legend_anchor, new_figure, save, styled, title, wrap

STATUS_NAMES = {
    "made": "recommendation made",
    "addressed": "addressed",
    "partly-addressed": "partly addressed",
    "recurring": "issue recurs",
    "still-open": "still open",
    "mentioned": "mentioned, no outcome",
    "none": "no later evidence",
}
PESSIMISM = ["still-open", "recurring", "partly-addressed", "addressed", "mentioned"]
ROW = 0.2


def primary_theme(graph: nx.MultiDiGraph, rec: str, counts: dict[str, int]) -> str:
    """The theme a recommendation is listed under: of its themes, the one with most recommendations."""
    themes = graph.nodes[rec]["themes"] or ["(no theme)"]
    return min(themes, key=lambda t: (-counts.get(t, 0), t))


def latest_status(graph: nx.MultiDiGraph, rec: str) -> str:
    """The status the latest evidence gives (the least resolved if that document gives several), or 'none'."""
    evidence = graph.nodes[rec]["evidence"]
    if not evidence:
        return "none"
    documents = graph.graph["documents"]
    last = max(documents[e["doc"]]["date"] for e in evidence)
    statuses = {e["status"] for e in evidence if documents[e["doc"]]["date"] == last}
    return min(statuses, key=lambda s: PESSIMISM.index(s) if s in PESSIMISM else 99)


def tracker_figure(graph: nx.MultiDiGraph, out: Path, stem: str = "recommendation-tracker") -> list[Path]:
    """Draw the tracker; write PNG and SVG."""
    recs = [n for n, d in graph.nodes(data=True) if d["kind"] == "recommendation"]
    counts: dict[str, int] = {}
    for rec in recs:
        for theme in graph.nodes[rec]["themes"]:
            counts[theme] = counts.get(theme, 0) + 1
    groups: dict[str, list[str]] = {}
    for rec in sorted(recs, key=lambda r: (graph.nodes[r]["made_year"], graph.nodes[r]["rec_id"])):
        groups.setdefault(primary_theme(graph, rec, counts), []).append(rec)
    order = sorted(groups, key=lambda t: (-len(groups[t]), t))
    lines = sum(len(groups[t]) + 1 for t in order)
    documents = graph.graph["documents"]
    docs = sorted(documents, key=lambda d: documents[d]["date"])
    themes = graph.graph.get("themes", {})
    with styled():
        fig = new_figure(15.0, lines * ROW + 2.4)
        height = lines * ROW / fig.get_figheight()
        ax = fig.add_axes((0.01, 0.75 / fig.get_figheight(), 0.66, height))
        _matrix(ax, graph, order, groups, docs, themes, lines)
        side = fig.add_axes((0.80, 0.75 / fig.get_figheight() + height * 0.35, 0.18, height * 0.6))
        _summary(side, graph, recs, themes)
        title(fig, "Recommendation tracker: 2002 \u2192 2008 \u2192 2020",
              f"The {len(recs)} recommendations of the 2002 and 2008 reports, grouped by theme (each under its most "
              "common theme), and what later documents show for them, as assessed by the curators (lkg:Evidence). "
              "Right: latest status by theme, counting every theme a recommendation has.")  # fmt: skip
        fig.legend(handles=[Patch(facecolor=STATUS_COLOURS[s], edgecolor="#555555", label=STATUS_NAMES[s])
                            for s in STATUS_NAMES], loc="upper left", ncol=6, fontsize=7.5, frameon=False,
                   bbox_to_anchor=legend_anchor(fig))  # fmt: skip
        note = ("Statuses are curators' assessments of the cited later passages (graph/data/evidence.yaml), not "
                "statements of the later reports; a blank cell means that document says nothing the curators "
                "linked to the recommendation.")  # fmt: skip
        footer(fig, documents, docs, note)
        return save(fig, out, stem)


def _matrix(ax, graph: nx.MultiDiGraph, order, groups, docs, themes, lines) -> None:
    """Rows of recommendations under theme headings; one column of status cells per document."""
    documents = graph.graph["documents"]
    x0, width = 7.4, 1.0
    ax.set_xlim(0, x0 + width * len(docs) + 0.1)
    ax.set_ylim(lines + 0.2, -1.6)
    ax.axis("off")
    for i, doc in enumerate(docs):
        ax.text(x0 + (i + 0.5) * width, -0.3, f"{doc}\n{documents[doc]['date']}", ha="center", va="bottom",
                fontsize=7, fontweight="bold")  # fmt: skip
    y = 0.0
    for theme in order:
        ax.text(0.02, y + 0.5, themes.get(theme, theme), fontsize=8, fontweight="bold", va="center", color="#08306b")
        ax.plot([0, x0 + width * len(docs)], [y + 0.05, y + 0.05], color="#cccccc", linewidth=0.6)
        y += 1
        for rec in groups[theme]:
            d = graph.nodes[rec]
            to = ", ".join(short_name(graph, v) for _, v, _, _ in out_edges(graph, rec, ("addressed_to",)))
            text = wrap(f"{d['rec_id']}  {d['label']}", 96, 1)
            ax.text(0.12, y + 0.5, text, fontsize=6.6, va="center")
            ax.text(x0 - 0.08, y + 0.5, wrap(to, 24, 1), fontsize=6.2, va="center", ha="right", color="#555555")
            for i, doc in enumerate(docs):
                statuses = (["made"] if d["doc"] == doc else []) + sorted(
                    {e["status"] for e in d["evidence"] if e["doc"] == doc}, key=PESSIMISM.index
                )
                _cell(ax, x0 + i * width, y, width, statuses)
            y += 1


def _cell(ax, x: float, y: float, width: float, statuses: list[str]) -> None:
    """One document's cell: a square per status, side by side."""
    size = min(0.62, (width - 0.12) / max(1, len(statuses)) - 0.06)
    start = x + (width - size * len(statuses) - 0.06 * (len(statuses) - 1)) / 2
    for k, status in enumerate(statuses):
        ax.add_patch(Rectangle((start + k * (size + 0.06), y + 0.19), size, 0.62, facecolor=STATUS_COLOURS[status],
                               edgecolor="#555555", linewidth=0.4))  # fmt: skip


def _summary(ax, graph: nx.MultiDiGraph, recs: list[str], themes: dict[str, str]) -> None:
    """Horizontal stacked bars: per theme, recommendations by latest status."""
    table: dict[str, dict[str, int]] = {}
    for rec in recs:
        status = latest_status(graph, rec)
        for theme in graph.nodes[rec]["themes"]:
            table.setdefault(theme, {}).setdefault(status, 0)
            table[theme][status] += 1
    order = sorted(table, key=lambda t: (-sum(table[t].values()), t))
    for i, theme in enumerate(order):
        left = 0
        for status in ["addressed", "partly-addressed", "recurring", "still-open", "mentioned", "none"]:
            n = table[theme].get(status, 0)
            if n:
                ax.barh(i, n, left=left, color=STATUS_COLOURS[status], edgecolor="#555555", linewidth=0.4)
                left += n
    ax.set_yticks(range(len(order)), [themes.get(t, t) for t in order], fontsize=6.8)
    ax.invert_yaxis()
    ax.tick_params(axis="x", labelsize=7)
    ax.set_xlabel("recommendations (latest status)", fontsize=7.5)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
