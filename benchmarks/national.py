"""Benchmark (c): how loading and querying scale from Luton to a synthetic national graph of 153 authorities.

For each scale (number of authorities) the synthetic graph is written to a temporary folder, then:
- embedded pyoxigraph, in a fresh child process each time (so memory is measured cleanly): load time and memory
  with lutonkg.query.store.store_from_file (bulk load, then the union copied into the default graph by a SPARQL
  update inside the store), and every library query's p50/p95;
- the Oxigraph server, prepared as `lutonkg serve` does (lutonkg.query.server.load_store: the dataset plus its union in
  the default graph, bulk-loaded into an on-disk store): load time, store size, start time, then every library
  query's p50/p95 over HTTP on loopback (JSON results, whole body read), and the server's peak memory.
Queries use their default and example parameters, which name Luton (authority 1); the listing queries run again
scoped to Luton (`authority=luton-borough-council`), as one authority would ask them. Loops are bounded: each query
runs at least MIN_RUNS and at most MAX_RUNS times, stopping once it has used its time budget.

    python benchmarks/national.py [--scales 1,10,153] [--budget 2] [--workdir /tmp]
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

from measure import describe_machine, folder_mb, markdown_table, peak_mb, percentile, reset_peak, rss_mb
from synthetic import generate

from lutonkg.query import execute, open_engine, prepare
from lutonkg.query.library import library
from lutonkg.query.server import Server, load_store, start, stop

LUTON = "luton-borough-council"
SCOPED = "(authority=Luton)"

MIN_RUNS = 3
MAX_RUNS = 20
SLOW = 2.0  # seconds
SERVER_TIMEOUT = 30  # seconds: the server's own limit on one query


def sample(run: Callable[[], object], budget: float, count: Callable[[object], int | None]) -> dict:
    """A first run (whose answer gives the row count), then timed runs until the budget is spent.

    Each query runs at least MIN_RUNS and at most MAX_RUNS more times; p50 and p95 are nearest-rank, in ms. A query
    whose first run takes over SLOW seconds is not repeated (p50 = p95 = that run), to keep the whole run bounded.
    """
    started = time.perf_counter()
    answer = run()
    first = time.perf_counter() - started
    rows = count(answer)
    if first > SLOW or rows is None:
        return {"rows": rows, "p50": first * 1000, "p95": first * 1000, "runs": 1, "cut": rows is None}
    times: list[float] = []
    spent = 0.0
    while len(times) < MAX_RUNS and (len(times) < MIN_RUNS or spent < budget):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
        spent += times[-1]
    return {"rows": rows, "p50": percentile(times, 50) * 1000, "p95": percentile(times, 95) * 1000, "runs": len(times)}


def embedded(path: Path, budget: float) -> dict:
    """In this (child) process: load with lutonkg.query.store, then time every library query; also the query texts."""
    reset_peak()
    before = rss_mb()
    started = time.perf_counter()
    engine = open_engine(path)
    load = time.perf_counter() - started
    result = {"load_s": load, "rss_mb": rss_mb() - before, "peak_mb": peak_mb(), "queries": {}, "texts": {}}
    for name, params in query_runs():
        prepared = prepare(library()[name.split(" ")[0]], params, engine)
        result["texts"][name] = prepared.text
        result["queries"][name] = sample(lambda p=prepared: execute(p, engine)[1], budget, len)
    return result


def query_runs() -> list[tuple[str, dict[str, str]]]:
    """Each library query with its default and example parameters, and again scoped to Luton where it can be."""
    runs = []
    for name, spec in library().items():
        runs.append((name, spec.sample_params()))
        if any(p.name == "authority" for p in spec.params):
            runs.append((f"{name} {SCOPED}", {**spec.sample_params(), "authority": LUTON}))
    return runs


def child(mode: str, path: Path, budget: float) -> dict:
    """Run one measurement in a fresh Python process and return its JSON result."""
    args = [sys.executable, __file__, f"--{mode}", str(path), "--budget", str(budget)]
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{mode} measurement failed: {done.stderr.strip().splitlines()[-1:]}")
    return json.loads(done.stdout)


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def http_query(endpoint: str, text: str) -> bytes:
    """POST a query and read the whole JSON response (the time a client waits for its answer)."""
    body = urllib.parse.urlencode({"query": text}).encode()
    request = urllib.request.Request(endpoint, data=body, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=300) as response:
        return response.read()


def json_rows(payload: object) -> int | None:
    """The number of result rows in a SPARQL JSON response; None when the server cut it off (its time limit)."""
    try:
        return len(json.loads(payload)["results"]["bindings"])
    except (ValueError, KeyError):
        return None


def server_peak_mb(pid: int) -> float:
    """The peak resident memory of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def served(path: Path, texts: dict[str, str], budget: float, folder: Path) -> dict:
    """Load the store as `lutonkg serve` does, serve it, and time every query over HTTP."""
    location = folder / "server-store"
    started = time.perf_counter()
    load_store(path, location)
    result = {"load_s": time.perf_counter() - started, "store_mb": folder_mb(location), "queries": {}}
    server = Server(location, "127.0.0.1", free_port(), timeout=SERVER_TIMEOUT)
    started = time.perf_counter()
    start(server, wait=300)
    result["start_s"] = time.perf_counter() - started
    try:
        for name, text in texts.items():
            result["queries"][name] = sample(lambda t=text: http_query(server.endpoint, t), budget, json_rows)
        result["peak_mb"] = server_peak_mb(server.process.pid)
    finally:
        stop(server)
        shutil.rmtree(location, ignore_errors=True)
    return result


def measure_scale(authorities: int, budget: float, workdir: Path, partial: list[dict], save: Callable) -> dict:
    """Everything for one scale; the temporary files are removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix=f"lutonkg-national-{authorities}-", dir=workdir))
    try:
        path = folder / "national.nq"
        started = time.perf_counter()
        quads = generate(authorities, path)
        result = {"authorities": authorities, "quads": quads, "generate_s": time.perf_counter() - started}
        result["nq_mb"] = path.stat().st_size / 1e6
        for mode in ("embedded",):
            progress(f"{authorities} authorities: {mode}")
            result[mode.replace("-", "_")] = child(mode, path, budget)
            save(partial + [result])
        progress(f"{authorities} authorities: server")
        result["server"] = served(path, result["embedded"]["texts"], budget, folder)
        return result
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def progress(message: str) -> None:
    """A progress line on stderr, with the time."""
    print(f"{time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


def report(results: list[dict], seconds: float) -> str:
    """The results as Markdown: one table of loads and sizes, then one of query latencies per engine."""
    scales = [r["authorities"] for r in results]
    lines = [f"## Scale: 1 to {scales[-1]} authorities (run took {seconds / 60:.1f} min)\n", describe_machine(), ""]
    headers = ["authorities", "quads", "N-Quads MB", "generate s", "embedded load s", "embedded MB",
               "server load s", "server start s", "server store MB", "server peak MB"]  # fmt: skip
    rows = []
    for r in results:
        e, s = r["embedded"], r["server"]
        rows.append([r["authorities"], f"{r['quads']:,}", f"{r['nq_mb']:.0f}", f"{r['generate_s']:.1f}",
                     f"{e['load_s']:.1f}", f"{e['rss_mb']:.0f}", f"{s['load_s']:.1f}", f"{s['start_s']:.1f}",
                     f"{s['store_mb']:.0f}", f"{s['peak_mb']:.0f}"])  # fmt: skip
    lines.append(markdown_table(headers, rows))
    for where, title in (("embedded", "embedded pyoxigraph"), ("server", "Oxigraph server over HTTP")):
        lines += ["", f"### Per-query latency, {title}: p50 / p95 ms (rows); **!** = p95 over 200 ms", ""]
        table = []
        for name in results[0][where]["queries"]:
            cells = [name]
            for r in results:
                q = r[where]["queries"][name]
                mark = " **!**" if q["p95"] > 200 else ""
                if q.get("cut"):
                    cells.append(f"cut at {SERVER_TIMEOUT} s **!**")
                elif q["runs"] == 1:
                    cells.append(f"{q['p50'] / 1000:.1f} s, 1 run ({q['rows']}){mark}")
                else:
                    cells.append(f"{q['p50']:.1f} / {q['p95']:.1f} ({q['rows']}){mark}")
            table.append(cells)
        lines.append(markdown_table(["query"] + [f"{a} authorities" for a in scales], table))
    return "\n".join(lines)


def main() -> int:
    """Run the scales in turn and print the Markdown report (and the raw numbers as JSON to --json)."""
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--scales", default="1,10,153", help="authorities per run, comma-separated (default 1,10,153)")
    args.add_argument("--budget", type=float, default=2.0, help="seconds of timed runs per query (default 2)")
    args.add_argument("--workdir", default=tempfile.gettempdir(), help="where the temporary graphs go")
    args.add_argument("--json", help="also write the raw results here")
    args.add_argument("--report-from", help="print the report of a JSON file written by --json, without measuring")
    args.add_argument("--embedded", help=argparse.SUPPRESS)
    opts = args.parse_args()
    if opts.embedded:
        print(json.dumps(embedded(Path(opts.embedded), opts.budget)))
        return 0
        return 0
    if opts.report_from:
        print(report(json.loads(Path(opts.report_from).read_text()), 0))
        return 0
    started = time.perf_counter()
    results = []

    def save(so_far: list[dict]) -> None:
        """Write what has been measured so far, so that a long run keeps it whatever happens next."""
        if opts.json:
            Path(opts.json).write_text(json.dumps(so_far, indent=1))

    for authorities in (int(n) for n in opts.scales.split(",")):
        results.append(measure_scale(authorities, opts.budget, Path(opts.workdir), results, save))
        save(results)
    print(report(results, time.perf_counter() - started))
    return 0


if __name__ == "__main__":
    sys.exit(main())
