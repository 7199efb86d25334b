"""Progress for commands that take more than a couple of seconds: a status line on stderr, on a terminal only, so
that piped output and logs stay clean."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console


@contextmanager
def progress(what: str) -> Iterator[Callable[[str], None]]:
    """A status line on stderr saying which step of `what` is running; a no-op when stderr is not a terminal."""
    if not sys.stderr.isatty():
        yield lambda step: None
        return
    console = Console(stderr=True)
    with console.status(f"{what}\u2026") as status:
        yield lambda step: status.update(f"{what}: {step}\u2026")
