"""`lutonkg build`, `lutonkg check` and `lutonkg verify-sources`: turn a project's data into its graph, check the
data without building, and check its citations. With --watch, build or check keeps running and does it again each
time a data file is saved (lutonkg.build.watch)."""

from __future__ import annotations

import argparse
import functools
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from lutonkg.cli.common import ProjectError, Terminated, fail, project
from lutonkg.cli.progress import progress

if TYPE_CHECKING:
    from lutonkg.build.cache import Cache

NO_CACHE = "redo every stage, ignoring (and refreshing) the build cache in graph/.cache"
WATCH = "then keep running: again each time a data file is saved, in this process (HermiT kept warm); Ctrl-C stops"


def _cmd_build(args: argparse.Namespace) -> int:
    """Build the graph and print a summary; one error line and exit 1 on bad data. --watch: again on each edit."""
    from lutonkg.build.cache import for_output

    data = Path(args.data) if args.data else project(args).data_dir
    out = Path(args.out) if args.out else project(args).graph_dir
    once = functools.partial(_build_once, args, data, out, lambda: for_output(out, use=not args.no_cache))
    return _watch("build", data, once, args.no_reason) if args.watch else _unwinding_on_sigterm(once)


def _build_once(args: argparse.Namespace, data: Path, out: Path, cache: Callable[[], Cache]) -> int:
    """One build: its summary, or one error line and 1."""
    from lutonkg.build.pipeline import BuildError, build, format_report

    try:
        with progress("building the graph") as step:
            report = build(data, out, use_reasoner=not args.no_reason, step=step, cache=cache())
        print(format_report(report), flush=True)
    except BuildError as exc:
        return fail("build", f"{exc} (nothing was written)", 1)
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    """Check the data as a build does, writing no outputs; a summary, or one error line and exit 1. --watch: again on
    each edit."""
    from lutonkg.build.cache import for_output

    data = Path(args.data) if args.data else project(args).data_dir
    home = _cache_home(args, data)
    once = functools.partial(_check_once, args, data, lambda: for_output(home, use=not args.no_cache))
    return _watch("check", data, once, args.no_reason) if args.watch else _unwinding_on_sigterm(once)


def _check_once(args: argparse.Namespace, data: Path, cache: Callable[[], Cache]) -> int:
    """One check: its summary, or one error line and 1."""
    from lutonkg.build.pipeline import BuildError, check, format_check

    try:
        with progress("checking the data") as step:
            report = check(data, use_reasoner=not args.no_reason, step=step, cache=cache())
        print(format_check(report), flush=True)
    except BuildError as exc:
        return fail("check", str(exc), 1)
    return 0


def _unwinding_on_sigterm(once: Callable[[], int]) -> int:
    """Run `once` with SIGTERM raising Terminated (in the main thread), so that it unwinds like Ctrl-C: Java is
    stopped and the outputs are left as they were."""
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminate) if in_main else None
    try:
        return once()
    finally:
        if in_main:
            signal.signal(signal.SIGTERM, previous)


def _watch(command: str, data: Path, once: Callable[[], int], no_reason: bool) -> int:
    """Run `once`, then again each time a data file is saved, until Ctrl-C (exit 0 while waiting; 130 when it stops
    a run, which leaves the outputs as they were) or SIGTERM (143). A run that fails prints its one line, and the
    watching goes on."""
    from lutonkg.build.watch import WatchUnavailable, data_changes
    from lutonkg.checks import warm

    try:
        changes = data_changes(data)
    except WatchUnavailable as exc:
        return fail(command, str(exc), 1)
    cold = None if no_reason else warm.start()
    if cold:
        print(f"lutonkg {command} --watch: HermiT will start a fresh Java each time ({cold})", file=sys.stderr)
    _TERMINATED.clear()
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminate) if in_main else None
    running = True
    try:
        once()
        running = False
        print(f"lutonkg {command}: watching {data} for changes (Ctrl-C stops)", file=sys.stderr, flush=True)
        for names in changes:
            print(f"\n{time.strftime('%H:%M:%S')} changed: {', '.join(names)}", flush=True)
            running = True
            once()
            running = False
    except KeyboardInterrupt:
        if _TERMINATED.is_set():  # watchfiles reports any signal whose handler raised as a plain KeyboardInterrupt
            raise Terminated from None
        if running:
            raise
        print(f"lutonkg {command}: stopped watching", file=sys.stderr)
    finally:
        warm.stop()  # a helper thread still in Java when Python shuts down would abort the process
        if in_main:
            signal.signal(signal.SIGTERM, previous)
    return 0


def _cache_home(args: argparse.Namespace, data: Path) -> Path:
    """The output folder whose build cache `check` shares: the project's graph/, or the data folder's parent."""
    try:
        return project(args).graph_dir
    except ProjectError:
        return data.parent


_TERMINATED = threading.Event()


def _terminate(signum: int, frame: object) -> None:
    """SIGTERM handler: raise Terminated, which unwinds the build and ends in one line and exit status 143."""
    _TERMINATED.set()
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
    anchored = (
        f" (with their {len(data.selectors)} stored selectors)"
        if data.selectors_file is not None
        else " (no selectors.yaml: the W3C selectors were not checked; `lutonkg selectors --write` makes it)"
    )
    print(f"{checked} citations{anchored} checked against {directory}: {len(failures)} failure(s)")
    return 1 if failures else 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register build, check and verify-sources."""
    p = sub.add_parser("build", help="build, reason over and validate the graph; write the project's graph/ outputs")
    p.add_argument("--data", help="folder of curated YAML files (default: the project's graph/data)")
    p.add_argument("--out", help="folder for the outputs (default: the project's graph/)")
    p.add_argument("--no-reason", action="store_true", help="skip OWL reasoning (faster; outputs then differ)")
    p.add_argument("--no-cache", action="store_true", help=NO_CACHE)
    p.add_argument("--watch", action="store_true", help=WATCH)
    p.set_defaults(func=_cmd_build)
    p = sub.add_parser(
        "check", help="check the data as a build does (schema, references, reasoning, SPARQL and SHACL); write nothing"
    )
    p.add_argument("--data", help="folder of curated YAML files (default: the project's graph/data)")
    p.add_argument("--no-reason", action="store_true", help="skip OWL reasoning (the consistency check)")
    p.add_argument("--no-cache", action="store_true", help=NO_CACHE)
    p.add_argument("--watch", action="store_true", help=WATCH)
    p.set_defaults(func=_cmd_check)
    p = sub.add_parser("verify-sources", help="check every citation's locator and anchor against the source texts")
    p.add_argument("--sources", help="folder of source texts (default: $LUTONKG_SOURCES, or the project's setting)")
    p.add_argument("--data", help="folder of curated YAML files (default: the project's graph/data)")
    p.set_defaults(func=_cmd_verify_sources)
