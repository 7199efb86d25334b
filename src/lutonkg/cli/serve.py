"""`lutonkg serve`: the project's built graph over the SPARQL 1.1 Protocol, read-only, with the Oxigraph server."""

from __future__ import annotations

import argparse
import ipaddress
import signal
import sys
from pathlib import Path

from lutonkg.cli.common import fail, graph_file, graph_option, project, store_root, timeout_problem
from lutonkg.query.server import DEFAULT_BIND, DEFAULT_PORT, DEFAULT_TIMEOUT, ServeError, serving, supervise


class _Stop(Exception):
    """Raised by the SIGTERM handler to leave the wait loop and shut down cleanly."""


def _is_ipv6(host: str) -> bool:
    """True for an IPv6 address such as ::1."""
    try:
        return ipaddress.ip_address(host).version == 6
    except ValueError:
        return False


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _on_sigterm(signum: int, frame: object) -> None:
    """Turn SIGTERM or SIGHUP (the terminal closed) into a clean shutdown."""
    raise _Stop


def _cmd_serve(args: argparse.Namespace) -> int:
    """Serve the graph until Ctrl-C, SIGTERM or SIGHUP; one error line and a non-zero exit if it cannot start."""
    problem = timeout_problem("--timeout", args.timeout)
    if problem:
        return fail("serve", problem)
    if not 0 < args.port < 65536:
        print(f"lutonkg serve: error: --port must be between 1 and 65535, not {args.port}", file=sys.stderr)
        return 2
    if ":" in args.bind and not _is_ipv6(args.bind):
        print(
            f"lutonkg serve: error: --bind takes an address ({args.bind!r}); give the port with --port", file=sys.stderr
        )
        return 2
    site = _site_folder(args)
    if isinstance(site, str):
        return fail("serve", site)
    previous = {sig: signal.signal(sig, _on_sigterm) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        graph = graph_file(args)
        with serving(graph, args.bind, args.port, args.timeout, site=site, stores=store_root(args)) as server:
            print(f"serving {graph} read-only: SPARQL endpoint {server.endpoint}, query page {server.url}/")
            if site is not None:
                print(f"review site {server.url}/site/ (from {site})")
            if not is_loopback(args.bind):
                print(f"warning: listening on {args.bind}, not loopback: anyone who can reach it can query the graph")
            print("press Ctrl-C to stop", flush=True)
            supervise(server)
    except ServeError as exc:
        print(f"lutonkg serve: error: {exc}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, _Stop):
        print("stopped", flush=True)
        return 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _site_folder(args: argparse.Namespace) -> Path | str | None:
    """The review site folder to serve beside the endpoint (None: no site), or the problem with it."""
    if args.site is None:
        return None
    folder = Path(args.site) if args.site else project(args).output_dir / "site"
    if not (folder / "index.html").is_file():
        return f"{folder} holds no review site (no index.html): write it first with `lutonkg site --out {folder}`"
    return folder


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register `serve` with the `lutonkg` command."""
    p = subparsers.add_parser(
        "serve",
        help="serve the graph read-only over the SPARQL 1.1 Protocol (Oxigraph server)",
        description="Serve the project's graph/lutonkg.nq read-only with `oxigraph serve-read-only`; queries "
        "without GRAPH see the union of the named graphs.",
    )
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port to listen on (default: {DEFAULT_PORT})")
    p.add_argument("--bind", default=DEFAULT_BIND, help=f"address to listen on (default: {DEFAULT_BIND}, loopback)")
    p.add_argument(
        "--site",
        nargs="?",
        const="",
        metavar="DIR",
        help="also serve the review site (written by `lutonkg site`) under /site/; DIR defaults to output/site",
    )
    graph_option(p)
    p.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="S",
        help=f"the server stops a query after S seconds (default: {DEFAULT_TIMEOUT})",
    )
    p.set_defaults(func=_cmd_serve)
