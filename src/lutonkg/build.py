"""The build: data -> RDF -> OWL reasoning -> validation -> outputs, all-or-nothing."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, Graph

from lutonkg import reason
from lutonkg.load import Data, DataError, load_data
from lutonkg.paths import DATA_DIR, GRAPH_DIR
from lutonkg.rdf import BASE, INFERRED_GRAPH, LKG, ONTOLOGY_GRAPH, PREFIXES, build_dataset
from lutonkg.register import duty_register
from lutonkg.store import store_from_quads
from lutonkg.validate import Problem, shacl_problems, sparql_problems
from lutonkg.write import jsonld, nquads, quads, triples, turtle

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
}


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
        return [], "OWL reasoning skipped (--no-reason)"
    facts = {(s, p, o) for s, p, o, g in ds.quads((None, None, None, None)) if g != ONTOLOGY_GRAPH}
    try:
        result = reason.materialise(ontology, facts)
    except reason.InconsistentGraph as exc:
        where = _locate_clash(data, ds, exc)
        raise BuildError(f"{where}: {exc}" if where else str(exc)) from None
    except reason.ReasonerFailed as exc:
        raise BuildError(str(exc)) from None
    if result.skipped:
        return [], result.skipped
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

    HermiT runs in Java while its Python thread waits, so the asserted triples are copied for SHACL in that time
    (both threads only read the dataset until the reasoner is done).
    """
    ontology = ds.graph(ONTOLOGY_GRAPH)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="lutonkg-reason") as pool:
        reasoning = pool.submit(_reason, data, ds, ontology, use_reasoner)
        shacl_input = union_graph(ds)
        inferred, account = reasoning.result()
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


def _write_all(files: dict[str, str], out_dir: Path) -> list[Path]:
    """Write every output to a staging folder, then move them into place only once all were written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=out_dir))
    try:
        for name, text in files.items():
            (staging / name).write_text(text, encoding="utf-8", newline="\n")
        written = []
        for name in files:
            os.replace(staging / name, out_dir / name)
            written.append(out_dir / name)
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def convert(data_dir: Path) -> tuple[Data, Dataset]:
    """Read and check the data and turn it into RDF; BuildError (one line) on bad data."""
    try:
        data = load_data(data_dir)
        return data, build_dataset(data)
    except DataError as exc:
        raise BuildError(str(exc)) from None


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


def build(data_dir: Path = DATA_DIR, out_dir: Path = GRAPH_DIR, use_reasoner: bool = True) -> BuildReport:
    """Load, convert, reason, validate and write; raise BuildError (nothing written) on any problem."""
    started = time.perf_counter()
    if out_dir.exists() and not out_dir.is_dir():
        raise BuildError(f"{out_dir}: cannot write the outputs there (not a folder)")
    report = BuildReport()
    data, ds = convert(data_dir)
    shacl_input, inferred, report.reasoning = _reason_and_prepare(data, ds, use_reasoner)
    report.inferred = len(inferred)
    all_quads = quads(ds)
    union = triples(all_quads)
    check_quality(data, all_quads)  # the quick SPARQL checks first, so the commonest mistakes fail fast
    check_shapes(data, shacl_input)
    report.validation = "SHACL shapes conform; SPARQL quality checks pass"
    report.triples = len(union)
    _summarise(data, ds, report)
    files = {
        "lutonkg.ttl": turtle(union),
        "lutonkg.jsonld": jsonld(union),
        "lutonkg.nq": nquads(all_quads),
        "duty-register.csv": duty_register(data),
    }
    try:
        report.written = _write_all(files, out_dir)
    except OSError as exc:
        why = "not a folder" if out_dir.exists() and not out_dir.is_dir() else (exc.strerror or str(exc))
        raise BuildError(f"{out_dir}: cannot write the outputs there ({why})") from None
    report.seconds = time.perf_counter() - started
    return report


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
