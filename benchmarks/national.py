"""Benchmark (c): how loading and querying scale from Luton to a synthetic national graph of 153 authorities.

For each scale (number of authorities) the synthetic graph is written to a temporary folder, then, each in a fresh
child process (so memory is measured cleanly):
- "memory": the previous way, the N-Quads loaded into an in-memory pyoxigraph store (lutonkg.query.store, bulk load
  then the union copied into the default graph), and every library query's p50/p95;
- "build": the persistent on-disk store built from the N-Quads (lutonkg.query.ondisk.open_store, first command):
  load time, quads per second, peak memory, store size;
- "disk": a later command opening that store (time until the first answer, memory), and every query's p50/p95;
- the Oxigraph server (`oxigraph serve-read-only`, as `lutonkg serve` runs it) on that same store folder: every
  query's p50/p95 over HTTP on loopback (JSON results, whole body read), and the server's peak memory.
Queries use their default and example parameters, which name Luton (authority 1); the listing queries run again
scoped to Luton (`authority=luton-borough-council`), as one authority would ask them. Loops are bounded: each query
runs at least MIN_RUNS and at most MAX_RUNS times, stopping once it has used its time budget.

    python benchmarks/national.py [--scales 1,10,153] [--budget 2] [--workdir /tmp] [--no-memory]
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
from lutonkg.query.ondisk import open_store
from lutonkg.query.server import Server, start, stop

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


def embedded(path: Path, budget: float, stores: Path | None = None) -> dict:
    """In this (child) process: open the graph (in memory, or its on-disk store), then time every library query."""
    reset_peak()
    before = rss_mb()
    started = time.perf_counter()
    engine = open_engine(path, stores=stores)
    load = time.perf_counter() - started
    small = library()["board-members-at-date"]
    first = execute(prepare(small, small.sample_params(), engine), engine)  # a small query: the first answer
    answered = time.perf_counter() - started
    result = {"load_s": load, "first_answer_s": answered, "rss_mb": rss_mb() - before, "peak_mb": peak_mb()}
    result.update({"first_rows": len(first[1]), "queries": {}, "texts": {}})
    for name, params in query_runs():
        prepared = prepare(library()[name.split(" ")[0]], params, engine)
        result["texts"][name] = prepared.text
        result["queries"][name] = sample(lambda p=prepared: execute(p, engine)[1], budget, len)
    return result


def build_store(path: Path, stores: Path) -> dict:
    """In this (child) process: build the persistent store as the first command does; time, memory, size."""
    reset_peak()
    started = time.perf_counter()
    disk = open_store(path, stores)
    seconds = time.perf_counter() - started
    return {"load_s": seconds, "peak_mb": peak_mb(), "built": disk.built,
            "store_mb": folder_mb(disk.path), "path": str(disk.path)}  # fmt: skip


def query_runs() -> list[tuple[str, dict[str, str]]]:
    """Each library query with its default and example parameters, and again scoped to Luton where it can be."""
    runs = []
    for name, spec in library().items():
        runs.append((name, spec.sample_params()))
        if any(p.name == "authority" for p in spec.params):
            runs.append((f"{name} {SCOPED}", {**spec.sample_params(), "authority": LUTON}))
    return runs


def child(mode: str, path: Path, budget: float, stores: Path | None = None) -> dict:
    """Run one measurement in a fresh Python process and return its JSON result."""
    args = [sys.executable, __file__, f"--{mode}", str(path), "--budget", str(budget)]
    args += ["--stores", str(stores)] if stores else []
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


def served(location: Path, texts: dict[str, str], budget: float) -> dict:
    """Serve the persistent store folder as `lutonkg serve` does and time every query over HTTP."""
    result = {"queries": {}}
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
        server.log.unlink(missing_ok=True)
    return result


def measure_scale(authorities: int, budget: float, workdir: Path, memory: bool, save: Callable) -> dict:
    """Everything for one scale; the temporary files are removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix=f"lutonkg-national-{authorities}-", dir=workdir))
    try:
        path, stores = folder / "national.nq", folder / "stores"
        started = time.perf_counter()
        quads = generate(authorities, path)
        result = {"authorities": authorities, "quads": quads, "generate_s": time.perf_counter() - started}
        result["nq_mb"] = path.stat().st_size / 1e6
        if memory:
            progress(f"{authorities} authorities: in-memory store")
            result["memory"] = child("embedded", path, budget)
            save(result)
        progress(f"{authorities} authorities: building the on-disk store")
        result["build"] = child("build", path, budget, stores)
        progress(f"{authorities} authorities: on-disk store")
        result["disk"] = child("embedded", path, budget, stores)
        save(result)
        progress(f"{authorities} authorities: server on the same store")
        result["server"] = served(Path(result["build"]["path"]), result["disk"]["texts"], budget)
        return result
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def progress(message: str) -> None:
    """A progress line on stderr, with the time."""
    print(f"{time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


ENGINES = (
    ("memory", "embedded pyoxigraph, in-memory store (the previous way: loaded by every command)"),
    ("disk", "embedded pyoxigraph, persistent on-disk store"),
    ("server", "Oxigraph server over HTTP, on the same on-disk store"),
)


def report(results: list[dict], seconds: float) -> str:
    """The results as Markdown: loads and sizes, then query latencies per engine, then the server/embedded ratios."""
    scales = [r["authorities"] for r in results]
    lines = [f"## Scale: {', '.join(map(str, scales))} authorities (run took {seconds / 60:.1f} min)\n",
             describe_machine(), ""]  # fmt: skip
    headers = ["authorities", "quads", "N-Quads MB", "in-memory load s", "in-memory MB", "store build s",
               "quads/s", "build peak MB", "store MB", "later command: first answer s", "its MB",
               "server start s", "server peak MB"]  # fmt: skip
    rows = []
    for r in results:
        m, b, d, s = r.get("memory"), r["build"], r["disk"], r["server"]
        rows.append([r["authorities"], f"{r['quads']:,}", f"{r['nq_mb']:.0f}",
                     f"{m['load_s']:.1f}" if m else "-", f"{m['rss_mb']:.0f}" if m else "-",
                     f"{b['load_s']:.1f}", f"{r['quads'] / b['load_s']:,.0f}", f"{b['peak_mb']:.0f}",
                     f"{b['store_mb']:.0f}",
                     f"{d['first_answer_s']:.2f}", f"{d['rss_mb']:.0f}", f"{s['start_s']:.1f}",
                     f"{s['peak_mb']:.0f}"])  # fmt: skip
    lines.append(markdown_table(headers, rows))
    for where, title in ENGINES:
        if where not in results[0]:
            continue
        lines += ["", f"### Per-query latency, {title}: p50 / p95 ms (rows); **!** = p95 over 200 ms", ""]
        table = [[name] + [cell(r[where]["queries"][name]) for r in results] for name in results[0][where]["queries"]]
        lines.append(markdown_table(["query"] + [f"{a} authorities" for a in scales], table))
    lines += ["", "### Server p95 / embedded p95 (same store; and against the in-memory store)", ""]
    table = []
    for name in results[0]["disk"]["queries"]:
        cells = [name]
        for r in results:
            server = r["server"]["queries"][name]["p95"]
            ratio = f"{server / r['disk']['queries'][name]['p95']:.2f}"
            if "memory" in r:
                ratio += f" ({server / r['memory']['queries'][name]['p95']:.2f})"
            cells.append(ratio)
        table.append(cells)
    lines.append(markdown_table(["query"] + [f"{a} authorities" for a in scales], table))
    return "\n".join(lines)


def cell(q: dict) -> str:
    """One latency cell: p50 / p95 (rows), or the one run's seconds, or the cut-off."""
    mark = " **!**" if q["p95"] > 200 else ""
    if q.get("cut"):
        return f"cut at {SERVER_TIMEOUT} s **!**"
    if q["runs"] == 1:
        return f"{q['p50'] / 1000:.1f} s, 1 run ({q['rows']}){mark}"
    return f"{q['p50']:.1f} / {q['p95']:.1f} ({q['rows']}){mark}"


def main() -> int:
    """Run the scales in turn and print the Markdown report (and the raw numbers as JSON to --json)."""
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--scales", default="1,10,153", help="authorities per run, comma-separated (default 1,10,153)")
    args.add_argument("--budget", type=float, default=2.0, help="seconds of timed runs per query (default 2)")
    args.add_argument("--workdir", default=tempfile.gettempdir(), help="where the temporary graphs go")
    args.add_argument("--no-memory", action="store_true", help="skip the in-memory store (the previous way)")
    args.add_argument("--json", help="also write the raw results here")
    args.add_argument("--report-from", help="print the report of a JSON file written by --json, without measuring")
    args.add_argument("--embedded", help=argparse.SUPPRESS)
    args.add_argument("--build", help=argparse.SUPPRESS)
    args.add_argument("--stores", help=argparse.SUPPRESS)
    opts = args.parse_args()
    stores = Path(opts.stores) if opts.stores else None
    if opts.embedded:
        print(json.dumps(embedded(Path(opts.embedded), opts.budget, stores)))
        return 0
    if opts.build:
        print(json.dumps(build_store(Path(opts.build), stores)))
        return 0
    if opts.report_from:
        print(report(json.loads(Path(opts.report_from).read_text()), 0))
        return 0
    started = time.perf_counter()
    results: list[dict] = []

    def save(current: dict) -> None:
        """Write what has been measured so far, so that a long run keeps it whatever happens next."""
        if opts.json:
            Path(opts.json).write_text(json.dumps(results + [current], indent=1))

    for authorities in (int(n) for n in opts.scales.split(",")):
        results.append(measure_scale(authorities, opts.budget, Path(opts.workdir), not opts.no_memory, save))
        if opts.json:
            Path(opts.json).write_text(json.dumps(results, indent=1))
    print(report(results, time.perf_counter() - started))
    return 0


if __name__ == "__main__":
    sys.exit(main())
