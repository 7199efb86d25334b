"""Assisted curation (issue 18): the suggester on a held-out document, the statute resolver, candidates' citations,
and `lutonkg accept` / `lutonkg sources add` on a small project (all or nothing, one-line errors)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from mini_project import make_mini_data, plain, snapshot
from project_paths import DATA_DIR

from lutonkg.build.pipeline import build
from lutonkg.checks.citations import check_reference, source_texts
from lutonkg.cli.main import main
from lutonkg.curation import statutes
from lutonkg.curation.accept import accept, rejected_keys
from lutonkg.curation.review import render
from lutonkg.curation.suggest import Candidate, suggest
from lutonkg.data.load import Data, load_data, read_yaml
from lutonkg.data.sources import SourceText, fold
from lutonkg.project import Project, open_project

COHESION = "cohesion2002"


@pytest.fixture(scope="module")
def texts(data: Data, sources: Path) -> dict[str, SourceText]:
    """The five source texts."""
    return source_texts(data, sources)[0]


@pytest.fixture(scope="module")
def held_out(data: Data, texts: dict[str, SourceText]) -> list[Candidate]:
    """The candidates of the community cohesion report with that report held out."""
    return suggest(data, texts, COHESION, holdout=COHESION)


def recommendation_bullets(text: str) -> list[str]:
    """The paragraphs printed under the report's RECOMMENDATIONS heading (read here from the raw text, not by the
    structure reader): after the introductory paragraph, up to APPENDIX 1; a paragraph the extraction split at a
    blank line (no full stop before it) is joined again."""
    lines = text.split("\n")
    start = max(k for k, line in enumerate(lines) if line.strip() == "RECOMMENDATIONS")
    end = next(k for k in range(start, len(lines)) if lines[k].startswith("APPENDIX 1"))
    paragraphs: list[str] = []
    for line in (x.strip() for x in lines[start + 1 : end]):
        if not line:
            continue
        if paragraphs and not paragraphs[-1].endswith("."):
            paragraphs[-1] += " " + line
        else:
            paragraphs.append(line)
    assert paragraphs[0].startswith("The following recommendations are additional")
    return paragraphs[1:]


def test_held_out_cohesion_report_finds_the_lea_the_inspection_service_and_every_recommendation(
    held_out: list[Candidate], texts: dict[str, SourceText]
) -> None:
    """With the cohesion report held out, the suggester names the LEA (a body other documents know), proposes the
    Audit Commission Inspection Service (named only in this report) and gives one recommendation per bullet of the
    RECOMMENDATIONS section, none for its introduction."""
    mentions = {c.fields["body"]: c for c in held_out if c.kind == "body-mention"}
    assert "luton-lea" in mentions
    assert "the LEA" in mentions["luton-lea"].fields["printed_as"]
    service = [
        c for c in held_out if c.kind == "new-body" and c.fields["label"] == "Audit Commission Inspection Service"
    ]
    assert service and service[0].fields["type"] == "inspectorate"
    assert service[0].cite.loc == "para 3"
    bullets = recommendation_bullets(texts[COHESION].text)
    assert len(bullets) == 10
    quotes = [fold(c.fields["quote"]) for c in held_out if c.kind == "recommendation"]
    for bullet in bullets:
        assert sum(fold(bullet)[:60] in quote for quote in quotes) == 1, bullet
    assert len(quotes) == len(bullets)
    assert all(c.fields["priority"] for c in held_out if c.kind == "recommendation")


@pytest.mark.parametrize(
    ("printed", "identifier", "sections"),
    [
        ("the LEA's duties under ss390-391 of the Education Act 1996 apply", "ukpga/1996/56", ("390", "391")),
        ("inspected under Section 38 of the Education Act 1997.", "ukpga/1997/44", ("38",)),
        ("as the Children Act 2004 requires", "ukpga/2004/31", ()),
        ("under s390 Education Act 1996", "ukpga/1996/56", ("390",)),
    ],
)
def test_statute_citations_resolve_to_legislation_gov_uk(printed: str, identifier: str, sections: tuple) -> None:
    """A printed citation resolves to its Act's legislation.gov.uk identifier and the sections it names (a range
    expanded), with no project data at all (the shipped reference table of Acts)."""
    (found,) = statutes.citations(printed, {})
    assert found.act.identifier == identifier
    assert found.sections == sections
    assert found.section_iris() == [f"http://www.legislation.gov.uk/id/{identifier}/section/{s}" for s in sections]


def test_every_candidate_is_cited_where_its_anchor_is(
    held_out: list[Candidate], data: Data, texts: dict[str, SourceText]
) -> None:
    """Each candidate's citation (and every other place it gives) passes the check `verify-sources` makes (the
    anchor is printed at the locator), and its selector's quote lies at its offsets in the raw text."""
    reconstructed = {(e["doc"], e["loc"]): e["reconstructed"] for e in data["locators"] if "reconstructed" in e}
    raw = texts[COHESION].text
    assert {c.kind for c in held_out} >= {"body-mention", "new-body", "statute", "recommendation", "judgement"}
    for candidate in held_out:
        for cite in [candidate.cite, *candidate.also]:
            assert check_reference(cite.reference(COHESION), texts, reconstructed) is None, (candidate.key, cite)
            assert len(cite.anchor.split()) < 12
            assert raw[cite.selector.start : cite.selector.end] == cite.selector.exact


# ---------------------------------------------------------------- accept, on a small project


@pytest.fixture
def small(tmp_path: Path, sources: Path) -> Project:
    """A small project (the mini data set with the real recommendation themes) whose sources are the real texts."""
    root = tmp_path / "project"
    data_dir = make_mini_data(root / "graph" / "data")
    themes = read_yaml(DATA_DIR / "recommendations.yaml")["themes"]
    text = yaml.safe_dump({"themes": plain(themes), "recommendations": []}, sort_keys=False, width=120)
    (data_dir / "recommendations.yaml").write_text(text, encoding="utf-8")
    (root / "lutonkg.toml").write_text(f'[project]\nsources = "{sources}"\n', encoding="utf-8")
    return open_project(root)


def review_of(project: Project, doc: str = COHESION) -> dict:
    """A fresh review file of a document, parsed."""
    data = load_data(project.data_dir)
    texts = source_texts(data, project.sources_dir())[0]
    found = suggest(data, texts, doc, rejected=rejected_keys(project, doc))
    return yaml.safe_load(render(doc, found))


def decided(tree: dict, group: str, match: str, **fields: object) -> dict:
    """Set fields of the candidate of a group whose key contains `match`."""
    entry = next(e for e in tree["candidates"][group] if match in e["key"])
    entry.update(fields)
    return entry


def write(path: Path, tree: dict) -> Path:
    """A review file as a curator saves it."""
    path.write_text(yaml.safe_dump(tree, sort_keys=False, allow_unicode=True, width=120), encoding="utf-8")
    return path


def test_accepted_candidates_build_into_a_valid_graph_and_rejected_ones_stay_rejected(small: Project) -> None:
    """Accepting a recommendation (in the curator's words), the Audit Commission Inspection Service, an Act and a
    mention of the education service merges them with proper ids; the data then builds (every check passes) into a
    graph holding them; the rejected candidate and the accepted facts are not proposed again."""
    tree = review_of(small)
    summary = "Tell the secondary schools what this report criticises and talk it through with them."
    decided(tree, "recommendations", "in-order-to-improve-relationships", decision="accept", summary=summary,
            addressees=["luton-lea"])  # fmt: skip
    decided(tree, "new-bodies", "audit-commission-inspection-service", decision="accept")
    act = decided(tree, "statutes", "ukpga/2000/22", decision="accept")
    decided(tree, "body-mentions", "luton-education-service", decision="accept")
    rejected = decided(tree, "relationships", "ofsted:works-with:luton-lea", decision="reject")["key"]
    outcome = accept(small, write(small.root / "review.yaml", tree), use_reasoner=False)
    assert outcome.rejected == 1 and sum(outcome.merged.values()) == 4
    data = load_data(small.data_dir)
    (recommendation,) = data["recommendations"]
    assert recommendation["id"] == "cohesion2002-r01" and recommendation["summary"] == summary
    assert recommendation["inspection"] == "lea-inspection-2002"
    assert recommendation["sources"][0]["loc"] == "RECOMMENDATIONS"
    assert data.bodies()["audit-commission-inspection-service"]["type"] == "inspectorate"
    assert data.by_id("legislation")[act["legislation"]]["chapter"] == 22
    cited = data.bodies()["luton-education-service"]["sources"]
    assert {"doc": COHESION, "loc": "para 2"} in [{"doc": c["doc"], "loc": c["loc"]} for c in cited]
    build(small.data_dir, small.root / "graph", use_reasoner=False)
    graph = (small.root / "graph" / "lutonkg.nq").read_text(encoding="utf-8")
    assert "Audit Commission Inspection Service" in graph and summary in graph
    again = review_of(small)
    keys = {e["key"] for entries in again["candidates"].values() for e in entries}
    assert rejected not in keys
    assert not any("in-order-to-improve-relationships" in key for key in keys)
    assert "new-body:audit-commission-inspection-service" not in keys


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda t: decided(t, "recommendations", "overtly-exclusive", decision="maybe"),
         r"candidate 'recommendation:overtly-exclusive[^']*': decision 'maybe' is not one of pending, accept, reject"),
        (lambda t: decided(t, "recommendations", "overtly-exclusive", decision="accept", addressees=["luton-lea"]),
         r"candidate 'recommendation:overtly-exclusive[^']*' \(recommendation\): accepted without 'summary'"),
        (lambda t: decided(t, "recommendations", "overtly-exclusive", decision="accept", addressees=["nobody-at-all"],
                           summary="Admissions rules that shut pupils out openly need to be questioned."),
         r"does not build: .*recommendations.yaml:\d+: recommendations entry 'cohesion2002-r01'.*nobody-at-all"),
        (lambda t: decided(t, "new-bodies", "audit-commission-inspection-service", decision="accept", anchor=""),
         r"candidate 'new-body:audit-commission-inspection-service': field 'anchor' must be non-empty text"),
        (lambda t: decided(t, "new-bodies", "audit-commission-inspection-service", decision="accept",
                           anchor="words this report never prints"),
         r"candidate 'new-body:audit-commission-inspection-service': anchor 'words this report never prints' not found "
         "in cohesion2002"),
    ],
    ids=["unknown-decision", "no-summary", "unknown-addressee", "empty-anchor", "anchor-not-printed"],
)  # fmt: skip
def test_a_malformed_review_file_is_one_line_naming_the_entry_and_changes_nothing(
    small: Project, capsys: pytest.CaptureFixture, mutate: object, expected: str
) -> None:
    """A review file with one bad entry (beside a good accepted one) is refused in one line that names the entry;
    the data folder and the remembered rejections are byte for byte as before."""
    tree = review_of(small)
    decided(tree, "new-bodies", "world-trade-centre", decision="reject")
    decided(tree, "body-mentions", "luton-education-service", decision="accept")
    mutate(tree)
    path = write(small.root / "review.yaml", tree)
    before = snapshot(small.root)
    code = main(["accept", str(path), "--no-reason", "--project", str(small.root)])
    err = capsys.readouterr().err
    assert code == 1
    assert len(err.strip().splitlines()) == 1, err
    assert re.search(expected, err), err
    assert snapshot(small.root) == before


def test_a_review_file_that_is_not_yaml_is_one_line(small: Project, capsys: pytest.CaptureFixture) -> None:
    """Broken YAML in a review file: one line with the file and line, nothing changed."""
    path = small.root / "review.yaml"
    path.write_text("doc: cohesion2002\ncandidates:\n  recommendations:\n  - key: [unclosed\n", encoding="utf-8")
    before = snapshot(small.root)
    assert main(["accept", str(path), "--no-reason", "--project", str(small.root)]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "review.yaml" in err, err
    assert snapshot(small.root) == before


def test_sources_add_registers_the_document_and_prints_its_locators(
    small: Project, sources: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """`sources add` copies a new text into the project's sources folder, appends its entry to documents.yaml (the
    other entries untouched) and prints the locators it found: the cohesion report's numbered paragraphs and its
    RECOMMENDATIONS heading; a second registration of the same id is refused in one line."""
    folder = tmp_path / "sources"
    folder.mkdir()
    for path in sources.glob("*.txt"):
        shutil.copyfile(path, folder / path.name)
    (small.root / "lutonkg.toml").write_text(f'[project]\nsources = "{folder}"\n', encoding="utf-8")
    new = tmp_path / "incoming" / "cohesion-second-copy.txt"
    new.parent.mkdir()
    original = next(sources.glob("*cohesion*.txt"))
    shutil.copyfile(original, new)
    before = (small.data_dir / "documents.yaml").read_text(encoding="utf-8")
    args = ["sources", "add", str(new), "--id", "cohesion-copy", "--title", "Community cohesion (copy)", "--date",
            "2002-11", "--kind", "thematic-inspection-report", "--publisher", "ofsted", "--reports",
            "lea-inspection-2002", "--project", str(small.root)]  # fmt: skip
    assert main(args) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert "RECOMMENDATIONS" in out and re.search(r"para(graph)?s? 1\b", out), out
    after = (small.data_dir / "documents.yaml").read_text(encoding="utf-8")
    assert after.startswith(before.rstrip("\n"))
    entry = load_data(small.data_dir).by_id("documents")["cohesion-copy"]
    assert entry["file"] == new.name and entry["publishers"] == ["ofsted"]
    assert entry["reports"] == ["lea-inspection-2002"] and entry["authority"] == "luton-borough-council"
    assert (folder / new.name).read_bytes() == original.read_bytes()
    assert main(args) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "already registered" in err


def test_sources_add_that_cannot_write_the_data_leaves_no_text_behind(
    small: Project, sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    """When documents.yaml cannot be written (a full disk), `sources add` says so in one line and takes back the
    copy of the text and its line in the sources manifest: the project is as it was."""
    from lutonkg.curation import merge

    folder = tmp_path / "sources"
    shutil.copytree(sources, folder)
    (small.root / "lutonkg.toml").write_text(f'[project]\nsources = "{folder}"\n', encoding="utf-8")
    new = tmp_path / "incoming" / "cohesion-third-copy.txt"
    new.parent.mkdir()
    shutil.copyfile(next(sources.glob("*cohesion*.txt")), new)
    before, texts = snapshot(small.root), snapshot(folder)

    def full_disk(data_dir: Path, texts: dict[str, str]) -> None:
        raise OSError(28, "No space left on device", str(data_dir / "documents.yaml"))

    monkeypatch.setattr(merge, "write_all", full_disk)
    args = ["sources", "add", str(new), "--id", "cohesion-third", "--title", "Community cohesion (third)",
            "--date", "2002-11", "--kind", "thematic-inspection-report", "--publisher", "ofsted",
            "--project", str(small.root)]  # fmt: skip
    assert main(args) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "documents.yaml" in err[0] and "No space left" in err[0], err
    assert snapshot(small.root) == before and snapshot(folder) == texts
    assert not (folder / new.name).exists()


@pytest.mark.parametrize("doc", ["jar2008", "ca2008"])
def test_a_review_file_as_suggest_writes_it_reads_back(data: Data, texts: dict[str, SourceText], doc: str, tmp_path):
    """Every candidate has a key of its own, so `accept` can read the file `suggest` wrote: the joint area review
    prints a "Major strengths" heading in several sections, the corporate assessment one grade sentence twice;
    each repeat is keyed by where it is printed."""
    from lutonkg.curation.review import read_review

    found = suggest(data, texts, doc, holdout=doc)
    keys = [c.key for c in found]
    assert len(keys) == len(set(keys))
    assert any(k.startswith(("judgement:strength::major-strengths@", "judgement:grade:good:")) and "@" in k
               for k in keys)  # fmt: skip
    path = tmp_path / "review.yaml"
    path.write_text(render(doc, found, holdout=doc), encoding="utf-8")
    assert len(read_review(path, {doc}).decisions) == len(found)


def test_suggest_writes_a_review_file_grouped_by_kind(small: Project, capsys: pytest.CaptureFixture) -> None:
    """`lutonkg suggest DOC --out FILE` writes the review file: candidates grouped by kind, each pending with its
    locator, anchor, selector and score, the ten recommendations of the cohesion report among them; the summary
    line counts them. An unknown document is one line."""
    out = small.root / "review.yaml"
    assert main(["suggest", COHESION, "--out", str(out), "--project", str(small.root)]) == 0
    printed = capsys.readouterr().out
    tree = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert tree["doc"] == COHESION and "recommendations 10" in printed
    assert len(tree["candidates"]["recommendations"]) == 10
    entries = [e for group in tree["candidates"].values() for e in group]
    assert f"wrote {len(entries)} candidates to {out}" in printed
    for entry in entries:
        assert entry["decision"] == "pending" and 0 < entry["score"] <= 1
        assert entry["loc"] and entry["anchor"] and entry["selector"]["exact"]
    assert main(["suggest", "nosuchdoc", "--project", str(small.root)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "nosuchdoc" in err
