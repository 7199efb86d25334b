"""Bad data gives one clear error line and writes nothing; the edge cases of tests/fixtures/valid build.

Every fixture in tests/fixtures/invalid/ and tests/fixtures/valid/ is a small overlay on a copy of graph/data
(see tests/fixtures/README.md); the tests run the real command line on the changed copy: in this process
(lutonkg.cli.main.main, its exit status and what it prints), and in a fresh interpreter where the subject is the
process's environment (a PATH without Java, a broken Java).
"""

from __future__ import annotations

import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml
from project_paths import DATA_DIR

from lutonkg.checks.reason import java_available
from lutonkg.cli.main import main
from lutonkg.query.store import store_from_file

FIXTURES = Path(__file__).parent / "fixtures"
INVALID = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((FIXTURES / "invalid").glob("*.yaml"))}
VALID = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((FIXTURES / "valid").glob("*.yaml"))}
BUILD_ERRORS = sorted(name for name, f in INVALID.items() if f.get("command", "build") == "build")
CITATION_ERRORS = sorted(name for name, f in INVALID.items() if f.get("command") == "verify-sources")
PREVIOUS = "# the previous build, which a failed build must leave alone\n"
PREFIXES = """
    BASE <https://w3id.org/lutonkg/id/>
    PREFIX lkg: <https://w3id.org/lutonkg/def/>
    PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
    PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


def lutonkg(*args: object, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the `lutonkg` command line in a fresh interpreter, as a curator would."""
    command = [sys.executable, "-m", "lutonkg.cli", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=cwd, timeout=600, check=False)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture) -> Callable[..., subprocess.CompletedProcess]:
    """Run the `lutonkg` command line in this process: its exit status and what it printed, as a finished process."""

    def call(*args: object) -> subprocess.CompletedProcess:
        argv = [str(a) for a in args]
        try:
            code = main(argv)
        except SystemExit as stopped:  # argparse's usage errors
            code = stopped.code
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(argv, code, out, err)

    return call


def apply_overlay(fixture: dict, data_dir: Path) -> int:
    """Change the data copy as the fixture says; return how many lines of the file precede the fixture's text."""
    target = data_dir / fixture["file"]
    if "replace" in fixture:
        target.write_text(fixture["replace"], encoding="utf-8")
        return 0
    text = target.read_text(encoding="utf-8") if target.exists() else ""
    if text and not text.endswith("\n"):
        text += "\n"
    target.write_text(text + fixture["append"], encoding="utf-8")
    return text.count("\n")


def data_copy(tmp_path: Path, *fixtures: dict) -> tuple[Path, int]:
    """A copy of graph/data with the fixtures applied, and the line offset of the last one."""
    folder = tmp_path / "data"
    shutil.copytree(DATA_DIR, folder)
    offset = 0
    for fixture in fixtures:
        offset = apply_overlay(fixture, folder)
    return folder, offset


def previous_build(tmp_path: Path) -> Path:
    """An output folder holding a stand-in for an earlier build's file."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "lutonkg.ttl").write_text(PREVIOUS, encoding="utf-8")
    return out


def assert_names_the_entry(line: str, fixture: dict, data: Path, offset: int) -> None:
    """The line names the changed file, the line of the fault and (where there is one) the entry's id."""
    expect = fixture["expect"]
    path = data / fixture["file"]
    where = f"{path}:{offset + expect['line']}: " if "line" in expect else f"{path}: "
    assert where in line, f"expected {where!r} in: {line}"
    if "entry" in expect:
        assert f" entry '{expect['entry']}': " in line, line
    assert expect["message"] in line, line


@pytest.mark.parametrize("name", BUILD_ERRORS)
def test_bad_data_gives_one_error_line_and_writes_nothing(name: str, tmp_path: Path, cli) -> None:
    """Exit 1, one stderr line naming file, line and entry, no traceback, and the output folder left as it was."""
    fixture = INVALID[name]
    if fixture.get("reason") and not java_available():
        pytest.skip("this fixture needs the OWL reasoner, which needs Java")
    data, offset = data_copy(tmp_path, fixture)
    out = previous_build(tmp_path)
    result = cli("build", "--data", data, "--out", out, *([] if fixture.get("reason") else ["--no-reason"]))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("lutonkg build: error: ") and lines[0].endswith("(nothing was written)")
    assert_names_the_entry(lines[0], fixture, data, offset)
    assert [p.name for p in out.iterdir()] == ["lutonkg.ttl"]
    assert (out / "lutonkg.ttl").read_text(encoding="utf-8") == PREVIOUS


@pytest.mark.parametrize("name", CITATION_ERRORS)
def test_bad_citation_is_reported_with_the_fact_id(name: str, tmp_path: Path, sources: Path, cli) -> None:
    """verify-sources prints one failure naming the entry and exits 1; the real citations around it still pass."""
    fixture = INVALID[name]
    data, offset = data_copy(tmp_path, fixture)
    result = cli("verify-sources", "--data", data, "--sources", sources)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    *failures, summary = result.stdout.splitlines()
    assert len(failures) == 1, result.stdout
    assert_names_the_entry(failures[0], fixture, data, offset)
    assert summary.endswith(": 1 failure(s)"), summary


def test_output_folder_that_is_a_file_is_reported_on_one_line(tmp_path: Path, cli) -> None:
    """Writing into a path that is a file gives one error line, not a traceback."""
    blocker = tmp_path / "graph"
    blocker.write_text("not a folder\n", encoding="utf-8")
    result = cli("build", "--no-reason", "--out", blocker)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"lutonkg build: error: {blocker}: cannot write the outputs there (not a folder) (nothing was written)"
    ]


def path_without_java() -> str:
    """PATH with every folder holding a `java` left out (the interpreter's own folder kept)."""
    entries = os.environ.get("PATH", "").split(os.pathsep)
    path = os.pathsep.join([str(Path(sys.executable).parent)] + [e for e in entries if not (Path(e) / "java").exists()])
    assert shutil.which("java", path=path) is None
    return path


@pytest.fixture(scope="module")
def valid_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess, Path]:
    """One build of graph/data with every valid fixture applied, on a PATH without Java (so --no-reason), and its
    output folder."""
    tmp_path = tmp_path_factory.mktemp("valid")
    data, _ = data_copy(tmp_path, *VALID.values())
    out = tmp_path / "out"
    env = {**os.environ, "PATH": path_without_java()}
    return lutonkg("build", "--no-reason", "--data", data, "--out", out, env=env), out


@pytest.fixture(scope="module")
def valid_store(valid_build: tuple[subprocess.CompletedProcess, Path]) -> ox.Store:
    """The graph built from the valid fixtures, in the embedded store."""
    result, out = valid_build
    assert result.returncode == 0, result.stderr
    return store_from_file(out / "lutonkg.nq")


def test_valid_edge_cases_build_cleanly(valid_build: tuple[subprocess.CompletedProcess, Path]) -> None:
    """The edge cases together build with exit 0, write every output and leave no staging folder behind."""
    result, out = valid_build
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    outputs = ["duty-register.csv", "lutonkg.jsonld", "lutonkg.nq", "lutonkg.ttl"]
    assert sorted(p.name for p in out.iterdir()) == ["current", *outputs]
    assert sorted(p.name for p in (out / "current").iterdir()) == outputs


@pytest.mark.parametrize("name", sorted(VALID))
def test_valid_edge_case_is_in_the_graph(name: str, valid_store: ox.Store) -> None:
    """Each edge case's ASK query holds on the built graph."""
    assert bool(valid_store.query(PREFIXES + VALID[name]["ask"])) is True, VALID[name]["ask"]


def test_build_without_java_stops_and_writes_nothing(tmp_path: Path) -> None:
    """Without `java` on PATH a build stops with one line (what is missing, how to install it, --no-reason) and
    leaves the previous outputs exactly as they were: no silent switch to an unreasoned graph."""
    out = previous_build(tmp_path)
    result = lutonkg("build", "--out", out, env={**os.environ, "PATH": path_without_java()})
    assert result.returncode == 1 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("lutonkg build: error: OWL reasoning needs a Java runtime")
    assert "apt-get install default-jre-headless" in lines[0] and "--no-reason" in lines[0]
    assert sorted(p.name for p in out.iterdir()) == ["lutonkg.ttl"]
    assert (out / "lutonkg.ttl").read_text(encoding="utf-8") == PREVIOUS


def test_build_with_no_reason_says_the_outputs_differ(valid_build: tuple[subprocess.CompletedProcess, Path]) -> None:
    """--no-reason builds without Java and says the outputs differ from a reasoned build."""
    result, _ = valid_build
    assert result.returncode == 0, result.stderr
    said = (
        "reasoning: OWL reasoning skipped (--no-reason): the outputs differ from a reasoned build (no inferred links)"
    )
    assert said in result.stdout
    assert "HermiT" not in result.stdout


def test_broken_java_is_one_error_line(tmp_path: Path) -> None:
    """A `java` that cannot start (a broken runtime) stops the build with one line quoting Java, not a traceback."""
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "java").write_text(
        '#!/bin/sh\necho "Error: could not create the Java Virtual Machine." >&2\nexit 1\n', encoding="utf-8"
    )
    (fake / "java").chmod(0o755)
    path = os.pathsep.join([str(fake), str(Path(sys.executable).parent)])
    out = previous_build(tmp_path)
    result = lutonkg("build", "--out", out, env={**os.environ, "PATH": path})
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "lutonkg build: error: OWL reasoner (HermiT) failed to run: Error: could not create the Java Virtual Machine; "
        "check `java -version` works, or build with --no-reason (nothing was written)"
    ]
    assert (out / "lutonkg.ttl").read_text(encoding="utf-8") == PREVIOUS


def _java_that_notes_its_options(folder: Path) -> Path:
    """A `java` that records the options the launcher would pick up, prints the launcher's note naming them (as
    Java 9 and later do) and fails: the folder to put first on PATH."""
    (folder / "java").write_text(
        "#!/bin/sh\n"
        f'printf "%s" "$JDK_JAVA_OPTIONS" > {folder / "options"}\n'
        'echo "NOTE: Picked up JDK_JAVA_OPTIONS: $JDK_JAVA_OPTIONS" >&2\n'
        'echo "Error: could not create the Java Virtual Machine." >&2\nexit 1\n',
        encoding="utf-8",
    )
    (folder / "java").chmod(0o755)
    return folder


class _Recorder(http.server.BaseHTTPRequestHandler):
    """An HTTP server's handler that records each request's path and answers 404."""

    paths: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
        self.paths.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (http.server's signature)
        return


@pytest.mark.skipif(not java_available(), reason="HermiT needs Java")
def test_an_ontologys_imports_never_make_the_reasoner_fetch_anything() -> None:
    """HermiT fetches what an owl:imports names; the ontology graph already holds the project's import module, so
    imports are kept out of HermiT's input: a local server that one names gets no request, and HermiT still reasons
    (an inverse link it infers)."""
    from lutonkg.checks import reason

    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    owl, a = "http://www.w3.org/2002/07/owl#", "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    lkg, body = "https://w3id.org/lutonkg/def/", "https://w3id.org/lutonkg/id/body/"
    statements = [
        ("<urn:ontology>", f"<{lkg}>", a, f"<{owl}Ontology>"),
        ("<urn:ontology>", f"<{lkg}>", f"<{owl}imports>", f"<http://127.0.0.1:{server.server_port}/elsewhere.ttl>"),
        ("<urn:ontology>", f"<{lkg}partOf>", a, f"<{owl}ObjectProperty>"),
        ("<urn:ontology>", f"<{lkg}hasPart>", a, f"<{owl}ObjectProperty>"),
        ("<urn:ontology>", f"<{lkg}hasPart>", f"<{owl}inverseOf>", f"<{lkg}partOf>"),
        ("<urn:document>", f"<{body}luton-lea>", f"<{lkg}partOf>", f"<{body}luton-borough-council>"),
    ]
    try:
        selected = reason.reasoner_text(statements, "<urn:ontology>")
        result = reason.materialise(selected)
    finally:
        server.shutdown()
        server.server_close()
    assert _Recorder.paths == []
    assert not any(f"<{owl}imports>" in line for line in selected.lines())
    inverse = (f"{body}luton-borough-council", f"{lkg}hasPart", f"{body}luton-lea")
    assert [tuple(map(str, triple)) for triple in result.inferred] == [inverse]


@pytest.mark.parametrize("small", [True, False], ids=["small-input", "large-input"])
def test_a_short_reasoner_run_gets_the_quick_jvm_and_the_users_options_still_win(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small: bool
) -> None:
    """HermiT's JVM gets the client compiler only (reason.QUICK_JVM) for an input under reason.QUICK_JVM_BELOW
    triples, before the options the user set (the launcher lets the last one win); a large input gets only the
    user's. The launcher's note about them never becomes the error line, and owlready2's settings are restored."""
    import owlready2

    from lutonkg.checks import reason

    folder = _java_that_notes_its_options(tmp_path)
    monkeypatch.setenv("PATH", os.pathsep.join([str(folder), os.environ["PATH"]]))
    monkeypatch.setenv("JDK_JAVA_OPTIONS", "-Dset.by.the.user=1")
    if not small:
        monkeypatch.setattr(reason, "QUICK_JVM_BELOW", 1)
    body, a = "<https://w3id.org/lutonkg/def/Body>", "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    statements = [
        ("<urn:ontology>", body, a, "<http://www.w3.org/2002/07/owl#Class>"),
        ("<urn:document>", "<https://w3id.org/lutonkg/id/body/luton-borough-council>", a, body),
    ]
    with pytest.raises(reason.ReasonerFailed) as failed:
        reason.materialise(reason.reasoner_text(statements, "<urn:ontology>"))
    assert str(failed.value).startswith(
        "OWL reasoner (HermiT) failed to run: Error: could not create the Java Virtual Machine; "
    )
    quick = ["-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"] if small else []
    assert (folder / "options").read_text(encoding="utf-8").split() == [*quick, "-Dset.by.the.user=1"]
    assert "env" not in owlready2.reasoning._subprocess_kargs


def test_validation_imports_none_of_the_format_checkers_libraries() -> None:
    """The schema uses no `format`: jsonschema is imported without the optional libraries of its format checkers
    (0.05 s of every edit's check; the IRI grammar alone took 1.2 s), and still rejects a wrong entry."""
    script = (
        "import sys, copy\n"
        "from lutonkg.data import load\n"
        f"data = load.load_data(load.Path({str(DATA_DIR)!r}))\n"  # no cache: every file is validated
        "print(sorted(set(load._FORMAT_LIBRARIES) & set(sys.modules)), 'jsonschema' in sys.modules)\n"
        "bad = copy.deepcopy(data['relationships'][0]); bad['subject'] = 7\n"
        "print(sum(1 for _ in load._validator('relationships').iter_errors([bad])))\n"
    )
    found = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert found.split("\n")[0] == "[] True"
    assert int(found.split("\n")[1]) >= 1
