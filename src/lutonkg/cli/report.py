"""`lutonkg report`: a cited briefing on a body, duty, recommendation or theme, in Markdown, HTML or Word."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lutonkg.cli.analysis import year
from lutonkg.cli.common import UsageError, graph_file, graph_option, project
from lutonkg.cli.progress import progress

FORMATS = ("md", "html", "docx")


def _format(args: argparse.Namespace) -> str:
    """The output format: --format, else the --out file's suffix, else Markdown."""
    if args.format:
        return args.format
    suffix = Path(args.out).suffix.lstrip(".").lower() if args.out and args.out != "-" else ""
    return suffix if suffix in FORMATS else "md"


def _check(args: argparse.Namespace, fmt: str) -> None:
    """Reject option combinations that cannot work, on one line."""
    if not args.what and not args.theme:
        raise UsageError("name a subject (an id or words of a name, e.g. `lutonkg report lscb`) or --theme THEME")
    if args.at is not None and (args.start is not None or args.end is not None):
        raise UsageError("give either --at YEAR or --from YEAR --to YEAR, not both")
    if args.out == "-" and fmt == "docx":
        raise UsageError("a Word file cannot go to standard output; give --out FILE.docx")


def _cmd_report(args: argparse.Namespace) -> int:
    """Write one briefing."""
    from lutonkg.reports import ReportError, ReportGraph, briefing
    from lutonkg.reports.render import render, write

    fmt = _format(args)
    _check(args, fmt)
    path = graph_file(args)
    with progress("writing the briefing") as step:
        step("reading the graph")
        try:
            graph = ReportGraph.load(path)
        except (OSError, SyntaxError, ValueError) as exc:
            raise UsageError(f"cannot read {path} as N-Quads: {' '.join(str(exc).split())}") from None
        step("writing")
        try:
            doc = briefing(" ".join(args.what) or None, theme=args.theme, at=args.at, start=args.start, end=args.end,
                           graph=graph)  # fmt: skip
        except ReportError as exc:
            raise UsageError(str(exc)) from None
        if args.out == "-":
            sys.stdout.write(render(doc, fmt))
            return 0
        out = Path(args.out) if args.out else project(args).output_dir / "reports" / f"{doc.slug}.{fmt}"
        step("drawing the diagrams and writing the files")
        written = write(doc, out, fmt)
    for written_path in written:
        print(written_path)
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register report."""
    p = sub.add_parser(
        "report",
        help="a cited briefing on a body, duty, recommendation or theme (Markdown, HTML or Word)",
        description="Write a briefing for a review paper: what the subject is, who was responsible for it at each "
        "date, successions, judgements, recommendations and what later documents show, disagreements and "
        "diagrams, every fact with a numbered note and the documents' full references. With --theme alone: a "
        "thematic review of that theme or aspect across the whole period.",
    )
    p.add_argument("what", nargs="*", help="an id (body/luton-safeguarding-children-board, lscb), or words of a name")
    p.add_argument(
        "--theme",
        help="a recommendation theme or duty aspect (e.g. safeguarding); alone: a thematic review; with a subject: "
        "only its judgements, recommendations and duties on the theme",
    )
    p.add_argument("--at", type=year, help="only this year (e.g. 2008)")
    p.add_argument(
        "--from",
        dest="start",
        type=year,
        metavar="YEAR",
        help="the period's first year (default: what the earliest document describes)",
    )
    p.add_argument(
        "--to", dest="end", type=year, metavar="YEAR", help="the period's last year (default: the latest document's)"
    )
    p.add_argument("--format", choices=FORMATS, help="md (default, or from the --out suffix), html or docx")
    p.add_argument("--out", metavar="FILE", help="the file to write (default: the project's output/reports/<subject>."
                   "<format>); - for standard output (md, html)")  # fmt: skip
    graph_option(p)
    p.set_defaults(func=_cmd_report)
