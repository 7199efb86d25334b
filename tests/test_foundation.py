"""Issue 2: the graph holds the bodies of the five sources, their relationships over time, and their provenance."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from lutonkg.checks.reason import java_available
from lutonkg.data.sources import fold

ID = "https://w3id.org/lutonkg/id/"


def test_dallow_primary_is_a_chiltern_learning_trust_academy_in_the_south(ask):
    rows = ask(f"""SELECT ?trust ?hood ?loc WHERE {{
        <{ID}school/dallow-primary> a lkg:Academy ; lkg:inTrust ?t ; lkg:inNeighbourhood ?h ;
            prov:qualifiedDerivation [ lkg:locator ?loc ] .
        ?t rdfs:label ?trust . ?h rdfs:label ?hood }}""")
    assert {(r["trust"], r["loc"]) for r in rows} == {("Chiltern Learning Trust", "Appendix B: SOUTH")}
    assert "South" in rows[0]["hood"]


def test_cardinal_newman_is_an_associate_member_of_north_in_st_albans_academy_trust(ask):
    rows = ask(f"""SELECT ?associate ?trust ?role ?hood WHERE {{
        <{ID}school/cardinal-newman> lkg:associateMember ?associate ; lkg:inTrust/rdfs:label ?trust .
        ?m org:member <{ID}school/cardinal-newman> ; org:organization ?h ; org:role/rdfs:label ?role .
        ?h rdfs:label ?hood }}""")
    assert rows == [
        {"associate": "true", "trust": "St Albans Academy Trust", "role": "associate member", "hood": rows[0]["hood"]}
    ]
    assert "North" in rows[0]["hood"]


def test_barnfield_college_sponsors_the_two_academies_open_in_2008(ask):
    rows = ask(f"""SELECT ?academies ?doc ?loc WHERE {{
        ?rel a lkg:Relationship ; lkg:subject <{ID}body/barnfield-college> ;
             lkg:relationType <{ID}concept/relation/sponsors> ; lkg:object ?a ;
             prov:qualifiedDerivation [ prov:entity ?d ; lkg:locator ?loc ] .
        ?a rdfs:label ?academies . ?d dcterms:issued ?doc }}""")
    assert len(rows) == 1
    assert "two academies" in rows[0]["academies"]
    assert rows[0]["doc"] == "2008-04-22" and rows[0]["loc"] == "para 8"
    # The plural mention is one collective of two unnamed academies, not an academy node (issue 14): the graph's
    # academies are the ones Appendix B marks, and "the two academies" adds none to their count.
    kinds = ask(f"""SELECT ?t ?n WHERE {{ <{ID}body/barnfield-sponsored-academies> org:classification ?t ;
        lkg:membersStated ?n }}""")
    assert [(r["t"].rsplit("/", 1)[-1], r["n"]) for r in kinds] == [("collective", "2")]
    assert ask(f"SELECT ?x WHERE {{ <{ID}body/barnfield-sponsored-academies> a ?x . FILTER(?x = lkg:Academy) }}") == []


def test_lifelong_learning_directorate_is_attested_in_july_2002(ask):
    rows = ask(f"""SELECT ?issued WHERE {{ <{ID}body/lifelong-learning-directorate> lkg:attestedIn ?d .
                                          ?d dcterms:issued ?issued }}""")
    assert {r["issued"] for r in rows} == {"2002-07"}


def test_pct_boundaries_are_coterminous_with_the_borough(ask):
    rows = ask(f"""SELECT ?loc WHERE {{
        <{ID}body/luton-teaching-primary-care-trust> lkg:coterminousWith <{ID}body/luton-borough-council> .
        ?rel lkg:subject <{ID}body/luton-teaching-primary-care-trust> ;
             lkg:relationType <{ID}concept/relation/coterminous-with> ; prov:qualifiedDerivation/lkg:locator ?loc }}""")
    assert [r["loc"] for r in rows] == ["para 10"]


@pytest.mark.skipif(not java_available(), reason="needs Java for the OWL reasoner")
def test_reasoner_materialises_symmetric_and_class_inferences(ask):
    rows = ask(f"""SELECT ?g WHERE {{ GRAPH ?g {{
        <{ID}body/luton-borough-council> lkg:coterminousWith <{ID}body/luton-teaching-primary-care-trust> }} }}""")
    assert [r["g"] for r in rows] == [f"{ID}graph/inferred"]
    rows = ask(f"ASK {{ <{ID}school/dallow-primary> a org:Organization }}".replace("ASK", "SELECT (1 AS ?x) WHERE"))
    assert rows


def test_joint_commissioning_unit_established_january_2007(ask):
    rows = ask(f"SELECT ?from WHERE {{ <{ID}body/joint-commissioning-unit> lkg:validFrom ?from }}")
    assert [r["from"] for r in rows] == ["2007-01"]


def test_sources_disagree_on_when_luton_became_unitary(ask):
    rows = ask(f"""SELECT ?value ?doc ?loc WHERE {{
        ?c lkg:topic <{ID}concept/topic/unitary-authority-date> ; lkg:value ?value ;
           prov:qualifiedDerivation [ prov:entity ?d ; lkg:locator ?loc ] . ?d rdfs:label ?doc }}""")
    values = {r["value"] for r in rows}
    assert {"1997", "1998"} <= values
    assert all(r["loc"].startswith("para ") for r in rows)


def test_well_over_a_hundred_bodies_each_with_type_label_and_source(ask, data):
    rows = ask("""SELECT ?b WHERE { ?b org:classification ?type .
                  FILTER NOT EXISTS { ?b rdfs:label ?l ; prov:qualifiedDerivation/prov:entity ?d } }""")
    assert rows == []
    types = Counter(data.body_type(b) for b in data.bodies())
    assert sum(types.values()) > 300
    assert types["inspectorate"] >= 8 and types["school"] >= 70 and types["academy-trust"] == 5


def test_bodies_come_from_every_document(ask):
    rows = ask("""SELECT ?doc (COUNT(DISTINCT ?b) AS ?n) WHERE {
        ?b org:classification ?t ; lkg:attestedIn ?d . ?d rdfs:label ?doc } GROUP BY ?doc""")
    counts = {r["doc"]: int(r["n"]) for r in rows}
    assert len(counts) == 5 and min(counts.values()) >= 40, counts


def test_every_appendix_b_school_is_in_the_graph(data, sources):
    text = (sources / "2020_luton_education_strategy.txt").read_text(encoding="utf-8")
    table = fold(text[text.index("Appendix B - Neighbourhood") : text.index("Appendix C - Local Authority")])
    appendix = [s for s in data["schools"] if s.get("neighbourhood") or s.get("sites")]
    # 71 printed entries but 70 schools: Gill Blowers Nursery is printed twice (Leabank in NORTH, Mossdale in WEST) and
    # is one school with two sites (issue 14), so the count is 70, not 71.
    assert len(appendix) == 70
    assert sum(len(s.get("sites", [])) or 1 for s in appendix) == 71
    for school in appendix:
        rows = [c for c in school["sources"] if c["loc"].startswith("Appendix B")]
        assert rows and all(fold(c["anchor"]) in table for c in rows), school["id"]
    printed = len(
        re.findall(
            r"(Primary|Nursery|Infant|Junior|Academy|High|School|\(Sp\))\*{0,2}( \([A-Z]+\))?",
            text[text.index("Appendix B - Neighbourhood") : text.index("^{*}Denotes")],
        )
    )
    assert printed >= 65


def test_academy_trusts_hold_the_academies_the_table_marks(data):
    by_trust = Counter(s.get("trust") for s in data["schools"] if s.get("trust"))
    assert by_trust == {
        "chiltern-learning-trust": 5,
        "shared-learning-trust": 4,
        "pioneer-learning-trust": 3,
        "st-albans-academy-trust": 3,
        "tennyson-learning-community": 1,
    }


def test_successions_are_explicit_and_inferred_ones_are_flagged(ask):
    rows = ask(f"""SELECT ?inferred ?basis WHERE {{ ?e a org:ChangeEvent ;
        org:originalOrganization <{ID}body/area-child-protection-committee> ;
        org:resultingOrganization <{ID}body/luton-safeguarding-children-board> ;
        lkg:inferred ?inferred ; lkg:basis ?basis }}""")
    assert len(rows) == 1 and rows[0]["inferred"] == "true" and "2002" in rows[0]["basis"]


def test_any_relationship_can_be_traced_to_document_and_locator(ask):
    missing = ask("""SELECT ?r WHERE { ?r a lkg:Relationship .
                     MINUS { ?r prov:qualifiedDerivation ?c . ?c prov:entity ?d ; lkg:locator ?l } }""")
    assert missing == []
    rows = ask(f"""SELECT ?doc ?loc WHERE {{ ?r lkg:subject <{ID}body/lifelong-learning-directorate> ;
        lkg:relationType <{ID}concept/relation/part-of> ;
        prov:qualifiedDerivation [ prov:entity ?d ; lkg:locator ?loc ] .
        ?d rdfs:label ?doc }}""")
    assert rows and all(r["doc"] == "LEA inspection 2002" for r in rows)


def test_one_named_graph_per_source_document(fresh_build: Path):
    graphs = Counter(
        line.rsplit(" ", 2)[-2]
        for line in (fresh_build / "lutonkg.nq").read_text().splitlines()
        if line and not line.startswith("#")
    )
    for doc in ("lea2002", "cohesion2002", "ca2008", "jar2008", "strategy2020"):
        assert graphs[f"<{ID}graph/{doc}>"] > 1000, doc


def test_summaries_are_not_pasted_from_the_sources(data, sources):
    texts = " ".join(fold(p.read_text(encoding="utf-8")) for p in sources.glob("*.txt"))
    pasted = []
    for section in ("bodies", "relationships", "events", "duties", "recommendations"):
        for entry in data[section]:
            summary = fold(entry.get("summary", ""))
            if len(summary.split()) >= 12 and summary.rstrip(".") in texts:
                pasted.append(entry["id"])
    assert pasted == []
