"""Benchmark (d): the review site (`lutonkg site`), for Luton and for synthetic graphs of several authorities.

Each build runs as a user runs it, a command in a fresh process (`python -m lutonkg.cli site --out TMP [--graph
FILE]`), into a new temporary folder, with the project's source texts. Reported per build: pages, files, MB written,
wall seconds, and CPU seconds of the command and its diagram worker (from the children's resource usage), with the
machine's load average before the run, since the wall time on a shared machine says as much about the other users
as about the build. One more Luton build runs in this process with a stopwatch on each stage.

The synthetic graphs come from benchmarks/synthetic.py: N copies of Luton (authority 1 is Luton itself), sharing the
ontology, vocabularies, legislation and national bodies; every copy's documents point at the same source texts, so
each gets its five source pages.

    python benchmarks/site.py [--runs 3] [--scales 1,2,5,10]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from measure import describe_machine, markdown_table, median
from synthetic import generate

from lutonkg.project import open_project
from lutonkg.site import Settings, build_site

ROOT = Path(__file__).resolve().parents[1]  # the Luton project of this checkout
SUMMARY = re.compile(r"wrote (\d+) pages \((\d+) files, ([\d.]+) MB\)")


def children_cpu() -> float:
    """CPU seconds (user + system) of every finished child process so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_site(out: Path, graph: Path | None = None) -> dict:
    """One build as a command: pages, files, MB, wall and CPU seconds, and the load average before it."""
    load = os.getloadavg()[0]
    command = [sys.executable, "-m", "lutonkg.cli", "--project", str(ROOT), "site", "--out", str(out)]
    command += ["--graph", str(graph)] if graph else []
    before, started = children_cpu(), time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    wall, cpu = time.perf_counter() - started, children_cpu() - before
    pages, files, mb = SUMMARY.search(done.stdout).groups()
    return {"pages": int(pages), "files": int(files), "mb": float(mb), "wall": wall, "cpu": cpu, "load": load}


def stages() -> list[list[object]]:
    """One Luton build in this process, timed stage by stage (wall and this process's CPU)."""
    project = open_project(ROOT)
    marks: list[tuple[str, float, float]] = []

    def step(name: str) -> None:
        label = re.sub(r" \d+/\d+$", "", name)  # 'entity pages 200/1334' ... count as one stage
        if not marks or marks[-1][0] != label:
            usage = resource.getrusage(resource.RUSAGE_SELF)
            marks.append((label, time.perf_counter(), usage.ru_utime + usage.ru_stime))

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(graph=project.nquads, out=Path(tmp) / "site", sources=project.sources_dir(),
                            title=project.title, query_defaults=project.query_defaults)  # fmt: skip
        build_site(settings, step)
        usage = resource.getrusage(resource.RUSAGE_SELF)
        marks.append(("(end)", time.perf_counter(), usage.ru_utime + usage.ru_stime))
    rows = []
    for (name, wall, cpu), (_, next_wall, next_cpu) in zip(marks, marks[1:], strict=False):
        rows.append([name, f"{next_wall - wall:.2f}", f"{next_cpu - cpu:.2f}"])
    return rows


def luton(runs: int) -> list[dict]:
    """The Luton site, `runs` times."""
    results = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            results.append(run_site(Path(tmp) / "site"))
    return results


def synthetic(scales: list[int]) -> list[dict]:
    """The site of each synthetic graph."""
    results = []
    for count in scales:
        with tempfile.TemporaryDirectory() as tmp:
            graph = Path(tmp) / "national.nq"
            quads = generate(count, graph)
            result = run_site(Path(tmp) / "site", graph)
            results.append({"authorities": count, "quads": quads, **result})
    return results


def report(runs: list[dict], scales: list[dict], stage_rows: list[list[object]]) -> str:
    """The results as Markdown."""
    lines = ["## (d) The review site (`lutonkg site`)", "", describe_machine(), ""]
    rows = [[i + 1, r["pages"], r["files"], r["mb"], f"{r['wall']:.1f}", f"{r['cpu']:.1f}", f"{r['load']:.1f}"]
            for i, r in enumerate(runs)]  # fmt: skip
    lines += ["Luton, as a command, each run into a new folder:", ""]
    lines.append(markdown_table(["run", "pages", "files", "MB", "wall s", "CPU s", "load before"], rows))
    lines += ["", f"Median wall {median([r['wall'] for r in runs]):.1f} s, median CPU "
              f"{median([r['cpu'] for r in runs]):.1f} s (command and diagram worker).", ""]  # fmt: skip
    lines += ["Stages of one Luton build in process (wall and CPU of the main process; the diagrams are drawn by "
              "the worker meanwhile):", "", markdown_table(["stage", "wall s", "CPU s"], stage_rows), ""]  # fmt: skip
    rows = [[s["authorities"], f"{s['quads']:,}", s["pages"], s["mb"], f"{s['wall']:.1f}", f"{s['cpu']:.1f}",
             f"{s['wall'] / s['authorities']:.1f}", f"{s['load']:.1f}"] for s in scales]  # fmt: skip
    lines += ["Synthetic graphs (benchmarks/synthetic.py):", ""]
    headers = ["authorities", "quads", "pages", "MB", "wall s", "CPU s", "wall s per authority", "load before"]
    lines.append(markdown_table(headers, rows))
    return "\n".join(lines) + "\n"


def main() -> int:
    """Run the benchmark and print Markdown."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="Luton builds (default 3)")
    parser.add_argument("--scales", default="1,2,5,10", help="synthetic authority counts (default 1,2,5,10)")
    args = parser.parse_args()
    runs = luton(args.runs)
    stage_rows = stages()
    scales = synthetic([int(n) for n in args.scales.split(",") if n.strip()])
    sys.stdout.write(report(runs, scales, stage_rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
