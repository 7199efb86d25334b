"""The structure of a source text as a citation can use it: numbered paragraphs (with the numbers the extraction
lost), headings, annexes and appendices, tables and their rows, and the text cut into segments (sentences, bullets,
table cells), each with the places a locator can name. The reader repairs what the Luton extractions show - lost
paragraph numbers, tab-split table cells, repeated page furniture, duplicated passages, paragraphs split by a page
break - and records each repair."""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

from lutonkg.data.sources import _PARA_START, SourceText, fold

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_BOLD_LINE = re.compile(r"^\s*(?:<b>|\*\*)(.+?)(?:</b>|\*\*)\s*(?:\t.*)?$")
_TOP = re.compile(r"^(?:SECTION|Section)\s+\d+\b|^(?:APPENDIX|Appendix|ANNEX|Annex)\b(?:\s+[A-Z0-9]{1,2}\b)?")
_BULLET = re.compile(r"^[ \t]*(?:[-•*»][ \t]+)+(?:»[ \t]+)?")
_NUMBERED_BULLET = re.compile(r"^[ \t]*(?:[-•][ \t]+)?(?:\*\*)?\d{1,3}\.?(?:\*\*)?[ \t]+")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'’”)]?\s+(?=[\"'‘“(]?[A-Z0-9])")
_MARKUP = re.compile(r"</?b>|\*\*|</?p>|\\")
_P_ITEM = re.compile(r"<p>(.*?)</p>", re.DOTALL)
_PAGE_NUMBER = re.compile(r"^\s*(?:page\s+)?\d{1,3}(?:\s+of\s+\d{1,3})?\s*$", re.IGNORECASE)
_TERMINAL = (".", ":", ";", "!", "?", '"', "”", "’", ")")


@dataclass(frozen=True)
class Heading:
    """A heading line: its text as a locator names it, its level (1 for sections, appendices and annexes)."""

    start: int
    end: int
    text: str
    level: int
    depth: int = 2  # nesting: markdown '#' count, 1 for sections, appendices and annexes, else 2

    @property
    def short(self) -> str:
        """The name a locator uses for a lettered or numbered part: 'Appendix C - Statutory duties' -> 'Appendix C'."""
        match = re.match(r"^((?:appendix|annex|section)\s+[a-z0-9]{1,2})\b", self.text, re.IGNORECASE)
        return match.group(1) if match else self.text


@dataclass(frozen=True)
class Segment:
    """A unit a candidate fact is read from: a sentence, a bullet or a table cell, with its raw span."""

    start: int
    end: int
    kind: str  # sentence | bullet | cell
    heading: int | None  # index into Structure.headings
    paragraph: int | None  # the numbered paragraph it lies in (no heading between)
    row: str | None = None  # a table row's label, for cells and rows
    column: int | None = None  # a cell's column, from 0


@dataclass
class Structure:
    """One document's structure and the segments it is cut into."""

    source: SourceText
    headings: list[Heading] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    tables: list[tuple[int | None, list[list[str]]]] = field(default_factory=list)  # (heading, rows of cells)
    restored: list[int] = field(default_factory=list)  # paragraph numbers the extraction lost, restored
    furniture: list[str] = field(default_factory=list)  # repeated page furniture, left out
    duplicates: list[tuple[int, int]] = field(default_factory=list)  # (start, end) of passages printed again
    joined: list[int] = field(default_factory=list)  # offsets where a page break split a paragraph
    contents: tuple[int, int] | None = None  # the table of contents, left out

    @property
    def text(self) -> str:
        """The raw text."""
        return self.source.text

    @cached_property
    def heading_starts(self) -> list[int]:
        """Heading offsets, for finding the heading above a place."""
        return [h.start for h in self.headings]

    def heading_above(self, offset: int) -> int | None:
        """The index of the last heading before an offset."""
        k = bisect.bisect_right(self.heading_starts, offset) - 1
        return k if k >= 0 else None

    def parent_of(self, index: int | None) -> Heading | None:
        """The nearest heading before heading `index` that is less deeply nested."""
        if index is None:
            return None
        depth = self.headings[index].depth
        for k in range(index - 1, -1, -1):
            if self.headings[k].depth < depth:
                return self.headings[k]
        return None

    def section_of(self, index: int | None) -> Heading | None:
        """The level-1 heading a heading belongs to (itself when it is one)."""
        while index is not None and index >= 0:
            if self.headings[index].level == 1:
                return self.headings[index]
            index -= 1
        return None

    def paragraph_at(self, offset: int) -> int | None:
        """The numbered paragraph an offset lies in, when no heading comes between its start and the offset."""
        number = self.paragraph_region(offset)
        if number is None:
            return None
        start = self.source.paragraphs[number][0]
        above = self.heading_above(offset)
        return number if above is None or self.headings[above].start < start else None

    def paragraph_region(self, offset: int) -> int | None:
        """The numbered paragraph whose span (to the next numbered one) holds an offset, headings or not; None for a
        numbered heading ('1. Introduction' of a document whose sections are numbered)."""
        for number, (start, end) in self.source.paragraphs.items():
            if start <= offset < end:
                return None if start in self.heading_lines else number
        return None

    @cached_property
    def heading_lines(self) -> set[int]:
        """The offsets of heading lines."""
        return set(self.heading_starts)

    def repairs(self) -> list[str]:
        """What the reader repaired, in words."""
        found = []
        if self.restored:
            found.append(f"paragraph numbers lost in extraction, restored by position: {_ranges(self.restored)}")
        cells = sum(len(rows) for _, rows in self.tables)
        if cells:
            found.append(f"{cells} table rows whose cells the extraction split with tabs, read cell by cell")
        for line in self.furniture:
            found.append(f"page furniture left out: {line}")
        if self.duplicates:
            first = self.duplicates[0]
            found.append(
                f"{len(self.duplicates)} passages printed twice (kept, and what is read from them merged, with both "
                f"places as locators), the first at characters {first[0]}-{first[1]}"
            )
        if self.joined:
            shown = ", ".join(map(str, self.joined[:8])) + (", ..." if len(self.joined) > 8 else "")
            found.append(f"{len(self.joined)} paragraphs split by a page break, read as one (at characters {shown})")
        return found


def _ranges(numbers: list[int]) -> str:
    """'3, 5-7, 12' for a sorted list of numbers."""
    parts, run = [], []
    for n in sorted(numbers):
        if run and n == run[-1] + 1:
            run.append(n)
            continue
        if run:
            parts.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
        run = [n]
    if run:
        parts.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
    return ", ".join(parts)


@dataclass(frozen=True)
class Line:
    """One line of the text with its offsets."""

    start: int
    end: int
    text: str

    @property
    def blank(self) -> bool:
        """Whether it holds nothing but white space."""
        return not self.text.strip()


def lines_of(text: str) -> list[Line]:
    """Every line of a text with its raw offsets (line break excluded)."""
    found, at = [], 0
    for piece in text.split("\n"):
        found.append(Line(at, at + len(piece), piece))
        at += len(piece) + 1
    return found


def clean(text: str) -> str:
    """Markup dropped and white space collapsed (a heading or label as a reader sees it)."""
    return " ".join(_MARKUP.sub("", text).replace("#", " ").split())


def read_structure(source: SourceText) -> Structure:
    """The structure of one source text."""
    structure = Structure(source)
    lines = lines_of(source.text)
    skip = _furniture(structure, lines)
    _duplicates(structure, lines)
    structure.contents = _contents(lines)
    structure.headings = _headings(structure, lines, skip)
    structure.restored = _restored(source)
    structure.segments = _segments(structure, lines, skip)
    return structure


def _furniture(structure: Structure, lines: list[Line]) -> set[int]:
    """Indexes of page-furniture lines, left out: page numbers and rules, a table header row printed again after a
    page break, and short lines printed three times or more that are not headings (running heads and footers)."""
    counts = Counter(fold(line.text) for line in lines if 0 < len(line.text.strip()) <= 150)
    found, rows_seen = set(), {}
    headings_seen = 0
    for k, line in enumerate(lines):
        text, folded = line.text.strip(), fold(line.text)
        before, after = (lines[k - 1] if k else None), (lines[k + 1] if k + 1 < len(lines) else None)
        if not text:
            continue
        if "\t" not in text and _heading_level(line.text, before, after):
            headings_seen += 1
        if _PAGE_NUMBER.match(text) or re.fullmatch(r"[-*_=]{3,}", text):
            found.add(k)
        elif "\t" in text and len(text) <= 150 and rows_seen.get(folded) == headings_seen:
            found.add(k)  # the header row of a table continued over a page break, no heading between
            structure.furniture.append(f"table header printed again after a page break: {clean(text)!r}")
        elif (
            "\t" not in text
            and counts[folded] >= 3
            and len(text) <= 60
            and not text.endswith(":")
            and (not _heading_level(line.text, before, after))
        ):
            found.add(k)
            structure.furniture.append(f"running head or footer: {clean(text)!r}")
        if "\t" in text and counts[folded] >= 2:
            rows_seen[folded] = headings_seen
    structure.furniture = sorted(set(structure.furniture))
    return found


def _duplicates(structure: Structure, lines: list[Line]) -> None:
    """Record long lines that repeat an earlier line word for word (a passage printed twice, such as a report's
    recommendations repeated in its appendix): both stay, and candidates read from them are merged."""
    seen = set()
    for line in lines:
        if len(line.text.strip()) < 100:
            continue
        folded = fold(line.text)
        if folded in seen:
            structure.duplicates.append((line.start, line.end))
        seen.add(folded)


def _contents(lines: list[Line]) -> tuple[int, int] | None:
    """The span of the table of contents: from a 'Contents' line to the line before the heading that repeats its
    first entry."""
    for k, line in enumerate(lines):
        if not re.match(r"^contents\b", clean(line.text).lower()):
            continue
        entries = [x for x in lines[k + 1 :] if not x.blank][:3]
        for entry in entries:
            name = _entry_name(entry.text)
            if len(name) < 4 or name.lower() == "paragraphs":
                continue
            for later in lines[k + 2 :]:
                if (
                    later.start > entry.end
                    and _entry_name(later.text).lower() == name.lower()
                    and (not re.search(r"\d\s*$", clean(later.text)))
                ):
                    return line.start, later.start - 1
            break
    return None


def _entry_name(text: str) -> str:
    """A contents entry or heading without markup, numbering and page or paragraph numbers."""
    name = clean(text)
    name = re.sub(r"^\d{1,2}\.?\s+", "", name)
    return re.sub(r"(?:\s|\.{2,})+\d{1,3}(?:\s*[-–]\s*\d{1,3})?\s*$", "", name).strip()


def _headings(structure: Structure, lines: list[Line], skip: set[int]) -> list[Heading]:
    """Heading lines (outside the contents), each with its level."""
    found = []
    contents = structure.contents or (-1, -1)
    for k, line in enumerate(lines):
        if k in skip or line.blank or contents[0] <= line.start <= contents[1]:
            continue
        level = _heading_level(line.text, lines[k - 1] if k else None, lines[k + 1] if k + 1 < len(lines) else None)
        if level:
            markdown = _MD_HEADING.match(line.text.strip())
            depth = len(markdown.group(1)) if markdown else (1 if level == 1 else 2)
            found.append(Heading(line.start, line.end, _entry_name(line.text), level, depth))
    return found


def _heading_level(text: str, before: Line | None, after: Line | None) -> int:
    """1 for a section, appendix or annex heading, 2 for another heading, 0 for a line that is not one."""
    stripped = text.strip()
    name = _entry_name(text)
    if not name or len(name.split()) > 16 or _PARA_START.match(text) and len(name.split()) > 6:
        return 0
    if _TOP.match(name):
        return 1
    markdown = _MD_HEADING.match(stripped)
    if markdown:
        return 2
    if "\t" in stripped and not _BOLD_LINE.match(stripped):
        return 0
    if _BULLET.match(text) or stripped.endswith((".", ",", ";")) or name[0].islower():
        return 0
    isolated = (before is None or before.blank) and (after is None or after.blank)
    letters = re.sub(r"[^A-Za-z]", "", name)
    if _BOLD_LINE.match(stripped) and len(name.split()) <= 16:
        return 2
    if letters.isupper() and len(letters) >= 4 and len(name.split()) <= 12:
        return 2
    if isolated and len(name.split()) <= 12 and not stripped.endswith(":") and not re.match(r"^[\d£(]", name):
        return 2
    return 0


def _restored(source: SourceText) -> list[int]:
    """The paragraph numbers the index restored (their line does not print the number)."""
    found = []
    for number, (start, _) in source.paragraphs.items():
        match = _PARA_START.match(source.text, start)
        if match is None or int(match.group(1)) != number:
            found.append(number)
    return sorted(found)


def _segments(structure: Structure, lines: list[Line], skip: set[int]) -> list[Segment]:
    """The text cut into sentences, bullets and table cells, outside the contents, furniture and duplicates."""
    found: list[Segment] = []
    contents = structure.contents or (-1, -1)
    heading_lines = {h.start: h for h in structure.headings}
    table: list[list[str]] = []
    table_heading: int | None = None
    for k, line in enumerate(lines):
        if k in skip or line.blank or line.start in heading_lines or contents[0] <= line.start <= contents[1]:
            if table and (line.blank is False or k in skip):
                structure.tables.append((table_heading, table))
                table = []
            if line.start in heading_lines and k not in skip:
                start, end = _trimmed(structure.text, line.start, line.end)
                if end > start:
                    found.append(Segment(start, end, "heading", structure.heading_above(line.start), None))
            continue
        if "\t" in line.text:
            if not table:
                table_heading, label = structure.heading_above(line.start), None
            cells = _cells(line)
            table.append([clean(structure.text[a:b]) for a, b in cells])
            first = clean(structure.text[cells[0][0] : cells[0][1]]) if cells and line.text[:1] != "\t" else ""
            if first and len(first.split()) <= 8:
                label = first  # a row's label; a row without one (a cell carried over a page) keeps the last
            for column, (a, b) in enumerate(cells):
                found.extend(_cell_segments(structure, a, b, label, column))
            continue
        if table:
            structure.tables.append((table_heading, table))
            table = []
        if _continues(lines, k):
            structure.joined.append(line.start)
        bullet = _BULLET.match(line.text)
        kind = "bullet" if bullet else "sentence"
        begin = line.start + (bullet.end() if bullet else 0)
        numbered = _NUMBERED_BULLET.match(line.text)
        if numbered and not bullet:
            begin = line.start + numbered.end()
        for a, b in _sentences(structure.text, begin, line.end):
            found.append(_segment(structure, a, b, kind))
    if table:
        structure.tables.append((table_heading, table))
    return found


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """A span without leading markup (#, *, <b>) and surrounding white space."""
    lead = re.match(r"[\s#*>]*(?:<b>)?\s*", text[start:end])
    start += lead.end() if lead else 0
    while end > start and text[end - 1] in " \t*":
        end -= 1
    return start, end


def _continues(lines: list[Line], k: int) -> bool:
    """Whether line k carries on a paragraph a page break split (it starts in lower case after a blank line, and
    the last text line before it does not end a sentence)."""
    text = lines[k].text.strip()
    if not text or not text[0].islower() or k < 2 or not lines[k - 1].blank:
        return False
    previous = next((x for x in reversed(lines[:k]) if not x.blank), None)
    return previous is not None and not previous.text.rstrip().endswith(_TERMINAL)


def _cells(line: Line) -> list[tuple[int, int]]:
    """The raw spans of a table row's cells (split at tabs), empty cells left out."""
    found, at = [], line.start
    for piece in line.text.split("\t"):
        stripped = piece.strip()
        if stripped:
            lead = len(piece) - len(piece.lstrip())
            found.append((at + lead, at + lead + len(stripped)))
        at += len(piece) + 1
    return found


def _cell_segments(structure: Structure, start: int, end: int, row: str | None, column: int) -> list[Segment]:
    """A table cell as segments: one per <p> item, else one per sentence."""
    text = structure.text
    items = [(start + m.start(1), start + m.end(1)) for m in _P_ITEM.finditer(text[start:end])]
    spans = items or [(start, end)]
    found = []
    for a, b in spans:
        for x, y in _sentences(text, a, b):
            found.append(_segment(structure, x, y, "cell", row, column))
    return found


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The sentences of text[start:end] as raw spans (trimmed)."""
    found, at = [], start
    piece = text[start:end]
    for m in _SENTENCE_END.finditer(piece):
        found.append((at, start + m.start()))
        at = start + m.end()
    found.append((at, end))
    spans = []
    for a, b in found:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b - a >= 3:
            spans.append((a, b))
    return spans


def _segment(structure: Structure, start: int, end: int, kind: str, row: str | None = None,
             column: int | None = None) -> Segment:  # fmt: skip
    """A segment with the heading and paragraph it lies under."""
    return Segment(start, end, kind, structure.heading_above(start), structure.paragraph_at(start), row, column)


def outline(structure: Structure) -> list[str]:
    """The structure as lines a curator reads: headings with their paragraphs, tables with their rows, repairs."""
    out = []
    paragraphs = structure.source.paragraphs
    if paragraphs:
        numbers = sorted(paragraphs)
        out.append(f"numbered paragraphs: {len(numbers)} ({numbers[0]}-{numbers[-1]}); locators 'para N'")
    tables = {heading: rows for heading, rows in structure.tables}
    for index, heading in enumerate(structure.headings):
        inside = sorted({s.paragraph for s in structure.segments if s.heading == index and s.paragraph is not None})
        span = f" (paras {inside[0]}-{inside[-1]})" if len(inside) > 1 else f" (para {inside[0]})" if inside else ""
        indent = "" if heading.level == 1 else "  "
        out.append(f"{indent}{heading.text}{span}")
        rows = tables.get(index)
        if rows:
            labels = [row[0] if len(row[0]) <= 40 else row[0][:40].rstrip() + "..." for row in rows if row]
            shown = "; ".join(labels[:6]) + ("; ..." if len(labels) > 6 else "")
            out.append(f"{indent}  table: {len(rows)} rows: {shown}")
    return out
