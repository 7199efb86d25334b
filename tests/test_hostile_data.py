"""The standing hostile-input suite for data, files, sources and command-line options (issue 13, part A).

Each case changes a copy of the data (or the sources, or the command line) the way a careless edit, a broken disk
or a hostile file would, and the test runs the real command line on it. A build must stop with exactly one line,
`lutonkg build: error: <file>[:<line>]: ... (nothing was written)`, exit 1, no traceback, and leave the previously
published outputs byte for byte as they were. Most cases use a small data set cut from the Luton data (tests/
mini_project.py), which loads in a fraction of a second; the few that reproduce a specific report use the real data.

The table of hostile classes in docs/robustness.md is generated from the case lists of this file and of
tests/test_atomic_publish.py: `python tests/test_hostile_data.py` rewrites it, and a test checks it is current.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from mini_project import make_mini_data, published, snapshot
from project_paths import DATA_DIR, NQUADS, REPO_ROOT

from lutonkg.checks.reason import java_available
from lutonkg.cli.main import main

ENTRY = """- id: {id}
  label: {label}
  type: team
  sources:
  - {{doc: lea2002, loc: para 27, anchor: the executive comprises a leader}}
"""


FOUNDED = (
    "  founded:\n    date: 2000\n    sources:\n    - {doc: lea2002, loc: para 27, anchor: the executive}\n  sources:"
)


def entry(label: str = "Hostile entry", id: str = "hostile-entry") -> str:
    """A body entry (YAML text, appended to bodies.yaml) whose label and id are written as given."""
    return ENTRY.format(id=id, label=label)


# --- ways to change a copy of the data folder --------------------------------------------------------------------


def append(name: str, text: str | bytes) -> Callable[[Path], None]:
    """Append YAML text (or raw bytes) to a data file."""
    added = text if isinstance(text, bytes) else text.encode("utf-8")
    return lambda data: (data / name).write_bytes((data / name).read_bytes() + added)


def replace(name: str, content: str | bytes) -> Callable[[Path], None]:
    """Replace a data file's whole content."""

    def change(data: Path) -> None:
        path = data / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))

    return change


def remove(name: str) -> Callable[[Path], None]:
    """Delete a data file."""
    return lambda data: (data / name).unlink()


def as_folder(name: str) -> Callable[[Path], None]:
    """Replace a data file by a folder of the same name."""

    def change(data: Path) -> None:
        (data / name).unlink()
        (data / name).mkdir()

    return change


def link(name: str, target: str) -> Callable[[Path], None]:
    """Replace a data file by a symbolic link (to itself, to a missing file, or into a loop)."""

    def change(data: Path) -> None:
        (data / name).unlink()
        (data / name).symlink_to(target)
        if target.endswith(".loop"):
            (data / target).symlink_to(name)

    return change


def fifo(name: str) -> Callable[[Path], None]:
    """Replace a data file by a named pipe nobody writes to (reading it would wait for ever)."""

    def change(data: Path) -> None:
        (data / name).unlink()
        os.mkfifo(data / name)

    return change


def sparse(name: str, size: int) -> Callable[[Path], None]:
    """Make a data file `size` bytes long (sparse: no time or disk spent)."""

    def change(data: Path) -> None:
        with open(data / name, "r+b") as handle:
            handle.truncate(size)

    return change


def cut_mid_line(name: str) -> Callable[[Path], None]:
    """Truncate a data file in the middle of a line about half way through (a copy or save cut off)."""

    def change(data: Path) -> None:
        content = (data / name).read_bytes()
        half = len(content) // 2
        at = content.index(b"\n", half) - 3
        (data / name).write_bytes(content[:at])

    return change


def edit_line(name: str, number: int, old: str, new: str) -> Callable[[Path], None]:
    """Replace text on one line (counted from 1) of a data file."""

    def change(data: Path) -> None:
        lines = (data / name).read_text(encoding="utf-8").split("\n")
        assert old in lines[number - 1], lines[number - 1]
        lines[number - 1] = lines[number - 1].replace(old, new, 1)
        (data / name).write_text("\n".join(lines), encoding="utf-8")

    return change


def remove_folder(data: Path) -> None:
    """Delete the whole data folder."""
    shutil.rmtree(data)


def billion_laughs() -> str:
    """The classic YAML bomb: nine levels of ten aliases, a billion strings from a file of under 1 kB."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 9):
        lines.append(f"a{level}: &a{level} [" + ",".join([f"*a{level - 1}"] * 10) + "]")
    lines.append("claims: *a8")
    return "\n".join(lines) + "\n"


def nested(depth: int, mapping: bool = False) -> str:
    """A claims file whose one entry is lists (or mappings) nested `depth` deep."""
    inner = "{a: " * depth + "x" + "}" * depth if mapping else "[" * depth + "]" * depth
    return f"claims:\n- {inner}\n"


@dataclass(frozen=True)
class Case:
    """One hostile change to the data and the one error line (a phrase of it) the build must answer with."""

    kind: str
    name: str
    change: Callable[[Path], None]
    expect: str
    file: str = ""
    line: int | None = None
    data: str = "mini"
    subprocess: bool = False


BUILD_CASES = [
    # files lost, replaced or cut off
    Case(
        "data file lost or not a file",
        "relationships.yaml deleted",
        remove("relationships.yaml"),
        "required data file is missing",
        "relationships.yaml",
    ),
    Case(
        "data file lost or not a file",
        "claims.yaml is a folder",
        as_folder("claims.yaml"),
        "the data file is a folder, not a file",
        "claims.yaml",
    ),
    Case(
        "data file lost or not a file",
        "claims.yaml links to itself",
        link("claims.yaml", "claims.yaml"),
        "symbolic link that loops",
        "claims.yaml",
    ),
    Case(
        "data file lost or not a file",
        "claims.yaml in a loop of two links",
        link("claims.yaml", "claims.yaml.loop"),
        "symbolic link that loops",
        "claims.yaml",
    ),
    Case(
        "data file lost or not a file",
        "claims.yaml links to a missing file",
        link("claims.yaml", "gone.yaml"),
        "is a symbolic link to gone.yaml, which does not exist",
        "claims.yaml",
    ),
    Case(
        "data file lost or not a file",
        "claims.yaml is a FIFO nobody writes",
        fifo("claims.yaml"),
        "the data file is a named pipe (FIFO), not a file",
        "claims.yaml",
    ),
    Case(
        "data file lost or not a file",
        "judgements.yaml cut off mid-line",
        cut_mid_line("judgements.yaml"),
        "the file ends in the middle of a line, so it looks cut off (truncated)",
        "judgements.yaml",
        data="full",
    ),
    Case(
        "data file lost or not a file",
        "claims.yaml empty (0 bytes)",
        replace("claims.yaml", b""),
        "the file is empty; expected a mapping with keys claims",
        "claims.yaml",
    ),
    Case("data file lost or not a file", "the data folder deleted", remove_folder, "data folder not found"),
    # YAML syntax
    Case(
        "malformed YAML: syntax",
        "unbalanced double quote opened at schools.yaml:26",
        edit_line("schools.yaml", 26, "label: Beech", 'label: "Beech'),
        "a quote opened on this line is not closed on it",
        "schools.yaml",
        26,
        data="full",
    ),
    Case(
        "malformed YAML: syntax",
        "unbalanced single quote",
        append("bodies.yaml", entry("'Hostile entry") + entry("'Second entry'", "hostile-two")),
        "a quote opened on this line is not closed on it",
        "bodies.yaml",
    ),
    Case(
        "malformed YAML: syntax",
        "quote never closed before the end of the file",
        append("bodies.yaml", '- id: hostile-entry\n  label: "Hostile\n'),
        "a quote opened on this line is never closed",
        "bodies.yaml",
    ),
    Case(
        "malformed YAML: syntax",
        "flow list never closed",
        append("bodies.yaml", entry("[first, second")),
        "did not find expected ',' or ']'",
        "bodies.yaml",
    ),
    Case(
        "malformed YAML: syntax",
        "tab used for indentation",
        append("bodies.yaml", "- id: hostile-entry\n\tlabel: x\n"),
        "malformed YAML: found a tab character that violates indentation",
        "bodies.yaml",
    ),
    Case(
        "malformed YAML: syntax",
        "the same key twice in an entry",
        append("bodies.yaml", entry().replace("  type: team\n", "  type: team\n  type: team\n")),
        "duplicate key 'type'",
        "bodies.yaml",
    ),
    Case(
        "malformed YAML: syntax",
        "two YAML documents in one file",
        append("claims.yaml", "---\nclaims: []\n"),
        "expected a single document in the stream but found another document",
        "claims.yaml",
    ),
    Case(
        "malformed YAML: syntax",
        "a Python object tag",
        replace("claims.yaml", "claims: !!python/object/apply:os.system [id]\n"),
        "could not determine a constructor",
        "claims.yaml",
    ),
    # aliases, depth, size
    Case(
        "malformed YAML: aliases",
        "billion laughs (9 levels of 10 aliases)",
        replace("claims.yaml", billion_laughs()),
        "&a0 is a YAML anchor, which data files do not use",
        "claims.yaml",
        1,
    ),
    Case(
        "malformed YAML: aliases",
        "one alias to an anchor in an entry",
        append("bodies.yaml", entry("&name Hostile") + entry("*name", "hostile-two")),
        "is a YAML anchor",
        "bodies.yaml",
    ),
    Case(
        "malformed YAML: depth",
        "lists nested 300 deep",
        replace("claims.yaml", nested(300)),
        "lists and mappings nested more than 32 deep",
        "claims.yaml",
        2,
    ),
    Case(
        "malformed YAML: depth",
        "lists nested 999 deep",
        replace("claims.yaml", nested(999)),
        "lists and mappings nested more than 32 deep",
        "claims.yaml",
        2,
    ),
    Case(
        "malformed YAML: depth",
        "mappings nested 500 deep",
        replace("claims.yaml", nested(500, mapping=True)),
        "lists and mappings nested more than 32 deep",
        "claims.yaml",
        2,
    ),
    Case(
        "malformed YAML: depth",
        "lists nested 100,000 deep (crashed the YAML composer)",
        replace("claims.yaml", nested(100_000)),
        "lists and mappings nested more than 32 deep",
        "claims.yaml",
        2,
        subprocess=True,
    ),
    Case(
        "malformed YAML: size",
        "claims.yaml of 40 MB",
        sparse("claims.yaml", 40 * 1024 * 1024),
        "is 41,943,040 bytes, more than the limit of 33,554,432",
        "claims.yaml",
    ),
    Case(
        "malformed YAML: size",
        "a number of 5,000 digits",
        replace("claims.yaml", "claims:\n- value: " + "7" * 5000 + "\n"),
        "malformed YAML: a number of 5000 digits (at most 4300)",
        "claims.yaml",
        2,
    ),
    # encodings
    Case(
        "malformed YAML: encodings",
        "Windows-1252 curly quote (byte 0x92)",
        append("bodies.yaml", "# the council\x92s view\n".encode("latin-1")),
        "not UTF-8 text (byte 0x92)",
        "bodies.yaml",
    ),
    Case(
        "malformed YAML: encodings",
        "the file saved as UTF-16",
        lambda data: (data / "claims.yaml").write_text("claims: []\n", encoding="utf-16"),
        "not UTF-8 text (byte 0xff)",
        "claims.yaml",
        1,
    ),
    Case(
        "malformed YAML: encodings",
        "Latin-1 accented letter",
        replace("claims.yaml", "claims: []\n# caf\xe9\n".encode("latin-1")),
        "not UTF-8 text (byte 0xe9)",
        "claims.yaml",
        2,
    ),
    # control characters
    Case(
        "malformed YAML: control characters",
        "a raw NUL byte in a label",
        append("bodies.yaml", entry("Hostile\x00")),
        "character '\\x00' is not allowed",
        "bodies.yaml",
    ),
    Case(
        "malformed YAML: control characters",
        "a raw escape byte (0x1b) in a label",
        append("bodies.yaml", entry("Hostile\x1b[31m")),
        "character '\\x1b' is not allowed",
        "bodies.yaml",
    ),
    Case(
        "malformed YAML: control characters",
        'escaped NUL "\\0" in a label',
        append("bodies.yaml", entry('"Hostile\\0"')),
        "field 'label' holds the control character U+0000",
        "bodies.yaml",
    ),
    Case(
        "malformed YAML: control characters",
        'escaped bell "\\a" in a summary',
        append("bodies.yaml", entry("Hostile").replace("  type:", '  summary: "ring\\a"\n  type:')),
        "field 'summary' holds the control character U+0007",
        "bodies.yaml",
    ),
    Case(
        "malformed YAML: control characters",
        'escaped next-line "\\N" in an anchor',
        append(
            "bodies.yaml",
            entry().replace("anchor: the executive", 'anchor: "\\Nthe executive').replace("leader}", 'leader"}'),
        ),
        "field 'sources[1].anchor' holds the control character U+0085",
        "bodies.yaml",
    ),
    Case(
        "malformed YAML: control characters",
        'trailing newline in an id ("hostile-entry\\n")',
        append("bodies.yaml", entry(id='"hostile-entry\\n"')),
        "field 'id': invalid value 'hostile-entry\\n' (ids are lower-case letters and digits joined by hyphens)",
        "bodies.yaml",
    ),
    # dates
    Case(
        "dates",
        'month with a trailing newline ("2001-10\\n")',
        append(
            "bodies.yaml",
            entry().replace(
                "  sources:",
                '  founded:\n    date: "2001-10\\n"\n    sources:\n'
                "    - {doc: lea2002, loc: para 27, anchor: the executive}\n"
                "  sources:",
            ),
        ),
        "field 'founded.date': invalid value '2001-10\\n' (a date is YYYY, YYYY-MM or YYYY-MM-DD)",
        "bodies.yaml",
    ),
    Case(
        "dates",
        'year "0000" written as text',
        append(
            "bodies.yaml",
            entry().replace(
                "  sources:",
                '  founded:\n    date: "0000"\n    sources:\n'
                "    - {doc: lea2002, loc: para 27, anchor: the executive}\n"
                "  sources:",
            ),
        ),
        "invalid date '0000' in founded.date (the year must be between 1800 and 2100)",
        "bodies.yaml",
    ),
    Case(
        "dates",
        'year "9999-12-31" written as text',
        append(
            "bodies.yaml",
            entry().replace(
                "  sources:",
                '  founded:\n    date: "9999-12-31"\n    sources:\n'
                "    - {doc: lea2002, loc: para 27, anchor: the executive}\n"
                "  sources:",
            ),
        ),
        "invalid date '9999-12-31' in founded.date (the year must be between 1800 and 2100)",
        "bodies.yaml",
    ),
    # ids that clash with the names the build makes
    Case(
        "ids",
        "a body id that spells another body's founding citation (x-founded beside x, as childrens-panel-founded)",
        append(
            "bodies.yaml",
            entry(id="hostile-panel").replace("  sources:", FOUNDED, 1) + entry(id="hostile-panel-founded"),
        ),
        "bodies entry 'hostile-panel-founded': duplicate id: the build would make the node "
        "'citation/body-hostile-panel-founded-s1' for this entry and also for",
        "bodies.yaml",
    ),
    Case(
        "ids",
        "a relationship id that spells a school's own neighbourhood link",
        lambda data: [
            append("bodies.yaml", entry(id="hostile-south").replace("type: team", "type: neighbourhood-partnership"))(
                data
            ),
            replace(
                "schools.yaml",
                "schools:\n" + entry(id="hostile-school").replace("  type: team\n", "  neighbourhood: hostile-south\n"),
            )(data),
            replace(
                "relationships.yaml",
                "relationships:\n- id: hostile-school-in-neighbourhood-hostile-south\n  subject: hostile-school\n"
                "  relation: in-neighbourhood\n  object: hostile-south\n"
                "  sources:\n  - {doc: lea2002, loc: para 27, anchor: the executive comprises a leader}\n",
            )(data),
        ],
        "relationships entry 'hostile-school-in-neighbourhood-hostile-south': duplicate id: the build would make "
        "the node 'relationship/hostile-school-in-neighbourhood-hostile-south'",
        "relationships.yaml",
    ),
]


def outputs_in_the_way(out: Path) -> None:
    """Put a folder where the build publishes its N-Quads link (after an earlier build)."""
    (out / "lutonkg.nq").unlink()
    (out / "lutonkg.nq").mkdir()


def current_is_a_file(out: Path) -> None:
    """Put a file where the build keeps its outputs folder."""
    shutil.rmtree(out / "current")
    (out / "current").write_text("not a folder\n", encoding="utf-8")


OUTPUT_CASES = [
    ("graph/lutonkg.nq replaced by a folder", outputs_in_the_way, "lutonkg.nq: in the way of the output file"),
    ("graph/current replaced by a file", current_is_a_file, "current: in the way of the build's outputs folder"),
]


# --- running the command line ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mini(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small data set, written once for the module."""
    return make_mini_data(tmp_path_factory.mktemp("mini") / "data")


def run(argv: list[str], capsys: pytest.CaptureFixture) -> tuple[int, list[str], str]:
    """Run the command line in this process: exit status, stderr lines, stdout."""
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.err.splitlines(), captured.out


def run_subprocess(argv: list[str]) -> tuple[int, list[str], str]:
    """Run the command line in a fresh interpreter (for cases that once crashed the process)."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "src")}
    done = subprocess.run(
        [sys.executable, "-m", "lutonkg.cli", *map(str, argv)], capture_output=True, text=True, env=env, timeout=300
    )
    return done.returncode, done.stderr.splitlines(), done.stdout


def assert_one_error_line(code: int, err: list[str], out: str, expect: str, command: str = "build") -> str:
    """Exit 1 and exactly one stderr line of the build's shape holding the expected phrase; returns the line."""
    assert code == 1, (code, err)
    assert len(err) == 1, err
    line = err[0]
    assert line.startswith(f"lutonkg {command}: error: "), line
    assert "Traceback" not in line and out == ""
    if command == "build":
        assert line.endswith(" (nothing was written)"), line
    assert expect in line, f"expected {expect!r} in: {line}"
    return line


@pytest.mark.parametrize("case", BUILD_CASES, ids=lambda c: c.name)
def test_hostile_data_stops_the_build_with_one_line(
    case: Case, mini: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """The build stops with one line naming the file (and line), and the published outputs stay as they were."""
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR if case.data == "full" else mini, data)
    case.change(data)
    out = published(tmp_path / "graph")
    before = snapshot(out)
    argv = ["build", "--no-reason", "--data", data, "--out", out]
    code, err, stdout = run_subprocess(argv) if case.subprocess else run(argv, capsys)
    line = assert_one_error_line(code, err, stdout, case.expect)
    if case.file:
        where = f"{data / case.file}:{case.line}: " if case.line else f"{data / case.file}"
        assert where in line, f"expected {where!r} in: {line}"
    assert snapshot(out) == before


@pytest.mark.parametrize(("name", "change", "expect"), OUTPUT_CASES, ids=[c[0] for c in OUTPUT_CASES])
def test_something_in_the_way_of_the_outputs_stops_the_build_before_any_work(
    name: str, change: Callable[[Path], None], expect: str, mini: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """A folder where an output goes (or a file where the outputs folder goes) stops the build: nothing replaced."""
    out = published(tmp_path / "graph")
    change(out)
    before = snapshot(out)
    code, err, stdout = run(["build", "--no-reason", "--data", mini, "--out", out], capsys)
    assert_one_error_line(code, err, stdout, expect)
    assert snapshot(out) == before


def test_utf8_byte_order_mark_builds(mini: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """A file saved 'UTF-8 with BOM' (as some Windows editors do) is read like any other: it builds."""
    data = tmp_path / "data"
    shutil.copytree(mini, data)
    (data / "claims.yaml").write_bytes(b"\xef\xbb\xbf" + (data / "claims.yaml").read_bytes())
    code, err, stdout = run(["build", "--no-reason", "--data", data, "--out", tmp_path / "graph"], capsys)
    assert code == 0 and err == [], err
    assert (tmp_path / "graph" / "lutonkg.nq").is_file() and stdout.startswith("built ")


@pytest.mark.skipif(not java_available(), reason="the OWL reasoner needs Java")
def test_build_with_reasoning_from_the_root_folder(
    mini: Path, tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Started in `/`, the build still reasons (HermiT used to fail: 'unable to create default IRI base')."""
    monkeypatch.chdir("/")
    code, err, stdout = run(["build", "--data", mini, "--out", tmp_path / "graph"], capsys)
    assert code == 0 and err == [], err
    assert "reasoning: HermiT: consistent" in stdout


# --- the source texts ---------------------------------------------------------------------------------------------


@pytest.fixture()
def source_copy(sources: Path, tmp_path: Path) -> Path:
    """A writable copy of the source texts."""
    copy = tmp_path / "sources"
    shutil.copytree(sources, copy)
    for path in copy.iterdir():
        path.chmod(0o644)
    copy.chmod(0o755)
    return copy


def document_file(value: str) -> Callable[[Path, Path], None]:
    """Make the 2002 LEA report's `file:` in documents.yaml name something else."""

    def change(data: Path, sources: Path) -> None:
        path = data / "documents.yaml"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("file: 2002-07_ofsted_inspection_of_luton_lea.txt", f"file: {value}"), "utf-8")

    return change


def source_link_out(data: Path, sources: Path) -> None:
    """A link inside the sources folder that points outside it, named by documents.yaml."""
    (sources / "elsewhere.txt").symlink_to("/etc/hostname")
    document_file("elsewhere.txt")(data, sources)


def source_fifo(name: str) -> Callable[[Path, Path], None]:
    """Replace a file of the sources folder by a named pipe nobody writes to."""

    def change(data: Path, sources: Path) -> None:
        (sources / name).unlink()
        os.mkfifo(sources / name)

    return change


def source_cut(fraction: float) -> Callable[[Path, Path], None]:
    """Cut the 2002 LEA report's text to a fraction of its length (0: empty)."""

    def change(data: Path, sources: Path) -> None:
        path = sources / "2002-07_ofsted_inspection_of_luton_lea.txt"
        path.write_bytes(path.read_bytes()[: int(path.stat().st_size * fraction)])

    return change


LEA = "documents entry 'lea2002': "
SOURCE_CASES = [
    (
        "documents.yaml file: /etc/passwd",
        document_file("/etc/passwd"),
        LEA + "file '/etc/passwd' is outside the sources folder",
    ),
    (
        "documents.yaml file: ../../../../etc/hostname",
        document_file("../../../../etc/hostname"),
        LEA + "file '../../../../etc/hostname' is outside the sources folder",
    ),
    (
        "a link in the sources folder to /etc/hostname",
        source_link_out,
        LEA + "file 'elsewhere.txt' is outside the sources folder",
    ),
    (
        "a source text is a FIFO",
        source_fifo("2002-07_ofsted_inspection_of_luton_lea.txt"),
        LEA + "source text '2002-07_ofsted_inspection_of_luton_lea.txt' is a named pipe (FIFO), not a file",
    ),
    ("the sources manifest is a FIFO", source_fifo("sources.yaml"), ""),
    (
        "a source text is empty",
        source_cut(0),
        LEA + "source text '2002-07_ofsted_inspection_of_luton_lea.txt' is empty",
    ),
    (
        "a source text cut to a third",
        source_cut(1 / 3),
        LEA + "source text '2002-07_ofsted_inspection_of_luton_lea.txt' looks truncated or damaged",
    ),
]


@pytest.mark.parametrize(("name", "change", "expect"), SOURCE_CASES, ids=[c[0] for c in SOURCE_CASES])
def test_hostile_sources_give_one_line_per_document(
    name: str,
    change: Callable[[Path, Path], None],
    expect: str,
    mini: Path,
    source_copy: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture,
) -> None:
    """verify-sources refuses files outside the sources folder, never waits on a FIFO, and reports an empty or
    truncated text in one line instead of one line per citation ('' expected: every citation still passes)."""
    data = tmp_path / "data"
    shutil.copytree(mini, data)
    change(data, source_copy)
    code, err, stdout = run(["verify-sources", "--data", data, "--sources", source_copy], capsys)
    *failures, summary = stdout.splitlines()
    assert err == [], err
    if not expect:
        assert code == 0 and failures == [] and summary.endswith(": 0 failure(s)"), stdout
        return
    assert code == 1 and len(failures) == 1, stdout
    assert expect in failures[0], failures[0]
    assert summary.endswith(": 1 failure(s)"), summary


def test_sources_named_by_a_missing_environment_folder_is_an_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    """LUTONKG_SOURCES naming a folder that does not exist is one error line (exit 2), not silently ignored."""
    monkeypatch.setenv("LUTONKG_SOURCES", "/nonexistent")
    code, err, _ = run(["verify-sources"], capsys)
    assert code == 2
    assert err == ["lutonkg verify-sources: error: $LUTONKG_SOURCES names /nonexistent, which is not a folder"]


# --- command-line options -----------------------------------------------------------------------------------------

TIMEOUT = "must be a positive number of seconds, at most 86400 (a day)"
CLI_CASES = [
    ("query --timeout nan", ["query", "-e", "ASK {}", "--timeout", "nan"], f"--timeout {TIMEOUT}, not nan"),
    ("query --timeout inf", ["query", "-e", "ASK {}", "--timeout", "inf"], f"--timeout {TIMEOUT}, not inf"),
    ("query --timeout 1e300", ["query", "-e", "ASK {}", "--timeout", "1e300"], f"--timeout {TIMEOUT}, not 1e+300"),
    ("query --timeout 0", ["query", "-e", "ASK {}", "--timeout", "0"], f"--timeout {TIMEOUT}, not 0"),
    ("serve --timeout nan", ["serve", "--timeout", "nan"], f"--timeout {TIMEOUT}, not nan"),
    ("serve --timeout inf", ["serve", "--timeout", "inf"], f"--timeout {TIMEOUT}, not inf"),
    ("serve --timeout -5", ["serve", "--timeout", "-5"], f"--timeout {TIMEOUT}, not -5"),
]


@pytest.mark.parametrize(("name", "argv", "expect"), CLI_CASES, ids=[c[0] for c in CLI_CASES])
def test_unusable_time_limit_is_one_line(
    name: str, argv: list[str], expect: str, capsys: pytest.CaptureFixture
) -> None:
    """A time limit that is not a finite number of seconds above 0 is one error line, exit 2, before any work."""
    code, err, stdout = run(argv, capsys)
    assert code == 2 and stdout == ""
    assert err == [f"lutonkg {argv[0]}: error: {expect}"]


@pytest.fixture(scope="module")
def mini_graph(mini: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The N-Quads file of the small data set, built once (without reasoning)."""
    out = tmp_path_factory.mktemp("mini-graph")
    assert main(["build", "--no-reason", "--data", str(mini), "--out", str(out)]) == 0
    return out / "lutonkg.nq"


@pytest.mark.parametrize("command", [["export"], ["diagram", "timeline"]], ids=["export", "diagram"])
def test_unwritable_out_folder_is_one_line(
    command: list[str], mini_graph: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """--out naming a file (so no folder can be made there) is one error line and exit 1, not a traceback."""
    blocker = tmp_path / "taken"
    blocker.write_text("a file, not a folder\n", encoding="utf-8")
    code, err, _ = run([*command, "--graph", mini_graph, "--out", blocker], capsys)
    assert code == 1
    assert err == [f"lutonkg {command[0]}: error: cannot write {blocker}: a file is in the way (not a folder)"]


def test_export_with_no_years_says_so(mini_graph: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """`export --years ,,,` names no year: a usage error (exit 2) that says so, instead of writing nothing silently."""
    with pytest.raises(SystemExit) as stopped:
        main(["export", "--graph", str(mini_graph), "--out", str(tmp_path / "x"), "--years", ",,,"])
    assert stopped.value.code == 2
    assert "argument --years: ',,,' names no year (give e.g. 2002,2008,2020)" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_project_folder_that_is_a_link_loop_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """--project naming a symbolic link to itself is one error line (it was a RuntimeError traceback)."""
    loop = tmp_path / "project"
    loop.symlink_to(loop)
    code, err, _ = run(["--project", loop, "build"], capsys)
    assert code == 2
    assert err == [f"lutonkg build: error: project folder {loop} is a symbolic link that loops"]


def test_duty_given_where_a_body_is_wanted_is_refused(capsys: pytest.CaptureFixture) -> None:
    """A duty's IRI given as --param body= is refused by name (it used to return 0 rows silently)."""
    duty = "https://w3id.org/lutonkg/id/duty/academy-land-transfer"
    code, err, _ = run(["query", "recommendations-to-body", "--graph", NQUADS, "--param", f"body={duty}"], capsys)
    assert code == 2 and len(err) == 1, err
    expected = f"lutonkg query: error: parameter body: <{duty}> is a statutory duty, not a body or school"
    assert err[0].startswith(expected), err


# --- the table of hostile classes in docs/robustness.md -----------------------------------------------------------

ROBUSTNESS = REPO_ROOT / "docs" / "robustness.md"
BEGIN, END = (
    "<!-- hostile-table part A: begin (generated by tests/test_hostile_data.py) -->",
    "<!-- hostile-table part A: end -->",
)


def _code(text: str) -> str:
    """Text as Markdown inline code (backticks inside doubled around)."""
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def table_rows() -> list[tuple[str, str, str]]:
    """(class, case tried, result) for every case of this suite and of the signal and concurrency tests."""
    from test_atomic_publish import TABLE_ROWS

    rows = [(c.kind, c.name, f"exit 1, one line: {_code(c.expect)}; outputs unchanged") for c in BUILD_CASES]
    rows += [("outputs in the way", n, f"exit 1, one line: {_code(e)}; outputs unchanged") for n, _, e in OUTPUT_CASES]
    rows.append(("malformed YAML: encodings", "UTF-8 with a byte order mark", "builds"))
    rows.append(("environment", "build with reasoning started in `/`", "builds (HermiT runs in the temporary folder)"))
    rows += [
        ("sources", n, f"verify-sources: one line: {_code(e)}" if e else "no hang; 0 failures")
        for n, _, e in SOURCE_CASES
    ]
    rows.append(
        ("sources", "LUTONKG_SOURCES=/nonexistent", "exit 2, one line: `... names /nonexistent, which is not a folder`")
    )
    rows += [("command-line options", n, f"exit 2, one line: {_code(e)}") for n, _, e in CLI_CASES]
    rows += [
        (
            "command-line options",
            "export / diagram --out naming a file",
            "exit 1, one line: `cannot write ...: a file is in the way (not a folder)`",
        ),
        ("command-line options", "export --years ,,,", "exit 2: `argument --years: ',,,' names no year`"),
        (
            "command-line options",
            "--project naming a symbolic link loop",
            "exit 2, one line: `project folder ... is a symbolic link that loops`",
        ),
        (
            "command-line options",
            "a duty IRI as --param body=",
            "exit 2, one line: `... is a statutory duty, not a body or school`",
        ),
        (
            "command-line options",
            "a query's parameter without --param (`query safeguarding-bodies year=2008`)",
            "exit 2 with the usage: `` unrecognized arguments: year=2008 (a query's parameters are given with --param "
            "or -p, e.g. `-p year=2008`) `` (tests/test_cli_conventions.py)",
        ),
    ]
    return rows + list(TABLE_ROWS)


def render_table() -> str:
    """The Markdown table of hostile classes, cases and results."""
    lines = ["| class | case tried | result |", "|---|---|---|"]
    for kind, name, result in table_rows():
        lines.append(f"| {kind} | {name.replace('|', '/')} | {result.replace('|', '/')} |")
    return "\n".join([BEGIN, *lines, END])


def documented_table() -> str:
    """The generated part of docs/robustness.md as it is now."""
    text = ROBUSTNESS.read_text(encoding="utf-8")
    found = re.search(re.escape(BEGIN) + ".*?" + re.escape(END), text, re.DOTALL)
    return found.group(0) if found else ""


def test_robustness_table_lists_exactly_these_cases() -> None:
    """docs/robustness.md's table of hostile classes is the one these tests generate (rewrite: python this_file)."""
    assert documented_table() == render_table(), "run `python tests/test_hostile_data.py` to regenerate the table"


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    current = ROBUSTNESS.read_text(encoding="utf-8")
    old = documented_table()
    if not old:
        raise SystemExit(f"{ROBUSTNESS} has no {BEGIN} ... {END} section to fill")
    ROBUSTNESS.write_text(current.replace(old, render_table()), encoding="utf-8")
    print(f"rewrote the hostile-class table in {ROBUSTNESS}")
