"""Benchmark (f4): the same N-Quads loaded into Apache Jena TDB2, the store behind Fuseki, the first server-class
store docs/sparql.md suggests for outgrowing one machine. Each file is loaded with `tdb2.tdbloader` (Debian's
libapache-jena-java, through lutonkg.query.jena's class path) into a fresh folder, per loader given; then one
query runs through `tdb2.tdbquery` with the union as the default graph, to show the store answers. Reported: wall
and CPU seconds (the JVM's user + system), quads per second, the JVM's peak memory and the store's size.

    python benchmarks/tdb2_load.py /tmp/nat/n10.nq [--loaders basic,parallel]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from measure import describe_machine, folder_mb, markdown_table

from lutonkg.query.jena import runner_classpath

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def java(main: str, *args: str) -> tuple[float, float, float, str]:
    """Run one Jena command-line class; its wall s, CPU s, peak MB (largest child so far) and output."""
    classpath = ":".join(runner_classpath())
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(["java", "-cp", classpath, main, *args], capture_output=True, text=True, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss / 1000, done.stdout


def quads_in(path: Path) -> int:
    """The number of quads (lines that are not blank or comments) in an N-Quads file."""
    with path.open("rb") as handle:
        return sum(1 for line in handle if line.strip() and not line.startswith(b"#"))


def main() -> None:
    """Load each file with each loader and print a Markdown table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+", type=Path)
    ap.add_argument("--loaders", default="basic,parallel")
    args = ap.parse_args()
    rows = []
    for path in args.files:
        quads = quads_in(path)
        for loader in args.loaders.split(","):
            folder = Path(tempfile.mkdtemp(prefix="tdb2-"))
            try:
                wall, cpu, peak, _ = java("tdb2.tdbloader", f"--loader={loader}", "--loc", str(folder), str(path))
                size = folder_mb(folder)
                _, _, _, answer = java("tdb2.tdbquery", "--loc", str(folder), "--set", "tdb:unionDefaultGraph=true",
                                       "--results=TSV", COUNT)  # fmt: skip
                union = int(answer.split()[-1].split("^^")[0].strip('"'))
            finally:
                shutil.rmtree(folder, ignore_errors=True)
            rows.append([path.name, f"{quads:,}", loader, f"{wall:.1f}", f"{cpu:.1f}", f"{quads / wall:,.0f}",
                         f"{quads / cpu:,.0f}", f"{peak:,.0f}", f"{size:,.0f}", f"{union:,}"])  # fmt: skip
    headers = ["file", "quads", "loader", "wall s", "CPU s", "quads / wall s", "quads / CPU s", "JVM peak MB",
               "store MB", "triples in the union"]  # fmt: skip
    print(markdown_table(headers, rows))
    print()
    print(describe_machine())


if __name__ == "__main__":
    main()
