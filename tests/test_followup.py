"""Follow-up of recommendations (issue 14): status tests, rationales checked against the passages, the later-inspection
rule and the other checks the build runs, where recommendations come from, and comparable claims over time."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from project_paths import DATA_DIR
from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from lutonkg.analysis.timespan import recommendation_years
from lutonkg.checks.citations import source_texts
from lutonkg.checks.validate import shacl_problems
from lutonkg.data.followup import QUOTE, inspection_span, passage, review_rows
from lutonkg.data.load import Data, DataError, load_data
from lutonkg.data.sources import fold

ID = "https://w3id.org/lutonkg/id/"
LKG = Namespace("https://w3id.org/lutonkg/def/")
ORG = Namespace("http://www.w3.org/ns/org#")
STATUSES = {"addressed", "partly-addressed", "still-open", "recurring", "mentioned"}


def lutonkg(*args: object) -> subprocess.CompletedProcess:
    """Run the command line in a fresh interpreter."""
    command = [sys.executable, "-m", "lutonkg.cli", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)


def data_with(tmp_path: Path, file: str, append: str) -> Path:
    """A copy of graph/data with text appended to one file."""
    folder = tmp_path / "data"
    shutil.copytree(DATA_DIR, folder)
    with open(folder / file, "a", encoding="utf-8") as fh:
        fh.write(append)
    return folder


def link(data: Data, link_id: str) -> dict:
    """One follow-up link by id."""
    return data.by_id("evidence")[link_id]


@pytest.fixture(scope="module")
def texts(sources: Path):
    """The source texts, indexed."""
    return source_texts(load_data(DATA_DIR), sources)[0]


# ---------------------------------------------------------------- statuses, their tests and the rationales


def test_every_status_states_the_test_a_passage_must_meet(data: Data):
    concepts = {c["id"]: c for c in data.schemes["follow-up-status"]["concepts"]}
    assert set(concepts) == STATUSES
    for concept in concepts.values():
        assert "passage" in concept["definition"] or "later document" in concept["definition"]
    assert "no outcome" in concepts["mentioned"]["definition"]
    assert {e["status"] for e in data["evidence"]} <= STATUSES


def test_every_rationale_quotes_words_of_the_passage_it_cites(data: Data, texts):
    for row in review_rows(data, texts):
        assert not row.missing_quotes, f"{row.link}: {row.missing_quotes} not in the cited passage"
    for entry in data["evidence"]:
        assert QUOTE.search(entry["rationale"]), entry["id"]


def test_corporate_parent_training_is_no_evidence_about_the_panels_data(data: Data, texts):
    # lea2002 para 176 asks that the children's panel get all relevant data; jar2008 para 40 is about training
    # councillors as corporate parents and says nothing of data
    para_40 = passage(texts, {"doc": "jar2008", "loc": "para 40", "anchor": "corporate parenting"})
    assert "trained to undertake their corporate parenting" in para_40 and "data" not in para_40
    r25 = [e for e in data["evidence"] if e["recommendation"] == "lea2002-r25"]
    assert link(data, "lea2002-r25-jar2008")["status"] == "mentioned"
    assert not any(s["loc"] == "para 40" for e in r25 if e["status"] != "mentioned" for s in e["sources"])
    cited = passage(texts, link(data, "lea2002-r25-jar2008")["sources"][0])
    assert "children's panel" in cited  # re-cited to the passage that names the panel (para 81)


def test_the_links_the_audit_found_are_fixed(data: Data, texts):
    # praise of support for individual pupils is the opposite of the refocus asked for
    assert link(data, "lea2002-r23-jar2008")["status"] == "mentioned"
    assert "individual pupils" in fold(passage(texts, {"doc": "lea2002", "loc": "para 166", "anchor": "refocus"}))
    # a tuition-hours figure says nothing about who is responsible: the link is gone
    assert "lea2002-r20-jar2008-2" not in data.by_id("evidence")
    # funding of behaviour support in 2020 is no recurrence of the refocus
    assert link(data, "lea2002-r23-strategy2020")["status"] == "mentioned"
    # r04 asked for Key Stage 3 evaluation procedures, not attainment: no link "again asks" for attainment
    r04 = [e for e in data["evidence"] if e["recommendation"] == "lea2002-r04"]
    assert {e["status"] for e in r04} == {"mentioned"}
    assert not any(s["doc"] == "jar2008" for e in r04 for s in e["sources"])
    # a passage silent on non-traded services cannot show them partly addressed
    assert link(data, "lea2002-r07-strategy2020")["status"] == "mentioned"


def test_a_mention_neither_keeps_a_recommendation_open_nor_closes_it():
    assert recommendation_years(2002, [(2008, "mentioned")]) == recommendation_years(2002, [])
    assert 2008 not in recommendation_years(2002, [(2008, "mentioned"), (2020, "recurring")])


# ---------------------------------------------------------------- the later-inspection rule


def test_the_cohesion_report_reports_the_spring_2002_inspection(data: Data, texts):
    para_1 = passage(texts, {"doc": "cohesion2002", "loc": "para 1", "anchor": "spring"})
    assert "following an inspection conducted in spring, 2002" in para_1
    docs = data.by_id("documents")
    assert docs["cohesion2002"]["reports"] == docs["lea2002"]["reports"] == ["lea-inspection-2002"]
    assert "community-cohesion-inspection-2002" not in data.by_id("inspections")


def test_no_link_cites_a_report_of_the_recommendations_own_inspection(data: Data):
    recs, docs = data.by_id("recommendations"), data.by_id("documents")
    for entry in data["evidence"]:
        made_by = recs[entry["recommendation"]]["inspection"]
        end = inspection_span(data, made_by)[1]
        for src in entry["sources"]:
            assert made_by not in docs[src["doc"]]["reports"], entry["id"]
            assert str(docs[src["doc"]]["date"]) > end, entry["id"]


def test_a_cohesion_follow_up_of_an_lea_recommendation_is_rejected_in_one_line(tmp_path: Path):
    folder = data_with(
        tmp_path,
        "evidence.yaml",
        """- id: lea2002-r22-cohesion2002
  recommendation: lea2002-r22
  status: still-open
  summary: The cohesion report found the 2000 behaviour guidance still in need of updating.
  rationale: '"is in need of updating": the guidance was not yet updated.'
  sources:
  - {doc: cohesion2002, loc: para 58, anchor: is in need of updating}
""",
    )
    result = lutonkg("build", "--data", folder, "--out", tmp_path / "out")
    assert result.returncode == 1 and not (tmp_path / "out").exists()
    [line] = result.stderr.strip().splitlines()
    assert re.search(r"evidence\.yaml:\d+: evidence entry 'lea2002-r22-cohesion2002': cites cohesion2002", line)
    assert "same inspection (lea-inspection-2002)" in line


def test_a_follow_up_from_a_contemporaneous_inspection_is_rejected(tmp_path: Path):
    # the corporate assessment's fieldwork (December 2007) came before the joint area review's report
    folder = data_with(
        tmp_path,
        "evidence.yaml",
        """- id: jar2008-r05-ca2008
  recommendation: jar2008-r05
  status: still-open
  summary: Attainment at 14 to 16 remained below national.
  rationale: '"educational attainment remains significantly below the national average": still below.'
  sources:
  - {doc: ca2008, loc: para 95, anchor: educational attainment remains significantly below the national average}
""",
    )
    with pytest.raises(DataError, match=r"jar2008-r05-ca2008.*not later than the inspection"):
        load_data(folder)


def test_an_addressed_link_that_says_the_passage_is_silent_is_rejected(tmp_path: Path):
    folder = data_with(
        tmp_path,
        "evidence.yaml",
        """- id: lea2002-r05-jar2008
  recommendation: lea2002-r05
  status: partly-addressed
  summary: Gifted and talented pupils benefit from two AS courses; the review does not mention primary provision.
  rationale: '"Gifted and talented pupils benefit from the provision of two suitable AS courses": some provision.'
  sources:
  - {doc: jar2008, loc: para 68, anchor: Gifted and talented pupils benefit from the provision}
""",
    )
    with pytest.raises(DataError, match=r"evidence entry 'lea2002-r05-jar2008': status 'partly-addressed' but its "
                                        r"summary says the passage is silent"):  # fmt: skip
        load_data(folder)


def test_a_rationale_without_a_quotation_is_rejected(tmp_path: Path):
    folder = data_with(
        tmp_path,
        "evidence.yaml",
        """- id: lea2002-r05-jar2008
  recommendation: lea2002-r05
  status: mentioned
  summary: Gifted and talented pupils benefit from two AS courses.
  rationale: The passage is about secondary provision.
  sources:
  - {doc: jar2008, loc: para 68, anchor: Gifted and talented pupils benefit from the provision}
""",
    )
    with pytest.raises(DataError, match="must quote"):
        load_data(folder)


def test_the_built_graph_is_checked_again_for_same_inspection_follow_up(store):
    check = (Path(__file__).parents[1] / "ontology/checks/follow-up-not-later-violation.rq").read_text(encoding="utf-8")
    assert list(store.query(check)) == []
    store_copy_rows = store.query(
        "PREFIX lkg: <https://w3id.org/lutonkg/def/> SELECT ?doc WHERE { ?doc lkg:reportsInspection "
        f"<{ID}inspection/lea-inspection-2002> }} ORDER BY ?doc"
    )
    assert [r["doc"].value.rsplit("/", 1)[-1] for r in store_copy_rows] == ["cohesion2002", "lea2002"]


def test_same_inspection_restatements_are_kept_apart_from_follow_up(data: Data, ask):
    recs = data.by_id("recommendations")
    restated = sorted(r["id"] for r in recs.values() if r.get("reiterated_in"))
    assert restated == [f"lea2002-r{n}" for n in (17, 18, 19, 22, 23, 24)]
    rows = ask(f"SELECT ?rec WHERE {{ ?rec lkg:reiteratedIn <{ID}document/cohesion2002> }}")
    assert len(rows) == 6
    assert not ask(f"SELECT ?e WHERE {{ ?e lkg:evidenceFor ?r ; prov:qualifiedDerivation/prov:entity "
                   f"<{ID}document/cohesion2002> . ?r lkg:madeIn <{ID}document/lea2002> }}")  # fmt: skip


# ---------------------------------------------------------------- where a recommendation came from


def test_the_2007_apa_recommendations_are_made_by_the_apa_and_stated_in_the_review(ask, texts):
    para_24 = passage(texts, {"doc": "jar2008", "loc": "para 24", "anchor": "APA"})
    assert "implement the 2007 apa recommendation" in para_24
    rows = ask(f"""SELECT ?rec ?inspection ?doc WHERE {{ VALUES ?rec {{ <{ID}recommendation/jar2008-r07>
        <{ID}recommendation/jar2008-r08> }} ?rec lkg:inspection ?inspection ; lkg:madeIn ?doc }}""")
    assert {(r["inspection"], r["doc"]) for r in rows} == {
        (f"{ID}inspection/annual-performance-assessment-2007", f"{ID}document/jar2008")
    }
    assert len(rows) == 2


def test_counts_per_inspection_and_per_document_both_hold(ask, data: Data, sources: Path):
    text = (sources / "2008-04_joint_area_review_luton.txt").read_text(encoding="utf-8")
    section = text.split("# Recommendations", 1)[1].split("## Equality and diversity", 1)[0]
    review_bullets = len(re.findall(r"^- ", section, flags=re.MULTILINE))
    by_inspection = {r["i"].rsplit("/", 1)[-1]: int(r["n"]) for r in ask(
        "SELECT ?i (COUNT(?r) AS ?n) WHERE { ?r a lkg:Recommendation ; lkg:inspection ?i } GROUP BY ?i")}  # fmt: skip
    by_document = {r["d"].rsplit("/", 1)[-1]: int(r["n"]) for r in ask(
        "SELECT ?d (COUNT(?r) AS ?n) WHERE { ?r a lkg:Recommendation ; lkg:madeIn ?d } GROUP BY ?d")}  # fmt: skip
    assert by_inspection["joint-area-review-2008"] == review_bullets == 6
    assert by_inspection["annual-performance-assessment-2007"] == 2
    assert by_document["jar2008"] == sum(1 for r in data["recommendations"] if r["doc"] == "jar2008")
    assert by_inspection["lea-inspection-2002"] == by_document["lea2002"] + by_document["cohesion2002"]


def test_shacl_requires_the_inspection_of_a_recommendation():
    g = Graph()
    rec, doc, cite = URIRef(f"{ID}recommendation/x"), URIRef(f"{ID}document/d"), URIRef(f"{ID}citation/x-s1")
    concept, body = URIRef(f"{ID}concept/theme/t"), URIRef(f"{ID}body/b")
    triples = [
        (rec, RDF.type, LKG.Recommendation),
        (rec, RDFS.label, Literal("x")),
        (rec, LKG.madeIn, doc),
        (rec, PROV.qualifiedDerivation, cite),
        (cite, RDF.type, LKG.Citation),
        (cite, PROV.entity, doc),
        (doc, RDF.type, LKG.SourceDocument),
        (rec, LKG.addressedTo, body),
        (body, RDF.type, ORG.Organization),
        (rec, DCTERMS.subject, concept),
        (rec, LKG.priorityLevel, concept),
        (concept, RDF.type, SKOS.Concept),
    ]
    for triple in triples:
        g.add(triple)
    messages = {p.message for p in shacl_problems(g) if p.focus == str(rec)}
    assert any("names the one inspection that made it" in m for m in messages)


# ---------------------------------------------------------------- recommendations and the judgements they answer


def test_2002_recommendations_answer_the_function_judged_in_their_section(data: Data, texts):
    judgements = data.by_id("judgements")
    for rec in data["recommendations"]:
        for answer in rec.get("answers", []):
            assert judgements[answer["judgement"]]["inspection"] == rec["inspection"]
    behaviour = data.by_id("recommendations")["lea2002-r22"]["answers"][0]
    assert judgements[behaviour["judgement"]]["function"] == "behaviour-support"
    assert "in order to improve support for behaviour" in passage(texts, behaviour["sources"][0])
    waits = data.by_id("recommendations")["jar2008-r04"]["answers"][0]
    assert waits["inferred"] and "wording" in waits["basis"]


# ---------------------------------------------------------------- facts compared across dates


def test_schools_in_categories_of_concern_2002_and_2008_share_one_topic(data: Data, texts):
    claims = [c for c in data["claims"] if c["topic"] == "schools-in-ofsted-categories-of-concern"]
    by_doc = {s["doc"]: c for c in claims for s in c["sources"]}
    assert {"lea2002", "jar2008", "ca2008"} <= set(by_doc)
    # 2002: two schools in special measures (para 53) and two with serious weaknesses (para 54)
    assert "currently two schools that have been identified as requiring special measures" in passage(
        texts, {"doc": "lea2002", "loc": "para 53", "anchor": "special measures"})  # fmt: skip
    assert by_doc["lea2002"]["value"] == "4"
    assert "there are now no schools in these formal categories" in passage(texts, by_doc["jar2008"]["sources"][0])
    assert by_doc["jar2008"]["value"] == by_doc["ca2008"]["value"] == "0"
    assert not any("there are now no schools" in e["summary"] for e in data["evidence"] if e["status"] != "mentioned")


def test_political_composition_2002_and_2008_is_a_change_not_a_disagreement(q_rows, data: Data):
    topic = [c for c in data["claims"] if c["topic"] == "council-political-composition"]
    assert {str(c["as_of"])[:4] for c in topic} == {"2002", "2008"}
    changes = q_rows("claim-changes", topic="council-political-composition")
    assert {r["value"] for r in changes} == {str(c["value"]) for c in topic}
    assert q_rows("source-disagreements", topic="council-political-composition") == []
    categories = q_rows("claim-changes", topic="schools-in-ofsted-categories-of-concern")
    assert [r["value"] for r in sorted(categories, key=lambda r: r["asOf"])][0] == "4"
    assert q_rows("source-disagreements", topic="unitary-authority-date")  # one event, two years: a disagreement


@pytest.fixture(scope="module")
def q_rows(store):
    """Run a library query with parameters on pyoxigraph."""
    from lutonkg.query import OxigraphEngine, run
    from lutonkg.query.library import library

    engine, queries = OxigraphEngine(store), library()
    return lambda name, **params: run(queries[name], params, engine)
