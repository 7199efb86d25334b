"""The `lutonkg` command line."""

from lutonkg.cli.main import main

__all__ = ["main"]
