"""Scope graphs (lutonkg.query.scopes): the query stores index what each authority's documents cite, and a query
with a `# scope:` line, scoped to one authority, starts from that index; its answer stays the same (the engines'
agreement on every scoped case is tests/test_engine_conformance.py)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from lutonkg.query import OxigraphEngine, execute, prepare
from lutonkg.query.library import QueryError, find, parse
from lutonkg.query.params import inject
from lutonkg.query.scopes import COVERAGE, SCOPE_BASE, scope_graph
from lutonkg.query.store import store_from_file

ID = "https://w3id.org/lutonkg/id/"
LBC = f"{ID}body/luton-borough-council"
TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def _scope(store: ox.Store, authority: str) -> set[tuple[str, str]]:
    """(thing, type) pairs of an authority's scope graph."""
    graph = ox.NamedNode(scope_graph(authority))
    return {(q.subject.value, q.object.value) for q in store.quads_for_pattern(None, TYPE, None, graph)}


def test_each_authority_has_a_scope_graph_of_what_its_documents_cite(store: ox.Store, two_authority_nquads: Path):
    luton = _scope(store, LBC)
    assert (f"{ID}school/challney-high-school-for-boys", "https://w3id.org/lutonkg/def/School") in luton
    assert (f"{ID}recommendation/ca2008-r01", "https://w3id.org/lutonkg/def/Recommendation") in luton
    assert not any(thing.startswith(f"{ID}citation/") for thing, _ in luton)  # citations cite; they are not cited
    graphs = {g.value for g in store.named_graphs() if g.value.startswith(SCOPE_BASE)}
    assert graphs == {scope_graph(LBC)}
    coverage = list(store.quads_for_pattern(None, COVERAGE, None, None))
    assert [(q.subject.value, q.object.value, q.graph_name.value) for q in coverage] == [
        (scope_graph(LBC), LBC, scope_graph(LBC))
    ]
    two = store_from_file(two_authority_nquads)
    other = f"{ID}body/a002-luton-borough-council"
    copied = _scope(two, other)
    assert (f"{ID}school/a002-challney-high-school-for-boys", "https://w3id.org/lutonkg/def/School") in copied
    assert not any("/a002-" in thing for thing, _ in _scope(two, LBC))  # Luton's scope has none of the copy's things


def test_the_default_graph_is_the_union_of_the_source_graphs_only(store: ox.Store):
    assert not list(store.quads_for_pattern(None, COVERAGE, None, ox.DefaultGraph()))
    scope = ox.NamedNode(scope_graph(LBC))
    for quad in list(store.quads_for_pattern(None, TYPE, None, scope))[:200]:
        assert list(store.quads_for_pattern(quad.subject, TYPE, quad.object, ox.DefaultGraph()))


def test_a_scoped_query_starts_from_the_scope_graph_with_the_same_rows(store: ox.Store, rdflib_engine):
    spec = find("trust-schools")
    engine = OxigraphEngine(store)
    scoped = prepare(spec, {"authority": "luton-borough-council"}, engine, {})
    assert f"GRAPH <{scope_graph(LBC)}> {{ ?link a <https://w3id.org/lutonkg/def/Relationship> }}" in scoped.text
    assert f"FILTER(?authority = <{LBC}>)" in scoped.text and "VALUES ?authority" not in scoped.text
    plain = inject(spec.text, scoped.terms)
    assert "VALUES ?authority" in plain and "/graph/scope/" not in plain
    rows = execute(scoped, engine)
    assert rows == engine.rows(plain, scoped.terms)
    assert {r["trustLabel"] for r in rows[1] if r["schoolLabel"] == "Challney High School for Boys"} == {
        "Chiltern Learning Trust"
    }
    on_rdflib = prepare(spec, {"authority": "luton-borough-council"}, rdflib_engine, {})
    assert on_rdflib.text == plain  # no scope graph there: bound with VALUES, as on any store


def test_other_parameters_keep_their_values_and_unscoped_runs_are_unchanged(store: ox.Store):
    spec = find("aspect-duties")
    engine = OxigraphEngine(store)
    scoped = prepare(spec, {"aspect": "admissions", "authority": "luton-borough-council"}, engine, {})
    assert "VALUES ?aspect { <https://w3id.org/lutonkg/id/concept/aspect/admissions> }" in scoped.text
    everywhere = prepare(spec, {"aspect": "admissions"}, engine, {})
    assert everywhere.text == inject(spec.text, everywhere.terms) and "/graph/scope/" not in everywhere.text


@pytest.mark.parametrize(
    "line",
    [
        "# scope: link lkg:Relationship",
        "# scope: ?link Relationship",
        "# scope: ?link nope:Relationship",
        "# scope: ?link lkg:Relationship extra",
    ],
)
def test_a_malformed_scope_line_is_one_error(line: str):
    with pytest.raises(QueryError, match="malformed scope line"):
        parse(f"# q\n{line}\nSELECT * WHERE {{ ?s ?p ?o }}", "q")


def test_a_subquery_with_a_scope_line_of_its_own_starts_from_the_scope_graph_too(store: ox.Store):
    spec = find("claim-changes")
    assert [v for v, _ in spec.scope] == ["claim", "someClaim"]
    engine = OxigraphEngine(store)
    scoped = prepare(spec, {"authority": "luton-borough-council"}, engine, {})
    inner = scoped.text.split("SELECT ?topic ?authority", 1)[1].split("GROUP BY", 1)[0]
    assert f"GRAPH <{scope_graph(LBC)}> {{ ?someClaim a <https://w3id.org/lutonkg/def/Claim> }}" in inner
    assert f"GRAPH <{scope_graph(LBC)}> {{ ?claim a <https://w3id.org/lutonkg/def/Claim> }}" in scoped.text
    assert "VALUES ?authority" not in scoped.text
    plain = inject(spec.text, scoped.terms)
    assert execute(scoped, engine) == engine.rows(plain, scoped.terms)
    topics = {r["topicLabel"] for r in execute(scoped, engine)[1]}
    assert {"population", "pupil count", "looked after children count"} <= topics  # figures restated over time


def test_a_scope_variable_only_in_a_nested_group_is_not_hooked_there():
    # hooking it in the outer group would make an OPTIONAL pattern required, or join a UNION branch's variable
    text = """SELECT * WHERE {
      ?doc <https://w3id.org/lutonkg/def/aboutAuthority> ?authority .
      OPTIONAL { ?rec <https://w3id.org/lutonkg/def/madeIn> ?doc }
      { ?x ?p ?doc } UNION { ?link ?q ?doc }
    }"""
    scope = ((("rec", "https://w3id.org/lutonkg/def/Recommendation"), ("link", "https://w3id.org/lutonkg/def/R")), "G")
    bound = inject(text, {"authority": f"<{LBC}>"}, scope)
    assert "GRAPH <G>" not in bound and bound.count(f"VALUES ?authority {{ <{LBC}> }}") == 1  # the outer group
    outer = inject(text.replace("{ ?x ?p ?doc }", "{ ?x ?p ?doc . ?rec ?r ?doc }"), {"authority": f"<{LBC}>"}, scope)
    assert "GRAPH <G>" not in outer
    top = inject(
        text.replace(" .\n      OPTIONAL", " . ?rec ?s ?doc .\n      OPTIONAL"), {"authority": f"<{LBC}>"}, scope
    )
    assert top.count("GRAPH <G> { ?rec a <https://w3id.org/lutonkg/def/Recommendation> }") == 1
