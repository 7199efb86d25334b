"""Lists a sentence prints after a cue, read as one link per item: "statistical neighbours are A, B and C" (each
item a comparator authority), "X, comprising A, B and C" (each item a member of X) and "provided by N teams: one A,
two B and one C" (each item a unit of the sentence's subject). Text only: the suggester decides which items are known
bodies and which are new."""

from __future__ import annotations

import re
from dataclasses import dataclass

# (cue, what the items are to the owner, where the owner is named)
_CUES: list[tuple[re.Pattern, str, str]] = [
    (re.compile(r"\bstatistical neighbours?\b[^.;:]{0,20}?(?:\bare\b|\binclude\b|:)", re.I), "statistical-neighbour-of",
     "before"),
    (re.compile(r",?\s*\b(?:comprising|comprises|comprise|consisting of|consists of|consist of|made up of|"
                r"whose members are|membership (?:includes|of)|brings together|involving|which (?:also )?involves?)\b"
                r"\s*(?:the following\s*)?:?", re.I), "member-of", "before"),
    (re.compile(r"\b(?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+(?:[a-z'’-]+\s+){0,3}"
                r"(?:teams|services|units|divisions|sections|panels|groups|boards|committees|directorates)\s*:"),
     "part-of", "subject"),
]  # fmt: skip
_LEAD = re.compile(
    r"^(?:(?:the|a|an|its|their|one|two|three|four|five|six|seven|eight|nine|ten|\d+|new|both|other)\s+)+", re.I
)
_STOP_AT = re.compile(
    r"\s(?:who|which|that|to|in order|where|whose|under)\s|\swith\s(?=[a-z])|\s(?:one )?of whom\b"
    r"|\s\(|[;.!?]\s|[;.!?]$|\s-\s"
)


@dataclass(frozen=True)
class Item:
    """One item of a list: its offsets in the passage and its name as printed (leading articles and counts left
    out)."""

    start: int
    end: int
    name: str


@dataclass(frozen=True)
class Listing:
    """A list after a cue: how each item relates to the owner, and where the owner is to be looked for ('before' the
    cue, nearest first, or the sentence's 'subject', its first name)."""

    relation: str
    owner: str
    cue: tuple[int, int]
    items: tuple[Item, ...]


def listings(passage: str, most_words: int = 7) -> list[Listing]:
    """Every cued list of a sentence, with its items (at least two; the list ends at the first item longer than
    `most_words` words or at a clause that follows it)."""
    found = []
    for cue, relation, owner in _CUES:
        for match in cue.finditer(passage):
            items = _items(passage, match.end(), most_words)
            if len(items) >= 2:
                found.append(Listing(relation, owner, (match.start(), match.end()), tuple(items)))
    return found


def _items(passage: str, at: int, most_words: int) -> list[Item]:
    """The items of the list starting at an offset: split at commas, semicolons and a last 'and'."""
    stop = _STOP_AT.search(passage, at)
    end = stop.start() if stop else len(passage)
    items: list[Item] = []
    parts = list(re.finditer(r"[^,;]+", passage[at:end]))
    for k, part in enumerate(parts):
        last = k == len(parts) - 1 and not re.match(r"\s*and\s", part.group())  # 'A, B and C'; not 'A, B, and C D'
        pieces = re.split(r"\s+and\s+", part.group(), maxsplit=1) if last else [part.group()]
        offset = at + part.start()
        for piece in pieces:
            start = offset + passage[offset:].index(piece)
            offset = start + len(piece)
            item = _item(piece, start)
            if item is None or len(item.name.split()) > most_words:
                return items
            items.append(item)
    return items


def _item(piece: str, start: int) -> Item | None:
    """An item without its leading articles and counts, its trailing punctuation and a leading 'and'."""
    text = re.sub(r"^\s*(?:and|or)\s+", "", piece)
    start += len(piece) - len(text)
    stripped = text.lstrip(" -–•\t\n")
    start += len(text) - len(stripped)
    lead = _LEAD.match(stripped + " ")
    if lead:
        start += lead.end()
        stripped = stripped[lead.end() :] if lead.end() <= len(stripped) else ""
    name = stripped.rstrip(" .:\t\n")
    return Item(start, start + len(name), name) if name else None
