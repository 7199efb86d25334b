"""The SPARQL quality checks (ontology/checks/*-violation.rq) pass on the built graph and catch what they describe.

The fixtures of tests/fixtures/invalid/ reach most checks through the data; these reach the ones the data files
cannot trip on their own (a term missing from the ontology, a body referenced but never described), on the built
graph with one statement added.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from lutonkg.checks.validate import sparql_problems
from lutonkg.namespaces import ID, LKG

LEA = ox.NamedNode(f"{ID}body/luton-lea")
TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


@pytest.fixture(scope="module")
def union(fresh_build: Path) -> list[ox.Quad]:
    """The built graph's triples, in the default graph (as the build's checks read them)."""
    quads = ox.parse(path=str(fresh_build / "lutonkg.nq"), format=ox.RdfFormat.N_QUADS)
    return list({ox.Quad(q.subject, q.predicate, q.object) for q in quads})


def _problems(union: list[ox.Quad], *extra: ox.Quad) -> list[tuple[str, str]]:
    """The checks' problems on the built graph plus some quads, as (focus, check file)."""
    store = ox.Store()
    store.extend([*union, *extra])
    return [(p.focus, p.message.rsplit("[", 1)[1].rstrip("]")) for p in sparql_problems(store)]


def test_the_built_graph_passes_every_check(union: list[ox.Quad]) -> None:
    assert _problems(union) == []


@pytest.mark.parametrize(
    ("added", "expected"),
    [
        (
            ox.Quad(LEA, ox.NamedNode(f"{LKG}undeclaredLink"), ox.Literal("x")),
            (f"{LKG}undeclaredLink", "undeclared-term-violation.rq"),
        ),
        (
            ox.Quad(LEA, TYPE, ox.NamedNode(f"{LKG}UndeclaredClass")),
            (f"{LKG}UndeclaredClass", "undeclared-term-violation.rq"),
        ),
        (
            ox.Quad(LEA, ox.NamedNode(f"{LKG}oversees"), ox.NamedNode(f"{ID}body/no-such-body")),
            (f"{ID}body/no-such-body", "body-without-type-violation.rq"),
        ),
        (
            ox.Quad(
                ox.NamedNode(f"{ID}document/lea2002"),
                ox.NamedNode("http://www.w3.org/ns/org#classification"),
                ox.NamedNode(f"{ID}concept/body-type/office"),
            ),
            (f"{ID}document/lea2002", "classified-body-class-violation.rq"),
        ),
    ],
    ids=["property", "class", "dangling-body", "classified-neither-organisation-nor-post"],
)
def test_a_check_catches_what_it_describes(union: list[ox.Quad], added: ox.Quad, expected: tuple[str, str]) -> None:
    assert _problems(union, added) == [expected]
