"""`lutonkg build --watch` and `lutonkg check --watch` (lutonkg.build.watch, lutonkg.checks.warm): a curator saves a
data file and the same process builds or checks again, with HermiT in a Java VM kept warm inside it. What it writes
is what a fresh build writes, byte for byte; a bad edit is one line and the outputs stay as they were, and the
watching goes on; Ctrl-C and SIGTERM stop it cleanly. HermiT run inside the process gives exactly what the `java`
command gives, consistent or not."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml
from mini_project import make_mini_data, plain
from project_paths import DATA_DIR, PROJECT

from lutonkg.build import watch
from lutonkg.build.cache import CACHE_ENV
from lutonkg.build.pipeline import OUTPUTS, build
from lutonkg.checks import reason
from lutonkg.cli.main import main
from lutonkg.data.load import read_yaml

needs_java = pytest.mark.skipif(not reason.java_available(), reason="HermiT needs a Java runtime")

BODY = "https://w3id.org/lutonkg/id/body/"
SUB_ORGANIZATION = "<http://www.w3.org/ns/org#hasSubOrganization>"
INFERRED = "<https://w3id.org/lutonkg/id/graph/inferred>"
LEA_LINK = "luton-lea-part-of-luton-borough-council"
OBJECT = re.compile(rf"(?m)^(- id: {LEA_LINK}\n  subject: luton-lea\n  relation: part-of\n)  object: .*$")


class Watching:
    """A `lutonkg ... --watch` process with its output lines as they come, using the project's build cache (which
    the other tests turn off) as a curator's does."""

    def __init__(self, *arguments: str, env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "lutonkg.cli", *arguments, "--watch"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**{k: v for k, v in os.environ.items() if k != CACHE_ENV}, **(env or {})},  # the cache, as a user has
        )
        self.out: list[str] = []
        self.err: list[str] = []
        for stream, lines in ((self.process.stdout, self.out), (self.process.stderr, self.err)):
            threading.Thread(target=lambda s=stream, kept=lines: kept.extend(s), daemon=True).start()

    def wait_for(self, lines: list[str], pattern: str, count: int = 1, timeout: float = 180) -> None:
        """Until `count` lines matching the pattern have come on the stream (fails, stopping the process, if not)."""
        deadline = time.monotonic() + timeout
        while sum(bool(re.search(pattern, line)) for line in list(lines)) < count:
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.process.kill()
                pytest.fail(f"no {count} line(s) matching {pattern!r}; stdout {self.out[-6:]}, stderr {self.err[-6:]}")
            time.sleep(0.05)

    def stop(self, signum: int) -> int:
        """Send the signal; the exit status."""
        self.process.send_signal(signum)
        try:
            return self.process.wait(60)
        finally:
            time.sleep(0.2)  # the reader threads take the last lines


@pytest.fixture
def mini_project(tmp_path: Path) -> Path:
    """The small data set with one relationship of the Luton data: the LEA part of the council."""
    data = make_mini_data(tmp_path / "project" / "graph" / "data")
    link = [plain(r) for r in read_yaml(DATA_DIR / "relationships.yaml")["relationships"] if r["id"] == LEA_LINK]
    (data / "relationships.yaml").write_text(
        yaml.safe_dump({"relationships": link}, sort_keys=False, allow_unicode=True, width=120), encoding="utf-8"
    )
    return tmp_path / "project"


def _move(data: Path, body: str) -> None:
    """Move the LEA's part-of link to another body (an edit HermiT sees), as an editor saves the file."""
    path = data / "relationships.yaml"
    text, count = OBJECT.subn(rf"\g<1>  object: {body}", path.read_text(encoding="utf-8"), count=1)
    assert count == 1
    path.write_text(text, encoding="utf-8")


def _outputs(folder: Path) -> dict[str, bytes]:
    """The build's output files and their bytes."""
    return {name: (folder / name).read_bytes() for name in OUTPUTS}


@needs_java
def test_build_watch_rebuilds_each_save_as_a_fresh_build_would(mini_project: Path, tmp_path: Path) -> None:
    data, graph = mini_project / "graph" / "data", mini_project / "graph"
    watching = Watching("build", "--project", str(mini_project))
    watching.wait_for(watching.err, r"lutonkg build: watching .* for changes")
    assert any(line.startswith("built ") for line in watching.out)
    assert f"<{BODY}luton-borough-council> {SUB_ORGANIZATION} <{BODY}luton-lea> {INFERRED} ." in (
        graph / "lutonkg.nq"
    ).read_text(encoding="utf-8")
    # the Java VM is inside the watching process (HermiT runs there, warm), not a `java` started for each build
    assert "libjvm" in Path(f"/proc/{watching.process.pid}/maps").read_text()
    assert not any("fresh Java" in line for line in watching.err)

    _move(data, "luton-childrens-services-authority")  # HermiT must run again: the inverse link moves with it
    watching.wait_for(watching.out, r"^built ", count=2)
    assert any(re.match(r"\d\d:\d\d:\d\d changed: relationships\.yaml$", line.strip()) for line in watching.out)
    assert any("changed node(s) validated" in line for line in watching.out)  # the rebuild used the build cache
    built = _outputs(graph)
    nquads = built["lutonkg.nq"].decode("utf-8")
    assert f"<{BODY}luton-childrens-services-authority> {SUB_ORGANIZATION} <{BODY}luton-lea> {INFERRED} ." in nquads
    assert f"<{BODY}luton-borough-council> {SUB_ORGANIZATION} <{BODY}luton-lea>" not in nquads
    build(data, tmp_path / "fresh")  # a fresh build of the same data, no cache, HermiT in a `java` of its own
    assert built == _outputs(tmp_path / "fresh")

    _move(data, "no-such-body")  # a bad edit: one line, nothing written, and the watching goes on
    watching.wait_for(watching.err, r"error:")
    (error,) = [line for line in watching.err if "error:" in line]
    assert error.startswith("lutonkg build: error: ") and "relationships.yaml" in error
    assert LEA_LINK in error and "no-such-body" in error and error.rstrip().endswith("(nothing was written)")
    assert watching.process.poll() is None
    assert _outputs(graph) == built

    _move(data, "luton-borough-council")  # mended: built again
    watching.wait_for(watching.out, r"^built ", count=3)
    assert f"<{BODY}luton-borough-council> {SUB_ORGANIZATION} <{BODY}luton-lea> {INFERRED} ." in (
        graph / "lutonkg.nq"
    ).read_text(encoding="utf-8")

    assert watching.stop(signal.SIGINT) == 0  # Ctrl-C while waiting: the usual way to stop
    assert watching.err[-1].strip() == "lutonkg build: stopped watching"
    assert not any("Traceback" in line for line in watching.out + watching.err)


@needs_java
def test_check_watch_checks_each_save_writes_nothing_and_stops_on_sigterm(mini_project: Path) -> None:
    data, graph = mini_project / "graph" / "data", mini_project / "graph"
    watching = Watching("check", "--project", str(mini_project))
    watching.wait_for(watching.err, r"lutonkg check: watching ")
    _move(data, "luton-education-service")
    watching.wait_for(watching.out, r"^checked .*: nothing written", count=2)
    assert not any((graph / name).exists() for name in OUTPUTS)
    assert watching.stop(signal.SIGTERM) == 143, watching.err
    assert watching.err[-1].strip() == "lutonkg check: terminated"
    assert not any("Traceback" in line for line in watching.out + watching.err)


@needs_java
def test_without_a_jvm_library_beside_java_hermit_runs_as_a_command(mini_project: Path, tmp_path: Path) -> None:
    """A `java` on PATH that is not a Java installation's (here a script that runs the real one): the watching says
    HermiT will start a fresh Java each time, and builds as before."""
    shim = tmp_path / "bin"
    shim.mkdir()
    log = tmp_path / "java.log"
    real = subprocess.run(["sh", "-c", "command -v java"], capture_output=True, text=True, check=True).stdout.strip()
    (shim / "java").write_text(f'#!/bin/sh\necho "$@" >> {log}\nexec {real} "$@"\n', encoding="utf-8")
    (shim / "java").chmod(0o755)
    watching = Watching(
        "build", "--project", str(mini_project), env={"PATH": f"{shim}{os.pathsep}{os.environ['PATH']}"}
    )
    watching.wait_for(watching.err, r"lutonkg build: watching ")
    assert any("HermiT will start a fresh Java each time (no Java runtime library" in line for line in watching.err)
    _move(mini_project / "graph" / "data", "luton-youth-service")
    watching.wait_for(watching.out, r"^built ", count=2)
    assert log.read_text(encoding="utf-8").count("org.semanticweb.HermiT.cli.CommandLine") == 2
    assert watching.stop(signal.SIGINT) == 0


@needs_java
def test_hermit_inside_the_process_answers_as_the_java_command_does(fresh_build: Path) -> None:
    script = PROJECT.root / "tests" / "hermit_both_ways.py"
    ran = subprocess.run(
        [sys.executable, str(script), str(fresh_build / "lutonkg.nq")], capture_output=True, text=True, timeout=600
    )
    assert ran.returncode == 0, ran.stderr
    said = json.loads(ran.stdout)
    assert said["warm_start_problem"] is None
    assert said["fresh_count"] > 10_000 and said["fresh_has_lea_membership_inverse"]
    assert said["same_both_ways"]  # twice, the second time warm
    assert said["fresh_clash"] == said["in_process_clash"] == "InconsistentGraph"
    assert said["java_commands_started_after_warm_start"] == 0


def test_only_the_data_files_are_watched() -> None:
    assert watch.is_data_file("/p/graph/data/relationships.yaml")
    for name in (".relationships.yaml.swp", ".#relationships.yaml", "relationships.yaml~", "notes.txt", "#a.yaml#"):
        assert not watch.is_data_file(f"/p/graph/data/{name}")


def test_an_edit_saved_before_the_watcher_started_comes_first(tmp_path: Path) -> None:
    """The watcher starts when first asked, after the first build: a file that changed meanwhile is in the first
    round, with what the watcher saw; rounds in which nothing changed are passed over."""
    (tmp_path / "bodies.yaml").write_text("bodies: []\n", encoding="utf-8")
    (tmp_path / "events.yaml").write_text("events: []\n", encoding="utf-8")
    before = watch.snapshot(tmp_path)
    time.sleep(0.01)
    (tmp_path / "bodies.yaml").write_text("bodies: []  # edited during the first build\n", encoding="utf-8")
    rounds = watch._rounds(iter([{(2, str(tmp_path / "duties.yaml"))}, set(), {(2, str(tmp_path / "events.yaml"))}]),
                           tmp_path, before)  # fmt: skip
    assert list(rounds) == [["bodies.yaml", "duties.yaml"], ["events.yaml"]]


def test_watching_a_missing_data_folder_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["build", "--watch", "--data", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert err.strip() == f"lutonkg build: error: {tmp_path / 'nowhere'}: data folder not found"
