"""Helpers for the tests of `lutonkg serve`: free ports, starting a server with its own TMPDIR, finding its Oxigraph.

Each server under test gets a private TMPDIR, so the Oxigraph processes and work folders it leaves (or not) are told
apart from anyone else's on the machine.
"""

from __future__ import annotations

import os
import selectors
import signal
import socket
import subprocess
import sys
from pathlib import Path


def free_port() -> int:
    """A loopback port nobody is listening on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def engine_pids(tmp: Path) -> list[int]:
    """`oxigraph` processes whose command line names a path inside tmp (read from /proc; nothing is signalled)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                args = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if args and args[0].endswith(b"oxigraph") and any(a.startswith(bytes(tmp) + b"/") for a in args):
                found.append(int(entry.name))
    return found


def kill_engines(tmp: Path) -> None:
    """Never leave an Oxigraph of a test behind, whatever happened (the assertions say whether one was left)."""
    for pid in engine_pids(tmp):
        os.kill(pid, signal.SIGKILL)


def spawn_serve(graph: Path, port: int, tmp: Path, *extra: str) -> subprocess.Popen:
    """Start `lutonkg serve` with work folders in tmp (not waiting for it)."""
    return subprocess.Popen(
        [sys.executable, "-m", "lutonkg.cli", "serve", "--graph", str(graph), "--port", str(port), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TMPDIR": str(tmp)},
    )


def serving_line(process: subprocess.Popen, timeout: float = 90) -> str:
    """The server's first output line ('serving ...'), waited for at most timeout seconds ('' if none)."""
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            return ""
    return process.stdout.readline()


def start_serve(graph: Path, port: int, tmp: Path, *extra: str) -> tuple[subprocess.Popen, str]:
    """Start `lutonkg serve` and wait for its 'serving' line; returns the process and the endpoint URL."""
    process = spawn_serve(graph, port, tmp, *extra)
    line = serving_line(process)
    if not line.startswith("serving"):
        process.kill()
        raise AssertionError(f"serve did not start: {line}{process.stderr.read()}")
    return process, line.split("SPARQL endpoint ", 1)[1].split(",", 1)[0]
