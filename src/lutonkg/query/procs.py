"""Small process helpers shared by the isolated query runner and the server: dying with the parent, memory figures."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import resource
import signal
from collections.abc import Callable
from pathlib import Path

PR_SET_PDEATHSIG = 1

try:
    _PRCTL: Callable[..., int] | None = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True).prctl
except (OSError, AttributeError):  # not Linux: no parent-death signal; the caller's own cleanup must do
    _PRCTL = None


def die_with_parent(parent: int) -> None:
    """In a child process: be killed (SIGKILL) when the parent dies, and leave at once if it already has.

    The kernel sends the signal when the thread that forked the child ends, so fork from a thread that lives as long
    as the process (the main thread). The getppid check closes the gap between fork and prctl.
    """
    if _PRCTL is not None:
        _PRCTL(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


def child_setup(parent: int) -> Callable[[], None]:
    """A preexec_fn for subprocess.Popen: die with this process, write no core dumps."""

    def setup() -> None:
        die_with_parent(parent)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return setup


def status_bytes(pid: int | str, field: str) -> int | None:
    """A memory figure (VmSize, VmRSS, VmHWM ...) of a process in bytes, from /proc; None if unavailable."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None
