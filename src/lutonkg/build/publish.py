"""Publishing a build's outputs as one atomic step, one build at a time per output folder.

The output folder (the project's `graph/`) looks like this:

    graph/current/lutonkg.ttl, lutonkg.jsonld, lutonkg.nq, duty-register.csv   the outputs of one build
    graph/lutonkg.ttl -> current/lutonkg.ttl, ...                              where people and programs read them
    graph/data/                                                                the curated data (never touched)

A build writes its outputs into a fresh staging folder beside `current/` and then swaps the two folders with one
rename (Linux `renameat2(RENAME_EXCHANGE)`), so at every instant `current/` holds either every old output or every
new one, and a reader opening `graph/lutonkg.nq` gets a whole file of one build or the other. The links have fixed
targets, so they never change once made (and the committed repository is the same after every identical build).
Whatever a killed build leaves behind (`.staging-*` folders) is removed by the next build. A lock on the folder
(`flock`) stops a second build into the same folder while one is running.

Where the exchange is not available (not Linux, or a file system without it) the swap is two renames; a build
killed between them leaves `current/` missing for a moment, and the next build puts the old outputs back first.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

CURRENT = "current"
STAGING_PREFIX = ".staging-"
_OLD_PREFIX = ".staging-old-"
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


class PublishError(Exception):
    """The outputs cannot be published there; the message is one line naming the path and why."""


@contextlib.contextmanager
def exclusive(out_dir: Path, outputs: tuple[str, ...]) -> Iterator[None]:
    """Hold the output folder for one build: lock it, clean what killed builds left, and check nothing is in the way.

    PublishError when another build holds the folder or a path the outputs need is taken by something else.
    """
    created = not out_dir.exists()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(out_dir, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        why = "not a folder" if exc.errno in (errno.EEXIST, errno.ENOTDIR) else (exc.strerror or str(exc))
        raise PublishError(f"{out_dir}: cannot write the outputs there ({why})") from None
    try:
        _lock(fd, out_dir)
        try:
            recover(out_dir)
        except OSError as exc:
            raise PublishError(f"{out_dir}: cannot clean up after an earlier build ({exc.strerror or exc})") from None
        check_layout(out_dir, outputs)
        yield
    finally:
        os.close(fd)  # releases the lock
        if created:
            with contextlib.suppress(OSError):
                out_dir.rmdir()  # only when still empty: a failed first build leaves no folder behind


def _lock(fd: int, out_dir: Path) -> None:
    """Take the folder's build lock without waiting; PublishError naming the folder when another build holds it."""
    try:
        import fcntl
    except ImportError:  # no flock on this platform (Windows): builds are not serialised there
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise PublishError(
            f"{out_dir}: another build is writing its outputs there now; wait for it to finish, then build again"
        ) from None


def recover(out_dir: Path) -> None:
    """Undo what a killed build left: put back outputs moved aside mid-swap, remove staging folders and links."""
    current = out_dir / CURRENT
    left = sorted(p for p in out_dir.iterdir() if p.name.startswith(STAGING_PREFIX))
    old = [p for p in left if p.name.startswith(_OLD_PREFIX) and p.is_dir() and not p.is_symlink()]
    if not os.path.lexists(current) and old:
        os.rename(old[-1], current)  # killed between the two renames of the fallback swap: the old build stays
    for path in left:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        elif os.path.lexists(path):
            with contextlib.suppress(OSError):
                path.unlink()


def check_layout(out_dir: Path, outputs: tuple[str, ...]) -> None:
    """Refuse before any work when a folder or other non-file sits where an output or its link must go."""
    current = out_dir / CURRENT
    if current.is_symlink() or (current.exists() and not current.is_dir()):
        raise PublishError(f"{current}: in the way of the build's outputs folder (not a folder); move it away")
    for name in outputs:
        path = out_dir / name
        if not path.is_symlink() and path.exists() and not path.is_file():
            raise PublishError(f"{path}: in the way of the output file (a folder, not a file); move it away")


def stage(out_dir: Path) -> Path:
    """A fresh, empty staging folder beside the published outputs (on the same file system, so renames are atomic)."""
    try:
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out_dir))
        umask = os.umask(0o022)
        os.umask(umask)
        staging.chmod(0o777 & ~umask)  # mkdtemp makes it private; as published it is an ordinary folder
    except OSError as exc:
        raise PublishError(f"{out_dir}: cannot write the outputs there ({exc.strerror or exc})") from None
    return staging


def write(staging: Path, files: dict[str, str]) -> None:
    """Write every output into the staging folder and flush it to disk."""
    try:
        for name, text in files.items():
            with open(staging / name, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
        _fsync_dir(staging)
    except OSError as exc:
        raise PublishError(f"{staging.parent}: cannot write the outputs there ({exc.strerror or exc})") from None


def swap_in(staging: Path, out_dir: Path, outputs: tuple[str, ...]) -> list[Path]:
    """Make the staged outputs the published ones in one step; the staging folder then holds the old ones (or none).

    The links people read (graph/lutonkg.ttl, ...) are made first (they point into `current/`, which the swap then
    replaces), so the swap is the only step that changes what a reader sees. Returns those paths.
    """
    current = out_dir / CURRENT
    try:
        _adopt_plain_outputs(out_dir, outputs)
        for name in outputs:
            _link(out_dir, name)
        if current.is_dir():
            _exchange(staging, current, out_dir)
        else:
            os.rename(staging, current)
        _fsync_dir(out_dir)
    except OSError as exc:
        raise PublishError(f"{out_dir}: cannot publish the outputs there ({exc.strerror or exc})") from None
    return [out_dir / name for name in outputs]


def discard(staging: Path) -> None:
    """Remove a staging folder (after a swap it holds the previous outputs; after a failure, the unused new ones)."""
    shutil.rmtree(staging, ignore_errors=True)


def _adopt_plain_outputs(out_dir: Path, outputs: tuple[str, ...]) -> None:
    """Move outputs written as plain files (by a version before `current/`) into `current/`, content unchanged.

    Each file is first hard-linked into `current/`, then replaced by a link to it, so a reader sees the same bytes
    throughout; the swap that follows then replaces them all at once.
    """
    current = out_dir / CURRENT
    for name in outputs:
        path = out_dir / name
        if path.is_symlink() or not path.is_file():
            continue
        current.mkdir(exist_ok=True)
        if not os.path.lexists(current / name):
            try:
                os.link(path, current / name)
            except OSError:
                shutil.copy2(path, current / name)
        _link(out_dir, name)


def _exchange(staging: Path, current: Path, out_dir: Path) -> None:
    """Swap two folders atomically (renameat2 RENAME_EXCHANGE), or with two renames where that is unavailable."""
    libc = _libc()
    renameat2 = getattr(libc, "renameat2", None) if libc is not None else None
    if renameat2 is not None:
        if renameat2(_AT_FDCWD, os.fsencode(staging), _AT_FDCWD, os.fsencode(current), _RENAME_EXCHANGE) == 0:
            return
        code = ctypes.get_errno()
        if code not in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EPERM):
            raise OSError(code, os.strerror(code), str(current))
    aside = out_dir / f"{_OLD_PREFIX}{time.time_ns()}"
    os.rename(current, aside)  # a build killed here leaves no current/: recover() renames `aside` back
    os.rename(staging, current)
    shutil.rmtree(aside, ignore_errors=True)


def _libc() -> ctypes.CDLL | None:
    """The C library, where it can be loaded (for renameat2)."""
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


def _link(out_dir: Path, name: str) -> None:
    """Make out_dir/name a link to current/name, replacing a plain file there in one step; leave a right link be."""
    path, target = out_dir / name, f"{CURRENT}/{name}"
    if path.is_symlink() and os.readlink(path) == target:
        return
    temporary = out_dir / f"{STAGING_PREFIX}link-{os.getpid()}-{name}"
    with contextlib.suppress(FileNotFoundError):
        temporary.unlink()
    os.symlink(target, temporary)
    os.replace(temporary, path)


def _fsync_dir(folder: Path) -> None:
    """Flush a folder's entries to disk, so a rename survives a crash."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
