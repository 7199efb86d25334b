"""Writing a Briefing out: Markdown and HTML through the Jinja2 templates in reports/templates, Word through
reports/word.py. The same briefing gives the same bytes every time in each format."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import jinja2

from lutonkg.reports.figures import draw_all
from lutonkg.reports.model import Block, Briefing, Figure, Note, Reference, Section, Sentence

FORMATS = ("md", "html", "docx")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")


@dataclass
class Item:
    """A bulleted item and the items under it."""

    block: Block
    children: list[Block] = field(default_factory=list)


@dataclass
class Part:
    """One piece of a section's layout: a paragraph, a lead-in line, a figure, or a list of items."""

    kind: str
    block: Block | None = None
    figure: Figure | None = None
    number: int = 0
    items: list[Item] = field(default_factory=list)


def layout(section: Section, figure_numbers: dict[int, int]) -> list[Part]:
    """A section's blocks as paragraphs, lead-ins, figures and lists (items, each with its sub-items)."""
    parts: list[Part] = []
    for block in section.blocks:
        if isinstance(block, Figure):
            parts.append(Part("figure", figure=block, number=figure_numbers[id(block)]))
        elif block.kind in ("item", "subitem"):
            if not parts or parts[-1].kind != "list":
                parts.append(Part("list"))
            items = parts[-1].items
            if block.kind == "subitem" and items:
                items[-1].children.append(block)
            else:
                items.append(Item(block))
        else:
            parts.append(Part(block.kind, block=block))
    return parts


def figure_numbers(briefing: Briefing) -> dict[int, int]:
    """Figure numbers (1..) by the figure object's id, in reading order."""
    return {id(f): n for n, f in enumerate(briefing.figures(), 1)}


def note_ranges(numbers: list[int]) -> str:
    """'1, 4, 7-11' (with an en dash) for a list of note numbers."""
    runs: list[list[int]] = []
    for n in sorted(numbers):
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}\u2013{r[-1]}" for r in runs)


# -- Markdown


def md(text: str) -> str:
    """Text with Markdown's special characters escaped (and a leading '1.' or '#' kept literal)."""
    text = _MD_SPECIAL.sub(r"\\\1", str(text))
    return re.sub(r"^(\d+)\. ", r"\1\\. ", text) if not text.startswith("#") else "\\" + text


def md_sentence(s: Sentence) -> str:
    """A sentence with its mark, note reference ([^12]) and basis."""
    mark = f"*{md(s.mark)}:* " if s.mark else ""
    note = f"[^{s.note}]" if s.note else ""
    basis = f" *Basis:* {md(s.basis)}" if s.basis else ""
    return f"{mark}{md(s.text)}{note}{basis}"


def md_block(block: Block) -> str:
    """A block's sentences, after its lead (bold) if it has one."""
    lead = f"**{md(block.lead)}.** " if block.lead and block.sentences else (f"**{md(block.lead)}**" * bool(block.lead))
    return lead + " ".join(md_sentence(s) for s in block.sentences)


def md_part(part: Part, images: dict[int, str]) -> str:
    """One part of a section in Markdown."""
    if part.kind == "figure":
        assert part.figure is not None
        src = images.get(id(part.figure))
        caption = f"*Figure {part.number}. {md(part.figure.caption)}*"
        return f"![Figure {part.number}]({src})\n\n{caption}" if src else caption
    if part.kind == "list":
        lines = []
        for item in part.items:
            lines.append("- " + md_block(item.block))
            lines += ["  - " + md_block(child) for child in item.children]
        return "\n".join(lines)
    assert part.block is not None
    if part.kind == "lead" and not part.block.sentences:
        return f"**{md(part.block.lead)}**"
    return md_block(part.block)


def cite_groups(note: Note, briefing: Briefing) -> list[tuple[str, str, list[str]]]:
    """A note's citations by document, in order: (document label, document id, ['para 14: “anchor”', ...]); anchors
    at one locator are listed together ('Appendix C: Safeguarding: “a”; “b”')."""
    found: list[tuple[str, str, list[str]]] = []
    last = None
    for c in note.cites:
        anchor = f"\u201c{c.anchor}\u201d" if c.anchor else ""
        if found and found[-1][1] == c.doc and last == c.locator and anchor:
            found[-1][2].append(anchor)
            continue
        where = f"{c.locator}: {anchor}" if anchor else c.locator
        if found and found[-1][1] == c.doc:
            found[-1][2].append(where)
        else:
            ref = briefing.reference(c.doc)
            found.append((ref.document.label if ref else c.doc, c.doc, [where]))
        last = c.locator
    return found


def end(text: str) -> str:
    """A note's closing full stop, unless the quoted anchor already ends with one."""
    return text if text.endswith((".\u201d", "?\u201d", "!\u201d")) else text + "."


def md_note(note: Note, briefing: Briefing) -> str:
    """A note: 'Joint area review 2008 (jar2008), para 14: “anchor”; para 16: “anchor”'."""
    groups = cite_groups(note, briefing)
    return end("; ".join(f"{md(label)} ({doc}), " + "; ".join(md(w) for w in where) for label, doc, where in groups))


def md_reference(ref: Reference) -> str:
    """A reference list entry with the short title the notes use and the notes that cite it."""
    d = ref.document
    parts = [md(p) for p in ref.parts()]
    parts[1] = f"*{parts[1]}*"
    cited = f"Cited as \u201c{md(d.label)}\u201d ({d.id}) in notes {note_ranges(ref.notes)}."
    return f"**{d.id}.** " + ". ".join(parts) + ". " + cited


# -- templates


@cache
def environment() -> jinja2.Environment:
    """The Jinja2 environment over reports/templates (HTML escaped automatically, Markdown by the md filter)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("lutonkg.reports", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(md=md, note_ranges=note_ranges, id_of=id, end=end)
    env.globals.update(md_part=md_part, md_note=md_note, md_reference=md_reference, layout=layout,
                       cite_groups=cite_groups)  # fmt: skip
    return env


def markdown(briefing: Briefing, images: dict[int, str] | None = None) -> str:
    """The briefing as Markdown; `images` maps figures (by id) to the image files it links (none: captions only)."""
    template = environment().get_template("briefing.md.j2")
    text = template.render(b=briefing, images=images or {}, numbers=figure_numbers(briefing))
    return re.sub(r"\n{3,}", "\n\n", text).rstrip("\n") + "\n"


def html(briefing: Briefing) -> str:
    """The briefing as one self-contained HTML page (figures inline as SVG data)."""
    figures = draw_all(briefing)
    data = {id(f): "data:image/svg+xml;base64," + base64.b64encode(f.svg).decode("ascii") for f in figures}
    template = environment().get_template("briefing.html.j2")
    text = template.render(b=briefing, images=data, numbers=figure_numbers(briefing))
    return re.sub(r"\n\s*\n+", "\n", text)


def render(briefing: Briefing, fmt: str) -> str | bytes:
    """The briefing in one format, in memory: Markdown without images, self-contained HTML, or Word bytes."""
    if fmt == "md":
        return markdown(briefing)
    if fmt == "html":
        return html(briefing)
    if fmt == "docx":
        from lutonkg.reports.word import docx_bytes

        return docx_bytes(briefing)
    raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")


def write(briefing: Briefing, path: Path, fmt: str | None = None) -> list[Path]:
    """Write the briefing to a file (format from `fmt` or the suffix); Markdown also writes its diagrams beside it
    as `<name>-<figure>.svg`. Returns every file written."""
    path = Path(path)
    fmt = fmt or path.suffix.lstrip(".").lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    written = []
    if fmt == "md":
        images = {}
        for figure in draw_all(briefing):
            image = path.with_name(f"{path.stem}-{figure.stem}.svg")
            image.write_bytes(figure.svg)
            images[id(figure)] = image.name
            written.append(image)
        path.write_text(markdown(briefing, images), encoding="utf-8", newline="\n")
    else:
        content = render(briefing, fmt)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="\n")
    return [path, *written]
