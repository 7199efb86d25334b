"""The toolkit's own files, shipped inside the package: the ontology, its imports, the SHACL shapes, the SPARQL
quality checks, the query library and the data schema. Nothing here is a project's data.

In a wheel, `ontology/` and `queries/` are copied into the package (pyproject's force-include), so they are read with
importlib.resources. In an editable install of a checkout they are the checkout's own top-level folders, the one
edited copy.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path


@cache
def toolkit_dir(name: str) -> Path:
    """A folder of toolkit files ('ontology' or 'queries'): inside the installed package, else beside src/ in a
    checkout installed in editable mode."""
    packaged = Path(str(resources.files("lutonkg").joinpath(name)))
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"the lutonkg package is incomplete: its {name}/ folder is missing; reinstall it")


def ontology_dir() -> Path:
    """The ontology folder: lutonkg.ttl, imports/, shapes.ttl and checks/."""
    return toolkit_dir("ontology")


def file_version(path: Path) -> tuple[str, int, int]:
    """What tells one version of a toolkit file from another: its path, modification time and size (the key of what
    a long-lived process parses once, e.g. `lutonkg build --watch`)."""
    found = path.stat()
    return str(path), found.st_mtime_ns, found.st_size


def ontology_sources() -> list[Path]:
    """The Turtle files that make the ontology graph: the edited ontology and its import modules."""
    folder = ontology_dir()
    return [folder / "lutonkg.ttl", *sorted((folder / "imports").glob("*.ttl"))]


def shapes_file() -> Path:
    """The SHACL shapes."""
    return ontology_dir() / "shapes.ttl"


def checks_dir() -> Path:
    """The SPARQL quality checks (*-violation.rq)."""
    return ontology_dir() / "checks"


def queries_dir() -> Path:
    """The competency-question library (*.rq)."""
    return toolkit_dir("queries")


def schema_text() -> str:
    """The data schema (JSON Schema in YAML) of the curated data files."""
    return resources.files("lutonkg.data").joinpath("schema.yaml").read_text(encoding="utf-8")
