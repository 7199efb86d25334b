"""Leave-one-out measurement of the suggester: each document in turn is held out (the suggester sees only what the
other documents support) and its candidates are scored against the project's curated facts of that document."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from lutonkg.curation.knowledge import build_knowledge, key_of, name_variants, place_words, tokens
from lutonkg.curation.suggest import Candidate, suggest
from lutonkg.data.fidelity import section_number
from lutonkg.data.load import Data
from lutonkg.data.selectors import anchor_span
from lutonkg.data.sources import SourceText, iter_references

SCORED = ("body-mention", "new-body", "statute", "recommendation", "judgement", "relationship", "claim")
TARGETS = {"body-mention": 0.95, "statute": 0.95, "recommendation": 1.0, "judgement": 0.80, "relationship": 0.50}
_SPAN_SECTIONS = {"recommendation": "recommendations", "judgement": "judgements", "claim": "claims"}


@dataclass
class Score:
    """Recall and precision of one kind of candidate on one document."""

    kind: str
    truth: int = 0  # curated facts of the document
    found: int = 0  # of those, how many a candidate matches
    candidates: int = 0
    correct: int = 0  # candidates that match a curated fact
    detail: dict[str, int] = field(default_factory=dict)
    missed: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float | None:
        """Found / truth (None when the document has no curated fact of this kind)."""
        return self.found / self.truth if self.truth else None

    @property
    def precision(self) -> float | None:
        """Correct / candidates (None without candidates)."""
        return self.correct / self.candidates if self.candidates else None


@dataclass
class Result:
    """The scores of one held-out document."""

    doc: str
    seconds: float
    scores: dict[str, Score]


def _doc_refs(entry: object, doc: str) -> list[dict]:
    """The citations of an entry that cite a document."""
    return [ref for _, ref in iter_references(entry) if ref.get("doc") == doc]


def _other_docs(entry: object, doc: str) -> bool:
    """Whether an entry cites a document other than `doc`."""
    return any(ref.get("doc") != doc for _, ref in iter_references(entry))


def _spans(source: SourceText, refs: Iterable[dict]) -> list[tuple[int, int]]:
    """The raw spans of citations' anchors."""
    found = []
    for ref in refs:
        span = anchor_span(source, str(ref["loc"]), str(ref["anchor"]))
        if span:
            found.append(span)
    return found


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Whether two spans overlap."""
    return a[0] < b[1] and b[0] < a[1]


def _candidate_spans(candidate: Candidate) -> list[tuple[int, int]]:
    """The passage a candidate is read from, and the anchors of its other places."""
    return [candidate.span] + [(c.selector.start, c.selector.end) for c in candidate.also]


def score_document(data: Data, texts: dict[str, SourceText], doc: str) -> Result:
    """Hold a document out, suggest its facts and score them."""
    started = time.perf_counter()
    candidates = suggest(data, texts, doc, holdout=doc)
    seconds = time.perf_counter() - started
    by_kind: dict[str, list[Candidate]] = {kind: [] for kind in SCORED}
    for candidate in candidates:
        by_kind.setdefault(candidate.kind, []).append(candidate)
    aliases = new_body_ids(data, doc, by_kind["new-body"])
    recognised = {c.fields["body"] for c in by_kind["body-mention"]} | {i for ids in aliases.values() for i in ids}
    scores = {
        "body-mention": _score_mentions(data, doc, by_kind["body-mention"], _printed_known(data, texts, doc)),
        "new-body": _score_new_bodies(data, doc, by_kind["new-body"]),
        "statute": _score_statutes(data, doc, by_kind["statute"]),
        "relationship": _score_relationships(data, doc, by_kind["relationship"], recognised, aliases),
    }
    for kind, section in _SPAN_SECTIONS.items():
        scores[kind] = _score_spans(kind, data[section], texts[doc], doc, by_kind[kind])
    return Result(doc, seconds, {kind: scores[kind] for kind in SCORED})


def _score_mentions(data: Data, doc: str, found: list[Candidate], printed_known: set[str]) -> Score:
    """Known bodies (cited by another document too) that the document names: found when a mention candidate names
    the body; a candidate is correct when the curators cite the body in this document. The detail counts the
    bodies the document prints by a name the other documents give them (the others it names only by a name or a
    description of its own, which the hold-out leaves unknown)."""
    attested = {key for key, e in data.bodies().items() if _doc_refs(e, doc)}
    known = {key for key in attested if _other_docs(data.bodies()[key], doc)}
    proposed = {c.fields["body"] for c in found}
    score = Score("body-mention", len(known), len(known & proposed), len(found), len(proposed & attested))
    nameable = known & printed_known
    score.detail = {"printed by a name known elsewhere": len(nameable), "found of those": len(nameable & proposed)}
    score.missed = sorted(known - proposed)
    return score


def _printed_known(data: Data, texts: dict[str, SourceText], doc: str) -> set[str]:
    """The bodies whose name, as the other documents support it (label or alias), the document prints."""
    kb = build_knowledge(data, texts, doc, doc)
    printed = " " + " ".join(tokens(texts[doc].text)) + " "
    return {name.body for key, names in kb.names.items() if f" {' '.join(key)} " in printed for name in names}


def _names(entry: dict, place: set[str]) -> set[tuple[str, ...]]:
    """Every name of a body as the suggester matches a known body's names (`key_of`: folded words, possessive and
    plural endings dropped, team/service/unit and department/directorate merged), with the variants it matches them
    by (`name_variants`: without the place word, a post under another title or without its honorific, ...), with and
    without a leading 'the'."""
    found = set()
    for name in [entry["label"], *entry.get("alt_labels", []), *(o["name"] for o in entry.get("other_names", []))]:
        for key in name_variants(key_of(name), place, "type" not in entry, entry.get("type")):
            found |= {key, key[1:] if key[:1] == ("the",) else key}
    return found


def _candidate_names(candidate: Candidate) -> set[tuple[str, ...]]:
    """A new-body candidate's label and alt labels, as `_names` keys them."""
    keys = {key_of(candidate.fields["label"])} | {key_of(a) for a in candidate.fields.get("alt_labels", [])}
    return keys | {key[1:] for key in keys if key[:1] == ("the",)}


def new_body_ids(data: Data, doc: str, found: list[Candidate]) -> dict[str, set[str]]:
    """For each new-body candidate's proposed id, the curated bodies of the document it stands for: its own id, and
    every body cited in the document one of whose names (`_names`) is the candidate's label or one of its alt labels
    (`_candidate_names`)."""
    place = place_words(data)
    attested = {key: _names(e, place) for key, e in data.bodies().items() if _doc_refs(e, doc)}
    found_ids: dict[str, set[str]] = {}
    for candidate in found:
        keys = _candidate_names(candidate)
        ids = {body for body, names in attested.items() if keys & names}
        found_ids[candidate.fields["id"]] = ids | ({candidate.fields["id"]} & set(attested)) or {candidate.fields["id"]}
    return found_ids


def _score_new_bodies(data: Data, doc: str, found: list[Candidate]) -> Score:
    """Bodies only this document names (unknown when it is held out): found when a new-body candidate gives one of
    their names (`_names`, `_candidate_names`); a candidate is correct when its name is a name of any body the
    curators cite in this document."""
    bodies = data.bodies()
    attested = {key: e for key, e in bodies.items() if _doc_refs(e, doc)}
    only = {key for key, e in attested.items() if not _other_docs(e, doc)}
    place = place_words(data)
    names = {key: _names(e, place) for key, e in attested.items()}
    matched: set[str] = set()
    correct = 0
    for candidate in found:
        keys = _candidate_names(candidate)
        hits = {key for key, known in names.items() if keys & known}
        matched |= hits
        correct += bool(hits)
    score = Score("new-body", len(only), len(only & matched), len(found), correct)
    score.missed = sorted(only - matched)
    return score


def _score_statutes(data: Data, doc: str, found: list[Candidate]) -> Score:
    """(Act, section) pairs the curators record for the document (Acts of legislation.yaml citing it, with the
    sections of the duties citing it), and (Act, none) for each such Act: a pair is found when a candidate resolves
    to the same legislation.gov.uk Act and names the section."""
    acts = {
        e["id"]: f"ukpga/{e['year']}/{e['chapter']}"
        for e in data["legislation"]
        if e.get("kind") == "act" and e.get("chapter") and _doc_refs(e, doc)
    }
    truth = {(ident, None) for ident in acts.values()}
    for duty in data["duties"]:
        if not _doc_refs(duty, doc):
            continue
        for basis in duty.get("legal_bases", []):
            if basis["ref"] in acts:
                for section in basis.get("sections", []):
                    number, letters = section_number(section)
                    truth.add((acts[basis["ref"]], f"{number}{letters}"))
    proposed = set()
    for candidate in found:
        ident = candidate.fields.get("identifier")
        proposed.add((ident, None))
        proposed |= {(ident, s) for s in candidate.fields.get("sections", [])}
    score = Score("statute", len(truth), len(truth & proposed), len(proposed), len(proposed & truth))
    score.detail = {"acts": len({a for a, s in proposed if a}), "unresolved": sum(1 for a, _ in proposed if not a)}
    score.missed = sorted(f"{a} s{s}" for a, s in truth - proposed)
    if not truth:  # the curators recorded statutes only where they curated duties: nothing to score against
        score.candidates, score.detail["unscored pairs"] = 0, len(proposed)
    return score


def _score_spans(kind: str, entries: list, source: SourceText, doc: str, found: list[Candidate]) -> Score:
    """Facts located by their citations: a fact is found when a candidate's passage overlaps one of its anchors in
    the document; a candidate is correct when it overlaps the anchor of any curated fact of the kind. The
    recommendations are those the document makes (`doc`), not earlier ones it reiterates."""
    made = [e for e in entries if kind != "recommendation" or e.get("doc") == doc]  # not those it only reiterates
    truth = [(e["id"], _spans(source, _doc_refs(e, doc))) for e in made if _doc_refs(e, doc)]
    matched, correct = set(), 0
    for candidate in found:
        spans = _candidate_spans(candidate)
        hits = {fid for fid, anchors in truth if any(_overlaps(a, s) for a in anchors for s in spans)}
        matched |= hits
        correct += bool(hits)
    score = Score(kind, len(truth), len(matched), len(found), correct)
    score.missed = sorted({fid for fid, _ in truth} - matched)
    return score


def _score_relationships(
    data: Data, doc: str, found: list[Candidate], recognised: set[str], aliases: dict[str, set[str]]
) -> Score:
    """Relationships the curators cite in the document: found when a candidate links the same two bodies (the
    relation and its direction counted apart, in `detail`); a candidate is correct when its pair is curated. An end
    that is a new-body candidate stands for the curated bodies its name matches (`new_body_ids`). The detail also
    scores the relationships between two bodies the run recognised (a known body it found named, or a new body it
    proposed under a curated body's id or name): the ones a rule reading links between recognised bodies can find."""
    truth = {}
    for e in data["relationships"]:
        if _doc_refs(e, doc):
            truth[e["id"]] = (frozenset((e["subject"], e["object"])), (e["subject"], e["relation"], e["object"]))
    pairs = {pair for pair, _ in truth.values()}
    exact = {triple for _, triple in truth.values()}
    proposed = []
    for c in found:
        ends = [aliases.get(c.fields[end], {c.fields[end]}) for end in ("subject", "object")]
        proposed.append(({frozenset((s, o)) for s in ends[0] for o in ends[1]},
                         {(s, c.fields["relation"], o) for s in ends[0] for o in ends[1]}))  # fmt: skip
    every = set().union(*(p for p, _ in proposed)) if proposed else set()
    matched = {fid for fid, (pair, _) in truth.items() if pair in every}
    score = Score("relationship", len(truth), len(matched), len(found), sum(1 for p, _ in proposed if p & pairs))
    within = {fid for fid, (pair, _) in truth.items() if pair <= recognised}
    score.detail = {"relation and direction right": sum(1 for _, t in proposed if t & exact),
                    "between recognised bodies": len(within), "found of those": len(within & matched)}  # fmt: skip
    score.missed = sorted(set(truth) - matched)
    return score


def leave_one_out(data: Data, texts: dict[str, SourceText]) -> list[Result]:
    """Every document held out in turn."""
    return [score_document(data, texts, doc["id"]) for doc in data["documents"] if doc["id"] in texts]


def _percent(value: float | None) -> str:
    """A rate as a percentage, or a dash."""
    return "-" if value is None else f"{100 * value:.1f} %"


def markdown(results: list[Result]) -> str:
    """The results as Markdown: per kind over all documents (with the targets), then per document."""
    lines = ["| kind | curated facts | found | recall | target | candidates | correct | precision |",
             "|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for kind in SCORED:
        scores = [r.scores[kind] for r in results]
        total = Score(kind, *(sum(getattr(s, f) for s in scores) for f in ("truth", "found", "candidates", "correct")))
        target = TARGETS.get(kind)
        lines.append(f"| {kind} | {total.truth} | {total.found} | {_percent(total.recall)} | "
                     f"{'>= ' + _percent(target) if target else 'none'} | {total.candidates} | {total.correct} | "
                     f"{_percent(total.precision)} |")  # fmt: skip
        if kind == "body-mention":
            within = sum(s.detail.get("printed by a name known elsewhere", 0) for s in scores)
            hit = sum(s.detail.get("found of those", 0) for s in scores)
            lines.append(f"| body-mention, printed by a name known elsewhere | {within} | {hit} | "
                         f"{_percent(hit / within if within else None)} | >= {_percent(target)} | | | |")  # fmt: skip
        if kind == "relationship":
            within = sum(s.detail.get("between recognised bodies", 0) for s in scores)
            hit = sum(s.detail.get("found of those", 0) for s in scores)
            lines.append(f"| relationship, both bodies recognised | {within} | {hit} | "
                         f"{_percent(hit / within if within else None)} | >= {_percent(target)} | | | |")  # fmt: skip
    lines += ["", "Per held-out document (each cell: recall / precision; seconds: `suggest` alone):", ""]
    lines += ["| held out | seconds | " + " | ".join(SCORED) + " |", "|---|---|" + "---|" * len(SCORED)]
    for result in results:
        cells = [f"{_percent(s.recall)} / {_percent(s.precision)}" for s in result.scores.values()]
        lines.append(f"| {result.doc} | {result.seconds:.1f} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
