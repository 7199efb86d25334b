"""Diagrams: each kind is a 300 dpi PNG and an SVG whose text names the expected bodies, drawn deterministically."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from PIL import Image

from lutonkg.diagrams.map import responsibility_map
from lutonkg.diagrams.network import partnership_network_figure
from lutonkg.diagrams.style import new_figure, preview, save
from lutonkg.diagrams.timeline import body_timeline_figure
from lutonkg.diagrams.tracker import tracker_figure


@pytest.fixture(scope="module")
def drawn(net, tmp_path_factory) -> dict[str, list[Path]]:
    """One diagram of each kind, written once."""
    out = tmp_path_factory.mktemp("figures")
    return {
        "map2008": responsibility_map(net, "safeguarding", 2008, out),
        "map2020": responsibility_map(net, "standards-promote-high-standards", 2020, out),
        "network": partnership_network_figure(net, [2002, 2008, 2020], out),
        "timeline": body_timeline_figure(net, out),
        "tracker": tracker_figure(net, out),
    }


def svg_text(paths: list[Path]) -> str:
    """The words of a diagram's SVG text elements, wrapped lines joined by spaces, entities decoded."""
    svg = next(p for p in paths if p.suffix == ".svg").read_text(encoding="utf-8")
    return html.unescape(" ".join(" ".join(re.findall(r">([^<>]+)</text>", svg)).split()))


@pytest.mark.parametrize("kind", ["map2008", "map2020", "network", "timeline", "tracker"])
def test_png_is_300_dpi_and_print_sized(drawn, kind):
    png = next(p for p in drawn[kind] if p.suffix == ".png")
    with Image.open(png) as image:
        dpi = image.info["dpi"]
        width, height = image.size
    assert round(dpi[0]) == 300 and round(dpi[1]) == 300
    assert 2000 <= width <= 8000 and 700 <= height <= 8000  # at least 6.7 inches wide at 300 dpi
    assert 20_000 < png.stat().st_size < 6_000_000


@pytest.mark.parametrize("pixels", [900, 1800])
def test_a_preview_is_drawn_at_its_width_in_the_shape_of_the_300_dpi_png(drawn, net, tmp_path, pixels):
    """What a notebook shows (lutonkg.notebook.diagram): the same picture, drawn at most `pixels` wide (and 4 × as
    tall), PNG only; the tracker is the tallest figure."""
    with preview(pixels):
        paths = tracker_figure(net, tmp_path)
    assert [p.suffix for p in paths] == [".png"]
    with Image.open(paths[0]) as small, Image.open(next(p for p in drawn["tracker"] if p.suffix == ".png")) as full:
        (width, height), (full_width, full_height) = small.size, full.size
    assert width <= pixels and height <= 4 * pixels and pixels in (width, height / 4)
    assert abs(width / height - full_width / full_height) < 0.01
    written = save(new_figure(2, 1), tmp_path / "after", "blank")  # outside the block: both formats, 300 dpi
    with Image.open(written[0]) as after:
        assert [p.suffix for p in written] == [".png", ".svg"] and after.size == (600, 300)


def test_safeguarding_map_2008_labels_the_board_its_partners_and_inspectors(drawn):
    svg = svg_text(drawn["map2008"])
    for label in ("Local Safeguarding Children Board", "Multi-Agency Public Protection", "Ofsted", "Inspected by"):
        assert label in svg
    assert "Area Child Protection Committee" not in svg


def test_standards_map_2020_shows_the_chain_to_the_advisers(drawn):
    svg = svg_text(drawn["map2020"])
    for label in ("Luton Borough Council", "Luton Education Service", "School Improvement Adviser", "Review Group"):
        assert label in svg


def test_network_panels_label_the_hubs_of_each_year(drawn):
    svg = svg_text(drawn["network"])
    for label in ("Luton Local Education Authority", "Lifelong Learning Directorate", "Local Safeguarding Children",
                  "Luton Education Service", "2002", "2008", "2020"):  # fmt: skip
        assert label in svg


def test_timeline_has_the_successions_rows(drawn):
    svg = svg_text(drawn["timeline"])
    for label in ("Lifelong Learning Directorate", "Children and Learning Department",
                  "Children, Families and Education Directorate", "Area Child Protection Committee"):  # fmt: skip
        assert label in svg


def test_tracker_lists_recommendations_of_every_report(drawn):
    svg = svg_text(drawn["tracker"])
    for rec in ("lea2002-r01", "cohesion2002-r10", "ca2008-r04", "jar2008-r12"):
        assert rec in svg
    assert "Sources: LEA inspection 2002" in svg


def test_diagrams_are_byte_identical_when_redrawn(net, drawn, tmp_path):
    again = responsibility_map(net, "safeguarding", 2008, tmp_path)
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in drawn["map2008"]]
