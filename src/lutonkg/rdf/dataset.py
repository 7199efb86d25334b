"""The whole RDF dataset for checked data: the ontology, the vocabularies and every fact in its named graph."""

from __future__ import annotations

from lutonkg.data.load import Data
from lutonkg.rdf import bodies, duties, inspections
from lutonkg.rdf.builder import GraphBuilder, QuadSet, load_ontology


def build_dataset(data: Data) -> QuadSet:
    """The full RDF dataset (ontology, vocabularies and every fact) for checked data."""
    builder = GraphBuilder(data)
    load_ontology(builder.ds)
    bodies.add_vocabularies(builder)
    bodies.add_documents(builder)
    bodies.add_bodies(builder)
    bodies.add_schools(builder)
    bodies.add_relationships(builder)
    bodies.add_events(builder)
    bodies.add_claims(builder)
    duties.add_all(builder)
    inspections.add_all(builder)
    return builder.ds
