"""The `lutonkg` command line: build the graph, check its sources, and the subcommands other modules add."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

from lutonkg.paths import DATA_DIR, GRAPH_DIR


def _cmd_build(args: argparse.Namespace) -> int:
    """Build the graph and print a summary; one error line and exit 1 on bad data."""
    from lutonkg.build import BuildError, build, format_report

    try:
        report = build(Path(args.data), Path(args.out), use_reasoner=not args.no_reason)
    except BuildError as exc:
        print(f"lutonkg build: error: {exc} (nothing was written)", file=sys.stderr)
        return 1
    print(format_report(report))
    return 0


def _cmd_verify_sources(args: argparse.Namespace) -> int:
    """Check every citation's document, locator and anchor against the source texts."""
    from lutonkg.load import DataError, load_data
    from lutonkg.sources import sources_dir
    from lutonkg.verify import verify

    directory = sources_dir(args.sources)
    if directory is None:
        where = f"{args.sources} is not a folder" if args.sources else "source texts not found"
        print(f"lutonkg verify-sources: error: {where}; pass --sources DIR or set LUTONKG_SOURCES", file=sys.stderr)
        return 2
    try:
        data = load_data(Path(args.data))
    except DataError as exc:
        print(f"lutonkg verify-sources: error: {exc}", file=sys.stderr)
        return 1
    failures, checked = verify(data, directory)
    for line in failures:
        print(line)
    print(f"{checked} citations checked against {directory}: {len(failures)} failure(s)")
    return 1 if failures else 0


# Modules that add their own subcommands: each defines add_commands(subparsers), whose handlers take the parsed
# arguments and return an exit code.
COMMAND_MODULES: tuple[str, ...] = ("lutonkg.cli_query", "lutonkg.serve", "lutonkg.cli_analysis", "lutonkg.followup")


def parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    top = argparse.ArgumentParser(prog="lutonkg", description="Build, check and question the Luton governance graph.")
    sub = top.add_subparsers(dest="command", required=True)
    p = sub.add_parser("build", help="build, reason over and validate the graph; write graph/ outputs")
    p.add_argument("--data", default=str(DATA_DIR), help="folder of curated YAML files (default: graph/data)")
    p.add_argument("--out", default=str(GRAPH_DIR), help="folder for the outputs (default: graph)")
    p.add_argument("--no-reason", action="store_true", help="skip OWL reasoning (faster; outputs then differ)")
    p.set_defaults(func=_cmd_build)
    p = sub.add_parser("verify-sources", help="check every citation's locator and anchor against the source texts")
    p.add_argument("--sources", help="folder of source texts (default: $LUTONKG_SOURCES or ../shared/sources)")
    p.add_argument("--data", default=str(DATA_DIR), help="folder of curated YAML files (default: graph/data)")
    p.set_defaults(func=_cmd_verify_sources)
    for name in COMMAND_MODULES:
        importlib.import_module(name).add_commands(sub)
    return top


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `lutonkg` command."""
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:
        # the reader (e.g. `| head`) went away: stop quietly, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    raise SystemExit(main())
