"""Where every page of the site lives and how one page links to another: paths follow the IRIs
(`…/id/body/luton-borough-council` -> `id/body/luton-borough-council.html`), and every link is relative, so the site
works opened from disk and from any folder of any static host."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from urllib.parse import quote

from markupsafe import Markup, escape

from lutonkg.entities.describe import key
from lutonkg.entities.index import Cite, Document


def entity_path(iri: str) -> str:
    """The page of an entity, from the site's root ('id/body/luton-lea.html'; links quote it)."""
    return "id/" + key(iri) + ".html"


def source_path(doc: str) -> str:
    """The page of a source document ('source/jar2008.html')."""
    return f"source/{doc}.html"


def query_path(name: str) -> str:
    """The page of a library query."""
    return f"queries/{name}.html"


def text_fragment(phrase: str) -> str:
    """A text directive that makes browsers scroll to and highlight a phrase (`:~:text=…`)."""
    return ":~:text=" + quote(phrase, safe="").replace("-", "%2D")


@cache
def _quoted(path: str) -> str:
    """A path with anything but letters, digits and `/-_.~` percent-encoded."""
    return quote(path, safe="/-_.~")


@dataclass(frozen=True)
class Links:
    """Relative links from one page (its path from the site's root) to the rest of the site."""

    page: str
    pages: frozenset[str]
    cite_targets: dict[Cite, str]
    docs: dict[str, Document] = field(default_factory=dict)
    cache: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def root(self) -> str:
        """The site's root, relative to this page ('../..' or '.')."""
        depth = self.page.count("/")
        return "/".join([".."] * depth) if depth else "."

    def to(self, path: str) -> str:
        """A relative link to a path from the site's root (a fragment after '#' is kept)."""
        target, hash_, fragment = path.partition("#")
        if not target:
            return hash_ + fragment
        link = _quoted(target) if self.page.count("/") == 0 else self.root + "/" + _quoted(target)
        return link + hash_ + fragment

    def entity(self, iri: str | None) -> str | None:
        """A link to an entity's page, or None when the entity has none."""
        if not iri:
            return None
        path = entity_path(iri)
        return self.to(path) if path in self.pages else None

    def cite(self, cite: Cite) -> str | None:
        """A link to the passage a citation points at (with a text fragment for the anchor phrase), or None when
        the document has no source page."""
        target = self.cite_targets.get(cite)
        if target is None:
            return None
        return self.to(source_path(cite.doc) + "#" + target + (text_fragment(cite.anchor) if cite.anchor else ""))

    def cite_html(self, cite: Cite) -> Markup:
        """A citation as HTML: document short title and date, locator (a link to the passage) and anchor phrase."""
        cached = self.cache.get((self.root, cite))
        if cached is None:
            doc = self.docs.get(cite.doc)
            text = escape(f"{doc.label} ({doc.date}), {cite.locator}" if doc else f"{cite.doc}, {cite.locator}")
            href = self.cite(cite)
            cached = Markup('<span class="cite">' + (f'<a href="{escape(href)}">{text}</a>' if href else text)
                            + (f": <q>{escape(cite.anchor)}</q>" if cite.anchor else "") + "</span>")  # fmt: skip
            self.cache[(self.root, cite)] = cached
        return cached

    def thing(self, iri: str | None, text: str) -> Markup:
        """A thing's name, linking to its page when it has one."""
        href = self.entity(iri)
        return Markup(f'<a href="{escape(href)}">{escape(text)}</a>') if href else escape(text)

    def cites_html(self, cites: list[Cite], shown: int = 3) -> Markup:
        """A list of citations: the first `shown`, the rest behind a disclosure (works without JavaScript)."""
        if not cites:
            return Markup('<span class="none">no citation</span>')
        items = [f"<li>{self.cite_html(c)}</li>" for c in cites]
        html = '<ul class="cites">' + "".join(items[:shown]) + "</ul>"
        rest = len(items) - shown
        if rest > 0:
            html += (f'<details class="more-cites"><summary>{rest} more citation{"s" if rest > 1 else ""}</summary>'
                     '<ul class="cites">' + "".join(items[shown:]) + "</ul></details>")  # fmt: skip
        return Markup(html)
