"""Scope graphs: an index the query stores derive so that a query scoped to one authority starts from its share.

A query scoped to one local authority (`authority=...`) is bound with a one-row `VALUES` table, and Oxigraph plans
it from there: authority → its documents → every citation of them (2,642 for Luton) → the things cited. That walk
costs 40-60 ms on the on-disk store whatever the query asks, and planned from its own selective pattern instead
(a theme, an aspect, a relation type) the query reads that pattern for every authority in the graph.

So the stores that answer queries (`lutonkg.query.store`, in memory, and `lutonkg.query.ondisk`, on disk) also hold,
for each authority the documents are about, a named graph `…/id/graph/scope/<authority slug>` listing, class by
class, everything a document about that authority cites: `<class> rdfs:member <thing>` for each class the thing
belongs to (its types in the union and their superclasses in the ontology, so that a graph built without the
reasoner gets the same scopes as one with its inferred types), and one triple `<scope graph> dcterms:coverage
<authority>` (the jurisdiction the graph covers). The built N-Quads do not hold them: they are derived, like the
union in the default graph, and the default graph is unchanged (its triples are already there). The class is the
subject, not the object (`?thing a <class>`), because Oxigraph, which plans without statistics, ranks a pattern with
a fixed subject and predicate (here `GRAPH <scope> { <class> rdfs:member ?thing }`) before any pattern with a fixed
predicate and object (such as `?duty lkg:aspect <safeguarding>`, which it would otherwise read for every authority
first).

A library query whose header says `# scope: ?var prefix:Type` (?var: a thing of that type that a document about
the authority cites) is then bound, on a store with the authority's scope graph, with
`GRAPH <scope> { <Type> rdfs:member ?var }` and `FILTER(?authority = <authority>)` instead of the authority's
`VALUES` in each group that would get them and has ?var in its own patterns (not only in a nested group): the
outermost group, or a subquery grouped by the authority (lutonkg.query.params.inject); an OPTIONAL group directly
inside such a group that mentions ?var gets the same pattern. The answer is the same (the scope holds every such
thing; the filter keeps the group's own authority) and the plan starts from the authority's few hundred things of
that type. Engines without scope graphs (rdflib, Jena, a store loaded by other means) get the `VALUES` as before;
tests/test_engine_conformance.py compares the two.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pyoxigraph as ox

from lutonkg.namespaces import ID, LKG

if TYPE_CHECKING:
    from lutonkg.query.engines import Engine

SCOPE_BASE = f"{ID}graph/scope/"
AUTHORITY_BASE = f"{ID}body/"
COVERAGE = ox.NamedNode("http://purl.org/dc/terms/coverage")
MEMBER = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#member")
_CITED = f"""
PREFIX lkg: <{LKG}>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?authority ?thing ?type WHERE {{
  ?doc lkg:aboutAuthority ?authority .
  FILTER(STRSTARTS(STR(?authority), "{AUTHORITY_BASE}"))
  ?cite prov:entity ?doc .
  ?thing prov:qualifiedDerivation ?cite ; a/rdfs:subClassOf* ?type .
  FILTER(ISIRI(?type))
}}
"""


def scope_graph(authority: str) -> str:
    """The IRI of the scope graph of an authority (a body IRI)."""
    return SCOPE_BASE + authority.removeprefix(AUTHORITY_BASE)


def _scope_quads(store: ox.Store) -> Iterator[ox.Quad]:
    """The quads of every authority's scope graph, read from the store's default graph (the union)."""
    seen: set[str] = set()
    for row in store.query(_CITED):
        authority = row["authority"]
        graph = ox.NamedNode(scope_graph(authority.value))
        if authority.value not in seen:
            seen.add(authority.value)
            yield ox.Quad(graph, COVERAGE, authority, graph)
        yield ox.Quad(row["type"], MEMBER, row["thing"], graph)


def add_scopes(store: ox.Store, bulk: bool = False) -> None:
    """Add the scope graphs to a store whose default graph holds the union (bulk: with the on-disk bulk loader)."""
    quads = list(_scope_quads(store))
    if bulk:
        store.bulk_extend(quads)
    else:
        store.extend(quads)


def find_scope(engine: Engine, authority: str) -> str | None:
    """The scope graph of the authority in the engine's store, or None where the store has none."""
    graph = scope_graph(authority)
    if not graph.startswith(SCOPE_BASE) or ">" in graph or " " in graph:
        return None
    return graph if engine.ask(f"ASK {{ GRAPH <{graph}> {{ <{graph}> <{COVERAGE.value}> <{authority}> }} }}") else None
