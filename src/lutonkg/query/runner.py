"""Running SPARQL over the built graph: a library query, a .rq file or text, with parameters and a time limit.

The embedded pyoxigraph store is the engine (lutonkg.query.engines); rdflib runs the same queries for comparison.
Rows come back as dicts of plain Python values, so results compare across engines.

>>> from lutonkg.query import run
>>> rows = run("inspection-grades")                      # the library query, its default parameters
>>> rows = run("recommendations-to-body", {"body": "luton-lea"})
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import pyoxigraph as ox
from rdflib import Dataset

from lutonkg.project import ProjectError, find_project
from lutonkg.query.engines import (
    Engine,
    OxigraphEngine,
    QueryCancelled,
    RdflibEngine,
    Row,
    load_rdflib,
    open_engine,
)
from lutonkg.query.guard import LIMITS, Limits, QueryRefused, check
from lutonkg.query.isolate import (
    MEMORY_LIMIT,
    STACK_SIZE,
    EngineCrash,
    QueryLimitError,
    QueryMemoryError,
    QueryTimeout,
    available,
    run_isolated,
)
from lutonkg.query.library import QueryError, QuerySpec, find, parse
from lutonkg.query.params import Scope, inject, values_for
from lutonkg.query.scopes import find_scope

__all__ = [
    "EngineCrash",
    "QueryError",
    "QueryLimitError",
    "QueryMemoryError",
    "QueryRefused",
    "QueryTimeout",
    "OxigraphEngine",
    "RdflibEngine",
    "Prepared",
    "execute",
    "load_rdflib",
    "open_engine",
    "prepare",
    "run",
    "run_full",
]

DEFAULT_TIMEOUT = 60.0
T = TypeVar("T")


def with_timeout(work: Callable[[threading.Event], T], timeout: float | None) -> T:
    """Run work(cancel) in a helper thread and wait at most timeout seconds (None: no limit).

    pyoxigraph releases the GIL while it evaluates, so the wait is honoured. On timeout the cancel event is set:
    a query that streams its rows stops at the next row; one that must finish a sort or an aggregate first keeps
    its daemon thread busy until then (the command line exits at once instead).
    """
    cancel = threading.Event()
    if timeout is None:
        return work(cancel)
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = work(cancel)
        except QueryCancelled:
            pass  # nobody waits any more; the engine's objects are freed here, in the thread that made them
        except BaseException as exc:  # handed back to the caller below
            outcome["error"] = exc

    previous = threading.stack_size(STACK_SIZE)
    try:
        thread = threading.Thread(target=target, name="lutonkg-query", daemon=True)
        thread.start()
    finally:
        threading.stack_size(previous)
    thread.join(timeout)
    if thread.is_alive():
        cancel.set()
        raise QueryTimeout(f"query stopped after {timeout:g} s (the time limit); narrow it or raise --timeout")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


@dataclass(frozen=True)
class _GraphNames:
    """The engine's named graphs, looked up only if a query names one (FROM / FROM NAMED)."""

    engine: Engine

    def __contains__(self, iri: object) -> bool:
        """True when the engine holds a named graph of that IRI."""
        names = getattr(self.engine, "graph_names", None)
        return names is not None and iri in names()


@dataclass(frozen=True)
class Prepared:
    """A query ready to run: its spec, its text with the parameters bound, and the bound terms by name."""

    spec: QuerySpec
    text: str
    terms: dict[str, str]


def project_defaults() -> dict[str, dict[str, str]]:
    """The current project's parameter defaults per query (lutonkg.toml [query-defaults]); none outside a project."""
    try:
        return find_project().query_defaults
    except ProjectError:
        return {}


def prepare(
    query: str | QuerySpec,
    params: dict[str, str] | None,
    engine: Engine,
    defaults: dict[str, dict[str, str]] | None = None,
    limits: Limits = LIMITS,
) -> Prepared:
    """The query (a name, a .rq path, SPARQL text or a spec) with its parameters resolved and bound; parameters
    not given take the project's defaults (`defaults`, else the current project's), then the query's own.

    The text is inspected first (lutonkg.query.guard): too big or deep, an update, SERVICE, or a FROM naming a graph
    the engine does not hold is a QueryRefused.
    """
    if isinstance(query, QuerySpec):
        spec = query
    elif "{" in query:
        spec = parse(query, "query")
    else:
        spec = find(query)
    try:
        check(spec.text, _GraphNames(engine), limits)
    except QueryRefused as exc:
        if spec.path is None:
            raise
        raise QueryRefused(f"{spec.path.name}: {exc}", exc.reason) from None
    chosen = project_defaults() if defaults is None else defaults
    terms = values_for(spec, params or {}, engine, chosen.get(spec.name, {}))
    return Prepared(spec, inject(spec.text_for(terms), terms, _scope(spec, terms, engine)), terms)


def _scope(spec: QuerySpec, terms: dict[str, str], engine: Engine) -> Scope | None:
    """The query's scope lines and the authority's scope graph, when it has some and the engine holds that graph
    (lutonkg.query.scopes); None binds the authority with VALUES, as on any store."""
    authority = terms.get("authority", "")
    if not spec.scope or not authority.startswith("<"):
        return None
    graph = find_scope(engine, authority[1:-1])
    return (spec.scope, graph) if graph else None


def execute(
    prepared: Prepared,
    engine: Engine,
    timeout: float | None = None,
    isolated: bool = False,
    memory: int | None = MEMORY_LIMIT,
) -> tuple[list[str], list[Row]]:
    """Run a prepared query on an engine within the time limit; column names and rows.

    isolated: evaluate in a forked child (lutonkg.query.isolate) that is killed at the time limit, limited to
    `memory` bytes beyond what this process holds, and whose crash is an EngineCrash, not this process's death.
    Used by the command line; it falls back to a thread where forking is not possible (other threads running).
    """
    try:
        if isolated and available():
            return run_isolated(lambda: engine.rows(prepared.text, prepared.terms), timeout, memory)
        return with_timeout(lambda cancel: engine.rows(prepared.text, prepared.terms, cancel), timeout)
    except (QueryLimitError, EngineCrash, QueryRefused):
        raise
    except QueryError as exc:
        where = prepared.spec.path.name if prepared.spec.path else None
        raise QueryError(f"{where}: {exc}" if where else str(exc)) from None


def as_engine(engine: Engine | ox.Store | Dataset | None) -> Engine:
    """An engine for what the caller has: an engine, a pyoxigraph Store, an rdflib Dataset, or None (the graph)."""
    if engine is None:
        return default_engine()
    if isinstance(engine, ox.Store):
        return OxigraphEngine(engine)
    if isinstance(engine, Dataset):
        return RdflibEngine(engine)
    return engine


def run_full(
    query: str | QuerySpec,
    params: dict[str, str] | None = None,
    engine: Engine | ox.Store | Dataset | None = None,
    timeout: float | None = None,
) -> tuple[list[str], list[Row]]:
    """Like run, but also returns the column names (in SELECT order)."""
    chosen = as_engine(engine)
    return execute(prepare(query, params, chosen), chosen, timeout)


def run(
    query: str | QuerySpec,
    params: dict[str, str] | None = None,
    engine: Engine | ox.Store | Dataset | None = None,
    timeout: float | None = None,
) -> list[Row]:
    """Run a library query (by name), a .rq file or SPARQL text; rows as dicts of plain values.

    engine: a pyoxigraph Store, an rdflib Dataset, an engine from open_engine, or None for the current project's
    built graph (graph/lutonkg.nq of the project folder you are in).
    """
    return run_full(query, params, engine, timeout)[1]


_DEFAULT: dict[tuple, OxigraphEngine] = {}


def default_engine() -> OxigraphEngine:
    """The current project's built graph in its persistent store, opened once per process (again if rebuilt)."""
    try:
        project = find_project()
    except ProjectError as exc:
        raise QueryError(str(exc)) from None
    path = project.nquads
    try:
        stamp = path.stat()
    except OSError:
        raise QueryError(f"graph file {path} not found; build it with `lutonkg build`") from None
    key = (str(path), stamp.st_mtime_ns, stamp.st_size)
    if key not in _DEFAULT:
        _DEFAULT.clear()
        _DEFAULT[key] = open_engine(path, stores=project.store_dir)
    return _DEFAULT[key]
