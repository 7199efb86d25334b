"""`lutonkg site`: write the review website (static HTML, opens from disk or any static host)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lutonkg.cli.common import UsageError, graph_file, graph_option, project
from lutonkg.cli.progress import progress


def _cmd_site(args: argparse.Namespace) -> int:
    """Build the site and say what was written."""
    from lutonkg.site import DEFAULT_ENDPOINT, Settings, SiteError, build_site

    proj = project(args)
    settings = Settings(
        graph=graph_file(args),
        out=Path(args.out) if args.out else proj.output_dir / "site",
        sources=proj.sources_dir(args.sources),
        title=proj.title or "Governance knowledge graph",
        endpoint=args.endpoint or DEFAULT_ENDPOINT,
        query_defaults=proj.query_defaults,
        jobs=args.jobs,
    )
    with progress("building the site") as step:
        try:
            report = build_site(settings, step)
        except SiteError as exc:
            raise UsageError(str(exc)) from None
    where = proj.display(report.out)
    print(f"wrote {report.pages} pages ({report.files} files, {report.bytes / 1e6:.1f} MB) to {where} "
          f"in {report.seconds:.1f} s; open {where}/index.html")  # fmt: skip
    if report.missing_sources:
        print(f"no source pages for {', '.join(report.missing_sources)}: their texts were not found "
              f"(pass --sources DIR)", file=sys.stderr)  # fmt: skip
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register site."""
    p = sub.add_parser("site", help="write the review website: a page per entity and per source document, overviews")
    p.add_argument("--out", metavar="DIR", help="folder for the site (default: the project's output/site)")
    p.add_argument("--sources", metavar="DIR", help="folder of the source texts (default: the project's sources)")
    p.add_argument(
        "--endpoint",
        metavar="URL",
        help="the SPARQL endpoint's query page the query pages link to (default: http://127.0.0.1:7878/)",
    )
    p.add_argument(
        "--jobs",
        type=int,
        choices=(1, 2),
        default=2,
        help="2 (default): draw the diagrams in a second process while the pages are written; 1: one process",
    )
    graph_option(p)
    p.set_defaults(func=_cmd_site)
