"""Partnership network per snapshot: the most central bodies on a circle in the same positions for every year, so
snapshots compare side by side; a body absent in a year stays as a hollow mark in its place."""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import networkx as nx
from matplotlib.lines import Line2D
from matplotlib.patches import PathPatch
from matplotlib.path import Path as MplPath

from lutonkg.analysis.graphview import clip, predecessors, short_name, successors
from lutonkg.analysis.measures import SNAPSHOTS, partnership_network
from lutonkg.analysis.network import snapshot
from lutonkg.diagrams.style import GROUP_COLOURS, footer, footer_height, legend_anchor, new_figure, save, styled, title

TOP_PER_SNAPSHOT = 10
GROUPS = {
    "statutory": ("local-authority", "statutory-capacity"),
    "council": ("directorate", "committee", "office", "service", "team"),
    "partnership": ("partnership", "forum", "neighbourhood-partnership"),
    "inspectorate": ("inspectorate",),
}
GROUP_ORDER = ["statutory", "council", "partnership", "external", "inspectorate"]
GROUP_NAMES = {
    "statutory": "the council and its statutory capacities",
    "council": "council directorates, committees, offices, services and teams",
    "partnership": "partnerships and forums",
    "external": "other public, health, education and voluntary bodies",
    "inspectorate": "inspectorates",
}
HIERARCHY = {"part-of", "leads", "accountable-to", "oversees", "chairs", "established"}
LABEL_WIDTH = 34


def group_of(body_type: str) -> str:
    """The colour group of a body type."""
    return next((g for g, types in GROUPS.items() if body_type in types), "external")


def select_bodies(graph: nx.MultiDiGraph) -> tuple[list[str], dict[int, tuple[nx.Graph, dict]]]:
    """The bodies to show (top by betweenness in any snapshot, with their predecessors and successors), in circle
    order, and each snapshot's partnership network with betweenness."""
    nets = {}
    chosen: set[str] = set()
    for year in SNAPSHOTS:
        net = partnership_network(snapshot(graph, year))
        between = nx.betweenness_centrality(net, normalized=True)
        nets[year] = (net, between)
        ranked = sorted(net.nodes, key=lambda n: (-between[n], -net.degree(n), n))
        chosen |= set(ranked[:TOP_PER_SNAPSHOT])
    present = set().union(*(set(net.nodes) for net, _ in nets.values()))
    for node in sorted(chosen):
        kin = [p for p in predecessors(graph, node)] + [s for s, _ in successors(graph, node)]
        chosen |= {k for k in kin if k in present}
    return sorted(chosen, key=lambda n: _circle_key(graph, n)), nets


def _circle_key(graph: nx.MultiDiGraph, node: str) -> tuple:
    """Circle order: by group, then lineage (a body next to its predecessors and successors), then first year."""
    d = graph.nodes[node]
    roots = predecessors(graph, node)
    root = min(roots, key=lambda n: (min(graph.nodes[n]["years"], default=0), n)) if roots else node
    first = min(d["years"], default=0)
    return (GROUP_ORDER.index(group_of(d["body_type"])), graph.nodes[root]["label"].casefold(), first, d["label"])


def _label(graph: nx.MultiDiGraph, node: str) -> str:
    """A label short enough to sit on the circle."""
    text = graph.nodes[node]["label"]
    return clip(text if len(text) <= LABEL_WIDTH else short_name(graph, node), LABEL_WIDTH)


def _panel(ax, graph: nx.MultiDiGraph, year: int, order: list[str], net: nx.Graph, between: dict, fonts: float) -> None:
    """One snapshot on the circle: links, marks sized by partners, labels (bold for the three main hubs)."""
    n = len(order)
    angle = {node: math.pi / 2 - 2 * math.pi * i / n for i, node in enumerate(order)}
    xy = {node: (math.cos(a), math.sin(a)) for node, a in angle.items()}
    relation = _relations(graph, year)
    shown = [(u, v) for u, v in net.edges if u in xy and v in xy]
    for u, v in sorted(shown, key=lambda e: tuple(sorted(e))):
        kind = relation.get(frozenset((u, v)), "partnership")
        (x1, y1), (x2, y2) = xy[u], xy[v]
        path = MplPath([(x1, y1), (0.15 * (x1 + x2), 0.15 * (y1 + y2)), (x2, y2)], [1, 3, 3])
        colour = "#08519c" if kind == "hierarchy" else "#d94801"
        ax.add_patch(PathPatch(path, facecolor="none", edgecolor=colour, linewidth=0.8, alpha=0.55, zorder=1))
    hubs = sorted((m for m in order if m in net), key=lambda m: (-between.get(m, 0), m))[:3]
    for node in order:
        x, y = xy[node]
        colour = GROUP_COLOURS[group_of(graph.nodes[node]["body_type"])]
        if node in net:
            size = 14 + 9 * net.degree(node)
            ax.scatter([x], [y], s=size, color=colour, edgecolors="white", linewidths=0.6, zorder=3)
        else:
            ax.scatter([x], [y], s=14, facecolors="white", edgecolors="#b0b0b0", linewidths=0.8, zorder=3)
        a = angle[node]
        deg = math.degrees(a) % 360
        left = 90 < deg < 270
        ax.text(1.09 * x, 1.09 * y, _label(graph, node), rotation=deg - 180 if left else deg,
                rotation_mode="anchor", ha="right" if left else "left", va="center", fontsize=fonts,
                color="#222222" if node in net else "#a0a0a0",
                fontweight="bold" if node in hubs else "normal")  # fmt: skip
    ax.set_xlim(-1.95, 1.95)
    ax.set_ylim(-1.95, 1.95)
    ax.set_aspect("equal")
    ax.axis("off")
    here = sum(1 for m in order if m in net)
    ax.text(-1.9, -1.9, str(year), fontsize=fonts + 12, fontweight="bold", ha="left", va="bottom", color="#333333")
    ax.text(1.9, -1.9, f"snapshot: {net.number_of_nodes()} bodies, {net.number_of_edges()} links\n"
            f"{here} of the {n} bodies shown are present", fontsize=fonts + 1, ha="right", va="bottom")  # fmt: skip


def _relations(graph: nx.MultiDiGraph, year: int) -> dict[frozenset, str]:
    """For each linked pair in the snapshot: 'hierarchy' when any link between them is one, else 'partnership'."""
    found: dict[frozenset, str] = {}
    for u, v, d in snapshot(graph, year).edges(data=True):
        pair = frozenset((u, v))
        if d["relation"] in HIERARCHY:
            found[pair] = "hierarchy"
        else:
            found.setdefault(pair, "partnership")
    return found


def partnership_network_figure(
    graph: nx.MultiDiGraph, years: list[int], out: Path, stem: str | None = None
) -> list[Path]:
    """One panel per year (same positions in each), with legend and sources; write PNG and SVG."""
    order, nets = select_bodies(graph)
    for year in years:
        if year not in nets:
            net = partnership_network(snapshot(graph, year))
            nets[year] = (net, nx.betweenness_centrality(net, normalized=True))
    cols = min(len(years), 3)
    rows = math.ceil(len(years) / cols)
    panel = 7.2 if cols > 1 else 8.6
    width = panel * cols + 0.2
    docs = sorted({doc for n in order for doc in graph.nodes[n]["attested"]},
                  key=lambda d: (graph.graph["documents"][d]["date"], d))  # fmt: skip
    note = (f"Shown: the {len(order)} bodies that rank in the top {TOP_PER_SNAPSHOT} by betweenness in any of "
            f"{', '.join(map(str, SNAPSHOTS))}, with their predecessors and successors; all other bodies are left "
            "out. Hollow grey = not in that year's snapshot. Schools, trusts and neighbourhoods are not part of "
            "this network.")  # fmt: skip
    subtitle = ("Bodies linked by stated relationships (part of, member of, works with, accountable to, oversees, "
                "leads, funds, advises ...). Same position for a body in every panel; mark size = number of partners "
                "in that year; bold = the three main hubs (betweenness).")  # fmt: skip
    legend_rows = -(-8 // legend_columns(width))
    header = 0.42 + 0.17 * len(textwrap.wrap(subtitle, int(width * 14.5))) + 0.2 * legend_rows + 0.1
    bottom = footer_height(width, graph.graph["documents"], docs, note)
    with styled():
        fig = new_figure(width, panel * rows + header + bottom)
        for i, year in enumerate(years):
            left = 0.005 + (i % cols) * panel / width
            low = (bottom + (rows - 1 - i // cols) * panel) / fig.get_figheight()
            ax = fig.add_axes((left, low, panel / width, panel / fig.get_figheight()))
            net, between = nets[year]
            _panel(ax, graph, year, order, net, between, 6.2)
        scope = ", ".join(str(y) for y in years)
        title(fig, f"Partnership network of Luton's education and children's services: {scope}", subtitle)
        _legend(fig)
        footer(fig, graph.graph["documents"], docs, note)
        return save(fig, out, stem or f"network-{'-'.join(map(str, years))}")


def legend_columns(width: float) -> int:
    """Legend entries per row for the network's long legend labels."""
    return max(1, min(4, int(width / 3.6)))


def _legend(fig) -> None:
    """Group colours, link colours, absent marks."""
    handles = [Line2D([], [], linestyle="none", marker="o", color=GROUP_COLOURS[g], label=GROUP_NAMES[g])
               for g in GROUP_ORDER]  # fmt: skip
    handles += [
        Line2D([], [], color="#08519c", label="part of / leads / accountable to / oversees"),
        Line2D([], [], color="#d94801", label="member of / works with / funds / advises ..."),
        Line2D([], [], linestyle="none", marker="o", markerfacecolor="white", markeredgecolor="#b0b0b0",
               color="#b0b0b0", label="not in this snapshot"),
    ]  # fmt: skip
    fig.legend(handles=handles, loc="upper left", bbox_to_anchor=legend_anchor(fig),
               ncol=legend_columns(fig.get_figwidth()), fontsize=7.5, frameon=False)  # fmt: skip
