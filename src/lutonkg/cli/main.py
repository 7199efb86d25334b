"""The `lutonkg` command line: one project folder, many subcommands, one-line errors and no tracebacks."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from lutonkg import __version__
from lutonkg.cli.common import ProjectError, Terminated, UsageError, fail, project_option

# Modules that add their own subcommands: each defines add_commands(subparsers), whose handlers take the parsed
# arguments and return an exit code.
COMMAND_MODULES: tuple[str, ...] = (
    "lutonkg.cli.build",
    "lutonkg.cli.query",
    "lutonkg.cli.serve",
    "lutonkg.cli.entities",
    "lutonkg.cli.analysis",
    "lutonkg.cli.site",
    "lutonkg.cli.followup",
    "lutonkg.cli.report",
)


def parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    top = argparse.ArgumentParser(
        prog="lutonkg",
        description="Build, check and question a governance knowledge graph kept in a project folder.",
    )
    top.add_argument("--version", action="version", version=f"lutonkg {__version__}")
    project_option(top, top=True)
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
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
        args = parser().parse_args(argv)
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


if __name__ == "__main__":
    raise SystemExit(main())
