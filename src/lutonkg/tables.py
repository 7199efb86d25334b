"""Result tables for the analysis commands, printed as a readable text table, CSV or JSON."""

from __future__ import annotations

import csv
import io
import json
import shutil
import textwrap
from dataclasses import dataclass, field

FORMATS = ("table", "csv", "json")


@dataclass
class Table:
    """A named table: column names, rows (dicts keyed by column), notes printed under it, and `hidden` columns
    that CSV and JSON carry but the text table leaves out (full citation lists, node keys)."""

    name: str
    columns: list[str]
    rows: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    hidden: list[str] = field(default_factory=list)

    def all_columns(self) -> list[str]:
        """Shown and hidden columns, for CSV and JSON."""
        return self.columns + [c for c in self.hidden if c not in self.columns]


def _cell(value: object) -> str:
    """A value as text: lists joined with '; ', None as ''."""
    if value is None:
        return ""
    if isinstance(value, list | tuple | set | frozenset):
        return "; ".join(_cell(v) for v in value)
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _widths(table: Table, total: int) -> list[int]:
    """Column widths that fit `total` characters, shrinking the widest columns first."""
    widths = [max([len(c)] + [len(_cell(r.get(c))) for r in table.rows]) for c in table.columns]
    budget = total - 2 * (len(widths) - 1)
    while sum(widths) > budget and max(widths) > 12:
        widest = widths.index(max(widths))
        widths[widest] -= 1
    return widths


def render_text(table: Table, width: int | None = None) -> str:
    """One table as aligned text; long cells wrap inside their column."""
    total = width or max(100, shutil.get_terminal_size((160, 40)).columns)
    widths = _widths(table, total)
    lines = [f"== {table.name} ({len(table.rows)} rows)"]
    header = "  ".join(c.ljust(w) for c, w in zip(table.columns, widths, strict=True))
    lines += [header.rstrip(), "  ".join("-" * w for w in widths)]
    for row in table.rows:
        cells = [textwrap.wrap(_cell(row.get(c)), w) or [""] for c, w in zip(table.columns, widths, strict=True)]
        for i in range(max(len(c) for c in cells)):
            parts = [(c[i] if i < len(c) else "").ljust(w) for c, w in zip(cells, widths, strict=True)]
            lines.append("  ".join(parts).rstrip())
    lines += [f"  {note}" for note in table.notes]
    return "\n".join(lines)


def render(tables: list[Table], fmt: str) -> str:
    """Tables in one of FORMATS; several tables in CSV share one header with a leading `table` column."""
    if fmt == "json":
        payload = {t.name: [{c: r.get(c) for c in t.all_columns()} for r in t.rows] for t in tables}
        if len(tables) == 1:
            payload = payload[tables[0].name]
        return json.dumps(payload, indent=2, ensure_ascii=False, default=_json_default)
    if fmt == "csv":
        many = len(tables) > 1
        columns = (["table"] if many else []) + list(dict.fromkeys(c for t in tables for c in t.all_columns()))
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for t in tables:
            for row in t.rows:
                cells = {c: _cell(row.get(c)) for c in t.all_columns()}
                writer.writerow({**({"table": t.name} if many else {}), **cells})
        return out.getvalue().rstrip("\n")
    return "\n\n".join(render_text(t) for t in tables)


def _json_default(value: object) -> object:
    """JSON for sets and other iterables: sorted lists."""
    if isinstance(value, set | frozenset):
        return sorted(value)
    return str(value)
