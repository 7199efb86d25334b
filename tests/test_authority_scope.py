"""The `authority` parameter: listing queries answer for one local authority in a graph that holds several.

Every source document is about Luton (lkg:aboutAuthority), so on the Luton graph scoping to Luton changes nothing
and scoping to another authority gives nothing. A two-authority synthetic graph (benchmarks/synthetic.py: Luton
plus a copy with every local IRI prefixed `a002-`) shows that scoping picks out one authority's rows exactly.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lutonkg.namespaces import ID
from lutonkg.query import OxigraphEngine, QueryError, prepare, run
from lutonkg.query.library import library
from lutonkg.query.store import store_from_file

LIBRARY = library()
SCOPED = sorted(name for name, spec in LIBRARY.items() if any(p.name == "authority" for p in spec.params))
LUTON = "luton-borough-council"
OTHER = "a002-" + LUTON


def example_params(name: str) -> dict[str, str]:
    """The query's example parameters (those it needs)."""
    return {p.name: p.example for p in LIBRARY[name].params if p.example}


@pytest.fixture(scope="module")
def engine(store) -> OxigraphEngine:
    """The fresh Luton build on pyoxigraph."""
    return OxigraphEngine(store)


@pytest.fixture(scope="module")
def two_authorities(two_authority_nquads: Path) -> OxigraphEngine:
    """Luton and one synthetic copy of it, in one store (the generator is tested through this fixture)."""
    return OxigraphEngine(store_from_file(two_authority_nquads))


def test_the_listing_queries_take_an_authority():
    assert {"duties-without-discharger", "relationship-sources", "safeguarding-bodies", "source-disagreements",
            "reorganisations", "open-recommendations", "trust-schools"} <= set(SCOPED)  # fmt: skip


def test_every_document_is_about_luton(engine):
    _, rows = engine.rows(
        "SELECT ?doc ?la WHERE { ?doc a <https://w3id.org/lutonkg/def/SourceDocument> ; "
        "<https://w3id.org/lutonkg/def/aboutAuthority> ?la } ORDER BY ?doc"
    )
    assert [r["doc"].rsplit("/", 1)[-1] for r in rows] == ["ca2008", "cohesion2002", "jar2008", "lea2002",
                                                           "strategy2020"]  # fmt: skip
    assert {r["la"] for r in rows} == {f"{ID}body/{LUTON}"}


@pytest.mark.parametrize("name", SCOPED)
def test_scoping_to_luton_changes_nothing_on_the_luton_graph(name, engine):
    params = example_params(name)
    everything = run(LIBRARY[name], params, engine)
    assert everything, f"{name} should answer on the Luton graph"
    assert run(LIBRARY[name], {**params, "authority": LUTON}, engine) == everything
    assert run(LIBRARY[name], {**params, "authority": "Luton Borough Council"}, engine) == everything


@pytest.mark.parametrize("name", SCOPED)
def test_another_authority_has_no_documents_here(name, engine):
    assert run(LIBRARY[name], {**example_params(name), "authority": "bedfordshire-county-council"}, engine) == []


def test_an_unknown_authority_is_refused(engine):
    with pytest.raises(QueryError, match="authority"):
        run(LIBRARY["duties-without-discharger"], {"authority": "no-such-council"}, engine)


@pytest.mark.parametrize("name", SCOPED)
def test_scoping_picks_out_one_authority_of_two(name, engine, two_authorities):
    params = example_params(name)
    luton_alone = run(LIBRARY[name], params, engine)
    luton = run(LIBRARY[name], {**params, "authority": LUTON}, two_authorities)
    other = run(LIBRARY[name], {**params, "authority": OTHER}, two_authorities)
    both = run(LIBRARY[name], params, two_authorities)
    assert luton == luton_alone  # the copy adds nothing to Luton's answer, counts included
    assert len(other) == len(luton_alone)
    assert len(both) == 2 * len(luton_alone)
    docs = {r["doc"].rsplit("/", 1)[-1] for r in other}
    assert docs and all(d.startswith("a002-") for d in docs)


def test_the_parameter_reaches_union_branches_and_grouped_subqueries(engine):
    # Oxigraph plans each UNION branch and each subquery on its own; the binder copies the one-row VALUES into them
    text = prepare(LIBRARY["safeguarding-bodies"], {"authority": LUTON}, engine).text
    branches = text.count("} UNION {") + 1
    assert branches == 10
    # the branch that reads the authority's citations (a passage on safeguarding) starts from the authority; the
    # nine that look for one kind of thing (a body by its name, a relationship, a duty, a judgement ...) start
    # from the authority's things of that kind, in its scope graph
    assert text.count("VALUES ?authority") == 1 + 1
    assert text.count("GRAPH <https://w3id.org/lutonkg/id/graph/scope/luton-borough-council>") == 9
    text = prepare(LIBRARY["source-disagreements"], {"authority": LUTON, "topic": "population"}, engine).text
    assert text.count("VALUES ?topic") == 2  # the outer group and the subquery grouped by it
    # the subquery is grouped by the authority too; both start from the authority's scope graph (a scope line each)
    # (and the OPTIONAL in each group that mentions the scoped claim keeps to the authority's claims too)
    assert "VALUES ?authority" not in text and text.count("GRAPH <https://w3id.org/lutonkg/id/graph/scope/") == 2 + 2
    assert text.count("FILTER(?authority = <https://w3id.org/lutonkg/id/body/luton-borough-council>)") == 2
    assert text.count("OPTIONAL { GRAPH <https://w3id.org/lutonkg/id/graph/scope/") == 2
    text = prepare(LIBRARY["open-recommendations"], {"authority": LUTON}, engine).text
    # its optional part is a subquery grouped by ?rec and ?authority, holding another grouped the same way
    assert text.count("VALUES ?authority") == 3
