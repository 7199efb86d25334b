"""Candidate facts of one document, each with proposed fields, a locator, a short anchor, W3C selectors and a score:
mentions of known bodies, new body-like names, statute citations, recommendations, judgements, relationships between
recognised bodies, change events, and dated facts and figures. Rules only (no model): every candidate is read from
the document's structure with patterns a curator can follow."""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from lutonkg.curation import statutes
from lutonkg.curation.knowledge import GENERIC, Knowledge, Mention, Name, build_knowledge, key_of, tokens
from lutonkg.curation.lists import Listing, listings
from lutonkg.curation.places import Cite, Placer
from lutonkg.curation.structure import Segment, Structure, clean, read_structure
from lutonkg.data.load import Data
from lutonkg.data.selectors import anchor_span
from lutonkg.data.sources import SourceText, fold

KINDS = ("body-mention", "new-body", "statute", "recommendation", "judgement", "relationship", "event", "claim")
GROUPS = {
    "body-mention": "body mentions",
    "new-body": "new bodies",
    "statute": "statute citations",
    "recommendation": "recommendations",
    "judgement": "judgements",
    "relationship": "relationships",
    "event": "events",
    "claim": "claims",
}


@dataclass
class Candidate:
    """One proposed fact."""

    kind: str
    key: str  # stable across runs: what a rejection is remembered by
    score: float
    fields: dict
    cite: Cite
    span: tuple[int, int]  # the passage it is read from (raw offsets)
    text: str  # that passage as printed, for the curator to read (never to copy into a summary)
    also: list[Cite] = field(default_factory=list)


@dataclass
class Context:
    """Everything the rules read: the document, its structure, the project's knowledge and the mentions in it."""

    doc: str
    source: SourceText
    structure: Structure
    placer: Placer
    kb: Knowledge
    mentions: list[Mention]
    mention_starts: list[int] = field(default_factory=list)
    data: Data | None = None
    types: dict[str, str] = field(default_factory=dict)  # body types, of known and of proposed new bodies
    curated: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    proposed: dict[tuple[str, ...], str] = field(default_factory=dict)  # new bodies proposed: name key -> id
    known: list[Mention] = field(default_factory=list)  # the known bodies' mentions (before new names replace some)
    bulleted: list[tuple[Segment, str, list[Mention]]] = field(default_factory=list)  # lead-in, owner, the bullets

    def mentions_in(self, start: int, end: int) -> list[Mention]:
        """The body mentions inside start..end."""
        lo = bisect.bisect_left(self.mention_starts, start)
        hi = bisect.bisect_left(self.mention_starts, end)
        return [m for m in self.mentions[lo:hi] if m.end <= end]

    @property
    def body_segments(self) -> list[Segment]:
        """The segments of running text (headings left out)."""
        return [s for s in self.structure.segments if s.kind != "heading"]

    def passage(self, start: int, end: int) -> str:
        """Printed text, markup dropped and white space collapsed."""
        return clean(self.source.text[start:end])


def suggest(
    data: Data, texts: dict[str, SourceText], doc: str, holdout: str | None = None, rejected: set[str] | None = None
) -> list[Candidate]:
    """Every candidate fact of a document, grouped by kind (KINDS order): the rejected ones and (unless the
    document is held out) the facts already curated from it left out."""
    source = texts[doc]
    structure = read_structure(source)
    reconstructed = {(e["doc"], e["loc"]): e["reconstructed"] for e in data["locators"] if "reconstructed" in e}
    kb = build_knowledge(data, texts, doc, holdout)
    inside = [(s.start, s.end) for s in structure.segments]
    exact = [m for m in kb.find(source) if _in_segments(inside, m.start)]
    loose = [m for m in kb.find_loose(source, exact) if _in_segments(inside, m.start)]
    mentions = sorted(exact + loose, key=lambda m: (m.start, m.end))
    ctx = Context(doc, source, structure, Placer(structure, reconstructed), kb, mentions, [m.start for m in mentions])
    ctx.data = data
    ctx.known = mentions
    ctx.types = {key: entry.get("type", "school") for key, entry in kb.bodies.items()}
    found: list[Candidate] = list(new_bodies(ctx))
    _add_provisional(ctx, found, inside)
    found.extend(_bullet_names(ctx))
    for rule in (body_mentions, statute_citations, recommendations, judgements, relationships, claims):
        found.extend(rule(ctx))
    _distinct_keys(found)
    skip = rejected or set()
    if holdout != doc:
        found = [c for c in found if not _curated(ctx, c)]
    order = {kind: n for n, kind in enumerate(KINDS)}
    return sorted((c for c in found if c.key not in skip), key=lambda c: (order[c.kind], c.span[0], c.key))


_SECTIONS = {"recommendation": "recommendations", "judgement": "judgements", "claim": "claims", "event": "events"}


def _curated(ctx: Context, candidate: Candidate) -> bool:
    """Whether a candidate restates a fact the data already cites this document for: a recommendation, judgement,
    claim or event whose anchor lies in the candidate's passage, or the same relationship."""
    if candidate.kind == "relationship":
        triple = (candidate.fields["subject"], candidate.fields["relation"], candidate.fields["object"])
        return any((e["subject"], e["relation"], e["object"]) == triple and ctx.kb.cites_doc(e)
                   for e in ctx.data["relationships"])  # fmt: skip
    section = _SECTIONS.get(candidate.kind)
    if section is None:
        return False
    spans = _curated_spans(ctx, section)
    return any(a < candidate.span[1] and candidate.span[0] < b for a, b in spans)


def _curated_spans(ctx: Context, section: str) -> list[tuple[int, int]]:
    """The raw spans of every anchor of a section's entries in this document (computed once per section)."""
    if section not in ctx.curated:
        found = []
        for entry in ctx.data[section]:
            for ref in entry.get("sources", []):
                if ref.get("doc") == ctx.doc:
                    span = anchor_span(ctx.source, str(ref["loc"]), str(ref["anchor"]))
                    if span:
                        found.append(span)
        ctx.curated[section] = found
    return ctx.curated[section]


def _add_provisional(ctx: Context, news: list[Candidate], inside: list[tuple[int, int]]) -> None:
    """Treat the proposed new bodies as recognised for the rules that follow (relationships): their names are found
    wherever no known body's name is, and over a known name they contain ('education' in 'an education committee');
    a loose match of a known name gives way to a new body's name printed whole."""
    provisional = Knowledge(ctx.kb.data, ctx.doc, ctx.kb.holdout)
    for candidate in news:
        name = Name(candidate.fields["id"], candidate.fields["label"], True, False)
        provisional.names.setdefault(key_of(name.text), []).append(name)
        for acronym in candidate.fields.get("alt_labels", []):
            provisional.names.setdefault(key_of(acronym), []).append(Name(name.body, acronym, False, True))
        ctx.types[name.body] = candidate.fields["type"]
        ctx.proposed[key_of(name.text)] = name.body
    provisional.longest = max((len(k) for k in provisional.names), default=1)
    taken = [(m.start, m.end) for m in ctx.mentions if not m.loose]
    extra = [m for m in provisional.find(ctx.source) if _in_segments(inside, m.start)
             and not any(a < m.end and m.start < b and not (m.start <= a and b <= m.end and b - a < m.end - m.start)
                         for a, b in taken)]  # fmt: skip
    ctx.known = [m for m in ctx.mentions if not (m.loose and any(e.start < m.end and m.start < e.end for e in extra))]
    kept = [m for m in ctx.mentions if not any(e.start < m.end and m.start < e.end for e in extra)
            or (not m.loose and not any(e.start <= m.start and m.end <= e.end for e in extra))]  # fmt: skip
    ctx.mentions = sorted(kept + extra, key=lambda m: (m.start, m.end))
    ctx.mention_starts = [m.start for m in ctx.mentions]


# a lead-in whose bullets complete a name: "comprising the Leader and portfolio holders for:" then "- Finance;"
_LEAD_IN = re.compile(r"(?P<noun>\b[a-z][a-z-]*\s+(?:holders|members|directors|heads|managers|officers|teams|boards|"
                      r"groups|panels))\s+(?P<prep>for|of)\s*:\s*$")  # fmt: skip


def _bullet_names(ctx: Context) -> Iterator[Candidate]:
    """Names a lead-in and its bullets print together ('portfolio holders for:' and '- Finance;' name the portfolio
    holder for Finance): each a known body's mention, or a new body proposed; recorded with the body the lead-in
    names (not a post) as their owner, for the relationship rules."""
    segments = ctx.structure.segments
    for k, lead in enumerate(segments):
        match = _LEAD_IN.search(ctx.source.text[lead.start : lead.end])
        owners = [m for m in _distinct(ctx.mentions_in(lead.start, lead.end)) if ctx.types.get(m.name.body) != "office"]
        if not match or not owners:
            continue
        noun = re.sub(r"s$", "", match.group("noun"))
        found = []
        for bullet in segments[k + 1 : k + 16]:
            if bullet.kind != "bullet" or bullet.paragraph != lead.paragraph:
                break
            printed = re.sub(r"[\s;:,.]+(?:and\s*)?$", "", ctx.source.text[bullet.start : bullet.end])
            start = bullet.start + len(ctx.source.text[bullet.start : bullet.end]) - len(
                ctx.source.text[bullet.start : bullet.end].lstrip(" -•\t"))  # fmt: skip
            end = bullet.start + len(printed)
            if end <= start:
                break
            mention, new = _bullet_body(ctx, bullet, f"{noun} {match.group('prep')} {ctx.source.text[start:end]}",
                                        start, end)  # fmt: skip
            if new is not None:
                yield new
            found.append(mention)
        if found:
            ctx.bulleted.append((lead, owners[0].name.body, found))
            ctx.known = sorted(ctx.known + [m for m in found if m.name.body in ctx.kb.bodies], key=lambda m: m.start)
            ctx.mentions = sorted(ctx.mentions + found, key=lambda m: (m.start, m.end))
            ctx.mention_starts = [m.start for m in ctx.mentions]


def _bullet_body(ctx: Context, bullet: Segment, name: str, start: int, end: int) -> tuple[Mention, Candidate | None]:
    """The mention a completed bullet name makes: of the known body of that name, else of a new body proposed."""
    known = ctx.kb.names.get(key_of(name))
    if known:
        return Mention(start, end, Name(known[0].body, name, False, False)), None
    kind = "office" if name.split()[1] in ("holder", "member", "director", "head", "manager", "officer") else "team"
    proposed = ctx.proposed.get(key_of(name)) or _slug(name if kind != "office" else f"office {name}")
    ctx.proposed[key_of(name)] = proposed
    ctx.types[proposed] = kind
    cite = ctx.placer.cite(bullet, start, end, words=7)
    mention = Mention(start, end, Name(proposed, name, True, False))
    if cite is None:
        return mention, None
    fields = {"id": proposed, "label": name[:1].upper() + name[1:], "type": kind}
    return mention, Candidate("new-body", f"new-body:{'-'.join(tokens(name))}", 0.4, fields, cite,
                              (bullet.start, bullet.end), ctx.passage(bullet.start, bullet.end))  # fmt: skip


def _in_segments(spans: list[tuple[int, int]], offset: int) -> bool:
    """Whether an offset lies in one of the (sorted) segment spans."""
    k = bisect.bisect_right(spans, (offset, 1 << 60)) - 1
    return k >= 0 and spans[k][0] <= offset < spans[k][1]


def segment_at(ctx: Context, offset: int) -> Segment | None:
    """The segment that holds an offset."""
    segments = ctx.structure.segments
    k = bisect.bisect_right([s.start for s in segments], offset) - 1
    return segments[k] if k >= 0 and segments[k].start <= offset < segments[k].end else None


def _line_span(ctx: Context, offset: int) -> tuple[int, int]:
    """The raw span of the line an offset lies on."""
    text = ctx.source.text
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    return start, end if end >= 0 else len(text)


# ---------------------------------------------------------------- bodies


def body_mentions(ctx: Context) -> Iterator[Candidate]:
    """One candidate per known body the document names: its first clear mention cited, the count of the others."""
    by_body: dict[str, list[Mention]] = defaultdict(list)
    for mention in ctx.known:
        by_body[mention.name.body].append(mention)
    for body, found in by_body.items():
        entry = ctx.kb.bodies.get(body)
        if entry is None or ctx.kb.cites_doc(entry):
            continue
        ranked = sorted(found, key=lambda m: (m.loose, not m.name.label, m.name.generic, m.start))
        for mention in ranked[:4]:
            segment = segment_at(ctx, mention.start)
            cite = ctx.placer.cite(segment, mention.start, mention.end, words=7) if segment else None
            if cite is None:
                continue
            names = sorted({clean(ctx.source.text[m.start : m.end]) if m.loose else m.name.text for m in found})
            ambiguous = len({n.body for n in ctx.kb.names.get(key_of(mention.name.text), [])}) > 1
            score = 0.6 if all(m.name.generic for m in found) else 0.8 if mention.name.acronym else 0.95
            score = 0.45 if mention.loose else score
            fields = {"body": body, "label": entry["label"], "type": entry.get("type", "school")}
            fields.update({"printed_as": names, "mentions": len(found)})
            if ambiguous:
                fields["ambiguous"] = True
                score -= 0.2
            yield Candidate("body-mention", f"mention:{body}", round(score, 2), fields, cite,
                            (segment.start, segment.end), ctx.passage(segment.start, segment.end))  # fmt: skip
            break


_HEADS = {
    "board": "partnership", "partnership": "partnership", "trust": "partnership", "alliance": "partnership",
    "consortium": "partnership", "panel": "forum", "forum": "forum", "group": "forum", "network": "forum",
    "council": "forum", "committee": "committee", "executive": "committee", "cabinet": "committee",
    "service": "service", "services": "service", "unit": "service", "division": "service", "centre": "service",
    "team": "team", "teams": "team", "directorate": "directorate", "department": "directorate",
    "commission": "inspectorate", "inspectorate": "inspectorate", "agency": "public-agency", "office": "office",
    "school": "school", "academy": "school", "nursery": "school", "college": "college", "university": "university",
    "hospital": "nhs-body", "authority": "local-authority", "constabulary": "police", "police": "police",
    "programme": "programme", "initiative": "programme", "fund": "programme", "grant": "programme",
    "project": "programme", "zone": "programme",
    "association": "voluntary-organisation", "society": "voluntary-organisation",
    "foundation": "voluntary-organisation", "charity": "voluntary-organisation", "company": "business",
    "limited": "business", "ltd": "business",
}  # fmt: skip
_POSTS = (
    r"(?:Director|Head|Chief Executive|Chief Officer|Leader|Portfolio Holder|Lead Member|Commissioner|Manager|Chair)"
)
_NAME_WORD = r"(?:[A-Z][A-Za-z'’]*(?:-[A-Za-z'’]+)*|and|of|for|the|in|on|&)"
# a name that starts with its head word and says what it is of or for ("Department for Education", "University of
# Hertfordshire", "Office for the Future")
_HEAD_FIRST = re.compile(
    r"(?<![A-Za-z'’-])(?P<name>(?P<head>Department|University|Office|Commission|Agency|Council|Board|Institute)[ ]+"
    r"(?:of|for)[ ]+(?:the[ ]+)?[A-Z][A-Za-z'’]*(?:[ ]+(?:and[ ]+)?[A-Z][A-Za-z'’]*){0,3})(?![A-Za-z])"
    r"(?:[ ]+\((?P<acronym>[A-Z][A-Za-z]{1,7})\))?"
)
_ORG = re.compile(
    rf"(?<![A-Za-z'’-])(?P<name>(?:[A-Z][A-Za-z'’]*(?:-[A-Za-z'’]+)*)(?:[ ]+{_NAME_WORD}){{0,7}}[ ]+"
    rf"(?P<head>{'|'.join(sorted({h.capitalize() for h in _HEADS}, key=len, reverse=True))})"
    r"(?:[ ]+(?:of|for)[ ]+(?:the[ ]+)?[A-Z][A-Za-z'’]*(?:[ ]+(?:and[ ]+)?[A-Z][A-Za-z'’]*){0,3})?)(?![A-Za-z])"
    r"(?:[ ]+\((?P<acronym>[A-Z][A-Za-z]{1,7})\))?"
)
_OFFICE_HEADS = (  # posts; "mentors" before "mentor" for the regular expressions below
    "officer",
    "manager",
    "adviser",
    "advisor",
    "co-ordinator",
    "coordinator",
    "consultant",
    "mentors",
    "mentor",
)
_UNIT_HEADS = (
    "teams",
    "team",
    "services",
    "service",
    "unit",
    "panel",
    "group",
    "forum",
    "board",
    "partnership",
    "committee",
    "network",
    "directorate",
    "department",
    "division",
    "centre",
    "consortia",
    *_OFFICE_HEADS,
    "programme",
    "project",
    "initiative",
)
_LOWER = re.compile(
    r"\b(?:[Tt]he|[Aa]n?|[Ii]ts|[Tt]heir|[Oo]ne|[Tt]wo|[Tt]hree|[Ff]our|[Ff]ive|[Ss]ix|[Nn]ew|\d+)\s+(?P<name>"
    r"(?:(?!(?:of|a|an|the|for|to|in|on|that|they|all|by|with|from|as|at|or|is|are|was)\s)(?:[A-Za-z][a-z'’-]*|[A-Z]{2,5}"
    r"|\d{1,2})\s+){1,5}?"
    rf"(?P<head>{'|'.join(_UNIT_HEADS)}))\b"
)
# a sentence opening with a unit's name ("Internal audit continues", "Learning support units are"): capitalised first
# word, lower-case words after it, ending in a unit word
_OPENING_HEAD = "|".join(_UNIT_HEADS)
_OPENING = re.compile(
    r"^(?:[-•]\s*)?(?:\d+\.\s+)?(?P<name>[A-Z][a-z'’-]+\s+(?:(?!(?:of|a|an|the|for|to|in|on|and|is|are|was|has|have)\s)"
    rf"[a-z][a-z'’-]*\s+){{0,4}}?(?P<head>(?:{_OPENING_HEAD})s?))\b"
    r"(?=\s+(?:is|are|was|were|has|have|had|continues?|works?|provides?|now|also|meets?|includes?|comprises?|remains?)\b)"
)
# posts named by what they head: "the head of school improvement", "a new corporate head of equalities"
_HEAD_OF = re.compile(
    r"\b(?:[Tt]he|[Aa]n?|[Ii]ts|[Nn]ew)\s+(?P<name>(?:(?:corporate|deputy|assistant|acting|interim|service)\s+)?"
    r"(?:head|director|chair) (?:of|for) (?!the\b|its\b|this\b)[a-z][a-z'’-]*(?:\s+(?:and\s+)?[a-z][a-z'’-]*){0,3}?)"
    r"(?=\s*[,.;:)]|\s+(?:is|was|has|had|and|who|with|to|in|at|on|from|since|gives|attends)\b)"
)
_ADJECTIVES = {
    "new",
    "effective",
    "good",
    "strong",
    "successful",
    "well-established",
    "existing",
    "current",
    "local",
    "small",
    "large",
    "key",
    "main",
    "whole",
    "very",
    "highly",
    "more",
    "most",
    "other",
    "same",
    "previous",
    "recent",
    "dedicated",
    "central",
    "overall",
    "wider",
    "single",
    "joint",
    "separate",
    "specialist",
    "satisfactory",
    "good-quality",
    "high-quality",
    "newly",
    "formed",
    "well-resourced",
    "named",
    "designated",
    "relevant",
    "appropriate",
    "individual",
    "particular",
    "various",
    "different",
    "general",
    "further",
    "additional",
    "full",
    "better",
    "own",
    "council's",
    "lea's",
    "authority's",
    "largest",
    "major",
    "traditional",
    "prime",
    "wide",
    "broad",
    "fruitful",
    "and",
    "continued",
    "many",
    "several",
    "few",
    "some",
    "such",
    "this",
    "that",
    "these",
    "those",
    "each",
    "every",
    "both",
}
_NOT_BODY = {
    "support",
    "service",
    "services",
    "group",
    "groups",
    "project",
    "programme",
    "initiative",
    "team",
    "management",
    "officer",
    "manager",
    "level",
    "range",
    "number",
    "quality",
    "working",
    "ethnic",
    "age",
    "year",
    "target",
    "focus",
    "peer",
    "pupil",
    "parent",
    "school",
    "schools",
    "user",
    "minority",
}
_POST = re.compile(rf"(?<![A-Za-z])(?P<name>(?:[A-Z][a-z]+[ ]+)?{_POSTS}(?:[ ]+(?:of|for)[ ]+(?:the[ ]+)?"
                   rf"[A-Z][A-Za-z'’]*(?:[ ]+{_NAME_WORD}){{0,4}}?[ ]+[A-Z][A-Za-z'’]*|))(?![A-Za-z])")  # fmt: skip
_NOT_A_NAME = {"the", "this", "these", "those", "a", "an", "its", "their", "our", "each", "every", "all", "some",
               "many", "most", "other", "new", "local", "national", "in", "of", "for", "and", "on"}  # fmt: skip


def new_bodies(ctx: Context) -> Iterator[Candidate]:
    """Body-like names the project does not know: capitalised names ending in an organisation word (Board, Panel,
    Service, Team, Trust, ...) or naming a post (Director of ...), and lower-case names of units ('the catering
    service', 'one adoption team'), with a proposed body type."""
    seen: dict[tuple[str, ...], Candidate] = {}
    known_ids = set(ctx.kb.bodies)
    for segment in ctx.structure.segments:
        text = ctx.source.text[segment.start : segment.end]
        matches = [(m, 0.0) for m in [*_ORG.finditer(text), *_POST.finditer(text), *_HEAD_FIRST.finditer(text)]]
        matches += [(m, -0.2) for m in _LOWER.finditer(text)]
        matches += [(m, -0.25) for m in _OPENING.finditer(text)] + [(m, -0.2) for m in _HEAD_OF.finditer(text)]
        for match, bonus in matches:
            name, start = _trim_name(match.group("name"), segment.start + match.start("name"))
            if bonus:
                name, start = _trim_adjectives(name, start)
                if name is None:
                    continue
            name, start = _trim_owner(ctx, name, start)
            name = _first_of_run(name) if not bonus else name
            key = key_of(name)
            if (
                " and the " in name
                or len(key) < 2
                or key in ctx.kb.names
                or key in seen
                or (_covered(ctx, start, start + len(name)))
            ):
                continue
            head = match.groupdict().get("head")
            kind = _HEADS.get(head.lower(), "service") if head else "office"
            if head and head.lower() in _OFFICE_HEADS:
                kind = "office"
            kind = _refine_type(name, kind)
            cite = ctx.placer.cite(segment, start, start + len(name), words=7)
            if cite is None:
                continue
            proposed = _slug(name if kind != "office" else f"office {name}")
            fields = {"id": proposed if proposed not in known_ids else f"{proposed}-{ctx.doc}", "label": name}
            fields["type"] = kind
            if match.groupdict().get("acronym"):
                fields["alt_labels"] = [match.group("acronym")]
            count = len(re.findall(re.escape(name), ctx.source.text, re.IGNORECASE))
            score = 0.5 + bonus + min(0.3, 0.1 * (count - 1)) + (0.1 if match.groupdict().get("acronym") else 0)
            seen[key] = Candidate("new-body", f"new-body:{'-'.join(tokens(name))}", round(score, 2), fields, cite,
                                  (segment.start, segment.end), ctx.passage(segment.start, segment.end))  # fmt: skip
    yield from seen.values()


def _trim_name(name: str, start: int) -> tuple[str, int]:
    """A name without leading words that are not part of it ('The', 'Its', a sentence's first word)."""
    words = name.split(" ")
    while len(words) > 2 and (words[0].lower() in _NOT_A_NAME or words[0].lower() in {"and", "of"}):
        start += len(words[0]) + 1
        words = words[1:]
    while words and words[-1].lower() in {"and", "of", "for", "the", "in", "on", "&"}:
        words = words[:-1]
    return " ".join(words), start


def _trim_owner(ctx: Context, name: str, start: int) -> tuple[str, int]:
    """A name without a known body's possessive before it ("the Council's Standards Committee" names the Standards
    Committee), when two or more words are left."""
    first, _, rest = name.partition(" ")
    known = key_of(first) in ctx.kb.names or ("the", *key_of(first)) in ctx.kb.names
    if re.search(r"['’]s?$", first) and len(rest.split()) >= 2 and known:
        return rest, start + len(first) + 1
    return name, start


def _first_of_run(name: str) -> str:
    """The first of two capitalised names printed without punctuation between them ('Strategic School Improvement
    Fund Compton Teaching School'): cut after an inner head word when what follows is a name of three or more words
    ending in a head word, with no head word inside it."""
    words = name.split()
    heads = [k for k, w in enumerate(words) if w.lower() in _HEADS]
    for k in heads:
        rest = words[k + 1 :]
        named = k >= 1 and len(rest) >= 3 and rest[0][:1].isupper() and rest[0].lower() not in _NOT_A_NAME
        if named and rest[-1].lower() in _HEADS and not any(w.lower() in _HEADS for w in rest[:-1]):
            return " ".join(words[: k + 1])
    return name


def _trim_adjectives(name: str, start: int) -> tuple[str | None, int]:
    """A lower-case name without leading evaluative or general words; None when nothing but its head is left or it
    names an activity rather than a body."""
    words = name.split()
    while len(words) > 1 and words[0] in _ADJECTIVES:
        start += len(words[0]) + 1
        words = words[1:]
    if len(words) < 2 or words[0] in _NOT_BODY or all(w in _NOT_BODY for w in words[:-1]):
        return None, start
    return " ".join(words), start


def _covered(ctx: Context, start: int, end: int) -> bool:
    """Whether a known body's name already covers most of this span (the new name is a known one in other words)."""
    return any(m.start <= start and m.end >= end for m in ctx.mentions_in(max(0, start - 80), end + 80))


def _refine_type(name: str, kind: str) -> str:
    """Sharper body types from the words of a name."""
    low = name.lower()
    if re.match(rf"^{_POSTS}\b", name) or re.search(r"\b(?:advisor|adviser|officer|director)$", low):
        return "office"  # a post: 'Director of Children's Services', 'infant feeding advisor'
    rules = [
        (r"\bnhs\b|primary care trust|health(care)? (trust|commission)|foundation trust|hospital", "nhs-body"),
        (r"learning trust|academy trust|academies trust|multi.academy", "academy-trust"),
        (r"\b(safeguarding|children'?s trust|strategic partnership|strategic board)\b", "partnership"),
        (r"inspectorate|\bofsted\b|audit commission|commission for", "inspectorate"),
        (r"\bpolice\b|constabulary", "police"),
        (r"department for|department of|home office|\bministry\b", "government-department"),
        (r"learning and skills council|connexions|agency", "public-agency"),
        (r"scrutiny|committee|executive|cabinet", "committee"),
        (r"directorate", "directorate"),
    ]
    for pattern, found in rules:
        if re.search(pattern, low):
            return found
    return kind


def _slug(text: str) -> str:
    """An id slug for a name: lower case, a leading 'the' dropped."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
    return re.sub(r"^the-", "", slug)


# ---------------------------------------------------------------- statutes


def statute_citations(ctx: Context) -> Iterator[Candidate]:
    """Every statute citation, resolved to its legislation.gov.uk Act and sections; repeats of one citation merged."""
    seen: dict[tuple, Candidate] = {}
    for found in statutes.citations(ctx.source.text, ctx.kb.legislation):
        segment = segment_at(ctx, found.start) or segment_at(ctx, found.end - 1)
        if segment is None:
            continue
        act = found.act
        key = (act.identifier or act.title, found.sections)
        cite = ctx.placer.cite(segment, max(found.start, segment.start), min(found.end, segment.end), words=6)
        if cite is None:
            continue
        if key in seen:
            seen[key].also.append(cite)
            continue
        fields = {"act": act.title, "year": act.year, "chapter": act.chapter, "identifier": act.identifier}
        fields.update({"legislation": act.legislation_id or _slug(act.title), "sections": list(found.sections)})
        fields["printed"] = " ".join(found.printed.split())
        if found.printed_range:
            fields["printed_range"] = found.printed_range
        if act.iri:
            fields["iri"] = act.iri
            fields["section_iris"] = found.section_iris()
        if act.legislation_id and ctx.kb.cites_doc(ctx.kb.legislation[act.legislation_id]):
            continue
        score = 0.95 if act.chapter else 0.7
        ident = f"statute:{act.identifier or _slug(act.title)}:{','.join(found.sections)}"
        seen[key] = Candidate("statute", ident, score, fields, cite, (found.start, found.end), fields["printed"])
    yield from seen.values()


# ---------------------------------------------------------------- recommendations

_REC_HEADING = re.compile(r"recommendation|areas? for (?:improvement|development)|key (?:areas|issues) for", re.I)
_PRIORITY = [
    (re.compile(r"immediate", re.I), "immediate"),
    (re.compile(r"six months", re.I), "within-six-months"),
    (re.compile(r"longer term", re.I), "longer-term"),
    (re.compile(r"\bfundamental\b", re.I), "fundamental"),
    (re.compile(r"\bessential\b", re.I), "essential"),
    (
        re.compile(r"\bfurther\b.*recommendation|recommendations?.*\bfurther\b|\bother recommendations\b", re.I),
        "further",
    ),
    (re.compile(r"areas? for improvement", re.I), "area-for-improvement"),
    (re.compile(r"areas? for development", re.I), "area-for-development"),
]
_ADVICE = re.compile(r"\b(should|needs? to|must|ought to|is recommended|are recommended)\b", re.I)
_PROSE_REC = re.compile(r"\brecommendations?\b.{0,60}\b(?:that|to)\b|\bpriorities identified\b|\bareas? for "
                        r"(?:improvement|development) (?:include|are)\b", re.I)  # fmt: skip


def _rec_regions(ctx: Context) -> list[tuple[int, int, str]]:
    """(start, end, priority) of every recommendations section: from its heading to the next heading that is not a
    priority sub-heading (or, under a heading that a numbered paragraph follows, to that paragraph)."""
    st, text = ctx.structure, ctx.source.text
    regions = []
    for k, heading in enumerate(st.headings):
        if not _REC_HEADING.search(heading.text):
            continue
        end = len(text)
        for later in st.headings[k + 1 :]:
            if not any(p.search(later.text) for p, _ in _PRIORITY[:3]):
                end = later.start
                break
        following = [s for s, _ in ctx.source.paragraphs.values() if heading.end < s < end]
        if following and not re.search(r"areas? for|key", heading.text, re.I):
            end = min(following)
        regions.append((heading.end, end, _priority(heading.text) or "unranked"))
    return regions


def _priority(text: str) -> str | None:
    """The priority a heading or lead-in gives."""
    for pattern, priority in _PRIORITY:
        if pattern.search(text):
            return priority
    return None


def recommendations(ctx: Context) -> Iterator[Candidate]:
    """The bullets and paragraphs of every recommendations section (and of 'Areas for improvement / development'),
    with the priority their heading or lead-in gives; one printed twice is one candidate with both places. Also
    sentences elsewhere that report a recommendation, scored lower."""
    merged: dict[str, Candidate] = {}
    regions = _rec_regions(ctx)
    for start, end, priority in regions:
        for item in _rec_items(ctx, start, end, priority):
            _merge(merged, item)
    covered = [(start, end) for start, end, _ in regions]
    for segment in ctx.body_segments:
        passage = ctx.source.text[segment.start : segment.end]
        if _PROSE_REC.search(passage) and not any(a <= segment.start < b for a, b in covered):
            item = _recommendation(ctx, segment, segment.start, segment.end, "unranked", None, 0.4)
            if item:
                _merge(merged, item)
    yield from merged.values()


def _rec_items(ctx: Context, start: int, end: int, priority: str) -> Iterator[Candidate]:
    """The recommendations of one section: a bullet or a paragraph each, a lead-in setting purpose and priority."""
    lead, current = None, priority
    for segment in [s for s in ctx.body_segments if start <= s.start < end]:
        line = _line_span(ctx, segment.start)
        if segment.start != _first_segment_start(ctx, line):
            continue  # one candidate per line (a bullet or paragraph), from its first segment
        printed = ctx.source.text[line[0] : line[1]].strip()
        if printed.endswith(":") or re.match(r"^(this report|the following|they are)\b", printed, re.I):
            lead = printed
            current = _priority(printed) or current
            continue
        heading = ctx.structure.headings[segment.heading] if segment.heading is not None else None
        level = _priority(heading.text) if heading is not None and heading.start >= start - 200 else None
        bullet = segment.kind == "bullet"
        if not (bullet or _ADVICE.search(printed) or (lead and lead.rstrip().endswith(":"))):
            continue
        if printed[:1].islower() and not bullet:
            continue  # the rest of a paragraph a page break split
        item = _recommendation(ctx, segment, line[0], line[1], level or current, lead, 0.9)
        if item:
            yield item


def _first_segment_start(ctx: Context, line: tuple[int, int]) -> int:
    """The start of the first segment on a line."""
    segments = ctx.structure.segments
    k = bisect.bisect_left([s.start for s in segments], line[0])
    return segments[k].start if k < len(segments) else -1


def _recommendation(ctx: Context, segment: Segment, start: int, end: int, priority: str, lead: str | None,
                    score: float) -> Candidate | None:  # fmt: skip
    """A recommendation candidate for the printed text start..end."""
    cite = ctx.placer.cite(segment, words=8)
    if cite is None:
        return None
    printed = ctx.passage(start, end)
    lead_in = " ".join(lead.split()) if lead and (lead.rstrip().endswith(":") or lead.startswith("In order")) else None
    fields: dict = {"priority": priority, "summary": "", "quote": printed}
    if lead_in:
        fields["lead_in"] = lead_in
    addressees = _addressees(ctx, segment.start, end, lead)
    fields["addressees"] = addressees
    fields["themes"] = _themes(ctx, printed + " " + (lead_in or ""))
    inspection = _inspection(ctx)
    if inspection:
        fields["inspection"] = inspection
    key = "recommendation:" + "-".join(tokens(printed)[:12])
    return Candidate("recommendation", key, score, fields, cite, (start, end), printed)


def _distinct_keys(found: list[Candidate]) -> None:
    """Give candidates that share a key (a "Major strengths" heading in each section of a report) keys of their own:
    the key, then where it is stated, then a count if that is shared too; a review file needs one key per entry."""
    groups: dict[str, list[Candidate]] = {}
    for candidate in found:
        groups.setdefault(candidate.key, []).append(candidate)
    for key, same in groups.items():
        if len(same) < 2:
            continue
        seen: dict[str, int] = {}
        for candidate in sorted(same, key=lambda c: c.span):
            place = f"{key}@{candidate.cite.loc}"
            seen[place] = seen.get(place, 0) + 1
            candidate.key = place if seen[place] == 1 else f"{place}#{seen[place]}"


def _merge(merged: dict[str, Candidate], item: Candidate) -> None:
    """Keep one candidate per recommendation text: a repeat adds its place and, if it has one, its priority."""
    existing = merged.get(item.key)
    if existing is None:
        merged[item.key] = item
        return
    existing.also.append(item.cite)
    if existing.fields["priority"] == "unranked" and item.fields["priority"] != "unranked":
        existing.fields["priority"] = item.fields["priority"]
    existing.score = max(existing.score, item.score)


def _addressees(ctx: Context, start: int, end: int, lead: str | None) -> list[str]:
    """The bodies a recommendation names before 'should' (or its lead-in does), else the inspected body."""
    text = ctx.source.text
    stop = re.search(r"\b(should|needs? to|must)\b", text[start:end])
    limit = start + stop.start() if stop else start
    named = [m.name.body for m in ctx.mentions_in(start, limit)]
    if not named and lead:
        at = text.rfind(lead, 0, start)
        if at >= 0:
            named = [m.name.body for m in ctx.mentions_in(at, at + len(lead))]
    return list(dict.fromkeys(named)) or _inspected(ctx)


def _inspected(ctx: Context) -> list[str]:
    """The bodies the document's inspection inspected, else the document's authority."""
    inspection = _inspection(ctx)
    if inspection:
        found = ctx.kb.inspections[inspection].get("inspected", [])
        if found:
            return list(found)
    document = next((d for d in ctx.data["documents"] if d["id"] == ctx.doc), None) if ctx.data else None
    return [document["authority"]] if document else []


def _inspection(ctx: Context) -> str | None:
    """The inspection the document reports (documents.yaml `reports`, else the inspections `reported_in` it; the
    latest), if the project knows it."""
    document = next((d for d in ctx.data["documents"] if d["id"] == ctx.doc), {}) if ctx.data else {}
    reports = set(document.get("reports", []))
    found = [e for e in ctx.kb.inspections.values() if e["id"] in reports or e.get("reported_in") == ctx.doc]
    return max(found, key=lambda e: str(e.get("to", e.get("from", ""))))["id"] if found else None


def _themes(ctx: Context, text: str) -> list[str]:
    """The recommendation themes whose label or definition shares most words with a text (at most two)."""
    if ctx.data is None:
        return []
    words = set(tokens(text)) - {"the", "and", "of", "to", "in", "for", "a", "with", "that", "on", "should", "lea"}
    scored = []
    for theme in ctx.data["themes"]:
        vocabulary = set(tokens(theme["label"] + " " + theme["definition"])) - {"the", "and", "of", "to", "in", "for"}
        overlap = len(words & vocabulary) + 2 * len(words & set(tokens(theme["label"])))
        if overlap:
            scored.append((-overlap, theme["id"]))
    return [theme for _, theme in sorted(scored)[:2]]


# ---------------------------------------------------------------- judgements

_GRADE_WORDS = ("very good", "highly satisfactory", "unsatisfactory", "satisfactory", "very poor", "outstanding",
                "excellent", "inadequate", "adequate", "good", "poor", "weak", "strong")  # fmt: skip
_GRADE = re.compile(
    r"\b(?:is|are|was|were|remains?|remained|has been|have been|be|been|now|judged|rated|found|as|being|'|‘)"
    r"(?:\s+(?:now|still|also|judged|found|rated|to be|very|highly|at least|good or|better|than|an?|[a-z]+ly|"
    r"[a-z]+ and))*\s+(?P<grade>" + "|".join(_GRADE_WORDS) + r")\b",
    re.I,
)
_SCORE_ROW = re.compile(r"^(?P<label>[^\t]{3,120}?)\t+(?P<grade>[1-4])\s*$")
_STRENGTH_LEAD = re.compile(r"strengths?\b", re.I)
_MERITS = re.compile(r"\b(?P<word>strengths?|weakness(?:es)?|capacity to (?:improve|bring about improvement)|"
                     r"value for money|highly valued|reasonable steps)\b", re.I)  # fmt: skip
_WEAKNESS_LEAD = re.compile(r"weakness|not performed adequately|areas? for development|poor|unsatisfactory", re.I)


def judgements(ctx: Context) -> Iterator[Candidate]:
    """Grades and scores from grade tables, strengths and weaknesses from their tables and lists, and sentences
    that grade something ('is good', 'judged unsatisfactory')."""
    seen: set[tuple[int, str]] = set()
    for rule in (_table_grades, _listed_judgements, _graded_sentences):
        for item in rule(ctx):
            marker = (item.span[0], item.fields.get("grade_word") or item.fields["kind"])
            if marker not in seen:
                seen.add(marker)
                yield item


def _judgement(ctx: Context, segment: Segment, kind: str, start: int, end: int, grade_word: str | None,
               score: float, key_start: int | None = None, key_end: int | None = None) -> Candidate | None:  # fmt: skip
    """A judgement candidate for the printed text start..end."""
    cite = ctx.placer.cite(segment, key_start, key_end, words=8) if key_start is not None else None
    cite = cite or ctx.placer.cite(segment, words=8)
    if cite is None:
        return None
    printed = ctx.passage(start, end)
    fields: dict = {"kind": kind, "summary": ""}
    inspection = _inspection(ctx)
    if inspection:
        fields["inspection"] = inspection
    inspected = _inspected(ctx)
    fields["judged"] = inspected[0] if inspected else None
    function, label = _function(ctx, segment, printed)
    fields["function"] = function
    if label:
        fields["function_label"] = label
    if grade_word:
        fields["grade_word"] = grade_word.lower()
        scale, grade = _scale_grade(ctx, grade_word)
        if scale:
            fields.update({"scale": scale, "grade": grade})
    fields["quote"] = printed
    key = f"judgement:{kind}:{(grade_word or '').lower()}:" + "-".join(tokens(printed)[:10])
    return Candidate("judgement", key, score, fields, cite, (start, end), printed)


def _table_grades(ctx: Context) -> Iterator[Candidate]:
    """Rows of grade tables: a label and a grade 1-4 (the scale's key printed nearby)."""
    for segment in ctx.structure.segments:
        if segment.kind != "cell" or segment.column not in (0, 1):
            continue
        line = _line_span(ctx, segment.start)
        row = _SCORE_ROW.match(ctx.source.text[line[0] : line[1]].strip("\t "))
        if row is None or segment.start != _first_segment_start(ctx, line):
            continue
        kind = "score" if re.search(r"score", _heading_text(ctx, segment), re.I) else "grade"
        item = _judgement(ctx, segment, kind, line[0], line[1], row.group("grade"), 0.9)
        if item:
            yield item


def _heading_text(ctx: Context, segment: Segment) -> str:
    """The heading a segment lies under."""
    return ctx.structure.headings[segment.heading].text if segment.heading is not None else ""


def _listed_judgements(ctx: Context) -> Iterator[Candidate]:
    """Items of strengths / weaknesses tables (by column) and of lists a lead-in calls strengths or weaknesses."""
    for segment in ctx.body_segments:
        kind = None
        if segment.kind == "cell":
            header = _table_header(ctx, segment.start)
            if header and segment.column is not None and len(header) > segment.column:
                kind = _list_kind(header[segment.column])
        elif segment.kind == "bullet":
            kind = _list_kind(_lead_before(ctx, segment.start) or "")
            if kind is None and re.fullmatch(r"(?:major )?strengths?|important weaknesses", _heading_text(ctx, segment),
                                             re.I):  # fmt: skip
                kind = _list_kind(_heading_text(ctx, segment))
        if kind:
            item = _judgement(ctx, segment, kind, segment.start, segment.end, None, 0.85)
            if item:
                yield item


def _list_kind(lead: str) -> str | None:
    """'strength' or 'weakness' for a list's lead-in or a table column header."""
    if _WEAKNESS_LEAD.search(lead) and not re.search(r"areas? for development", lead, re.I):
        return "weakness"
    if _STRENGTH_LEAD.search(lead):
        return "strength"
    return None


def _table_header(ctx: Context, offset: int) -> list[str] | None:
    """The cells of the nearest table header row above an offset that names strengths or weaknesses."""
    text = ctx.source.text
    at = offset
    for _ in range(40):
        at = text.rfind("\n", 0, at - 1)
        if at < 0:
            return None
        line = text[at + 1 : text.find("\n", at + 1)]
        if "\t" in line and re.search(r"strength|weakness", line, re.I) and "<p>" not in line and len(line) < 80:
            return [c.strip() for c in line.split("\t") if c.strip()]
        if line.strip() and "\t" not in line:
            return None  # the table ended: no header above it names strengths or weaknesses
    return None


def _lead_before(ctx: Context, offset: int) -> str | None:
    """The line that introduces the list an offset lies in (the last non-bullet line above it, within 30 lines)."""
    text = ctx.source.text
    at = text.rfind("\n", 0, offset)
    for _ in range(30):
        if at <= 0:
            return None
        before = text.rfind("\n", 0, at)
        line = text[before + 1 : at].strip()
        at = before
        if line and not re.match(r"^[-•*»]", line):
            return line if line.endswith(":") else None
    return None


def _graded_sentences(ctx: Context) -> Iterator[Candidate]:
    """Sentences that grade something: one candidate per grade word; and sentences that weigh strengths and
    weaknesses or the capacity to improve (scored lower)."""
    for segment in ctx.body_segments:
        if segment.kind == "cell" and segment.column not in (None, 0):
            continue
        passage = ctx.source.text[segment.start : segment.end]
        merit = _MERITS.search(passage)
        if merit:
            word = merit.group("word").lower()
            kind = "weakness" if word.startswith("weakness") else "strength" if word.startswith("strength") else (
                "headline")  # fmt: skip
            item = _judgement(ctx, segment, kind, segment.start, segment.end, None, 0.45,
                              segment.start + merit.start(), segment.start + merit.end())  # fmt: skip
            if item:
                yield item
        for match in _GRADE.finditer(passage):
            word = match.group("grade")
            start = segment.start + match.start()
            kind = "headline" if segment.kind == "sentence" else "grade"
            item = _judgement(ctx, segment, kind, segment.start, segment.end, word, 0.6, start,
                              segment.start + match.end())  # fmt: skip
            if item:
                yield item


def _function(ctx: Context, segment: Segment, printed: str) -> tuple[str | None, str | None]:
    """The judged function: a known one whose label the passage or its heading names, else one proposed from the
    heading (its id and label)."""
    heading = _heading_text(ctx, segment)
    folded = fold(printed + " " + heading)
    best = None
    for function, label in ctx.kb.functions.items():
        name = fold(label)
        if name and name in folded and (best is None or len(name) > len(fold(ctx.kb.functions[best]))):
            best = function
    if best:
        return best, None
    label = heading or (segment.row or "")
    return (_slug(label) or None), (label or None)


def _scale_grade(ctx: Context, word: str) -> tuple[str | None, str | None]:
    """The scale and grade a grade word or number belongs to, preferring scales used for this kind of document."""
    if ctx.data is None:
        return None, None
    used = _scales_for_kind(ctx)
    best = None
    for scale in ctx.data["scales"]:
        for grade in scale["grades"]:
            label, notation = fold(grade["label"]), str(grade.get("notation", ""))
            if fold(word) in (label, notation) or (word.isdigit() and notation == word):
                rank = (scale["id"] not in used, len(label))
                if best is None or rank < best[0]:
                    best = (rank, scale["id"], grade["id"])
    return (best[1], best[2]) if best else (None, None)


def _scales_for_kind(ctx: Context) -> set[str]:
    """The scales of known judgements reported in documents of the same kind as this one."""
    documents = {d["id"]: d for d in ctx.data["documents"]}
    kind = documents.get(ctx.doc, {}).get("kind")
    docs = {d for d, e in documents.items() if e.get("kind") == kind and d != ctx.kb.holdout}
    found = set()
    for judgement in ctx.data["judgements"]:
        if judgement.get("scale") and {s["doc"] for s in judgement["sources"]} & docs:
            found.add(judgement["scale"])
    return found


# ---------------------------------------------------------------- relationships and events

_SIGNALS: list[tuple[re.Pattern, str, bool]] = [  # (pattern between the two names, relation, reversed)
    (re.compile(r"\b(?:is|are|was|were|remains?)?\s*(?:accountable|answerable|responsible) to\b|\breports? to\b", re.I),
     "accountable-to", False),
    (re.compile(r"\bchaired by\b", re.I), "chairs", True),
    (re.compile(r"\bchairs?\b|\bchair of\b", re.I), "chairs", False),
    (re.compile(r"\bsponsored by\b", re.I), "sponsors", True),
    (re.compile(r"\b(?:is |as )?(?:the )?sponsor of\b|\bsponsors?\b", re.I), "sponsors", False),
    (re.compile(r"\bcommissioned by\b", re.I), "commissions", True),
    (re.compile(r"\bcommissions?\b", re.I), "commissions", False),
    (re.compile(r"\b(?:a |are )?members? of\b|\bmembership of\b|\bsits? on\b|\brepresented on\b", re.I), "member-of",
     False),
    (re.compile(r"\bincludes?\b|\bcomprises?\b|\bconsists? of\b|\bbrings? together\b", re.I), "member-of", True),
    (re.compile(r"\b(?:part|unit) of\b|\bwithin\b|\bmanaged (?:within|by)\b|\bin the\b.{0,30}\bdirectorate\b", re.I),
     "part-of", False),
    (re.compile(r"\bled by\b|\bheaded by\b", re.I), "leads", True),
    (re.compile(r"\bleads?\b|\bheads?\b", re.I), "leads", False),
    (re.compile(r"\bfunded by\b|\b(?:funding|allocations?|monies|money|grants?) from\b", re.I), "funds", True),
    (re.compile(r"\bfunds?\b|\bgrant(?:ed|s)? to\b", re.I), "funds", False),
    (re.compile(r"\bprovided by\b|\bdelivered by\b|\brun by\b", re.I), "provides", True),
    (re.compile(r"\bprovides?\b|\bdelivers?\b|\bruns?\b", re.I), "provides-service-to", False),
    (re.compile(r"\binspected by\b", re.I), "inspects", True),
    (re.compile(r"\binspect(?:s|ed|ion of)?\b|\breview(?:ed)? by\b", re.I), "inspects", False),
    (re.compile(r"\bset up by\b|\bestablished by\b|\bcreated by\b", re.I), "established", True),
    (re.compile(r"\bset up\b|\bestablished\b|\bcreated\b", re.I), "established", False),
    (re.compile(r"\badvises?\b|\badvice to\b|\badvisory\b", re.I), "advises", False),
    (re.compile(r"\bcoterminous with\b|\bshares? (?:its )?boundar", re.I), "coterminous-with", False),
    (re.compile(r"\bappointed by\b", re.I), "appointed-by", False),
    (re.compile(r"\b(?:has |have |had )?appoint(?:ed|s)?\b|\bappointment of\b", re.I), "appointed-by", True),
    (re.compile(r"\boversees?\b|\bscrutini[sz]es?\b|\bmonitors?\b|\bgoverns?\b", re.I), "oversees", False),
    (re.compile(r"\bwith\b|\bjoint(?:ly)?\b|\bpartnership\b|\btogether\b|\band\b", re.I), "works-with", False),
]  # fmt: skip
_EVENTS = [
    (re.compile(r"\breplaced\b|\bsucceeded\b|\bsuperseded\b|\bsuccessor\b", re.I), "succession"),
    (re.compile(r"\brenamed\b|\bnow called\b|\bformerly\b|\bnew name\b", re.I), "renaming"),
    (re.compile(r"\bmerged\b|\bmerger\b", re.I), "merger"),
    (re.compile(r"\b(?:established|set up|created|formed|launched) in\b", re.I), "establishment"),
]


def relationships(ctx: Context) -> Iterator[Candidate]:
    """Links between two recognised bodies named in one sentence, with the relation the words between them signal
    (accountable to, chaired by, sponsored by, a member of, part of, ...), and change events (replaced, renamed,
    established in <date>)."""
    seen: set[str] = set()
    for segment in ctx.body_segments:
        found = _distinct(ctx.mentions_in(segment.start, segment.end))
        passage = ctx.source.text[segment.start : segment.end]
        for pattern, kind in _EVENTS:
            match = pattern.search(passage)
            if match and found:
                item = _event(ctx, segment, kind, found, segment.start + match.start())
                if item and item.key not in seen:
                    seen.add(item.key)
                    yield item
        listed = [[(segment.start + i.start, segment.start + i.end) for i in x.items] for x in listings(passage)]
        for first, second in _pairs(found):
            if any(_inside(spans, first) and _inside(spans, second) for spans in listed):
                continue  # two items of one list: the list rule links each to its owner
            between = ctx.source.text[first.end : second.start]
            relation, backwards = _signal(between)
            if re.fullmatch(r"['’]s?\s*", between) and _internal(ctx, second.name.body):
                relation, backwards = "part-of", True  # "the council's housing directorate"
            subject, obj = (second, first) if backwards else (first, second)
            score = 0.7 if relation != "works-with" else 0.4
            item = _relationship(ctx, segment, subject, relation, obj, first.start, second.end, score)
            if item and item.key not in seen:
                seen.add(item.key)
                yield item
    yield from _listed(ctx, seen)
    yield from _bulleted_links(ctx, seen)
    yield from _post_links(ctx, seen)
    yield from _structural(ctx, seen)
    yield from _paragraph_links(ctx, {frozenset(k.split(":")[1::2]) for k in seen if k.startswith("relationship:")})


_POST_HEADS = {"leader", "holder", "executive", "director", "chair", "head", "manager", "officer", "adviser",
               "advisor", "inspector", "consultant", "governor", "principal", "councillor", "co-ordinator",
               "coordinator", "mentor"}  # fmt: skip
_BODY_HEADS = set(_HEADS) | set(_UNIT_HEADS) | {"authority", "police", "provider", "providers", "colleges"}


def _listed(ctx: Context, seen: set[str]) -> Iterator[Candidate]:
    """One link per item of a cued list (lists.py): each item a known body named in it, a body already proposed, or
    a new body its name proposes (a name ending in a body or post word; for statistical neighbours, a capitalised
    place name), linked to the owner the cue points to; the new bodies are proposed too."""
    for segment in ctx.body_segments:
        passage = ctx.source.text[segment.start : segment.end]
        for listing in listings(passage):
            owner = _list_owner(ctx, segment, listing)
            if owner is None:
                continue
            for item in listing.items:
                start, end = segment.start + item.start, segment.start + item.end
                body, new = _list_item(ctx, segment, listing, start, end)
                if body is None or body == owner:
                    continue
                if new is not None:
                    yield new
                cite = ctx.placer.cite(segment, start, end, words=8)
                if cite is None:
                    continue
                fields = {"subject": body, "relation": listing.relation, "object": owner,
                          "between": clean(passage[listing.cue[0] : item.end])}  # fmt: skip
                key = f"relationship:{body}:{listing.relation}:{owner}"
                if key not in seen:
                    seen.add(key)
                    yield Candidate("relationship", key, 0.55 if new is None else 0.45, fields, cite,
                                    (segment.start, segment.end), ctx.passage(segment.start, segment.end))  # fmt: skip


def _bulleted_links(ctx: Context, seen: set[str]) -> Iterator[Candidate]:
    """Each name a lead-in and its bullets print together (`_bullet_names`) is a member of the lead-in's body (a
    post) or part of it (a unit)."""
    for lead, owner, found in ctx.bulleted:
        for mention in found:
            relation = "member-of" if ctx.types.get(mention.name.body) == "office" else "part-of"
            segment = segment_at(ctx, mention.start)
            if segment is None:
                continue
            item = _relationship_ids(ctx, segment, mention.name.body, relation, owner, mention, 0.5)
            if item and item.key not in seen:
                item.fields["between"] = ctx.passage(lead.start, segment.end)
                seen.add(item.key)
                yield item


def _list_owner(ctx: Context, segment: Segment, listing: Listing) -> str | None:
    """The body a list's items belong to: the sentence's first name ('subject'); else the name nearest before the cue
    when it is close (40 characters), else the sentence's first name; for statistical neighbours without a name, the
    authority the document is about."""
    cue = segment.start + listing.cue[0]
    before = [m for m in _distinct(ctx.mentions_in(segment.start, cue))]
    if listing.owner == "subject":
        return before[0].name.body if before else None
    if before and cue - before[-1].end <= 40:
        return before[-1].name.body
    if listing.relation == "statistical-neighbour-of":
        return before[-1].name.body if before else _authority(ctx)
    return before[0].name.body if before else None  # "The group, which ..., is a body comprising A, B and C"


def _list_item(ctx: Context, segment: Segment, listing: Listing, start: int, end: int
               ) -> tuple[str | None, Candidate | None]:  # fmt: skip
    """The body an item names (a known or proposed one whose name is at least half the item), else a new body
    proposed from its name: (id, the new-body candidate or None)."""
    inside = [m for m in _distinct(ctx.mentions_in(start, end)) if 2 * (m.end - m.start) >= end - start]
    if inside:
        return inside[0].name.body, None  # a name that is most of the item ('the chair of the committee' is a post)
    name = ctx.source.text[start:end]
    key = key_of(name)
    if key in ctx.proposed:
        return ctx.proposed[key], None
    words = name.lower().split()
    if listing.relation == "statistical-neighbour-of":
        kind = "local-authority" if name[:1].isupper() else None
    elif words and words[-1].rstrip("s") in _POST_HEADS | {"member"}:
        kind = "office"
    elif words and len(words) >= 2 and words[-1] in _BODY_HEADS:
        kind = _refine_type(name, _HEADS.get(words[-1], "service"))
    else:
        kind = None
    if kind is None or not key or len(words) > 6:
        return None, None
    proposed = _slug(name if kind != "office" else f"office {name}")
    if proposed in ctx.kb.bodies:
        proposed = f"{proposed}-{ctx.doc}"
    cite = ctx.placer.cite(segment, start, end, words=7)
    if cite is None:
        return None, None
    ctx.proposed[key] = proposed
    ctx.types[proposed] = kind
    fields = {"id": proposed, "label": clean(name), "type": kind}
    new = Candidate("new-body", f"new-body:{'-'.join(tokens(name))}", 0.4, fields, cite, (segment.start, segment.end),
                    ctx.passage(segment.start, segment.end))  # fmt: skip
    return proposed, new


_LED = {"service", "team", "directorate", "programme", "partnership", "forum", "committee"}
_TITLE_WORDS = {"head", "director", "manager", "officer", "co", "ordinator", "coordinator", "consultant", "corporate",
                "chair", "leader", "lead", "service", "unit", "dept", "of", "for", "the", "and", "a", "an",
                "strategic"}  # fmt: skip


def _post_links(ctx: Context, seen: set[str]) -> Iterator[Candidate]:
    """A post leads the unit its title names ('the head of school improvement' leads the school improvement
    service, 'the literacy strategy manager' the literacy strategy team): the unit's words, its head word aside, are
    all in the post's title (two or more of them, or all the title's); cited at the post's first mention."""
    firsts: dict[str, Mention] = {}
    for mention in ctx.mentions:
        firsts.setdefault(mention.name.body, mention)
    units = {b: set(key_of(m.name.text)) - _TITLE_WORDS for b, m in firsts.items() if ctx.types.get(b) in _LED}
    for body, mention in firsts.items():
        if ctx.types.get(body) != "office":
            continue
        domain = set(key_of(mention.name.text)) - _TITLE_WORDS - ctx.kb.place
        for unit, words in units.items():
            words = words - ctx.kb.place
            if not words or not words <= domain or (len(words) < 2 and words != domain):
                continue
            segment = segment_at(ctx, mention.start)
            item = _relationship_ids(ctx, segment, body, "leads", unit, mention, 0.35) if segment else None
            if item and item.key not in seen:
                seen.add(item.key)
                yield item


def _paragraph_links(ctx: Context, linked: set[frozenset[str]]) -> Iterator[Candidate]:
    """Weaker links across sentences: the body each sentence of a paragraph names first (what it is about) with each
    other body the paragraph's later sentences name, unless the two are already linked; the relation from the signal
    words before the later name in its sentence, else 'works-with'. The paragraph's first body scores higher than
    a later sentence's; two bullets of one lead-in are not linked."""
    together = [{m.name.body for m in found} for _, _, found in ctx.bulleted]
    for segments in _paragraphs(ctx):
        found = [(s, m) for s in segments for m in _distinct(ctx.mentions_in(s.start, s.end))]
        topics = [next(f for f in found if f[0] is s) for s in segments if any(f[0] is s for f in found)]
        for rank, (first_segment, topic) in enumerate(topics):
            for segment, other in found:
                pair = frozenset((topic.name.body, other.name.body))
                if segment.start <= first_segment.start or len(pair) < 2 or pair in linked:
                    continue
                if any(pair <= bullets for bullets in together):
                    continue  # two bullets of one lead-in: each is linked to the lead-in's body
                relation, backwards = _signal(ctx.source.text[segment.start : other.start])
                subject, obj = (other, topic) if backwards else (topic, other)
                score = 0.2 if rank == 0 else 0.15
                item = _relationship(ctx, segment, subject, relation, obj, other.start, other.end, score)
                if item:
                    linked.add(pair)
                    yield item


def _paragraphs(ctx: Context) -> list[list[Segment]]:
    """The sentences of each numbered paragraph; where the text has no number, runs of up to four sentences under
    one heading."""
    paragraphs: dict[tuple, list[Segment]] = defaultdict(list)
    for k, segment in enumerate(ctx.body_segments):
        if segment.paragraph is not None:
            paragraphs[("para", segment.paragraph)].append(segment)
        elif segment.kind == "sentence":
            paragraphs[("heading", segment.heading, k // 4)].append(segment)
    return list(paragraphs.values())


def _inside(spans: list[tuple[int, int]], mention: Mention) -> bool:
    """Whether a mention lies in one of the spans."""
    return any(a <= mention.start and mention.end <= b for a, b in spans)


def _pairs(found: list[Mention]) -> Iterator[tuple[Mention, Mention]]:
    """Pairs of mentions of two different bodies in one sentence, close enough to be linked (at most 160
    characters apart), in text order."""
    for k, first in enumerate(found[:8]):
        for second in found[k + 1 : 8]:
            if first.name.body != second.name.body and second.start - first.end <= 160:
                yield first, second


_INTERNAL = {"committee", "directorate", "service", "team", "office"}


def _internal(ctx: Context, body: str) -> bool:
    """Whether a body is a unit of an authority (committee, directorate, service, team, post)."""
    return ctx.types.get(body) in _INTERNAL


def _structural(ctx: Context, seen: set[str]) -> Iterator[Candidate]:
    """Links the document implies without naming both ends in one sentence: each unit of the authority it names
    is part of the authority (the LEA for education units, else the council), and each inspectorate it names
    inspects the inspected body."""
    authority = _inspected(ctx)
    firsts: dict[str, Mention] = {}
    for mention in ctx.mentions:
        firsts.setdefault(mention.name.body, mention)
    for body, mention in firsts.items():
        kind = ctx.types.get(body)
        segment = segment_at(ctx, mention.start)
        if segment is None or not authority:
            continue
        whole = _authority(ctx)
        if kind in _INTERNAL and body not in (whole, *authority):
            link = ("part-of", whole)
        elif kind == "inspectorate":
            link = ("inspects", authority[0])
        else:
            continue
        if link[1] is None or link[1] == body:
            continue
        item = _relationship_ids(ctx, segment, body, link[0], link[1], mention, 0.35)
        if item and item.key not in seen:
            seen.add(item.key)
            yield item


def _authority(ctx: Context) -> str | None:
    """The local authority the document is about."""
    document = next((d for d in ctx.data["documents"] if d["id"] == ctx.doc), None) if ctx.data else None
    return document["authority"] if document else None


def _relationship_ids(ctx: Context, segment: Segment, subject: str, relation: str, obj: str, at: Mention,
                      score: float) -> Candidate | None:  # fmt: skip
    """A relationship candidate between two bodies given by id, cited at a mention of the first."""
    cite = ctx.placer.cite(segment, at.start, at.end, words=8)
    if cite is None:
        return None
    printed = ctx.passage(segment.start, segment.end)
    fields = {"subject": subject, "relation": relation, "object": obj, "between": "(implied by the document)"}
    key = f"relationship:{subject}:{relation}:{obj}"
    return Candidate("relationship", key, score, fields, cite, (segment.start, segment.end), printed)


def _distinct(mentions: list[Mention]) -> list[Mention]:
    """One mention per place (the first body of an ambiguous name), in text order."""
    found, last = [], None
    for mention in mentions:
        if last is not None and mention.start == last.start:
            continue
        found.append(mention)
        last = mention
    return found


def _signal(between: str) -> tuple[str, bool]:
    """The relation the words between two names signal, and whether it reads backwards (the second name first)."""
    for pattern, relation, backwards in _SIGNALS:
        if pattern.search(between):
            return relation, backwards
    return "works-with", False


def _relationship(ctx: Context, segment: Segment, subject: Mention, relation: str, obj: Mention, start: int,
                  end: int, score: float) -> Candidate | None:  # fmt: skip
    """A relationship candidate between two mentions."""
    cite = ctx.placer.cite(segment, start, end, words=8)
    if cite is None:
        return None
    printed = ctx.passage(segment.start, segment.end)
    fields = {"subject": subject.name.body, "relation": relation, "object": obj.name.body}
    fields["between"] = clean(ctx.source.text[subject.start if subject.start < obj.start else obj.start : end])
    key = f"relationship:{subject.name.body}:{relation}:{obj.name.body}"
    return Candidate("relationship", key, score, fields, cite, (segment.start, segment.end), printed)


def _event(ctx: Context, segment: Segment, kind: str, found: list[Mention], at: int) -> Candidate | None:
    """A change-event candidate: the bodies named before the signal are the original ones, after it the new."""
    cite = ctx.placer.cite(segment, at, at + 1, words=8)
    if cite is None:
        return None
    before = list(dict.fromkeys(m.name.body for m in found if m.start < at))
    after = list(dict.fromkeys(m.name.body for m in found if m.start >= at))
    if kind == "succession" and re.search(r"\breplaced\b", ctx.source.text[at : at + 20]) and before and after:
        before, after = after, before  # 'A replaced B': B is the original
    fields: dict = {"event_kind": kind, "original": before or after, "resulting": after if before else []}
    date = re.search(r"\b(19|20)\d\d\b", ctx.source.text[segment.start : segment.end])
    if date:
        fields["date_printed"] = date.group()
    printed = ctx.passage(segment.start, segment.end)
    key = f"event:{kind}:{'+'.join(fields['original'])}:{'+'.join(fields['resulting'])}"
    return Candidate("event", key, 0.5, fields, cite, (segment.start, segment.end), printed)


# ---------------------------------------------------------------- claims

_FIGURE = re.compile(
    r"(?<![\w.])(?:£\s?\d[\d,.]*(?:\s?(?:m|million|bn|billion|k))?|\d[\d,]*(?:\.\d+)?\s?(?:%|per cent|percent)"
    r"|\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?(?=\s+[a-z]))",
)
_YEAR = re.compile(r"\b(?:19[5-9]\d|20[0-4]\d)(?:/\d{2,4})?\b")
# a number that names a part of a document or a stage ("Appendix 1", "para 12", "Key Stage 2"), not a figure
_NUMBERED = re.compile(
    r"\b(?:appendix|appendices|annex|annexes|paras?|paragraphs?|sections?|ss?|table|figure|chart|stage|year|ks|chapter|part|page|no)\.?\s*$",
    re.IGNORECASE,
)


def claims(ctx: Context) -> Iterator[Candidate]:
    """Sentences that state a dated fact or a figure (counts, percentages, money), with a topic proposed from the
    project's claim topics that share most words."""
    for segment in ctx.body_segments:
        passage = ctx.source.text[segment.start : segment.end]
        figures = [m for m in _FIGURE.finditer(passage) if not _YEAR.fullmatch(m.group().strip())
                   and not _NUMBERED.search(passage, max(0, m.start() - 16), m.start())]  # fmt: skip
        if not figures:
            continue
        figure = figures[0]
        cite = ctx.placer.cite(segment, segment.start + figure.start(), segment.start + figure.end(), words=8)
        if cite is None:
            continue
        printed = ctx.passage(segment.start, segment.end)
        fields: dict = {"topic": _topic(ctx, printed), "value": figure.group().strip(), "statement": ""}
        year = _YEAR.search(passage)
        fields["as_of"] = year.group()[:4] if year else _doc_date(ctx)
        fields["quote"] = printed
        subject = [m.name.body for m in ctx.mentions_in(segment.start, segment.end)]
        if subject:
            fields["subject"] = subject[0]
        key = "claim:" + "-".join(tokens(printed)[:12])
        yield Candidate("claim", key, 0.4 + 0.1 * min(3, len(figures)), fields, cite,
                        (segment.start, segment.end), printed)  # fmt: skip


def _topic(ctx: Context, text: str) -> str:
    """The known claim topic sharing most words with a text, else one made from its first content words."""
    words = set(tokens(text)) - {"the", "of", "and", "in", "to", "a", "is", "are", "per", "cent", "with", "for"}
    best, score = None, 0
    for topic, vocabulary in sorted(ctx.kb.topics.items()):
        overlap = len(words & set(tokens(topic.replace("-", " ")))) * 3 + len(words & vocabulary)
        if overlap > score:
            best, score = topic, overlap
    if best and score >= 4:
        return best
    content = [w for w in tokens(text) if w not in GENERIC and len(w) > 3 and not w.isdigit()][:4]
    return "-".join(content) or "figure"


def _doc_date(ctx: Context) -> str | None:
    """The document's date, as the data gives it."""
    if ctx.data is None:
        return None
    document = next((d for d in ctx.data["documents"] if d["id"] == ctx.doc), None)
    return str(document["date"]) if document else None
