"""Benchmark (b): the build's stages (load, RDF, reasoning, checks, SHACL, serialisation, write) with time and
peak memory, and the whole build as a user runs it.

The stages are timed inside one real `lutonkg.build.build()` run: the functions build() calls are wrapped with a
stopwatch and a peak-memory window (Linux VmHWM, reset before each stage), so the numbers follow whatever order
build() uses. The reasoner runs in a Java child process; its peak memory is reported separately. Reasoning runs in
the main thread while a helper thread copies the asserted triples for pySHACL: those two stages overlap, so the
table gives each one's own time and the wall time of the pair (`_reason_and_prepare`). The SPARQL quality checks
run in another helper thread from reasoning on (lutonkg.build.quality); the table shows how long the main thread
waited for them. Then the whole
build is run as a command (`python -m lutonkg.cli build --out TMP`), REPEATS times, to give the wall time a user
sees, imports included.

    python benchmarks/build_stages.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import functools
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from measure import children_peak_mb, describe_machine, markdown_table, median, peak_mb, reset_peak

from lutonkg.build import pipeline as build_module

ROOT = Path(__file__).resolve().parents[1]  # the Luton project of this checkout

# (function name in lutonkg.build.pipeline, stage it belongs to), in the order build() calls them; "  of which" stages
# run inside the stage above them (side by side), so they are not added to the total
NESTED = "  of which"
STAGES = [
    ("load_data", "load (YAML, schema, references)"),
    ("build_dataset", "RDF (data to quads of rdflib terms)"),
    ("statements", "statements (each quad as text, sorted)"),
    ("_reason_and_prepare", "reasoning and SHACL input, side by side (wall time)"),
    ("_reason", "  of which: reasoning (HermiT via owlready2, Java; main thread)"),
    ("union_graph", "  of which: SHACL input graph (rdflib; helper thread, meanwhile)"),
    ("validate_shapes", "SHACL (pySHACL; only the changed nodes when the cache holds a conforming graph)"),
    ("_turtle_and_jsonld", "serialise Turtle and JSON-LD (subject by subject; lutonkg.rdf.pieces)"),
    ("nquads", "serialise N-Quads"),
    ("duty_register", "duty register CSV"),
    ("_check_quality", "waiting for the SPARQL quality checks (helper thread, since reasoning began)"),
    ("_summarise", "summary counts"),
    ("publish.write", "write (staging, then move)"),
]


def instrument(timings: dict[str, list[float]], peaks: dict[str, float]) -> None:
    """Wrap each stage function of lutonkg.build.pipeline with a stopwatch and a peak-memory window."""
    for name, stage in STAGES:
        *path, attribute = name.split(".")
        owner = functools.reduce(getattr, path, build_module)
        original = getattr(owner, attribute)

        def wrapped(*args, _original: Callable = original, _stage: str = stage, **kwargs):
            if not _stage.startswith(NESTED):  # the peak window is per process: nested stages share their block's
                reset_peak()
            started = time.perf_counter()
            try:
                return _original(*args, **kwargs)
            finally:
                timings.setdefault(_stage, []).append(time.perf_counter() - started)
                peaks[_stage] = max(peaks.get(_stage, 0.0), peak_mb())

        setattr(owner, attribute, functools.wraps(original)(wrapped))


def staged_build() -> tuple[dict[str, float], dict[str, float], float, float]:
    """One in-process build with the stages timed; (seconds by stage, peak MB by stage, total s, Java peak MB)."""
    timings: dict[str, list[float]] = {}
    peaks: dict[str, float] = {}
    instrument(timings, peaks)
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        build_module.build(ROOT / "graph" / "data", Path(out))
        total = time.perf_counter() - started
    return {stage: sum(ts) for stage, ts in timings.items()}, peaks, total, children_peak_mb()


def command_build(repeats: int) -> list[float]:
    """Wall times of the whole build as a command, imports included."""
    times = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as out:
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "lutonkg.cli", "build", "--project", str(ROOT), "--out", out],
                check=True,
                capture_output=True,
            )
            times.append(time.perf_counter() - started)
    return times


def main() -> int:
    """Run the staged build and the command builds; print a Markdown report."""
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--repeats", type=int, default=3, help="whole-build command runs (default 3)")
    opts = args.parse_args()
    seconds, peaks, total, java_mb = staged_build()
    rows = [
        [stage, f"{seconds[stage]:.2f}", f"{seconds[stage] / total:.0%}", f"{peaks[stage]:.0f}"]
        for _, stage in STAGES
        if stage in seconds
    ]
    rest = total - sum(t for stage, t in seconds.items() if not stage.startswith(NESTED))
    rows.append(["other (convert glue, bookkeeping)", f"{rest:.2f}", f"{rest / total:.0%}", ""])
    rows.append(["**build() in process**", f"**{total:.2f}**", "100%", f"{max(peaks.values()):.0f}"])
    walls = command_build(opts.repeats)
    print("## Build stages\n")
    print(describe_machine() + "\n")
    print(markdown_table(["stage", "seconds", "share", "peak RSS MB (Python process)"], rows))
    print(f"\nJava reasoner (child process) peak RSS: {java_mb:.0f} MB.")
    print(
        f"\nWhole build as a command (`python -m lutonkg.cli build`), {opts.repeats} runs: median "
        f"{median(walls):.1f} s (runs: {', '.join(f'{w:.1f}' for w in walls)} s)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
