"""`lutonkg accept`: merge the candidates a curator accepted into the project's data with proper ids, validate the
result as a build validates it, and remember the rejected ones. All or nothing: on any error the data is unchanged."""

from __future__ import annotations

import re
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from lutonkg.curation import merge
from lutonkg.curation.knowledge import tokens
from lutonkg.curation.review import OWN_WORDS, Decision, Review, ReviewError, read_review
from lutonkg.data import selectors
from lutonkg.data.files import FileProblem, read_regular_file
from lutonkg.data.load import Data, DataError, load_data
from lutonkg.project import Project

REJECTED = Path("curation") / "rejected.yaml"
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
COPIED_WORDS = 8  # a summary that repeats this many words of the passage in a row is not in the curator's words


@dataclass
class Outcome:
    """What an accept did."""

    merged: Counter = field(default_factory=Counter)
    rejected: int = 0
    pending: int = 0
    files: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)


def rejected_keys(project: Project, doc: str) -> set[str]:
    """The keys of the candidates of a document the curators rejected."""
    return {e["key"] for e in _read_rejected(project) if e.get("doc") == doc}


def _read_rejected(project: Project) -> list[dict]:
    """The remembered rejections (none when the file does not exist)."""
    path = project.root / REJECTED
    try:
        tree = yaml.safe_load(read_regular_file(path, 16 * 1024 * 1024).decode("utf-8"))
    except FileProblem:
        return []
    return [e for e in (tree or {}).get("rejected") or [] if isinstance(e, dict) and "key" in e]


def accept(project: Project, review_path: Path, use_reasoner: bool = True, sources: Path | None = None) -> Outcome:
    """Merge a review file's accepted candidates; ReviewError or DataError (one line) and no change on a problem."""
    data = load_data(project.data_dir)
    review = read_review(review_path, {d["id"] for d in data["documents"]})
    outcome = Outcome()
    edits = merge.Edits(project.data_dir)
    ids = _Ids(data)
    for decision in review.decisions:
        if decision.decision == "accept":
            _merge(decision, review, data, edits, ids)
            outcome.merged[decision.kind] += 1
            outcome.ids.append(ids.last)
        elif decision.decision == "reject":
            outcome.rejected += 1
        else:
            outcome.pending += 1
    _check_places(project, data, review, sources)
    texts = edits.results()
    if texts:
        texts.update(_selectors_text(project, data, texts, review, sources))
        _validate(project, texts, review_path, use_reasoner)
        merge.write_all(project.data_dir, texts)
    outcome.files = sorted(texts)
    _remember(project, review, [d for d in review.decisions if d.decision == "reject"])
    return outcome


class _Ids:
    """Fresh ids for new entries, unique in their namespace (bodies and schools share one)."""

    def __init__(self, data: Data) -> None:
        self.taken: dict[str, set[str]] = {}
        for section, entries in data.sections.items():
            space = "bodies" if section in ("bodies", "schools") else section
            self.taken.setdefault(space, set()).update(e["id"] for e in entries)
        self.last = ""

    def fresh(self, section: str, wanted: str) -> str:
        """`wanted`, or `wanted-2`, `-3`, ... when taken."""
        space = "bodies" if section in ("bodies", "schools") else section
        taken = self.taken.setdefault(space, set())
        found, n = wanted, 2
        while found in taken:
            found, n = f"{wanted}-{n}", n + 1
        taken.add(found)
        self.last = found
        return found

    def exact(self, section: str, wanted: str, where: str) -> str:
        """`wanted` itself, refused when taken."""
        space = "bodies" if section in ("bodies", "schools") else section
        if wanted in self.taken.setdefault(space, set()):
            raise ReviewError(f"{where}: id {wanted!r} is already used: give the new entry another id")
        self.taken[space].add(wanted)
        self.last = wanted
        return wanted


def _need(decision: Decision, name: str, kind: type | tuple = str) -> object:
    """A field the accepted candidate must have."""
    value = decision.entry.get(name)
    if value is None or value == "" or value == [] or not isinstance(value, kind):
        raise ReviewError(f"{decision.where} ({decision.kind}): accepted without {name!r}; fill it in or leave the "
                          "candidate pending")  # fmt: skip
    return value


def _slug_field(decision: Decision, name: str) -> str:
    """A field that must be an id."""
    value = _need(decision, name)
    if not _SLUG.match(value):
        raise ReviewError(f"{decision.where} ({decision.kind}): {name} {value!r} is not an id (lower-case letters and "
                          "digits joined by hyphens)")  # fmt: skip
    return value


def _citations(decision: Decision, doc: str, with_also: bool = True) -> list[dict]:
    """The candidate's citations: its own place and (for facts stated in several places) the others."""
    entry = decision.entry
    found = [{"doc": doc, "loc": entry["loc"], "anchor": entry["anchor"]}]
    if with_also:
        for other in entry.get("also") or []:
            if isinstance(other, dict) and other.get("loc") and other.get("anchor"):
                found.append({"doc": doc, "loc": str(other["loc"]), "anchor": str(other["anchor"])})
    return found


def _own_words(decision: Decision) -> str:
    """The curator's summary or statement, refused when missing or when it copies the printed passage."""
    name = OWN_WORDS[decision.kind]
    text = _need(decision, name)
    printed = tokens(str(decision.entry.get("quote") or decision.entry.get("text") or ""))
    words = tokens(text)
    runs = {tuple(printed[k : k + COPIED_WORDS]) for k in range(max(0, len(printed) - COPIED_WORDS + 1))}
    if any(tuple(words[k : k + COPIED_WORDS]) in runs for k in range(max(0, len(words) - COPIED_WORDS + 1))):
        raise ReviewError(f"{decision.where} ({decision.kind}): the {name} copies the printed passage; write it in "
                          "your own words")  # fmt: skip
    return text


def _merge(decision: Decision, review: Review, data: Data, edits: merge.Edits, ids: _Ids) -> None:
    """Turn one accepted candidate into edits of the data."""
    doc, entry, kind = review.doc, decision.entry, decision.kind
    if kind == "body-mention":
        body = _slug_field(decision, "body")
        section = "schools" if any(s["id"] == body for s in data["schools"]) else "bodies"
        if body not in data.bodies():
            raise ReviewError(f"{decision.where} (body-mention): body {body!r} is not a known body")
        edits.cite(section, body, _citations(decision, doc, False)[0])
        ids.last = body
    elif kind == "new-body":
        new = {
            "id": ids.exact("bodies", _slug_field(decision, "id"), decision.where),
            "label": _need(decision, "label"),
        }
        if entry.get("alt_labels"):
            new["alt_labels"] = [str(a) for a in entry["alt_labels"]]
        new["type"] = _slug_field(decision, "type")
        if entry.get("summary"):
            new["summary"] = str(entry["summary"])
        new["sources"] = _citations(decision, doc)
        edits.append("bodies", new)
    elif kind == "statute":
        _merge_statute(decision, doc, data, edits, ids)
    elif kind == "recommendation":
        _merge_recommendation(decision, doc, data, edits, ids)
    elif kind == "judgement":
        _merge_judgement(decision, doc, edits, ids)
    elif kind == "relationship":
        _merge_relationship(decision, doc, edits, ids)
    elif kind == "event":
        _merge_event(decision, doc, edits, ids)
    elif kind == "claim":
        _merge_claim(decision, doc, edits, ids)


def _merge_statute(decision: Decision, doc: str, data: Data, edits: merge.Edits, ids: _Ids) -> None:
    """An Act cited: a citation of the project's legislation entry, or a new entry (with its chapter when known)."""
    entry = decision.entry
    legislation = _slug_field(decision, "legislation")
    if legislation in data.by_id("legislation"):
        edits.cite("legislation", legislation, _citations(decision, doc, False)[0])
        ids.last = legislation
        return
    new = {"id": ids.exact("legislation", legislation, decision.where), "kind": "act", "title": _need(decision, "act")}
    new["year"] = _need(decision, "year", int)
    if isinstance(entry.get("chapter"), int):
        new["chapter"] = entry["chapter"]
    sections = [str(s) for s in entry.get("sections") or []]
    if sections:
        new["note"] = f"{doc} cites section(s) {', '.join(sections)} ({entry.get('printed', '')})."
    new["sources"] = _citations(decision, doc)
    edits.append("legislation", new)


def _merge_recommendation(decision: Decision, doc: str, data: Data, edits: merge.Edits, ids: _Ids) -> None:
    """A new recommendation, numbered after the document's last one."""
    entry = decision.entry
    numbers = [
        int(m.group(1)) for e in edits.entries("recommendations") if (m := re.match(rf"^{doc}-r(\d+)$", e["id"]))
    ]
    new = {"id": ids.fresh("recommendations", f"{doc}-r{max(numbers, default=0) + 1:02d}"), "doc": doc}
    if entry.get("inspection"):
        new["inspection"] = str(entry["inspection"])
    new["summary"] = _own_words(decision)
    if entry.get("purpose"):
        new["purpose"] = str(entry["purpose"])
    new["addressees"] = [str(a) for a in _need(decision, "addressees", list)]
    new["priority"] = _slug_field(decision, "priority")
    new["themes"] = [str(t) for t in _need(decision, "themes", list)]
    new["sources"] = _citations(decision, doc)
    edits.append("recommendations", new)


def _merge_judgement(decision: Decision, doc: str, edits: merge.Edits, ids: _Ids) -> None:
    """A new judgement, and its judged function when the project does not know it yet."""
    entry = decision.entry
    function = _slug_field(decision, "function")
    if all(f["id"] != function for f in edits.entries("functions")):
        label = entry.get("function_label")
        if not label:
            raise ReviewError(f"{decision.where} (judgement): function {function!r} is not known; give its "
                              "function_label to add it")  # fmt: skip
        edits.append("functions", {"id": ids.exact("functions", function, decision.where), "label": str(label)})
    new = {"id": ids.fresh("judgements", f"{doc}-{function}"), "inspection": _slug_field(decision, "inspection")}
    new.update({"judged": _slug_field(decision, "judged"), "function": function, "kind": _slug_field(decision, "kind")})
    if entry.get("scale"):
        new["scale"] = str(entry["scale"])
    if entry.get("grade"):
        new["grade"] = str(entry["grade"])
    new["summary"] = _own_words(decision)
    new["sources"] = _citations(decision, doc)
    edits.append("judgements", new)


def _merge_relationship(decision: Decision, doc: str, edits: merge.Edits, ids: _Ids) -> None:
    """A citation of the same relationship when the project has it, else a new one."""
    subject, relation = _slug_field(decision, "subject"), _slug_field(decision, "relation")
    obj = _slug_field(decision, "object")
    same = [e for e in edits.entries("relationships") if (e["subject"], e["relation"], e["object"]) == (
        subject, relation, obj) and not e.get("inferred")]  # fmt: skip
    if same:
        edits.cite("relationships", same[0]["id"], _citations(decision, doc, False)[0])
        ids.last = same[0]["id"]
        return
    new = {"id": ids.fresh("relationships", f"{subject}-{relation}-{obj}"), "subject": subject, "relation": relation}
    new["object"] = obj
    new["sources"] = _citations(decision, doc, False)
    edits.append("relationships", new)


def _merge_event(decision: Decision, doc: str, edits: merge.Edits, ids: _Ids) -> None:
    """A new change event."""
    entry = decision.entry
    kind = _slug_field(decision, "event_kind")
    original = [str(b) for b in entry.get("original") or []]
    resulting = [str(b) for b in entry.get("resulting") or []]
    if not original and not resulting:
        raise ReviewError(f"{decision.where} (event): name the original or the resulting bodies")
    stem = (original or resulting)[0]
    new: dict = {"id": ids.fresh("events", f"{stem}-{kind}-{doc}"), "kind": kind}
    if original:
        new["original"] = original
    if resulting:
        new["resulting"] = resulting
    if entry.get("date"):
        new["date"] = entry["date"]
    if entry.get("summary"):
        new["summary"] = str(entry["summary"])
    new["sources"] = _citations(decision, doc, False)
    edits.append("events", new)


def _merge_claim(decision: Decision, doc: str, edits: merge.Edits, ids: _Ids) -> None:
    """A new claim under its topic."""
    entry = decision.entry
    topic = _slug_field(decision, "topic")
    new: dict = {"id": ids.fresh("claims", f"{topic}-{doc}"), "topic": topic}
    if entry.get("subject"):
        new["subject"] = str(entry["subject"])
    new["statement"] = _own_words(decision)
    if entry.get("value") is not None:
        new["value"] = entry["value"] if isinstance(entry["value"], int | float) else str(entry["value"])
    if entry.get("as_of"):
        new["as_of"] = entry["as_of"]
    new["sources"] = _citations(decision, doc, False)
    edits.append("claims", new)


def _selectors_text(
    project: Project, data: Data, texts: dict[str, str], review: Review, sources: Path | None
) -> dict[str, str]:
    """selectors.yaml with the new citations' selectors (made again from the source texts when they are present),
    when the project keeps one."""
    path = project.data_dir / selectors.FILE
    if not path.exists():
        return {}
    with tempfile.TemporaryDirectory(prefix="lutonkg-accept-") as scratch:
        merged = _copy_with(project.data_dir, Path(scratch), texts)
        new_data = load_data(merged)
    directory = sources or project.sources_dir()
    if directory is not None:
        from lutonkg.checks.citations import source_texts

        found, _ = source_texts(new_data, directory)
        if review.doc in found:
            made, problems = selectors.generate(new_data, found)
            if problems:
                raise ReviewError(f"{review.path}: {problems[0]}")
            return {selectors.FILE: selectors.render(made, [d["id"] for d in data["documents"]])}
    stored = [selectors.from_entry(key[0], entry) for key, entry in new_data.selectors.items()]
    stored += _review_selectors(review, {s.key for s in stored})
    return {selectors.FILE: selectors.render(stored, [d["id"] for d in data["documents"]])}


def _review_selectors(review: Review, have: set) -> list[selectors.Selector]:
    """The selectors the review file gives for the accepted citations (when the sources are not at hand)."""
    found = []
    for decision in review.decisions:
        if decision.decision != "accept":
            continue
        places = [decision.entry] + [a for a in decision.entry.get("also") or [] if isinstance(a, dict)]
        for place in places:
            s = place.get("selector")
            key = (review.doc, str(place.get("loc")), str(place.get("anchor")))
            if isinstance(s, dict) and key not in have:
                have.add(key)
                found.append(selectors.Selector(*key, s["exact"], s.get("prefix", ""), s.get("suffix", ""),
                                                int(s["start"]), int(s["end"])))  # fmt: skip
    return found


def _check_places(project: Project, data: Data, review: Review, sources: Path | None) -> None:
    """Every accepted citation's anchor is printed at its locator (the check `verify-sources` makes), when the
    document's text is at hand; ReviewError naming the entry otherwise."""
    from lutonkg.checks.citations import check_reference, source_texts

    directory = sources or project.sources_dir()
    if directory is None:
        return
    texts, _ = source_texts(data, directory)
    if review.doc not in texts:
        return
    reconstructed = {(e["doc"], e["loc"]): e["reconstructed"] for e in data["locators"] if "reconstructed" in e}
    for decision in review.decisions:
        if decision.decision != "accept":
            continue
        for citation in _citations(decision, review.doc):
            problem = check_reference(citation, texts, reconstructed)
            if problem:
                raise ReviewError(f"{decision.where}: {problem}")


def _copy_with(data_dir: Path, target: Path, texts: dict[str, str]) -> Path:
    """A copy of the data folder with some files replaced."""
    folder = target / "data"
    folder.mkdir(parents=True, exist_ok=True)
    for path in data_dir.glob("*.yaml"):
        shutil.copyfile(path, folder / path.name)
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _validate(project: Project, texts: dict[str, str], review_path: Path, use_reasoner: bool) -> None:
    """Build the merged data in a scratch folder (all the build's checks); one line naming the entry on failure."""
    from lutonkg.build.pipeline import BuildError, build

    with tempfile.TemporaryDirectory(prefix="lutonkg-accept-") as scratch:
        folder = _copy_with(project.data_dir, Path(scratch), texts)
        try:
            build(folder, Path(scratch) / "graph", use_reasoner=use_reasoner)
        except BuildError as exc:
            message = str(exc).replace(str(folder), str(project.data_dir))
            message = re.sub(r"\S*lutonkg-accept-[^/\s]*/data", str(project.data_dir), message)
            raise DataError(
                f"the data with the accepted candidates of {review_path} does not build: {message}"
            ) from None


def _remember(project: Project, review: Review, rejected: list[Decision]) -> None:
    """Add the rejected candidates to curation/rejected.yaml (kept sorted, each once)."""
    if not rejected:
        return
    entries = {(e["doc"], e["key"]): e for e in _read_rejected(project)}
    for decision in rejected:
        entries[(review.doc, decision.key)] = {"doc": review.doc, "key": decision.key, "kind": decision.kind}
    path = project.root / REJECTED
    path.parent.mkdir(parents=True, exist_ok=True)
    header = ("# Candidates a curator rejected (written by `lutonkg accept`): `lutonkg suggest` does not propose them "
              "again.\n# Delete a line to have a candidate proposed again.\n")  # fmt: skip
    body = merge.dump({"rejected": [entries[k] for k in sorted(entries)]}, width=10_000)
    path.write_text(header + body, encoding="utf-8")
