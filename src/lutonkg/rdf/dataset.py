"""The whole RDF dataset for checked data: the ontology, the vocabularies and every fact in its named graph."""

from __future__ import annotations

import json

from lutonkg.data.load import Data
from lutonkg.rdf import bodies, duties, inspections
from lutonkg.rdf.builder import Citing, GraphBuilder, QuadSet, load_ontology
from lutonkg.rdf.serialize import QuadKey, TermText

CitationKeys = dict[str, tuple[QuadKey, ...]]  # a citation's inputs (GraphBuilder.inputs) -> its quads as text


def build_dataset(data: Data) -> QuadSet:
    """The full RDF dataset (ontology, vocabularies and every fact) for checked data."""
    builder = GraphBuilder(data)
    _add_all(builder)
    return builder.ds


def _add_all(builder: GraphBuilder) -> None:
    """Every part of the dataset, in order (the order in which entries make their nodes, so clashes name the same
    entries whichever way the dataset is built)."""
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


def dataset_keys(data: Data, known: CitationKeys) -> tuple[list[QuadKey], CitationKeys]:
    """The dataset's quads as sorted, distinct text (exactly serialize.quad_keys(build_dataset(data))), and the
    citations' keys it used. Citations (2,642 in the Luton data, with their selectors three quarters of the quads)
    are taken from `known` where their inputs are unchanged, so that a build after an edit makes only the changed
    ones; the rest of the dataset is made as always, its citations' nodes reserved in the same order."""
    deferred: list[Citing] = []
    builder = GraphBuilder(data, deferred)
    _add_all(builder)
    text = TermText()
    keys = {(text(g), text(s), text(p), text(o)) for s, p, o, g in builder.ds}
    maker = GraphBuilder(data)
    used: CitationKeys = {}
    for citing in deferred:
        inputs = builder.inputs(citing)
        found = known.get(inputs)
        if found is None:
            maker.ds = QuadSet()
            maker.cite_one(citing)
            found = tuple(sorted({(text(g), text(s), text(p), text(o)) for s, p, o, g in maker.ds}))
        used[inputs] = found
        keys.update(found)
    return sorted(keys), used


def encode_citation_keys(keys: CitationKeys) -> bytes:
    """The citations' keys as JSON for the build cache: each distinct term once, each citation's quads as indices."""
    terms: dict[str, int] = {}
    citations = {inputs: [terms.setdefault(t, len(terms)) for k in quads for t in k] for inputs, quads in keys.items()}
    return json.dumps({"terms": list(terms), "citations": citations}, ensure_ascii=False).encode("utf-8")


def decode_citation_keys(blob: bytes | None) -> CitationKeys:
    """The citations' keys from encode_citation_keys(); empty when absent or not in that form (every citation is
    then made again)."""
    if blob is None:
        return {}
    try:
        found = json.loads(blob)
        terms: list[str] = found["terms"]
        decoded = {}
        for inputs, ids in found["citations"].items():
            text = [terms[i] for i in ids]
            if len(text) % 4 or not all(isinstance(t, str) for t in text):
                return {}
            decoded[inputs] = tuple(zip(text[0::4], text[1::4], text[2::4], text[3::4], strict=True))
        return decoded
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return {}
