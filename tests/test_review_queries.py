"""The library queries reviewers asked for (issue 14): schools by neighbourhood, Acts cited, strengths and weaknesses,
recommendations per inspection and document, the score rule, recommendation-judgement pairings, changes over time,
inferred relationships; each checked against the sources and on both engines."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from lutonkg.data.load import Data
from lutonkg.query import OxigraphEngine, RdflibEngine, run
from lutonkg.query.library import library

ID = "https://w3id.org/lutonkg/id/"
DOC = ID + "document/"
LIBRARY = library()
NEW = ["acts-cited", "claim-changes", "recommendation-judgements", "recommendations-by-inspection",
       "schools-by-neighbourhood", "score-combination-check", "strengths-and-weaknesses"]  # fmt: skip
VARIANTS = [
    ("schools-by-neighbourhood", {"neighbourhood": "neighbourhood-north"}),
    ("strengths-and-weaknesses", {"inspection": "joint-area-review-2008"}),
    ("recommendations-by-inspection", {"inspection": "annual-performance-assessment-2007", "document": "jar2008"}),
    ("recommendation-judgements", {"inspection": "joint-area-review-2008"}),
    ("claim-changes", {"topic": "schools-in-ofsted-categories-of-concern"}),
    ("relationship-sources", {"relation": "accountable-to"}),
]


@pytest.fixture(scope="module")
def engine(store: ox.Store) -> OxigraphEngine:
    """The fresh build on pyoxigraph."""
    return OxigraphEngine(store)


@pytest.fixture(scope="module")
def q(engine: OxigraphEngine):
    """Run a library query with parameters on pyoxigraph."""
    return lambda name, **params: run(LIBRARY[name], params, engine)


@pytest.fixture(scope="module")
def appendix_b(sources: Path) -> str:
    """Appendix B of the 2020 strategy: the neighbourhood partnerships' schools."""
    text = (sources / "2020_luton_education_strategy.txt").read_text(encoding="utf-8")
    return text.split("Appendix B - Neighbourhood Partnerships", 2)[-1].split("Appendix C", 1)[0]


def test_each_new_query_is_documented_and_scoped_to_an_authority():
    for name in NEW:
        spec = LIBRARY[name]
        assert spec.title.endswith("?") and spec.row
        assert spec.param("authority") is not None, f"{name} lists across the graph: it takes `authority`"
        assert "?doc" in spec.text and "?locator" in spec.text, f"{name} gives the citation of each row"


@pytest.mark.parametrize(("name", "params"), VARIANTS, ids=[v[0] for v in VARIANTS])
def test_same_rows_on_both_engines_with_parameters(name, params, engine, rdflib_engine: RdflibEngine):
    rows = run(LIBRARY[name], params, engine)
    assert rows
    assert run(LIBRARY[name], params, rdflib_engine) == rows


def test_academies_with_and_without_a_trust_by_neighbourhood(q, appendix_b: str):
    rows = q("schools-by-neighbourhood")
    # Appendix B marks academies with * and their trust in brackets: "Whipperley Infant Academy*" has none
    assert "Whipperley Infant Academy*\t" in appendix_b and "River Bank Primary* " in appendix_b
    no_trust = {r["schoolLabel"] for r in rows if r["status"] == "academy" and r["trustLabel"] == "(no trust)"}
    assert any(s.startswith("Whipperley Infant") for s in no_trust)
    assert any(s.startswith("River Bank Primary") for s in no_trust)
    assert "Dallow Primary* (CLT)" in appendix_b
    dallow = next(r for r in rows if r["schoolLabel"].startswith("Dallow Primary"))
    assert (dallow["neighbourhoodLabel"].startswith("South"), dallow["status"], dallow["trustLabel"]) == (
        True, "academy", "Chiltern Learning Trust")  # fmt: skip
    assert (dallow["doc"], dallow["locator"]) == (DOC + "strategy2020", "Appendix B: SOUTH")
    beech = next(r for r in rows if r["schoolLabel"].startswith("Beech Hill"))
    assert (beech["phase"], beech["status"], beech["trustLabel"]) == ("primary", "not an academy", "")
    north = q("schools-by-neighbourhood", neighbourhood="neighbourhood-north")
    assert north and {r["neighbourhoodLabel"] for r in north} == {next(iter({r["neighbourhoodLabel"] for r in north}))}
    assert any(r["schoolLabel"].startswith("Icknield High") and r["associate"] for r in north)


def test_acts_cited_count_the_duties_resting_on_each(q, data: Data):
    rows = q("acts-cited")
    act_1996 = [r for r in rows if r["actLabel"] == "Education Act 1996"]
    expected = {d["id"] for d in data["duties"] for b in d.get("legal_bases", []) if b["ref"] == "education-act-1996"}
    assert {r["duties"] for r in act_1996} == {len(expected)}
    assert sum(r["dutiesHere"] for r in act_1996) >= len(expected)
    assert all(r["doc"] == DOC + "strategy2020" and r["locator"].startswith("Appendix C") for r in rows)
    assert rows == sorted(rows, key=lambda r: -r["duties"])


def test_strengths_and_weaknesses_per_area_and_a_plain_filter_on_kind(q, engine, data: Data):
    rows = q("strengths-and-weaknesses", inspection="joint-area-review-2008")
    safeguarding = [r for r in rows if r["area"].lower().startswith("safeguarding")]
    in_data = [j for j in data["judgements"] if j["inspection"] == "joint-area-review-2008"
               and j["function"] == "safeguarding" and j["kind"] in ("strength", "weakness")]  # fmt: skip
    assert {(r["strengths"], r["weaknesses"]) for r in safeguarding} == {
        (sum(j["kind"] == "strength" for j in in_data), sum(j["kind"] == "weakness" for j in in_data))
    }
    assert {r["locator"] for r in safeguarding} == {"para 16"}
    # labels are plain strings: a FILTER on the plain text finds the weaknesses
    plain = run(
        "SELECT ?j WHERE { ?j <https://w3id.org/lutonkg/def/judgementKind>/"
        '<http://www.w3.org/2000/01/rdf-schema#label> ?kind FILTER(?kind = "weakness") }',
        None,
        engine,
    )
    assert len(plain) == sum(j["kind"] == "weakness" for j in data["judgements"])


def test_recommendations_per_inspection_document_and_priority(q, sources: Path):
    rows = q("recommendations-by-inspection")
    jar = [r for r in rows if r["document"] == DOC + "jar2008"]
    assert {r["inDocument"] for r in jar} == {len(jar)}
    by_inspection = {r["inspectionLabel"]: r["byInspection"] for r in rows}
    apa = next(label for label in by_inspection if "Annual Performance Assessment" in label)
    assert by_inspection[apa] == 2
    # the LEA report's appendix lists its fundamental recommendations first, then "The following are also essential"
    text = (sources / "2002-07_ofsted_inspection_of_luton_lea.txt").read_text(encoding="utf-8")
    appendix = text.split("Appendix: Recommendations", 1)[1]
    fundamental_bullets = len(re.findall(r"^- ", appendix.split("The following are also essential", 1)[0], re.M))
    fundamental = [r for r in rows if r["priority"] == "fundamental"]
    assert {r["atPriority"] for r in fundamental} == {len(fundamental)} == {fundamental_bullets}
    assert all(r["doc"] and r["locator"] for r in rows)


def test_the_overall_score_follows_the_cpa_rule(q, sources: Path):
    text = (sources / "2008-03_audit_commission_corporate_assessment_luton.txt").read_text(encoding="utf-8")
    table = text.split("Summary of assessment scores\n", 2)[-1].split("*Key to scores", 1)[0]
    themes = [
        int(n)
        for n in re.findall(r"(?:Ambition|Prioritisation|Capacity|Performance management|Achievement)\t(\d)", table)
    ]
    overall = int(re.search(r"Overall corporate assessment score\*\*\t+(\d)", table).group(1))
    assert len(themes) == 5
    [row] = q("score-combination-check")
    assert (row["stated"], row["themes"], row["lowest"]) == (overall, 5, min(themes))
    assert row["at3"] == sum(n >= 3 for n in themes) and row["computed"] == overall and row["agrees"] is True


def test_recommendations_and_the_judgements_they_answer(q):
    rows = q("recommendation-judgements")
    behaviour = [r for r in rows if r["id"] in ("lea2002-r22", "lea2002-r23", "lea2002-r24")]
    assert {(r["grade"], r["locator"], r["inferred"]) for r in behaviour} == {("unsatisfactory", "para 166", False)}
    waits = [r for r in rows if r["id"] == "jar2008-r04"]
    assert waits and all(r["inferred"] and r["basis"] and r["kind"] == "weakness" for r in waits)
    assert {r["locator"] for r in waits} == {"Recommendations: For action over the next six months", "para 45"}


def test_relationship_sources_say_whether_a_link_is_inferred(q, data: Data):
    rows = q("relationship-sources")
    inferred = {e["id"] for e in data["relationships"] if e.get("inferred")}
    flagged = {r["relationship"].rsplit("/", 1)[-1] for r in rows if r["inferred"]}
    assert flagged == inferred
    assert all(r["basis"] for r in rows if r["inferred"])


def test_changes_and_disagreements_are_told_apart(q):
    changes = {r["topicLabel"] for r in q("claim-changes")}
    disputes = {r["topicLabel"] for r in q("source-disagreements")}
    assert "schools in ofsted categories of concern" in changes - disputes
    assert "council political composition" in changes - disputes
    assert "unitary authority date" in disputes - changes
