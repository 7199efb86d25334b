"""The query engines: pyoxigraph (the fast embedded store) and rdflib (for comparison), behind one interface.

Both query the union of the graph's named graphs and give rows as dicts of plain Python values (IRIs and most
literals as str, numbers as int or float, booleans as bool, unbound as None), so results compare across engines.
"""

from __future__ import annotations

import re
import threading
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Protocol

import pyoxigraph as ox
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.plugins.sparql.algebra import translateQuery, traverse
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Result

from lutonkg.query.guard import QueryRefused
from lutonkg.query.library import QueryError
from lutonkg.query.ondisk import DiskStore, StoreError, open_store
from lutonkg.query.store import store_from_file

XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGER_TYPES = ("integer", "int", "long", "short", "byte", "nonNegativeInteger", "nonPositiveInteger")
_INTEGER_TYPES += ("negativeInteger", "positiveInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte")
_INTEGERS = {XSD + name for name in _INTEGER_TYPES}
_FLOATS = {XSD + "decimal", XSD + "double", XSD + "float"}
Row = dict[str, Any]


class Engine(Protocol):
    """What the runner needs from an engine: SELECT rows, ASK answers and CONSTRUCT triples as plain values."""

    name: str

    def rows(
        self, query: str, bindings: dict[str, str] | None = None, cancel: threading.Event | None = None
    ) -> tuple[list[str], list[Row]]: ...

    def ask(self, query: str) -> bool: ...

    def graph_names(self) -> frozenset[str]: ...


def plain(datatype: str | None, lexical: str) -> Any:
    """A literal as a plain Python value: int, float or bool where its datatype says so, else its lexical form."""
    try:
        if datatype in _INTEGERS:
            return int(lexical)
        if datatype in _FLOATS:
            return float(lexical)
    except ValueError:
        return lexical
    if datatype == XSD + "boolean":
        return lexical in ("true", "1")
    return lexical


def _ox_plain(term: object) -> Any:
    """A pyoxigraph term as a plain value."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return plain(term.datatype.value if term.datatype else None, term.value)
    return str(term)


def _rdflib_plain(term: object) -> Any:
    """An rdflib term as a plain value."""
    if term is None:
        return None
    if isinstance(term, URIRef):
        return str(term)
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        return plain(str(term.datatype) if term.datatype else None, str(term))
    return str(term)


def _rdflib_term(term: str) -> URIRef | Literal:
    """An rdflib term for a bound parameter as query_params writes it: <iri> or a quoted string."""
    if term.startswith("<"):
        return URIRef(term[1:-1])
    text = term[1:-1]
    return Literal(re.sub(r"\\(.)", lambda m: {"n": "\n", "r": "\r"}.get(m.group(1), m.group(1)), text))


def _syntax_message(exc: Exception) -> str:
    """A parser error squeezed onto one short line."""
    text = " ".join(str(exc).split())
    text = re.sub(r"expected one of .*", "unexpected token", text)
    return text if len(text) <= 200 else text[:199] + "…"


class QueryCancelled(Exception):
    """The caller stopped waiting for this query."""


def _collect(items: Iterable[Any], convert: Callable[[Any], Row], cancel: threading.Event | None) -> list[Row]:
    """Convert results one by one, stopping early once the caller has given up on them."""
    rows = []
    for item in items:
        if cancel is not None and cancel.is_set():
            raise QueryCancelled
        rows.append(convert(item))
    return rows


class OxigraphEngine:
    """The embedded pyoxigraph store, querying the union of its named graphs.

    Stores from lutonkg.query.store hold that union, de-duplicated, in their default graph; for any other store (empty
    default graph) pyoxigraph's union mode is used instead, which may repeat a triple stated in two graphs.
    """

    name = "oxigraph"

    def __init__(self, store: ox.Store, disk: DiskStore | None = None) -> None:
        self.store = store
        self.disk = disk  # the on-disk store it reads (its shared lock is held while the engine lives), if any
        self.union_mode = next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is None
        self._graphs: frozenset[str] | None = None

    def graph_names(self) -> frozenset[str]:
        """The IRIs of the store's named graphs (what FROM and FROM NAMED may name)."""
        if self._graphs is None:
            self._graphs = frozenset(g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode))
        return self._graphs

    def _query(self, query: str) -> object:
        """Parse and start a query; syntax errors become QueryError."""
        try:
            return self.store.query(query, use_default_graph_as_union=self.union_mode)
        except SyntaxError as exc:
            raise QueryError(f"invalid SPARQL: {_syntax_message(exc)}") from None
        except OSError as exc:
            raise QueryError(f"query failed: {_syntax_message(exc)}") from None

    def rows(
        self, query: str, bindings: dict[str, str] | None = None, cancel: threading.Event | None = None
    ) -> tuple[list[str], list[Row]]:
        """SELECT solutions, or CONSTRUCT/DESCRIBE triples as subject/predicate/object rows.

        The parameters are already in the text as VALUES; bindings is accepted for a common signature.
        """
        results = self._query(query)
        if isinstance(results, ox.QuerySolutions):
            names = [v.value for v in results.variables]
            # a solution iterates its values in the variables' order (None where unbound): reading them by name took
            # about 1 µs a value more (5 ms of relationship-sources' 85 on the on-disk store)
            return names, _collect(results, lambda s: dict(zip(names, map(_ox_plain, s), strict=True)), cancel)
        if isinstance(results, ox.QueryBoolean):
            return ["result"], [{"result": bool(results)}]
        names = ["subject", "predicate", "object"]
        return names, _collect(results, lambda t: dict(zip(names, map(_ox_plain, t), strict=True)), cancel)

    def ask(self, query: str) -> bool:
        """The answer to an ASK query."""
        return bool(self._query(query))


class RdflibEngine:
    """An rdflib Dataset whose default graph is the union of the named graphs (for comparison).

    rdflib fetches the URL of a SERVICE clause and loads (from a file or the web) any FROM / FROM NAMED graph it does
    not hold; every query is parsed here first and refused if its algebra has either (lutonkg.query.guard has already
    refused them in the text; this checks what rdflib itself understood, e.g. after its \\u escapes).
    """

    name = "rdflib"

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self._graphs: frozenset[str] | None = None

    def graph_names(self) -> frozenset[str]:
        """The IRIs of the dataset's non-empty named graphs (what FROM and FROM NAMED may name)."""
        if self._graphs is None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                default = self.dataset.default_context.identifier
                named = [c.identifier for c in self.dataset.contexts() if len(c) and isinstance(c.identifier, URIRef)]
            self._graphs = frozenset(str(i) for i in named if i != default)
        return self._graphs

    def _parse(self, query: str) -> Query:
        """rdflib's parse of the query, refused if it would reach outside the dataset."""
        try:
            parsed = translateQuery(parseQuery(query))
        except RecursionError:
            raise QueryError(_TOO_DEEP) from None
        except Exception as exc:  # rdflib raises pyparsing and assorted errors for bad queries
            raise QueryError(f"invalid SPARQL: {_syntax_message(exc)}") from None
        services: list[object] = []
        traverse(
            parsed.algebra, visitPre=lambda node: services.append(node) if _is(node, "ServiceGraphPattern") else None
        )
        if services:
            raise QueryRefused(
                "federated queries (SERVICE) are not accepted: queries run on the loaded graph only", "service"
            )
        for clause in parsed.algebra.get("datasetClause") or []:
            iri = clause.get("default") or clause.get("named")
            if str(iri) not in self.graph_names():
                raise QueryRefused(f"FROM <{iri}> is not accepted: only the loaded graph's named graphs", "dataset")
        return parsed

    def _query(self, query: str, bindings: dict[str, str] | None = None) -> Result:
        """Parse, inspect and start a query; parser errors become QueryError."""
        initial = {name: _rdflib_term(term) for name, term in (bindings or {}).items()}
        parsed = self._parse(query)
        try:
            return self.dataset.query(parsed, initBindings=initial)
        except RecursionError:
            raise QueryError(_TOO_DEEP) from None
        except Exception as exc:  # rdflib raises assorted errors while it prepares the evaluation
            raise QueryError(f"query failed: {_syntax_message(exc)}") from None

    def rows(
        self, query: str, bindings: dict[str, str] | None = None, cancel: threading.Event | None = None
    ) -> tuple[list[str], list[Row]]:
        """SELECT solutions, or CONSTRUCT/DESCRIBE triples as subject/predicate/object rows.

        The parameters are in the text as VALUES and are also given to rdflib as initial bindings: rdflib
        evaluates each branch of a UNION on its own, and without them it would join unbounded branches first.
        """
        with warnings.catch_warnings():  # rdflib 7 warns about its own internals on every Dataset lookup
            warnings.simplefilter("ignore", DeprecationWarning)
            try:
                return self._rows(query, bindings, cancel)
            except RecursionError:  # rdflib evaluates joins and unions recursively
                raise QueryError(_TOO_DEEP) from None

    def _rows(
        self, query: str, bindings: dict[str, str] | None, cancel: threading.Event | None
    ) -> tuple[list[str], list[Row]]:
        """The rows of a started query."""
        result = self._query(query, bindings)
        if result.type == "ASK":
            return ["result"], [{"result": bool(result.askAnswer)}]
        if result.type == "SELECT":
            names = [str(v) for v in result.vars]
            return names, _collect(result, lambda r: {n: _rdflib_plain(r[i]) for i, n in enumerate(names)}, cancel)
        names = ["subject", "predicate", "object"]
        return names, _collect(result, lambda t: dict(zip(names, map(_rdflib_plain, t), strict=True)), cancel)

    def ask(self, query: str) -> bool:
        """The answer to an ASK query."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return bool(self._query(query).askAnswer)


_NO_SERVICE = "federated queries (SERVICE) are not accepted: queries run on the loaded graph only"
_TOO_DEEP = "the query nests or chains too deeply for the rdflib engine (Python's recursion limit); use oxigraph"


def _is(node: object, name: str) -> bool:
    """True for an rdflib algebra node of that name."""
    return getattr(node, "name", None) == name


def load_rdflib(path: Path) -> Dataset:
    """The N-Quads file as an rdflib Dataset querying the union of its graphs."""
    dataset = Dataset(default_union=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        dataset.parse(str(path), format="nquads")
    return dataset


def open_engine(path: Path, engine: str = "oxigraph", stores: Path | None = None) -> OxigraphEngine | RdflibEngine:
    """Load the built graph into the named engine; a missing or unreadable file is a QueryError.

    stores: a folder of persistent stores (lutonkg.query.ondisk): oxigraph then opens the file's on-disk store there,
    built on first use, instead of loading the file into memory.
    """
    if not path.is_file():
        raise QueryError(f"graph file {path} not found; build it with `lutonkg build`")
    try:
        if engine == "rdflib":
            return RdflibEngine(load_rdflib(path))
        if stores is not None:
            try:
                disk = open_store(path, stores)
            except OSError:  # the stores' folder cannot be made or written: load into memory as before
                return OxigraphEngine(store_from_file(path))
            return OxigraphEngine(disk.store, disk)
        return OxigraphEngine(store_from_file(path))
    except StoreError as exc:
        raise QueryError(str(exc)) from None
    except (SyntaxError, ValueError, OSError) as exc:
        raise QueryError(f"cannot load {path}: {_syntax_message(exc)}") from None
