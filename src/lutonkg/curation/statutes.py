"""Statute citations in a text ('s390-391 Education Act 1996', 'Section 38 of the Education Act 1997', 'the Children
Act 2004', 'Education Act 2002, s79,85(9) and 88 1(A)'), resolved to legislation.gov.uk identifiers: Act (ukpga/year/
chapter) and sections."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from lutonkg.curation.knowledge import tokens
from lutonkg.data.load import LineDict

LEGISLATION = "http://www.legislation.gov.uk/id/"
_WORD = r"(?:[A-Z][A-Za-z'’]*(?:-[A-Z]?[A-Za-z'’]+)*|\((?:No\.?\s?\d+|[A-Z][a-z]+)\)|and|of|for|the|in|on|&)"
_ACT = re.compile(
    rf"(?<![A-Za-z])(?P<act>[A-Z][a-z][A-Za-z'’]*(?:-[A-Za-z'’]+)*(?:,?[ ]+{_WORD}){{0,10}}?[ ]+Act),?[ ]+"
    r"(?P<year>(?:1[89]|20)\d\d)(?!\d)"
)
_ITEM = r"\d+[A-Z]{0,2}(?:[ ][A-Z]{1,2}(?![a-z]))?(?:\s*\(\w{1,4}\))*(?:[ ]\d\(\w\))?"
_LIST = rf"{_ITEM}(?:\s*(?:[-–]|,|and|&|to)\s*{_ITEM})*"
_BEFORE = re.compile(
    rf"(?:[Ss]ections?|[Ss]{{1,2}}\.?|\\?\$)[ ]?(?P<list>{_LIST})(?:[ ]+etc)?\s*(?:of\s+(?:the\s+)?)?$"
)
_AFTER = re.compile(rf",?[ ]*(?:[Ss]ections?|[Ss]{{1,2}}\.?)[ ]?(?P<list>{_LIST})")
_RANGE = re.compile(r"^(\d+)\s*[-–]\s*(\d+)$")


@dataclass(frozen=True)
class Act:
    """An Act as the project or the reference table knows it."""

    title: str
    year: int
    chapter: int | None
    legislation_id: str | None  # the project's legislation.yaml id, when it has one

    @property
    def identifier(self) -> str | None:
        """'ukpga/1996/56', or None when the chapter is unknown."""
        return f"ukpga/{self.year}/{self.chapter}" if self.chapter else None

    @property
    def iri(self) -> str | None:
        """The legislation.gov.uk identifier IRI of the Act."""
        return LEGISLATION + self.identifier if self.identifier else None


@dataclass(frozen=True)
class StatuteCitation:
    """One citation of an Act in a text, with the sections it names."""

    start: int
    end: int
    printed: str
    act: Act
    sections: tuple[str, ...]  # section numbers with their letters ('390', '13A'), subsections dropped
    printed_range: str | None  # a range as printed ('s390-391'), when the citation gives one

    def section_iris(self) -> list[str]:
        """The legislation.gov.uk identifiers of the cited sections."""
        return [f"{self.act.iri}/section/{s}" for s in self.sections] if self.act.iri else []


@cache
def reference_acts() -> tuple[tuple[str, int, int], ...]:
    """The reference table shipped with the toolkit (acts.yaml): (title, year, chapter)."""
    text = resources.files("lutonkg.curation").joinpath("acts.yaml").read_text(encoding="utf-8")
    return tuple((a["title"], int(a["year"]), int(a["chapter"])) for a in yaml.safe_load(text)["acts"])


def _key(title: str) -> tuple[str, ...]:
    """An Act's title as matching tokens: case, punctuation, '&' and a leading 'the' aside."""
    found = [t for t in tokens(title.replace("&", " and ")) if t != "amendment"]
    return tuple(found[1:] if found[:1] == ["the"] else found)


def resolve(title: str, year: int, legislation: dict[str, LineDict]) -> Act:
    """The Act a printed title and year name: the project's entry first, then the reference table."""
    key = _key(title)
    for entry in legislation.values():
        if entry.get("kind") == "act" and entry.get("year") == year and _key(entry["title"]) == key:
            return Act(entry["title"], year, entry.get("chapter"), entry["id"])
    for known, known_year, chapter in reference_acts():
        if known_year == year and _key(known) == key:
            return Act(known, year, chapter, None)
    clean = re.sub(r"^the\s+", "", " ".join(title.split()), flags=re.IGNORECASE)
    return Act(f"{clean} {year}", year, None, None)


def citations(
    text: str, legislation: dict[str, LineDict], start: int = 0, end: int | None = None
) -> list[StatuteCitation]:
    """Every statute citation in text[start:end]."""
    end = len(text) if end is None else end
    found = []
    for m in _ACT.finditer(text, start, end):
        title = m.group("act")
        title = re.sub(r"^(?:The|the)\s+", "", title)
        act = resolve(f"{title} {m.group('year')}", int(m.group("year")), legislation)
        lo, hi = m.start("act") + (len(m.group("act")) - len(title)), m.end()
        sections, printed_range = (), None
        before = _BEFORE.search(text, max(start, lo - 60), lo)
        if before:
            sections, printed_range = _sections(before.group("list"))
            lo = before.start()
        after = _AFTER.match(text, hi, min(end, hi + 60))
        if after and not sections:
            sections, printed_range = _sections(after.group("list"))
            hi = after.end()
        found.append(StatuteCitation(lo, hi, text[lo:hi], act, sections, printed_range))
    return found


def _sections(printed: str) -> tuple[tuple[str, ...], str | None]:
    """The section numbers a printed list names (ranges expanded) and the range as printed, if any."""
    found: list[str] = []
    printed_range = None
    items = re.split(r"\s*(?:,|\band\b|&)\s*", printed)
    for item in items:
        item = item.strip()
        if not item:
            continue
        span = _RANGE.match(re.sub(r"\s*\(\w+\)", "", item).strip())
        span = span or re.match(r"^(\d+)\s*(?:[-–]|to)\s*(\d+)$", item)
        if span and int(span.group(1)) < int(span.group(2)) <= int(span.group(1)) + 50:
            found += [str(n) for n in range(int(span.group(1)), int(span.group(2)) + 1)]
            printed_range = item
            continue
        number = re.match(r"^(\d+)([A-Z]{0,2})(?:[ ]([A-Z]{1,2}))?", item)
        if number:
            found.append(number.group(1) + number.group(2) + (number.group(3) or ""))
    return tuple(dict.fromkeys(found)), printed_range
