"""Finding what a reviewer means: a duty, Appendix C aspect, recommendation theme or body, from an id or free text."""

from __future__ import annotations

import re
from dataclasses import dataclass

import networkx as nx


class LookupError_(LookupError):
    """Nothing, or more than one thing, matches the text; the message lists candidates on one line."""


@dataclass(frozen=True)
class Focus:
    """What a question is about: kind (duty | aspect | theme | body), its id (node key or concept slug), label."""

    kind: str
    id: str
    label: str


def norm(text: str) -> str:
    """Lower case, curly quotes straightened, runs of non-word characters as one space."""
    return re.sub(r"[^a-z0-9]+", " ", text.lower().replace("\u2019", "'").replace("'", "")).strip()


def candidates(graph: nx.MultiDiGraph) -> list[tuple[Focus, list[str]]]:
    """Every focus a question can name, with the texts (ids, labels, alternative labels) that name it."""
    found: list[tuple[Focus, list[str]]] = []
    for node, d in sorted(graph.nodes(data=True)):
        if d["kind"] == "duty":
            found.append((Focus("duty", node, d["label"]), [node, d["duty_id"], d["label"]]))
        elif d["kind"] in ("body", "school"):
            name = node.split("/", 1)[1]
            found.append((Focus("body", node, d["label"]), [node, name, d["label"], *d.get("alt_labels", [])]))
    for slug, label in sorted(graph.graph.get("aspects", {}).items()):
        found.append((Focus("aspect", slug, label), [slug, label]))
    for slug, label in sorted(graph.graph.get("themes", {}).items()):
        found.append((Focus("theme", slug, label), [slug, label]))
    return found


@dataclass(frozen=True)
class Resolution:
    """The foci a question names, and other exact matches of a lower-ranked kind that were set aside."""

    foci: list[Focus]
    others: list[Focus]


KIND_RANK = {"duty": 0, "aspect": 1, "theme": 1, "body": 2}


def resolve(graph: nx.MultiDiGraph, text: str) -> Resolution:
    """The foci the text names: an exact id or label first, else labels containing every word of the text.

    Whole words are tried before word prefixes and then substrings. Among exact matches a duty comes before an
    aspect or theme, and those before a body ('lado' is the LADO aspect; the LADO office is set aside in `others`).
    One aspect and one theme together (e.g. 'safeguarding') are one topic and both returned; any other ambiguity
    raises LookupError_ listing candidates.
    """
    wanted = norm(text)
    if not wanted:
        raise LookupError_("empty question: give a duty id, aspect, theme, body or some words of a label")
    pool = candidates(graph)
    exact = [f for f, names in pool if any(norm(n) == wanted for n in names)]
    if exact:
        best = min(KIND_RANK[f.kind] for f in exact)
        chosen = [f for f in exact if KIND_RANK[f.kind] == best]
        return Resolution(_one_topic(chosen, text), [f for f in exact if f not in chosen])
    words = wanted.split()
    tiers = (
        lambda name: all(w in name.split() for w in words),
        lambda name: all(any(part.startswith(w) for part in name.split()) for w in words),
        lambda name: all(w in name for w in words),
    )
    for matches in tiers:
        partial = [f for f, names in pool if any(matches(norm(n)) for n in names)]
        if partial:
            return Resolution(_one_topic(partial, text), [])
    raise LookupError_(f"nothing matches {text!r}: try a duty id, an aspect, a theme or part of a body's name")


def _one_topic(found: list[Focus], text: str) -> list[Focus]:
    """Accept one focus, or an aspect and theme sharing a label; otherwise list the candidates in the error."""
    if len(found) == 1:
        return found
    if sorted(f.kind for f in found) == ["aspect", "theme"]:
        return found
    shown = "; ".join(f"{f.kind} {f.id} ({f.label[:50]})" for f in found[:12])
    more = f"; and {len(found) - 12} more" if len(found) > 12 else ""
    raise LookupError_(f"{text!r} matches {len(found)} things, be more specific: {shown}{more}")
