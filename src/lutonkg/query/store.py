"""The built graph in the embedded pyoxigraph store: loaded from a project's N-Quads file for querying, with the
union in the default graph and the authorities' scope graphs (lutonkg.query.scopes)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from lutonkg.query.scopes import add_scopes
from lutonkg.rdf.oxstore import select, store_from_quads, with_union_default_graph

__all__ = ["select", "store_from_file", "store_from_quads"]


def store_from_file(path: Path) -> ox.Store:
    """An in-memory store loaded from a built N-Quads file, with their union in the default graph and the scope
    graphs."""
    store = ox.Store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
    with_union_default_graph(store)
    add_scopes(store)
    return store
