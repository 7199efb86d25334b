"""Benchmark (d): a curator's edit loop. On a copy of the project's data in a temporary folder: a full build that fills
the build cache, then REPEATS times an edit of one relationship's note followed by `lutonkg build`, `lutonkg check`
with the cache warm (of the data the last build read), an edit of the note followed by `lutonkg check` (a curator's
loop before building), both again without the cache (`--no-cache`), and REPEATS edits the reasoner sees (one
relationship's object, moved each time to a body it has not been on, at most three) followed by `lutonkg build`, then
as many followed by `lutonkg check`. Each is run as a command, as a user runs it; wall and CPU seconds (user + system,
Java included) are reported, with the load average, since on a shared machine CPU time is the steadier figure.

The package's modules are compiled to bytecode first (as Python does on a normal machine at the first command;
where PYTHONDONTWRITEBYTECODE is set, as on the development machine, it never would, and every command would
compile them again: about 0.2 s).

    python benchmarks/edit_loop.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import compileall
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTE = re.compile(r"(?m)^  note: The cohesion report treats the LEA as one part of the council.*$")
# the object of the LEA's part-of link, moved in turn to other parts of the council (each a state HermiT has not seen)
OBJECT = re.compile(
    r"(?m)^(- id: luton-lea-part-of-luton-borough-council\n  subject: luton-lea\n  relation: part-of\n)  object: .*$"
)
OBJECTS = [
    "luton-council-executive",
    "lifelong-learning-directorate",
    "social-services-directorate",
    "housing-directorate",
    "housing-and-community-living-directorate",
    "environment-and-regeneration-directorate",
]


def timed(command: list[str]) -> tuple[float, float]:
    """Run a command; its wall and CPU seconds (user + system of it and its children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def edit(path: Path, pattern: re.Pattern, replacement: str) -> None:
    """Replace the one line the pattern matches."""
    text, count = pattern.subn(replacement, path.read_text(encoding="utf-8"), count=1)
    if count != 1:
        sys.exit(f"{path}: the line this benchmark edits is not there")
    path.write_text(text, encoding="utf-8")


def after_edits(command: list[str], relationships: Path, repeats: int, tag: str = "edit") -> list[tuple[float, float]]:
    """Edit one relationship's note, then run the command, `repeats` times; each run's wall and CPU seconds."""
    runs = []
    for index in range(repeats):
        edit(
            relationships,
            NOTE,
            f"  note: The cohesion report treats the LEA as one part of the council ({tag} {index}).",
        )
        runs.append(timed(command))
    return runs


def after_moves(command: list[str], relationships: Path, bodies: list[str]) -> list[tuple[float, float]]:
    """Move one relationship's object to each of the bodies in turn (each a new input for the reasoner), running the
    command after each move; each run's wall and CPU seconds."""
    runs = []
    for body in bodies:
        edit(relationships, OBJECT, rf"\g<1>  object: {body}")
        runs.append(timed(command))
    return runs


def row(label: str, runs: list[tuple[float, float]]) -> str:
    """One Markdown row: median wall and CPU seconds, and every run."""
    walls, cpus = [w for w, _ in runs], [c for _, c in runs]
    each = ", ".join(f"{w:.1f}/{c:.1f}" for w, c in runs)
    return f"| {label} | {statistics.median(walls):.1f} | {statistics.median(cpus):.1f} | {each} |"


def main() -> None:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    repeats = parser.parse_args().repeats
    os.environ.pop("LUTONKG_CACHE", None)
    compileall.compile_dir(ROOT / "src", quiet=2)
    with tempfile.TemporaryDirectory(prefix="lutonkg-edit-loop-") as scratch:
        project = Path(scratch) / "project"
        shutil.copytree(ROOT / "graph" / "data", project / "graph" / "data")
        relationships = project / "graph" / "data" / "relationships.yaml"
        cli = [sys.executable, "-m", "lutonkg.cli"]
        build, check = [*cli, "build", "--project", str(project)], [*cli, "check", "--project", str(project)]
        load = os.getloadavg()
        rows = [row("full build, empty cache", [timed(build)])]
        rows.append(
            row("edit one relationship's note, then `lutonkg build`", after_edits(build, relationships, repeats))
        )
        rows.append(row("`lutonkg check` (cache warm)", [timed(check) for _ in range(repeats)]))
        runs = after_edits(check, relationships, repeats, "checked")
        rows.append(row("edit one relationship's note, then `lutonkg check` (cache warm)", runs))
        rows.append(row("`lutonkg check --no-cache`", [timed([*check, "--no-cache"]) for _ in range(repeats)]))
        rows.append(row("`lutonkg build --no-cache`", [timed([*build, "--no-cache"]) for _ in range(repeats)]))
        rows.append(
            row(
                "edit one relationship's object (HermiT re-runs), then `lutonkg build`",
                after_moves(build, relationships, OBJECTS[:repeats][:3]),
            )
        )
        rows.append(
            row(
                "edit one relationship's object (HermiT re-runs), then `lutonkg check`",
                after_moves(check, relationships, OBJECTS[3:][:repeats]),
            )
        )
        load_after = os.getloadavg()
    print("| step | wall s (median) | CPU s (median) | runs: wall/CPU s |")
    print("|---|---|---|---|")
    print("\n".join(rows))
    print(f"\nLoad average (1 min) {load[0]:.1f} before, {load_after[0]:.1f} after; {os.cpu_count()} cores.")


if __name__ == "__main__":
    main()
