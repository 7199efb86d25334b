"""The ontology reference page's content: every class and property of the ontology and the slice of the reused
vocabularies it imports, with its label, definition, super-term, domain and range, and how often the graph uses it
(as stated by the sources and curators, and with what the reasoner adds)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from lutonkg.entities.describe import curie
from lutonkg.entities.index import RDF_TYPE, GraphIndex
from lutonkg.namespaces import INFERRED_GRAPH, LKG, ONTOLOGY_GRAPH

KINDS = {
    OWL.Class: "class",
    OWL.ObjectProperty: "object property",
    OWL.DatatypeProperty: "datatype property",
    OWL.AnnotationProperty: "annotation property",
    RDF.Property: "property",
}


@dataclass(frozen=True)
class Term:
    """One ontology term."""

    iri: str
    curie: str
    kind: str
    label: str
    definition: str
    parents: tuple[str, ...]
    domain: tuple[str, ...]
    range: tuple[str, ...]
    stated: int
    inferred: int

    @property
    def anchor(self) -> str:
        """The term's id on the page ('lkg-LocalAuthority')."""
        return self.curie.replace(":", "-")

    @property
    def own(self) -> bool:
        """Whether the project's ontology defines it (rather than a reused vocabulary)."""
        return self.iri.startswith(str(LKG))


def usage(index: GraphIndex) -> tuple[Counter, Counter]:
    """How often each class (instances) and property (triples) is used: distinct triples stated in the data and
    curators' graphs, and those the reasoner adds."""
    stated: set[tuple[str, str, str]] = set()
    inferred: set[tuple[str, str, str]] = set()
    for quads in index.by_subject.values():
        for q in quads:
            if q.g != str(ONTOLOGY_GRAPH):
                (inferred if q.g == str(INFERRED_GRAPH) else stated).add((q.s, q.p, q.o.value))
    return _tally(stated), _tally(inferred - stated)


def _tally(triples: set[tuple[str, str, str]]) -> Counter:
    """Triples per property, and instances per class."""
    found: Counter = Counter()
    for _, p, o in triples:
        found[p] += 1
        if p == RDF_TYPE:
            found[o] += 1
    return found


def terms(files: list[Path], index: GraphIndex) -> list[Term]:
    """Every class and property the ontology files declare, own terms first, each group by label."""
    graph = rdflib.Graph()
    for path in files:
        graph.parse(path, format="turtle")
    stated, inferred = usage(index)
    found = []
    for kind_iri, kind in KINDS.items():
        for term in set(graph.subjects(RDF.type, kind_iri)):
            if not isinstance(term, rdflib.URIRef):
                continue
            iri = str(term)
            found.append(Term(
                iri, curie(iri), kind, str(graph.value(term, RDFS.label) or curie(iri)),
                str(graph.value(term, SKOS.definition) or graph.value(term, RDFS.comment) or ""),
                _names(graph, term, RDFS.subClassOf if kind == "class" else RDFS.subPropertyOf),
                _names(graph, term, RDFS.domain), _names(graph, term, RDFS.range), stated[iri], inferred[iri],
            ))  # fmt: skip
    unique = {t.iri: t for t in found}
    return sorted(unique.values(), key=lambda t: (not t.own, t.kind != "class", t.curie.casefold()))


def _names(graph: rdflib.Graph, term: rdflib.URIRef, prop: rdflib.URIRef) -> tuple[str, ...]:
    """The CURIEs of a term's named super-terms, domains or ranges."""
    return tuple(sorted(curie(str(v)) for v in graph.objects(term, prop) if isinstance(v, rdflib.URIRef)))
