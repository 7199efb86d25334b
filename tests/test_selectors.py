"""W3C Web Annotation selectors (issue 14, item 10): every citation anchored by quote and by position in the source
text as distributed, stored in graph/data/selectors.yaml, built into the graph without the sources, and re-found by
`lutonkg verify-sources`, which reports the ones that drifted."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from mini_project import make_mini_data
from project_paths import DATA_DIR
from rdflib import Literal, URIRef

from lutonkg.checks.citations import source_texts, verify
from lutonkg.cli.main import main
from lutonkg.data import selectors
from lutonkg.data import sources as sources_module
from lutonkg.data.load import Data, DataError, load_data
from lutonkg.data.sources import fold, load_source
from lutonkg.namespaces import ID, LKG, OA
from lutonkg.rdf.dataset import build_dataset

STRATEGY = "2020_luton_education_strategy.txt"
COHESION = "2002-11_ofsted_community_cohesion_in_luton.txt"


def dallow(data: Data) -> dict:
    """The citation of Dallow Primary School in Appendix B of the 2020 strategy."""
    school = data.bodies()["dallow-primary"]
    return next(s for s in school["sources"] if s["doc"] == "strategy2020")


def test_the_dallow_primary_quote_lies_at_its_offsets_in_the_appendix_b_passage(data: Data, sources: Path) -> None:
    """The stored selector of Dallow Primary (SOUTH neighbourhood, Chiltern Learning Trust) gives offsets into the
    raw strategy text where its exact text is printed, inside Appendix B, between its neighbours in the row."""
    ref = dallow(data)
    stored = data.selectors[selectors.key_of(ref)]
    text = (sources / STRATEGY).read_text(encoding="utf-8")
    assert text[stored["start"] : stored["end"]] == stored["exact"] == "Dallow Primary* (CLT)"
    appendix_b = text.index("\nAppendix B - Neighbourhood Partnerships")
    assert text.index("SOUTH\tCENTRAL", appendix_b) < stored["start"] < text.index("\nAppendix C", appendix_b)
    assert text[stored["start"] - len(stored["prefix"]) : stored["start"]] == stored["prefix"]
    assert stored["prefix"].rstrip().endswith("Chapel St Nursery") and stored["suffix"].lstrip().startswith("Farley")
    assert len(stored["prefix"]) == len(stored["suffix"]) == selectors.CONTEXT


def test_folded_matches_map_back_to_raw_offsets_in_every_source(sources: Path) -> None:
    """The folded text with its offset map is exactly what fold() gives, and a folded phrase maps back to the raw
    span that prints it (curly quotes, line breaks and markup included)."""
    for path in sorted(sources.glob("*.txt")):
        text = load_source(path, path.stem).text
        fm = selectors.fold_map(text)
        assert fm.folded == fold(text), path.name
    text = (sources / COHESION).read_text(encoding="utf-8")
    fm = selectors.fold_map(text)
    needle = fold("\u201cWhen I have this meeting with you I will go home")  # printed with a curly quote
    at = fm.folded.index(needle)
    start, end = fm.raw_span(at, at + len(needle))
    assert text[start:end] == "\u201cWhen I have this meeting with you I will go home"
    split = fold("several people interviewed for this inspection referred to them")
    at = fm.folded.index(split)
    start, end = fm.raw_span(at, at + len(split))
    assert fold(text[start:end]) == split and text[start:end].startswith("several people")


def test_a_repeated_phrase_is_anchored_in_the_located_paragraph(data: Data, sources: Path) -> None:
    """'Dallow' is printed in several paragraphs of the 2002 community cohesion report; a citation of para 48 gets
    the offsets of its occurrence in para 48, not of the first one in the text."""
    texts, _ = source_texts(data, sources)
    source = texts["cohesion2002"]
    made = selectors.make_selector(source, "para 48", "Dallow and Biscot")
    first_para, _ = source.paragraphs[48]
    assert made is not None and made.start > first_para and source.text[made.start : made.end] == "Dallow and Biscot"
    assert source.text.index("Biscot and Dallow") < made.start  # para 12 names the two wards the other way round
    in_para_12 = selectors.make_selector(source, "para 12", "two wards, Biscot and Dallow")
    assert in_para_12 is not None and source.paragraphs[12][0] < in_para_12.start < source.paragraphs[13][0]


def test_the_stored_selectors_are_what_the_sources_give(data: Data, sources: Path) -> None:
    """selectors.yaml is up to date: generating it again from the source texts gives the committed file byte for
    byte, one selector pair per distinct cited anchor, each quote its anchor as printed."""
    texts, failures = source_texts(data, sources)
    made, problems = selectors.generate(data, texts)
    assert failures == [] and problems == []
    assert len(made) == len(selectors.cited_keys(data)) > 1500
    expected = selectors.render(made, [d["id"] for d in data["documents"]])
    assert (DATA_DIR / selectors.FILE).read_text(encoding="utf-8") == expected
    assert all(fold(s.exact) == fold(s.anchor) and texts[s.doc].text[s.start : s.end] == s.exact for s in made)


def test_the_build_without_the_sources_still_emits_the_stored_selectors(
    data: Data, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Converting the data reads no source text (a source read fails the test), and the Dallow Primary citation
    carries a quote selector, a position selector and a text-fragment link to its Appendix B row. (A small data set:
    the documents, the bodies they name and Dallow Primary School, with the project's selectors.yaml.)"""
    monkeypatch.setenv("LUTONKG_SOURCES", str(tmp_path))  # an empty folder
    monkeypatch.setattr(sources_module, "load_source", lambda *a: pytest.fail("the build read a source text"))
    copy = make_mini_data(tmp_path / "data")
    shutil.copyfile(DATA_DIR / selectors.FILE, copy / selectors.FILE)
    school = {key: data.bodies()["dallow-primary"][key] for key in ("id", "label", "phase", "academy")}
    school["sources"] = [dict(dallow(data))]
    (copy / "schools.yaml").write_text(yaml.safe_dump({"schools": [school]}), encoding="utf-8")
    ds = build_dataset(load_data(copy))
    stored = data.selectors[selectors.key_of(dallow(data))]
    citation = URIRef(f"{ID}citation/school-dallow-primary-s1")
    quote, position = URIRef(f"{citation}-quote"), URIRef(f"{citation}-position")
    graph = ds.graph(ID["graph/strategy2020"])
    assert (citation, OA.hasSelector, quote) in graph and (citation, OA.hasSelector, position) in graph
    assert graph.value(quote, OA.exact) == Literal("Dallow Primary* (CLT)")
    assert graph.value(position, OA.start).toPython() == stored["start"]
    assert graph.value(position, OA.end).toPython() == stored["end"]
    fragment = str(graph.value(citation, LKG.textFragment))
    assert fragment.startswith("#:~:text=") and "-,Dallow%20Primary%2A%20%28CLT%29,-Farley" in fragment
    document = URIRef(f"{ID}citation/document-lea2002-s1")  # the documents' own citations are anchored too
    assert len(list(ds.graph(ID["graph/lea2002"]).objects(document, OA.hasSelector))) == 2


def drifted_copy(sources: Path, tmp_path: Path, edits: list[tuple[str, str]]) -> Path:
    """A copy of the sources folder whose community cohesion report has the given (old, new) replacements."""
    folder = tmp_path / "sources"
    shutil.copytree(sources, folder)
    folder.chmod(0o755)
    path = folder / COHESION
    path.chmod(0o644)
    text = path.read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    sources_module.load_source.cache_clear()
    return folder


def test_a_drifted_copy_of_a_source_text_is_reported(data: Data, sources: Path, tmp_path: Path) -> None:
    """Words added to paragraph 59 of the community cohesion report leave every anchor findable, but the quotes
    after them (the recommendations) no longer sit at their stored offsets: they moved. A quote whose neighbours
    changed, or that is gone, is reported too. Many drifted selectors of one document are one failure line."""
    texts, _ = source_texts(data, sources)
    selector = selectors.from_entry("cohesion2002", data.selectors[("cohesion2002", "RECOMMENDATIONS",
                                    "Overtly exclusive admissions procedures should be challenged")])  # fmt: skip
    original = texts["cohesion2002"].text
    assert selectors.drift_problem(selector, original) is None
    moved = original.replace("judged to be satisfactory", "judged, on balance, to be satisfactory")
    assert "moved from characters" in selectors.drift_problem(selector, moved)
    reworded = original.replace("Overtly exclusive admissions procedures should", "\nOvertly exclusive admissions "
                                "procedures should")  # fmt: skip
    assert "the text around the quote" in selectors.drift_problem(selector, reworded)
    assert "no longer in the text" in selectors.drift_problem(selector, original.replace("Overtly", "Openly"))

    folder = drifted_copy(sources, tmp_path, [("Again, this is damaging", "Again, this is, of course, damaging")])
    try:
        failures, _ = verify(data, folder)
    finally:
        sources_module.load_source.cache_clear()
    assert len(failures) == 1, failures
    assert "selector drifted" in failures[0] and "more selectors of cohesion2002 missing or drifted" in failures[0]


def test_one_drifted_quote_is_one_failure_naming_its_entry(data: Data, sources: Path, tmp_path: Path) -> None:
    """Changing the words just before the last recommendation of the community cohesion report moves nothing else:
    verify-sources reports that one citation, naming its recommendation, and exit status 1."""
    folder = drifted_copy(sources, tmp_path, [("The council should develop improved ways", "The council should, "
                                               "above all, develop improved ways")])  # fmt: skip
    try:
        failures, _ = verify(data, folder)
    finally:
        sources_module.load_source.cache_clear()
    assert failures and all("selector drifted" in line for line in failures), failures
    assert any("recommendations entry 'cohesion2002-r10'" in line for line in failures), failures


def test_citations_without_a_selector_are_reported(sources: Path, tmp_path: Path) -> None:
    """In a small data set (the five documents' own citations) whose selectors.yaml lost the community cohesion
    report's entries, that document's citation is reported as having no selector; a project with no selectors.yaml
    at all is not checked."""
    copy = make_mini_data(tmp_path / "data")
    for name in (selectors.FILE, "locators.yaml"):
        shutil.copyfile(DATA_DIR / name, copy / name)
    assert verify(load_data(copy), sources)[0] == []
    text = (copy / selectors.FILE).read_text(encoding="utf-8")
    head, _, rest = text.partition("  cohesion2002:\n")
    _, _, tail = rest.partition("\n  ca2008:\n")
    (copy / selectors.FILE).write_text(head + "  ca2008:\n" + tail, encoding="utf-8")
    failures, _ = verify(load_data(copy), sources)
    assert failures and all("no selector for" in line for line in failures), failures
    lines = (copy / "documents.yaml").read_text(encoding="utf-8").splitlines()
    line = lines.index("  - id: cohesion2002") + 1
    assert failures[0].startswith(
        f"{copy / 'documents.yaml'}:{line}: documents entry 'cohesion2002': no selector for 'Title page' 'Reference: "
        "1330': run `lutonkg selectors --write`"
    )
    missing = len([key for key in selectors.cited_keys(load_data(copy)) if key[0] == "cohesion2002"])
    if missing > selectors._DRIFT_LINES:  # many missing selectors of one document are summarised in one line
        assert failures == [f"{failures[0].split(' (and ')[0]} (and {missing - 1} more selectors of cohesion2002 "
                            "missing or drifted: did its text change?)"]  # fmt: skip
    else:
        assert len(failures) == missing
    (copy / selectors.FILE).unlink()
    assert verify(load_data(copy), sources)[0] == []


def test_a_stored_quote_that_is_not_its_anchor_stops_the_load(tmp_path: Path) -> None:
    """selectors.yaml is checked without the sources: a quote that does not fold to its anchor, offsets that do not
    span it, or a document that does not exist is one error line naming the file and line."""
    data_dir = make_mini_data(tmp_path / "data")
    entry = ("  lea2002:\n  - loc: Title page\n    anchor: 'Lead Inspector: Brian Blake HMI'\n    start: 101\n"
             "    end: {end}\n    exact: '{exact}'\n")  # fmt: skip
    cases = {
        entry.format(end=132, exact="Lead Inspector: Brian Blake HMI"): None,
        entry.format(end=132, exact="Lead Inspector: Brian Black HMI"): "is not the anchor as printed",
        entry.format(end=140, exact="Lead Inspector: Brian Blake HMI"): "start and end must span the 31 characters",
        "  lea2099:\n  - {loc: x, anchor: y, start: 0, end: 1, exact: y}\n": "document 'lea2099'",
    }
    for body, problem in cases.items():
        (data_dir / selectors.FILE).write_text("selectors:\n" + body, encoding="utf-8")
        if problem is None:
            assert len(load_data(data_dir).selectors) == 1
            continue
        with pytest.raises(DataError) as caught:
            load_data(data_dir)
        assert "selectors.yaml" in str(caught.value) and problem in str(caught.value), caught.value
        assert "\n" not in str(caught.value)


def test_selectors_command_writes_the_file_and_then_finds_it_up_to_date(
    sources: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """`lutonkg selectors` compares the stored file with the sources (out of date: exit 1); `--write` writes it
    (with its generated-file header); then it is up to date (exit 0)."""
    data_dir = make_mini_data(tmp_path / "data")
    args = ["selectors", "--sources", str(sources), "--data", str(data_dir)]
    assert main(args) == 1 and capsys.readouterr().out.strip().endswith("out of date: run `lutonkg selectors --write`")
    assert main([*args, "--write"]) == 0
    written = (data_dir / selectors.FILE).read_text(encoding="utf-8")
    assert written.startswith("# GENERATED FILE") and "exact: 'Reference: 1330'" in written
    assert main(args) == 0 and capsys.readouterr().out.strip().endswith("selectors.yaml is up to date")


class _Memo(dict):
    """A build cache held in memory: (kind, key) -> bytes."""

    def get(self, kind: str, key: str) -> bytes | None:  # type: ignore[override]
        return super().get((kind, key))

    def put(self, kind: str, key: str, payload: bytes) -> None:
        self[(kind, key)] = payload


def test_the_build_cache_keeps_the_parsed_selectors_and_still_checks_them(tmp_path: Path) -> None:
    """selectors.yaml (the largest data file) is parsed once per content: a second load takes it from the build cache
    and gives the same selectors; a quote edited so it no longer agrees with its anchor is still refused."""
    data_dir = tmp_path / "data"
    shutil.copytree(DATA_DIR, data_dir)
    memo = _Memo()
    first = load_data(data_dir, memo).selectors
    assert any(kind == "data-selectors.yaml" for kind, _ in memo)
    again = load_data(data_dir, memo).selectors
    assert again == first and len(first) > 1500
    assert again[("strategy2020", "Appendix B: SOUTH", "Dallow Primary* (CLT)")]["start"] == 32950
    path = data_dir / selectors.FILE
    path.write_text(path.read_text(encoding="utf-8").replace("exact: Dallow Primary*", "exact: Dallow Infant*", 1))
    with pytest.raises(DataError, match="selectors.yaml"):
        load_data(data_dir, memo)
