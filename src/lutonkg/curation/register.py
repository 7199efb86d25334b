"""`lutonkg sources add`: register a new document in a project - its text in the sources folder, its metadata in
documents.yaml (appended; the other entries untouched) - and read its structure."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from lutonkg.curation import merge
from lutonkg.curation.places import Placer
from lutonkg.curation.structure import Structure, read_structure
from lutonkg.data.files import FileProblem
from lutonkg.data.load import DataError, load_data
from lutonkg.data.sources import SourceText, load_source
from lutonkg.project import Project


@dataclass
class Registration:
    """What `sources add` was asked to record."""

    file: Path
    doc: str
    title: str
    date: str
    kind: str
    publishers: list[str]
    authority: str | None = None
    short_title: str | None = None
    reference: str | None = None
    reports: list[str] | None = None  # the inspections (inspections.yaml) the document is the report of


def register(project: Project, request: Registration, sources: Path | None = None) -> Structure:
    """Copy the text into the sources folder, append the document to documents.yaml (checked as a load checks it:
    nothing is written on a problem) and return its structure. DataError (one line) on a problem."""
    folder = sources or project.sources_dir() or project.root / (project.sources or "sources")
    try:
        text = load_source(request.file.resolve(), request.doc)
    except (FileProblem, UnicodeDecodeError) as exc:
        raise DataError(f"{request.file}: cannot read the document's text: {exc}") from None
    structure = read_structure(text)
    edits = merge.Edits(project.data_dir)
    authorities = {str(d["authority"]) for d in edits.entries("documents") if d.get("authority")}
    entry = _entry(project, request, structure, authorities.pop() if len(authorities) == 1 else None)
    if any(d["id"] == request.doc for d in edits.entries("documents")):
        raise DataError(f"document id {request.doc!r} is already registered in documents.yaml")
    edits.append("documents", entry)
    texts = edits.results()
    with tempfile.TemporaryDirectory(prefix="lutonkg-sources-") as scratch:
        copy = Path(scratch) / "data"
        shutil.copytree(project.data_dir, copy)
        for name, content in texts.items():
            (copy / name).write_text(content, encoding="utf-8")
        try:
            load_data(copy)  # the new entry keeps to the schema and names known bodies and kinds
        except DataError as exc:
            raise DataError(str(exc).replace(str(copy), str(project.data_dir))) from None
    target = folder / request.file.name
    if target.exists() and target.read_bytes() != request.file.read_bytes():
        raise DataError(f"{target} exists with other content: rename the file or remove the old one")
    _write(project.data_dir, texts, folder, target, request)
    return structure


def _write(data_dir: Path, texts: dict[str, str], folder: Path, target: Path, request: Registration) -> None:
    """Copy the text and list it in the manifest, then write the data; on any failure, undo the copy and the
    listing, so the project is left as it was."""
    from lutonkg.checks.citations import MANIFEST

    manifest = folder / MANIFEST
    before = manifest.read_bytes() if manifest.is_file() else None
    copied, made = not target.exists(), not folder.exists()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if copied:
            shutil.copyfile(request.file, target)
        _add_to_manifest(folder, request)
        merge.write_all(data_dir, texts)
    except BaseException:
        if copied:
            target.unlink(missing_ok=True)
        if before is not None and manifest.read_bytes() != before:
            manifest.write_bytes(before)
        if made:
            shutil.rmtree(folder, ignore_errors=True)
        raise


def _entry(project: Project, request: Registration, structure: Structure, shared: str | None) -> dict:
    """The documents.yaml entry, with a citation of the document's own title where the text prints it; the authority
    is the one asked for, else the project's, else the one every registered document is about."""
    entry: dict = {"id": request.doc, "file": request.file.name, "title": request.title}
    if request.short_title:
        entry["short_title"] = request.short_title
    entry.update({"kind": request.kind, "date": request.date, "publishers": request.publishers})
    authority = request.authority or project.authority or shared
    if not authority:
        raise DataError("name the local authority the document is about (--authority, or `authority` in "
                        "lutonkg.toml)")  # fmt: skip
    entry["authority"] = authority
    entry["reports"] = list(request.reports or [])
    if request.reference:
        entry["reference"] = request.reference
    entry["sources"] = [_title_citation(structure, request)]
    return entry


def _title_citation(structure: Structure, request: Registration) -> dict:
    """A citation of the document by its first heading (its title page): the first heading the placer can cite."""
    placer = Placer(structure)
    for segment in structure.segments[:40]:
        cite = placer.cite(segment, words=8)
        if cite is not None:
            return cite.reference(request.doc)
    raise DataError(f"{request.file}: no heading or sentence near the start of the text can be cited")


def _add_to_manifest(folder: Path, request: Registration) -> None:
    """List the file in the sources folder's manifest (sources.yaml), when there is one and it does not yet."""
    from lutonkg.checks.citations import MANIFEST, _manifest_files

    listed = _manifest_files(folder)
    if listed is None or request.file.name in listed:
        return
    path = folder / MANIFEST
    text = path.read_text(encoding="utf-8")
    entry = merge.dump([{"file": request.file.name, "title": request.title, "date": request.date,
                         "kind": request.kind}]).rstrip("\n")  # fmt: skip
    indent = "  " if "\n  - file:" in text else ""
    addition = "\n".join(indent + line for line in entry.split("\n"))
    handle, temp = tempfile.mkstemp(dir=folder, prefix=".sources.", suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text.rstrip("\n") + "\n" + addition + "\n")
    os.replace(temp, path)


def describe(structure: Structure) -> list[str]:
    """The structure as a curator reads it: the locators a citation can use, then what the reader repaired."""
    from lutonkg.curation.structure import outline

    source: SourceText = structure.source
    lines = [f"{source.doc}: {len(source.text):,} characters, {len(structure.segments)} sentences, bullets and cells"]
    lines += outline(structure)
    repairs = structure.repairs()
    lines.append("repairs:" if repairs else "repairs: none needed")
    lines += [f"  - {r}" for r in repairs]
    return lines
