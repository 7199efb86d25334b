"""Checking every citation in the curated data against the source texts."""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from pathlib import Path

import yaml

from lutonkg.data import selectors
from lutonkg.data.files import FileProblem, read_regular_file
from lutonkg.data.load import Data
from lutonkg.data.sources import SourceText, check_reference, cited_paragraph, iter_references, load_source

MANIFEST = "sources.yaml"
_MANIFEST_LIMIT = 1024 * 1024
# a document whose text fails at least this many of its citations, and at least half of them, looks damaged
_DAMAGED_AT_LEAST = 5


def source_texts(data: Data, sources: Path) -> tuple[dict[str, SourceText], list[str]]:
    """The text of every document in documents.yaml, and a failure line for each one that is missing or unreadable.

    A document's `file` must name a file inside the sources folder (after following links): `/etc/passwd` or
    `../x` are refused, not read.
    """
    texts, failures = {}, []
    listed = _manifest_files(sources)
    root = os.path.realpath(sources)
    for doc in data["documents"]:
        name = str(doc["file"])
        path = sources / name
        where = data.where("documents", doc)
        if not os.path.realpath(path).startswith(root + os.sep):
            failures.append(f"{where}: file {name!r} is outside the sources folder {sources}; name a file in it")
            continue
        if listed is not None and name not in listed:
            failures.append(f"{where}: file {name!r} is not listed in {sources / MANIFEST}")
        try:
            text = load_source(path, doc["id"])
        except FileProblem as exc:
            problem = f"not found in {sources}" if str(exc) == "is missing" else str(exc)
            failures.append(f"{where}: source text {name!r} {problem}")
            continue
        except UnicodeDecodeError as exc:
            failures.append(f"{where}: cannot read source text {name!r}: not UTF-8 ({exc.reason})")
            continue
        if not text.text.strip():
            failures.append(f"{where}: source text {name!r} is empty")
            continue
        texts[doc["id"]] = text
    return texts, failures


def _manifest_files(sources: Path) -> set[str] | None:
    """The file names the sources folder's own manifest (sources.yaml) lists, or None where it has none."""
    try:
        tree = yaml.safe_load(read_regular_file(sources / MANIFEST, _MANIFEST_LIMIT).decode("utf-8"))
    except (FileProblem, UnicodeDecodeError, yaml.YAMLError):
        return None
    if not isinstance(tree, dict) or not isinstance(tree.get("documents"), list):
        return None
    return {str(d.get("file")) for d in tree["documents"] if isinstance(d, dict)}


def _field(path: str) -> str:
    """'/founded/sources/0' as 'founded.sources[1]', to say which citation of an entry failed."""
    parts = path.strip("/").split("/")
    out = []
    for part in parts:
        if part.isdigit() and out:
            out[-1] += f"[{int(part) + 1}]"
        else:
            out.append(part)
    return ".".join(out)


def verify(data: Data, sources: Path) -> tuple[list[str], int]:
    """Failures ('file:line: section entry 'id': problem') and the number of citations checked.

    A document whose text is missing, unreadable or empty is one line, not one per citation; so is a text that
    fails so many of its citations that it looks truncated or damaged.
    """
    texts, failures = source_texts(data, sources)
    reconstructed = {(e["doc"], e["loc"]): e["reconstructed"] for e in data["locators"] if "reconstructed" in e}
    cited: Counter = Counter()
    past_the_end: Counter = Counter()  # failing citations that name a paragraph the text does not reach
    lines: dict[str, list[str]] = defaultdict(list)
    checked = 0
    ok: set[tuple[str, str, str]] = set()
    for section, entries in sorted(data.sections.items()):
        for entry in entries:
            for path, ref in iter_references(entry):
                checked += 1
                doc = ref.get("doc")
                cited[doc] += 1
                problem = check_reference(ref, texts, reconstructed)
                if problem is None:
                    ok.add(selectors.key_of(ref))
                if problem and doc in texts and _past_the_end(texts[doc], ref):
                    past_the_end[doc] += 1
                if problem:
                    field = _field(path)
                    at = f" (in {field})" if not field.startswith("sources[") else ""
                    lines[doc].append(f"{data.where(section, entry)}: {problem}{at}")
    documents = data.by_id("documents")
    for doc, found in lines.items():
        if doc in documents and doc not in texts:
            continue  # already one line for the document
        damaged = doc in texts and _looks_damaged(len(found), cited[doc], past_the_end[doc])
        if damaged:
            failures.append(_damaged_line(data, documents[doc], texts[doc], len(found), cited[doc]))
        else:
            failures.extend(found)
    for doc, found in selectors.check(data, texts, ok).items():
        if not (doc in texts and doc in lines and _looks_damaged(len(lines[doc]), cited[doc], past_the_end[doc])):
            failures.extend(found)
    return failures, checked


def _past_the_end(text: SourceText, ref: dict) -> bool:
    """Whether a citation names a paragraph beyond the last one the text has."""
    number = cited_paragraph(ref.get("loc"))
    return bool(text.paragraphs) and number is not None and number > max(text.paragraphs)


def _looks_damaged(failed: int, cited: int, past_the_end: int) -> bool:
    """Whether a text fails so many citations, or so many name paragraphs it lacks, that the file is at fault."""
    return failed >= _DAMAGED_AT_LEAST and (2 * failed >= cited or past_the_end >= _DAMAGED_AT_LEAST)


def _damaged_line(data: Data, doc: dict, text: SourceText, failed: int, cited: int) -> str:
    """One line for a source text that looks truncated or damaged, instead of one per failing citation."""
    ends = f", its last numbered paragraph is {max(text.paragraphs)}" if text.paragraphs else ""
    return (
        f"{data.where('documents', doc)}: source text {str(doc['file'])!r} looks truncated or damaged: {failed} of "
        f"its {cited} citations fail against it (it holds {len(text.text):,} characters{ends}); restore the file"
    )
