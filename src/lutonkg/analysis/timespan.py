"""When a body, link, inspection or recommendation "holds": the snapshot rules, as small pure functions on years.

The sources rarely state dates; mostly they name things, which shows only that they existed when the document was
written. These rules turn what the graph records (stated `lkg:validFrom`/`lkg:validTo`, the documents that attest a
thing, change events) into the set of years in which it is taken to hold. Years are whole calendar years.

1. **Attestation window.** A thing attested in a document dated year D holds in D-2 .. D+1 (the 2002 reports describe
   2000-2002, including what existed at the May 2000 inspection; the 2008 reports describe 2006-2008; the 2020
   strategy describes 2018-2020). A thing attested by documents of different years also holds in the years between
   (a body named in 2002 and in 2008 is taken to have existed from 2000 to 2009).
2. **Stated dates win.** A stated start or end replaces the window's edge on that side: a body founded in 2005 and
   named in a 2008 report holds 2005-2009; a relationship stated for 2001 alone holds in 2001 only.
3. **Change events** (`org:ChangeEvent`) bound what they create and end. A body that results from a dated event (and
   was not among its originals) holds from the event's year; a body that the event ends holds until the year before.
   An undated event that a document of year D reports as having happened (an establishment, "since the previous
   inspection") is placed inside that document's window: its results hold from D-1, the bodies it ends hold until
   D-2. So the 2000 snapshot keeps the education committee that the 2002 reports say was replaced, and leaves out the
   forums the 2002 reports call newly set up. An undated succession inferred by the curators ends the original in the
   year before its successor first holds. Restructures that end nothing (a body reorganised in place) and status
   changes bound nothing, nor does an event whose date the sources dispute (the projection leaves it out).
4. **Evidence beats inference.** A curators' inferred succession does not hide a body that a document dated after the
   successor appeared still names (the 2020 strategy still speaks of the council "as an education authority").
5. **Inspections** hold from their first year to the year after they end (their report and findings are current);
   an undated inspection takes its report's year.
6. **Recommendations** are open from the year of the report that makes them until the year before later evidence
   finds them addressed; evidence that they are still open or partly addressed keeps them open until that
   evidence's year; evidence that the issue recurs reopens them in that year only; a passage that only mentions the
   matter shows no outcome and counts for nothing; with no later evidence they hold for their report's window
   (D .. D+1) and `lutonkg gaps` lists them.
7. **Legislation** holds from the year of its Act onwards (the sources give no repeals).

A link (edge) holds in a year when its own rule holds and both of its ends hold.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

WINDOW_BEFORE = 2
WINDOW_AFTER = 1
HORIZON = 2030


def year_of(date: str | None) -> int | None:
    """The year of an ISO date, year-month or year ('2002-07' -> 2002); None for None."""
    return int(str(date)[:4]) if date else None


def attested_span(doc_years: Iterable[int]) -> set[int]:
    """Years covered by attestation: from the earliest window start to the latest window end (rule 1)."""
    years = sorted(set(doc_years))
    if not years:
        return set()
    return set(range(years[0] - WINDOW_BEFORE, years[-1] + WINDOW_AFTER + 1))


def held_years(
    doc_years: Iterable[int],
    stated_from: int | None = None,
    stated_to: int | None = None,
    not_before: int | None = None,
    not_after: int | None = None,
    reopen_after_end: bool = False,
) -> frozenset[int]:
    """Years in which a thing holds, from its documents' years, stated dates and change-event bounds (rules 1-4)."""
    docs = sorted(set(doc_years))
    span = attested_span(docs)
    if stated_from is None and stated_to is None and not span:
        return frozenset()
    lo = min(span) if span else (stated_from if stated_from is not None else stated_to)
    hi = max(span) if span else (stated_to if stated_to is not None else stated_from)
    if stated_from is not None:
        lo, hi = stated_from, max(hi, stated_from)
    if stated_to is not None:
        lo, hi = min(lo, stated_to), stated_to
    if not_before is not None:
        lo = max(lo, not_before)
    years = {y for y in range(lo, hi + 1) if not_after is None or y <= not_after}
    if reopen_after_end and not_after is not None:
        for year in docs:
            if year - WINDOW_BEFORE > not_after:
                years |= set(range(year - WINDOW_BEFORE, year + WINDOW_AFTER + 1))
    return frozenset(years)


def inspection_years(start: int | None, end: int | None, report_year: int | None) -> frozenset[int]:
    """Years an inspection holds: its first year to the year after it ends; else its report's year and the next."""
    first = start if start is not None else end if end is not None else report_year
    last = end if end is not None else first
    if first is None or last is None:
        return frozenset()
    return frozenset(range(first, last + WINDOW_AFTER + 1))


def recommendation_years(made: int, evidence: Iterable[tuple[int, str]]) -> frozenset[int]:
    """Years a recommendation is open, from the year it is made and later (year, status) evidence (rule 6)."""
    later = sorted((year, status) for year, status in evidence if year >= made and status != "mentioned")
    if not later:
        return frozenset(range(made, made + WINDOW_AFTER + 1))
    closed = min((year for year, status in later if status == "addressed"), default=None)
    still = [year for year, status in later if status in ("still-open", "partly-addressed")]
    end = closed - 1 if closed is not None else max(still, default=made)
    years = set(range(made, max(made, end) + 1))
    years |= {year for year, status in later if status != "addressed" and (closed is None or year > closed)}
    years |= {year for year, status in later if status == "recurring"}
    return frozenset(years)


def legislation_years(year: int | None) -> frozenset[int]:
    """Years an Act, section or instrument holds: from its year to the horizon (rule 7)."""
    return frozenset(range(year, HORIZON + 1)) if year else frozenset()


def ranges(years: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted inclusive (first, last) runs of years: {2000, 2001, 2005} -> [(2000, 2001), (2005, 2005)]."""
    runs: list[tuple[int, int]] = []
    for year in sorted(set(years)):
        if runs and year == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], year)
        else:
            runs.append((year, year))
    return runs


def format_ranges(years: Iterable[int]) -> str:
    """Runs of years as text: '2000-2003, 2018-2021' ('' when empty)."""
    return ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in ranges(years))


@dataclass(frozen=True)
class Change:
    """A change event reduced to what the rules need: who it ends and starts, when, and whether it was inferred."""

    original: frozenset[str]
    resulting: frozenset[str]
    kind: str
    year: int | None
    doc_years: tuple[int, ...]
    inferred: bool


@dataclass
class Bounds:
    """Per-body bounds set by change events (rule 3) and the bodies an inferred ending may not hide (rule 4)."""

    not_before: dict[str, int] = field(default_factory=dict)
    not_after: dict[str, int] = field(default_factory=dict)
    reopen: set[str] = field(default_factory=set)

    def start(self, body: str, year: int) -> None:
        """Record that a body holds from `year` at the earliest any event allows."""
        self.not_before[body] = min(year, self.not_before.get(body, year))

    def end(self, body: str, year: int) -> None:
        """Record that a body holds until `year` at the latest (the first event that ends it wins)."""
        self.not_after[body] = min(year, self.not_after.get(body, year))


def event_bounds(changes: Iterable[Change], first_year: dict[str, int]) -> Bounds:
    """Bounds on each body from the change events; `first_year` is each body's first year before any bound."""
    bounds = Bounds()
    for change in changes:
        ends, starts = change.original - change.resulting, change.resulting - change.original
        if change.kind == "status-change" or (change.kind == "restructure" and not ends):
            continue
        if change.year is not None:
            for body in starts:
                bounds.start(body, change.year)
            for body in ends:
                bounds.end(body, change.year - 1)
        elif not change.inferred and change.doc_years:
            reported = min(change.doc_years)
            for body in starts:
                bounds.start(body, reported - WINDOW_BEFORE + 1)
            for body in ends:
                bounds.end(body, reported - WINDOW_BEFORE)
        else:
            successors = [first_year[body] for body in starts if body in first_year]
            for body in ends if successors else ():
                bounds.end(body, min(successors) - 1)
        if change.inferred:
            bounds.reopen |= ends
    return bounds
