"""What every diagram shares: deterministic matplotlib settings, colours, wrapped labels, title, footer and saving
to PNG (300 dpi) and SVG (text kept as text, so labels can be searched and restyled)."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

DPI = 300
STYLE = {
    "svg.hashsalt": "lutonkg",
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 8,
    "axes.titlesize": 10,
    "path.simplify": False,
}
KIND_COLOURS = {
    "law": "#6a51a3",
    "duty": "#807dba",
    "holder": "#08519c",
    "discharger": "#2171b5",
    "body": "#4292c6",
    "within": "#6baed6",
    "oversight": "#238b45",
    "partner": "#d94801",
    "inspector": "#a50f15",
    "recommendation": "#737373",
    "priority": "#969696",
}
GROUP_COLOURS = {
    "council": "#2171b5",
    "statutory": "#08306b",
    "partnership": "#d94801",
    "external": "#238b45",
    "inspectorate": "#a50f15",
    "other": "#737373",
}
STATUS_COLOURS = {
    "made": "#4d4d4d",
    "addressed": "#1a9850",
    "partly-addressed": "#a6d96a",
    "still-open": "#d73027",
    "recurring": "#fdae61",
    "mentioned": "#d9d9d9",
    "none": "#ffffff",
}


def wrap(text: str, width: int, lines: int = 3) -> str:
    """Text wrapped to a width, at most `lines` lines, the last clipped with an ellipsis."""
    parts = textwrap.wrap(text, width) or [""]
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] = parts[-1][: max(1, width - 1)].rstrip() + "\u2026"
    return "\n".join(parts)


def new_figure(width: float, height: float) -> Figure:
    """A figure under the project style (call inside `styled()`)."""
    return plt.figure(figsize=(width, height))


def styled():
    """Context manager applying the deterministic style."""
    return matplotlib.rc_context(STYLE)


def title(fig: Figure, main: str, sub: str) -> float:
    """Bold title and the scope under it, at the top left; returns the inches they take from the top."""
    height = fig.get_figheight()
    lines = textwrap.wrap(sub, int(fig.get_figwidth() * 14.5))
    fig.text(0.012, 1 - 0.12 / height, main, fontsize=13, fontweight="bold", va="top", ha="left")
    fig.text(0.012, 1 - 0.42 / height, "\n".join(lines), fontsize=8.5, va="top", ha="left", color="#333333")
    used = 0.42 + 0.17 * len(lines)
    fig.lutonkg_header = used
    return used


def legend_anchor(fig: Figure) -> tuple[float, float]:
    """Where a legend goes: just under the title and scope line(s)."""
    return (0.008, 1 - (getattr(fig, "lutonkg_header", 0.6) + 0.04) / fig.get_figheight())


def footer_lines(width: float, documents: dict[str, dict], used: list[str], extra: str = "") -> list[str]:
    """The footer's lines for a figure of this width: the sources it draws on, then any note."""
    names = [f"{documents[d]['label']} ({d}, {documents[d]['date']})" for d in used if d in documents]
    text = "Sources: " + "; ".join(names) + ". Graph: lutonkg (graph/lutonkg.nq)."
    return textwrap.wrap(text, int(width * 17)) + (textwrap.wrap(extra, int(width * 17)) if extra else [])


def footer_height(width: float, documents: dict[str, dict], used: list[str], extra: str = "") -> float:
    """Inches the footer takes at the bottom of a figure of this width."""
    return 0.1 + 0.115 * len(footer_lines(width, documents, used, extra))


def footer(fig: Figure, documents: dict[str, dict], used: list[str], extra: str = "") -> None:
    """The sources the figure draws on (short title, id and date), and any note on what was left out."""
    lines = footer_lines(fig.get_figwidth(), documents, used, extra)
    fig.text(0.012, 0.008, "\n".join(lines), fontsize=6.5, va="bottom", ha="left", color="#444444")


_FORMATS: list[tuple[str, ...]] = [("png", "svg")]
_PREVIEW: list[int] = []  # while `preview` is on: the PNG's greatest width in pixels


@contextmanager
def only(*formats: str) -> Iterator[None]:
    """Within the block, `save` writes only these formats (e.g. only("svg") for the site, which embeds SVG)."""
    _FORMATS.append(formats)
    try:
        yield
    finally:
        _FORMATS.pop()


@contextmanager
def preview(pixels: int) -> Iterator[None]:
    """Within the block, `save` writes only the PNG, drawn at most `pixels` wide and four times that tall (a notebook's
    inline figure: drawn at that size, not drawn at 300 dpi and then shrunk, which takes several times longer)."""
    _FORMATS.append(("png",))
    _PREVIEW.append(pixels)
    try:
        yield
    finally:
        _PREVIEW.pop()
        _FORMATS.pop()


def png_dpi(fig: Figure) -> float:
    """The PNG's resolution: 300 dpi, or less under `preview` so that the figure fits its width (and 4 × its height)."""
    if not _PREVIEW:
        return DPI
    width, height = fig.get_size_inches()
    return min(DPI, _PREVIEW[-1] / width, 4 * _PREVIEW[-1] / height)


def save(fig: Figure, out: Path, stem: str) -> list[Path]:
    """Write `<stem>.png` (300 dpi) and `<stem>.svg` into a folder (or only the formats `only` or `preview` allow),
    without dates or software versions."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    if "png" in _FORMATS[-1]:
        written.append(out / f"{stem}.png")
        fig.savefig(written[-1], dpi=png_dpi(fig), metadata={"Software": None})
    if "svg" in _FORMATS[-1]:
        written.append(out / f"{stem}.svg")
        fig.savefig(written[-1], metadata={"Date": None, "Creator": None})
    plt.close(fig)
    return written
