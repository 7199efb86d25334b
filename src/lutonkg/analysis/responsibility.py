"""Who is responsible: the chain of responsibility for a duty, Appendix C aspect, recommendation theme or body.

`who(graph, text, year)` returns one row per link of the chain, in this order of steps:

- law: the Act, section, instrument or guidance the duty rests on (or a row saying the source cites none);
- holder: the body the law places the duty on (`held_by`), with the holder roles named in Appendix C;
- discharger: the body or team the strategy names as carrying it out (`discharged_by`; or a row saying it names none);
- within / oversight: the discharger's and holder's chain upward (part of, led by, accountable to, overseen by);
- partner: bodies the duty requires, and the discharger's partnerships (member of, works with);
- inspector: inspectorates that inspected a body of the chain (at the date; else the latest earlier inspection of
  it or of a predecessor, marked as such);
- recommendation: recommendations addressed to a discharger, or concerning the duty (for a theme: those of the
  theme, addressed to their bodies);
- priority: the strategy priorities the duty serves (curators' judgement).

Every row names its document and locator. With a year, only what holds in that year's snapshot is used.
"""

from __future__ import annotations

import re

import networkx as nx

from lutonkg.analysis.graphview import (
    DOWNWARD,
    UPWARD,
    at,
    citation_cells,
    in_edges,
    name,
    out_edges,
    predecessors,
    successors,
    years_text,
)
from lutonkg.analysis.lookup import Focus, norm, resolve
from lutonkg.table import Table

WHO_COLUMNS = ["step", "from", "relation", "to", "held", "inferred", "document", "locator"]
WHO_HIDDEN = ["from_id", "to_id", "from_ids", "citations"]
STEP_ORDER = [
    "law", "holder", "discharger", "body", "within", "oversight", "partner", "inspector", "recommendation", "priority",
]  # fmt: skip
RELATION_TEXT = {
    "legal_basis": "rests on",
    "held_by": "held by",
    "discharged_by": "discharged by",
    "requires_body": "requires",
    "serves_priority": "serves",
    "part-of": "part of",
    "in-trust": "in trust",
    "accountable-to": "accountable to",
    "oversees": "oversees",
    "leads": "leads",
    "chairs": "chairs",
    "member-of": "member of",
    "works-with": "works with",
    "addressed_to": "addressed to",
    "concerns": "concerns",
    "concerns_duty": "concerns duty",
    "inspects": "inspects",
}


class Chain:
    """Collects the rows of one answer, without duplicates, in step order."""

    def __init__(self, graph: nx.MultiDiGraph, full: nx.MultiDiGraph) -> None:
        self.graph, self.full = graph, full
        self.rows: list[dict] = []
        self.seen: set[tuple] = set()

    def link(
        self,
        step: str,
        u: str,
        v: str,
        attrs: dict,
        relation: str | None = None,
        note: str = "",
        subject: str = "",
        group: list[str] | None = None,
    ) -> None:
        """Add one edge u -> v as a row of the given step (`subject` replaces u's name, e.g. several inspectorates)."""
        rel = relation or RELATION_TEXT.get(attrs["relation"], attrs["relation"])
        marker = (step, u, rel, v)
        if marker in self.seen:
            return
        self.seen.add(marker)
        self.rows.append(
            {
                "step": step,
                "from": subject or name(self.full, u),
                "relation": rel,
                "to": name(self.full, v),
                "held": years_text(attrs) + (f" ({note})" if note else ""),
                "inferred": bool(attrs.get("inferred")),
                "from_id": u,
                "to_id": v,
                "from_ids": group or [u],
                **citation_cells(attrs),
            }
        )

    def gap(self, step: str, node: str, text: str) -> None:
        """A row recording that the sources name nothing for this step, cited to the node's own source."""
        marker = (step, node, text)
        if marker not in self.seen:
            self.seen.add(marker)
            d = self.full.nodes[node]
            self.rows.append(
                {
                    "step": step, "from": name(self.full, node), "relation": text, "to": "", "held": years_text(d),
                    "inferred": False, "from_id": node, "to_id": "", **citation_cells(d),
                }
            )  # fmt: skip

    def sorted_rows(self) -> list[dict]:
        """Rows grouped by step, keeping discovery order within a step."""
        return sorted(self.rows, key=lambda r: STEP_ORDER.index(r["step"]))


def _upward(chain: Chain, starts: list[str], depth: int = 4) -> list[str]:
    """Walk part-of / accountable-to / overseen-by / led-by links upward from the bodies; return all reached."""
    g, reached, frontier = chain.graph, list(starts), list(starts)
    for _ in range(depth):
        nxt = []
        for body in frontier:
            for u, v, _, d in out_edges(g, body, UPWARD):
                chain.link("oversight" if d["relation"] == "accountable-to" else "within", u, v, d)
                nxt.append(v)
            for u, v, _, d in in_edges(g, body, DOWNWARD):
                chain.link("oversight" if d["relation"] == "oversees" else "within", u, v, d)
                nxt.append(u)
        frontier = [b for b in dict.fromkeys(nxt) if b not in reached]
        reached += frontier
    return reached


def _partners(chain: Chain, body: str) -> None:
    """A body's partnerships: the boards it is a member of, and named working partners."""
    g = chain.graph
    for u, v, _, d in out_edges(g, body, ("member-of", "works-with")):
        chain.link("partner", u, v, d)
    for u, v, _, d in in_edges(g, body, ("works-with",)):
        chain.link("partner", u, v, d)


def _inspections_of(g: nx.MultiDiGraph, body: str) -> list[tuple[str, str, dict]]:
    """(inspectorate, body, attrs) for every inspection of a body and every stated inspects relationship."""
    found = []
    for insp, _, _, d in in_edges(g, body, ("inspects",)):
        kind = g.nodes[insp]["kind"]
        if kind == "inspection":
            for who, _, _, _ in in_edges(g, insp, ("conducts",)):
                found.append((who, body, {**d, "via": insp}))
        else:
            found.append((insp, body, d))
    return found


def _inspectors(chain: Chain, bodies: list[str], year: int | None) -> None:
    """Inspecting bodies of the chain; at a date with none, the latest earlier inspection (of a predecessor too) by
    an inspectorate, preferring recorded inspections to bare `inspects` links.

    Inspectorates that took part in one inspection of one body share a row; a stated `inspects` relationship is
    shown only where no inspection record covers the same inspectorate and body.
    """
    found = [f for b in bodies for f in _inspections_of(chain.graph, b)]
    note = ""
    if not found and year is not None:
        earlier = []
        for body in bodies:
            for b in [body, *predecessors(chain.full, body)]:
                earlier += [f for f in _inspections_of(chain.full, b) if f[2]["years"] and min(f[2]["years"]) < year]
        official = [f for f in earlier if chain.full.nodes[f[0]].get("body_type") == "inspectorate"]
        earlier = official or earlier
        recorded = [f for f in earlier if f[2].get("via")]
        earlier = recorded or earlier
        if earlier:
            latest = max(max(f[2]["years"]) for f in earlier)
            found = [f for f in earlier if max(f[2]["years"]) == latest]
            note = f"latest before {year}"
    covered = {(who, body) for who, body, d in found if d.get("via")}
    groups: dict[tuple[str, str], list[str]] = {}
    attrs: dict[tuple[str, str], dict] = {}
    for who, body, d in found:
        if not d.get("via") and (who, body) in covered:
            continue
        group = (d.get("via", f"{who}>{body}"), body)
        groups.setdefault(group, []).append(who)
        attrs[group] = d
    for (via, body), whos in groups.items():
        d = attrs[(via, body)]
        label = f" ({name(chain.full, d['via'], 50)})" if d.get("via") else ""
        group = sorted(set(whos))
        subject = ", ".join(sorted({name(chain.full, w) for w in whos}))
        chain.link("inspector", group[0], body, d, "inspects" + label, note, subject, group)


def _duty_chain(chain: Chain, duty: str, year: int | None) -> None:
    """All steps for one duty."""
    g = chain.graph
    laws = out_edges(g, duty, ("legal_basis",))
    for u, v, _, d in laws:
        chain.link("law", u, v, d)
    if not laws:
        chain.gap("law", duty, "no legal basis cited in the source row")
    holders = out_edges(g, duty, ("held_by",))
    roles = ", ".join(chain.full.nodes[duty].get("holder_roles", []))
    for u, v, _, d in holders:
        chain.link("holder", u, v, d, relation=f"held by ({roles})" if roles else None)
    dischargers = out_edges(g, duty, ("discharged_by",))
    for u, v, _, d in dischargers:
        chain.link("discharger", u, v, d)
    if not dischargers:
        chain.gap("discharger", duty, "no discharging body named in the source")
    for u, v, _, d in out_edges(g, duty, ("requires_body",)):
        chain.link("partner", u, v, d)
    doers = [v for _, v, _, _ in dischargers]
    for body in doers:
        _partners(chain, body)
    reached = _upward(chain, doers + [v for _, v, _, _ in holders])
    _inspectors(chain, reached, year)
    for u, v, _, d in in_edges(g, duty, ("concerns_duty",)):
        chain.link("recommendation", u, v, d)
    for body in doers:
        for u, v, _, d in in_edges(g, body, ("addressed_to",)):
            chain.link("recommendation", u, v, d)
    for u, v, _, d in out_edges(g, duty, ("serves_priority",)):
        chain.link("priority", u, v, d)


def _topic_bodies(chain: Chain, focus: Focus, year: int | None) -> None:
    """Bodies named for an aspect or theme ('Safeguarding' -> the LSCB), or at the date their predecessor/successor.

    A body qualifies when the topic's label (without any bracketed abbreviation) is a phrase of the body's label.
    When it does not hold at the date, its predecessors or successors that do are used instead (the ACPC in 2002
    for the LSCB), marked with how they are related.
    """
    g, full = chain.graph, chain.full
    phrase = norm(re.sub(r"\(.*?\)", "", focus.label))
    named = [n for n, d in full.nodes(data=True) if d["kind"] == "body" and f" {phrase} " in f" {norm(d['label'])} "]
    for body in sorted(named):
        picks = [(body, "named for the topic", {})] if body in g else []
        if not picks:
            picks += [
                (p, f"predecessor of {name(full, body)}", {"inferred": dict(successors(full, p)).get(body, False)})
                for p in predecessors(full, body)
            ]
            picks += [(n, f"successor of {name(full, body)}", {"inferred": inf}) for n, inf in successors(full, body)]
            picks = [p for p in picks if p[0] in g]
        for pick, relation, extra in picks:
            chain.link("body", pick, pick, {**full.nodes[pick], **extra}, relation=relation, subject=focus.label)
            _body_chain(chain, pick, year)


def _theme_chain(chain: Chain, theme: str, year: int | None) -> None:
    """Recommendations of a theme, their addressees and the addressees' chain upward and inspectors."""
    g = chain.graph
    recs = [n for n, d in g.nodes(data=True) if d["kind"] == "recommendation" and theme in d.get("themes", [])]
    addressees = []
    for rec in sorted(recs):
        for u, v, _, d in out_edges(g, rec, ("addressed_to", "concerns", "concerns_duty")):
            chain.link("recommendation", u, v, d)
            addressees.append(v)
    bodies = [b for b in dict.fromkeys(addressees) if g.nodes[b]["kind"] in ("body", "school")]
    reached = _upward(chain, bodies)
    _inspectors(chain, reached, year)


def _body_chain(chain: Chain, body: str, year: int | None) -> None:
    """A body's duties, chain upward, partners, inspectors and the recommendations addressed to it."""
    g = chain.graph
    for relation, step in (("held_by", "holder"), ("discharged_by", "discharger"), ("requires_body", "partner")):
        for u, v, _, d in in_edges(g, body, (relation,)):
            chain.link(step, u, v, d)
    reached = _upward(chain, [body])
    _partners(chain, body)
    for u, v, _, d in in_edges(g, body, ("member-of",)):
        chain.link("partner", u, v, d)
    _inspectors(chain, reached, year)
    for u, v, _, d in in_edges(g, body, ("addressed_to",)):
        chain.link("recommendation", u, v, d)


def who(graph: nx.MultiDiGraph, text: str, year: int | None = None) -> Table:
    """The chain of responsibility for what the text names, at a year (or across all years)."""
    found = resolve(graph, text)
    foci = found.foci
    view = at(graph, year)
    chain = Chain(view, graph)
    notes = [f"also matches {f.kind} {f.id} ({f.label}); ask for it by id" for f in found.others]
    for focus in foci:
        notes += _answer(chain, focus, year)
    when = f" in {year}" if year is not None else " (all years)"
    title = " / ".join(f"{f.kind} {f.id.split('/')[-1] if f.kind == 'duty' else f.label}" for f in foci)
    rows = chain.sorted_rows()
    if not rows:
        notes.append("nothing in the graph links to it at this date; try without --at, or another year")
    return Table(f"who: {title}{when}", WHO_COLUMNS, rows, notes, WHO_HIDDEN)


def _answer(chain: Chain, focus: Focus, year: int | None) -> list[str]:
    """Fill the chain for one focus; return notes about what does not hold at the date."""
    g, full = chain.graph, chain.full
    if focus.kind == "duty":
        if focus.id not in g:
            return [f"{focus.id} holds {years_text(full.nodes[focus.id])} by its sources, not in {year}"]
        _duty_chain(chain, focus.id, year)
    elif focus.kind == "aspect":
        _topic_bodies(chain, focus, year)
        duties = sorted(n for n, d in g.nodes(data=True) if d["kind"] == "duty" and d["aspect"] == focus.id)
        for duty in duties:
            _duty_chain(chain, duty, year)
        if not duties:
            return [
                f"no duty of aspect {focus.id} holds in {year} (Appendix C duties are attested by the 2020 strategy)"
            ]
    elif focus.kind == "theme":
        _topic_bodies(chain, focus, year)
        _theme_chain(chain, focus.id, year)
    elif focus.id in g:
        _body_chain(chain, focus.id, year)
    else:
        return [f"{full.nodes[focus.id]['label']} holds {years_text(full.nodes[focus.id])}, not in {year}"]
    return []
