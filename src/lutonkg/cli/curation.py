"""`lutonkg sources add|show`, `lutonkg suggest` and `lutonkg accept`: from a new report to cited candidate facts,
reviewed by a curator and merged into the project's data."""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from lutonkg.cli.common import NO_SOURCES, UsageError, fail, project, project_option


def _texts(args: argparse.Namespace, command: str) -> tuple[object, dict, Path]:
    """The project's data and the source texts (both checked)."""
    from lutonkg.checks.citations import source_texts
    from lutonkg.data.load import load_data

    proj = project(args)
    directory = proj.sources_dir(getattr(args, "sources", None))
    if directory is None:
        raise UsageError(NO_SOURCES)
    data = load_data(proj.data_dir)
    texts, _ = source_texts(data, directory)
    return data, texts, directory


def _cmd_sources_add(args: argparse.Namespace) -> int:
    """Register a document and print its structure."""
    from lutonkg.curation.register import Registration, describe, register
    from lutonkg.data.load import DataError

    request = Registration(Path(args.file), args.id, args.title, args.date, args.kind, args.publisher or [],
                           args.authority, args.short_title, args.reference, args.reports or [])  # fmt: skip
    if not request.publishers:
        raise UsageError("name at least one publisher: --publisher BODY-ID (a body of the project)")
    try:
        structure = register(project(args), request, Path(args.sources) if args.sources else None)
    except DataError as exc:
        return fail("sources add", str(exc), 1)
    except OSError as exc:  # a folder that cannot be written, a full disk: everything written so far was undone
        where = f"{exc.filename}: " if exc.filename else ""
        return fail("sources add", f"{where}{exc.strerror or exc} (nothing was registered)", 1)
    print(f"registered {args.id} ({args.file}) in documents.yaml")
    print("\n".join(describe(structure)))
    return 0


def _cmd_sources_show(args: argparse.Namespace) -> int:
    """Print a registered document's structure."""
    from lutonkg.curation.register import describe
    from lutonkg.curation.structure import read_structure
    from lutonkg.data.load import DataError

    try:
        _, texts, _ = _texts(args, "sources show")
    except DataError as exc:
        return fail("sources show", str(exc), 1)
    if args.doc not in texts:
        raise UsageError(f"no source text for document {args.doc!r} (known: {', '.join(sorted(texts))})")
    print("\n".join(describe(read_structure(texts[args.doc]))))
    return 0


def _cmd_suggest(args: argparse.Namespace) -> int:
    """Write the review file of a document's candidate facts."""
    from lutonkg.curation.accept import rejected_keys
    from lutonkg.curation.review import GROUP_OF, render
    from lutonkg.curation.suggest import suggest
    from lutonkg.data.load import DataError

    try:
        data, texts, _ = _texts(args, "suggest")
    except DataError as exc:
        return fail("suggest", str(exc), 1)
    for doc in filter(None, (args.doc, args.holdout)):
        if doc not in texts:
            raise UsageError(f"no source text for document {doc!r} (known: {', '.join(sorted(texts))})")
    proj = project(args)
    found = suggest(data, texts, args.doc, args.holdout, rejected_keys(proj, args.doc))
    out = Path(args.out) if args.out else proj.output_dir / f"review-{args.doc}.yaml"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(args.doc, found, args.holdout), encoding="utf-8")
    counts = Counter(GROUP_OF[c.kind] for c in found)
    print(", ".join(f"{group} {n}" for group, n in counts.items()) or "no candidates")
    print(f"wrote {len(found)} candidates to {out}")
    return 0


def _cmd_accept(args: argparse.Namespace) -> int:
    """Merge the accepted candidates of a review file."""
    from lutonkg.build.pipeline import NO_JAVA
    from lutonkg.checks import reason
    from lutonkg.curation.accept import accept
    from lutonkg.data.load import DataError

    use_reasoner = not args.no_reason
    if use_reasoner and not reason.java_available():
        return fail("accept", NO_JAVA, 1)
    try:
        outcome = accept(project(args), Path(args.review), use_reasoner, Path(args.sources) if args.sources else None)
    except DataError as exc:
        return fail("accept", str(exc), 1)
    merged = ", ".join(f"{kind} {n}" for kind, n in sorted(outcome.merged.items())) or "nothing"
    print(f"merged {merged}; {outcome.rejected} rejected (remembered), {outcome.pending} left pending")
    if outcome.files:
        print("changed: " + ", ".join(f"graph/data/{name}" for name in outcome.files))
        print("the merged data builds and validates; run `lutonkg build` to publish the graph")
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register sources, suggest and accept."""
    p = sub.add_parser("sources", help="register a new source document and read its structure")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="copy a text into the sources folder, add it to documents.yaml, print its "
                             "structure (the locators a citation can use)")  # fmt: skip
    add.add_argument("file", help="the document's text (UTF-8 plain text, as extracted from its PDF)")
    add.add_argument("--id", required=True, help="the document id citations will use (e.g. jar2012)")
    add.add_argument("--title", required=True, help="the document's title as printed")
    add.add_argument("--date", required=True, help="its date: YYYY, YYYY-MM or YYYY-MM-DD")
    add.add_argument("--kind", required=True, help="a document-kind concept of vocabularies.yaml")
    add.add_argument("--publisher", action="append", help="a publishing body's id (repeat for several)")
    add.add_argument("--authority", help="the local authority it is about (default: the project's)")
    add.add_argument("--short-title", help="a short title for tables")
    add.add_argument("--reference", help="the publisher's reference number")
    add.add_argument("--reports", action="append", metavar="INSPECTION",
                     help="an inspection (inspections.yaml id) the document reports (repeat for several)")  # fmt: skip
    add.add_argument("--sources", help="the sources folder (default: the project's)")
    add.set_defaults(func=_cmd_sources_add)
    project_option(add)
    show = actions.add_parser("show", help="print a registered document's structure")
    show.add_argument("doc", help="a document id")
    show.add_argument("--sources", help="the sources folder (default: the project's)")
    show.set_defaults(func=_cmd_sources_show)
    project_option(show)
    p = sub.add_parser("suggest", help="propose a document's candidate facts (cited, with selectors) in a review file")
    p.add_argument("doc", help="the document id")
    p.add_argument("--out", help="the review file to write (default: output/review-DOC.yaml)")
    p.add_argument("--holdout", metavar="DOC", help="ignore every fact only DOC supports (to measure the suggester "
                   "on an already curated document: --holdout with its own id)")  # fmt: skip
    p.add_argument("--sources", help="the sources folder (default: the project's)")
    p.set_defaults(func=_cmd_suggest)
    p = sub.add_parser("accept", help="merge a review file's accepted candidates into graph/data (all or nothing)")
    p.add_argument("review", help="a review file written by `lutonkg suggest` and decided by a curator")
    p.add_argument("--no-reason", action="store_true", help="validate without OWL reasoning (faster)")
    p.add_argument("--sources", help="the sources folder (default: the project's), to make the new selectors")
    p.set_defaults(func=_cmd_accept)
