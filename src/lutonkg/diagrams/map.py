"""Responsibility map: the chain of responsibility for a duty, aspect, theme or body at a date, in layers left to
right (law -> duty -> holder -> responsible body -> line of accountability -> partners -> inspectors).

The boxes and links come from `lutonkg.responsibility.who`, so every link drawn is a cited row of `lutonkg who`.
Links between neighbouring columns are drawn as lines; a link that would cross other columns is written inside the
right-hand box instead ("<- inspects Luton Borough Council"), which keeps the map free of long crossing lines.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import networkx as nx
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from lutonkg.analysis.graphview import short_name
from lutonkg.analysis.responsibility import who
from lutonkg.diagrams.style import KIND_COLOURS, footer, legend_anchor, new_figure, save, styled, title, wrap

COLUMNS = [
    ("law", "Law", "law"),
    ("duty", "Duty / recommendation", "duty"),
    ("holder", "Holder", "holder"),
    ("responsible", "Responsible body", "discharger"),
    ("accountability", "Line of accountability", "oversight"),
    ("partner", "Partners", "partner"),
    ("inspector", "Inspected by", "inspector"),
    ("recommendation", "Open recommendations", "recommendation"),
]
ORDER = [c for c, _, _ in COLUMNS]
MAX_PER_COLUMN = 14
WRAP = 30
LINE, PAD, GAP = 1.0, 0.9, 0.8
BOX_WIDTH = 0.86
INCH_PER_UNIT, INCH_PER_COLUMN = 0.125, 2.25
LINK_COLOUR = {"law": "law", "holder": "holder", "discharger": "discharger", "body": "discharger",
               "within": "within", "oversight": "oversight", "partner": "partner", "inspector": "inspector",
               "recommendation": "recommendation"}  # fmt: skip
INVERSE = {"rests on": "basis of", "held by": "holds", "discharged by": "carries out", "requires": "required by",
           "part of": "includes", "in trust": "runs", "accountable to": "oversees", "oversees": "overseen by",
           "leads": "led by", "chairs": "chaired by", "member of": "has member", "addressed to": "recommendation",
           "concerns duty": "recommendation on",
           "concerns": "concerned by", "inspects": "inspected by"}  # fmt: skip
Link = tuple[str, str, str, str, bool]


def _node_of(row: dict) -> str:
    """The box a row starts from: an inspection's inspectorates share one box."""
    return "inspectors:" + row["from"] if row["step"] == "inspector" else row["from_id"]


def _place(rows: list[dict]) -> dict[str, str]:
    """The column of every node; a node claimed by several columns goes to the leftmost."""
    column: dict[str, str] = {}

    def put(node: str, col: str) -> None:
        if node and (node not in column or ORDER.index(col) < ORDER.index(column[node])):
            column[node] = col

    targets = {"law": "law", "holder": "holder", "discharger": "responsible", "recommendation": "responsible"}
    for r in rows:
        u, v, step = _node_of(r), r["to_id"], r["step"]
        if step == "recommendation" and r["relation"] == "concerns duty":
            put(u, "recommendation")
        elif step in targets:
            put(u, "duty")
            put(v, targets[step])
        elif step == "body":
            put(v, "responsible")
        elif step in ("within", "oversight"):
            put(u, "accountability")
            put(v, "accountability")
        elif step == "partner":
            put(u if v in column else v, "partner")
        elif step == "inspector":
            put(u, "inspector")
            put(v, "accountability")
    return column


def _labels(graph: nx.MultiDiGraph, rows: list[dict], column: dict[str, str]) -> dict[str, str]:
    """Box texts: duties and recommendations with their summary, inspectorate groups by short names and date."""
    label: dict[str, str] = {}
    for r in rows:
        if r["step"] == "inspector":
            names = [short_name(graph, n) for n in r["from_ids"]] if r.get("from_ids") else [r["from"]]
            held = r["held"].replace(" (", "; ").rstrip(")")
            many = f"{len(names)} inspectorates " if len(names) > 2 else ""
            label.setdefault(_node_of(r), f"{many}({held}): {', '.join(names)}" if many else f"{names[0]} ({held})")
    for node in column:
        d = graph.nodes[node] if node in graph else {}
        if d.get("kind") == "duty":
            label[node] = f"{d['duty_id']}: {d['label']}"
        elif d.get("kind") == "recommendation":
            label[node] = f"{d['rec_id']}: {d['label']}"
        elif d:
            label[node] = d["label"]
    return label


def _links(rows: list[dict]) -> list[Link]:
    """(u, v, colour step, relation, inferred) for every drawable row.

    A duty's discharging body is linked from the duty's holder (the council carries out its duty through the
    service), so the map reads as one chain; without a holder it is linked from the duty.
    """
    holders: dict[str, list[str]] = {}
    for r in rows:
        if r["step"] == "holder":
            holders.setdefault(r["from_id"], []).append(r["to_id"])
    found = []
    for r in rows:
        u = _node_of(r)
        starts = holders.get(u, [u]) if r["step"] == "discharger" else [u]
        relation = r["relation"].split(" (")[0]
        for start in starts:
            if r["to_id"] and start != r["to_id"] and r["step"] in LINK_COLOUR:
                found.append((start, r["to_id"], LINK_COLOUR[r["step"]], relation, bool(r["inferred"])))
    return sorted(set(found))


def _trim(column: dict[str, str], links: list[Link]) -> tuple[dict[str, str], int]:
    """At most MAX_PER_COLUMN nodes per column, the best connected; the kept columns and how many were left out."""
    degree: dict[str, int] = {}
    for u, v, *_ in links:
        degree[u] = degree.get(u, 0) + 1
        degree[v] = degree.get(v, 0) + 1
    kept, dropped = {}, 0
    for col in ORDER:
        nodes = sorted((n for n, c in column.items() if c == col), key=lambda n: (-degree.get(n, 0), n))
        kept.update({n: col for n in nodes[:MAX_PER_COLUMN]})
        dropped += max(0, len(nodes) - MAX_PER_COLUMN)
    return kept, dropped


def _order(cols: list[str], column: dict[str, str], links: list[Link], label: dict[str, str]) -> dict[str, list]:
    """Nodes of each column ordered by the mean position of their neighbours in other columns (two sweeps)."""
    order = {c: sorted((n for n in column if column[n] == c), key=lambda n: label[n].casefold()) for c in cols}
    neighbours: dict[str, list[str]] = {}
    for u, v, *_ in links:
        neighbours.setdefault(u, []).append(v)
        neighbours.setdefault(v, []).append(u)
    for _ in range(2):
        for col in cols:
            rank = {n: k / max(1, len(order[c]) - 1) for c in cols if c != col for k, n in enumerate(order[c])}
            centre = {n: _mean([rank[o] for o in neighbours.get(n, []) if o in rank]) for n in order[col]}
            order[col] = sorted(order[col], key=lambda n: (centre[n], label[n].casefold()))
    return order


def _mean(values: list[float]) -> float:
    """Mean, 0.5 for none."""
    return sum(values) / len(values) if values else 0.5


def _far_notes(far: list[Link], column: dict[str, str], label: dict[str, str], order: dict) -> dict[str, list[str]]:
    """For links that would cross other boxes: a line in the right-hand (or lower) box naming the other end."""
    notes: dict[str, list[str]] = {}
    for u, v, _, relation, inferred in far:
        place = {n: (ORDER.index(column[n]), order[column[n]].index(n)) for n in (u, v)}
        right, left = (u, v) if place[u] > place[v] else (v, u)
        verb = relation if right == u else INVERSE.get(relation, relation)
        other = short_name_text(label[left])
        line = wrap(f"\u2190 {verb} {other}{' (inferred)' if inferred else ''}", WRAP + 2, 2)
        if line not in notes.setdefault(right, []):
            notes[right].append(line)
    return {n: lines[:3] + [f"\u2190 and {len(lines) - 3} more"] * (len(lines) > 3) for n, lines in notes.items()}


def short_name_text(text: str) -> str:
    """A box label cut at its summary (a duty's id, not its sentence)."""
    return text.split(": ")[0] if ": " in text[:60] else text


def responsibility_map(
    graph: nx.MultiDiGraph, text: str, year: int | None, out: Path, stem: str | None = None
) -> list[Path]:
    """Draw the map for what `text` names at `year`; write PNG and SVG; return their paths."""
    table = who(graph, text, year)
    rows = [r for r in table.rows if r["step"] != "priority"]
    column = _place(rows)
    label = _labels(graph, rows, column)
    links = _links(rows)
    column, dropped = _trim(column, links)
    links = [e for e in links if e[0] in column and e[1] in column]
    cols = [c for c in ORDER if c in column.values()]
    order = _order(cols, column, links, label)
    near = [e for e in links if _drawable(e, cols, column, order)]
    notes = _far_notes([e for e in links if e not in near], column, label, order)
    many = sum(1 for c in column.values() if c == "duty") > 6
    for r in rows:
        if r["step"] == "body" and r["relation"] != "named for the topic" and r["to_id"] in column:
            kin = f"\u21b3 {r['relation']}{' (inferred)' if r['inferred'] else ''}"
            notes.setdefault(r["to_id"], []).insert(0, wrap(kin, WRAP + 2, 2))
        if not r["to_id"] and r["from_id"] in column:
            gap = "no discharger named" if r["step"] == "discharger" else "no legal basis cited"
            notes.setdefault(r["from_id"], []).insert(0, f"\u2716 {gap}")
    texts = {n: "\n".join([_box_text(n, label[n], column[n], many), *notes.get(n, [])]) for n in column}
    with styled():
        fig = _draw(table.name, year, cols, column, texts, near, order)
        docs = sorted({r["document"] for r in rows if r["document"] and r["document"] != "curation"},
                      key=lambda d: (graph.graph["documents"][d]["date"], d))  # fmt: skip
        left_out = f"{dropped} further box(es) not shown: at most {MAX_PER_COLUMN} per column, best connected kept. "
        note = left_out * bool(dropped) + "Dashed links are curators' inferences, not statements of a source."
        footer(fig, graph.graph["documents"], docs, note)
        return save(fig, out, stem or f"responsibility-{_slug(text)}-{year or 'all'}")


def _box_text(node: str, text: str, col: str, many: bool) -> str:
    """A box's main text, wrapped: fewer lines for duties when an aspect has many."""
    lines = 7 if col == "inspector" else 2 if (col == "duty" and many) else 4
    return wrap(text, WRAP, lines)


def _drawable(link: Link, cols: list[str], column: dict[str, str], order: dict[str, list[str]]) -> bool:
    """A link is drawn between neighbouring columns, or between neighbouring boxes of one column."""
    u, v = link[0], link[1]
    if column[u] == column[v]:
        return abs(order[column[u]].index(u) - order[column[v]].index(v)) == 1
    return abs(cols.index(column[u]) - cols.index(column[v])) == 1


SUBTITLE = (
    "Chain of responsibility in the graph: legal basis, holder, the body that carries it out, its line of "
    "accountability, partners and inspectors. Every link is a cited row of `lutonkg who`."
)


def _draw(name: str, year, cols, column, texts, links, order):
    """The figure: title, legend, column headers, boxes and links; the header's height follows its line count."""
    heights = {n: texts[n].count("\n") * LINE + LINE + PAD for n in column}
    total = max(sum(heights[n] for n in order[c]) + GAP * (len(order[c]) - 1) for c in cols)
    width = max(9.0, len(cols) * INCH_PER_COLUMN + 0.4)
    entries = len({e[2] for e in links}) + 3
    header = 0.42 + 0.17 * len(textwrap.wrap(SUBTITLE, int(width * 14.5))) + 0.2 * -(-entries // int(width / 2.1))
    fig = new_figure(width, total * INCH_PER_UNIT + header + 1.35)
    top, bottom = 1 - (header + 0.3) / fig.get_figheight(), 0.95 / fig.get_figheight()
    ax = fig.add_axes((0.01, bottom, len(cols) * INCH_PER_COLUMN / width, top - bottom))
    ax.set_xlim(-0.55, len(cols) - 0.45)
    ax.set_ylim(total + 0.8, -0.2)
    ax.axis("off")
    pos = _draw_nodes(ax, cols, order, texts, heights, total)
    _draw_links(ax, links, pos, cols, column)
    scope = name.split(": ", 1)[1].rsplit(" in ", 1)[0].split(" (all")[0]
    when = f"in {year}" if year is not None else "across 2000-2020"
    title(fig, f"Who is responsible: {scope} {when}", SUBTITLE)
    _legend(fig, links)
    return fig


def _slug(text: str) -> str:
    """A file-name slug."""
    return "-".join("".join(ch if ch.isalnum() else " " for ch in text.lower()).split())[:60]


def _draw_nodes(ax, cols, order, texts, heights, total) -> dict[str, tuple[float, float]]:
    """Column headers and boxes; returns each node's centre."""
    pos = {}
    heads = {c: (t, k) for c, t, k in COLUMNS}
    for x, col in enumerate(cols):
        head, kind = heads[col]
        ax.text(x, -0.1, head, ha="center", va="bottom", fontsize=9, fontweight="bold", color=KIND_COLOURS[kind])
        used = sum(heights[n] for n in order[col]) + GAP * (len(order[col]) - 1)
        y = 0.3 + (total - used) / 2
        for node in order[col]:
            h = heights[node]
            corner = (x - BOX_WIDTH / 2, y)
            box = FancyBboxPatch(corner, BOX_WIDTH, h, boxstyle="round,pad=0,rounding_size=0.12", facecolor="white",
                                 edgecolor=KIND_COLOURS[kind], linewidth=1.1, zorder=3)  # fmt: skip
            ax.add_patch(box)
            ax.text(x, y + h / 2, texts[node], ha="center", va="center", fontsize=7, zorder=4, linespacing=1.15)
            pos[node] = (x, y + h / 2)
            y += h + GAP
    return pos


def _draw_links(ax, links: list[Link], pos, cols, column) -> None:
    """Links between boxes: side to side across neighbouring columns, an arc on the right within a column."""
    for u, v, step, _, inferred in links:
        (xu, yu), (xv, yv) = pos[u], pos[v]
        if cols.index(column[u]) > cols.index(column[v]):
            (xu, yu), (xv, yv) = (xv, yv), (xu, yu)
        same = xu == xv
        start = (xu + BOX_WIDTH / 2, yu)
        end = (xv + BOX_WIDTH / 2, yv) if same else (xv - BOX_WIDTH / 2, yv)
        patch = FancyArrowPatch(start, end, arrowstyle="-", connectionstyle="arc3,rad=-0.45" if same else "arc3",
                                linewidth=0.9, alpha=0.85, color=KIND_COLOURS[step],
                                linestyle="--" if inferred else "-", zorder=2)  # fmt: skip
        ax.add_patch(patch)


def _legend(fig, links: list[Link]) -> None:
    """Link colours by step, the dashed style for inferred links, and the in-box notes."""
    names = {"law": "rests on (law)", "holder": "held by", "discharger": "carried out by", "within": "part of / led by",
             "oversight": "accountable to / overseen by", "partner": "partner", "inspector": "inspects",
             "recommendation": "recommendation to / on"}  # fmt: skip
    used = [s for s in names if any(e[2] == s for e in links)]
    handles = [Line2D([], [], color=KIND_COLOURS[s], linewidth=1.5, label=names[s]) for s in used]
    handles.append(Line2D([], [], color="#555555", linestyle="--", linewidth=1.2, label="inferred by curators"))
    handles.append(
        Line2D(
            [], [], linestyle="none", marker="$\u2190$", color="#333333", label="link to a box further left or above"
        )
    )
    handles.append(
        Line2D([], [], linestyle="none", marker="$\u2716$", color="#333333", label="nothing named in the source")
    )
    fig.legend(handles=handles, loc="upper left", bbox_to_anchor=legend_anchor(fig),
               ncol=legend_columns(fig, len(handles)), fontsize=7, frameon=False, handlelength=2.2)  # fmt: skip


def legend_columns(fig, count: int) -> int:
    """Legend entries per row so that the legend fits the figure's width (about 2.1 inches an entry)."""
    return max(1, min(count, int(fig.get_figwidth() / 2.1)))
