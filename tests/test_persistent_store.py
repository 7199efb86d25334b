"""The persistent on-disk store (lutonkg.query.ondisk): built once per N-Quads content, reused, rebuilt when the
file changes, never half-built, shared by concurrent commands and by `lutonkg serve`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from serve_helpers import free_port

from lutonkg.query import execute, ondisk, open_engine, prepare
from lutonkg.query.ondisk import BUILD_PREFIX, LOADS, META, clean, open_store
from lutonkg.query.scopes import SCOPE_BASE
from lutonkg.query.server import serving

SRC = Path(__file__).resolve().parents[1] / "src"
SCHOOL = "https://w3id.org/lutonkg/id/school/challney-high-school-for-boys"
TRUST = "https://w3id.org/lutonkg/id/body/chiltern-learning-trust"


@pytest.fixture()
def graph(fresh_build: Path, tmp_path: Path) -> Path:
    """A private copy of the freshly built Luton N-Quads."""
    path = tmp_path / "luton.nq"
    path.write_bytes((fresh_build / "lutonkg.nq").read_bytes())
    return path


def identity(folder: Path) -> tuple[int, int]:
    """A folder's inode and modification time: unchanged unless the folder was made again."""
    info = folder.stat()
    return info.st_ino, info.st_mtime_ns


def trust_of_challney(engine: object) -> set[str]:
    """The trusts the library says Challney High School for Boys belongs to (Strategy 2020, Appendix B: WEST)."""
    names, rows = execute(prepare("trust-schools", {}, engine), engine)
    return {row["trust"] for row in rows if row["school"] == SCHOOL}


def test_a_second_open_reuses_the_store(graph: Path, tmp_path: Path):
    root = tmp_path / "stores"
    loads = LOADS["count"]
    first = open_store(graph, root)
    assert first.built and (first.path / META).is_file()
    before = identity(first.path)
    first.close()
    second = open_store(graph, root)
    assert not second.built and second.path == first.path
    assert identity(second.path) == before and LOADS["count"] == loads + 1
    engine = open_engine(graph, stores=root)
    assert engine.disk.path == first.path and not engine.disk.built
    assert trust_of_challney(engine) == {TRUST}
    assert LOADS["count"] == loads + 1


def test_a_newer_store_layout_builds_a_store_of_its_own(graph: Path, tmp_path: Path, monkeypatch):
    root = tmp_path / "stores"
    old = open_store(graph, root)
    old.close()
    monkeypatch.setattr(ondisk, "LAYOUT", ondisk.LAYOUT + 1)  # as a newer lutonkg that stores more (scope graphs)
    new = open_store(graph, root)
    assert new.built and new.path != old.path and f"-v{ondisk.LAYOUT}-" in new.key
    new.close()
    clean(root)  # (the build itself cleans up too)
    assert not old.path.exists() and new.path.is_dir()


def test_a_changed_file_gets_a_new_store_and_the_old_one_goes(graph: Path, tmp_path: Path):
    root = tmp_path / "stores"
    old = open_store(graph, root)
    old.close()
    lines = graph.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if "chiltern-learning-trust" not in line]
    assert len(kept) < len(lines)
    graph.write_text("".join(kept), encoding="utf-8")
    new = open_store(graph, root)
    assert new.built and new.key != old.key
    assert not old.path.exists()  # nobody held it: cleaned when the new one was opened
    assert trust_of_challney(open_engine(graph, stores=root)) == set()


def test_a_store_in_use_is_not_cleaned_until_released(graph: Path, tmp_path: Path):
    root = tmp_path / "stores"
    held = open_store(graph, root)
    lines = graph.read_text(encoding="utf-8").splitlines(keepends=True)
    graph.write_text("".join(lines[: len(lines) // 2]), encoding="utf-8")
    other = open_store(graph, root)
    assert other.key != held.key and held.path.is_dir()  # a reader still has it open
    held.close()
    assert held.path.name in clean(root) and not held.path.exists()


def test_another_graph_file_gets_its_own_store(graph: Path, tmp_path: Path):
    root = tmp_path / "stores"
    other = tmp_path / "other.nq"
    other.write_text("".join(graph.read_text(encoding="utf-8").splitlines(keepends=True)[:2000]), encoding="utf-8")
    one, two = open_store(graph, root), open_store(other, root)
    assert one.path != two.path and one.path.is_dir() and two.path.is_dir()


KILLED_BUILD = """
import os, sys, time
from pathlib import Path
from lutonkg.query import ondisk
real = ondisk.build
def stalled(nquads, target):
    import pyoxigraph as ox
    store = ox.Store(str(target))
    store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
    store.flush()
    Path(sys.argv[3]).write_text("loading")
    time.sleep(600)
ondisk.build = stalled
ondisk.open_store(Path(sys.argv[1]), Path(sys.argv[2]))
"""


def test_a_killed_load_leaves_no_half_store_that_is_used_later(graph: Path, tmp_path: Path):
    root, marker = tmp_path / "stores", tmp_path / "marker"
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    child = subprocess.Popen([sys.executable, "-c", KILLED_BUILD, str(graph), str(root), str(marker)], env=env)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert child.poll() is None and time.monotonic() < deadline, "the build did not start"
            time.sleep(0.05)
        half = list(root.glob(BUILD_PREFIX + "*"))
        assert len(half) == 1 and any(half[0].glob("*.sst"))
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert not [p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")]  # no store under its key
    store = open_store(graph, root)
    assert store.built and not list(root.glob(BUILD_PREFIX + "*"))
    assert trust_of_challney(open_engine(graph, stores=root)) == {TRUST}


CONCURRENT = """
import sys
from pathlib import Path
from lutonkg.query.ondisk import open_store
store = open_store(Path(sys.argv[1]), Path(sys.argv[2]))
print("built" if store.built else "reused", store.path)
"""


def test_concurrent_commands_build_one_store(graph: Path, tmp_path: Path):
    root = tmp_path / "stores"
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    runs = [
        subprocess.Popen([sys.executable, "-c", CONCURRENT, str(graph), str(root)], env=env, stdout=subprocess.PIPE,
                         text=True)
        for _ in range(3)
    ]  # fmt: skip
    said = [run.communicate(timeout=300)[0].split() for run in runs]
    assert sorted(word for word, _ in said) == ["built", "reused", "reused"]
    assert len({path for _, path in said}) == 1


def test_the_command_line_reuses_the_project_store(graph: Path, tmp_path: Path):
    project = tmp_path / "project"
    project.mkdir()
    (project / "lutonkg.toml").write_text('[project]\ntitle = "test"\n', encoding="utf-8")
    command = [sys.executable, "-m", "lutonkg.cli", "--project", str(project), "query", "trust-schools",
               "--graph", str(graph), "--format", "csv"]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    first = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    [store] = [p for p in (project / ".lutonkg-cache" / "stores").iterdir() if p.is_dir()]
    before = identity(store)
    second = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    assert identity(store) == before and first.stdout == second.stdout
    assert "Challney High School for Boys" in second.stdout


def test_serve_serves_the_same_store(graph: Path, tmp_path: Path):
    root = tmp_path / "stores"
    existing = open_store(graph, root)
    loads = LOADS["count"]
    with serving(graph, port=free_port(), tmp=tmp_path, stores=root) as service:
        assert service.engine.location.resolve() == existing.path.resolve()
        query = f"SELECT ?t WHERE {{ ?t <http://www.w3.org/ns/org#hasSubOrganization> <{SCHOOL}> }}"
        request = urllib.request.Request(service.endpoint + "?" + urllib.parse.urlencode({"query": query}),
                                         headers={"Accept": "text/csv"})  # fmt: skip
        with urllib.request.urlopen(request, timeout=30) as response:
            assert TRUST in response.read().decode()
    assert LOADS["count"] == loads and existing.path.is_dir()
    assert not list(tmp_path.glob("lutonkg-serve-*"))


def test_a_malformed_file_is_one_error_line(tmp_path: Path):
    bad = tmp_path / "bad.nq"
    bad.write_text('<a:s> <a:p> "unterminated .\n', encoding="utf-8")
    from lutonkg.query import QueryError

    with pytest.raises(QueryError, match="cannot load"):
        open_engine(bad, stores=tmp_path / "stores")
    assert not [p for p in (tmp_path / "stores").iterdir() if p.is_dir()]


def test_kill_during_use_keeps_the_store(graph: Path, tmp_path: Path):
    root = tmp_path / "stores"
    code = textwrap.dedent("""
        import sys, time
        from pathlib import Path
        from lutonkg.query.ondisk import open_store
        open_store(Path(sys.argv[1]), Path(sys.argv[2]))
        print("open", flush=True)
        time.sleep(600)
    """)
    child = subprocess.Popen([sys.executable, "-c", code, str(graph), str(root)], stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": str(SRC)})  # fmt: skip
    try:
        assert child.stdout.readline().strip() == "open"
    finally:
        child.kill()
        child.wait()
    again = open_store(graph, root)
    assert not again.built


def test_an_unusable_store_folder_falls_back_to_memory(graph: Path, tmp_path: Path):
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the stores' folder would go", encoding="utf-8")
    engine = open_engine(graph, stores=blocked / "stores")
    assert engine.disk is None and trust_of_challney(engine) == {TRUST}


def _triples(store: object, graph: object) -> set[tuple[str, str, str]]:
    """The triples of one graph of a store, as N-Triples terms (blank nodes by their own label)."""
    return {(str(q.subject), str(q.predicate), str(q.object)) for q in store.quads_for_pattern(None, None, None, graph)}


def _named(triples: set[tuple[str, str, str]]) -> set[tuple[str, str, str]]:
    """The triples without a blank node (the loader names blank nodes afresh on each load)."""
    return {t for t in triples if not any(term.startswith("_:") for term in t)}


def test_the_union_is_loaded_as_n_triples(graph: Path, tmp_path: Path):
    import pyoxigraph as ox

    disk = open_store(graph, tmp_path / "stores")
    assert json.loads((disk.path / META).read_text())["load"] == "union as N-Triples"
    graphs = [g for g in disk.store.named_graphs() if not g.value.startswith(SCOPE_BASE)]  # scope graphs: derived
    named = {t for g in graphs for t in _triples(disk.store, g)}
    union = _triples(disk.store, ox.DefaultGraph())
    assert _named(union) == _named(named) and len(union) - len(_named(union)) == len(named) - len(_named(named))
    assert trust_of_challney(open_engine(graph, stores=tmp_path / "stores")) == {TRUST}


def test_unusual_lines_and_default_graph_triples_still_give_the_union(tmp_path: Path):
    import pyoxigraph as ox

    ex = "http://example.org/"
    lines = [
        f"<{ex}a> <{ex}p> <{ex}b> <{ex}g1> .",
        f'<{ex}a>\t<{ex}label>\t"tab  separated . <{ex}x> ."\t<{ex}g2> .',
        f"<{ex}c> <{ex}p> _:n <{ex}g1> . # a comment after the dot",
        f"# a comment line\n<{ex}d> <{ex}p> <{ex}e> <{ex}g2> .",
    ]
    odd = tmp_path / "odd.nq"
    odd.write_text("\n".join(lines), encoding="utf-8")  # and no newline at the end
    disk = open_store(odd, tmp_path / "stores")
    assert json.loads((disk.path / META).read_text())["load"] == "union as N-Triples"
    assert {s for s, _, _ in _triples(disk.store, ox.DefaultGraph())} == {f"<{ex}{n}>" for n in "acd"}
    assert len(_triples(disk.store, ox.DefaultGraph())) == 4
    disk.close()
    mixed = tmp_path / "mixed.nq"
    mixed.write_text(f"<{ex}a> <{ex}p> <{ex}b> <{ex}g1> .\n<{ex}x> <{ex}p> <{ex}y> .\n", encoding="utf-8")
    disk = open_store(mixed, tmp_path / "stores")  # a triple in the default graph: cut wrongly, so loaded the slow way
    assert json.loads((disk.path / META).read_text())["load"] == "union quad by quad"
    assert _triples(disk.store, ox.DefaultGraph()) == {
        (f"<{ex}a>", f"<{ex}p>", f"<{ex}b>"),
        (f"<{ex}x>", f"<{ex}p>", f"<{ex}y>"),
    }
    assert len(list(disk.store.named_graphs())) == 1
