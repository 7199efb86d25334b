"""Benchmark (a): the whole query library on rdflib and on pyoxigraph, side by side, with the ratio per query.

Each engine loads the same N-Quads file; every library query is prepared once (parameters resolved: defaults and
examples), run once to warm up, then timed REPEATS times. The medians are compared; the results must be identical.

    python benchmarks/query_library.py [--graph graph/lutonkg.nq] [--repeats 7]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from measure import describe_machine, markdown_table, median

from lutonkg.query import execute, open_engine, prepare
from lutonkg.query.library import library

NQUADS = Path(__file__).resolve().parents[1] / "graph" / "lutonkg.nq"  # the Luton project of this checkout


def timed_runs(prepared, engine, repeats: int) -> tuple[list[float], list[dict]]:
    """One warm-up run, then repeats timed runs; the times in seconds and the rows."""
    _, rows = execute(prepared, engine)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        execute(prepared, engine)
        times.append(time.perf_counter() - started)
    return times, rows


def main() -> int:
    """Run the comparison and print a Markdown report."""
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--graph", default=str(NQUADS), help="N-Quads file (default: graph/lutonkg.nq)")
    args.add_argument("--repeats", type=int, default=7, help="timed runs per query and engine (default 7)")
    opts = args.parse_args()
    graph = Path(opts.graph)
    loads = {}
    engines = {}
    for name in ("rdflib", "oxigraph"):
        started = time.perf_counter()
        engines[name] = open_engine(graph, name)
        loads[name] = time.perf_counter() - started
    table, totals, mismatches = [], {"rdflib": 0.0, "oxigraph": 0.0}, []
    for name, spec in library().items():
        medians, answers = {}, {}
        for engine_name, engine in engines.items():
            prepared = prepare(spec, spec.sample_params(), engine)
            times, answers[engine_name] = timed_runs(prepared, engine, opts.repeats)
            medians[engine_name] = median(times)
            totals[engine_name] += medians[engine_name]
        if answers["rdflib"] != answers["oxigraph"]:
            mismatches.append(name)
        ratio = medians["rdflib"] / medians["oxigraph"]
        table.append(
            [
                name,
                len(answers["oxigraph"]),
                f"{medians['rdflib'] * 1000:.1f}",
                f"{medians['oxigraph'] * 1000:.2f}",
                f"{ratio:.0f}x",
            ]
        )
    overall = totals["rdflib"] / totals["oxigraph"]
    table.append(
        [
            "**whole library**",
            "",
            f"**{totals['rdflib'] * 1000:.0f}**",
            f"**{totals['oxigraph'] * 1000:.1f}**",
            f"**{overall:.0f}x**",
        ]
    )
    print(f"## Query library: rdflib vs pyoxigraph ({graph.name}, median of {opts.repeats} runs after a warm-up)\n")
    print(describe_machine() + "\n")
    print(
        f"Load: rdflib {loads['rdflib']:.2f} s, pyoxigraph {loads['oxigraph']:.2f} s "
        f"(including the copy of the union into the default graph).\n"
    )
    print(markdown_table(["query", "rows", "rdflib ms", "pyoxigraph ms", "ratio"], table))
    print(f"\nIdentical results on both engines: {'yes' if not mismatches else 'NO: ' + ', '.join(mismatches)}")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
