"""Validation of the built graph: SHACL shapes (pySHACL) and SPARQL quality checks (ODK-style *-violation.rq)."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, RDFS, Graph, Namespace, URIRef
from rdflib.term import Node

from lutonkg.rdf.oxstore import select
from lutonkg.resources import checks_dir, file_version, shapes_file

SH = Namespace("http://www.w3.org/ns/shacl#")
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
# what a node shape may say and still hand its targets to its property shapes: its own tests of the focus node stay
_FLATTENS_WITH = {
    RDF.type, RDFS.label, RDFS.comment, SH.property, SH.message, SH.severity, SH.name, SH.description, *_TARGETS,
    *(SH[w] for w in ("class", "datatype", "nodeKind", "minLength", "maxLength", "pattern", "flags", "in", "hasValue")),
}  # fmt: skip


@dataclass
class Problem:
    """One validation failure: the node at fault and what is wrong."""

    focus: str
    message: str


@dataclass
class ValidationReport:
    """All problems found by SHACL and the SPARQL checks."""

    problems: list[Problem] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        return not self.problems


def shapes_graph(shapes_path: Path | None = None) -> Graph:
    """The SHACL shapes as an rdflib graph of its own (the caller may change it)."""
    parsed = _parsed_shapes(file_version(shapes_path or shapes_file()))
    graph = Graph()
    for prefix, namespace in parsed.namespaces():
        graph.bind(prefix, namespace, override=True, replace=True)
    graph += parsed
    return graph


@functools.lru_cache(maxsize=2)
def _parsed_shapes(version: tuple[str, int, int]) -> Graph:
    """A shapes file (its file_version()) parsed: once in a process while the file is unchanged (0.1 s a build in
    `lutonkg build --watch`). Never handed out: shapes_graph() copies it."""
    return Graph().parse(version[0], format="turtle")


def shacl_problems(
    graph: Graph, shapes_path: Path | None = None, about: Collection[Node] | None = None, shapes: Graph | None = None
) -> list[Problem]:
    """Validate with pySHACL (no inference: the graph is already reasoned) and list the violations; with `about`,
    only those whose focus node is one of these (lutonkg.checks.incremental), which pySHACL is given as its focus
    nodes: the other nodes of a small graph of their neighbours are not validated at all (0.19 → 0.01 s for seven).

    pySHACL works on the given graph in place rather than on a copy (0.6 s less); with no inference and no SHACL
    rules it only reads it. The whole graph is validated against targeted_property_shapes() (the same results in a
    third of the time); a few focus nodes against the shapes as written (three nodes: 43 ms, against 65 ms so).
    """
    from pyshacl import validate as shacl_validate  # imported when needed: 0.5 s, and many builds need none

    shapes = shapes if shapes is not None else shapes_graph(shapes_path)
    if not about:  # the whole graph: each property shape once for all its nodes
        shapes = targeted_property_shapes(shapes)
    focus = {"focus_nodes": sorted(str(node) for node in about)} if about else {}
    conforms, report, _ = shacl_validate(
        graph, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True, inplace=True, **focus
    )
    if conforms:
        return []
    problems = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        if about is not None and focus not in about:
            continue
        path = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage) or "violates a shape"
        where = f" ({_short(path)})" if isinstance(path, URIRef) else ""
        problems.append(Problem(str(focus), f"{message}{where}"))
    distinct = {(p.focus, p.message): p for p in problems}  # a node two shapes target alike is one problem
    return [distinct[key] for key in sorted(distinct)]


def targeted_property_shapes(shapes: Graph) -> Graph:
    """The shapes as pySHACL validates them quickly, with the same results: each property shape of node shapes that
    have targets (and that no other shape uses) gets their targets and leaves them, so it is validated once for all
    its focus nodes. pySHACL validates a node shape's property shapes one focus node at a time (about 27,000 calls
    for the Luton graph: 2.8 s, against 0.9 s so). A property shape stays where it is when another shape names it in
    any other way, or when a shape that uses it cannot hand over its targets (_flattens)."""
    flat = Graph()
    for prefix, namespace in shapes.namespaces():  # pySHACL's own messages name terms by the shapes' prefixes
        flat.bind(prefix, namespace, override=True, replace=True)
    for triple in shapes:
        flat.add(triple)
    used = {o for _, p, o in shapes if p != SH.property}  # shapes that other shapes name (sh:node, sh:or lists ...)
    users: dict[Node, set[Node]] = defaultdict(set)
    for node_shape, property_shape in shapes.subject_objects(SH.property):
        users[property_shape].add(node_shape)
    for property_shape, node_shapes in users.items():
        if property_shape in used or not all(_flattens(shapes, n, used) for n in node_shapes):
            continue
        for node_shape in node_shapes:
            for target in _TARGETS:
                for value in shapes.objects(node_shape, target):
                    flat.add((property_shape, target, value))
            flat.remove((node_shape, SH.property, property_shape))
        flat.add((property_shape, RDF.type, SH.PropertyShape))
    return flat


def _flattens(shapes: Graph, node_shape: Node, used: set[Node]) -> bool:
    """Whether a shape's property shapes can take its targets: it has some, no shape uses it, and it says nothing
    that reads its property shapes or changes what it targets (sh:closed, sh:target, sh:deactivated; a path, whose
    property shapes are about its values): only what _FLATTENS_WITH holds."""
    said = set(shapes.predicates(node_shape))
    return bool(said & set(_TARGETS)) and said <= _FLATTENS_WITH and node_shape not in used


def _short(node: URIRef) -> str:
    """The local name of an IRI, for messages."""
    text = str(node)
    return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def sparql_problems(store: ox.Store, folder: Path | None = None) -> list[Problem]:
    """Run every *-violation.rq; each returned row is a problem (first column the node, ?problem the message)."""
    problems = []
    for path in sorted((folder or checks_dir()).glob("*-violation.rq")):
        for row in select(store, path.read_text(encoding="utf-8")):
            values = list(row.values())
            problems.append(Problem(str(values[0]), f"{row.get('problem') or 'violation'} [{path.name}]"))
    return problems
