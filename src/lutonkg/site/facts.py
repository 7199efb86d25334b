"""Provenance run backwards: for every citation, the facts the graph draws from it, read off the entities'
descriptions (the same statements their pages show), so a source page can list beside each passage what was taken
from it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from lutonkg.entities.describe import Entity
from lutonkg.entities.index import Cite


@dataclass(frozen=True)
class Fact:
    """One fact drawn from a passage: `subject phrase other|value`, or that the passage names the subject."""

    kind: str  # named | statement | claim
    subject: str
    subject_label: str
    phrase: str = ""
    other: str | None = None
    other_label: str = ""
    value: str = ""
    curated: bool = False

    def sort_key(self) -> tuple:
        """Named things first, then statements and claims by subject, wording and object."""
        order = {"named": 0, "statement": 1, "claim": 2}[self.kind]
        return (order, self.subject_label.casefold(), self.phrase, (self.other_label or self.value).casefold(),
                self.subject, self.other or "")  # fmt: skip


def facts_by_citation(described: Iterable[Entity], label: Callable[[str], str]) -> dict[Cite, list[Fact]]:
    """Every citation's facts: the entities it names, the statements it supports (each once, from the side that
    states it) and the claims it makes."""
    found: dict[Cite, set[Fact]] = defaultdict(set)
    entities = list(described)
    out_vias = {s.via for e in entities for s in e.statements if s.via and s.direction == "out"}
    seen_vias: set[tuple[str, Cite]] = set()
    seen_claims: set[str] = set()
    for entity in entities:
        for cite in entity.citations:
            found[cite].add(Fact("named", entity.iri, entity.label))
        for s in entity.dates + entity.statements:
            if s.direction != "out" and (not s.via or s.via in out_vias):
                continue
            fact = Fact("statement", entity.iri, entity.label, _phrase(s.phrase, s.qualifiers), s.other,
                        s.other_label, s.value or "", s.curated)  # fmt: skip
            for cite in s.citations:
                if s.via and (s.via, cite) in seen_vias:
                    continue
                if s.via:
                    seen_vias.add((s.via, cite))
                found[cite].add(fact)
        for claim in entity.claims:
            if claim.iri in seen_claims:
                continue
            seen_claims.add(claim.iri)
            about = claim.about or claim.topic or entity.iri
            fact = Fact("claim", about, label(about), claim.topic_label, value=_claim_value(claim.value, claim.as_of))
            for cite in claim.citations:
                found[cite].add(fact)
    return {cite: sorted(facts, key=Fact.sort_key) for cite, facts in found.items()}


def _phrase(phrase: str, qualifiers: dict[str, str]) -> str:
    """A statement's wording with its dates and role."""
    extra = ", ".join(f"{k} {v}" for k, v in qualifiers.items())
    return f"{phrase} ({extra})" if extra else phrase


def _claim_value(value: str, as_of: str) -> str:
    """A claim's value with its date."""
    return f"{value} (as of {as_of})" if as_of else value
