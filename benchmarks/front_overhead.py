"""Benchmark: what the endpoint's front and the command line's forked child add to a query's time.

Every library query (parameters: defaults and examples) is timed, interleaved so that the machine's load falls on all
alike, on
- the embedded pyoxigraph store, in-process (`execute`),
- the same, in a forked child with the time and memory limits (`execute(..., isolated=True)`, as `lutonkg query`),
- Oxigraph's server directly, on its private port (HTTP POST, JSON, whole body read, a new connection each time),
- the same server through the front on the public port (what a client of `lutonkg serve` gets).
The server runs in its own process, as `lutonkg serve` does (a client in the same process would compete with the
front for the interpreter lock). It prints p50/p95 per query and way, and the front's added time (front minus
direct).

    python benchmarks/front_overhead.py [--graph graph/lutonkg.nq] [--repeats 15]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

from measure import describe_machine, markdown_table, median, percentile

from lutonkg.query import execute, open_engine, prepare
from lutonkg.query.guard import check
from lutonkg.query.library import library

SERVER = """
import signal, sys
from pathlib import Path
from lutonkg.query.server import serving, supervise
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
with serving(Path(sys.argv[1]), port=0, timeout=300) as service:
    print(service.endpoint, service.engine.endpoint, flush=True)
    supervise(service)
"""

NQUADS = Path(__file__).resolve().parents[1] / "graph" / "lutonkg.nq"
WAYS = ("embedded", "forked", "server", "front")


def http_query(endpoint: str, text: str) -> bytes:
    """POST a query and read the whole JSON response."""
    body = urllib.parse.urlencode({"query": text}).encode()
    request = urllib.request.Request(endpoint, data=body, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=300) as response:
        return response.read()


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(work: Callable[[], object]) -> float:
    """Seconds one call takes."""
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def main() -> int:
    """Measure and print a Markdown report."""
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--graph", default=str(NQUADS), help="N-Quads file (default: graph/lutonkg.nq)")
    args.add_argument("--repeats", type=int, default=15, help="timed runs per query and way (default 15)")
    opts = args.parse_args()
    graph = Path(opts.graph)
    engine = open_engine(graph)
    prepared = {name: prepare(spec, spec.sample_params(), engine) for name, spec in library().items()}
    times: dict[str, dict[str, list[float]]] = {name: {way: [] for way in WAYS} for name in prepared}
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(graph)], stdout=subprocess.PIPE, text=True)
    try:
        front, direct = server.stdout.readline().split()
        ways: dict[str, Callable[[object], Callable[[], object]]] = {
            "embedded": lambda p: lambda: execute(p, engine),
            "forked": lambda p: lambda: execute(p, engine, isolated=True),
            "server": lambda p: lambda: http_query(direct, p.text),
            "front": lambda p: lambda: http_query(front, p.text),
        }
        for name, query in prepared.items():
            for way in WAYS:
                ways[way](query)()  # warm-up
            for _ in range(opts.repeats):
                for way in WAYS:
                    times[name][way].append(timed(ways[way](query)))
        trivial: dict[str, list[float]] = {"server": [], "front": [], "embedded": [], "forked": []}
        ask = prepare("ASK {}", {}, engine)
        cpu = cpu_seconds(server.pid)
        for _ in range(opts.repeats * 20):  # the front's own cost: a query that costs Oxigraph nothing
            for way, url in (("server", direct), ("front", front)):
                trivial[way].append(timed(lambda u=url: http_query(u, "ASK {}")))
        front_cpu = (cpu_seconds(server.pid) - cpu) / (opts.repeats * 20)
        for _ in range(opts.repeats * 20):
            trivial["embedded"].append(timed(lambda: execute(ask, engine)))
            trivial["forked"].append(timed(lambda: execute(ask, engine, isolated=True)))
    finally:
        server.terminate()
        server.wait()
    inspect = [min(timed(lambda t=q.text: check(t)) for _ in range(5)) * 1000 for q in prepared.values()]
    rows, added = [], []
    for name, by_way in times.items():
        p50 = {way: median(values) * 1000 for way, values in by_way.items()}
        p95 = {way: percentile(values, 95) * 1000 for way, values in by_way.items()}
        added.append(p50["front"] - p50["server"])
        rows.append([name] + [f"{p50[w]:.1f} / {p95[w]:.1f}" for w in WAYS]
                    + [f"{p50['front'] - p50['server']:+.1f}", f"{p95['front'] / p95['embedded']:.1f}x"])  # fmt: skip
    print(f"## The front's and the fork's cost ({graph.name}, {opts.repeats} runs each, interleaved)\n")
    print(describe_machine() + "\n")
    headers = ["query"] + [f"{w} p50 / p95 ms" for w in WAYS] + ["front adds (p50 ms)", "front p95 / embedded p95"]
    print(markdown_table(headers, rows))
    print(f"\nfront adds, p50 over the library: median {median(added):+.2f} ms, max {max(added):+.2f} ms")
    ask = {way: (median(v) * 1000, percentile(v, 95) * 1000) for way, v in trivial.items()}
    runs = len(trivial["front"])
    cells = ", ".join(f"{way} {p50:.2f} / {p95:.2f}" for way, (p50, p95) in ask.items())
    print(f"`ASK {{}}` ({runs} runs), p50 / p95 ms: {cells}")
    print(f"CPU time of the front's process per `ASK {{}}` request: {front_cpu * 1000:.2f} ms")
    print(f"inspecting a library query (uncached; the front caches its verdict per text): median {median(inspect):.2f}"
          f" ms, max {max(inspect):.2f} ms")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
