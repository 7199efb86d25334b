"""The built graph held in memory for describing entities: every quad indexed by subject and by object, with labels,
citations and source documents at hand. One pass over the N-Quads file; no SPARQL per entity, so describing every
entity of a graph (the site) costs about as much as describing one.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pyoxigraph as ox

from lutonkg.namespaces import (
    CURATION_GRAPH,
    ID,
    INFERRED_GRAPH,
    LEGISLATION,
    LKG,
    ONTOLOGY_GRAPH,
    PREFIXES,
    VOCABULARY_GRAPH,
)

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDFS_COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"
SKOS = str(PREFIXES["skos"])
PROV = str(PREFIXES["prov"])
DCTERMS = str(PREFIXES["dcterms"])
ORG = str(PREFIXES["org"])
PREF_LABEL = SKOS + "prefLabel"
ALT_LABEL = SKOS + "altLabel"
DEFINITION = SKOS + "definition"
QUALIFIED = PROV + "qualifiedDerivation"
CITATION_PREFIX = str(ID) + "citation/"
PROV_ENTITY = PROV + "entity"
LOCATOR = str(LKG.locator)
ANCHOR = str(LKG.anchor)


@dataclass(frozen=True)
class Term:
    """One quad's object: an IRI, or a literal with its datatype."""

    value: str
    iri: bool
    datatype: str = ""


@dataclass(frozen=True)
class Quad:
    """A quad with plain string terms (graph as IRI text)."""

    s: str
    p: str
    o: Term
    g: str


@dataclass(frozen=True)
class Document:
    """A source document: id, short label, title, date, and its full reference details."""

    iri: str
    id: str
    label: str
    title: str
    date: str
    publisher: str = ""
    reference: str = ""
    lead_inspector: str = ""
    source_file: str = ""

    @property
    def year(self) -> str:
        """The year of issue."""
        return self.date[:4]


@dataclass(frozen=True)
class Cite:
    """One citation: the document, the locator (paragraph, section, appendix row) and the anchor phrase there."""

    doc: str
    locator: str
    anchor: str

    def short(self) -> str:
        """The one short form every command prints: `jar2008 para 10`."""
        return f"{self.doc} {self.locator}"


def _term(term: object) -> Term:
    """A pyoxigraph term as a Term."""
    if isinstance(term, ox.NamedNode):
        return Term(term.value, True)
    if isinstance(term, ox.BlankNode):
        return Term("_:" + term.value, True)
    assert isinstance(term, ox.Literal)
    return Term(term.value, False, term.datatype.value if term.datatype else "")


def doc_id(iri: str) -> str:
    """A document IRI's id ('…/id/document/jar2008' -> 'jar2008')."""
    return iri.rsplit("/", 1)[-1]


def graph_doc(graph: str) -> str | None:
    """The document id of a per-document named graph, or None for the ontology, vocabulary, curation, inferred."""
    if graph in (str(ONTOLOGY_GRAPH), str(VOCABULARY_GRAPH), str(CURATION_GRAPH), str(INFERRED_GRAPH)):
        return None
    prefix = str(ID) + "graph/"
    return graph[len(prefix) :] if graph.startswith(prefix) else None


class GraphIndex:
    """Every quad by subject and by object, plus what describing needs: labels, citations and documents."""

    def __init__(self, quads: Iterable[Quad]) -> None:
        self.by_subject: dict[str, list[Quad]] = defaultdict(list)
        self.by_object: dict[str, list[Quad]] = defaultdict(list)
        for quad in quads:
            self.by_subject[quad.s].append(quad)
            if quad.o.iri:
                self.by_object[quad.o.value].append(quad)
        for table in (self.by_subject, self.by_object):
            for quads_of in table.values():
                quads_of.sort(key=lambda q: (q.s, q.p, q.o.value, q.g))
        self._grouped: dict[str, dict[str, list[Term]]] = {}
        self._citations: dict[str, list[Cite]] = {}

    @classmethod
    def from_file(cls, path: Path) -> GraphIndex:
        """The index of a built N-Quads file."""
        parsed = ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS)
        return cls(
            Quad(_term(q.subject).value, q.predicate.value, _term(q.object), _term(q.graph_name).value)
            for q in parsed
            if not isinstance(q.graph_name, ox.DefaultGraph)
        )

    def values(self, s: str, p: str) -> list[Term]:
        """The distinct objects of (s, p), in order."""
        grouped = self._grouped.get(s)
        if grouped is None:
            collected: dict[str, dict[Term, None]] = defaultdict(dict)
            for q in self.by_subject.get(s, ()):
                collected[q.p].setdefault(q.o)
            grouped = self._grouped[s] = {prop: list(objects) for prop, objects in collected.items()}
        return list(grouped.get(p, ()))

    def value(self, s: str, p: str) -> str | None:
        """One object of (s, p) as text, or None."""
        found = self.values(s, p)
        return found[0].value if found else None

    def types(self, s: str) -> set[str]:
        """The rdf:types of a node stated in any graph (the reasoner's included)."""
        return {t.value for t in self.values(s, RDF_TYPE)}

    def label(self, iri: str) -> str:
        """A node's preferred label, rdfs:label, or the last segment of its IRI."""
        for p in (PREF_LABEL, RDFS_LABEL):
            found = self.value(iri, p)
            if found:
                return found
        return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]

    def alt_labels(self, iri: str) -> list[str]:
        """Other names."""
        return sorted({t.value for t in self.values(iri, ALT_LABEL)})

    def citations(self, node: str, doc: str | None = None) -> list[Cite]:
        """The citations of a node (optionally only those of one document), in document-date and locator order."""
        every = self._citations.get(node)
        if every is None:
            found = set()
            for target in self.values(node, QUALIFIED):
                cite_doc = self.value(target.value, PROV_ENTITY)
                if cite_doc is not None:
                    found.add(Cite(doc_id(cite_doc), self.value(target.value, LOCATOR) or "",
                                   self.value(target.value, ANCHOR) or ""))  # fmt: skip
            every = self._citations[node] = sorted(found, key=self.cite_order)
        return list(every) if doc is None else [c for c in every if c.doc == doc]

    def cite_order(self, cite: Cite) -> tuple:
        """Sort key: document date, document, locator (numbers compared as numbers)."""
        doc = self.documents.get(cite.doc)
        parts = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", cite.locator))
        return (doc.date if doc else "", cite.doc, parts, cite.anchor)

    @cached_property
    def documents(self) -> dict[str, Document]:
        """Every source document by id."""
        found = {}
        for quad in self.by_object.get(str(LKG.SourceDocument), ()):
            if quad.p != RDF_TYPE:
                continue
            iri = quad.s
            get = lambda p, iri=iri: self.value(iri, p) or ""  # noqa: E731
            publishers = "; ".join(self.label(t.value) for t in self.values(iri, DCTERMS + "publisher"))
            found[doc_id(iri)] = Document(
                iri, doc_id(iri), get(RDFS_LABEL), get(DCTERMS + "title"), get(DCTERMS + "issued"), publishers,
                get(DCTERMS + "identifier"), get(str(LKG.leadInspector)), get(str(LKG.sourceFile)),
            )  # fmt: skip
        return dict(sorted(found.items(), key=lambda kv: (kv[1].date, kv[0])))

    def term_label(self, iri: str) -> str:
        """An ontology term's label (properties and classes), else its local name."""
        found = [q.o.value for q in self.by_subject.get(iri, ()) if q.p == RDFS_LABEL and q.g == str(ONTOLOGY_GRAPH)]
        return found[0] if found else self.label(iri)

    def is_thing(self, iri: str) -> bool:
        """Whether an IRI names a thing the graph describes (ours or a legislation.gov.uk Act or section)."""
        return iri.startswith((str(ID), LEGISLATION)) and not iri.startswith(CITATION_PREFIX)
