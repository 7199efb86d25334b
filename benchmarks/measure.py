"""Shared helpers for the benchmarks: timing statistics, memory readings and a description of the machine."""

from __future__ import annotations

import contextlib
import importlib.metadata
import math
import os
import platform
import resource
import shutil
import subprocess
from pathlib import Path


def median(values: list[float]) -> float:
    """The median of a non-empty list."""
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def percentile(values: list[float], pct: float) -> float:
    """The nearest-rank percentile (pct in 0-100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def _status(field: str) -> float:
    """A field of /proc/self/status in MB (Linux)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def rss_mb() -> float:
    """This process's resident memory now, in MB."""
    return _status("VmRSS")


def peak_mb() -> float:
    """This process's peak resident memory since the last reset_peak(), in MB."""
    return _status("VmHWM")


def reset_peak() -> None:
    """Start a new peak-memory window (Linux: writing 5 to clear_refs resets VmHWM)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def children_peak_mb() -> float:
    """The largest peak resident memory of any finished child process (e.g. the Java reasoner), in MB."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def folder_mb(path: Path) -> float:
    """The size of the files under a folder, in MB."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def _version(package: str) -> str:
    """An installed package's version, or 'absent'."""
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "absent"


def _cpu_model() -> str:
    """The CPU model name from /proc/cpuinfo."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine() -> dict[str, str]:
    """What the numbers were measured on: CPU, cores, memory, OS, Python and the libraries that matter."""
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    java = shutil.which("java")
    java_version = "absent"
    if java:
        done = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
        java_version = (done.stderr or done.stdout).splitlines()[0] if (done.stderr or done.stdout) else "unknown"
    oxigraph = shutil.which("oxigraph")
    server = subprocess.run([oxigraph, "--version"], capture_output=True, text=True, check=False).stdout.strip()
    return {
        "cpu": f"{_cpu_model()}, {len(os.sched_getaffinity(0))} cores available",
        "memory": f"{memory:.0f} GiB",
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "pyoxigraph": _version("pyoxigraph"),
        "oxigraph server": server if oxigraph else "absent",
        "rdflib": _version("rdflib"),
        "pyshacl": _version("pyshacl"),
        "owlready2": _version("owlready2"),
        "java": java_version,
    }


def markdown_table(headers: list[str], rows: list[list[object]]) -> str:
    """A GitHub-flavoured Markdown table."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def describe_machine() -> str:
    """The machine description as Markdown bullet points."""
    return "\n".join(f"- {key}: {value}" for key, value in machine().items())
