"""The site's diagrams (timeline, partnership network, recommendation tracker) as SVG, drawn by `lutonkg.diagrams`.
Drawing takes a third of a build, so by default it runs in a second process (`python -m lutonkg.site.figures GRAPH
FOLDER`) while the pages are rendered; if that process fails, the diagrams are drawn in this one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import networkx as nx

DIAGRAMS = ("timeline", "network", "tracker")
NETWORK_YEARS = [2002, 2008, 2020]
MANIFEST = "diagrams.json"


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


def draw_all(graph: Path, out: Path) -> None:
    """Every diagram of the site from a built graph, written into a folder with a manifest (the worker's job)."""
    from lutonkg.analysis.network import load

    network = load(graph)
    names = {}
    for which in DIAGRAMS:
        name, svg = draw(network, which)
        (out / name).write_bytes(svg)
        names[which] = name
    (out / MANIFEST).write_text(json.dumps(names), encoding="utf-8")


class Figures:
    """The diagrams: drawn by a worker process started at once (jobs > 1), else here when first asked for."""

    def __init__(self, graph: Path, jobs: int) -> None:
        self.graph = graph
        self.folder: tempfile.TemporaryDirectory | None = None
        self.worker: subprocess.Popen | None = None
        self.drawn: dict[str, tuple[str, bytes]] | None = None
        if jobs > 1:
            self.folder = tempfile.TemporaryDirectory(prefix="lutonkg-figures-")
            package = str(Path(__file__).resolve().parents[2])
            env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (package, os.environ.get("PYTHONPATH")) if p)}
            command = [sys.executable, "-m", "lutonkg.site.figures", str(graph), self.folder.name]
            self.worker = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def _collect(self) -> dict[str, tuple[str, bytes]] | None:
        """The worker's diagrams, or None when it failed."""
        assert self.worker is not None and self.folder is not None
        _, errors = self.worker.communicate()
        manifest = Path(self.folder.name) / MANIFEST
        if self.worker.returncode != 0 or not manifest.is_file():
            return None
        names = json.loads(manifest.read_text(encoding="utf-8"))
        return {which: (name, (Path(self.folder.name) / name).read_bytes()) for which, name in names.items()}

    def get(self, which: str, network: nx.MultiDiGraph) -> tuple[str, bytes]:
        """One diagram: the worker's, or drawn here."""
        if self.drawn is None and self.worker is not None:
            self.drawn = self._collect() or {}
        if self.drawn and which in self.drawn:
            return self.drawn[which]
        return draw(network, which)

    def close(self) -> None:
        """Stop the worker (if still running) and remove its folder."""
        if self.worker is not None and self.worker.poll() is None:
            self.worker.kill()
            self.worker.communicate()
        if self.folder is not None:
            self.folder.cleanup()
            self.folder = None


if __name__ == "__main__":
    draw_all(Path(sys.argv[1]), Path(sys.argv[2]))
