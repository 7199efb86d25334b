"""What the notebooks in notebooks/ share: a plain stop when the graph is not built, results as pandas DataFrames,
and diagrams shown inline.

>>> from lutonkg.notebook import require_graph, query_frame, frame, diagram
>>> require_graph()                                   # graph/lutonkg.nq, or one line saying to build it
>>> query_frame("recommendations-to-body", {"body": "luton-lea"}).head()
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from IPython.display import Image

from lutonkg.diagrams.style import preview
from lutonkg.namespaces import short
from lutonkg.project import find_project
from lutonkg.query import run_full
from lutonkg.table import Table, shown

FIGURE_PIXELS = 1800


class GraphNotBuilt(FileNotFoundError):
    """The built graph file is missing; Jupyter shows the message alone, without a traceback."""

    def _render_traceback_(self) -> list[str]:
        """IPython calls this instead of printing a traceback."""
        return [f"GraphNotBuilt: {self}"]


def require_graph(path: Path | None = None) -> Path:
    """The built N-Quads file (by default the current project's), or GraphNotBuilt saying how to build it (the first
    cell of every notebook)."""
    if path is None:
        project = find_project()
        path, where = project.nquads, project.root
    else:
        where = path.parent
    if not path.is_file():
        raise GraphNotBuilt(f"{path} not found: build the graph first with `lutonkg build` in {where}, then run this "
                            "notebook again")  # fmt: skip
    return path


def readable(value: Any) -> Any:
    """An IRI shortened as the command line prints it (document ids bare, `body/luton-lea`, `lkg:Term`); else as is."""
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        return short(value)
    return value


def frame(result: Table | list[dict], columns: list[str] | None = None) -> pd.DataFrame:
    """An analysis Table (its shown columns; hidden ones with columns=table.all_columns()) or rows as a DataFrame."""
    if isinstance(result, Table):
        return pd.DataFrame(result.rows, columns=columns or result.columns)
    return pd.DataFrame(result, columns=columns)


def query_frame(
    query: str, params: dict[str, str] | None = None, *, full: bool = False, engine: Any = None
) -> pd.DataFrame:
    """Run a library query (by name), a .rq file or SPARQL text; the rows as a DataFrame in SELECT column order.

    By default IRIs are shortened and an IRI column X is left out where a column XLabel names the same thing, as
    `lutonkg query` prints them; full=True keeps every column and full IRIs.
    """
    names, rows = run_full(query, params, engine)
    if full:
        return pd.DataFrame(rows, columns=names)
    names = shown(names)
    return pd.DataFrame([{n: readable(row.get(n)) for n in names} for row in rows], columns=names)


def diagram(draw: Callable[..., list[Path]], *args: Any, pixels: int = FIGURE_PIXELS, **kwargs: Any) -> Image:
    """Draw with a lutonkg.diagrams function into a temporary folder and return its PNG, drawn at most `pixels`
    wide, for inline display.

    `draw` is e.g. responsibility_map or partnership_network_figure, called with args and out=<temporary folder>;
    to keep the 300 dpi PNG and the SVG, call it yourself with a folder of your own.
    """
    with tempfile.TemporaryDirectory(prefix="lutonkg-figure-") as folder, preview(pixels):
        paths = draw(*args, out=Path(folder), **kwargs)
        return Image(data=next(p for p in paths if p.suffix == ".png").read_bytes(), format="png")
