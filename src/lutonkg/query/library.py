"""The competency-question library: the .rq files in queries/, their header comments and declared parameters.

Each file opens with a block of `#` comment lines: the question (first line), a free description, one
`# param: NAME kind=KIND [default=VALUE | example=VALUE] description` line per parameter and a `# row:` line
saying what one result row means. A parameter without a default is required; `default=*` makes it optional
(left unbound, so the query answers for every value). A query that takes `authority` may add
`# scope: ?var prefix:Type` lines: ?var, in a group that gets the authority (the outermost one, or a subquery or
UNION branch), is a thing of that type cited by a document about the authority, so a store with scope graphs can
start that group from the authority's things of that type (lutonkg.query.scopes).

A pattern line that ends with the comment `# only when NAME is given` is there for an optional parameter alone and
says nothing when it is unbound (the rest of the query already requires what it would): the runner leaves it out
when NAME is not given, so the engine does not do its work for nothing (`QuerySpec.text_for`).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from lutonkg.namespaces import PREFIXES
from lutonkg.resources import queries_dir

ANY = "*"
_PARAM = re.compile(r"^param:\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s+(?P<rest>.*)$")
_OPTION = re.compile(r"^(?P<key>kind|default|example)=(?P<value>\S+)$")
# a string, an IRI or a comment: what the parser reads past (lutonkg.query.params masks them the same way)
LEXEMES = re.compile(r"\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'|<[^<>\"{}|^`\\\s]*>|#[^\n]*")
_ONLY_WHEN = re.compile(r"#\s*only when (?P<name>[A-Za-z_][A-Za-z0-9_]*) is given\s*$")
_SCOPE = re.compile(r"^scope:\s*\?(?P<var>[A-Za-z_][A-Za-z0-9_]*)\s+(?P<type>[a-z]+:[A-Za-z][A-Za-z0-9_-]*)\s*$")


class QueryError(Exception):
    """A query could not be found, bound or run; the message is one line for the user."""


@dataclass(frozen=True)
class Param:
    """A declared parameter: its name (the SPARQL variable), kind of value, default or example, and meaning."""

    name: str
    kind: str
    default: str | None
    example: str | None
    description: str

    @property
    def required(self) -> bool:
        """True when the user must give a value."""
        return self.default is None

    @property
    def optional(self) -> bool:
        """True when the parameter may stay unbound (default `*`)."""
        return self.default == ANY

    def usage(self) -> str:
        """How the parameter is written on the command line, e.g. `body=<body>` or `[year=<year>]`."""
        if self.required:
            return f"{self.name}=<{self.kind}>"
        return f"[{self.name}=<{self.kind}>]"


@dataclass(frozen=True)
class QuerySpec:
    """One query: its name, SPARQL text, the question it answers, its parameters and what a row means."""

    name: str
    text: str
    title: str
    description: str
    row: str
    params: tuple[Param, ...]
    path: Path | None = None
    scope: tuple[tuple[str, str], ...] = ()  # (variable, type IRI) of each `# scope:` line
    only_when: tuple[tuple[int, str], ...] = ()  # (line index, parameter) of each `# only when NAME is given` line

    def param(self, name: str) -> Param | None:
        """The declared parameter of that name, if any."""
        return next((p for p in self.params if p.name == name), None)

    def text_for(self, given: set[str] | dict[str, str]) -> str:
        """The text to run when these parameters are given: without the lines marked `# only when NAME is given`
        for a parameter that is not (the same rows, less work)."""
        dropped = {index for index, name in self.only_when if name not in given}
        if not dropped:
            return self.text
        return "".join(line for i, line in enumerate(self.text.splitlines(keepends=True)) if i not in dropped)

    def sample_params(self) -> dict[str, str]:
        """Values for every required parameter from its example (for tests, benchmarks and the docs)."""
        return {p.name: p.example for p in self.params if p.required and p.example}


def _header_lines(text: str) -> list[str]:
    """The leading comment block, without the `#` marks."""
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("#"):
            if stripped:
                break
            continue
        lines.append(stripped[1:].rstrip())
    return lines


def _parse_param(body: str, where: str) -> Param:
    """A `param:` line: name, then kind=/default=/example= options, then the description."""
    match = _PARAM.match(body)
    if not match:
        raise QueryError(f"{where}: malformed parameter line {body!r}")
    options: dict[str, str] = {}
    words = match["rest"].split()
    while words and (option := _OPTION.match(words[0])):
        options[option["key"]] = option["value"]
        words.pop(0)
    if "kind" not in options:
        raise QueryError(f"{where}: parameter {match['name']!r} has no kind=")
    return Param(match["name"], options["kind"], options.get("default"), options.get("example"), " ".join(words))


def _parse_scope(entries: list[str], where: str) -> tuple[tuple[str, str], ...]:
    """The `scope:` lines' (variable, type IRI) pairs, the type in one of the project's prefixes; () without any."""
    pairs = []
    for line in (e for e in entries if e.startswith("scope:")):
        match = _SCOPE.match(line)
        prefix = match["type"].split(":", 1)[0] if match else ""
        if not match or prefix not in PREFIXES:
            raise QueryError(f"{where}: malformed scope line {line!r} (expected `scope: ?var prefix:Type`)")
        pairs.append((match["var"], str(PREFIXES[prefix]) + match["type"].split(":", 1)[1]))
    return tuple(pairs)


def _marked_for(line: str) -> str | None:
    """The parameter a pattern line is marked for (a final comment `# only when NAME is given`), or None."""
    for lexeme in LEXEMES.finditer(line):
        if lexeme.group().startswith("#"):
            found = _ONLY_WHEN.match(lexeme.group())
            return found["name"] if found and line[: lexeme.start()].strip() else None
    return None


def _parse_only_when(text: str, params: tuple[Param, ...], where: str) -> tuple[tuple[int, str], ...]:
    """The (line index, parameter) of each line marked `# only when NAME is given`; NAME must be optional."""
    optional = {p.name for p in params if p.optional}
    marked = [(i, name) for i, line in enumerate(text.splitlines()) if (name := _marked_for(line))]
    for i, name in marked:
        if name not in optional:
            raise QueryError(f"{where}: line {i + 1} is marked for {name!r}, which is not an optional parameter")
    return tuple(marked)


def _entries(lines: list[str]) -> tuple[list[str], list[str]]:
    """Split header lines into tagged entries (`param:` / `row:`, with indented continuation lines) and prose."""
    tagged: list[str] = []
    prose: list[str] = []
    open_entry = False
    for line in lines:
        body = line.strip()
        if body.startswith(("param:", "row:", "scope:")):
            tagged.append(body)
            open_entry = True
        elif open_entry and body and line.startswith("   "):
            tagged[-1] += " " + body
        else:
            open_entry = False
            prose.append(body)
    return tagged, prose


def parse(text: str, name: str, path: Path | None = None) -> QuerySpec:
    """Read a query's header comments into a QuerySpec (the text itself is kept as written)."""
    where = str(path) if path else name
    tagged, prose = _entries(_header_lines(text))
    title = next((line for line in prose if line), "")
    description = [line for line in prose if line and line != title]
    params = tuple(_parse_param(e, where) for e in tagged if e.startswith("param:"))
    return QuerySpec(
        name=name,
        text=text,
        title=title,
        description=" ".join(" ".join(description).split()),
        row=" ".join(e[4:].strip() for e in tagged if e.startswith("row:")),
        params=params,
        path=path,
        scope=_parse_scope(tagged, where),
        only_when=_parse_only_when(text, params, where),
    )


def load_file(path: Path) -> QuerySpec:
    """A query from a .rq file anywhere."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryError(f"cannot read {path}: {exc.strerror if isinstance(exc, OSError) else exc}") from None
    return parse(text, path.stem, path)


def library(directory: Path | None = None) -> dict[str, QuerySpec]:
    """Every query of the library (the toolkit's, or those in `directory`) by name, in name order."""
    return {path.stem: load_file(path) for path in sorted((directory or queries_dir()).glob("*.rq"))}


def find(ref: str, directory: Path | None = None) -> QuerySpec:
    """A library query by name, or a .rq file by path; an unknown name suggests the closest ones."""
    path = Path(ref)
    if ref.endswith(".rq") or path.is_file():
        if not path.is_file():
            raise QueryError(f"no such query file: {ref}")
        return load_file(path)
    queries = library(directory)
    if ref in queries:
        return queries[ref]
    close = difflib.get_close_matches(ref, queries, n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise QueryError(f"unknown query {ref!r} (`lutonkg queries` lists them){hint}")
