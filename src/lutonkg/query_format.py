"""Writing query results: a terminal table (long cells cut with an ellipsis), CSV, TSV or JSON (never cut)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

FORMATS = ("table", "csv", "tsv", "json")
TABLE_WIDTH = 100
MIN_COLUMN = 8
_SHORT = (
    ("https://w3id.org/lutonkg/id/document/", ""),
    ("https://w3id.org/lutonkg/id/", ""),
    ("https://w3id.org/lutonkg/def/", "lkg:"),
    ("http://www.legislation.gov.uk/id/", "leg:"),
    ("http://www.w3.org/ns/org#", "org:"),
    ("http://www.w3.org/ns/prov#", "prov:"),
    ("http://www.w3.org/2004/02/skos/core#", "skos:"),
    ("http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rdf:"),
    ("http://www.w3.org/2000/01/rdf-schema#", "rdfs:"),
    ("http://purl.org/dc/terms/", "dcterms:"),
)


def cell(value: Any) -> str:
    """A value as text for CSV, TSV and JSON-free formats: None is empty, booleans lower-case."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def short(value: Any) -> str:
    """A value as a person reads it in a table: project and well-known IRIs shortened, one line."""
    text = " ".join(cell(value).split())
    for long, prefix in _SHORT:
        if text.startswith(long):
            return prefix + text[len(long) :]
    return text


def _fit(widths: list[int], total: int) -> list[int]:
    """Shrink the widest columns until the row (with two-space gaps) fits in total characters."""
    widths = list(widths)
    budget = total - 2 * (len(widths) - 1)
    while sum(widths) > budget:
        widest = max(range(len(widths)), key=lambda i: widths[i])
        if widths[widest] <= MIN_COLUMN:
            break
        widths[widest] -= 1
    return widths


def _clip(text: str, width: int) -> str:
    """Text cut to width, with an ellipsis where it was cut."""
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def shown(names: list[str]) -> list[str]:
    """The columns a table shows: an IRI column X is left out when a column XLabel names the same thing."""
    return [n for n in names if f"{n}Label" not in names]


def table(names: list[str], rows: list[dict[str, Any]], width: int = TABLE_WIDTH) -> str:
    """An aligned text table no wider than width, followed by the row count (and any columns left out)."""
    hidden = [n for n in names if n not in shown(names)]
    names = shown(names)
    cells = [[short(row.get(n)) for n in names] for row in rows]
    natural = [max([min(len(n), MIN_COLUMN)] + [len(r[i]) for r in cells]) for i, n in enumerate(names)]
    widths = _fit(natural, width)
    lines = ["  ".join(_clip(n, w).ljust(w) for n, w in zip(names, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for r in cells:
        lines.append("  ".join(_clip(c, w).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    note = f"; IRI column(s) {', '.join(hidden)} left out, see --format csv or json" if hidden else ""
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''}{note})")
    return "\n".join(lines) + "\n"


def delimited(names: list[str], rows: list[dict[str, Any]], delimiter: str) -> str:
    """CSV (RFC 4180 quoting) or TSV (tabs and newlines inside values replaced by spaces)."""
    out = io.StringIO()
    if delimiter == "\t":
        out.write("\t".join(names) + "\n")
        for row in rows:
            out.write("\t".join(" ".join(cell(row.get(n)).split("\t")).replace("\n", " ") for n in names) + "\n")
        return out.getvalue()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    for row in rows:
        writer.writerow([cell(row.get(n)) for n in names])
    return out.getvalue()


def render(names: list[str], rows: list[dict[str, Any]], fmt: str, width: int = TABLE_WIDTH) -> str:
    """Results in the chosen format."""
    if fmt == "table":
        return table(names, rows, width)
    if fmt == "csv":
        return delimited(names, rows, ",")
    if fmt == "tsv":
        return delimited(names, rows, "\t")
    if fmt == "json":
        return json.dumps([{n: row.get(n) for n in names} for row in rows], indent=1, ensure_ascii=False) + "\n"
    raise ValueError(f"unknown format {fmt!r}")
