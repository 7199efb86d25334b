"""Turning checked data into RDF: identifiers, named graphs per source document, citations and dated literals."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import PROV, SKOS
from rdflib.term import Node

from lutonkg.data.load import Data, DataError, parse_date
from lutonkg.data.selectors import Selector, from_entry
from lutonkg.namespaces import (
    CURATION_GRAPH,
    ID,
    LKG,
    OA,
    ONTOLOGY_GRAPH,
    PREFIXES,
    concept,
    doc_graph,
    iri,
    scheme_iri,
)
from lutonkg.resources import file_version, ontology_sources


def slugify(text: str) -> str:
    """A readable slug for free text (used for roles and topics)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def date_literal(value: object) -> Literal:
    """A date typed as precisely as it was given: xsd:date, xsd:gYearMonth or xsd:gYear."""
    text, kind = parse_date(value)
    return Literal(text, datatype=XSD[kind], normalize=False)  # parse_date gives the lexical form


def _text(value: str) -> Literal:
    """A plain literal of text (rdflib's normalising pass skipped: text is its own lexical form; a third quicker)."""
    return Literal(value, normalize=False)


def _count(value: int) -> Literal:
    """An xsd:nonNegativeInteger literal (written as its lexical form: rdflib's casting costs 11 µs a literal)."""
    return Literal(str(value), datatype=XSD.nonNegativeInteger, normalize=False)


def curie(text: str) -> URIRef:
    """Expand a CURIE such as 'lkg:School' with the project's prefixes."""
    prefix, _, local = text.partition(":")
    if prefix not in PREFIXES or not local:
        raise DataError(f"vocabularies: unknown CURIE {text!r}")
    return URIRef(PREFIXES[prefix] + local)


class NameClash(DataError):
    """Two entries would make the same node (e.g. body 'x-founded' and the founding citation of body 'x')."""

    def __init__(self, node: URIRef, first: URIRef, second: URIRef) -> None:
        super().__init__(f"{node} is made for both {first} and {second}")
        self.node, self.first, self.second = node, first, second


class QuadSet:
    """The built dataset: each quad (subject, predicate, object, named graph) once, as rdflib terms.

    A plain set fills five times faster than an rdflib Dataset, and every later stage reads the quads whole (the
    reasoner, the serialisers, pySHACL's graph), so nothing needs an indexed store here.
    """

    def __init__(self) -> None:
        self.quads: set[tuple[Node, Node, Node, URIRef]] = set()

    def __iter__(self) -> Iterator[tuple[Node, Node, Node, URIRef]]:
        return iter(self.quads)

    def __len__(self) -> int:
        return len(self.quads)

    def add(self, s: Node, p: Node, o: Node, g: URIRef) -> None:
        """Add one quad (again is a no-op)."""
        self.quads.add((s, p, o, g))

    def match(self, s: Node | None = None, p: Node | None = None, o: Node | None = None) -> Iterator[tuple]:
        """The quads with the given subject, predicate and object (None matches any); a scan, for messages."""
        for quad in self.quads:
            if (s is None or quad[0] == s) and (p is None or quad[1] == p) and (o is None or quad[2] == o):
                yield quad

    def graph(self, name: URIRef) -> Graph:
        """One named graph as an rdflib Graph (a copy)."""
        graph = Graph()
        for prefix, namespace in PREFIXES.items():
            graph.bind(prefix, namespace)
        for s, p, o, g in self.quads:
            if g == name:
                graph.add((s, p, o))
        return graph


@dataclass(frozen=True)
class Citing:
    """One source of a fact to cite: the subject, its citations' stem, the source's number, the source (doc, loc,
    anchor), whether it attests the subject, and its selectors.yaml entry (None when it has none)."""

    subject: URIRef
    stem: str
    n: int
    source: dict
    attest: bool
    selector: dict | None

    @property
    def node(self) -> URIRef:
        """The citation node."""
        return ID[f"citation/{self.stem}-s{self.n}"]


class GraphBuilder:
    """Collects quads, putting each fact in the named graph of every document that states it."""

    def __init__(self, data: Data, deferred: list[Citing] | None = None) -> None:
        self.data = data
        self.ds = QuadSet()
        self.made: dict[URIRef, URIRef] = {}
        self.deferred = deferred  # when a list, cite() reserves each citation's nodes and lists it here instead
        self.doc_dates = {d["id"]: str(d["date"]) for d in data["documents"]}
        self.locator_notes = {
            (e["doc"], e["loc"]): e["reconstructed"] for e in data["locators"] if "reconstructed" in e
        }

    def add(self, graphs: Iterable[URIRef], s: URIRef, p: URIRef, o: object) -> None:
        """Add a triple to each of the given named graphs; None objects are skipped."""
        if o is None:
            return
        obj = o if isinstance(o, URIRef | Literal) else Literal(o)
        for name in graphs:
            self.ds.quads.add((s, p, obj, name))

    def graphs_for(self, entry: dict, curated: bool = False) -> list[URIRef]:
        """Named graphs for an entry: its documents' graphs, or the curation graph for curators' assessments."""
        if curated or entry.get("inferred"):
            return [CURATION_GRAPH]
        return sorted({doc_graph(s["doc"]) for s in entry.get("sources", [])})

    def make(self, node: URIRef, owner: URIRef) -> URIRef:
        """Record that an entry (named by its node) makes a node; NameClash when another entry already made it."""
        first = self.made.setdefault(node, owner)
        if first != owner:
            raise NameClash(node, first, owner)
        return node

    def cite(self, subject: URIRef, stem: str, sources: list[dict], attest: bool = True) -> None:
        """Attach citations (prov:qualifiedDerivation) for each source; record attestation unless told not to. A
        builder with a `deferred` list only reserves each citation's nodes (in the same order) and lists it there."""
        for n, src in enumerate(sources, start=1):
            citing = Citing(subject, stem, n, src, attest, self._selector_of(src))
            if self.deferred is None:
                self.cite_one(citing)
                continue
            node = self.make(citing.node, subject)
            if citing.selector is not None:
                self.make(URIRef(f"{node}-quote"), subject)
                self.make(URIRef(f"{node}-position"), subject)
            self.deferred.append(citing)

    def _selector_of(self, src: dict) -> dict | None:
        """The selectors.yaml entry of a source's (doc, loc, anchor), if any."""
        return self.data.selectors.get((str(src["doc"]), str(src["loc"]), str(src["anchor"])))

    def cite_one(self, citing: Citing) -> None:
        """One source's citation node, its links from the subject and its selectors."""
        subject, src = citing.subject, citing.source
        node = self.make(citing.node, subject)
        doc = iri("document", src["doc"])
        g = [doc_graph(src["doc"])]
        self.add(g, node, RDF.type, LKG.Citation)
        self.add(g, node, PROV.entity, doc)
        self.add(g, node, LKG.locator, _text(str(src["loc"])))
        self.add(g, node, LKG.anchor, _text(str(src["anchor"])))
        self.add(g, node, LKG.locatorNote, self.locator_notes.get((src["doc"], str(src["loc"]))))
        self.add(g, node, RDFS.label, _text(f"{src['doc']} {src['loc']}"))
        self.add(g, subject, PROV.qualifiedDerivation, node)
        self.add(g, subject, PROV.wasDerivedFrom, doc)
        if citing.attest:
            self.add(g, subject, LKG.attestedIn, doc)
        if citing.selector is not None:
            self.add_selectors(g, node, from_entry(src["doc"], citing.selector), subject)

    def inputs(self, citing: Citing) -> str:
        """Everything cite_one() reads for a citation, as text: equal inputs give equal quads."""
        src, selector = citing.source, citing.selector
        note = self.locator_notes.get((src["doc"], str(src["loc"])))
        stored = sorted((str(k), repr(v)) for k, v in selector.items()) if selector is not None else None
        return repr((str(citing.subject), citing.stem, citing.n, citing.attest, src["doc"], src["loc"], src["anchor"],
                     note, stored))  # fmt: skip

    def add_selectors(self, g: list[URIRef], citation: URIRef, selector: Selector, owner: URIRef) -> None:
        """A citation's W3C Web Annotation selectors (quote and position) and its text-fragment link."""
        quote = self.make(URIRef(f"{citation}-quote"), owner)
        position = self.make(URIRef(f"{citation}-position"), owner)
        self.add(g, citation, OA.hasSelector, quote)
        self.add(g, quote, RDF.type, OA.TextQuoteSelector)
        self.add(g, quote, OA.exact, _text(selector.exact))
        self.add(g, quote, OA.prefix, _text(selector.prefix) if selector.prefix else None)
        self.add(g, quote, OA.suffix, _text(selector.suffix) if selector.suffix else None)
        self.add(g, citation, OA.hasSelector, position)
        self.add(g, position, RDF.type, OA.TextPositionSelector)
        self.add(g, position, OA.start, _count(selector.start))
        self.add(g, position, OA.end, _count(selector.end))
        self.add(g, citation, LKG.textFragment, _text(selector.fragment()))

    def concept_iri(self, scheme: str, slug: str) -> URIRef:
        """A concept IRI from vocabularies.yaml."""
        return concept(scheme, slug)

    def vocab_entry(self, scheme: str, slug: str) -> dict:
        """The vocabularies.yaml entry of a concept."""
        for entry in self.data.schemes[scheme]["concepts"]:
            if entry["id"] == slug:
                return entry
        raise DataError(f"vocabularies.yaml: scheme {scheme!r} has no concept {slug!r}")

    def body_iri(self, slug: str) -> URIRef:
        """The IRI of a body or school."""
        kind = "school" if self.data.body_type(slug) == "school" else "body"
        return iri(kind, slug)

    def add_scheme(self, scheme: str, label: str, definition: str | None, graphs: list[URIRef]) -> URIRef:
        """Declare a SKOS concept scheme."""
        node = scheme_iri(scheme)
        self.add(graphs, node, RDF.type, SKOS.ConceptScheme)
        self.add(graphs, node, SKOS.prefLabel, Literal(label, lang="en"))
        self.add(graphs, node, RDFS.label, Literal(label))  # plain, so FILTER(?label = "...") matches
        self.add(graphs, node, SKOS.definition, Literal(definition, lang="en") if definition else None)
        return node

    def add_concept(self, scheme: str, slug: str, label: str, definition: str | None, graphs: list[URIRef]) -> URIRef:
        """Declare a SKOS concept in a scheme."""
        node = concept(scheme, slug)
        self.add(graphs, node, RDF.type, SKOS.Concept)
        self.add(graphs, node, SKOS.inScheme, scheme_iri(scheme))
        self.add(graphs, node, SKOS.topConceptOf, scheme_iri(scheme))
        self.add(graphs, node, SKOS.prefLabel, Literal(label, lang="en"))
        self.add(graphs, node, RDFS.label, Literal(label))  # plain, so FILTER(?label = "weakness") matches
        self.add(graphs, node, SKOS.definition, Literal(definition, lang="en") if definition else None)
        return node


def load_ontology(ds: QuadSet) -> None:
    """Put the ontology and its import module into the ontology graph, with blank nodes labelled canonically."""
    for s, p, o in _ontology_triples(tuple(file_version(path) for path in ontology_sources())):
        ds.add(s, p, o, ONTOLOGY_GRAPH)


@functools.lru_cache(maxsize=2)
def _ontology_triples(files: tuple[tuple[str, int, int], ...]) -> tuple[tuple[Node, Node, Node], ...]:
    """The triples of these Turtle files (file_version()s) with blank nodes labelled canonically: parsed once in a
    process while the files are unchanged (0.1 s a build in `lutonkg build --watch`)."""
    source = Graph()
    for path, _, _ in files:
        source.parse(path, format="turtle")
    return tuple(to_canonical_graph(source))
