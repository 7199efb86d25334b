"""Briefings on a body, duty, recommendation or any other entity, and thematic reviews of a theme or aspect across
the whole period: `briefing(...)` returns a Briefing that renders to Markdown, HTML and Word.

A briefing is the entity description (`lutonkg.entities.describe`, the content of `lutonkg show` and of the site's
entity pages) in sentences, plus the chain of responsibility at each date (`lutonkg who`), the successions between,
judgements, recommendations with the curators' follow-up, disagreements and diagrams.
"""

from __future__ import annotations

import re
from pathlib import Path

from lutonkg.analysis.lookup import Focus, LookupError_, resolve
from lutonkg.analysis.network import snapshot
from lutonkg.diagrams.timeline import timeline_rows
from lutonkg.entities.describe import Entity, kind_of
from lutonkg.entities.search import NotFound
from lutonkg.reports.chain import ChainWriter, topic_text
from lutonkg.reports.context import Period, ReportGraph, Writer
from lutonkg.reports.model import Block, Briefing, Figure, Reference, Section, Sentence
from lutonkg.reports.sections import Sections
from lutonkg.reports.words import clause, date_text, join, sentence

CHAIN_TITLE = "Who was responsible, at each date"
REC_STEPS = ("body", "within", "oversight", "inspector")
BODY_STEPS = ("body", "within", "oversight", "partner", "inspector")


class ReportError(LookupError):
    """The subject or theme cannot be found, or the request does not make sense; the message is one line."""


def briefing(
    subject: str | None = None,
    *,
    theme: str | None = None,
    at: int | None = None,
    start: int | None = None,
    end: int | None = None,
    graph: ReportGraph | Path | str | None = None,
) -> Briefing:
    """A briefing on a subject (id, key, label, other name or words), or with only `theme`, a thematic review of
    that theme or aspect; over one year (`at`) or a period (`start`..`end`, default the sources' whole span)."""
    rg = _graph(graph)
    if at is not None and (start is not None or end is not None):
        raise ReportError("give either one year (--at) or a period (--from/--to), not both")
    period = Period.of(rg.index, at, start, end)
    foci = resolve_theme(rg, theme) if theme else []
    if subject:
        iri = resolve_subject(rg, subject)
        if kind_of(iri) in ("theme", "aspect") and not foci:
            foci = resolve_theme(rg, iri.rsplit("/", 1)[-1], kind_of(iri))
            return Builder(rg, period).thematic(foci)
        return Builder(rg, period, foci).subject(iri)
    if not foci:
        raise ReportError("name a subject (an id or words of a name) or a theme (--theme safeguarding)")
    return Builder(rg, period).thematic(foci)


def _graph(graph: ReportGraph | Path | str | None) -> ReportGraph:
    """The graph to report from: given, or the current project's built graph."""
    if isinstance(graph, ReportGraph):
        return graph
    if graph is None:
        from lutonkg.project import find_project

        graph = find_project().nquads
    return ReportGraph.load(Path(graph))


def resolve_subject(rg: ReportGraph, text: str) -> str:
    """The entity a reader names, or ReportError with what to type instead (did you mean ...)."""
    try:
        return rg.finder.resolve(text, (), "thing")
    except NotFound as exc:
        raise ReportError(str(exc)) from None


def resolve_theme(rg: ReportGraph, text: str, kind: str | None = None) -> list[Focus]:
    """The recommendation theme and/or duty aspect a text names (both when they share a name)."""
    found = []
    if rg.finder.find(text, ("theme", "aspect")):
        try:
            found = [f for f in resolve(rg.network, text).foci if f.kind in ("theme", "aspect")]
        except LookupError_:
            found = []
    if kind:
        found = [f for f in found if f.kind == kind] or found
    if not found:
        hint = re.sub(r"concept/(theme|aspect)/", "", rg.finder.suggest(text, ("theme", "aspect")))
        hint = re.sub(r"\b([\w-]+), \1\b", r"\1", hint)
        raise ReportError(f"no theme or aspect matches {text!r}{hint}; `lutonkg find --kind theme` lists them")
    return found


class Builder:
    """Assembles one briefing's sections in reading order, then numbers notes and lists references."""

    def __init__(self, rg: ReportGraph, period: Period, foci: list[Focus] | None = None) -> None:
        self.rg = rg
        self.period = period
        self.foci = foci or []
        self.w = Writer(rg, period)
        self.chain = ChainWriter(self.w)
        self.parts = Sections(self.w)
        self.names = rg.names

    # -- subjects

    def subject(self, iri: str) -> Briefing:
        """A briefing on one entity, shaped by its kind."""
        kind = kind_of(iri)
        build = {
            "body": self._body,
            "school": self._body,
            "duty": self._duty,
            "recommendation": self._recommendation,
        }.get(kind, self._generic)
        sections = [s for s in build(iri) if s is not None]
        e = self.rg.entity(iri)
        title = f"Briefing: {e.label}" + (f" ({e.alt_labels[0]})" if self._short_alt(e) else "")
        if kind in ("duty", "recommendation", "judgement"):
            title = f"Briefing on the {kind} {e.key.rsplit('/', 1)[-1]}"
        intro = [self._scope_line(e), self.w.words["remarks"]["intro"]]
        return self._finish(title, e.key, kind, intro, sections, e.key.rsplit("/", 1)[-1])

    @staticmethod
    def _short_alt(e: Entity) -> bool:
        """Whether the entity has a short other name worth putting in the title (LSCB)."""
        return bool(e.alt_labels) and 3 <= len(e.alt_labels[0]) <= 8 and e.alt_labels[0].isupper()

    def _scope_line(self, e: Entity) -> str:
        """What the briefing covers, in one line."""
        theme = f", on the theme {join([f.label for f in self.foci])}" if self.foci else ""
        ident = e.key.rsplit("/", 1)[-1]
        if e.kind in ("body", "school"):
            article = "an" if e.kind_label[:1].lower() in "aeiou" else "a"
            what = f"{self.names.name(e.iri)}, {article} {e.kind_label} (id {e.key})"
        elif e.kind == "duty":
            aspect = e.other("aspect")
            what = f"the {e.kind_label.lower()} {ident}" + (f" ({self.names.label(aspect)})" if aspect else "")
        elif e.kind == "recommendation" and e.other("made in"):
            what = f"the recommendation {ident} of {self.names.name(e.other('made in'))}"
        else:
            what = f"the {e.kind_label.lower() if e.kind_label != e.kind else e.kind} {ident}"
        return f"A briefing on {what}{theme}, {self.period.text()}, from the graph's source documents."

    def _body(self, iri: str) -> list[Section | None]:
        """A body: what it is, its chain at each date, successions, duties, judgements, recommendations, claims."""
        e = self.rg.entity(iri)
        sections = [self._what_it_is(e), *self._body_chain(iri)]
        sections.append(self.parts.reorganisations([iri]))
        sections.append(self._duties_of_body(iri, e))
        judgements = [s.other for s in e.find("judgement on it") if s.other]
        sections.append(self.parts.judgements(self._on_theme(judgements, "judgement")))
        recs = [s.other for s in e.find("recommendation addressed to it", "recommendation concerning it") if s.other]
        sections.append(self.parts.recommendations(self._on_theme(recs, "recommendation")))
        sections += self.parts.claims(e.claims)
        others = self.parts.other_statements(iri, self.chain.pairs)
        if others:
            sections.append(Section("What else the sources say"))
            sections += others
        sections.append(self._figures(self._body_figures(iri)))
        return sections

    def _duties_of_body(self, iri: str, e: Entity) -> Section | None:
        """The duties a body holds, carries out or is required for (each with its note)."""
        statements = [s for s in e.find("holds duty", "discharges duty", "required by duty") if s.other]
        statements = [s for s in statements if not self.foci or s.other in self._theme_duties()]
        blocks = self.w.statement_blocks(iri, statements)
        return Section("Duties", 2, list(blocks)) if blocks else None

    def _duty(self, iri: str) -> list[Section | None]:
        """A duty: what it is, its law and holders, the chain at each date, judgements and recommendations on it."""
        e = self.rg.entity(iri)
        sections = [self._what_it_is(e)]
        sections += self._chain_sections(e.key, self._years_held(e.key), single_duty=True)
        judgements = [s.other for s in e.find("recommendation concerning it") if s.other and "/judgement/" in s.other]
        section = self.parts.judgements(judgements, show_judged=True)
        if section:
            section.blocks.insert(
                0,
                self.w.remark_block("duty_judgements"),
            )
        sections.append(section)
        recs = [s.other for s in e.find("recommendation concerning it") if s.other and "/recommendation/" in s.other]
        section = self.parts.recommendations(recs)
        if section:
            section.blocks.insert(
                0,
                self.w.remark_block("duty_recommendations"),
            )
        sections.append(section)
        sections.append(self._figures(self._map_figures(e.key, self._years_held(e.key))))
        return sections

    def _recommendation(self, iri: str) -> list[Section | None]:
        """A recommendation: what was asked and of whom, what later documents show, and the chain of its
        addressees at the date it was made and at later dates."""
        e = self.rg.entity(iri)
        sections = [self._what_it_is(e)]
        follow = self.parts.follow_up(iri)
        sections.append(
            Section(
                "What later documents show",
                2,
                [
                    self.w.remark_block("follow_up"),
                    *[self._as_item(b) for b in follow],
                ],
            )
        )
        bodies = [s.other for s in e.find("addressed to", "concerns") if s.other and kind_of(s.other) == "body"]
        made = self._made_year(e)
        years = [y for y in self.period.snapshots() if made is None or y >= made] or self.period.snapshots()
        for body in bodies:
            sections += self._body_chain(body, years, REC_STEPS, f"{CHAIN_TITLE}: {self.names.name(body)}")
        sections.append(self.parts.reorganisations(bodies))
        target = bodies[-1] if bodies else None
        figures = self._map_figures(self.rg.entity(target).key, [made]) if target and made else []
        sections.append(self._figures(figures))
        return sections

    @staticmethod
    def _as_item(block: Block) -> Block:
        """A follow-up block as a top-level item."""
        block.kind = "item"
        return block

    def _made_year(self, e: Entity) -> int | None:
        """The year of the document that made a recommendation."""
        made = e.other("made in")
        doc = made.rsplit("/", 1)[-1] if made else ""
        return self.rg.doc_year(doc) if doc in self.rg.index.documents else None

    def _generic(self, iri: str) -> list[Section | None]:
        """Any other thing: what it is, what the description says, and the claims about it."""
        e = self.rg.entity(iri)
        sections: list[Section | None] = [self._what_it_is(e)]
        for group, statements in e.groups().items():
            if group in ("What it is", "Concepts"):
                continue
            blocks = self.w.statement_blocks(iri, statements)
            if blocks:
                sections.append(Section(group[:1].upper() + group[1:], 2, list(blocks)))
        sections += self.parts.claims(e.claims)
        return sections

    # -- what it is

    def _what_it_is(self, e: Entity) -> Section:
        """The opening: what the thing is, its other names, the documents that name it, and its summary."""
        section = Section("What it is")
        named = join([f"the {self.rg.index.documents[d].label}" for d in e.attested if d in self.rg.index.documents])
        if e.kind in ("duty", "judgement"):
            text = sentence(e.label)
        elif e.kind == "recommendation":
            made = e.other("made in")
            doc = made.rsplit("/", 1)[-1] if made else ""
            text = f"{self.parts.doc_name(doc) if doc else 'a source'} recommended: {clause(e.label)}"
        else:
            others = [a for a in e.alt_labels if a[:1].isupper() and a.casefold() != e.label.casefold()][:3]
            also = f" (also called {join(others)})" if others else ""
            article = "an" if e.kind_label[:1].lower() in "aeiou" else "a"
            text = f"{self.names.name(e.iri)}{also} was {article} {e.kind_label}"
            text += f", named in {named}" if named else ""
            if e.summary and e.summary != e.label:
                text = sentence(text) + " " + sentence(f"In the curators' summary: {clause(e.summary)}")
        rest = [s for s in e.groups().get("What it is", []) if s.phrase != "type"] + list(e.dates)
        if e.kind == "recommendation":
            rest += e.find("addressed to", "concerns", "concerns duty")
        section.add(self.w.merged_block(e.iri, rest, Sentence(sentence(text)), e.citations))
        return section

    # -- the chain at each date

    def _years_held(self, node: str) -> list[int]:
        """The snapshot years of the period in which a node holds."""
        return [y for y in self.period.snapshots() if node in snapshot(self.rg.network, y)]

    def _body_chain(
        self, iri: str, years: list[int] | None = None, steps: tuple[str, ...] = BODY_STEPS, title: str = CHAIN_TITLE
    ) -> list[Section | None]:
        """A body's chain at each date; at a date when it does not hold, its predecessor's or successor's."""
        node = self.rg.entity(iri).key
        sections: list[Section | None] = [Section(title)]
        partners = ", its partners" if "partner" in steps else ""
        sections[0].add(self.w.remark_block("body_chain", partners=partners))
        for year in years or self.period.snapshots():
            section = Section(f"In {year}", 3)
            if node in snapshot(self.rg.network, year):
                rows = self.chain.rows(node, year, steps)
                section.blocks += self.chain.blocks(rows, year) or [
                    self.w.remark_block("no_links", subject=self.names.name(iri), year=str(year))
                ]
            else:
                section.blocks += self._stand_in(iri, node, year, steps)
            sections.append(section)
        return sections

    def _stand_in(self, iri: str, node: str, year: int, steps: tuple[str, ...]) -> list[Block]:
        """At a date when a body does not hold: the chain of its predecessor or successor that does, or a remark."""
        blocks = []
        for other, how, inferred in self.chain.neighbours_at(node, year):
            other_iri = self.rg.iri(other)
            how += " (by the curators' inference)" if inferred else ""
            blocks.append(
                self.w.remark_block(
                    "stand_in", subject=self.names.name(iri), year=str(year), how=how, other=self.names.name(other_iri)
                )
            )
            blocks += self.chain.blocks(self.chain.rows(other, year, steps), year)
        if not blocks:
            blocks.append(self.w.remark_block("not_named", subject=self.names.name(iri), year=str(year)))
        return blocks

    def _chain_sections(
        self,
        text: str,
        years: list[int],
        steps: tuple[str, ...] = (),
        single_duty: bool = False,
        title: str = CHAIN_TITLE,
    ) -> list[Section | None]:
        """The chain for what `text` names at each year, one level-3 section per year."""
        if not years:
            return [
                Section(
                    title,
                    2,
                    [self.w.remark_block("nothing_in_period", period=self.period.text())],
                )
            ]
        sections: list[Section | None] = [Section(title)]
        for year in years:
            rows = self.chain.rows(text, year, steps)
            blocks = self.chain.blocks(rows, year, single_duty) or [
                self.w.remark_block("no_links", subject="it", year=str(year))
            ]
            sections.append(Section(f"In {year}", 3, blocks))
        return sections

    # -- themes

    def _on_theme(self, iris: list[str], kind: str) -> list[str]:
        """With --theme, only the judgements or recommendations on it."""
        if not self.foci:
            return iris
        keep = set(self._theme_judgements()[0]) if kind == "judgement" else set(self._theme_recommendations())
        return [i for i in iris if i in keep]

    def _theme_duties(self) -> list[str]:
        """The duties of the aspect(s) in focus."""
        found = []
        for f in self.foci:
            if f.kind == "aspect":
                aspect = self.rg.entity(self.rg.iri(f"concept/aspect/{f.id}"))
                found += [s.other for s in aspect.find("duty in this aspect") if s.other]
        return found

    def _theme_judgements(self) -> tuple[list[str], set[str]]:
        """Judgements of a function named like the theme, and those the curators link to the theme's duties."""
        labels = {f.label.casefold() for f in self.foci}
        found, linked = [], set()
        for iri in self._judgements():
            e = self.rg.entity(iri)
            function = e.other("function or area")
            if function and self.rg.index.label(function).casefold() in labels:
                found.append(iri)
            elif any(s.other in self._theme_duties() for s in e.find("concerns duty")):
                found.append(iri)
                linked.add(iri)
        return found, linked

    def _judgements(self) -> list[str]:
        """Every judgement of the graph."""
        return sorted(i for i in self.rg.index.by_subject if kind_of(i) == "judgement")

    def _theme_recommendations(self) -> list[str]:
        """Recommendations on the theme, and those concerning the aspect's duties."""
        found = []
        for f in self.foci:
            if f.kind == "theme":
                theme = self.rg.entity(self.rg.iri(f"concept/theme/{f.id}"))
                found += [s.other for s in theme.find("recommendation on this theme") if s.other]
        for duty in self._theme_duties():
            found += [
                s.other
                for s in self.rg.entity(duty).find("recommendation concerning it")
                if s.other and kind_of(s.other) == "recommendation"
            ]
        return list(dict.fromkeys(found))

    def thematic(self, foci: list[Focus]) -> Briefing:
        """A thematic review: the theme followed across the period, bodies at each date, judgements, recommendations
        and their follow-up, duties, and where the sources disagree."""
        self.foci = foci
        self._named_bodies: set[str] = set()
        label = foci[0].label
        text = foci[0].id
        sections: list[Section | None] = [self._theme_intro(foci)]
        chain_nodes: list[str] = []
        sections.append(
            Section(
                CHAIN_TITLE,
                2,
                [self.w.remark_block("theme_chain", topic=topic_text(label))],
            )
        )
        drawn = []
        for year in self.period.snapshots():
            rows = [r for r in self.chain.rows(text, year) if r["step"] != "recommendation"]
            chain_nodes += [r["from_id"] for r in rows] + [r["to_id"] for r in rows if r["to_id"]]
            self._named_bodies |= {r["to_id"] for r in rows if r["step"] == "body"}
            blocks = self.chain.blocks(rows, year) or [
                self.w.remark_block("nothing_linked", subject=topic_text(label), year=str(year))
            ]
            sections.append(Section(f"In {year}", 3, blocks))
            if rows:
                drawn.append(year)
        bodies = [self.rg.iri(n) for n in dict.fromkeys(chain_nodes) if n.startswith("body/")]
        sections.append(self.parts.reorganisations(bodies))
        judgements, linked = self._theme_judgements()
        sections.append(self.parts.judgements(judgements, linked, show_judged=True))
        sections.append(self.parts.recommendations(self._theme_recommendations()))
        said = set(chain_nodes)
        rest = [d for d in self._theme_duties() if self.rg.entity(d).key not in said]
        sections.append(self.parts.duties(rest, "Other duties of the aspect"))
        named = [self.rg.iri(n) for n in chain_nodes if n.startswith("body/") and n in self._named_bodies]
        sections += self.parts.claims(self._theme_claims(foci, named))
        figures = self._map_figures(text, drawn) + [self._timeline_figure()]
        sections.append(self._figures(figures))
        kinds = join(sorted({"recommendation theme" if f.kind == "theme" else "duty aspect" for f in foci}))
        intro = [
            f"A thematic review of {topic_text(label)} (the {kinds}), {self.period.text()}, from the graph's "
            "source documents.",
            self.w.words["remarks"]["intro"],
        ]
        slug = f"theme-{text}"
        return self._finish(f"Thematic review: {label}", slug, "theme", intro, [s for s in sections if s], slug)

    def _theme_intro(self, foci: list[Focus]) -> Section:
        """What the theme and aspect cover, in the curators' and the sources' words."""
        section = Section("The theme")
        for f in foci:
            iri = self.rg.iri(f"concept/{f.kind}/{f.id}")
            e = self.rg.entity(iri)
            if not e.summary:
                continue
            if f.kind == "theme":
                text = self.w.words["remarks"]["theme_definition"].format(
                    topic=topic_text(f.label), definition=clause(e.summary)
                )
                section.add(Block([self.w.fact(text, e.citations, "" if e.citations else "Curators' definition")]))
            else:
                text = self.w.words["remarks"]["aspect_definition"].format(
                    topic=topic_text(f.label), definition=clause(e.summary)
                )
                section.add(Block([self.w.fact(text, e.citations)]))
        return section

    def _theme_claims(self, foci: list[Focus], bodies: list[str]) -> list:
        """Claims on a topic or statement naming the theme, and claims about the theme's bodies."""
        words = {f.label.casefold() for f in foci}
        found = {}
        for topic in self.rg.index.by_subject:
            if kind_of(topic) != "topic":
                continue
            for c in self.rg.entity(topic).claims:
                text = f"{c.topic_label} {c.statement}".casefold()
                if any(w in text for w in words) or c.about in bodies:
                    found[c.iri] = c
        return list(found.values())

    # -- figures

    def _map_figures(self, text: str, years: list[int]) -> list[Figure]:
        """A responsibility map for each year; years whose chains are the same share one map (of the later year)."""
        found: list[tuple[list[int], list]] = []
        for year in years:
            rows = [
                (r["step"], r["from_id"], r["to_id"]) for r in self.chain.rows(text, year) if r["step"] != "priority"
            ]
            if not rows:
                continue
            if found and found[-1][1] == rows:
                found[-1][0].append(year)
            else:
                found.append(([year], rows))
        figures = []
        for group, _ in found:
            caption = (
                f"Who was responsible in {join([str(y) for y in group])}: the chain of responsibility the "
                "graph holds, left to right (law, duty, holder, the body that carries it out, line of "
                "accountability, partners, inspectors). Every link is one of the cited statements above; dashed "
                "links are the curators' inferences."
            )
            figures.append(Figure("responsibility", text, group[-1], caption, f"responsibility-{group[-1]}"))
        return figures

    def _body_figures(self, iri: str) -> list[Figure]:
        """A body's maps for the years it holds, and the timeline when the body is one of its rows."""
        node = self.rg.entity(iri).key
        figures = self._map_figures(node, self._years_held(node))
        if any(node in bodies for _, _, bodies in timeline_rows(self.rg.network)):
            figures.append(self._timeline_figure())
        return figures

    @staticmethod
    def _timeline_figure() -> Figure:
        """The timeline of bodies and reorganisations."""
        caption = (
            "Bodies and reorganisations over the period: the years each body holds, the documents that name it, and "
            "successions (dashed where the curators inferred them)."
        )
        return Figure("timeline", "", None, caption, "timeline")

    def _figures(self, figures: list[Figure]) -> Section | None:
        """The diagrams section."""
        return Section("Diagrams", 2, list(figures)) if figures else None

    # -- finishing

    def _finish(
        self, title: str, subject: str, kind: str, intro: list[str], sections: list[Section | None], slug: str
    ) -> Briefing:
        """Drop empty sections, number the notes in reading order, and list the references."""
        kept = [s for s in sections if s is not None and (s.blocks or s.level == 2)]
        kept = [s for i, s in enumerate(kept) if s.blocks or (i + 1 < len(kept) and kept[i + 1].level > s.level)]
        notes = self._renumber(kept)
        references = self._references(notes)
        suffix = f"-{self.period.at}" if self.period.at else ""
        default = Period.of(self.rg.index)
        if self.period.at is None and (self.period.start, self.period.end) != (default.start, default.end):
            suffix = f"-{self.period.start}-{self.period.end}"
        return Briefing(
            title, subject, kind, self.period.text(), intro, kept, notes, references, slug + suffix, self.rg
        )

    def _renumber(self, sections: list[Section]):
        """Notes numbered 1.. in reading order, keeping only those a kept sentence uses."""
        from lutonkg.reports.model import Note

        old = {n.number: n for n in self.w.notes.items}
        notes = []
        for sec in sections:
            for block in sec.blocks:
                if not isinstance(block, Block):
                    continue
                for s in block.sentences:
                    if s.note is not None:
                        notes.append(Note(len(notes) + 1, old[s.note].cites))
                        s.note = len(notes)
        return notes

    def _references(self, notes) -> list[Reference]:
        """The documents the notes cite, in date order, with their full details and the notes citing each."""
        ix = self.rg.index
        cited: dict[str, list[int]] = {}
        for note in notes:
            for c in note.cites:
                cited.setdefault(c.doc, [])
                if note.number not in cited[c.doc]:
                    cited[c.doc].append(note.number)
        found = []
        for doc in ix.documents.values():
            if doc.id in cited:
                authors = join([p.strip() for p in doc.publisher.split(";") if p.strip()]) or "Unknown publisher"
                found.append(Reference(doc, authors, date_text(doc.date), cited[doc.id]))
        return found
