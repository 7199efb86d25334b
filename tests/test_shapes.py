"""The SHACL shapes as pySHACL is given them (lutonkg.checks.validate.targeted_property_shapes: each property shape of
a targeted node shape validated on its own, with the node shape's targets) report exactly what the shapes as written
in ontology/shapes.ttl report, on a share of the built graph with real data broken in several ways."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import ORG, PROV, SKOS

from lutonkg.checks.incremental import local_shapes
from lutonkg.checks.validate import SH, shacl_problems, shapes_graph, targeted_property_shapes
from lutonkg.namespaces import ID, INFERRED_GRAPH, LKG, ONTOLOGY_GRAPH, VOCABULARY_GRAPH

LSCB = URIRef(f"{ID}body/luton-safeguarding-children-board")
TEAM = URIRef(f"{ID}body/intensive-support-team")
JUDGEMENT = URIRef(f"{ID}judgement/ca2008-being-healthy")
LSHS = "https://w3id.org/lutonkg/def/shapes/"
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")  # rdflib's XSD namespace object upsets pytest's collection


@pytest.fixture(scope="module")
def jar2008(fresh_build: Path) -> Graph:
    """The 2008 joint area review's graph with the ontology and the vocabularies, what was inferred about its things
    and the types of the things it names: a real share of the build (about 20,000 triples), small enough to validate
    several times. SHACL finds a few things missing in it (bodies whose type and sources are stated in other graphs)."""
    kept = {f"<{g}>" for g in (ONTOLOGY_GRAPH, VOCABULARY_GRAPH, f"{ID}graph/jar2008")}
    quads = list(ox.parse(path=str(fresh_build / "lutonkg.nq"), format=ox.RdfFormat.N_QUADS))
    share = [q for q in quads if str(q.graph_name) in kept]
    subjects, named = {q.subject for q in share}, {q.object for q in share}
    inferred = [q for q in quads if str(q.graph_name) == f"<{INFERRED_GRAPH}>" and q.subject in subjects]
    types = [q for q in quads if q.predicate.value == str(RDF.type) and q.subject in named]
    lines = {f"{q.subject} {q.predicate} {q.object} .\n" for q in (*share, *inferred, *types)}
    return Graph().parse(data="".join(sorted(lines)), format="nt")


def _broken(graph: Graph) -> Graph:
    """A copy with real things broken: a body without its label and with a second type, a team's start date as
    words, a judgement of a body type instead of a body and without its function, and a body with no citation."""
    broken = Graph()
    for triple in graph:
        broken.add(triple)
    broken.remove((LSCB, RDFS.label, None))
    broken.add((LSCB, ORG.classification, URIRef(f"{ID}concept/body-type/team")))
    broken.set((TEAM, LKG.validFrom, Literal("in the spring")))
    broken.set((JUDGEMENT, LKG.judged, URIRef(f"{ID}concept/body-type/team")))
    broken.remove((JUDGEMENT, LKG.function, None))
    broken.remove((TEAM, PROV.qualifiedDerivation, None))
    return broken


def _results(graph: Graph, shapes: Graph) -> set[tuple]:
    """pySHACL's results, each as (focus node, path, message, value, component, severity, source shape)."""
    from pyshacl import validate

    _, report, _ = validate(graph, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True)
    said = (SH.focusNode, SH.resultPath, SH.resultMessage, SH.value, SH.sourceConstraintComponent)
    return {
        (*(report.value(r, p) for p in said), report.value(r, SH.resultSeverity), report.value(r, SH.sourceShape))
        for r in report.subjects(RDF.type, SH.ValidationResult)
    }


def test_targeted_shapes_report_exactly_what_the_written_shapes_report(jar2008: Graph) -> None:
    shapes, broken = shapes_graph(), _broken(jar2008)
    written = _results(broken, shapes)
    assert written == _results(broken, targeted_property_shapes(shapes))
    before = _results(jar2008, targeted_property_shapes(shapes))  # what the share lacks before it is broken
    added = {(str(focus), str(path).rsplit("#", 1)[-1].rsplit("/", 1)[-1]) for focus, path, *_ in written - before}
    assert added == {
        (str(LSCB), "label"),
        (str(LSCB), "classification"),
        (str(TEAM), "validFrom"),
        (str(TEAM), "qualifiedDerivation"),
        (str(JUDGEMENT), "judged"),
        (str(JUDGEMENT), "function"),
    }
    messages = {(str(focus), str(message)) for focus, _, message, *_ in written}
    assert (str(LSCB), "needs a plain-text rdfs:label") in messages
    assert (str(LSCB), "a body needs exactly one body type (org:classification)") in messages
    assert (str(TEAM), "valid-from must be one xsd:date, xsd:gYearMonth or xsd:gYear") in messages
    assert (str(JUDGEMENT), f"Less than 1 values on <{JUDGEMENT}>->lkg:function") in messages  # pySHACL's words


def test_the_build_reports_the_same_problems_either_way(jar2008: Graph) -> None:
    """shacl_problems (the targeted shapes) finds each breakage once, besides what the share lacked before."""
    before = shacl_problems(jar2008)
    after = [p for p in shacl_problems(_broken(jar2008)) if p not in before]
    assert sorted(p.focus for p in after) == sorted([*[str(JUDGEMENT)] * 2, *[str(LSCB)] * 2, *[str(TEAM)] * 2])


def test_each_property_shape_of_a_targeted_node_shape_takes_its_targets() -> None:
    written = shapes_graph()
    targeted = targeted_property_shapes(written)
    assert local_shapes(written) and local_shapes(targeted)
    assert list(targeted.subject_objects(SH.property)) == []
    assert len(list(written.subject_objects(SH.property))) > 80  # the file is left as written: node shapes
    label_targets = set(targeted.objects(URIRef(LSHS + "hasLabel"), SH.targetClass))
    assert {ORG.Organization, ORG.Post, ORG.Site} <= label_targets  # shared: the targets of all its node shapes
    assert (URIRef(LSHS + "hasLabel"), SH.path, RDFS.label) in targeted


def test_a_property_shape_that_another_shape_uses_or_that_is_nested_in_one_stays_where_it_is() -> None:
    shapes = Graph()
    by_node, dated, other = URIRef(LSHS + "ByNode"), URIRef(LSHS + "dated"), URIRef(LSHS + "Other")
    shapes.add((by_node, RDF.type, SH.NodeShape))
    shapes.add((by_node, SH.targetClass, SKOS.Concept))
    shapes.add((by_node, SH.property, dated))
    shapes.add((dated, SH.path, LKG.validFrom))
    shapes.add((dated, SH.datatype, XSD_DATE))
    shapes.add((other, SH.node, dated))  # used as a node shape elsewhere: its place is kept
    assert set(targeted_property_shapes(shapes)) == set(shapes)
    shapes.remove((other, SH.node, dated))
    targeted = targeted_property_shapes(shapes)
    assert (dated, SH.targetClass, SKOS.Concept) in targeted and (by_node, SH.property, dated) not in targeted
    for word in (SH.closed, SH.path, SH.deactivated):  # its property shapes read, or its targets not all it checks
        shapes.add((by_node, word, LKG.about))
        assert set(targeted_property_shapes(shapes)) == set(shapes)
        shapes.remove((by_node, word, LKG.about))
    shapes.add((by_node, SH.pattern, Literal("^https://")))  # a test of the focus node itself stays with it
    assert (by_node, SH.property, dated) not in targeted_property_shapes(shapes)
