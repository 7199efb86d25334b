"""The duty register: Appendix C duties as one CSV row each, for people who work in spreadsheets."""

from __future__ import annotations

import csv
import io

from lutonkg.data.load import Data
from lutonkg.rdf.duties import legislation_iri, section_key

COLUMNS = [
    "duty_id",
    "aspect",
    "duty",
    "holders",
    "kind",
    "implementation_date",
    "legal_basis",
    "legal_basis_iris",
    "citation_applies_to_group",
    "discharged_by",
    "requires_bodies",
    "priorities",
    "locator",
    "repair",
]


def _legal_basis(duty: dict, data: Data) -> tuple[str, str]:
    """Readable citations ('Education Act 1996 s390, s391') and their legislation.gov.uk identifiers."""
    by_id = data.by_id("legislation")
    texts, iris = [], []
    for basis in duty.get("legal_bases", []):
        law = by_id[basis["ref"]]
        base = str(legislation_iri(law))
        sections = basis.get("sections", [])
        texts.append(law["title"] + (" " + ", ".join(f"s{s}" for s in sections) if sections else ""))
        iris.extend([f"{base}/section/{section_key(s)}" for s in sections] or [base])
    return "; ".join(texts), " ".join(iris)


def duty_register(data: Data) -> str:
    """CSV text of every duty, in data order."""
    aspects = {a["id"]: a["label"] for a in data["aspects"]}
    bodies = data.bodies()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for duty in data["duties"]:
        basis, iris = _legal_basis(duty, data)
        writer.writerow(
            [
                duty["id"],
                aspects.get(duty["aspect"], duty["aspect"]),
                duty["summary"],
                "; ".join(duty["holders"]),
                duty["kind"],
                duty.get("implementation_date", ""),
                basis,
                iris,
                "yes" if any(b.get("applies_to_group") for b in duty.get("legal_bases", [])) else "",
                "; ".join(bodies[b]["label"] for b in duty["discharged_by"]) or "(no named body)",
                "; ".join(bodies[b]["label"] for b in duty.get("requires_bodies", [])),
                "; ".join(p.upper() for p in duty.get("priorities", [])),
                "; ".join(f"{s['doc']} {s['loc']}" for s in duty["sources"]),
                duty.get("repair", ""),
            ]
        )
    return out.getvalue()
