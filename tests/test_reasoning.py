"""How the build reads HermiT's verdict (lutonkg.checks.reason): the new links straight from owlready2's store, and the
superclasses of stated types from the ontology's text, give exactly what owlready2's rdflib view and rdflib's own
transitive walk give, on the whole Luton graph; and what they give includes real inferences."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import OWL, RDF, RDFS, Graph, URIRef

from lutonkg.checks import reason
from lutonkg.namespaces import ID, INFERRED_GRAPH, LKG, ONTOLOGY_GRAPH

pytestmark = pytest.mark.skipif(not reason.java_available(), reason="HermiT needs a Java runtime")

ORG = "http://www.w3.org/ns/org#"
BODY = f"{ID}body/"


@pytest.fixture(scope="module")
def selected(fresh_build: Path) -> reason.ReasonerText:
    """What HermiT reads from the built graph's asserted statements (all but the inferred graph), as the build
    selects it."""
    quads = ox.parse(path=str(fresh_build / "lutonkg.nq"), format=ox.RdfFormat.N_QUADS)
    inferred = f"<{INFERRED_GRAPH}>"
    asserted = [
        (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object))
        for q in quads
        if str(q.graph_name) != inferred
    ]
    return reason.reasoner_text(asserted, f"<{ONTOLOGY_GRAPH}>")


@pytest.fixture(scope="module")
def reasoned(selected: reason.ReasonerText) -> tuple[object, set[str]]:
    """owlready2's world after HermiT ran over the selection, with HermiT's input (one run for the module)."""
    source = selected.ontology | selected.facts
    return reason.reasoned_world(source), source


def _links_through_rdflib(world: object, source: set[str]) -> set[tuple[str, str, str]]:
    """What the build kept before it read owlready2's store directly: every triple of the world's rdflib view (which
    adds the inverse of each stored link whose property is loaded and has one) that is a type or an object-property
    link of a thing, between IRIs, not in HermiT's input."""
    kept = set()
    for s, p, o in world.as_rdflib_graph():
        if not (isinstance(s, URIRef) and isinstance(o, URIRef)) or not str(s).startswith(
            (str(ID), reason.LEGISLATION)
        ):
            continue
        if f"<{s}> <{p}> <{o}>" in source or (p == RDF.type and o in (OWL.Thing, OWL.NamedIndividual)):
            continue
        if p == RDF.type or str(o).startswith(reason.BASE) or str(p).startswith("http://www.w3.org/ns/"):
            kept.add((str(s), str(p), str(o)))
    return kept


def test_new_links_are_what_owlready2s_rdflib_view_holds(reasoned: tuple[object, set[str]]) -> None:
    world, source = reasoned
    links = set(reason.new_links(world, source))
    assert links == _links_through_rdflib(world, source)
    # real inferences among them: the inverse of the LEA's stated membership of the 14-19 planning group, and the
    # other direction of a symmetric link
    assert f"<{BODY}luton-lea> <{ORG}memberOf> <{BODY}14-19-strategic-planning-group>" in source
    assert (f"{BODY}14-19-strategic-planning-group", f"{ORG}hasMember", f"{BODY}luton-lea") in links
    assert (f"{BODY}16-plus-team", f"{LKG}worksWith", f"{BODY}connexions") in links
    # most of them owlready2 does not store (it keeps a link whose inverse it holds as that inverse alone), so the
    # reading must add the inverses, as the rdflib view does
    iris = world.graph.get_storid_dict()
    stored = {
        (iris[s], iris[p], iris[o]) for s, p, o in world._get_obj_triples_spo_spo(None, None, None) if min(s, o) > 0
    }
    not_stored = links - stored
    assert len(not_stored) > len(links) / 2
    assert (f"{BODY}14-19-strategic-planning-group", f"{ORG}hasMember", f"{BODY}luton-lea") in not_stored


def test_superclasses_read_from_the_ontologys_text_are_rdflibs(selected: reason.ReasonerText) -> None:
    ontology = Graph().parse(data="".join(f"{line} .\n" for line in sorted(selected.ontology)), format="nt")
    expected = set()
    for line in selected.typed:
        thing, p, cls = line.split(" ", 2)
        node = URIRef(cls[1:-1])
        if (node, RDF.type, OWL.Class) in ontology:
            parents = ontology.transitive_objects(node, RDFS.subClassOf)
            expected.update(f"{thing} {p} <{c}>" for c in parents if isinstance(c, URIRef) and c != node)
    closed = reason._type_closure(selected.ontology, selected.typed)
    assert closed == expected
    # the LEA, stated a statutory capacity, is an organisation and an agent by its class alone
    assert f"<{BODY}luton-lea> <{RDF.type}> <{LKG}StatutoryCapacity>" in selected.typed
    assert f"<{BODY}luton-lea> <{RDF.type}> <{ORG}Organization>" in closed
    assert f"<{BODY}luton-lea> <{RDF.type}> <http://xmlns.com/foaf/0.1/Agent>" in closed


def test_superclasses_skip_restrictions_and_undeclared_classes() -> None:
    sub, cls = f"<{RDFS.subClassOf}>", f"<{OWL.Class}>"
    team, unit, org, council = (f"<{LKG}Team>", f"<{ORG}OrganizationalUnit>", f"<{ORG}Organization>", f"<{BODY}x>")
    ontology = {
        f"{team} <{RDF.type}> {cls}",
        f"{team} {sub} {unit}",
        f"{team} {sub} _:restriction",
        f"_:restriction {sub} {org}",  # a class reached through a restriction still counts; the restriction does not
        f"{unit} {sub} {org}",
        f"{org} {sub} {team}",  # a cycle ends
    }
    typed = {f"{council} <{RDF.type}> {team}", f"{council} <{RDF.type}> {unit}"}  # Unit is not declared a class here
    assert reason._type_closure(ontology, typed) == {
        f"{council} <{RDF.type}> {unit}",
        f"{council} <{RDF.type}> {org}",
    }


def test_the_reasoned_world_is_closed_after_it_is_read(
    selected: reason.ReasonerText, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long-lived process (`--watch`) runs HermiT again on each edit it sees: each of owlready2's worlds must be
    closed once read, or its classes stay in memory (about 3 MB a run)."""
    made = []

    def recording(source: set[str]) -> object:
        made.append(real(source))
        return made[-1]

    real = reason.reasoned_world
    monkeypatch.setattr(reason, "reasoned_world", recording)
    result = reason.materialise(selected)
    assert (f"{BODY}14-19-strategic-planning-group", f"{ORG}hasMember", f"{BODY}luton-lea") in result.inferred
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        made[0].graph.execute("SELECT 1")
