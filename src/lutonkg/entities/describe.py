"""One entity described for a reader: what it is, when, and every statement about it, going out and coming in, each
worded in plain English from the entity's side and carrying its citations. `lutonkg show`, the site's entity pages
and the briefings all render this one description.

Statements come from the graph as built:
- a qualified node (a dated, cited relationship, a responsibility, a change event, a strategy's contribution, the
  curators' follow-up evidence) gives one statement on each of its ends, with the node's own citations;
- a direct link (a judgement `judged` a body, a recommendation `addressedTo` one, a duty `heldBy` one ...) gives a
  statement on each end too, cited by the citations its subject has from the document whose graph states it;
- direct links that only repeat a qualified relationship, the reasoner's inverse links and provenance plumbing are
  left out; what the curators' graph holds (inferred successions, follow-up, duty-to-priority links) is marked as
  the curators' and carries its basis.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import yaml

from lutonkg.entities.index import (
    ALT_LABEL,
    DCTERMS,
    DEFINITION,
    ORG,
    PREF_LABEL,
    PROV,
    QUALIFIED,
    RDF_TYPE,
    RDFS_COMMENT,
    RDFS_LABEL,
    SKOS,
    Cite,
    GraphIndex,
    Quad,
    doc_id,
    graph_doc,
)
from lutonkg.namespaces import CURATION_GRAPH, ID, INFERRED_GRAPH, LEGISLATION, LKG, ONTOLOGY_GRAPH, PREFIXES

L = str(LKG)
FOLLOW_UP = "Follow-up (curators' assessment)"  # the group of what later documents show about a recommendation
# kinds of node that are statements (shown on the pages of their ends), not entities of their own
STATEMENT_KINDS = (
    "relationship", "responsibility", "contribution", "event", "evidence", "citation", "graph", "claim", "legal-basis",
    "pairing", "reiteration", "site", "name",
)  # fmt: skip
# qualified nodes read from the entity they point at (their handler words the statement on each end)
QUALIFIED_KINDS = ("relationship", "responsibility", "contribution", "event", "evidence", "pairing", "reiteration")
PLUMBING = {
    RDF_TYPE, RDFS_LABEL, PREF_LABEL, ALT_LABEL, QUALIFIED, PROV + "wasDerivedFrom", L + "attestedIn",
    DCTERMS + "description", RDFS_COMMENT, DEFINITION, DCTERMS + "identifier", DCTERMS + "alternative",
    L + "inferred", L + "basis", ORG + "member", ORG + "organization", ORG + "role", L + "subject", L + "object",
    L + "relationType", SKOS + "topConceptOf", L + "directProperty", L + "sourceFile", DCTERMS + "title",
    SKOS + "notation", ORG + "originalOrganization", ORG + "resultingOrganization", ORG + "changedBy",
    ORG + "resultedFrom", L + "duty", L + "body", L + "strategy", L + "priority", L + "evidenceFor",
    L + "answersJudgement", L + "reiteratedIn",  # their qualified nodes (pairing, reiteration) carry the citations
}  # fmt: skip
# the links by which a qualified node names the entities it relates (not its provenance)
ROLES = {
    L + "subject", L + "object", ORG + "originalOrganization", ORG + "resultingOrganization", L + "duty", L + "body",
    L + "strategy", L + "priority", L + "evidenceFor", L + "ofRecommendation", L + "pairedJudgement", L + "status",
}  # fmt: skip
LITERAL_FACTS = {L + "validFrom": "valid from", L + "validTo": "valid to", L + "date": "date"}
GROUP_ORDER = [
    "What it is", "Where it comes from", "Who it is for", "What was judged", "What was inspected", "Legal basis",
    "Who holds and discharges it", "Structure and accountability", "Partnerships", "Schools", "Reorganisations",
    "What it answers", "Duties", "Duties citing it", "Duties citing its sections", "Priorities", "Contributions",
    "Inspections", "Judgements",
    "Recommendations", "What it follows up", "Follow-up (curators' assessment)", "Claims", "Documents", "Bodies",
    "Sections", "Printed items", "Sites and other names", "Concepts", "Other statements",
]  # fmt: skip
RELATION_GROUPS = {
    "part-of": "Structure and accountability", "accountable-to": "Structure and accountability",
    "oversees": "Structure and accountability", "chairs": "Structure and accountability",
    "leads": "Structure and accountability", "established": "Structure and accountability",
    "appointed-by": "Structure and accountability", "in-trust": "Schools", "in-neighbourhood": "Schools",
    "inspects": "Inspections",
}  # fmt: skip


@dataclass
class Statement:
    """One statement about an entity, read from its side: `phrase` `other` (or `value`), with its citations."""

    group: str
    phrase: str
    other: str | None = None
    other_label: str = ""
    value: str | None = None
    citations: list[Cite] = field(default_factory=list)
    curated: bool = False
    curated_as: str = "inference"  # what the curators did: an inference (a link), or an assessment (follow-up)
    basis: str = ""
    note: str = ""
    qualifiers: dict[str, str] = field(default_factory=dict)
    direction: str = "out"
    via: str = ""

    def sort_key(self) -> tuple:
        """Group order, then wording, then the other end's label."""
        group = GROUP_ORDER.index(self.group) if self.group in GROUP_ORDER else len(GROUP_ORDER)
        return (group, self.group, self.phrase, (self.other_label or self.value or "").casefold(), self.other or "")


@dataclass
class Claim:
    """One source's figure or statement on a topic."""

    iri: str
    topic: str
    topic_label: str
    value: str
    as_of: str
    statement: str
    citations: list[Cite]
    about: str = ""


@dataclass
class Moment:
    """One point of an entity's small timeline: a date (or '' when undated), what happened, whether the curators
    inferred it, and the citations that place it."""

    date: str
    what: str
    kind: str
    other: str | None = None
    other_label: str = ""
    curated: bool = False
    basis: str = ""
    citations: list[Cite] = field(default_factory=list)

    @property
    def year(self) -> int | None:
        """The year of the date, or None when undated."""
        return int(self.date[:4]) if self.date[:4].isdigit() else None


@dataclass
class Entity:
    """Everything a reader needs about one thing: identity, dates and statements with their citations."""

    iri: str
    key: str
    kind: str
    kind_label: str
    label: str
    alt_labels: list[str]
    summary: str
    attested: list[str]
    citations: list[Cite]
    dates: list[Statement]
    statements: list[Statement]
    claims: list[Claim]
    timeline: list[Moment] = field(default_factory=list)
    held_years: list[int] = field(default_factory=list)

    def groups(self) -> dict[str, list[Statement]]:
        """Statements by group, in reading order."""
        found: dict[str, list[Statement]] = defaultdict(list)
        for statement in sorted(self.statements, key=Statement.sort_key):
            found[statement.group].append(statement)
        return dict(found)

    def find(self, *phrases: str, group: str | None = None) -> list[Statement]:
        """The statements worded with any of these phrases (optionally in one group), in reading order."""
        return [s for s in self.statements if s.phrase in phrases and (group is None or s.group == group)]

    def other(self, phrase: str) -> str | None:
        """The other end of the first statement with this phrase ('grade' -> the grade's IRI), or None."""
        found = self.find(phrase)
        return found[0].other if found else None

    def claim_topics(self) -> dict[str, list[Claim]]:
        """Claims by topic; a topic whose claims give different values for one date is a disagreement."""
        found: dict[str, list[Claim]] = defaultdict(list)
        for claim in sorted(self.claims, key=lambda c: (c.topic_label.casefold(), c.as_of, c.iri)):
            found[claim.topic_label].append(claim)
        return dict(found)

    def disagreements(self) -> list[str]:
        """The claim topics on which the sources disagree: different values for one date, or different values where
        a claim gives no date."""
        found = []
        for topic, claims in self.claim_topics().items():
            by_date: dict[str, set[str]] = defaultdict(set)
            for c in claims:
                by_date[c.as_of].add(c.value)
            values = {c.value for c in claims}
            if any(len(v) > 1 for v in by_date.values()) or (len(values) > 1 and any(not c.as_of for c in claims)):
                found.append(topic)
        return found


@cache
def wording() -> dict:
    """The phrases statements read with (entities/wording.yaml)."""
    text = resources.files("lutonkg.entities").joinpath("wording.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def curie(iri: str) -> str:
    """An IRI as a CURIE with the project's prefixes, where one fits."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(str(namespace)):
            return f"{prefix}:{iri[len(str(namespace)) :]}"
    return iri


def key(iri: str) -> str:
    """A thing's key: its IRI without the base ('body/luton-lea', 'legislation/ukpga/1996/56/section/13')."""
    if iri.startswith(str(ID)):
        return iri[len(str(ID)) :]
    if iri.startswith(LEGISLATION):
        return "legislation/" + iri[len(LEGISLATION) :]
    return iri


def kind_of(iri: str) -> str:
    """The kind of thing an IRI names: body, school, duty, act, section, theme, aspect ..."""
    path = key(iri)
    if path.startswith("legislation/"):
        if "/section/" in path:
            return "section"
        return "act" if "/ukpga/" in path else ("instrument" if "/uksi/" in path else "legislation")
    parts = path.split("/")
    if parts[0] == "concept":
        return parts[1] if len(parts) > 2 else "scheme"
    return parts[0]


def is_entity(index: GraphIndex, iri: str) -> bool:
    """Whether an IRI gets a description of its own (bodies, duties, Acts ... not citations or relationship nodes)."""
    return index.is_thing(iri) and kind_of(iri) not in STATEMENT_KINDS and iri in index.by_subject


def entities(index: GraphIndex) -> list[str]:
    """Every entity IRI of the graph, sorted by key."""
    return sorted((iri for iri in index.by_subject if is_entity(index, iri)), key=key)


def _kind_label(index: GraphIndex, iri: str, kind: str) -> str:
    """What the entity is, in words: a body's type, a school's kind, else the class or kind name."""
    types = index.types(iri)
    classification = index.value(iri, ORG + "classification")
    if classification:
        label = index.label(classification)
        return f"{label} (academy)" if L + "Academy" in types else label
    if kind in ("act", "section", "instrument", "legislation"):
        for cls in (L + "ActSection", L + "Act", L + "StatutoryInstrument", L + "StatutoryGuidance"):
            if cls in types:
                return index.term_label(cls)
    scheme = index.value(iri, SKOS + "inScheme")
    if scheme:
        return f"concept in {index.label(scheme)}"
    ours = sorted(t for t in types if t.startswith(L))
    return index.term_label(ours[0]) if ours else kind


def _doc_of_graph(graph: str) -> str | None:
    """The document a per-document graph holds, else None."""
    return graph_doc(graph)


def _shortcuts(index: GraphIndex) -> set[tuple[str, str, str]]:
    """Direct links that repeat a qualified relationship: (subject, direct property, object)."""
    found = set()
    for quad in index.by_object.get(L + "Relationship", ()):
        if quad.p != RDF_TYPE:
            continue
        node = quad.s
        relation = index.value(node, L + "relationType")
        prop = index.value(relation, L + "directProperty") if relation else None
        subject, obj = index.value(node, L + "subject"), index.value(node, L + "object")
        if prop and subject and obj:
            found.add((subject, prop, obj))
            found.add((obj, prop, subject))  # symmetric relations are stated both ways
    return found


class Describer:
    """Describes entities of one graph; build once, describe many."""

    def __init__(self, index: GraphIndex, held: Mapping[str, Iterable[int]] | None = None) -> None:
        self.index = index
        self.shortcuts = _shortcuts(index)
        self.words = wording()
        self.held = held or {}

    # -- wording

    def phrase(self, prop: str, direction: str) -> tuple[str, str]:
        """(phrase, group) for a direct property read from the subject ('out') or the object ('in')."""
        entry = self.words["properties"].get(curie(prop), {})
        label = self.index.term_label(prop)
        text = entry.get(direction) or (label if direction == "out" else f"{label} (inverse)")
        group = entry.get(f"{direction}_group") or entry.get("group") or "Other statements"
        return text, group

    def relation_phrase(self, relation: str, direction: str) -> tuple[str, str]:
        """(phrase, group) for a relation concept read from the subject or the object."""
        slug = relation.rsplit("/", 1)[-1]
        entry = self.words["relations"].get(slug, {})
        label = self.index.label(relation)
        text = entry.get(direction) or (label if direction == "out" else f"{label} (inverse)")
        return text, RELATION_GROUPS.get(slug, "Partnerships")

    # -- the parts of a description

    def describe(self, iri: str) -> Entity:
        """The full description of one entity."""
        ix = self.index
        kind = kind_of(iri)
        summary = next((v for p in (DCTERMS + "description", DEFINITION, RDFS_COMMENT) if (v := ix.value(iri, p))), "")
        attested = sorted(
            {doc_id(t.value) for t in ix.values(iri, L + "attestedIn")},
            key=lambda d: (ix.documents[d].date if d in ix.documents else "", d),
        )
        statements = self._outgoing(iri) + self._incoming(iri)
        if kind == "act":
            statements += self._section_duties(iri)
        dates = [s for s in statements if s.group == "Dates"]
        statements = [s for s in statements if s.group != "Dates"]
        entity = Entity(
            iri=iri, key=key(iri), kind=kind, kind_label=_kind_label(ix, iri, kind), label=ix.label(iri),
            alt_labels=[a for a in ix.alt_labels(iri) if a != ix.label(iri)], summary=summary, attested=attested,
            citations=ix.citations(iri), dates=_merge(dates, ix.cite_order),
            statements=_merge(statements, ix.cite_order), claims=self._claims(iri),
            held_years=sorted(self.held.get(iri, ())),
        )  # fmt: skip
        entity.timeline = self._timeline(entity)
        return entity

    def _section_duties(self, act: str) -> list[Statement]:
        """An Act's duties cited by its sections: each duty citing a section, read from the Act with the section."""
        found = []
        for quad in self.index.by_object.get(act, ()):
            if quad.p != DCTERMS + "isPartOf" or kind_of(quad.s) != "section":
                continue
            section = quad.s
            for s in self._incoming(section):
                if s.group == "Duties citing it":
                    found.append(Statement("Duties citing its sections", "duty citing", s.other, s.other_label,
                                           citations=s.citations, curated=s.curated, basis=s.basis,
                                           qualifiers={"section": self.index.label(section)}, direction="in",
                                           via=section))  # fmt: skip
        return found

    def _timeline(self, entity: Entity) -> list[Moment]:
        """The dated points of a description: the documents naming it, dates a source states, dated statements and
        reorganisations (undated ones too, with date ''), in date order."""
        ix = self.index
        found = [
            Moment(ix.documents[d].date, f"named in {ix.documents[d].label}", "document", ix.documents[d].iri,
                   ix.documents[d].label, citations=[c for c in entity.citations if c.doc == d])
            for d in entity.attested if d in ix.documents
        ]  # fmt: skip
        for s in entity.dates:
            found.append(Moment(s.value or "", s.phrase, "stated", curated=s.curated, citations=s.citations))
        for s in entity.statements:
            dated = {k: v for k, v in s.qualifiers.items() if k in ("from", "to", "date")}
            if s.group != "Reorganisations" and not dated:
                continue
            for name, value in dated.items() or [("date", "")]:
                what = s.phrase if name == "date" else f"{s.phrase} ({name})"
                found.append(Moment(value, what, "event" if s.group == "Reorganisations" else "stated", s.other,
                                    s.other_label, s.curated, s.basis, s.citations))  # fmt: skip
        return sorted(found, key=lambda m: (m.date or "9999", m.kind, m.what, m.other_label, m.other or ""))

    def _cited(self, node: str, graph: str) -> tuple[list[Cite], bool]:
        """Citations for what `node` states in `graph`, and whether that graph is the curators'."""
        if graph == str(CURATION_GRAPH):
            return self.index.citations(node), True
        doc = _doc_of_graph(graph)
        return (self.index.citations(node, doc) if doc else []), False

    def _usable(self, quad: Quad) -> bool:
        """Quads that say something to a reader: not the reasoner's, not the ontology's, not plumbing."""
        return quad.g not in (str(INFERRED_GRAPH), str(ONTOLOGY_GRAPH)) and quad.p not in PLUMBING

    def _outgoing(self, iri: str) -> list[Statement]:
        """Statements from the entity's own links and values."""
        found = []
        for quad in self.index.by_subject.get(iri, ()):
            if not self._usable(quad):
                continue
            cites, curated = self._cited(iri, quad.g)
            if not quad.o.iri:
                worded, grouped = self.phrase(quad.p, "out")
                phrase = LITERAL_FACTS.get(quad.p) or worded
                group = (
                    "Dates" if quad.p in LITERAL_FACTS else (grouped if grouped != "Other statements" else "What it is")
                )
                found.append(Statement(group, phrase, value=quad.o.value, citations=cites, curated=curated))
                continue
            if (iri, quad.p, quad.o.value) in self.shortcuts or kind_of(quad.o.value) == "legal-basis":
                continue  # a qualified legal basis repeats the duty's direct legal-basis links
            if kind_of(quad.o.value) in ("site", "name"):
                found.append(self._detail(quad.o.value, quad.p))
                continue
            phrase, group = self.phrase(quad.p, "out")
            other = quad.o.value
            found.append(Statement(group, phrase, other, self.index.label(other), citations=cites, curated=curated))
        return found

    def _incoming(self, iri: str) -> list[Statement]:
        """Statements from links to the entity: qualified nodes, and other entities' direct links."""
        found, seen = [], set()
        for quad in self.index.by_object.get(iri, ()):
            source = quad.s
            if quad.g in (str(INFERRED_GRAPH), str(ONTOLOGY_GRAPH)) or not self.index.is_thing(source):
                continue
            kind = kind_of(source)
            if kind in QUALIFIED_KINDS:
                if quad.p in ROLES and source not in seen:
                    seen.add(source)
                    found.extend(getattr(self, f"_from_{kind}")(source, iri))
                continue
            if kind in STATEMENT_KINDS or quad.p in PLUMBING or (source, quad.p, iri) in self.shortcuts:
                continue
            cites, curated = self._cited(source, quad.g)
            phrase, group = self.phrase(quad.p, "in")
            found.append(Statement(group, phrase, source, self.index.label(source), citations=cites,
                                   curated=curated, direction="in"))  # fmt: skip
        return found

    def _curation(self, node: str) -> tuple[bool, str]:
        """Whether a node is the curators' inference, and its stated basis."""
        inferred = self.index.value(node, L + "inferred") == "true"
        return inferred, self.index.value(node, L + "basis") or ""

    def _qualifiers(self, node: str) -> dict[str, str]:
        """Dates and role a qualified node states."""
        found = {}
        for prop, name in ((L + "validFrom", "from"), (L + "validTo", "to"), (L + "date", "date")):
            value = self.index.value(node, prop)
            if value:
                found[name] = value
        role = self.index.value(node, ORG + "role")
        if role:
            found["role"] = self.index.label(role)
        return found

    def _from_relationship(self, node: str, iri: str) -> list[Statement]:
        """A dated, cited relationship between two bodies, read from this end."""
        ix = self.index
        subject, obj, relation = (
            ix.value(node, L + "subject"),
            ix.value(node, L + "object"),
            ix.value(node, L + "relationType"),
        )
        if not (subject and obj and relation) or iri not in (subject, obj):
            return []
        direction = "out" if subject == iri else "in"
        other = obj if direction == "out" else subject
        phrase, group = self.relation_phrase(relation, direction)
        inferred, basis = self._curation(node)
        return [Statement(group, phrase, other, ix.label(other), citations=ix.citations(node), curated=inferred,
                          basis=basis, note=ix.value(node, RDFS_COMMENT) or "", qualifiers=self._qualifiers(node),
                          direction=direction, via=node)]  # fmt: skip

    def _from_event(self, node: str, iri: str) -> list[Statement]:
        """A reorganisation (succession, renaming, merger ...) read from a body it ended or created."""
        ix = self.index
        kind_iri = ix.value(node, L + "eventKind") or ""
        entry = self.words["events"].get(kind_iri.rsplit("/", 1)[-1], {})
        originals = [t.value for t in ix.values(node, ORG + "originalOrganization")]
        results = [t.value for t in ix.values(node, ORG + "resultingOrganization")]
        inferred, basis = self._curation(node)
        common = {"citations": ix.citations(node), "curated": inferred, "basis": basis, "via": node,
                  "note": ix.value(node, RDFS_COMMENT) or "", "qualifiers": self._qualifiers(node)}  # fmt: skip
        found = []
        if iri in originals:
            for other in results or [None]:
                phrase = entry.get("out", ix.label(kind_iri))
                found.append(Statement("Reorganisations", phrase, other, ix.label(other) if other else "", **common))
        if iri in results:
            for other in [o for o in originals if o not in results] or [None]:
                phrase = entry.get("in", ix.label(kind_iri))
                found.append(Statement("Reorganisations", phrase, other, ix.label(other) if other else "",
                                       direction="in", **common))  # fmt: skip
        return found

    def _detail(self, node: str, prop: str) -> Statement:
        """A detail kept as a node of its own (a site, another name): its label and place, with its citations."""
        ix = self.index
        place = ix.value(node, L + "place")
        phrase, group = self.phrase(prop, "out")
        return Statement(group, phrase, value=ix.label(node) + (f" ({place})" if place else ""),
                         citations=ix.citations(node), note=ix.value(node, RDFS_COMMENT) or "", via=node)  # fmt: skip

    def _from_pairing(self, node: str, iri: str) -> list[Statement]:
        """A recommendation paired with the judgement it answers (stated, or the curators' inference)."""
        ix = self.index
        rec, judgement = ix.value(node, L + "ofRecommendation"), ix.value(node, L + "pairedJudgement")
        if not (rec and judgement):
            return []
        inferred, basis = self._curation(node)
        if iri == rec:
            group, phrase, other, direction = "What it answers", "answers judgement", judgement, "out"
        else:
            group, phrase, other, direction = "Recommendations", "answered by recommendation", rec, "in"
        return [Statement(group, phrase, other, ix.label(other), citations=ix.citations(node), curated=inferred,
                          basis=basis, direction=direction, via=node)]  # fmt: skip

    def _from_reiteration(self, node: str, iri: str) -> list[Statement]:
        """A recommendation restated in another report of the same inspection (not a follow-up)."""
        ix = self.index
        cites = ix.citations(node)
        docs = list(dict.fromkeys(c.doc for c in cites))
        later = [ix.documents[d] for d in docs if d in ix.documents and d != ix.value(iri, L + "madeIn")]
        other = later[-1] if later else None
        return [Statement("Where it comes from", "restated in", other.iri if other else None,
                          other.label if other else "", citations=cites, via=node)]  # fmt: skip

    def _from_responsibility(self, node: str, iri: str) -> list[Statement]:
        """Who discharges a duty, as the source states it."""
        ix = self.index
        duty, body = ix.value(node, L + "duty"), ix.value(node, L + "body")
        if not (duty and body) or iri not in (duty, body):
            return []
        if iri == duty:
            group, phrase, other, direction = "Who holds and discharges it", "discharged by", body, "out"
        else:
            group, phrase, other, direction = "Duties", "discharges duty", duty, "in"
        return [Statement(group, phrase, other, ix.label(other), citations=ix.citations(node),
                          qualifiers=self._qualifiers(node), direction=direction, via=node)]  # fmt: skip

    def _from_contribution(self, node: str, iri: str) -> list[Statement]:
        """A council strategy's contribution to a strategic priority."""
        ix = self.index
        strategy, priority = ix.value(node, L + "strategy"), ix.value(node, L + "priority")
        if not (strategy and priority) or iri not in (strategy, priority):
            return []
        phrase, other = ("contributes to", priority) if iri == strategy else ("strategy contributing", strategy)
        return [Statement("Contributions", phrase, other, ix.label(other), citations=ix.citations(node),
                          note=ix.value(node, DCTERMS + "description") or "", via=node)]  # fmt: skip

    def _from_evidence(self, node: str, iri: str) -> list[Statement]:
        """The curators' assessment of what a later document shows about a recommendation."""
        ix = self.index
        status = ix.value(node, L + "status")
        cites = ix.citations(node)
        later = ix.documents.get(cites[0].doc) if cites else None
        basis = ix.value(node, L + "rationale") or ix.value(node, L + "basis") or ""
        recommendation = ix.value(node, L + "evidenceFor")
        if iri == status and recommendation:
            return [Statement(
                FOLLOW_UP, "recommendation followed up with this status", recommendation,
                ix.label(recommendation), value=later.label if later else None, citations=cites, curated=True,
                curated_as="assessment", basis=basis, note=ix.value(node, RDFS_LABEL) or "", direction="in", via=node,
            )]  # fmt: skip
        if iri != recommendation:
            return []
        return [Statement(
            FOLLOW_UP, ix.label(status) if status else "follow-up", later.iri if later else None,
            later.label if later else "", citations=cites, curated=True, curated_as="assessment", basis=basis,
            note=ix.value(node, RDFS_LABEL) or "", direction="in", via=node,
        )]  # fmt: skip

    def _claims(self, iri: str) -> list[Claim]:
        """Claims about the entity, or (for a claim topic) every claim on the topic."""
        ix = self.index
        sources = [
            q.s for q in ix.by_object.get(iri, ()) if q.p in (L + "about", L + "topic") and kind_of(q.s) == "claim"
        ]
        found = []
        for claim in sorted(set(sources)):
            topic = ix.value(claim, L + "topic") or ""
            found.append(Claim(
                claim, topic, ix.label(topic) if topic else "", ix.value(claim, L + "value") or "",
                ix.value(claim, L + "asOf") or "", ix.value(claim, RDFS_LABEL) or "", ix.citations(claim),
                ix.value(claim, L + "about") or "",
            ))  # fmt: skip
        return found


def _merge(statements: list[Statement], order: Callable[[Cite], tuple]) -> list[Statement]:
    """One statement per (group, phrase, other or value, via), its citations from every graph that states it."""
    merged: dict[tuple, Statement] = {}
    for s in statements:
        key_ = (s.group, s.phrase, s.other, s.value, s.via, s.direction)
        if key_ in merged:
            kept = merged[key_]
            kept.citations = sorted(set(kept.citations) | set(s.citations), key=order)
            kept.curated = kept.curated and s.curated
        else:
            merged[key_] = s
    return sorted(merged.values(), key=Statement.sort_key)
