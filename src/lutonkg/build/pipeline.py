"""The build: data -> RDF -> OWL reasoning -> validation -> outputs, all-or-nothing."""

from __future__ import annotations

import functools
import importlib.metadata
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox
from rdflib import Graph

from lutonkg import namespaces
from lutonkg.build import publish
from lutonkg.build.cache import Cache, digest
from lutonkg.build.quality import QualityChecks
from lutonkg.build.register import duty_register
from lutonkg.checks import incremental, reason, validate
from lutonkg.checks.validate import Problem, shacl_problems, shapes_graph, sparql_problems
from lutonkg.data import selectors
from lutonkg.data.load import Data, DataError, load_data
from lutonkg.namespaces import BASE, INFERRED_GRAPH, LKG, ONTOLOGY_GRAPH, PREFIXES
from lutonkg.rdf import builder as rdf_builder
from lutonkg.rdf import dataset as rdf_dataset
from lutonkg.rdf import pieces, serialize
from lutonkg.rdf.builder import NameClash, QuadSet
from lutonkg.rdf.dataset import build_dataset, dataset_keys, decode_citation_keys, encode_citation_keys
from lutonkg.rdf.oxstore import store_from_quads
from lutonkg.rdf.serialize import QuadKey, Statements, nquads, statements
from lutonkg.resources import shapes_file

T = TypeVar("T")

OUTPUTS = ("lutonkg.ttl", "lutonkg.jsonld", "lutonkg.nq", "duty-register.csv")
_SECTION_OF_KIND = {
    "body": "bodies",
    "school": "schools",
    "relationship": "relationships",
    "event": "events",
    "claim": "claims",
    "duty": "duties",
    "responsibility": "duties",
    "legislation": "legislation",
    "priority": "priorities",
    "strategy": "strategies",
    "contribution": "strategies",
    "inspection": "inspections",
    "recommendation": "recommendations",
    "pairing": "recommendations",
    "reiteration": "recommendations",
    "judgement": "judgements",
    "evidence": "evidence",
    "document": "documents",
    "printed-item": "printed_items",
    "legal-basis": "duties",
    "name": "bodies",
}


NO_JAVA = (
    "OWL reasoning needs a Java runtime and none was found on PATH: install one (e.g. `apt-get install "
    "default-jre-headless`), or build an unreasoned graph with --no-reason (its outputs then differ from the reasoned "
    "build)"
)


class BuildError(Exception):
    """The build stopped; the message is one line saying where and why."""


@dataclass
class BuildReport:
    """What a build produced, for the summary a person reads."""

    triples: int = 0
    inferred: int = 0
    reasoning: str = ""
    bodies_by_type: Counter = field(default_factory=Counter)
    facts_by_document: dict[str, int] = field(default_factory=dict)
    validation: str = ""
    written: list[Path] = field(default_factory=list)
    seconds: float = 0.0


def locate(data: Data, focus: str) -> str:
    """Turn a node IRI from a validation result into 'file:line: section entry' where possible."""
    prefix = BASE + "id/"
    if focus.startswith(BASE + "def/"):
        return _locate_term(data, "lkg:" + focus[len(BASE + "def/") :]) or focus
    if not focus.startswith(prefix):
        return focus
    kind, _, slug = focus[len(prefix) :].partition("/")
    if kind == "site":
        owners = [
            (sec, e)
            for sec in ("bodies", "schools")
            for e in data[sec]
            if slug in {s["id"] for s in e.get("sites", [])}
        ]
        return data.where(*owners[0]) if owners else focus
    section = _SECTION_OF_KIND.get(kind)
    if section is None:
        return focus
    # the entry whose id is the slug, or else the longest id the slug starts with (citations, derived nodes)
    matches = [e for e in data[section] if e["id"] == slug or slug.startswith(e["id"] + "-")]
    if matches:
        return data.where(section, max(matches, key=lambda e: (e["id"] == slug, len(e["id"]))))
    return f"{data.where(section)}: {focus}"


def _locate_term(data: Data, curie: str) -> str | None:
    """The vocabulary concept that maps to an ontology term (a class or property), as 'file:line: schemes entry'."""
    for name, scheme in data.schemes.items():
        for concept in scheme["concepts"]:
            if curie in (concept.get("class"), concept.get("property")):
                line = getattr(concept, "line", 0)
                return f"{data.where('schemes')}:{line}: schemes entry {name!r}: concept {concept['id']!r}: {curie}"
    return None


def _fail(data: Data, problems: list[Problem], what: str) -> BuildError:
    """One line naming the first problem's file and entry, and how many more there are."""
    first = problems[0]
    more = f" (and {len(problems) - 1} more {what} problem(s))" if len(problems) > 1 else ""
    return BuildError(f"{locate(data, first.focus)}: {what}: {first.message}{more}")


def _locate_clash(data: Data, ds: QuadSet, exc: reason.InconsistentGraph) -> str:
    """Where a reasoner clash comes from: the relationship entry whose link implied a type, else the thing itself."""
    if exc.link is not None:
        s, _, o = exc.link
        for node, _, _, _ in ds.match(p=LKG.subject, o=s):
            where = locate(data, str(node))
            if any(ds.match(node, LKG.object, o)) and " entry " in where:
                return where
    return locate(data, str(exc.thing)) if exc.thing is not None else ""


def _reason(data: Data, selected: reason.ReasonerText, dataset: Callable[[], QuadSet]) -> reason.ReasoningResult:
    """Check consistency with HermiT and return what it infers; BuildError (one line) if it cannot or finds a clash,
    which is then explained from the dataset as rdflib terms (made only for that)."""
    try:
        return reason.materialise(selected)
    except reason.InconsistentGraph:
        ds = dataset()
        facts = {(s, p, o) for s, p, o, g in ds if str.__ne__(g, ONTOLOGY_GRAPH)}  # str's test: rdflib's is slow
        exc = reason.explain_inconsistency(ds.graph(ONTOLOGY_GRAPH), facts)
        where = _locate_clash(data, ds, exc)
        raise BuildError(f"{where}: {exc}" if where else str(exc)) from None
    except reason.ReasonerFailed as exc:
        raise BuildError(str(exc)) from None


def union_graph(ds: QuadSet) -> Graph:
    """Every triple of every named graph, once, as an rdflib graph (for pySHACL)."""
    g = Graph()
    for prefix, namespace in PREFIXES.items():
        g.bind(prefix, namespace)
    for s, p, o, _ in ds:
        g.add((s, p, o))
    return g


@dataclass
class _Reasoned:
    """What reasoning gave the rest of the build: the inferred quads as text, and how to get what SHACL reads."""

    keys: list[QuadKey]  # the inferred quads (in the inferred graph), as the statements hold them
    account: str  # one line for the summary
    shacl_input: Callable[[], Graph]  # the reasoned union as an rdflib graph, made only when SHACL needs it whole


def _reason_and_prepare(
    data: Data, dataset: Callable[[], QuadSet], asserted: Statements, use_reasoner: bool, store: Cache
) -> _Reasoned:
    """Reason, or take the result from the cache (as text: the rdflib terms are made only if SHACL must read the
    whole graph).

    The reasoner's result depends only on the ontology and on the type and object-property assertions
    (reason.reasoning_key), so an edit to anything else (a date, a citation, a label) reuses it. HermiT reads the
    statements' text. When it runs and SHACL will read the whole graph (no graph that conformed is kept to validate
    only the changes against), a helper thread copies the asserted triples for SHACL while the main thread waits for
    Java; when SHACL will most likely validate only the changes, the copy is left until it is needed, as it would
    only compete with the reasoner's Python for the interpreter (an edit the reasoner sees: 5.5 → 4.7 s in process).
    The reasoner runs in the main thread so that Ctrl-C (KeyboardInterrupt, raised only there) stops Java at once
    instead of waiting for it. `dataset()` gives the dataset as rdflib terms, made only when a whole-graph SHACL run
    or the explanation of a clash needs it.
    """
    if not use_reasoner:
        skipped = "OWL reasoning skipped (--no-reason): the outputs differ from a reasoned build (no inferred links)"
        return _Reasoned([], skipped, lambda: union_graph(dataset()))
    selected = reason.reasoner_text(asserted.keys, f"<{ONTOLOGY_GRAPH}>")  # read once, for the key and for HermiT
    key = reason.reasoning_key(selected) if store.enabled else ""
    cached = store.get("reasoning", key) if key else None
    if cached is not None:
        kept = reason.decode_result(cached)
        reason.prime(selected)
        keys = kept.keys(f"<{INFERRED_GRAPH}>")
        account = f"HermiT: consistent, {len(keys)} triples inferred (from the build cache)"
        return _Reasoned(keys, account, lambda: _with(union_graph(dataset()), kept.terms()))
    if store.holds("shacl-conforming", _shapes_key()):  # SHACL will most likely validate only what changed
        result = _reason(data, selected, dataset)
        return _kept(result, key, store, functools.partial(_with_union, dataset, result))
    ds = dataset()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="lutonkg-shacl-input") as pool:
        copying = pool.submit(union_graph, ds)
        result = _reason(data, selected, lambda: ds)
        copied = _with(copying.result(), result.terms())
    return _kept(result, key, store, lambda: copied)


def _kept(result: reason.ReasoningResult, key: str, store: Cache, shacl_input: Callable[[], Graph]) -> _Reasoned:
    """HermiT's result, kept in the cache under its key (when it has one) and handed to the rest of the build."""
    encoded = reason.encode_result(result) if key else None
    if encoded is not None:
        store.put("reasoning", key, encoded)
    keys = result.keys(f"<{INFERRED_GRAPH}>")
    return _Reasoned(keys, f"HermiT: consistent, {len(result.inferred)} triples inferred", shacl_input)


def _with_union(dataset: Callable[[], QuadSet], result: reason.ReasoningResult) -> Graph:
    """The union of the dataset's graphs with the inferred triples (what SHACL reads whole)."""
    return _with(union_graph(dataset()), result.terms())


def _with(graph: Graph, triples: list[reason.Triple]) -> Graph:
    """The graph, with the triples added."""
    for triple in triples:
        graph.add(triple)
    return graph


def _summarise(data: Data, stated: Statements, report: BuildReport) -> None:
    """Counts for the summary: triples, bodies by type, facts (quads) per source document."""
    report.triples = len(stated.triple_lines)
    report.bodies_by_type = Counter(data.body_type(b) for b in data.bodies())
    per_graph = Counter(graph for graph, _, _, _ in stated.keys)  # each quad's graph, as text (the lines unmade)
    for doc in data["documents"]:
        report.facts_by_document[doc["id"]] = per_graph.get(f"<{BASE}id/graph/{doc['id']}>", 0)


def convert(data_dir: Path, store: Cache | None = None) -> tuple[Data, QuadSet]:
    """Read and check the data and turn it into RDF; BuildError (one line) on bad data. With a cache, data files
    read and checked before are taken from it."""
    data = _read(data_dir, store if store is not None and store.enabled else None)
    return data, _made(data, build_dataset)


def _read(data_dir: Path, store: Cache | None) -> Data:
    """The checked data; BuildError (one line) on bad data."""
    try:
        return load_data(data_dir, store)
    except DataError as exc:
        raise BuildError(str(exc)) from None


def _made(data: Data, make: Callable[[Data], T]) -> T:
    """What `make` makes of the data (its RDF); a clash of nodes or a data problem as the build's one line."""
    try:
        return make(data)
    except NameClash as exc:
        raise BuildError(_clash_message(data, exc)) from None
    except DataError as exc:
        raise BuildError(str(exc)) from None


def _assemble(data_dir: Path, store: Cache) -> tuple[Data, Statements, Callable[[], QuadSet]]:
    """Read and check the data and turn it into the asserted statements (text); BuildError (one line) on bad data.
    Also returns how to get the dataset as rdflib terms (made once, when first asked for).

    With a cache, each citation's quads are taken from it while the citation's inputs are unchanged
    (rdf.dataset.dataset_keys: the same statements, without making three quarters of the quads again)."""
    if not store.enabled:
        data, ds = convert(data_dir)
        return data, statements(ds), lambda: ds
    data = _read(data_dir, store)
    key = _citations_key()
    known = decode_citation_keys(store.get("citations", key))
    keys, used = _made(data, lambda checked: dataset_keys(checked, known))
    if used.keys() != known.keys():
        store.put("citations", key, encode_citation_keys(used))
    return data, Statements(keys), functools.cache(lambda: build_dataset(data))


def _citations_key() -> str:
    """What a citation's quads depend on besides its inputs: the code that makes them and writes their terms, and
    the versions of rdflib and pyoxigraph."""
    modules = (rdf_builder, rdf_dataset, selectors, serialize, namespaces)
    return digest(*(Path(module.__file__).read_bytes() for module in modules), _version("rdflib"), ox.__version__)


def _clash_message(data: Data, clash: NameClash) -> str:
    """A node two entries would both make, as a duplicate id at the entry whose id repeats the other's made name."""
    first, second = locate(data, str(clash.first)), locate(data, str(clash.second))
    if len(str(clash.first)) > len(str(clash.second)):  # the longer id is the one that spells the other's made name
        first, second = second, first
    node = str(clash.node).removeprefix(BASE + "id/")
    return (
        f"{second}: duplicate id: the build would make the node {node!r} for this entry and also for {first}; "
        "rename this entry's id"
    )


def check_shapes(data: Data, graph: Graph) -> None:
    """Validate the reasoned union graph against the SHACL shapes; BuildError naming the first entry at fault."""
    problems = shacl_problems(graph)
    if problems:
        raise _fail(data, problems, "SHACL")


def _shapes_key() -> str:
    """What a SHACL verdict depends on besides the graph: the shapes, the validating code, pySHACL's version."""
    code = [Path(module.__file__).read_bytes() for module in (incremental, validate)]
    return digest(shapes_file().read_bytes(), *code, _version("pyshacl"))


def _version(package: str) -> str:
    """An installed package's version ('' when unknown)."""
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return ""


def validate_shapes(
    data: Data,
    stated: Statements,
    shacl_input: Callable[[], Graph],
    store: Cache,
    first: Callable[[], None] = lambda: None,
) -> str:
    """SHACL, on only what changed since the last graph that conformed (lutonkg.checks.incremental) where the
    cache holds one, else on the whole graph (`shacl_input()`, after `first`: the quicker checks fail fast);
    BuildError naming the first entry at fault. Returns how it was done."""
    key = _shapes_key() if store.enabled else ""
    current = stated.triple_lines
    previous = store.get("shacl-conforming", key) if key else None
    payload = "\n".join(current).encode("utf-8") if key else b""
    if previous == payload:  # the very graph that conformed last time
        return "SHACL shapes conform (0 changed node(s) validated, the rest as before)"
    done = _validate_changes(previous, current) if previous is not None else None
    if done is None:
        first()
        check_shapes(data, shacl_input())
        done = "SHACL shapes conform"
    if key:
        store.put("shacl-conforming", key, payload)
    return done


def _validate_changes(previous: bytes, current: list[str]) -> str | None:
    """Validate the nodes that changed since a graph that conformed; an account when they all conform, else None
    (the whole graph must be validated: to be exact, or to report every problem as a full build does)."""
    shapes = shapes_graph()
    if not incremental.local_shapes(shapes):
        return None
    read = incremental.read_predicates(shapes)
    changes = incremental.changed_nodes(set(previous.decode("utf-8").split("\n")), current, read)
    if changes is None:
        return None
    if changes.nodes:
        focus = {incremental.focus_of(n) for n in changes.nodes}
        if shacl_problems(incremental.neighbourhood(current, changes.nodes), about=focus, shapes=shapes):
            return None
    unread = f", {len(changes.unread)} changed only in what no shape reads" if changes.unread else ""
    return f"SHACL shapes conform ({len(changes.nodes)} changed node(s) validated{unread}, the rest as before)"


def check_quality(data: Data, all_quads: list[ox.Quad]) -> None:
    """Run the SPARQL quality checks on some quads (the build runs them in lutonkg.build.quality); BuildError naming
    the first entry at fault."""
    problems = sparql_problems(store_from_quads(all_quads))
    if problems:
        raise _fail(data, problems, "quality check")


def build(
    data_dir: Path,
    out_dir: Path,
    use_reasoner: bool = True,
    step: Callable[[str], None] = lambda name: None,
    cache: Cache | None = None,
) -> BuildReport:
    """Load, convert, reason, validate and publish; raise BuildError (outputs left as they were) on any problem.
    `step` is told the name of each stage as it starts (for progress); `cache` keeps the slow stages' results
    between builds (lutonkg.build.cache; none by default), which never changes the outputs.

    One build at a time holds the output folder; its outputs appear all at once (lutonkg.build.publish).
    """
    started = time.perf_counter()
    if use_reasoner and not reason.java_available():
        raise BuildError(NO_JAVA)
    try:
        with publish.exclusive(out_dir, OUTPUTS):
            staging = publish.stage(out_dir)
            try:
                report, files = _make(data_dir, use_reasoner, step, cache or Cache(None))
                step("publishing the outputs")
                publish.write(staging, files)
                report.written = publish.swap_in(staging, out_dir, OUTPUTS)
            finally:
                publish.discard(staging)
    except publish.PublishError as exc:
        raise BuildError(str(exc)) from None
    report.seconds = time.perf_counter() - started
    return report


def check(
    data_dir: Path,
    use_reasoner: bool = True,
    step: Callable[[str], None] = lambda name: None,
    cache: Cache | None = None,
) -> BuildReport:
    """Everything a build checks (schema, references, fidelity, reasoning, SPARQL checks, SHACL), writing no outputs;
    BuildError (one line) on the first problem."""
    started = time.perf_counter()
    if use_reasoner and not reason.java_available():
        raise BuildError(NO_JAVA)
    report = BuildReport()
    step("reading and checking the data")
    store = cache or Cache(None)
    data, asserted, dataset = _assemble(data_dir, store)
    _summarise(data, _validate(data, asserted, dataset, use_reasoner, step, store, report), report)
    report.seconds = time.perf_counter() - started
    return report


def _validate(
    data: Data,
    asserted: Statements,
    dataset: Callable[[], QuadSet],
    use_reasoner: bool,
    step: Callable[[str], None],
    store: Cache,
    report: BuildReport,
    meanwhile: Callable[[Statements], None] = lambda stated: None,
) -> Statements:
    """Reason, then validate: the SPARQL checks in a helper thread (lutonkg.build.quality), SHACL and then
    `meanwhile` (the outputs' text) in this one; the reasoned dataset's statements. A quality check's problem is
    reported before a SHACL problem, as when the checks ran first."""
    step("OWL reasoning (HermiT)" if use_reasoner else "preparing validation")
    with QualityChecks() as quality:
        quality.start(asserted.keys)
        reasoned = _reason_and_prepare(data, dataset, asserted, use_reasoner, store)
        report.reasoning, report.inferred = reasoned.account, len(reasoned.keys)
        quality.finish(reasoned.keys)
        stated = asserted.plus(reasoned.keys)
        step("SHACL validation and SPARQL quality checks")
        try:
            first = functools.partial(_check_quality, data, quality)
            shapes = validate_shapes(data, stated, reasoned.shacl_input, store, first=first)
            meanwhile(stated)
        except BuildError:
            _check_quality(data, quality)  # its problem wins over SHACL's
            raise
        _check_quality(data, quality)
    report.validation = shapes + "; SPARQL quality checks pass"
    return stated


def _check_quality(data: Data, quality: QualityChecks) -> None:
    """Wait for the SPARQL quality checks; BuildError naming the first entry at fault."""
    problems = quality.problems()
    if problems:
        raise _fail(data, problems, "quality check")


def _make(
    data_dir: Path, use_reasoner: bool, step: Callable[[str], None], store: Cache
) -> tuple[BuildReport, dict[str, str]]:
    """Everything but writing: the checked, reasoned and validated graph as the text of each output file."""
    report = BuildReport()
    step("reading and checking the data")
    data, asserted, dataset = _assemble(data_dir, store)
    files: dict[str, str] = {}

    def serialise(stated: Statements) -> None:
        step("serialising Turtle, JSON-LD, N-Quads and the duty register")
        files["lutonkg.ttl"], files["lutonkg.jsonld"] = _turtle_and_jsonld(stated, store)
        files["lutonkg.nq"] = nquads(stated)
        files["duty-register.csv"] = duty_register(data)

    stated = _validate(data, asserted, dataset, use_reasoner, step, store, report, meanwhile=serialise)
    _summarise(data, stated, report)
    return report, files


def _turtle_and_jsonld(stated: Statements, store: Cache) -> tuple[str, str]:
    """The Turtle and JSON-LD of the union, subject by subject (lutonkg.rdf.pieces), reusing from the build cache the
    text of every subject whose triples did not change."""
    key = digest(*(Path(m.__file__).read_bytes() for m in (pieces, serialize)), ox.__version__) if store.enabled else ""
    known = pieces.decode(store.get("pieces", key) if key else None)
    try:
        turtle_text, jsonld_text, written = pieces.write(stated.triple_lines, known)
    except pieces.Unsupported:  # another pyoxigraph writes otherwise: the whole union at once, as before
        text = "".join(line + " .\n" for line in stated.triple_lines)
        union = list(ox.parse(input=text, format=ox.RdfFormat.N_TRIPLES))
        return serialize.turtle(union), serialize.jsonld(union)
    if key:
        store.put("pieces", key, pieces.encode(written))
    return turtle_text, jsonld_text


def format_check(report: BuildReport) -> str:
    """The short summary printed after a check."""
    return "\n".join(
        [
            f"checked {report.triples} triples ({report.inferred} inferred) in {report.seconds:.1f} s: nothing written",
            f"  reasoning: {report.reasoning}",
            f"  validation: {report.validation}",
        ]
    )


def format_report(report: BuildReport) -> str:
    """The short summary printed after a build."""
    types = ", ".join(f"{t} {n}" for t, n in sorted(report.bodies_by_type.items(), key=lambda kv: (-kv[1], kv[0])))
    docs = ", ".join(f"{d} {n}" for d, n in report.facts_by_document.items())
    lines = [
        f"built {report.triples} triples ({report.inferred} inferred) in {report.seconds:.1f} s",
        f"  bodies: {sum(report.bodies_by_type.values())} ({types})",
        f"  statements per source document: {docs}",
        f"  reasoning: {report.reasoning}",
        f"  validation: {report.validation}",
        "  wrote: " + ", ".join(str(p.relative_to(p.parents[1])) for p in report.written),
    ]
    return "\n".join(lines)
