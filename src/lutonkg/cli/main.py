"""The `lutonkg` command line: one project folder, many subcommands, one-line errors and no tracebacks."""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import os
import re
import signal
import sys

from lutonkg import __version__
from lutonkg.cli.common import ProjectError, Terminated, UsageError, fail, project_option

# The module that adds each subcommand: each defines add_commands(subparsers), whose handlers take the parsed
# arguments and return an exit code. Only the module of the command being run is imported (the others pull in
# rdflib's SPARQL engine, networkx, Jinja2 ...: about a second of every command); help lists them all.
COMMANDS: dict[str, str] = {
    "build": "lutonkg.cli.build",
    "check": "lutonkg.cli.build",
    "verify-sources": "lutonkg.cli.build",
    "query": "lutonkg.cli.query",
    "queries": "lutonkg.cli.query",
    "serve": "lutonkg.cli.serve",
    "find": "lutonkg.cli.entities",
    "show": "lutonkg.cli.entities",
    "documents": "lutonkg.cli.entities",
    "who": "lutonkg.cli.analysis",
    "timeline": "lutonkg.cli.analysis",
    "diff": "lutonkg.cli.analysis",
    "gaps": "lutonkg.cli.analysis",
    "measures": "lutonkg.cli.analysis",
    "diagram": "lutonkg.cli.analysis",
    "export": "lutonkg.cli.analysis",
    "site": "lutonkg.cli.site",
    "follow-up-review": "lutonkg.cli.followup",
    "report": "lutonkg.cli.report",
    "selectors": "lutonkg.cli.selectors",
    "sources": "lutonkg.cli.curation",
    "suggest": "lutonkg.cli.curation",
    "accept": "lutonkg.cli.curation",
}
COMMAND_MODULES: tuple[str, ...] = tuple(dict.fromkeys(COMMANDS.values()))
_PARAMETER = re.compile(r"^[A-Za-z][\w-]*=")  # NAME=VALUE, as --param takes it


def command_of(argv: list[str]) -> str | None:
    """The subcommand named on the command line, or None when help comes first or none is named."""
    tokens = iter(argv)
    for token in tokens:
        if token in ("-h", "--help"):
            return None
        if token in ("-C", "--project"):
            next(tokens, None)
        elif not token.startswith("-"):
            return token
    return None


def parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The argument parser: for the subcommand argv names, or (no argv, help, unknown command) for every one."""
    top = argparse.ArgumentParser(
        prog="lutonkg",
        description="Build, check and question a governance knowledge graph kept in a project folder.",
    )
    top.add_argument("--version", action="version", version=f"lutonkg {__version__}")
    project_option(top, top=True)
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    chosen = COMMANDS.get(command_of(argv) or "") if argv is not None else None
    for name in (chosen,) if chosen else COMMAND_MODULES:
        importlib.import_module(name).add_commands(sub)
    completion = sub.add_parser("completion", help="print a shell completion script (bash, zsh or tcsh)")
    completion.add_argument("shell", choices=("bash", "zsh", "tcsh"), help='e.g. `eval "$(lutonkg completion bash)"`')
    completion.set_defaults(func=lambda args: _completion(top, args.shell))
    for choice in sub.choices.values():
        project_option(choice)
    return top


def _completion(top: argparse.ArgumentParser, shell: str) -> int:
    """Print the completion script for a shell (shtab, from the parser itself)."""
    import shtab

    sys.stdout.write(shtab.complete(top, shell=shell))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `lutonkg` command."""
    try:
        arguments = sys.argv[1:] if argv is None else argv
        top = parser(arguments)
        args, extra = top.parse_known_args(arguments)
        if extra:
            top.error(_unrecognised(command_of(arguments), extra))
    except KeyboardInterrupt:  # Ctrl-C while the command modules are still being imported
        print("lutonkg: interrupted", file=sys.stderr)
        return 130
    try:
        return args.func(args)
    except ProjectError as exc:
        return fail(args.command, str(exc))
    except UsageError as exc:
        return fail(args.command, str(exc))
    except KeyboardInterrupt as exc:
        terminated = isinstance(exc, Terminated)
        print(f"lutonkg {args.command}: {'terminated' if terminated else 'interrupted'}", file=sys.stderr)
        return 143 if terminated else 130
    except BrokenPipeError:
        # the reader (e.g. `| head`) went away: stop quietly, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


def _unrecognised(command: str | None, extra: list[str]) -> str:
    """argparse's message for arguments no option takes, with a hint where one looks like a query's parameter given
    without --param (`lutonkg query safeguarding-bodies year=2008`)."""
    message = f"unrecognized arguments: {' '.join(extra)}"
    named = next((token for token in extra if _PARAMETER.match(token)), None)
    if command == "query" and named is not None:
        message += f" (a query's parameters are given with --param or -p, e.g. `-p {named}`)"
    return message


def run() -> None:
    """The `lutonkg` command: main, then exit ignoring Ctrl-C, which during Python's shutdown would kill it silently."""
    gc.set_threshold(100_000, 50, 100)  # the commands make many small objects and free few: collect less often
    code = main()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if _java_inside():
        _exit_now(code)
    sys.exit(code)


def _java_inside() -> bool:
    """Whether a Java VM runs inside this process (HermiT kept warm by `--watch`, lutonkg.checks.warm)."""
    jpype = sys.modules.get("jpype")
    return jpype is not None and jpype.isJVMStarted()


def _exit_now(code: int) -> None:
    """End the process at once, its output flushed: with a Java VM inside, Python's shutdown can stop a thread in the
    middle of a call into Java, which aborts the process (glibc: "exception not rethrown"). Everything the command
    wrote is complete by now (its outputs are published or left as they were)."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
