"""Assisted curation (issue 18), leave-one-out recall: known bodies matched under the names a report prints for them
(a directorate as "services", a post under another title or without its honorific), and relationships proposed
from lists (statistical neighbours, a lead-in and its bullets, units listed after "N teams:") whose ends are new
bodies of the same run, matched by name in the benchmark."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest

from lutonkg.checks.citations import source_texts
from lutonkg.curation.benchmark import new_body_ids
from lutonkg.curation.knowledge import build_knowledge
from lutonkg.curation.suggest import Candidate, suggest
from lutonkg.data.load import Data
from lutonkg.data.sources import SourceText


@pytest.fixture(scope="module")
def texts(data: Data, sources: Path) -> dict[str, SourceText]:
    """The five source texts."""
    return source_texts(data, sources)[0]


@pytest.fixture(scope="module")
def held(data: Data, texts: dict[str, SourceText]) -> Callable[[str], list[Candidate]]:
    """Each document's candidates with that document held out (computed once per document asked for)."""

    @cache
    def candidates(doc: str) -> list[Candidate]:
        """The candidates of one document, held out."""
        return suggest(data, texts, doc, holdout=doc)

    return candidates


def _mentions(candidates: list[Candidate]) -> dict[str, Candidate]:
    """The body-mention candidates by body id."""
    return {c.fields["body"]: c for c in candidates if c.kind == "body-mention"}


def _new_by_label(candidates: list[Candidate]) -> dict[str, Candidate]:
    """The new-body candidates by label, folded to lower case."""
    return {c.fields["label"].lower(): c for c in candidates if c.kind == "new-body"}


def _links(candidates: list[Candidate]) -> set[tuple[str, str, str]]:
    """The (subject, relation, object) of every relationship candidate."""
    return {(c.fields["subject"], c.fields["relation"], c.fields["object"]) for c in candidates
            if c.kind == "relationship"}  # fmt: skip


def test_cohesion_report_names_the_housing_directorate_as_the_authoritys_housing_services(
    held: Callable[[str], list[Candidate]], texts: dict[str, SourceText]
) -> None:
    """The cohesion report prints the housing directorate only as "the authority's housing services"; held out, the
    suggester still finds it (a directorate is also printed as its subject's services), cited where it says so."""
    assert "authority's housing services" in texts["cohesion2002"].text
    assert "housing directorate" not in texts["cohesion2002"].text.lower()
    mention = _mentions(held("cohesion2002"))["housing-directorate"]
    assert mention.cite.loc == "para 44"
    assert "housing services" in mention.cite.anchor


def test_cohesion_report_names_hm_chief_inspector_as_the_chief_inspector(
    held: Callable[[str], list[Candidate]],
) -> None:
    """Para 1 of the cohesion report: "the LEA wrote to the chief inspector" names Her Majesty's Chief Inspector of
    Schools (the only post of that title the other documents know)."""
    mention = _mentions(held("cohesion2002"))["office-hm-chief-inspector-of-schools"]
    assert mention.cite.loc == "para 1"
    assert "chief inspector" in mention.cite.anchor


def test_lead_member_names_the_portfolio_holder_without_leaking_the_held_out_alias(
    held: Callable[[str], list[Candidate]], data: Data, texts: dict[str, SourceText]
) -> None:
    """The joint area review names the portfolio holder for children's services "the new Lead Member for children's
    services", an alias only that report prints: held out, the alias is unknown, yet the mention is found through
    the title the 2020 strategy prints ("Portfolio Holder for Children's Services"), Lead Member being the same
    post under another title."""
    kb = build_knowledge(data, texts, "jar2008", "jar2008")
    names = {n.text for found in kb.names.values() for n in found}
    assert "Lead Member for children's services" not in names
    mention = _mentions(held("jar2008"))["office-portfolio-holder-childrens-services"]
    assert mention.cite.loc == "para 81"
    assert "Lead Member" in mention.cite.anchor


def test_lea_report_statistical_neighbours_each_proposed_with_a_link_to_the_lea(
    held: Callable[[str], list[Candidate]], texts: dict[str, SourceText]
) -> None:
    """The LEA report's footnote lists its ten statistical neighbours; held out, each is linked to the LEA (the
    footnote's possessor) by statistical-neighbour-of: a body another document knows (Bradford, named in the
    cohesion report) by its id, the others proposed as new local authorities."""
    line = next(x for x in texts["lea2002"].text.splitlines() if "statistical neighbours are" in x)
    printed = re.split(r", | and ", line.split("are ", 1)[1].rstrip("."))
    assert "Blackburn with Darwen" in printed and len(printed) == 10
    new = _new_by_label(held("lea2002"))
    known = {c.fields["label"].lower(): c.fields["body"] for c in _mentions(held("lea2002")).values()}
    links = _links(held("lea2002"))
    assert "bradford" in known and "blackburn with darwen" in new
    for name in printed:
        body = new[name.lower()].fields["id"] if name.lower() in new else known[name.lower()]
        assert name.lower() in known or new[name.lower()].fields["type"] == "local-authority"
        assert (body, "statistical-neighbour-of", "luton-lea") in links, name


def test_corporate_assessment_portfolio_holders_read_from_the_lead_in_and_its_bullets(
    held: Callable[[str], list[Candidate]], data: Data, texts: dict[str, SourceText]
) -> None:
    """Para 24 of the corporate assessment: "comprising the Leader and portfolio holders for:" then one bullet per
    portfolio ("- Finance:", "- Children's Services;", ...). Held out, the bullet naming a portfolio holder another
    document knows is a mention of it; the others are new posts, each a member of the Executive; the benchmark
    counts "Portfolio holder for Finance" as the curated "Executive portfolio holder for Finance"."""
    assert "portfolio holders for:\n - Finance:" in texts["ca2008"].text
    candidates = held("ca2008")
    assert _mentions(candidates)["office-portfolio-holder-childrens-services"].cite.loc == "para 24"
    finance = _new_by_label(candidates)["portfolio holder for finance"]
    assert finance.fields["type"] == "office"
    assert (finance.fields["id"], "member-of", "luton-council-executive") in _links(candidates)
    news = [c for c in candidates if c.kind == "new-body"]
    assert new_body_ids(data, "ca2008", news)[finance.fields["id"]] == {"office-portfolio-holder-finance"}


def test_joint_area_review_teams_listed_after_n_teams_are_part_of_childrens_social_care(
    held: Callable[[str], list[Candidate]],
) -> None:
    """Para 11 of the joint area review: "Children's social care services are provided by 11 field social work
    teams: one initial assessment team, ..., one family placement team and one adoption team". Held out, each team
    is part of the body the sentence opens with, proposed as new under its printed name."""
    candidates = held("jar2008")
    new = _new_by_label(candidates)
    owner = new["children's social care services"]
    links = _links(candidates)
    for team in ("initial assessment team", "childcare disability team", "family placement team", "adoption team"):
        assert (new[team].fields["id"], "part-of", owner.fields["id"]) in links, team
