"""Running one query in a forked child process, so that no query can take the caller down or run unbounded.

The command line loads the graph, then forks: the child evaluates the query (on a thread with a large stack, under
an address-space limit) and sends the rows back through a pipe; the parent waits at most the time limit. A query that
runs too long is killed (its CPU stops at once, unlike a thread that cannot be interrupted), one that allocates past
the memory limit dies in the child (Oxigraph aborts when an allocation fails), and a crash of the engine (a stack
overflow, say) becomes one error line instead of a dead process. Forking copies nothing until written to, so it
costs a few milliseconds. The child dies with the parent (lutonkg.query.procs.die_with_parent).
"""

from __future__ import annotations

import faulthandler
import os
import pickle
import resource
import selectors
import signal
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from lutonkg.query.guard import QueryRefused
from lutonkg.query.library import QueryError
from lutonkg.query.procs import die_with_parent, status_bytes

T = TypeVar("T")
MEMORY_LIMIT = 2 << 30  # bytes a query may allocate beyond what the process held when it started
STACK_SIZE = 64 << 20  # the evaluating thread's stack: 8x the default, for deep but accepted queries


class QueryLimitError(QueryError):
    """The query was stopped by a limit (time or memory)."""


class QueryTimeout(QueryLimitError):
    """The query ran longer than its time limit."""


class QueryMemoryError(QueryLimitError):
    """The query needed more memory than its limit."""


class EngineCrash(QueryError):
    """The query engine died while evaluating the query."""


def available() -> bool:
    """True where a query can run in a forked child: POSIX fork, and no other thread in this process to copy."""
    return hasattr(os, "fork") and threading.active_count() == 1


def on_big_stack(work: Callable[[], T]) -> T:
    """Run work on a fresh thread with a STACK_SIZE stack and return its result (or raise its exception)."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:  # handed back below
            outcome["error"] = exc

    previous = threading.stack_size(STACK_SIZE)
    try:
        thread = threading.Thread(target=target, name="lutonkg-query")
        thread.start()
    finally:
        threading.stack_size(previous)
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _outcome(work: Callable[[], Any]) -> tuple:
    """What the child sends back: ("ok", value) or (kind, message, reason)."""
    try:
        return ("ok", on_big_stack(work))
    except QueryRefused as exc:
        return ("refused", str(exc), exc.reason)
    except QueryError as exc:
        return ("error", str(exc), None)
    except MemoryError:
        return ("memory", "", None)
    except RecursionError:
        return ("error", "the query nests or chains too deeply for the engine (recursion limit)", None)
    except BaseException as exc:  # anything else is reported as a crash, on one line
        return ("crash", f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}", None)


def _child(work: Callable[[], Any], parent: int, output: int, errors: int, memory: int | None) -> None:
    """The child's side: limits, evaluate, send the pickled outcome, exit without running any cleanup."""
    try:
        die_with_parent(parent)
        faulthandler.disable()  # a crash is reported by the parent, in one line
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
        os.dup2(errors, 2)  # an engine's dying words (e.g. "memory allocation failed") go to the parent
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if memory is not None:
            limit = (status_bytes("self", "VmSize") or 0) + memory + STACK_SIZE
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        payload = pickle.dumps(_outcome(work), protocol=pickle.HIGHEST_PROTOCOL)
        view = memoryview(payload)
        while view:
            view = view[os.write(output, view) :]
    finally:
        os._exit(0)


def _gather(pid: int, output: int, errors: int, timeout: float | None) -> tuple[bytes, bytes, int]:
    """Read the child's output and errors until both close, then reap it; kill it at the deadline."""
    deadline = None if timeout is None else time.monotonic() + timeout
    chunks: dict[int, list[bytes]] = {output: [], errors: []}
    with selectors.DefaultSelector() as selector:
        for fd in (output, errors):
            selector.register(fd, selectors.EVENT_READ)
        while selector.get_map():
            wait = None if deadline is None else deadline - time.monotonic()
            if wait is not None and wait <= 0:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                raise QueryTimeout(f"query stopped after {timeout:g} s (the time limit); narrow it or raise --timeout")
            for key, _ in selector.select(wait):
                data = os.read(key.fd, 1 << 20)
                if data:
                    chunks[key.fd].append(data)
                else:
                    selector.unregister(key.fd)
    _, status = os.waitpid(pid, 0)
    return b"".join(chunks[output]), b"".join(chunks[errors]), status


def _failure(status: int, errors: bytes, memory: int | None) -> QueryError:
    """The error for a child that ended without an answer."""
    said = errors.decode("utf-8", "replace")
    if memory is not None and ("memory allocation" in said or "MemoryError" in said):
        return _memory_error(memory)
    if os.WIFSIGNALED(status):
        name = signal.Signals(os.WTERMSIG(status)).name
        if name == "SIGKILL" and memory is not None:
            return _memory_error(memory)  # the kernel's out-of-memory killer
        return EngineCrash(f"the query engine crashed ({name}) on this query; nothing was answered")
    return EngineCrash(f"the query engine stopped (exit status {os.WEXITSTATUS(status)}); nothing was answered")


def _memory_error(memory: int) -> QueryMemoryError:
    """The error for a query over the memory limit."""
    limit = f"{memory / 2**30:g} GiB"
    return QueryMemoryError(f"query stopped: it needed more than {limit} of memory (the limit); narrow it")


def run_isolated(work: Callable[[], T], timeout: float | None = None, memory: int | None = MEMORY_LIMIT) -> T:
    """work() evaluated in a forked child within the time and memory limits; its result, or its error re-raised.

    work's result must pickle. Call only where available() is true.
    """
    output_r, output_w = os.pipe()
    errors_r, errors_w = os.pipe()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:
        os.close(output_r)
        os.close(errors_r)
        _child(work, parent, output_w, errors_w, memory)
    os.close(output_w)
    os.close(errors_w)
    try:
        payload, errors, status = _gather(pid, output_r, errors_r, timeout)
    except BaseException:  # Ctrl-C or a timeout: the child must not outlive the wait
        _reap(pid)
        raise
    finally:
        os.close(output_r)
        os.close(errors_r)
    if not payload:
        raise _failure(status, errors, memory)
    kind, *rest = pickle.loads(payload)
    if kind == "ok":
        return rest[0]
    if kind == "refused":
        raise QueryRefused(rest[0], rest[1])
    if kind == "memory":
        raise _memory_error(memory or 0)
    if kind == "crash":
        raise EngineCrash(f"the query engine failed: {rest[0]}")
    raise QueryError(rest[0])


def _reap(pid: int) -> None:
    """Kill and reap the child if it is still there."""
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass
