"""RDF for vocabularies, source documents, bodies, schools, relationships, change events and claims."""

from __future__ import annotations

from rdflib import RDF, RDFS, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from lutonkg.namespaces import LKG, ORG, VOCABULARY_GRAPH, concept, doc_graph, iri
from lutonkg.rdf.builder import GraphBuilder, curie, date_literal, slugify


def add_vocabularies(b: GraphBuilder) -> None:
    """Every scheme of vocabularies.yaml as SKOS, with the class or property each concept maps to."""
    g = [VOCABULARY_GRAPH]
    for scheme, spec in sorted(b.data.schemes.items()):
        b.add_scheme(scheme, spec["label"], spec["definition"], g)
        for entry in spec["concepts"]:
            node = b.add_concept(scheme, entry["id"], entry["label"], entry["definition"], g)
            for key in ("class", "property"):
                if key in entry:
                    b.add(g, node, LKG.directProperty, curie(entry[key]))
            if "rank" in entry:
                b.add(g, node, LKG.rank, Literal(entry["rank"]))


def add_documents(b: GraphBuilder) -> None:
    """The source documents, each described in its own named graph."""
    for d in b.data["documents"]:
        node, g = iri("document", d["id"]), [doc_graph(d["id"])]
        b.add(g, node, RDF.type, LKG.SourceDocument)
        b.add(g, node, RDFS.label, Literal(d.get("short_title", d["title"])))
        b.add(g, node, DCTERMS.title, Literal(d["title"]))
        b.add(g, node, DCTERMS.alternative, d.get("short_title"))
        b.add(g, node, DCTERMS.issued, date_literal(d["date"]))
        b.add(g, node, DCTERMS.identifier, d.get("reference"))
        b.add(g, node, LKG.leadInspector, d.get("lead_inspector"))
        b.add(g, node, LKG.sourceFile, d["file"])
        b.add(g, node, LKG.documentKind, concept("document-kind", d["kind"]))
        b.add(g, node, RDFS.comment, d.get("notes"))
        for publisher in d["publishers"]:
            b.add(g, node, DCTERMS.publisher, b.body_iri(publisher))
        b.add(g, node, LKG.aboutAuthority, b.body_iri(d["authority"]))
        for inspection in d.get("reports", []):
            b.add(g, node, LKG.reportsInspection, iri("inspection", inspection))
        b.cite(node, f"document-{d['id']}", d["sources"], attest=False)


def _describe_body(b: GraphBuilder, node: URIRef, entry: dict, cls: URIRef, body_type: str) -> list[URIRef]:
    """Triples every body shares: type, classification, labels, summary, stated dates and citations."""
    g = b.graphs_for(entry)
    b.add(g, node, RDF.type, cls)
    b.add(g, node, ORG.classification, concept("body-type", body_type))
    b.add(g, node, RDFS.label, Literal(entry["label"]))
    b.add(g, node, SKOS.prefLabel, Literal(entry["label"]))
    for alt in entry.get("alt_labels", []):
        b.add(g, node, SKOS.altLabel, Literal(alt))
    b.add(g, node, DCTERMS.description, entry.get("summary"))
    b.add(g, node, RDFS.comment, entry.get("note"))
    b.cite(node, f"{'school' if body_type == 'school' else 'body'}-{entry['id']}", entry["sources"])
    _other_names(b, node, entry)
    return g


def _other_names(b: GraphBuilder, node: URIRef, entry: dict) -> None:
    """Former or alternative names, each a node with the documents that use it and any stated dates (Popolo)."""
    for n, other in enumerate(entry.get("other_names", []), start=1):
        name = iri("name", f"{entry['id']}-{n}")
        g = b.graphs_for(other)
        b.add(g, node, LKG.otherName, name)
        b.add(g, name, RDF.type, LKG.OtherName)
        b.add(g, name, RDFS.label, Literal(other["name"]))
        b.add(g, name, SKOS.altLabel, Literal(other["name"]))
        b.add(g, name, LKG.validFrom, date_literal(other["from"]) if "from" in other else None)
        b.add(g, name, LKG.validTo, date_literal(other["to"]) if "to" in other else None)
        b.add(g, name, RDFS.comment, other.get("note"))
        b.cite(name, f"name-{entry['id']}-{n}", other["sources"])


def _sites(b: GraphBuilder, node: URIRef, entry: dict) -> None:
    """A body's sites (org:Site), each cited, with the place name and neighbourhood the source gives it."""
    for site in entry.get("sites", []):
        place = iri("site", site["id"])
        g = b.graphs_for(site)
        b.add(g, node, ORG.hasSite, place)
        b.add(g, place, RDF.type, ORG.Site)
        b.add(g, place, ORG.siteOf, node)
        b.add(g, place, RDFS.label, Literal(site["label"]))
        b.add(g, place, LKG.place, site.get("place"))
        if site.get("neighbourhood"):
            b.add(g, place, LKG.siteNeighbourhood, b.body_iri(site["neighbourhood"]))
        b.add(g, place, RDFS.comment, site.get("note"))
        b.cite(place, f"site-{site['id']}", site["sources"])


def add_bodies(b: GraphBuilder) -> None:
    """Every body of bodies.yaml, typed by its body-type's class, with any stated founding or ending."""
    for entry in b.data["bodies"]:
        node = iri("body", entry["id"])
        cls = curie(b.vocab_entry("body-type", entry["type"])["class"])
        g = _describe_body(b, node, entry, cls, entry["type"])
        _sites(b, node, entry)
        b.add(g, node, LKG.membersStated, Literal(entry["members_stated"]) if "members_stated" in entry else None)
        for key, prop in (("founded", LKG.validFrom), ("dissolved", LKG.validTo)):
            if key in entry:
                stated = entry[key]
                b.add(b.graphs_for(stated), node, prop, date_literal(stated["date"]))
                if stated.get("cause"):
                    b.add(b.graphs_for(stated), node, LKG.endCause, concept("end-cause", stated["cause"]))
                b.cite(node, f"body-{entry['id']}-{key}", stated["sources"], attest=False)


def add_schools(b: GraphBuilder) -> None:
    """Schools with phase, academy status, trust and neighbourhood (each link also a qualified relationship)."""
    for entry in b.data["schools"]:
        node = iri("school", entry["id"])
        _describe_body(b, node, entry, LKG.Academy if entry.get("academy") else LKG.School, "school")
        table = {**entry, "sources": _appendix_b_sources(entry)}
        g = b.graphs_for(table)
        b.add(g, node, LKG.phase, concept("school-phase", entry["phase"]) if "phase" in entry else None)
        if "associate" in entry:
            b.add(g, node, LKG.associateMember, Literal(bool(entry["associate"])))
        if entry.get("trust"):
            _relationship(b, f"{entry['id']}-in-trust-{entry['trust']}", entry["id"], "in-trust", entry["trust"], table)
        role = "associate member" if entry.get("associate") else "member"
        if entry.get("neighbourhood"):
            rel_id = f"{entry['id']}-in-neighbourhood-{entry['neighbourhood']}"
            _relationship(b, rel_id, entry["id"], "in-neighbourhood", entry["neighbourhood"], {**table, "role": role})
        _sites(b, node, entry)
        for site in entry.get("sites", []):
            if site.get("neighbourhood"):
                rel_id = f"{entry['id']}-in-neighbourhood-{site['neighbourhood']}"
                rel = _relationship(
                    b, rel_id, entry["id"], "in-neighbourhood", site["neighbourhood"], {**site, "role": role}
                )
                b.add(b.graphs_for(site), rel, LKG.viaSite, iri("site", site["id"]))


def _appendix_b_sources(entry: dict) -> list[dict]:
    """The citations that state a school's trust and neighbourhood: its Appendix B rows, when it has any."""
    rows = [s for s in entry["sources"] if str(s["loc"]).startswith("Appendix B")]
    return rows or entry["sources"]


def _relationship(b: GraphBuilder, rel_id: str, subject: str, relation: str, obj: str, entry: dict) -> URIRef:
    """A direct triple plus a qualified lkg:Relationship node carrying dates, role and citations."""
    s, o = b.body_iri(subject), b.body_iri(obj)
    prop = curie(b.vocab_entry("relation", relation)["property"])
    g = b.graphs_for(entry)
    node = iri("relationship", rel_id)
    b.make(node, node if entry.get("id") == rel_id else s)  # a school's trust or neighbourhood link: the school's
    b.add(g, s, prop, o)
    b.add(g, node, RDF.type, LKG.Relationship)
    b.add(g, node, RDFS.label, Literal(f"{subject} {relation} {obj}"))
    b.add(g, node, LKG.subject, s)
    b.add(g, node, LKG.object, o)
    b.add(g, node, LKG.relationType, concept("relation", relation))
    if relation in ("member-of", "in-neighbourhood"):
        b.add(g, node, RDF.type, ORG.Membership)
        b.add(g, node, ORG.member, s)
        b.add(g, node, ORG.organization, o)
    if entry.get("on_behalf_of"):
        b.add(g, node, LKG.onBehalfOf, b.body_iri(entry["on_behalf_of"]))
    if entry.get("role"):
        role = concept("role", slugify(entry["role"]))
        b.add(g, node, ORG.role, role)
        b.add(g, role, RDF.type, ORG.Role)
        b.add(g, role, SKOS.prefLabel, Literal(entry["role"]))
        b.add(g, role, RDFS.label, Literal(entry["role"]))
    b.add(g, node, LKG.validFrom, date_literal(entry["from"]) if "from" in entry else None)
    b.add(g, node, LKG.validTo, date_literal(entry["to"]) if "to" in entry else None)
    if "inferred" in entry:
        b.add(g, node, LKG.inferred, Literal(bool(entry["inferred"])))
    b.add(g, node, LKG.basis, entry.get("basis"))
    b.add(g, node, RDFS.comment, entry.get("note"))
    b.cite(node, f"relationship-{rel_id}", entry["sources"])
    return node


def add_relationships(b: GraphBuilder) -> None:
    """Every relationship of relationships.yaml."""
    for entry in b.data["relationships"]:
        _relationship(b, entry["id"], entry["subject"], entry["relation"], entry["object"], entry)


def add_events(b: GraphBuilder) -> None:
    """Reorganisations, renamings and successions as org:ChangeEvent, flagged when inferred."""
    for entry in b.data["events"]:
        node = iri("event", entry["id"])
        g = b.graphs_for(entry)
        b.add(g, node, RDF.type, ORG.ChangeEvent)
        b.add(g, node, RDFS.label, Literal(entry.get("summary") or entry["id"].replace("-", " ")))
        b.add(g, node, LKG.eventKind, concept("event-kind", entry["kind"]))
        for body in entry.get("original", []):
            b.add(g, node, ORG.originalOrganization, b.body_iri(body))
        for body in entry.get("resulting", []):
            b.add(g, node, ORG.resultingOrganization, b.body_iri(body))
        b.add(g, node, LKG.date, date_literal(entry["date"]) if "date" in entry else None)
        b.add(g, node, LKG.endCause, concept("end-cause", entry["end_cause"]) if "end_cause" in entry else None)
        b.add(g, node, LKG.inferred, Literal(bool(entry.get("inferred", False))))
        if entry.get("inferred"):
            b.add(g, node, RDF.type, LKG.CuratorsAssessment)
        b.add(g, node, LKG.basis, entry.get("basis"))
        b.add(g, node, DCTERMS.description, entry.get("summary"))
        b.add(g, node, RDFS.comment, entry.get("note"))
        b.cite(node, f"event-{entry['id']}", entry["sources"])


def add_claims(b: GraphBuilder) -> None:
    """Claims that sources make on shared questions, each with its own source, so disagreements stay visible."""
    topics = sorted({c["topic"] for c in b.data["claims"]})
    if topics:
        b.add_scheme(
            "topic", "Claim topics", "Questions on which the sources make comparable claims.", [VOCABULARY_GRAPH]
        )
    for topic in topics:
        b.add_concept("topic", topic, topic.replace("-", " "), None, [VOCABULARY_GRAPH])
    for entry in b.data["claims"]:
        node = iri("claim", entry["id"])
        g = b.graphs_for(entry)
        b.add(g, node, RDF.type, LKG.Claim)
        b.add(g, node, RDFS.label, Literal(entry["statement"]))
        b.add(g, node, DCTERMS.description, Literal(entry["statement"]))
        b.add(g, node, LKG.topic, concept("topic", entry["topic"]))
        b.add(g, node, LKG.about, b.body_iri(entry["subject"]) if entry.get("subject") else None)
        b.add(g, node, LKG.value, Literal(str(entry["value"])) if "value" in entry else None)
        b.add(g, node, LKG.asOf, date_literal(entry["as_of"]) if "as_of" in entry else None)
        b.add(g, node, LKG.dates, iri("event", entry["event"]) if entry.get("event") else None)
        b.add(g, node, LKG.claimRank, concept("claim-rank", entry["rank"]) if "rank" in entry else None)
        b.add(g, node, LKG.rankReason, entry.get("rank_reason"))
        b.add(g, node, RDFS.comment, entry.get("note"))
        b.cite(node, f"claim-{entry['id']}", entry["sources"])
