"""`lutonkg follow-up-review`: follow-up links for a curator to look at (lutonkg.data.followup)."""

from __future__ import annotations

import argparse
from pathlib import Path

from lutonkg.checks.citations import source_texts
from lutonkg.cli.common import NO_SOURCES, fail, project
from lutonkg.data.followup import review_rows
from lutonkg.data.load import DataError, load_data


def _cmd_review(args: argparse.Namespace) -> int:
    """lutonkg follow-up-review: links sharing few words with their recommendation, and quotes not found."""
    proj = project(args)
    directory = proj.sources_dir(args.sources)
    if directory is None:
        return fail("follow-up-review", NO_SOURCES)
    try:
        data = load_data(Path(args.data) if args.data else proj.data_dir)
    except DataError as exc:
        return fail("follow-up-review", str(exc), 1)
    texts, _ = source_texts(data, directory)
    rows = sorted(review_rows(data, texts), key=lambda r: (len(r.shared), r.link))
    flagged = [r for r in rows if len(r.shared) < args.min_shared or r.missing_quotes]
    for row in rows if args.all else flagged:
        words = ", ".join(row.shared) or "-"
        quote = f"; rationale quote not in the cited passage: {row.missing_quotes}" if row.missing_quotes else ""
        print(f"{row.link}\t{row.status}\t{len(row.shared)} shared: {words}{quote}")
    missing = sum(bool(r.missing_quotes) for r in rows)
    print(f"{len(rows)} follow-up links: {len(flagged)} to look at (fewer than {args.min_shared} shared content "
          f"words, or a rationale quote not found); {missing} with a quote not found")  # fmt: skip
    return 1 if missing else 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    """The `follow-up-review` subcommand."""
    p = sub.add_parser(
        "follow-up-review",
        help="report follow-up links whose passage shares few words with the recommendation (for curators)",
    )
    p.add_argument("--sources", help="folder of source texts (default: $LUTONKG_SOURCES, or the project's setting)")
    p.add_argument("--data", help="folder of curated YAML files (default: the project's graph/data)")
    p.add_argument("--min-shared", type=int, default=4, help="flag links sharing fewer content words (default 4)")
    p.add_argument("--all", action="store_true", help="list every link, not only the flagged ones")
    p.set_defaults(func=_cmd_review)
