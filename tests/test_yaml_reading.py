"""The one-pass reader of plain data files (lutonkg.data.yamltree) gives exactly the tree the YAML library's loader
gives, and leaves every other file, malformed ones included, to the careful reader, so messages stay the same."""

from __future__ import annotations

import math

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from project_paths import DATA_DIR

from lutonkg.data.load import DataError, _Loader, limits, parse_careful, parse_yaml
from lutonkg.data.yamltree import LineDict, NotPlain, read_plain

FILES = sorted(DATA_DIR.glob("*.yaml"))


def same(ours: object, theirs: object) -> bool:
    """Equal trees: the same types, keys in the same order, values, and first line of every mapping."""
    if type(ours) is not type(theirs):
        return False
    if isinstance(ours, dict):
        return (
            getattr(ours, "line", None) == getattr(theirs, "line", None)
            and list(ours) == list(theirs)
            and all(same(ours[key], theirs[key]) for key in ours)
        )
    if isinstance(ours, list):
        return len(ours) == len(theirs) and all(same(a, b) for a, b in zip(ours, theirs, strict=True))
    if isinstance(ours, float) and math.isnan(ours):
        return math.isnan(theirs)
    return ours == theirs


def plain(text: str) -> object:
    """The one-pass reader's tree, with the project's loader and depth limit."""
    return read_plain(text, _Loader, limits()["depth"])


def library(text: str) -> object:
    """The YAML library's tree."""
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader


def outcome(read, raw: bytes) -> tuple[str, object]:
    """What a reader gives for a file's bytes: ("tree", tree) or ("error", its one line)."""
    try:
        return "tree", read(raw)
    except DataError as exc:
        return "error", str(exc)


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_each_data_file_reads_in_one_pass_as_the_library_reads_it(path) -> None:
    text = path.read_text(encoding="utf-8")
    tree = plain(text)
    assert isinstance(tree, LineDict) and tree.line >= 1
    assert same(tree, library(text))


def test_the_trees_hold_the_data_s_values_and_lines() -> None:
    """A spot check against the file itself: Strategy 2020's document entry and the line it starts on."""
    text = (DATA_DIR / "documents.yaml").read_text(encoding="utf-8")
    entry = next(d for d in plain(text)["documents"] if d["id"] == "strategy2020")
    assert text.splitlines()[entry.line - 1].strip() == "- id: strategy2020"


keys = st.text(max_size=12)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["yes", "No", "on", "~", "null", "0o17", "0x1F", "1_000", "1e3", ".inf", ".NaN", "2003-07-01",
                     "<<", "=", "", " ", "12:30:00", "+1", "-0", "0.", "&a", "*a", "!tag", "'", '"', "# x"]),
)  # fmt: skip
trees = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(tree=trees, flow=st.sampled_from([False, True, None]), width=st.sampled_from([20, 80]))
def test_any_dumped_tree_reads_in_one_pass_as_the_library_reads_it(tree, flow, width) -> None:
    """Whatever values a curator's editor writes (text that looks like a number, a date, a null or a tag is quoted
    by the dumper), both readers give the same tree, and the one-pass reader is the one used."""
    text = yaml.safe_dump(tree, default_flow_style=flow, width=width, allow_unicode=True, sort_keys=False)
    assert same(plain(text), library(text))


UNUSUAL = {
    "anchor and alias": "a: &x [1, 2]\nb: *x\n",
    "anchor alone": "a: &x 1\n",
    "explicit tag": "a: !!str 1\n",
    "tag on a mapping": "a: !!map {b: 1}\n",
    "custom tag": "a: !thing 1\n",
    "timestamp tag": "a: !!timestamp 2003-07-01\n",
    "merge key": "a: 1\n<<: {b: 2}\n",
    "value key": "=: 1\n",
    "duplicate key": "a: 1\nb: 2\na: 3\n",
    "list as a key": "? [a, b]\n: 1\n",
    "mapping as a key": "? {a: 1}\n: 1\n",
    "two documents": "a: 1\n---\nb: 2\n",
    "nested too deep": "a: " + "[" * 60 + "]" * 60 + "\n",
    "nested very deep": "[" * 1200 + "]" * 1200 + "\n",
    "unclosed quote": 'a: "open\nb: 1\n',
    "bad indentation": "a:\n  - 1\n - 2\n",
    "tab": "a:\n\t- 1\n",
    "control character": "a: \x07\n",
    "integer too long": "a: " + "9" * 5000 + "\n",
}


@pytest.mark.parametrize("text", UNUSUAL.values(), ids=UNUSUAL.keys())
def test_anything_unusual_is_left_to_the_careful_reader_and_gives_its_answer(text: str) -> None:
    with pytest.raises(NotPlain):
        plain(text)
    raw = text.encode("utf-8")
    assert outcome(lambda b: parse_yaml(b, "x.yaml"), raw) == outcome(
        lambda b: parse_careful(b.decode("utf-8"), "x.yaml"), raw
    )


def test_the_careful_reader_names_the_problem_the_one_pass_reader_declined() -> None:
    """Two of the answers, as a curator sees them: the alias refused, the duplicate key at its line."""
    assert outcome(lambda b: parse_yaml(b, "x.yaml"), UNUSUAL["anchor and alias"].encode()) == (
        "error",
        "x.yaml:1: malformed YAML: &x is a YAML anchor, which data files do not use: write the value out (text starting"
        " with & or * needs quotes)",
    )
    kind, message = outcome(lambda b: parse_yaml(b, "x.yaml"), UNUSUAL["duplicate key"].encode())
    assert kind == "error" and message.startswith("x.yaml:3: ") and "duplicate key 'a'" in message
