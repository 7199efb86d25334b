"""The embedded pyoxigraph store: fast SPARQL over the built graph."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from lutonkg.paths import GRAPH_DIR

NQUADS = GRAPH_DIR / "lutonkg.nq"


def store_from_quads(quads: Iterable[ox.Quad]) -> ox.Store:
    """An in-memory store holding the given quads."""
    store = ox.Store()
    store.extend(quads)
    return store


def store_from_file(path: Path = NQUADS) -> ox.Store:
    """An in-memory store loaded from the built N-Quads file."""
    store = ox.Store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
    return store


def select(store: ox.Store, query: str) -> list[dict[str, str]]:
    """Run a SELECT over the union of all graphs; rows as dicts of plain strings."""
    results = store.query(query, use_default_graph_as_union=True)
    names = [v.value for v in results.variables]
    rows = []
    for solution in results:
        rows.append({name: (solution[name].value if solution[name] is not None else None) for name in names})
    return rows
