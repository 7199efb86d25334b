"""`lutonkg` subcommands for responsibility over time: who, timeline, diff, gaps, measures, diagram and export."""

from __future__ import annotations

import argparse
import errno
import re
import sys
from collections.abc import Callable
from pathlib import Path

import networkx as nx

from lutonkg.analysis.lookup import LookupError_
from lutonkg.analysis.measures import SNAPSHOTS
from lutonkg.cli.common import UsageError, graph_file, graph_option, project
from lutonkg.cli.progress import progress
from lutonkg.cli.render import format_option, render
from lutonkg.table import Table

DIAGRAM_KINDS = ("responsibility", "network", "timeline", "tracker")


def year(text: str) -> int:
    """A snapshot year: 'YYYY', or an academic or financial year 'YYYY-YY' / 'YYYY-YYYY' (its later year)."""
    found = re.fullmatch(r"(\d{4})(?:[-/](\d{2}|\d{4}))?", text.strip())
    if not found:
        raise argparse.ArgumentTypeError(f"{text!r} is not a year (use e.g. 2002, or 2007-08 for 2008)")
    first, second = found.groups()
    value = int(first) if second is None else int(first[:2] + second[-2:]) if len(second) == 2 else int(second)
    if second is not None and value != int(first) + 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a year range of consecutive years")
    if not 1990 <= value <= 2030:
        raise argparse.ArgumentTypeError(f"{text!r} is outside the years the sources cover (1990-2030)")
    return value


def _graph(args: argparse.Namespace) -> nx.MultiDiGraph:
    """Load and project the graph named by --graph, or explain in one line why not."""
    from lutonkg.analysis.network import load

    path = graph_file(args)
    try:
        return load(path)
    except (OSError, SyntaxError, ValueError) as exc:
        raise UsageError(f"cannot read {path} as N-Quads: {str(exc).splitlines()[0]}") from None


def _run(command: str, body: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Wrap a handler so that bad input gives one error line and exit status 1 or 2, never a traceback."""

    def handler(args: argparse.Namespace) -> int:
        try:
            return body(args)
        except LookupError_ as exc:
            print(f"lutonkg {command}: {exc}", file=sys.stderr)
            return 1
        except UsageError as exc:
            print(f"lutonkg {command}: error: {exc}", file=sys.stderr)
            return 2
        except BrokenPipeError:
            return 0
        except OSError as exc:  # e.g. an --out folder that cannot be written
            print(f"lutonkg {command}: error: {_write_problem(exc)}", file=sys.stderr)
            return 1

    return handler


def _write_problem(exc: OSError) -> str:
    """An OSError from writing files, as 'cannot write PATH: reason'."""
    why = "a file is in the way (not a folder)" if exc.errno in (errno.EEXIST, errno.ENOTDIR) else exc.strerror
    return f"cannot write {exc.filename}: {why or exc}" if exc.filename else f"cannot write the files: {why or exc}"


def _print(tables: list[Table], fmt: str) -> int:
    """Print tables in the chosen format."""
    sys.stdout.write(render(tables, fmt))
    return 0


def _cmd_who(args: argparse.Namespace) -> int:
    """lutonkg who."""
    from lutonkg.analysis.responsibility import who

    return _print([who(_graph(args), " ".join(args.what), args.at)], args.format)


def _cmd_timeline(args: argparse.Namespace) -> int:
    """lutonkg timeline."""
    from lutonkg.analysis.history import timeline

    return _print([timeline(_graph(args), " ".join(args.body) or None)], args.format)


def _cmd_diff(args: argparse.Namespace) -> int:
    """lutonkg diff."""
    from lutonkg.analysis.history import diff

    if args.first == args.second:
        raise UsageError("give two different years, e.g. `lutonkg diff 2002 2008`")
    return _print([diff(_graph(args), args.first, args.second)], args.format)


def _cmd_gaps(args: argparse.Namespace) -> int:
    """lutonkg gaps."""
    from lutonkg.analysis.gaps import gaps

    return _print([gaps(_graph(args))], args.format)


def _cmd_measures(args: argparse.Namespace) -> int:
    """lutonkg measures."""
    from lutonkg.analysis.measures import measures

    return _print(measures(_graph(args), args.at), args.format)


def _cmd_diagram(args: argparse.Namespace) -> int:
    """lutonkg diagram."""
    out = Path(args.out) if args.out else project(args).output_dir / "figures"
    with progress(f"drawing the {args.kind} diagram") as step:
        step("reading the graph")
        graph = _graph(args)
        step("drawing")
        paths = _draw(args, graph, out)
    for path in paths:
        print(path)
    return 0


def _draw(args: argparse.Namespace, graph: nx.MultiDiGraph, out: Path) -> list[Path]:
    """Draw the diagram the arguments ask for; the files written."""
    target = " ".join(args.target)
    if args.kind == "responsibility":
        from lutonkg.diagrams.map import responsibility_map

        if not target:
            raise UsageError("name a duty, aspect, theme or body, e.g. `lutonkg diagram responsibility lado --at 2020`")
        paths = responsibility_map(graph, target, args.at, out)
    elif target:
        raise UsageError(f"diagram {args.kind} takes no target (got {target!r})")
    elif args.kind == "network":
        from lutonkg.diagrams.network import partnership_network_figure

        paths = partnership_network_figure(graph, [args.at] if args.at else list(args.years), out)
    elif args.kind == "timeline":
        from lutonkg.diagrams.timeline import body_timeline_figure

        paths = body_timeline_figure(graph, out)
    else:
        from lutonkg.diagrams.tracker import tracker_figure

        paths = tracker_figure(graph, out)
    return paths


def _cmd_export(args: argparse.Namespace) -> int:
    """lutonkg export."""
    from lutonkg.exports.graphs import export_all

    out = Path(args.out) if args.out else project(args).output_dir / "exports"
    with progress("exporting") as step:
        step("reading the graph")
        graph = _graph(args)
        step("writing GraphML, GEXF and matrices")
        paths = export_all(graph, out, tuple(args.years))
    for path in paths:
        print(path)
    return 0


def _years(text: str) -> list[int]:
    """A comma-separated list of years (at least one)."""
    years = [year(part) for part in text.split(",") if part.strip()]
    if not years:
        raise argparse.ArgumentTypeError(f"{text!r} names no year (give e.g. 2002,2008,2020)")
    return years


def _common(p: argparse.ArgumentParser, fmt: bool = True) -> None:
    """--graph, and --format for commands that print tables."""
    graph_option(p)
    if fmt:
        format_option(p)


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register who, timeline, diff, gaps, measures, diagram and export."""
    p = subparsers.add_parser("who", help="chain of responsibility for a duty, aspect, theme or body, with sources")
    p.add_argument("what", nargs="+", help="duty id, aspect, theme, body, or words of a label (e.g. lado, send)")
    p.add_argument("--at", type=year, help="only what holds in this year (e.g. 2002, 2007-08)")
    _common(p)
    p.set_defaults(func=_run("who", _cmd_who))
    p = subparsers.add_parser("timeline", help="lifespans, reorganisations, responsibilities gained and lost")
    p.add_argument("body", nargs="*", help="a body (id or words of its name); none: the main bodies and all events")
    _common(p)
    p.set_defaults(func=_run("timeline", _cmd_timeline))
    p = subparsers.add_parser("diff", help="what changed between two years' snapshots")
    p.add_argument("first", type=year, help="earlier year, e.g. 2002")
    p.add_argument("second", type=year, help="later year, e.g. 2008")
    _common(p)
    p.set_defaults(func=_run("diff", _cmd_diff))
    p = subparsers.add_parser("gaps", help="duties with no discharger, recommendations never followed up, no oversight")
    _common(p)
    p.set_defaults(func=_run("gaps", _cmd_gaps))
    p = subparsers.add_parser("measures", help="hubs of the partnership network, responsibility load, capacity")
    p.add_argument("--at", type=year, help=f"one snapshot year (default: each of {', '.join(map(str, SNAPSHOTS))})")
    _common(p)
    p.set_defaults(func=_run("measures", _cmd_measures))
    p = subparsers.add_parser("diagram", help="draw a diagram as 300 dpi PNG and SVG")
    p.add_argument("kind", choices=DIAGRAM_KINDS, help="responsibility map, partnership network, timeline, tracker")
    p.add_argument("target", nargs="*", help="for responsibility: a duty, aspect, theme or body")
    p.add_argument("--at", type=year, help="the year (responsibility map; a single network panel)")
    p.add_argument("--years", type=_years, default=[2002, 2008, 2020], help="network panels (default: 2002,2008,2020)")
    p.add_argument("--out", help="folder for the files (default: the project's output/figures)")
    _common(p, fmt=False)
    p.set_defaults(func=_run("diagram", _cmd_diagram))
    p = subparsers.add_parser("export", help="GraphML, GEXF and per-snapshot responsibility matrices (CSV)")
    p.add_argument("--out", help="folder for the files (default: the project's output/exports)")
    p.add_argument(
        "--years", type=_years, default=list(SNAPSHOTS), help="matrix snapshots (default: 2000,2002,2008,2020)"
    )
    _common(p, fmt=False)
    p.set_defaults(func=_run("export", _cmd_export))
