"""The persistent store: an on-disk Oxigraph store (RocksDB) built once from an N-Quads file and reused.

Every command used to load the N-Quads into memory (41 s at national scale). Instead, the first command builds a
store folder from them with pyoxigraph's bulk loader, with the union of the named graphs copied into the default
graph and the authorities' scope graphs added (lutonkg.query.scopes; as lutonkg.query.store does in memory),
and later commands, the embedded engine and `lutonkg serve` alike, open that folder read-only in a fraction of a
second.

- A store is keyed by the N-Quads' content (SHA-256, plus the store layout version and pyoxigraph's version), so a
  rebuilt graph gets a new store and another file (`--graph`) its own. Hashing a big file takes seconds, so the hash
  is remembered per file with its size, modification time and inode (`files.json`), and recomputed when any changes.
- A store is built in a temporary folder and renamed into place when complete, so a killed load leaves no half store
  that a later command could open; its leftovers are removed by the next command.
- Each key has a lock file: a builder holds it exclusively, every user of the store holds it shared for as long as
  it reads. Concurrent commands wanting the same new store wait for one build. Stores no longer the current one of
  any file (rebuilt or deleted N-Quads) are removed once nobody holds their lock.

Folder layout under the root (lutonkg.project.Project.cache_dir / "stores"):
    files.json                the content hash of each N-Quads file, with its size, mtime and inode
    <key>/                    a complete store (RocksDB files and lutonkg-store.json)
    <key>.lock                its lock file
    .build-<key>-<pid>/       a build in progress (or a killed one, removed later)
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import json
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from lutonkg.query.scopes import add_scopes

LAYOUT = 4  # bump when what a store holds changes (it is part of every key)
FILES = "files.json"
META = "lutonkg-store.json"
BUILD_PREFIX = ".build-"
CHUNK = 1 << 20
LOADS = {"count": 0}  # stores built by this process (tests and benchmarks read it)


class StoreError(Exception):
    """The store could not be built or opened; the message is one line for the user."""


@dataclass
class DiskStore:
    """An opened on-disk store: its folder, key, whether this process built it, and the shared lock held on it."""

    path: Path
    key: str
    built: bool
    store: ox.Store
    lock: int

    def close(self) -> None:
        """Give up the shared lock (the store object stays usable until dropped, but may then be cleaned)."""
        with contextlib.suppress(OSError):
            os.close(self.lock)
        self.lock = -1


def content_hash(path: Path) -> str:
    """SHA-256 of the file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for block in iter(lambda: source.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def _stamp(path: Path) -> list[int]:
    """What tells that a file changed without reading it: size, modification time (ns), inode, device."""
    info = path.stat()
    return [info.st_size, info.st_mtime_ns, info.st_ino, info.st_dev]


def _read_files(root: Path) -> dict[str, dict]:
    """The remembered keys of N-Quads files ({} when none or unreadable)."""
    try:
        data = json.loads((root / FILES).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_files(root: Path, files: dict[str, dict]) -> None:
    """Replace files.json atomically."""
    temporary = root / f".{FILES}.{os.getpid()}"
    temporary.write_text(json.dumps(files, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(temporary, root / FILES)


def _key(content: str) -> str:
    """A store's key: the content hash, with the store layout and pyoxigraph's version of this run."""
    return f"{content}-v{LAYOUT}-ox{ox.__version__}"


def store_key(nquads: Path, root: Path) -> str:
    """The key of the file's store: its content hash (remembered while the file's stamp is unchanged), with this
    run's layout and pyoxigraph version, so that a newer lutonkg or pyoxigraph builds a store of its own."""
    name, stamp = str(nquads.resolve()), _stamp(nquads)
    with _locked(root / "files.lock", fcntl.LOCK_EX):
        files = _read_files(root)
        known = files.get(name)
        if isinstance(known, dict) and known.get("stamp") == stamp and isinstance(known.get("hash"), str):
            return _key(known["hash"])
        content = content_hash(nquads)[:32]
        files[name] = {"stamp": stamp, "hash": content}
        _write_files(root, files)
    return _key(content)


@contextlib.contextmanager
def _locked(path: Path, mode: int) -> Iterator[int]:
    """Hold a lock file (created if missing) for the duration of a with-block."""
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(handle, mode)
        yield handle
    finally:
        os.close(handle)


def _lock_key(root: Path, key: str, mode: int) -> int:
    """An open, locked handle on the key's lock file (retrying if a cleaner removed the file meanwhile)."""
    path = root / f"{key}.lock"
    while True:
        handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(handle, mode)
        try:
            if os.fstat(handle).st_ino == path.stat().st_ino:
                return handle
        except FileNotFoundError:
            pass
        os.close(handle)


class _Union(io.RawIOBase):
    """The N-Quads file read as N-Triples: each quad as a triple (of the default graph, once loaded).

    Bulk-loading this stream into the default graph gives the union of the named graphs (the store keeps each triple
    once) with no Python object per quad, about twice as fast as copying quads one by one. A line `S P O G .` becomes
    `S P O .` by cutting its last term; a line of another shape (tabs, a comment after the dot) is parsed on its own.
    A line already in the default graph would be cut wrongly, so `build` falls back to the slow way when the stream
    does not load.
    """

    def __init__(self, nquads: Path) -> None:
        self.source = nquads.open("rb")
        self.pending = memoryview(b"")

    def readable(self) -> bool:
        """A stream to read."""
        return True

    def close(self) -> None:
        """Close the file with the stream."""
        self.source.close()
        super().close()

    def readinto(self, buffer) -> int:  # noqa: ANN001 (a writable buffer)
        """Fill the buffer from the pending bytes, reading and transforming the next block when they run out."""
        while not self.pending:
            lines = self.source.readlines(CHUNK)
            if not lines:
                return 0
            self.pending = memoryview(_as_triples(lines))
        size = min(len(buffer), len(self.pending))
        buffer[:size] = self.pending[:size]
        self.pending = self.pending[size:]
        return size


def _as_triples(lines: list[bytes]) -> bytes:
    """The N-Quads lines as N-Triples lines of the same triples (their graph names dropped)."""
    out = []
    for line in lines:
        head, graph, end = (line.rsplit(b" ", 2) + [b"", b""])[:3]
        if end.rstrip() == b"." and graph[:1] in (b"<", b"_") and b"\t" not in line:
            out.append(head + b" .\n")
        elif line.strip() and not line.lstrip().startswith(b"#"):
            out.append(_reparsed(line))
    return b"".join(out)


def _reparsed(line: bytes) -> bytes:
    """One N-Quads line of an unusual shape as an N-Triples line, through the parser."""
    quads = list(ox.parse(line, format=ox.RdfFormat.N_QUADS))
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


def _quads_and_union(nquads: Path) -> Iterator[ox.Quad]:
    """Every triple of the file as a quad of the default graph (the slow way: a Python object per quad)."""
    default = ox.DefaultGraph()
    for quad in ox.parse(path=str(nquads), format=ox.RdfFormat.N_QUADS):
        yield ox.Quad(quad.subject, quad.predicate, quad.object, default)


def _load(nquads: Path, target: Path) -> str:
    """Load the named graphs, then their union into the default graph, then the scope graphs (lutonkg.query.scopes),
    into a new store folder; returns how."""
    store = ox.Store(str(target))
    store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
    try:
        with io.BufferedReader(_Union(nquads), CHUNK) as stream:
            store.bulk_load(stream, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
        way = "union as N-Triples"
    except (SyntaxError, ValueError):
        store.clear_graph(ox.DefaultGraph())
        store.bulk_extend(_quads_and_union(nquads))
        way = "union quad by quad"
    add_scopes(store, bulk=True)
    store.flush()
    store.optimize()
    return way


def build(nquads: Path, target: Path) -> dict:
    """Bulk-load the N-Quads and their union (default graph) into a new store folder; returns its description."""
    started = time.perf_counter()
    way = _load(nquads, target)
    meta = {"source": str(nquads.resolve()), "bytes": nquads.stat().st_size, "seconds": time.perf_counter() - started}
    meta["pyoxigraph"] = ox.__version__
    meta["load"] = way
    (target / META).write_text(json.dumps(meta, indent=1), encoding="utf-8")
    return meta


def _build_into_place(nquads: Path, root: Path, key: str) -> None:
    """Build the store in a temporary folder, then rename it to its key (atomic: it is complete or absent)."""
    temporary = root / f"{BUILD_PREFIX}{key}-{os.getpid()}"
    for killed in root.glob(f"{BUILD_PREFIX}{key}-*"):  # held: LOCK_EX, so no other build of this key runs
        shutil.rmtree(killed, ignore_errors=True)
    shutil.rmtree(root / key, ignore_errors=True)  # a folder without its description is not a store (held: LOCK_EX)
    try:
        build(nquads, temporary)
        os.rename(temporary, root / key)
    except (SyntaxError, ValueError) as exc:
        raise StoreError(f"cannot load {nquads}: {' '.join(str(exc).split())[:200]}") from None
    except OSError as exc:
        if not (root / key / META).is_file():
            raise StoreError(f"cannot build the store for {nquads}: {exc}") from None
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
    LOADS["count"] += 1


def open_store(nquads: Path, root: Path) -> DiskStore:
    """The file's store, read-only, built first if there is none yet; the caller holds its shared lock.

    Stale stores and killed builds in the root are removed on the way.
    """
    if not nquads.is_file():
        raise StoreError(f"graph file {nquads} not found; build it with `lutonkg build`")
    root.mkdir(parents=True, exist_ok=True)
    key = store_key(nquads, root)
    built = False
    lock = _lock_key(root, key, fcntl.LOCK_SH)
    if not (root / key / META).is_file():
        os.close(lock)
        with contextlib.ExitStack() as stack:
            handle = _lock_key(root, key, fcntl.LOCK_EX)
            stack.callback(os.close, handle)
            if not (root / key / META).is_file():
                _build_into_place(nquads, root, key)
                built = True
            fcntl.flock(handle, fcntl.LOCK_SH)  # downgrade: keep using it
            lock = os.dup(handle)
    try:
        store = ox.Store.read_only(str(root / key))
    except OSError as exc:
        os.close(lock)
        raise StoreError(f"cannot open the store {root / key}: {exc}") from None
    clean(root)
    return DiskStore(root / key, key, built, store, lock)


def _current_keys(root: Path) -> set[str]:
    """Keys still current: those of N-Quads files that exist with the remembered stamp (others are forgotten)."""
    with _locked(root / "files.lock", fcntl.LOCK_EX):
        files = _read_files(root)
        kept = {}
        for name, entry in files.items():
            with contextlib.suppress(OSError, TypeError):
                if _stamp(Path(name)) == entry.get("stamp") and isinstance(entry.get("hash"), str):
                    kept[name] = entry
        if kept != files:
            _write_files(root, kept)
    return {_key(entry["hash"]) for entry in kept.values()}


def clean(root: Path) -> list[str]:
    """Remove stores no file needs any more and killed builds, unless someone holds their lock; names removed."""
    current = _current_keys(root)
    removed = []
    for entry in sorted(root.iterdir()):
        name = entry.name
        if name.startswith(BUILD_PREFIX):
            key = name[len(BUILD_PREFIX) :].rsplit("-", 1)[0]
        elif entry.is_dir() and name not in current:
            key = name
        else:
            continue
        if _try_remove(root, key, entry):
            removed.append(name)
    return removed


def _try_remove(root: Path, key: str, folder: Path) -> bool:
    """Remove a folder if nobody holds its key's lock (no reader, no builder); True when removed."""
    lock_path = root / f"{key}.lock"
    handle = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(handle)
        return False
    try:
        shutil.rmtree(folder, ignore_errors=True)
        if not (root / key).exists():
            lock_path.unlink(missing_ok=True)
    finally:
        os.close(handle)
    return True
