"""OWL reasoning with HermiT (through owlready2): check consistency and materialise what follows from the ontology."""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import io
import os
import re
import shutil
import tempfile
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.namespace import PROV
from rdflib.term import Node

from lutonkg.checks import warm
from lutonkg.namespaces import BASE, ID, LEGISLATION, LKG

if TYPE_CHECKING:
    import owlready2

Triple = tuple[Node, Node, Node]
QuadText = tuple[str, str, str, str]  # graph, subject, predicate, object, each in N-Triples form

_SKIPPED_TYPES = {str(OWL.Thing), str(OWL.NamedIndividual)}
_RDF_TYPE = str(RDF.type)
# Provenance links are checked by SHACL; keeping them (and the citation nodes) out of HermiT halves its work.
_PROVENANCE = {PROV.qualifiedDerivation, PROV.wasDerivedFrom, PROV.entity, LKG.attestedIn}
_CITATIONS = str(ID) + "citation/"
_THINGS = (str(ID), LEGISLATION)
_UNSAFE = re.compile(r"[\t\n\r]")
# the same, as N-Triples text (reasoning_key reads the statements' text)
_TYPE_TEXT = f"<{RDF.type}>"
_SUBCLASS_TEXT = f"<{RDFS.subClassOf}>"
_CLASS_TEXT = f"<{OWL.Class}>"
_OBJECT_PROPERTY_TEXT = {f"<{OWL.ObjectProperty}>", f"<{OWL.SymmetricProperty}>"}
_PROVENANCE_TEXT = {f"<{p}>" for p in _PROVENANCE}
_CITATIONS_TEXT = f"<{_CITATIONS}"
_THINGS_TEXT = tuple(f"<{prefix}" for prefix in _THINGS)
# HermiT would fetch what an owl:imports names (over the network); the ontology graph holds the import module already
_IMPORTS_TEXT = f"<{OWL.imports}>"
# A short run of HermiT (the Luton data: 11,000 input triples, about a second) is mostly the JVM starting and
# compiling: the client compiler alone takes it from 1.6 to 1.2 s and from 3.0 to 1.5 CPU s. On a long run the
# optimising compiler pays for itself (ten times the input: the same wall time; thirty times: 37 s against 46 s), so
# the quick JVM is used below this many input triples (docs/benchmarks.md, section e).
QUICK_JVM = ("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")
QUICK_JVM_BELOW = 50_000
_OPTIONS_ENV = "JDK_JAVA_OPTIONS"  # read by the `java` launcher, which then prints a note naming it on stderr
_OPTIONS_NOTE = f"NOTE: Picked up {_OPTIONS_ENV}"


class ReasonerFailed(Exception):
    """The reasoner could not run (a broken or unsuitable Java runtime); the message says what Java reported."""


class InconsistentGraph(Exception):
    """The reasoner found the ontology and data contradictory; `thing` and `link` say where, when known."""

    def __init__(self, message: str, thing: URIRef | None = None, link: tuple | None = None) -> None:
        super().__init__(message)
        self.thing, self.link = thing, link


IriTriple = tuple[str, str, str]


@dataclass
class ReasoningResult:
    """What the reasoner did: the triples it inferred, as IRIs (rdflib terms are made only when asked for: terms())."""

    inferred: list[IriTriple]

    def terms(self) -> list[Triple]:
        """The inferred triples as rdflib terms, each distinct IRI made once (making a term checks its IRI, slowly)."""
        made: dict[str, URIRef] = {}
        return [tuple(made.get(iri) or made.setdefault(iri, URIRef(iri)) for iri in triple) for triple in self.inferred]

    def keys(self, graph: str) -> list[tuple[str, str, str, str]]:
        """The inferred triples as quads of N-Triples text in `graph` (its text), sorted: what
        lutonkg.rdf.serialize.quad_keys() gives for them, without making rdflib terms."""
        return sorted({(graph, f"<{s}>", f"<{p}>", f"<{o}>") for s, p, o in self.inferred})


def java_available() -> bool:
    """Whether a Java runtime is on PATH (HermiT needs one)."""
    return shutil.which("java") is not None


class ReasonerText(NamedTuple):
    """What materialise() reads, each triple a line of N-Triples (reasoner_text())."""

    ontology: set[str]  # the ontology
    facts: set[str]  # the facts HermiT reads
    typed: set[str]  # the stated types of things (for the closure of their classes)

    def lines(self) -> set[str]:
        """All of it: HermiT's input and the stated types of things."""
        return self.ontology | self.facts | self.typed


def reasoning_key(selected: ReasonerText) -> str:
    """A hash of everything materialise() reads (`selected`, from reasoner_text()), this module's code and
    owlready2's version. Equal keys give equal results."""
    hashing = hashlib.sha256(Path(__file__).read_bytes())
    hashing.update(f"\nowlready2 {_version('owlready2')}\n".encode())
    hashing.update("\n".join(sorted(selected.lines())).encode("utf-8"))
    return hashing.hexdigest()


def reasoner_text(asserted: Iterable[QuadText], ontology_graph: str) -> ReasonerText:
    """What materialise() reads, from the text of the asserted quads (graph, subject, predicate, object in N-Triples
    form; `ontology_graph` is the ontology graph's), each triple a line of N-Triples: the ontology (but for its
    owl:imports, which HermiT would fetch); the facts HermiT reads (the class and object-property assertions between
    IRIs, but for provenance links and anything about a citation: literals stay out of HermiT); and the stated types
    of things (for the closure of their classes). The build reads it once, for the reasoner's cache key and for
    HermiT's input."""
    asserted = list(asserted)
    ontology = {(s, p, o) for g, s, p, o in asserted if g == ontology_graph and p != _IMPORTS_TEXT}
    object_props = {s for s, p, o in ontology if p == _TYPE_TEXT and o in _OBJECT_PROPERTY_TEXT}
    read = {_TYPE_TEXT, *object_props}  # the predicates of the facts it reads
    facts, typed = set(), set()
    for g, s, p, o in asserted:
        if p not in read or g == ontology_graph or not s.startswith("<"):
            continue
        if p == _TYPE_TEXT and s.startswith(_THINGS_TEXT):  # a stated type of a thing
            typed.add(f"{s} {p} {o}")
        if o.startswith("<") and not _skipped_fact(s, p):
            facts.add(f"{s} {p} {o}")
    return ReasonerText({" ".join(triple) for triple in ontology}, facts, typed)


def _skipped_fact(subject: str, predicate: str) -> bool:
    """Whether HermiT is not given a fact (in N-Triples text): a provenance link or a citation's."""
    return predicate in _PROVENANCE_TEXT or subject.startswith(_CITATIONS_TEXT)


def _version(package: str) -> str:
    """An installed package's version ('' when unknown)."""
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return ""


def encode_result(result: ReasoningResult) -> bytes | None:
    """The inferred triples as text for the build cache (one per line, IRIs split by tabs); None if an IRI holds a
    tab or a line break."""
    if any(_UNSAFE.search(iri) for triple in result.inferred for iri in triple):
        return None
    return "\n".join("\t".join(triple) for triple in result.inferred).encode("utf-8")


def decode_result(payload: bytes) -> ReasoningResult:
    """The result encode_result() wrote, in the same order."""
    text = payload.decode("utf-8")
    return ReasoningResult([tuple(line.split("\t")) for line in text.split("\n")] if text else [])


def materialise(selected: ReasonerText) -> ReasoningResult:
    """Run HermiT over what reasoner_text() selected from the asserted statements (their text, so that no dataset of
    rdflib terms is made for it); return the new type and object-property triples about things. InconsistentGraph
    without a cause when HermiT finds a contradiction: explain_inconsistency() names it, from the whole dataset."""
    source = selected.ontology | selected.facts
    world = reasoned_world(source)
    try:
        inferred = {_iris(line) for line in _type_closure(selected.ontology, selected.typed) - source}
        inferred.update(new_links(world, source))
    finally:
        world.close()  # else its classes stay in memory for the process's life (3 MB a run under --watch)
    prime(selected)
    return ReasoningResult(sorted(inferred))


def prime(selected: ReasonerText) -> None:
    """Where HermiT runs in this process's JVM (a long-lived command, lutonkg.checks.warm): let it warm up on this
    input while nothing else needs it; elsewhere nothing."""
    warm.prime(selected.ontology | selected.facts)


def reasoned_world(source: set[str]) -> owlready2.World:
    """owlready2's world holding the lines of N-Triples and what HermiT infers from them; ReasonerFailed when Java
    cannot run it, InconsistentGraph (without a cause) when HermiT finds a contradiction."""
    if not java_available():
        raise ReasonerFailed("OWL reasoner (HermiT) needs a Java runtime and none was found on PATH")
    import owlready2

    world = owlready2.World()
    world.get_ontology("https://w3id.org/lutonkg/reasoning-input").load(
        fileobj=io.BytesIO("".join(f"{line} .\n" for line in sorted(source)).encode("utf-8")), format="ntriples"
    )
    # HermiT makes a base IRI from its working folder and fails in `/` ("unable to create default IRI base"), so Java
    # runs in the temporary folder (owlready2 passes these keyword arguments to subprocess)
    kargs = getattr(owlready2.reasoning, "_subprocess_kargs", {})
    kargs.setdefault("cwd", tempfile.gettempdir())
    try:
        quick = QUICK_JVM if len(source) < QUICK_JVM_BELOW else ()
        in_process = warm.routed(owlready2.reasoning) if warm.ready() else contextlib.nullcontext()
        with _java_options(kargs, quick), in_process, world.get_ontology("https://w3id.org/lutonkg/reasoning-output"):
            owlready2.sync_reasoner_hermit(world, infer_property_values=True, debug=0)
    except owlready2.OwlReadyInconsistentOntologyError:
        world.close()
        raise InconsistentGraph("OWL reasoner: the graph is inconsistent with the ontology") from None
    except (owlready2.OwlReadyJavaError, OSError) as exc:
        world.close()
        said = [line for line in str(exc).splitlines()[1:] if line.strip() and not line.startswith(_OPTIONS_NOTE)]
        said = said or [str(exc)]
        raise ReasonerFailed(
            f"OWL reasoner (HermiT) failed to run: {said[0].strip().rstrip('.')}; check `java -version` works, "
            "or build with --no-reason"
        ) from None
    return world


def _iris(line: str) -> tuple[str, str, str]:
    """A line of N-Triples holding three IRIs (no IRI holds a space), as the IRIs."""
    s, p, o = line.split(" ")
    return s[1:-1], p[1:-1], o[1:-1]


def new_links(world: owlready2.World, source: set[str]) -> Iterator[IriTriple]:
    """The object-property triples of the reasoned world that HermiT's input did not hold and that the build keeps:
    the types and object-property links of things, as IRIs. Read from owlready2's store as its rdflib view gives
    them (each stored triple, and its inverse where the property is loaded in Python and has one: owlready2 does not
    store a link HermiT infers when its inverse is stored), without making an rdflib term for each."""
    iris = world.graph.get_storid_dict()
    entities = world._entities
    for s, p, o in world._get_obj_triples_spo_spo(None, None, None):
        if s < 0 or o < 0:  # blank nodes
            continue
        triples = [(iris[s], iris[p], iris[o])]
        prop = entities.get(p)
        if prop is not None and prop._inverse_storid:
            triples.append((iris[o], iris[prop._inverse_storid], iris[s]))
        yield from (triple for triple in triples if _kept(*triple, source))


def _kept(s: str, p: str, o: str, source: set[str]) -> bool:
    """Whether the build keeps a triple of the reasoned world: a type or object-property link of a thing that
    HermiT's input did not hold (owl:Thing and owl:NamedIndividual are no types worth keeping)."""
    if not s.startswith(_THINGS) or f"<{s}> <{p}> <{o}>" in source:
        return False
    if p == _RDF_TYPE:
        return o not in _SKIPPED_TYPES
    return o.startswith(BASE) or p.startswith("http://www.w3.org/ns/")


@contextlib.contextmanager
def _java_options(kargs: dict, options: tuple[str, ...]) -> Iterator[None]:
    """Give the JVM that owlready2 starts (with its own command line) these options while the block runs, through the
    launcher's environment variable, before any the user set there (so that theirs win); then restore kargs."""
    if not options:
        yield
        return
    before = kargs.get("env")
    env = dict(os.environ if before is None else before)
    env[_OPTIONS_ENV] = " ".join([*options, env.get(_OPTIONS_ENV, "")]).strip()
    kargs["env"] = env
    try:
        yield
    finally:
        if before is None:
            kargs.pop("env", None)
        else:
            kargs["env"] = before


def _closure(graph: Graph, prop: URIRef) -> dict[URIRef, set[URIRef]]:
    """Each node with every node it reaches through `prop` (itself included), e.g. a class and its superclasses."""
    nodes = set(graph.subjects(prop)) | set(graph.objects(None, prop))
    return {node: set(graph.transitive_objects(node, prop)) for node in nodes}


def _types_with_causes(ontology: Graph, facts: Collection[Triple]) -> dict[URIRef, dict[URIRef, tuple | None]]:
    """Each thing's classes and superclasses, each with the triple whose domain or range implies it (None: stated)."""
    supers = _closure(ontology, RDFS.subClassOf)
    super_props = _closure(ontology, RDFS.subPropertyOf)
    implied: dict[URIRef, dict[URIRef, tuple | None]] = {}

    def add(thing: URIRef, cls: URIRef, cause: tuple | None) -> None:
        for c in supers.get(cls, {cls}):
            implied.setdefault(thing, {}).setdefault(c, cause)

    for s, p, o in sorted(facts):
        if p == RDF.type:
            add(s, o, None)
            continue
        for prop in sorted(super_props.get(p, {p})):
            for cls in ontology.objects(prop, RDFS.domain):
                add(s, cls, (s, p, o))
            for cls in ontology.objects(prop, RDFS.range):
                if isinstance(o, URIRef):
                    add(o, cls, (s, p, o))
    return implied


def _name(node: URIRef) -> str:
    """The last segment of an IRI, for messages."""
    return str(node).rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _disjoint_groups(ontology: Graph) -> list[set[URIRef]]:
    """The sets of classes the ontology declares pairwise disjoint."""
    groups = [
        set(ontology.items(ontology.value(a, OWL.members))) for a in ontology.subjects(RDF.type, OWL.AllDisjointClasses)
    ]
    return groups + [{a, b} for a, b in ontology.subject_objects(OWL.disjointWith)]


def _type_closure(ontology: Iterable[str], typed: Iterable[str]) -> set[str]:
    """Every named superclass of every stated type of a thing (`ontology` and `typed`: lines of N-Triples), as lines
    of N-Triples (HermiT reports only the most specific new types). Read from the text: parsing the ontology into
    rdflib terms for this alone would cost more than the rest."""
    parents: dict[str, set[str]] = {}
    classes = set()
    for line in ontology:
        s, p, o = line.split(" ", 2)
        if p == _SUBCLASS_TEXT:
            parents.setdefault(s, set()).add(o)
        elif p == _TYPE_TEXT and o == _CLASS_TEXT and s.startswith("<"):
            classes.add(s)
    closed = set()
    for line in typed:
        thing, p, cls = line.split(" ", 2)
        if cls in classes:
            closed.update(f"{thing} {p} {parent}" for parent in _ancestors(cls, parents) if parent.startswith("<"))
    return closed


def _ancestors(node: str, parents: dict[str, set[str]]) -> set[str]:
    """Every node that `node` reaches through one or more links in `parents` (blank nodes included), but itself."""
    seen, todo = set(), [node]
    while todo:
        for parent in parents.get(todo.pop(), ()):
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    seen.discard(node)
    return seen


def explain_inconsistency(ontology: Graph, facts: Collection[Triple]) -> InconsistentGraph:
    """Name a thing whose stated or implied (domain, range) types are disjoint, the usual cause; else say so plainly."""
    groups = _disjoint_groups(ontology)
    for thing, causes in sorted(_types_with_causes(ontology, facts).items()):
        for group in groups:
            clash = sorted(set(causes) & group, key=lambda c: (causes[c] is not None, str(c)))
            if len(clash) < 2:
                continue
            first, second = clash[:2]
            link, why = causes[second] or causes[first], ""
            if link is not None:
                s, p, o = link
                end, other = ("domain", o) if s == thing else ("range", s)
                why = f" ({_name(second)} from the {end} of {_name(p)}, in its link with {_name(other)})"
            clash_text = f"{thing} is both {_name(first)} and {_name(second)}{why}"
            return InconsistentGraph(f"OWL reasoner: {clash_text}, which the ontology declares disjoint", thing, link)
    return InconsistentGraph("OWL reasoner: the graph is inconsistent with the ontology (no disjointness clash found)")
