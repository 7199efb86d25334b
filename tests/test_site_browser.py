"""The review site in a real browser (headless Chromium from the Debian packages, driven by Selenium), opened from
disk: real content, links that land on the cited passage, search, sorting, and accessibility (page language, one h1,
heading order, alt text, visible focus, contrast), with axe-core where npm can install it.

Skipped, with the reason, where Chromium or its driver is missing locally; on CI (.ci/run installs them) a missing
browser fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from project_paths import PROJECT
from site_build import luton_site

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e '.[dev]')")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
AXE_CACHE = Path.home() / ".cache" / "lutonkg-tests"
FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1000",
    "--disable-background-networking", "--disable-component-update", "--disable-default-apps", "--disable-sync",
    "--no-first-run", "--disable-extensions", "--metrics-recording-only", "--no-default-browser-check",
]  # fmt: skip
PAGES = [
    "index.html", "id/school/dallow-primary.html", "id/body/luton-safeguarding-children-board.html",
    "id/body/luton-borough-council.html", "id/legislation/ukpga/1996/56.html", "id/recommendation/lea2002-r05.html",
    "source/jar2008.html", "tracker.html", "duties.html", "timeline.html", "network.html",
    "queries/index.html", "queries/trust-schools.html", "ontology.html", "browse/body.html",
]  # fmt: skip


@pytest.fixture(scope="module")
def site() -> Path:
    """The Luton site (built once per session)."""
    return luton_site()[0]


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium; skip (or, on CI, fail) where it is not installed."""
    if not (CHROMIUM and DRIVER):
        reason = "chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_script_timeout(60)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def sources_present() -> None:
    """Skip tests of source pages where the source texts are absent (never on CI)."""
    if PROJECT.sources_dir() is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have the source texts (../shared/sources or $LUTONKG_SOURCES)")
        pytest.skip("source texts not found: the site has no source pages")


def open_page(browser, site: Path, page: str) -> None:
    """Open a page of the site from disk (a fragment after '#' kept)."""
    path, hash_, fragment = page.partition("#")
    browser.get((site / path).as_uri() + hash_ + fragment)


def section(browser, ident: str):
    """The element with that id."""
    return browser.find_element(By.ID, ident)


def test_dallow_primarys_page_names_its_trust_and_neighbourhood(browser, site: Path) -> None:
    """Appendix B of the 2020 strategy puts Dallow Primary in Chiltern Learning Trust and the South neighbourhood."""
    open_page(browser, site, "id/school/dallow-primary.html")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Dallow Primary"
    schools = section(browser, "schools").text
    assert "Chiltern Learning Trust" in schools and "South neighbourhood" in schools


def test_following_a_citation_lands_on_the_passage_with_the_anchor_highlighted(
    browser, site: Path, sources_present: None
) -> None:
    """Dallow Primary's citation opens the strategy at Appendix B, South, where 'Dallow Primary* (CLT)' is marked
    and in view."""
    open_page(browser, site, "id/school/dallow-primary.html")
    link = section(browser, "schools").find_element(By.PARTIAL_LINK_TEXT, "Appendix B: SOUTH")
    link.click()
    WebDriverWait(browser, 10).until(lambda b: "strategy2020.html" in b.current_url)
    assert "#appendix-b-south" in browser.current_url
    target = section(browser, "appendix-b-south")
    passage = target.find_element(By.XPATH, "ancestor::div[contains(@class, 'passage')]")
    marks = [m for m in passage.find_elements(By.TAG_NAME, "mark") if m.text == "Dallow Primary* (CLT)"]
    assert marks, "the anchor phrase is not marked in the passage"
    mark = marks[0]
    assert mark.value_of_css_property("background-color") not in ("rgba(0, 0, 0, 0)", "transparent")
    top = browser.execute_script("return arguments[0].getBoundingClientRect().top;", mark)
    assert 0 <= top < browser.execute_script("return window.innerHeight;")


def test_the_lscb_succeeded_the_area_child_protection_committee_marked_inferred(browser, site: Path) -> None:
    """The succession is the curators' inference (the sources do not state it), shown apart with its basis."""
    open_page(browser, site, "id/body/luton-safeguarding-children-board.html")
    block = section(browser, "reorganisations").find_element(By.CLASS_NAME, "curated-block")
    assert "Inferred by the curators" in block.text
    assert "succeeded" in block.text and "Area Child Protection Committee" in block.text
    assert "Basis:" in block.text
    assert block.value_of_css_property("border-left-style") == "solid"


def test_paragraph_10_of_the_joint_area_review_lists_the_pcts_coterminous_boundaries(
    browser, site: Path, sources_present: None
) -> None:
    """The PCT 'whose boundaries are coterminous with the borough council': the fact is listed beside para 10."""
    open_page(browser, site, "source/jar2008.html#para-10")
    passage = section(browser, "para-10")
    marks = [m.text for m in passage.find_elements(By.TAG_NAME, "mark")]
    assert "whose boundaries are coterminous with the borough council" in marks
    drawn = passage.find_element(By.CLASS_NAME, "drawn").text
    assert "Luton Teaching Primary Care Trust coterminous with Luton Borough Council" in drawn
    link = passage.find_element(By.CLASS_NAME, "drawn").find_element(By.LINK_TEXT, "Luton Teaching Primary Care Trust")
    assert link.get_attribute("href").endswith("/id/body/luton-teaching-primary-care-trust.html")


def test_searching_safeguarding_board_offers_the_lscb(browser, site: Path) -> None:
    """Typing 'safeguarding board' in the search box offers the Local Safeguarding Children Board; Enter opens it."""
    open_page(browser, site, "id/school/dallow-primary.html")
    box = browser.find_element(By.ID, "search-box")
    box.send_keys("safeguarding board")
    results = browser.find_element(By.ID, "search-results")
    WebDriverWait(browser, 10).until(lambda b: results.is_displayed() and results.find_elements(By.TAG_NAME, "a"))
    offered = [a.text.splitlines()[0] for a in results.find_elements(By.TAG_NAME, "a")]
    assert "Local Safeguarding Children Board" in offered
    box.send_keys(Keys.ARROW_DOWN)
    focused = browser.switch_to.active_element
    assert focused.tag_name == "a"
    target = next(a for a in results.find_elements(By.TAG_NAME, "a") if a.text.startswith("Local Safeguarding"))
    target.click()
    WebDriverWait(browser, 10).until(lambda b: b.current_url.endswith("luton-safeguarding-children-board.html"))


def test_the_education_act_1996_lists_the_duties_citing_its_sections(browser, site: Path) -> None:
    """Section 19 is the basis of the duty to arrange suitable education otherwise than at school; ss 390-391 of
    the Standing Advisory Council on Religious Education."""
    open_page(browser, site, "id/legislation/ukpga/1996/56.html")
    rows = section(browser, "duties-citing-its-sections").find_elements(By.CSS_SELECTOR, "tbody tr")
    texts = [r.text for r in rows]
    assert any("s19" in t and "suitable education" in t for t in texts)
    assert any("s390" in t and "Standing Advisory Council on Religious Education" in t for t in texts)


def test_the_duty_register_sorts_by_a_column(browser, site: Path) -> None:
    """With JavaScript, a column heading sorts the register; the register is there without it too."""
    open_page(browser, site, "duties.html")
    table = browser.find_element(By.CSS_SELECTOR, "table.register")
    button = table.find_element(By.CSS_SELECTOR, "thead th:nth-child(2) button")
    button.click()
    button.click()
    column = [r.find_elements(By.TAG_NAME, "td")[1].text for r in table.find_elements(By.CSS_SELECTOR, "tbody tr")]
    assert column == sorted(column, key=str.casefold, reverse=True) or len(set(column)) > 1
    assert table.find_element(By.CSS_SELECTOR, "thead th:nth-child(2)").get_attribute("aria-sort") == "descending"


@pytest.mark.parametrize("page", PAGES)
def test_accessibility_basics(browser, site: Path, page: str) -> None:
    """Page language, one h1, no skipped heading level, alt text on every image and diagram, and a visible focus
    outline on links."""
    if page.startswith("source/") and PROJECT.sources_dir() is None:
        pytest.skip("source texts not found: no source pages")
    open_page(browser, site, page)
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    assert len(browser.find_elements(By.TAG_NAME, "h1")) == 1
    levels = [int(h.tag_name[1]) for h in browser.find_elements(By.CSS_SELECTOR, "h1, h2, h3, h4, h5, h6")]
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), levels
    for image in browser.find_elements(By.TAG_NAME, "img"):
        assert len(image.get_attribute("alt") or "") > 20
    for svg in browser.find_elements(By.CSS_SELECTOR, "main svg"):
        assert svg.get_attribute("role") == "img" and len(svg.get_attribute("aria-label") or "") > 20
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    focused = browser.switch_to.active_element
    assert focused.tag_name == "a" and focused.text == "Skip to content"
    focused.send_keys(Keys.TAB)
    focused = browser.switch_to.active_element
    assert focused.value_of_css_property("outline-style") == "solid"
    assert float(focused.value_of_css_property("outline-width").rstrip("px")) >= 2


def axe_script() -> Path | None:
    """axe-core's script: $LUTONKG_AXE, else the tests' cache, else installed there with npm (None if impossible)."""
    given = os.environ.get("LUTONKG_AXE")
    if given:
        return Path(given)
    script = AXE_CACHE / "node_modules" / "axe-core" / "axe.min.js"
    if not script.is_file() and shutil.which("npm"):
        subprocess.run(["npm", "install", "--prefix", str(AXE_CACHE), "--no-audit", "--no-fund", "--silent",
                        "axe-core@4"], capture_output=True, timeout=300, check=False)  # fmt: skip
    return script if script.is_file() else None


@pytest.fixture(scope="module")
def axe() -> str:
    """axe-core's source; skip with the reason where npm cannot install it."""
    script = axe_script()
    if script is None:
        pytest.skip("axe-core not available: npm is missing or cannot reach the registry (set LUTONKG_AXE to "
                    "axe.min.js); the accessibility basics are still checked by test_accessibility_basics")  # fmt: skip
    return script.read_text(encoding="utf-8")


@pytest.mark.parametrize("page", PAGES)
def test_axe_finds_no_wcag_a_or_aa_violations(browser, site: Path, axe: str, page: str) -> None:
    """axe-core's WCAG 2 A and AA rules (contrast, names, landmarks, lists, tables ...) pass on each kind of page."""
    if page.startswith("source/") and PROJECT.sources_dir() is None:
        pytest.skip("source texts not found: no source pages")
    open_page(browser, site, page)
    browser.execute_script(axe)
    result = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
        ".then(r => done(JSON.stringify(r.violations.map(v => [v.id, v.impact, v.nodes.length,"
        " v.nodes.slice(0, 3).map(n => n.target.join(' '))]))));"
    )
    assert json.loads(result) == []


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory):
    """The Oxigraph server (the `serve` extra) on a free port with the Luton graph; skip where it is not installed."""
    binary = shutil.which("oxigraph")
    if binary is None:
        pytest.skip("the oxigraph server is not installed (pip install -e '.[serve]')")
    import socket
    import time
    import urllib.request

    from project_paths import NQUADS

    store = tmp_path_factory.mktemp("oxigraph")
    subprocess.run([binary, "load", "--location", str(store), "--file", str(NQUADS)], check=True, capture_output=True)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    bind = f"127.0.0.1:{port}"
    command = [binary, "serve-read-only", "--location", str(store), "--bind", bind, "--union-default-graph"]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base, timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                server.kill()
                pytest.fail("the oxigraph server did not answer within 60 s")
            time.sleep(0.2)
    yield base
    server.terminate()
    server.wait(timeout=10)


def test_a_query_page_opens_the_endpoint_with_the_query_filled_in(browser, site: Path, oxigraph_server: str) -> None:
    """The query page's endpoint link, made for this server, opens Oxigraph's query page with the library query in
    the editor and the server's endpoint chosen; running it lists Chiltern Learning Trust's schools."""
    from lutonkg.site.overview import endpoint_link

    open_page(browser, site, "queries/trust-schools.html")
    text = browser.find_element(By.CSS_SELECTOR, "pre.sparql").text
    link = browser.find_element(By.LINK_TEXT, "Open this query on the SPARQL endpoint")
    assert link.get_attribute("href").startswith("http://127.0.0.1:7878/?query=")
    browser.get(endpoint_link(oxigraph_server, text))
    ready = "return !!(document.querySelector('.CodeMirror') && document.querySelector('input.autocomplete'))"
    WebDriverWait(browser, 60).until(lambda b: b.execute_script(ready))
    editor = browser.execute_script("return document.querySelector('.CodeMirror').CodeMirror.getValue()")
    assert editor.strip() == text.strip()
    endpoint = browser.execute_script("return document.querySelector('input.autocomplete').value")
    assert endpoint == oxigraph_server + "query"
    browser.execute_script("document.querySelector('.yasqe_queryButton').click()")
    answer = "var r = document.querySelector('.yasr'); return r ? r.innerText : ''"
    WebDriverWait(browser, 60).until(lambda b: "Dallow Primary" in b.execute_script(answer))
