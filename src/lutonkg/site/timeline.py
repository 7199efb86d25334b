"""The small timeline on an entity page: an inline SVG of the years it holds (by the snapshot rules), the documents
that name it, the dates sources state and its reorganisations (hollow when the curators inferred them). The list
under it on the page says the same in words."""

from __future__ import annotations

from html import escape

from markupsafe import Markup

from lutonkg.analysis.timespan import format_ranges, ranges
from lutonkg.entities.describe import Entity

WIDTH, HEIGHT, LEFT, RIGHT = 640, 64, 16, 16
MARKS = {"document": "#08519c", "stated": "#a63603", "event": "#54278f"}


def _x(year: float, first: int, last: int) -> float:
    """The x position of a (decimal) year."""
    return LEFT + (year - first) / (last + 1 - first) * (WIDTH - LEFT - RIGHT)


def _decimal(date: str) -> float | None:
    """A date as a decimal year ('2002-07' -> 2002.54), None when undated."""
    parts = date.split("-")
    if not parts[0].isdigit():
        return None
    month = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 7
    return int(parts[0]) + (month - 0.5) / 12


def span(entity: Entity) -> tuple[int, int] | None:
    """The years the timeline covers, or None when nothing is dated."""
    years = set(entity.held_years) | {m.year for m in entity.timeline if m.year}
    if not years:
        return None
    first, last = min(years) - 1, max(years) + 1
    while last - first < 10:
        first, last = first - 1, last + 1
    return first, last


def summary(entity: Entity) -> str:
    """The timeline in one sentence (the image's text alternative)."""
    parts = []
    if entity.held_years:
        parts.append(f"holds {format_ranges(entity.held_years)} by the snapshot rules")
    for m in entity.timeline:
        if m.date:
            who = f" {m.other_label}" if m.other_label and m.kind != "document" else ""
            parts.append(f"{m.date}: {m.what}{who}" + (" (curators' inference)" if m.curated else ""))
    return f"Timeline of {entity.label}: " + "; ".join(parts) + "."


def svg(entity: Entity) -> Markup:
    """The timeline as inline SVG, or empty markup when nothing is dated."""
    covered = span(entity)
    if covered is None:
        return Markup("")
    first, last = covered
    out = [f'<svg class="timeline" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" '
           f'aria-label="{escape(summary(entity))}">']  # fmt: skip
    out.append(f'<line x1="{LEFT}" y1="40" x2="{WIDTH - RIGHT}" y2="40" stroke="#595959" stroke-width="1"/>')
    step = 2 if last - first <= 16 else 5
    for year in range(first + (-first) % step, last + 1, step):
        x = _x(year, first, last)
        out.append(f'<line x1="{x:.1f}" y1="40" x2="{x:.1f}" y2="44" stroke="#595959"/>')
        out.append(f'<text x="{x:.1f}" y="57" font-size="11" text-anchor="middle" fill="#333">{year}</text>')
    for a, b in ranges(entity.held_years):
        x1, x2 = _x(a, first, last), _x(b + 1, first, last)
        out.append(f'<rect x="{x1:.1f}" y="30" width="{x2 - x1:.1f}" height="10" fill="#9ecae1"/>')
    for m in entity.timeline:
        x = _decimal(m.date)
        if x is None:
            continue
        cx, colour = _x(x, first, last), MARKS.get(m.kind, "#333")
        fill = "#fff" if m.curated else colour
        if m.kind == "document":
            out.append(f'<circle cx="{cx:.1f}" cy="20" r="5" fill="{fill}" stroke="{colour}" stroke-width="2"/>')
        else:
            out.append(f'<path d="M{cx:.1f} 12 l6 8 l-6 8 l-6 -8 z" fill="{fill}" stroke="{colour}" '
                       'stroke-width="2"/>')  # fmt: skip
    out.append("</svg>")
    return Markup("".join(out))
