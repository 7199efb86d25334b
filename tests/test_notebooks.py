"""The notebooks in notebooks/: each runs top to bottom on the built graph with no edits, shows what it promises,
and is committed without outputs; and the helpers they share in lutonkg.notebook."""

from __future__ import annotations

import base64
import re
import struct
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import pytest
from project_paths import QUERIES_DIR, REPO_ROOT

from lutonkg.data.load import _import_jsonschema
from lutonkg.notebook import GraphNotBuilt, frame, query_frame, require_graph
from lutonkg.table import Table

if TYPE_CHECKING:
    import nbformat

NOTEBOOK_DIR = REPO_ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
EXPECTED = {"01_overview", "02_responsibility_over_time", "03_recommendations", "04_sparql_cookbook"}
CELL_TIMEOUT = 180


@cache
def notebooks() -> ModuleType:
    """nbformat, imported when a test first reads a notebook rather than when the suite is collected (every worker
    of a parallel run collects this file), and with jsonschema as lutonkg imports it: without the optional libraries
    of its format checkers, which nbformat does not use (their IRI grammars alone take seconds to build)."""
    _import_jsonschema()
    import nbformat

    return nbformat


@cache
def executed(name: str) -> nbformat.NotebookNode:
    """The notebook run top to bottom in a python3 kernel, from notebooks/ (once per session)."""
    notebook = notebooks().read(NOTEBOOK_DIR / f"{name}.ipynb", as_version=4)
    from nbclient import NotebookClient  # after notebooks(): it imports nbformat too

    client = NotebookClient(
        notebook, timeout=CELL_TIMEOUT, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK_DIR)}}
    )
    client.execute()
    return notebook


def text_of(notebook: nbformat.NotebookNode) -> str:
    """Everything the notebook printed or displayed as text (streams, plain-text reprs, Markdown)."""
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            data = output.get("data", {})
            parts += [data.get("text/plain", ""), data.get("text/markdown", "")]
    return "\n".join(parts)


def pngs(notebook: nbformat.NotebookNode) -> list[tuple[int, int]]:
    """The (width, height) of every PNG the notebook displays."""
    sizes = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if "image/png" in output.get("data", {}):
                header = base64.b64decode(output["data"]["image/png"])[:24]
                sizes.append(struct.unpack(">II", header[16:24]))
    return sizes


# ---- committed form


def test_the_four_notebooks_exist():
    assert {p.stem for p in NOTEBOOKS} == EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_notebook_has_no_outputs_or_execution_counts(path: Path):
    notebook = notebooks().read(path, as_version=4)
    notebooks().validate(notebook)
    dirty = [i for i, c in enumerate(notebook.cells) if c.cell_type == "code" and (c.outputs or c.execution_count)]
    assert not dirty, f"{path.name}: cells {dirty} have outputs; run `nbstripout notebooks/*.ipynb`"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_starts_by_checking_the_graph_is_built(path: Path):
    notebook = notebooks().read(path, as_version=4)
    first_code = next(c for c in notebook.cells if c.cell_type == "code")
    assert "require_graph()" in first_code.source


# ---- running them


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom(path: Path):
    notebook = executed(path.stem)
    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors


def test_overview_reports_every_source_document_and_its_facts(data):
    out = text_of(executed("01_overview"))
    assert f"{len(data['documents'])} source documents" in out
    for doc in data["documents"]:
        assert doc["id"] in out and doc["title"][:40] in out


def test_overview_finds_the_citation_of_a_recommendation(data):
    # the reuse cell looks up "admissions forum": the recommendation addressed to the forum, where it is stated
    out = text_of(executed("01_overview"))
    forum = [r for r in data["recommendations"] if "admissions-forum" in r["addressees"]]
    assert forum and all(f"recommendation/{r['id']}" in out for r in forum)
    assert all(s["loc"] in out for r in forum for s in r["sources"])


def test_responsibility_notebook_shows_the_successions_and_its_diagrams(data):
    notebook = executed("02_responsibility_over_time")
    out = text_of(notebook)
    labels = {b["id"]: b["label"] for b in data["bodies"]}
    successions = [e for e in data["events"] if e["kind"] == "succession" and e["original"][0] in labels]
    assert successions
    for event in successions:
        assert labels[event["original"][0]][:30] in out, event["id"]
    sizes = pngs(notebook)
    assert len(sizes) >= 5 and all(width <= 1800 for width, _ in sizes)


def test_responsibility_notebook_names_the_2020_school_improvement_discharger(data):
    # the default topic, school improvement: Appendix C names the School Improvement Adviser Team as discharging it
    out = text_of(executed("02_responsibility_over_time"))
    team = next(b for b in data["bodies"] if b["id"] == "school-improvement-adviser-team")
    assert any("school-improvement-adviser-team" in d.get("discharged_by", []) for d in data["duties"])
    assert re.search(rf"discharger\s+.*{re.escape(team['label'])}", out)


def test_recommendations_notebook_counts_every_recommendation(data):
    out = text_of(executed("03_recommendations"))
    docs = {r["doc"] for r in data["recommendations"]}
    assert f"{len(data['recommendations'])} recommendations in {len(docs)} documents" in out


def test_recommendations_notebook_compares_every_function_graded_in_2000_and_2002(data):
    out = text_of(executed("03_recommendations"))
    graded = {
        year: {(j["function"], j["judged"], j["scale"]) for j in data["judgements"] if j.get("grade")
               and j["inspection"] == f"lea-inspection-{year}"}
        for year in (2000, 2002)
    }  # fmt: skip
    shown = sum(int(n) for n in re.findall(r"^(?:improved|declined|unchanged)\s+(\d+)$", out, re.MULTILINE))
    assert shown == len(graded[2000] & graded[2002]) > 0


def test_cookbook_shows_every_query_in_the_library():
    out = text_of(executed("04_sparql_cookbook"))
    names = sorted(p.stem for p in QUERIES_DIR.glob("*.rq"))
    missing = [n for n in names if f"**`{n}`**" not in out]
    assert not missing
    assert f"{len(names)} of {len(names)} library queries shown" in out


# ---- lutonkg.notebook


def test_missing_graph_is_one_plain_line_naming_the_build_command(tmp_path: Path):
    with pytest.raises(GraphNotBuilt) as caught:
        require_graph(tmp_path / "lutonkg.nq")
    lines = caught.value._render_traceback_()
    assert len(lines) == 1 and "lutonkg build" in lines[0] and "lutonkg.nq not found" in lines[0]


def test_query_frame_keeps_select_order_and_shortens_iris(store, data):
    table = query_frame("recommendations-to-body", {"body": "luton-lea"}, engine=store)
    assert list(table.columns) == ["issued", "doc", "priorityLabel", "id", "summary", "locator"]
    expected = {r["id"] for r in data["recommendations"] if "luton-lea" in r["addressees"]}
    assert set(table["id"]) == expected
    assert set(table["doc"]) == {r["doc"] for r in data["recommendations"] if r["id"] in expected}


def test_query_frame_full_keeps_iri_columns(store):
    table = query_frame("reorganisations", {"kind": "succession"}, engine=store, full=True)
    assert "event" in table.columns
    assert table["event"].str.startswith("https://w3id.org/lutonkg/id/event/").all()


def test_frame_of_a_table_uses_its_shown_columns():
    table = Table("t", ["a", "b"], [{"a": 1, "b": 2, "hidden": 3}], hidden=["hidden"])
    assert list(frame(table).columns) == ["a", "b"]
    assert list(frame(table, table.all_columns()).iloc[0]) == [1, 2, 3]
