"""Drawing a briefing's diagrams (responsibility maps, the timeline of bodies) once, as PNG and SVG bytes."""

from __future__ import annotations

import tempfile
from pathlib import Path

import networkx as nx

from lutonkg.reports.model import Briefing, Figure


def draw(figure: Figure, graph: nx.MultiDiGraph) -> Figure:
    """Draw a figure (if not drawn yet) with the project's diagram code; keep its PNG and SVG bytes."""
    if figure.png and figure.svg:
        return figure
    with tempfile.TemporaryDirectory() as tmp:
        if figure.kind == "responsibility":
            from lutonkg.diagrams.map import responsibility_map

            paths = responsibility_map(graph, figure.target, figure.year, Path(tmp), figure.stem)
        else:
            from lutonkg.diagrams.timeline import body_timeline_figure

            paths = body_timeline_figure(graph, Path(tmp), figure.stem)
        png, svg = (p for p in paths if p.suffix == ".png"), (p for p in paths if p.suffix == ".svg")
        figure.png, figure.svg = next(png).read_bytes(), next(svg).read_bytes()
    return figure


def draw_all(briefing: Briefing) -> list[Figure]:
    """Every figure of a briefing, drawn."""
    if briefing.graph is None:
        raise ValueError("this briefing has no graph to draw its figures from")
    return [draw(f, briefing.graph) for f in briefing.figures()]
