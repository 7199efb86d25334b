"""`lutonkg find`, `lutonkg show` and `lutonkg documents`: look things up by name, profile one, list the sources."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys

from lutonkg.cli.common import UsageError, graph_file, graph_option
from lutonkg.cli.render import format_option, render
from lutonkg.entities.describe import Describer, Entity, Statement
from lutonkg.entities.index import Cite, GraphIndex
from lutonkg.entities.search import KIND_ORDER, Finder, NotFound
from lutonkg.table import Table


def load_index(args: argparse.Namespace) -> GraphIndex:
    """The project's built graph (or --graph), indexed for describing."""
    path = graph_file(args)
    try:
        return GraphIndex.from_file(path)
    except (OSError, SyntaxError, ValueError) as exc:
        raise UsageError(f"cannot read {path} as N-Quads: {' '.join(str(exc).split())}") from None


def cite_text(cites: list[Cite], anchors: bool = True, most: int | None = 3) -> str:
    """Citations in the one short form: `jar2008 para 10 “anchor”`, several joined with '; ', at most `most` of
    them and a count of the rest (every one of them is in --format json)."""
    parts = list(
        dict.fromkeys(f"{c.short()} \u201c{c.anchor}\u201d" if anchors and c.anchor else c.short() for c in cites)
    )
    if most is not None and len(parts) > most:
        return "; ".join(parts[:most]) + f" (+{len(parts) - most} more)"
    return "; ".join(parts)


def statement_row(s: Statement) -> dict:
    """One statement as a table row."""
    extra = ", ".join(f"{k} {v}" for k, v in s.qualifiers.items())
    phrase = s.phrase + (f" ({extra})" if extra else "")
    return {
        "statement": phrase,
        "value": s.other_label or s.value or "\u2014",
        "id": s.other or "",
        "cited": cite_text(s.citations),
        "curators": (f"curators' {s.curated_as}" + (f": {s.basis}" if s.basis else "")) if s.curated else "",
        "note": s.note,
    }


def entity_tables(entity: Entity) -> list[Table]:
    """The description as tables: one per group of statements, the stated dates, and the claims by topic."""
    tables = []
    if entity.dates:
        tables.append(Table("Dates the sources state", ["statement", "value", "cited"],
                            [statement_row(s) for s in entity.dates]))  # fmt: skip
    for group, statements in entity.groups().items():
        rows = [statement_row(s) for s in statements]
        columns = ["statement", "value", "id", "cited"] + (["curators"] if any(r["curators"] for r in rows) else [])
        tables.append(Table(group, columns, rows, hidden=["note"]))
    topics = entity.claim_topics()
    if topics:
        rows, notes = [], []
        for topic, claims in topics.items():
            by_date: dict[str, set[str]] = {}
            for c in claims:
                by_date.setdefault(c.as_of, set()).add(c.value)
                rows.append({"topic": topic, "value": c.value, "as of": c.as_of, "statement": c.statement,
                             "cited": cite_text(c.citations, anchors=False)})  # fmt: skip
            if any(len(values) > 1 for values in by_date.values()) or (
                len({c.value for c in claims}) > 1 and any(not c.as_of for c in claims)
            ):
                notes.append(f"the sources disagree on {topic}: each claim is shown with its source")
        tables.append(Table("Claims (each with its source)", ["topic", "value", "as of", "cited"], rows, notes,
                            ["statement"]))  # fmt: skip
    return tables


def heading(entity: Entity) -> str:
    """The lines above the tables: name, kind, id, other names, summary, attestation and own citations."""
    lines = [f"{entity.label} \u2014 {entity.kind_label}", f"id: {entity.key}   <{entity.iri}>"]
    if entity.alt_labels:
        lines.append("other names: " + "; ".join(entity.alt_labels))
    if entity.summary and entity.summary != entity.label:
        lines.append("summary: " + entity.summary)
    if entity.attested:
        lines.append("attested in: " + ", ".join(entity.attested))
    if entity.citations:
        lines.append("cited at: " + cite_text(entity.citations, most=5))
    return "\n".join(lines) + "\n\n"


def _cmd_show(args: argparse.Namespace) -> int:
    """Profile one entity."""
    index = load_index(args)
    finder = Finder(index)
    try:
        iri = finder.resolve(" ".join(args.what), tuple(args.kind or ()), "thing")
    except NotFound as exc:
        raise UsageError(str(exc)) from None
    entity = Describer(index).describe(iri)
    if args.format == "json":
        sys.stdout.write(json.dumps(dataclasses.asdict(entity), indent=1, ensure_ascii=False) + "\n")
        return 0
    if args.format == "table":
        sys.stdout.write(heading(entity))
    sys.stdout.write(render(entity_tables(entity), args.format))
    return 0


def _cmd_find(args: argparse.Namespace) -> int:
    """Search the labels, other names and ids of every entity."""
    index = load_index(args)
    matches = Finder(index).find(" ".join(args.words), tuple(args.kind or ()), args.limit)
    rows = [{"id": m.key, "kind": m.kind, "label": m.label, "matched": m.matched, "iri": m.iri} for m in matches]
    notes = [] if rows else ["nothing matches; try fewer or shorter words, or drop --kind"]
    sys.stdout.write(render(Table("find", ["id", "kind", "label"], rows, notes, ["matched", "iri"]), args.format))
    return 0 if rows else 1


def _cmd_documents(args: argparse.Namespace) -> int:
    """The source documents with their full references."""
    index = load_index(args)
    rows = [
        {"id": d.id, "title": d.title, "published by": d.publisher, "date": d.date, "reference": d.reference,
         "lead inspector": d.lead_inspector, "short title": d.label, "file": d.source_file, "iri": d.iri}
        for d in index.documents.values()
    ]  # fmt: skip
    columns = ["id", "title", "published by", "date", "reference", "lead inspector"]
    sys.stdout.write(render(Table("documents", columns, rows, hidden=["short title", "file", "iri"]), args.format))
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register find, show and documents."""
    kinds = {"choices": KIND_ORDER, "action": "append", "metavar": "KIND"}
    p = sub.add_parser("find", help="search every entity's name, other names and id; print id, kind and label")
    p.add_argument("words", nargs="*", help="words of a name (none: list everything of --kind)")
    p.add_argument("--kind", **kinds, help=f"only things of this kind (repeatable): {', '.join(KIND_ORDER)}")
    p.add_argument("--limit", type=int, default=None, help="at most this many results")
    format_option(p)
    graph_option(p)
    p.set_defaults(func=_cmd_find)
    p = sub.add_parser("show", help="one entity: what it is, its dates, every statement in and out, with citations")
    p.add_argument(
        "what", nargs="+", help="an id (school/dallow-primary or dallow-primary), an IRI, or words of a name"
    )
    p.add_argument("--kind", **kinds, help="only consider things of this kind")
    format_option(p)
    graph_option(p)
    p.set_defaults(func=_cmd_show)
    p = sub.add_parser("documents", help="the source documents with their full references")
    format_option(p)
    graph_option(p)
    p.set_defaults(func=_cmd_documents)
