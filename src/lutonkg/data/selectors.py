"""W3C Web Annotation selectors for every citation: where its anchor lies in the source text as distributed.

Each cited (doc, loc, anchor) gets a TextQuoteSelector (the exact text, with about 30 characters of prefix and
suffix) and a TextPositionSelector (start and end offsets into the raw text, counted in Unicode code points). They are
generated from the source texts by `lutonkg selectors --write` into the optional data file `selectors.yaml`, read by
every build whether or not the sources are present, and re-checked by `lutonkg verify-sources`, which re-anchors each
one the way the Hypothesis client does (the quote at its stored position, else the quote with its context, else the
quote alone) and reports any that drifted.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import quote

import yaml

from lutonkg.data.load import Data, DataError, LineDict, display_path, read_yaml, schema
from lutonkg.data.sources import (
    _FOLD_TABLE,
    _LOC_PARAS,
    SourceText,
    _heading_line,
    _sub_heading,
    fold,
    iter_references,
)

FILE = "selectors.yaml"
CONTEXT = 30  # characters of prefix and suffix a quote selector keeps
_MARKUP = re.compile(r"</?b>|\*\*|\\")
_TAG = re.compile(r"</?[a-z]+>")
_DRIFT_LINES = 10  # more drifted selectors than this in one document are reported in one line
HEADER = """\
# GENERATED FILE - do not edit by hand. Written by `lutonkg selectors --write` from the source texts.
# One W3C Web Annotation selector pair per cited (doc, loc, anchor) of the other data files: a TextQuoteSelector
# (exact: the anchor as the text prints it; prefix and suffix: the {context} characters before and after it) and a
# TextPositionSelector (start, end: offsets into the source file as distributed, in Unicode code points). The build
# reads this file (it needs no source texts) and puts both selectors and a text-fragment link on each lkg:Citation;
# `lutonkg verify-sources` re-finds every quote and reports any that drifted. After changing a citation or a source
# text, run `lutonkg selectors --write` again. See docs/data-model.md (selectors.yaml).
"""

Key = tuple[str, str, str]


@dataclass(frozen=True)
class Selector:
    """The two selectors of one cited anchor."""

    doc: str
    loc: str
    anchor: str
    exact: str
    prefix: str
    suffix: str
    start: int
    end: int

    @property
    def key(self) -> Key:
        """(doc, loc, anchor), as the citation writes them."""
        return (self.doc, self.loc, self.anchor)

    def fragment(self) -> str:
        """The text-fragment directive that highlights the quote: '#:~:text=prefix-,exact,-suffix'."""
        return text_fragment(self.prefix, self.exact, self.suffix, self.start == len(self.prefix))


def key_of(ref: dict) -> Key:
    """The selector key of a {doc, loc, anchor} reference."""
    return (str(ref.get("doc")), str(ref.get("loc")), str(ref.get("anchor")))


# ---------------------------------------------------------------- folded text mapped back to the raw text


@dataclass(frozen=True)
class FoldMap:
    """A text folded as lutonkg.data.sources.fold() folds it, with the raw span each folded character comes from."""

    folded: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def raw_span(self, first: int, stop: int) -> tuple[int, int]:
        """The raw (start, end) of the folded characters first..stop-1."""
        return self.starts[first], self.ends[stop - 1]

    def folded_at(self, raw: int) -> int:
        """The first folded character that comes from the raw offset `raw` or later."""
        return bisect.bisect_left(self.starts, raw)


def _normalised(text: str) -> tuple[list[str], list[int], list[int]]:
    """NFKC and the fold table applied per character cluster (a base and its combining marks), with raw spans."""
    chars, starts, ends = [], [], []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        piece = text[i:j]
        if not piece.isascii():
            piece = unicodedata.normalize("NFKC", piece)
        for ch in piece.translate(_FOLD_TABLE):
            chars.append(ch)
            starts.append(i)
            ends.append(j)
        i = j
    return chars, starts, ends


@cache
def fold_map(text: str) -> FoldMap:
    """fold(text) with, for each folded character, the raw span it comes from (markup dropped, white space runs
    collapsed to one space mapped to the whole run, lower-casing that lengthens a character mapped to it)."""
    chars, starts, ends = _normalised(text)
    dropped = set()
    for m in _MARKUP.finditer("".join(chars)):
        dropped.update(range(m.start(), m.end()))
    out: list[str] = []
    out_starts: list[int] = []
    out_ends: list[int] = []
    space: tuple[int, int] | None = None
    for k, ch in enumerate(chars):
        if k in dropped:
            continue
        if ch.isspace():
            space = (space[0], ends[k]) if space else (starts[k], ends[k])
            continue
        if space is not None and out:
            out.append(" ")
            out_starts.append(space[0])
            out_ends.append(space[1])
        space = None
        for low in ch.lower():
            out.append(low)
            out_starts.append(starts[k])
            out_ends.append(ends[k])
    return FoldMap("".join(out), tuple(out_starts), tuple(out_ends))


def occurrences(haystack: str, needle: str) -> Iterator[int]:
    """Every index where needle starts in haystack (overlapping ones included)."""
    at = haystack.find(needle)
    while at >= 0:
        yield at
        at = haystack.find(needle, at + 1)


# ---------------------------------------------------------------- finding the cited place


def place(source: SourceText, loc: str) -> tuple[int, int] | None:
    """The raw span of the place a locator names: its paragraphs, or from its (last) heading to the end; None when
    the text does not show it (a reconstructed locator)."""
    loc = loc.strip()
    match = _LOC_PARAS.match(loc)
    if match:
        return _paragraph_span(source, int(match.group(1)), int(match.group(2) or match.group(1)))
    parts = [part.strip() for part in loc.split(":")]
    at = _heading_line(source.text, parts[0])
    if at is None:
        fm = fold_map(source.text)
        found = fm.folded.find(fold(parts[0]))
        if found < 0:
            return None
        at = fm.starts[found]
    for part in parts[1:]:
        match = _LOC_PARAS.match(part)
        if match:
            first, last = int(match.group(1)), int(match.group(2) or match.group(1))
            return _annex_paragraphs(source.text, at, first, last) or _paragraph_span(source, first, last)
        joined = _heading_line(source.text, f"{parts[0]}: {part}") if part == parts[1] else None
        found = joined if joined is not None else _sub_heading(source.text, part, at)
        if found is None:
            break
        at = found
    return at, len(source.text)


def _paragraph_span(source: SourceText, first: int, last: int) -> tuple[int, int] | None:
    """The raw span of numbered paragraphs first..last, bridging numbers lost in extraction (as SourceText.region)."""
    known = sorted(source.paragraphs)
    starts = [n for n in known if n <= first]
    ends = [n for n in known if n >= last]
    if not starts or not ends:
        return None
    end = source.paragraphs[ends[0]][1] if ends[0] == last else source.paragraphs[ends[0]][0]
    return source.paragraphs[starts[-1]][0], end


def _annex_paragraphs(text: str, start: int, first: int, last: int) -> tuple[int, int] | None:
    """The raw span of paragraphs first..last numbered afresh after `start` (an annex's own numbering)."""
    begin = re.compile(rf"^[ \t]*(?:[-•][ \t]+)?(?:\*\*)?{first}\.?[ \t]+\S", re.MULTILINE).search(text, start)
    if begin is None:
        return None
    after = re.compile(rf"^[ \t]*(?:[-•][ \t]+)?(?:\*\*)?{last + 1}\.?[ \t]+\S", re.MULTILINE).search(text, begin.end())
    return begin.start(), after.start() if after else len(text)


def anchor_span(source: SourceText, loc: str, anchor: str) -> tuple[int, int] | None:
    """The raw (start, end) of a cited anchor: its occurrence in the located place (the first one there), else its
    first occurrence in the text; None when the text does not hold it."""
    fm = fold_map(source.text)
    needle = fold(anchor)
    if not needle:
        return None
    hits = list(occurrences(fm.folded, needle))
    if not hits:
        return None
    region = place(source, loc)
    chosen = hits[0]
    if region is not None:
        low = fm.folded_at(region[0])
        inside = [h for h in hits if h >= low - len(needle) and fm.starts[h] < region[1]]
        exact = [h for h in inside if h >= low and fm.ends[h + len(needle) - 1] <= region[1]]
        chosen = (exact or inside or hits)[0]
    return fm.raw_span(chosen, chosen + len(needle))


def make_selector(source: SourceText, loc: str, anchor: str) -> Selector | None:
    """The selectors of one cited anchor, or None when its text does not hold it."""
    span = anchor_span(source, loc, anchor)
    if span is None:
        return None
    start, end = span
    text = source.text
    return Selector(
        source.doc, loc, anchor, text[start:end], text[max(0, start - CONTEXT) : start], text[end : end + CONTEXT],
        start, end,
    )  # fmt: skip


# ---------------------------------------------------------------- text fragments


def _clean(text: str) -> str:
    """Text as a browser would render it: markup dropped, white space collapsed."""
    return " ".join(_TAG.sub(" ", _MARKUP.sub("", text)).split())


def _encode(text: str) -> str:
    """Percent-encode a text-fragment term ('-', ',' and '&' included, which the directive syntax reserves)."""
    return quote(text, safe="").replace("-", "%2D")


def text_fragment(prefix: str, exact: str, suffix: str, at_start: bool = False) -> str:
    """'#:~:text=prefix-,exact,-suffix' (URL Fragment Text Directives), with whole words of context only."""
    before = _clean(prefix).split(" ") if _clean(prefix) else []
    after = _clean(suffix).split(" ") if _clean(suffix) else []
    if before and not at_start and not prefix[:1].isspace():
        before = before[1:]  # the context starts inside a word
    if after and len(suffix) == CONTEXT and not suffix[-1:].isspace():
        after = after[:-1]
    directive = _encode(_clean(exact))
    if before:
        directive = _encode(" ".join(before)) + "-," + directive
    if after:
        directive += ",-" + _encode(" ".join(after))
    return "#:~:text=" + directive


# ---------------------------------------------------------------- generating, reading and writing


def cited_keys(data: Data) -> dict[Key, tuple[str, LineDict]]:
    """Every cited (doc, loc, anchor) of the data, with the first (section, entry) that cites it."""
    found: dict[Key, tuple[str, LineDict]] = {}
    for section, entries in data.sections.items():
        for entry in entries:
            for _, ref in iter_references(entry):
                found.setdefault(key_of(ref), (section, entry))
    return found


def generate(data: Data, texts: dict[str, SourceText]) -> tuple[list[Selector], list[str]]:
    """Selectors for every citation whose text is present, and a line for each anchor that cannot be found. A
    citation of a document whose text is absent keeps the selector stored for it."""
    made, problems = [], []
    for key, (section, entry) in sorted(cited_keys(data).items()):
        doc, loc, anchor = key
        if doc not in texts:
            if key in data.selectors:
                made.append(from_entry(doc, data.selectors[key]))
            continue
        selector = make_selector(texts[doc], loc, anchor)
        if selector is None:
            problems.append(f"{data.where(section, entry)}: anchor {anchor!r} not found in {doc}: no selector")
            continue
        made.append(selector)
    return made, problems


def from_entry(doc: str, entry: dict) -> Selector:
    """A Selector from one entry of selectors.yaml."""
    return Selector(
        doc, str(entry["loc"]), str(entry["anchor"]), entry["exact"], entry.get("prefix", ""),
        entry.get("suffix", ""), int(entry["start"]), int(entry["end"]),
    )  # fmt: skip


def render(selectors: list[Selector], doc_order: list[str]) -> str:
    """The text of selectors.yaml: the header, then each document's selectors in text order."""
    by_doc: dict[str, list[dict]] = {}
    rank = {doc: n for n, doc in enumerate(doc_order)}
    ordered = sorted(selectors, key=lambda s: (rank.get(s.doc, len(rank)), s.doc, s.start, s.end, s.loc, s.anchor))
    for s in ordered:
        entry = {"loc": s.loc, "anchor": s.anchor, "start": s.start, "end": s.end, "exact": s.exact}
        entry.update({"prefix": s.prefix, "suffix": s.suffix})
        by_doc.setdefault(s.doc, []).append(entry)
    body = yaml.dump({"selectors": by_doc}, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=120)
    return HEADER.format(context=CONTEXT) + body


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """YAML writer that double-quotes text holding line breaks or tabs, so each context stays on one line."""


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    """Text as a YAML scalar: double-quoted (escapes visible) when it holds a line break or a tab."""
    style = '"' if ("\n" in text or "\t" in text) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_text)


def read(data_dir: Path, data: Data, parse: Callable[[Path], object] = read_yaml) -> dict[Key, LineDict]:
    """The stored selectors by (doc, loc, anchor); {} when the project has no selectors.yaml. DataError (one line
    naming file, line and entry) for a malformed file or an entry whose quote does not agree with its anchor.
    parse: how the file is read (the loader passes its build-cache memo: the largest data file, 0.3 s to parse)."""
    path = data_dir / FILE
    if not path.exists() and not path.is_symlink():
        return {}
    where = display_path(path)
    tree = parse(path)
    if not isinstance(tree, dict) or set(tree) != {"selectors"} or not isinstance(tree["selectors"], dict | None):
        raise DataError(f"{where}: expected one mapping `selectors:` of document ids, each with a list of selectors")
    documents = {d["id"] for d in data["documents"]}
    found: dict[Key, LineDict] = {}
    for doc, entries in (tree["selectors"] or {}).items():
        if doc not in documents:
            raise DataError(f"{where}: selectors of document {doc!r}, which is not in documents.yaml")
        if not isinstance(entries, list):
            raise DataError(f"{where}: the selectors of {doc!r} must be a list of entries")
        for entry in entries:
            key = _check_entry(where, doc, entry)
            if key in found:
                raise DataError(f"{where}:{entry.line}: selector of {doc} {key[1]!r} {key[2]!r} is given twice")
            found[key] = entry
    return found


_FIELDS = {"loc": str, "anchor": str, "start": int, "end": int, "exact": str, "prefix": str, "suffix": str}
_REQUIRED = ("loc", "anchor", "start", "end", "exact")


def _check_entry(where: str, doc: str, entry: object) -> Key:
    """Check one selector entry (fields as the schema's `selectors` section gives them; checked by hand, as
    jsonschema would take a second for the whole file) and that its quote is its anchor as printed; its key."""
    if not isinstance(entry, dict):
        raise DataError(f"{where}: a selector of {doc!r} is not a mapping of fields")
    at = f"{where}:{getattr(entry, 'line', 0)}: selector of {doc} {str(entry.get('anchor'))!r}"
    for name in entry:
        if name not in _FIELDS:
            raise DataError(f"{at}: unknown field {name!r}")
    for name in _REQUIRED:
        if name not in entry:
            raise DataError(f"{at}: missing required field {name!r}")
    for name, kind in _FIELDS.items():
        value = entry.get(name, kind())
        if not isinstance(value, kind) or isinstance(value, bool):
            raise DataError(f"{at}: field {name!r} must be {'text' if kind is str else 'a whole number'}")
        if name in _REQUIRED and kind is str and not value.strip():
            raise DataError(f"{at}: field {name!r} must not be empty")
    if entry["start"] < 0 or entry["end"] - entry["start"] != len(entry["exact"]):
        raise DataError(f"{at}: start and end must span the {len(entry['exact'])} characters of exact")
    if fold(entry["exact"]) != fold(entry["anchor"]):
        raise DataError(f"{at}: exact {entry['exact']!r} is not the anchor as printed; re-run `lutonkg selectors "
                        "--write`")  # fmt: skip
    return (doc, entry["loc"], entry["anchor"])


def generated_files() -> dict[str, list[str]]:
    """The optional, generated data files the schema names, and their sections."""
    return schema().get("generated", {})


# ---------------------------------------------------------------- re-anchoring (verify-sources)


def reanchor(selector: Selector, text: str) -> tuple[str, int | None]:
    """Where a stored selector's quote is now, in the order the Hypothesis client tries: ('ok', start) when the
    quote and its context are at the stored position; ('moved', start) when quote and context are found elsewhere;
    ('context', start) when the quote is found but its context changed; ('lost', None) when the quote is gone."""
    start, end, exact = selector.start, selector.end, selector.exact
    if text[start:end] == exact:
        if _context_matches(selector, text, start):
            return "ok", start
        return "context", start
    hits = list(occurrences(text, exact))
    with_context = [h for h in hits if _context_matches(selector, text, h)]
    if with_context:
        return "moved", min(with_context, key=lambda h: abs(h - start))
    if hits:
        return "context", min(hits, key=lambda h: abs(h - start))
    return "lost", None


def _context_matches(selector: Selector, text: str, at: int) -> bool:
    """Whether the stored prefix and suffix surround the quote placed at `at`."""
    end = at + len(selector.exact)
    return text[max(0, at - len(selector.prefix)) : at] == selector.prefix and (
        text[end : end + len(selector.suffix)] == selector.suffix
    )


def drift_problem(selector: Selector, text: str) -> str | None:
    """Why a stored selector no longer fits its text (it drifted), or None when it does."""
    state, at = reanchor(selector, text)
    where = f"characters {selector.start}-{selector.end}"
    if state == "ok":
        return None
    if state == "moved":
        return f"selector drifted: the quote {selector.exact!r} moved from {where} to {at}-{at + len(selector.exact)}"
    if state == "context":
        return f"selector drifted: the text around the quote {selector.exact!r} ({where}) changed"
    return f"selector drifted: the quote {selector.exact!r} ({where}) is no longer in the text"


def check(data: Data, texts: dict[str, SourceText], ok: set[Key]) -> dict[str, list[str]]:
    """Failure lines by document: citations (among those whose anchor checks out, `ok`) with no stored selector,
    and stored selectors that drifted. Nothing when the project keeps no selectors.yaml."""
    if data.selectors_file is None:
        return {}
    lines: dict[str, list[str]] = {}
    for key, (section, entry) in cited_keys(data).items():
        if key not in ok or key[0] not in texts:
            continue
        stored = data.selectors.get(key)
        if stored is None:
            problem = f"no selector for {key[1]!r} {key[2]!r}: run `lutonkg selectors --write`"
        else:
            problem = drift_problem(from_entry(key[0], stored), texts[key[0]].text)
            if problem:
                problem += "; check the text, then run `lutonkg selectors --write`"
        if problem:
            lines.setdefault(key[0], []).append(f"{data.where(section, entry)}: {problem}")
    return {doc: _summarised(doc, found) for doc, found in lines.items()}


def _summarised(doc: str, lines: list[str]) -> list[str]:
    """At most _DRIFT_LINES lines for one document: many drifted selectors mean its text changed."""
    if len(lines) <= _DRIFT_LINES:
        return lines
    return [f"{lines[0]} (and {len(lines) - 1} more selectors of {doc} missing or drifted: did its text change?)"]
