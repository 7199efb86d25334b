"""The chain of responsibility at a date (the rows of `lutonkg who`) as cited sentences: each duty's law, holder and
discharger, then the bodies' place, line of accountability, partners, inspectors and recommendations."""

from __future__ import annotations

import re

import networkx as nx

from lutonkg.analysis.graphview import name, out_edges, predecessors, successors
from lutonkg.analysis.network import snapshot
from lutonkg.analysis.responsibility import who
from lutonkg.entities.index import Cite
from lutonkg.reports.context import Writer
from lutonkg.reports.model import CURATORS_INFERENCE, CURATORS_JUDGEMENT, Block, Sentence
from lutonkg.reports.words import clause, join

DUTY_STEPS = ("law", "holder", "discharger", "priority")
_CITE = re.compile(r"^(?P<doc>\S+) (?P<loc>.*?): \u201c(?P<anchor>.*)\u201d$")


def row_cites(row: dict) -> list[Cite]:
    """A `who` row's citations ('jar2008 para 14: “anchor”') as Cites."""
    found = []
    for text in row.get("citations") or []:
        m = _CITE.match(text)
        if m:
            found.append(Cite(m["doc"], m["loc"], m["anchor"]))
    return found


def topic_text(label: str) -> str:
    """A theme or aspect label inside a sentence: 'safeguarding', but 'Local Authority Designated Officer (LADO)'."""
    words = label.split()
    return label if any(w[:1].isupper() for w in words[1:]) else clause(label)


class ChainWriter:
    """Turns the rows of `who` into blocks of sentences."""

    def __init__(self, w: Writer) -> None:
        self.w = w
        self.rg = w.rg
        self.pairs: set[frozenset[str]] = set()

    @property
    def graph(self) -> nx.MultiDiGraph:
        """The networkx projection the chain is read from."""
        return self.rg.network

    def rows(self, text: str, year: int | None, steps: tuple[str, ...] = ()) -> list[dict]:
        """The chain's rows for what `text` names at a year, optionally only some steps."""
        rows = who(self.graph, text, year).rows
        return [r for r in rows if not steps or r["step"] in steps]

    def blocks(self, rows: list[dict], year: int | None, single_duty: bool = False) -> list[Block]:
        """Blocks for a chain: one group per duty (its law, holder, discharger, priorities, recommendations on it),
        then the bodies' links step by step, each step with a lead-in line."""
        duty_rows: dict[str, list[dict]] = {}
        body_rows: dict[str, list[dict]] = {}
        for r in rows:
            if self._is_duty_row(r):
                duty_rows.setdefault(r["from_id"], []).append(r)
            else:
                body_rows.setdefault(r["step"], []).append(r)
        found: list[Block] = []
        for duty, drows in duty_rows.items():
            if not single_duty:
                iri = self.rg.iri(duty)
                found.append(Block([self.w.fact(self.rg.index.label(iri), self.rg.index.citations(iri))],
                                   "para", "Duty"))  # fmt: skip
            found += [Block([self.sentence(r, year)], "item") for r in drows]
        steps = self.w.words["steps"]
        for step in steps:
            if step in body_rows:
                lead = steps[step]
                if step == "inspector" and any("latest before" in r["held"] for r in body_rows[step]):
                    lead = self.w.words["chain"]["inspector/latest-lead"].format(year=year)
                found.append(Block([], "lead", lead))
                found += [Block([self.sentence(r, year)], "item") for r in body_rows[step]]
        return found

    def _is_duty_row(self, row: dict) -> bool:
        """Rows about one duty: its law, holder, discharger, priorities, required bodies, recommendations on it."""
        if not row["from_id"].startswith("duty/"):
            return False
        return row["step"] in DUTY_STEPS or row["relation"] == "requires"

    def sentence(self, row: dict, year: int | None) -> Sentence:
        """One row as a cited sentence, marked when the curators made the link."""
        patterns = self.w.words["chain"]
        step, relation = row["step"], row["relation"].split(" (")[0]
        values = self._values(row, year)
        if not row["to_id"]:
            key = f"{step}/gap"
        elif step == "body":
            key = "body/" + ("named for the topic" if relation == "named for the topic" else relation.split(" ")[0])
        elif step == "inspector":
            key = "inspector/inspects" + ("/latest" if "latest before" in row["held"] else "")
        else:
            key = f"{step}/{relation}"
        pattern = patterns.get(key) or "{from} " + relation + " {to}."
        text = pattern.format(**values)
        roles = re.match(r"held by \((.*)\)$", row["relation"])
        if roles:
            text = text.rstrip(".") + f" (the source names its holders as {join(roles.group(1).split(', '))})."
        mark, basis = self._mark(row)
        if row["to_id"]:
            self.pairs.add(frozenset((self.rg.iri(row["from_id"]), self.rg.iri(row["to_id"]))))
        return self.w.fact(text, row_cites(row), mark, basis)

    def _values(self, row: dict, year: int | None) -> dict[str, str]:
        """The names a chain pattern fills in."""
        names = self.w.names
        from_ids = row.get("from_ids") or [row["from_id"]]
        frm = join([names.thing(self.rg.iri(f)) for f in from_ids]) if row["step"] == "inspector" else (
            names.thing(self.rg.iri(row["from_id"])))  # fmt: skip
        to = names.thing(self.rg.iri(row["to_id"])) if row["to_id"] else ""
        other = row["relation"].split(" of ", 1)[1] if row["step"] == "body" and " of " in row["relation"] else ""
        other_iri = self._body_named(other)
        return {
            "from": frm,
            "to": to,
            "from_was": "were" if len(from_ids) > 1 else names.was(self.rg.iri(row["from_id"])),
            "to_was": names.was(self.rg.iri(row["to_id"])) if row["to_id"] else "was",
            "topic": topic_text(row["from"]) if row["step"] == "body" else "",
            "other": names.name(other_iri) if other_iri else other,
            "year": str(year or ""),
            "inspection": self._inspection(row) if row["step"] == "inspector" else "",
        }

    def _body_named(self, label: str) -> str | None:
        """The IRI of the body with this label (the successor or predecessor a `body` row names)."""
        if not label:
            return None
        node = next((n for n, d in self.graph.nodes(data=True) if d["kind"] == "body" and d["label"] == label), None)
        return self.rg.iri(node) if node else None

    def _inspection(self, row: dict) -> str:
        """The inspection an inspector row stands for, by name ('the Joint area review of services ...')."""
        clipped = re.match(r"inspects \((.*)\)$", row["relation"])
        for inspector in row.get("from_ids") or [row["from_id"]]:
            for _, insp, _, _ in out_edges(self.graph, inspector, ("conducts",)):
                targets = [v for _, v, _, _ in out_edges(self.graph, insp, ("inspects",))]
                if row["to_id"] in targets and (not clipped or name(self.graph, insp, 50) == clipped.group(1)):
                    return self.w.names.name(self.rg.iri(insp))
        return "an inspection"

    def _mark(self, row: dict) -> tuple[str, str]:
        """The curators' mark and basis of an inferred row (a priority link is their judgement)."""
        if not row["inferred"]:
            return "", ""
        if row["step"] == "priority":
            return CURATORS_JUDGEMENT, ""
        return CURATORS_INFERENCE, self._basis(row)

    def _basis(self, row: dict) -> str:
        """The basis the curators give for an inferred link: on the relationship, or on the succession event."""
        u, v = self.rg.iri(row["from_id"]), self.rg.iri(row["to_id"])
        if row["step"] == "body":
            for s in self.rg.entity(u).statements:
                if s.group == "Reorganisations" and s.curated and s.basis:
                    return s.basis
        for s in self.rg.entity(u).statements:
            if s.other == v and s.curated and s.basis:
                return s.basis
        return ""

    def neighbours_at(self, node: str, year: int) -> list[tuple[str, str, bool]]:
        """Predecessors and successors of a body that hold at a year: (node, 'predecessor' | 'successor', whether
        the curators inferred the succession)."""
        view = snapshot(self.graph, year)
        found = [(p, "predecessor", dict(successors(self.graph, p)).get(node, False))
                 for p in predecessors(self.graph, node) if p in view]  # fmt: skip
        found += [(s, "successor", inferred) for s, inferred in successors(self.graph, node) if s in view]
        return found
