"""`lutonkg serve`: the built graph over the SPARQL 1.1 Protocol, read-only, with the Oxigraph server.

The graph is loaded with `oxigraph load` into a store in a temporary folder, together with a copy of every triple
in the default graph (as the embedded store does), so a query without GRAPH sees the union of the sources without
counting a fact twice, and GRAPH ?g still reaches each source's named graph. (Oxigraph's own
--union-default-graph option would return a fact once per document that states it; copying the union with
`oxigraph update` instead leaves a write-ahead log that the read-only server replays at every start.)

`oxigraph serve-read-only` serves it: updates are refused, and it listens on 127.0.0.1 unless told otherwise. If a
query crashes the server (Oxigraph 0.5 aborts on some pathological queries, e.g. thousands of nested groups) it is
restarted, up to five times a minute. Ctrl-C or SIGTERM stops the server and removes the temporary store.
"""

from __future__ import annotations

import errno
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pyoxigraph as ox

DEFAULT_PORT = 7878
DEFAULT_BIND = "127.0.0.1"
DEFAULT_TIMEOUT = 60
RESTARTS = 5
RESTART_WINDOW = 60.0


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
        """The file the server's own messages go to (beside the store)."""
        return self.location.parent / f"{self.location.name}.log"


def oxigraph_command() -> str:
    """The `oxigraph` executable from the oxigraph PyPI package."""
    found = shutil.which("oxigraph")
    if found is None:
        raise ServeError("the `oxigraph` command was not found; install it with `pip install oxigraph`")
    return found


def _run(args: list[str], what: str) -> None:
    """Run an oxigraph subcommand to completion; its last error line becomes a ServeError."""
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = [line for line in (done.stderr or done.stdout).splitlines() if line.strip()]
        raise ServeError(f"{what} failed: {lines[-1] if lines else f'exit code {done.returncode}'}")


def union_dataset(graph: Path, target: Path) -> int:
    """Write the dataset again with each triple also in the default graph; returns the number of quads read.

    Loading this one file gives the store its named graphs and, in the default graph, their union (the store keeps
    each triple once), with blank nodes shared between the two because they come from one file.
    """
    count = 0

    def quads() -> Iterator[ox.Quad]:
        nonlocal count
        for quad in ox.parse(path=str(graph), format=ox.RdfFormat.N_QUADS):
            count += 1
            yield quad
            if not isinstance(quad.graph_name, ox.DefaultGraph):
                yield ox.Quad(quad.subject, quad.predicate, quad.object, ox.DefaultGraph())

    try:
        ox.serialize(quads(), str(target), ox.RdfFormat.N_QUADS)
    except (SyntaxError, ValueError) as exc:
        raise ServeError(f"cannot read {graph}: {' '.join(str(exc).split())}") from None
    return count


def load_store(graph: Path, location: Path) -> int:
    """Load the N-Quads into an Oxigraph store folder, with the union of its graphs as the default graph."""
    if not graph.is_file():
        raise ServeError(f"graph file {graph} not found; build it with `lutonkg build`")
    combined = location.parent / f"{location.name}-load.nq"
    try:
        count = union_dataset(graph, combined)
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
    """Start `oxigraph serve-read-only` on the loaded store and wait until it answers."""
    check_port(server.host, server.port)
    bind = f"[{server.host}]:{server.port}" if ":" in server.host else f"{server.host}:{server.port}"
    args = [oxigraph_command(), "serve-read-only", "--location", str(server.location), "--bind", bind]
    args += ["--timeout-s", str(max(1, round(server.timeout)))]
    with server.log.open("ab") as err:
        server.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + wait
    while not _ready(server):
        if server.process.poll() is not None:
            raise ServeError(f"the Oxigraph server stopped at once: {_last_line(server.log)}")
        if time.monotonic() > deadline:
            stop(server)
            raise ServeError(f"the Oxigraph server did not answer within {wait:g} s")
        time.sleep(0.05)


def stop(server: Server, grace: float = 5) -> None:
    """Stop the server process: SIGTERM, then SIGKILL if it does not leave within the grace period."""
    process = server.process
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def supervise(server: Server, restarts: int = RESTARTS, window: float = RESTART_WINDOW) -> NoReturn:
    """Wait on the server and restart it if it dies (a query can crash it); give up after too many deaths."""
    deaths: deque[float] = deque()
    while True:
        assert server.process is not None
        server.process.wait()
        reason = _last_line(server.log)
        now = time.monotonic()
        deaths.append(now)
        while deaths and now - deaths[0] > window:
            deaths.popleft()
        if len(deaths) > restarts:
            raise ServeError(f"the Oxigraph server stopped {len(deaths)} times within {window:g} s; last: {reason}")
        print(f"lutonkg serve: the Oxigraph server stopped ({reason}); restarting it", file=sys.stderr, flush=True)
        start(server)


@contextmanager
def serving(
    graph: Path, host: str = DEFAULT_BIND, port: int = DEFAULT_PORT, timeout: float = DEFAULT_TIMEOUT
) -> Iterator[Server]:
    """A read-only server of the graph for the duration of a with-block; store and process cleaned up after."""
    folder = Path(tempfile.mkdtemp(prefix="lutonkg-serve-"))
    try:
        check_port(host, port)
        server = Server(folder / "store", host, port, timeout)
        load_store(graph, server.location)
        start(server)
        try:
            yield server
        finally:
            stop(server)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
