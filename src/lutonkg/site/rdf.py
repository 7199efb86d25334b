"""The machine-readable description written beside each entity page (Turtle and JSON-LD): what the graph states
about the entity, the statement nodes that link it to others (relationships, responsibilities, reorganisations,
follow-up evidence) and the citations of both, with the labels of everything they mention. Deterministic: sorted
triples, no blank nodes of our own."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from lutonkg.namespaces import INFERRED_GRAPH, LKG, ONTOLOGY_GRAPH, PREFIXES

QUALIFIED = ox.NamedNode(str(PREFIXES["prov"]) + "qualifiedDerivation")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
ORG = str(PREFIXES["org"])
# links from a statement node to the entities it is about
STATEMENT_LINKS = [str(LKG) + p for p in ("subject", "object", "duty", "body", "strategy", "priority", "evidenceFor")]
STATEMENT_LINKS += [ORG + "originalOrganization", ORG + "resultingOrganization"]
SKIPPED_GRAPHS = {str(INFERRED_GRAPH), str(ONTOLOGY_GRAPH)}
TURTLE_PREFIXES = {name: str(ns) for name, ns in sorted(PREFIXES.items()) if name != "id"}


class Descriptions:
    """The built graph in an embedded store, ready to describe one entity after another."""

    def __init__(self, nquads: Path) -> None:
        self.store = ox.Store()
        self.store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
        self.links = {ox.NamedNode(p) for p in STATEMENT_LINKS}

    def _triples(
        self,
        subject: ox.NamedNode | None = None,
        predicate: ox.NamedNode | None = None,
        obj: ox.NamedNode | None = None,
    ) -> set[ox.Triple]:
        """Asserted and curated triples (not the reasoner's, not the ontology's) matching a pattern."""
        return {
            ox.Triple(q.subject, q.predicate, q.object)
            for q in self.store.quads_for_pattern(subject, predicate, obj, None)
            if not isinstance(q.graph_name, ox.DefaultGraph) and q.graph_name.value not in SKIPPED_GRAPHS
        }

    def _with_citations(self, node: ox.NamedNode) -> set[ox.Triple]:
        """A node's own triples and those of its citation nodes."""
        own = self._triples(node)
        for t in list(own):
            if t.predicate == QUALIFIED and isinstance(t.object, ox.NamedNode):
                own |= self._triples(t.object)
        return own

    def triples(self, iri: str) -> list[ox.Triple]:
        """The description of one entity, sorted."""
        node = ox.NamedNode(iri)
        found = self._with_citations(node)
        for t in self._triples(None, None, node):
            if t.predicate in self.links and isinstance(t.subject, ox.NamedNode):
                found |= self._with_citations(t.subject)
            else:
                found.add(t)
        mentioned = {t.object for t in found if isinstance(t.object, ox.NamedNode)} | {t.subject for t in found}
        for other in mentioned:
            if other != node:
                found |= self._triples(other, RDFS_LABEL)
        return sorted(found, key=str)

    def turtle(self, triples: list[ox.Triple]) -> bytes:
        """The description as Turtle with the project's prefixes."""
        return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=TURTLE_PREFIXES)

    def jsonld(self, triples: list[ox.Triple]) -> bytes:
        """The description as (expanded) JSON-LD."""
        return ox.serialize(triples, format=ox.RdfFormat.JSON_LD)


def entity_iris(nquads: Path) -> list[str]:
    """Every entity of a built graph (the same as `lutonkg.entities.describe.entities`, read without the index)."""
    from lutonkg.entities.describe import STATEMENT_KINDS, kind_of
    from lutonkg.entities.index import CITATION_PREFIX
    from lutonkg.namespaces import ID, LEGISLATION

    subjects = {q.subject.value for q in ox.parse(path=str(nquads), format=ox.RdfFormat.N_QUADS)
                if isinstance(q.subject, ox.NamedNode) and not isinstance(q.graph_name, ox.DefaultGraph)}  # fmt: skip
    things = (s for s in subjects if s.startswith((str(ID), LEGISLATION)) and not s.startswith(CITATION_PREFIX))
    return sorted(s for s in things if kind_of(s) not in STATEMENT_KINDS)
