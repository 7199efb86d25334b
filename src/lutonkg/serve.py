"""`lutonkg serve`: the built graph over the SPARQL 1.1 Protocol, read-only, with the Oxigraph server.

The graph is loaded with `oxigraph load` into a store in a temporary folder; `oxigraph update` then copies every
triple of the named graphs, once, into the default graph (as lutonkg.store does for the embedded store), so a
query without GRAPH sees the union of the sources without counting a fact twice, and GRAPH ?g still reaches each
source's named graph. `oxigraph serve-read-only` serves it: updates are refused, and it listens on 127.0.0.1
unless told otherwise. Ctrl-C or SIGTERM stops the server and removes the temporary store.
"""

from __future__ import annotations

import argparse
import errno
import ipaddress
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
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from lutonkg.store import NQUADS

DEFAULT_PORT = 7878
DEFAULT_BIND = "127.0.0.1"
DEFAULT_TIMEOUT = 60
UNION_UPDATE = "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"


class ServeError(Exception):
    """The server could not be prepared or started; the message is one line for the user."""


class _Stop(Exception):
    """Raised by the SIGTERM handler to leave the wait loop and shut down cleanly."""


@dataclass
class Server:
    """A running Oxigraph server: its process, the address it listens on and its store folder."""

    process: subprocess.Popen
    host: str
    port: int
    location: Path
    log: Path

    @property
    def url(self) -> str:
        """The base URL (the query page)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def endpoint(self) -> str:
        """The SPARQL query endpoint."""
        return self.url + "/query"


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


def load_store(graph: Path, location: Path) -> None:
    """Load the N-Quads into an Oxigraph store folder and copy the union of its graphs into the default graph."""
    if not graph.is_file():
        raise ServeError(f"graph file {graph} not found; build it with `python build_graph.py`")
    command = oxigraph_command()
    _run([command, "load", "--location", str(location), "--file", str(graph), "--format", "nq"], f"loading {graph}")
    _run([command, "update", "--location", str(location), "--update", UNION_UPDATE], "building the union graph")


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


def start(location: Path, host: str, port: int, timeout: float = DEFAULT_TIMEOUT, wait: float = 30) -> Server:
    """Start `oxigraph serve-read-only` on a loaded store and wait until it answers."""
    check_port(host, port)
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    log = location.parent / f"{location.name}.log"
    args = [oxigraph_command(), "serve-read-only", "--location", str(location), "--bind", bind]
    args += ["--timeout-s", str(max(1, round(timeout)))]
    with log.open("wb") as err:
        process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL)
    server = Server(process, host, port, location, log)
    deadline = time.monotonic() + wait
    while not _ready(server):
        if process.poll() is not None:
            raise ServeError(f"the Oxigraph server stopped at once: {_last_line(log)}")
        if time.monotonic() > deadline:
            stop(server)
            raise ServeError(f"the Oxigraph server did not answer within {wait:g} s")
        time.sleep(0.05)
    return server


def stop(server: Server, grace: float = 5) -> None:
    """Stop the server process: SIGTERM, then SIGKILL if it does not leave within the grace period."""
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(grace)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


@contextmanager
def serving(
    graph: Path = NQUADS, host: str = DEFAULT_BIND, port: int = DEFAULT_PORT, timeout: float = DEFAULT_TIMEOUT
) -> Iterator[Server]:
    """A read-only server of the graph for the duration of a with-block; store and process cleaned up after."""
    folder = Path(tempfile.mkdtemp(prefix="lutonkg-serve-"))
    try:
        check_port(host, port)
        location = folder / "store"
        load_store(graph, location)
        server = start(location, host, port, timeout)
        try:
            yield server
        finally:
            stop(server)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _on_sigterm(signum: int, frame: object) -> None:
    """Turn SIGTERM into a clean shutdown."""
    raise _Stop


def _cmd_serve(args: argparse.Namespace) -> int:
    """Serve the graph until Ctrl-C or SIGTERM; one error line and a non-zero exit if it cannot start."""
    if not 0 < args.port < 65536:
        print(f"lutonkg serve: error: --port must be between 1 and 65535, not {args.port}", file=sys.stderr)
        return 2
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        with serving(Path(args.graph), args.bind, args.port, args.timeout) as server:
            print(f"serving {args.graph} read-only: SPARQL endpoint {server.endpoint}, query page {server.url}/")
            if not is_loopback(args.bind):
                print(f"warning: listening on {args.bind}, not loopback: anyone who can reach it can query the graph")
            print("press Ctrl-C to stop", flush=True)
            server.process.wait()
            print(f"lutonkg serve: error: the Oxigraph server stopped: {_last_line(server.log)}", file=sys.stderr)
            return 1
    except ServeError as exc:
        print(f"lutonkg serve: error: {exc}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, _Stop):
        print("stopped", flush=True)
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register `serve` with the `lutonkg` command."""
    p = subparsers.add_parser(
        "serve",
        help="serve the graph read-only over the SPARQL 1.1 Protocol (Oxigraph server)",
        description="Serve graph/lutonkg.nq read-only with `oxigraph serve-read-only`; queries without GRAPH see "
        "the union of the named graphs.",
    )
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port to listen on (default: {DEFAULT_PORT})")
    p.add_argument("--bind", default=DEFAULT_BIND, help=f"address to listen on (default: {DEFAULT_BIND}, loopback)")
    p.add_argument("--graph", default=str(NQUADS), help="N-Quads file to serve (default: graph/lutonkg.nq)")
    p.add_argument(
        "--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="S",
        help=f"the server stops a query after S seconds (default: {DEFAULT_TIMEOUT})",
    )
    p.set_defaults(func=_cmd_serve)
