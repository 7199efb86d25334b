"""Watching a project's data folder for a curator's edits (`lutonkg build --watch`, `lutonkg check --watch`): each
save of a data file starts the next build or check in the same process, which has its modules loaded and HermiT's
Java VM warm (lutonkg.checks.warm), so a rebuild skips what a fresh command pays before its first stage."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

SETTLE_MS = 50  # an editor's save is several writes (a temporary file, a rename): wait until none came this long
GROUP_MS = 1_000  # but never longer than this after the first
WAKE_MS = 250  # the watcher wakes this often when nothing changes (to notice an edit saved before it started)


class WatchUnavailable(Exception):
    """Watching cannot start (the watching library is missing, or the folder is not there); one line."""


def is_data_file(path: str) -> bool:
    """Whether a changed path is one the build reads: a YAML file of the data folder (not an editor's hidden or
    backup file)."""
    name = Path(path).name
    return name.endswith(".yaml") and not name.startswith((".", "#", "~"))


def data_changes(data_dir: Path) -> Iterator[list[str]]:
    """The names of the data files that changed, sorted, each time some did (once their writes settle), from now
    on: an edit saved before the watching starts (during a first build) comes first. Ctrl-C (KeyboardInterrupt) ends
    it; changes made while the caller works come in the next round. WatchUnavailable when watching cannot start."""
    try:
        from watchfiles import watch
    except ImportError:
        raise WatchUnavailable("watching needs the watchfiles package (pip install 'lutonkg[watch]')") from None
    if not data_dir.is_dir():
        raise WatchUnavailable(f"{data_dir}: data folder not found")
    changes = watch(data_dir, watch_filter=lambda change, path: is_data_file(path), debounce=GROUP_MS, step=SETTLE_MS,
                    rust_timeout=WAKE_MS, yield_on_timeout=True, recursive=False, raise_interrupt=True)  # fmt: skip
    return _rounds(changes, data_dir, snapshot(data_dir))


def _rounds(changes: Iterator[set], data_dir: Path, before: dict[str, tuple[int, int]]) -> Iterator[list[str]]:
    """Each round of changes as sorted file names; the first wake-up also reports the files that differ from
    `before` (the watcher starts only when first asked)."""
    first = True
    for changed in changes:
        names = {Path(path).name for _, path in changed}
        if first:
            first = False
            now = snapshot(data_dir)
            names |= {name for name in before.keys() | now.keys() if before.get(name) != now.get(name)}
        if names:
            yield sorted(names)


def snapshot(data_dir: Path) -> dict[str, tuple[int, int]]:
    """Each data file's modification time and size (what tells that it was saved)."""
    found = {}
    for path in data_dir.glob("*.yaml"):
        try:
            stat = path.stat()
        except OSError:  # removed meanwhile
            continue
        if is_data_file(str(path)):
            found[path.name] = (stat.st_mtime_ns, stat.st_size)
    return found
