"""Load-time checks that the data keeps to the sources' own shape: Appendix C as printed, section ranges expanded,
disputed dates left open, one name per place, and sites that belong to their school."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator

from lutonkg.data.load import Data, DataError, LineDict

_RANGE = re.compile(r"(\d+)\s*[-–]\s*(\d+)")
_CITED_RANGE = re.compile(r"\bs{1,2}\s*\d+[A-Z]*\s*[-–]\s*\d+", re.IGNORECASE)
_PARA = re.compile(r"^paras?\s+\d", re.IGNORECASE)


def section_number(cited: object) -> tuple[int, str]:
    """A cited section as (number, letters): '86(1A)' -> (86, ''), '13A' -> (13, 'A'), '509 AD' -> (509, 'AD')."""
    key = re.sub(r"\s+", "", str(cited)).split("(")[0]
    match = re.match(r"^(\d+)([A-Z]*)$", key)
    if match is None:
        raise ValueError(f"not a section number: {cited!r}")
    return int(match.group(1)), match.group(2)


def expand_range(printed: str, lettered: list[str]) -> list[str]:
    """The sections a printed range covers: every whole number in it, and each lettered section inserted after one
    of its numbers but before its last ('S13-14' with 13A known -> 13, 13A, 14)."""
    match = _RANGE.search(printed)
    if match is None:
        raise ValueError(f"no range in {printed!r}")
    first, last = int(match.group(1)), int(match.group(2))
    found = [str(n) for n in range(first, last + 1)]
    found += [s for s in lettered if first <= section_number(s)[0] < last]
    return sorted(found, key=section_number)


def _legal_bases(data: Data) -> Iterator[tuple[LineDict, dict]]:
    """Every (duty, legal basis) pair."""
    for duty in data["duties"]:
        for basis in duty.get("legal_bases", []):
            yield duty, basis


def check_ranges(data: Data) -> None:
    """A printed section range is flagged (`printed_range`) and expanded into every section that exists in it."""
    lettered = {e["id"]: e.get("lettered_sections", []) for e in data["legislation"]}
    for duty, basis in _legal_bases(data):
        where = data.where("duties", duty)
        printed = basis.get("printed_range")
        if printed is None:
            if _CITED_RANGE.search(str(basis.get("as_cited", ""))):
                raise DataError(
                    f"{where}: legal basis {basis['ref']!r} is cited as the range {basis['as_cited']!r}: "
                    "flag it with printed_range and list every section it covers"
                )
            continue
        if _RANGE.search(str(printed)) is None:
            raise DataError(f"{where}: printed_range {printed!r} of {basis['ref']!r} is not a range such as 'S13-14'")
        cited = {section_number(s) for s in basis.get("sections", [])}
        missing = [s for s in expand_range(printed, lettered.get(basis["ref"], [])) if section_number(s) not in cited]
        if missing:
            raise DataError(
                f"{where}: printed range {printed!r} of {basis['ref']!r} is not expanded: "
                f"add section(s) {', '.join(missing)} to sections"
            )


def check_printed_items(data: Data) -> None:
    """Each duty comes from printed items of its own aspect; a citation printed with another item is a group citation;
    every printed item yields at least one duty; item numbers are unique within an aspect."""
    items = data.by_id("printed_items")
    seen: dict[tuple[str, int], str] = {}
    for item in data["printed_items"]:
        key = (item["aspect"], item["number"])
        if key in seen:
            raise DataError(f"{data.where('printed_items', item)}: number {key[1]} is already used by {seen[key]!r}")
        seen[key] = item["id"]
    used: set[str] = set()
    for duty in data["duties"]:
        where = data.where("duties", duty)
        if items and not duty.get("printed_items"):
            raise DataError(f"{where}: missing field 'printed_items' (the project records the items its duties are "
                            "printed as, so every duty names its own)")  # fmt: skip
        for ref in duty.get("printed_items", []):
            used.add(ref)
            if items[ref]["aspect"] != duty["aspect"]:
                raise DataError(f"{where}: printed item {ref!r} belongs to aspect {items[ref]['aspect']!r}")
        for basis in duty.get("legal_bases", []):
            item = basis.get("printed_with")
            if item and item not in duty.get("printed_items", []) and not basis.get("applies_to_group"):
                raise DataError(
                    f"{where}: the citation of {basis['ref']!r} is printed with {item!r}, not with this duty's own "
                    "items: mark it applies_to_group: true"
                )
    for item in data["printed_items"]:
        if item["id"] not in used:
            raise DataError(f"{data.where('printed_items', item)}: no duty comes from this printed item")


def _claims_by_event(data: Data) -> dict[str, list[LineDict]]:
    """Claims that date a change event, by event id."""
    found: dict[str, list[LineDict]] = defaultdict(list)
    for claim in data["claims"]:
        if claim.get("event"):
            found[claim["event"]].append(claim)
    return found


def check_disputed_dates(data: Data) -> None:
    """Where the claims dating an event disagree, neither the event nor the body it creates takes one side, unless a
    claim is ranked preferred (with its reason) and the date given is that claim's."""
    bodies = data.bodies()
    for event_id, claims in sorted(_claims_by_event(data).items()):
        values = {str(c.get("value")) for c in claims if "value" in c}
        if len(values) < 2:
            continue
        event = data.by_id("events")[event_id]
        preferred = [str(c.get("value")) for c in claims if c.get("rank") == "preferred"]
        if len(preferred) > 1:
            raise DataError(f"{data.where('events', event)}: more than one claim dating it is ranked preferred")
        allowed = preferred[0] if preferred else None
        dated = [("events", event, event.get("date"))]
        if event["kind"] == "establishment":
            for body_id in event.get("resulting", []):
                body = bodies[body_id]
                dated.append(("schools" if "type" not in body else "bodies", body, body.get("founded", {}).get("date")))
        for section, entry, date in dated:
            if date is not None and str(date) != allowed:
                raise DataError(
                    f"{data.where(section, entry)}: date {date} takes one side of a disagreement "
                    f"(claims on event {event_id!r} give {', '.join(sorted(values))}): remove it, or rank one claim "
                    "preferred with a rank_reason and use its value"
                )


def _components(loc: str) -> list[str]:
    """A locator's parts: 'Appendix C: School Finance' -> ['Appendix C', 'School Finance']."""
    return [part.strip() for part in str(loc).split(":")]


def _words(text: str) -> list[str]:
    """Lower-case words of a locator part, punctuation dropped, for comparing names."""
    return re.sub(r"[^a-z0-9 ]", " ", text.lower()).split()


def _citations(data: Data) -> Iterator[tuple[str, LineDict, dict]]:
    """Every citation in the data, with the section and entry that holds it."""
    from lutonkg.data.load import _sources_in

    for section, entries in data.sections.items():
        for entry in entries:
            for ref in _sources_in(entry):
                yield section, entry, ref


def check_locators(data: Data) -> None:
    """One name per place: no citation uses a name the locator register lists as an alias, and no two locators of a
    document name the same heading once short and once with more words."""
    aliases = {(e["doc"], a): e["loc"] for e in data["locators"] for a in e.get("aliases", [])}
    names: dict[tuple[str, tuple[str, ...]], dict[str, tuple[str, LineDict]]] = defaultdict(dict)
    for section, entry, ref in _citations(data):
        loc = str(ref.get("loc", ""))
        canonical = aliases.get((ref.get("doc"), loc))
        if canonical is not None:
            raise DataError(
                f"{data.where(section, entry)}: locator {loc!r} is another name for {canonical!r}: use that"
            )
        if _PARA.match(loc):
            continue
        parts = _components(loc)
        for depth, part in enumerate(parts):
            parent = tuple(" ".join(_words(p)) for p in parts[:depth])
            names[(ref["doc"], parent)].setdefault(part, (section, entry))
    for (doc, _), found in names.items():
        for short in found:
            for longer, (section, entry) in found.items():
                if short != longer and _words(longer)[: len(_words(short))] == _words(short):
                    raise DataError(
                        f"{data.where(section, entry)}: locator part {longer!r} of {doc} names the same place as "
                        f"{short!r}: use one name"
                    )


def check_sites(data: Data) -> None:
    """A body with sites takes its neighbourhoods from them, not from a field of its own; site ids are unique."""
    seen: dict[str, str] = {}
    for section in ("bodies", "schools"):
        for entry in data[section]:
            sites = entry.get("sites", [])
            if sites and entry.get("neighbourhood"):
                raise DataError(f"{data.where(section, entry)}: give the neighbourhood on each site, not on the body")
            for site in sites:
                if site["id"] in seen:
                    raise DataError(
                        f"{data.where(section, entry)}: site id {site['id']!r} is also used by {seen[site['id']]!r}"
                    )
                seen[site["id"]] = entry["id"]


def check_all(data: Data) -> None:
    """Every fidelity check, in order."""
    check_ranges(data)
    check_printed_items(data)
    check_disputed_dates(data)
    check_locators(data)
    check_sites(data)
