"""Result tables: what every question answers with (a library query, `who`, `gaps` ...), before it is rendered as
text, CSV, TSV, JSON or Markdown by the command line, or as a DataFrame in a notebook."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Table:
    """A named table: column names, rows (dicts keyed by column), notes printed under it, and `hidden` columns
    that CSV and JSON carry but the text table leaves out (full citation lists, node keys, IRIs)."""

    name: str
    columns: list[str]
    rows: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    hidden: list[str] = field(default_factory=list)
    order: list[str] = field(default_factory=list)

    def all_columns(self) -> list[str]:
        """Shown and hidden columns, for CSV and JSON: in `order` where given, else shown then hidden."""
        return self.order or self.columns + [c for c in self.hidden if c not in self.columns]


def shown(names: list[str]) -> list[str]:
    """The columns a reader sees: an IRI column X is left out when a column XLabel names the same thing."""
    return [n for n in names if f"{n}Label" not in names]


def from_rows(name: str, names: list[str], rows: list[dict], notes: list[str] | None = None) -> Table:
    """A query's result as a Table: IRI columns that have a label column are kept for CSV and JSON only."""
    visible = shown(names)
    return Table(name, visible, rows, list(notes or []), [n for n in names if n not in visible], list(names))
