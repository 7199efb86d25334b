"""The review site of the Luton project, built once per test session (tests/test_site.py and
tests/test_site_browser.py share it), and a link checker for a built site."""

from __future__ import annotations

import atexit
import html
import os
import re
import shutil
import tempfile
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from project_paths import NQUADS, PROJECT

from lutonkg.site import Report, Settings, build_site

_ID = re.compile(r"""\sid="([^"]*)\"""")
_LINK = re.compile(r"""<(a|link|img|script)\b[^>]*?\s(href|src)="([^"]*)\"""")


@cache
def luton_site() -> tuple[Path, Report]:
    """The Luton site (with source pages when the source texts are present), in a temporary folder."""
    out = Path(tempfile.mkdtemp(prefix="lutonkg-site-")) / "site"
    atexit.register(shutil.rmtree, out.parent, True)
    settings = Settings(graph=NQUADS, out=out, sources=PROJECT.sources_dir(), title=PROJECT.title,
                        query_defaults=PROJECT.query_defaults)  # fmt: skip
    return out, build_site(settings)


def ids_of(page: Path) -> set[str]:
    """The ids a page defines."""
    return {html.unescape(m) for m in _ID.findall(page.read_text(encoding="utf-8"))}


def links_of(page: Path) -> list[tuple[str, str]]:
    """(element, link) for every href and src of a page."""
    text = page.read_text(encoding="utf-8")
    return [(m.group(1), html.unescape(m.group(3))) for m in _LINK.finditer(text)]


def broken_links(site: Path) -> list[str]:
    """Every internal link of every page that does not resolve: a missing file, or a fragment no element has."""
    ids: dict[Path, set[str]] = {}
    resolved: dict[tuple[Path, str], tuple[Path, bool]] = {}  # (folder, link path): (real target, a file inside?)
    inside = str(site.resolve()) + os.sep
    broken = []
    for page in sorted(site.rglob("*.html")):
        for element, link in links_of(page):
            parts = urlsplit(link)
            if parts.scheme or link.startswith("//"):
                continue
            key = (page.parent, unquote(parts.path) if parts.path else page.name)
            if key not in resolved:
                target = (key[0] / key[1]).resolve()
                resolved[key] = target, target.is_file() and str(target).startswith(inside)
            target, found = resolved[key]
            where = f"{page.relative_to(site)}: <{element}> {link}"
            if not found:
                broken.append(f"{where}: no file {target}")
                continue
            fragment = unquote(parts.fragment.split(":~:", 1)[0])
            if fragment and target.suffix == ".html":
                if target not in ids:
                    ids[target] = ids_of(target)
                if fragment not in ids[target]:
                    broken.append(f"{where}: no element with id {fragment!r}")
    return broken
