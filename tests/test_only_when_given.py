"""Lines a query needs only for an optional parameter (`# only when NAME is given`, lutonkg.query.library): the runner
leaves such a line out when the parameter is not given, with the same rows, and keeps it when it is."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from lutonkg.cli.main import main
from lutonkg.query import OxigraphEngine, execute, prepare
from lutonkg.query.library import QueryError, find, library, parse
from lutonkg.query.params import inject

MARKED = sorted(name for name, spec in library().items() if spec.only_when)
HEADER = (
    "# q\n# param: body kind=body default=* Only this body.\n# param: doc kind=document example=ca2008 Its source.\n"
)


def _rows(engine: OxigraphEngine, text: str, terms: dict[str, str]) -> list[tuple]:
    """The rows of a bound query text, as sorted tuples."""
    names, rows = engine.rows(text, terms)
    return sorted(tuple(str(row.get(name)) for name in names) for row in rows)


def test_the_library_marks_the_body_line_of_relationship_sources():
    assert "relationship-sources" in MARKED
    spec = find("relationship-sources")
    ((index, name),) = spec.only_when
    assert name == "body" and "lkg:subject|lkg:object ?body" in spec.text.splitlines()[index]


@pytest.mark.parametrize("name", MARKED)
def test_a_line_for_an_unbound_parameter_is_left_out_with_the_same_rows(name: str, store: ox.Store):
    spec, engine = find(name), OxigraphEngine(store)
    prepared = prepare(spec, spec.sample_params(), engine, {})
    marked = [spec.text.splitlines()[index] for index, _ in spec.only_when]
    assert all(line not in prepared.text for line in marked)
    whole = inject(spec.text, prepared.terms)  # every line, as `lutonkg query --show` prints it
    assert all(line in whole for line in marked)
    rows = _rows(engine, prepared.text, prepared.terms)
    assert rows and rows == _rows(engine, whole, prepared.terms)


def test_a_given_parameter_keeps_its_line_and_its_meaning(store: ox.Store):
    spec, engine = find("relationship-sources"), OxigraphEngine(store)
    every = execute(prepare(spec, {}, engine, {}), engine)[1]
    council = prepare(spec, {"body": "luton-borough-council"}, engine, {})
    assert "lkg:subject|lkg:object ?body" in council.text
    rows = execute(council, engine)[1]
    assert 0 < len(rows) < len(every)
    assert all("Luton Borough Council" in (row["subjectLabel"], row["objectLabel"]) for row in rows)
    trust = [r for r in rows if r["subjectLabel"] == "Active Luton Leisure Trust"]
    assert trust and trust[0]["relationLabel"] == "provides a service to" and trust[0]["locator"] == "para 48"


@pytest.mark.parametrize(
    "line",
    [
        "  ?s ?p ?o .  # only when doc is given",  # a required parameter
        "  ?s ?p ?o .  # only when nothing is given",  # no such parameter
    ],
)
def test_a_marker_names_an_optional_parameter(line: str):
    with pytest.raises(QueryError, match="line 5 is marked for .* not an optional parameter"):
        parse(f"{HEADER}SELECT * WHERE {{\n{line}\n}}\n", "q")


def test_only_a_final_comment_after_a_pattern_is_a_marker():
    text = (
        f"{HEADER}# only when body is given\nSELECT * WHERE {{\n"
        '  ?s ?p "# only when body is given" .\n'
        "  ?s ?p <https://example.org/x#only-when-body-is-given> .\n"
        "  ?s ?q ?body .  # only when body is given\n}\n"
    )
    spec = parse(text, "q")
    assert [index for index, _ in spec.only_when] == [7]
    assert "?q ?body" not in spec.text_for({}) and spec.text_for({}).count("only when body is given") == 2
    assert spec.text_for({"body": "<x>"}) == text


def test_show_prints_every_line(capsys: pytest.CaptureFixture, fresh_build):
    assert main(["query", "relationship-sources", "--graph", str(fresh_build / "lutonkg.nq"), "--show"]) == 0
    assert "?relationship lkg:subject|lkg:object ?body .  # only when body is given" in capsys.readouterr().out
