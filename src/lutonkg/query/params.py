"""Query parameters: turning `--param body=luton-lea` into a SPARQL term and binding it with a VALUES block.

A parameter NAME binds the variable ?NAME. The runner puts `VALUES ?NAME { term }` at the start of the
outermost WHERE group (and of the UNION branches and subqueries that use it), so the same text runs on
pyoxigraph, rdflib, the Oxigraph server or any other SPARQL 1.1 store. A value for a thing (a body, duty,
theme ...) may be its slug (`luton-lea`), its label (`Luton Local Education Authority`) or its full IRI; it
must name something in the graph.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lutonkg.namespaces import ID as _ID
from lutonkg.namespaces import LEGISLATION
from lutonkg.query.library import ANY, LEXEMES, Param, QueryError, QuerySpec
from lutonkg.query.scopes import MEMBER

if TYPE_CHECKING:
    from lutonkg.query.engines import Engine

ID = str(_ID)
_LABELS = "<http://www.w3.org/2000/01/rdf-schema#label>|<http://www.w3.org/2004/02/skos/core#prefLabel>|" + (
    "<http://www.w3.org/2004/02/skos/core#altLabel>"
)
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_FORM = re.compile(r"\b(SELECT|ASK|DESCRIBE)\b[^{]*\{", re.IGNORECASE)
_IRI_OK = re.compile(r"^https?://[^<>\"{}|^`\\\s]+$")
LEADING = ("authority",)  # parameters whose VALUES go first (see inject)


@dataclass(frozen=True)
class Kind:
    """A kind of parameter value: the IRI namespaces things of that kind live in, or a literal's pattern."""

    what: str
    bases: tuple[str, ...] = ()
    pattern: str | None = None


KINDS: dict[str, Kind] = {
    "body": Kind("body or school", (ID + "body/", ID + "school/")),
    "school": Kind("school", (ID + "school/",)),
    "authority": Kind("local authority (a body the documents are about)", (ID + "body/",)),
    "body-type": Kind("body type", (ID + "concept/body-type/",)),
    "duty": Kind("statutory duty", (ID + "duty/",)),
    "theme": Kind("recommendation theme", (ID + "concept/theme/",)),
    "aspect": Kind("aspect of the statutory duties", (ID + "concept/aspect/",)),
    "function": Kind("judged function", (ID + "concept/function/",)),
    "topic": Kind("claim topic", (ID + "concept/topic/",)),
    "relation": Kind("relation type", (ID + "concept/relation/",)),
    "event-kind": Kind("kind of change event", (ID + "concept/event-kind/",)),
    "document": Kind("source document", (ID + "document/",)),
    "inspection": Kind("inspection", (ID + "inspection/",)),
    "priority": Kind("strategic priority", (ID + "priority/",)),
    "act": Kind("Act, instrument or guidance", (LEGISLATION, ID + "legislation/")),
    "year": Kind("year (YYYY)", pattern=r"\d{4}"),
    "date": Kind("date (YYYY, YYYY-MM or YYYY-MM-DD)", pattern=r"\d{4}(-\d{2}(-\d{2})?)?"),
    "text": Kind("text", pattern=r"(?s).*"),
}
# the `lutonkg find --kind` that lists the things a parameter of each kind takes
FIND_KINDS = {"body": "body --kind school", "authority": "body", "body-type": "body-type", "event-kind": "event-kind"}


def parse_assignments(items: list[str] | None) -> dict[str, str]:
    """`k=v` strings from the command line as a dict; a malformed one is a QueryError."""
    params: dict[str, str] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise QueryError(f"--param {item!r} is not of the form name=value")
        params[name.strip()] = value.strip()
    return params


def sparql_string(text: str) -> str:
    """A SPARQL string literal for any text, escaped so it cannot end early."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


def _valid_date(value: str) -> bool:
    """True for a real calendar year, month or day in ISO form."""
    parts = value.split("-")
    try:
        dt.date(int(parts[0]), int(parts[1]) if len(parts) > 1 else 1, int(parts[2]) if len(parts) > 2 else 1)
    except ValueError:
        return False
    return True


def _literal(param: Param, kind: Kind, value: str) -> str:
    """A literal parameter value, checked against its kind's pattern."""
    if not re.fullmatch(kind.pattern or "", value) or (param.kind in ("year", "date") and not _valid_date(value)):
        raise QueryError(f"parameter {param.name}={value!r} is not a valid {kind.what}")
    return sparql_string(value)


def _exists(engine: Engine, iri: str) -> bool:
    """True when the graph says something about the IRI."""
    return engine.ask(f"ASK {{ <{iri}> ?p ?o }}")


def _within(kind: Kind, var: str = "?x") -> str:
    """A FILTER expression keeping IRIs in the kind's namespaces."""
    return " || ".join(f"STRSTARTS(STR({var}), {sparql_string(base)})" for base in kind.bases)


def _by_label(engine: Engine, kind: Kind, value: str) -> list[str]:
    """Things of the kind whose label or other name is the value (ignoring case)."""
    query = (
        f"SELECT DISTINCT ?x WHERE {{ ?x {_LABELS} ?label . "
        f"FILTER(LCASE(STR(?label)) = {sparql_string(value.lower())}) FILTER({_within(kind)}) }} ORDER BY ?x LIMIT 5"
    )
    return [row["x"] for row in engine.rows(query)[1]]


def candidates(engine: Engine, kind: Kind) -> dict[str, str]:
    """Every thing of the kind in the graph: IRI to its label (for suggestions and listings)."""
    query = (
        f"SELECT ?x (MIN(STR(?label)) AS ?name) WHERE {{ ?x {_LABELS} ?label . FILTER({_within(kind)}) }} "
        "GROUP BY ?x ORDER BY ?x"
    )
    return {row["x"]: row["name"] for row in engine.rows(query)[1]}


def _short(iri: str) -> str:
    """A thing's IRI without the project or legislation.gov.uk base, as people type it."""
    for base in (ID, LEGISLATION):
        if iri.startswith(base):
            return iri[len(base) :]
    return iri


def _slug(iri: str, kind: Kind) -> str:
    """What a user types for a thing of the kind: its IRI without the kind's namespace."""
    return next((iri[len(base) :] for base in kind.bases if iri.startswith(base)), _short(iri))


def article(what: str) -> str:
    """'a body', 'an inspection'."""
    return f"{'an' if what[:1].lower() in 'aeiou' else 'a'} {what}"


def _other_kind(iri: str) -> str | None:
    """The kind of thing an IRI of the graph names, in words, when it is one of the known kinds."""
    if iri.startswith(ID + "recommendation/"):
        return "recommendation"
    for name in ("school", "body", "duty", "inspection", "document", "priority"):
        if any(iri.startswith(base) for base in KINDS[name].bases):
            return KINDS[name].what
    return next((k.what for k in KINDS.values() if k.bases and any(iri.startswith(b) for b in k.bases)), None)


def _suggestions(engine: Engine, param: Param, kind: Kind, value: str) -> str:
    """'; did you mean …' with the closest ids and names of the kind, and how to list them all."""
    found = candidates(engine, kind)
    pool: dict[str, str] = {}
    for iri, label in found.items():
        pool.setdefault(_slug(iri, kind).lower(), _slug(iri, kind))
        pool.setdefault(label.lower(), _slug(iri, kind))
    close = difflib.get_close_matches(value.lower(), list(pool), n=4, cutoff=0.6)
    ids = list(dict.fromkeys(pool[c] for c in close))
    hint = f"; did you mean {', '.join(ids)}?" if ids else ""
    listing = FIND_KINDS.get(param.kind, param.kind)
    return f"{hint} (`lutonkg find --kind {listing}` lists the {len(found)} in the graph)"


def resolve(param: Param, value: str, engine: Engine) -> str:
    """The SPARQL term for a parameter value: an IRI of something of the right kind in the graph, or a checked
    literal. A value of the wrong kind, or one that names nothing, is a QueryError with suggestions."""
    kind = KINDS.get(param.kind)
    if kind is None:
        raise QueryError(f"parameter {param.name} has unknown kind {param.kind!r} (known: {', '.join(KINDS)})")
    if kind.pattern is not None:
        return _literal(param, kind, value)
    if value.startswith(("http://", "https://")):
        if not _IRI_OK.match(value) or not _exists(engine, value):
            raise QueryError(f"parameter {param.name}: no {kind.what} <{value}> in the graph")
        if not any(value.startswith(base) for base in kind.bases):
            other = _other_kind(value)
            raise QueryError(f"parameter {param.name}: <{value}> is {article(other) if other else 'something else'}, "
                             f"not {article(kind.what)}{_suggestions(engine, param, kind, _short(value))}")  # fmt: skip
        return f"<{value}>"
    slug_ok = re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._/-]*", value) is not None
    found = [base + value for base in kind.bases if slug_ok and _exists(engine, base + value)]
    if not found:
        found = _by_label(engine, kind, value)
    if len(found) == 1:
        return f"<{found[0]}>"
    if found:
        raise QueryError(f"parameter {param.name}={value!r} is ambiguous: {', '.join(map(_short, found))}")
    hint = _suggestions(engine, param, kind, value)
    bases = [ID] + sorted({b for k in KINDS.values() for b in k.bases if b not in kind.bases})
    elsewhere = next((b + value for b in bases if slug_ok and _exists(engine, b + value)), None)
    if elsewhere:
        other = _other_kind(elsewhere) or "thing of another kind"
        raise QueryError(f"parameter {param.name}: {value} is {article(other)}, not {article(kind.what)}{hint}")
    raise QueryError(f"parameter {param.name}: no {kind.what} matches {value!r}{hint}")


def values_for(
    spec: QuerySpec, params: dict[str, str], engine: Engine, defaults: dict[str, str] | None = None
) -> dict[str, str]:
    """SPARQL terms for the declared parameters: given values, else the project's defaults for this query
    (lutonkg.toml [query-defaults]), else the query's own; optional ones left out."""
    unknown = sorted(set(params) - {p.name for p in spec.params})
    if unknown:
        takes = ", ".join(p.usage() for p in spec.params) or "no parameters"
        raise QueryError(f"query {spec.name!r} has no parameter {unknown[0]!r} (it takes {takes})")
    terms = {}
    for param in spec.params:
        value = params.get(param.name, (defaults or {}).get(param.name, param.default))
        if value is None:
            example = f" (for example --param {param.name}={param.example})" if param.example else ""
            what = param.description.rstrip(".") or KINDS.get(param.kind, Kind(param.kind)).what
            raise QueryError(f"query {spec.name!r} needs --param {param.name}=<{param.kind}>: {what}{example}")
        if value == ANY:
            continue
        terms[param.name] = resolve(param, value, engine)
    return terms


def mask(text: str) -> str:
    """The text with its comments, strings and IRIs blanked out (same length), to find keywords and braces."""
    return LEXEMES.sub(lambda m: " " * len(m.group()), text)


Scope = tuple[tuple[tuple[str, str], ...], str]  # ((variable, type IRI) pairs, the authority's scope graph IRI)


def inject(text: str, terms: dict[str, str], scope: Scope | None = None) -> str:
    """The query with `VALUES ?name { term }` at the start of its outermost WHERE group, and copied into the groups
    Oxigraph plans on their own: each top-level UNION branch that uses the variable, and each subquery that groups
    by it, at the top level or at the top of such a branch. Joining with a one-row VALUES table gives the same
    answer inside or outside those groups; inside, the engine starts from the parameter instead of evaluating the
    group for the whole graph first. The authority's VALUES comes first: Oxigraph starts its plan from the first of
    equally small VALUES tables, and one authority's share of the graph stays the same size however many
    authorities the graph holds.

    scope (the query's `# scope:` pairs and the authority's scope graph; lutonkg.query.scopes): for a query scoped
    by its authority on a store with that graph, each group that would get the authority's VALUES and mentions a
    scope variable in its own patterns (not in a nested group) gets `GRAPH <scope> { <type> rdfs:member ?variable }`
    and `FILTER(?authority = <authority>)` instead, so that the plan starts from the authority's things of that type;
    each OPTIONAL group directly inside it that mentions the variable gets the same GRAPH pattern.
    """
    if not terms:
        return text
    terms = {name: terms[name] for name in sorted(terms, key=lambda name: name not in LEADING)}
    masked = mask(text)
    match = _WHERE.search(masked) or _FORM.search(masked)
    if not match:
        raise QueryError("cannot bind parameters: the query has no WHERE { ... } group")
    inserts = [(match.end(), list(terms))] + _inner_inserts(masked, match.end(), terms, branches=True)
    additions = [added for at, names in inserts for added in _additions(masked, at, names, terms, scope)]
    for at, _, addition in sorted(((at, i, addition) for i, (at, addition) in enumerate(additions)), reverse=True):
        text = text[:at] + addition + text[at:]  # from the end; at one place, in the order added
    return text


def _additions(
    masked: str, at: int, names: list[str], terms: dict[str, str], scope: Scope | None
) -> list[tuple[int, str]]:
    """(position, text) to insert for the group starting at `at`: its VALUES, or for the authority the scope-graph
    pattern and filter (and the same pattern at the top of the group's OPTIONALs that mention the variable)."""
    hooked = _scope_pair(masked, at, scope) if scope and "authority" in names else None
    additions: list[tuple[int, str]] = []
    if hooked and scope:
        variable, kind = hooked
        pattern = f"GRAPH <{scope[1]}> {{ <{kind}> <{MEMBER.value}> ?{variable} }}"
        additions.append((at, f"\n  {pattern}\n  FILTER(?authority = {terms['authority']})"))
        additions += [(inside, f" {pattern}") for inside in _optionals(masked, at, variable)]
    values = [name for name in names if not (hooked and name == "authority")]
    return [*additions, (at, "".join(f"\n  VALUES ?{name} {{ {terms[name]} }}" for name in values))]


def _scope_pair(masked: str, at: int, scope: Scope) -> tuple[str, str] | None:
    """The first scope (variable, type) mentioned in the own patterns of the group starting at `at`, or None."""
    own = _own_text(masked, at)
    return next((pair for pair in scope[0] if re.search(rf"\?{pair[0]}\b", own)), None)


def _optionals(masked: str, start: int, variable: str) -> list[int]:
    """Where each OPTIONAL group directly within the group starting at `start` opens, if it mentions the variable:
    Oxigraph evaluates an optional part for the whole graph before joining it by hash, and the scope pattern joined
    at its top keeps it to the authority's things. The rows stay the same: the required part binds the variable to
    the authority's things only, and an optional row joins a required row only where their values agree."""
    return [
        begin
        for begin, end in _top_groups(masked, start)
        if masked[: begin - 1].rstrip().upper().endswith("OPTIONAL")
        and not re.match(r"\s*SELECT\b", masked[begin:end], re.IGNORECASE)
        and re.search(rf"\?{variable}\b", masked[begin:end])
    ]


def _own_text(masked: str, start: int) -> str:
    """The text of the group that opens just before start, up to its closing brace, without its nested groups
    (subqueries, UNION branches, OPTIONAL ...): a scope variable must be bound there, where the filter applies."""
    own, depth = [], 0
    for char in masked[start:]:
        if char == "{":
            depth += 1
        elif char == "}":
            if depth == 0:
                break
            depth -= 1
        elif depth == 0:
            own.append(char)
    return "".join(own)


def _inner_inserts(masked: str, start: int, terms: dict[str, str], branches: bool) -> list[tuple[int, list[str]]]:
    """Where to copy the VALUES within the group opening just before start: (position, names) for each subquery
    grouped by a parameter (and the subqueries at its top), and (if branches) each UNION branch using one, with
    the subqueries at its top."""
    inserts: list[tuple[int, list[str]]] = []
    for begin, end in _top_groups(masked, start):
        inner = masked[begin:end]
        if re.match(r"\s*SELECT\b", inner, re.IGNORECASE):
            grouped = re.search(r"\bGROUP\s+BY\b((?:(?!\b(?:HAVING|ORDER|LIMIT|OFFSET)\b)[^{}])*)", inner, re.I)
            where = _WHERE.search(inner) or re.search(r"\{", inner)
            names = [n for n in terms if grouped and where and re.search(rf"\?{n}\b", grouped.group(1))]
            inserts.append((begin + where.end() if where else begin, names))
            if names and where:
                inserts += _inner_inserts(masked, begin + where.end(), terms, branches=False)
        elif branches and _is_union_branch(masked, begin, end):
            inserts.append((begin, [n for n in terms if re.search(rf"\?{n}\b", inner)]))
            inserts += _inner_inserts(masked, begin, terms, branches=False)
    return inserts


def _top_groups(masked: str, start: int) -> list[tuple[int, int]]:
    """(start, end) of the text inside each { } group directly within the group that opens just before start."""
    groups, depth, opened = [], 0, start
    for i in range(start, len(masked)):
        if masked[i] == "{":
            depth += 1
            if depth == 1:
                opened = i + 1
        elif masked[i] == "}":
            if depth == 0:
                break
            depth -= 1
            if depth == 0:
                groups.append((opened, i))
    return groups


def _is_union_branch(masked: str, start: int, end: int) -> bool:
    """Whether the group { ... } is an operand of UNION."""
    before = masked[: start - 1].rstrip()
    after = masked[end + 1 :].lstrip()
    return before.upper().endswith("UNION") or after.upper().startswith("UNION")


def page(text: str, limit: int | None, offset: int | None) -> str:
    """The SELECT query with `LIMIT limit OFFSET offset` after its own solution modifiers (its ORDER BY stays, so
    consecutive pages continue each other); a query with its own LIMIT, OFFSET or trailing VALUES is a QueryError."""
    if limit is None and not offset:
        return text
    masked = mask(text)
    if not re.search(r"\bSELECT\b", masked, re.IGNORECASE):
        raise QueryError("only SELECT queries can be paged (--limit/--offset)")
    match = _WHERE.search(masked) or _FORM.search(masked)
    groups = _top_groups(masked, match.end() - 1) if match else []  # the WHERE group itself
    tail = masked[groups[0][1] + 1 :] if groups else ""
    if not groups or re.search(r"\b(LIMIT|OFFSET|VALUES)\b", tail, re.IGNORECASE):
        raise QueryError("cannot page this query: it has its own LIMIT, OFFSET or trailing VALUES")
    clauses = ([f"LIMIT {limit}"] if limit is not None else []) + ([f"OFFSET {offset}"] if offset else [])
    return text.rstrip() + "\n" + " ".join(clauses) + "\n"
