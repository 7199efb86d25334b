"""Editing the curated YAML files as text, so that everything not changed stays byte for byte as the curators wrote
it (comments, order, line wrapping): new entries are appended at the end of their section, new citations after the
last citation of an entry's `sources`. Every edited file is parsed again and compared with the intended tree."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from lutonkg.data.load import DataError, LineDict, _Loader, schema

_TOP_KEY = re.compile(r"^[A-Za-z_][\w-]*:")


class MergeError(DataError):
    """An edit that cannot be made safely; one line."""


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """New entries written as the data files write them: block mappings, citations on one line."""


def _represent_dict(dumper: yaml.SafeDumper, value: dict) -> yaml.MappingNode:
    """A citation ({doc, loc, anchor}) or a small mapping of ids in flow style, others in block style."""
    flow = set(value) <= {"doc", "loc", "anchor"} or (set(value) <= {"id", "label"} and len(value) == 2)
    return dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=flow)


_Dumper.add_representer(dict, _represent_dict)


def dump(value: object, width: int = 120) -> str:
    """YAML text of a value in the data files' style."""
    return yaml.dump(value, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=width)


def file_of(section: str) -> str:
    """The data file a section lives in."""
    for name, sections in schema()["files"].items():
        if section in sections:
            return name
    raise MergeError(f"no data file holds section {section!r}")


@dataclass
class FileEdit:
    """The edits of one data file: entries to append per section, citations to add per entry."""

    name: str
    text: str
    tree: dict
    appends: dict[str, list[dict]] = field(default_factory=dict)
    citations: list[tuple[str, str, dict]] = field(default_factory=list)  # (section, entry id, citation)


class Edits:
    """Every edit of one accept, file by file."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.files: dict[str, FileEdit] = {}

    def _file(self, section: str) -> FileEdit:
        """The edit of the file holding a section (read once)."""
        name = file_of(section)
        if name not in self.files:
            text = (self.data_dir / name).read_text(encoding="utf-8")
            self.files[name] = FileEdit(name, text, yaml.load(text, Loader=_Loader))  # noqa: S506 - a safe loader
        return self.files[name]

    def append(self, section: str, entry: dict) -> None:
        """Append a new entry to a section."""
        self._file(section).appends.setdefault(section, []).append(entry)

    def cite(self, section: str, entry_id: str, citation: dict) -> None:
        """Add a citation to an existing entry's `sources`."""
        self._file(section).citations.append((section, entry_id, citation))

    def entries(self, section: str) -> list[dict]:
        """A section's entries as the file holds them now, with those appended in this accept."""
        edit = self._file(section)
        return list(edit.tree.get(section) or []) + edit.appends.get(section, [])

    def results(self) -> dict[str, str]:
        """The new text of every edited file, each checked by parsing it again."""
        return {name: _apply(edit) for name, edit in self.files.items() if edit.appends or edit.citations}


def _apply(edit: FileEdit) -> str:
    """One file's new text; MergeError when the edited text does not parse to the intended tree."""
    lines = edit.text.split("\n")
    inserts: list[tuple[int, int, list[str], int]] = []  # (line index, order, new lines, lines replaced)
    grouped: dict[tuple[str, str], list[dict]] = {}
    for section, entry_id, citation in edit.citations:
        grouped.setdefault((section, entry_id), []).append(citation)
    for (section, entry_id), citations in grouped.items():
        inserts.append((*_citation_insert(edit, lines, section, entry_id, citations), 0))
    for section, entries in edit.appends.items():
        inserts.append((*_append_insert(lines, section, entries), 1))
    # bottom up, so that line numbers above stay right; at one line, appended entries go in first, so that a
    # citation for the entry before them is inserted above them
    for at, new, replaced, _ in sorted(inserts, key=lambda x: (x[0], x[3]), reverse=True):
        lines[at : at + replaced] = new
    text = "\n".join(lines)
    expected = _intended(edit)
    if _plain(yaml.load(text, Loader=_Loader)) != _plain(expected):  # noqa: S506 - a safe loader
        raise MergeError(f"{edit.name}: the edit could not be made safely (the file's layout is unusual); "
                         "add the accepted facts by hand")  # fmt: skip
    return text


def _intended(edit: FileEdit) -> dict:
    """The tree the edited file must parse to."""
    tree = _plain(edit.tree)
    for section, entry_id, citation in edit.citations:
        entry = next(e for e in tree[section] if e.get("id") == entry_id)
        entry["sources"] = list(entry.get("sources") or []) + [citation]
    for section, entries in edit.appends.items():
        tree[section] = list(tree.get(section) or []) + [_plain(e) for e in entries]
    return tree


def _plain(node: object) -> object:
    """A parsed tree as plain dicts and lists."""
    if isinstance(node, dict):
        return {k: _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return copy.copy(node)


def _section_span(lines: list[str], section: str) -> tuple[int, int]:
    """The line index of a section's key and the index just after its last line of content."""
    key = next((k for k, line in enumerate(lines) if line.startswith(f"{section}:")), None)
    if key is None:
        raise MergeError(f"section {section!r} not found")
    end = next((k for k in range(key + 1, len(lines)) if _TOP_KEY.match(lines[k])), len(lines))
    while end > key + 1 and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
        end -= 1
    return key, end


def _append_insert(lines: list[str], section: str, entries: list[dict]) -> tuple[int, list[str], int]:
    """Where and what to insert to append entries to a section."""
    key, end = _section_span(lines, section)
    rest = lines[key][len(section) + 1 :].strip()
    if rest in ("[]", "null", "~"):
        return key, [f"{section}:"] + _indented(dump(entries), 0), 1
    if rest and not rest.startswith("#"):
        raise MergeError(f"section {section!r} is written in flow style; add the accepted facts by hand")
    indent = next((len(x) - len(x.lstrip()) for x in lines[key + 1 : end] if x.lstrip().startswith("- ")), 0)
    return end, _indented(dump(entries), indent), 0


def _indented(text: str, indent: int) -> list[str]:
    """The lines of a YAML text, indented."""
    return [(" " * indent + line) if line else line for line in text.rstrip("\n").split("\n")]


def _citation_insert(
    edit: FileEdit, lines: list[str], section: str, entry_id: str, citations: list[dict]
) -> tuple[int, list[str], int]:
    """Where and what to insert to add citations to an entry's sources."""
    entries = edit.tree.get(section) or []
    index = next((k for k, e in enumerate(entries) if e.get("id") == entry_id), None)
    if index is None:
        raise MergeError(f"{edit.name}: {section} entry {entry_id!r} not found")
    first = entries[index].line - 1
    _, section_end = _section_span(lines, section)
    last = entries[index + 1].line - 1 if index + 1 < len(entries) else section_end
    column = lines[first].index("id:") if "id:" in lines[first] else len(lines[first]) - len(lines[first].lstrip())
    pattern = re.compile(rf"^ {{{column}}}sources:\s*(.*)$")
    at = next((k for k in range(first, last) if pattern.match(lines[k])), None)
    flows = [dump([citation], width=10_000).strip()[2:] for citation in citations]
    if at is None:
        raise MergeError(f"{edit.name}: {section} entry {entry_id!r} has no `sources` to add to")
    rest = pattern.match(lines[at]).group(1).strip()
    if rest.startswith("["):
        end = at
        while end < last and not _parses(lines[at : end + 1]):
            end += 1
        items = [dump([item], width=10_000).strip() for item in entries[index]["sources"]]
        block = [" " * column + "sources:"] + [" " * column + item for item in items]
        return at, block + [" " * column + "- " + flow for flow in flows], end - at + 1
    k = at + 1
    item_indent = None
    while k < last:
        line = lines[k]
        depth = len(line) - len(line.lstrip())
        if line.lstrip().startswith("- ") and (item_indent is None or depth == item_indent) and depth >= column:
            item_indent = depth
        elif not line.strip() or (item_indent is not None and depth > item_indent):
            pass
        else:
            break
        k += 1
    while k > at + 1 and not lines[k - 1].strip():
        k -= 1
    indent = item_indent if item_indent is not None else column
    return k, [" " * indent + "- " + flow for flow in flows], 0


def _parses(lines: list[str]) -> bool:
    """Whether a `sources: [...]` value spread over lines is complete."""
    try:
        value = yaml.safe_load("\n".join(line.strip() for line in lines))
    except yaml.YAMLError:
        return False
    return isinstance(value, dict) and isinstance(value.get("sources"), list)


def write_all(data_dir: Path, texts: dict[str, str]) -> None:
    """Replace the edited files (each written beside itself, then renamed over it); on a failure part-way, the
    files already replaced are put back."""
    import os
    import tempfile

    done: list[tuple[Path, bytes]] = []
    try:
        for name, text in texts.items():
            path = data_dir / name
            before = path.read_bytes()
            handle, temp = tempfile.mkstemp(dir=data_dir, prefix=f".{name}.", suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            os.chmod(temp, path.stat().st_mode & 0o777)
            os.replace(temp, path)
            done.append((path, before))
    except BaseException:
        for path, before in done:
            path.write_bytes(before)
        for leftover in data_dir.glob(".*.tmp"):
            leftover.unlink(missing_ok=True)
        raise


__all__ = ["Edits", "LineDict", "MergeError", "dump", "file_of", "write_all"]
