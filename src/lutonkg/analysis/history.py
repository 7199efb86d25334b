"""Change over time: a body's timeline (lifespan, reorganisations, responsibilities gained and lost) and the
difference between two dated snapshots (bodies appeared, disappeared or succeeded; responsibilities moved;
recommendations opened and closed)."""

from __future__ import annotations

import networkx as nx

from lutonkg.analysis.graphview import (
    RESPONSIBILITY,
    at,
    citation_cells,
    in_edges,
    name,
    successors,
    years_text,
)
from lutonkg.analysis.lookup import LookupError_, resolve
from lutonkg.analysis.timespan import format_ranges, ranges
from lutonkg.table import Table

TIMELINE_COLUMNS = ["body", "what", "when", "detail", "basis", "document", "locator"]
DIFF_COLUMNS = ["change", "item", "detail", "document", "locator"]
HIDDEN = ["id", "citations"]
MAIN_TYPES = ("local-authority", "statutory-capacity", "directorate")
DUTY_TYPES = ("partnership", "office", "committee", "service", "team")
RESP_TEXT = {
    "held_by": "holds",
    "discharged_by": "discharges",
    "addressed_to": "is addressed",
    "requires_body": "is required by",
}


def main_bodies(graph: nx.MultiDiGraph) -> list[str]:
    """The bodies a governance timeline is about: the council, its statutory capacities and directorates, every
    body in a succession or renaming, and partnerships, offices, committees, services and teams that hold or
    discharge a duty or are addressed by a recommendation."""
    picked = {n for n, d in graph.nodes(data=True) if d.get("body_type") in MAIN_TYPES}
    for e in graph.graph.get("changes", []):
        if e["kind"] in ("succession", "renaming", "merger"):
            picked |= set(e["original"]) | set(e["resulting"])
    for _, v, d in graph.edges(data=True):
        if d["relation"] in RESPONSIBILITY and graph.nodes[v].get("body_type") in DUTY_TYPES:
            picked.add(v)
    return sorted(picked, key=lambda n: (min(graph.nodes[n]["years"], default=9999), graph.nodes[n]["label"]))


def event_when(graph: nx.MultiDiGraph, event: dict) -> str:
    """When a change happened: its stated date, each date the sources give where they disagree, or the interval the
    documents allow."""
    if event["date"]:
        return event["date"]
    if event.get("date_disputed"):
        given = [f"{c['value']} ({c['citations'][0][0] if c['citations'] else '?'})" for c in event["date_claims"]]
        return " or ".join(given) + ": sources disagree"
    docs = graph.graph["documents"]
    if event["inferred"]:
        first = min((y for b in event["resulting"] if b in graph for y in graph.nodes[b]["attested_years"]), default=0)
        last = max(
            (y for b in event["original"] if b in graph for y in graph.nodes[b]["attested_years"] if y < first),
            default=0,
        )
        if first and last:
            return f"between {last} and {first}"
    reported = sorted(docs[d]["date"] for d in event["attested"])
    return f"by {reported[0]}" if reported else ""


def _when_key(when: str) -> str:
    """Sort key for an event's 'when': its last stated year or date ('between 2002 and 2008' -> '2008'), or its first
    where the sources disagree."""
    if when.endswith("sources disagree"):
        return when.split()[0]
    return when.split()[-1] if when else ""


def event_detail(graph: nx.MultiDiGraph, event: dict) -> str:
    """'A, B -> C' for a change event, by body labels."""
    before = ", ".join(name(graph, b) for b in event["original"] if b in graph)
    after = ", ".join(name(graph, b) for b in event["resulting"] if b in graph)
    return f"{before} -> {after}" if before else f"-> {after}"


def _event_row(graph: nx.MultiDiGraph, event: dict, body: str = "") -> dict:
    """One timeline row for a change event."""
    basis = f"inferred: {event['basis']}" if event["inferred"] else "stated"
    return {
        "body": body or ", ".join(name(graph, b) for b in (event["original"] or event["resulting"]) if b in graph),
        "what": event["kind"],
        "when": event_when(graph, event),
        "detail": event_detail(graph, event),
        "basis": basis,
        "id": event["id"],
        **citation_cells(event),
    }


def _date_claim_row(graph: nx.MultiDiGraph, event: dict, claim: dict, body: str) -> dict:
    """One timeline row for a claim that dates a change event: what one source says, kept beside the others."""
    rank = f"; ranked {claim['rank']}" if claim["rank"] and claim["rank"] != "normal" else ""
    disputed = "; sources disagree" if event.get("date_disputed") else ""
    return {
        "body": body,
        "what": f"{event['kind']} date (claim)",
        "when": claim["value"],
        "detail": claim["statement"],
        "basis": f"stated{disputed}{rank}",
        "id": claim["id"],
        **citation_cells(claim),
    }


def _lifespan_row(graph: nx.MultiDiGraph, body: str) -> dict:
    """One timeline row for a body's lifespan: held years, attesting documents and stated dates."""
    d = graph.nodes[body]
    docs = graph.graph["documents"]
    attested = ", ".join(f"{doc} ({docs[doc]['date']})" for doc in d["attested"])
    stated = " ".join(
        x for x in (f"from {d['valid_from']}" * bool(d["valid_from"]), f"to {d['valid_to']}" * bool(d["valid_to"])) if x
    )
    return {
        "body": d["label"],
        "what": "holds",
        "when": years_text(d),
        "detail": f"attested in {attested}"
        + (f"; named in links of {', '.join(d.get('named_in', []))}" if d.get("named_in") else "")
        + (f"; stated {stated}" if stated else ""),
        "basis": "stated" if stated else "attested",
        "id": body,
        **citation_cells(d),
    }


def _responsibility_rows(graph: nx.MultiDiGraph, body: str) -> list[dict]:
    """Responsibilities (duties held or discharged, recommendations addressed) a body gained and lost, by year.

    Each run of years in which a link holds (with both ends holding) is gained in its first year and lost in the
    year after its last, unless that is beyond the last source document. Items gained or lost in the same year,
    the same way and for the same reason share one row.
    """
    d = graph.nodes[body]
    last_doc = max(doc["year"] for doc in graph.graph["documents"].values())
    groups: dict[tuple[str, int, str, str], list[tuple[str, dict]]] = {}
    for u, _, _, e in in_edges(graph, body, RESPONSIBILITY + ("requires_body",)):
        held = set(e["years"]) & set(d["years"]) & set(graph.nodes[u]["years"])
        for first, last in ranges(held):
            groups.setdefault(("gained", first, e["relation"], ""), []).append((u, e))
            if last < last_doc:
                groups.setdefault(("lost", last + 1, e["relation"], _why_lost(graph, body, u, last)), []).append((u, e))
    rows = []
    for (what, year, relation, why), items in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0], kv[0][2])):
        ids = [u for u, _ in items]
        shown = ", ".join(name(graph, u, 40) if len(ids) == 1 else u.split("/", 1)[1] for u in ids[:8])
        more = f" and {len(ids) - 8} more" if len(ids) > 8 else ""
        count = f" ({len(ids)})" if len(ids) > 1 else ""
        rows.append(
            {
                "body": d["label"], "what": what, "when": str(year), "basis": "attested",
                "detail": f"{RESP_TEXT[relation]}{count}: {shown}{more}{why}", "id": ids,
                **citation_cells(items[0][1]),
            }
        )  # fmt: skip
    return rows


def _why_lost(graph: nx.MultiDiGraph, body: str, item: str, last: int) -> str:
    """Why a responsibility stops after `last`: the body ended (and who succeeded it) or the item closed."""
    if last in graph.nodes[body]["years"] and last + 1 not in graph.nodes[body]["years"]:
        after = [f"{name(graph, s)}{' (inferred)' if inf else ''}" for s, inf in successors(graph, body)]
        return f"; the body ends, succeeded by {', '.join(after)}" if after else "; the body is no longer attested"
    if last + 1 not in graph.nodes[item]["years"]:
        return "; closed, or no longer followed up"
    return ""


def timeline(graph: nx.MultiDiGraph, text: str | None = None) -> Table:
    """A body's lifespan, change events and responsibilities gained and lost; or the main bodies' lifespans and
    every reorganisation when no body is given."""
    if text:
        found = resolve(graph, text)
        bodies = [f.id for f in found.foci if f.kind == "body"]
        if not bodies:
            raise LookupError_(
                f"{text!r} is not a body ({found.foci[0].kind} {found.foci[0].id}); timeline takes a body"
            )
        rows = []
        for body in bodies:
            rows.append(_lifespan_row(graph, body))
            events = [e for e in graph.graph["changes"] if body in e["original"] or body in e["resulting"]]
            rows += [_event_row(graph, e, graph.nodes[body]["label"]) for e in events]
            rows += [_date_claim_row(graph, e, c, graph.nodes[body]["label"]) for e in events for c in e["date_claims"]]
            rows += _responsibility_rows(graph, body)
        return Table(f"timeline: {', '.join(bodies)}", TIMELINE_COLUMNS, rows, [], HIDDEN)
    rows = [_lifespan_row(graph, b) for b in main_bodies(graph)]
    events = sorted(graph.graph["changes"], key=lambda e: (_when_key(event_when(graph, e)), e["id"]))
    rows += [_event_row(graph, e) for e in events]
    note = (
        "lifespans of the council, its statutory capacities and directorates, bodies in successions, and bodies "
        "with duties or recommendations; then every change event"
    )
    return Table("timeline: main bodies and every change event", TIMELINE_COLUMNS, rows, [note], HIDDEN)


def _responsible(view: nx.MultiDiGraph, node: str) -> set[str]:
    """Bodies responsible for a duty or recommendation in a snapshot."""
    if node not in view:
        return set()
    return {v for _, v, d in view.out_edges(node, data=True) if d["relation"] in RESPONSIBILITY}


def _diff_row(change: str, item: str, detail: str, attrs: dict, ident: str) -> dict:
    """One row of a diff."""
    return {"change": change, "item": item, "detail": detail, "id": ident, **citation_cells(attrs)}


def diff(graph: nx.MultiDiGraph, first: int, second: int) -> Table:
    """What changed between two years' snapshots (see module docstring), most telling changes first."""
    if first >= second:
        first, second = second, first
    a, b = at(graph, first), at(graph, second)
    rows: list[dict] = []
    ended_by_event: set[str] = set()
    for e in graph.graph["changes"]:
        before = [x for x in e["original"] if x in a and x not in b and x not in e["resulting"]]
        after = [x for x in e["resulting"] if x in b and x not in a]
        if before and after:
            ended_by_event |= set(before) | set(after)
            how = "inferred" if e["inferred"] else "stated"
            rows.append(
                _diff_row(f"body {e['kind']}", event_detail(graph, e), f"{how}; {event_when(graph, e)}", e, e["id"])
            )
    rows += _moved(graph, a, b)
    rows += _recommendation_changes(graph, first, second)
    for change, here, there in (("body appeared", b, a), ("body disappeared", a, b)):
        gone = [n for n in here if n not in there and here.nodes[n]["kind"] == "body" and n not in ended_by_event]
        for n in sorted(gone, key=lambda n: graph.nodes[n]["label"].casefold()):
            d = graph.nodes[n]
            rows.append(_diff_row(change, d["label"], f"{d['body_type']}; holds {years_text(d)}", d, n))
        schools = [n for n in here if n not in there and here.nodes[n]["kind"] == "school"]
        if schools:
            docs = sorted({doc for n in schools for doc in graph.nodes[n]["attested"]})
            rows.append({"change": change.replace("body", "schools"), "item": f"{len(schools)} schools",
                         "detail": f"attested in {', '.join(docs)}", "id": "", "document": docs[0], "locator": "",
                         "citations": []})  # fmt: skip
    notes = [f"snapshot {first}: {a.number_of_nodes()} nodes, {a.number_of_edges()} links; "
             f"snapshot {second}: {b.number_of_nodes()} nodes, {b.number_of_edges()} links"]  # fmt: skip
    return Table(f"diff {first} -> {second}", DIFF_COLUMNS, rows, notes, HIDDEN)


def _moved(graph: nx.MultiDiGraph, a: nx.MultiDiGraph, b: nx.MultiDiGraph) -> list[dict]:
    """Duties and recommendations current in both years whose responsible bodies differ."""
    rows = []
    for node in sorted(n for n in a if n in b and graph.nodes[n]["kind"] in ("duty", "recommendation")):
        was, now = _responsible(a, node), _responsible(b, node)
        if was == now:
            continue
        heirs = []
        for body in sorted(was - now):
            heirs += [
                f"{name(graph, s)}{' (inferred succession)' if inf else ''}" for s, inf in successors(graph, body)
            ]
        to = ", ".join(name(graph, n) for n in sorted(now))
        if heirs and not to:
            to = f"{', '.join(heirs)} (by succession; the source names the former)"
        detail = f"from {', '.join(name(graph, n) for n in sorted(was)) or 'none'} to {to or 'no body at this date'}"
        rows.append(_diff_row("responsibility moved", name(graph, node), detail, graph.nodes[node], node))
    return rows


def _recommendation_changes(graph: nx.MultiDiGraph, first: int, second: int) -> list[dict]:
    """Recommendations made, found addressed, or followed up (still open, partly, recurring) in (first, second]."""
    rows = []
    for node, d in sorted(graph.nodes(data=True)):
        if d["kind"] != "recommendation":
            continue
        if first < d["made_year"] <= second:
            to = ", ".join(
                name(graph, v) for _, v, e in graph.out_edges(node, data=True) if e["relation"] == "addressed_to"
            )
            rows.append(_diff_row("recommendation opened", name(graph, node), f"made in {d['doc']}; to {to}", d, node))
        seen = set()
        for ev in d["evidence"]:
            if ev["year"] is None or not first < ev["year"] <= second or (ev["doc"], ev["status"]) in seen:
                continue
            seen.add((ev["doc"], ev["status"]))
            change = "recommendation closed" if ev["status"] == "addressed" else f"recommendation {ev['status']}"
            cites = {"citations": [(ev["doc"], ev["locator"], ev["anchor"])], "inferred": True}
            rows.append(_diff_row(change, name(graph, node), f"curators' assessment: {ev['summary']}", cites, node))
    order = ["recommendation closed", "recommendation opened"]
    return sorted(rows, key=lambda r: (order.index(r["change"]) if r["change"] in order else 2, r["change"], r["id"]))


__all__ = ["diff", "format_ranges", "main_bodies", "timeline"]
