"""Run by tests/test_watch.py in a process of its own (a Java VM started in a process stays for its life): HermiT on
the asserted statements of a built graph, first as every command runs it (a fresh `java` each time), then in a Java
VM inside this process (lutonkg.checks.warm, as `--watch` runs it); the same for that input made contradictory.
Prints one JSON object saying what each gave.

    python tests/hermit_both_ways.py BUILT.nq
"""

from __future__ import annotations

import json
import subprocess
import sys

import pyoxigraph as ox

from lutonkg.checks import reason, warm
from lutonkg.namespaces import ID, INFERRED_GRAPH, LKG, ONTOLOGY_GRAPH

RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"


def selected(nquads: str) -> reason.ReasonerText:
    """What the build gives HermiT from the built graph's asserted statements."""
    inferred = f"<{INFERRED_GRAPH}>"
    quads = ox.parse(path=nquads, format=ox.RdfFormat.N_QUADS)
    asserted = [(str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)) for q in quads]
    return reason.reasoner_text([q for q in asserted if q[0] != inferred], f"<{ONTOLOGY_GRAPH}>")


def contradictory(text: reason.ReasonerText) -> reason.ReasonerText:
    """The same, with the LEA stated to be a school as well (School and StatutoryCapacity are disjoint classes)."""
    clash = f"<{ID}body/luton-lea> {RDF_TYPE} <{LKG}School>"
    return reason.ReasonerText(text.ontology, text.facts | {clash}, text.typed | {clash})


def outcome(text: reason.ReasonerText) -> object:
    """The inferred triples, or the name of the exception raised."""
    try:
        return reason.materialise(text).inferred
    except (reason.InconsistentGraph, reason.ReasonerFailed) as exc:
        return type(exc).__name__


def main(nquads: str) -> None:
    """Both ways, then the report."""
    text = selected(nquads)
    fresh, fresh_clash = outcome(text), outcome(contradictory(text))
    real_check_output = subprocess.check_output
    started_java: list[list[str]] = []

    def counting(command: list[str], *args: object, **kwargs: object) -> bytes:
        started_java.append(command)
        return real_check_output(command, *args, **kwargs)

    subprocess.check_output = counting  # what owlready2 calls to start `java`
    problem = warm.start()
    in_process = [outcome(text) for _ in range(2)]
    in_process_clash = outcome(contradictory(text))
    lea_member = [
        f"{ID}body/14-19-strategic-planning-group",
        "http://www.w3.org/ns/org#hasMember",
        f"{ID}body/luton-lea",
    ]
    print(json.dumps({
        "warm_start_problem": problem,
        "fresh_count": len(fresh) if isinstance(fresh, list) else fresh,
        "same_both_ways": all(run == fresh for run in in_process),
        "fresh_has_lea_membership_inverse": isinstance(fresh, list) and tuple(lea_member) in set(fresh),
        "fresh_clash": fresh_clash,
        "in_process_clash": in_process_clash,
        "java_commands_started_after_warm_start": len(started_java),
    }), flush=True)  # fmt: skip
    warm.stop()


if __name__ == "__main__":
    main(sys.argv[1])
