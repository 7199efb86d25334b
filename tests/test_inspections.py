"""Issue 4: inspections, recommendations, judgements and grades, and what became of recommendations."""

from __future__ import annotations

from collections import Counter

ID = "https://w3id.org/lutonkg/id/"


def test_documents_carry_kind_publishers_date_reference_and_lead_inspector(ask):
    rows = ask(f"""SELECT ?ref ?issued (COUNT(DISTINCT ?p) AS ?publishers) WHERE {{
        <{ID}document/jar2008> dcterms:identifier ?ref ; dcterms:issued ?issued ; dcterms:publisher ?p }}
        GROUP BY ?ref ?issued""")
    assert rows == [{"ref": "821", "issued": "2008-04-22", "publishers": "7"}]
    lead = ask(f"SELECT ?who WHERE {{ <{ID}document/lea2002> lkg:leadInspector ?who }}")
    assert lead == [{"who": "Brian Blake HMI"}]


def test_inspection_events_include_may_2000_and_december_2007(ask):
    rows = ask("""SELECT ?label ?from ?to WHERE { ?i a lkg:Inspection ; rdfs:label ?label ; lkg:validFrom ?from .
                  OPTIONAL { ?i lkg:validTo ?to } }""")
    dates = {(r["from"], r["to"]) for r in rows}
    assert ("2000-05", "2000-05") in dates
    assert ("2007-12-03", "2007-12-14") in dates
    apa = ask("""SELECT ?i WHERE { ?i lkg:inspectionKind/skos:prefLabel "annual performance assessment"@en }""")
    assert len(apa) == 1


def test_about_fifty_recommendations_one_node_per_bullet(data):
    by_doc = Counter(r["doc"] for r in data["recommendations"])
    assert by_doc == {"lea2002": 28, "cohesion2002": 10, "jar2008": 12, "ca2008": 4}
    priorities = Counter((r["doc"], r["priority"]) for r in data["recommendations"])
    assert priorities[("lea2002", "fundamental")] == 5
    assert priorities[("jar2008", "immediate")] == 1
    assert priorities[("jar2008", "area-for-development")] == 4
    assert priorities[("ca2008", "area-for-improvement")] == 4


def test_lea_report_makes_three_recommendations_on_behaviour_support(ask):
    rows = ask(f"""SELECT ?r WHERE {{ ?r lkg:madeIn <{ID}document/lea2002> ;
                   dcterms:subject <{ID}concept/theme/behaviour> }}""")
    assert len(rows) == 3


def test_lea_recommendations_repeated_in_the_appendix_are_one_node_with_both_locators(data):
    for rec in (r for r in data["recommendations"] if r["doc"] == "lea2002"):
        locators = [s["loc"] for s in rec["sources"]]
        assert any(loc.startswith("para") for loc in locators), rec["id"]
        assert any(loc.lower().startswith("appendix") for loc in locators), rec["id"]


def test_every_recommendation_has_addressee_theme_purpose_and_locator(ask):
    missing = ask("""SELECT ?r WHERE { ?r a lkg:Recommendation .
        FILTER NOT EXISTS { ?r lkg:addressedTo ?a ; dcterms:subject ?t ; lkg:priorityLevel ?p ;
                            prov:qualifiedDerivation/lkg:locator ?l } }""")
    assert missing == []
    to_forum = ask(f"SELECT ?r WHERE {{ ?r lkg:addressedTo <{ID}body/admissions-forum> }}")
    assert len(to_forum) >= 1


def test_jar_graded_safeguarding_3_good(ask):
    rows = ask(f"""SELECT ?notation ?label ?scale WHERE {{ ?j lkg:inspection <{ID}inspection/joint-area-review-2008> ;
        lkg:function <{ID}concept/function/safeguarding> ; lkg:judgementKind <{ID}concept/judgement-kind/grade> ;
        lkg:grade ?g ; lkg:scale/skos:prefLabel ?scale . ?g skos:notation ?notation ; skos:prefLabel ?label }}""")
    assert len(rows) == 1 and rows[0]["notation"] == "3" and rows[0]["label"].lower().startswith("good")


def test_corporate_assessment_scored_performance_management_2(ask):
    rows = ask(f"""SELECT ?notation WHERE {{ ?j lkg:inspection <{ID}inspection/corporate-assessment-2008> ;
        lkg:function <{ID}concept/function/performance-management> ; lkg:grade/skos:notation ?notation }}""")
    assert [r["notation"] for r in rows] == ["2"]
    rule = ask(f"SELECT ?rule WHERE {{ <{ID}concept/cpa-score> lkg:combinationRule ?rule }}")
    assert len(rule) == 1


def test_literacy_support_was_unsatisfactory_in_2000_and_2002(ask):
    rows = ask(f"""SELECT ?when ?grade WHERE {{ ?j lkg:function <{ID}concept/function/support-for-literacy> ;
        lkg:inspection ?i ; lkg:grade/skos:prefLabel ?grade . ?i lkg:validFrom ?when }}""")
    assert {(r["when"][:4], r["grade"]) for r in rows} == {("2000", "unsatisfactory"), ("2002", "unsatisfactory")}


def test_change_between_2000_and_2002_is_queryable(ask):
    rows = ask(f"""SELECT ?f ?before ?after WHERE {{
        ?a lkg:inspection <{ID}inspection/lea-inspection-2000> ; lkg:function ?f ; lkg:grade/lkg:rank ?before .
        ?b lkg:inspection <{ID}inspection/lea-inspection-2002> ; lkg:function ?f ; lkg:grade/lkg:rank ?after }}""")
    change = {r["f"].rsplit("/", 1)[-1]: int(r["after"]) - int(r["before"]) for r in rows}
    assert change["support-for-literacy"] == 0
    assert change["measures-to-combat-racism"] > 0
    assert change["allocation-of-resources-to-priorities"] > 0


def test_particular_strengths_and_weaknesses_of_2002(ask):
    rows = ask(f"""SELECT ?kind (COUNT(?j) AS ?n) WHERE {{ ?j lkg:inspection <{ID}inspection/lea-inspection-2002> ;
        lkg:judgementKind/skos:prefLabel ?kind ; prov:qualifiedDerivation ?c . ?c lkg:locator ?loc ;
        prov:entity <{ID}document/lea2002> . FILTER(?loc IN ("para 7", "para 8")) }} GROUP BY ?kind""")
    assert {r["kind"]: int(r["n"]) for r in rows} == {"strength": 6, "weakness": 5}


def test_follow_up_is_a_curators_assessment_in_its_own_graph(ask):
    rows = ask(
        f"""SELECT ?e ?status WHERE {{ GRAPH <{ID}graph/curation> {{ ?e a lkg:Evidence ; lkg:status ?status }} }}"""
    )
    assert len(rows) >= 40
    behaviour = ask(f"""SELECT ?status ?doc WHERE {{ ?e lkg:evidenceFor ?r ; lkg:status/skos:prefLabel ?status ;
        prov:qualifiedDerivation/prov:entity ?doc . ?r dcterms:subject <{ID}concept/theme/behaviour> ;
        lkg:madeIn <{ID}document/lea2002> }}""")
    assert {r["doc"].rsplit("/", 1)[-1] for r in behaviour} & {"jar2008", "strategy2020"}
