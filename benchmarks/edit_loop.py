"""Benchmark (d): a curator's edit loop. On a copy of the project's data in a temporary folder: a full build that fills
the build cache, then REPEATS times an edit of one relationship's note followed by `lutonkg build`, `lutonkg check`
with the cache warm (of the data the last build read), an edit of the note followed by `lutonkg check` (a curator's
loop before building), both again without the cache (`--no-cache`), and REPEATS edits the reasoner sees (one
relationship's object, moved each time to a body it has not been on, at most three) followed by `lutonkg build`, then
as many followed by `lutonkg check`. Each is run as a command, as a user runs it; wall and CPU seconds (user + system,
Java included) are reported, with the load average, since on a shared machine CPU time is the steadier figure.

Then the same edits under `lutonkg build --watch` and `lutonkg check --watch` (one process each, on a fresh copy of
the data, left WARM_UP seconds after its first build to warm HermiT up): the seconds from saving the file to the
summary line of the run it started, and the CPU seconds the process spent meanwhile (Java included: it runs inside).

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
import threading
import time
from collections.abc import Callable
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


WARM_UP = 12.0  # seconds a watching process is left alone after its first build (a curator reads its summary)


class Watching:
    """`lutonkg <command> --watch` on a project, with the time each line of its output arrived."""

    def __init__(self, command: str, project: Path) -> None:
        self.lines: list[tuple[float, str]] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "lutonkg.cli", command, "--watch", "--project", str(project)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        )  # fmt: skip
        threading.Thread(target=self._read, daemon=True).start()
        self.wait_for(f"lutonkg {command}: watching ", 0, 300)
        time.sleep(WARM_UP)

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append((time.perf_counter(), line))

    def wait_for(self, start: str, after: int, timeout: float) -> float:
        """When the first line from index `after` on that starts with `start` arrived."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            for at, line in self.lines[after:]:
                if line.startswith(start):
                    return at
            time.sleep(0.01)
        self.stop()
        sys.exit(f"no line starting {start!r} came: {''.join(line for _, line in self.lines[-5:])}")

    def cpu(self) -> float:
        """CPU seconds (user + system) the process has spent, Java's threads included."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def after(self, change: Callable[[], None], done: str) -> tuple[float, float]:
        """Make the change, then the seconds until the summary line starting `done`, and the CPU seconds meanwhile."""
        seen, cpu = len(self.lines), self.cpu()
        started = time.perf_counter()
        change()
        finished = self.wait_for(done, seen, 120)
        time.sleep(0.05)
        return finished - started, self.cpu() - cpu

    def resident_mb(self) -> int:
        """The process's resident memory now, in MB (Java's heap included: it runs inside)."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) // 1024

    def stop(self) -> None:
        """Ctrl-C, as a curator stops it."""
        self.process.send_signal(2)
        self.process.wait(30)


def watched(command: str, done: str, data: Path, repeats: int) -> list[str]:
    """Rows for note edits and moves under `lutonkg <command> --watch` on a fresh copy of the data."""
    with tempfile.TemporaryDirectory(prefix="lutonkg-watch-") as scratch:
        project = Path(scratch) / "project"
        shutil.copytree(data, project / "graph" / "data")
        relationships = project / "graph" / "data" / "relationships.yaml"
        watching = Watching(command, project)
        memory = [watching.resident_mb()]
        try:
            notes = [
                watching.after(
                    lambda i=i: edit(
                        relationships,
                        NOTE,
                        f"  note: The cohesion report treats the LEA as one part of the council ({i}).",
                    ),
                    done,
                )
                for i in range(repeats)
            ]
            moves = [
                watching.after(lambda body=body: edit(relationships, OBJECT, rf"\g<1>  object: {body}"), done)
                for body in OBJECTS[:repeats]
            ]
            memory.append(watching.resident_mb())
        finally:
            watching.stop()
    under = f"under `lutonkg {command} --watch`: edit one relationship's"
    return [
        row(f"{under} note, to its summary", notes),
        row(f"{under} object (HermiT re-runs), to its summary", moves),
        f"| the `{command} --watch` process's resident memory, after its first {command} and after the edits "
        f"| {memory[0]} MB, {memory[1]} MB | | |",
    ]


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
        rows += watched("build", "built ", ROOT / "graph" / "data", repeats)
        rows += watched("check", "checked ", ROOT / "graph" / "data", repeats)
        load_after = os.getloadavg()
    print("| step | wall s (median) | CPU s (median) | runs: wall/CPU s |")
    print("|---|---|---|---|")
    print("\n".join(rows))
    print(f"\nLoad average (1 min) {load[0]:.1f} before, {load_after[0]:.1f} after; {os.cpu_count()} cores.")


if __name__ == "__main__":
    main()
