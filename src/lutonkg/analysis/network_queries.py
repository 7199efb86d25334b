"""The SPARQL that reads the built graph for the networkx projection: one SELECT per kind of fact."""

from __future__ import annotations

from lutonkg.namespaces import SPARQL_PREFIXES as PREFIXES  # noqa: F401  (prefix header for the queries below)

DOCUMENTS = """
SELECT DISTINCT ?doc ?label ?title ?issued WHERE {
  ?doc a lkg:SourceDocument ; rdfs:label ?label ; dcterms:title ?title ; dcterms:issued ?issued .
}"""

CITATIONS = """
SELECT DISTINCT ?x ?doc ?loc ?anchor WHERE {
  ?x prov:qualifiedDerivation ?c . ?c prov:entity ?doc ; lkg:locator ?loc ; lkg:anchor ?anchor .
}"""

ATTESTED = "SELECT DISTINCT ?x ?doc WHERE { ?x lkg:attestedIn ?doc }"

STATED = """
SELECT DISTINCT ?x ?from ?to WHERE {
  { ?x lkg:validFrom ?from } UNION { ?x lkg:validTo ?to }
}"""

LABELS = """
SELECT DISTINCT ?x ?label WHERE { ?x a skos:Concept ; skos:prefLabel ?label }"""

BODIES = """
SELECT DISTINCT ?b ?label ?type ?description WHERE {
  ?b org:classification ?type ; skos:prefLabel ?label .
  OPTIONAL { ?b dcterms:description ?description }
}"""

ALT_LABELS = "SELECT DISTINCT ?b ?alt WHERE { ?b org:classification ?type ; skos:altLabel ?alt }"

RELATIONSHIPS = """
SELECT DISTINCT ?r ?s ?o ?type ?inferred ?role WHERE {
  ?r a lkg:Relationship ; lkg:subject ?s ; lkg:object ?o ; lkg:relationType ?type .
  OPTIONAL { ?r lkg:inferred ?inferred }
  OPTIONAL { ?r org:role/rdfs:label ?role }
}"""

EVENTS = """
SELECT DISTINCT ?e ?kind ?date ?inferred ?basis ?label ?side ?body WHERE {
  ?e a org:ChangeEvent ; lkg:eventKind ?kind ; rdfs:label ?label .
  OPTIONAL { ?e lkg:date ?date }
  OPTIONAL { ?e lkg:inferred ?inferred }
  OPTIONAL { ?e lkg:basis ?basis }
  OPTIONAL {
    { ?e org:originalOrganization ?body BIND("original" AS ?side) }
    UNION { ?e org:resultingOrganization ?body BIND("resulting" AS ?side) }
  }
}"""

DUTIES = """
SELECT DISTINCT ?d ?id ?label ?aspect ?kind ?none WHERE {
  ?d a lkg:StatutoryDuty ; dcterms:identifier ?id ; rdfs:label ?label ; lkg:aspect ?aspect ; lkg:dutyKind ?kind .
  OPTIONAL { ?d lkg:noNamedDischarger ?none }
}"""

DUTY_LINKS = """
SELECT DISTINCT ?d ?p ?o WHERE {
  ?d a lkg:StatutoryDuty ; ?p ?o .
  VALUES ?p { lkg:heldBy lkg:legalBasis lkg:requiresBody lkg:servesPriority lkg:holderRole }
}"""

RESPONSIBILITIES = "SELECT DISTINCT ?r ?d ?b WHERE { ?r a lkg:Responsibility ; lkg:duty ?d ; lkg:body ?b }"

LEGISLATION = """
SELECT DISTINCT ?l ?label ?cls ?year ?act WHERE {
  ?l rdfs:label ?label ; a ?cls .
  VALUES ?cls { lkg:Act lkg:ActSection lkg:StatutoryInstrument lkg:StatutoryGuidance }
  OPTIONAL { ?l lkg:year ?year }
  OPTIONAL { ?l dcterms:isPartOf ?act }
}"""

PRIORITIES = "SELECT DISTINCT ?p ?label WHERE { ?p a lkg:StrategicPriority ; rdfs:label ?label }"

INSPECTIONS = """
SELECT DISTINCT ?i ?label ?kind ?report ?p ?o WHERE {
  ?i a lkg:Inspection ; rdfs:label ?label ; lkg:inspectionKind ?kind ; lkg:reportedIn ?report .
  OPTIONAL { ?i ?p ?o . VALUES ?p { prov:wasAssociatedWith lkg:inspected } }
}"""

RECOMMENDATIONS = """
SELECT DISTINCT ?r ?id ?label ?doc ?level ?p ?o WHERE {
  ?r a lkg:Recommendation ; dcterms:identifier ?id ; rdfs:label ?label ; lkg:madeIn ?doc ; lkg:priorityLevel ?level .
  OPTIONAL { ?r ?p ?o . VALUES ?p { lkg:addressedTo lkg:concerns lkg:concernsDuty dcterms:subject } }
}"""

EVIDENCE = """
SELECT DISTINCT ?e ?r ?status ?label WHERE {
  ?e a lkg:Evidence ; lkg:evidenceFor ?r ; lkg:status ?status ; rdfs:label ?label .
}"""

CLAIMS = """
SELECT DISTINCT ?c ?topic ?about ?value ?asof ?label ?event ?rank WHERE {
  ?c a lkg:Claim ; lkg:topic ?topic ; rdfs:label ?label .
  OPTIONAL { ?c lkg:about ?about }
  OPTIONAL { ?c lkg:value ?value }
  OPTIONAL { ?c lkg:asOf ?asof }
  OPTIONAL { ?c lkg:dates ?event }
  OPTIONAL { ?c lkg:claimRank ?rank }
}"""
