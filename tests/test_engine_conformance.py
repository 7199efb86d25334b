"""Issue 17: the query library means the same on three SPARQL engines, pyoxigraph (the project's), rdflib and Apache
Jena ARQ (the Debian package libapache-jena-java, run through lutonkg.query.jena in one JVM).

Every library query runs with its example parameters and the project's defaults (lutonkg.query.runner.prepare),
again scoped to each authority, and with the optional parameters test_queries.py exercises, on the Luton graph and on
a two-authority graph (Luton and a synthetic copy, where scoping picks out rows and ties between authorities show
whether an ORDER BY fixes the order of every row). On pyoxigraph a query with a `# scope:` line, scoped to an
authority, starts from that authority's scope graph (lutonkg.query.scopes); Jena runs the same query bound with
VALUES, as any store would. The answers must be the same multiset of rows on every engine,
values compared as lutonkg.query.engines.plain gives them (blank nodes by kind only, as their labels are each
engine's own), and in the same order, since every library query orders its rows completely (docs/sparql.md).
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from project_paths import PROJECT
from test_queries import VARIANTS

from lutonkg.query import OxigraphEngine, Prepared, execute, jena, prepare, run
from lutonkg.query.engines import Row
from lutonkg.query.library import library
from lutonkg.query.params import inject
from lutonkg.query.store import store_from_file

LIBRARY = library()
LUTON = "luton-borough-council"
OTHER = "a002-" + LUTON


def _cases(graph: str) -> list[tuple[str, str, tuple[tuple[str, str], ...]]]:
    """(graph, query, parameters) for every query: its examples, scoped to each authority, and the variants."""
    authorities = [LUTON] if graph == "luton" else [LUTON, OTHER]
    found = []
    for name, spec in LIBRARY.items():
        found.append((graph, name, spec.sample_params()))
        if spec.param("authority"):
            found += [(graph, name, {**spec.sample_params(), "authority": a}) for a in authorities]
    if graph == "luton":  # labels such as "Chiltern Learning Trust" name two things in the two-authority graph
        found += [(graph, name, params) for name, params in VARIANTS]
    return [(g, n, tuple(sorted(p.items()))) for g, n, p in found]


CASES = _cases("luton") + _cases("two authorities")


def _id(case: tuple) -> str:
    """A readable test id."""
    graph, name, params = case
    return f"{graph}:{name}" + "".join(f",{k}={v}" for k, v in params)


@pytest.fixture(scope="module")
def engines(store: ox.Store, two_authority_nquads: Path) -> dict[str, OxigraphEngine]:
    """Each graph on pyoxigraph."""
    return {"luton": OxigraphEngine(store), "two authorities": OxigraphEngine(store_from_file(two_authority_nquads))}


@pytest.fixture(scope="module")
def prepared(engines: dict[str, OxigraphEngine]) -> dict[tuple, Prepared]:
    """Each case as the SPARQL text every engine runs: parameters and the project's defaults bound."""
    return {case: prepare(LIBRARY[case[1]], dict(case[2]), engines[case[0]], PROJECT.query_defaults) for case in CASES}


@pytest.fixture(scope="module")
def on_jena(prepared: dict[tuple, Prepared], fresh_build: Path, two_authority_nquads: Path) -> dict[tuple, object]:
    """Every case's answer from Jena ARQ, all in one JVM; skipped (with the reason) where Jena cannot run, but
    never in CI."""
    reason = jena.available()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the second-engine test: {reason}")
        pytest.skip(f"Apache Jena ARQ cannot run here: {reason}")
    paths = {"luton": fresh_build / "lutonkg.nq", "two authorities": two_authority_nquads}
    batches = [[case for case in CASES if case[0] == graph] for graph in paths]
    results = jena.run_batches([(paths[b[0][0]], [_plain_text(prepared[case]) for case in b]) for b in batches])
    found = {}
    for cases, (_, answers) in zip(batches, results, strict=True):
        found.update(zip(cases, answers, strict=True))
    return found


def _plain_text(prepared: Prepared) -> str:
    """The case's text as any store runs it: parameters bound with VALUES, without pyoxigraph's scope graphs
    (lutonkg.query.scopes), which the N-Quads Jena loads do not hold; so Jena also checks the scoped plans."""
    return inject(prepared.spec.text, prepared.terms)


def _plain(rows: list[Row]) -> list[tuple]:
    """Rows as tuples of plain values, every blank node the same (engines label them as they like)."""
    return [tuple((k, "_:" if str(v).startswith("_:") else v) for k, v in row.items()) for row in rows]


def _assert_same(name: str, engine: str, theirs: list[Row], ours: list[Row]) -> None:
    """The same rows as on pyoxigraph, as a multiset and then in order."""
    mine, other = _plain(ours), _plain(theirs)
    missing, extra = Counter(mine) - Counter(other), Counter(other) - Counter(mine)
    assert not missing and not extra, (
        f"{name}: {engine} answers differently from pyoxigraph: {sum(missing.values())} row(s) only on pyoxigraph "
        f"(e.g. {next(iter(missing), None)}), {sum(extra.values())} only on {engine} (e.g. {next(iter(extra), None)})"
    )
    assert other == mine, f"{name}: {engine} orders the rows differently: its ORDER BY does not fix every row's place"


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_jena_gives_the_same_answers(case, prepared, engines, on_jena) -> None:
    columns, rows = execute(prepared[case], engines[case[0]])
    answer = on_jena[case]
    assert answer.error is None, f"{case[1]} fails on Jena: {answer.error}"
    assert answer.columns == columns
    _assert_same(case[1], "Jena ARQ", answer.rows, rows)


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_same_rows_on_rdflib_and_pyoxigraph(name, engines, rdflib_engine) -> None:
    spec = LIBRARY[name]
    on_oxigraph = run(spec, spec.sample_params(), engines["luton"])
    assert on_oxigraph, f"{name} answers nothing with its example parameters"
    on_rdflib = run(spec, spec.sample_params(), rdflib_engine)
    _assert_same(name, "rdflib", on_rdflib, on_oxigraph)
    assert on_rdflib == on_oxigraph  # blank nodes too: both keep the labels of the N-Quads file


@pytest.mark.parametrize(("name", "params"), VARIANTS, ids=[v[0] for v in VARIANTS])
def test_same_rows_with_optional_parameters(name, params, engines, rdflib_engine) -> None:
    on_oxigraph = run(LIBRARY[name], params, engines["luton"])
    assert on_oxigraph
    on_rdflib = run(LIBRARY[name], params, rdflib_engine)
    _assert_same(name, "rdflib", on_rdflib, on_oxigraph)
    assert on_rdflib == on_oxigraph


def test_every_query_and_authority_is_covered() -> None:
    queries = {name for _, name, _ in CASES}
    assert queries == set(LIBRARY)
    scoped = {(graph, name) for graph, name, params in CASES if ("authority", OTHER) in params}
    assert {name for _, name in scoped} == {n for n, s in LIBRARY.items() if s.param("authority")}


def test_scoped_cases_start_from_the_scope_graph_on_pyoxigraph_only(prepared) -> None:
    hooked = {case[1] for case in CASES if "/graph/scope/" in prepared[case].text}
    declared = {name for name, spec in LIBRARY.items() if spec.scope}
    assert "trust-schools" in declared and hooked == declared
    for case in CASES:
        assert "/graph/scope/" not in _plain_text(prepared[case])
        authority = prepared[case].terms.get("authority", "")
        if LIBRARY[case[1]].scope and authority:
            slug = authority.rsplit("/", 1)[1].rstrip(">")
            other = LUTON if slug == OTHER else OTHER
            assert f"/graph/scope/{slug}>" in prepared[case].text, case
            assert f"/graph/scope/{other}>" not in prepared[case].text, case
