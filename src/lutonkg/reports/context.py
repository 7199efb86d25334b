"""What briefings are built from: the built graph read once (entity index, entity descriptions, the networkx
projection for the chain of responsibility), the period asked for, and the writer that numbers the notes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from lutonkg.analysis.measures import SNAPSHOTS
from lutonkg.analysis.network import load
from lutonkg.analysis.timespan import WINDOW_AFTER, WINDOW_BEFORE
from lutonkg.entities.describe import Describer, Entity, Statement, kind_of
from lutonkg.entities.index import Cite, GraphIndex
from lutonkg.entities.search import Finder
from lutonkg.namespaces import ID, LEGISLATION
from lutonkg.reports.model import (
    CURATORS_ASSESSMENT,
    CURATORS_INFERENCE,
    CURATORS_JUDGEMENT,
    CURATORS_NOTE,
    Block,
    Notes,
    Sentence,
)
from lutonkg.reports.words import Names, clause, sentence, wording


class ReportGraph:
    """A built graph read for briefings: load once, write many briefings from it. The networkx projection (for the
    chain of responsibility) is read when first needed, so a name that matches nothing fails fast; diagrams drawn
    for one briefing are kept for the next."""

    def __init__(self, path: Path, index: GraphIndex, network: nx.MultiDiGraph | None = None) -> None:
        self.path = path
        self.index = index
        self._network = network
        self.describer = Describer(index)
        self.finder = Finder(index)
        self.names = Names(index)
        self.drawn: dict[tuple, tuple[bytes, bytes]] = {}
        self._entities: dict[str, Entity] = {}

    @classmethod
    def load(cls, path: Path) -> ReportGraph:
        """Read a built N-Quads file (the entity index now, the networkx projection when first needed)."""
        path = Path(path)
        return cls(path, GraphIndex.from_file(path))

    @property
    def network(self) -> nx.MultiDiGraph:
        """The networkx projection of the graph (lutonkg.analysis.network.load)."""
        if self._network is None:
            self._network = load(self.path)
        return self._network

    def entity(self, iri: str) -> Entity:
        """The entity description (cached)."""
        if iri not in self._entities:
            self._entities[iri] = self.describer.describe(iri)
        return self._entities[iri]

    def iri(self, node: str) -> str:
        """The IRI of a networkx node key ('body/luton-lea', 'legislation/ukpga/2002/32/section/175'); a
        'legislation/' key is one of ours (guidance) when the graph has it, else a legislation.gov.uk one."""
        ours = str(ID) + node
        if node.startswith("legislation/") and ours not in self.index.by_subject:
            return LEGISLATION + node[len("legislation/") :]
        return ours

    def doc_year(self, doc: str) -> int:
        """The year a source document was issued."""
        return int(self.index.documents[doc].date[:4])


@dataclass(frozen=True)
class Period:
    """The years a briefing covers: one year (--at), or from .. to (default: the sources' whole span)."""

    start: int
    end: int
    at: int | None = None
    doc_years: tuple[int, ...] = ()

    @classmethod
    def of(cls, index: GraphIndex, at: int | None = None, start: int | None = None, end: int | None = None) -> Period:
        """The period asked for; missing ends default to the span the documents describe (2000 to 2020)."""
        years = tuple(sorted({int(d.date[:4]) for d in index.documents.values()})) or (2000,)
        if at is not None:
            return cls(at, at, at, years)
        first = start if start is not None else min(years) - WINDOW_BEFORE
        last = end if end is not None else max(years)
        return cls(min(first, last), max(first, last), None, years)

    def snapshots(self) -> list[int]:
        """The dated snapshots (2000, 2002, 2008, 2020) and the documents' years inside the period, or its ends when
        none falls inside."""
        if self.at is not None:
            return [self.at]
        inside = sorted({y for y in (*SNAPSHOTS, *self.doc_years) if self.start <= y <= self.end})
        return inside or sorted({self.start, self.end})

    def covers_doc(self, year: int) -> bool:
        """Whether a document of that year describes part of the period (it describes its year - 2 .. year + 1)."""
        return year - WINDOW_BEFORE <= self.end and year + WINDOW_AFTER >= self.start

    def text(self) -> str:
        """'in 2008' or '2000 to 2020'."""
        return f"in {self.at}" if self.at is not None else f"{self.start} to {self.end}"


class Writer:
    """Makes sentences and blocks for one briefing, numbering a note for each fact sentence."""

    def __init__(self, rg: ReportGraph, period: Period) -> None:
        self.rg = rg
        self.period = period
        self.names = rg.names
        self.notes = Notes(rg.index.cite_order)
        self.words = wording()

    def fact(self, text: str, cites: list[Cite] | tuple[Cite, ...] = (), mark: str = "", basis: str = "") -> Sentence:
        """One sentence with a note for its citations (none: no note), and the curators' mark and basis."""
        return Sentence(sentence(text), self.notes.add(cites), mark, sentence(basis) if basis else "")

    def remark(self, text: str) -> Sentence:
        """A sentence about the briefing or the graph's coverage, not a fact of a source (no note)."""
        return Sentence(sentence(text))

    def remark_block(self, key: str, kind: str = "para", **values: str) -> Block:
        """A block holding one remark of reports/wording.yaml (`remarks`), filled in."""
        return Block([self.remark(self.words["remarks"][key].format(**values))], kind)

    def in_period(self, cites: list[Cite]) -> bool:
        """Whether any citation's document describes part of the period (uncited statements always count)."""
        docs = {c.doc for c in cites if c.doc in self.rg.index.documents}
        return not docs or any(self.period.covers_doc(self.rg.doc_year(d)) for d in docs)

    # -- statements of the entity description

    def statement(self, subject: str, s: Statement) -> Sentence:
        """A statement of the entity description as a sentence from the subject's side, cited and marked."""
        text = self.statement_text(subject, s)
        extra = self.qualifiers(s)
        if extra:
            text = text.rstrip(".") + f" ({extra})."
        return self.fact(text, s.citations, *self.mark(s))

    def statement_text(self, subject: str, s: Statement) -> str:
        """The sentence for a statement, from reports/wording.yaml, or a labelled fact when it has no pattern."""
        patterns = self.words["statements"]
        alone = "/alone" if not s.other else ""
        pattern = next(
            (patterns[k] for k in (f"{s.group}/{s.phrase}{alone}", f"{s.phrase}{alone}", f"{s.group}/{s.phrase}")
             if k in patterns),
            None,
        )  # fmt: skip
        other = self.names.thing(s.other) if s.other else (s.value or "")
        if pattern is None or ("{other}" in pattern and not other) or ("{value}" in pattern and not s.value):
            return f"{s.phrase[:1].upper()}{s.phrase[1:]}: {other or s.value or ''}"
        return pattern.format(
            subject=self.names.thing(subject), other=other, was=self.names.was(subject),
            other_was=self.names.was(s.other) if s.other else "was", value=s.value or "",
            value_clause=clause(s.value or ""),
        )  # fmt: skip

    @staticmethod
    def qualifiers(s: Statement) -> str:
        """Dates and role a statement carries, in words ('from 2005; role: chair')."""
        q = s.qualifiers
        parts = []
        span = [f"{word} {q[key]}" for key, word in (("from", "from"), ("to", "to")) if q.get(key)]
        if span:
            parts.append(" ".join(span))
        if q.get("date"):
            parts.append(f"dated {q['date']}")
        if q.get("role"):
            parts.append(f"role: {q['role']}")
        return "; ".join(parts)

    @staticmethod
    def mark(s: Statement) -> tuple[str, str]:
        """(mark, basis) for a statement: the curators' inference, assessment or judgement, or a source's (none)."""
        if not s.curated:
            return "", ""
        kind = kind_of(s.via) if s.via else ""
        if kind == "evidence":
            return CURATORS_ASSESSMENT, s.basis
        if kind in ("relationship", "event"):
            return CURATORS_INFERENCE, s.basis
        return CURATORS_JUDGEMENT, s.basis

    def usable(self, s: Statement) -> bool:
        """Whether a statement belongs in a briefing: in the period, not plumbing, a flag only when it is true."""
        if s.phrase in self.words["skip_phrases"] or not self.in_period(s.citations):
            return False
        return s.phrase not in self.words["flags"] or (s.value or "").lower() == "true"

    def statement_sentences(self, subject: str, s: Statement) -> list[Sentence]:
        """A statement's sentence, and the curators' note on the relationship or event where there is one."""
        if s.phrase in self.words["curators_notes"]:
            return [Sentence(sentence(self.statement_text(subject, s)), mark=CURATORS_NOTE)]
        found = [self.statement(subject, s)]
        if s.note and kind_of(s.via or "") in ("relationship", "event"):
            found.append(Sentence(sentence(s.note), mark=CURATORS_NOTE))
        return found

    def statement_blocks(self, subject: str, statements: list[Statement], kind: str = "item") -> list[Block]:
        """One block per usable statement, with the curators' note on it where there is one."""
        return [Block(self.statement_sentences(subject, s), kind) for s in statements if self.usable(s)]

    def merged_block(self, subject: str, statements: list[Statement], first: Sentence | None = None,
                     first_cites: list[Cite] | None = None) -> Block | None:  # fmt: skip
        """The usable statements as one paragraph (after a first sentence, if given, with its citations);
        consecutive sentences sharing their citations share one note."""
        sentences: list[Sentence] = []
        run: list[Statement] = []
        lead_text = [first.text] if first is not None else []

        def flush() -> None:
            if run or lead_text:
                text = " ".join(lead_text + [sentence(self.statement_text(subject, s)) for s in run])
                sentences.append(self.fact(text, first_cites if lead_text else run[0].citations))
                run.clear()
                lead_text.clear()

        for s in (s for s in statements if self.usable(s)):
            plain = not s.curated and not s.qualifiers and s.phrase not in self.words["curators_notes"]
            same = set(first_cites or []) if lead_text else (set(run[0].citations) if run else None)
            if plain and (same is None or same == set(s.citations)):
                run.append(s)
                continue
            flush()
            if plain:
                run.append(s)
            else:
                sentences += self.statement_sentences(subject, s)
        flush()
        return Block(sentences) if sentences else None
