"""`lutonkg serve` dies cleanly whatever stops it. After SIGKILL, SIGHUP or SIGTERM at a random moment (while it
starts, loads, serves or answers) no Oxigraph process is left; SIGHUP and SIGTERM leave no work folder; the next start
removes any folder a SIGKILL left. An Oxigraph orphaned by an older version, still answering on the public port, is
stopped by the next start. (Before: SIGKILL and SIGHUP left `oxigraph serve-read-only` answering, and 11 MB behind.)
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from serve_helpers import engine_pids, free_port, kill_engines, serving_line, spawn_serve, start_serve

from lutonkg.query.server import WORK_PREFIX, load_store, oxigraph_command

SEED = 20250613


@pytest.fixture(scope="module")
def small_graph(fresh_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first 3,000 quads of the fresh build: loads in a moment, so the kills land in every phase."""
    lines = (fresh_build / "lutonkg.nq").read_text(encoding="utf-8").splitlines(keepends=True)[:3000]
    path = tmp_path_factory.mktemp("small") / "small.nq"
    path.write_text("".join(lines), encoding="utf-8")
    return path


def work_folders(tmp: Path) -> list[Path]:
    """The serve work folders in tmp."""
    return sorted(tmp.glob(WORK_PREFIX + "*"))


def gone(tmp: Path, seconds: float = 5) -> bool:
    """Wait until no Oxigraph of tmp is left; False if one still runs after the wait."""
    deadline = time.monotonic() + seconds
    while engine_pids(tmp):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def ask(endpoint: str, query: str = "ASK {}") -> int | str:
    """POST a query; the status, or the name of the connection error."""
    data = urllib.parse.urlencode({"query": query}).encode()
    try:
        with urllib.request.urlopen(urllib.request.Request(endpoint, data=data), timeout=30) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError as exc:
        return type(exc).__name__


def test_signals_at_random_moments_leave_no_engine_and_the_next_start_cleans_up(small_graph: Path, tmp_path: Path):
    rng = random.Random(SEED)
    port = free_port()
    try:
        for sig in (signal.SIGKILL, signal.SIGHUP, signal.SIGTERM, signal.SIGKILL):
            process = spawn_serve(small_graph, port, tmp_path, "--timeout", "30")
            if rng.random() < 0.5:  # somewhere in starting up: imports, loading, starting Oxigraph
                time.sleep(rng.uniform(0.0, 3.0))
            else:  # while serving, with a long query in flight
                assert serving_line(process).startswith("serving")
                endpoint = f"http://127.0.0.1:{port}/query"
                cross = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
                threading.Thread(target=ask, args=(endpoint, cross), daemon=True).start()
                time.sleep(rng.uniform(0.1, 1.0))
            process.send_signal(sig)
            process.wait(30)
            assert gone(tmp_path), f"an Oxigraph outlived `lutonkg serve` after {sig.name}"
            if sig != signal.SIGKILL:
                assert work_folders(tmp_path) == [], f"{sig.name} left a work folder"
        left = work_folders(tmp_path)
        process, endpoint = start_serve(small_graph, port, tmp_path)  # the next start
        assert ask(endpoint) == 200
        assert len(work_folders(tmp_path)) == 1 and not set(left) & set(work_folders(tmp_path))
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0
        assert gone(tmp_path) and list(tmp_path.iterdir()) == []
    finally:
        kill_engines(tmp_path)


def test_an_engine_orphaned_by_an_older_version_is_stopped_at_the_next_start(small_graph: Path, tmp_path: Path):
    old = tmp_path / (WORK_PREFIX + "old")  # what an older `lutonkg serve` left: no lock file, Oxigraph still serving
    old.mkdir()
    load_store(small_graph, old / "store")
    port = free_port()
    orphan = subprocess.run(  # started in the background of a shell that exits at once: its parent is gone
        ["sh", "-c", f"'{oxigraph_command()}' serve-read-only --location '{old}/store' --bind 127.0.0.1:{port} "
         ">/dev/null 2>&1 & echo $!"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while ask(f"http://127.0.0.1:{port}/query") != 200:  # the orphan answers on the public port
            assert time.monotonic() < deadline, "the orphan did not start"
            time.sleep(0.1)
        process, endpoint = start_serve(small_graph, port, tmp_path)  # used to fail: port already in use
        assert not old.exists() and int(orphan) not in engine_pids(tmp_path)
        assert ask(endpoint) == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0
        assert gone(tmp_path) and list(tmp_path.iterdir()) == []
    finally:
        kill_engines(tmp_path)


def test_the_front_outlives_any_number_of_engine_deaths(small_graph: Path, tmp_path: Path):
    process, endpoint = start_serve(small_graph, free_port(), tmp_path)  # used to give up after six deaths a minute
    try:
        for _ in range(8):
            [engine] = engine_pids(tmp_path)
            os.kill(engine, signal.SIGKILL)  # as a crash would
            deadline = time.monotonic() + 15
            while ask(endpoint) != 200:
                assert time.monotonic() < deadline, "the engine was not restarted"
                time.sleep(0.05)
            assert process.poll() is None
        assert len(engine_pids(tmp_path)) == 1
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0
        assert gone(tmp_path) and list(tmp_path.iterdir()) == []
    finally:
        kill_engines(tmp_path)
