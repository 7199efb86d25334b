"""Plain English for briefings: names with their article and number, dates in words, lists, sentences, and the
phrasing of statements (reports/wording.yaml)."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import yaml

from lutonkg.entities.describe import kind_of
from lutonkg.entities.index import ORG, GraphIndex

MONTHS = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
    "December",
]  # fmt: skip
THE_KINDS = ("inspection", "document")


@cache
def wording() -> dict:
    """The sentence patterns of reports/wording.yaml."""
    text = resources.files("lutonkg.reports").joinpath("wording.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def date_text(date: str) -> str:
    """An ISO date in words: '2008-04-22' -> '22 April 2008', '2002-07' -> 'July 2002', '2020' -> '2020'."""
    parts = date.split("-")
    if len(parts) == 3:
        return f"{int(parts[2])} {MONTHS[int(parts[1]) - 1]} {parts[0]}"
    if len(parts) == 2:
        return f"{MONTHS[int(parts[1]) - 1]} {parts[0]}"
    return date


def join(items: list[str], last: str = "and") -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = [i for i in items if i]
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {last} " + items[-1]


def sentence(text: str) -> str:
    """Text as a sentence: first letter in capitals, ending with a full stop (or the mark it has)."""
    text = " ".join(text.split())
    if not text:
        return text
    if not any(ch.isdigit() for ch in text.split(" ", 1)[0]):
        text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def clause(text: str) -> str:
    """A sentence made into a clause to embed in another: no final full stop, first letter in lower case (unless the
    first word is an acronym or a name such as 'Luton')."""
    text = " ".join(text.split()).rstrip(".")
    first = text.split(" ", 1)[0]
    if len(first) > 1 and (first[1:2].isupper() or re.sub(r"'s$", "", first) in wording()["proper_names"]):
        return text
    return text[:1].lower() + text[1:]


def is_plural(label: str) -> bool:
    """Whether a name is plural ('School governing bodies', 'Scrutiny Committees'), judged by its last word."""
    words = re.findall(r"[A-Za-z'-]+", label)
    if not words:
        return False
    last = words[-1]
    if last in wording()["articles"]["singular_words"] or last.isupper():
        return False
    return last.endswith("s") and not last.endswith(("ss", "'s", "us", "is"))


class Names:
    """How things of one graph are named in sentences: with 'the' where English wants it, and was/were to agree."""

    def __init__(self, index: GraphIndex) -> None:
        self.index = index
        self.rules = wording()["articles"]

    def label(self, iri: str) -> str:
        """The thing's label, as the graph gives it."""
        return self.index.label(iri)

    def name(self, iri: str) -> str:
        """The label with 'the' where it takes one."""
        label = self.label(iri)
        return f"the {label}" if self._takes_the(iri, label) else label

    def _takes_the(self, iri: str, label: str) -> bool:
        """Whether the name takes the definite article."""
        if label.startswith(tuple(self.rules["never_before"])):
            return False
        kind = kind_of(iri)
        if kind in THE_KINDS:
            return True
        if kind != "body":
            return False
        if label[:1].islower():
            return True
        body_type = (self.index.value(iri, ORG + "classification") or "").rsplit("/", 1)[-1]
        if body_type == "university":
            return label.startswith(("University", "Local"))
        return body_type in self.rules["body_types"] and not is_plural(label) and not label.isupper()

    def was(self, iri: str) -> str:
        """'was', or 'were' for a plural name."""
        return "were" if kind_of(iri) in ("body", "school") and is_plural(self.label(iri)) else "was"

    def recommendation(self, iri: str) -> str:
        """'recommendation jar2008-r02 (review how decisions are made to take children into care)'."""
        ident = iri.rsplit("/", 1)[-1]
        return f"recommendation {ident} ({clause(self.label(iri))})"

    def thing(self, iri: str) -> str:
        """Any thing named for a sentence: recommendations with their id and summary, others by name."""
        if kind_of(iri) == "recommendation":
            return self.recommendation(iri)
        return self.name(iri)
