"""Same inputs, same bytes: a second build elsewhere agrees with the first, and graph/ equals a fresh build."""

from __future__ import annotations

from pathlib import Path

import pytest
from project_paths import GRAPH_DIR

from lutonkg.build.pipeline import OUTPUTS
from lutonkg.checks.reason import java_available


def differing(first: Path, second: Path) -> list[str]:
    """The build outputs whose bytes differ between two output folders."""
    return [name for name in OUTPUTS if (first / name).read_bytes() != (second / name).read_bytes()]


def test_committed_outputs_equal_a_fresh_build(fresh_build: Path) -> None:
    """Every file the build writes into graph/ is exactly what building the committed data gives now."""
    if not java_available():
        pytest.skip("the committed outputs hold what HermiT infers; install Java to compare them with a fresh build")
    stale = differing(GRAPH_DIR, fresh_build)
    assert not stale, "; ".join(
        f"graph/{n} differs from a fresh build: run `python build_graph.py` and commit" for n in stale
    )


def test_a_second_build_elsewhere_is_byte_identical(fresh_build: Path, uncached_build: Path) -> None:
    """Another process, hash seed, working folder and data path (as on a fresh clone) give the same bytes."""
    changed = differing(uncached_build, fresh_build)
    assert not changed, f"two builds of the same data differ in {', '.join(changed)}: some output order is not fixed"
