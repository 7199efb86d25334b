"""Scope graphs (lutonkg.query.scopes): the query stores index what each authority's documents cite, and a query
with a `# scope:` line, scoped to one authority, starts from that index; its answer stays the same (the engines'
agreement on every scoped case is tests/test_engine_conformance.py)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from lutonkg.query import OxigraphEngine, execute, prepare
from lutonkg.query.library import QueryError, find, library, parse
from lutonkg.query.params import inject
from lutonkg.query.scopes import COVERAGE, MEMBER, SCOPE_BASE, scope_graph
from lutonkg.query.store import store_from_file

ID = "https://w3id.org/lutonkg/id/"
LBC = f"{ID}body/luton-borough-council"
LKG = "https://w3id.org/lutonkg/def/"
TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def _scope(store: ox.Store, authority: str) -> set[tuple[str, str]]:
    """(thing, type) pairs of an authority's scope graph (`<type> rdfs:member <thing>`)."""
    graph = ox.NamedNode(scope_graph(authority))
    return {(q.object.value, q.subject.value) for q in store.quads_for_pattern(None, MEMBER, None, graph)}


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
    members = list(store.quads_for_pattern(None, MEMBER, None, scope))
    assert len(members) > 1000 and not list(store.quads_for_pattern(None, TYPE, None, scope))
    for quad in members[:200]:  # each member is an instance of its class in the union (the reasoned build states it)
        assert list(store.quads_for_pattern(quad.object, TYPE, quad.subject, ox.DefaultGraph()))


def test_a_scoped_query_starts_from_the_scope_graph_with_the_same_rows(store: ox.Store, rdflib_engine):
    spec = find("trust-schools")
    engine = OxigraphEngine(store)
    scoped = prepare(spec, {"authority": "luton-borough-council"}, engine, {})
    assert f"GRAPH <{scope_graph(LBC)}> {{ <{LKG}Relationship> <{MEMBER.value}> ?link }}" in scoped.text
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
    assert f"GRAPH <{scope_graph(LBC)}> {{ <{LKG}Claim> <{MEMBER.value}> ?someClaim }}" in inner
    assert f"GRAPH <{scope_graph(LBC)}> {{ <{LKG}Claim> <{MEMBER.value}> ?claim }}" in scoped.text
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
    hook = f"GRAPH <G> {{ <{LKG}Recommendation> <{MEMBER.value}> ?rec }}"
    assert top.count(f"{hook}\n  FILTER(?authority = <{LBC}>)") == 1  # the outer group
    assert f"OPTIONAL {{ {hook} ?rec <{LKG}madeIn> ?doc }}" in top  # and the OPTIONAL directly in it
    assert "VALUES ?authority" not in top


def test_an_optional_part_is_scoped_only_inside_a_scoped_group_and_never_around_a_subquery():
    # the required part of a hooked group holds only the authority's things, so the OPTIONAL may start from them too
    text = f"""SELECT * WHERE {{
      ?rec <{LKG}madeIn> ?doc . ?doc <{LKG}aboutAuthority> ?authority .
      OPTIONAL {{ ?rec <{LKG}status> ?status OPTIONAL {{ ?rec <{LKG}note> ?note }} }}
      OPTIONAL {{ ?doc <{LKG}issued> ?issued }}
      OPTIONAL {{ SELECT ?rec (COUNT(?e) AS ?n) WHERE {{ ?e <{LKG}evidenceFor> ?rec }} GROUP BY ?rec }}
    }}"""
    scope = ((("rec", f"{LKG}Recommendation"),), "http://example.org/scope")
    bound = inject(text, {"authority": f"<{LBC}>"}, scope)
    hook = f"GRAPH <http://example.org/scope> {{ <{LKG}Recommendation> <{MEMBER.value}> ?rec }}"
    assert bound.count(hook) == 2  # the group and its first OPTIONAL; not the nested one, the ?doc one, the subquery
    assert f"OPTIONAL {{ {hook} ?rec <{LKG}status> ?status OPTIONAL {{ ?rec" in bound
    assert f"OPTIONAL {{ ?doc <{LKG}issued> ?issued }}" in bound and "OPTIONAL { SELECT ?rec" in bound
    assert list(ox.Store().query(bound)) == []  # valid SPARQL


def test_a_scoped_optional_part_gives_the_same_rows(store: ox.Store):
    spec = find("duties-without-discharger")
    engine = OxigraphEngine(store)
    scoped = prepare(spec, {"authority": "luton-borough-council"}, engine, {})
    hook = f"GRAPH <{scope_graph(LBC)}> {{ <{LKG}StatutoryDuty> <{MEMBER.value}> ?duty }}"
    assert f"OPTIONAL {{ {hook} ?duty lkg:holderRole ?role" in scoped.text
    rows = execute(scoped, engine)
    assert rows == engine.rows(inject(spec.text, scoped.terms), scoped.terms)
    holders = {r["holder"] for r in rows[1] if r.get("holder")}
    assert len(rows[1]) == 112 and {"the local authority", "head teachers"} <= holders  # read in the OPTIONAL


def test_a_graph_built_without_the_reasoner_gets_the_same_scopes_for_the_librarys_classes(
    store: ox.Store, fresh_build: Path, tmp_path: Path
):
    # org:Organization and org:Post (safeguarding-bodies scopes by them) and lkg:School for an academy are stated
    # only by the reasoner; the scope graphs also follow the ontology's subclass axioms, so `build --no-reason`
    # gets the same scopes
    inferred = f" <{ID}graph/inferred> ."
    lines = (fresh_build / "lutonkg.nq").read_text(encoding="utf-8").splitlines()
    unreasoned = tmp_path / "unreasoned.nq"
    unreasoned.write_text("\n".join(line for line in lines if not line.endswith(inferred)) + "\n", encoding="utf-8")
    classes = {kind for spec in library().values() for _, kind in spec.scope}
    assert {"http://www.w3.org/ns/org#Organization", "http://www.w3.org/ns/org#Post", f"{LKG}School"} <= classes
    with_reasoner = {pair for pair in _scope(store, LBC) if pair[1] in classes}
    without = {pair for pair in _scope(store_from_file(unreasoned), LBC) if pair[1] in classes}
    assert without == with_reasoner
    assert (f"{ID}body/luton-safeguarding-children-board", "http://www.w3.org/ns/org#Organization") in without
