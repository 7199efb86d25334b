"""`lutonkg build` and `lutonkg verify-sources`: turn a project's data into its graph, and check its citations."""

from __future__ import annotations

import argparse
import signal
import threading
from pathlib import Path

from lutonkg.cli.common import Terminated, fail, project
from lutonkg.cli.progress import progress


def _cmd_build(args: argparse.Namespace) -> int:
    """Build the graph and print a summary; one error line and exit 1 on bad data."""
    from lutonkg.build.pipeline import BuildError, build, format_report

    data = Path(args.data) if args.data else project(args).data_dir
    out = Path(args.out) if args.out else project(args).graph_dir
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminate) if in_main else None  # unwind like Ctrl-C: stop Java, clean
    try:
        with progress("building the graph") as step:
            report = build(data, out, use_reasoner=not args.no_reason, step=step)
        print(format_report(report))
    except BuildError as exc:
        return fail("build", f"{exc} (nothing was written)", 1)
    finally:
        if in_main:
            signal.signal(signal.SIGTERM, previous)
    return 0


def _terminate(signum: int, frame: object) -> None:
    """SIGTERM handler: raise Terminated, which unwinds the build and ends in one line and exit status 143."""
    raise Terminated


def _cmd_verify_sources(args: argparse.Namespace) -> int:
    """Check every citation's document, locator and anchor against the source texts."""
    from lutonkg.checks.citations import verify
    from lutonkg.data.load import DataError, load_data

    proj = project(args)
    directory = proj.sources_dir(args.sources)
    if directory is None:
        return fail(
            "verify-sources",
            f"source texts not found (looked in {proj.root / (proj.sources or 'sources')}); pass --sources DIR, "
            "set LUTONKG_SOURCES, or set `sources` in lutonkg.toml",
        )
    try:
        data = load_data(Path(args.data) if args.data else proj.data_dir)
    except DataError as exc:
        return fail("verify-sources", str(exc), 1)
    failures, checked = verify(data, directory)
    for line in failures:
        print(line)
    print(f"{checked} citations checked against {directory}: {len(failures)} failure(s)")
    return 1 if failures else 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register build and verify-sources."""
    p = sub.add_parser("build", help="build, reason over and validate the graph; write the project's graph/ outputs")
    p.add_argument("--data", help="folder of curated YAML files (default: the project's graph/data)")
    p.add_argument("--out", help="folder for the outputs (default: the project's graph/)")
    p.add_argument("--no-reason", action="store_true", help="skip OWL reasoning (faster; outputs then differ)")
    p.set_defaults(func=_cmd_build)
    p = sub.add_parser("verify-sources", help="check every citation's locator and anchor against the source texts")
    p.add_argument("--sources", help="folder of source texts (default: $LUTONKG_SOURCES, or the project's setting)")
    p.add_argument("--data", help="folder of curated YAML files (default: the project's graph/data)")
    p.set_defaults(func=_cmd_verify_sources)
