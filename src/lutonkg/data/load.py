"""Reading and checking the curated YAML files: every data mistake becomes one line naming file and entry."""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import hashlib
import importlib
import json
import os
import re
import sys
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Protocol

import yaml

from lutonkg.data.files import FileProblem, read_regular_file
from lutonkg.data.yamltree import LineDict, NotPlain, read_plain
from lutonkg.namespaces import PREFIXES
from lutonkg.resources import schema_text

if TYPE_CHECKING:
    import jsonschema


# the optional libraries jsonschema's format checkers import when present (jsonschema/_format.py); the schema uses no
# `format`, so none is needed, and they cost 0.05 s to import (the IRI grammar of rfc3987_syntax 1.2 s)
_FORMAT_LIBRARIES = (
    "fqdn", "idna", "isoduration", "jsonpointer", "rfc3339_validator", "rfc3986_validator", "rfc3987",
    "rfc3987_syntax", "uri_template", "webcolors",
)  # fmt: skip


@cache
def _import_jsonschema() -> ModuleType:
    """jsonschema without the optional libraries of its format checkers (_FORMAT_LIBRARIES); our schema uses none.
    Imported when a file is first validated (0.05 s): a build whose files all come from the build cache needs none."""
    blocked = [name for name in _FORMAT_LIBRARIES if name not in sys.modules]
    for name in blocked:
        sys.modules[name] = None  # type: ignore[assignment]  # an import of it fails: jsonschema skips that checker
    try:
        return importlib.import_module("jsonschema")
    finally:
        for name in blocked:
            del sys.modules[name]


class DataError(Exception):
    """A problem in the curated data, described in one line that names the file, the line and the entry."""


_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe YAML loader (libyaml when available) that keeps dates as text and records line numbers."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    """Build a LineDict, refusing duplicate keys, which YAML would otherwise silently overwrite."""
    mapping = LineDict()
    mapping.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, Hashable):
            raise yaml.MarkedYAMLError(problem="a mapping key must be plain text", problem_mark=key_node.start_mark)
        if key in mapping:
            raise yaml.MarkedYAMLError(problem=f"duplicate key {key!r}", problem_mark=key_node.start_mark)
        mapping[key] = loader.construct_object(value_node, deep=True)
    return mapping


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def display_path(path: Path) -> str:
    """A path as a person would want to see it in an error: relative to the current folder when inside it."""
    try:
        return str(Path(os.path.abspath(path)).relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def read_yaml(path: Path) -> object:
    """Parse one data file, turning every problem (unreadable, too big, malformed) into a one-line DataError."""
    return parse_yaml(read_bytes(path), display_path(path))


def read_bytes(path: Path) -> bytes:
    """The bytes of one data file; a one-line DataError when it is unreadable or too big."""
    try:
        return read_regular_file(path, limits()["file_bytes"])
    except FileProblem as exc:
        raise DataError(f"{display_path(path)}: the data file {exc}") from None


def parse_yaml(raw: bytes, where: str) -> object:
    """Parse the bytes of a data file (`where` names it in messages); a one-line DataError when malformed.

    A plain file is read in one pass (lutonkg.data.yamltree); any other, the careful way (parse_careful)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        byte = raw[exc.start]
        raise DataError(f"{where}:{line}: not UTF-8 text (byte {byte:#04x}): save the file as UTF-8") from None
    if text.strip() and not text.endswith("\n"):
        raise DataError(
            f"{where}:{text.count(chr(10)) + 1}: the file ends in the middle of a line, so it looks cut off "
            "(truncated); restore it, or end its last line with a line break"
        )
    with contextlib.suppress(NotPlain):
        return read_plain(text, _Loader, limits()["depth"])
    return parse_careful(text, where)


def parse_careful(text: str, where: str) -> object:
    """Parse a data file's text with the YAML library, after refusing anchors, aliases and deep nesting from the
    parser's events; a one-line DataError naming what is wrong and where."""
    try:
        _check_structure(text, where)
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a safe loader
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(text, where, exc) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        raise DataError(f"{where}:{line}: malformed YAML: character {chr(exc.character)!r} is not allowed") from None
    except yaml.YAMLError as exc:
        raise DataError(f"{where}: malformed YAML: {_one_line(exc)}") from None
    except (ValueError, OverflowError, RecursionError) as exc:  # e.g. an integer of more than 4300 digits
        raise _value_error(text, where, exc) from None


def _value_error(text: str, where: str, exc: Exception) -> DataError:
    """One line for a value the YAML reader cannot make, such as a number too long for Python's integers."""
    long_number = re.search(r"\d{4301,}", text)
    if long_number is not None:
        line = text.count("\n", 0, long_number.start()) + 1
        digits = len(long_number.group())
        return DataError(
            f"{where}:{line}: malformed YAML: a number of {digits} digits (at most 4300); quote it if it is text"
        )
    return DataError(f"{where}: malformed YAML: {_one_line(exc)[:160]}")


def limits() -> dict[str, int]:
    """The limits a data file must keep to (schema.yaml `limits`): its size in bytes and its nesting depth."""
    return schema()["limits"]


_OPEN = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_CLOSE = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


def _check_structure(text: str, where: str) -> None:
    """Refuse YAML anchors and aliases and over-deep nesting, from the parser's events (before building anything).

    Aliases let a small file expand exponentially (a 'billion laughs'); deep nesting exhausts the stack of the
    composer (a segmentation fault at 100,000 levels). Reading events uses neither.
    """
    most = limits()["depth"]
    try:
        _walk_events(text, where, most)
    except yaml.MarkedYAMLError as exc:  # libyaml 0.2.5 has its own nesting limit (1000): same message as ours
        if "nesting depth" not in str(exc):
            raise
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        raise DataError(f"{where}:{line}: malformed YAML: lists and mappings nested more than {most} deep") from None


def _walk_events(text: str, where: str, most: int) -> None:
    """Read the parser's events, refusing anchors, aliases and nesting deeper than `most`."""
    depth = 0
    for event in yaml.parse(text, Loader=_BaseLoader):
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            sign = "*" if isinstance(event, yaml.AliasEvent) else "&"
            raise DataError(
                f"{where}:{line}: malformed YAML: {sign}{event.anchor} is a YAML {'alias' if sign == '*' else 'anchor'}"
                ", which data files do not use: write the value out (text starting with & or * needs quotes)"
            )
        if isinstance(event, _OPEN):
            depth += 1
            if depth > most:
                raise DataError(f"{where}:{line}: malformed YAML: lists and mappings nested more than {most} deep")
        elif isinstance(event, _CLOSE):
            depth -= 1


_KEY_LINE = re.compile(r"^\s*(?:-\s+)?[A-Za-z_][\w-]*:(?:\s|$)")


def _syntax_error(text: str, where: str, exc: yaml.MarkedYAMLError) -> DataError:
    """One line for a YAML syntax error, at the quote that started it when a quoted text ran on past its line."""
    mark = exc.problem_mark or exc.context_mark
    problem = _one_line(exc.problem or exc.context)
    if exc.context and exc.problem and not exc.context.startswith("while "):  # e.g. 'expected a single document'
        problem = _one_line(f"{exc.context} {exc.problem}")
    if exc.context and "quoted scalar" in exc.context and exc.context_mark is not None:
        line = exc.context_mark.line + 1
        return DataError(f"{where}:{line}: malformed YAML: a quote opened on this line is never closed ({problem})")
    runaway = _runaway_quote(text, mark.line if mark else text.count("\n"))
    if runaway is not None:
        start, end = runaway
        return DataError(
            f"{where}:{start}: malformed YAML: a quote opened on this line is not closed on it (the quoted text runs "
            f"on to line {end}, and the reader then stops: {problem})"
        )
    return DataError(f"{where}{f':{mark.line + 1}' if mark else ''}: malformed YAML: {problem}")


def _runaway_quote(text: str, before: int) -> tuple[int, int] | None:
    """(first, last line) of a quoted text that swallows lines looking like `key:` lines, starting before a line."""
    lines = text.split("\n")
    try:
        for token in yaml.scan(text, Loader=_BaseLoader):
            if token.start_mark.line > before:
                break
            quoted = isinstance(token, yaml.ScalarToken) and token.style in ('"', "'")
            first, last = token.start_mark.line, token.end_mark.line
            if quoted and last > first and any(_KEY_LINE.match(line) for line in lines[first + 1 : last + 1]):
                return first + 1, last + 1
    except yaml.YAMLError:
        return None
    return None


def _one_line(text: object) -> str:
    """Text with its white space (newlines included) collapsed, for one-line messages."""
    return " ".join(str(text).split())


@cache
def schema() -> dict:
    """The data schema shipped with the package."""
    return yaml.load(schema_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - safe loader


class Memo(Protocol):
    """Somewhere to keep what reading a data file gave, by a key (lutonkg.build.cache.Cache is one)."""

    def get(self, kind: str, key: str) -> bytes | None: ...

    def put(self, kind: str, key: str, payload: bytes) -> None: ...


class _Unkept(Exception):
    """A value that the memo's JSON form cannot hold (the file is then read afresh each time)."""


def _freeze(node: object) -> object:
    """A parsed YAML tree as JSON: a mapping as {"m": line, "kv": [key, value, ...]}, a list as {"l": [...]}."""
    if isinstance(node, dict):
        pairs: list[object] = []
        for key, value in node.items():
            pairs += [_freeze(key), _freeze(value)]
        return {"m": getattr(node, "line", 0), "kv": pairs}
    if isinstance(node, list):
        return {"l": [_freeze(item) for item in node]}
    if node is None or isinstance(node, str | int | float):
        return node
    raise _Unkept


def _thaw(node: object) -> object:
    """The tree _freeze() was given."""
    if not isinstance(node, dict):
        return node
    if "l" in node:
        return [_thaw(item) for item in node["l"]]
    mapping = LineDict()
    mapping.line = node["m"]
    pairs = node["kv"]
    for index in range(0, len(pairs), 2):
        mapping[_thaw(pairs[index])] = _thaw(pairs[index + 1])
    return mapping


@cache
def _memo_salt() -> bytes:
    """What a file's checked reading depends on besides its bytes: the schema and this module's code."""
    return hashlib.sha256(schema_text().encode("utf-8") + Path(__file__).read_bytes()).digest()


def _memo_key(raw: bytes) -> str:
    """The memo key of a data file's bytes."""
    return hashlib.sha256(_memo_salt() + raw).hexdigest()


@dataclass
class Data:
    """The curated data: entries by section, the file each section came from, and the vocabularies."""

    sections: dict[str, list[LineDict]] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)
    schemes: dict[str, LineDict] = field(default_factory=dict)
    # the optional, generated selectors.yaml: W3C selectors by cited (doc, loc, anchor) (lutonkg.data.selectors)
    selectors: dict[tuple[str, str, str], LineDict] = field(default_factory=dict)
    selectors_file: Path | None = None

    def __getitem__(self, section: str) -> list[LineDict]:
        return self.sections.get(section, [])

    def where(self, section: str, entry: LineDict | None = None) -> str:
        """'file:line: section entry 'id'' for messages about an entry."""
        path = display_path(self.files.get(section, Path(section)))
        if entry is None:
            return path
        name = entry.get("id") if isinstance(entry, dict) and isinstance(entry.get("id"), str) else "?"
        return f"{path}:{getattr(entry, 'line', 0)}: {section} entry {name!r}"

    def by_id(self, section: str) -> dict[str, LineDict]:
        """Entries of a section keyed by id."""
        return {e["id"]: e for e in self[section]}

    def bodies(self) -> dict[str, LineDict]:
        """Every body-like entry (bodies and schools) by id, schools given the body type 'school'."""
        found = {e["id"]: e for e in self["bodies"]}
        for school in self["schools"]:
            found[school["id"]] = school
        return found

    def body_type(self, body_id: str) -> str | None:
        """The body-type id of a body or school."""
        bodies, schools = self["bodies"], self["schools"]
        shape = (id(bodies), len(bodies), id(schools), len(schools))
        if getattr(self, "_types_of", (None, {}))[0] != shape:  # the sections changed (or first use): index again
            self._types_of = (shape, {b: e.get("type", "school") for b, e in self.bodies().items()})
        return self._types_of[1].get(body_id)

    def concept_ids(self, scheme: str) -> set[str]:
        """The concept ids of one vocabulary scheme."""
        return {c["id"] for c in self.schemes.get(scheme, {}).get("concepts", [])}


def _inline(node: object, defs: dict) -> object:
    """A schema with every '#/$defs/x' reference replaced by its definition (resolving $refs is slow)."""
    if isinstance(node, dict):
        if set(node) == {"$ref"}:
            return _inline(defs[node["$ref"].rsplit("/", 1)[-1]], defs)
        return {key: _inline(value, defs) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline(value, defs) for value in node]
    return node


@cache
def _whole_text_pattern(pattern: str) -> re.Pattern:
    """A schema pattern compiled so that a final `$` means the end of the text, as in JSON Schema (ECMA-262).

    Python's `$` also matches before a final line break, which would let 'luton-lea\\n' pass as a slug.
    """
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + r"\Z"
    return re.compile(pattern)


def _pattern(validator: object, pattern: str, instance: object, schema: dict) -> Iterator[jsonschema.ValidationError]:
    """The `pattern` keyword with whole-text anchoring (see _whole_text_pattern)."""
    if isinstance(instance, str) and not _whole_text_pattern(pattern).search(instance):
        yield _import_jsonschema().ValidationError(f"{instance!r} does not match {pattern!r}")


@cache
def _validator(section: str) -> jsonschema.Draft202012Validator:
    """A JSON Schema validator for one entry of a section."""
    return _validator_class()(_inline(schema()["sections"][section], schema()["defs"]))


@cache
def _validator_class() -> type[jsonschema.Draft202012Validator]:
    """JSON Schema 2020-12 with whole-text `pattern`s."""
    jsonschema = _import_jsonschema()
    return jsonschema.validators.extend(jsonschema.Draft202012Validator, {"pattern": _pattern})


_TYPE_NAMES = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping",
}
_SLUG_PATTERN = "^[a-z0-9]+(-[a-z0-9]+)*$"
_VALUE_RULES = {
    "enum": lambda v: "must be one of " + ", ".join(map(str, v)),
    "pattern": lambda v: "ids are lower-case letters and digits joined by hyphens" if v == _SLUG_PATTERN else f"{v}",
    "minLength": lambda v: "must not be empty",
    "minItems": lambda v: "must list at least one item",
    "minimum": lambda v: f"must be at least {v}",
    "maximum": lambda v: f"must be at most {v}",
}


def _kind(value: object) -> str:
    """What kind of YAML value something is, in a curator's words."""
    if value is None or isinstance(value, bool):
        return "empty" if value is None else str(value).lower()
    names = {str: "text", int: "a whole number", float: "a number", list: "a list", dict: "a mapping"}
    return next((name for kind, name in names.items() if isinstance(value, kind)), type(value).__name__)


def _short_repr(value: object, limit: int = 60) -> str:
    """repr() cut to a readable length."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def field_path(parts: Iterable[str | int]) -> str:
    """A field's place in an entry as a curator counts: 'founded.sources[1].anchor' (lists from 1)."""
    text = ""
    for part in parts:
        text += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _schema_message(error: jsonschema.ValidationError) -> str:
    """Turn a jsonschema error into a short phrase naming the field."""
    where = field_path(error.absolute_path)
    field = f"field {where!r}" if where else "entry"
    rule, value = error.validator, error.validator_value
    if rule == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})), key=str)
        return f"unknown field {', '.join(map(repr, extra))}" + (f" in {where}" if where else "")
    if rule == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return f"missing required field {missing!r}" + (f" in {where}" if where else "")
    if rule == "type":
        wanted = " or ".join(_TYPE_NAMES.get(t, t) for t in (value if isinstance(value, list) else [value]))
        return f"{field} must be {wanted}, not {_kind(error.instance)}"
    if rule in _VALUE_RULES:
        return f"{field}: invalid value {_short_repr(error.instance)} ({_VALUE_RULES[rule](value)})"
    if rule == "anyOf" and all(set(alt) == {"required"} for alt in value):
        return "needs at least one of the fields " + ", ".join(repr(f) for alt in value for f in alt["required"])
    if rule == "anyOf":
        return f"{field}: invalid value {_short_repr(error.instance)} (a date is YYYY, YYYY-MM or YYYY-MM-DD)"
    return f"{field}: {_short_repr(_one_line(error.message), 160)}"


def _read_files(data_dir: Path, memo: Memo | None = None) -> tuple[Data, dict[str, tuple[str, bytes]], set[str]]:
    """Read every data file the schema knows, checking its top-level shape; also what to keep in the memo for files
    read afresh (name: (key, frozen tree)), and the sections whose entries the memo says already passed the schema."""
    data = Data()
    fresh: dict[str, tuple[str, bytes]] = {}
    checked: set[str] = set()
    spec = schema()
    if not data_dir.is_dir():
        raise DataError(f"{display_path(data_dir)}: data folder not found")
    for name in sorted(p.name for p in data_dir.glob("*.yaml")):
        if name not in spec["files"] and name not in spec.get("generated", {}):
            raise DataError(
                f"{display_path(data_dir / name)}: unknown data file (expected one of {', '.join(spec['files'])}, "
                f"or the generated {', '.join(spec.get('generated', {}))})"
            )
    for name, sections in spec["files"].items():
        path = data_dir / name
        if not os.path.lexists(path):
            raise DataError(
                f"{display_path(path)}: required data file is missing (every data file must exist; "
                f"one with no entries yet holds `{sections[0]}: []`)"
            )
        tree = _read_tree(path, name, memo, fresh)
        if name not in fresh and memo is not None:
            checked.update(sections)
        if not isinstance(tree, dict):
            found = "the file is empty" if tree is None else f"found {_kind(tree)}"
            raise DataError(f"{display_path(path)}: {found}; expected a mapping with keys {', '.join(sections)}")
        for key in tree:
            if key not in sections:
                raise DataError(
                    f"{display_path(path)}:{tree.line}: unknown section {key!r} (expected {', '.join(sections)})"
                )
        for section in sections:
            data.files[section] = path
            value = tree.get(section)
            if section == "schemes":
                if not isinstance(value, dict):
                    raise DataError(f"{display_path(path)}: 'schemes' must be a mapping of scheme ids")
                data.schemes = value
            elif value is None:
                data.sections[section] = []
            elif not isinstance(value, list):
                raise DataError(f"{display_path(path)}:{tree.line}: section {section!r} must be a list of entries")
            else:
                data.sections[section] = value
    return data, fresh, checked


def _read_tree(path: Path, name: str, memo: Memo | None, fresh: dict[str, tuple[str, bytes]]) -> object:
    """One file's tree: from the memo when it holds these bytes, else parsed (and its frozen form noted in fresh)."""
    if memo is None:
        return read_yaml(path)
    raw = read_bytes(path)
    key = _memo_key(raw)
    kept = memo.get(f"data-{name}", key)
    if kept is not None:
        try:
            return _thaw(json.loads(kept))
        except (ValueError, KeyError, TypeError, IndexError):
            pass  # a damaged entry: read the file afresh
    tree = parse_yaml(raw, display_path(path))
    with contextlib.suppress(_Unkept, ValueError):  # a value JSON cannot hold: this file is not kept
        fresh[name] = (key, json.dumps(_freeze(tree), ensure_ascii=False).encode("utf-8"))
    return tree


def _check_shapes(data: Data, checked: set[str] = frozenset()) -> None:  # type: ignore[assignment]
    """Validate each entry against its JSON Schema (but the sections in `checked`, whose files passed before)."""
    for name, scheme in data.schemes.items() if "schemes" not in checked else ():
        errors = sorted(_validator("schemes").iter_errors(scheme), key=lambda e: list(e.absolute_path))
        where = f"{data.where('schemes')}:{getattr(scheme, 'line', 0)}: schemes entry {name!r}"
        if errors:
            raise DataError(f"{where}: {_schema_message(errors[0])}")
        _refuse_bad_characters(scheme, where)
    for section, entries in data.sections.items():
        if section in checked:
            continue
        validator = _validator(section)
        for index, entry in enumerate(entries):
            if not isinstance(entry, dict):
                raise DataError(
                    f"{data.where(section)}: {section} item {index + 1} is {_kind(entry)} ({_short_repr(entry)}), "
                    "not a mapping of fields"
                )
            errors = sorted(
                validator.iter_errors(entry), key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path)))
            )
            if errors:
                raise DataError(f"{data.where(section, entry)}: {_schema_message(errors[0])}")
            if _first_bad_character(entry) is not None:
                _refuse_bad_characters(entry, data.where(section, entry))


# Unicode's control characters (category Cc) but line break and tab, and lone surrogates (category Cs)
_BAD_CHARACTER = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def _bad_character(text: str) -> str | None:
    """The first character no data text may hold: a control character (but line break and tab) or a lone surrogate."""
    found = _BAD_CHARACTER.search(text)
    return found.group() if found else None


def _first_bad_character(node: object, path: tuple = ()) -> tuple[tuple, str] | None:
    """(field path, character) of the first control character in any text of an entry, or None."""
    if isinstance(node, dict):
        items: Iterable = node.items()
    elif isinstance(node, list):
        items = enumerate(node)
    else:
        char = _bad_character(node) if isinstance(node, str) else None
        return (path, char) if char is not None else None
    for key, value in items:
        found = _first_bad_character(value, (*path, key))
        if found is not None:
            return found
    return None


def _refuse_bad_characters(node: object, where: str) -> None:
    """DataError when a text of the entry holds a control character (often an escape such as "\\0" in the file)."""
    found = _first_bad_character(node)
    if found is not None:
        path, char = found
        name = f"field {field_path(path)!r}" if path else "a value"
        raise DataError(
            f"{where}: {name} holds the control character U+{ord(char):04X} ({char!r}), which no text may hold; "
            "remove it (in the file it is probably an escape in a quoted value)"
        )


def _check_unique(data: Data) -> None:
    """Refuse duplicate ids within a namespace (bodies and schools share one)."""
    namespaces = {"bodies": "body", "schools": "body"}
    seen: dict[tuple[str, str], tuple[str, LineDict]] = {}
    for section, entries in data.sections.items():
        space = namespaces.get(section, section)
        for entry in entries:
            key = (space, entry["id"])
            if key in seen:
                first_section, first = seen[key]
                used = f"{data.where(first_section)}:{first.line}"
                raise DataError(f"{data.where(section, entry)}: duplicate id (already used at {used})")
            seen[key] = (section, entry)
    for name, scheme in data.schemes.items():
        ids = [c["id"] for c in scheme["concepts"]]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            where = f"{data.where('schemes')}:{getattr(scheme, 'line', 0)}: schemes entry {name!r}"
            raise DataError(f"{where}: duplicate concept id {dupes[0]!r}")


def field_values(entry: dict, path: str) -> Iterator[object]:
    """Values at a dotted path in an entry; `name[]` walks the list at `name`."""
    nodes: list[object] = [entry]
    for part in path.split("."):
        walk = part.endswith("[]")
        key = part[:-2] if walk else part
        nxt: list[object] = []
        for node in nodes:
            if isinstance(node, dict) and node.get(key) is not None:
                value = node[key]
                if walk and isinstance(value, list):
                    nxt.extend(value)
                elif not walk:
                    nxt.append(value)
        nodes = nxt
    yield from nodes


def _targets(data: Data) -> dict[str, set[str]]:
    """The ids each reference target accepts."""
    found = {"body": set(data.bodies()), "document": {d["id"] for d in data["documents"]}}
    plural = {
        "aspect": "aspects",
        "duty": "duties",
        "legislation": "legislation",
        "priority": "priorities",
        "inspection": "inspections",
        "theme": "themes",
        "recommendation": "recommendations",
        "scale": "scales",
        "function": "functions",
        "printed_item": "printed_items",
        "event": "events",
        "judgement": "judgements",
    }
    for target, section in plural.items():
        found[target] = {e["id"] for e in data[section]}
    for scheme in data.schemes:
        found[f"vocab:{scheme}"] = data.concept_ids(scheme)
    return found


def _check_references(data: Data) -> None:
    """Every reference names an existing id of the right kind."""
    targets = _targets(data)
    documents = targets["document"]
    for section, entries in data.sections.items():
        for entry in entries:
            for ref in _sources_in(entry):
                if ref.get("doc") not in documents:
                    raise DataError(
                        f"{data.where(section, entry)}: source names document {ref.get('doc')!r}, "
                        "which is not in documents.yaml"
                    )
    for rule in schema()["references"]:
        section, target = rule["section"], rule["target"]
        known = targets.get(target)
        if known is None and target.startswith("vocab:"):
            known = set()  # a scheme the project does not define: any reference to it fails below, naming the entry
        if known is None:
            raise DataError(f"schema: unknown reference target {target!r}")
        for entry in data[section]:
            for value in field_values(entry, rule["field"]):
                name = rule["field"].replace("[]", "")
                if value not in known:
                    what = target.replace("vocab:", "") + (" concept" if target.startswith("vocab:") else "")
                    close = difflib.get_close_matches(str(value), sorted(known), n=1)
                    hint = f" (did you mean {close[0]!r}?)" if close else ""
                    raise DataError(f"{data.where(section, entry)}: {name} {value!r} is not a known {what} id{hint}")
                kind = (data.body_type(value) or "") if "types" in rule else ""
                if "types" in rule and kind not in rule["types"]:
                    raise DataError(
                        f"{data.where(section, entry)}: {name} {value!r} is {_article(kind)} {kind}, "
                        f"but {_article(rule['types'][0])} {' or '.join(rule['types'])} is required"
                    )


def _article(word: str) -> str:
    """'a' or 'an' before a word, for readable messages."""
    return "an" if word[:1] in "aeiou" else "a"


def _sources_in(node: object) -> Iterator[dict]:
    """Every {doc, loc, anchor} reference inside an entry."""
    if isinstance(node, dict):
        if "doc" in node and "anchor" in node:
            yield node
        for value in node.values():
            yield from _sources_in(value)
    elif isinstance(node, list):
        for item in node:
            yield from _sources_in(item)


def _year_range() -> tuple[int, int]:
    """The years a date may have: the bounds the schema gives dates written as numbers, for text dates too."""
    as_number = schema()["defs"]["date"]["anyOf"][0]
    return as_number["minimum"], as_number["maximum"]


def parse_date(value: object) -> tuple[str, str]:
    """Normalise a date to (ISO text, xsd datatype name), raising ValueError for impossible dates."""
    text = str(value)
    parts = text.split("-")
    first, last = _year_range()
    if not first <= int(parts[0]) <= last:
        raise ValueError(f"the year must be between {first} and {last}")
    if len(parts) == 3:
        return dt.date.fromisoformat(text).isoformat(), "date"
    if len(parts) == 2:
        if not 1 <= int(parts[1]) <= 12:
            raise ValueError(f"month {parts[1]} out of range")
        return text, "gYearMonth"
    return f"{int(text):04d}", "gYear"


def _date_fields(section_schema: dict, prefix: str = "") -> Iterator[str]:
    """Dotted paths of every date-valued field a section schema declares."""
    for name, spec in section_schema.get("properties", {}).items():
        ref = spec.get("$ref", "")
        if ref == "#/$defs/date":
            yield prefix + name
        elif ref in ("#/$defs/dated", "#/$defs/ending"):
            yield f"{prefix}{name}.date"
        elif spec.get("items", {}).get("$ref") == "#/$defs/other_name":
            yield from (f"{prefix}{name}[].from", f"{prefix}{name}[].to")


def _check_dates(data: Data) -> None:
    """Dates are real calendar dates, and no interval ends before it starts."""
    for section, entries in data.sections.items():
        fields = list(_date_fields(schema()["sections"][section]))
        for entry in entries:
            for path in fields:
                for value in field_values(entry, path):
                    try:
                        parse_date(value)
                    except ValueError as exc:
                        raise DataError(
                            f"{data.where(section, entry)}: invalid date {value!r} in {path} ({exc})"
                        ) from None
    for rule in schema()["intervals"]:
        for entry in data[rule["section"]]:
            start = next(field_values(entry, rule["start"]), None)
            end = next(field_values(entry, rule["end"]), None)
            if start is not None and end is not None and str(end) < str(start)[: len(str(end))]:
                raise DataError(
                    f"{data.where(rule['section'], entry)}: interval ends ({end}) before it starts ({start})"
                )


def _check_grades(data: Data) -> None:
    """A judgement's grade belongs to the scale it names."""
    grades = {s["id"]: {g["id"] for g in s["grades"]} for s in data["scales"]}
    for entry in data["judgements"]:
        grade, scale = entry.get("grade"), entry.get("scale")
        if grade is not None and scale is None:
            raise DataError(f"{data.where('judgements', entry)}: grade {grade!r} given without a scale")
        if grade is not None and grade not in grades.get(scale, set()):
            raise DataError(f"{data.where('judgements', entry)}: grade {grade!r} is not a grade of scale {scale!r}")


_CONCEPT_NEEDS = {"body-type": "class", "relation": "property"}
# relation concepts the build uses for schools' trusts and neighbourhoods, needed when a school names one
_CONCEPTS_THE_BUILD_USES = {"relation": {"in-trust": "trust", "in-neighbourhood": "neighbourhood"}}
_CURIE = re.compile(r"^([a-z]+):[A-Za-z_][A-Za-z0-9_.-]*$")


def _check_vocabularies(data: Data) -> None:
    """Concepts that stand for a class or property name one with a known prefix; holders name a known body."""
    bodies = data.bodies()
    for name, uses in _CONCEPTS_THE_BUILD_USES.items():
        needed = {concept for concept, field in uses.items() if any(field in s for s in data["schools"])}
        missing = sorted(needed - data.concept_ids(name))
        if missing:
            where = f"{data.where('schemes')}:{getattr(data.schemes.get(name), 'line', 0)}: schemes entry {name!r}"
            raise DataError(f"{where}: concept {missing[0]!r} is missing (the build uses it)")
    for name, scheme in data.schemes.items():
        for c in scheme["concepts"]:
            where = f"{data.where('schemes')}:{getattr(c, 'line', 0)}: schemes entry {name!r}: concept {c['id']!r}"
            needed = _CONCEPT_NEEDS.get(name)
            if needed and needed not in c:
                raise DataError(f"{where}: missing required field {needed!r}")
            for key in ("class", "property"):
                match = _CURIE.match(c.get(key, "lkg:x"))
                if match is None or match.group(1) not in PREFIXES:
                    raise DataError(f"{where}: {key} {c[key]!r} is not a name with a known prefix (e.g. 'lkg:School')")
            if "body" in c and c["body"] not in bodies:
                raise DataError(f"{where}: body {c['body']!r} is not a known body id")


def load_data(data_dir: Path, memo: Memo | None = None) -> Data:
    """Read and check every curated data file; raise DataError on the first problem.

    With a memo (the build cache), a file whose bytes were read and checked before is taken from it, already parsed
    and past the schema; the checks across files run every time. Files are kept in the memo once all checks pass.
    """
    data, fresh, checked = _read_files(data_dir, memo)
    _check_shapes(data, checked)
    _check_unique(data)
    _check_references(data)
    _check_dates(data)
    _check_grades(data)
    _check_vocabularies(data)
    from lutonkg.data import fidelity, selectors
    from lutonkg.data.followup import check_follow_up  # the follow-up rules; imported here to avoid a cycle

    fidelity.check_all(data)
    check_follow_up(data)
    data.selectors = selectors.read(data_dir, data, lambda path: _read_tree(path, selectors.FILE, memo, fresh))
    data.selectors_file = data_dir / selectors.FILE if data.selectors or (data_dir / selectors.FILE).exists() else None
    for name, (key, frozen) in fresh.items():
        memo.put(f"data-{name}", key, frozen)  # type: ignore[union-attr]  # fresh is empty without a memo
    return data
