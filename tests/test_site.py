"""The review site (`lutonkg site`): a page per entity from the same description `lutonkg show` renders, source pages
that list the facts drawn from each passage, every internal link resolving, and the same bytes for the same inputs.
The Luton site is built once per session (tests/site_build.py); the small second project is built for the case
where the source texts are absent."""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from project_paths import NQUADS, PROJECT, REPO_ROOT
from site_build import broken_links, ids_of, luton_site

from lutonkg.build.pipeline import build
from lutonkg.entities.describe import Describer, entities
from lutonkg.entities.index import GraphIndex
from lutonkg.project import open_project
from lutonkg.site import Settings, build_site
from lutonkg.site.links import entity_path

FIXTURE = Path(__file__).parent / "fixtures" / "projects" / "testshire"
ID = "https://w3id.org/lutonkg/id/"


@pytest.fixture(scope="module")
def site() -> Path:
    """The Luton site."""
    return luton_site()[0]


@pytest.fixture(scope="module")
def index() -> GraphIndex:
    """The Luton graph, indexed."""
    return GraphIndex.from_file(NQUADS)


@pytest.fixture(scope="module")
def with_sources(site: Path) -> Path:
    """The Luton site, where its source pages exist (skip where the source texts are absent, as on a fresh clone)."""
    if PROJECT.sources_dir() is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have the source texts (../shared/sources or $LUTONKG_SOURCES)")
        pytest.skip("source texts not found: the site was built without source pages")
    return site


def text_of(page: Path) -> str:
    """A page's text without tags, white space collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8"))).split())


def element(page: Path, ident: str) -> str:
    """The HTML of the element with that id (up to the next passage of a source page, or the next section)."""
    text = page.read_text(encoding="utf-8")
    start = text.index(f'id="{ident}"')
    ends = [i for i in (text.find('<div class="passage', start + 1), text.find("<section", start + 1)) if i > 0]
    return text[start : min(ends) if ends else len(text)]


def test_every_entity_has_a_page_with_its_turtle_and_json_ld_beside_it(site: Path, index: GraphIndex) -> None:
    """One page per entity at the path its IRI gives, titled with its label, linking its two descriptions."""
    iris = entities(index)
    assert len(iris) > 1000
    for iri in iris:
        page = site / entity_path(iri)
        assert page.is_file(), iri
        stem = page.with_suffix("")
        assert stem.with_suffix(".ttl").is_file() and stem.with_suffix(".jsonld").is_file(), iri
    page = (site / "id/body/luton-borough-council.html").read_text(encoding="utf-8")
    assert '<link rel="alternate" type="text/turtle" href="../../id/body/luton-borough-council.ttl"' in page
    assert "<h1>Luton Borough Council</h1>" in page


def test_every_internal_link_and_fragment_resolves(site: Path) -> None:
    """The link checker: every href and src of every page names a file of the site, and its fragment an element."""
    assert broken_links(site) == []


def test_the_same_inputs_give_the_same_bytes(site: Path, tmp_path: Path) -> None:
    """A second build, by the command in a fresh process with another hash seed, writes byte-identical files."""
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(REPO_ROOT / "src")}
    done = subprocess.run([sys.executable, "-m", "lutonkg.cli", "--project", str(REPO_ROOT), "site", "--out",
                           str(tmp_path / "again")], capture_output=True, text=True, env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert re.match(r"wrote \d+ pages \(\d+ files, [\d.]+ MB\) to .* in [\d.]+ s", done.stdout), done.stdout
    first = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    second = {p.relative_to(tmp_path / "again"): p.read_bytes() for p in (tmp_path / "again").rglob("*") if p.is_file()}
    assert sorted(first) == sorted(second)
    assert [name for name in sorted(first) if first[name] != second[name]] == []


def test_the_entity_page_renders_the_description_show_renders(site: Path, index: GraphIndex) -> None:
    """Dallow Primary's page carries what its description says: its trust and neighbourhood, with the Appendix B
    citation of the 2020 strategy."""
    entity = Describer(index).describe(ID + "school/dallow-primary")
    text = text_of(site / "id/school/dallow-primary.html")
    for statement in entity.statements:
        if statement.other_label:
            assert statement.other_label in text
    assert "Chiltern Learning Trust" in text and "South neighbourhood" in text
    assert "Appendix B: SOUTH" in text and "Dallow Primary* (CLT)" in text


def test_a_citation_links_to_its_passage_where_the_anchor_is_marked(with_sources: Path) -> None:
    """Dallow Primary's citation opens the strategy's Appendix B at the South column, where its name is marked."""
    page = (with_sources / "id/school/dallow-primary.html").read_text(encoding="utf-8")
    link = re.search(r'href="(\.\./\.\./source/strategy2020\.html#[^"]+)"', page).group(1)
    assert link.startswith("../../source/strategy2020.html#appendix-b-south:~:text=Dallow%20Primary")
    passage = element(with_sources / "source/strategy2020.html", "line-437")
    assert 'id="appendix-b-south"' in passage and "<mark>Dallow Primary* (CLT)</mark>" in passage


def test_a_paragraph_lists_the_facts_drawn_from_it(with_sources: Path) -> None:
    """Paragraph 10 of the joint area review says the PCT's boundaries are coterminous with the borough council."""
    passage = element(with_sources / "source/jar2008.html", "para-10")
    assert "<mark>whose boundaries are coterminous with the borough council</mark>" in passage
    facts = re.sub(r"<[^>]+>", "", passage[passage.index('<aside class="drawn"') :])
    assert "Luton Teaching Primary Care Trust coterminous with Luton Borough Council" in " ".join(facts.split())


def test_every_numbered_paragraph_has_its_anchor(with_sources: Path) -> None:
    """The joint area review's numbered paragraphs 1-86 each have the id para-N."""
    ids = ids_of(with_sources / "source/jar2008.html")
    assert {f"para-{n}" for n in range(1, 87)} <= ids
    assert {"annex-c-para-1", "annex-d-para-1", "appendix-b-south"} & ids == {"annex-c-para-1", "annex-d-para-1"}


def test_the_lscbs_succession_is_marked_as_the_curators_inference(site: Path) -> None:
    """The LSCB succeeded the Area Child Protection Committee: the curators' inference, set apart with its basis."""
    page = (site / "id/body/luton-safeguarding-children-board.html").read_text(encoding="utf-8")
    block = page[page.index('<section id="reorganisations"') :]
    block = block[: block.index("</section>")]
    curated = block[block.index('<div class="curated-block">') :]
    assert "Inferred by the curators" in curated and "succeeded" in curated
    assert "Area Child Protection Committee" in curated and "Basis:" in curated


def test_the_acts_page_lists_the_duties_citing_its_sections(site: Path) -> None:
    """The Education Act 1996: s19 is the basis of the duty to arrange suitable education otherwise than at school,
    s390 and s391 of the duty to set up a SACRE."""
    text = text_of(site / "id/legislation/ukpga/1996/56.html")
    section = text[text.index("Duties citing its sections") :]
    assert re.search(r"section Education Act 1996 s19\) [^.]*suitable education", section)
    assert "Standing Advisory Council on Religious Education" in section and "s390" in section


def test_search_index_has_every_entity_with_its_other_names(site: Path, index: GraphIndex) -> None:
    """The prebuilt index holds every entity's label and other names, and points at its page."""
    entries = json.loads((site / "search-index.json").read_text(encoding="utf-8"))
    assert len(entries) == len(entities(index))
    lscb = next(e for e in entries if e[3] == "id/body/luton-safeguarding-children-board.html")
    assert lscb[0] == "Local Safeguarding Children Board" and "LSCB" in lscb[1]
    assert (site / "search-index.js").read_text(encoding="utf-8").startswith("window.LUTONKG_SEARCH=[")


def test_overview_pages(site: Path) -> None:
    """Home lists the five documents with their references, the tracker every recommendation, the register every
    duty, the query pages their SPARQL, result and endpoint link, the ontology its terms with usage counts."""
    home = text_of(site / "index.html")
    assert "Joint area review: Luton Children's Services Authority Area" in home and "Reference 821" in home
    assert "How to cite a page" in home
    tracker = (site / "tracker.html").read_text(encoding="utf-8")
    assert tracker.count('href="id/recommendation/') >= 50
    assert "still open" in tracker or "partly addressed" in tracker
    duties = (site / "duties.html").read_text(encoding="utf-8")
    assert duties.count('<tr><td><a href="id/duty/') > 100 and 'class="register sortable"' in duties
    query = (site / "queries/trust-schools.html").read_text(encoding="utf-8")
    assert "Chiltern Learning Trust" in query and "SELECT DISTINCT ?trust" in query
    endpoint = re.search(r'href="(http://127\.0\.0\.1:7878/\?query=[^"]+)"', query).group(1)
    assert "%23%20Which%20schools%20belong%20to%20each%20academy%20trust" in endpoint
    assert "SELECT%20DISTINCT%20%3Ftrust" in endpoint
    assert endpoint.endswith("&amp;endpoint=http%3A%2F%2F127.0.0.1%3A7878%2Fquery")
    ontology = text_of(site / "ontology.html")
    assert re.search(r"lkg:Partnership partnership A multi-agency board", ontology)
    for figure in ("timeline-bodies.svg", "network-2002-2008-2020.svg", "recommendation-tracker.svg"):
        assert (site / "figures" / figure).read_bytes().startswith(b"<?xml")


def test_every_page_has_one_h1_a_language_and_alt_text(site: Path) -> None:
    """Accessibility basics checked on every page's HTML (the browser test checks them rendered, with axe-core)."""
    for page in sorted(site.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        assert text.startswith('<!DOCTYPE html>\n<html lang="en"'), page
        assert text.count("<h1") == 1, page
        assert ">None<" not in text and "None</" not in text, page
        levels = [int(n) for n in re.findall(r"<h([1-6])[\s>]", text)]
        assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), page
        assert all(re.search(r'\salt="[^"]{20,}"', img) for img in re.findall(r"<img\b[^>]*>", text)), page


def test_without_the_source_texts_the_site_builds_and_says_so(tmp_path: Path) -> None:
    """The small second project, built without its sources folder: no source pages, a note on the home page, and
    every link still resolving; with its sources, its one document gets a page."""
    project = open_project(FIXTURE)
    build(project.data_dir, tmp_path / "graph", use_reasoner=False)
    graph = tmp_path / "graph" / "lutonkg.nq"
    report = build_site(Settings(graph=graph, out=tmp_path / "bare", sources=None, title=project.title))
    assert report.source_pages == [] and report.missing_sources == ["review2010"]
    assert not (tmp_path / "bare" / "source").exists()
    assert "Source pages missing" in text_of(tmp_path / "bare" / "index.html")
    assert broken_links(tmp_path / "bare") == []
    full = build_site(Settings(graph=graph, out=tmp_path / "full", sources=project.sources_dir(), title="t"))
    assert full.source_pages == ["review2010"] and (tmp_path / "full" / "source" / "review2010.html").is_file()
    assert broken_links(tmp_path / "full") == []


def test_the_site_command_refuses_a_folder_it_did_not_write(tmp_path: Path) -> None:
    """`lutonkg site --out` into a folder holding other files fails with one line and deletes nothing."""
    (tmp_path / "notes.txt").write_text("mine")
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "src")}
    done = subprocess.run([sys.executable, "-m", "lutonkg.cli", "--project", str(REPO_ROOT), "site", "--out",
                           str(tmp_path)], capture_output=True, text=True, env=env)  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.startswith("lutonkg site: error: ") and "not empty" in done.stderr
    assert (tmp_path / "notes.txt").read_text() == "mine"
