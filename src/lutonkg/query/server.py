"""`lutonkg serve`: the built graph over the SPARQL 1.1 Protocol, read-only, with the Oxigraph server behind a front.

The graph is loaded with `oxigraph load` into a store in a temporary work folder, together with a copy of every triple
in the default graph (as the embedded store does), so a query without GRAPH sees the union of the sources without
counting a fact twice, and GRAPH ?g still reaches each source's named graph. (Oxigraph's own
--union-default-graph option would return a fact once per document that states it; copying the union with
`oxigraph update` instead leaves a write-ahead log that the read-only server replays at every start.)

`oxigraph serve-read-only` serves it on a private loopback port; the public address is the project's own HTTP front
(lutonkg.query.front), which refuses what must not reach the engine and checks every answer. This module runs the
processes:

- Oxigraph is started from the main thread with a parent-death signal (lutonkg.query.procs): when `lutonkg serve`
  dies, even by SIGKILL, so does Oxigraph. SIGTERM, SIGHUP and Ctrl-C stop both and remove the work folder.
- The work folder holds a lock while its server lives; every start removes the folders of servers that died
  without cleaning up (their lock is free), and kills an Oxigraph still serving from one (left by an older version).
- The supervisor (the main thread) restarts Oxigraph when it dies, when a request passed its time limit (the only way
  to stop a query that sorts or aggregates), and when its resident memory grows past the limit; the front stays up.
"""

from __future__ import annotations

import errno
import fcntl
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from threading import Thread
from typing import NoReturn

import pyoxigraph as ox

from lutonkg.query.front import Front, FrontServer, Upstream
from lutonkg.query.guard import LIMITS, Limits
from lutonkg.query.ondisk import StoreError, open_store
from lutonkg.query.procs import child_setup, status_bytes

DEFAULT_PORT = 7878
DEFAULT_BIND = "127.0.0.1"
DEFAULT_TIMEOUT = 60
MEMORY_LIMIT = 2 << 30  # bytes Oxigraph may grow by (resident) beyond what it holds once started
ENGINE_STACK = 64 << 20  # RUST_MIN_STACK for Oxigraph's threads: 8x the default 8 MiB
POLL = 0.1  # seconds between the supervisor's looks at Oxigraph
START_FAILURES = 3  # consecutive failed starts after which serving gives up
WORK_PREFIX = "lutonkg-serve-"
STALE_UNLOCKED = 600  # seconds after which a work folder without a lock file counts as abandoned


class ServeError(Exception):
    """The server could not be prepared or started; the message is one line for the user."""


@dataclass
class Server:
    """An Oxigraph server over a loaded store folder: where it listens, its process (once started) and its log."""

    location: Path
    host: str
    port: int
    timeout: float = DEFAULT_TIMEOUT
    process: subprocess.Popen | None = None
    logfile: Path | None = None  # default: beside the store

    @property
    def url(self) -> str:
        """The base URL (the query page)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def endpoint(self) -> str:
        """The SPARQL query endpoint."""
        return self.url + "/query"

    @property
    def log(self) -> Path:
        """The file the server's own messages go to (beside the store unless given)."""
        return self.logfile or self.location.parent / f"{self.location.name}.log"


def oxigraph_command() -> str:
    """The `oxigraph` executable from the oxigraph PyPI package (beside this Python first, so no shell shim runs)."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("oxigraph")
    if found is None:
        raise ServeError("the `oxigraph` command was not found; install it with `pip install oxigraph`")
    return found


def _run(args: list[str], what: str) -> None:
    """Run an oxigraph subcommand to completion; its last error line becomes a ServeError."""
    done = subprocess.run(
        args, capture_output=True, text=True, check=False, preexec_fn=child_setup(os.getpid())
    )  # fmt: skip
    if done.returncode != 0:
        lines = [line for line in (done.stderr or done.stdout).splitlines() if line.strip()]
        raise ServeError(f"{what} failed: {lines[-1] if lines else f'exit code {done.returncode}'}")


def union_dataset(graph: Path, target: Path, names: set[str] | None = None) -> int:
    """Write the dataset again with each triple also in the default graph; returns the number of quads read.

    Loading this one file gives the store its named graphs and, in the default graph, their union (the store keeps
    each triple once), with blank nodes shared between the two because they come from one file. The named graphs'
    IRIs are added to `names`.
    """
    count = 0
    seen = names if names is not None else set()

    def quads() -> Iterator[ox.Quad]:
        nonlocal count
        for quad in ox.parse(path=str(graph), format=ox.RdfFormat.N_QUADS):
            count += 1
            yield quad
            if not isinstance(quad.graph_name, ox.DefaultGraph):
                if isinstance(quad.graph_name, ox.NamedNode):
                    seen.add(quad.graph_name.value)
                yield ox.Quad(quad.subject, quad.predicate, quad.object, ox.DefaultGraph())

    try:
        ox.serialize(quads(), str(target), ox.RdfFormat.N_QUADS)
    except (SyntaxError, ValueError) as exc:
        raise ServeError(f"cannot read {graph}: {' '.join(str(exc).split())}") from None
    return count


def load_store(graph: Path, location: Path, names: set[str] | None = None) -> int:
    """Load the N-Quads into an Oxigraph store folder, with the union of its graphs as the default graph."""
    if not graph.is_file():
        raise ServeError(f"graph file {graph} not found; build it with `lutonkg build`")
    combined = location.parent / f"{location.name}-load.nq"
    try:
        count = union_dataset(graph, combined, names)
        # --lenient only skips re-validating what pyoxigraph has just parsed and written itself
        args = [oxigraph_command(), "load", "--lenient", "--location", str(location), "--file", str(combined)]
        _run(args, f"loading {graph}")
    finally:
        combined.unlink(missing_ok=True)
    return count


def check_port(host: str, port: int) -> None:
    """Fail with one clear line if the address cannot be listened on (port in use, or not this machine's)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise ServeError(f"port {port} on {host} is already in use; choose another with --port") from None
            raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on now (for Oxigraph's private address)."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def _ready(server: Server) -> bool:
    """True once the server answers a trivial query."""
    query = urllib.parse.urlencode({"query": "ASK {}"})
    try:
        with urllib.request.urlopen(f"{server.endpoint}?{query}", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _last_line(path: Path) -> str:
    """The last non-empty line of a log file, or a placeholder."""
    with suppress(OSError):
        lines = [line for line in path.read_text(errors="replace").splitlines() if line.strip()]
        if lines:
            return lines[-1].strip()
    return "no message"


def start(server: Server, wait: float = 30) -> None:
    """Start `oxigraph serve-read-only` on the loaded store and wait until it answers.

    Oxigraph dies with this process (call from the main thread: the parent-death signal follows the forking thread),
    runs in its own session (Ctrl-C reaches only `lutonkg serve`, which stops it), with 64 MiB thread stacks, and
    with its own time limit a second later than the front's (so the front's deadline always comes first).
    """
    check_port(server.host, server.port)
    bind = f"[{server.host}]:{server.port}" if ":" in server.host else f"{server.host}:{server.port}"
    args = [oxigraph_command(), "serve-read-only", "--location", str(server.location), "--bind", bind]
    args += ["--timeout-s", str(max(1, math.ceil(server.timeout)) + 1)]
    env = {**os.environ, "RUST_MIN_STACK": str(ENGINE_STACK)}
    with server.log.open("ab") as err:
        server.process = subprocess.Popen(
            args, stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL, env=env,
            preexec_fn=child_setup(os.getpid()), start_new_session=True,
        )  # fmt: skip
    deadline = time.monotonic() + wait
    while not _ready(server):
        if server.process.poll() is not None:
            raise ServeError(f"the Oxigraph server stopped at once: {_last_line(server.log)}")
        if time.monotonic() > deadline:
            stop(server)
            raise ServeError(f"the Oxigraph server did not answer within {wait:g} s")
        time.sleep(0.02)


def stop(server: Server, grace: float = 5) -> None:
    """Stop the server process: SIGTERM, then SIGKILL if it does not leave within the grace period (0: at once)."""
    process = server.process
    if process is not None and process.poll() is None:
        if grace > 0:
            process.terminate()
            with suppress(subprocess.TimeoutExpired):
                process.wait(grace)
        if process.poll() is None:
            process.kill()
            process.wait()


@dataclass
class Workdir:
    """A work folder for one server, locked while it lives."""

    path: Path
    lock: int

    def release(self) -> None:
        """Remove the folder and drop the lock."""
        shutil.rmtree(self.path, ignore_errors=True)
        os.close(self.lock)


def claim_workdir(parent: Path | None = None) -> Workdir:
    """A fresh work folder in the temporary directory, with its lock held by this process."""
    path = Path(tempfile.mkdtemp(prefix=WORK_PREFIX, dir=parent))
    lock = os.open(path / "lock", os.O_WRONLY | os.O_CREAT, 0o600)
    fcntl.flock(lock, fcntl.LOCK_EX)
    os.write(lock, f"{os.getpid()}\n".encode())
    return Workdir(path, lock)


def _locked(folder: Path) -> bool | None:
    """Whether a live server holds the folder's lock; None when the folder has no lock file (an older version's)."""
    try:
        lock = os.open(folder / "lock", os.O_RDONLY)
    except FileNotFoundError:
        return None
    except OSError:
        return True  # cannot tell: leave it alone
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(lock)
    return False


def _oxigraph_pids_in(folder: Path) -> dict[int, int]:
    """This user's `oxigraph` processes whose command line names a path inside the folder, with their parents."""
    found, inside, uid = {}, str(folder) + os.sep, os.getuid()
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if entry.stat().st_uid != uid:
                continue
            args = (entry / "cmdline").read_bytes().split(b"\0")
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if Path(os.fsdecode(args[0])).name == "oxigraph" and any(os.fsdecode(a).startswith(inside) for a in args):
            found[int(entry.name)] = parent
    return found


def _lutonkg(pid: int) -> bool:
    """True when the process runs `lutonkg serve` (a live server of an older version, which has no lock file).

    Only the command itself counts: `lutonkg …` or `python -m lutonkg…`, with `serve` among its words. An orphaned
    Oxigraph is adopted by whatever reaps orphans (init, a container's supervisor, a CI runner), whose own command
    line may well mention lutonkg in a path.
    """
    try:
        args = [os.fsdecode(a) for a in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0") if a]
    except OSError:
        return False
    names = [Path(a).name for a in args[:2]]
    module = next((args[i + 1] for i in range(len(args) - 1) if args[i] == "-m"), "")
    return ("lutonkg" in names or module.split(".")[0] == "lutonkg") and "serve" in args


def clean_stale(parent: Path | None = None) -> list[Path]:
    """Remove the work folders of servers that died without cleaning up, stopping any Oxigraph left serving one.

    A folder is abandoned when its lock is free; a folder without a lock file (from a version before the lock, or
    one being created this instant) when no lutonkg process runs an Oxigraph in it and, if none runs at all, it is
    older than STALE_UNLOCKED seconds. An Oxigraph whose `lutonkg serve` died is an orphan: it is killed.
    """
    removed = []
    for folder in Path(parent or tempfile.gettempdir()).glob(WORK_PREFIX + "*"):
        try:
            ours = folder.is_dir() and not folder.is_symlink() and folder.stat().st_uid == os.getuid()
            age = time.time() - folder.stat().st_mtime
        except OSError:
            continue
        locked = _locked(folder) if ours else True
        engines = _oxigraph_pids_in(folder) if locked is not True else {}
        if locked is None and (any(_lutonkg(p) for p in engines.values()) or (not engines and age < STALE_UNLOCKED)):
            continue
        if locked is True:
            continue
        for pid in engines:
            with suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        _wait_gone(engines)
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def _wait_gone(pids: Iterable[int], grace: float = 10.0) -> None:
    """Wait until killed processes have left (and so released their port), for at most `grace` seconds."""
    deadline = time.monotonic() + grace
    for pid in pids:
        while _running(pid) and time.monotonic() < deadline:
            time.sleep(0.02)


def _running(pid: int) -> bool:
    """Whether a process still runs: any of its threads is not yet a zombie.

    A killed multithreaded process (Oxigraph) shows its main thread as a zombie while the others are still closing
    its files, so only when every thread is a zombie has it released its port.
    """
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return False
    for task in tasks:
        try:
            if "\nState:\tZ" not in (task / "status").read_text():
                return True
        except OSError:
            continue
    return False


@dataclass
class Service:
    """A running `lutonkg serve`: the Oxigraph process, the front on the public address, and their supervisor."""

    engine: Server
    front: FrontServer
    upstream: Upstream
    memory: int = MEMORY_LIMIT
    baseline: int = 0
    thread: Thread | None = None
    restarts: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        """The public base URL (Oxigraph's query page, through the front)."""
        host, port = self.front.server_address[:2]
        return f"http://[{host}]:{port}" if ":" in str(host) else f"http://{host}:{port}"

    @property
    def endpoint(self) -> str:
        """The public SPARQL endpoint."""
        return self.url + "/query"

    def start_engine(self) -> None:
        """Start Oxigraph (from the main thread), retrying a few times; note its resident memory when ready."""
        for attempt in range(START_FAILURES):
            try:
                start(self.engine)
                break
            except ServeError:
                if attempt == START_FAILURES - 1:
                    raise
                self.engine.port = free_port()
        self.baseline = status_bytes(self.engine.process.pid, "VmRSS") or 0
        self.upstream.up(self.engine.port)

    def restart(self, cause: str) -> None:
        """Stop Oxigraph at once and start it again; requests in flight learn the cause through the upstream."""
        self.upstream.down(cause)
        stop(self.engine, grace=0)
        reason = {"timeout": "a query passed the time limit", "memory": "a query passed the memory limit"}.get(
            cause, f"it stopped: {_last_line(self.engine.log)}"
        )
        print(f"lutonkg serve: restarting the query engine ({reason})", file=sys.stderr, flush=True)
        self.restarts.append(cause)
        self.start_engine()

    def over_memory(self) -> bool:
        """True when Oxigraph's resident memory is past its baseline plus the limit."""
        rss = status_bytes(self.engine.process.pid, "VmRSS")
        return rss is not None and rss > self.baseline + self.memory

    def watch(self) -> None:
        """One look at Oxigraph (main thread): restart it if it died, was asked to, or grew past the memory limit."""
        self.upstream.wake.wait(POLL)
        wanted = self.upstream.take_restart()
        if self.engine.process.poll() is not None:
            self.restart("crashed")
        elif wanted is not None:
            self.restart(wanted)
        elif self.over_memory():
            self.restart("memory")

    def close(self) -> None:
        """Stop the front and Oxigraph."""
        if self.thread is not None:
            self.front.shutdown()
        self.front.server_close()
        self.upstream.down("stopped")
        stop(self.engine)


def supervise(service: Service) -> NoReturn:
    """Watch over Oxigraph until a signal ends the process (it raises in this, the main, thread)."""
    while True:
        service.watch()


@contextmanager
def serving(
    graph: Path,
    host: str = DEFAULT_BIND,
    port: int = DEFAULT_PORT,
    timeout: float = DEFAULT_TIMEOUT,
    memory: int = MEMORY_LIMIT,
    limits: Limits = LIMITS,
    tmp: Path | None = None,
    site: Path | None = None,
    stores: Path | None = None,
) -> Iterator[Service]:
    """A read-only server of the graph for the duration of a with-block; processes and work folder cleaned up after.

    Call supervise(service) (or service.watch() in a loop) from the main thread to keep Oxigraph running. tmp: where
    work folders go (default: the system's temporary directory). site: a review site folder served under /site/.
    stores: a folder of persistent stores (lutonkg.query.ondisk): the graph's store there is served (built first
    if missing) instead of a fresh load.
    """
    clean_stale(tmp)
    check_port(host, port)
    workdir = claim_workdir(tmp)
    try:
        with ExitStack() as held:
            names: set[str] = set()
            location = _prepare_store(graph, workdir.path, names, stores, held)
            engine = Server(location, "127.0.0.1", free_port(), timeout)
            yield from _serve(engine, names, host, port, timeout, memory, limits, site)
    finally:
        workdir.release()


def _prepare_store(graph: Path, work: Path, names: set[str], stores: Path | None, held: ExitStack) -> Path:
    """The store folder to serve, work/store: a fresh load, or a link to the graph's persistent store (whose shared
    lock is held until exit; Oxigraph's command line still names the work folder, which clean_stale relies on)."""
    location = work / "store"
    if stores is None:
        load_store(graph, location, names)
        return location
    try:
        disk = open_store(graph, stores)
    except StoreError as exc:
        raise ServeError(str(exc)) from None
    held.callback(disk.close)
    names.update(g.value for g in disk.store.named_graphs() if isinstance(g, ox.NamedNode))
    location.symlink_to(disk.path.resolve(), target_is_directory=True)
    return location


def _serve(
    engine: Server,
    names: set[str],
    host: str,
    port: int,
    timeout: float,
    memory: int,
    limits: Limits,
    site: Path | None,
) -> Iterator[Service]:
    """Start the front and Oxigraph, yield the service, and stop both afterwards."""
    upstream = Upstream(engine.host, engine.port)
    try:
        front = FrontServer(host, port, Front(upstream, timeout, frozenset(names), limits, site))
    except OSError as exc:
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    service = Service(engine, front, upstream, memory)
    try:
        service.start_engine()
        service.thread = Thread(target=front.serve_forever, args=(0.2,), name="lutonkg-front", daemon=True)
        service.thread.start()
        yield service
    finally:
        service.close()
