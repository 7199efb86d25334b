"""A synthetic national graph: England's 153 children's services authorities, each shaped like Luton.

Authority 1 is Luton itself, unchanged, so the library's default and example parameters (luton-lea,
joint-area-review-2008 ...) still name real things. Authority k > 1 is a copy of Luton's graph in which every
local thing (bodies, schools, documents, citations, relationships, events, claims, duties, inspections,
recommendations, judgements, evidence, priorities, strategies) gets the IRI slug prefix `aNNN-`, every named
graph becomes `…/graph/aNNN-<doc>`, and "Luton" in text becomes "Authority NNN". Shared across the country, and
written once: the ontology and vocabulary graphs, SKOS concepts, legislation, and national bodies
(inspectorates, government departments, national public agencies).

    python benchmarks/synthetic.py --authorities 153 --out /tmp/national.nq
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import pyoxigraph as ox

NQUADS = Path(__file__).resolve().parents[1] / "graph" / "lutonkg.nq"  # the Luton project of this checkout
ID = "https://w3id.org/lutonkg/id/"
SHARED_GRAPHS = {f"<{ID}graph/ontology>", f"<{ID}graph/vocabularies>"}
SHARED_KINDS = {"concept", "legislation"}
NATIONAL_TYPES = {"inspectorate", "government-department", "public-agency"}
MARK = "\x00"  # stands for the authority's prefix in the template
_LOCAL = re.compile(r"<https://w3id\.org/lutonkg/id/([a-z-]+)/([^>]+)>")


def national_bodies(path: Path) -> set[str]:
    """IRIs of bodies that are national rather than local: inspectorates, departments, national agencies."""
    store = ox.Store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
    types = " ".join(f"<{ID}concept/body-type/{t}>" for t in sorted(NATIONAL_TYPES))
    pattern = "GRAPH ?g { ?b <http://www.w3.org/ns/org#classification> ?t }"
    query = f"SELECT DISTINCT ?b WHERE {{ {pattern} VALUES ?t {{ {types} }} }}"
    return {solution["b"].value for solution in store.query(query)}


def template(path: Path) -> tuple[str, str]:
    """The shared quads (written once) and the per-authority template with MARK where the prefix goes."""
    national = national_bodies(path)

    def localise(match: re.Match) -> str:
        kind, slug = match.group(1), match.group(2)
        iri = f"{ID}{kind}/{slug}"
        if kind in SHARED_KINDS or iri in national or (kind == "graph" and f"<{iri}>" in SHARED_GRAPHS):
            return match.group(0)
        return f"<{ID}{kind}/{MARK}{slug}>"

    shared, local = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        graph = line[line.rstrip(" .").rfind(" <") + 1 :].rstrip(" .")
        (shared if graph in SHARED_GRAPHS else local).append(line)
    return "\n".join(shared) + "\n", _LOCAL.sub(localise, "\n".join(local)) + "\n"


def authority_text(local: str, number: int) -> str:
    """The quads of authority number (1 = Luton, unchanged)."""
    if number == 1:
        return local.replace(MARK, "")
    return local.replace(MARK, f"a{number:03d}-").replace("Luton", f"Authority {number:03d}")


def generate(authorities: int, out: Path, source: Path = NQUADS) -> int:
    """Write the national N-Quads file for that many authorities; returns the number of quads written."""
    shared, local = template(source)
    count = shared.count("\n") + authorities * local.count("\n")
    with out.open("w", encoding="utf-8") as sink:
        sink.write(shared)
        for number in range(1, authorities + 1):
            sink.write(authority_text(local, number))
    return count


def main() -> int:
    """Command line: write the synthetic graph."""
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--authorities", type=int, default=153, help="how many authorities (default 153)")
    args.add_argument("--out", required=True, help="N-Quads file to write (use a temporary folder, not the repo)")
    args.add_argument("--source", default=str(NQUADS), help="the Luton graph to copy (default: graph/lutonkg.nq)")
    opts = args.parse_args()
    count = generate(opts.authorities, Path(opts.out), Path(opts.source))
    print(f"wrote {count} quads for {opts.authorities} authorities to {opts.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
