"""graph/ is always wholly old or wholly new: builds killed at random moments, two builds at once, reads meanwhile.

The build publishes its four outputs by swapping one folder (lutonkg.build.publish). These tests kill a loop of
real publishes at random moments, kill real builds while they write, interrupt the reasoner, run two builds into
one folder and read the outputs while they are replaced, and check after each that every output is a whole file
of one and the same build, and that whatever a killed build left behind is removed by the next one.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from mini_project import make_mini_data
from project_paths import GRAPH_DIR, REPO_ROOT

from lutonkg.build import publish
from lutonkg.build.pipeline import OUTPUTS
from lutonkg.checks.reason import java_available
from lutonkg.cli.main import main

SEED = int(os.environ.get("LUTONKG_KILL_SEED", time.time_ns() % 100_000))
ENV = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "src")}
TABLE_ROWS = [
    ("signals during build", "SIGKILL and SIGTERM at 10 random moments of a loop of publishes",
     "every time all four outputs are whole files of one publish (old or new); the next run removes the staging"),
    ("signals during build", "SIGKILL and SIGTERM of a real build while it writes its outputs",
     "graph/ wholly old or wholly new; SIGTERM: exit 143, one line `lutonkg build: terminated`; next build cleans up"),
    ("signals during build", "Ctrl-C (SIGINT) while HermiT (Java) runs",
     "exit 130, one line `lutonkg build: interrupted`; Java stopped; graph/ unchanged, no staging left"),
    ("signals during build", "Ctrl-C at a random moment of a build",
     "exit 130, one line; graph/ wholly old or wholly new"),
    ("concurrency", "two builds into one graph/ at once",
     "the second stops at once: one line `... another build is writing its outputs there now ...`, exit 1; "
     "the first publishes"),
    ("concurrency", "reading graph/ while builds publish (files one by one, and a set through current/)",
     "every read is a whole file of one build, never missing; a set read through current/ is one build's"),
    ("leftovers", "stale .staging-* folders and links of killed builds", "removed by the next build"),
    ("leftovers", "killed between the two renames of the fallback swap (no renameat2)",
     "the next build puts the old outputs back first"),
]  # fmt: skip

# A loop of real publishes. Every step that changes names in the folder is slowed down (2 ms before and after), so
# that kills at random moments often land between two steps: a publish that replaced the files one by one would be
# caught half-way, while the real one has a single step that readers can see.
LOOP = textwrap.dedent(
    """
    import itertools, os, sys, time
    from pathlib import Path
    from lutonkg.build import publish

    def slowed(step):
        def run(*args, **kwargs):
            time.sleep(0.002)
            result = step(*args, **kwargs)
            time.sleep(0.002)
            return result
        return run

    os.replace, os.rename, os.symlink = slowed(os.replace), slowed(os.rename), slowed(os.symlink)
    publish._exchange = slowed(publish._exchange)
    out, outputs = Path(sys.argv[1]), tuple(sys.argv[2].split(","))
    print("ready", flush=True)
    for version in itertools.cycle("AB"):
        with publish.exclusive(out, outputs):
            staging = publish.stage(out)
            try:
                publish.write(staging, {name: f"{version} {name}\\n" * REPEAT for name in outputs})
                publish.swap_in(staging, out, outputs)
            finally:
                publish.discard(staging)
    """
)


REPEAT = 20_000


def content(version: str, name: str) -> bytes:
    """The bytes the publish loop (or the test) writes for one output of one version."""
    repeat = 1 if version == "old" else REPEAT
    return f"{version} {name}\n".encode() * repeat


def publish_version(out: Path, version: str) -> None:
    """Publish one version of all outputs into out, as a build does."""
    with publish.exclusive(out, OUTPUTS):
        staging = publish.stage(out)
        try:
            publish.write(staging, {name: content(version, name).decode() for name in OUTPUTS})
            publish.swap_in(staging, out, OUTPUTS)
        finally:
            publish.discard(staging)


def version_of(out: Path) -> str:
    """The one version every output of out belongs to (each read whole); AssertionError for a mixed or torn set."""
    versions = set()
    for name in OUTPUTS:
        data = (out / name).read_bytes()
        version = data.split(b" ", 1)[0].decode()
        assert data == content(version, name), f"{name} is not a whole file of version {version}"
        versions.add(version)
    assert len(versions) == 1, f"a mixed set of outputs: {versions}"
    return versions.pop()


def leftovers(out: Path) -> list[str]:
    """Names in out that are neither the published outputs nor their folder."""
    return sorted(p.name for p in out.iterdir() if p.name not in {*OUTPUTS, publish.CURRENT})


def start_loop(out: Path) -> subprocess.Popen:
    """Start the publish loop and wait until it runs."""
    loop = subprocess.Popen(
        [sys.executable, "-c", LOOP.replace("REPEAT", str(REPEAT)), str(out), ",".join(OUTPUTS)],
        stdout=subprocess.PIPE,
        env=ENV,
        text=True,
    )
    assert loop.stdout is not None and loop.stdout.readline().strip() == "ready"
    return loop


def test_publishes_killed_at_random_moments_leave_old_or_new(tmp_path: Path) -> None:
    """SIGKILL or SIGTERM at random moments of publishing: all four outputs always come from one publish."""
    rng = random.Random(SEED)
    out = tmp_path / "graph"
    publish_version(out, "old")
    seen = set()
    for trial in range(10):
        loop = start_loop(out)
        time.sleep(rng.uniform(0.0, 0.4))
        loop.send_signal(signal.SIGKILL if trial % 2 else signal.SIGTERM)
        loop.wait(timeout=30)
        try:
            seen.add(version_of(out))
        except AssertionError as exc:
            raise AssertionError(f"seed {SEED}, trial {trial}: {exc}") from None
        with publish.exclusive(out, OUTPUTS):  # what the next build does first
            pass
        assert leftovers(out) == [], f"seed {SEED}, trial {trial}"
        assert version_of(out) in seen
    assert seen & {"A", "B"}, f"seed {SEED}: no kill landed after a publish; {seen}"


def test_reads_while_publishing_always_see_whole_files(tmp_path: Path) -> None:
    """A reader opening the outputs while builds publish gets whole files, never a missing one; through a handle on
    current/ it gets a consistent set."""
    out = tmp_path / "graph"
    publish_version(out, "old")
    loop = start_loop(out)
    reads, versions = 0, set()
    try:
        stop = time.monotonic() + 1.5
        while time.monotonic() < stop:
            for name in OUTPUTS:
                data = (out / name).read_bytes()
                version = data.split(b" ", 1)[0].decode()
                assert data == content(version, name), f"torn read of {name}"
                versions.add(version)
                reads += 1
            folder = os.open(out / publish.CURRENT, os.O_RDONLY)
            try:
                found = set()
                for name in OUTPUTS:
                    fd = os.open(name, os.O_RDONLY, dir_fd=folder)
                    with os.fdopen(fd, "rb") as handle:
                        found.add(handle.read(1))
                assert len(found) == 1, f"a mixed set through one handle on current/: {found}"
            except FileNotFoundError:
                pass  # the handle's folder was retired by a later publish: whole or nothing, never a mix
            finally:
                os.close(folder)
    finally:
        loop.kill()
        loop.wait()
    assert reads > 20 and {"A", "B"} <= versions, (reads, versions)


def test_leftovers_of_killed_builds_are_removed_by_the_next(tmp_path: Path) -> None:
    """Staging folders and half-made links of killed builds go; a swap killed half-way is undone (old outputs back)."""
    out = tmp_path / "graph"
    publish_version(out, "old")
    (out / ".staging-abc123").mkdir()
    (out / ".staging-abc123" / "lutonkg.nq").write_text("half written", encoding="utf-8")
    (out / ".staging-link-99-lutonkg.ttl").symlink_to("current/lutonkg.ttl")
    (out / publish.CURRENT).rename(out / ".staging-old-1700000000000000000")  # killed between the fallback's renames
    with publish.exclusive(out, OUTPUTS):
        pass
    assert leftovers(out) == []
    assert version_of(out) == "old"


def test_publish_without_renameat2_still_replaces_the_whole_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the atomic exchange is unavailable, the two-rename fallback publishes the whole new set."""
    out = tmp_path / "graph"
    publish_version(out, "old")
    monkeypatch.setattr(publish, "_libc", lambda: None)
    publish_version(out, "A")
    assert version_of(out) == "A" and leftovers(out) == []


def test_committed_outputs_are_fixed_links_into_current() -> None:
    """graph/lutonkg.nq and the others are links whose targets never change (so a rebuild leaves git clean)."""
    for name in OUTPUTS:
        assert os.readlink(GRAPH_DIR / name) == f"{publish.CURRENT}/{name}"
        assert (GRAPH_DIR / publish.CURRENT / name).is_file() and not (GRAPH_DIR / publish.CURRENT / name).is_symlink()


def test_outputs_of_an_earlier_version_are_adopted(tmp_path: Path) -> None:
    """An output folder of plain files (written before current/ existed) becomes links into current/."""
    out = tmp_path / "graph"
    out.mkdir()
    for name in OUTPUTS:
        (out / name).write_bytes(content("old", name))
    publish_version(out, "A")
    assert version_of(out) == "A"
    assert all(os.readlink(out / name) == f"{publish.CURRENT}/{name}" for name in OUTPUTS)


# --- real builds -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mini(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small data set (tests/mini_project.py)."""
    return make_mini_data(tmp_path_factory.mktemp("mini") / "data")


@pytest.fixture(scope="module")
def reference(mini: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The outputs a complete build of the small data set writes (without reasoning)."""
    out = tmp_path_factory.mktemp("reference")
    assert main(["build", "--no-reason", "--data", str(mini), "--out", str(out)]) == 0
    return {name: (out / name).read_bytes() for name in OUTPUTS}


def state(out: Path, reference: dict[str, bytes]) -> str:
    """'old' or 'new' when every output is the previous or the reference build's; AssertionError otherwise."""
    found = {name: (out / name).read_bytes() for name in OUTPUTS}
    if found == reference:
        return "new"
    assert found == {name: content("old", name) for name in OUTPUTS}, "graph/ is neither wholly old nor wholly new"
    return "old"


def start_build(mini: Path, out: Path, *extra: str) -> subprocess.Popen:
    """Start `lutonkg build` on the small data set in a fresh interpreter, with Ctrl-C (SIGINT) acting as at a terminal
    even where the suite itself was started with SIGINT ignored (a background job of a shell without job control)."""
    command = [sys.executable, "-m", "lutonkg.cli", "build", "--data", str(mini), "--out", str(out), *extra]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV, text=True,
                            preexec_fn=_sigint_as_at_a_terminal)  # fmt: skip


def _sigint_as_at_a_terminal() -> None:
    """In the child before it starts: SIGINT back to its default, so that Python turns it into KeyboardInterrupt."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def wait_for(condition, process: subprocess.Popen, seconds: float = 120) -> None:
    """Poll until condition() holds (every 2 ms); fail if the process ends first."""
    stop = time.monotonic() + seconds
    while not condition():
        assert process.poll() is None, f"the build ended first: {process.communicate()}"
        assert time.monotonic() < stop, "timed out"
        time.sleep(0.002)


def staged_files(out: Path) -> bool:
    """Whether a build has started writing outputs into its staging folder."""
    return any(any(p.iterdir()) for p in out.glob(".staging-*") if p.is_dir())


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_build_killed_while_writing_leaves_old_or_new(
    sig: signal.Signals, mini: Path, reference: dict[str, bytes], tmp_path: Path
) -> None:
    """Killed while it writes its outputs, a build leaves graph/ wholly old or wholly new; the next one cleans up."""
    out = tmp_path / "graph"
    publish_version(out, "old")
    build = start_build(mini, out, "--no-reason")
    wait_for(lambda: staged_files(out), build)
    time.sleep(random.Random(SEED).uniform(0.0, 0.03))
    build.send_signal(sig)
    _, err = build.communicate(timeout=60)
    left = state(out, reference)
    if sig == signal.SIGTERM and build.returncode == -signal.SIGTERM:  # after the build ended: default handling
        assert left == "new", err
    elif sig == signal.SIGTERM and build.returncode != 0:
        assert build.returncode == 143 and err.splitlines() == ["lutonkg build: terminated"], err
    assert main(["build", "--no-reason", "--data", str(mini), "--out", str(out)]) == 0
    assert state(out, reference) == "new" and leftovers(out) == []


def java_children(pid: int) -> list[int]:
    """The process ids of java processes started by pid."""
    children = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with open(task / "children", encoding="ascii") as handle:
            children += [int(c) for c in handle.read().split()]
    return [c for c in children if "java" in Path(f"/proc/{c}/cmdline").read_bytes().decode(errors="replace")]


def alive(pid: int) -> bool:
    """Whether a process still runs (a zombie, dead but not yet reaped, does not count)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


@pytest.mark.skipif(not java_available(), reason="the OWL reasoner needs Java")
@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="finds the Java child through /proc")
def test_ctrl_c_while_the_reasoner_runs_stops_java_and_prints_one_line(mini: Path, tmp_path: Path) -> None:
    """SIGINT to the build while HermiT runs: exit 130, one line, Java gone, graph/ unchanged, nothing left over."""
    out = tmp_path / "graph"
    publish_version(out, "old")
    build = start_build(mini, out)
    wait_for(lambda: bool(java_children(build.pid)), build)
    java = java_children(build.pid)
    build.send_signal(signal.SIGINT)
    _, err = build.communicate(timeout=60)
    assert build.returncode == 130 and err.splitlines() == ["lutonkg build: interrupted"], err
    stop = time.monotonic() + 10
    while any(alive(pid) for pid in java) and time.monotonic() < stop:
        time.sleep(0.05)
    assert not any(alive(pid) for pid in java), "Java outlived the build"
    assert version_of(out) == "old" and leftovers(out) == []


def test_ctrl_c_at_a_random_moment_prints_one_line(mini: Path, reference: dict[str, bytes], tmp_path: Path) -> None:
    """SIGINT at a random moment after the build has started: exit 130 and one line (or a finished build)."""
    out = tmp_path / "graph"
    publish_version(out, "old")
    build = start_build(mini, out, "--no-reason")
    wait_for(lambda: any(out.glob(".staging-*")), build)
    time.sleep(random.Random(SEED).uniform(0.0, 1.0))
    build.send_signal(signal.SIGINT)
    _, err = build.communicate(timeout=60)
    if build.returncode != 0:
        assert build.returncode == 130 and err.splitlines() == ["lutonkg build: interrupted"], (SEED, err)
    state(out, reference)


def test_second_build_into_the_same_folder_stops_at_once(mini: Path, tmp_path: Path, capsys) -> None:
    """While one build holds graph/, a second stops with one line naming the folder, and writes nothing."""
    out = tmp_path / "graph"
    publish_version(out, "old")
    with publish.exclusive(out, OUTPUTS):
        code = main(["build", "--no-reason", "--data", str(mini), "--out", str(out)])
    err = capsys.readouterr().err.splitlines()
    assert code == 1
    assert err == [
        f"lutonkg build: error: {out}: another build is writing its outputs there now; wait for it to finish, then "
        "build again (nothing was written)"
    ]
    assert version_of(out) == "old" and leftovers(out) == []


WARM_BUILD = textwrap.dedent(
    """
    import sys
    from lutonkg.build import pipeline
    from lutonkg.cli.main import main, parser

    parser()  # every command module imported: from here the build reaches its lock in milliseconds
    print("ready", flush=True)
    sys.stdin.readline()
    sys.exit(main(sys.argv[1:]))
    """
)


def test_two_builds_at_once_one_publishes_the_other_stops(
    mini: Path, reference: dict[str, bytes], tmp_path: Path
) -> None:
    """Two real builds into one folder: the first publishes, the second stops at once with one line."""
    out = tmp_path / "graph"
    publish_version(out, "old")
    argv = ["build", "--no-reason", "--data", str(mini), "--out", str(out)]
    pipes = {"stdin": subprocess.PIPE, "stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
    second = subprocess.Popen([sys.executable, "-c", WARM_BUILD, *argv], env=ENV, **pipes)
    assert second.stdout is not None and second.stdout.readline().strip() == "ready"
    first = start_build(mini, out, "--no-reason")
    wait_for(lambda: any(out.glob(".staging-*")), first)
    _, second_err = second.communicate("go\n", timeout=120)
    _, first_err = first.communicate(timeout=120)
    assert first.returncode == 0, first_err
    assert second.returncode == 1 and "another build is writing its outputs there now" in second_err, second_err
    assert len(second_err.splitlines()) == 1
    assert state(out, reference) == "new" and leftovers(out) == []
