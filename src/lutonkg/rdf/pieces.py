"""Turtle and JSON-LD written subject by subject, so that a rebuild after an edit writes only the subjects it changed.

pyoxigraph writes both formats flat, one subject after another in the order of its input (blank nodes by label,
nothing nested), so the text of the whole sorted union is a header and then each subject's text in turn: exactly
what `turtle()` and `jsonld()` of lutonkg.rdf.serialize write (tests/test_build_cache.py compares them byte for
byte). Each subject's text is kept under a hash of its triples' lines; the build keeps them in its cache.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterator, Mapping
from functools import cache

import pyoxigraph as ox

from lutonkg.rdf.serialize import _CONTEXT, _PREFIXES, HEADER, _compact, _dump

Piece = tuple[str, str]  # one subject's Turtle and its JSON-LD node object


class Unsupported(Exception):
    """pyoxigraph wrote a subject otherwise than this module expects (another version): write the whole union."""


Pieces = dict[str, Piece]  # by the hash of the subject's triple lines


def write(triple_lines: list[str], known: Mapping[str, Piece]) -> tuple[str, str, Pieces]:
    """The Turtle and JSON-LD of the union (its sorted N-Triples lines, without the final " ."), taking each
    subject's text from `known` where its triples are unchanged; also every subject's text, to keep."""
    pieces: Pieces = {}
    for lines in _by_subject(triple_lines):
        key = hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
        found = known.get(key)
        pieces[key] = found if found is not None else _render(lines)
    turtles = [t for t, _ in pieces.values()]
    nodes = [j for _, j in pieces.values()]
    return _turtle_document(turtles), _jsonld_document(nodes), pieces


def encode(pieces: Pieces) -> bytes:
    """The pieces as bytes for the build cache."""
    return json.dumps(pieces, separators=(",", ":")).encode("ascii")  # ASCII: the quicker way to write and read


def decode(payload: bytes | None) -> Pieces:
    """Pieces encode() wrote (none when there are none or they do not read back as pieces)."""
    if payload is None:
        return {}
    try:
        found = json.loads(payload)
    except ValueError:
        return {}
    if not isinstance(found, dict) or not all(_is_piece(v) for v in found.values()):
        return {}
    return {key: (value[0], value[1]) for key, value in found.items()}


def _is_piece(value: object) -> bool:
    """Whether a decoded value is a pair of texts."""
    return isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)


def _by_subject(triple_lines: list[str]) -> Iterator[list[str]]:
    """The lines in runs of one subject each (sorted lines keep a subject's triples together)."""
    for _, lines in itertools.groupby(triple_lines, key=lambda line: line.split(" ", 1)[0]):
        yield list(lines)


def _render(lines: list[str]) -> Piece:
    """One subject's Turtle (without the prefix lines) and JSON-LD node object, as pyoxigraph writes them."""
    triples = list(ox.parse(input="".join(line + " .\n" for line in lines), format=ox.RdfFormat.N_TRIPLES))
    turtle = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=_PREFIXES).decode("utf-8")
    head = _turtle_head()
    nodes = json.loads(ox.serialize(triples, format=ox.RdfFormat.JSON_LD))
    if not turtle.startswith(head) or len(nodes) != 1:
        raise Unsupported("pyoxigraph wrote one subject otherwise than expected")
    (node,) = nodes
    out: list[str] = []
    _dump(_compact(node), "\n  ", out)  # the indentation of a node object inside the document's @graph
    return turtle[len(head) :], "".join(out)


@cache
def _turtle_head() -> str:
    """The prefix lines pyoxigraph writes before the first triple of a Turtle document."""
    triple = ox.Triple(ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p"), ox.NamedNode("urn:x:o"))
    text = ox.serialize([triple], format=ox.RdfFormat.TURTLE, prefixes=_PREFIXES).decode("utf-8")
    return text[: text.index("<urn:x:s>")]


def _turtle_document(turtles: list[str]) -> str:
    """The Turtle document of the subjects' texts, as serialize.turtle() writes it."""
    return f"# {HEADER}\n" + (_turtle_head() + "".join(turtles) if turtles else "")


def _jsonld_document(nodes: list[str]) -> str:
    """The JSON-LD document of the node objects' texts, as serialize.jsonld() writes it."""
    context: list[str] = []
    _dump(_CONTEXT, "\n ", context)
    graph = "[\n  " + ",\n  ".join(nodes) + "\n ]" if nodes else "[]"
    return '{\n "@context": ' + "".join(context) + ',\n "@graph": ' + graph + "\n}\n"
