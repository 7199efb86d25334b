"""The toolkit installs like any Python tool and works on any project folder.

A wheel is built from this checkout and installed into a fresh virtualenv outside it; that install builds, checks
and questions a small second project (tests/fixtures/projects/testshire: an invented authority with its own short
source text) and leaves this checkout's graph/ untouched. The virtualenv borrows the test run's dependencies through
a path file (so nothing is downloaded), but not its editable lutonkg: the lutonkg it imports is the wheel's.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from project_paths import GRAPH_DIR, REPO_ROOT

from lutonkg import __version__

FIXTURE = Path(__file__).parent / "fixtures" / "projects" / "testshire"
AUTHORITY = "testshire-county-council"
# a value of the fixture for every kind of parameter the library's queries declare
VALUES = {
    "body": "testshire-county-council", "board": "testshire-safeguarding-board", "trust": "testshire-county-council",
    "document": "review2010", "doc": "review2010", "inspection": "testshire-review-2010",
    "earlier": "testshire-review-2010", "later": "testshire-review-2010", "duty": "safeguarding-cooperate",
    "aspect": "safeguarding", "theme": "governors", "act": "Children Act 2004", "priority": "tp1",
    "topic": "children-population", "relation": "part-of", "kind": "succession", "type": "directorate",
    "date": "2010-06", "year": "2010",
}  # fmt: skip


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file under a folder with the hash of its bytes."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*"))
            if p.is_file()}  # fmt: skip


def run(command: list[str], cwd: Path | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    """A command, its output captured as text."""
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv outside the checkout with the wheel of this checkout installed; its bin/ folder."""
    root = tmp_path_factory.mktemp("install")
    wheels = root / "dist"
    built = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels),
                 str(REPO_ROOT)])  # fmt: skip
    assert built.returncode == 0, built.stderr
    wheel = next(wheels.glob("lutonkg-*.whl"))
    env = root / "venv"
    made = run([sys.executable, "-m", "venv", "--without-pip", str(env)])
    assert made.returncode == 0, made.stderr
    python = env / "bin" / "python"
    installed = run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", "--no-index",
                     str(wheel)])  # fmt: skip
    assert installed.returncode == 0, installed.stderr
    site = run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip()
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(site, "borrowed-dependencies.pth").write_text("".join(f"{p}\n" for p in sorted(ours)), encoding="utf-8")
    return env / "bin"


@pytest.fixture(scope="module")
def project(venv: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture project copied outside the checkout and built by the installed command, run inside it."""
    before = fingerprint(GRAPH_DIR)
    folder = tmp_path_factory.mktemp("projects") / "testshire"
    shutil.copytree(FIXTURE, folder)
    built = run([str(venv / "lutonkg"), "build"], cwd=folder)
    assert built.returncode == 0, built.stderr
    assert "wrote: graph/lutonkg.ttl" in built.stdout
    assert fingerprint(GRAPH_DIR) == before, "building another project changed this checkout's graph/"
    return folder


def test_the_installed_package_is_the_wheel_not_the_checkout(venv: Path) -> None:
    """The virtualenv imports lutonkg from its own site-packages, with the toolkit's files inside the package."""
    code = ("import lutonkg, lutonkg.resources as r; print(lutonkg.__file__); print(r.ontology_dir()); "
            "print(r.queries_dir()); print(len(list(r.queries_dir().glob('*.rq'))))")  # fmt: skip
    out = run([str(venv / "python"), "-c", code], cwd=venv.parent).stdout.splitlines()
    assert all(line.startswith(str(venv.parent)) for line in out[:3]), out
    assert int(out[3]) >= 20
    version = run([str(venv / "lutonkg"), "--version"]).stdout.strip()
    assert version == f"lutonkg {__version__}"


def test_the_second_project_is_built_into_its_own_folder(project: Path) -> None:
    """The build wrote the fixture project's own graph/, whose documents are the fixture's, not Luton's."""
    nquads = (project / "graph" / "lutonkg.nq").read_text(encoding="utf-8")
    assert "<https://w3id.org/lutonkg/id/body/testshire-county-council>" in nquads
    assert "luton-borough-council" not in nquads
    assert sorted(p.name for p in (project / "graph").glob("lutonkg.*")) == ["lutonkg.jsonld", "lutonkg.nq",
                                                                             "lutonkg.ttl"]  # fmt: skip


def test_the_second_project_verifies_against_its_own_source_text(venv: Path, project: Path) -> None:
    """Its citations are checked against its own sources folder (set in its lutonkg.toml)."""
    done = run([str(venv / "lutonkg"), "verify-sources"], cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1] == (
        "18 citations (no selectors.yaml: the W3C selectors were not checked; `lutonkg selectors --write` makes it) "
        f"checked against {project / 'sources'}: 0 failure(s)"
    )


RUN_LIBRARY = """
import json, sys
from lutonkg.query import run
from lutonkg.query.library import library
values, authority = json.loads(sys.argv[1]), sys.argv[2]
for name, spec in library().items():
    params = {p.name: values[p.name] for p in spec.params if p.required}
    if spec.param("authority"):
        params["authority"] = authority
    print(json.dumps([name, len(run(name, params))]))
"""


def test_every_library_query_runs_on_the_second_project(venv: Path, project: Path) -> None:
    """Every query of the packaged library runs on the fixture (through the installed package, in the project's
    folder), scoped to its authority where it takes one."""
    done = run([str(venv / "python"), "-c", RUN_LIBRARY, json.dumps(VALUES), AUTHORITY], cwd=project)
    assert done.returncode == 0, done.stderr
    counts = dict(json.loads(line) for line in done.stdout.splitlines())
    assert len(counts) >= 20
    assert counts["recommendations-to-body"] == 1 and counts["reorganisations"] >= 1


def test_the_second_project_answers_with_its_own_facts(venv: Path, project: Path) -> None:
    """Its recommendation, judgement and succession come back with their citations."""
    done = run([str(venv / "lutonkg"), "query", "recommendations-to-body", "-p", f"body={AUTHORITY}", "-f", "json"],
               cwd=project)  # fmt: skip
    rows = json.loads(done.stdout)
    assert [(r["id"], r["locator"]) for r in rows] == [
        ("review2010-r01", "RECOMMENDATIONS: For action within six months")
    ]
    grades = json.loads(run([str(venv / "lutonkg"), "query", "inspection-grades", "-f", "json"], cwd=project).stdout)
    assert [(r["area"], r["grade"], r["locator"]) for r in grades] == [("Safeguarding", "good", "para 5")]
    shown = run([str(venv / "lutonkg"), "show", "safeguarding board", "-f", "json"], cwd=project)
    board = json.loads(shown.stdout)
    succeeded = [s for s in board["statements"] if s["phrase"] == "succeeded"]
    assert [s["other_label"] for s in succeeded] == ["Area Child Protection Committee"]
    assert succeeded[0]["citations"][0]["locator"] == "para 3"


def test_a_folder_that_is_no_project_gets_one_line(venv: Path, tmp_path: Path) -> None:
    """Outside any project, a command says how to point it at one."""
    done = run([str(venv / "lutonkg"), "gaps"], cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("lutonkg gaps: error: no lutonkg project in ") and "--project DIR" in done.stderr
    assert len(done.stderr.splitlines()) == 1
