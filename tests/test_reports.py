"""Briefings (`lutonkg report`): cited sentences built from the entity description and the chain of responsibility,
notes that resolve to full references, Word footnotes, byte-identical output and the committed examples."""

from __future__ import annotations

import importlib.util
import io
import re
import zipfile
from pathlib import Path

import docx
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from lxml import etree
from project_paths import REPO_ROOT

from lutonkg.checks.reason import java_available
from lutonkg.cli.main import main
from lutonkg.reports import ReportError, ReportGraph, briefing
from lutonkg.reports.model import CURATORS_ASSESSMENT, CURATORS_INFERENCE, Briefing
from lutonkg.reports.render import html, markdown
from lutonkg.reports.word import docx_bytes

EXAMPLES = REPO_ROOT / "docs" / "examples"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
NOTE_REF = re.compile(r"\[\^(\d+)\](?!:)")
NOTE_DEF = re.compile(r"^\[\^(\d+)\]: (.*)$", re.M)


@pytest.fixture(scope="module")
def rg(fresh_build: Path) -> ReportGraph:
    """The fresh build, read once for every briefing of this module."""
    return ReportGraph.load(fresh_build / "lutonkg.nq")


@pytest.fixture(scope="module")
def lscb(rg: ReportGraph) -> Briefing:
    """The briefing on the Local Safeguarding Children Board."""
    return briefing("lscb", graph=rg)


@pytest.fixture(scope="module")
def review(rg: ReportGraph) -> Briefing:
    """The thematic review of safeguarding, 2000 to 2020."""
    return briefing(theme="safeguarding", graph=rg)


@pytest.fixture(scope="module")
def lado(rg: ReportGraph) -> Briefing:
    """The briefing on the LADO duty."""
    return briefing("lado-manage-allegations", graph=rg)


@pytest.fixture(scope="module")
def r23(rg: ReportGraph) -> Briefing:
    """The briefing on the 2002 recommendation to refocus behaviour support."""
    return briefing("lea2002-r23", graph=rg)


@pytest.fixture(scope="module")
def examples(rg: ReportGraph, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The examples of docs/examples generated afresh (diagrams drawn once for the whole module), by file name."""
    written = _regenerate_module().generate(tmp_path_factory.mktemp("examples"), rg)
    return {p.name: p for p in written}


def note_texts(text: str) -> dict[int, str]:
    """The Markdown footnote definitions by number."""
    return {int(n): body for n, body in NOTE_DEF.findall(text)}


def item_with(text: str, phrase: str) -> str:
    """The one line of a Markdown briefing containing a phrase."""
    found = [line for line in text.splitlines() if phrase in line]
    assert len(found) == 1, f"{phrase!r} is on {len(found)} lines"
    return found[0]


def test_the_lscb_briefing_names_the_acpc_as_its_inferred_predecessor_with_both_citations(lscb: Briefing) -> None:
    """The succession is the curators' inference, with its basis, cited to lea2002 para 169 and jar2008 para 14."""
    [sentence] = [s for s in lscb.sentences() if "succeeded the Area Child Protection Committee" in s.text]
    assert sentence.mark == CURATORS_INFERENCE and "do not state the replacement" in sentence.basis
    cites = {(c.doc, c.locator) for c in lscb.notes[sentence.note - 1].cites}
    assert {("lea2002", "para 169"), ("jar2008", "para 14")} <= cites
    text = markdown(lscb)
    line = item_with(text, "succeeded the Area Child Protection Committee")
    assert line.startswith("- *Curators' inference:*") and "between 2002 and 2008" in line
    [number] = NOTE_REF.findall(line)
    note = note_texts(text)[int(number)]
    assert "LEA inspection 2002 (lea2002), para 169" in note and "Joint area review 2008 (jar2008), para 14" in note


def test_the_lscb_briefing_shows_the_acpc_at_the_dates_before_the_board(lscb: Briefing) -> None:
    """In 2002 the board is not named; the chain shown is its predecessor's, the ACPC with the directorate on it."""
    text = markdown(lscb)
    in2002 = text.split("### In 2002", 1)[1].split("###", 1)[0]
    assert "its predecessor (by the curators' inference), the Area Child Protection Committee" in in2002
    assert "The Lifelong Learning Directorate was a member of the Area Child Protection Committee." in in2002
    in2008 = text.split("### In 2008", 1)[1].split("###", 1)[0]
    assert "The Local Safeguarding Children Board worked with the Luton Domestic Violence Forum." in in2008


def test_the_safeguarding_review_has_the_2008_jar_grade_3_good_with_its_locator(review: Briefing) -> None:
    """The joint area review graded safeguarding 3 (good): the item says so and its note gives jar2008, Grades."""
    text = markdown(review)
    line = item_with(text, "Local services overall were graded 3 (good) for safeguarding")
    assert line.startswith("- **Safeguarding: 3 (good).**")
    [number] = NOTE_REF.findall(line)
    assert note_texts(text)[int(number)].startswith("Joint area review 2008 (jar2008), Grades:")


def test_the_safeguarding_review_follows_the_theme_from_2000_to_2020(review: Briefing) -> None:
    """The ACPC at the 2000 and 2002 dates, the LSCB in 2008, the s175 duty in 2020; the 2002 LEA judgement, the
    2008 recommendations and their follow-up in date order."""
    text = markdown(review)
    chain = {year: text.split(f"### In {year}", 1)[1].split("\n## ", 1)[0].split("### In", 1)[0]
             for year in (2000, 2002, 2008, 2020)}  # fmt: skip
    assert "Area Child Protection Committee" in chain[2000] and "Area Child Protection Committee" in chain[2002]
    assert "The Local Safeguarding Children Board was a body named for safeguarding." in chain[2008]
    assert "The duty rested on Education Act 2002 s175." in chain[2020]
    judgements = text.split("## Inspection judgements", 1)[1].split("\n## ", 1)[0]
    assert judgements.index("Support for child protection: satisfactory") < judgements.index("Safeguarding: 3 (good)")
    recommendations = text.split("## Recommendations and what followed", 1)[1].split("\n## ", 1)[0]
    assert "Recommendation jar2008-r02" in recommendations and "Recommendation jar2008-r03" in recommendations
    assert "*Curators' assessment:* Recurring, according to the Education strategy 2020" in recommendations


def test_the_recommendation_briefing_gives_each_later_document_in_date_order(r23: Briefing) -> None:
    """Only mentioned in the 2008 review (praise of support for single pupils, the opposite of the refocus asked
    for), mentioned and recurring in the 2020 strategy: each the curators' assessment, cited, in date order."""
    follow = [s for s in r23.sentences() if s.mark == CURATORS_ASSESSMENT]
    assert [s.text.split(",")[0] for s in follow] == ["Mentioned", "Mentioned", "Recurring"]
    assert [r23.notes[s.note - 1].cites[0].doc for s in follow] == ["jar2008", "strategy2020", "strategy2020"]


def test_where_the_sources_disagree_both_claims_are_given_with_their_sources(rg: ReportGraph) -> None:
    """The council's unitary status: about 1997 by the LEA report (para 4), 1998 by the cohesion report (para 12)."""
    text = markdown(briefing("luton-borough-council", graph=rg))
    disputed = text.split("## Where the sources disagree", 1)[1].split("\n## ", 1)[0]
    topic = disputed.split("**Unitary authority date**", 1)[1].split("\n\n**", 1)[0]
    notes = note_texts(text)
    cited: dict[str, list[str]] = {}
    for value, number in re.findall(r"figure recorded: (\d{4})\.\[\^(\d+)\]", topic):
        cited.setdefault(value, []).append(notes[int(number)])
    assert any("LEA inspection 2002 (lea2002), para 4" in note for note in cited["1997"])
    assert any("Community cohesion 2002 (cohesion2002), para 12" in note for note in cited["1998"])


@pytest.mark.parametrize("name", ["lscb", "review", "lado", "r23"])
def test_every_note_of_a_markdown_briefing_resolves_to_a_reference(name: str, request: pytest.FixtureRequest) -> None:
    """Each [^n] in the text has its definition, numbered 1..N in reading order; each definition names documents
    that the reference list gives in full (title, publisher, date); nothing says None or shows an IRI."""
    doc: Briefing = request.getfixturevalue(name)
    text = markdown(doc)
    body, notes_part = text.split("\n## References\n", 1)
    used = [int(n) for n in NOTE_REF.findall(body)]
    defined = note_texts(notes_part)
    assert used == list(range(1, len(used) + 1)) and sorted(defined) == used
    references = notes_part.split("\n## Notes\n", 1)[0]
    listed = dict(re.findall(r"^- \*\*(\w+)\.\*\* (.*)$", references, re.M))
    for number, note in defined.items():
        docs = re.findall(r"\((\w+)\), ", note)
        assert docs and set(docs) <= set(listed), f"note {number} cites {docs}, not all in the references"
    for ident, entry in listed.items():
        document = next(r.document for r in doc.references if r.id == ident)
        assert document.title in entry.replace("\\", "") and document.publisher.split(";")[0] in entry
    assert "None" not in text and "http" not in text and "{" not in text


def test_the_html_briefing_is_self_contained_and_its_links_resolve(examples: dict[str, Path]) -> None:
    """Figures inline as data, every note link has its target and every reference link its document."""
    page = examples["safeguarding-review.html"].read_text(encoding="utf-8")
    assert 'src="data:image/svg+xml;base64,' in page and "http" not in page.replace("http://www.w3.org/", "")
    ids = set(re.findall(r'id="([^"]+)"', page))
    targets = set(re.findall(r'href="#([^"]+)"', page))
    notes = re.findall(r'<li id="note-(\d+)"', page)
    assert targets <= ids and notes == [str(n) for n in range(1, len(notes) + 1)] and len(notes) > 40


def test_the_word_briefing_has_real_footnotes_headings_and_the_reference_list(
    lado: Briefing, examples: dict[str, Path]
) -> None:
    """python-docx reopens the file; the footnotes part holds one footnote per note, every reference in the text
    points at one, headings use Word's Heading styles, and the reference list gives each document."""
    data = examples["lado-duty.docx"].read_bytes()
    document = docx.Document(io.BytesIO(data))
    [part] = [r.target_part for r in document.part.rels.values() if r.reltype == RT.FOOTNOTES]
    footnotes = etree.fromstring(part.blob)
    texts = {int(f.get(W + "id")): "".join(f.itertext()) for f in footnotes.iter(W + "footnote")}
    assert sorted(n for n in texts if n > 0) == [n.number for n in lado.notes]
    referenced = [int(r.get(W + "id")) for r in document.element.body.iter(W + "footnoteReference")]
    assert referenced == [n.number for n in lado.notes]
    for note in lado.notes:
        assert all(c.locator in texts[note.number] for c in note.cites)
    styles = [p.style.name for p in document.paragraphs]
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "Title" in styles and "Who was responsible, at each date" in headings and "References" in headings
    after = [p.text for p in document.paragraphs][[p.text for p in document.paragraphs].index("References") + 1 :]
    assert any(t.startswith("strategy2020. Luton Education Service (2020).") for t in after)
    assert any("Reference no. 821" in t for t in after)
    assert {"FootnoteText", "FootnoteReference"} <= {s.style_id for s in document.styles}
    assert "<w:footnotePr>" in zipfile.ZipFile(io.BytesIO(data)).read("word/settings.xml").decode()


def test_the_same_briefing_gives_the_same_bytes_in_every_format(lado: Briefing, examples: dict[str, Path]) -> None:
    """A briefing built apart from the examples gives identical Markdown, HTML and Word; the Word zip has fixed
    entry order and times."""
    assert markdown(lado, {id(f): f"lado-duty-{f.stem}.svg" for f in lado.figures()}).encode() == (
        examples["lado-duty.md"].read_bytes()
    )
    assert docx_bytes(lado) == examples["lado-duty.docx"].read_bytes()
    review = briefing(theme="safeguarding", graph=lado.graph)
    assert html(review).encode() == examples["safeguarding-review.html"].read_bytes()
    entries = zipfile.ZipFile(examples["lado-duty.docx"]).infolist()
    assert entries[0].filename == "[Content_Types].xml" and {e.date_time for e in entries} == {(1980, 1, 1, 0, 0, 0)}


def test_a_period_limits_the_dates(rg: ReportGraph) -> None:
    """--at 2008 gives the 2008 chain only; a year outside the sources' span is said to have nothing."""
    text = markdown(briefing("lscb", at=2008, graph=rg))
    assert "### In 2008" in text and "### In 2002" not in text and "### In 2020" not in text


def test_an_unknown_subject_gets_did_you_mean_and_exit_2(
    rg: ReportGraph, fresh_build: Path, capsys: pytest.CaptureFixture
) -> None:
    """A misspelt subject or theme: one error line suggesting the id, exit status 2, nothing written."""
    graph = ["--graph", str(fresh_build / "lutonkg.nq"), "--project", str(REPO_ROOT)]
    assert main(["report", "lscbb", "--out", "-", *graph]) == 2
    out, err = capsys.readouterr()
    assert not out and err.count("\n") == 1 and "did you mean body/luton-safeguarding-children-board" in err
    assert main(["report", "--theme", "safegarding", "--out", "-", *graph]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "did you mean safeguarding" in err
    with pytest.raises(ReportError, match="did you mean"):
        briefing("lscbb", graph=rg)


def test_the_command_prints_markdown_and_refuses_word_on_standard_output(fresh_build: Path, capsys) -> None:
    """`--out -` prints the Markdown briefing (no diagrams to link); a Word file cannot go there."""
    graph = ["--graph", str(fresh_build / "lutonkg.nq"), "--project", str(REPO_ROOT)]
    assert main(["report", "lado-manage-allegations", "--out", "-", *graph]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Briefing on the duty lado-manage-allegations\n") and "*Figure 1. Who was" in out
    assert main(["report", "lado-manage-allegations", "--format", "docx", "--out", "-", *graph]) == 2
    assert "cannot go to standard output" in capsys.readouterr().err


def test_markdown_is_written_with_its_diagrams_beside_it(examples: dict[str, Path]) -> None:
    """Every image a Markdown briefing links is an SVG written beside it."""
    text = examples["safeguarding-review.md"].read_text(encoding="utf-8")
    links = re.findall(r"!\[Figure \d+\]\(([^)]+)\)", text)
    assert links == [f"safeguarding-review-{s}.svg" for s in
                     ("responsibility-2002", "responsibility-2008", "responsibility-2020", "timeline")]  # fmt: skip
    assert all(examples[link].read_bytes().startswith(b"<?xml") for link in links)


def _regenerate_module():
    """docs/examples/regenerate.py as a module."""
    spec = importlib.util.spec_from_file_location("regenerate_examples", EXAMPLES / "regenerate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_examples_equal_a_fresh_generation(examples: dict[str, Path]) -> None:
    """docs/examples holds exactly what `PYTHONPATH=src python docs/examples/regenerate.py` writes now."""
    if not java_available():
        pytest.skip("the committed graph holds what HermiT infers; install Java to compare the examples")
    written = list(examples.values())
    for path in written:
        committed = EXAMPLES / path.name
        assert committed.is_file(), f"docs/examples/{path.name} is missing: run docs/examples/regenerate.py"
        assert committed.read_bytes() == path.read_bytes(), (
            f"docs/examples/{path.name} differs from a fresh generation: run docs/examples/regenerate.py"
        )
    generated = {p.name for p in written} | {"regenerate.py", "README.md"}
    assert {p.name for p in EXAMPLES.iterdir()} <= generated, "docs/examples holds files no example writes"
