"""`lutonkg query` and `lutonkg queries` on bad input: one clear line on stderr and a non-zero exit, never a
traceback; and the output formats on good input."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from lutonkg.cli import query as cli_query
from lutonkg.cli.main import main
from lutonkg.cli.render import PIPE_WIDTH
from lutonkg.query import (
    EngineCrash,
    OxigraphEngine,
    QueryError,
    QueryMemoryError,
    QueryTimeout,
    execute,
    prepare,
    run,
)
from lutonkg.query.isolate import available, run_isolated

CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture
def cli(store: ox.Store, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture):
    """Run `lutonkg ARGS` in this process on the fresh build; returns (exit code, stdout, stderr)."""
    monkeypatch.setattr(cli_query, "open_engine", lambda path, engine="oxigraph", stores=None: OxigraphEngine(store))

    def invoke(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


def one_error_line(err: str, *phrases: str) -> None:
    """Exactly one line on stderr, an error naming the problem, no traceback."""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("lutonkg query: error: ") and "Traceback" not in err
    for phrase in phrases:
        assert phrase in lines[0]


def test_unknown_query_name_suggests_close_ones(cli):
    code, out, err = cli("query", "recommendation-to-body")
    assert code != 0 and out == ""
    one_error_line(err, "unknown query 'recommendation-to-body'", "recommendations-to-body")


def test_missing_parameter_says_which_and_gives_an_example(cli):
    code, _, err = cli("query", "recommendations-to-body")
    assert code != 0
    one_error_line(err, "--param body=<body>", "--param body=luton-lea")


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        (["recommendations-to-body", "--param", "body=no-such-body"], "no body or school matches 'no-such-body'"),
        (["recommendations-to-body", "--param", "addressee=luton-lea"], "has no parameter 'addressee'"),
        (["recommendations-to-body", "--param", "body"], "not of the form name=value"),
        (["bodies-attested-in-year", "--param", "year=20O8"], "year='20O8' is not a valid year"),
        (["board-members-at-date", "-p", "board=luton-safeguarding-children-board", "-p", "date=2008-13"], "date"),
        (["duty-legal-basis", "--param", "duty=https://example.org/duty/x"], "no statutory duty <https://example.org"),
        (["no-such-file.rq"], "no such query file"),
        (["--timeout", "0", "inspection-grades"], "--timeout must be a positive number"),
    ],
)
def test_bad_parameters_and_names(cli, args, phrase):
    code, _, err = cli("query", *args)
    assert code != 0
    one_error_line(err, phrase)


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("SELEC ?s WHERE { ?s ?p ?o }", "invalid SPARQL"),
        ("SELECT ?s WHERE { ?s ?p }", "invalid SPARQL"),
        ("SELECT ?s WHERE { ?s <unclosed ?o }", "invalid SPARQL"),
        ("PREFIX x: <http://x#> INSERT DATA { x:a x:b x:c }", "updates are not accepted"),
        ("DELETE WHERE { ?s ?p ?o }", "updates are not accepted"),
        ("SELECT * WHERE { " + "{ " * 500 + "?s ?p ?o" + " }" * 500 + " }", "nests brackets more than"),
    ],
)
def test_invalid_sparql_text(cli, text, phrase):
    code, out, err = cli("query", "-e", text)
    assert code != 0 and out == ""
    one_error_line(err, phrase)


def test_invalid_query_file_names_the_file(cli, tmp_path: Path):
    bad = tmp_path / "broken.rq"
    bad.write_text("# A broken question?\nSELECT ?s WHERE { ?s ?p ", encoding="utf-8")
    code, _, err = cli("query", str(bad))
    assert code != 0
    one_error_line(err, "broken.rq", "invalid SPARQL")


def test_query_and_expression_together_is_refused(cli):
    code, _, err = cli("query", "inspection-grades", "-e", "SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    assert code != 0
    one_error_line(err, "not both")


def test_missing_graph_file_is_one_line(tmp_path: Path, capsys):
    code = main(["query", "inspection-grades", "--graph", str(tmp_path / "nothing.nq")])
    err = capsys.readouterr().err
    assert code != 0
    one_error_line(err, "nothing.nq not found")


def test_a_query_that_runs_too_long_is_stopped(fresh_build: Path):
    graph = fresh_build / "lutonkg.nq"
    done = subprocess.run(
        [sys.executable, "-m", "lutonkg.cli", "query", "--graph", str(graph), "--timeout", "1", "-e", CROSS_JOIN],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0 and done.stdout == ""
    one_error_line(done.stderr, "stopped after 1 s", "--timeout")


def test_library_api_raises_query_errors(store: ox.Store):
    with pytest.raises(QueryError, match="unknown query"):
        run("no-such-query", engine=store)
    with pytest.raises(QueryError, match="needs --param body"):
        run("recommendations-to-body", engine=store)
    with pytest.raises(QueryTimeout):
        run("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }", engine=store, timeout=0.2)
    deadline = time.monotonic() + 5  # a streaming query stops at its next row once the caller gives up
    while any(t.name == "lutonkg-query" for t in threading.enumerate()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(t.name == "lutonkg-query" for t in threading.enumerate())


def test_table_wraps_cells_without_cutting_and_csv_json_tsv_are_whole(cli):
    code, table, _ = cli("query", "recommendations-to-body", "--param", "body=luton-lea")
    assert code == 0
    assert max(len(line) for line in table.splitlines()) <= PIPE_WIDTH
    assert "…" not in table and table.startswith("== recommendations-to-body (")
    words = " ".join(table.split())
    assert "as a matter of routine." in words  # the end of lea2002-r01's summary, wrapped, not cut
    _, text, _ = cli("query", "recommendations-to-body", "--param", "body=luton-lea", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    r01 = next(r for r in rows if r["id"] == "lea2002-r01" and r["locator"] == "para 51")
    assert r01["summary"].endswith("as a matter of routine.")  # whole, not cut
    assert r01["doc"] == "https://w3id.org/lutonkg/id/document/lea2002"
    _, text, _ = cli("query", "recommendations-to-body", "-p", "body=luton-lea", "-f", "json")
    assert json.loads(text) == [dict(r) for r in rows]
    _, text, _ = cli("query", "recommendations-to-body", "-p", "body=luton-lea", "-f", "tsv")
    assert [line.split("\t") for line in text.splitlines()][1:] == [list(r.values()) for r in rows]


def test_show_prints_the_bound_query(cli):
    code, out, _ = cli("query", "recommendations-to-body", "--param", "body=luton-lea", "--show")
    assert code == 0
    assert "VALUES ?body { <https://w3id.org/lutonkg/id/body/luton-lea> }" in out


def test_show_prints_text_any_store_can_run_with_the_same_answer(cli, store):
    # on this store trust-schools scoped to Luton starts from Luton's scope graph; --show prints the VALUES form
    code, out, _ = cli("query", "trust-schools", "-p", "authority=luton-borough-council", "--show")
    assert code == 0 and "/graph/scope/" not in out
    assert "VALUES ?authority { <https://w3id.org/lutonkg/id/body/luton-borough-council> }" in out
    engine = OxigraphEngine(store)
    ran = prepare("trust-schools", {"authority": "luton-borough-council"}, engine)
    assert "/graph/scope/" in ran.text and engine.rows(out)[1] == execute(ran, engine)[1]


def test_queries_lists_the_library_one_row_each(cli):
    code, out, _ = cli("queries")
    lines = out.splitlines()
    assert code == 0 and any(line.startswith("inspection-grades ") for line in lines)
    assert max(len(line) for line in lines) <= PIPE_WIDTH
    code, out, _ = cli("queries", "board-members-at-date")
    assert code == 0 and "--param board=<body>" in out and "--param date=<date>" in out
    code, _, err = cli("queries", "nope")
    assert code != 0 and err.startswith("lutonkg queries: error: unknown query 'nope'")


def cli_process(graph: Path, *args: str) -> subprocess.CompletedProcess:
    """Run `lutonkg query --graph GRAPH ARGS` in its own process (a crash there cannot take the tests down)."""
    command = [sys.executable, "-m", "lutonkg.cli", "query", "--graph", str(graph), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def test_a_36_kb_chain_is_refused_in_one_line_not_a_segfault(fresh_build: Path):
    chain = "SELECT * WHERE { ?s ?p ?o FILTER(" + "||".join(["1"] * 12_000) + ") }"  # rc 139 before
    done = cli_process(fresh_build / "lutonkg.nq", "-e", chain)
    assert done.returncode == 2 and done.stdout == ""
    one_error_line(done.stderr, "chains more than 1,000 operators")


def test_service_is_refused_before_any_request_is_sent(fresh_build: Path):
    with socket.socket() as outside:
        outside.bind(("127.0.0.1", 0))
        outside.listen(4)
        outside.setblocking(False)
        url = f"http://127.0.0.1:{outside.getsockname()[1]}/sparql"
        done = cli_process(fresh_build / "lutonkg.nq", "-e", f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}")
        with pytest.raises(BlockingIOError):
            outside.accept()  # nobody connected (the old code sent a POST and printed a traceback)
    assert done.returncode == 2
    one_error_line(done.stderr, "federated queries (SERVICE")


def test_rdflib_never_reads_a_file_named_in_from(fresh_build: Path, tmp_path: Path):
    secret = tmp_path / "secret.ttl"
    secret.write_text('<urn:x:s> <urn:x:p> "canary-secret" .\n', encoding="utf-8")
    text = f"SELECT ?o FROM <file://{secret}> WHERE {{ ?s ?p ?o }}"
    done = cli_process(fresh_build / "lutonkg.nq", "--engine", "rdflib", "-e", text)  # printed the file before
    assert done.returncode == 2 and "canary-secret" not in done.stdout + done.stderr
    one_error_line(done.stderr, f"FROM <file://{secret}> is not accepted")


def test_a_query_past_the_memory_limit_is_stopped_cleanly(store: ox.Store):
    assert available(), f"threads left running: {threading.enumerate()}"  # else it would run in a thread, unlimited
    engine = OxigraphEngine(store)
    prepared = prepare("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 3", {}, engine)
    with pytest.raises(QueryMemoryError, match=r"needed more than 0\.0625 GiB of memory"):
        execute(prepared, engine, timeout=120, isolated=True, memory=64 << 20)  # as `lutonkg query` runs it


def test_an_engine_crash_is_one_error_not_a_dead_process():
    with pytest.raises(EngineCrash, match=r"crashed \(SIGSEGV\)"):
        run_isolated(lambda: os.kill(os.getpid(), signal.SIGSEGV), timeout=30)
    assert run_isolated(lambda: 6 * 7, timeout=30) == 42
