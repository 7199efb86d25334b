"""The competency-question library: each query's answer checked against the sources and the curated data. That every
query gives the same rows on pyoxigraph, rdflib and Jena ARQ is tests/test_engine_conformance.py."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest

from lutonkg.data.load import Data
from lutonkg.query import OxigraphEngine, run
from lutonkg.query.library import library
from lutonkg.query.params import KINDS

ID = "https://w3id.org/lutonkg/id/"
DOC = ID + "document/"
CURATION = ID + "graph/curation"
LIBRARY = library()

# optional parameters worth checking on every engine (test_engine_conformance.py), beyond defaults and examples
VARIANTS = [
    ("safeguarding-bodies", {"year": "2008"}),
    ("relationship-sources", {"body": "area-child-protection-committee", "relation": "member-of"}),
    ("document-facts", {"document": "lea2002", "kind": "judgement"}),
    ("trust-schools", {"trust": "Chiltern Learning Trust"}),
    ("reorganisations", {"kind": "succession"}),
    ("bodies-attested-in-year", {"year": "2002", "type": "directorate"}),
    ("board-members-at-date", {"board": "children-and-young-peoples-strategic-board", "date": "2008-04"}),
    ("source-disagreements", {"topic": "unitary-authority-date"}),
    ("judgement-changes", {"earlier": "lea-inspection-2002", "later": "lea-inspection-2000"}),
    ("open-recommendations", {"doc": "cohesion2002"}),
    ("safeguarding-bodies", {"year": "2020", "authority": "luton-borough-council"}),
    ("source-disagreements", {"authority": "Luton Borough Council"}),
    ("duties-citing-act", {"act": "ukpga/1996/56", "authority": "luton-borough-council"}),
]


@pytest.fixture(scope="module")
def engine(store: ox.Store) -> OxigraphEngine:
    """The fresh build on pyoxigraph."""
    return OxigraphEngine(store)


@pytest.fixture(scope="module")
def q(engine: OxigraphEngine):
    """Run a library query with parameters on pyoxigraph."""
    return lambda name, **params: run(LIBRARY[name], params, engine)


def docs_and_locators(rows: list[dict]) -> set[tuple[str, str]]:
    """The (document id, locator) pairs of result rows."""
    return {(r["doc"].removeprefix(DOC), r["locator"]) for r in rows}


def test_every_query_documents_question_parameters_and_rows():
    assert len(LIBRARY) >= 15
    for name, spec in LIBRARY.items():
        assert spec.title.endswith(("?", ".")), f"{name}: the first comment line states the question"
        assert spec.row, f"{name}: a `# row:` line says what a row means"
        assert "SELECT" in spec.text
        for param in spec.params:
            assert param.kind in KINDS, f"{name}: parameter {param.name} has unknown kind {param.kind}"
            assert param.description, f"{name}: parameter {param.name} is undescribed"
            assert not param.required or param.example, f"{name}: required {param.name} needs an example"
            assert f"?{param.name}" in spec.text, f"{name}: parameter {param.name} is not used"


def test_safeguarding_bodies_by_year(q):
    rows = {year: q("safeguarding-bodies", year=year) for year in ("2002", "2008", "2020")}
    assert all(r["docYear"] == year for year, rs in rows.items() for r in rs)
    in_2002 = {(r["bodyLabel"], r["basis"], r["locator"]) for r in rows["2002"]}
    # LEA report para 169: the lifelong learning directorate is represented on the ACPC
    assert ("Lifelong Learning Directorate", "member of Area Child Protection Committee", "para 169") in in_2002
    assert {"Area Child Protection Committee", "Social services directorate"} <= {r[0] for r in in_2002}
    assert "Local Safeguarding Children Board" not in {r[0] for r in in_2002}
    in_2008 = {(r["bodyLabel"], r["basis"], r["doc"].removeprefix(DOC), r["locator"]) for r in rows["2008"]}
    assert (
        "Local Safeguarding Children Board",
        "name or summary: safeguarding or child protection",
        "jar2008",
        "para 14",
    ) in in_2008
    # the JAR's grades table grades the children's services authority on safeguarding
    assert any(
        b.startswith("Luton Children's Services") and basis == "judged on safeguarding" and loc == "Grades"
        for b, basis, _, loc in in_2008
    )
    in_2020 = {(r["body"].removeprefix(ID + "body/"), r["basis"], r["locator"]) for r in rows["2020"]}
    assert ("luton-borough-council", "holds the safeguarding duty", "Appendix C: Safeguarding") in in_2020


def test_duty_legal_basis_of_infant_class_sizes(q):
    rows = q("duty-legal-basis", duty="places-infant-class-size")
    by_what = defaultdict(list)
    for r in rows:
        by_what[r["what"]].append(r)
    [basis] = by_what["legal basis"]
    assert basis["value"] == "http://www.legislation.gov.uk/id/ukpga/1998/31/section/1"
    assert basis["section"] == "1" and basis["label"].startswith("School Standards and Framework Act 1998")
    assert (basis["doc"], basis["locator"]) == (DOC + "strategy2020", "Appendix C: School Place Planning")
    assert [r["label"] for r in by_what["held by"]] == ["Luton Borough Council"]
    assert [r["label"] for r in by_what["discharged by"]] == ["no body named"]


def test_duty_legal_basis_names_the_discharger(q, data: Data):
    duty = next(d for d in data["duties"] if d["discharged_by"])
    rows = q("duty-legal-basis", duty=duty["id"])
    dischargers = {r["value"].rsplit("/", 1)[-1] for r in rows if r["what"] == "discharged by"}
    assert dischargers == set(duty["discharged_by"])


def test_duties_citing_the_school_standards_act_by_aspect(q, data: Data):
    rows = q("duties-citing-act", act="ukpga/1998/31")
    expected = {
        d["id"]
        for d in data["duties"]
        for b in d.get("legal_bases", [])
        if b["ref"] == "school-standards-and-framework-act-1998"
    }
    assert {r["duty"].removeprefix(ID + "duty/") for r in rows} == expected
    assert any(
        r["duty"].endswith("/places-infant-class-size")
        and r["section"] == "1"
        and r["aspectLabel"] == "School Place Planning"
        for r in rows
    )
    per_aspect = defaultdict(set)
    for r in rows:
        per_aspect[r["aspectLabel"]].add(r["duty"].removeprefix(ID + "duty/"))
    by_data_aspect = defaultdict(set)
    for d in data["duties"]:
        if d["id"] in expected:
            by_data_aspect[d["aspect"]].add(d["id"])
    assert sorted(map(sorted, per_aspect.values())) == sorted(map(sorted, by_data_aspect.values()))
    assert [r["aspectLabel"] for r in rows] == sorted(r["aspectLabel"] for r in rows)


def test_act_given_by_title_or_iri_is_the_same(q):
    by_path = q("duties-citing-act", act="ukpga/1998/31")
    assert q("duties-citing-act", act="School Standards and Framework Act 1998") == by_path
    assert q("duties-citing-act", act="http://www.legislation.gov.uk/id/ukpga/1998/31") == by_path


def test_recommendations_to_the_lea(q, data: Data):
    rows = q("recommendations-to-body", body="luton-lea")
    expected = {r["id"] for r in data["recommendations"] if "luton-lea" in r["addressees"]}
    assert {r["id"] for r in rows} == expected
    # LEA report para 51: send chairs of governors the records of advisers' visits (an essential recommendation)
    assert {
        "issued": "2002-07",
        "doc": DOC + "lea2002",
        "priorityLabel": "essential",
        "id": "lea2002-r01",
        "locator": "para 51",
    }.items() <= next(r for r in rows if r["locator"] == "para 51").items()
    assert [r["issued"] for r in rows] == sorted(r["issued"] for r in rows)


def test_literacy_recommendations_with_what_became_of_them(q):
    rows = q("recommendations-on-theme", theme="literacy")
    assert {r["id"] for r in rows} == {"lea2002-r03"}
    assert {"para 59", "Appendix: Recommendations: fundamental"} >= {r["locator"] for r in rows}
    follow_up = {(r["status"], r["laterDoc"].removeprefix(DOC), r["assessedIn"]) for r in rows}
    # later passages give literacy results, not a judgement of literacy support: they only mention it (issue 14)
    assert ("mentioned", "strategy2020", CURATION) in follow_up
    assert ("mentioned", "ca2008", CURATION) in follow_up


def test_jar_grades_match_the_grades_table(q, sources: Path):
    rows = [r for r in q("inspection-grades") if r["kind"] == "grade" and r["locator"] == "Grades"]
    text = (sources / "2008-04_joint_area_review_luton.txt").read_text(encoding="utf-8")
    table = text.split("## Grades", 1)[1].split("##", 1)[0]
    stated = dict(re.findall(r"^\s*([A-Z][^\t\n]+?)\t(\d)\s*$", table, flags=re.MULTILINE))
    assert len(stated) == 5
    for area, grade in stated.items():
        [row] = [r for r in rows if area.lower() in r["area"].lower()]
        assert row["notation"] == grade and row["scale"] == "Joint area review grade scale"
    safeguarding = next(r for r in rows if r["area"] == "Safeguarding")
    assert (safeguarding["notation"], safeguarding["grade"], safeguarding["rank"]) == ("3", "good", 3)


def test_judgement_changes_2000_to_2002(q, data: Data):
    rows = q("judgement-changes")
    literacy = next(r for r in rows if r["functionLabel"] == "Support for literacy")
    # LEA report para 56: literacy support was unsatisfactory in 2000 and still unsatisfactory in 2002
    assert (literacy["earlierGrade"], literacy["laterGrade"], literacy["direction"]) == (
        "unsatisfactory",
        "unsatisfactory",
        "unchanged",
    )
    assert (literacy["earlierLocator"], literacy["laterLocator"]) == ("para 56", "para 56")
    ranks = {g["label"]: g["rank"] for s in data["scales"] for g in s["grades"] if s["id"] == "ofsted-lea-judgement"}
    for r in rows:
        change = ranks[r["laterGrade"]] - ranks[r["earlierGrade"]]
        assert r["direction"] == ("improved" if change > 0 else "declined" if change < 0 else "unchanged")
    assert len({r["function"] for r in rows}) == len(rows)


def test_trust_schools_and_neighbourhoods(q, data: Data):
    rows = q("trust-schools")
    dallow = next(r for r in rows if r["schoolLabel"] == "Dallow Primary")
    assert dallow["trustLabel"] == "Chiltern Learning Trust"
    assert dallow["neighbourhood"] == "South neighbourhood partnership"
    assert (dallow["doc"], dallow["locator"]) == (DOC + "strategy2020", "Appendix B: SOUTH")
    expected = {(s["id"], s["trust"]) for s in data["schools"] if s.get("trust")}
    assert {(r["school"].rsplit("/", 1)[-1], r["trust"].rsplit("/", 1)[-1]) for r in rows} == expected


def test_reorganisations_acpc_to_lscb_is_inferred(q):
    rows = q("reorganisations", kind="succession")
    assert {r["kindLabel"] for r in rows} == {"succession"}
    acpc = [r for r in rows if r["from"] == "Area Child Protection Committee"]
    assert acpc and all(r["to"] == "Local Safeguarding Children Board" and r["inferred"] is True for r in acpc)
    assert all("2002" in r["basis"] and "2008" in r["basis"] for r in acpc)
    assert {("lea2002", "para 169"), ("jar2008", "para 14")} <= docs_and_locators(acpc)


def test_every_relationship_is_listed_with_all_its_sources(q, data: Data):
    rows = q("relationship-sources")
    places = defaultdict(set)
    for r in rows:
        places[r["relationship"].removeprefix(ID + "relationship/")].add((r["doc"].removeprefix(DOC), r["locator"]))
    for rel in data["relationships"]:
        assert places[rel["id"]] >= {(s["doc"], str(s["loc"])) for s in rel["sources"]}, rel["id"]
    acpc = q("relationship-sources", body="area-child-protection-committee")
    assert any(
        r["subjectLabel"] == "Lifelong Learning Directorate"
        and r["relationLabel"] == "member of"
        and r["locator"] == "para 169"
        and "Area Child Protection Committee" in r["anchor"]
        for r in acpc
    )


def test_duties_without_discharger(q, data: Data):
    rows = q("duties-without-discharger")
    assert {r["id"] for r in rows} == {d["id"] for d in data["duties"] if not d["discharged_by"]}
    assert "places-infant-class-size" in {r["id"] for r in rows}
    assert all(r["doc"] == DOC + "strategy2020" and r["locator"].startswith("Appendix C") for r in rows)


def test_members_of_the_lscb_in_2008_and_not_in_2002(q):
    rows = q("board-members-at-date", board="luton-safeguarding-children-board", date="2008")
    members = {(r["memberLabel"], r["relationLabel"], r["locator"]) for r in rows}
    # JAR paras 81-82: the council and the voluntary sector sit on the LSCB
    assert ("Luton Borough Council", "member of", "para 81") in members
    assert ("voluntary and community sector", "member of", "para 82") in members
    assert all(r["issued"].startswith("2008") for r in rows if r["basis"].startswith("attested"))
    assert q("board-members-at-date", board="luton-safeguarding-children-board", date="2002") == []
    cypsb = q("board-members-at-date", board="Children and Young People's Strategic Board", date="2008-04")
    assert "Luton Borough Council" in {r["memberLabel"] for r in cypsb}


def test_jar_inspectorates_are_the_seven_on_its_cover(q, data: Data, sources: Path):
    rows = q("inspection-inspectorates")
    named = {r["inspectorate"].rsplit("/", 1)[-1] for r in rows}
    publishers = next(d["publishers"] for d in data["documents"] if d["id"] == "jar2008")
    assert named == set(publishers) and len(named) == 7
    cover = " ".join((sources / "2008-04_joint_area_review_luton.txt").read_text(encoding="utf-8")[:1500].split())
    title_page = [r for r in rows if r["locator"] == "Title page"]  # the cover's canonical locator (issue 14)
    assert {r["inspectorate"] for r in title_page} == {r["inspectorate"] for r in rows}
    assert all(r["anchor"].lower() in cover.lower() for r in title_page)


def test_every_inspection_lists_all_its_inspectorates(q, data: Data):
    for inspection in data["inspections"]:
        rows = q("inspection-inspectorates", inspection=inspection["id"])
        assert {r["inspectorate"].rsplit("/", 1)[-1] for r in rows} == set(inspection.get("inspectorates", []))


def test_strategies_linked_to_priorities(q, data: Data):
    rows = q("strategies-by-priority")
    expected = {(s["id"], link["priority"]) for s in data["strategies"] for link in s["contributes_to"]}
    assert {(r["strategy"].rsplit("/", 1)[-1], r["priority"].rsplit("/", 1)[-1]) for r in rows} == expected
    local_plan = next(
        r for r in rows if r["strategyLabel"] == "Local plan 2011-34" and r["priorityLabel"].startswith("SP1")
    )
    assert (local_plan["from"], local_plan["to"], local_plan["locator"]) == (
        "2011",
        "2034",
        "Appendix D: Local plan 2011-34",
    )


def test_sources_disagree_on_when_luton_became_unitary(q, data: Data):
    rows = q("source-disagreements", topic="unitary-authority-date")
    said = {(r["value"], r["doc"].removeprefix(DOC), r["locator"]) for r in rows}
    assert ("1997", "lea2002", "para 4") in said and ("1998", "cohesion2002", "para 12") in said
    values = defaultdict(set)  # a disagreement: one topic, one date (or none), two values; other dates are changes
    for claim in data["claims"]:
        if "value" in claim:
            values[(claim["topic"], str(claim.get("as_of", "")))].add(str(claim["value"]))
    disputed = {topic for (topic, _), v in values.items() if len(v) > 1}
    assert {r["topicLabel"] for r in q("source-disagreements")} == {t.replace("-", " ") for t in disputed}


def test_document_facts_in_paragraph_order(q):
    rows = q("document-facts", document="jar2008")
    paragraphs = [int(m.group(1)) for r in rows if (m := re.match(r"paras? (\d+)", r["locator"]))]
    assert paragraphs == sorted(paragraphs) and paragraphs[0] == 1
    grades = {r["fact"].rsplit("/", 1)[-1] for r in rows if r["locator"] == "Grades"}
    assert "jar2008-safeguarding-grade" in grades
    judgements = q("document-facts", document="jar2008", kind="judgement")
    assert judgements and {r["factKind"] for r in judgements} == {"judgement"}


def test_bodies_attested_in_2002_directorates(q):
    rows = q("bodies-attested-in-year", year="2002", type="directorate")
    assert ("Lifelong Learning Directorate", "lea2002") in {(r["bodyLabel"], r["doc"].removeprefix(DOC)) for r in rows}
    assert {r["doc"].removeprefix(DOC) for r in rows} <= {"lea2002", "cohesion2002"}
    assert all(r["places"] >= 1 for r in rows)


def test_aspect_duties_are_the_appendix_c_row(q, data: Data):
    rows = q("aspect-duties", aspect="admissions")
    assert {r["id"] for r in rows} == {d["id"] for d in data["duties"] if d["aspect"] == "admissions"}
    assert any(r["basis"] == "http://www.legislation.gov.uk/id/ukpga/1998/31/section/86" for r in rows)


def test_duty_priorities_come_from_the_curation_graph(q, data: Data):
    rows = q("duty-priorities")
    assert {r["graph"] for r in rows} == {CURATION}
    expected = {(d["id"], p) for d in data["duties"] for p in d.get("priorities", [])}
    found = {(r["id"], r["priorityLabel"].split()[0].lower()) for r in rows}
    assert found == expected


def test_open_recommendations(q, data: Data):
    rows = q("open-recommendations")
    assert "addressed" not in {r["status"] for r in rows}
    assessed = {e["recommendation"] for e in data["evidence"]}
    never = {r["id"] for r in data["recommendations"]} - assessed
    assert never <= {r["id"] for r in rows if r["status"] == "no later evidence"}


def test_acpc_timeline(q):
    rows = q("body-timeline", body="area-child-protection-committee")
    attested = {(r["when"], r["locator"]) for r in rows if r["what"] == "attested"}
    assert {("2002-07", "para 137"), ("2002-07", "para 169"), ("2002-07", "para 199")} <= attested
    assert any(
        r["what"] == "succession (inferred)" and r["detail"] == "became Local Safeguarding Children Board" for r in rows
    )
