"""`lutonkg query` and `lutonkg queries`: run the competency-question library (or any SPARQL) from the shell."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import textwrap
from pathlib import Path

from lutonkg.query import DEFAULT_TIMEOUT, QueryError, QueryTimeout, execute, open_engine, prepare
from lutonkg.query_format import FORMATS, TABLE_WIDTH, render
from lutonkg.query_library import QuerySpec, find, library, parse
from lutonkg.query_params import parse_assignments
from lutonkg.store import NQUADS


def _fail(command: str, message: str, code: int = 2) -> int:
    """Print one error line on stderr and return the exit code."""
    print(f"lutonkg {command}: error: {message}", file=sys.stderr)
    return code


def _spec(args: argparse.Namespace) -> QuerySpec:
    """The query the user named: a library name, a .rq file, or text given with -e."""
    if args.expression is not None and args.query is not None:
        raise QueryError("give a query name or file, or -e 'SPARQL', not both")
    if args.expression is not None:
        return parse(args.expression, "-e")
    if args.query is None:
        raise QueryError("name a query (`lutonkg queries` lists them), a .rq file, or give -e 'SPARQL'")
    return find(args.query)


def _width() -> int:
    """The table width: the terminal's when writing to one, else 100 columns."""
    return shutil.get_terminal_size((TABLE_WIDTH, 24)).columns if sys.stdout.isatty() else TABLE_WIDTH


def _cmd_query(args: argparse.Namespace) -> int:
    """Run one query and print its rows; one error line and a non-zero exit on any problem."""
    if args.timeout is not None and args.timeout <= 0:
        return _fail("query", f"--timeout must be a positive number of seconds, not {args.timeout:g}")
    try:
        spec = _spec(args)
        params = parse_assignments(args.param)
        engine = open_engine(Path(args.graph), args.engine)
        prepared = prepare(spec, params, engine)
        if args.show:
            sys.stdout.write(prepared.text if prepared.text.endswith("\n") else prepared.text + "\n")
            return 0
        names, rows = execute(prepared, engine, args.timeout)
    except QueryTimeout as exc:
        print(f"lutonkg query: error: {exc}", file=sys.stderr, flush=True)
        sys.stdout.flush()
        os._exit(3)  # the evaluation cannot be interrupted; leave without waiting for it
    except QueryError as exc:
        return _fail("query", str(exc))
    sys.stdout.write(render(names, rows, args.format, _width()))
    return 0


def _cmd_queries(args: argparse.Namespace) -> int:
    """List the library, one line per query; or describe one query in full."""
    try:
        queries = library() if args.name is None else {args.name: find(args.name)}
    except QueryError as exc:
        return _fail("queries", str(exc))
    if args.name is not None:
        spec = queries[args.name]
        print(f"{spec.name}: {spec.title}")
        for para in filter(None, [spec.description, f"A row: {spec.row}" if spec.row else ""]):
            print(textwrap.fill(para, TABLE_WIDTH, initial_indent="  ", subsequent_indent="  "))
        for p in spec.params:
            default = "required" if p.required else ("optional" if p.optional else f"default {p.default}")
            example = f", e.g. {p.example}" if p.example else ""
            print(
                textwrap.fill(
                    f"--param {p.name}=<{p.kind}>  ({default}{example}) {p.description}",
                    TABLE_WIDTH,
                    initial_indent="  ",
                    subsequent_indent="      ",
                )
            )
        return 0
    width = max(len(name) for name in queries) if queries else 0
    for name, spec in queries.items():
        line = f"{name.ljust(width)}  {spec.title}"
        print(line if len(line) <= TABLE_WIDTH else line[: TABLE_WIDTH - 1] + "…")
    print(f"({len(queries)} queries; `lutonkg queries NAME` describes one, `lutonkg query NAME` runs it)")
    return 0


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register `query` and `queries` with the `lutonkg` command."""
    p = subparsers.add_parser(
        "query",
        help="run a library query, a .rq file or SPARQL text over the built graph",
        description="Run SPARQL over the union of the graph's named graphs (embedded pyoxigraph store).",
    )
    p.add_argument("query", nargs="?", help="a library query name (see `lutonkg queries`) or a .rq file")
    p.add_argument("-e", "--expression", metavar="SPARQL", help="SPARQL text to run instead of a named query")
    p.add_argument("--param", "-p", action="append", metavar="NAME=VALUE", help="a parameter (repeatable)")
    p.add_argument("--format", "-f", choices=FORMATS, default="table", help="output format (default: table)")
    p.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="S",
        help=f"stop a query after S seconds (default: {DEFAULT_TIMEOUT:g})",
    )
    p.add_argument("--graph", default=str(NQUADS), help="N-Quads file to query (default: graph/lutonkg.nq)")
    p.add_argument(
        "--engine", choices=("oxigraph", "rdflib"), default="oxigraph", help="query engine (rdflib: slower, to compare)"
    )
    p.add_argument("--show", action="store_true", help="print the SPARQL with parameters bound instead of running it")
    p.set_defaults(func=_cmd_query)
    p = subparsers.add_parser("queries", help="list the competency-question library (or describe one query)")
    p.add_argument("name", nargs="?", help="a query to describe in full")
    p.set_defaults(func=_cmd_queries)
