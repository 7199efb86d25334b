"""The built RDF graph as a typed networkx MultiDiGraph, and dated snapshots of it.

`project(store)` reads `graph/lutonkg.nq` (through the pyoxigraph store) into one `networkx.MultiDiGraph`:

- nodes, keyed by their IRI without the base (`body/luton-lea`, `school/dallow-primary`, `duty/lado-manage-allegations`,
  `legislation/ukpga/1996/56/section/13`, `inspection/lea-inspection-2002`, `recommendation/lea2002-r05`,
  `priority/sp1`), each with `kind` (body | school | duty | legislation | inspection | recommendation | priority),
  `label`, `iri`, `body_type`, `attested` (document ids), `attested_years`, `valid_from`/`valid_to` (as stated),
  `citations` and `years` (the years it holds, by the rules in `lutonkg.analysis.timespan`);
- edges, keyed by a stable id, each with `relation`, `valid_from`/`valid_to`, `attested`, `years`, `documents`,
  `citations` ((document, locator, anchor) triples) and `inferred` (curators' judgement, not a source's statement):
  the qualified `lkg:Relationship`s (part-of, member-of, accountable-to, oversees, works-with ...), duty links
  (held_by, discharged_by, legal_basis, requires_body, serves_priority), recommendation links (addressed_to,
  concerns, concerns_duty), inspection links (conducts: inspectorate -> inspection, inspects: inspection -> body)
  and change events (succeeded_by, renamed_to, merged_into, restructured_into, from original to resulting body).

`snapshot(graph, year)` is the read-only view of what holds in that year: nodes whose `years` contain it, and edges
whose `years` contain it and whose two ends hold. The rules are in `lutonkg.analysis.timespan` and docs/analysis.md.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import networkx as nx
import pyoxigraph as ox

from lutonkg.analysis import network_queries as q
from lutonkg.analysis.timespan import (
    Change,
    event_bounds,
    held_years,
    inspection_years,
    legislation_years,
    recommendation_years,
    year_of,
)
from lutonkg.project import find_project
from lutonkg.query.store import select, store_from_file

BASE = "https://w3id.org/lutonkg/id/"
LEGISLATION_BASE = "http://www.legislation.gov.uk/id/"
LKG = "https://w3id.org/lutonkg/def/"
CHANGE_RELATION = {
    "succession": "succeeded_by",
    "renaming": "renamed_to",
    "merger": "merged_into",
    "restructure": "restructured_into",
    "abolition": "succeeded_by",
    "status-change": "became",
}
LEGISLATION_KIND = {"Act": "act", "ActSection": "section", "StatutoryInstrument": "instrument"}
Citation = tuple[str, str, str]
BODY_KINDS = ("body", "school")


def key(iri: str) -> str:
    """A node key: the IRI without the project or legislation.gov.uk base ('body/luton-lea')."""
    if iri.startswith(BASE):
        return iri[len(BASE) :]
    if iri.startswith(LEGISLATION_BASE):
        return "legislation/" + iri[len(LEGISLATION_BASE) :]
    return iri


def slug(iri: str) -> str:
    """The last path segment of an IRI ('…/concept/theme/sen' -> 'sen')."""
    return iri.rstrip("/").rsplit("/", 1)[-1]


def _loc_order(loc: str) -> tuple:
    """Sort key for locators that puts 'para 9' before 'para 10'."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", loc))


class _Reader:
    """Runs the projection queries once and keeps the shared lookups (documents, citations, attestation, dates)."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self.docs = {
            slug(r["doc"]): {
                "label": r["label"],
                "title": r["title"],
                "date": r["issued"],
                "year": year_of(r["issued"]),
            }
            for r in self.rows(q.DOCUMENTS)
        }
        self.citations: dict[str, list[Citation]] = defaultdict(list)
        for r in self.rows(q.CITATIONS):
            self.citations[r["x"]].append((slug(r["doc"]), r["loc"], r["anchor"]))
        for cites in self.citations.values():
            cites.sort(key=lambda c: (self.docs.get(c[0], {}).get("date", ""), c[0], _loc_order(c[1]), c[2]))
        self.attested: dict[str, set[str]] = defaultdict(set)
        for r in self.rows(q.ATTESTED):
            self.attested[r["x"]].add(slug(r["doc"]))
        self.stated: dict[str, dict[str, str]] = defaultdict(dict)
        for r in self.rows(q.STATED):
            for side in ("from", "to"):
                if r[side]:
                    old = self.stated[r["x"]].get(side)
                    pick = min if side == "from" else max
                    self.stated[r["x"]][side] = pick(old, r[side]) if old else r[side]
        self.labels = {r["x"]: r["label"] for r in self.rows(q.LABELS)}

    def rows(self, query: str) -> list[dict[str, str | None]]:
        """Rows of one projection query, in a stable order."""
        rows = select(self.store, q.PREFIXES + query)
        return sorted(rows, key=lambda r: tuple(str(v) for v in r.values()))

    def docs_of(self, iri: str) -> list[str]:
        """Documents attesting a node, oldest first."""
        return sorted(self.attested.get(iri, ()), key=lambda d: (self.docs[d]["date"], d))

    def doc_years(self, iri: str) -> list[int]:
        """Years of the documents attesting a node."""
        return [self.docs[d]["year"] for d in self.docs_of(iri)]

    def provenance(self, iri: str) -> dict:
        """The attributes every node and edge carries: attestation, stated dates and citations."""
        docs = self.docs_of(iri)
        stated = self.stated.get(iri, {})
        cites = self.citations.get(iri, [])
        return {
            "attested": docs,
            "attested_years": sorted({self.docs[d]["year"] for d in docs}),
            "valid_from": stated.get("from", ""),
            "valid_to": stated.get("to", ""),
            "citations": list(cites),
            "documents": sorted({c[0] for c in cites} | set(docs), key=lambda d: (self.docs[d]["date"], d)),
        }

    def label(self, iri: str) -> str:
        """A concept's preferred label, or its slug."""
        return self.labels.get(iri, slug(iri))


def _add_bodies(g: nx.MultiDiGraph, rd: _Reader) -> None:
    """Bodies and schools, with their type, labels and provenance (years are set later, after change events)."""
    alts: dict[str, list[str]] = defaultdict(list)
    for r in rd.rows(q.ALT_LABELS):
        alts[r["b"]].append(r["alt"])
    for r in rd.rows(q.BODIES):
        node = key(r["b"])
        if node in g:
            continue
        body_type = slug(r["type"])
        g.add_node(
            node,
            kind="school" if body_type == "school" else "body",
            label=r["label"],
            iri=r["b"],
            body_type=body_type,
            alt_labels=sorted(alts.get(r["b"], [])),
            description=r["description"] or "",
            **rd.provenance(r["b"]),
        )


def _add_relationships(g: nx.MultiDiGraph, rd: _Reader) -> None:
    """Each qualified lkg:Relationship as one edge subject -> object."""
    roles: dict[str, list[str]] = defaultdict(list)
    rels: dict[str, dict] = {}
    for r in rd.rows(q.RELATIONSHIPS):
        rels[r["r"]] = r
        if r["role"]:
            roles[r["r"]].append(r["role"])
    for iri, r in sorted(rels.items()):
        prov = rd.provenance(iri)
        stated = rd.stated.get(iri, {})
        years = held_years(rd.doc_years(iri), year_of(stated.get("from")), year_of(stated.get("to")))
        g.add_edge(
            key(r["s"]),
            key(r["o"]),
            key=key(iri),
            relation=slug(r["type"]),
            role=", ".join(sorted(roles.get(iri, []))),
            inferred=r["inferred"] == "true",
            years=years,
            **prov,
        )


def _read_changes(rd: _Reader) -> list[dict]:
    """The change events with their original and resulting bodies, kind, date, basis and citations."""
    events: dict[str, dict] = {}
    for r in rd.rows(q.EVENTS):
        e = events.setdefault(
            r["e"],
            {
                "id": slug(r["e"]),
                "iri": r["e"],
                "kind": slug(r["kind"]),
                "date": r["date"] or "",
                "inferred": r["inferred"] == "true",
                "basis": r["basis"] or "",
                "label": r["label"],
                "original": set(),
                "resulting": set(),
                **rd.provenance(r["e"]),
            },
        )
        if r["body"]:
            e[r["side"]].add(key(r["body"]))
    for e in events.values():
        e["original"], e["resulting"] = sorted(e["original"]), sorted(e["resulting"])
    return [events[k] for k in sorted(events)]


def _body_doc_years(g: nx.MultiDiGraph, rd: _Reader) -> dict[str, list[int]]:
    """Years of the documents that attest each body or name it in a link (rule 1); records `named_in` on the body."""
    found: dict[str, set[str]] = {n: set(d["attested"]) for n, d in g.nodes(data=True) if d["kind"] in BODY_KINDS}
    for u, v, d in g.edges(data=True):
        if d["relation"] not in CHANGE_RELATION.values():
            for end in (u, v):
                if end in found:
                    found[end] |= set(d["documents"])
    for node, docs in found.items():
        g.nodes[node]["named_in"] = sorted(docs - set(g.nodes[node]["attested"]), key=lambda x: (rd.docs[x]["date"], x))
    return {node: [rd.docs[d]["year"] for d in docs] for node, docs in found.items()}


def _set_body_years(g: nx.MultiDiGraph, rd: _Reader, changes: list[dict]) -> None:
    """Apply rules 1-4 to every body: attestation window, stated dates, change-event bounds, evidence over inference."""
    doc_years = _body_doc_years(g, rd)
    raw: dict[str, frozenset[int]] = {}
    for node, years in doc_years.items():
        attrs = g.nodes[node]
        raw[node] = held_years(years, year_of(attrs["valid_from"]), year_of(attrs["valid_to"]))
    first = {node: min(years) for node, years in raw.items() if years}
    bounds = event_bounds(
        [
            Change(
                frozenset(e["original"]),
                frozenset(e["resulting"]),
                e["kind"],
                year_of(e["date"]),
                tuple(rd.docs[d]["year"] for d in e["attested"]),
                e["inferred"],
            )
            for e in changes
            if not e.get("date_disputed")
        ],
        first,
    )
    for node, years in doc_years.items():
        attrs = g.nodes[node]
        attrs["years"] = held_years(
            years,
            year_of(attrs["valid_from"]),
            year_of(attrs["valid_to"]),
            bounds.not_before.get(node),
            bounds.not_after.get(node),
            reopen_after_end=node in bounds.reopen,
        )


def _add_changes(g: nx.MultiDiGraph, changes: list[dict]) -> None:
    """Change events as edges from each ended original to each new resulting body (a restructure that ends nothing
    adds no edge); every event is also kept, whole, in `graph.graph["changes"]`."""
    g.graph["changes"] = changes
    for e in changes:
        relation = CHANGE_RELATION.get(e["kind"])
        ends = [b for b in e["original"] if b not in e["resulting"]]
        starts = [b for b in e["resulting"] if b not in e["original"]]
        for a in ends if relation else ():
            for b in starts:
                year = year_of(e["date"])
                g.add_edge(
                    a,
                    b,
                    key=f"{e['id']}:{a}>{b}",
                    relation=relation,
                    event=e["id"],
                    event_kind=e["kind"],
                    date=e["date"],
                    basis=e["basis"],
                    inferred=e["inferred"],
                    years=frozenset({year}) if year else frozenset(),
                    **{k: e[k] for k in ("attested", "attested_years", "citations", "documents")},
                    valid_from=e["date"],
                    valid_to=e["date"],
                )


def _add_legislation(g: nx.MultiDiGraph, rd: _Reader) -> None:
    """Acts, sections, instruments and guidance cited as legal bases, holding from their year."""
    rows = rd.rows(q.LEGISLATION)
    years = {r["l"]: int(r["year"]) for r in rows if r["year"]}
    for r in rows:
        year = years.get(r["l"]) or years.get(r["act"] or "")
        g.add_node(
            key(r["l"]),
            kind="legislation",
            legislation_kind=LEGISLATION_KIND.get(slug(r["cls"]), "guidance"),
            label=r["label"],
            iri=r["l"],
            year=year or "",
            part_of=key(r["act"]) if r["act"] else "",
            years=legislation_years(year) if year else held_years(rd.doc_years(r["l"])),
            **rd.provenance(r["l"]),
        )


def _duty_edge(g: nx.MultiDiGraph, duty: str, target: str, relation: str, attrs: dict, **extra: object) -> None:
    """One link from a duty, carrying the duty row's (or a responsibility's) provenance and years."""
    data = {k: attrs[k] for k in ("attested", "attested_years", "citations", "documents", "years")}
    data.update({"valid_from": "", "valid_to": "", "inferred": False, **extra})
    g.add_edge(duty, target, key=f"{duty}:{relation}:{target}", relation=relation, **data)


def _add_duties(g: nx.MultiDiGraph, rd: _Reader) -> None:
    """Appendix C duties with holder, legal basis, discharging bodies, required bodies and priorities served."""
    links: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for r in rd.rows(q.DUTY_LINKS):
        links[r["d"]].append((slug(r["p"]), r["o"]))
    for r in rd.rows(q.DUTIES):
        node = key(r["d"])
        prov = rd.provenance(r["d"])
        g.add_node(
            node,
            kind="duty",
            label=r["label"],
            iri=r["d"],
            duty_id=r["id"],
            aspect=slug(r["aspect"]),
            aspect_label=rd.label(r["aspect"]),
            duty_kind=slug(r["kind"]),
            holder_roles=sorted(rd.label(o) for p, o in links[r["d"]] if p == "holderRole"),
            no_named_discharger=r["none"] == "true",
            years=held_years(rd.doc_years(r["d"])),
            **prov,
        )
        attrs = g.nodes[node]
        for p, o in sorted(links[r["d"]]):
            target = key(o)
            if p == "heldBy":
                _duty_edge(g, node, target, "held_by", attrs)
            elif p == "legalBasis" and target in g:
                _duty_edge(g, node, target, "legal_basis", attrs)
            elif p == "requiresBody":
                _duty_edge(g, node, target, "requires_body", attrs)
            elif p == "servesPriority":
                _duty_edge(g, node, target, "serves_priority", {**attrs, "citations": []}, inferred=True)
    for r in rd.rows(q.RESPONSIBILITIES):
        resp = {**rd.provenance(r["r"]), "years": held_years(rd.doc_years(r["r"]))}
        _duty_edge(g, key(r["d"]), key(r["b"]), "discharged_by", resp)


def _add_priorities(g: nx.MultiDiGraph, rd: _Reader) -> None:
    """The 2020 strategy's priorities SP1-SP6."""
    for r in rd.rows(q.PRIORITIES):
        g.add_node(
            key(r["p"]), kind="priority", label=r["label"], iri=r["p"], years=held_years(rd.doc_years(r["p"])),
            **rd.provenance(r["p"]),
        )  # fmt: skip


def _add_inspections(g: nx.MultiDiGraph, rd: _Reader) -> None:
    """Inspections, who conducted them and whom they inspected."""
    found: dict[str, dict] = {}
    for r in rd.rows(q.INSPECTIONS):
        found.setdefault(r["i"], {**r, "links": []})["links"].append((r["p"], r["o"]))
    for iri, r in sorted(found.items()):
        node = key(iri)
        stated = rd.stated.get(iri, {})
        report = slug(r["report"])
        years = inspection_years(year_of(stated.get("from")), year_of(stated.get("to")), rd.docs[report]["year"])
        prov = rd.provenance(iri)
        prov["citations"].sort(key=lambda c: c[0] != report)
        g.add_node(
            node, kind="inspection", label=r["label"], iri=iri, inspection_kind=slug(r["kind"]), reported_in=report,
            years=years, **prov,
        )  # fmt: skip
        attrs = g.nodes[node]
        for p, o in sorted((p, o) for p, o in r["links"] if p):
            data = {k: attrs[k] for k in ("attested", "attested_years", "citations", "documents", "years")}
            data.update(valid_from=attrs["valid_from"], valid_to=attrs["valid_to"], inferred=False)
            if p.endswith("wasAssociatedWith"):
                g.add_edge(key(o), node, key=f"{key(o)}:conducts:{node}", relation="conducts", **data)
            else:
                g.add_edge(node, key(o), key=f"{node}:inspects:{key(o)}", relation="inspects", **data)


def _read_evidence(rd: _Reader) -> dict[str, list[dict]]:
    """Curators' follow-up evidence per recommendation: status, the later document, locator and summary."""
    found: dict[str, list[dict]] = defaultdict(list)
    for r in rd.rows(q.EVIDENCE):
        for doc, loc, anchor in rd.citations.get(r["e"], []) or [("", "", "")]:
            found[r["r"]].append(
                {
                    "id": slug(r["e"]),
                    "status": slug(r["status"]),
                    "doc": doc,
                    "year": rd.docs[doc]["year"] if doc else None,
                    "locator": loc,
                    "anchor": anchor,
                    "summary": r["label"],
                }
            )
    for items in found.values():
        items.sort(key=lambda e: (rd.docs[e["doc"]]["date"] if e["doc"] else "", e["id"], _loc_order(e["locator"])))
    return found


def _add_recommendations(g: nx.MultiDiGraph, rd: _Reader) -> None:
    """Recommendations with their themes and follow-up evidence, and links to addressees, bodies and duties."""
    evidence = _read_evidence(rd)
    found: dict[str, dict] = {}
    for r in rd.rows(q.RECOMMENDATIONS):
        found.setdefault(r["r"], {**r, "links": []})["links"].append((r["p"], r["o"]))
    g.graph["themes"] = {}
    for iri, r in sorted(found.items()):
        node, doc = key(iri), slug(r["doc"])
        themes = sorted(slug(o) for p, o in r["links"] if p and p.endswith("subject"))
        for p, o in r["links"]:
            if p and p.endswith("subject"):
                g.graph["themes"][slug(o)] = rd.label(o)
        made = rd.docs[doc]["year"]
        ev = evidence.get(iri, [])
        g.add_node(
            node, kind="recommendation", label=r["label"], iri=iri, rec_id=r["id"], doc=doc, made_year=made,
            priority_level=slug(r["level"]), themes=themes, evidence=ev,
            years=recommendation_years(made, [(e["year"], e["status"]) for e in ev if e["year"] is not None]),
            **rd.provenance(iri),
        )  # fmt: skip
        attrs = g.nodes[node]
        relations = {"addressedTo": "addressed_to", "concerns": "concerns", "concernsDuty": "concerns_duty"}
        for p, o in sorted((p, o) for p, o in r["links"] if p):
            relation = relations.get(p.rsplit("/", 1)[-1])
            if relation and key(o) in g:
                data = {k: attrs[k] for k in ("attested", "attested_years", "citations", "documents", "years")}
                g.add_edge(
                    node, key(o), key=f"{node}:{relation}:{key(o)}", relation=relation, valid_from="", valid_to="",
                    inferred=False, **data,
                )  # fmt: skip


def _read_claims(rd: _Reader) -> list[dict]:
    """Every claim with topic, subject body, value, date and citations (used for capacity beside load)."""
    claims = []
    for r in rd.rows(q.CLAIMS):
        claims.append(
            {
                "id": slug(r["c"]),
                "topic": slug(r["topic"]),
                "about": key(r["about"]) if r["about"] else "",
                "value": r["value"] or "",
                "as_of": r["asof"] or "",
                "statement": r["label"],
                "event": slug(r["event"]) if r["event"] else "",
                "rank": slug(r["rank"]) if r["rank"] else "",
                "citations": rd.citations.get(r["c"], []),
            }
        )
    return claims


def _date_claims(changes: list[dict], claims: list[dict]) -> None:
    """Give each change event the claims that date it; an event whose claims disagree (and none is ranked preferred)
    is marked disputed, so that no rule takes one side of the disagreement."""
    by_event: dict[str, list[dict]] = defaultdict(list)
    for claim in claims:
        if claim["event"]:
            by_event[claim["event"]].append(claim)
    for e in changes:
        dated = sorted(by_event.get(e["id"], []), key=lambda c: (c["value"], c["id"]))
        e["date_claims"] = dated
        preferred = [c for c in dated if c["rank"] == "preferred"]
        e["date_disputed"] = len({c["value"] for c in dated}) > 1 and not preferred


def project(store: ox.Store) -> nx.MultiDiGraph:
    """The whole graph as a typed MultiDiGraph (module docstring); deterministic for the same store."""
    rd = _Reader(store)
    g = nx.MultiDiGraph(name="lutonkg")
    g.graph["documents"] = rd.docs
    _add_bodies(g, rd)
    _add_relationships(g, rd)
    _add_legislation(g, rd)
    _add_priorities(g, rd)
    _add_duties(g, rd)
    _add_inspections(g, rd)
    _add_recommendations(g, rd)
    changes = _read_changes(rd)
    g.graph["claims"] = _read_claims(rd)
    _date_claims(changes, g.graph["claims"])
    _add_changes(g, changes)
    _set_body_years(g, rd, changes)
    g.graph["aspects"] = {d["aspect"]: d["aspect_label"] for _, d in g.nodes(data=True) if d["kind"] == "duty"}
    dangling = sorted(n for n, kind in g.nodes(data="kind") if kind is None)
    g.remove_nodes_from(dangling)
    g.graph["dangling"] = dangling
    return g


def load(path: Path | None = None) -> nx.MultiDiGraph:
    """Project a built N-Quads file (by default the current project's graph/lutonkg.nq)."""
    return project(store_from_file(path or find_project().nquads))


def holds(attrs: dict, year: int) -> bool:
    """Whether a node or edge holds in a year, by its precomputed `years`."""
    return year in attrs.get("years", ())


def snapshot(graph: nx.MultiDiGraph, year: int) -> nx.MultiDiGraph:
    """Read-only view of what holds in `year`: nodes that hold, and edges that hold with both ends holding."""
    nodes = {n for n, attrs in graph.nodes(data=True) if holds(attrs, year)}
    view = nx.subgraph_view(
        graph,
        filter_node=lambda n: n in nodes,
        filter_edge=lambda u, v, k: u in nodes and v in nodes and holds(graph.edges[u, v, k], year),
    )
    view.graph = {**graph.graph, "year": year}
    return view


def nodes_of(graph: nx.MultiDiGraph, *kinds: str) -> list[str]:
    """Node keys of the given kinds, sorted."""
    return sorted(n for n, k in graph.nodes(data="kind") if k in kinds)


def edges_of(graph: nx.MultiDiGraph, relations: Iterable[str]) -> list[tuple[str, str, str, dict]]:
    """Edges with one of the relations, as (u, v, key, attrs), sorted by key."""
    wanted = set(relations)
    return sorted(
        ((u, v, k, d) for u, v, k, d in graph.edges(keys=True, data=True) if d["relation"] in wanted),
        key=lambda e: e[2],
    )
