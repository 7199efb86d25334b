"""Printing result tables: one renderer for every subcommand, as wrapped text (rich), CSV, TSV, JSON or Markdown.

Text tables wrap long cells inside their column and never cut them, so an id, a school's name or a locator is
always whole. IRIs print short (`body/luton-lea`, documents as their id, `lkg:Term`) in text and Markdown, in full in
CSV, TSV and JSON. JSON keeps numbers and booleans as JSON numbers and booleans; absent values are null.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sys
from collections.abc import Iterable
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table as RichTable

from lutonkg.namespaces import short
from lutonkg.table import Table

FORMATS = ("table", "csv", "tsv", "json", "markdown")
PIPE_WIDTH = 120
GAP = 3  # between two columns: padding, rich's (blank) column separator, padding


def width() -> int:
    """The text width: the terminal's when writing to one, else a fixed 120 columns (same output every run)."""
    return shutil.get_terminal_size((PIPE_WIDTH, 24)).columns if sys.stdout.isatty() else PIPE_WIDTH


def text_cell(value: Any) -> str:
    """A value as a person reads it: IRIs short, lists joined with '; ', booleans yes/no, floats to 3 places."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".")
    if isinstance(value, list | tuple | set | frozenset):
        return "; ".join(text_cell(v) for v in _ordered(value))
    return short(value)


def data_cell(value: Any) -> str:
    """A value for CSV and TSV: in full, lists joined with '; ', booleans true/false, None empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple | set | frozenset):
        return "; ".join(data_cell(v) for v in _ordered(value))
    return str(value)


def _ordered(values: Iterable[Any]) -> list[Any]:
    """Lists keep their order; sets are sorted (so output never depends on hashing)."""
    return sorted(values, key=str) if isinstance(values, set | frozenset) else list(values)


def _json_value(value: Any) -> Any:
    """A value for JSON: numbers, booleans and None as themselves, sets as sorted lists, tuples as lists."""
    if isinstance(value, set | frozenset | tuple | list):
        return [_json_value(v) for v in _ordered(value)]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def widths(table: Table, total: int) -> list[int]:
    """Column widths that fit `total` characters with the gaps between columns and never need a cell cut: each column
    gets at least its longest word (an id, an IRI) where the table can afford it, the widest words are folded where it
    cannot, and the room left goes to the columns whose text would otherwise wrap most."""
    cells = [[name] + [text_cell(row.get(name)) for row in table.rows] for name in table.columns]
    natural = [max(len(c) for c in column) for column in cells]
    least = [
        min(max(len(w) for c in column for w in c.split() or [""]), n) for column, n in zip(cells, natural, strict=True)
    ]
    room = max(total - GAP * (len(cells) - 1), len(cells))
    found = [max(1, w) for w in least]
    while sum(found) > room and max(found) > 4:
        found[found.index(max(found))] -= 1
    while sum(found) < room and any(f < n for f, n in zip(found, natural, strict=True)):
        short = max(range(len(found)), key=lambda i: (natural[i] - found[i]) / max(found[i], 1))
        found[short] += 1
    return found


def text(table: Table, columns: int | None = None) -> str:
    """One table as wrapped text: a heading with the row count, the rows, and the notes under it."""
    console = Console(
        file=io.StringIO(), width=columns or width(), color_system=None, highlight=False, emoji=False, markup=False
    )
    grid = RichTable(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="", expand=False)
    for name, size in zip(table.columns, widths(table, console.width), strict=True):
        grid.add_column(name, overflow="fold", width=size)
    for row in table.rows:
        grid.add_row(*(text_cell(row.get(c)) for c in table.columns))
    console.print(f"== {table.name} ({len(table.rows)} row{'s' if len(table.rows) != 1 else ''})")
    if table.columns:
        console.print(grid)
    for note in table.notes:
        console.print(f"  {note}")
    lines = console.file.getvalue().splitlines()
    return "\n".join(line.rstrip() for line in lines) + "\n"


def delimited(tables: list[Table], delimiter: str) -> str:
    """CSV (RFC 4180 quoting) or TSV (tabs and newlines inside values become spaces); several tables share one
    header with a leading `table` column."""
    many = len(tables) > 1
    columns = (["table"] if many else []) + list(dict.fromkeys(c for t in tables for c in t.all_columns()))
    out = io.StringIO()
    if delimiter == "\t":
        out.write("\t".join(columns) + "\n")
    else:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
    for t in tables:
        for row in t.rows:
            cells = [t.name if c == "table" and many else data_cell(row.get(c)) for c in columns]
            if delimiter == "\t":
                out.write("\t".join(" ".join(c.replace("\t", " ").splitlines()) for c in cells) + "\n")
            else:
                writer.writerow(cells)
    return out.getvalue()


def as_json(tables: list[Table]) -> str:
    """One table: a list of row objects; several: an object of table name to rows. Every column, full values."""
    payload: Any = {t.name: [{c: _json_value(r.get(c)) for c in t.all_columns()} for r in t.rows] for t in tables}
    if len(tables) == 1:
        payload = payload[tables[0].name]
    return json.dumps(payload, indent=1, ensure_ascii=False) + "\n"


def markdown(table: Table) -> str:
    """A GitHub-flavoured Markdown table (pipes escaped), headed by the table's name, notes under it."""

    def esc(value: str) -> str:
        return value.replace("|", "\\|").replace("\n", " ")

    lines = [f"**{esc(table.name)}** ({len(table.rows)} row{'s' if len(table.rows) != 1 else ''})", ""]
    if table.columns:
        lines.append("| " + " | ".join(esc(c) for c in table.columns) + " |")
        lines.append("|" + "|".join(" --- " for _ in table.columns) + "|")
        for row in table.rows:
            lines.append("| " + " | ".join(esc(text_cell(row.get(c))) for c in table.columns) + " |")
    lines += [""] + [f"- {esc(note)}" for note in table.notes] if table.notes else []
    return "\n".join(lines) + "\n"


def render(tables: Table | list[Table], fmt: str, columns: int | None = None) -> str:
    """Tables in one of FORMATS."""
    tables = [tables] if isinstance(tables, Table) else tables
    if fmt == "table":
        return "\n".join(text(t, columns) for t in tables)
    if fmt == "csv":
        return delimited(tables, ",")
    if fmt == "tsv":
        return delimited(tables, "\t")
    if fmt == "json":
        return as_json(tables)
    if fmt == "markdown":
        return "\n".join(markdown(t) for t in tables)
    raise ValueError(f"unknown format {fmt!r}")


def format_option(parser: Any) -> None:
    """--format/-f with every format."""
    parser.add_argument("--format", "-f", choices=FORMATS, default="table", help="output format (default: table)")
