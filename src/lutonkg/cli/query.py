"""`lutonkg query` and `lutonkg queries`: run the competency-question library (or any SPARQL) from the shell."""

from __future__ import annotations

import argparse
import re
import sys
import textwrap
from dataclasses import replace

from lutonkg.cli.common import fail, graph_file, graph_option, store_root, timeout_problem
from lutonkg.cli.render import format_option, render, width
from lutonkg.query import DEFAULT_TIMEOUT, EngineCrash, QueryError, QueryLimitError, execute, open_engine, prepare
from lutonkg.query.library import QuerySpec, find, library, parse
from lutonkg.query.params import inject, page, parse_assignments
from lutonkg.query.runner import project_defaults
from lutonkg.table import Table, from_rows


def _spec(args: argparse.Namespace) -> QuerySpec:
    """The query the user named: a library name, a .rq file, or text given with -e."""
    if args.expression is not None and args.query is not None:
        raise QueryError("give a query name or file, or -e 'SPARQL', not both")
    if args.expression is not None:
        return parse(args.expression, "-e")
    if args.query is None:
        raise QueryError("name a query (`lutonkg queries` lists them), a .rq file, or give -e 'SPARQL'")
    return find(args.query)


MAX_PAGE = 1_000_000_000


def count_option(option: str, value: str | None, least: int) -> tuple[int | None, str | None]:
    """A --limit/--offset value as a whole number of at least `least` (None when not given), or why it is not one."""
    if value is None:
        return None, None
    if not re.fullmatch(r"\d{1,10}", value.strip()) or not least <= int(value) <= MAX_PAGE:
        return None, f"{option} must be a whole number from {least} to {MAX_PAGE}, not {value!r}"
    return int(value), None


def _cmd_query(args: argparse.Namespace) -> int:
    """Run one query and print its rows; one error line and a non-zero exit on any problem."""
    limit, bad_limit = count_option("--limit", args.limit, 1)
    offset, bad_offset = count_option("--offset", args.offset, 0)
    problem = timeout_problem("--timeout", args.timeout) or bad_limit or bad_offset
    if problem:
        return fail("query", problem)
    try:
        spec = _spec(args)
        params = parse_assignments(args.param)
        engine = open_engine(graph_file(args), args.engine, stores=store_root(args))
        prepared = prepare(spec, params, engine)
        if args.show:  # the text any SPARQL 1.1 store runs: VALUES, not this store's scope graphs (same answer)
            text = page(inject(spec.text, prepared.terms), limit, offset)
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
            return 0
        prepared = replace(prepared, text=page(prepared.text, limit, offset))
        names, rows = execute(prepared, engine, args.timeout, isolated=True)
    except QueryLimitError as exc:  # time or memory limit: the child evaluating it was stopped
        return fail("query", str(exc), 3)
    except EngineCrash as exc:
        return fail("query", str(exc), 1)
    except QueryError as exc:
        return fail("query", str(exc))
    sys.stdout.write(render(from_rows(spec.name, names, rows), args.format))
    return 0


def _cmd_queries(args: argparse.Namespace) -> int:
    """List the library, one row per query; or describe one query in full."""
    try:
        queries = library() if args.name is None else {args.name: find(args.name)}
    except QueryError as exc:
        return fail("queries", str(exc))
    if args.name is not None:
        spec = queries[args.name]
        print(f"{spec.name}: {spec.title}")
        for para in filter(None, [spec.description, f"A row: {spec.row}" if spec.row else ""]):
            print(textwrap.fill(para, width(), initial_indent="  ", subsequent_indent="  "))
        defaults = project_defaults().get(spec.name, {})
        for p in spec.params:
            default = "required" if p.required else ("optional" if p.optional else f"default {p.default}")
            if p.name in defaults:
                default = f"default {defaults[p.name]}, this project's setting"
            example = f", e.g. {p.example}" if p.example else ""
            line = f"--param {p.name}=<{p.kind}>  ({default}{example}) {p.description}"
            print(textwrap.fill(line, width(), initial_indent="  ", subsequent_indent="      "))
        return 0
    rows = [{"query": name, "question": spec.title, "parameters": " ".join(p.usage() for p in spec.params)}
            for name, spec in queries.items()]  # fmt: skip
    notes = ["`lutonkg queries NAME` describes one, `lutonkg query NAME` runs it"]
    sys.stdout.write(render(Table("queries", ["query", "question", "parameters"], rows, notes), args.format))
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
    format_option(p)
    p.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="S",
        help=f"stop a query after S seconds (default: {DEFAULT_TIMEOUT:g})",
    )
    graph_option(p)
    p.add_argument(
        "--engine", choices=("oxigraph", "rdflib"), default="oxigraph", help="query engine (rdflib: slower, to compare)"
    )
    p.add_argument("--limit", metavar="N", help="at most N rows: one page, in the query's own order")
    p.add_argument("--offset", metavar="N", help="skip the first N rows (with --limit: the next page)")
    p.add_argument(
        "--show",
        action="store_true",
        help="print the SPARQL with its parameters bound (as VALUES: it runs on any store); do not run it",
    )
    p.set_defaults(func=_cmd_query)
    p = subparsers.add_parser("queries", help="list the competency-question library (or describe one query)")
    p.add_argument("name", nargs="?", help="a query to describe in full")
    format_option(p)
    p.set_defaults(func=_cmd_queries)
