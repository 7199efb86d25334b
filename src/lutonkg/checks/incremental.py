"""SHACL for what an edit changed: validate only the nodes whose result can differ from a graph that conformed.

The project's shapes are local: a node's result depends only on its own triples (its types, which target it, and
its values on single-predicate paths), on the types of the nodes it points to (`sh:class`), and on the class
hierarchy (`rdfs:subClassOf`). So when the previous graph conformed, the new one conforms exactly when every node
that is the subject of an added or removed triple the shapes read (its predicate a path's, `rdf:type` or
`rdfs:subClassOf`), or points to a node whose types changed, conforms; a triple with any other predicate (a note,
`rdfs:comment`) changes no result. Those nodes are validated with pySHACL on a small graph holding everything their
results depend on; results about other nodes of that small graph (whose own triples it lacks) are ignored.

Anything outside that reasoning makes the caller validate the whole graph: shapes that use other features (paths of
more than one step, nested shapes, SPARQL constraints, other targets), a change to the class hierarchy, a blank
node among the changed nodes, or no previous graph that conformed to the same shapes.
"""

from __future__ import annotations

import bisect
from typing import NamedTuple

from rdflib import RDF, RDFS, Graph, URIRef
from rdflib.term import Node

SH = "http://www.w3.org/ns/shacl#"
_RDF_TYPE = f"<{RDF.type}>"
_SUBCLASS = f"<{RDFS.subClassOf}>"
# what a shape may say and still be local; sh:or members may only test the value node itself or its types
_SHAPE_WORDS = {
    str(RDF.type), str(RDF.first), str(RDF.rest), str(RDFS.label), str(RDFS.comment),
    *(SH + w for w in ("targetClass", "property", "path", "alternativePath", "minCount", "maxCount", "class",
                       "datatype", "minLength", "maxLength", "pattern", "flags", "or", "message", "name",
                       "description", "severity", "nodeKind")),
}  # fmt: skip
_VALUE_TESTS = {SH + w for w in ("class", "datatype", "minLength", "maxLength", "pattern", "flags", "nodeKind")}
_SHAPE_TYPES = {SH + "NodeShape", SH + "PropertyShape"}


def local_shapes(shapes: Graph) -> bool:
    """Whether every shape is of the local kind described above (so incremental validation is exact)."""
    for _, p, o in shapes:
        if str(p) not in _SHAPE_WORDS or (p == RDF.type and str(o) not in _SHAPE_TYPES):
            return False
    for shape, path in shapes.subject_objects(URIRef(SH + "path")):
        if (shape, URIRef(SH + "property"), None) in shapes or not _simple_path(shapes, path):
            return False
    for alternatives in shapes.objects(None, URIRef(SH + "or")):
        for member in shapes.items(alternatives):
            if any(str(p) not in _VALUE_TESTS for p in shapes.predicates(member)):
                return False
    return True


def _simple_path(shapes: Graph, path: Node) -> bool:
    """A predicate, or an alternative of predicates."""
    if isinstance(path, URIRef):
        return True
    said = set(shapes.predicate_objects(path))
    if len(said) != 1:
        return False
    predicate, alternatives = said.pop()
    return str(predicate) == SH + "alternativePath" and all(isinstance(i, URIRef) for i in shapes.items(alternatives))


class Changes(NamedTuple):
    """What an edit changed, for SHACL (nodes as N-Triples terms): those to validate, and those whose added or removed
    triples have predicates that no shape reads (so their results stay as they were)."""

    nodes: set[str]
    unread: set[str]


def read_predicates(shapes: Graph) -> set[str]:
    """The predicates (as N-Triples terms) whose triples local shapes read: their paths' predicates, `rdf:type`
    (targets and `sh:class`) and `rdfs:subClassOf` (the class hierarchy)."""
    read = {_RDF_TYPE, _SUBCLASS}
    for path in shapes.objects(None, URIRef(SH + "path")):
        alternatives = shapes.value(path, URIRef(SH + "alternativePath"))
        read.update(f"<{p}>" for p in ([path] if alternatives is None else shapes.items(alternatives)))
    return read


def changed_nodes(previous: set[str], current: list[str], read: set[str]) -> Changes | None:
    """The nodes (as N-Triples terms) whose shape results can differ between the previous graph and the current one,
    given the predicates the shapes read (read_predicates); None when the whole graph must be validated (the class
    hierarchy changed, or a blank node changed in what the shapes read).

    Graphs are given as lines, one triple each in N-Triples without its final dot (as lutonkg.rdf.serialize's
    Statements holds them): subject, predicate and object split at the first two spaces, which no IRI or blank node
    label holds.
    """
    now = set(current)
    delta = [line for line in current if line not in previous] + [line for line in previous if line not in now]
    nodes: set[str] = set()
    unread: set[str] = set()
    retyped: set[str] = set()
    for s, p, _ in (line.split(" ", 2) for line in delta):
        if p not in read:
            unread.add(s)
            continue
        if p == _SUBCLASS or s.startswith("_:"):
            return None
        nodes.add(s)
        if p == _RDF_TYPE:
            retyped.add(s)
    if retyped:
        nodes |= {s for s, _, o in (line.split(" ", 2) for line in current) if o in retyped}
    return None if any(node.startswith("_:") for node in nodes) else Changes(nodes, unread - nodes)


def neighbourhood(current: list[str], nodes: set[str]) -> Graph:
    """The triples the shape results of `nodes` depend on: theirs, their values' types and the class hierarchy.
    `current` is sorted (as Statements.triple_lines), so each node's triples are found by bisection, not a scan."""
    own = [line for node in nodes for line in _about(current, node)]
    values = {line.split(" ", 2)[2] for line in own}
    types = [line for value in values for line in _about(current, value) if line.split(" ", 2)[1] == _RDF_TYPE]
    hierarchy = [line for line in current if _SUBCLASS in line and line.split(" ", 2)[1] == _SUBCLASS]
    kept = sorted({*own, *types, *hierarchy})
    return Graph().parse(data="".join(line + " .\n" for line in kept), format="nt")


def _about(lines: list[str], subject: str) -> list[str]:
    """The lines (sorted triples in N-Triples) whose subject is this term: one block, since they share a prefix."""
    prefix = subject + " "
    start = bisect.bisect_left(lines, prefix)
    end = start
    while end < len(lines) and lines[end].startswith(prefix):
        end += 1
    return lines[start:end]


def focus_of(node: str) -> URIRef:
    """A node (an IRI in N-Triples form) as the rdflib term pySHACL reports it as."""
    return URIRef(node[1:-1])
