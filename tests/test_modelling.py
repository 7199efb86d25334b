"""Issue 14 (part B): the graph models what the sources say the way the sources say it - Appendix C as printed and as
separate obligations, printed section ranges expanded, one node per real thing, disagreements left open, the relations
the sources state, canonical and checked locators, and the bodies the documents name in passing."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from project_paths import DATA_DIR

from lutonkg.analysis import network
from lutonkg.analysis.history import timeline
from lutonkg.checks.citations import source_texts
from lutonkg.data.load import Data, DataError, load_data
from lutonkg.data.sources import check_reference, fold
from lutonkg.query import OxigraphEngine, run
from lutonkg.query.library import library

ID = "https://w3id.org/lutonkg/id/"
LEG = "http://www.legislation.gov.uk/id/ukpga/"
STRATEGY = "2020_luton_education_strategy.txt"


def appendix(sources: Path, start: str, end: str) -> str:
    """The folded text of the strategy between two headings."""
    text = (sources / STRATEGY).read_text(encoding="utf-8")
    return fold(text[text.index(start) : text.index(end)])


@pytest.fixture(scope="module")
def q(store):
    """Run a library query with parameters on the fresh build."""
    engine = OxigraphEngine(store)
    return lambda name, **params: run(library()[name], params, engine)


def changed_copy(tmp_path: Path, name: str, old: str, new: str) -> Path:
    """A copy of graph/data with the first occurrence of an exact piece of text of one file replaced."""
    folder = tmp_path / "data"
    shutil.copytree(DATA_DIR, folder)
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


# ---------------------------------------------------------------- Appendix C as printed and as split


def test_s13a_is_a_legal_basis_of_the_high_standards_and_fair_access_duty(ask, sources: Path):
    row = appendix(sources, "School Place\t(S13-14", "The class size duty")
    assert "(s13-14 education act 1996)" in row and "promote high standards of education and fair access" in row
    rows = ask(f"""SELECT ?section ?range ?anchor WHERE {{
        <{ID}duty/places-high-standards-fair-access> lkg:qualifiedLegalBasis ?b ; lkg:legalBasis ?section .
        ?b lkg:printedRange ?range ; lkg:citesSection ?section ; lkg:printedWith ?item .
        ?item prov:qualifiedDerivation/lkg:anchor ?anchor }}""")
    sections = {r["section"].removeprefix(LEG) for r in rows}
    assert sections == {"1996/56/section/13", "1996/56/section/13A", "1996/56/section/14"}
    assert {r["range"] for r in rows} == {"S13-14"}
    assert all(fold(r["anchor"]) in row for r in rows)


def test_every_printed_range_is_listed_with_its_expansion(q):
    rows = q("printed-ranges")
    ranges = {(r["range"], r["number"]) for r in rows}
    assert {("S13-14", "13A"), ("s64-66", "65"), ("s390-391", "391"), ("ss 69-70", "70")} <= ranges
    assert ("S13-14", "14A") not in ranges  # s14A follows s14, outside the printed range


def test_a_printed_range_left_unexpanded_is_refused(tmp_path: Path):
    old = 'sections: ["13", "13A", "14"], applies_to_group: true, as_cited: "S13-14 Education Act 1996", printed_range'
    folder = changed_copy(tmp_path, "duties.yaml", old, old.replace('"13", "13A", "14"', '"13", "14"'))
    with pytest.raises(DataError, match=r"printed range 'S13-14' .* is not expanded: add section\(s\) 13A"):
        load_data(folder)


def test_a_range_cited_without_the_printed_range_flag_is_refused(tmp_path: Path):
    old = ', printed_range: "s64-66", printed_with: inspection-intervention-2}'
    folder = changed_copy(tmp_path, "duties.yaml", old, ", printed_with: inspection-intervention-2}")
    with pytest.raises(DataError, match="is cited as the range 's64-66 of the Education and Inspections Act 2006'"):
        load_data(folder)


def test_one_printed_line_sets_two_admissions_duties_and_one_duty_is_printed_twice(data: Data, sources: Path):
    table = appendix(sources, "Appendix C - Local Authority", "Appendix D - Links")
    duties = data.by_id("duties")
    items = data.by_id("printed_items")
    scheme, offer_day = duties["admissions-coordinated-scheme"], duties["admissions-national-offer-day"]
    assert scheme["printed_items"] == offer_day["printed_items"]
    line = fold(items[scheme["printed_items"][0]]["sources"][0]["anchor"])
    after = table[table.index(line) :]
    assert after.index("national offer day") < after.index("to make arrangements for parents to appeal")
    accuracy = duties["curriculum-eyfs-accuracy"]["printed_items"]
    assert len(accuracy) == 2
    assert table.count("accuracy and consistency of the assessments made by early years providers") == 2


def test_appendix_c_counts_as_printed_and_as_obligations(ask, q):
    rows = q("appendix-c-counts")
    by_aspect = {r["aspect"]: (int(r["printed"]), int(r["obligations"])) for r in rows}
    assert by_aspect["Admissions duties"][1] == by_aspect["Admissions duties"][0] + 1  # one line, two obligations
    assert by_aspect["Safeguarding"] == (2, 1)  # the s175 duty is named, then stated in the Act's words
    printed, obligations = by_aspect["all aspects"]
    assert printed == sum(p for a, (p, _) in by_aspect.items() if a != "all aspects")
    assert obligations == len(ask("SELECT ?d WHERE { ?d a lkg:StatutoryDuty }"))
    assert printed != obligations


def test_a_citation_printed_with_another_item_is_a_group_citation(data: Data):
    for duty in data["duties"]:
        for basis in duty.get("legal_bases", []):
            if basis.get("printed_with") and basis["printed_with"] not in duty["printed_items"]:
                assert basis.get("applies_to_group") is True, duty["id"]
    suitable = data.by_id("duties")["eotas-suitable-education"]["legal_bases"][0]
    assert suitable["printed_with"] == "education-otherwise-2"  # s19 follows the sentence on pupil referral units


# ---------------------------------------------------------------- one node per real thing


def test_gill_blowers_nursery_is_one_school_with_two_sites_in_two_neighbourhoods(ask, sources: Path):
    table = appendix(sources, "Appendix B - Neighbourhood", "Appendix C - Local Authority")
    assert table.count("gill blowers nursery") == 2
    rows = ask(f"""SELECT ?site ?place ?hood ?loc WHERE {{
        <{ID}school/gill-blowers-nursery> a lkg:School ; org:hasSite ?site .
        ?site lkg:place ?place ; lkg:siteNeighbourhood/rdfs:label ?hood ;
              prov:qualifiedDerivation/lkg:locator ?loc }}""")
    assert {(r["place"], r["hood"], r["loc"]) for r in rows} == {
        ("Leabank", "North neighbourhood partnership", "Appendix B: NORTH"),
        ("Mossdale", "West neighbourhood partnership", "Appendix B: WEST"),
    }
    hoods = ask(f"SELECT ?h WHERE {{ <{ID}school/gill-blowers-nursery> lkg:inNeighbourhood ?h }}")
    assert len(hoods) == 2
    assert ask(f"SELECT ?p WHERE {{ <{ID}school/gill-blowers-nursery-leabank> ?p ?o }}") == []


def test_appendix_b_counts_70_schools_from_71_printed_entries(ask):
    schools = ask("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a lkg:School ; lkg:inNeighbourhood ?h }")
    entries = ask("""SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE {
        ?r lkg:relationType <https://w3id.org/lutonkg/id/concept/relation/in-neighbourhood> }""")
    # Appendix B prints 56 main-row and 15 associate entries; Gill Blowers Nursery is printed twice.
    assert (int(schools[0]["n"]), int(entries[0]["n"])) == (70, 71)


def test_plural_mentions_carry_the_count_their_source_gives(data: Data, sources: Path):
    jar = fold((sources / "2008-04_joint_area_review_luton.txt").read_text(encoding="utf-8"))
    bodies = data.by_id("bodies")
    assert bodies["barnfield-sponsored-academies"]["type"] == "collective"
    assert "(which is also the sponsor of the two academies)" in jar
    assert bodies["barnfield-sponsored-academies"]["members_stated"] == 2
    assert "three children in care teams" in jar and bodies["children-in-care-teams"]["members_stated"] == 3
    assert "the 19 children's centres" in jar and bodies["childrens-centres"]["members_stated"] == 19
    assert "barnfield-sponsored-academies" not in {s["id"] for s in data["schools"]}


# ---------------------------------------------------------------- disagreements stay disagreements


def test_childrens_panel_keeps_both_founding_years_and_takes_no_side(ask, sources: Path):
    lea = fold((sources / "2002-07_ofsted_inspection_of_luton_lea.txt").read_text(encoding="utf-8"))
    jar = fold((sources / "2008-04_joint_area_review_luton.txt").read_text(encoding="utf-8"))
    assert "children in public care, was established in 2000" in lea
    assert "a children's panel was established in 2001" in jar
    claims = ask(f"""SELECT ?value ?doc ?loc WHERE {{
        ?c lkg:dates <{ID}event/childrens-panel-established> ; lkg:about <{ID}body/childrens-panel> ; lkg:value ?value ;
           prov:qualifiedDerivation [ prov:entity ?d ; lkg:locator ?loc ] . ?d dcterms:issued ?doc }}""")
    assert {(r["value"], r["doc"], r["loc"]) for r in claims} == {
        ("2000", "2002-07", "para 173"),
        ("2001", "2008-04-22", "para 41"),
    }
    for thing in ("body/childrens-panel", "event/childrens-panel-established"):
        dated = ask(f"""SELECT ?g ?d WHERE {{ GRAPH ?g {{ <{ID}{thing}> ?p ?d .
            VALUES ?p {{ lkg:validFrom lkg:date }} }} }}""")
        assert dated == [], thing
    said = ask(f"SELECT ?d WHERE {{ <{ID}body/childrens-panel> dcterms:description ?d }}")
    assert not any(re.search(r"\b200[01]\b", r["d"]) for r in said)


def test_timeline_and_body_timeline_show_both_founding_years(fresh_build: Path, q):
    graph = network.load(fresh_build / "lutonkg.nq")
    rows = timeline(graph, "childrens-panel").rows
    claimed = {(r["when"], r["document"]) for r in rows if r["what"].endswith("(claim)")}
    assert claimed == {("2000", "lea2002"), ("2001", "jar2008")}
    event = next(r for r in rows if r["what"] == "establishment")
    assert "2000 (lea2002) or 2001 (jar2008)" in event["when"] and "disagree" in event["when"]
    assert 2000 in graph.nodes["body/childrens-panel"]["years"]  # no rule moves the panel's start to one side
    query = q("body-timeline", body="childrens-panel")
    assert {(r["when"], r["doc"].rsplit("/", 1)[-1]) for r in query if r["what"].startswith("date of")} == {
        ("2000", "lea2002"),
        ("2001", "jar2008"),
    }


def test_a_date_that_takes_one_side_is_refused(tmp_path: Path):
    old = "  resulting:\n  - childrens-panel\n  summary: The council set up the Children's Panel"
    folder = changed_copy(tmp_path, "events.yaml", old, old.replace("  summary:", "  date: 2000\n  summary:"))
    with pytest.raises(DataError, match="takes one side of a disagreement"):
        load_data(folder)


def test_a_ranked_claim_states_its_reason(data: Data, ask):
    ranked = [c for c in data["claims"] if c.get("rank") not in (None, "normal")]
    assert ranked and all(c.get("rank_reason") for c in ranked)
    label = ask(f"""SELECT ?label ?value WHERE {{
        <{ID}body/bedfordshire-and-luton-mental-health-and-social-care-partnership-nhs-trust> rdfs:label ?label .
        ?c lkg:claimRank <{ID}concept/claim-rank/preferred> ; lkg:value ?value ; lkg:rankReason ?why }}""")
    assert [r["label"] for r in label] == [r["value"] for r in label]


# ---------------------------------------------------------------- relations the sources state


def test_joint_director_of_public_health_is_appointed_by_the_council_and_the_pct(ask, sources: Path):
    ca = fold((sources / "2008-03_audit_commission_corporate_assessment_luton.txt").read_text(encoding="utf-8"))
    assert "a joint director of public health has recently been appointed by the council and the primary care" in ca
    rows = ask(f"""SELECT ?by ?inferred ?loc WHERE {{ ?r lkg:subject <{ID}body/office-joint-director-of-public-health> ;
        lkg:relationType ?t ; lkg:object ?by ; prov:qualifiedDerivation/lkg:locator ?loc .
        ?t skos:prefLabel ?type . FILTER(STR(?type) = "appointed by")
        OPTIONAL {{ ?r lkg:inferred ?inferred }} }}""")
    assert {(r["by"].removeprefix(ID), r["loc"]) for r in rows} == {
        ("body/luton-borough-council", "para 85"),
        ("body/luton-teaching-primary-care-trust", "para 85"),
    }
    assert all(r["inferred"] in (None, "false") for r in rows)
    assert ask(f"SELECT ?o WHERE {{ <{ID}body/office-joint-director-of-public-health> lkg:accountableTo ?o }}") == []


def test_the_pct_provides_primary_health_care(ask):
    rows = ask(f"""SELECT ?service ?loc WHERE {{ <{ID}body/luton-teaching-primary-care-trust> lkg:provides ?s .
        ?s rdfs:label ?service . ?r lkg:subject <{ID}body/luton-teaching-primary-care-trust> ; lkg:object ?s ;
           prov:qualifiedDerivation/lkg:locator ?loc }}""")
    assert ("Primary health care (Luton)", "para 10") in {(r["service"], r["loc"]) for r in rows}


def test_acting_posts_and_members_on_behalf_of_another_body(ask):
    acting = ask(f"SELECT ?o WHERE {{ <{ID}body/office-curriculum-adviser> lkg:actsAs ?o }}")
    assert [r["o"] for r in acting] == [f"{ID}body/office-key-stage-3-strategy-manager"]
    rows = ask(f"""SELECT ?member ?for WHERE {{ ?m a org:Membership ; org:organization
        <{ID}body/area-child-protection-committee> ; org:member ?member ; lkg:onBehalfOf ?for }}""")
    assert [(r["member"], r["for"]) for r in rows] == [
        (f"{ID}body/office-lifelong-learning-head-of-service", f"{ID}body/lifelong-learning-directorate")
    ]


def test_a_bodys_end_carries_its_cause(ask):
    unit = ask(f"""SELECT ?to ?cause WHERE {{ <{ID}body/residential-unit-for-young-people-over-12> lkg:validTo ?to ;
        lkg:endCause ?cause }}""")
    assert [(r["to"], r["cause"].rsplit("/", 1)[-1]) for r in unit] == [("2008-01", "replaced")]
    closed = ask(f"""SELECT ?cause WHERE {{ ?e org:originalOrganization <{ID}body/two-poorly-performing-high-schools> ;
        org:resultingOrganization <{ID}body/barnfield-sponsored-academies> ; lkg:endCause ?cause }}""")
    assert [r["cause"].rsplit("/", 1)[-1] for r in closed] == ["closed-for-performance"]


def test_former_names_are_kept_with_the_documents_that_use_them(ask, sources: Path):
    strategy = (sources / STRATEGY).read_text(encoding="utf-8")
    assert "Luton Borough Council" not in strategy and "Luton Council" in strategy
    rows = ask(f"""SELECT ?name ?doc WHERE {{ <{ID}body/luton-borough-council> lkg:otherName ?n .
        ?n rdfs:label ?name ; prov:qualifiedDerivation/prov:entity ?doc }}""")
    assert {(r["name"], r["doc"].rsplit("/", 1)[-1]) for r in rows} == {("Luton Council", "strategy2020")}


def test_new_relation_types_are_defined_and_count_in_the_partnership_network(ask, fresh_build: Path):
    for relation in ("appointed-by", "provides", "acts-as", "nominated-by", "statistical-neighbour-of"):
        rows = ask(f"""SELECT ?p ?def WHERE {{ <{ID}concept/relation/{relation}> lkg:directProperty ?p .
            ?p skos:definition ?def ; rdfs:label ?label }}""")
        assert len(rows) == 1, relation
    graph = network.load(fresh_build / "lutonkg.nq")
    relations = {d["relation"] for _, _, d in graph.edges(data=True)}
    assert {"appointed-by", "provides", "acts-as", "statistical-neighbour-of"} <= relations


# ---------------------------------------------------------------- bodies named in passing


def test_the_2002_reports_comparator_authorities_are_bodies_with_their_citation(data: Data, ask, sources: Path):
    text = (sources / "2002-07_ofsted_inspection_of_luton_lea.txt").read_text(encoding="utf-8")
    footnote = re.search(r"statistical neighbours are (.+?)\.\n", text).group(1)
    names = [n.strip() for n in re.split(r",| and ", footnote) if n.strip()]
    assert len(names) == 10
    rows = ask(f"""SELECT ?label ?loc ?anchor WHERE {{ ?b lkg:statisticalNeighbourOf <{ID}body/luton-lea> ;
        rdfs:label ?label . ?r lkg:subject ?b ; lkg:object <{ID}body/luton-lea> ;
        prov:qualifiedDerivation [ prov:entity <{ID}document/lea2002> ; lkg:locator ?loc ; lkg:anchor ?anchor ] }}""")
    assert {r["label"] for r in rows} == set(names)
    assert all(r["loc"] == "Performance" and r["label"] in r["anchor"] for r in rows)


def test_posts_and_services_named_in_passing_are_bodies(data: Data):
    bodies = data.by_id("bodies")
    for body, doc, words in [
        ("office-education-welfare-officer", "lea2002", "contributes an education welfare officer"),
        ("office-police-support-officer", "jar2008", "police support officer is linked to every high school"),
        ("office-dedicated-paediatrician", "jar2008", "dedicated paediatrician provides initial health assessments"),
        ("support-and-intervention-grant", "strategy2020", "Support and Intervention Grant"),
    ]:
        assert any(s["doc"] == doc and words in s["anchor"] for s in bodies[body]["sources"]), body


# ---------------------------------------------------------------- locators


def test_verify_sources_flags_an_unmarked_unverifiable_sub_heading(data: Data, sources: Path):
    texts, _ = source_texts(data, sources)
    registered = {(e["doc"], e["loc"]): e["reconstructed"] for e in data["locators"] if "reconstructed" in e}
    invented = {"doc": "jar2008", "loc": "Annex C: Findings on schools", "anchor": "The LSCB is acting purposefully"}
    problem = check_reference(invented, texts, registered)
    assert problem and "sub-heading 'Findings on schools'" in problem and "not printed in jar2008" in problem
    assert check_reference({**invented, "loc": "Annex C: para 1"}, texts, registered) is None
    split = {"doc": "strategy2020", "loc": "Appendix C: Inspection/intervention", "anchor": "warning notice"}
    assert check_reference(split, texts, {}) is not None  # the label is printed split over two lines
    assert check_reference(split, texts, registered) is None  # registered as a reconstruction, with its reason
    cover = {"doc": "jar2008", "loc": "Title page", "anchor": "Reference no: 821"}
    assert check_reference(cover, texts, registered) is None


def test_one_canonical_name_per_place(tmp_path: Path, data: Data):
    locs = {
        (s["doc"], str(s["loc"])) for section in data.sections.values() for e in section for s in e.get("sources", [])
    }
    assert ("jar2008", "Joint area review: title page") not in locs and ("jar2008", "Joint area review") not in locs
    assert ("jar2008", "Annex D") not in locs and ("jar2008", "Annex D: para 1") in locs
    old = "  - {doc: jar2008, loc: Title page, anchor: HM Inspectorate of Probation Ofsted}"
    folder = changed_copy(tmp_path, "inspections.yaml", old, old.replace("Title page", "Joint area review"))
    with pytest.raises(DataError, match="'Joint area review' is another name for 'Title page'"):
        load_data(folder)


def test_annex_d_fieldwork_team_includes_the_audit_commission(ask, sources: Path):
    jar = fold((sources / "2008-04_joint_area_review_luton.txt").read_text(encoding="utf-8"))
    team = re.search(r"team of inspectors from ([^.]+)\.", jar).group(1)
    assert "audit commission" in team
    rows = ask(f"""SELECT ?anchor WHERE {{ <{ID}inspection/joint-area-review-2008> prov:qualifiedDerivation ?c .
        ?c lkg:locator "Annex D: para 1" ; lkg:anchor ?anchor }}""")
    assert rows and all("Audit Commission" in r["anchor"] for r in rows)


def test_each_citation_and_attestation_is_in_its_documents_named_graph(store):
    """A citation, the link to it and the attestation it makes are in the named graph of the document cited
    (…/id/graph/jar2008 for …/id/document/jar2008): bodies-attested-in-year and appendix-c-counts read them there."""
    rows = store.query("""
        PREFIX lkg: <https://w3id.org/lutonkg/def/>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?link (COUNT(*) AS ?all) (SUM(IF(?g = ?own, 1, 0)) AS ?there) WHERE {
          { GRAPH ?g { ?cite prov:entity ?doc } BIND("entity" AS ?link) }
          UNION { GRAPH ?g { ?cite lkg:locator ?locator } ?cite prov:entity ?doc . BIND("locator" AS ?link) }
          UNION { GRAPH ?g { ?x prov:qualifiedDerivation ?cite } ?cite prov:entity ?doc . BIND("derivation" AS ?link) }
          UNION { GRAPH ?g { ?x lkg:attestedIn ?doc } BIND("attestation" AS ?link) }
          BIND(IRI(REPLACE(STR(?doc), "/id/document/", "/id/graph/")) AS ?own)
        } GROUP BY ?link""")
    counts = {r["link"].value: (int(r["all"].value), int(r["there"].value)) for r in rows}
    citations = int(next(iter(store.query(
        "SELECT (COUNT(*) AS ?n) WHERE { ?c a <https://w3id.org/lutonkg/def/Citation> }")))["n"].value)  # fmt: skip
    assert citations > 1000 and counts["entity"] == counts["locator"] == counts["derivation"] == (citations, citations)
    assert counts["attestation"][0] > 100 and counts["attestation"][0] == counts["attestation"][1]
