"""OWL reasoning with HermiT (through owlready2): check consistency and materialise what follows from the ontology."""

from __future__ import annotations

import io
import shutil
from dataclasses import dataclass

from rdflib import OWL, RDF, Graph, URIRef

from lutonkg.rdf import BASE, ID

_SKIP_TYPES = {OWL.Thing, OWL.NamedIndividual}


class InconsistentGraph(Exception):
    """The reasoner found the ontology and data contradictory."""


@dataclass
class ReasoningResult:
    """What the reasoner did: the triples it inferred, or why it was skipped."""

    inferred: Graph
    skipped: str | None = None


def java_available() -> bool:
    """Whether a Java runtime is on PATH (HermiT needs one)."""
    return shutil.which("java") is not None


def reasoner_input(ontology: Graph, facts: Graph) -> Graph:
    """The ontology plus the class and object-property assertions of the facts (literals stay out of HermiT)."""
    object_props = set(ontology.subjects(RDF.type, OWL.ObjectProperty)) | set(
        ontology.subjects(RDF.type, OWL.SymmetricProperty)
    )
    g = Graph()
    for triple in ontology:
        g.add(triple)
    for s, p, o in facts:
        if isinstance(s, URIRef) and isinstance(o, URIRef) and (p == RDF.type or p in object_props):
            g.add((s, p, o))
    return g


def materialise(ontology: Graph, facts: Graph) -> ReasoningResult:
    """Run HermiT over ontology and facts; return the new type and object-property triples about things."""
    if not java_available():
        return ReasoningResult(
            Graph(),
            skipped="OWL reasoning skipped: no Java runtime found "
            "(install a JRE, e.g. `apt-get install default-jre-headless`, to enable it)",
        )
    import owlready2

    source = reasoner_input(ontology, facts)
    world = owlready2.World()
    world.get_ontology("https://w3id.org/lutonkg/reasoning-input").load(
        fileobj=io.BytesIO(source.serialize(format="nt", encoding="utf-8")), format="ntriples"
    )
    try:
        with world.get_ontology("https://w3id.org/lutonkg/reasoning-output"):
            owlready2.sync_reasoner_hermit(world, infer_property_values=True, debug=0)
    except owlready2.OwlReadyInconsistentOntologyError:
        raise InconsistentGraph(_explain_inconsistency(ontology, facts)) from None
    inferred = Graph()
    for s, p, o in world.as_rdflib_graph():
        if not (isinstance(s, URIRef) and isinstance(o, URIRef) and str(s).startswith(str(ID))):
            continue
        if (p == RDF.type and o in _SKIP_TYPES) or (s, p, o) in source:
            continue
        if p == RDF.type or str(o).startswith(BASE) or str(p).startswith("http://www.w3.org/ns/"):
            inferred.add((s, p, o))
    return ReasoningResult(inferred)


def _explain_inconsistency(ontology: Graph, facts: Graph) -> str:
    """Name a thing typed with two disjoint classes, the usual cause; otherwise say so plainly."""
    disjoint: list[set[URIRef]] = []
    for axiom in ontology.subjects(RDF.type, OWL.AllDisjointClasses):
        members = ontology.value(axiom, OWL.members)
        disjoint.append(set(ontology.items(members)))
    for a, b in ontology.subject_objects(OWL.disjointWith):
        disjoint.append({a, b})
    for thing in set(facts.subjects(RDF.type, None)):
        types = set(facts.objects(thing, RDF.type))
        for group in disjoint:
            clash = sorted(types & group)
            if len(clash) > 1:
                names = " and ".join(str(c).rsplit("/", 1)[-1] for c in clash)
                return f"OWL reasoner: {thing} is both {names}, which the ontology declares disjoint"
    return "OWL reasoner: the graph is inconsistent with the ontology (no single disjointness clash found)"
