"""What a briefing is, before it is written out: sections of sentences, each fact sentence with one numbered note
(its citations), curators' inferences and assessments marked with their basis, figures, and the reference list.

The same Briefing renders to Markdown, HTML and Word; numbering happens once, here, so a note has the same number in
every format.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lutonkg.entities.index import Cite, Document

CURATORS_INFERENCE = "Curators' inference"
CURATORS_ASSESSMENT = "Curators' assessment"
CURATORS_JUDGEMENT = "Curators' judgement"
CURATORS_NOTE = "Curators' note"


@dataclass
class Sentence:
    """One sentence: its text, the note that cites it (None for a sentence about the briefing itself), a mark when it
    is the curators' (inference, assessment, judgement) rather than a source's, and the basis they give."""

    text: str
    note: int | None = None
    mark: str = ""
    basis: str = ""


@dataclass
class Block:
    """A paragraph, a bulleted item or a lead-in line ('Line of accountability:'), made of sentences."""

    sentences: list[Sentence]
    kind: str = "para"
    lead: str = ""


@dataclass
class Figure:
    """A diagram drawn from the graph: which (`responsibility` map or body `timeline`), for what and when, its caption
    and a file stem; its PNG and SVG bytes once drawn."""

    kind: str
    target: str
    year: int | None
    caption: str
    stem: str
    png: bytes = field(default=b"", repr=False, compare=False)
    svg: bytes = field(default=b"", repr=False, compare=False)


@dataclass
class Section:
    """A titled part of the briefing (level 2 or 3 heading) with its blocks and figures, in reading order."""

    title: str
    level: int = 2
    blocks: list[Block | Figure] = field(default_factory=list)

    def add(self, block: Block | Figure | None) -> None:
        """Append a block (None is skipped)."""
        if block is not None:
            self.blocks.append(block)


@dataclass(frozen=True)
class Note:
    """A numbered note: the citations (document, locator, anchor phrase) of one sentence."""

    number: int
    cites: tuple[Cite, ...]


@dataclass
class Reference:
    """A document of the reference list with its full bibliographic details and the notes that cite it."""

    document: Document
    authors: str
    date_text: str
    notes: list[int] = field(default_factory=list)

    @property
    def id(self) -> str:
        """The document id the notes use (lea2002)."""
        return self.document.id

    def parts(self) -> list[str]:
        """The reference as its parts, for renderers: authors (date), title, reference number, lead inspector."""
        d = self.document
        found = [f"{self.authors} ({self.date_text})", d.title]
        if d.reference:
            found.append(f"Reference no. {d.reference}")
        if d.lead_inspector:
            found.append(f"Lead inspector: {d.lead_inspector}")
        return found


class Notes:
    """Hands out note numbers in reading order; one note per fact sentence, listing all its citations."""

    def __init__(self, order) -> None:
        self.items: list[Note] = []
        self.order = order

    def add(self, cites: list[Cite] | tuple[Cite, ...]) -> int | None:
        """A new note for these citations (sorted by document date and locator), or None when there are none."""
        unique = sorted(set(cites), key=self.order)
        if not unique:
            return None
        self.items.append(Note(len(self.items) + 1, tuple(unique)))
        return len(self.items)


@dataclass
class Briefing:
    """A whole briefing: title, what it covers, sections, notes and references."""

    title: str
    subject: str
    kind: str
    period: str
    intro: list[str]
    sections: list[Section]
    notes: list[Note]
    references: list[Reference]
    slug: str
    graph: object = field(default=None, repr=False, compare=False)  # the ReportGraph it was written from

    def figures(self) -> list[Figure]:
        """Every figure, in reading order."""
        return [b for s in self.sections for b in s.blocks if isinstance(b, Figure)]

    def sentences(self) -> list[Sentence]:
        """Every sentence, in reading order."""
        return [s for sec in self.sections for b in sec.blocks if isinstance(b, Block) for s in b.sentences]

    def reference(self, doc: str) -> Reference | None:
        """The reference entry of a document id."""
        return next((r for r in self.references if r.id == doc), None)
