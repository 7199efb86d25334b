"""The work of a site build that does not need the entities' descriptions, done by a second process while this one
describes and renders: projecting the graph (the years each thing holds, the network snapshots), drawing the
diagrams (timeline, partnership network, recommendation tracker) with `lutonkg.diagrams`, and writing each entity's
Turtle and JSON-LD. The worker (`python -m lutonkg.site.worker GRAPH FOLDER`) leaves its results in a folder, each
file appearing as it is done; whatever it fails to deliver is computed here instead, so the site is the same either
way."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx

DIAGRAMS = ("timeline", "network", "tracker")
NETWORK_YEARS = [2002, 2008, 2020]
EXACT_BETWEENNESS = 400  # bigger snapshot networks are sampled (deterministically) for their hubs
PROJECTION, FIGURES, RDF = "projection.json", "diagrams.json", "rdf.pickle"


# -- the work itself (run by the worker, or here)


def projection(network: nx.MultiDiGraph) -> dict:
    """The years each thing holds (by IRI) and each snapshot's partnership network: bodies, links, three main hubs."""
    from lutonkg.analysis.measures import partnership_network
    from lutonkg.analysis.network import snapshot

    held = {d["iri"]: sorted(d["years"]) for _, d in network.nodes(data=True) if d.get("iri") and d.get("years")}
    snapshots = []
    for year in NETWORK_YEARS:
        net = partnership_network(snapshot(network, year))
        sample = {"k": EXACT_BETWEENNESS, "seed": 1} if net.number_of_nodes() > EXACT_BETWEENNESS else {}
        between = nx.betweenness_centrality(net, normalized=True, **sample) if net.number_of_nodes() > 2 else {}
        hubs = sorted(net.nodes, key=lambda n: (-between.get(n, 0.0), -net.degree(n), n))[:3]
        snapshots.append({"year": year, "bodies": net.number_of_nodes(), "links": net.number_of_edges(),
                          "hubs": [network.nodes[h]["iri"] for h in hubs]})  # fmt: skip
    return {"held": held, "snapshots": snapshots}


def draw(network: nx.MultiDiGraph, which: str) -> tuple[str, bytes]:
    """One diagram as SVG: its file name and bytes."""
    from lutonkg.diagrams.style import only

    with tempfile.TemporaryDirectory() as tmp, only("svg"):
        out = Path(tmp)
        if which == "timeline":
            from lutonkg.diagrams.timeline import body_timeline_figure

            paths = body_timeline_figure(network, out)
        elif which == "network":
            from lutonkg.diagrams.network import partnership_network_figure

            paths = partnership_network_figure(network, NETWORK_YEARS, out)
        else:
            from lutonkg.diagrams.tracker import tracker_figure

            paths = tracker_figure(network, out)
        return paths[0].name, paths[0].read_bytes()


def rdf_files(graph: Path, iris: list[str]) -> dict[str, bytes]:
    """Each entity's Turtle and JSON-LD, by path from the site's root."""
    from lutonkg.site.links import entity_path
    from lutonkg.site.rdf import Descriptions

    rdf = Descriptions(graph)
    files = {}
    for iri in iris:
        stem = entity_path(iri)[: -len(".html")]
        triples = rdf.triples(iri)
        files[stem + ".ttl"] = rdf.turtle(triples)
        files[stem + ".jsonld"] = rdf.jsonld(triples) + b"\n"
    return files


def _publish(folder: Path, name: str, content: bytes) -> None:
    """Write a result so that it appears whole (written aside, then renamed)."""
    part = folder / (name + ".part")
    part.write_bytes(content)
    os.replace(part, folder / name)


def run(graph: Path, folder: Path) -> None:
    """The worker: projection first (the main process waits for it), then the diagrams, then the RDF."""
    from lutonkg.analysis.network import load
    from lutonkg.site.rdf import entity_iris

    network = load(graph)
    _publish(folder, PROJECTION, json.dumps(projection(network)).encode())
    names = {}
    for which in DIAGRAMS:
        name, svg = draw(network, which)
        (folder / name).write_bytes(svg)
        names[which] = name
    _publish(folder, FIGURES, json.dumps(names).encode())
    _publish(folder, RDF, pickle.dumps(rdf_files(graph, entity_iris(graph)), protocol=pickle.HIGHEST_PROTOCOL))


# -- the main process's side


class Worker:
    """A worker started at once (jobs > 1), or none; each result is the worker's if it delivers it, else made here."""

    def __init__(self, graph: Path, jobs: int) -> None:
        self.graph = graph
        self.network: nx.MultiDiGraph | None = None
        self.folder: tempfile.TemporaryDirectory | None = None
        self.process: subprocess.Popen | None = None
        self.cache: dict[str, object] = {}
        if jobs > 1:
            self.folder = tempfile.TemporaryDirectory(prefix="lutonkg-site-")
            package = str(Path(__file__).resolve().parents[2])
            env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (package, os.environ.get("PYTHONPATH")) if p)}
            command = [sys.executable, "-m", "lutonkg.site.worker", str(graph), self.folder.name]
            self.process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def _wait(self, name: str) -> Path | None:
        """The worker's result file, once it is there; None when there is no worker or it ended without it."""
        if self.process is None or self.folder is None:
            return None
        path = Path(self.folder.name) / name
        while not path.is_file():
            if self.process.poll() is not None:
                return path if path.is_file() else None
            time.sleep(0.02)
        return path

    def _network(self) -> nx.MultiDiGraph:
        """The projected graph, loaded here (only when the worker did not deliver)."""
        if self.network is None:
            from lutonkg.analysis.network import load

            self.network = load(self.graph)
        return self.network

    def projection(self) -> dict:
        """Held years by IRI, and the snapshots."""
        if "projection" not in self.cache:
            path = self._wait(PROJECTION)
            self.cache["projection"] = json.loads(path.read_text()) if path else projection(self._network())
        return self.cache["projection"]  # type: ignore[return-value]

    def diagram(self, which: str) -> tuple[str, bytes]:
        """One diagram's file name and SVG."""
        path = self._wait(FIGURES)
        if path is not None:
            name = json.loads(path.read_text())[which]
            return name, (path.parent / name).read_bytes()
        return draw(self._network(), which)

    def rdf(self, iris: list[str]) -> dict[str, bytes]:
        """Every entity's Turtle and JSON-LD (those the worker missed made here)."""
        from lutonkg.site.links import entity_path

        path = self._wait(RDF)
        delivered = pickle.loads(path.read_bytes()) if path else {}
        stems = {iri: entity_path(iri)[: -len(".html")] for iri in iris}
        files = {name: delivered[name] for stem in stems.values() for name in (stem + ".ttl", stem + ".jsonld")
                 if name in delivered}  # fmt: skip
        missing = [iri for iri, stem in stems.items() if stem + ".ttl" not in files or stem + ".jsonld" not in files]
        files.update(rdf_files(self.graph, missing) if missing else {})
        return files

    def close(self) -> None:
        """Stop the worker (if still running) and remove its folder."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if self.folder is not None:
            self.folder.cleanup()
            self.folder = None


if __name__ == "__main__":
    run(Path(sys.argv[1]), Path(sys.argv[2]))
