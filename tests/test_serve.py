"""`lutonkg serve`: the built graph over the SPARQL 1.1 Protocol, queried with SPARQLWrapper (a client the project
did not write); read-only, loopback by default, clean start and stop, and still answering after a fuzz."""

from __future__ import annotations

import csv
import io
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from serve_helpers import engine_pids, free_port, kill_engines, start_serve
from SPARQLWrapper import CSV, JSON, POST, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from lutonkg.cli.main import parser
from lutonkg.query import OxigraphEngine, prepare
from lutonkg.query.library import library

ID = "https://w3id.org/lutonkg/id/"
LKG = "https://w3id.org/lutonkg/def/"
PREFIXES = f"PREFIX lkg: <{LKG}>\nPREFIX id: <{ID}>\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
JAR_SAFEGUARDING = f"<{ID}judgement/jar2008-safeguarding-grade>"
CSV_TYPE = "text/csv"
FUZZ_REQUESTS = 300
FUZZ_SECONDS = 30


def listening(port: int) -> list[str]:
    """The local addresses (hex, as in /proc/net/tcp) listening on the port."""
    addresses = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as lines:
            for line in list(lines)[1:]:
                local, state = line.split()[1], line.split()[3]
                if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
                    addresses.append(local.rsplit(":", 1)[0])
    return addresses


def post(endpoint: str, query: str | bytes, content_type: str = "application/x-www-form-urlencoded") -> int | str:
    """POST a (possibly malformed) request; the HTTP status, or the name of the connection error."""
    body = query if isinstance(query, bytes) else urllib.parse.urlencode({"query": query}).encode()
    request = urllib.request.Request(endpoint, data=body, headers={"Content-Type": content_type, "Accept": "*/*"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, OSError) as exc:
        return type(exc).__name__


@pytest.fixture(scope="module")
def server(
    fresh_build: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[subprocess.Popen, str, int, Path]]:
    """One server of the fresh build for the module; stopped with SIGTERM at the end, which must be clean."""
    port, tmp = free_port(), tmp_path_factory.mktemp("serve-tmp")
    process, endpoint = start_serve(fresh_build / "lutonkg.nq", port, tmp, "--timeout", "1")
    yield process, endpoint, port, tmp
    process.send_signal(signal.SIGTERM)
    try:
        assert process.wait(15) == 0
    finally:
        kill_engines(tmp)
    assert engine_pids(tmp) == [] and list(tmp.iterdir()) == []  # no Oxigraph and no work folder left


def sparql(endpoint: str, query: str, fmt: str) -> SPARQLWrapper:
    """A SPARQLWrapper client for the endpoint."""
    client = SPARQLWrapper(endpoint)
    client.setQuery(PREFIXES + query)
    client.setReturnFormat(fmt)
    return client


def test_select_as_json(server):
    _, endpoint, _, _ = server
    grade = "?g skos:notation ?notation ; skos:prefLabel ?label"
    query = f"SELECT ?notation ?label WHERE {{ {JAR_SAFEGUARDING} lkg:grade ?g . {grade} }}"
    bindings = sparql(endpoint, query, JSON).queryAndConvert()["results"]["bindings"]
    assert [(b["notation"]["value"], b["label"]["value"]) for b in bindings] == [("3", "good")]


def test_select_as_csv_with_a_library_query(server, store):
    _, endpoint, _, _ = server
    prepared = prepare("inspection-inspectorates", {}, OxigraphEngine(store))  # what `lutonkg query --show` prints
    client = SPARQLWrapper(endpoint)
    client.setQuery(prepared.text)
    client.setReturnFormat(CSV)
    rows = list(csv.DictReader(io.StringIO(client.queryAndConvert().decode("utf-8"))))
    assert len({r["inspectorate"] for r in rows}) == 7
    assert "HM Inspectorate of Probation" in {r["inspectorateLabel"] for r in rows}


def test_construct_as_turtle(server):
    _, endpoint, _, _ = server
    query = f"CONSTRUCT {{ {JAR_SAFEGUARDING} lkg:grade ?g }} WHERE {{ {JAR_SAFEGUARDING} lkg:grade ?g }}"
    graph = Graph().parse(data=sparql(endpoint, query, TURTLE).queryAndConvert(), format="turtle")
    assert list(graph) == [
        (
            URIRef(f"{ID}judgement/jar2008-safeguarding-grade"),
            URIRef(f"{LKG}grade"),
            URIRef(f"{ID}concept/jar-grade/jar-grade-3"),
        )
    ]


def test_default_graph_is_the_union_without_duplicates(server):
    _, endpoint, _, _ = server
    inspection = f"<{ID}inspection/joint-area-review-2008>"
    union = sparql(endpoint, f"SELECT (COUNT(*) AS ?n) WHERE {{ {inspection} lkg:reportedIn ?doc }}", JSON)
    per_graph = sparql(endpoint, f"SELECT ?g WHERE {{ GRAPH ?g {{ {inspection} lkg:reportedIn ?doc }} }}", JSON)
    assert union.queryAndConvert()["results"]["bindings"][0]["n"]["value"] == "1"
    graphs = {b["g"]["value"] for b in per_graph.queryAndConvert()["results"]["bindings"]}
    assert f"{ID}graph/jar2008" in graphs and len(graphs) >= 2  # stated in two documents, counted once


def test_tsv_and_xml_results_are_negotiated(server):
    _, endpoint, _, _ = server
    query = f"SELECT ?g WHERE {{ {JAR_SAFEGUARDING} lkg:grade ?g }}"
    tsv = sparql(endpoint, query, TSV).queryAndConvert()
    assert tsv.decode("utf-8").splitlines() == ["?g", f"<{ID}concept/jar-grade/jar-grade-3>"]
    xml = sparql(endpoint, query, XML).queryAndConvert()
    assert [n.firstChild.data for n in xml.getElementsByTagName("uri")] == [f"{ID}concept/jar-grade/jar-grade-3"]


def raw(endpoint: str, body: bytes, content_type: str, accept: str = "*/*", query: str = "") -> tuple[int, str, bytes]:
    """POST a body; the status, content type and the whole body (of an error too)."""
    request = urllib.request.Request(
        endpoint + query, data=body, headers={"Content-Type": content_type, "Accept": accept}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read()


def test_a_loaded_named_graph_may_be_named_in_from(server):
    _, endpoint, _, _ = server

    def count(dataset: str) -> int:
        query = f"SELECT (COUNT(*) AS ?n) {dataset} WHERE {{ {JAR_SAFEGUARDING} ?p ?o }}"
        status, _, body = raw(endpoint, query.encode(), "application/sparql-query", CSV_TYPE)
        assert status == 200, body
        return int(body.split()[-1])

    in_jar, in_strategy = count(f"FROM <{ID}graph/jar2008>"), count(f"FROM <{ID}graph/strategy2020>")
    assert in_jar >= 1 and in_strategy == 0  # the JAR states its grades; the 2020 strategy does not
    assert count("") >= in_jar


def test_graph_parameters_and_from_outside_the_graph_are_refused(server):
    _, endpoint, _, _ = server
    ask = b"ASK { ?s ?p ?o }"
    status, kind, body = raw(endpoint, ask, "application/sparql-query", query="?default-graph-uri=file:///etc/hostname")
    assert status == 403 and kind.startswith("text/plain") and b"default-graph-uri <file:///etc/hostname>" in body
    status, _, body = raw(
        endpoint, b"SELECT * FROM NAMED <http://127.0.0.1:9/x> { ?s ?p ?o }", "application/sparql-query"
    )
    assert status == 403 and body.startswith(b"FROM NAMED <http://127.0.0.1:9/x> is not accepted")


def test_a_query_past_the_time_limit_is_an_error_status_not_a_cut_csv(server):
    _, endpoint, _, _ = server
    cross = b"SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"  # Oxigraph streams this, and used to end it with its error text
    started = time.monotonic()
    status, kind, body = raw(endpoint, cross, "application/sparql-query", CSV_TYPE)
    assert status == 504 and kind.startswith("text/plain") and time.monotonic() - started < 5
    assert body.decode().startswith("query stopped: the time limit passed") and body.count(b"\n") == 1


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_a_runaway_query_does_not_keep_the_engine_busy_after_its_time_limit(server):
    _, endpoint, _, tmp = server
    planner = "SELECT * WHERE { " + " ".join(f"?v{i} ?p{i} ?v{i + 1} ." for i in range(300)) + " } LIMIT 1"
    status, _, _ = raw(endpoint, planner.encode(), "application/sparql-query")  # planning it takes minutes
    assert status == 504
    assert wait_for(endpoint)
    [engine] = engine_pids(tmp)
    before = cpu_seconds(engine)
    time.sleep(1.0)
    assert cpu_seconds(engine) - before < 0.3  # idle: the runaway query was stopped with its engine


def test_updates_are_refused(server):
    _, endpoint, _, _ = server
    client = SPARQLWrapper(endpoint, updateEndpoint=endpoint.replace("/query", "/update"))
    client.setMethod(POST)
    client.setQuery(f"INSERT DATA {{ <{ID}x> <{LKG}y> <{ID}z> }}")
    with pytest.raises((SPARQLWrapperException, urllib.error.HTTPError)):
        client.query()
    assert post(endpoint.replace("/query", "/update"), b"update=CLEAR+ALL") == 403
    ask = sparql(endpoint, f"ASK {{ <{ID}x> ?p ?o }}", JSON)
    assert ask.queryAndConvert()["boolean"] is False


def test_listens_on_loopback_by_default(server):
    _, endpoint, port, _ = server
    assert parser().parse_args(["serve"]).bind == "127.0.0.1"
    assert endpoint.startswith("http://127.0.0.1:")
    assert listening(port) == ["0100007F"]  # 127.0.0.1, and on no other address


def test_port_in_use_is_reported_in_one_line(fresh_build: Path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        graph = str(fresh_build / "lutonkg.nq")
        done = subprocess.run(
            [sys.executable, "-m", "lutonkg.cli", "serve", "--graph", graph, "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.returncode != 0
    assert (
        done.stderr.strip()
        == f"lutonkg serve: error: port {port} on 127.0.0.1 is already in use; choose another with --port"
    )


def test_ctrl_c_stops_the_server_and_its_child(fresh_build: Path, tmp_path: Path):
    port = free_port()
    process, endpoint = start_serve(fresh_build / "lutonkg.nq", port, tmp_path)
    try:
        assert post(endpoint, "ASK {}") == 200 and len(engine_pids(tmp_path)) == 1
        process.send_signal(signal.SIGINT)
        assert process.wait(15) == 0
        assert engine_pids(tmp_path) == [] and listening(port) == [] and list(tmp_path.iterdir()) == []
    finally:
        if process.poll() is None:
            process.kill()
        kill_engines(tmp_path)


def fuzz_queries(rng: random.Random, count: int) -> Iterator[tuple[bytes | str, str]]:
    """Random and malformed requests: mangled library queries, random tokens and bytes, oversized and deep ones."""
    texts = [spec.text for spec in library().values()]
    tokens = "SELECT ASK CONSTRUCT DESCRIBE WHERE { } ( ) [ ] . ; , ?x ?y <a:b> \"s\" 'q' 1 2.5 FILTER OPTIONAL UNION "
    tokens += "GRAPH VALUES BIND AS GROUP BY ORDER LIMIT OFFSET REGEX( COUNT(* ) ) * / | ^ ! + a @en ^^ _:b # \\ %"
    tokens = tokens.split()
    for n in range(count):
        kind = n % 10
        if kind in (0, 1, 2):  # a library query with characters cut, doubled or swapped
            text = list(rng.choice(texts))
            for _ in range(rng.randint(1, 12)):
                i = rng.randrange(len(text))
                text[i : i + rng.randint(1, 5)] = rng.choice(["", "{", "}", "(", '"', "<", text[i] * 2])
            yield "".join(text), "application/x-www-form-urlencoded"
        elif kind in (3, 4):  # random tokens
            yield " ".join(rng.choice(tokens) for _ in range(rng.randint(1, 60))), "application/x-www-form-urlencoded"
        elif kind == 5:  # random bytes as a raw sparql-query body
            yield bytes(rng.randrange(256) for _ in range(rng.randint(0, 400))), "application/sparql-query"
        elif kind == 6:  # an update sent to the query endpoint
            yield f"INSERT DATA {{ <a:{n}> <a:p> <a:o> }}", "application/x-www-form-urlencoded"
        elif kind == 7 and n % 50 == 7:  # now and then an expensive but valid query (the server's --timeout stops it)
            yield "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }", "application/x-www-form-urlencoded"
        elif kind == 7:  # a valid query with a random limit
            yield f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT {rng.randint(0, 500)}", "application/x-www-form-urlencoded"
        elif kind == 8:  # oversized
            yield (
                "SELECT * WHERE { ?s ?p <" + "x" * rng.randint(10_000, 300_000) + "> }",
                "application/x-www-form-urlencoded",
            )
        else:  # wrong content type, or deep nesting (which crashed Oxigraph 0.5; now refused before it)
            deep = "SELECT * WHERE { " + "{ " * 5000 + "?s ?p ?o" + " }" * 5000 + " }"
            yield (
                (deep if n in (9, 149) else "not a form"),
                ("application/x-www-form-urlencoded" if n in (9, 149) else "text/plain"),
            )


def wait_for(endpoint: str, seconds: float = 15) -> bool:
    """Wait until the endpoint answers a trivial query (after a restart); False if it never does."""
    deadline = time.monotonic() + seconds
    while post(endpoint, "ASK {}") != 200:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def test_fuzz_then_the_server_still_answers(server):
    process, endpoint, _, _ = server
    started = time.monotonic()
    outcomes: dict[str, int] = {}
    for query, content_type in fuzz_queries(random.Random(20240617), FUZZ_REQUESTS):
        if time.monotonic() - started > FUZZ_SECONDS:
            break
        result = str(post(endpoint, query, content_type))
        outcomes[result] = outcomes.get(result, 0) + 1
        assert result.isdigit(), f"the connection dropped on {query!r:.80}"  # the front never goes away
    assert sum(outcomes.values()) >= 200, f"only {sum(outcomes.values())} requests in {FUZZ_SECONDS} s: {outcomes}"
    assert outcomes.get("400", 0) > 100, outcomes  # malformed queries get 400 Bad Request
    assert outcomes.get("413", 0) > 10, outcomes  # oversized ones 413
    assert set(outcomes) <= {"200", "400", "403", "413", "415", "504"}, outcomes
    assert wait_for(endpoint) and process.poll() is None, "lutonkg serve stopped during the fuzz"
    check = sparql(endpoint, f"SELECT ?g WHERE {{ {JAR_SAFEGUARDING} lkg:grade ?g }}", JSON)
    assert check.queryAndConvert()["results"]["bindings"][0]["g"]["value"] == f"{ID}concept/jar-grade/jar-grade-3"
