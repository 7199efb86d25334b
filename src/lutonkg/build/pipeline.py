"""The build: data -> RDF -> OWL reasoning -> validation -> outputs, all-or-nothing."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, Graph

from lutonkg.build import publish
from lutonkg.build.register import duty_register
from lutonkg.checks import reason
from lutonkg.checks.validate import Problem, shacl_problems, sparql_problems
from lutonkg.data.load import Data, DataError, load_data
from lutonkg.namespaces import BASE, INFERRED_GRAPH, LKG, ONTOLOGY_GRAPH, PREFIXES
from lutonkg.rdf.builder import NameClash
from lutonkg.rdf.dataset import build_dataset
from lutonkg.rdf.oxstore import store_from_quads
from lutonkg.rdf.serialize import jsonld, nquads, quads, triples, turtle

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


def _locate_clash(data: Data, ds: Dataset, exc: reason.InconsistentGraph) -> str:
    """Where a reasoner clash comes from: the relationship entry whose link implied a type, else the thing itself."""
    if exc.link is not None:
        s, _, o = exc.link
        for node, _, _, _ in ds.quads((None, LKG.subject, s, None)):
            where = locate(data, str(node))
            if any(ds.quads((node, LKG.object, o, None))) and " entry " in where:
                return where
    return locate(data, str(exc.thing)) if exc.thing is not None else ""


def _reason(data: Data, ds: Dataset, ontology: Graph, use_reasoner: bool) -> tuple[list, str]:
    """Check consistency with HermiT; return what it infers (for the inferred graph) and a one-line account."""
    if not use_reasoner:
        return [], "OWL reasoning skipped (--no-reason): the outputs differ from a reasoned build (no inferred links)"
    facts = {(s, p, o) for s, p, o, g in ds.quads((None, None, None, None)) if g != ONTOLOGY_GRAPH}
    try:
        result = reason.materialise(ontology, facts)
    except reason.InconsistentGraph as exc:
        where = _locate_clash(data, ds, exc)
        raise BuildError(f"{where}: {exc}" if where else str(exc)) from None
    except reason.ReasonerFailed as exc:
        raise BuildError(str(exc)) from None
    return result.inferred, f"HermiT: consistent, {len(result.inferred)} triples inferred"


def union_graph(ds: Dataset) -> Graph:
    """Every triple of every named graph, once, as an rdflib graph (for pySHACL)."""
    g = Graph()
    for prefix, namespace in PREFIXES.items():
        g.bind(prefix, namespace)
    for s, p, o, _ in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


def _reason_and_prepare(data: Data, ds: Dataset, use_reasoner: bool) -> tuple[Graph, list, str]:
    """Reason, and meanwhile build the graph pySHACL validates; add the inferences to both (reasoned graph for SHACL).

    HermiT runs in Java while the main thread waits for it, so a helper thread copies the asserted triples for SHACL
    in that time (both only read the dataset until the reasoner is done). The reasoner runs in the main thread so
    that Ctrl-C (KeyboardInterrupt, raised only there) stops Java at once instead of waiting for it.
    """
    ontology = ds.graph(ONTOLOGY_GRAPH)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="lutonkg-shacl-input") as pool:
        copying = pool.submit(union_graph, ds)
        inferred, account = _reason(data, ds, ontology, use_reasoner)
        shacl_input = copying.result()
    target = ds.graph(INFERRED_GRAPH)
    for triple in inferred:
        target.add(triple)
        shacl_input.add(triple)
    return shacl_input, inferred, account


def _summarise(data: Data, ds: Dataset, report: BuildReport) -> None:
    """Counts for the summary: triples, bodies by type, facts (quads) per source document."""
    report.bodies_by_type = Counter(data.body_type(b) for b in data.bodies())
    per_graph: Counter = Counter()
    for _, _, _, g in ds.quads((None, None, None, None)):
        per_graph[str(g)] += 1
    for doc in data["documents"]:
        report.facts_by_document[doc["id"]] = per_graph.get(f"{BASE}id/graph/{doc['id']}", 0)


def convert(data_dir: Path) -> tuple[Data, Dataset]:
    """Read and check the data and turn it into RDF; BuildError (one line) on bad data."""
    try:
        data = load_data(data_dir)
    except DataError as exc:
        raise BuildError(str(exc)) from None
    try:
        return data, build_dataset(data)
    except NameClash as exc:
        raise BuildError(_clash_message(data, exc)) from None
    except DataError as exc:
        raise BuildError(str(exc)) from None


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


def check_quality(data: Data, all_quads: list) -> None:
    """Run the SPARQL quality checks; BuildError naming the first entry at fault."""
    problems = sparql_problems(store_from_quads(all_quads))
    if problems:
        raise _fail(data, problems, "quality check")


def build(
    data_dir: Path, out_dir: Path, use_reasoner: bool = True, step: Callable[[str], None] = lambda name: None
) -> BuildReport:
    """Load, convert, reason, validate and publish; raise BuildError (outputs left as they were) on any problem.
    `step` is told the name of each stage as it starts (for progress).

    One build at a time holds the output folder; its outputs appear all at once (lutonkg.build.publish).
    """
    started = time.perf_counter()
    if use_reasoner and not reason.java_available():
        raise BuildError(NO_JAVA)
    try:
        with publish.exclusive(out_dir, OUTPUTS):
            staging = publish.stage(out_dir)
            try:
                report, files = _make(data_dir, use_reasoner, step)
                step("publishing the outputs")
                publish.write(staging, files)
                report.written = publish.swap_in(staging, out_dir, OUTPUTS)
            finally:
                publish.discard(staging)
    except publish.PublishError as exc:
        raise BuildError(str(exc)) from None
    report.seconds = time.perf_counter() - started
    return report


def _make(data_dir: Path, use_reasoner: bool, step: Callable[[str], None]) -> tuple[BuildReport, dict[str, str]]:
    """Everything but writing: the checked, reasoned and validated graph as the text of each output file."""
    report = BuildReport()
    step("reading and checking the data")
    data, ds = convert(data_dir)
    step("OWL reasoning (HermiT)" if use_reasoner else "preparing validation")
    shacl_input, inferred, report.reasoning = _reason_and_prepare(data, ds, use_reasoner)
    report.inferred = len(inferred)
    all_quads = quads(ds)
    union = triples(all_quads)
    step("SPARQL quality checks")
    check_quality(data, all_quads)  # the quick SPARQL checks first, so the commonest mistakes fail fast
    step("SHACL validation")
    check_shapes(data, shacl_input)
    report.validation = "SHACL shapes conform; SPARQL quality checks pass"
    report.triples = len(union)
    _summarise(data, ds, report)
    step("serialising Turtle, JSON-LD, N-Quads and the duty register")
    files = {
        "lutonkg.ttl": turtle(union),
        "lutonkg.jsonld": jsonld(union),
        "lutonkg.nq": nquads(all_quads),
        "duty-register.csv": duty_register(data),
    }
    return report, files


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
