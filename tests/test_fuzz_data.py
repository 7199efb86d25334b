"""Property-based test: any mutation of the curated data ends in a clean result or one clean error line.

Each example copies one data file's parsed tree, changes it the way a careless hand edit might (a key deleted, a
value of the wrong type, a reference pointed at another id, a random string or date, the whole file replaced by
random YAML), writes it back beside the untouched files and runs the loader, the RDF conversion and the SPARQL
quality checks in-process (reasoning and SHACL are left out for speed; the CLI tests cover them).
"""

from __future__ import annotations

import copy
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from project_paths import DATA_DIR

from lutonkg.build.pipeline import BuildError, check_quality, convert
from lutonkg.data import load
from lutonkg.data.load import LineDict, read_yaml, schema
from lutonkg.rdf.serialize import quads

FILES = sorted(p.name for p in DATA_DIR.glob("*.yaml"))
ORIGINAL = {name: read_yaml(DATA_DIR / name) for name in FILES}
ALL_IDS = sorted(
    {e["id"] for tree in ORIGINAL.values() for section in tree.values() if isinstance(section, list) for e in section}
)
REFERENCE_FIELDS: dict[str, set[str]] = {}
for _rule in schema()["references"]:
    REFERENCE_FIELDS.setdefault(_rule["section"], set()).add(re.split(r"[\[.]", _rule["field"])[0])
FIELD_VALUES: dict[tuple[str, str], list[object]] = {}
for _tree in ORIGINAL.values():
    for _section, _entries in _tree.items():
        for _entry in _entries if isinstance(_entries, list) else []:
            for _key, _value in _entry.items():
                if isinstance(_value, str | int):
                    FIELD_VALUES.setdefault((_section, _key), []).append(_value)
TEXT_FIELDS = ("label", "summary", "note", "title", "statement", "definition", "basis", "purpose", "role")
DATE_FIELDS = ("from", "to", "date", "as_of", "implementation_date", "founded", "dissolved")

MUTATIONS = ("delete", "wrong-type", "reference", "string", "date", "drop-entry", "duplicate", "yaml", "bytes")
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)
dates = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.tuples(st.integers(0, 9999), st.integers(0, 99)).map(lambda ym: f"{ym[0]:04d}-{ym[1]:02d}"),
    st.tuples(st.integers(1000, 2999), st.integers(0, 19), st.integers(0, 39)).map(
        lambda ymd: f"{ymd[0]}-{ymd[1]:02d}-{ymd[2]:02d}"
    ),
    st.integers(-10, 10_000),
    st.text(alphabet="0123456789-/ ", max_size=12),
)


def plain(node: object) -> object:
    """A deep copy with LineDicts turned into plain dicts, so the YAML dumper accepts it."""
    if isinstance(node, dict):
        return {key: plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [plain(value) for value in node]
    return copy.copy(node)


def entries(tree: dict) -> list[tuple[str, list]]:
    """The (section, entries) pairs of a file's tree that hold at least one entry (a scheme's concepts count)."""
    found = [(name, value) for name, value in tree.items() if isinstance(value, list) and value]
    for name, scheme in (tree.get("schemes") or {}).items():
        found.append((f"schemes.{name}", scheme["concepts"]))
    return found


def dump(tree: dict) -> bytes:
    """A tree written back as YAML text, as a curator's editor would save it."""
    return yaml.dump(tree, Dumper=_Dumper, sort_keys=False, allow_unicode=True).encode("utf-8")


@st.composite
def mutated_file(draw: st.DrawFn) -> tuple[str, bytes]:
    """A data file name and the new content of that file after one careless edit."""
    name = draw(st.sampled_from(FILES))
    tree = plain(ORIGINAL[name])
    kind = draw(st.sampled_from(MUTATIONS))
    if kind == "yaml":
        text = draw(st.one_of(st.text(max_size=200), values.map(lambda v: yaml.dump(v, Dumper=_Dumper))))
        return name, text.encode("utf-8", "surrogatepass")
    if kind == "bytes":
        original = (DATA_DIR / name).read_bytes()
        at = draw(st.integers(0, len(original)))
        return name, original[:at] + draw(st.binary(min_size=1, max_size=8)) + original[at:]
    sections = entries(tree)
    if not sections:
        return name, dump(tree)
    section, items = draw(st.sampled_from(sections))
    index = draw(st.integers(0, len(items) - 1))
    entry = items[index]
    keys = sorted(entry) if isinstance(entry, dict) else []
    if kind == "drop-entry":
        del items[index]
    elif kind == "duplicate":
        items.append(copy.deepcopy(entry))
    elif keys:
        key = _target_key(draw, kind, section, keys)
        if kind == "delete":
            del entry[key]
        elif kind == "wrong-type":
            entry[key] = draw(values)
        elif kind == "reference":
            same_field = FIELD_VALUES.get((section, key)) or ALL_IDS
            entry[key] = draw(st.sampled_from(same_field) | st.sampled_from(ALL_IDS))
        elif kind == "string":
            entry[key] = draw(st.text(max_size=40) | st.text(min_size=1, max_size=40).map(str.strip).filter(bool))
        else:
            _set_date(entry, key, draw(dates))
    return name, dump(tree)


def _target_key(draw: st.DrawFn, kind: str, section: str, keys: list[str]) -> str:
    """The key a mutation aims at: a reference field for 'reference', a date field for 'date', else any key."""
    preferred = {
        "reference": REFERENCE_FIELDS.get(section, set()),
        "date": set(DATE_FIELDS),
        "string": set(TEXT_FIELDS),
        "delete": {k for k in keys if k not in schema()["sections"].get(section, {}).get("required", [])},
    }.get(kind, set())
    aimed = [k for k in keys if k in preferred]
    return draw(st.sampled_from(aimed) | st.sampled_from(keys)) if aimed else draw(st.sampled_from(keys))


def _set_date(entry: dict, key: str, value: object) -> None:
    """Put a random date at a date field (inside {date, sources} for founded/dissolved)."""
    if isinstance(entry.get(key), dict) and "date" in entry[key]:
        entry[key]["date"] = value
    else:
        entry[key] = value


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A copy of graph/data that each example changes one file of and then restores."""
    folder = tmp_path_factory.mktemp("fuzz") / "data"
    shutil.copytree(DATA_DIR, folder)
    yield folder


def copy_tree(node: object) -> object:
    """A copy of a parsed YAML tree that keeps the line numbers of its mappings."""
    if isinstance(node, LineDict):
        copied = LineDict((key, copy_tree(value)) for key, value in node.items())
        copied.line = node.line
        return copied
    if isinstance(node, list):
        return [copy_tree(value) for value in node]
    return node


def read_unchanged_from_memory(changed: str):
    """A stand-in for read_yaml that parses only the changed file (parsing every file dominates an example)."""
    return lambda path: read_yaml(path) if path.name == changed else copy_tree(ORIGINAL[path.name])


def outcome(data_dir: Path) -> str | None:
    """None when the data builds cleanly (without reasoning or SHACL), else the build's one-line error."""
    try:
        data, ds = convert(data_dir)
        check_quality(data, quads(ds))
    except BuildError as exc:
        return str(exc)
    return None


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(change=mutated_file())
def test_mutated_data_builds_or_fails_with_one_clean_line(
    scratch: Path, change: tuple[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No mutation ends in an uncaught exception; an error is one line naming the mutated folder's file."""
    name, content = change
    target = scratch / name
    target.write_bytes(content)
    monkeypatch.setattr(load, "read_yaml", read_unchanged_from_memory(name))
    try:
        message = outcome(scratch)
    finally:
        shutil.copyfile(DATA_DIR / name, target)
    if message is not None:
        assert "\n" not in message and message.strip() == message, message
        assert re.match(rf"{re.escape(str(scratch))}/[a-z-]+\.yaml(:\d+)?: \S", message), message
