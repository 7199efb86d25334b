"""The build's cache: what the slow stages computed, kept so that a rebuild skips work whose inputs did not change.

`lutonkg build` keeps it in `.cache/` inside the output folder (the project's `graph/.cache/`, git-ignored);
`$LUTONKG_CACHE` names another folder, or `off`; `lutonkg build --no-cache` ignores what is there (and refreshes
it). Each entry is one file named by its kind and a hash of everything its content depends on. Its first line holds
the hash of its content, checked on every read, so a damaged entry counts as missing and is recomputed: the cache
can make a build faster, never different. Entries are written to a temporary file and renamed into place, so a
killed build or a second process never leaves half an entry; a cache that cannot be read or written is ignored.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

CACHE_ENV = "LUTONKG_CACHE"
FOLDER = ".cache"
_MAGIC = b"lutonkg-cache 1 "
_OFF = {"off", "0", "no", "false", "none"}


def digest(*parts: bytes | str) -> str:
    """A SHA-256 hex digest of the parts, each length-prefixed (so no two different lists of parts collide)."""
    hashing = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        hashing.update(f"{len(data)}:".encode())
        hashing.update(data)
    return hashing.hexdigest()


class Cache:
    """Entries of a build cache in one folder; a Cache for None is off (every lookup misses, nothing is kept)."""

    def __init__(self, folder: Path | None, keep: int = 4, read: bool = True) -> None:
        self.folder, self.keep, self.read = folder, keep, read

    @property
    def enabled(self) -> bool:
        """Whether entries are kept at all."""
        return self.folder is not None

    def _path(self, kind: str, key: str) -> Path:
        """The file of one entry."""
        assert self.folder is not None
        return self.folder / f"{kind}-{key[:40]}"

    def get(self, kind: str, key: str) -> bytes | None:
        """The content stored for (kind, key), or None when absent, unreadable or damaged."""
        if self.folder is None or not self.read:
            return None
        try:
            blob = self._path(kind, key).read_bytes()
        except OSError:
            return None
        header, _, payload = blob.partition(b"\n")
        if header != _MAGIC + hashlib.sha256(payload).hexdigest().encode():
            return None
        with contextlib.suppress(OSError):
            os.utime(self._path(kind, key))  # recently used: kept by pruning
        return payload

    def holds(self, kind: str, key: str) -> bool:
        """Whether an entry for (kind, key) is there to be read (its content is checked only by get())."""
        return self.folder is not None and self.read and self._path(kind, key).is_file()

    def put(self, kind: str, key: str, payload: bytes) -> None:
        """Store content for (kind, key) in one step, then drop the oldest entries of that kind beyond `keep`."""
        if self.folder is None:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=".tmp-", dir=self.folder)
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(_MAGIC + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload)
                os.replace(temporary, self._path(kind, key))
            finally:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
            self._prune(kind)
        except OSError:
            return  # a cache that cannot be written only costs time

    def _prune(self, kind: str) -> None:
        """Keep the `keep` most recently used entries of a kind."""
        assert self.folder is not None
        entries = sorted(self.folder.glob(f"{kind}-*"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[self.keep :]:
            with contextlib.suppress(OSError):
                old.unlink()


def for_output(out_dir: Path, use: bool = True) -> Cache:
    """The cache of builds into out_dir: $LUTONKG_CACHE (a folder, or off), else out_dir/.cache; `use=False` ignores
    what it holds (a full build) but still refreshes it."""
    setting = os.environ.get(CACHE_ENV, "").strip()
    if setting.lower() in _OFF:
        return Cache(None)
    return Cache(Path(setting) if setting else out_dir / FOLDER, read=use)
