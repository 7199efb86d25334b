"""One set of command-line conventions: find and show, names resolved with suggestions, whole cells in every table,
the same formats everywhere, real JSON types, exports that read back, and a compacted JSON-LD."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
from project_paths import GRAPH_DIR, REPO_ROOT

from lutonkg import __version__
from lutonkg.analysis.network import load
from lutonkg.cli.main import main
from lutonkg.cli.render import render
from lutonkg.exports.graphs import export_all, plain_graph
from lutonkg.table import Table

TABLE_COMMANDS = [
    ["queries"],
    ["query", "trust-schools"],
    ["find", "newman"],
    ["show", "dallow-primary"],
    ["documents"],
    ["who", "lado", "--at", "2020"],
    ["timeline", "lscb"],
    ["diff", "2002", "2008"],
    ["gaps"],
    ["measures", "--at", "2008"],
]


@pytest.fixture
def cli(fresh_build: Path, capsys: pytest.CaptureFixture):
    """Run `lutonkg ARGS` in process on the fresh build; (exit code, stdout, stderr)."""

    def call(*args: str) -> tuple[int, str, str]:
        graph = [] if args[0] in ("queries", "completion") else ["--graph", str(fresh_build / "lutonkg.nq")]
        code = main([*args, *graph, "--project", str(REPO_ROOT)])
        out, err = capsys.readouterr()
        return code, out, err

    return call


def test_find_lists_cardinal_newman(cli) -> None:
    """`find cardinal` names the Appendix B school with its id and kind."""
    code, out, _ = cli("find", "cardinal", "-f", "json")
    assert code == 0
    assert {(r["id"], r["kind"], r["label"]) for r in json.loads(out)} == {
        ("school/cardinal-newman", "school", "Cardinal Newman")
    }


def test_find_says_when_nothing_matches(cli) -> None:
    """A search that finds nothing exits 1 and says what to try."""
    code, out, _ = cli("find", "zzzzqqq")
    assert code == 1 and "nothing matches" in out


def test_show_dallow_primary_names_its_trust_and_neighbourhood_with_the_appendix_b_citation(cli) -> None:
    """The profile of Dallow Primary: in Chiltern Learning Trust and the South neighbourhood, cited to Appendix B."""
    code, out, _ = cli("show", "dallow-primary", "-f", "json")
    assert code == 0
    entity = json.loads(out)
    assert entity["label"] == "Dallow Primary" and entity["kind"] == "school"
    links = {s["phrase"]: s for s in entity["statements"] if s["other"]}
    assert links["academy in trust"]["other_label"] == "Chiltern Learning Trust"
    assert links["in neighbourhood"]["other_label"] == "South neighbourhood partnership"
    for phrase in ("academy in trust", "in neighbourhood"):
        assert [(c["doc"], c["locator"]) for c in links[phrase]["citations"]] == [("strategy2020", "Appendix B: SOUTH")]
    code, text, _ = cli("show", "dallow-primary", "-f", "markdown")
    row = next(line for line in text.splitlines() if "Chiltern Learning Trust" in line)
    assert "body/chiltern-learning-trust" in row and "strategy2020 Appendix B: SOUTH" in row


def test_show_marks_the_curators_inferred_succession_of_the_lscb(cli) -> None:
    """The LSCB succeeded the ACPC: shown from the LSCB's side, marked as the curators' inference with its basis."""
    code, out, _ = cli("show", "LSCB", "-f", "json")
    statements = json.loads(out)["statements"]
    succeeded = [s for s in statements if s["phrase"] == "succeeded"]
    assert [s["other_label"] for s in succeeded] == ["Area Child Protection Committee"]
    assert succeeded[0]["curated"] is True and succeeded[0]["basis"]
    assert {c["doc"] for c in succeeded[0]["citations"]} == {"lea2002", "jar2008"}


def test_show_gives_both_sides_of_a_disagreement(cli) -> None:
    """The Children's Panel's founding year: 2000 in the LEA report, 2001 in the joint area review, each cited."""
    code, out, _ = cli("show", "childrens-panel", "-f", "json")
    claims = {(c["value"], c["citations"][0]["doc"]) for c in json.loads(out)["claims"]}
    assert {("2000", "lea2002"), ("2001", "jar2008")} <= claims


def test_show_of_an_unknown_name_suggests_ids(cli) -> None:
    """A misspelt id gets one error line with the closest ids."""
    code, out, err = cli("show", "luton-lee")
    assert code == 2 and out == ""
    assert err.startswith("lutonkg show: error: no thing matches 'luton-lee'; did you mean body/luton-lea")
    assert len(err.splitlines()) == 1


@pytest.mark.parametrize(
    ("param", "wanted"),
    [
        ("body=luton-lee", "did you mean luton-lea"),
        ("body=duty/academy-land-transfer", "is a statutory duty, not a body or school"),
    ],
)
def test_a_wrong_parameter_value_gets_suggestions_and_how_to_list_values(cli, param: str, wanted: str) -> None:
    """Unknown or wrong-kind values say what was meant and how to list the valid ones."""
    code, out, err = cli("query", "recommendations-to-body", "-p", param)
    assert code == 2 and out == ""
    assert wanted in err and "`lutonkg find --kind body --kind school` lists the" in err


def test_a_parameter_given_without_param_says_how_to_give_it(capsys: pytest.CaptureFixture) -> None:
    """`lutonkg query safeguarding-bodies year=2008` (a newcomer's first try) exits 2 and shows `-p year=2008`;
    another stray word gets argparse's message alone."""
    for extra, hint in (("year=2008", True), ("2008", False)):
        with pytest.raises(SystemExit) as stopped:
            main(["query", "safeguarding-bodies", extra, "--project", str(REPO_ROOT)])
        err = capsys.readouterr().err
        assert stopped.value.code == 2
        assert f"lutonkg: error: unrecognized arguments: {extra}" in err
        assert ("e.g. `-p year=2008`" in err) is hint


def test_an_inspection_given_as_its_report_is_explained(cli) -> None:
    """`inspection=ca2008` names the corporate assessment's document, not the inspection."""
    code, _, err = cli("query", "inspection-grades", "-p", "inspection=ca2008")
    assert code == 2 and "ca2008 is a source document, not an inspection" in err


def test_parameter_values_resolve_by_other_name(cli) -> None:
    """A body given by another name (the LSCB's abbreviation) resolves."""
    code, out, err = cli("query", "body-timeline", "-p", "body=LSCB", "-f", "json")
    assert code == 0, err
    rows = json.loads(out)
    assert any(r["detail"] == "came from Area Child Protection Committee" for r in rows)
    assert {(r["doc"].rsplit("/", 1)[-1], r["locator"]) for r in rows if r["what"] == "attested"} >= {
        ("jar2008", "para 14")
    }


def test_a_wide_table_keeps_every_id_and_name_whole(cli) -> None:
    """Every school id sits whole on one line of the text table, and every school's name is there in full."""
    code, text, _ = cli("find", "--kind", "school")
    _, data, _ = cli("find", "--kind", "school", "-f", "json")
    rows = json.loads(data)
    assert len(rows) >= 70 and "\u2026" not in text
    lines = text.splitlines()
    assert all(any(r["id"] in line for line in lines) for r in rows)
    flat = " ".join(text.split())
    assert all(" ".join(r["label"].split()) in flat or all(w in flat for w in r["label"].split()) for r in rows)


def test_the_renderer_wraps_instead_of_cutting() -> None:
    """In a narrow table a long name wraps and a long id stays on one line; narrower still, words fold but no cell
    loses a character."""
    name = "Challney High School for Boys and Community College, a long description that must wrap"
    row = {"id": "school/challney-high-school-for-boys", "label": name, "locator": "Appendix B: WEST"}
    table = Table("t", ["id", "label", "locator"], [row])
    text = render(table, "table", 64)
    assert max(len(line) for line in text.splitlines()) <= 64
    assert "school/challney-high-school-for-boys" in text and "Appendix" in text
    assert all(word in text.split() for word in name.split())
    narrow = render(table, "table", 40)
    assert max(len(line) for line in narrow.splitlines()) <= 40
    body = "\n".join(narrow.splitlines()[3:])  # below the heading, the column names and the rule
    assert sorted("".join(body.split())) == sorted("".join(" ".join(row.values()).split()))


@pytest.mark.parametrize("command", TABLE_COMMANDS, ids=lambda c: " ".join(c))
@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json", "markdown"])
def test_every_table_command_speaks_every_format(cli, command: list[str], fmt: str) -> None:
    """The same --format choices everywhere, each output well formed."""
    code, out, err = cli(*command, "--format", fmt)
    assert code == 0, err
    if fmt == "json":
        json.loads(out)
    elif fmt in ("csv", "tsv"):
        rows = list(csv.reader(io.StringIO(out), delimiter="," if fmt == "csv" else "\t"))
        assert rows and len({len(r) for r in rows}) == 1
    elif fmt == "markdown":
        assert "| --- |" in out.replace("|---|", "| --- |") or "(0 rows)" in out
    else:
        assert out.startswith("==") or "\n== " in out or out.splitlines()[0]


def test_json_keeps_booleans_and_numbers(cli) -> None:
    """`who` gives inferred as true/false, `measures` ranks as integers and betweenness as numbers."""
    _, out, _ = cli("who", "lscb", "-f", "json")
    assert {type(r["inferred"]) for r in json.loads(out)} == {bool}
    _, out, _ = cli("measures", "--at", "2008", "-f", "json")
    tables = json.loads(out)
    rows = next(rows for name, rows in tables.items() if name.startswith("centrality"))
    assert all(isinstance(r["rank"], int) and isinstance(r["betweenness"], float) for r in rows)


def test_version_and_completion(cli, capsys: pytest.CaptureFixture) -> None:
    """`--version` prints the installed version; `completion bash` prints a script naming the subcommands."""
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.strip() == f"lutonkg {__version__}"
    code, out, _ = cli("completion", "bash")
    assert code == 0 and "verify-sources" in out and "show" in out


def test_documents_gives_full_references(cli) -> None:
    """The joint area review: its reference number, its seven inspectorates and its date."""
    _, out, _ = cli("documents", "-f", "json")
    jar = next(d for d in json.loads(out) if d["id"] == "jar2008")
    assert jar["reference"] == "821" and jar["date"] == "2008-04-22"
    assert jar["published by"].count(";") == 6 and "Ofsted" in jar["published by"] or "Office" in jar["published by"]


@pytest.fixture(scope="module")
def exported(fresh_build: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[nx.MultiDiGraph, Path]:
    """The projection of the fresh build and a folder of its exports."""
    graph = load(fresh_build / "lutonkg.nq")
    out = tmp_path_factory.mktemp("exports")
    export_all(graph, out, (2008,))
    return graph, out


@pytest.mark.parametrize("name", ["lutonkg.graphml", "lutonkg.gexf"])
def test_exports_read_back_with_the_same_nodes_edges_and_typed_attributes(exported, name: str) -> None:
    """networkx reads GraphML and GEXF back: same nodes, edges and attribute values of the same types, and no
    empty-string or -1 placeholders (a legislation node without a year simply has no year)."""
    graph, out = exported
    gexf = name.endswith("gexf")
    back = nx.read_gexf(out / name) if gexf else nx.read_graphml(out / name, force_multigraph=True)
    expected = plain_graph(graph, spells=gexf)
    assert set(back.nodes) == set(expected.nodes)
    assert back.number_of_edges() == expected.number_of_edges()
    for node, attrs in expected.nodes(data=True):
        got = back.nodes[node]
        for key, value in attrs.items():
            if key != "spells":
                assert got[key] == value and type(got[key]) is type(value), (node, key)
        assert "" not in got.values() and got.get("first_year") != -1
    act = back.nodes["legislation/ukpga/1996/56"]
    assert act["label"] == "Education Act 1996" and isinstance(act.get("year", 0), int)


def test_jsonld_is_compacted_with_a_context_and_means_the_same_triples() -> None:
    """The JSON-LD output carries the project's prefixes and expands to exactly the Turtle's triples."""
    document = json.loads((GRAPH_DIR / "lutonkg.jsonld").read_text(encoding="utf-8"))
    assert document["@context"]["lkg"] == "https://w3id.org/lutonkg/def/"
    school = next(n for n in document["@graph"] if n["@id"] == "id:school/dallow-primary")
    assert school["lkg:inTrust"] == {"@id": "id:body/chiltern-learning-trust"}
    from_jsonld = set(ox.parse(path=str(GRAPH_DIR / "lutonkg.jsonld"), format=ox.RdfFormat.JSON_LD))
    from_turtle = set(ox.parse(path=str(GRAPH_DIR / "lutonkg.ttl"), format=ox.RdfFormat.TURTLE))
    assert from_jsonld == from_turtle


def test_each_command_is_added_by_the_module_the_table_names():
    import argparse
    import importlib

    from lutonkg.cli.main import COMMAND_MODULES, COMMANDS

    added = {}
    for name in COMMAND_MODULES:
        sub = argparse.ArgumentParser().add_subparsers()
        importlib.import_module(name).add_commands(sub)
        added.update(dict.fromkeys(sub.choices, name))
    assert added == COMMANDS


def test_a_command_imports_only_its_own_module():
    code = (
        "import sys; from lutonkg.cli.main import parser; "
        "parser(['--project', 'x', 'check']).parse_args(['--project', 'x', 'check']); "
        "print(sorted(m for m in sys.modules if m.startswith('lutonkg.cli.') or m in ('networkx', 'jinja2')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "lutonkg.cli.build" in out and "lutonkg.cli.query" not in out and "networkx" not in out
    everything = subprocess.run([sys.executable, "-m", "lutonkg.cli", "--help"], capture_output=True, text=True)
    listed = ("check", "suggest", "site")
    assert everything.returncode == 0 and all(f"    {name}" in everything.stdout for name in listed)
