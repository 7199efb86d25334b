"""What every subcommand shares: the project it works on, the graph file it reads, and one-line errors."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from lutonkg.project import Project, ProjectError, find_project


class UsageError(Exception):
    """A bad argument value, reported on one line (exit status 2)."""


class Terminated(KeyboardInterrupt):
    """SIGTERM, turned into an exception (by commands that clean up) so that it unwinds like Ctrl-C."""


MAX_TIMEOUT = 86_400.0


def timeout_problem(option: str, value: float | None) -> str | None:
    """Why a time limit in seconds is unusable (not a finite number above 0 and at most a day), or None."""
    if value is None or 0 < value <= MAX_TIMEOUT:  # NaN fails both comparisons
        return None
    return f"{option} must be a positive number of seconds, at most {MAX_TIMEOUT:.0f} (a day), not {value:g}"


NO_SOURCES = "source texts not found: pass --sources DIR, set LUTONKG_SOURCES, or set `sources` in lutonkg.toml"


def fail(command: str, message: str, code: int = 2) -> int:
    """Print one error line on stderr and return the exit code."""
    print(f"lutonkg {command}: error: {message}", file=sys.stderr, flush=True)
    return code


def project(args: argparse.Namespace) -> Project:
    """The project the command works on: --project, $LUTONKG_PROJECT, or the current folder and its parents."""
    cached = getattr(args, "_project", None)
    if cached is None:
        cached = find_project(getattr(args, "project", None))
        args._project = cached
    return cached


def graph_file(args: argparse.Namespace) -> Path:
    """The N-Quads file to read: --graph, else the project's built graph (which must exist)."""
    if getattr(args, "graph", None):
        path = Path(args.graph)
        if not path.is_file():
            raise UsageError(f"{path} not found: no such graph file (pass the N-Quads file of a built graph)")
        return path
    path = project(args).nquads
    if not path.is_file():
        raise UsageError(f"{path} not found: the project is not built yet; build it with `lutonkg build`")
    return path


def store_root(args: argparse.Namespace) -> Path:
    """Where persistent query stores go: the project's store folder, else (--graph, no project) the user's cache."""
    try:
        return project(args).store_dir
    except ProjectError:
        cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        return Path(cache) / "lutonkg" / "stores"


def project_option(parser: argparse.ArgumentParser, top: bool = False) -> None:
    """--project DIR, accepted before or after the subcommand."""
    parser.add_argument(
        "--project",
        "-C",
        metavar="DIR",
        default=None if top else argparse.SUPPRESS,
        help="the project folder (default: $LUTONKG_PROJECT, or the current folder or its nearest parent holding "
        "graph/data/ or lutonkg.toml)",
    )


def graph_option(parser: argparse.ArgumentParser) -> None:
    """--graph FILE: read another built N-Quads file instead of the project's."""
    parser.add_argument("--graph", metavar="FILE", help="a built N-Quads file to read (default: the project's graph)")


__all__ = [
    "ProjectError",
    "Terminated",
    "UsageError",
    "fail",
    "timeout_problem",
    "graph_file",
    "graph_option",
    "project",
    "project_option",
]
