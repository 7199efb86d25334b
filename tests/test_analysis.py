"""Responsibility across time: the networkx projection, snapshot rules, questions, measures, exports and CLI."""

from __future__ import annotations

import json
import subprocess

import networkx as nx
import pytest

from lutonkg.analysis.gaps import gaps
from lutonkg.analysis.history import diff, timeline
from lutonkg.analysis.lookup import LookupError_, resolve
from lutonkg.analysis.measures import capacity, centrality, load
from lutonkg.analysis.network import snapshot
from lutonkg.analysis.responsibility import who
from lutonkg.analysis.timespan import Change, event_bounds, held_years, inspection_years, recommendation_years
from lutonkg.cli.main import main
from lutonkg.exports.graphs import export_all, matrix_rows


def rows_with(table, **wanted):
    """Rows whose named cells contain the given texts."""
    return [r for r in table.rows if all(text in str(r.get(col, "")) for col, text in wanted.items())]


# ---- the snapshot rules, on the dates the sources give


def test_a_body_named_in_july_2002_holds_from_2000_to_2003():
    assert held_years([2002]) == frozenset(range(2000, 2004))


def test_a_body_named_in_2002_and_2008_is_taken_to_exist_in_between():
    assert held_years([2002, 2008]) == frozenset(range(2000, 2010))


def test_a_stated_founding_year_replaces_the_window_start():
    # the intensive support team: established in 2005 (jar2008 para 35), named in the 2008 report
    assert held_years([2008], stated_from=2005) == frozenset(range(2005, 2010))


def test_undated_change_reported_in_2002_ends_the_old_body_after_2000_and_starts_the_new_in_2001():
    # lea2002 para 27: "Since the previous inspection, Luton has modernised its council"
    change = Change(frozenset({"committee"}), frozenset({"executive"}), "restructure", None, (2002,), False)
    bounds = event_bounds([change], {"committee": 2000, "executive": 2000})
    assert bounds.not_after["committee"] == 2000
    assert bounds.not_before["executive"] == 2001


def test_inferred_succession_ends_the_original_before_the_successor_appears_but_later_evidence_reopens_it():
    change = Change(frozenset({"lea"}), frozenset({"csa"}), "succession", None, (2002, 2008), True)
    bounds = event_bounds([change], {"lea": 2000, "csa": 2006})
    assert bounds.not_after["lea"] == 2005 and "lea" in bounds.reopen
    years = held_years([2002, 2020], not_after=2005, reopen_after_end=True)
    assert years == frozenset(range(2000, 2006)) | frozenset(range(2018, 2022))


def test_inspection_and_recommendation_spans():
    assert inspection_years(2000, 2000, 2002) == frozenset({2000, 2001})
    # addressed by the 2008 joint area review: open 2002-2007
    assert recommendation_years(2002, [(2008, "addressed")]) == frozenset(range(2002, 2008))
    # partly addressed in 2008, the issue recurs in 2020
    assert recommendation_years(2002, [(2008, "partly-addressed"), (2020, "recurring")]) == frozenset(
        range(2002, 2009)
    ) | {2020}


# ---- the projection


def test_projection_types_nodes_and_edges(net):
    kinds = {d["kind"] for _, d in net.nodes(data=True)}
    assert {"body", "school", "duty", "legislation", "inspection", "recommendation", "priority"} <= kinds
    lea = net.nodes["body/luton-lea"]
    assert lea["label"] == "Luton Local Education Authority" and lea["body_type"] == "statutory-capacity"
    assert lea["iri"] == "https://w3id.org/lutonkg/id/body/luton-lea"
    part = net.edges["body/lifelong-learning-directorate", "body/luton-borough-council",
                     "relationship/lifelong-learning-directorate-part-of-luton-borough-council"]  # fmt: skip
    assert part["relation"] == "part-of" and part["attested"] == ["lea2002"]
    assert any(doc == "lea2002" and loc.startswith("para") for doc, loc, _ in part["citations"])


def test_succession_edges_carry_the_inferred_flag(net):
    edges = net.get_edge_data("body/area-child-protection-committee", "body/luton-safeguarding-children-board")
    assert [d["relation"] for d in edges.values()] == ["succeeded_by"]
    assert all(d["inferred"] for d in edges.values())


def test_safeguarding_partnership_changes_between_2002_and_2008(net):
    in2002, in2008 = snapshot(net, 2002), snapshot(net, 2008)
    assert "body/area-child-protection-committee" in in2002
    assert "body/area-child-protection-committee" not in in2008
    assert "body/luton-safeguarding-children-board" in in2008
    assert "body/luton-safeguarding-children-board" not in in2002
    # the directorate that sat on the ACPC in 2002 (lea2002 para 169); the council is an LSCB member in 2008
    assert in2002.has_edge("body/lifelong-learning-directorate", "body/area-child-protection-committee")
    assert in2008.has_edge("body/luton-borough-council", "body/luton-safeguarding-children-board")


def test_2000_snapshot_is_the_council_the_2002_reports_describe_at_the_may_2000_inspection(net):
    in2000, in2002 = snapshot(net, 2000), snapshot(net, 2002)
    assert "inspection/lea-inspection-2000" in in2000 and "inspection/lea-inspection-2002" not in in2000
    # the education committee was replaced by the executive and scrutiny after the first inspection (para 27)
    assert "body/education-committee" in in2000 and "body/education-committee" not in in2002
    assert "body/luton-council-executive" in in2002 and "body/luton-council-executive" not in in2000
    assert "body/lifelong-learning-directorate" in in2000


def test_snapshot_edges_need_both_ends(net):
    view = snapshot(net, 2008)
    assert all(u in view and v in view for u, v in view.edges())


# ---- who


def test_who_standards_duty_2020_names_the_education_service_and_advisers(net):
    table = who(net, "standards-promote-high-standards", 2020)
    doers = {r["to"] for r in table.rows if r["step"] == "discharger"}
    assert doers == {"Luton Education Service", "School Improvement Adviser Team"}
    assert all(r["document"] == "strategy2020" for r in table.rows if r["step"] == "discharger")
    assert rows_with(table, step="law", relation="no legal basis cited")  # Appendix C cites no Act for this row
    assert rows_with(table, step="holder", to="Luton Borough Council")
    assert rows_with(table, step="oversight", to="Children's Services Review Group")


def test_who_lado_2020_gives_legal_basis_and_the_designated_officer(net):
    table = who(net, "lado-manage-allegations", 2020)
    law = rows_with(table, step="law")
    assert [r["to"] for r in law] == ["Working Together to Safeguard Children 2013"]
    assert law[0]["locator"].startswith("Appendix C: Local Authority Designated Officer")
    assert [r["to"] for r in table.rows if r["step"] == "discharger"] == ["Local Authority Designated Officer"]


def test_who_safeguarding_follows_the_acpc_in_2002_and_the_lscb_in_2008(net):
    early, late = who(net, "safeguarding", 2002), who(net, "safeguarding", 2008)
    assert rows_with(early, step="body", to="Area Child Protection Committee")
    assert not rows_with(early, to="Local Safeguarding Children Board")
    assert rows_with(late, step="body", to="Local Safeguarding Children Board")
    assert rows_with(late, step="partner", relation="member of", to="Local Safeguarding Children Board")


def test_who_rows_all_cite_a_document(net):
    table = who(net, "send", 2020)
    assert table.rows and all(r["document"] for r in table.rows)


def test_free_text_lookup_and_ambiguity(net):
    found = resolve(net, "lifelong learning directorate").foci
    assert [f.id for f in found] == ["body/lifelong-learning-directorate"]
    with pytest.raises(LookupError_, match="matches"):
        resolve(net, "school")
    with pytest.raises(LookupError_, match="nothing matches"):
        resolve(net, "zzz no such body")


# ---- timeline, diff, gaps


def test_timeline_of_the_lea_shows_its_inferred_succession(net):
    table = timeline(net, "luton-lea")
    event = rows_with(table, what="succession", detail="Luton Children's Services Authority")
    assert event and event[0]["basis"].startswith("inferred") and event[0]["when"] == "between 2002 and 2008"
    assert rows_with(table, what="gained", when="2002", detail="lea2002-r")


def test_diff_2002_2008_has_the_known_reorganisations(net):
    table = diff(net, 2002, 2008)
    moves = {r["item"] for r in table.rows if r["change"] == "body succession"}
    assert "Lifelong Learning Directorate -> Children and Learning Department" in moves
    assert "Area Child Protection Committee -> Local Safeguarding Children Board" in moves
    closed = rows_with(table, change="recommendation closed", item="lea2002-r24")  # behaviour support very strong
    assert closed and closed[0]["document"] == "jar2008"
    assert rows_with(table, change="recommendation opened", item="jar2008-r01")
    assert rows_with(table, change="body appeared", item="Children's Trust arrangements")


def test_gaps(net):
    table = gaps(net)
    assert rows_with(table, gap="duty with no named discharging body", item="transport-home-to-school")
    assert not rows_with(table, gap="duty with no named discharging body", item="lado-manage-allegations")
    assert rows_with(table, gap="recommendation with no later evidence", item="lea2002-r05")
    assert rows_with(table, gap="no oversight link", item="Local Authority Designated Officer")
    assert not rows_with(table, gap="no oversight link", item="Luton Education Service")


# ---- measures


def test_hubs_change_between_snapshots(net):
    top2002 = [r["body"] for r in centrality(net, 2002).rows[:2]]
    top2008 = centrality(net, 2008).rows[0]["body"]
    assert "Luton Local Education Authority" in top2002
    assert top2008 == "Luton Borough Council"
    assert "Luton Education Service" in [r["body"] for r in centrality(net, 2020).rows[:3]]


def test_load_2020_puts_the_council_first(net):
    rows = load(net, 2020).rows
    assert rows[0]["body"] == "Luton Borough Council" and rows[0]["holds"] > 100


def test_capacity_beside_load_uses_the_strategy_figures(net):
    rows = {r["measure"]: r for r in capacity(net).rows}
    advisers = rows["school-improvement-adviser-team-size"]
    assert advisers["first"] == "8 (2013)" and advisers["last"] == "3 (2019)" and advisers["change"] == "-62%"
    budget = rows["core-education-budget"]
    assert budget["first"].startswith("£3.6m") and budget["last"].startswith("£1.6m")
    assert budget["load"].startswith("3 in 2020")  # the Education Service discharges three Appendix C duties


# ---- exports


def test_exports_are_readable_and_deterministic(net, tmp_path):
    first = export_all(net, tmp_path / "a", (2002, 2020))
    second = export_all(net, tmp_path / "b", (2002, 2020))
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    back = nx.read_graphml(first[0])
    assert back.number_of_nodes() == net.number_of_nodes()
    assert back.nodes["body/luton-lea"]["held"] == "2000-2005; 2018-2021"
    gexf = first[1].read_text(encoding="utf-8")
    assert '<spell start="2006" end="2009" />' in gexf and "lastmodifieddate" not in gexf
    header, rows = matrix_rows(net, 2020)
    service = next(r for r in rows if r[0] == "luton-education-service")
    assert service[header.index("standards-promote-high-standards")] == "D"


# ---- command line


@pytest.fixture
def run(capsys: pytest.CaptureFixture):
    """The lutonkg command in this process: its exit status and what it printed, as a finished process."""

    def call(*args: str) -> subprocess.CompletedProcess:
        try:
            code = main(list(args))
        except SystemExit as stopped:  # argparse's usage errors
            code = stopped.code
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(list(args), code, out, err)

    return call


def test_cli_who_json(fresh_build, run):
    done = run("who", "lado-manage-allegations", "--at", "2020", "--format", "json", "--graph",
               str(fresh_build / "lutonkg.nq"))  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert {"step": "discharger", "document": "strategy2020"}.items() <= next(
        r for r in rows if r["step"] == "discharger"
    ).items()


def test_cli_bad_input_gives_one_line(fresh_build, run):
    graph = str(fresh_build / "lutonkg.nq")
    unknown = run("who", "no such thing at all", "--graph", graph)
    assert unknown.returncode == 1 and len(unknown.stderr.strip().splitlines()) == 1
    assert "Traceback" not in unknown.stderr
    missing = run("gaps", "--graph", str(fresh_build / "missing.nq"))
    assert missing.returncode == 2 and "missing.nq not found" in missing.stderr
    bad_year = run("diff", "2002", "20x8", "--graph", graph)
    assert bad_year.returncode == 2 and "not a year" in bad_year.stderr
