"""Issue 17, the edit loop: the build cache (lutonkg.build.cache) makes a rebuild faster, never different, and
`lutonkg check` validates the data as a build does without writing anything.

The cache is off for the rest of the suite (conftest.py); here each build is given its own cache folder (the first is
the session's full build, which filled an empty one). The edit is
a curator's everyday one: the note of one relationship in relationships.yaml, which leaves the reasoner's input
alone (its result comes from the cache) and changes one node (SHACL validates that node only).
"""

from __future__ import annotations

import copy
import shutil
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from mini_project import snapshot
from project_paths import DATA_DIR
from rdflib import OWL, PROV, RDF, RDFS, URIRef

from lutonkg.build import pipeline
from lutonkg.build.cache import CACHE_ENV, Cache
from lutonkg.build.pipeline import OUTPUTS, BuildError, BuildReport, _validate_changes, build, convert
from lutonkg.checks import incremental
from lutonkg.checks.reason import java_available, reasoner_text, reasoning_key
from lutonkg.checks.validate import shapes_graph
from lutonkg.cli.main import main
from lutonkg.namespaces import ID, INFERRED_GRAPH, LEGISLATION, LKG, ONTOLOGY_GRAPH, ORG
from lutonkg.rdf import pieces
from lutonkg.rdf.dataset import build_dataset, dataset_keys, decode_citation_keys, encode_citation_keys
from lutonkg.rdf.serialize import Statements, jsonld, quad_keys, statements, to_ox, turtle

RELATIONSHIP = "luton-lea-part-of-luton-borough-council"
NOTE = "  note: The cohesion report treats the LEA as one part of the council.\n"
EDITED = "  note: The cohesion report (para 22) treats the LEA as one part of Luton Borough Council.\n"


def _edit_one_relationship(data: Path) -> None:
    """Change the note of one relationship (the line must be there once: the test is about this edit)."""
    path = data / "relationships.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count(NOTE) == 1, f"{RELATIONSHIP}'s note is not in relationships.yaml as this test expects"
    path.write_text(text.replace(NOTE, EDITED), encoding="utf-8")


def _move_the_leas_link(data: Path) -> None:
    """Point that relationship at the council's executive instead of the council: an edit the reasoner sees."""
    path = data / "relationships.yaml"
    text = path.read_text(encoding="utf-8")
    entry = f"- id: {RELATIONSHIP}\n  subject: luton-lea\n  relation: part-of\n  object: "
    assert text.count(entry + "luton-borough-council\n") == 1, f"{RELATIONSHIP} is not as this test expects"
    path.write_text(text.replace(entry + "luton-borough-council\n", entry + "luton-council-executive\n"), "utf-8")


def _outputs(folder: Path) -> dict[str, bytes]:
    """The bytes of each output file of a build."""
    return {name: (folder / name).read_bytes() for name in OUTPUTS}


@pytest.fixture(scope="module")
def builds(
    uncached_started, cached_build, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[dict[str, bytes], BuildReport]]:
    """Builds of the data, as (outputs, report): `first`, the session's build (conftest.py), which filled an empty
    cache; `rebuilt`, with a copy of that cache after the edit of a copy of the data, into a copy of the first's
    output folder; and `full`, of the edited data without a cache; then `moved`, after an edit the reasoner sees, with
    that cache into that folder, and `moved-full`, of the same data without a cache. (The second, uncached build of
    the unedited data, which the first must equal, runs in the background meanwhile.)"""
    first_out, first_cache, first_report = cached_build
    found = {"first": (_outputs(first_out), first_report)}
    assert list(first_cache.glob("reasoning-*")), "the reasoner's result was not kept"
    root = tmp_path_factory.mktemp("edit-loop")
    data = root / "data"
    shutil.copytree(DATA_DIR, data)
    shutil.copytree(first_cache, root / "cache")
    shutil.copytree(first_out, root / "out", symlinks=True)
    _edit_one_relationship(data)
    report = build(data, root / "out", cache=Cache(root / "cache"))
    found["rebuilt"] = (_outputs(root / "out"), report)
    report = build(data, root / "full", cache=Cache(None))
    found["full"] = (_outputs(root / "full"), report)
    _move_the_leas_link(data)
    report = build(data, root / "out", cache=Cache(root / "cache"))
    found["moved"] = (_outputs(root / "out"), report)
    report = build(data, root / "moved-full", cache=Cache(None))
    found["moved-full"] = (_outputs(root / "moved-full"), report)
    return found


def test_a_build_that_fills_the_cache_is_byte_identical_to_one_without(builds, uncached_build: Path) -> None:
    outputs, report = builds["first"]
    assert "from the build cache" not in report.reasoning
    assert outputs == _outputs(uncached_build)


def test_a_rebuild_after_one_edit_reuses_the_cache(builds) -> None:
    _, report = builds["rebuilt"]
    assert report.reasoning.endswith("(from the build cache)")
    # a note (rdfs:comment) is read by no shape: the relationship's results stand without pySHACL
    assert "(0 changed node(s) validated, 1 changed only in what no shape reads, the rest as before)" in (
        report.validation
    )


def test_a_rebuild_after_one_edit_is_byte_identical_to_a_full_build(builds) -> None:
    rebuilt, full = builds["rebuilt"][0], builds["full"][0]
    assert rebuilt == full
    assert b"para 22) treats the LEA as one part of Luton Borough Council" in full["lutonkg.nq"]
    assert full["lutonkg.nq"] != builds["first"][0]["lutonkg.nq"]  # the edit shows


def test_a_rebuild_after_an_edit_the_reasoner_sees_is_byte_identical_to_a_full_build(builds) -> None:
    """HermiT runs again (its input read from the statements' text), SHACL validates only what changed, and the
    outputs are those of a full build of the same data."""
    (moved, report), full = builds["moved"], builds["moved-full"][0]
    assert "from the build cache" not in report.reasoning and "changed node(s) validated" in report.validation
    assert moved == full
    lea, executive = f"<{ID}body/luton-lea>", f"<{ID}body/luton-council-executive>"
    assert f"{lea} <{ORG.subOrganizationOf}> {executive} ".encode() in full["lutonkg.nq"]
    assert full["lutonkg.nq"] != builds["full"][0]["lutonkg.nq"]  # the edit shows


def _triples(nquads: Path) -> list[str]:
    """The union of a build's graphs as sorted N-Triples lines without the final dot (as the build compares them)."""
    quads = ox.parse(path=str(nquads), format=ox.RdfFormat.N_QUADS)
    return sorted({f"{q.subject} {q.predicate} {q.object}" for q in quads})


def test_incremental_shacl_validates_what_changed(fresh_build: Path) -> None:
    before = _triples(fresh_build / "lutonkg.nq")
    previous = "\n".join(before).encode("utf-8")
    citation = f"<{ID}citation/relationship-{RELATIONSHIP}-s1>"
    anchor = next(t for t in before if t.startswith(f"{citation} <{LKG.anchor}> "))
    reworded = [t for t in before if t != anchor] + [f'{citation} <{LKG.anchor}> "the LEA within it"']
    assert _validate_changes(previous, sorted(reworded)) == (
        "SHACL shapes conform (1 changed node(s) validated, the rest as before)"
    )
    # a citation without its anchor breaks a shape: no verdict from the changed nodes, so the whole graph is validated
    assert _validate_changes(previous, [t for t in before if t != anchor]) is None
    assert (
        _validate_changes(previous, before) == "SHACL shapes conform (0 changed node(s) validated, the rest as before)"
    )
    # a note on it, and one on a blank node, change no shape's result; with the anchor reworded too, one node is
    # validated, and one dropped is still found (only what the shapes read is passed over)
    noted = [f'{citation} <{RDFS.comment}> "checked again"', f'_:b0 <{RDFS.comment}> "a note on a blank node"']
    assert _validate_changes(previous, sorted([*before, *noted])) == (
        "SHACL shapes conform (0 changed node(s) validated, 2 changed only in what no shape reads, the rest as before)"
    )
    assert _validate_changes(previous, sorted([*reworded, *noted])) == (
        "SHACL shapes conform (1 changed node(s) validated, 1 changed only in what no shape reads, the rest as before)"
    )
    assert _validate_changes(previous, sorted([*(t for t in before if t != anchor), *noted])) is None


def test_the_shapes_read_their_paths_types_and_the_class_hierarchy_only() -> None:
    read = incremental.read_predicates(shapes_graph())
    assert {f"<{RDF.type}>", f"<{RDFS.subClassOf}>", f"<{LKG.anchor}>", f"<{ORG.originalOrganization}>"} <= read
    assert f"<{ORG.resultingOrganization}>" in read  # the other member of that alternative path
    assert f"<{RDFS.comment}>" not in read and not any(p.startswith("<http://www.w3.org/ns/shacl#") for p in read)


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A project folder holding a copy of the Luton data and nothing else."""
    shutil.copytree(DATA_DIR, tmp_path / "project" / "graph" / "data")
    return tmp_path / "project"


def test_check_validates_and_writes_nothing(
    project_copy: Path, cached_build, tmp_path: Path, monkeypatch, capsys
) -> None:
    shutil.copytree(cached_build[1], tmp_path / "cache")  # the reasoner's verdict on these data, kept by the cache
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    before = snapshot(project_copy)
    assert main(["check", "--project", str(project_copy)]) == 0
    said = capsys.readouterr().out
    assert "nothing written" in said
    assert "HermiT: consistent" in said and "SHACL shapes conform" in said
    assert snapshot(project_copy) == before


def test_check_fails_with_the_builds_one_line(project_copy: Path, capsys) -> None:
    path = project_copy / "graph" / "data" / "relationships.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  object: luton-borough-council\n", "  object: luton-borough-counsil\n", 1))
    before = snapshot(project_copy)
    assert main(["check", "--project", str(project_copy)]) == 1
    checked = capsys.readouterr().err
    assert main(["build", "--project", str(project_copy)]) == 1
    built = capsys.readouterr().err
    assert snapshot(project_copy) == before
    assert checked.count("\n") == 1 and built.count("\n") == 1
    assert "relationships.yaml:" in checked and "did you mean 'luton-borough-council'" in checked
    message = checked.removeprefix("lutonkg check: error: ").strip()
    assert built.strip() == f"lutonkg build: error: {message} (nothing was written)"


def test_the_reasoners_cache_key_reads_exactly_what_the_reasoner_reads() -> None:
    _, ds = convert(DATA_DIR)
    asserted = statements(ds).keys
    ontology = ds.graph(ONTOLOGY_GRAPH)
    facts = {(s, p, o) for s, p, o, g in ds if g != ONTOLOGY_GRAPH}
    # what HermiT is to read, from the rdflib terms: the class and object-property assertions between IRIs, but for
    # provenance links and anything about a citation; and the stated types of things, for the closure of their classes
    properties = {RDF.type, *ontology.subjects(RDF.type, OWL.ObjectProperty)}
    properties |= set(ontology.subjects(RDF.type, OWL.SymmetricProperty))
    provenance = {PROV.qualifiedDerivation, PROV.wasDerivedFrom, PROV.entity, LKG.attestedIn}
    hermit = {
        (s, p, o)
        for s, p, o in facts
        if isinstance(s, URIRef) and isinstance(o, URIRef) and p in properties and p not in provenance
        if not str(s).startswith(f"{ID}citation/")
    }
    things = (str(ID), LEGISLATION)
    typed = {(s, p, o) for s, p, o in facts if p == RDF.type and isinstance(s, URIRef) and str(s).startswith(things)}

    def text(triples: object) -> set[str]:
        return {f"{to_ox(s)} {to_ox(p)} {to_ox(o)}" for s, p, o in triples}

    selected = reasoner_text(asserted, f"<{ONTOLOGY_GRAPH}>")
    imports = [(s, p, o) for s, p, o in ontology if p == OWL.imports]  # its import module, HermiT would fetch
    assert imports
    assert tuple(selected) == (text(ontology) - text(imports), text(hermit), text(typed))
    lines = selected.lines()  # what the key reads: all of it
    assert lines == selected.ontology | selected.facts | selected.typed
    lea, council = ID["body/luton-lea"], ID["body/luton-borough-council"]
    assert f"<{lea}> <{ORG.subOrganizationOf}> <{council}>" in lines  # a relationship the reasoner reads
    assert not any(line.split(" ")[1] == f"<{LKG.anchor}>" for line in lines)  # literals stay out
    citations = [line for line in lines if line.startswith(f"<{ID}citation/")]
    assert citations and all(line.split(" ")[1] == f"<{RDF.type}>" for line in citations)  # their types only
    # a note, a label or a citation leaves the key alone; the object of a relationship changes it
    key = reasoning_key(selected)
    label = next(k for k in asserted if k[2] == f"<{RDFS.label}>" and k[1] == f"<{lea}>")
    assert reasoning_key(reasoner_text([k for k in asserted if k != label], f"<{ONTOLOGY_GRAPH}>")) == key
    link = next(k for k in asserted if k[1:] == (f"<{lea}>", f"<{ORG.subOrganizationOf}>", f"<{council}>"))
    moved = (link[0], link[1], link[2], f"<{ID['body/luton-council-executive']}>")
    assert reasoning_key(reasoner_text([moved if k == link else k for k in asserted], f"<{ONTOLOGY_GRAPH}>")) != key


@pytest.mark.parametrize("to_itself", [True, False], ids=["quality-and-shacl-problems", "a-shacl-problem"])
def test_a_quality_check_problem_is_reported_before_a_shacl_problem(
    project_copy: Path, monkeypatch: pytest.MonkeyPatch, to_itself: bool
) -> None:
    """The SPARQL checks run in a helper thread beside SHACL; their problem still wins, as when they ran first."""
    path = project_copy / "graph" / "data" / "relationships.yaml"
    text = path.read_text(encoding="utf-8")
    if to_itself:
        path.write_text(text.replace("  object: luton-borough-council\n", "  object: luton-lea\n", 1), encoding="utf-8")

    def shacl_fails(data: object, graph: object) -> None:
        raise BuildError("a SHACL problem")

    monkeypatch.setattr(pipeline, "check_shapes", shacl_fails)
    with pytest.raises(BuildError) as stopped:
        pipeline.check(project_copy / "graph" / "data", use_reasoner=False)
    said = str(stopped.value)
    if to_itself:
        assert "relationships.yaml:4: relationships entry 'luton-lea-part-of-luton-borough-council'" in said
        assert "quality check: a relationship links a body to itself" in said
    else:
        assert said == "a SHACL problem"


def test_turtle_and_jsonld_subject_by_subject_equal_the_whole_documents(fresh_build: Path) -> None:
    """lutonkg.rdf.pieces writes each subject's text on its own (kept in the build cache for the next build); the
    documents are byte for byte those of the whole-union writers, from an empty cache and from a warm one."""
    lines = _triples(fresh_build / "lutonkg.nq")
    union = list(ox.parse(input="".join(line + " .\n" for line in lines), format=ox.RdfFormat.N_TRIPLES))
    ttl, jsonld_text, kept = pieces.write(lines, {})
    assert ttl == turtle(union) and jsonld_text == jsonld(union)
    assert pieces.decode(pieces.encode(kept)) == kept
    assert pieces.write(lines, kept)[:2] == (ttl, jsonld_text)
    # an unchanged subject's text comes from what was kept; a changed subject's is written afresh
    lea = f"<{ID}body/luton-lea>"
    key = next(k for k, (text, _) in kept.items() if text.startswith("id:body\\/luton-lea "))
    marked = {**kept, key: ("id:body\\/luton-lea lkg:kept 1 .\n", kept[key][1])}
    assert "id:body\\/luton-lea lkg:kept 1 ." in pieces.write(lines, marked)[0]
    label = next(line for line in lines if line.startswith(f"{lea} <{RDFS.label}> "))
    edited = sorted([*(line for line in lines if line != label), f'{lea} <{RDFS.label}> "Luton LEA (edited)"'])
    rewritten = pieces.write(edited, marked)[0]
    assert "lkg:kept" not in rewritten and '"Luton LEA (edited)"' in rewritten
    assert pieces.decode(b"not json") == {} and pieces.decode(b'{"k": ["only one"]}') == {}


def test_reasoning_from_the_cache_gives_shacl_the_whole_reasoned_graph(cached_build, tmp_path: Path) -> None:
    """The cached result is read as text; when SHACL must read the whole graph it gets the inferred triples too."""
    shutil.copytree(cached_build[1], tmp_path / "cache")
    data, ds = convert(DATA_DIR)
    asserted = statements(ds)
    reasoned = pipeline._reason_and_prepare(data, lambda: ds, asserted, True, Cache(tmp_path / "cache"))
    assert reasoned.account.endswith("triples inferred (from the build cache)") and reasoned.keys
    assert reasoned.keys == sorted(reasoned.keys) and all(k[0] == f"<{INFERRED_GRAPH}>" for k in reasoned.keys)
    graph = reasoned.shacl_input()
    assert len(graph) == len(asserted.plus(reasoned.keys).triple_lines)
    _, s, p, o = reasoned.keys[0]
    assert (URIRef(s[1:-1]), URIRef(p[1:-1]), URIRef(o[1:-1])) in graph


@pytest.mark.parametrize("conformed", [True, False], ids=["a-conforming-graph-kept", "none-kept"])
def test_the_reasoner_runs_beside_the_copy_for_shacl_only_when_shacl_will_read_the_whole_graph(
    cached_build, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, conformed: bool
) -> None:
    """When HermiT must run (an edit it sees) and the cache keeps a graph that conformed, SHACL will most likely
    validate only what changed, so the whole graph is not copied for it while HermiT runs, only when asked for;
    with none kept (a full build) the copy is made beside the reasoner. Either way it holds the inferred triples."""
    if not java_available():
        pytest.skip("HermiT needs Java")
    shutil.copytree(cached_build[1], tmp_path / "cache")
    for entry in (tmp_path / "cache").glob("reasoning-*"):
        entry.unlink()  # as after an edit the reasoner sees
    if not conformed:
        for entry in (tmp_path / "cache").glob("shacl-conforming-*"):
            entry.unlink()
    data, ds = convert(DATA_DIR)
    asserted = statements(ds)
    copies: list[int] = []
    whole = pipeline.union_graph
    monkeypatch.setattr(pipeline, "union_graph", lambda quads: copies.append(len(quads)) or whole(quads))
    reasoned = pipeline._reason_and_prepare(data, lambda: ds, asserted, True, Cache(tmp_path / "cache"))
    assert reasoned.account == f"HermiT: consistent, {len(reasoned.keys)} triples inferred"
    assert len(copies) == (0 if conformed else 1)
    graph = reasoned.shacl_input()
    assert len(copies) == 1 and len(graph) == len(asserted.plus(reasoned.keys).triple_lines)
    _, s, p, o = reasoned.keys[0]
    assert (URIRef(s[1:-1]), URIRef(p[1:-1]), URIRef(o[1:-1])) in graph


def test_a_pyoxigraph_that_writes_subjects_otherwise_gets_the_whole_union_written(
    fresh_build: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    quads = ox.parse(path=str(fresh_build / "lutonkg.nq"), format=ox.RdfFormat.N_QUADS)
    stated = Statements(sorted({(str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)) for q in quads}))

    def writes_otherwise(lines: list[str]) -> pieces.Piece:
        raise pieces.Unsupported("as another version might")

    monkeypatch.setattr(pieces, "_render", writes_otherwise)
    ttl, jsonld_text = pipeline._turtle_and_jsonld(stated, Cache(None))
    assert ttl.encode() == (fresh_build / "lutonkg.ttl").read_bytes()
    assert jsonld_text.encode() == (fresh_build / "lutonkg.jsonld").read_bytes()


def test_the_summary_counts_each_documents_statements_as_the_graph_holds_them(cached_build) -> None:
    out, _, report = cached_build
    per_graph = Counter(q.graph_name.value for q in ox.parse(path=str(out / "lutonkg.nq"), format=ox.RdfFormat.N_QUADS))
    documents = ["lea2002", "cohesion2002", "ca2008", "jar2008", "strategy2020"]
    assert sorted(report.facts_by_document) == sorted(documents)
    assert report.facts_by_document == {doc: per_graph[f"{ID}graph/{doc}"] for doc in documents}
    assert min(report.facts_by_document.values()) > 1000  # every document states facts


def test_citations_kept_as_text_give_exactly_the_statements_of_the_whole_dataset(data) -> None:
    """The statements made with the citations' quads from the cache (rdf.dataset.dataset_keys) equal those of the
    whole dataset, from an empty cache, from a warm one, and after an edit that changes some citations only."""
    whole = quad_keys(build_dataset(data))
    cold, made = dataset_keys(data, {})
    assert cold == whole and len(made) == 2642  # every citation of the Luton data, each made once
    citation = f"<{ID}citation/relationship-{RELATIONSHIP}-s1>"
    assert any(key[1] == citation for key in made.values() for key in key)
    warm, used = dataset_keys(data, decode_citation_keys(encode_citation_keys(made)))
    assert warm == whole and used == made

    edited = copy.deepcopy(data)  # a locator's reason changes: only the citations of that place are made again
    entry = next(e for e in edited["locators"] if e["id"] == "jar2008-title-page")
    entry["reconstructed"] = "The cover (edited for this test)."
    again, changed = dataset_keys(edited, made)
    assert again == quad_keys(build_dataset(edited)) != whole
    fresh = set(changed) - set(made)
    place = [inputs for inputs in made if "'jar2008', 'Title page'" in inputs]  # the citations of that place
    assert fresh and all("'jar2008', 'Title page'" in inputs for inputs in fresh) and len(fresh) == len(place)
    assert set(changed) - fresh == set(made) - set(place)  # the others were taken as they were

    key, selector = next(iter(sorted(edited.selectors.items())))  # a selector's context changes: its citations too
    selector["prefix"] = "edited context "
    again, changed = dataset_keys(edited, made)
    assert again == quad_keys(build_dataset(edited))
    assert any("\"'edited context '\"" in inputs for inputs in set(changed) - set(made))


@pytest.mark.parametrize("damage", [b"", b"{", b'{"terms": ["<a>"], "citations": {"x": [0, 0, 0]}}', b"[1, 2]"])
def test_a_damaged_citations_entry_is_a_miss(data, damage: bytes) -> None:
    assert decode_citation_keys(damage) == {}
    keys, _ = dataset_keys(data, decode_citation_keys(damage))
    assert keys == quad_keys(build_dataset(data))


def test_a_clash_of_citation_nodes_is_the_same_line_with_the_cache(cached_build, tmp_path: Path) -> None:
    """Citations kept as text still reserve their nodes in order: two entries that would make the same citation node
    give the build's one line, the same with a warm cache as without one."""
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    shutil.copytree(cached_build[1], tmp_path / "cache")  # the session build's cache: the citations' entry is warm
    cache = Cache(tmp_path / "cache")
    assert cache.get("citations", pipeline._citations_key()), "the session build kept no citations entry"
    body = (
        "- id: {id}\n  label: Panel {id}\n  type: team\n{founded}  sources:\n"
        "  - {{doc: lea2002, loc: para 27, anchor: the executive comprises a leader}}\n"
    )
    founded = "  founded:\n    date: 2000\n    sources:\n    - {doc: lea2002, loc: para 27, anchor: the executive}\n"
    added = body.format(id="clash-panel", founded=founded) + body.format(id="clash-panel-founded", founded="")
    (data / "bodies.yaml").write_text((data / "bodies.yaml").read_text(encoding="utf-8") + added, encoding="utf-8")
    messages = []
    for store in (cache, Cache(None)):
        with pytest.raises(BuildError) as caught:
            pipeline.check(data, use_reasoner=False, cache=store)
        messages.append(str(caught.value))
    assert messages[0] == messages[1]
    assert "bodies entry 'clash-panel-founded': duplicate id: the build would make the node " in messages[0]
    assert "'citation/body-clash-panel-founded-s1'" in messages[0]
