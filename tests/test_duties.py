"""Issue 3: Appendix C duties as linked data, with legal bases, holders, dischargers and priorities."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

from lutonkg.data.sources import fold

ID = "https://w3id.org/lutonkg/id/"
EA1996 = "http://www.legislation.gov.uk/id/ukpga/1996/56"


def _appendix_c(sources: Path) -> str:
    text = (sources / "2020_luton_education_strategy.txt").read_text(encoding="utf-8")
    return text[text.index("Appendix C - Local Authority Statutory Duties") : text.index("Appendix D - Links")]


def test_duties_per_aspect_match_the_table(data):
    counts = Counter(d["aspect"] for d in data["duties"])
    assert len(counts) == 23
    assert counts["admissions"] == 10
    assert counts["curriculum-assessment"] == 19
    assert counts["send"] == 14
    assert sum(counts.values()) > 100


def test_admissions_duties_are_the_table_items(data, sources):
    """The admissions cell prints nine statements; the coordinated-scheme one holds two obligations: ten nodes."""
    text = _appendix_c(sources)
    cell = text[text.index("Admissions duties") : text.index("Curriculum and assessment")]
    statements = re.findall(r"(?:\bTo [a-z]|For each school year|As an admissions authority)", cell)
    assert len(statements) == 9
    assert "and to provide information to the Secretary of State" in cell
    admissions = [d for d in data["duties"] if d["aspect"] == "admissions"]
    assert len(admissions) == len(statements) + 1
    assert sum("admission-authority" in d["holders"] for d in admissions) >= 1
    dated = [d for d in admissions if str(d.get("implementation_date")) == "2017-02-14"]
    assert len(dated) == 2


def test_class_size_duty_cites_section_1_of_the_ssfa_1998(ask):
    rows = ask("""SELECT ?basis ?act WHERE { ?d lkg:aspect ?a ; rdfs:label ?l ; lkg:legalBasis ?basis .
        ?basis dcterms:isPartOf ?act .
        FILTER(CONTAINS(LCASE(?l), "class size") || CONTAINS(LCASE(?l), "30 pupils")) }""")
    assert rows == [
        {
            "basis": "http://www.legislation.gov.uk/id/ukpga/1998/31/section/1",
            "act": "http://www.legislation.gov.uk/id/ukpga/1998/31",
        }
    ]


def test_sacre_is_required_by_sections_390_391_of_the_education_act_1996(ask):
    rows = ask(f"""SELECT ?basis WHERE {{ ?d lkg:requiresBody <{ID}body/sacre> ; lkg:legalBasis ?basis }}""")
    assert {r["basis"] for r in rows} == {f"{EA1996}/section/390", f"{EA1996}/section/391"}


def test_pupil_referral_units_are_a_power_not_a_duty(ask):
    rows = ask("""SELECT ?kind WHERE { ?d rdfs:label ?l ; lkg:dutyKind/skos:prefLabel ?kind .
                  FILTER(CONTAINS(LCASE(?l), "pupil referral unit")) } """)
    kinds = Counter(r["kind"] for r in rows)
    assert kinds["power"] == 1


def test_every_education_act_1996_citation_resolves_to_ukpga_1996_56(ask, data):
    rows = ask("""SELECT DISTINCT ?basis WHERE { ?d a lkg:StatutoryDuty ; lkg:legalBasis ?basis .
                  ?basis dcterms:isPartOf*/rdfs:label "Education Act 1996" }""")
    assert rows and all(r["basis"].startswith(EA1996) for r in rows)
    cited = {
        s
        for d in data["duties"]
        for b in d.get("legal_bases", [])
        if b["ref"] == "education-act-1996"
        for s in b.get("sections", [])
    }
    assert {"390", "391", "19", "508B", "508A", "509AD", "436A", "437", "447", "13", "14", "543"} <= set(cited)


def test_no_duplicate_duty_survives_from_the_garbled_passages(data, sources):
    garbled = fold(_appendix_c(sources))
    assert garbled.count("to make provision for suitable home to school travel arrangements") >= 3
    home_to_school = [d for d in data["duties"] for b in d.get("legal_bases", []) if "508B" in b.get("sections", [])]
    assert len(home_to_school) == 1 and "repair" in home_to_school[0]
    religion = [d for d in data["duties"] for b in d.get("legal_bases", []) if "509AD" in b.get("sections", [])]
    assert len(religion) == 1
    ehc = [d for d in data["duties"] if d["aspect"] == "send" and "plan under review" in fold(d["summary"]) + " "]
    assert len({d["id"] for d in data["duties"]}) == len(data["duties"])
    assert len({fold(d["summary"]) for d in data["duties"]}) == len(data["duties"])
    assert len(ehc) <= 1


def test_a_group_citation_is_applied_to_each_duty_and_flagged(ask):
    rows = ask("""SELECT ?d WHERE { ?d lkg:aspect ?a ; lkg:citationAppliesToGroup true ;
        lkg:legalBasis <http://www.legislation.gov.uk/id/ukpga/2006/21/section/6> }""")
    assert len(rows) >= 3


def test_discharge_is_named_or_recorded_as_a_gap(ask):
    named = ask(f"""SELECT ?d WHERE {{ ?d lkg:dischargedBy <{ID}body/office-lado> }}""")
    assert len(named) == 1
    gaps = ask("SELECT ?d WHERE { ?d a lkg:StatutoryDuty ; lkg:noNamedDischarger true }")
    discharged = ask("SELECT DISTINCT ?d WHERE { ?d lkg:dischargedBy ?b }")
    total = ask("SELECT ?d WHERE { ?d a lkg:StatutoryDuty }")
    assert len(gaps) + len(discharged) == len(total) and len(gaps) > 0


def test_discharge_links_are_dated_and_sourced(ask):
    rows = ask(f"""SELECT ?doc ?loc WHERE {{ ?r a lkg:Responsibility ; lkg:body <{ID}body/luton-education-service> ;
        prov:qualifiedDerivation [ prov:entity ?d ; lkg:locator ?loc ] . ?d dcterms:issued ?doc }}""")
    assert rows and {r["doc"] for r in rows} == {"2020"}


def test_bodies_required_by_duties_are_linked(ask):
    rows = ask("SELECT DISTINCT ?b WHERE { ?d lkg:requiresBody ?b }")
    required = {r["b"].rsplit("/", 1)[-1] for r in rows}
    assert {
        "sacre",
        "schools-forum",
        "fair-access-protocol",
        "pru-management-committee",
        "send-advice-and-information-service",
        "temporary-governing-bodies",
    } <= required


def test_priorities_and_council_strategies(ask):
    rows = ask("""SELECT ?p (COUNT(DISTINCT ?o) AS ?n) WHERE { ?p a lkg:StrategicPriority ; lkg:objective ?o }
                  GROUP BY ?p""")
    assert len(rows) == 6 and all(int(r["n"]) >= 5 for r in rows)
    plan = ask("""SELECT ?from ?to ?p WHERE { ?s a lkg:CouncilStrategy ; rdfs:label "Local plan 2011-34" ;
                  lkg:validFrom ?from ; lkg:validTo ?to ; lkg:contributesTo ?p }""")
    assert {(r["from"], r["to"]) for r in plan} == {("2011", "2034")} and len(plan) == 5
    curated = ask(f"""SELECT ?d WHERE {{ GRAPH <{ID}graph/curation> {{ ?d lkg:servesPriority ?p }} }}""")
    assert len(curated) > 100


def test_duty_register_has_one_row_per_duty(fresh_build: Path, data):
    with open(fresh_build / "duty-register.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(data["duties"])
    sacre = next(r for r in rows if r["duty_id"] == "re-establish-sacre")
    assert sacre["legal_basis"] == "Education Act 1996 s390, s391"
    assert sacre["legal_basis_iris"] == f"{EA1996}/section/390 {EA1996}/section/391"
    assert sacre["locator"].startswith("strategy2020 Appendix C")
