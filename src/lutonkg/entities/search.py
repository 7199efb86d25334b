"""Finding entities by what a reader types: an id, a key, an IRI, a label, another name, or a few words of one."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from lutonkg.entities.describe import entities, key, kind_of
from lutonkg.entities.index import DCTERMS, GraphIndex

KIND_ORDER = [
    "body", "school", "duty", "document", "inspection", "recommendation", "judgement", "act", "section",
    "instrument", "legislation", "priority", "strategy", "aspect", "theme", "topic", "function",
]  # fmt: skip


class NotFound(LookupError):
    """Nothing, or more than one thing, answers to the text; the message says what to type instead."""


@dataclass(frozen=True)
class Match:
    """An entity that answers to the text: its IRI, key, kind, label, and the name that matched."""

    iri: str
    key: str
    kind: str
    label: str
    matched: str
    tier: int

    def sort_key(self) -> tuple:
        """Best tier first, then kind, then label."""
        kind = KIND_ORDER.index(self.kind) if self.kind in KIND_ORDER else len(KIND_ORDER)
        return (self.tier, kind, self.label.casefold(), self.key)


def norm(text: str) -> str:
    """Lower case, apostrophes dropped, other non-word characters as single spaces."""
    text = text.casefold().replace("\u2019", "'").replace("'", "")
    return re.sub(r"[^\w]+", " ", text).strip()


class Finder:
    """The names of every entity of a graph, searchable."""

    def __init__(self, index: GraphIndex) -> None:
        self.index = index
        self.names: dict[str, list[str]] = {}
        for iri in entities(index):
            k = key(iri)
            found = [index.label(iri), *index.alt_labels(iri), k, k.rsplit("/", 1)[-1], iri]
            found += [t.value for t in index.values(iri, DCTERMS + "identifier")]
            self.names[iri] = list(dict.fromkeys(n for n in found if n))

    def _match(self, iri: str, tier: int, matched: str) -> Match:
        """A Match for an entity."""
        return Match(iri, key(iri), kind_of(iri), self.index.label(iri), matched, tier)

    def find(self, text: str, kinds: tuple[str, ...] = (), limit: int | None = None) -> list[Match]:
        """Entities answering to the text, best first: exact name (0), all words whole (1), word prefixes (2),
        substrings (3). No text lists every entity of the given kinds."""
        wanted = norm(text)
        words = wanted.split()
        found = []
        for iri, names in self.names.items():
            if kinds and kind_of(iri) not in kinds:
                continue
            best = None
            for name in names:
                tier = self._tier(norm(name), wanted, words, name == text)
                if tier is not None and (best is None or tier < best[0]):
                    best = (tier, name)
            if best is not None:
                found.append(self._match(iri, *best))
        found.sort(key=Match.sort_key)
        return found[:limit] if limit else found

    @staticmethod
    def _tier(name: str, wanted: str, words: list[str], verbatim: bool) -> int | None:
        """How well one name answers to the text, or None."""
        if not wanted:
            return 3
        if verbatim or name == wanted:
            return 0
        parts = name.split()
        if all(w in parts for w in words):
            return 1
        if all(any(p.startswith(w) for p in parts) for w in words):
            return 2
        if all(w in name for w in words):
            return 3
        return None

    def resolve(self, text: str, kinds: tuple[str, ...] = (), what: str = "entity") -> str:
        """The one entity the text names (an exact name wins over partial matches); NotFound says why and what to
        try: the candidates when several match, the closest names when none does."""
        found = self.find(text, kinds)
        exact = [m for m in found if m.tier == 0]
        if len(exact) == 1 or (len(found) == 1):
            return (exact or found)[0].iri
        listing = f"`lutonkg find{' --kind ' + kinds[0] if len(kinds) == 1 else ''} WORDS` searches them"
        if exact or found:
            pool = exact or found
            shown = "; ".join(f"{m.key} ({m.label})" for m in pool[:8])
            more = f"; and {len(pool) - 8} more" if len(pool) > 8 else ""
            raise NotFound(f"{text!r} matches {len(pool)} {what}s: {shown}{more}; give one of these ids")
        raise NotFound(f"no {what} matches {text!r}{self.suggest(text, kinds)}; {listing}")

    def suggest(self, text: str, kinds: tuple[str, ...] = ()) -> str:
        """'; did you mean …?' with the closest ids and names, or ''."""
        pool: dict[str, str] = {}
        for iri, names in self.names.items():
            if not kinds or kind_of(iri) in kinds:
                for name in names[:4]:
                    pool.setdefault(name.casefold(), key(iri))
        close = difflib.get_close_matches(text.casefold(), list(pool), n=4, cutoff=0.6)
        ids = list(dict.fromkeys(pool[c] for c in close))
        return f"; did you mean {', '.join(ids)}?" if ids else ""
