"""`lutonkg query --limit/--offset`: unscoped listings page their rows, in the query's own order, so that page 2
continues page 1 exactly; and the binder's placement of the authority parameter (issue 17, item 3)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from project_paths import REPO_ROOT

from lutonkg.cli.main import main
from lutonkg.query import QueryError
from lutonkg.query.library import library
from lutonkg.query.params import inject, page

LUTON = "<https://w3id.org/lutonkg/id/body/luton-borough-council>"


@pytest.fixture
def cli(fresh_build: Path, capsys: pytest.CaptureFixture):
    """Run `lutonkg query ARGS` in process on the fresh build; (exit code, stdout, stderr)."""

    def call(*args: str) -> tuple[int, str, str]:
        code = main(["query", *args, "--graph", str(fresh_build / "lutonkg.nq"), "--project", str(REPO_ROOT)])
        out, err = capsys.readouterr()
        return code, out, err

    return call


def rows(out: str) -> list[list[str]]:
    """The data rows of CSV output (without the header)."""
    return list(csv.reader(io.StringIO(out)))[1:]


def test_page_two_continues_page_one_exactly(cli) -> None:
    code, out, _ = cli("trust-schools", "--format", "csv")
    everything = rows(out)
    assert code == 0 and len(everything) == 16  # the 16 academies of Appendix B in a trust
    first = rows(cli("trust-schools", "--format", "csv", "--limit", "6")[1])
    second = rows(cli("trust-schools", "--format", "csv", "--limit", "6", "--offset", "6")[1])
    rest = rows(cli("trust-schools", "--format", "csv", "--limit", "6", "--offset", "12")[1])
    assert first == everything[:6] and second == everything[6:12] and rest == everything[12:]
    assert {r[1] for r in first} >= {"Chiltern Learning Trust"}


def test_an_offset_past_the_end_gives_no_rows(cli) -> None:
    code, out, _ = cli("trust-schools", "--format", "csv", "--offset", "16")
    assert code == 0 and rows(out) == []


BAD = [("--limit", "0"), ("--limit", "ten"), ("--limit", "2.5"), ("--offset", "-3"), ("--offset", "")]


@pytest.mark.parametrize(("option", "value"), BAD)
def test_a_bad_page_value_is_one_line_and_exit_2(cli, option: str, value: str) -> None:
    code, out, err = cli("trust-schools", option, value)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and option in err


def test_a_query_with_its_own_limit_is_not_paged(cli) -> None:
    code, _, err = cli("-e", "SELECT ?s WHERE { ?s ?p ?o } LIMIT 3", "--limit", "2")
    assert code == 2 and "its own LIMIT" in err


def test_paging_keeps_the_order_by_and_comes_after_it() -> None:
    text = page(library()["trust-schools"].text, 5, 10)
    assert text.rstrip().endswith("ORDER BY ?trustLabel ?schoolLabel ?neighbourhood ?doc ?locator\nLIMIT 5 OFFSET 10")
    assert page("SELECT ?s WHERE { ?s ?p ?o }", None, None) == "SELECT ?s WHERE { ?s ?p ?o }"
    with pytest.raises(QueryError, match="SELECT"):
        page("ASK { ?s ?p ?o }", 1, 0)


def test_the_authority_comes_first_whatever_the_declared_order() -> None:
    spec = library()["recommendations-on-theme"]
    assert [p.name for p in spec.params] == ["theme", "authority"]
    text = inject(spec.text, {"theme": "<https://w3id.org/lutonkg/id/concept/theme/safeguarding>", "authority": LUTON})
    assert text.index("VALUES ?authority") < text.index("VALUES ?theme")


def test_a_subquery_at_the_top_of_a_union_branch_gets_the_authority() -> None:
    text = inject(library()["appendix-c-counts"].text, {"authority": LUTON})
    # the outer group, each of the two branches, and the counting subquery at the top of each branch
    assert text.count("VALUES ?authority") == 5
    for branch in text.split("} UNION {"):
        assert branch.count("VALUES ?authority") >= 2
