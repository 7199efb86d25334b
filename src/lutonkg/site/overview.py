"""The site's overview pages: home, browse by kind, the recommendation tracker, the duty register, the timeline and
partnership network (SVG from `lutonkg.diagrams`), the query library (each query run for its default parameters)
and the ontology reference. Each function prepares one page's content from the entities' descriptions and renders
it through the site."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import quote

from lutonkg.entities.describe import Entity, Statement, key
from lutonkg.entities.index import GraphIndex, doc_id
from lutonkg.site.links import query_path

if TYPE_CHECKING:
    from lutonkg.site.build import Site

NAV = [
    ("index.html", "Home"), ("browse/index.html", "Browse"), ("tracker.html", "Recommendations"),
    ("duties.html", "Duty register"), ("timeline.html", "Timeline"), ("network.html", "Network"),
    ("queries/index.html", "Queries"), ("ontology.html", "Ontology"),
]  # fmt: skip
PAGES = [path for path, _ in NAV]
KIND_NAMES = {
    "body": "Bodies", "school": "Schools and settings", "duty": "Duties", "document": "Source documents",
    "inspection": "Inspections", "recommendation": "Recommendations", "judgement": "Judgements", "act": "Acts",
    "section": "Sections of Acts", "instrument": "Statutory instruments",
    "legislation": "Other legislation and guidance",
    "priority": "Strategic priorities", "strategy": "Council strategies", "aspect": "Aspects of duties",
    "theme": "Themes", "topic": "Claim topics", "function": "Functions and areas judged",
    "scheme": "Concept schemes", "relation": "Kinds of relationship", "body-type": "Types of body",
}  # fmt: skip
KIND_ORDER = list(KIND_NAMES)
FIGURES = "figures"


def kind_rank(kind: str) -> int:
    """Browsing order of a kind."""
    return KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)


def kind_name(kind: str) -> str:
    """A kind's heading ('Bodies', 'Concepts: school phase')."""
    return KIND_NAMES.get(kind) or "Concepts: " + kind.replace("-", " ")


def kind_path(kind: str) -> str:
    """The browse page of a kind."""
    return f"browse/{kind}.html"


def pages(site: Site) -> set[str]:
    """Every overview page the site will have."""
    from lutonkg.query.library import library

    return set(PAGES) | {kind_path(k) for k in site.kinds()} | {query_path(n) for n in library()}


def search_entries(index: GraphIndex, described: dict[str, Entity]) -> list[list[str]]:
    """The search index: [label, other names, kind, page] for every entity, by page."""
    from lutonkg.entities.index import DCTERMS
    from lutonkg.site.links import entity_path

    rows = []
    for iri, e in described.items():
        names = [*e.alt_labels, *(t.value for t in index.values(iri, DCTERMS + "identifier")), e.key]
        rows.append([e.label, " | ".join(dict.fromkeys(n for n in names if n != e.label)), e.kind_label,
                     entity_path(iri)])  # fmt: skip
    return sorted(rows, key=lambda r: r[3])


def render_all(site: Site) -> None:
    """Render every overview page."""
    for name, page in (("home", home), ("browse", browse), ("tracker", tracker), ("duty register", duties),
                       ("diagrams", diagrams), ("query library", queries), ("ontology", ontology)):  # fmt: skip
        site.step(f"overview: {name}")
        page(site)


# -- home and browse


def home(site: Site) -> None:
    """What the graph holds, the documents with full references, how to cite a page."""
    counts = Counter(e.kind for e in site.described.values())
    kinds = [(k, kind_name(k), counts[k]) for k in site.kinds()]
    cites = {c for e in site.described.values() for c in e.citations}
    cites |= {c for e in site.described.values() for s in e.statements for c in s.citations}
    statements = sum(1 for e in site.described.values() for s in e.statements if s.direction == "out")
    quads = sum(len(q) for q in site.index.by_subject.values())
    site.render("home.html", "index.html", kinds=kinds, documents=list(site.index.documents.values()),
                sources=site.documents, missing=site.missing, entities=len(site.described), cites=len(cites),
                statements=statements, quads=quads, facts=sum(len(f) for f in site.facts.values()))  # fmt: skip


def browse(site: Site) -> None:
    """The kinds of entity, and a page listing each kind's entities."""
    by_kind: dict[str, list[Entity]] = {}
    for e in site.described.values():
        by_kind.setdefault(e.kind, []).append(e)
    kinds = [(k, kind_name(k), len(by_kind[k])) for k in site.kinds()]
    site.render("browse.html", "browse/index.html", kinds=kinds)
    for k in site.kinds():
        members = sorted(by_kind[k], key=lambda e: (e.label.casefold(), e.key))
        site.render("kind.html", kind_path(k), kind=k, name=kind_name(k), members=members)


# -- the recommendation tracker


@dataclass
class TrackedRecommendation:
    """One recommendation in the tracker: where it was made, to whom, and the follow-up per later document."""

    entity: Entity
    made_in: str
    addressed: list[Statement]
    themes: list[Statement]
    cells: dict[str, list[Statement]] = field(default_factory=dict)


def tracker(site: Site) -> None:
    """Every recommendation with the status each later document shows for it (curators' assessments)."""
    rows = []
    for e in site.described.values():
        if e.kind != "recommendation":
            continue
        made = next((s.other for s in e.statements if s.phrase == "made in" and s.other), "")
        row = TrackedRecommendation(e, doc_id(made) if made else "",
                                    [s for s in e.statements if s.phrase == "addressed to"],
                                    [s for s in e.statements if s.phrase == "theme"])  # fmt: skip
        for s in e.statements:
            if s.group.startswith("Follow-up") and s.other:
                row.cells.setdefault(doc_id(s.other), []).append(s)
        rows.append(row)
    rows.sort(key=lambda r: (site.index.documents[r.made_in].date if r.made_in in site.index.documents else "",
                             r.entity.key))  # fmt: skip
    figure = _draw(site, "tracker")
    status = Counter(_latest(r, site) for r in rows)
    site.render("tracker.html", "tracker.html", rows=rows, documents=list(site.index.documents.values()),
                figure=figure, status=sorted(status.items()))  # fmt: skip


PESSIMISM = ("still open", "recur", "partly", "addressed")


def _latest(row: TrackedRecommendation, site: Site) -> str:
    """The status the latest document with follow-up evidence gives (the least resolved, if it gives several), or
    'no later evidence'."""
    dated = sorted(row.cells, key=lambda d: site.index.documents[d].date if d in site.index.documents else "")
    if not dated:
        return "no later evidence"
    rank = lambda v: next((k for k, word in enumerate(PESSIMISM) if word in v), len(PESSIMISM))  # noqa: E731
    return min((s.phrase for s in row.cells[dated[-1]]), key=lambda v: (rank(v), v))


# -- the duty register


DUTY_COLUMNS = [
    ("Aspect", lambda s: s.phrase == "aspect"), ("Kind", lambda s: s.group == "What it is" and s.phrase == "kind"),
    ("Held by", lambda s: s.phrase == "held by"), ("Discharged by", lambda s: s.phrase == "discharged by"),
    ("Legal basis", lambda s: s.group == "Legal basis"), ("Serves priority", lambda s: s.group == "Priorities"),
]  # fmt: skip


def duties(site: Site) -> None:
    """Every duty with its aspect, kind, holder, discharger, legal basis and priorities; sortable with JavaScript."""
    rows = []
    for e in site.described.values():
        if e.kind != "duty":
            continue
        cells = [[s for s in e.statements if test(s)] for _, test in DUTY_COLUMNS]
        cites = sorted({c for s in e.statements for c in s.citations} | set(e.citations), key=site.index.cite_order)
        rows.append((e, cells, cites))
    rows.sort(key=lambda r: (r[0].label.casefold(), r[0].key))
    site.render("duties.html", "duties.html", rows=rows, columns=[name for name, _ in DUTY_COLUMNS])


# -- timeline and network (the diagrams)


def _draw(site: Site, which: str) -> dict:
    """One diagram as SVG (drawn by the project's diagram code): its page path."""
    name, svg = site.worker.diagram(which)
    path = f"{FIGURES}/{name}"
    site.files[path] = svg
    return {"path": path}


def diagrams(site: Site) -> None:
    """The timeline page (bodies and reorganisations) and the network page (partnerships per snapshot)."""
    events = _reorganisations(site)
    site.render("timeline.html", "timeline.html", figure=_draw(site, "timeline"), events=events)
    site.render("network.html", "network.html", figure=_draw(site, "network"), snapshots=_snapshots(site))


def _reorganisations(site: Site) -> list[tuple[Entity, Statement]]:
    """Every reorganisation, read from the body it ended (or the body it created, when it ended none)."""
    found, seen = [], set()
    for e in site.described.values():
        for s in e.statements:
            if s.group != "Reorganisations" or (s.direction == "in" and s.other) or (s.via, e.iri) in seen:
                continue
            seen.add((s.via, e.iri))
            found.append((e, s))
    date = lambda es: es[1].qualifiers.get("date") or es[1].qualifiers.get("from") or "9999"  # noqa: E731
    return sorted(found, key=lambda es: (date(es), es[0].label.casefold(), es[1].phrase, es[1].other_label))


def _snapshots(site: Site) -> list[dict]:
    """Each snapshot's partnership network: bodies, links and the three main hubs (betweenness)."""
    return site.worker.projection()["snapshots"]


# -- the query library


@dataclass
class QueryPage:
    """One library query, its values for the default parameters and its result."""

    spec: object
    params: dict[str, str]
    text: str
    columns: list[str]
    rows: list[dict]
    error: str = ""
    endpoint_link: str = ""


def queries(site: Site) -> None:
    """The query library: an index, and a page per query with its SPARQL and its result for the defaults."""
    from lutonkg.query import QueryError, execute, open_engine, prepare
    from lutonkg.query.library import library
    from lutonkg.query.params import inject

    engine = open_engine(site.settings.graph)
    found = []
    for name, spec in library().items():
        params = spec.sample_params()
        try:
            prepared = prepare(spec, params, engine, site.settings.query_defaults)
            columns, rows = execute(prepared, engine, 30)
            shown = inject(spec.text, prepared.terms)  # every line, as `lutonkg query --show` prints it: same rows
            page = QueryPage(spec, params, shown, columns, rows)
        except QueryError as exc:
            page = QueryPage(spec, params, spec.text, [], [], str(exc))
        page.endpoint_link = endpoint_link(site.settings.endpoint, page.text)
        site.render("query.html", query_path(name), q=page, is_iri=_is_iri)
        found.append(page)
    site.render("queries.html", "queries/index.html", queries=found)


def endpoint_link(base: str, query: str) -> str:
    """The endpoint's query page (Oxigraph's YASGUI at the server's root) with the query filled in; YASGUI reads
    `query` and `endpoint` from the URL, and needs the endpoint named since it derives it from the page's URL."""
    base = base if base.endswith("/") else base + "/"
    return f"{base}?query={quote(query, safe='')}&endpoint={quote(base + 'query', safe='')}"


def _is_iri(value: object) -> bool:
    """Whether a result value is an IRI."""
    return isinstance(value, str) and value.startswith(("http://", "https://"))


# -- the ontology


def ontology(site: Site) -> None:
    """Every class and property with label, definition and usage."""
    from lutonkg.resources import ontology_sources
    from lutonkg.site.ontology import terms

    found = terms(ontology_sources(), site.index)
    groups: dict[str, list] = {}
    for t in found:
        groups.setdefault(("Own " if t.own else "Reused ") + ("classes" if t.kind == "class" else "properties"),
                          []).append(t)  # fmt: skip
    site.render("ontology.html", "ontology.html", groups=groups, key=key)
