"""The SPARQL quality checks of a build, run in a helper thread beside the rest of it.

pyoxigraph releases the GIL while it loads and queries, so the checks' store fills with the asserted triples while
the main thread reasons, takes the inferred ones when they are known, and answers the checks while the main thread
validates with SHACL and writes the outputs' text. Their verdict is the same as when they ran first: a build that
fails both reports the quality check's problem (pipeline._validate).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType

import pyoxigraph as ox

from lutonkg.checks.validate import Problem, sparql_problems
from lutonkg.rdf.oxstore import with_union_default_graph
from lutonkg.rdf.serialize import QuadKey
from lutonkg.resources import checks_dir


class QualityChecks:
    """The checks' store and run, in one helper thread: start() with the asserted quads, finish() with the
    inferred ones, then problems(); use as a context manager so the thread ends with the build."""

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lutonkg-sparql-checks")
        self.named = any(uses_graph(path.read_text(encoding="utf-8")) for path in checks_dir().glob("*.rq"))
        self.store: Future[ox.Store] | None = None
        self.checked: Future[list[Problem]] | None = None

    def __enter__(self) -> QualityChecks:
        return self

    def __exit__(self, kind: type | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    def start(self, asserted: list[QuadKey]) -> None:
        """Begin loading the asserted quads (as their union, or also in their named graphs when a check asks)."""
        self.store = self.pool.submit(self._load, ox.Store(), asserted)

    def finish(self, inferred: Iterable[QuadKey]) -> None:
        """Add the inferred quads, then run the checks (both in the helper thread)."""
        if self.store is None:
            raise RuntimeError("QualityChecks.finish() before start()")
        started, more = self.store, list(inferred)
        self.checked = self.pool.submit(lambda: sparql_problems(self._complete(self._load(started.result(), more))))

    def problems(self) -> list[Problem]:
        """The checks' problems (waiting for them); an error in the helper thread is raised here."""
        if self.checked is None:
            raise RuntimeError("QualityChecks.problems() before finish()")
        return self.checked.result()

    def _load(self, store: ox.Store, keys: list[QuadKey]) -> ox.Store:
        """Add quads to the store: in their named graphs, or (when no check reads them) only as triples."""
        if self.named:
            text = "".join(f"{s} {p} {o} {g} .\n" for g, s, p, o in keys)
        else:
            text = "".join(f"{s} {p} {o} .\n" for _, s, p, o in keys)
        store.load(input=text, format=ox.RdfFormat.N_QUADS)
        return store

    def _complete(self, store: ox.Store) -> ox.Store:
        """The store as the checks read it: the union of the named graphs in the default graph."""
        return with_union_default_graph(store) if self.named else store


def uses_graph(query: str) -> bool:
    """Whether a query has a GRAPH pattern (a keyword followed by a variable or an IRI; comment lines ignored)."""
    text = re.sub(r"(?m)^\s*#.*$", "", query)
    return re.search(r"\bGRAPH\s*[?$<]", text, re.I) is not None
