"""For tests that run many builds: a small data set cut from the Luton data (it builds in about a second), an output
folder holding a previous build, and a snapshot of a folder to compare before and after.

The small data set keeps documents.yaml, vocabularies.yaml and the locator register whole, the inspections the
documents report, the bodies these name (publishers, the authority, duty holders, inspectorates, inspected bodies)
and nothing else; every other data file is present with an empty
section, as the build requires.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import yaml
from project_paths import DATA_DIR

from lutonkg.build import publish
from lutonkg.build.pipeline import OUTPUTS
from lutonkg.data.load import read_yaml, schema

_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def plain(node: object) -> object:
    """A parsed tree with its line-remembering mappings turned into plain dicts, for the YAML dumper."""
    if isinstance(node, dict):
        return {key: plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [plain(value) for value in node]
    return node


def reported_inspections() -> list[dict]:
    """The inspections documents.yaml says its documents report."""
    reported = {i for doc in read_yaml(DATA_DIR / "documents.yaml")["documents"] for i in doc.get("reports", [])}
    return [plain(i) for i in read_yaml(DATA_DIR / "inspections.yaml")["inspections"] if i["id"] in reported]


def needed_bodies() -> set[str]:
    """The ids of the bodies documents.yaml, the reported inspections and vocabularies.yaml refer to."""
    needed: set[str] = set()
    for doc in read_yaml(DATA_DIR / "documents.yaml")["documents"]:
        needed |= {*doc["publishers"], doc["authority"]}
    for inspection in reported_inspections():
        needed |= {*inspection.get("inspectorates", []), *inspection.get("inspected", [])}
    for scheme in read_yaml(DATA_DIR / "vocabularies.yaml")["schemes"].values():
        needed |= {c["body"] for c in scheme["concepts"] if "body" in c}
    return needed


def make_mini_data(folder: Path) -> Path:
    """Write the small data set into folder (created) and return it."""
    folder.mkdir(parents=True)
    for name in ("documents.yaml", "vocabularies.yaml", "locators.yaml"):
        shutil.copyfile(DATA_DIR / name, folder / name)
    keep = needed_bodies()
    bodies = [b for b in read_yaml(DATA_DIR / "bodies.yaml")["bodies"] if b["id"] in keep]
    text = yaml.dump({"bodies": plain(bodies)}, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=120)
    (folder / "bodies.yaml").write_text(text, encoding="utf-8")
    text = yaml.dump({"inspections": reported_inspections()}, Dumper=_Dumper, sort_keys=False, allow_unicode=True)
    (folder / "inspections.yaml").write_text(text, encoding="utf-8")
    for name, sections in schema()["files"].items():
        if not (folder / name).exists():
            (folder / name).write_text("".join(f"{section}: []\n" for section in sections), encoding="utf-8")
    return folder


def published(out: Path) -> Path:
    """An output folder holding a previous build's outputs, published the way the build publishes them."""
    out.mkdir()
    staging = publish.stage(out)
    publish.write(staging, {name: f"previous build: {name}\n" for name in OUTPUTS})
    publish.swap_in(staging, out, OUTPUTS)
    publish.discard(staging)
    return out


def snapshot(folder: Path) -> dict[str, tuple]:
    """Everything under a folder without following links: each file's bytes, each link's target."""
    found: dict[str, tuple] = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(root) / name
            rel = str(path.relative_to(folder))
            if path.is_symlink():
                found[rel] = ("link", os.readlink(path))
            elif path.is_dir():
                found[rel] = ("folder",)
            else:
                found[rel] = ("file", path.read_bytes())
    return found
