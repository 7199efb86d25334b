"""The review file: the candidates of one document as a curator reads and decides them (YAML), and reading it back
with one-line errors that name the entry at fault."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from lutonkg.curation.suggest import Candidate
from lutonkg.data.load import DataError, LineDict, read_yaml

GROUP_OF = {
    "body-mention": "body-mentions",
    "new-body": "new-bodies",
    "statute": "statutes",
    "recommendation": "recommendations",
    "judgement": "judgements",
    "relationship": "relationships",
    "event": "events",
    "claim": "claims",
}
KIND_OF = {group: kind for kind, group in GROUP_OF.items()}
DECISIONS = ("pending", "accept", "reject")
OWN_WORDS = {"recommendation": "summary", "judgement": "summary", "claim": "statement"}
HEADER = """\
# Review file written by `lutonkg suggest {doc}`{holdout}: candidate facts of {doc}, grouped by kind.
# For each candidate set `decision: accept` or `decision: reject` (`pending` ones are left for later), correct any
# proposed field, and write the `summary` (recommendations, judgements) or `statement` (claims) in your own words:
# `text` and `quote` are the printed passage, to read, never to paste. `loc` and `anchor` are checked as
# `lutonkg verify-sources` checks them; keep anchors short. Then run `lutonkg accept` on this file: accepted
# candidates are merged into graph/data with proper ids (all or nothing, then validated as a build validates),
# and rejected ones are remembered so that `lutonkg suggest` does not propose them again.
"""


class ReviewError(DataError):
    """A review file that cannot be accepted; the message is one line naming the file, line and entry."""


@dataclass
class Decision:
    """One candidate of a review file, as the curator left it."""

    kind: str
    entry: LineDict
    where: str

    @property
    def key(self) -> str:
        """The candidate's key."""
        return str(self.entry["key"])

    @property
    def decision(self) -> str:
        """pending, accept or reject."""
        return str(self.entry.get("decision", "pending"))


@dataclass
class Review:
    """A review file read back."""

    path: Path
    doc: str
    decisions: list[Decision]


def _entry(candidate: Candidate) -> dict:
    """A candidate as a review entry."""
    entry: dict = {"key": candidate.key, "decision": "pending", "score": round(candidate.score, 2)}
    entry.update({"loc": candidate.cite.loc, "anchor": candidate.cite.anchor})
    fields = {k: v for k, v in candidate.fields.items() if v is not None}
    entry.update(fields)
    entry["selector"] = _selector(candidate.cite)
    if candidate.also:
        entry["also"] = [{"loc": c.loc, "anchor": c.anchor, "selector": _selector(c)} for c in candidate.also]
    if "quote" not in fields:
        entry["text"] = candidate.text
    return entry


def _selector(cite: object) -> dict:
    """A citation's W3C selectors as a review field."""
    s = cite.selector
    return {"start": s.start, "end": s.end, "exact": s.exact, "prefix": s.prefix, "suffix": s.suffix}


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Review files: selectors and citations on one line each, text with line breaks double-quoted."""


def _represent_dict(dumper: yaml.SafeDumper, value: dict) -> yaml.MappingNode:
    """A selector or a short citation in flow style, other mappings in block style."""
    flow = set(value) <= {"start", "end", "exact", "prefix", "suffix"} or set(value) <= {"doc", "loc", "anchor"}
    return dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=flow)


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    """Text, double-quoted when it holds a line break or a tab."""
    style = '"' if ("\n" in text or "\t" in text) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(dict, _represent_dict)
_Dumper.add_representer(str, _represent_text)


def render(doc: str, candidates: list[Candidate], holdout: str | None = None) -> str:
    """The text of a review file."""
    groups: dict[str, list[dict]] = {}
    for candidate in candidates:
        groups.setdefault(GROUP_OF[candidate.kind], []).append(_entry(candidate))
    tree = {"doc": doc, "holdout": holdout, "candidates": groups}
    note = f" --holdout {holdout}" if holdout else ""
    body = yaml.dump(tree, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=120)
    return HEADER.format(doc=doc, holdout=note) + body


def read_review(path: Path, documents: set[str]) -> Review:
    """A review file read back; ReviewError (one line naming the entry) when it is malformed."""
    try:
        tree = read_yaml(path)
    except DataError as exc:
        raise ReviewError(str(exc)) from None
    where = str(path)
    if not isinstance(tree, dict) or not isinstance(tree.get("candidates"), dict | None):
        raise ReviewError(f"{where}: not a review file (expected `doc:` and `candidates:`, as `lutonkg suggest` "
                          "writes them)")  # fmt: skip
    doc = tree.get("doc")
    if doc not in documents:
        raise ReviewError(f"{where}:{getattr(tree, 'line', 1)}: doc {doc!r} is not a document of the project "
                          "(documents.yaml)")  # fmt: skip
    decisions, keys = [], set()
    for group, entries in (tree.get("candidates") or {}).items():
        kind = KIND_OF.get(group)
        if kind is None:
            raise ReviewError(f"{where}: unknown group {group!r} (expected one of {', '.join(KIND_OF)})")
        if not isinstance(entries, list):
            raise ReviewError(f"{where}: group {group!r} must be a list of candidates")
        for n, entry in enumerate(entries, start=1):
            decisions.append(_decision(where, group, kind, n, entry, keys))
    return Review(path, str(doc), decisions)


def _decision(where: str, group: str, kind: str, n: int, entry: object, keys: set[str]) -> Decision:
    """One entry checked for the fields every candidate has."""
    if not isinstance(entry, dict):
        raise ReviewError(f"{where}: {group} item {n} is not a mapping of fields")
    line = getattr(entry, "line", 0)
    name = entry.get("key", f"{group} item {n}")
    at = f"{where}:{line}: candidate {name!r}"
    if not isinstance(entry.get("key"), str) or not entry["key"]:
        raise ReviewError(f"{at}: missing its `key` (leave the key `lutonkg suggest` wrote)")
    if entry["key"] in keys:
        raise ReviewError(f"{at}: the key is given twice in this file")
    keys.add(entry["key"])
    if entry.get("decision", "pending") not in DECISIONS:
        raise ReviewError(f"{at}: decision {entry.get('decision')!r} is not one of {', '.join(DECISIONS)}")
    for field in ("loc", "anchor"):
        if not isinstance(entry.get(field), str) or not entry[field].strip():
            raise ReviewError(f"{at}: field {field!r} must be non-empty text")
    return Decision(kind, entry, at)
