"""Benchmark (f3): what the measured growth predicts for a real national graph (every authority, twenty years).

Inputs, all measured: the quads of each named graph of the Luton graph (graph/lutonkg.nq: quads per curated
document, the share the reasoner adds, the shared ontology and vocabularies), and two or more runs of
benchmarks/store_load.py (quads, CPU seconds and peak MB of the lutonkg store build, its size on disk, the
N-Quads file's size, the in-memory store's peak). The load's CPU time is fitted as a power of the quads through
the two largest runs (RocksDB's bulk load is a little worse than linear); sizes are taken per quad at the largest.

    python benchmarks/national_prediction.py --authorities 153 --documents 5,25,50,75 \\
        --run 736618:17.3:714:194:176:441 --run 11226240:396.6:1866:4923:2695:4054

A run is quads:store CPU s:store build peak MB:store MB:N-Quads MB:in-memory peak MB. Prints Markdown.
"""

from __future__ import annotations

import argparse
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from measure import markdown_table

SHARED = ("ontology", "vocabularies", "curation")  # graphs a national graph holds once, not per authority
INFERRED = "inferred"


@dataclass(frozen=True)
class Run:
    """One measured store build (benchmarks/store_load.py)."""

    quads: int
    cpu: float
    peak_mb: float
    store_mb: float
    file_mb: float
    memory_mb: float


def parse_run(text: str) -> Run:
    """A run from quads:cpu:peak:store:file:memory."""
    quads, *rest = text.split(":")
    return Run(int(quads), *(float(v) for v in rest))


def per_document(nquads: Path) -> tuple[float, float, int, int]:
    """Mean quads per curated document, the reasoner's share of them, the shared quads, and the document count."""
    counts = Counter(str(q.graph_name.value) for q in ox.parse(path=str(nquads), format=ox.RdfFormat.N_QUADS))
    names = {name.rsplit("/", 1)[-1]: n for name, n in counts.items()}
    documents = {k: n for k, n in names.items() if k not in SHARED and k != INFERRED}
    stated = sum(documents.values())
    shared = sum(names.get(k, 0) for k in SHARED)
    return stated / len(documents), names.get(INFERRED, 0) / stated, shared, len(documents)


def predict(runs: list[Run], quads: int) -> dict[str, float]:
    """CPU s of a store build of `quads` (power law through the two largest runs) and sizes per quad at the largest."""
    small, large = sorted(runs, key=lambda r: r.quads)[-2:]
    exponent = math.log(large.cpu / small.cpu) / math.log(large.quads / small.quads)
    ratio = quads / large.quads
    return {
        "exponent": exponent,
        "cpu": large.cpu * ratio**exponent,
        "store_gb": large.store_mb * ratio / 1000,
        "file_gb": large.file_mb * ratio / 1000,
        "memory_gb": large.memory_mb * ratio / 1000,
        "peak_gb": large.peak_mb / 1000,
    }


def main() -> None:
    """Print the prediction table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--graph", default="graph/lutonkg.nq")
    ap.add_argument("--authorities", type=int, default=153)
    ap.add_argument("--documents", default="5,25,50,75", help="curated documents per authority, comma-separated")
    ap.add_argument("--run", action="append", required=True, help="quads:cpu:peak:store:file:memory (two or more)")
    args = ap.parse_args()
    runs = [parse_run(r) for r in args.run]
    mean, inferred, shared, count = per_document(Path(args.graph))
    print(f"Luton: {count} documents, {mean:,.0f} stated quads per document, the reasoner adds {inferred:.0%}, "
          f"{shared:,} shared quads.\n")  # fmt: skip
    rows = []
    for documents in (int(d) for d in args.documents.split(",")):
        quads = round(args.authorities * documents * mean * (1 + inferred) + shared)
        p = predict(runs, quads)
        rows.append([
            documents, f"{quads / 1e6:,.1f} M", f"{p['file_gb']:,.0f}", f"{p['store_gb']:,.0f}",
            f"{p['cpu'] / 60:,.0f}", f"{p['peak_gb']:,.1f}", f"{p['memory_gb']:,.0f}",
        ])  # fmt: skip
    print(f"Power-law exponent of the store build's CPU time: {p['exponent']:.2f}\n")
    print(markdown_table(
        ["documents per authority", "quads", "N-Quads GB", "store GB", "store build, CPU min", "build peak GB (at the "
         "largest run)", "in-memory store GB"], rows,
    ))  # fmt: skip


if __name__ == "__main__":
    main()
