"""The project's namespaces and identifiers: ontology terms, things, named graphs, and IRIs shortened for reading.

Ontology terms live under `https://w3id.org/lutonkg/def/`, things under `https://w3id.org/lutonkg/id/<kind>/<slug>`
(the UK public-sector URI pattern); Acts and sections use legislation.gov.uk identifiers.
"""

from __future__ import annotations

from rdflib import RDF, RDFS, XSD, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, SKOS


class _Namespace(Namespace):
    """An rdflib Namespace that makes each attribute's term once (rdflib makes a new URIRef on every access, and
    the build reads such terms some 50,000 times); `ns["name"]` and `ns.term()` work as in rdflib."""

    def __getattr__(self, name: str) -> URIRef:
        if name.startswith("__"):  # as rdflib's: no special names
            raise AttributeError(name)
        term = self.__dict__[name] = self.term(name)
        return term


BASE = "https://w3id.org/lutonkg/"
LKG = _Namespace(BASE + "def/")
ID = _Namespace(BASE + "id/")
ORG = _Namespace("http://www.w3.org/ns/org#")
OA = _Namespace("http://www.w3.org/ns/oa#")
LEGISLATION = "http://www.legislation.gov.uk/id/"
PREFIXES = {
    "lkg": LKG,
    "org": ORG,
    "prov": PROV,
    "dcterms": DCTERMS,
    "skos": SKOS,
    "foaf": FOAF,
    "owl": OWL,
    "rdfs": RDFS,
    "xsd": XSD,
    "id": ID,
    "oa": OA,
}
SPARQL_PREFIXES = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in {**PREFIXES, "rdf": RDF}.items())
ONTOLOGY_GRAPH = ID["graph/ontology"]
VOCABULARY_GRAPH = ID["graph/vocabularies"]
CURATION_GRAPH = ID["graph/curation"]
INFERRED_GRAPH = ID["graph/inferred"]
_SHORT = (
    (str(ID) + "document/", ""),
    (str(ID), ""),
    (str(LKG), "lkg:"),
    (LEGISLATION, "leg:"),
    (str(ORG), "org:"),
    (str(PROV), "prov:"),
    (str(SKOS), "skos:"),
    (str(RDF), "rdf:"),
    (str(RDFS), "rdfs:"),
    (str(DCTERMS), "dcterms:"),
    (str(OA), "oa:"),
)


def iri(kind: str, slug: str) -> URIRef:
    """The IRI of a thing: <base>/id/<kind>/<slug>."""
    return ID[f"{kind}/{slug}"]


def doc_graph(doc: str) -> URIRef:
    """The named graph holding what one source document states."""
    return ID[f"graph/{doc}"]


def concept(scheme: str, slug: str) -> URIRef:
    """The IRI of a SKOS concept in one of the project's schemes."""
    return ID[f"concept/{scheme}/{slug}"]


def scheme_iri(scheme: str) -> URIRef:
    """The IRI of a SKOS concept scheme."""
    return ID[f"concept/{scheme}"]


def short(value: object) -> str:
    """An IRI as a person reads it: project things as `body/luton-lea`, documents bare, known vocabularies prefixed."""
    text = " ".join(("" if value is None else str(value)).split())
    for long, prefix in _SHORT:
        if text.startswith(long):
            return prefix + text[len(long) :]
    return text
