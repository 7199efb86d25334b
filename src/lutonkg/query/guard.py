"""Inspecting a query before any engine sees it: size and complexity limits, updates, federation, dataset clauses.

Every query, from the command line, the library API or the HTTP endpoint, passes `check` first. It refuses, with one
clear line, a query that

- is longer than `Limits.chars` characters, nests brackets deeper than `Limits.nesting`, or chains more than
  `Limits.operators` operators (`||`, `+`, `/`, UNION, MINUS, triple patterns ...): engines parse and evaluate such
  chains recursively, and pyoxigraph and the Oxigraph server die of a stack overflow at a few thousand (measured:
  2,600 MINUS, 6,500 UNION, 9,000 `||`, 2,100 nested groups with an 8 MB stack), so the limits keep a wide margin;
- is a SPARQL Update (the graph is read-only);
- uses SERVICE (a federated query would make the engine send HTTP requests wherever the query says);
- names in FROM or FROM NAMED a graph that is not one of the loaded graph's named graphs (rdflib would read a local
  file or fetch a URL to load it).

Why a lexer and not a full parser: rdflib's parser takes 20-280 ms per library query (pyoxigraph has no public
parser), which would dominate the endpoint's answer time. SPARQL's keywords are only keywords outside strings, IRIs
and comments, so a tokenizer that follows the grammar's terminals finds SERVICE and FROM exactly. The one place where
tokenizing needs context is `<`: an IRI in a triple pattern, a less-than inside an expression (`?a<?b&&?c>?d`); the
scanner tracks whether the innermost bracket is an expression and decides as the grammar does, and refuses the rare
remaining cases where a wrong guess could hide a string or comment. Anything it cannot tokenize is refused as
invalid, never passed on. The rdflib engine additionally inspects its own parse (lutonkg.query.engines).
"""

from __future__ import annotations

import re
from collections.abc import Container
from dataclasses import dataclass, field
from urllib.parse import urljoin

from lutonkg.query.library import QueryError


@dataclass(frozen=True)
class Limits:
    """How big and how deep a query may be."""

    chars: int = 100_000
    nesting: int = 200
    operators: int = 1_000


LIMITS = Limits()


class QueryRefused(QueryError):
    """A query refused before it ran. reason: size, complexity, syntax, update, service or dataset."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d\u2070-\u218f"
    "\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_U = _BASE + "_"
_CHARS = _U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_ESC = rf"\\[tbnrf\"'\\]|{_UCHAR}"
# Possessive quantifiers (Python 3.11+): no backtracking, so scanning stays linear on hostile input.
_TOKEN = re.compile(
    rf"""
    (?P<ws>[ \t\r\n]++)
  | (?P<comment>\#[^\r\n]*+)
  | (?P<string>'''(?:(?:''?)?+(?:[^'\\]|{_ESC}))*+'''|\"\"\"(?:(?:\"\"?)?+(?:[^\"\\]|{_ESC}))*+\"\"\"
      |'(?:[^'\\\r\n]|{_ESC})*+'|"(?:[^"\\\r\n]|{_ESC})*+")
  | (?P<var>[?$][{_U}0-9][{_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*+)
  | (?P<bnode>_:[{_U}0-9][{_CHARS}.]*+)
  | (?P<prefix>[{_BASE}][{_CHARS}.]*+)?(?P<colon>:)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*+)
  | (?P<langtag>@[a-zA-Z]++(?:-[a-zA-Z0-9]++)*+)
  | (?P<number>[0-9]*+\.[0-9]++(?:[eE][+-]?[0-9]++)?|[0-9]++(?:\.[0-9]*+)?[eE][+-]?[0-9]++|[0-9]++)
  | (?P<punct>\^\^|&&|\|\||!=|<=|>=|[{{}}()\[\].,;*/|^!=<>+\-?])
    """,
    re.VERBOSE,
)
_LOCAL = re.compile(rf"(?:[{_CHARS}.:]|{_PLX})*+")
_UNESCAPE = re.compile(_UCHAR)
_IRIREF = re.compile(rf"<(?:[^<>\"{{}}|^`\\\x00-\x20]|{_UCHAR})*+>")

OPERATORS = frozenset(("||", "&&", "=", "!=", "<", ">", "<=", ">=", "+", "-", "*", "/", "|", "^", "!", ".", ";"))
OPERATOR_WORDS = frozenset(
    ("UNION", "MINUS", "OPTIONAL", "FILTER", "BIND", "GRAPH", "SERVICE", "EXISTS", "IN", "VALUES")
)
UPDATE_WORDS = frozenset(
    ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH", "USING")
)
_OPERAND_KINDS = frozenset(("var", "iri", "pname", "string", "number", "langtag", "bnode"))


@dataclass(frozen=True)
class Token:
    """One token: its kind (iri, pname, var, string, number, langtag, bnode, word, punct) and text."""

    kind: str
    text: str
    start: int


@dataclass
class Inspection:
    """What the scan found: tokens, deepest nesting, operator count, update/SERVICE keywords and dataset clauses."""

    tokens: list[Token] = field(default_factory=list)
    nesting: int = 0
    operators: int = 0
    update: str | None = None
    service: Token | None = None
    dataset: list[tuple[str, str]] = field(default_factory=list)  # (FROM or FROM NAMED, the IRI as resolved)


def _where(text: str, offset: int) -> str:
    """`line L column C` of an offset."""
    line = text.count("\n", 0, offset) + 1
    return f"line {line} column {offset - (text.rfind(chr(10), 0, offset) + 1) + 1}"


def _operand(token: Token | None) -> bool:
    """True when the token ends an operand, so a following `<` inside an expression is less-than."""
    if token is None:
        return False
    if token.kind in _OPERAND_KINDS:
        return True
    return token.text in (")", "]") or (token.kind == "word" and token.text in ("true", "false"))


class _Scanner:
    """One pass over the text: tokens, and the bracket contexts needed to read `<` and `(` as the grammar does."""

    def __init__(self, text: str, limits: Limits) -> None:
        self.text = text
        self.limits = limits
        self.found = Inspection()
        self.stack: list[str] = []  # group { , bracket [ , expr ( , triple ( , terms ( , data {
        self.clause: list[str | None] = [None]  # per level: select, modifier or None
        self.values = False  # a VALUES keyword waits for its data block

    def fail(self, message: str, at: int, reason: str = "syntax") -> QueryRefused:
        """A refusal naming the place in the text."""
        return QueryRefused(f"invalid SPARQL at {_where(self.text, at)}: {message}", reason)

    def last(self, back: int = 1) -> Token | None:
        """The token `back` places before the current one."""
        tokens = self.found.tokens
        return tokens[-back] if len(tokens) >= back else None

    def add(self, kind: str, text: str, start: int) -> None:
        """Record a token and update the bracket contexts."""
        token = Token(kind, text, start)
        if kind == "punct":
            self.bracket(text, start)
            if text in OPERATORS or (text == "," and self.context() != "expr"):
                self.found.operators += 1
        elif kind == "word":
            self.keyword(text.upper())
        self.found.tokens.append(token)
        if self.found.nesting > self.limits.nesting or self.found.operators > self.limits.operators:
            raise _complexity(self.found, self.limits)  # stop scanning: the answer will not change

    def context(self) -> str:
        """The innermost bracket's kind, or top."""
        return self.stack[-1] if self.stack else "top"

    def keyword(self, word: str) -> None:
        """Clause state and counters for a bare word."""
        if word in OPERATOR_WORDS:
            self.found.operators += 1
        if word == "SELECT":
            self.clause[-1] = "select"
        elif word in ("WHERE", "LIMIT", "OFFSET"):
            self.clause[-1] = None
        elif word in ("BY", "HAVING"):
            self.clause[-1] = "modifier"
        elif word == "VALUES":
            self.clause[-1] = None
            self.values = True

    def paren(self) -> str:
        """What a `(` opens here: an expression, a collection or path (triple), or a VALUES list (terms)."""
        context = self.context()
        if context in ("expr", "triple", "terms"):
            return context
        if context == "data":
            return "terms"
        if self.clause[-1] in ("select", "modifier"):
            return "expr"
        before = self.last()
        if before is not None and before.kind == "word":
            if before.text.upper() == "VALUES":
                return "terms"
            return "triple" if before.text in ("a", "true", "false") else "expr"
        earlier = self.last(2)
        function_call = before is not None and before.kind in ("iri", "pname") and earlier is not None
        if function_call and earlier.kind == "word" and earlier.text.upper() in ("FILTER", "HAVING", "ASC", "DESC"):
            return "expr"  # FILTER <fn>(...): a function call
        return "expr" if context == "top" else "triple"

    def bracket(self, char: str, at: int) -> None:
        """Open or close a bracket."""
        if char in "{[(":
            if char == "{":
                kind = "data" if self.values else "group"
                self.values = False
                if self.clause[-1] == "select":
                    self.clause[-1] = None  # the WHERE group of a (sub)query
            else:
                kind = "bracket" if char == "[" else self.paren()
            self.stack.append(kind)
            self.clause.append(None)
            self.found.nesting = max(self.found.nesting, len(self.stack))
        elif char in "}])":
            if not self.stack:
                raise self.fail(f"unbalanced '{char}'", at)
            opened = self.stack.pop()
            self.clause.pop()
            if (char == "}") != (opened in ("group", "data")) or (char == "]") != (opened == "bracket"):
                raise self.fail(f"'{char}' closes a different bracket", at)

    def less_than(self, at: int) -> int:
        """Read `<` at `at`: an IRI, or less-than (or <=) after an operand inside an expression; returns the end."""
        iri = _IRIREF.match(self.text, at)
        after_operand = _operand(self.last())
        if iri is not None:
            context = self.context()
            if not (after_operand and context == "expr"):
                content = iri.group()[1:-1]
                if after_operand and context == "triple":  # a collection item, unless this guess is wrong
                    if "'" in content or "#" in content:
                        raise self.fail("ambiguous '<' (an IRI or less-than?): put spaces around less-than", at)
                    self.found.operators += sum(content.count(c) for c in "+-*/!=&(")
                self.add("iri", iri.group(), at)
                return iri.end()
        text = "<=" if self.text.startswith("<=", at) else "<"
        self.add("punct", text, at)
        return at + len(text)

    def scan(self) -> Inspection:
        """Tokenize the whole text."""
        text, at = self.text, 0
        while at < len(text):
            if text[at] == "<":
                at = self.less_than(at)
                continue
            match = _TOKEN.match(text, at)
            if match is None:
                raise self.fail(f"unexpected {text[at]!r}", at)
            kind = match.lastgroup
            if kind == "colon":
                at = self.pname(match, at)
                continue
            end = match.end()
            if kind == "bnode":
                end = at + len(match.group().rstrip("."))
            if kind not in ("ws", "comment"):
                self.add(kind, text[at:end], at)
            at = end
        if self.stack:
            raise self.fail(f"{len(self.stack)} bracket(s) never closed", len(text))
        return self.found

    def pname(self, match: re.Match, at: int) -> int:
        """A prefixed name: prefix, colon, local part (a trailing dot is the end of a triple, not the name's)."""
        if (match.group("prefix") or "").endswith("."):
            raise self.fail("a prefix cannot end with '.'", at)
        local = _LOCAL.match(self.text, match.end())
        end = local.end() if local else match.end()
        while end > match.end() and self.text[end - 1] == "." and self.text[end - 2 : end] != "\\.":
            end -= 1
        self.add("pname", self.text[at:end], at)
        return end


def scan(text: str, limits: Limits = LIMITS) -> Inspection:
    """Tokenize a query and find its nesting, operators, update keyword, SERVICE and dataset clauses.

    Scanning stops with a QueryRefused as soon as the nesting or operator limit is passed.
    """
    found = _Scanner(text, limits).scan()
    _clauses(found)
    return found


def _complexity(found: Inspection, limits: Limits) -> QueryRefused:
    """The refusal of a query past the nesting or operator limit."""
    if found.nesting > limits.nesting:
        return QueryRefused(
            f"the query nests brackets more than {limits.nesting} deep; engines would run out of stack", "complexity"
        )
    return QueryRefused(
        f"the query chains more than {limits.operators:,} operators and patterns (the limit; engines evaluate long "
        "chains recursively and would run out of stack)", "complexity",
    )  # fmt: skip


def _clauses(found: Inspection) -> None:
    """Fill in the update keyword, the first SERVICE and the FROM / FROM NAMED IRIs (prefixes and BASE resolved)."""
    tokens = found.tokens
    prefixes: dict[str, str] = {}
    base = ""
    for i, token in enumerate(tokens):
        word = token.text.upper() if token.kind == "word" else ""
        if word == "BASE" and i + 1 < len(tokens) and tokens[i + 1].kind == "iri":
            base = urljoin(base, tokens[i + 1].text[1:-1])
        elif word == "PREFIX" and i + 2 < len(tokens) and tokens[i + 2].kind == "iri":
            prefixes[tokens[i + 1].text[:-1]] = urljoin(base, tokens[i + 2].text[1:-1])
        elif word in UPDATE_WORDS and found.update is None:
            found.update = word
        elif word == "SERVICE" and found.service is None:
            found.service = token
        elif word == "FROM":
            named = i + 1 < len(tokens) and tokens[i + 1].text.upper() == "NAMED"
            target = tokens[i + 2] if named and i + 2 < len(tokens) else tokens[i + 1] if i + 1 < len(tokens) else None
            found.dataset.append(("FROM NAMED" if named else "FROM", _resolve(target, prefixes, base)))


def _resolve(token: Token | None, prefixes: dict[str, str], base: str) -> str:
    """The IRI a FROM clause names (a prefixed name expanded, a relative IRI resolved), or its text if neither."""
    if token is None:
        return ""
    if token.kind == "iri":
        iri = _UNESCAPE.sub(lambda m: chr(int(m.group()[2:], 16)), token.text[1:-1])
        return urljoin(base, iri) if base else iri
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)
    return token.text


def check(text: str, graphs: Container[str] | None = None, limits: Limits = LIMITS) -> Inspection:
    """Refuse the query (QueryRefused) if it is too big or deep, an update, federated, or names a foreign graph.

    graphs: the named graphs FROM / FROM NAMED may name (the loaded graph's); None refuses every dataset clause.
    """
    if len(text) > limits.chars:
        raise QueryRefused(
            f"the query is {len(text):,} characters long; the limit is {limits.chars:,} (narrow it)", "size"
        )
    found = scan(text, limits)
    if found.update is not None:
        raise QueryRefused(
            "SPARQL updates are not accepted: the graph is read-only (edit graph/data and rebuild)", "update"
        )
    if found.service is not None:
        raise QueryRefused(
            f"federated queries (SERVICE, at {_where(text, found.service.start)}) are not accepted: "
            "queries run on the loaded graph only", "service",
        )  # fmt: skip
    for clause, iri in found.dataset:
        if graphs is None or iri not in graphs:
            raise QueryRefused(
                f"{clause} <{iri}> is not accepted: FROM and FROM NAMED may only name the loaded graph's named "
                "graphs (queries never read other files or URLs)", "dataset",
            )  # fmt: skip
    return found
