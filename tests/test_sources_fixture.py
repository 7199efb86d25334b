"""The `sources` fixture: where the texts are missing it skips on a user's clone but fails on CI."""

from __future__ import annotations

from collections.abc import Callable

import conftest
import pytest


def sources_fixture() -> Callable:
    """The plain function behind the `sources` fixture of tests/conftest.py."""
    fixture = conftest.sources
    return getattr(fixture, "__wrapped__", None) or fixture.__pytest_wrapped__.obj


def test_missing_sources_fail_on_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """With CI set and no source texts, tests that need them fail instead of silently skipping."""
    monkeypatch.setattr(conftest, "sources_dir", lambda *args: None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must have the source texts"):
        sources_fixture()()


def test_missing_sources_skip_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without CI the same absence is a skip that says how to provide the texts."""
    monkeypatch.setattr(conftest, "sources_dir", lambda *args: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="LUTONKG_SOURCES"):
        sources_fixture()()
