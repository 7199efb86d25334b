"""RDF for statutory duties, their legal bases, who holds and discharges them, and the strategy's priorities."""

from __future__ import annotations

import re

from rdflib import RDF, RDFS, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from lutonkg.namespaces import CURATION_GRAPH, LEGISLATION, LKG, VOCABULARY_GRAPH, concept, iri
from lutonkg.rdf.builder import GraphBuilder, date_literal

_KIND_CLASS = {
    "act": LKG.Act,
    "statutory-instrument": LKG.StatutoryInstrument,
    "order": LKG.StatutoryInstrument,
    "statutory-guidance": LKG.StatutoryGuidance,
}


def legislation_iri(entry: dict) -> URIRef:
    """legislation.gov.uk identifier for an Act or a numbered SI; a project IRI for anything else."""
    if entry["kind"] == "act" and "year" in entry and "chapter" in entry:
        return URIRef(f"{LEGISLATION}ukpga/{entry['year']}/{entry['chapter']}")
    if entry["kind"] in ("statutory-instrument", "order") and "year" in entry and "number" in entry:
        return URIRef(f"{LEGISLATION}uksi/{entry['year']}/{entry['number']}")
    return iri("legislation", entry["id"])


def section_key(cited: object) -> str:
    """The section number for an identifier: '86(1A)' -> '86', '509 AD' -> '509AD'."""
    return re.sub(r"\s+", "", str(cited)).split("(")[0]


def add_legislation(b: GraphBuilder) -> dict[str, URIRef]:
    """Acts, instruments and guidance; returns their IRIs by id."""
    found = {}
    for entry in b.data["legislation"]:
        node = legislation_iri(entry)
        found[entry["id"]] = node
        g = b.graphs_for(entry)
        b.add(g, node, RDF.type, _KIND_CLASS[entry["kind"]])
        b.add(g, node, RDFS.label, Literal(entry["title"]))
        b.add(g, node, DCTERMS.title, Literal(entry["title"]))
        b.add(g, node, LKG.year, Literal(entry["year"]) if "year" in entry else None)
        b.add(g, node, LKG.chapter, Literal(entry["chapter"]) if "chapter" in entry else None)
        b.add(g, node, DCTERMS.publisher, b.body_iri(entry["publisher"]) if "publisher" in entry else None)
        b.add(g, node, RDFS.comment, entry.get("note"))
        b.cite(node, f"legislation-{entry['id']}", entry["sources"])
    return found


def _legal_bases(b: GraphBuilder, node: URIRef, duty: dict, acts: dict[str, URIRef], g: list[URIRef]) -> None:
    """Link a duty to the Acts, sections and instruments its row cites, directly and through a qualified node that
    keeps the printed form, any printed range and the printed item the citation goes with."""
    by_id = b.data.by_id("legislation")
    for n, basis in enumerate(duty.get("legal_bases", []), start=1):
        act = acts[basis["ref"]]
        sections = basis.get("sections", [])
        qualified = iri("legal-basis", f"{duty['id']}-{n}")
        b.add(g, node, LKG.qualifiedLegalBasis, qualified)
        b.add(g, qualified, RDF.type, LKG.LegalBasisCitation)
        b.add(g, qualified, RDFS.label, Literal(f"{duty['id']}: {basis.get('as_cited', by_id[basis['ref']]['title'])}"))
        b.add(g, qualified, LKG.instrument, act)
        b.add(g, qualified, LKG.asCited, basis.get("as_cited"))
        b.add(g, qualified, LKG.printedRange, basis.get("printed_range"))
        if basis.get("printed_with"):
            b.add(g, qualified, LKG.printedWith, iri("printed-item", basis["printed_with"]))
        b.add(g, qualified, LKG.citationAppliesToGroup, Literal(bool(basis.get("applies_to_group", False))))
        if not sections:
            b.add(g, node, LKG.legalBasis, act)
        for cited in sections:
            section = URIRef(f"{act}/section/{section_key(cited)}")
            title = by_id[basis["ref"]]["title"]
            b.add(g, section, RDF.type, LKG.ActSection)
            b.add(g, section, RDFS.label, Literal(f"{title} s{section_key(cited)}"))
            b.add(g, section, LKG.sectionNumber, Literal(section_key(cited)))
            b.add(g, section, DCTERMS.isPartOf, act)
            if str(cited) != section_key(cited):
                b.add(g, section, LKG.asCited, Literal(str(cited)))
            b.add(g, node, LKG.legalBasis, section)
            b.add(g, qualified, LKG.citesSection, section)
        if basis.get("applies_to_group"):
            b.add(g, node, LKG.citationAppliesToGroup, Literal(True))


def add_printed_items(b: GraphBuilder) -> None:
    """The items of Appendix C as printed: one node per obligation-bearing sentence, bullet or line of a row."""
    for item in b.data["printed_items"]:
        node = iri("printed-item", item["id"])
        g = b.graphs_for(item)
        b.add(g, node, RDF.type, LKG.PrintedItem)
        b.add(g, node, RDFS.label, Literal(f"Appendix C, {item['aspect']} item {item['number']}"))
        b.add(g, node, LKG.itemOfAspect, concept("aspect", item["aspect"]))
        b.add(g, node, LKG.itemNumber, Literal(item["number"]))
        b.add(g, node, LKG.itemForm, Literal(item["form"]))
        b.add(g, node, RDFS.comment, item.get("note"))
        b.cite(node, f"printed-item-{item['id']}", item["sources"], attest=False)


def _discharge(b: GraphBuilder, node: URIRef, duty: dict) -> None:
    """Who carries the duty out (a dated, sourced lkg:Responsibility), or a recorded gap."""
    if not duty["discharged_by"]:
        b.add(b.graphs_for(duty), node, LKG.noNamedDischarger, Literal(True))
        return
    sources = duty.get("discharge_sources") or duty["sources"]
    g = b.graphs_for({"sources": sources})
    for body in duty["discharged_by"]:
        resp = b.make(iri("responsibility", f"{duty['id']}-{body}"), node)
        b.add(g, node, LKG.dischargedBy, b.body_iri(body))
        b.add(g, resp, RDF.type, LKG.Responsibility)
        b.add(g, resp, RDFS.label, Literal(f"{body} discharges {duty['id']}"))
        b.add(g, resp, LKG.duty, node)
        b.add(g, resp, LKG.body, b.body_iri(body))
        b.cite(resp, f"responsibility-{duty['id']}-{body}", sources)


def add_duties(b: GraphBuilder, acts: dict[str, URIRef]) -> None:
    """Each Appendix C duty with aspect, kind, holders, legal bases, required bodies and priorities."""
    holders = {c["id"]: c for c in b.data.schemes.get("holder", {}).get("concepts", [])}
    for duty in b.data["duties"]:
        node = iri("duty", duty["id"])
        g = b.graphs_for(duty)
        b.add(g, node, RDF.type, LKG.StatutoryDuty)
        b.add(g, node, RDFS.label, Literal(duty["summary"]))
        b.add(g, node, DCTERMS.description, Literal(duty["summary"]))
        b.add(g, node, DCTERMS.identifier, Literal(duty["id"]))
        b.add(g, node, LKG.aspect, concept("aspect", duty["aspect"]))
        b.add(g, node, LKG.dutyKind, concept("duty-kind", duty["kind"]))
        for holder in duty["holders"]:
            b.add(g, node, LKG.holderRole, concept("holder", holder))
            if holders.get(holder, {}).get("body"):
                b.add(g, node, LKG.heldBy, b.body_iri(holders[holder]["body"]))
        b.add(
            g,
            node,
            LKG.implementationDate,
            date_literal(duty["implementation_date"]) if "implementation_date" in duty else None,
        )
        for item in duty.get("printed_items", []):
            b.add(g, node, LKG.printedAs, iri("printed-item", item))
        _legal_bases(b, node, duty, acts, g)
        for body in duty.get("requires_bodies", []):
            b.add(g, node, LKG.requiresBody, b.body_iri(body))
        for priority in duty.get("priorities", []):
            b.add([CURATION_GRAPH], node, LKG.servesPriority, iri("priority", priority))
        b.add(g, node, LKG.repair, duty.get("repair"))
        b.add(g, node, RDFS.comment, duty.get("note"))
        b.cite(node, f"duty-{duty['id']}", duty["sources"])
        _discharge(b, node, duty)


def add_aspects(b: GraphBuilder) -> None:
    """The Appendix C aspects as a SKOS scheme."""
    if not b.data["aspects"]:
        return
    b.add_scheme(
        "aspect",
        "Aspects of the local authority's statutory duties",
        "The rows of Appendix C of the 2020 education strategy.",
        [VOCABULARY_GRAPH],
    )
    for entry in b.data["aspects"]:
        node = b.add_concept("aspect", entry["id"], entry["label"], entry["definition"], b.graphs_for(entry))
        b.cite(node, f"aspect-{entry['id']}", entry["sources"])


def add_priorities(b: GraphBuilder) -> None:
    """SP1-SP6 with their objectives, and the council strategies linked to them (Appendix D)."""
    for entry in b.data["priorities"]:
        node = iri("priority", entry["id"])
        g = b.graphs_for(entry)
        b.add(g, node, RDF.type, LKG.StrategicPriority)
        b.add(g, node, RDFS.label, Literal(f"{entry['id'].upper()} {entry['label']}"))
        b.add(g, node, SKOS.notation, Literal(entry["id"].upper()))
        for objective in entry["objectives"]:
            b.add(g, node, LKG.objective, Literal(objective))
        b.cite(node, f"priority-{entry['id']}", entry["sources"])
    for entry in b.data["strategies"]:
        node = iri("strategy", entry["id"])
        g = b.graphs_for(entry)
        b.add(g, node, RDF.type, LKG.CouncilStrategy)
        b.add(g, node, RDFS.label, Literal(entry["label"]))
        b.add(g, node, LKG.validFrom, date_literal(entry["from"]) if "from" in entry else None)
        b.add(g, node, LKG.validTo, date_literal(entry["to"]) if "to" in entry else None)
        b.add(g, node, RDFS.comment, entry.get("note"))
        b.cite(node, f"strategy-{entry['id']}", entry["sources"])
        for link in entry["contributes_to"]:
            contribution = b.make(iri("contribution", f"{entry['id']}-{link['priority']}"), node)
            lg = b.graphs_for(link)
            b.add(lg, node, LKG.contributesTo, iri("priority", link["priority"]))
            b.add(lg, contribution, RDF.type, LKG.Contribution)
            b.add(lg, contribution, RDFS.label, Literal(f"{entry['label']} to {link['priority'].upper()}"))
            b.add(lg, contribution, LKG.strategy, node)
            b.add(lg, contribution, LKG.priority, iri("priority", link["priority"]))
            b.add(lg, contribution, DCTERMS.description, Literal(link["summary"]))
            b.cite(contribution, f"contribution-{entry['id']}-{link['priority']}", link["sources"])


def add_all(b: GraphBuilder) -> None:
    """Everything from duties.yaml, legislation.yaml and priorities.yaml."""
    add_aspects(b)
    add_printed_items(b)
    acts = add_legislation(b)
    add_priorities(b)
    add_duties(b, acts)
