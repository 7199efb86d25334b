"""What the project already knows, as the suggester uses it: bodies and every name they go by, Acts, judged functions,
claim topics, inspections and vocabularies. With a hold-out document, every fact only that document supports is left
out: its bodies, and names and aliases no other document prints, come from the other documents alone."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from itertools import combinations

from lutonkg.data.load import Data, LineDict
from lutonkg.data.selectors import fold_map
from lutonkg.data.sources import SourceText, fold, iter_references

_TOKEN = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
# head words that name the same kind of unit (a body called a team in one report is a service in another)
_HEAD_CLASS = {"team": "unit", "service": "unit", "division": "unit", "section": "unit", "department": "dept",
               "directorate": "dept"}  # fmt: skip
PLACE_FREE = {"borough", "council", "county", "city", "district", "metropolitan", "of", "the", "royal"}
_SCHOOL_ENDS = {"high", "primary", "infant", "junior", "nursery", "academy", "secondary", "lower", "middle", "upper"}
_STOP = {"the", "a", "an", "of", "and", "for", "in", "on", "to", "its", "their", "our"}
GENERIC = {"the council", "the authority", "the local authority", "local authority", "the lea", "la", "lea",
           "the partnership", "the board", "the service", "the trust", "the department", "the directorate",
           "the executive", "the panel", "the forum", "the team", "the school", "the government"}  # fmt: skip


def tokens(text: str) -> tuple[str, ...]:
    """The word tokens of a text, folded (punctuation dropped): how names are matched."""
    return tuple(_TOKEN.findall(fold(text)))


@cache
def word(token: str) -> str:
    """A token as names are matched: possessive and plural endings dropped, unit and department heads merged
    ("children's" -> children, "panels" -> panel, "services" -> unit)."""
    token = re.sub(r"['’]s?$", "", token)
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        token = token[:-1]
    return _HEAD_CLASS.get(token, token)


def key_of(text: str) -> tuple[str, ...]:
    """The matching key of a name or passage."""
    return tuple(word(t) for t in tokens(text))


@dataclass(frozen=True)
class Name:
    """One name a body goes by."""

    body: str
    text: str
    label: bool  # the body's label (else an alias or former name)
    acronym: bool  # printed in capitals (matched only where the text prints it in capitals)

    @property
    def generic(self) -> bool:
        """A name that could stand for many bodies ('the council')."""
        return fold(self.text) in GENERIC or (len(tokens(self.text)) == 1 and not self.acronym and self.text.islower())


@dataclass(frozen=True)
class Mention:
    """A name found in a text: the raw span and the name (loose: its words found near each other, in any order)."""

    start: int
    end: int
    name: Name
    loose: bool = False


def _docs_of(entry: object) -> set[str]:
    """Every document an entry cites."""
    return {str(ref.get("doc")) for _, ref in iter_references(entry)}


@dataclass
class Knowledge:
    """The project's knowledge the suggester draws on."""

    data: Data
    doc: str
    holdout: str | None  # the held-out document: what only it supports is not known
    bodies: dict[str, LineDict] = field(default_factory=dict)
    names: dict[tuple[str, ...], list[Name]] = field(default_factory=dict)
    legislation: dict[str, LineDict] = field(default_factory=dict)
    functions: dict[str, str] = field(default_factory=dict)
    topics: dict[str, set[str]] = field(default_factory=dict)  # claim topic -> words of its claims
    inspections: dict[str, LineDict] = field(default_factory=dict)
    longest: int = 1
    place: set[str] = field(default_factory=set)
    _starts: tuple[int, dict[str, int]] | None = None

    def known(self, entry: object) -> bool:
        """Whether an entry is supported by a document other than the held-out one (always, without hold-out)."""
        if not self.holdout:
            return True
        return bool(_docs_of(entry) - {self.holdout})

    def cites_doc(self, entry: object) -> bool:
        """Whether an entry already cites this document (its fact is curated from it; never, when it is held out)."""
        return self.holdout != self.doc and self.doc in _docs_of(entry)

    def find(self, source: SourceText, start: int = 0, end: int | None = None) -> list[Mention]:
        """Every name of a known body in source.text[start:end], longest first, left to right."""
        fm = fold_map(source.text)
        lo = fm.folded_at(start)
        hi = fm.folded_at(end) if end is not None else len(fm.folded)
        words = [(m.start() + lo, m.end() + lo, word(m.group())) for m in _TOKEN.finditer(fm.folded[lo:hi])]
        found, k = [], 0
        while k < len(words):
            hit = self._longest(source.text, fm, words, k)
            if hit is None:
                k += 1
                continue
            size, names, span = hit
            found.extend(Mention(span[0], span[1], name) for name in names)
            k += size
        return found

    def find_loose(self, source: SourceText, found: list[Mention]) -> list[Mention]:
        """Names of known bodies the exact pass did not find, whose words all occur close together in any order
        ('two scrutiny panels, one of which focuses on community cohesion' for 'Scrutiny panel on community
        cohesion'): at most one per body, for names of two or more content words."""
        fm = fold_map(source.text)
        words = [(m.start(), m.end(), word(m.group())) for m in _TOKEN.finditer(fm.folded)]
        where: dict[str, list[int]] = defaultdict(list)
        for k, (_, _, w) in enumerate(words):
            where[w].append(k)
        have = {m.name.body for m in found}
        loose = []
        for key, names in sorted(self.names.items()):
            content = [w for w in key if w not in _STOP and w not in self.place]
            todo = [n for n in names if n.body not in have and not n.acronym]
            missing = [w for w in set(content) if w not in where]
            if len(set(content)) < 2 or not todo or len(missing) > len(set(content)) // 4:
                continue
            content = [w for w in content if w in where]
            span = _near_enough(where, sorted(set(content), key=lambda w: len(where[w])), len(key) + 6, missing)
            if span is None:
                continue
            raw = fm.raw_span(words[span[0]][0], words[span[1]][1])
            if "\n" in source.text[raw[0] : raw[1]] or re.search(r"[.;:!?]\s", source.text[raw[0] : raw[1]]):
                continue  # the words are in different sentences
            for name in todo:
                loose.append(Mention(raw[0], raw[1], name, True))
                have.add(name.body)
        return sorted(loose, key=lambda m: (m.start, m.end))

    @property
    def starts(self) -> dict[str, int]:
        """For each word a name starts with, the most words such a name has."""
        if self._starts is None or self._starts[0] != len(self.names):
            found: dict[str, int] = {}
            for key in self.names:
                found[key[0]] = max(found.get(key[0], 0), len(key))
            self._starts = (len(self.names), found)
        return self._starts[1]

    def _longest(self, raw: str, fm: object, words: list, k: int) -> tuple[int, list[Name], tuple[int, int]] | None:
        """The longest name starting at word k: (words it takes, its names, raw span)."""
        most = self.starts.get(words[k][2], 0)
        for size in range(min(most, len(words) - k), 0, -1):
            names = self.names.get(tuple(w for _, _, w in words[k : k + size]))
            if not names:
                continue
            span = fm.raw_span(words[k][0], words[k + size - 1][1])
            printed = raw[span[0] : span[1]]
            usable = [
                n
                for n in names
                if (not n.acronym or printed.isupper() or printed == n.text)
                and not set(",;:") & (set(printed) - set(n.text))
            ]  # not 'made by housing, services to'
            if usable:
                return size, usable, span
        return None


def build_knowledge(data: Data, texts: dict[str, SourceText], doc: str, holdout: str | None = None) -> Knowledge:
    """The knowledge for suggesting facts of `doc`; with a held-out document, as if it had never been curated."""
    kb = Knowledge(data, doc, holdout)
    kb.bodies = {key: entry for key, entry in data.bodies().items() if kb.known(entry)}
    printed = _printed_elsewhere(data, texts, holdout) if holdout else None
    place = kb.place = place_words(data)
    schools = {s["id"] for s in data["schools"]}
    titles: dict[tuple[tuple[str, ...], str], Name] = {}
    for body_id, entry in kb.bodies.items():
        for name in _names(body_id, entry, printed):
            key = key_of(name.text)
            variants = name_variants(key, place, body_id in schools, entry.get("type"))
            for variant in variants:
                _add_name(kb, variant, name)
            if entry.get("type") == "office":
                titles.update({(t, body_id): name for t in map(_title, variants) if t})
    by_title = defaultdict(set)
    for title, body_id in titles:
        by_title[title].add(body_id)
    for (title, body_id), name in titles.items():
        if len(by_title[title]) == 1 and title not in kb.names:
            _add_name(kb, title, Name(body_id, name.text, False, False))  # 'the chief inspector', one post only
    kb.longest = max((len(key) for key in kb.names), default=1)
    kb.legislation = {e["id"]: e for e in data["legislation"] if kb.known(e)}
    labels = {f["id"]: f["label"] for f in data["functions"]}
    for judgement in data["judgements"]:
        if kb.known(judgement) and judgement["function"] in labels:
            kb.functions[judgement["function"]] = labels[judgement["function"]]
    topics: dict[str, set[str]] = defaultdict(set)
    for claim in data["claims"]:
        if kb.known(claim):
            topics[claim["topic"]] |= set(tokens(claim["topic"].replace("-", " "))) | set(tokens(claim["statement"]))
    kb.topics = dict(topics)
    kb.inspections = {e["id"]: e for e in data["inspections"] if kb.known(e) or e.get("reported_in") != holdout}
    return kb


# titles printed for the same post ('Lead Member for children's services' is the portfolio holder) and honorifics
_TITLES = (("portfolio", "holder"), ("lead", "member"), ("cabinet", "member"), ("executive", "portfolio", "holder"))
_HONORIFICS = (("her", "majesty"), ("his", "majesty"), ("hm",))


def name_variants(key: tuple[str, ...], place: set[str], school: bool, kind: str | None) -> set[tuple[str, ...]]:
    """The ways a name's key is also printed: without the place word, a school as '<name> school', a directorate as
    '<subject> services', a post under another title or without its honorific, and a post of two or more title
    words without what it is 'of' or 'for' (`_title`, added when no other post has that title)."""
    variants = {key}
    if len(key) > 2 and key[0] in place:
        variants.add(key[1:])  # 'Luton Youth Offending Service' is also printed 'Youth Offending Service'
    stem = [w for w in key[:-1] if w not in _STOP and w not in place]
    if school and stem and key[-1] in _SCHOOL_ENDS and key[-2] != "school":
        variants.add(key[:-1] + ("school",))  # 'Lea Manor High' is also printed 'Lea Manor school'
    if kind == "directorate" and key[-1] == "dept" and stem:
        variants.add(key[:-1] + ("unit",))  # 'the housing directorate' is also 'the authority's housing services'
    if kind == "office":
        for title in _TITLES + _HONORIFICS:
            for variant in list(variants):
                at = _find(variant, title)
                if at is not None:
                    other = () if title in _HONORIFICS else ("portfolio", "holder")
                    variants |= {variant[:at] + alt + variant[at + len(title) :] for alt in (other, *_TITLES[:3])
                                 if title not in _HONORIFICS or not alt}  # fmt: skip
    return {v for v in variants if v}


def _title(key: tuple[str, ...]) -> tuple[str, ...] | None:
    """A post's title without what it is 'of' or 'for', when two or more words are left ('chief inspector')."""
    cut = next((k for k, w in enumerate(key) if w in ("of", "for")), None)
    if cut is None or cut < 2 or set(key[:cut]) & _STOP:
        return None
    return key[:cut]


def _find(key: tuple[str, ...], part: tuple[str, ...]) -> int | None:
    """Where a run of words starts in a key, if it does."""
    return next((k for k in range(len(key) - len(part) + 1) if key[k : k + len(part)] == part), None)


def _add_name(kb: Knowledge, key: tuple[str, ...], name: Name) -> None:
    """Record that a key names a body (once per body; a name not printed in capitals preferred)."""
    if not key or (len(key) == 1 and key[0] in _STOP):
        return
    found = kb.names.setdefault(key, [])
    same = [k for k, n in enumerate(found) if n.body == name.body]
    if not same:
        found.append(name)
    elif found[same[0]].acronym and not name.acronym:
        found[same[0]] = name  # the name that also matches where it is not printed in capitals


def place_words(data: Data) -> set[str]:
    """The place words of the project's authorities ('luton' of Luton Borough Council)."""
    bodies = data.bodies()
    found = set()
    for document in data["documents"]:
        authority = bodies.get(document.get("authority"))
        if authority:
            found |= {w for w in key_of(authority["label"]) if w not in PLACE_FREE}
    return found


def _names(body_id: str, entry: dict, printed: set[tuple[str, ...]] | None) -> Iterator[Name]:
    """The names of a body: label, aliases and former names; with hold-out, the label (the body is known from the
    other documents, and its label with it) and the aliases and former names another document prints."""
    found = [(entry["label"], True)] + [(a, False) for a in entry.get("alt_labels", [])]
    found += [(o["name"], False) for o in entry.get("other_names", [])]
    kept = [(text, label) for text, label in found if printed is None or label or key_of(text) in printed]
    for text, label in kept:
        letters = re.sub(r"[^A-Za-z]", "", text)
        yield Name(body_id, text, label, letters.isupper() and len(letters) <= 6)


def _printed_elsewhere(data: Data, texts: dict[str, SourceText], doc: str) -> set[tuple[str, ...]]:
    """Every body name (as tokens) that some other document's text prints."""
    wanted: set[tuple[str, ...]] = set()
    longest = 1
    for entry in data.bodies().values():
        names = [entry["label"], *entry.get("alt_labels", []), *(o["name"] for o in entry.get("other_names", []))]
        for name in names:
            key = key_of(name)
            wanted.add(key)
            longest = max(longest, len(key))
    firsts: dict[str, int] = {}
    for key in wanted:
        if key:
            firsts[key[0]] = max(firsts.get(key[0], 0), len(key))
    found = set()
    for other, source in texts.items():
        if other == doc:
            continue
        words = [word(t) for t in _TOKEN.findall(source.folded)]
        for k, first in enumerate(words):
            for size in range(1, min(firsts.get(first, 0), len(words) - k) + 1):
                key = tuple(words[k : k + size])
                if key in wanted:
                    found.add(key)
    return found


def _near_enough(
    where: dict[str, list[int]], content: list[str], width: int, missing: list[str]
) -> tuple[int, int] | None:
    """A window holding every content word, or all but a quarter of them (a name of four or more content words,
    where the text lacks none of them outright)."""
    span = _near(where, content, width)
    allowed = len(content) // 4 - len(missing)
    for size in range(1, allowed + 1):
        if span is not None:
            break
        for left_out in combinations(content, size):
            span = _near(where, [w for w in content if w not in left_out], width)
            if span is not None:
                break
    return span


def _near(where: dict[str, list[int]], content: list[str], width: int) -> tuple[int, int] | None:
    """The first window of at most `width` words holding every content word (rarest first): (first, last) word."""
    rarest, others = content[0], content[1:]
    for at in where[rarest]:
        lo, hi = at, at
        for w in others:
            near = [k for k in where[w] if abs(k - at) < width]
            if not near:
                break
            pick = min(near, key=lambda k: abs(k - at))
            lo, hi = min(lo, pick), max(hi, pick)
        else:
            if hi - lo < width:
                return lo, hi
    return None
