"""Checking every citation in the curated data against the source texts."""

from __future__ import annotations

from pathlib import Path

from lutonkg.load import Data
from lutonkg.sources import check_reference, iter_references, load_texts


def verify(data: Data, sources: Path) -> tuple[list[str], int]:
    """Failures ('file:line: section entry 'id': problem') and the number of citations checked."""
    texts = load_texts(sources)
    failures, checked = [], 0
    for section, entries in sorted(data.sections.items()):
        for entry in entries:
            for _, ref in iter_references(entry):
                checked += 1
                problem = check_reference(ref, texts)
                if problem:
                    failures.append(f"{data.where(section, entry)}: {problem}")
    return failures, checked
