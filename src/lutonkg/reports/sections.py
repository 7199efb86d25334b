"""The parts briefings share: judgements, recommendations and their follow-up, reorganisations, duties, claims where
the sources disagree, and what else the entity description says; each a Section of cited sentences."""

from __future__ import annotations

import re

from lutonkg.analysis.history import event_when
from lutonkg.entities.describe import FOLLOW_UP, Claim, Statement
from lutonkg.entities.index import SKOS
from lutonkg.reports.context import Writer
from lutonkg.reports.model import CURATORS_ASSESSMENT, CURATORS_NOTE, Block, Section, Sentence
from lutonkg.reports.words import clause, date_text, join, sentence

KIND_ORDER = ["grade", "score", "headline judgement", "strength", "weakness"]
SHOWN_KINDS = ("strength", "weakness", "headline judgement")
OWN_SECTIONS = {
    "What it is", "Dates", "Reorganisations", "Duties", "Judgements", "Recommendations", "Concepts",
    "Follow-up (curators' assessment)", "Who holds and discharges it", "Legal basis", "Who it is for",
    "Where it comes from", "What was judged",
}  # fmt: skip


class Sections:
    """Builds the shared sections for one briefing."""

    def __init__(self, w: Writer) -> None:
        self.w = w
        self.rg = w.rg
        self.ix = w.rg.index
        self.names = w.names

    def doc_date(self, doc: str) -> str:
        """A document's date in words."""
        return date_text(self.ix.documents[doc].date)

    def doc_name(self, doc: str) -> str:
        """'the Joint area review 2008 (22 April 2008)'."""
        d = self.ix.documents[doc]
        return f"the {d.label} ({date_text(d.date)})"

    # -- judgements

    def judgement_key(self, iri: str) -> tuple:
        """Date order: document date, inspection, function, kind of judgement."""
        e = self.rg.entity(iri)
        docs = [c.doc for c in e.citations] or [""]
        date = self.ix.documents[docs[0]].date if docs[0] in self.ix.documents else ""
        kind = self.ix.label(e.other("kind") or "")
        order = KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)
        function = self.ix.label(e.other("function or area") or "")
        return (date, self.ix.label(e.other("made by inspection") or ""), order, function.casefold(), iri)

    def judgements(self, iris: list[str], linked: set[str] = frozenset(), show_judged: bool = False) -> Section | None:
        """Judgements in date order, grouped by inspection; strengths and weaknesses listed under their grades."""
        iris = [i for i in dict.fromkeys(iris) if self.w.in_period(self.rg.entity(i).citations)]
        if not iris:
            return None
        section = Section("Inspection judgements")
        if linked:
            section.add(self.w.remark_block("linked_judgements"))
        current = None
        for iri in sorted(iris, key=self.judgement_key):
            e = self.rg.entity(iri)
            inspection = e.other("made by inspection")
            if inspection != current:
                current = inspection
                section.add(Block([], "lead", self._inspection_lead(inspection, e)))
            section.add(self._judgement(iri, iri in linked, show_judged))
        return section

    def _inspection_lead(self, inspection: str | None, e) -> str:
        """'Joint area review of services for children and young people in Luton (Joint area review 2008, 22 April
        2008)'."""
        docs = [c.doc for c in e.citations if c.doc in self.ix.documents]
        where = f" ({self.ix.documents[docs[0]].label}, {self.doc_date(docs[0])})" if docs else ""
        return (self.ix.label(inspection) if inspection else "Inspection") + where

    def _judgement(self, iri: str, linked: bool, show_judged: bool) -> Block:
        """One judgement: a lead naming the function, grade or kind, and its summary with its note."""
        e = self.rg.entity(iri)
        function = self.ix.label(e.other("function or area") or "") if e.other("function or area") else ""
        kind = self.ix.label(e.other("kind") or "") if e.other("kind") else ""
        grade = e.other("grade")
        lead = function[:1].upper() + function[1:]
        if grade:
            notation = self.ix.value(grade, SKOS + "notation")
            label = self.ix.label(grade)
            lead += ": " + (f"{notation} ({label})" if notation and notation != label else label)
        qualifiers = [kind] if kind in SHOWN_KINDS and not grade else []
        text = e.label
        judged = e.other("judged")
        if show_judged and judged:
            text = text.rstrip(".") + f" (judgement on {self.names.name(judged)})."
        if linked:
            qualifiers.append("linked by the curators")
        if qualifiers:
            lead += f" ({'; '.join(qualifiers)})"
        return Block([self.w.fact(text, e.citations)], "item", lead)

    # -- recommendations

    def recommendation_key(self, iri: str) -> tuple:
        """Date order: the document that made it, then its id."""
        e = self.rg.entity(iri)
        made = e.other("made in")
        date = self.ix.documents[made.rsplit("/", 1)[-1]].date if made else ""
        return (date, iri)

    def recommendations(self, iris: list[str], title: str = "Recommendations and what followed") -> Section | None:
        """Recommendations in date order: what was asked, of whom, and what later documents show (curators'
        assessment, with its basis)."""
        iris = [i for i in dict.fromkeys(iris) if self.w.in_period(self.rg.entity(i).citations)]
        if not iris:
            return None
        section = Section(title)
        for iri in sorted(iris, key=self.recommendation_key):
            section.blocks += self.recommendation(iri)
        return section

    def recommendation(self, iri: str, follow_up: bool = True) -> list[Block]:
        """One recommendation as an item (what, of whom) and its follow-up items."""
        e = self.rg.entity(iri)
        made = e.other("made in")
        doc = made.rsplit("/", 1)[-1] if made else ""
        priority = e.other("priority")
        lead = f"Recommendation {e.key.rsplit('/', 1)[-1]}"
        if doc in self.ix.documents:
            lead += f" ({self.ix.documents[doc].label}, {self.doc_date(doc)}"
            lead += f"; priority: {self.ix.label(priority)})" if priority else ")"
        text = e.label
        purpose = next((s.value for s in e.find("purpose") if s.value), "")
        if purpose:
            text = sentence(text) + " " + sentence(f"Its stated purpose: {clause(purpose)}")
        whom = e.find("addressed to", "concerns")
        if self.whom_text(whom) and set(c for s in whom for c in s.citations) == set(e.citations):
            sentences = [self.w.fact(sentence(text) + " " + sentence(self.whom_text(whom)), e.citations)]
        else:
            sentences = [self.w.fact(text, e.citations)]
            if self.whom_text(whom):
                sentences.append(self.w.fact(self.whom_text(whom), [c for s in whom for c in s.citations]))
        blocks = [Block(sentences, "item", lead)]
        if follow_up:
            blocks += self.follow_up(iri)
        return blocks

    def whom_text(self, statements: list[Statement]) -> str:
        """'it was addressed to X and concerned Y' ('' when it names nobody)."""
        to = [self.names.name(s.other) for s in statements if s.phrase == "addressed to" and s.other]
        about = [self.names.name(s.other) for s in statements if s.phrase == "concerns" and s.other]
        parts = ([f"it was addressed to {join(to)}"] if to else []) + ([f"concerned {join(about)}"] if about else [])
        return " and ".join(parts) if to else (f"it {parts[0]}" if parts else "")

    def follow_up(self, iri: str) -> list[Block]:
        """What later documents show about a recommendation, in date order (curators' assessment)."""
        e = self.rg.entity(iri)
        found = []
        follow = [s for s in e.statements if s.group == FOLLOW_UP]
        statements = [s for s in follow if self.w.in_period(s.citations)]
        for s in sorted(statements, key=lambda s: [self.ix.cite_order(c) for c in s.citations]):
            doc = s.other.rsplit("/", 1)[-1] if s.other else ""
            when = self.doc_name(doc) if doc in self.ix.documents else "a later document"
            status = s.phrase
            text = f"{status[:1].upper()}{status[1:]}, according to {when}: {clause(s.note)}"
            basis = "" if s.basis.casefold().startswith("curators' assessment") else s.basis
            found.append(Block([self.w.fact(text, s.citations, CURATORS_ASSESSMENT, basis)], "subitem"))
        if not found:
            found.append(self.w.remark_block("no_follow_up", "subitem"))
        return found

    # -- reorganisations

    def reorganisations(self, iris: list[str], title: str = "Successions and reorganisations") -> Section | None:
        """Successions, renamings, restructures and mergers of the bodies, once per event, with when they happened
        and, for the curators' inferences, their basis."""
        section = Section(title)
        seen: set[str] = set()
        for iri in iris:
            for s in self.rg.entity(iri).find(*self._event_phrases(), group="Reorganisations"):
                if s.via in seen or not self.w.usable(s):
                    continue
                seen.add(s.via)
                when = self._event_when(s.via)
                text = self.w.statement_text(iri, s).rstrip(".") + (f" ({when})." if when else ".")
                sentences = [self.w.fact(text, s.citations, *self.w.mark(s))]
                if s.note:
                    sentences.append(Sentence(sentence(s.note), mark=CURATORS_NOTE))
                section.add(Block(sentences, "item"))
        return section if section.blocks else None

    def _event_phrases(self) -> list[str]:
        """Every phrase a reorganisation is worded with."""
        events = self.rg.describer.words["events"]
        return sorted({v for entry in events.values() for v in entry.values()})

    def _event_when(self, via: str) -> str:
        """When a change event happened: its date, or the interval the documents allow ('between 2002 and 2008')."""
        slug = via.rsplit("/", 1)[-1]
        event = next((e for e in self.rg.network.graph.get("changes", []) if e["id"] == slug), None)
        when = event_when(self.rg.network, event) if event else ""
        when = re.sub(r"\d{4}-\d{2}(-\d{2})?", lambda m: date_text(m.group(0)), when)
        return f"in {when}" if when[:1].isdigit() else when

    # -- duties

    def duty_blocks(self, iri: str) -> list[Block]:
        """A duty: what it is (with its note), then its law, holders and dischargers."""
        e = self.rg.entity(iri)
        blocks = [Block([self.w.fact(e.label, e.citations)], "para", "Duty")]
        statements = e.find("legal basis", "held by", "discharged by", "requires")
        blocks += self.w.statement_blocks(iri, statements)
        return blocks

    def duties(self, iris: list[str], title: str = "Duties") -> Section | None:
        """Several duties, each with its law, holders and dischargers."""
        section = Section(title)
        for iri in dict.fromkeys(iris):
            if self.w.in_period(self.rg.entity(iri).citations):
                section.blocks += self.duty_blocks(iri)
        return section if section.blocks else None

    # -- claims

    def claims(self, claims: list[Claim]) -> list[Section]:
        """Where the sources disagree (both claims, each with its source), then the other figures they give."""
        claims = [c for c in claims if self.w.in_period(c.citations)]
        topics: dict[str, list[Claim]] = {}
        for c in sorted(claims, key=lambda c: (c.topic_label.casefold(), c.as_of, c.iri)):
            topics.setdefault(c.topic_label, []).append(c)
        disputed = {t: cs for t, cs in topics.items() if len({c.value for c in cs}) > 1}
        agreed = {t: cs for t, cs in topics.items() if t not in disputed}
        found = []
        if disputed:
            section = Section("Where the sources disagree")
            section.add(self.w.remark_block("disagree"))
            for topic, cs in disputed.items():
                section.add(Block([], "lead", topic[:1].upper() + topic[1:]))
                section.blocks += [Block([self._claim(c, True)], "item") for c in cs]
            found.append(section)
        if agreed:
            section = Section("Figures the sources give")
            for topic, cs in agreed.items():
                section.blocks += [Block([self._claim(c)], "item", topic[:1].upper() + topic[1:]) for c in cs]
            found.append(section)
        return found

    def _claim(self, c: Claim, value: bool = False):
        """'The LEA inspection 2002 (as of July 2002): <statement>; figure recorded: 1997'."""
        docs = [x.doc for x in c.citations if x.doc in self.ix.documents]
        source = f"The {self.ix.documents[docs[0]].label}" if docs else "A source"
        when = f" (as of {date_text(c.as_of)})" if c.as_of else ""
        text = f"{source}{when}: {clause(c.statement)}" + (f"; figure recorded: {c.value}" if value and c.value else "")
        return self.w.fact(text, c.citations)

    # -- the rest of the description

    def other_statements(self, iri: str, said: set[frozenset[str]] = frozenset()) -> list[Section]:
        """Every other group of the entity description, as a level-3 section of cited sentences each; links already
        said (in the chain at each date) are left out."""
        found = []
        for group, statements in self.rg.entity(iri).groups().items():
            if group in OWN_SECTIONS:
                continue
            statements = [s for s in statements if not s.other or frozenset((iri, s.other)) not in said]
            blocks = self.w.statement_blocks(iri, statements)
            if blocks:
                found.append(Section(group[:1].upper() + group[1:], 3, list(blocks)))
        return found
