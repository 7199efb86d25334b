"""The source texts: finding them, folding their text, and checking that a locator points at a real spot."""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

from lutonkg.data.files import read_regular_file

SOURCE_LIMIT = 64 * 1024 * 1024  # bytes: the longest source text read (the Luton texts are under 140 kB)
_PARA_START = re.compile(r"^[ \t]*(?:[-•][ \t]+)?(?:\*\*)?(\d{1,3})\.?[ \t]+\S", re.MULTILINE)
_LOST_PARA = re.compile(r"^- (?![0-9]{1,3} |\*\*)[^\n]{80,}", re.MULTILINE)
_LOST_PLAIN_PARA = re.compile(r"^(?:- (?![0-9]{1,3} |\*\*)|(?=[A-Z]))[^\n]{80,}", re.MULTILINE)
_LOC_PARAS = re.compile(r"^paras?\s+(\d{1,3})(?:\s*[-–]\s*(\d{1,3}))?\s*(?:,.*)?$", re.IGNORECASE)
_FOLD_TABLE = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "})


def fold(text: str) -> str:
    """Normalise text for matching: case, quotes, dashes, markdown emphasis and white space."""
    text = unicodedata.normalize("NFKC", text).translate(_FOLD_TABLE)
    text = re.sub(r"</?b>|\*\*|\\", "", text)
    return re.sub(r"\s+", " ", text).strip().lower()


@dataclass(frozen=True)
class SourceText:
    """One document's text with its numbered-paragraph index."""

    doc: str
    text: str
    paragraphs: dict[int, tuple[int, int]]

    @cached_property
    def folded(self) -> str:
        """The whole text folded for matching, computed once (folding is slow on long texts)."""
        return fold(self.text)

    def region(self, first: int, last: int) -> str | None:
        """The folded text from paragraph `first` to the end of `last`, bridging numbers lost in extraction."""
        if not self.paragraphs:
            return None
        known = sorted(self.paragraphs)
        starts = [n for n in known if n <= first]
        ends = [n for n in known if n >= last]
        if not starts or not ends:
            return None
        start = self.paragraphs[starts[-1]][0]
        end = self.paragraphs[ends[0]][1] if ends[0] == last else self.paragraphs[ends[0]][0]
        return fold(self.text[start:end])


def _numbered_lines(text: str) -> list[tuple[int, int, int]]:
    """(number, offset, line length) for every line that starts like a numbered paragraph."""
    found = []
    for m in _PARA_START.finditer(text):
        end = text.find("\n", m.start())
        found.append((int(m.group(1)), m.start(), (end if end >= 0 else len(text)) - m.start()))
    return found


def _heaviest_run(cands: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """The increasing run of paragraph numbers with most weight (long lines weigh more than contents entries)."""
    weight = [1 + min(length, 400) / 1000 for _, _, length in cands]
    best, prev = list(weight), [-1] * len(cands)
    for i, (num, _, _) in enumerate(cands):
        for j in range(i):
            if cands[j][0] < num and best[j] + weight[i] > best[i]:
                best[i], prev[i] = best[j] + weight[i], j
    i = max(range(len(cands)), key=lambda k: best[k])
    chain = []
    while i >= 0:
        chain.append(cands[i])
        i = prev[i]
    return chain[::-1]


def _restore_lost_numbers(text: str, chain: list[tuple[int, int, int]]) -> list[tuple[int, int]]:
    """Number unnumbered paragraphs between two numbered ones when their count fits the gap exactly."""
    starts = [(num, pos) for num, pos, _ in chain]
    restored = []
    for (a, pa), (b, pb) in zip(starts, starts[1:], strict=False):
        if b - a <= 1:
            continue
        for pattern in (_LOST_PARA, _LOST_PLAIN_PARA):
            between = [m.start() for m in pattern.finditer(text, pa + 1, pb)]
            if len(between) == b - a - 1:
                restored.extend((a + k + 1, pos) for k, pos in enumerate(between))
                break
    if starts:
        last, pos = starts[-1]
        line_end = text.find("\n", pos)
        for line in re.finditer(r"[^\n]*\n?", text[line_end + 1 :] if line_end >= 0 else ""):
            body = line.group(0).strip()
            if not body:
                if line.end() == line.start():
                    break
                continue
            if not _LOST_PARA.match(line.group(0)):
                break
            last += 1
            restored.append((last, line_end + 1 + line.start()))
    return restored


def paragraph_index(text: str) -> dict[int, tuple[int, int]]:
    """Map paragraph numbers to character spans, restoring numbers the extraction lost where the count allows."""
    cands = _numbered_lines(text)
    if not cands:
        return {}
    chain = _heaviest_run(cands)
    starts = sorted([(num, pos) for num, pos, _ in chain] + _restore_lost_numbers(text, chain), key=lambda x: x[1])
    spans = {}
    for k, (num, start) in enumerate(starts):
        end = starts[k + 1][1] if k + 1 < len(starts) else len(text)
        spans[num] = (start, end)
    return spans


@cache
def load_source(path: Path, doc: str) -> SourceText:
    """Read one source text (a regular file: never a FIFO, never beyond SOURCE_LIMIT) and index its paragraphs.

    FileProblem when it is not a readable regular file, UnicodeDecodeError when it is not UTF-8.
    """
    text = read_regular_file(path, SOURCE_LIMIT).decode("utf-8")
    return SourceText(doc, text, paragraph_index(text))


def cited_paragraph(loc: object) -> int | None:
    """The last paragraph number a locator names ('paras 26-28' -> 28), or None for other locators."""
    match = _LOC_PARAS.match(str(loc).strip())
    return int(match.group(2) or match.group(1)) if match else None


def check_reference(
    ref: dict, texts: dict[str, SourceText], reconstructed: Mapping[tuple[str, str], str] | None = None
) -> str | None:
    """Why a {doc, loc, anchor} reference does not point at its source text, or None when it does. `reconstructed`
    holds the (doc, loc) pairs registered as naming a place the text does not print (locators.yaml)."""
    doc, loc, anchor = ref.get("doc"), str(ref.get("loc", "")).strip(), ref.get("anchor")
    if doc not in texts:
        return f"no source text for document {doc!r}"
    if not loc:
        return "missing locator (loc)"
    if not anchor or not str(anchor).strip():
        return "missing anchor phrase"
    source, needle = texts[doc], fold(str(anchor))
    if len(needle.split()) > 12:
        return f"anchor {anchor!r} is longer than twelve words"
    whole = source.folded
    if needle not in whole:
        return f"anchor {anchor!r} not found in {doc}"
    match = _LOC_PARAS.match(loc)
    if match:
        first = int(match.group(1))
        last = int(match.group(2) or first)
        region = source.region(first, last)
        if region is None:
            return f"{doc} has no paragraph {loc!r}"
        if needle not in region:
            return f"anchor {anchor!r} is not in {doc} {loc}"
        return None
    marked = (reconstructed or {}).get((doc, loc))
    problem = check_locator_parts(source, loc, needle)
    if marked is None:
        return problem and problem.replace("{anchor}", repr(anchor))
    last = loc.split(":")[-1].strip()
    if problem is None and _label_line(source.text, last) is not None:
        return f"locator {loc!r} is registered as reconstructed (locators.yaml) but {doc} prints it: remove the entry"
    return None


@cache
def _label_line(text: str, part: str) -> int | None:
    """Offset of the first line that begins with `part` as a heading or table-row label (followed by the end of the
    line, a tab or a colon), or None."""
    pattern = re.compile(
        r"^[ \t#*>-]*(?:<b>)?" + re.escape(part) + r"\s*(?:</b>)?(?:$|\t|:)", re.IGNORECASE | re.MULTILINE
    )
    match = pattern.search(text)
    return match.start() if match else None


@cache
def _heading_line(text: str, part: str) -> int | None:
    """Offset of the last line that is the heading itself (markup, numbering and page numbers aside): the heading in
    the body of the document rather than its entry in the contents."""
    want, found = fold(part), None
    for m in re.finditer(r"[^\n]+", text):
        line = re.sub(r"^[\s#*>-]*(?:\d{1,2}\.?\s+)?", "", m.group(0))
        if want[:1] not in line[:1].lower() and not line.startswith("<"):
            continue
        line = fold(re.sub(r"[\s.]*\d{0,3}\s*$", "", line))
        if line == want or re.match(re.escape(want) + r"\s*[-:]\s", line):
            found = m.start()
    return found


def _section_paragraph(text: str, start: int, first: int, last: int) -> str | None:
    """The folded text of paragraphs `first`..`last` numbered afresh after `start` (an annex's own numbering)."""
    begin = re.compile(rf"^[ \t]*(?:[-•][ \t]+)?(?:\*\*)?{first}\.?[ \t]+\S", re.MULTILINE).search(text, start)
    if begin is None:
        return None
    after = re.compile(rf"^[ \t]*(?:[-•][ \t]+)?(?:\*\*)?{last + 1}\.?[ \t]+\S", re.MULTILINE).search(text, begin.end())
    end = after.start() if after else len(text)
    return fold(text[begin.start() : end])


def check_locator_parts(source: SourceText, loc: str, needle: str) -> str | None:
    """Why the parts after ':' of a heading locator do not hold: each sub-heading must be printed after the one before
    it (a paragraph part must hold the anchor), and the anchor must follow the last of them. The text '{anchor}' in
    the answer stands for the anchor as written."""
    parts = [part.strip() for part in loc.split(":")]
    text, whole = source.text, source.folded
    if fold(parts[0]) not in whole:
        return f"locator heading {parts[0]!r} not found in {source.doc}"
    at = _heading_line(text, parts[0])
    pos = _folded_offset(text, at) if at is not None else whole.find(fold(parts[0]))
    raw = at if at is not None else 0
    for part in parts[1:]:
        match = _LOC_PARAS.match(part)
        if match:
            first, last = int(match.group(1)), int(match.group(2) or match.group(1))
            region = _section_paragraph(text, at or 0, first, last) if at is not None else None
            if region is None or needle not in region:
                region = source.region(first, last)
            if region is None or needle not in region:
                return f"anchor {{anchor}} is not in {part} under {parts[0]!r} in {source.doc}"
            return None
        joined = _heading_line(text, f"{parts[0]}: {part}") if part == parts[1] else None
        found = joined if joined is not None else _sub_heading(text, part, raw)
        if found is None:
            return (
                f"sub-heading {part!r} of locator {loc!r} is not printed in {source.doc}: cite a printed heading, or "
                "register the locator in locators.yaml as reconstructed, with the reason"
            )
        raw, pos = found, _folded_offset(text, found)
    if whole.find(needle, max(0, pos - len(needle))) < 0:
        return f"anchor {{anchor}} does not follow {loc!r} in {source.doc}"
    return None


@cache
def _cells(text: str) -> tuple[list[int], list[str]]:
    """Every line or table cell of a text: raw offsets and folded text (markup at the start aside)."""
    found = [(m.start(), fold(re.sub(r"^[\s#*>•-]*(?:<b>)?", "", m.group(0)))) for m in re.finditer(r"[^\t\n]+", text)]
    return [offset for offset, _ in found], [cell for _, cell in found]


@cache
def _sub_heading(text: str, part: str, start: int) -> int | None:
    """Raw offset of the first line or table cell from `start` that begins with the sub-heading `part` (markup aside):
    a sub-heading is printed as a heading or a row label, not merely as words inside a sentence."""
    want = fold(part)
    offsets, cells = _cells(text)
    for k in range(bisect.bisect_left(offsets, start), len(cells)):
        cell = cells[k]
        if cell == want or (cell.startswith(want) and not cell[len(want)].isalnum()):
            return offsets[k]
    return None


@cache
def _folded_offset(text: str, offset: int) -> int:
    """Where a raw-text offset falls in the folded text (near enough to search forward from)."""
    return max(0, len(fold(text[:offset])) - 1)


def iter_references(node: object, path: str = ""):
    """Yield (path, reference) for every {doc, loc, anchor} mapping inside a parsed YAML tree."""
    if isinstance(node, dict):
        if "doc" in node and "anchor" in node:
            yield path, node
        for key, value in node.items():
            label = f"{path}/{value.get('id')}" if isinstance(value, dict) and "id" in value else f"{path}/{key}"
            yield from iter_references(value, label)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            label = item.get("id", index) if isinstance(item, dict) else index
            yield from iter_references(item, f"{path}/{label}")
