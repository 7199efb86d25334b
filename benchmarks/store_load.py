"""Benchmark (f2): how fast the persistent store is built, against pyoxigraph's own bulk loader on the same file.

For each N-Quads file, each way runs in a fresh child process (so memory and CPU are measured cleanly):
- "in memory": pyoxigraph's bulk loader into an in-memory store (what the issue's 250,000 quads/s refers to);
- "on disk, file only": the same loader into an on-disk (RocksDB) store, the N-Quads alone, no union copy;
- "lutonkg store": lutonkg.query.ondisk.build, what the first command does: the named graphs and their union in the
  default graph, in one bulk-load pass, then a compaction.
Reported: wall and CPU seconds (user + system, this process and its threads), quads of the file per wall second and
per CPU second, peak memory, size on disk.

    python benchmarks/store_load.py /tmp/national-10.nq [/tmp/national-153.nq ...] [--ways memory,disk,lutonkg]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox
from measure import describe_machine, folder_mb, markdown_table, peak_mb

WAYS = {"memory": "in memory", "disk": "on disk, file only", "lutonkg": "lutonkg store (with union and scope graphs)"}


def load(way: str, nquads: Path, folder: Path) -> dict:
    """Load the file one way in this process; wall and CPU seconds, peak MB, store MB."""
    started = time.perf_counter()
    if way == "lutonkg":
        from lutonkg.query.ondisk import build

        build(nquads, folder)
    else:
        store = ox.Store() if way == "memory" else ox.Store(str(folder))
        store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
        if way == "disk":
            store.flush()
        del store
    usage = resource.getrusage(resource.RUSAGE_SELF)
    wall = time.perf_counter() - started
    size = folder_mb(folder) if folder.exists() else 0.0
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "peak": peak_mb(), "mb": size}


def in_child(way: str, nquads: Path, workdir: Path) -> dict:
    """Run load() in a fresh Python process and return its result."""
    folder = workdir / f"store-{way}"
    shutil.rmtree(folder, ignore_errors=True)
    code = (
        "import json, sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]); import store_load; "
        "print(json.dumps(store_load.load(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))))"
    )
    here = str(Path(__file__).resolve().parent)
    out = subprocess.run(
        [sys.executable, "-c", code, here, way, str(nquads), str(folder)], capture_output=True, text=True
    )
    shutil.rmtree(folder, ignore_errors=True)
    if out.returncode:
        raise SystemExit(f"{way} on {nquads} failed: {out.stderr.strip().splitlines()[-1:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def count_lines(nquads: Path) -> int:
    """The number of quads (lines) in a canonical N-Quads file."""
    with nquads.open("rb") as source:
        return sum(block.count(b"\n") for block in iter(lambda: source.read(1 << 20), b""))


def main() -> int:
    """Measure each way on each file and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--ways", default=",".join(WAYS))
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="store-load-") as work:
        for nquads in args.files:
            quads = count_lines(nquads)
            for way in args.ways.split(","):
                r = in_child(way, nquads, Path(work))
                print(f"{nquads.name} {way}: {r}", file=sys.stderr, flush=True)
                rows.append([nquads.name, f"{quads:,}", WAYS[way], f"{r['wall']:.1f}", f"{r['cpu']:.1f}",
                             f"{quads / r['wall']:,.0f}", f"{quads / r['cpu']:,.0f}", f"{r['peak']:,.0f}",
                             f"{r['mb']:,.0f}" if way != "memory" else "-"])  # fmt: skip
    head = ["file", "quads", "way", "wall s", "CPU s", "quads / wall s", "quads / CPU s", "peak MB", "store MB"]
    print(markdown_table(head, rows))
    print()
    print(describe_machine())
    return 0


if __name__ == "__main__":
    sys.exit(main())
