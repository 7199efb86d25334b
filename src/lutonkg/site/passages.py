"""A source document cut into passages for its page: numbered paragraphs, headings, tables and other paragraphs,
each with a stable anchor id; every locator the graph uses placed on the text; every cited anchor phrase found and
marked. Read at site-build time from the project's source texts (never stored in the site's inputs).

Anchor ids: `para-N` for the document's numbered paragraphs (the paragraph index verify-sources uses), a slug of the
locator for every other locator the graph cites (`appendix-b-south`, `annex-c-para-1`, `recommendations-for-action-
in-the-longer-term`), and `line-N` (the passage's first line in the source text) for the passages in between.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from html import escape

from lutonkg.data.sources import SourceText, fold
from lutonkg.entities.index import Cite

_FOLD_TABLE = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "})
_MARKUP = re.compile(r"</?b>|\*\*|\\")
_LOC_PARAS = re.compile(r"^paras?\s+(\d{1,3})(?:\s*[-–]\s*(\d{1,3}))?\s*(?:,.*)?$", re.IGNORECASE)
_NUMBERED = re.compile(r"^[ \t]*(?:[-•][ \t]+)?(?:\*\*)?(\d{1,3})\.?[ \t]+\S")
_HEADING = re.compile(r"^(#{1,6})[ \t]+")
_RULE = re.compile(r"^[ \t]*(?:---+|\*\*\*+)[ \t]*$")
_LIST = re.compile(r"^[ \t]*[-•][ \t]+")
_LINK = re.compile(r"\[([^\]\n]+)\]\(([^)\s]+)\)")
_ENDS_SENTENCE = tuple(".!?:;\"”')")


@cache
def slug(text: str) -> str:
    """An anchor id from a locator: lower case, runs of other characters as one hyphen."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-") or "passage"


@dataclass(frozen=True)
class Folded:
    """A text folded as verify-sources folds it, with the raw offset of every folded character and the folded
    offsets where a line or table cell starts."""

    text: str
    raw: list[int]
    starts: list[int]

    def span(self, start: int, length: int) -> tuple[int, int]:
        """The raw span of a folded match."""
        return self.raw[start], self.raw[start + length - 1] + 1

    def at_start(self, index: int) -> bool:
        """Whether a folded offset starts a line or a table cell."""
        k = bisect_right(self.starts, index) - 1
        return k >= 0 and self.starts[k] == index


_RUN = re.compile(r"\s+|\S+")
_LEADERS = "#-•*"


@cache
def fold_with_offsets(text: str) -> Folded:
    """fold() of the text, keeping where each folded character came from (words of plain ASCII are copied whole;
    other characters are normalised one by one, as fold() does)."""
    out: list[str] = []
    raw: list[int] = []
    starts: list[int] = []
    state = {"line_start": True, "space": False}
    at = 0
    for m in _MARKUP.finditer(text):
        _fold_segment(text, at, m.start(), out, raw, starts, state)
        at = m.end()
    _fold_segment(text, at, len(text), out, raw, starts, state)
    while out and out[-1] == " ":
        out.pop()
        raw.pop()
    return Folded("".join(out), raw, starts)


def _fold_segment(text: str, begin: int, end: int, out: list[str], raw: list[int], starts: list[int],
                  state: dict) -> None:  # fmt: skip
    """Fold text[begin:end] onto the output (see fold_with_offsets)."""
    for m in _RUN.finditer(text, begin, end):
        run, offset = m.group(0), m.start()
        if run.isspace():
            if "\n" in run or "\t" in run:
                state["line_start"] = True
            if out and out[-1] != " ":
                out.append(" ")
                raw.append(offset)
            continue
        if run.isascii():
            if state["line_start"]:
                lead = len(run) - len(run.lstrip(_LEADERS)) if out else 0
                if lead < len(run):
                    starts.append(len(out) + lead)
                    state["line_start"] = False
            out.extend(run.lower())
            raw.extend(range(offset, offset + len(run)))
            continue
        for i, ch in enumerate(run):
            piece = ch if ch.isascii() else unicodedata.normalize("NFKC", ch).translate(_FOLD_TABLE)
            if piece.isspace():
                if out and out[-1] != " ":
                    out.append(" ")
                    raw.append(offset + i)
                continue
            if state["line_start"] and (piece not in _LEADERS or not out):
                starts.append(len(out))
                state["line_start"] = False
            for c in piece.lower():
                out.append(c)
                raw.append(offset + i)


@dataclass
class Passage:
    """A run of the source text shown as one block: its kind, raw span, anchor id and what the graph draws from it."""

    kind: str  # heading | para | numbered | table | text
    start: int
    end: int
    line: int
    id: str
    number: int | None = None
    level: int = 2
    html_level: int = 2
    anchors: list[tuple[int, str]] = field(default_factory=list)
    marks: list[tuple[int, int]] = field(default_factory=list)
    cites: list[Cite] = field(default_factory=list)
    html: str = ""


@dataclass
class Placed:
    """Where a citation lands: the passage holding its anchor phrase, the raw span of the phrase (if found), and the
    id a link to it uses."""

    passage: Passage
    span: tuple[int, int] | None
    target: str


def _lines(text: str) -> list[tuple[int, int, str]]:
    """(offset, line number, line) for every line."""
    found, offset = [], 0
    for number, line in enumerate(text.split("\n"), start=1):
        found.append((offset, number, line))
        offset += len(line) + 1
    return found


def _continues(previous: str, line: str) -> bool:
    """Whether a line after a blank line carries on the passage before it (a page break inside a sentence, or the
    items of a list the passage opened)."""
    stripped = line.lstrip()
    return bool(stripped) and (stripped[0].islower() or bool(_LIST.match(line))
                               or not previous.rstrip().endswith(_ENDS_SENTENCE))  # fmt: skip


def cut(source: SourceText) -> list[Passage]:
    """The document's passages in order."""
    text = source.text
    para_at = {start: number for number, (start, _) in source.paragraphs.items()}
    passages: list[Passage] = []
    current: Passage | None = None
    blank_before, previous = False, ""
    for offset, number, line in _lines(text):
        end = offset + len(line)
        if not line.strip() or _RULE.match(line):
            blank_before = True
            continue
        heading = _HEADING.match(line)
        numbered = _NUMBERED.match(line)
        if heading:
            current = None
            passages.append(Passage("heading", offset, end, number, "", level=len(heading.group(1))))
        elif offset in para_at:
            current = Passage("para", offset, end, number, f"para-{para_at[offset]}", para_at[offset])
            passages.append(current)
        elif numbered:
            current = Passage("numbered", offset, end, number, "", int(numbered.group(1)))
            passages.append(current)
        elif "\t" in line:
            if current is None or current.kind != "table" or blank_before:
                current = Passage("table", offset, end, number, "")
                passages.append(current)
            current.end = end
        elif current is None or current.kind == "table" or (blank_before and not _continues(previous, line)):
            current = Passage("text", offset, end, number, "")
            passages.append(current)
        else:
            current.end = end
        blank_before, previous = False, line
    for p in passages:
        p.id = p.id or f"line-{p.line}"
    return passages


class Resolver:
    """Places citations and locators on one document's passages."""

    def __init__(self, source: SourceText, passages: list[Passage]) -> None:
        self.source = source
        self.passages = passages
        self.starts = [p.start for p in passages]
        self.folded = fold_with_offsets(source.text)

    def passage_at(self, raw: int) -> Passage:
        """The passage holding a raw offset (the one before it, if the offset is in a gap)."""
        return self.passages[max(0, bisect_right(self.starts, raw) - 1)]

    def occurrences(self, phrase: str) -> list[int]:
        """Folded offsets of every occurrence of a phrase."""
        needle, found, at = fold(phrase), [], 0
        if not needle:
            return found
        while (at := self.folded.text.find(needle, at)) >= 0:
            found.append(at)
            at += 1
        return found

    def _back(self, part: str, before: int) -> int | None:
        """The folded offset of a heading part before a point: the nearest at a line or cell start, else the
        nearest anywhere."""
        needle, text = fold(part), self.folded.text
        if not needle:
            return None
        at = text.rfind(needle, 0, before)
        first = at
        while at >= 0 and not self.folded.at_start(at):
            at = text.rfind(needle, 0, at)
        return at if at >= 0 else (first if first >= 0 else None)

    def _heading_chain(self, parts: list[str], at: int) -> int | None:
        """Walk back from an occurrence through the locator's parts (innermost first); the innermost part's folded
        offset, or None when a part is missing."""
        innermost, point = None, at + len(fold(parts[-1]))
        for part in reversed(parts):
            found = self._back(part, point)
            if found is None:
                return None
            innermost = found if innermost is None else innermost
            point = found
        return innermost

    def locate(self, cite: Cite) -> tuple[int | None, tuple[int, int] | None]:
        """(raw offset where the locator starts, raw span of the anchor phrase) for one citation."""
        n = len(fold(cite.anchor))
        hits = self.occurrences(cite.anchor)
        paras = _LOC_PARAS.match(cite.locator.strip())
        if paras:
            first, last = int(paras.group(1)), int(paras.group(2) or paras.group(1))
            if first not in self.source.paragraphs:
                return None, self.folded.span(hits[0], n) if hits else None
            lo = self.source.paragraphs[first][0]
            hi = self.source.paragraphs.get(last, self.source.paragraphs[first])[1]
            inside = [h for h in hits if lo <= self.folded.raw[h] < hi]
            return lo, self.folded.span((inside or hits)[0], n) if (inside or hits) else None
        parts = [p.strip() for p in cite.locator.split(":") if p.strip()]
        sub = _LOC_PARAS.match(parts[-1]) if parts else None
        heading = parts[:-1] if sub else parts
        best = None
        for h in hits:
            innermost = self._heading_chain(heading, h) if heading else h
            if innermost is not None and (best is None or h - innermost < best[0]):
                best = (h - innermost, h, innermost)
        if best is None:
            start = self._forward(heading)
            return start, self.folded.span(hits[0], n) if hits else None
        _, hit, innermost = best
        start = self.folded.raw[innermost]
        if sub:
            start = self._numbered_after(int(sub.group(1)), start) or start
        return start, self.folded.span(hit, n)

    def _forward(self, parts: list[str]) -> int | None:
        """Where a locator's parts are found reading forward from the start (no cited phrase to walk back from)."""
        point = 0
        for part in parts:
            at = self.folded.text.find(fold(part), point)
            if at < 0:
                return None
            point = at
        return self.folded.raw[point] if parts else None

    def _numbered_after(self, number: int, start: int) -> int | None:
        """The raw offset of the first line numbered `number` after a point."""
        pattern = re.compile(rf"^[ \t]*(?:[-•][ \t]+)?(?:\*\*)?{number}\.?[ \t]+\S", re.MULTILINE)
        m = pattern.search(self.source.text, start)
        return m.start() if m else None


def place(source: SourceText, passages: list[Passage], cites: Iterable[Cite]) -> dict[Cite, Placed]:
    """Place every citation of the document: mark its anchor phrase, put each locator's id where the locator
    starts, and say which id a link to the citation should use."""
    resolver = Resolver(source, passages)
    located: dict[Cite, tuple[int | None, tuple[int, int] | None]] = {}
    by_locator: dict[str, list[Cite]] = defaultdict(list)
    for cite in sorted(set(cites), key=lambda c: (c.locator, c.anchor)):
        located[cite] = resolver.locate(cite)
        by_locator[cite.locator].append(cite)
    ids = {p.id for p in passages}
    locator_ids: dict[str, tuple[str, Passage | None]] = {}
    for locator in sorted(by_locator):
        locator_ids[locator] = _locator_anchor(resolver, locator, by_locator[locator], located, ids)
    placed = {}
    for cite, (start, span) in located.items():
        where = span[0] if span else start
        passage = resolver.passage_at(where) if where is not None else None
        anchor_id, anchor_passage = locator_ids[cite.locator]
        if passage is None:
            passage = anchor_passage or passages[0]
        if span:
            passage.marks.append(span)
        passage.cites.append(cite)
        target = anchor_id if anchor_passage is passage else passage.id
        placed[cite] = Placed(passage, span, target)
    return placed


def _locator_anchor(
    resolver: Resolver, locator: str, cites: list[Cite], located: dict[Cite, tuple], ids: set[str]
) -> tuple[str, Passage | None]:
    """The id of a locator and the passage it sits in: `para-N` for numbered paragraphs, else a slug placed where
    the locator starts (at its earliest placement in the text)."""
    paras = _LOC_PARAS.match(locator.strip())
    if paras and int(paras.group(1)) in resolver.source.paragraphs:
        number = int(paras.group(1))
        passage = resolver.passage_at(resolver.source.paragraphs[number][0])
        return f"para-{number}", passage
    counts = Counter(s for s, _ in (located[c] for c in cites) if s is not None)
    if not counts:
        return slug(locator), None
    start = min(counts, key=lambda s: (-counts[s], s))
    name = slug(locator)
    while name in ids:
        name += "-x"
    ids.add(name)
    passage = resolver.passage_at(start)
    passage.anchors.append((start, name))
    return name, passage


# -- rendering a passage's text as HTML


def _skips(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Raw spans inside [start, end) not shown: emphasis markup, escapes, heading and list marks, link targets."""
    found = []
    piece = text[start:end]
    for m in _MARKUP.finditer(piece):
        if m.group(0) != "\\" or (m.end() < len(piece) and not piece[m.end()].isalnum()):
            found.append((start + m.start(), start + m.end()))
    for m in _LINK.finditer(piece):
        found.append((start + m.start(), start + m.start() + 1))
        found.append((start + m.end(1), start + m.end()))
    return found


def _inline(text: str, start: int, end: int, marks: list[tuple[int, int]], anchors: list[tuple[int, str]]) -> str:
    """HTML for text[start:end]: escaped, markup dropped, cited phrases in <mark>, locator ids as empty spans."""
    skips = _skips(text, start, end)
    points = {start, end}
    for a, b in marks + skips:
        points.update(x for x in (a, b) if start < x < end)
    points.update(pos for pos, _ in anchors if start <= pos < end)
    out, open_mark = [], False
    ordered = sorted(points)
    for a, b in zip(ordered, ordered[1:], strict=False):
        for pos, name in anchors:
            if pos == a:
                out.append(f'<span class="loc-anchor" id="{escape(name)}"></span>')
        inside = any(x <= a < y for x, y in marks)
        if inside != open_mark:
            out.append("<mark>" if inside else "</mark>")
            open_mark = inside
        if not any(x <= a < y for x, y in skips):
            out.append(escape(text[a:b]))
    if open_mark:
        out.append("</mark>")
    return "".join(out)


def render(source: SourceText, passage: Passage) -> str:
    """The HTML body of one passage (without its wrapper); a heading at the level `assign_levels` gave it."""
    text, marks = source.text, sorted(passage.marks)
    anchors = sorted(passage.anchors)
    if passage.kind == "heading":
        skip = _HEADING.match(text[passage.start : passage.end])
        start = passage.start + (skip.end() if skip else 0)
        level = passage.html_level
        lead = "".join(f'<span class="loc-anchor" id="{escape(n)}"></span>' for p, n in anchors if p < start)
        return f'<h{level} class="src-heading">{lead}{_inline(text, start, passage.end, marks, anchors)}</h{level}>'
    if passage.kind == "table":
        return _table(text, passage, marks, anchors)
    return _paragraphs(text, passage, marks, anchors)


def _table(text: str, passage: Passage, marks: list[tuple[int, int]], anchors: list[tuple[int, str]]) -> str:
    """Tab-separated rows as a table."""
    rows = []
    for offset, _, line in _lines(text[passage.start : passage.end]):
        begin = passage.start + offset
        cells, at = [], begin
        for cell in line.split("\t"):
            cells.append(f"<td>{_inline(text, at, at + len(cell), marks, anchors)}</td>")
            at += len(cell) + 1
        if line.strip():
            rows.append("<tr>" + "".join(cells) + "</tr>")
    return '<div class="src-table-wrap"><table class="src-table">' + "".join(rows) + "</table></div>"


def _paragraphs(text: str, passage: Passage, marks: list[tuple[int, int]], anchors: list[tuple[int, str]]) -> str:
    """Lines joined into paragraphs (a blank line between), list items as a list."""
    blocks: list[tuple[str, list[str]]] = []
    for offset, _, line in _lines(text[passage.start : passage.end]):
        begin = passage.start + offset
        if not line.strip() or _RULE.match(line):
            blocks.append(("gap", []))
            continue
        item = _LIST.match(line) if passage.kind != "para" or offset else None
        lead = item.end() if item else len(line) - len(line.lstrip())
        html = _inline(text, begin + lead, begin + len(line.rstrip()), marks, anchors)
        before = [f'<span class="loc-anchor" id="{escape(n)}"></span>' for p, n in anchors if begin <= p < begin + lead]
        html = "".join(before) + html
        if item:
            blocks.append(("li", [html]))
        elif blocks and blocks[-1][0] == "p":
            blocks[-1][1].append(html)
        else:
            blocks.append(("p", [html]))
    out, in_list = [], False
    for kind, parts in blocks:
        if kind == "li" and not in_list:
            out.append("<ul>")
            in_list = True
        if kind != "li" and kind != "gap" and in_list:
            out.append("</ul>")
            in_list = False
        if kind == "li":
            out.append(f"<li>{parts[0]}</li>")
        elif kind == "p":
            out.append("<p>" + " ".join(parts) + "</p>")
    if in_list:
        out.append("</ul>")
    return "".join(out)


def assign_levels(passages: list[Passage], top: int = 2) -> None:
    """HTML heading levels for the document's `#` headings: the shallowest used is `top`, deeper ones one level
    further each, and never more than one level below the heading before (so the page's outline has no gaps)."""
    used = sorted({p.level for p in passages if p.kind == "heading"})
    mapped = {level: min(6, top + k) for k, level in enumerate(used)}
    previous = top - 1
    for p in passages:
        if p.kind == "heading":
            p.html_level = min(mapped[p.level], previous + 1)
            previous = p.html_level
