"""Benchmark (g): every scoped library query's latency, one authority asked about, as the graph grows.

For each N-Quads file given (e.g. synthetic graphs of 1, 10 and 153 authorities from benchmarks/synthetic.py),
the persistent on-disk store is opened as commands open it (lutonkg.query.ondisk.open_store, built on first use
under --stores), then every library query that takes `authority` runs scoped to Luton
(`authority=luton-borough-council`): one warm-up run, then --runs timed runs (fewer when a query uses up its
--budget); p50 and p95 are nearest-rank, in ms. A query scoped to one authority should cost about the same
whatever the number of authorities: its answer does not grow.

--baseline DIR runs a second set of query texts (e.g. the queries/ folder of an earlier checkout) beside the
current library on the same store, in the same run, for a before/after table. --unscoped adds each query with its
default parameters (every authority), to check that a rewrite keeps those as fast. --values adds, for each query
with a `# scope:` line, the same query bound with VALUES only, as on a store without scope graphs
(lutonkg.query.scopes), so the two ways are compared on the same store in the same run.

    python benchmarks/scoped.py /tmp/n1.nq /tmp/n10.nq /tmp/n153.nq [--baseline OLD/queries] [--runs 20]
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from measure import describe_machine, markdown_table, percentile

from lutonkg.query import Prepared, execute, open_engine, prepare
from lutonkg.query.library import QuerySpec, library
from lutonkg.query.params import inject

LUTON = "luton-borough-council"
TARGET_MS = 50.0


@dataclass(frozen=True)
class Timing:
    """One query's timed runs on one graph: rows, p50 and p95 in ms, how many runs, and the p50 of CPU time in ms
    (the engine evaluates in this process, so CPU time shows its work even when other processes share the cores)."""

    rows: int
    p50: float
    p95: float
    runs: int
    cpu: float

    def cell(self) -> str:
        """p50 / p95 (rows) cpu, with ! when the p95 misses the target."""
        mark = " **!**" if self.p95 > TARGET_MS else ""
        return f"{self.p50:.1f} / {self.p95:.1f} ({self.rows}) cpu {self.cpu:.0f}{mark}"


def scoped_specs(directory: Path | None) -> dict[str, QuerySpec]:
    """The library queries (of the toolkit, or of a folder) that take an `authority` parameter."""
    return {name: spec for name, spec in library(directory).items() if spec.param("authority")}


def timed(spec: QuerySpec, params: dict, engine: object, runs: int, budget: float, plain: bool = False) -> Timing:
    """A warm-up run, then up to `runs` timed runs within `budget` seconds (at least three); plain: bound with
    VALUES only, not from the authority's scope graph."""
    prepared = prepare(spec, params, engine, defaults={})
    if plain:
        prepared = Prepared(spec, inject(spec.text, prepared.terms), prepared.terms)
    rows = len(execute(prepared, engine)[1])
    times: list[float] = []
    cpu: list[float] = []
    while len(times) < runs and (len(times) < 3 or sum(times) < budget):
        started, used = time.perf_counter(), time.process_time()
        execute(prepared, engine)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - used)
    p50, p95 = percentile(times, 50) * 1000, percentile(times, 95) * 1000
    return Timing(rows, p50, p95, len(times), percentile(cpu, 50) * 1000)


def variants(
    current: Path | None, baseline: Path | None, unscoped: bool, values: bool = False
) -> list[tuple[str, QuerySpec, dict, bool]]:
    """(row label, spec, parameters, bound with VALUES only) for every measured run, in table order."""
    now, before = scoped_specs(current), scoped_specs(baseline) if baseline else {}
    runs = []
    for name, spec in now.items():
        scoped = {**spec.sample_params(), "authority": LUTON}
        if name in before:
            runs.append((f"{name} (before)", before[name], scoped, False))
        if values and spec.scope:
            runs.append((f"{name} (VALUES)", spec, scoped, True))
        runs.append((f"{name} (scope graph)" if values and spec.scope else name, spec, scoped, False))
        if unscoped:
            if name in before:
                runs.append((f"{name} unscoped (before)", before[name], before[name].sample_params(), False))
            runs.append((f"{name} unscoped", spec, spec.sample_params(), False))
    return runs


def measure(path: Path, stores: Path, runs: list[tuple], count: int, budget: float) -> dict:
    """Every run on one graph's on-disk store."""
    engine = open_engine(path, stores=stores)
    results = {}
    for label, spec, params, plain in runs:
        results[label] = timed(spec, params, engine, count, budget, plain)
        print(f"{time.strftime('%H:%M:%S')} {path.name} {label}: {results[label].cell()}", file=sys.stderr)
    return results


def report(files: list[Path], results: list[dict], seconds: float) -> str:
    """The Markdown report: one row per query run, one column per graph."""
    lines = [f"Run took {seconds / 60:.1f} min.\n", describe_machine(), ""]
    lines.append(
        f"wall-clock p50 / p95 ms (rows), then the CPU time p50 in ms; scoped to `authority={LUTON}`; "
        f"**!** = p95 over {TARGET_MS:.0f} ms\n"
    )
    table = [[label] + [r[label].cell() for r in results] for label in results[0]]
    lines.append(markdown_table(["query"] + [f.name for f in files], table))
    return "\n".join(lines)


def main() -> int:
    """Command line: measure each file in turn and print the Markdown report."""
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("files", nargs="+", help="N-Quads files (e.g. from benchmarks/synthetic.py)")
    args.add_argument("--stores", default="/tmp/lutonkg-scoped-stores", help="where the on-disk stores are kept")
    args.add_argument("--queries", help="the query folder to measure (default: the toolkit's library)")
    args.add_argument("--baseline", help="a second query folder measured beside it (before/after)")
    args.add_argument("--unscoped", action="store_true", help="also run each query for every authority")
    args.add_argument("--values", action="store_true", help="also run scope-graph queries bound with VALUES only")
    args.add_argument("--runs", type=int, default=20, help="timed runs per query (default 20)")
    args.add_argument("--budget", type=float, default=3.0, help="seconds of timed runs per query (default 3)")
    opts = args.parse_args()
    files = [Path(f) for f in opts.files]
    current = Path(opts.queries) if opts.queries else None
    runs = variants(current, Path(opts.baseline) if opts.baseline else None, opts.unscoped, opts.values)
    started = time.perf_counter()
    results = [measure(path, Path(opts.stores), runs, opts.runs, opts.budget) for path in files]
    print(report(files, results, time.perf_counter() - started))
    return 0


if __name__ == "__main__":
    sys.exit(main())
