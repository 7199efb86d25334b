"""`lutonkg site`: the whole graph as a static, citable website (HTML and CSS, a little JavaScript for search and
sorting), written into one folder that opens from disk or from any static host.

Pages: one per entity (from `lutonkg.entities.describe`, the description `lutonkg show` renders), with its Turtle
and JSON-LD beside it; one per source document, paragraph by paragraph, with the facts drawn from each passage; and
overview pages (home, browse, recommendation tracker, duty register, timeline, partnership network, query library,
ontology). Same inputs, same bytes: nothing depends on the clock, the machine or the order of a hash.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from lutonkg.data.sources import SourceText, load_source
from lutonkg.entities.describe import Describer, Entity, entities
from lutonkg.entities.index import Cite, GraphIndex
from lutonkg.site import overview, passages
from lutonkg.site.facts import Fact, facts_by_citation
from lutonkg.site.links import Links, entity_path, source_path
from lutonkg.site.timeline import svg as timeline_svg
from lutonkg.site.worker import Worker

MARKER = ".lutonkg-site"
DEFAULT_ENDPOINT = "http://127.0.0.1:7878/"
STATIC = ("site.css", "site.js")


class SiteError(Exception):
    """The site cannot be written where asked; the message is one line for the user."""


@dataclass
class Settings:
    """What a site is built from and where it goes."""

    graph: Path
    out: Path
    sources: Path | None = None
    title: str = "Governance knowledge graph"
    endpoint: str = DEFAULT_ENDPOINT
    query_defaults: dict[str, str] = field(default_factory=dict)
    jobs: int = 2


@dataclass
class Report:
    """What a build wrote."""

    out: Path
    pages: int
    files: int
    bytes: int
    seconds: float
    source_pages: list[str]
    missing_sources: list[str]


@dataclass
class Document:
    """A source document cut into passages, with where each of its citations landed."""

    doc: str
    text: SourceText
    passages: list[passages.Passage]
    placed: dict[Cite, passages.Placed]


def environment() -> Environment:
    """The Jinja environment of the site's templates."""
    env = Environment(
        loader=PackageLoader("lutonkg.site", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters["slug"] = passages.slug
    return env


class Site:
    """One build of the site: the graph read once, every page rendered into memory, then written at once."""

    def __init__(self, settings: Settings, step: Callable[[str], None] = lambda _: None) -> None:
        self.settings = settings
        self.step = step
        self.env = environment()
        self.files: dict[str, bytes] = {}
        self.pages: set[str] = set()

    # -- reading

    def read(self) -> None:
        """Index the graph, describe every entity (with the years it holds, from the projection), place the
        citations on the source texts."""
        self.step("reading the graph")
        self.index = GraphIndex.from_file(self.settings.graph)
        self.step("projecting the graph for timelines and networks")
        held = self.worker.projection()["held"]
        iris = entities(self.index)
        self.step(f"describing {len(iris)} entities")
        describer = Describer(self.index, held)
        self.described: dict[str, Entity] = {iri: describer.describe(iri) for iri in iris}
        self.facts: dict[Cite, list[Fact]] = facts_by_citation(self.described.values(), self.index.label)
        self.step("placing citations on the source texts")
        self.documents, self.missing = self._cut_sources()
        self.pages = {entity_path(iri) for iri in iris} | {source_path(d) for d in self.documents}
        self.pages |= overview.pages(self)
        self.cite_targets = {c: p.target for d in self.documents.values() for c, p in d.placed.items()}
        self.frozen_pages = frozenset(self.pages)
        self.link_cache: dict = {}

    def _cut_sources(self) -> tuple[dict[str, Document], list[str]]:
        """Each document whose text is in the sources folder, cut and with its citations placed."""
        found, missing = {}, []
        cites: dict[str, set[Cite]] = defaultdict(set)
        for cite in set(self.facts) | _all_citations(self.described.values()):
            cites[cite.doc].add(cite)
        folder = self.settings.sources
        for doc in self.index.documents.values():
            path = folder / doc.source_file if folder and doc.source_file else None
            if path is None or not path.is_file():
                missing.append(doc.id)
                continue
            text = load_source(path, doc.id)
            cut = passages.cut(text)
            placed = passages.place(text, cut, cites[doc.id])
            passages.assign_levels(cut)
            for p in cut:
                p.html = passages.render(text, p)
            found[doc.id] = Document(doc.id, text, cut, placed)
        return found, missing

    def kinds(self) -> list[str]:
        """The kinds of entity the graph holds, in browsing order."""
        counts = Counter(e.kind for e in self.described.values())
        return sorted(counts, key=lambda k: (overview.kind_rank(k), k))

    # -- writing

    def links(self, page: str) -> Links:
        """Links from one page."""
        return Links(page, self.frozen_pages, self.cite_targets, self.index.documents, self.link_cache)

    def render(self, template: str, page: str, **context: object) -> None:
        """Render one page into memory."""
        html = self.env.get_template(template).render(
            L=self.links(page),
            site=self.meta(),
            page=page,
            docs=self.index.documents,
            label=self.index.label,
            **context,
        )
        self.files[page] = html.encode("utf-8")

    def meta(self) -> dict:
        """What every page shows about the site."""
        return {"title": self.settings.title, "nav": overview.NAV, "endpoint": self.settings.endpoint}

    def entity_pages(self) -> None:
        """One page per entity (its Turtle and JSON-LD, linked from it, come from `rdf_files`)."""
        total = len(self.described)
        for n, (iri, entity) in enumerate(self.described.items(), start=1):
            if n % 200 == 0 or n == total:
                self.step(f"entity pages {n}/{total}")
            page = entity_path(iri)
            stem = page[: -len(".html")]
            self.render("entity.html", page, e=entity, ttl=stem + ".ttl",
                        jsonld=stem + ".jsonld", timeline=timeline_svg(entity), source_page=self._source_of(entity),
                        disagreements=entity.disagreements())  # fmt: skip

    def _source_of(self, entity: Entity) -> str | None:
        """The source page of a document entity."""
        doc = entity.key.split("/", 1)[1] if entity.kind == "document" else None
        return source_path(doc) if doc in self.documents else None

    def source_pages(self) -> None:
        """One page per source document, passage by passage, each with the facts drawn from it."""
        for doc_id, document in self.documents.items():
            self.step(f"source page {doc_id}")
            drawn = {p.id: _facts_of(p, self.facts) for p in document.passages}
            self.render("source.html", source_path(doc_id), doc=self.index.documents[doc_id],
                        passages=document.passages, drawn=drawn,
                        entity_count=len({f.subject for fs in drawn.values() for f in fs}))  # fmt: skip

    def static(self) -> None:
        """The stylesheet, the script and the search index."""
        folder = resources.files("lutonkg.site").joinpath("static")
        for name in STATIC:
            self.files[name] = folder.joinpath(name).read_bytes()
        entries = overview.search_entries(self.index, self.described)
        self.files["search-index.json"] = json.dumps(entries, ensure_ascii=False, separators=(",", ":")).encode()
        script = "window.LUTONKG_SEARCH=" + json.dumps(entries, ensure_ascii=False, separators=(",", ":")) + ";\n"
        self.files["search-index.js"] = script.encode("utf-8")

    def build(self) -> Report:
        """Read, render every page, write the folder."""
        started = time.perf_counter()
        check_out(self.settings.out)
        self.worker = Worker(self.settings.graph, self.settings.jobs)
        try:
            self.read()
            self.entity_pages()
            self.source_pages()
            overview.render_all(self)
            self.static()
            self.step("Turtle and JSON-LD of every entity")
            self.files.update(self.worker.rdf(list(self.described)))
        finally:
            self.worker.close()
        self.step("writing the files")
        write(self.settings.out, self.files)
        pages = sum(1 for name in self.files if name.endswith(".html"))
        return Report(self.settings.out, pages, len(self.files), sum(len(b) for b in self.files.values()),
                      time.perf_counter() - started, sorted(self.documents), self.missing)  # fmt: skip


def _all_citations(described: Iterable[Entity]) -> set[Cite]:
    """Every citation an entity page shows."""
    found: set[Cite] = set()
    for e in described:
        found.update(e.citations)
        for s in e.dates + e.statements:
            found.update(s.citations)
        for c in e.claims:
            found.update(c.citations)
    return found


def _facts_of(passage: passages.Passage, facts: dict[Cite, list[Fact]]) -> list[Fact]:
    """The facts drawn from a passage, each once, in reading order."""
    found: dict[Fact, None] = {}
    for cite in sorted(passage.cites, key=lambda c: (c.locator, c.anchor)):
        for fact in facts.get(cite, ()):
            found.setdefault(fact)
    return sorted(found, key=Fact.sort_key)


def check_out(out: Path) -> None:
    """Refuse a folder the site cannot replace: a file, or a non-empty folder that holds something other than a site
    this command wrote."""
    if out.exists() and not out.is_dir():
        raise SiteError(f"{out} is a file, not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise SiteError(f"{out} is not empty and holds no site written by lutonkg; choose an empty or new folder")


def write(out: Path, files: dict[str, bytes]) -> None:
    """Make the folder hold exactly the site: write every file whose bytes changed, delete what an earlier build
    left that this one did not write."""
    check_out(out)
    out.mkdir(parents=True, exist_ok=True)
    keep = set(files) | {MARKER}
    existing = set()
    for folder, subfolders, names in os.walk(out, topdown=False):
        for name in names:
            path = os.path.join(folder, name)
            relative = Path(path).relative_to(out).as_posix()
            if relative in keep:
                existing.add(relative)
            else:
                os.unlink(path)
        for sub in subfolders:
            with contextlib.suppress(OSError):
                os.rmdir(os.path.join(folder, sub))  # only empty folders go
    (out / MARKER).write_text("written by `lutonkg site`; the whole folder is replaced on the next build\n")
    made: set[Path] = set()
    for name in sorted(files):
        path = out / name
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        if name in existing and _unchanged(path, files[name]):
            continue
        with open(path, "wb") as sink:
            sink.write(files[name])


def _unchanged(path: Path, content: bytes) -> bool:
    """Whether a file already holds exactly these bytes (rewriting costs more than reading)."""
    try:
        with open(path, "rb") as source:
            return source.read() == content
    except OSError:
        return False


def build_site(settings: Settings, step: Callable[[str], None] = lambda _: None) -> Report:
    """Build the site described by the settings; what was written."""
    return Site(settings, step).build()


__all__ = ["DEFAULT_ENDPOINT", "Report", "Settings", "SiteError", "build_site"]
