"""Reading an input file safely: only regular files, never blocking on a FIFO, never more than a size limit."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path


class FileProblem(Exception):
    """A file that cannot be read as input; the message is a short phrase ('is a folder, not a file')."""


def _describe_stat_error(path: Path, exc: OSError) -> str:
    """Why os.stat failed, in a curator's words."""
    if exc.errno == errno.ELOOP:
        return "is a symbolic link that loops (it points, directly or not, back to itself)"
    if exc.errno == errno.ENOENT and path.is_symlink():
        return f"is a symbolic link to {os.readlink(path)}, which does not exist"
    if exc.errno == errno.ENOENT:
        return "is missing"
    return f"cannot be read: {exc.strerror or exc}"


def _kind(mode: int) -> str:
    """What a non-regular file is."""
    if stat.S_ISDIR(mode):
        return "is a folder, not a file"
    if stat.S_ISFIFO(mode):
        return "is a named pipe (FIFO), not a file"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a file"
    return "is a device, not a file"


def read_regular_file(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; FileProblem (a short phrase) for anything else.

    The file is opened without blocking, so a FIFO or device swapped in between the check and the open cannot hang
    the reader, and at most limit + 1 bytes are read, so a file that grows meanwhile cannot exhaust memory.
    """
    try:
        info = os.stat(path)
    except OSError as exc:
        raise FileProblem(_describe_stat_error(path, exc)) from None
    if not stat.S_ISREG(info.st_mode):
        raise FileProblem(_kind(info.st_mode))
    if info.st_size > limit:
        raise FileProblem(f"is {info.st_size:,} bytes, more than the limit of {limit:,}")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise FileProblem(_describe_stat_error(path, exc)) from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise FileProblem(_kind(os.fstat(handle.fileno()).st_mode))
        try:
            content = handle.read(limit + 1)
        except OSError as exc:
            raise FileProblem(f"cannot be read: {exc.strerror or exc}") from None
    if len(content) > limit:
        raise FileProblem(f"is more than the limit of {limit:,} bytes")
    return content
