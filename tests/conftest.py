"""Shared fixtures: the curated data, a fresh build in a temporary folder, and the source texts when present.

The build cache (lutonkg.build.cache) is off for every test, in this process and the commands it starts, so each
build does every stage as before and leaves nothing beside its outputs; the session's one full build fills a cache of
its own (test_build_cache.py, where the cache is the subject, proves its outputs equal a build without one).

Commands run in this process (lutonkg.cli.main.main) read a built N-Quads file into an index or a network each time
(seconds each, hundreds of times in a session); here each file's is made once per session and shared, keyed by the
file's path, size, modification time and inode, so a changed or replaced file is read again, and a file that cannot
be read fails as before. Commands run in their own processes read their files as always.
"""

from __future__ import annotations

import compileall
import fcntl
import os
import pickle
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
from project_paths import DATA_DIR, PROJECT

import lutonkg
from lutonkg.analysis import network
from lutonkg.analysis.network import project
from lutonkg.build.cache import CACHE_ENV, Cache
from lutonkg.build.pipeline import BuildReport, build
from lutonkg.data.load import Data, load_data
from lutonkg.entities.index import GraphIndex
from lutonkg.namespaces import SPARQL_PREFIXES
from lutonkg.project import SOURCES_ENV
from lutonkg.query import RdflibEngine, load_rdflib
from lutonkg.query.store import select, store_from_file
from lutonkg.reports import context as report_context

os.environ[CACHE_ENV] = "off"


def _file_key(path: object) -> tuple | None:
    """What identifies a file's content for the session's memo: path, size, modification time and inode."""
    try:
        found = Path(str(path)).resolve().stat()
    except (OSError, RuntimeError):
        return None
    return str(Path(str(path)).resolve()), found.st_size, found.st_mtime_ns, found.st_ino


def _once(load: Callable, copy: Callable = lambda made: made) -> Callable:
    """A loader of built files that reads each file once per session (a fresh `copy` of it for each caller)."""
    made: dict[tuple, object] = {}

    def loader(path=None):
        key = _file_key(path) if path is not None else None
        if key is None:
            return load(path) if path is not None else load()
        if key not in made:
            made[key] = load(path)
        return copy(made[key])

    return loader


@pytest.fixture(scope="session", autouse=True)
def _read_each_graph_once() -> Iterator[None]:
    """Share what in-process commands read from a built N-Quads file: the entity index and the projected network."""
    with pytest.MonkeyPatch.context() as patch:
        from_file = _once(GraphIndex.from_file)
        patch.setattr(GraphIndex, "from_file", staticmethod(from_file))
        network_load = _once(network.load, copy=lambda graph: graph.copy())
        patch.setattr(network, "load", network_load)
        patch.setattr(report_context, "load", network_load)
        yield


@pytest.fixture(scope="session")
def data() -> Data:
    """The curated data, checked."""
    return load_data(DATA_DIR)


def shared_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder every worker of this run can see: the run's base temporary folder (its parent under pytest-xdist,
    which gives each worker a folder of its own inside it)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def made_once(folder: Path, make: Callable[[Path], object]) -> object:
    """What make(folder) returned, made by the first worker of the run to ask, under a lock; the others wait for it
    and read it back (it is pickled beside the folder)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    done = folder.parent / f"{folder.name}.pickle"
    with open(folder.parent / f"{folder.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            made = make(folder)
            done.write_bytes(pickle.dumps(made))
        return pickle.loads(done.read_bytes())


def _build_with_a_cache(root: Path) -> tuple[Path, Path, BuildReport]:
    """A full build of the Luton data into root/graph, filling an empty cache in root/cache."""
    report = build(DATA_DIR, root / "graph", cache=Cache(root / "cache"))
    return root / "graph", root / "cache", report


@pytest.fixture(scope="session")
def cached_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, BuildReport]:
    """The session's one full build (with reasoning when Java is present), which fills a build cache of its own from
    empty: (output folder, cache folder, report). Its outputs equal a build without a cache (test_build_cache.py).
    Made once per run, shared by the workers of a parallel run: read it, never write it."""
    return made_once(shared_folder(tmp_path_factory) / "fresh", _build_with_a_cache)


@pytest.fixture(scope="session")
def fresh_build(cached_build: tuple[Path, Path, BuildReport]) -> Path:
    """A full build (with reasoning when Java is present) written to a temporary folder: read it, never write it."""
    return cached_build[0]


@pytest.fixture(scope="session")
def uncached_started(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[subprocess.Popen, Path]]:
    """A second full build of the data, started in the background: without a cache, by the command line in another
    process, with another hash seed, working folder and data path (as on a fresh clone). (process, output folder)"""
    root = tmp_path_factory.mktemp("elsewhere")
    data = root / "clone" / "graph" / "data"
    shutil.copytree(DATA_DIR, data)
    out = root / "out"
    process = subprocess.Popen(
        [sys.executable, "-m", "lutonkg.cli", "build", "--data", str(data), "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=root,
        env={**os.environ, "PYTHONHASHSEED": "20020701", CACHE_ENV: "off"},
    )
    yield process, out
    if process.poll() is None:
        process.kill()
        process.communicate()


@pytest.fixture(scope="session")
def uncached_build(uncached_started: tuple[subprocess.Popen, Path]) -> Path:
    """The second build's output folder, once it has finished (test_determinism.py compares it with the first)."""
    process, out = uncached_started
    _, stderr = process.communicate(timeout=600)
    assert process.returncode == 0, stderr
    return out


@pytest.fixture(scope="session")
def two_authority_nquads(fresh_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Luton and one synthetic copy of it (benchmarks/synthetic.py: every local IRI prefixed `a002-`), as N-Quads."""
    sys.path.insert(0, str(PROJECT.root / "benchmarks"))
    from synthetic import generate

    path = tmp_path_factory.mktemp("national") / "two.nq"
    generate(2, path, fresh_build / "lutonkg.nq")
    return path


@pytest.fixture(scope="session")
def store(fresh_build: Path) -> ox.Store:
    """The fresh build loaded into the embedded pyoxigraph store."""
    return store_from_file(fresh_build / "lutonkg.nq")


@pytest.fixture(scope="session")
def rdflib_engine(fresh_build: Path) -> RdflibEngine:
    """The fresh build on rdflib (a Dataset querying the union of its graphs), loaded once: it takes seconds."""
    return RdflibEngine(load_rdflib(fresh_build / "lutonkg.nq"))


@pytest.fixture(scope="session")
def net(store: ox.Store) -> nx.MultiDiGraph:
    """The fresh build projected once per session (lutonkg.analysis.network)."""
    return project(store)


@pytest.fixture(scope="session")
def ask(store: ox.Store):
    """Run a SELECT (with the project's prefixes) and return rows as dicts."""
    prefixes = SPARQL_PREFIXES
    return lambda query: select(store, prefixes + query)


@pytest.fixture(scope="session")
def sources() -> Path:
    """The source texts; skip (with the reason) where they are absent, as on a user's fresh clone."""
    found = sources_dir()
    if found is None and os.environ.get("CI"):
        pytest.fail(f"CI must have the source texts (../shared/sources or ${SOURCES_ENV})")
    if found is None:
        pytest.skip(f"source texts not found: set {SOURCES_ENV} or place them at ../shared/sources")
    return found


def sources_dir() -> Path | None:
    """The Luton project's source texts, where present ($LUTONKG_SOURCES or the project's setting)."""
    return PROJECT.sources_dir()


# --- running in parallel (pytest-xdist, `-n auto` in pyproject.toml) -----------------------------------------------

# Test files that share a session fixture too costly to make twice run in one worker, as one unit of work: the Luton
# site (site_build.luton_site) and the second, uncached build (uncached_build).
TOGETHER = {
    "tests/test_site_browser.py": "site",
    "tests/test_serve_site.py": "site",
    "tests/test_site.py": "site",
    "tests/test_determinism.py": "builds",
    "tests/test_build_cache.py": "builds",
}
# The longest units first, so that no worker is left with a long one at the end while the others wait; the rest
# follow in collection order. With two workers the first takes the builds (and makes the session build) and the second
# the site and the notebooks, which read the committed graph, so neither waits for the other's session build. (Only
# the order of the work changes, and only when the tests run in parallel.)
LONGEST_FIRST = ["builds", "site", "tests/test_engine_conformance.py", "tests/test_notebooks.py",
                 "tests/test_persistent_store.py", "tests/test_watch.py", "tests/test_fuzz_data.py",
                 "tests/test_hostile_queries.py", "tests/test_data_errors.py", "tests/test_serve_lifetime.py",
                 "tests/test_serve.py"]  # fmt: skip


def work_unit(nodeid: str) -> str:
    """The unit of work a test belongs to when the suite runs in parallel: its group, else its file."""
    path = nodeid.split("::", 1)[0]
    return TOGETHER.get(path, path)


def pytest_configure(config: pytest.Config) -> None:
    """Before any worker or command starts, compile lutonkg's modules to bytecode beside them (once; a no-op when up
    to date). An editable install has none, and where PYTHONDONTWRITEBYTECODE is set (as on the development machine
    and in CI) Python never writes it: every command the suite starts then compiled the package again (about 0.2 s,
    some 150 times a run). Files that cannot be written are left alone."""
    if hasattr(config, "workerinput"):  # a pytest-xdist worker: the controller has done it
        return
    compileall.compile_dir(Path(lutonkg.__file__).parent, quiet=2)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In a parallel run's workers, put the longest units of work first (each worker collects the same order)."""
    if not hasattr(config, "workerinput"):
        return
    rank = {unit: i for i, unit in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(work_unit(item.nodeid), len(rank)))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """Hand out whole files (and the groups above) to the workers, so module and shared fixtures are made once; with
    an explicit --dist other than `load`, xdist's own scheduling."""
    if config.getoption("dist") != "load":  # another --dist was asked for
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ByUnit(LoadScopeScheduling):
        """LoadScopeScheduling with the units of work_unit, in collection order."""

        def _split_scope(self, nodeid: str) -> str:
            return work_unit(nodeid)

    config.option.loadscopereorder = False
    return ByUnit(config, log)
