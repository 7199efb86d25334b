"""Shared fixtures: the curated data, a fresh build in a temporary folder, and the source texts when present.

The build cache (lutonkg.build.cache) is off for every test, in this process and the commands it starts, so each
build does every stage as before and leaves nothing beside its outputs; test_build_cache.py turns it on where it is
the subject.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from project_paths import DATA_DIR, PROJECT

from lutonkg.build.cache import CACHE_ENV
from lutonkg.build.pipeline import build
from lutonkg.data.load import Data, load_data
from lutonkg.namespaces import SPARQL_PREFIXES
from lutonkg.project import SOURCES_ENV
from lutonkg.query.store import select, store_from_file

os.environ[CACHE_ENV] = "off"


@pytest.fixture(scope="session")
def data() -> Data:
    """The curated data, checked."""
    return load_data(DATA_DIR)


@pytest.fixture(scope="session")
def fresh_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A full build (with reasoning when Java is present) written to a temporary folder."""
    out = tmp_path_factory.mktemp("graph")
    build(DATA_DIR, out)
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
