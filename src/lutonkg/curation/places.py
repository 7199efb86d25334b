"""Citing a spot of a document: a short verbatim anchor around it, the locator a reviewer can follow (checked the
way `lutonkg verify-sources` checks every citation), and its W3C selectors."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from lutonkg.curation.structure import Segment, Structure
from lutonkg.data.selectors import Selector, anchor_span, make_selector
from lutonkg.data.sources import SourceText, check_reference

MAX_WORDS = 12  # the data's limit for an anchor
_WORD = re.compile(r"\S+")
_MARKUP = re.compile(r"</?b>|\*\*|</?p>|\\")
_TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class Cite:
    """Where a candidate fact is stated: locator, anchor and selectors."""

    loc: str
    anchor: str
    selector: Selector

    @property
    def start(self) -> int:
        """The anchor's raw start offset."""
        return self.selector.start

    def reference(self, doc: str) -> dict:
        """The citation as the data writes it."""
        return {"doc": doc, "loc": self.loc, "anchor": self.anchor}


class Placer:
    """Finds anchors and locators in one document."""

    def __init__(self, structure: Structure, reconstructed: Mapping[tuple[str, str], str] | None = None) -> None:
        self.structure = structure
        self.source: SourceText = structure.source
        self.texts = {self.source.doc: self.source}
        self.reconstructed = reconstructed or {}
        self._checked: dict[tuple[str, str], str | None] = {}

    def cite(self, segment: Segment, start: int | None = None, end: int | None = None, words: int = 8) -> Cite | None:
        """A citation of the words start..end of a segment (default: its opening words), or None when no locator
        of the segment's place holds an anchor there."""
        tokens = self._tokens(segment)
        if not tokens:
            return None
        first, last = _covering(tokens, segment.start if start is None else start, segment.end if end is None else end)
        if start is None:
            last = first
        for size in sorted({min(MAX_WORDS, max(words, last - first + 1)), 10, MAX_WORDS}):
            if size < min(words, last - first + 1):
                continue
            window = _window(tokens, first, last, size)
            anchor = _anchor_text(self.source.text, tokens, window)
            if anchor is None:
                continue
            at = tokens[window[0]][0]
            for loc in self.locators(segment):
                found = self._check(loc, anchor, at)
                if found is not None:
                    return found
        return None

    def _check(self, loc: str, anchor: str, at: int) -> Cite | None:
        """A citation when the locator holds the anchor and its first occurrence there is the one meant (checked
        first from the folded text, then as `lutonkg verify-sources` checks every citation)."""
        span = anchor_span(self.source, loc, anchor)
        if span is None or not span[0] <= at + 2 or span[0] < at - 2:
            return None
        ref = {"doc": self.source.doc, "loc": loc, "anchor": anchor}
        if self._verified(loc, anchor, ref) is not None:
            return None
        selector = make_selector(self.source, loc, anchor)
        return Cite(loc, anchor, selector) if selector else None

    def _verified(self, loc: str, anchor: str, ref: dict) -> str | None:
        """check_reference, remembered per (loc, anchor)."""
        key = (loc, anchor)
        if key not in self._checked:
            self._checked[key] = check_reference(ref, self.texts, self.reconstructed)
        return self._checked[key]

    def _tokens(self, segment: Segment) -> list[tuple[int, int]]:
        """The words of a segment as raw spans, markup-only tokens left out."""
        found = []
        for m in _WORD.finditer(self.source.text, segment.start, segment.end):
            if _MARKUP.sub("", m.group()).strip():
                found.append((m.start(), m.end()))
        return found

    def locators(self, segment: Segment) -> list[str]:
        """The locators that may name a segment's place, the most precise first."""
        st = self.structure
        found: list[str] = []
        if segment.paragraph is not None:
            found.append(f"para {segment.paragraph}")
        index = segment.heading
        heading = st.headings[index] if index is not None else None
        parent = st.parent_of(index)
        section = st.section_of(index)
        numbered = re.match(r"^[ \t]*(?:[-•][ \t]+)?(\d{1,2})\.?[ \t]", self._line_of(segment.start))
        if numbered and heading is not None:
            for top in (heading, parent, section):
                if top is not None:
                    found.append(f"{top.short}: para {numbered.group(1)}")
        if segment.row:
            for top in (section, heading, parent):
                if top is not None:
                    found.append(f"{top.short}: {segment.row}")
        if heading is not None:
            for top in (section, parent):
                if top is not None and top != heading:
                    found.append(f"{top.short}: {heading.text}")
            found += [heading.text, heading.short]
        region = st.paragraph_region(segment.start)
        if region is not None:
            found.append(f"para {region}")
        if section is not None:
            found.append(section.short)
        return list(dict.fromkeys(loc for loc in found if loc and all(len(p.split()) <= 12 for p in loc.split(": "))))

    def _line_of(self, offset: int) -> str:
        """The text of the line an offset lies on."""
        text = self.source.text
        start = text.rfind("\n", 0, offset) + 1
        end = text.find("\n", offset)
        return text[start : end if end >= 0 else len(text)]


def _covering(tokens: list[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    """The first and last token that overlap start..end."""
    inside = [k for k, (a, b) in enumerate(tokens) if b > start and a < end]
    if not inside:
        return 0, 0
    return inside[0], inside[-1]


def _window(tokens: list[tuple[int, int]], first: int, last: int, size: int) -> tuple[int, int]:
    """About `size` tokens around first..last: the key, then words after it, then before it."""
    if last - first + 1 >= size:
        return first, first + size - 1
    lo, hi = first, last
    while hi - lo + 1 < size and (hi + 1 < len(tokens) or lo > 0):
        if hi + 1 < len(tokens):
            hi += 1
        if hi - lo + 1 < size and lo > 0 and (hi + 1 >= len(tokens) or (hi - lo) % 3 == 2):
            lo -= 1
    return lo, hi


def _anchor_text(text: str, tokens: list[tuple[int, int]], window: tuple[int, int]) -> str | None:
    """The anchor for a window of tokens: the words as printed, markup and tags dropped at its edges, trailing
    punctuation trimmed; None when a tag inside would break the match."""
    start, end = tokens[window[0]][0], tokens[window[1]][1]
    raw = text[start:end]
    if _TAG.search(_MARKUP.sub("", raw)):
        return None
    words = [_MARKUP.sub("", w) for w in raw.split()]
    anchor = " ".join(w for w in words if w)
    anchor = anchor.strip().rstrip(",;:").lstrip("([")
    return anchor if len(anchor) >= 3 and len(anchor.split()) <= MAX_WORDS else None
