"""Property-based test of the invariant: any mutation of the curated data ends in exactly one of two ways.

Either one clean error line, and a real build (lutonkg.build.pipeline.build) stops with that same line and leaves
a previously published output folder byte for byte as it was; or the data converts and passes the SPARQL quality
checks, and the graph holds exactly one node per entry of the mutated data, no more and no fewer (dropping one
relationship or event removes exactly that entry's statements, and nothing else changes).

Each example copies one data file's parsed tree, changes it the way a careless hand edit or a broken copy might (a
key deleted, a value of the wrong type, a reference pointed at another id, a random string or date, an entry
dropped or duplicated, the whole file replaced by random YAML or cut off at a random byte), writes it back beside
the untouched files and runs the loader, the RDF conversion and the SPARQL quality checks in-process (reasoning and
SHACL are left out for speed; the CLI tests cover them).
"""

from __future__ import annotations

import copy
import os
import re
import shutil
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from mini_project import published, snapshot
from project_paths import DATA_DIR

from lutonkg.build.pipeline import BuildError, build, check_quality, convert
from lutonkg.data import load
from lutonkg.data.load import Data, LineDict, read_yaml, schema
from lutonkg.namespaces import ID, INFERRED_GRAPH, ONTOLOGY_GRAPH
from lutonkg.rdf.serialize import quads

FILES = sorted(p.name for p in DATA_DIR.glob("*.yaml"))
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the YAML reader the loader uses where installed


@cache
def original() -> dict[str, dict]:
    """Each data file's tree as the loader parses it: read when the first example is drawn, not when the suite is
    collected (each worker of a parallel run collects every file, and this takes seconds)."""
    return {name: read_yaml(DATA_DIR / name) for name in FILES}


@cache
def all_ids() -> list[str]:
    """Every entry id of the data."""
    trees = original().values()
    return sorted(
        {e["id"] for tree in trees for section in tree.values() if isinstance(section, list) for e in section}
    )


@cache
def reference_fields() -> dict[str, set[str]]:
    """The fields of each section that refer to other entries (from the schema's reference rules)."""
    fields: dict[str, set[str]] = {}
    for rule in schema()["references"]:
        fields.setdefault(rule["section"], set()).add(re.split(r"[\[.]", rule["field"])[0])
    return fields


@cache
def field_values() -> dict[tuple[str, str], list[object]]:
    """The values each (section, field) takes in the data, for a reference pointed at another real value."""
    found: dict[tuple[str, str], list[object]] = {}
    for tree in original().values():
        for section, items in tree.items():
            for entry in items if isinstance(items, list) else []:
                for key, value in entry.items():
                    if isinstance(value, str | int):
                        found.setdefault((section, key), []).append(value)
    return found


TEXT_FIELDS = ("label", "summary", "note", "title", "statement", "definition", "basis", "purpose", "role")
DATE_FIELDS = ("from", "to", "date", "as_of", "implementation_date", "founded", "dissolved")

MUTATIONS = (
    "delete",
    "wrong-type",
    "reference",
    "string",
    "date",
    "drop-entry",
    "drop-fact",
    "duplicate",
    "yaml",
    "bytes",
    "truncate",
)
# sections whose entries become one node each, under id/<kind>/<entry id> (kind: the section's node kind)
NODE_KINDS = {
    "documents": "document",
    "bodies": "body",
    "schools": "school",
    "relationships": "relationship",
    "events": "event",
    "claims": "claim",
    "duties": "duty",
    "priorities": "priority",
    "strategies": "strategy",
    "inspections": "inspection",
    "recommendations": "recommendation",
    "judgements": "judgement",
    "evidence": "evidence",
}
FACTS = {"relationships.yaml": "relationships", "events.yaml": "events"}  # what "drop-fact" drops one entry of
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
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
def mutated_file(draw: st.DrawFn) -> tuple[str, bytes, str | None]:
    """A data file name, the new content of that file after one careless edit, and the id of the relationship or
    event it dropped ("drop-fact"; else None)."""
    kind = draw(st.sampled_from(MUTATIONS))
    name = draw(st.sampled_from(sorted(FACTS) if kind == "drop-fact" else FILES))
    tree = plain(original()[name])
    before = (DATA_DIR / name).read_bytes()
    if kind == "yaml":
        text = draw(st.one_of(st.text(max_size=200), values.map(lambda v: yaml.dump(v, Dumper=_Dumper))))
        return name, text.encode("utf-8", "surrogatepass"), None
    if kind == "bytes":
        at = draw(st.integers(0, len(before)))
        return name, before[:at] + draw(st.binary(min_size=1, max_size=8)) + before[at:], None
    if kind == "truncate":
        return name, before[: draw(st.integers(0, len(before) - 1))], None
    if kind == "drop-fact":
        items = tree[FACTS[name]]
        dropped = items.pop(draw(st.integers(0, len(items) - 1)))
        return name, dump(tree), dropped["id"]
    sections = entries(tree)
    if not sections:
        return name, dump(tree), None
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
            same_field = field_values().get((section, key)) or all_ids()
            entry[key] = draw(st.sampled_from(same_field) | st.sampled_from(all_ids()))
        elif kind == "string":
            entry[key] = draw(st.text(max_size=40) | st.text(min_size=1, max_size=40).map(str.strip).filter(bool))
        else:
            _set_date(entry, key, draw(dates))
    return name, dump(tree), None


def _target_key(draw: st.DrawFn, kind: str, section: str, keys: list[str]) -> str:
    """The key a mutation aims at: a reference field for 'reference', a date field for 'date', else any key."""
    preferred = {
        "reference": reference_fields().get(section, set()),
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
    """A copy of graph/data that each example changes one file of and then restores (and the data parsed, so that
    the first example's draw does not pay for it)."""
    folder = tmp_path_factory.mktemp("fuzz") / "data"
    shutil.copytree(DATA_DIR, folder)
    original(), all_ids(), field_values()
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
    return lambda path: read_yaml(path) if path.name == changed else copy_tree(original()[path.name])


Quad = tuple[str, str, str, str]


def as_tuples(all_quads: list[ox.Quad], leave_out: tuple[str, ...] = ()) -> set[Quad]:
    """Quads as (subject, predicate, object, graph) text, without the named graphs left out."""
    found = set()
    for q in all_quads:
        graph = str(q.graph_name)
        if graph not in leave_out:
            found.add((str(q.subject), str(q.predicate), str(q.object), graph))
    return found


@pytest.fixture(scope="module")
def baseline(fresh_build: Path) -> set[Quad]:
    """The unmutated data's quads as the build states them (the fresh build without the reasoner's graph)."""
    parsed = ox.parse(path=str(fresh_build / "lutonkg.nq"), format=ox.RdfFormat.N_QUADS)
    return as_tuples(list(parsed), (f"<{ONTOLOGY_GRAPH}>", f"<{INFERRED_GRAPH}>"))


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An output folder holding a previous build, which no failing example may change."""
    return published(tmp_path_factory.mktemp("fuzz-out") / "graph")


def outcome(data_dir: Path) -> tuple[str | None, Data | None, list]:
    """(None, data, quads) when the data builds cleanly (without reasoning or SHACL), else (the one-line error, ...)."""
    try:
        data, ds = convert(data_dir)
        all_quads = quads(ds)
        check_quality(data, all_quads)
    except BuildError as exc:
        return str(exc), None, []
    return None, data, all_quads


def implied_entries(changed: str, content: bytes) -> dict[str, list[dict]]:
    """The entries of every section as the files say, read independently of the loader under test (PyYAML's safe
    loader on the changed file, the parsed originals for the others): what a correct build must turn into nodes.
    It is libyaml's, as the loader's is where installed: the pure-Python scanner refuses some spacing libyaml reads
    (a tab before a key's colon)."""
    sections: dict[str, list[dict]] = {}
    for name in FILES:
        tree = yaml.load(content, Loader=SAFE_LOADER) if name == changed else original()[name]  # noqa: S506 - safe
        for section, value in tree.items():
            if isinstance(value, list):
                sections[section] = value
    return sections


def expected_nodes(entries: dict[str, list[dict]], section: str) -> set[str]:
    """The ids a section's entries give their nodes (relationships: also each school's trust and neighbourhood links,
    one per site where a school has sites in several neighbourhoods)."""
    ids = {entry["id"] for entry in entries.get(section, [])}
    if section == "relationships":
        for school in entries.get("schools", []):
            ids |= {
                f"{school['id']}-in-{k}-{school[f]}"
                for k, f in (("trust", "trust"), ("neighbourhood", "neighbourhood"))
                if school.get(f)
            }
            ids |= {f"{school['id']}-in-neighbourhood-{s['neighbourhood']}" for s in school.get("sites", [])
                    if isinstance(s, dict) and s.get("neighbourhood")}  # fmt: skip
    return ids


def assert_one_node_per_entry(entries: dict[str, list[dict]], all_quads: list[ox.Quad]) -> None:
    """Each section's entries are exactly the typed nodes of its kind in the graph: none lost, none invented."""
    typed: dict[str, set[str]] = {}
    for q in all_quads:
        subject = str(q.subject.value) if isinstance(q.subject, ox.NamedNode) else ""
        if str(q.predicate.value) == RDF_TYPE and subject.startswith(str(ID)):
            kind, _, slug = subject[len(str(ID)) :].partition("/")
            typed.setdefault(kind, set()).add(slug)
    for section, kind in NODE_KINDS.items():
        assert typed.get(kind, set()) == expected_nodes(entries, section), f"{section}: entries and {kind} nodes differ"


def assert_drop_removes_exactly_its_statements(
    baseline: set[Quad], all_quads: list[ox.Quad], kind: str, dropped: str
) -> None:
    """The graph is the baseline minus every statement of the dropped entry and its citations, and nothing else
    (a relationship also takes its direct link and its role's labels, where no other entry states them)."""
    mutated = as_tuples(all_quads, (f"<{ONTOLOGY_GRAPH}>", f"<{INFERRED_GRAPH}>"))
    node = f"<{ID}{kind}/{dropped}>"
    # its citations and their W3C selectors (<citation>-quote, <citation>-position)
    citation = re.compile(rf"^<{re.escape(str(ID))}citation/{kind}-{re.escape(dropped)}-s[0-9]+(-quote|-position)?>$")
    own = {s for s in (q[0] for q in baseline) if s == node or citation.match(s)}
    about = {q for q in baseline if q[0] in own or q[2] in own}
    link = {(q[2], p) for q in about for p in ("subject", "object") if q[0] == node and q[1].endswith(f"/def/{p}>")}
    ends = {end for end, _ in link}
    roles = {q[2] for q in about if q[0] == node and q[1].endswith("/org#role>")}
    removed = baseline - mutated
    assert mutated <= baseline, f"dropping {dropped} added statements"
    assert about <= removed, f"statements of {dropped} survived"
    for q in removed - about:
        assert q[0] in roles or (q[0] in ends and q[2] in ends), f"dropping {dropped} also removed {q}"


# Each example converts the whole data (several seconds when it builds); raise the count for a longer hunt.
EXAMPLES = int(os.environ.get("LUTONKG_FUZZ_EXAMPLES", "20"))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(change=mutated_file())
def test_mutated_data_builds_what_it_says_or_fails_with_one_line_and_writes_nothing(
    scratch: Path,
    out: Path,
    baseline: set[Quad],
    change: tuple[str, bytes, str | None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Either one clean line (and the real build stops with it, the output folder unchanged), or a graph with one
    node per entry of the mutated data; a dropped relationship or event takes exactly its own statements."""
    name, content, dropped = change
    target = scratch / name
    target.write_bytes(content)
    monkeypatch.setattr(load, "read_yaml", read_unchanged_from_memory(name))
    try:
        message, data, all_quads = outcome(scratch)
        if message is not None:
            assert "\n" not in message and message.strip() == message, message
            assert re.match(rf"{re.escape(str(scratch))}/[a-z-]+\.yaml(:\d+)?: \S", message), message
            before = snapshot(out)
            with pytest.raises(BuildError) as stopped:
                build(scratch, out, use_reasoner=False)
            assert str(stopped.value) == message
            assert snapshot(out) == before
            event("a clean error line; the output folder unchanged")
        else:
            assert data is not None
            assert_one_node_per_entry(implied_entries(name, content), all_quads)
            if dropped is not None:
                kind = NODE_KINDS[FACTS[name]]
                assert_drop_removes_exactly_its_statements(baseline, all_quads, kind, dropped)
                event(f"one {kind} dropped: exactly its statements gone")
            event("builds: one node per entry")
    finally:
        shutil.copyfile(DATA_DIR / name, target)
