"""Drawing a briefing's diagrams (responsibility maps, the timeline of bodies) once, as PNG and SVG bytes."""

from __future__ import annotations

import tempfile
from pathlib import Path

from lutonkg.reports.context import ReportGraph
from lutonkg.reports.model import Briefing, Figure


def draw(figure: Figure, rg: ReportGraph) -> Figure:
    """Draw a figure (if not drawn yet for this graph) with the project's diagram code; keep its PNG and SVG bytes."""
    key = (figure.kind, figure.target, figure.year)
    if key in rg.drawn:
        figure.png, figure.svg = rg.drawn[key]
        return figure
    graph = rg.network
    with tempfile.TemporaryDirectory() as tmp:
        if figure.kind == "responsibility":
            from lutonkg.diagrams.map import responsibility_map

            paths = responsibility_map(graph, figure.target, figure.year, Path(tmp), figure.stem)
        else:
            from lutonkg.diagrams.timeline import body_timeline_figure

            paths = body_timeline_figure(graph, Path(tmp), figure.stem)
        png, svg = (p for p in paths if p.suffix == ".png"), (p for p in paths if p.suffix == ".svg")
        figure.png, figure.svg = next(png).read_bytes(), next(svg).read_bytes()
    rg.drawn[key] = (figure.png, figure.svg)
    return figure


def draw_all(briefing: Briefing) -> list[Figure]:
    """Every figure of a briefing, drawn."""
    if briefing.graph is None:
        raise ValueError("this briefing has no graph to draw its figures from")
    return [draw(f, briefing.graph) for f in briefing.figures()]
