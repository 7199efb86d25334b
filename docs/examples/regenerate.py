"""Regenerate the example briefings in this folder from the project's built graph.

    PYTHONPATH=src python docs/examples/regenerate.py          # from the checkout's root, after a build

Each example is what `lutonkg report` writes for the same subject (the command is given beside it); the test suite
(tests/test_reports.py) checks that the committed files equal a fresh generation.
"""

from __future__ import annotations

import sys
from pathlib import Path

from lutonkg.reports import ReportGraph, briefing
from lutonkg.reports.render import write

HERE = Path(__file__).resolve().parent
# (file, subject, theme, the equivalent command run in this folder)
REVIEW = "safeguarding-review"
EXAMPLES = [
    ("lscb.md", "lscb", None, "lutonkg report lscb --out lscb.md"),
    ("lado-duty.md", "lado-manage-allegations", None, "lutonkg report lado-manage-allegations --out lado-duty.md"),
    ("lado-duty.docx", "lado-manage-allegations", None, "lutonkg report lado-manage-allegations --out lado-duty.docx"),
    ("lea2002-r23.md", "lea2002-r23", None, "lutonkg report lea2002-r23 --out lea2002-r23.md"),
    (f"{REVIEW}.md", None, "safeguarding", f"lutonkg report --theme safeguarding --out {REVIEW}.md"),
    (f"{REVIEW}.html", None, "safeguarding", f"lutonkg report --theme safeguarding --out {REVIEW}.html"),
]


def generate(out: Path, graph: Path | ReportGraph) -> list[Path]:
    """Write every example into a folder from a built N-Quads file (or a graph already read); the files written."""
    rg = graph if isinstance(graph, ReportGraph) else ReportGraph.load(graph)
    written = []
    for name, subject, theme, _ in EXAMPLES:
        written += write(briefing(subject, theme=theme, graph=rg), out / name)
    return written


def main() -> int:
    """Regenerate the examples in this folder from the checkout's graph/lutonkg.nq."""
    graph = HERE.parents[1] / "graph" / "lutonkg.nq"
    for path in generate(HERE, graph):
        print(path.relative_to(HERE.parents[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
