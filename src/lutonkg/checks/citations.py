"""Checking every citation in the curated data against the source texts."""

from __future__ import annotations

from pathlib import Path

import yaml

from lutonkg.data.load import Data
from lutonkg.data.sources import SourceText, check_reference, iter_references, load_source

MANIFEST = "sources.yaml"


def source_texts(data: Data, sources: Path) -> tuple[dict[str, SourceText], list[str]]:
    """The text of every document in documents.yaml, and a failure line for each one that is missing or unreadable."""
    texts, failures = {}, []
    listed = _manifest_files(sources)
    for doc in data["documents"]:
        path = sources / str(doc["file"])
        where = data.where("documents", doc)
        if listed is not None and doc["file"] not in listed:
            failures.append(f"{where}: file {doc['file']!r} is not listed in {sources / MANIFEST}")
        try:
            texts[doc["id"]] = load_source(path, doc["id"])
        except FileNotFoundError:
            failures.append(f"{where}: source text {doc['file']!r} not found in {sources}")
        except (OSError, UnicodeDecodeError) as exc:
            failures.append(f"{where}: cannot read source text {doc['file']!r}: {exc}")
    return texts, failures


def _manifest_files(sources: Path) -> set[str] | None:
    """The file names the sources folder's own manifest (sources.yaml) lists, or None where it has none."""
    try:
        tree = yaml.safe_load((sources / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
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
    """Failures ('file:line: section entry 'id': problem') and the number of citations checked."""
    texts, failures = source_texts(data, sources)
    reconstructed = {(e["doc"], e["loc"]): e["reconstructed"] for e in data["locators"] if "reconstructed" in e}
    checked = 0
    for section, entries in sorted(data.sections.items()):
        for entry in entries:
            for path, ref in iter_references(entry):
                checked += 1
                problem = check_reference(ref, texts, reconstructed)
                if problem:
                    field = _field(path)
                    at = f" (in {field})" if not field.startswith("sources[") else ""
                    failures.append(f"{data.where(section, entry)}: {problem}{at}")
    return failures, checked
