"""Benchmark (d): why the Oxigraph server was slower than the embedded store: storage, not HTTP.

On one N-Quads file, every library query (example parameters; listing queries scoped to Luton) runs on four set-ups,
each timed as the best and the median of REPEATS runs after a warm-up:
- embedded pyoxigraph, in-memory store (lutonkg.query.store: what every command used to load);
- embedded pyoxigraph, persistent on-disk store (lutonkg.query.ondisk: what commands open now);
- `oxigraph serve-read-only` on that same on-disk store (what `lutonkg serve` runs), JSON over HTTP;
- `oxigraph serve` with an in-memory store (no --location), loaded over HTTP with the same quads and union,
  JSON over HTTP: the server on the storage the embedded engine used to have.
If the server on disk is as fast as the embedded engine on disk, and the server in memory as fast as the embedded
engine in memory, the difference is the storage and not the protocol, the result format or the server.

    python benchmarks/server_parity.py --graph /tmp/national-10.nq [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

from measure import describe_machine, markdown_table

from lutonkg.query import execute, open_engine, prepare
from lutonkg.query.library import library
from lutonkg.query.server import Server, free_port, oxigraph_command, start, stop, union_dataset

LUTON = "luton-borough-council"


def timed(run: Callable[[], object], repeats: int) -> tuple[float, float]:
    """A warm-up run, then repeats timed runs: (best, median) in ms."""
    run()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return min(times), statistics.median(times)


def http_query(endpoint: str, text: str) -> bytes:
    """POST a query and read the whole JSON answer."""
    body = urllib.parse.urlencode({"query": text}).encode()
    request = urllib.request.Request(endpoint, data=body, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=600) as response:
        return response.read()


def memory_server(graph: Path, folder: Path) -> tuple[subprocess.Popen, str, float]:
    """`oxigraph serve` in memory, loaded over HTTP with the dataset and its union; process, endpoint, load seconds."""
    union = folder / "union.nq"
    union_dataset(graph, union)
    port = free_port()
    process = subprocess.Popen([oxigraph_command(), "serve", "--bind", f"127.0.0.1:{port}"], stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            http_query(base + "/query", "ASK {}")
            break
        except OSError:
            time.sleep(0.05)
    started = time.perf_counter()
    request = urllib.request.Request(base + "/store", data=union.read_bytes(), method="POST",
                                     headers={"Content-Type": "application/n-quads"})  # fmt: skip
    urllib.request.urlopen(request, timeout=3600).read()
    union.unlink()
    return process, base + "/query", time.perf_counter() - started


def main() -> int:
    """Measure and print a Markdown table."""
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--graph", required=True, help="an N-Quads file (e.g. from benchmarks/synthetic.py)")
    args.add_argument("--repeats", type=int, default=5, help="timed runs per query and set-up (default 5)")
    opts = args.parse_args()
    graph = Path(opts.graph)
    folder = Path(tempfile.mkdtemp(prefix="lutonkg-parity-"))
    loads = {}
    started = time.perf_counter()
    memory = open_engine(graph)
    loads["embedded, in memory"] = time.perf_counter() - started
    started = time.perf_counter()
    disk = open_engine(graph, stores=folder / "stores")
    loads["embedded, on disk (build)"] = time.perf_counter() - started
    on_disk = Server(disk.disk.path, "127.0.0.1", free_port(), timeout=600, logfile=folder / "server.log")
    start(on_disk, wait=300)
    process, in_memory, loads["server, in memory (HTTP load)"] = memory_server(graph, folder)
    rows = []
    try:
        for name, spec in library().items():
            params = spec.sample_params()
            if any(p.name == "authority" for p in spec.params):
                params = {**params, "authority": LUTON}
            prepared = prepare(spec, params, memory)
            text = prepared.text
            cells = [timed(lambda e=memory, p=prepared: execute(p, e), opts.repeats),
                     timed(lambda e=disk, p=prepared: execute(p, e), opts.repeats),
                     timed(lambda t=text: http_query(on_disk.endpoint, t), opts.repeats),
                     timed(lambda t=text: http_query(in_memory, t), opts.repeats)]  # fmt: skip
            rows.append([name] + [f"{best:.1f} / {mid:.1f}" for best, mid in cells])
    finally:
        stop(on_disk)
        process.kill()
        process.wait()
    headers = ["query (best / median ms)", "embedded, memory", "embedded, disk", "server, disk", "server, memory"]
    print(f"## Server parity on {graph.name}\n\n{describe_machine()}\n")
    print("Loads: " + "; ".join(f"{k} {v:.1f} s" for k, v in loads.items()) + "\n")
    print(markdown_table(headers, rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
