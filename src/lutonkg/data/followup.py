"""Follow-up of recommendations (evidence.yaml): the rules the build enforces, and a report for curators.

Rules, checked when the data is loaded (each failure is one line naming file, line and entry):

1. A follow-up link cites a later inspection than the one that made the recommendation: no cited document may report
   that same inspection, and the cited document's own inspection (or the document, if it reports none) must begin
   after the recommendation's inspection ended.
2. A link whose status is addressed or partly addressed may not say, in its summary or rationale, that the passage
   does not mention the point (that is the status `mentioned`).
3. A rationale quotes the words of the passage that meet the status's test, in double quotes.
4. A recommendation answers judgements of the inspection that made it; a same-inspection restatement
   (`reiterated_in`) cites another report of that same inspection.

The report (`lutonkg follow-up-review`) lists links whose cited passage shares few content words with the
recommendation, for a curator to look at, and checks that each rationale's quotation is in the cited passage.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass

from lutonkg.data.load import Data, DataError, LineDict, parse_date
from lutonkg.data.sources import _LOC_PARAS, fold

SILENCE = re.compile(
    r"\b(?:does|do|did)(?: not|n't) (?:mention|say|state|speak to|refer to|address)\b|\bnot (?:mentioned|stated)\b"
    r"|\bno (?:mention|word)\b|\bsays? nothing\b|\bsilent\b|\bnothing (?:is said|on|about)\b",
    re.IGNORECASE,
)
QUOTE = re.compile(r"\"([^\"]{3,})\"")
POSITIVE = ("addressed", "partly-addressed")


def _span(value: object) -> tuple[str, str]:
    """The first and last day a date of any precision covers, as ISO text: 2002 -> (2002-01-01, 2002-12-31)."""
    text, kind = parse_date(value)
    if kind == "date":
        return text, text
    if kind == "gYearMonth":
        year, month = map(int, text.split("-"))
        return f"{text}-01", f"{text}-{calendar.monthrange(year, month)[1]:02d}"
    return f"{text}-01-01", f"{text}-12-31"


def inspection_span(data: Data, inspection_id: str) -> tuple[str, str]:
    """When an inspection took place: its own dates, else the date of the first document that reports it."""
    entry = data.by_id("inspections")[inspection_id]
    start, end = entry.get("from", entry.get("to")), entry.get("to", entry.get("from"))
    if start is None:
        docs = data.by_id("documents")
        reporting = [d for d in data["documents"] if inspection_id in d.get("reports", [])]
        doc = reporting[0] if reporting else docs[entry["reported_in"]]
        start = end = doc["date"]
    return _span(start)[0], _span(end)[1]


def evidence_start(data: Data, doc_id: str) -> str:
    """When a cited document's evidence was gathered: the start of the earliest inspection it reports, else its date."""
    doc = data.by_id("documents")[doc_id]
    starts = [inspection_span(data, i)[0] for i in doc.get("reports", [])]
    return min(starts) if starts else _span(doc["date"])[0]


def _later_than(data: Data, entry: LineDict, rec: dict) -> None:
    """Rule 1: every cited document reports a later inspection than the recommendation's (or is later itself)."""
    made_by = rec["inspection"]
    rec_end = inspection_span(data, made_by)[1]
    for src in entry["sources"]:
        doc = data.by_id("documents")[src["doc"]]
        where = f"{data.where('evidence', entry)}: cites {src['doc']} ({src['loc']})"
        if made_by in doc.get("reports", []):
            raise DataError(
                f"{where}, which reports the same inspection ({made_by}) that made {rec['id']}: a follow-up must come "
                "from a later inspection (a same-inspection restatement belongs in the recommendation's reiterated_in)"
            )
        if evidence_start(data, src["doc"]) <= rec_end:
            raise DataError(
                f"{where}, whose evidence (from {evidence_start(data, src['doc'])}) is not later than the inspection "
                f"that made {rec['id']} ({made_by}, to {rec_end}): a follow-up must come from a later inspection"
            )


def _wording(data: Data, entry: LineDict) -> None:
    """Rules 2 and 3: positive statuses do not admit silence; rationales quote the passage."""
    where = data.where("evidence", entry)
    if not QUOTE.search(entry["rationale"]):
        raise DataError(f"{where}: the rationale must quote, in double quotes, the passage's words that meet the test")
    if entry["status"] not in POSITIVE:
        return
    for field in ("summary", "rationale"):
        found = SILENCE.search(entry[field])
        if found:
            raise DataError(
                f"{where}: status {entry['status']!r} but its {field} says the passage is silent on the point "
                f"({found.group(0)!r}): use status 'mentioned', or cite a passage that shows the outcome"
            )


def _same_inspection_links(data: Data) -> None:
    """Rule 4: answers name judgements of the recommendation's own inspection; reiterations cite its other reports."""
    judgements = data.by_id("judgements")
    docs = data.by_id("documents")
    for rec in data["recommendations"]:
        where = data.where("recommendations", rec)
        for answer in rec.get("answers", []):
            judged_by = judgements[answer["judgement"]]["inspection"]
            if judged_by != rec["inspection"]:
                raise DataError(
                    f"{where}: answers judgement {answer['judgement']!r} of {judged_by}, not of the inspection that "
                    f"made the recommendation ({rec['inspection']})"
                )
            if answer.get("inferred") and not answer.get("basis"):
                raise DataError(f"{where}: the inferred answer to {answer['judgement']!r} needs a basis")
        for src in rec.get("reiterated_in", []):
            if src["doc"] == rec["doc"] or rec["inspection"] not in docs[src["doc"]].get("reports", []):
                raise DataError(
                    f"{where}: reiterated_in cites {src['doc']}, which is not another report of {rec['inspection']} "
                    "(a later document's statement is follow-up evidence, in evidence.yaml)"
                )


def check_follow_up(data: Data) -> None:
    """Every follow-up rule; the first failure raises DataError (one line: file, line, entry, what to do)."""
    recs = data.by_id("recommendations")
    for entry in data["evidence"]:
        _later_than(data, entry, recs[entry["recommendation"]])
        _wording(data, entry)
    _same_inspection_links(data)


# ---------------------------------------------------------------- the curators' report

_STOPWORDS_TEXT = """about above after again against also among because been before being below between both could does
    doing down during each from further have having here into itself just more most much must need needs only other over
    same should some such than that their them then there these they this those through under until very were what when
    where which while will with within would your luton council authority local schools school year years provide
    ensure improve made make well good better less"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())


def content_words(text: str) -> set[str]:
    """Lower-case content words of four letters or more, stopwords out, crudely stemmed (plural and -ing/-ed cut)."""
    words = set()
    for word in re.findall(r"[a-z]{4,}", text.lower()):
        if word in STOPWORDS:
            continue
        for suffix, repl in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("s", "")):
            if word.endswith(suffix) and len(word) - len(suffix) >= 4 and not word.endswith(("ss", "us", "is")):
                word = word[: -len(suffix)] + repl
                break
        words.add(word)
    return words


@dataclass
class Row:
    """One follow-up link in the report: how many content words its passage shares with the recommendation."""

    link: str
    status: str
    shared: list[str]
    missing_quotes: list[str]


def passage(texts: dict, src: dict, width: int = 400) -> str:
    """The folded text at a citation: its numbered paragraph(s), else the anchor with `width` characters each side."""
    source = texts[src["doc"]]
    match = _LOC_PARAS.match(str(src["loc"]))
    if match:
        region = source.region(int(match.group(1)), int(match.group(2) or match.group(1)))
        if region:
            return region
    at = source.folded.find(fold(src["anchor"]))
    return source.folded[max(0, at - width) : at + len(src["anchor"]) + width] if at >= 0 else fold(src["anchor"])


def review_rows(data: Data, texts: dict) -> Iterator[Row]:
    """Each link with the content words its cited passages share with the recommendation's own words and passage."""
    recs = data.by_id("recommendations")
    for entry in data["evidence"]:
        rec = recs[entry["recommendation"]]
        rec_text = " ".join([rec["summary"], rec.get("purpose", ""), *(passage(texts, s, 200) for s in rec["sources"])])
        cited = " ".join(passage(texts, s) for s in entry["sources"])
        shared = sorted(content_words(rec_text) & content_words(cited))
        quotes = [q for q in QUOTE.findall(entry["rationale"]) if fold(q) not in cited]
        yield Row(entry["id"], entry["status"], shared, quotes)
