"""Benchmark: the suggester measured leave-one-out (issue 18).

Each of the project's documents is held out in turn: `suggest DOC --holdout DOC` sees only the bodies, aliases and
patterns the other documents support, and its candidates are scored against the curated facts of DOC, by kind
(recall, precision) with the seconds taken. The table is printed and, with --write, replaced in docs/curation.md
between the markers `<!-- curation-benchmark:begin -->` and `<!-- curation-benchmark:end -->`.

    PYTHONPATH=src python benchmarks/curation.py [--project .] [--write]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from measure import describe_machine

from lutonkg.checks.citations import source_texts
from lutonkg.curation.benchmark import leave_one_out, markdown
from lutonkg.data.load import load_data
from lutonkg.project import open_project

BEGIN, END = "<!-- curation-benchmark:begin -->", "<!-- curation-benchmark:end -->"


def _missed(results: list) -> list[str]:
    """The curated facts each document's candidates missed, per kind (for the limits section)."""
    lines = []
    for result in results:
        for kind, score in result.scores.items():
            if score.missed:
                shown = ", ".join(score.missed[:6]) + (
                    f" and {len(score.missed) - 6} more" if len(score.missed) > 6 else ""
                )
                lines.append(f"- {result.doc}, {kind}: {shown}")
    return lines


def main() -> int:
    """Run the leave-one-out benchmark; print the table and (with --write) put it into docs/curation.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", default=".", help="the project folder (default: .)")
    parser.add_argument("--write", action="store_true", help="replace the table in docs/curation.md")
    args = parser.parse_args()
    project = open_project(Path(args.project))
    data = load_data(project.data_dir)
    texts, _ = source_texts(data, project.sources_dir())
    results = leave_one_out(data, texts)
    table = markdown(results)
    missed = _missed(results)
    block = "\n".join([BEGIN, "", table, "", describe_machine(), "", "Curated facts not found (missed), per document:",
                       "", *missed, "", END])  # fmt: skip
    print(block)
    if args.write:
        doc = Path(__file__).resolve().parents[1] / "docs" / "curation.md"
        text = doc.read_text(encoding="utf-8")
        if BEGIN not in text or END not in text:
            print(f"{doc}: the markers {BEGIN} and {END} are missing", file=sys.stderr)
            return 1
        head, _, rest = text.partition(BEGIN)
        _, _, tail = rest.partition(END)
        doc.write_text(head + block + tail, encoding="utf-8")
        print(f"wrote the table into {doc}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
