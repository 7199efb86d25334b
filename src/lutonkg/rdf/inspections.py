"""RDF for inspections, recommendations, judgements on graded scales, and what became of recommendations."""

from __future__ import annotations

from rdflib import RDF, RDFS, Literal
from rdflib.namespace import DCTERMS, PROV, SKOS

from lutonkg.namespaces import CURATION_GRAPH, LKG, VOCABULARY_GRAPH, concept, iri, scheme_iri
from lutonkg.rdf.builder import GraphBuilder, date_literal


def add_schemes(b: GraphBuilder) -> None:
    """Themes, judged functions and grade scales as SKOS concept schemes."""
    g = [VOCABULARY_GRAPH]
    if b.data["themes"]:
        b.add_scheme("theme", "Recommendation themes", "Subjects of inspection recommendations across documents.", g)
    for entry in b.data["themes"]:
        b.add_concept("theme", entry["id"], entry["label"], entry["definition"], g)
    if b.data["functions"]:
        b.add_scheme("function", "Judged functions", "Functions, areas and themes on which inspections judged.", g)
    for entry in b.data["functions"]:
        b.add_concept("function", entry["id"], entry["label"], entry.get("definition"), g)
    for scale in b.data["scales"]:
        node = b.add_scheme(scale["id"], scale["label"], scale.get("definition"), g)
        b.add(g, node, LKG.combinationRule, scale.get("rule"))
        b.add(g, node, RDFS.comment, scale.get("note"))
        if scale.get("sources"):
            b.cite(node, f"scale-{scale['id']}", scale["sources"], attest=False)
        for grade in scale["grades"]:
            gnode = b.add_concept(scale["id"], grade["id"], grade["label"], grade.get("definition"), g)
            b.add(g, gnode, SKOS.notation, Literal(str(grade["notation"])) if "notation" in grade else None)
            b.add(g, gnode, LKG.rank, Literal(grade["rank"]))


def add_inspections(b: GraphBuilder) -> None:
    """Inspection events with inspectorates, inspected bodies and dates; each inspectorate inspects each body."""
    for entry in b.data["inspections"]:
        node = iri("inspection", entry["id"])
        g = b.graphs_for(entry)
        b.add(g, node, RDF.type, LKG.Inspection)
        b.add(g, node, RDFS.label, Literal(entry["label"]))
        b.add(g, node, LKG.inspectionKind, concept("inspection-kind", entry["kind"]))
        b.add(g, node, LKG.validFrom, date_literal(entry["from"]) if "from" in entry else None)
        b.add(g, node, LKG.validTo, date_literal(entry["to"]) if "to" in entry else None)
        b.add(g, node, LKG.reportedIn, iri("document", entry["reported_in"]))
        b.add(g, node, DCTERMS.description, entry.get("summary"))
        b.add(g, node, RDFS.comment, entry.get("note"))
        for inspectorate in entry.get("inspectorates", []):
            b.add(g, node, PROV.wasAssociatedWith, b.body_iri(inspectorate))
            for body in entry.get("inspected", []):
                b.add(g, b.body_iri(inspectorate), LKG.inspects, b.body_iri(body))
        for body in entry.get("inspected", []):
            b.add(g, node, LKG.inspected, b.body_iri(body))
        b.cite(node, f"inspection-{entry['id']}", entry["sources"])


def add_recommendations(b: GraphBuilder) -> None:
    """Each recommendation with addressees, priority, themes, purpose and every place it is stated."""
    for entry in b.data["recommendations"]:
        node = iri("recommendation", entry["id"])
        g = b.graphs_for(entry)
        b.add(g, node, RDF.type, LKG.Recommendation)
        b.add(g, node, RDFS.label, Literal(entry["summary"]))
        b.add(g, node, DCTERMS.description, Literal(entry["summary"]))
        b.add(g, node, DCTERMS.identifier, Literal(entry["id"]))
        b.add(g, node, LKG.madeIn, iri("document", entry["doc"]))
        b.add(g, node, LKG.inspection, iri("inspection", entry["inspection"]))
        b.add(g, node, LKG.purpose, entry.get("purpose"))
        b.add(g, node, LKG.priorityLevel, concept("recommendation-priority", entry["priority"]))
        for addressee in entry["addressees"]:
            b.add(g, node, LKG.addressedTo, b.body_iri(addressee))
        for theme in entry["themes"]:
            b.add(g, node, DCTERMS.subject, concept("theme", theme))
        for body in entry.get("concerns", []):
            b.add(g, node, LKG.concerns, b.body_iri(body))
        for duty in entry.get("duties", []):
            b.add([CURATION_GRAPH], node, LKG.concernsDuty, iri("duty", duty))
        b.add(g, node, RDFS.comment, entry.get("note"))
        b.cite(node, f"recommendation-{entry['id']}", entry["sources"])
        for answer in entry.get("answers", []):
            _add_pairing(b, entry["id"], answer)
        for doc in sorted({s["doc"] for s in entry.get("reiterated_in", [])}):
            _add_reiteration(b, entry["id"], doc, [s for s in entry["reiterated_in"] if s["doc"] == doc])


def _add_pairing(b: GraphBuilder, rec: str, answer: dict) -> None:
    """A recommendation paired with the judgement it answers: a direct link and a qualified, cited node."""
    node = iri("pairing", f"{rec}-{answer['judgement']}")
    inferred = bool(answer.get("inferred"))
    g = b.graphs_for(answer)
    b.add(g, iri("recommendation", rec), LKG.answersJudgement, iri("judgement", answer["judgement"]))
    b.add(g, node, RDF.type, LKG.JudgementPairing)
    b.add(g, node, RDF.type, LKG.CuratorsAssessment if inferred else None)
    b.add(g, node, RDFS.label, Literal(f"{rec} answers {answer['judgement']}"))
    b.add(g, node, LKG.ofRecommendation, iri("recommendation", rec))
    b.add(g, node, LKG.pairedJudgement, iri("judgement", answer["judgement"]))
    b.add(g, node, LKG.inferred, Literal(inferred))
    b.add(g, node, LKG.basis, answer.get("basis"))
    b.cite(node, f"pairing-{rec}-{answer['judgement']}", answer["sources"], attest=False)


def _add_reiteration(b: GraphBuilder, rec: str, doc: str, sources: list[dict]) -> None:
    """Another report of the same inspection restating the recommendation (not a follow-up)."""
    node = iri("reiteration", f"{rec}-{doc}")
    g = b.graphs_for({"sources": sources})
    b.add(g, iri("recommendation", rec), LKG.reiteratedIn, iri("document", doc))
    b.add(g, node, RDF.type, LKG.Reiteration)
    b.add(g, node, RDFS.label, Literal(f"{rec} restated in {doc}"))
    b.add(g, node, LKG.ofRecommendation, iri("recommendation", rec))
    b.cite(node, f"reiteration-{rec}-{doc}", sources, attest=False)


def add_judgements(b: GraphBuilder) -> None:
    """Each judgement: who judged what, when, on which scale, with what result."""
    inspections = b.data.by_id("inspections")
    for entry in b.data["judgements"]:
        node = iri("judgement", entry["id"])
        g = b.graphs_for(entry)
        inspection = inspections[entry["inspection"]]
        b.add(g, node, RDF.type, LKG.Judgement)
        b.add(g, node, RDFS.label, Literal(entry.get("summary") or entry["id"].replace("-", " ")))
        b.add(g, node, DCTERMS.description, entry.get("summary"))
        b.add(g, node, LKG.inspection, iri("inspection", entry["inspection"]))
        b.add(g, node, LKG.judged, b.body_iri(entry["judged"]))
        b.add(g, node, LKG.function, concept("function", entry["function"]))
        b.add(g, node, LKG.judgementKind, concept("judgement-kind", entry["kind"]))
        b.add(g, node, LKG.scale, scheme_iri(entry["scale"]) if "scale" in entry else None)
        b.add(g, node, LKG.grade, concept(entry["scale"], entry["grade"]) if "grade" in entry else None)
        when = inspection.get("to") or inspection.get("from")
        b.add(g, node, LKG.date, date_literal(when) if when else None)
        for duty in entry.get("duties", []):
            b.add([CURATION_GRAPH], node, LKG.concernsDuty, iri("duty", duty))
        b.add(g, node, RDFS.comment, entry.get("note"))
        b.cite(node, f"judgement-{entry['id']}", entry["sources"])


def add_evidence(b: GraphBuilder) -> None:
    """Curators' assessments linking a recommendation to later statements about it."""
    for entry in b.data["evidence"]:
        node = iri("evidence", entry["id"])
        g = b.graphs_for(entry, curated=True)
        b.add(g, node, RDF.type, LKG.Evidence)
        b.add(g, node, RDFS.label, Literal(entry["summary"]))
        b.add(g, node, DCTERMS.description, Literal(entry["summary"]))
        b.add(g, node, LKG.evidenceFor, iri("recommendation", entry["recommendation"]))
        b.add(g, node, LKG.status, concept("follow-up-status", entry["status"]))
        b.add(g, node, LKG.basis, Literal(entry["rationale"]))
        b.add(g, node, RDFS.comment, entry.get("note"))
        b.cite(node, f"evidence-{entry['id']}", entry["sources"])


def add_all(b: GraphBuilder) -> None:
    """Everything from inspections.yaml, recommendations.yaml, judgements.yaml and evidence.yaml."""
    add_schemes(b)
    add_inspections(b)
    add_recommendations(b)
    add_judgements(b)
    add_evidence(b)
