"""A project: a folder holding one authority's curated data (`graph/data/`), its built graph (`graph/`) and an
optional `lutonkg.toml`. Every command works on one project, found from `--project`, `$LUTONKG_PROJECT` or the
current folder and its parents; nothing is derived from where the package is installed.

`lutonkg.toml` (every setting optional):

    [project]
    title = "Luton education and children's services"
    authority = "luton-borough-council"   # the body the documents are about (default for --param authority)
    sources = "../shared/sources"         # folder of the source texts, relative to the project (default: sources)
    output = "output"                     # where diagrams, exports, the site and reports go (default: output)

    [query-defaults]                      # per library query, values for parameters a command does not give
    inspection-grades = { inspection = "joint-area-review-2008" }
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

CONFIG_FILE = "lutonkg.toml"
PROJECT_ENV = "LUTONKG_PROJECT"
SOURCES_ENV = "LUTONKG_SOURCES"
SETTINGS = ("title", "authority", "sources", "output")


class ProjectError(Exception):
    """The project folder or its settings are unusable; the message is one line for the user."""


@dataclass(frozen=True)
class Project:
    """One project folder and its settings."""

    root: Path
    title: str = ""
    authority: str | None = None
    sources: str | None = None
    output: str = "output"
    query_defaults: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def data_dir(self) -> Path:
        """The curated YAML files."""
        return self.root / "graph" / "data"

    @property
    def graph_dir(self) -> Path:
        """Where the build writes the graph."""
        return self.root / "graph"

    @property
    def nquads(self) -> Path:
        """The built graph as N-Quads (what every query and analysis command reads)."""
        return self.graph_dir / "lutonkg.nq"

    @property
    def store_dir(self) -> Path:
        """Where the persistent query stores built from N-Quads files live (git-ignored; lutonkg.query.ondisk)."""
        return self.root / ".lutonkg-cache" / "stores"

    @property
    def output_dir(self) -> Path:
        """Where diagrams, exports, the site and reports are written by default."""
        return self.root / self.output

    def sources_dir(self, explicit: str | os.PathLike[str] | None = None) -> Path | None:
        """The source texts: --sources, else $LUTONKG_SOURCES, else the configured folder, else <project>/sources.

        A folder named explicitly (option or environment) that does not exist is an error, not silently ignored.
        """
        for given, what in ((explicit, "--sources"), (os.environ.get(SOURCES_ENV) or None, f"${SOURCES_ENV}")):
            if given:
                path = Path(given).expanduser()
                if not path.is_dir():
                    raise ProjectError(f"{what} names {path}, which is not a folder")
                return path
        configured = self.root / (self.sources or "sources")
        return configured if configured.is_dir() else None

    def display(self, path: Path) -> str:
        """A path as a person wants it in a message: relative to the current folder when inside it."""
        try:
            return str(path.resolve().relative_to(Path.cwd().resolve()))
        except (ValueError, OSError, RuntimeError):  # RuntimeError: a symbolic link loop (Python < 3.13)
            return str(path)


def _settings(root: Path) -> dict[str, object]:
    """The settings of lutonkg.toml ([project] and [query-defaults]), checked; {} when there is no file."""
    path = root / CONFIG_FILE
    if not path.is_file():
        return {}
    try:
        tree = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ProjectError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ProjectError(f"{path}: malformed TOML: {exc}") from None
    table = tree.get("project", {})
    defaults = tree.get("query-defaults", {})
    extra = sorted(set(tree) - {"project", "query-defaults"}) or sorted(set(table) - set(SETTINGS))
    if extra:
        raise ProjectError(f"{path}: unknown setting {extra[0]!r} (known: [project] {', '.join(SETTINGS)}; "
                           "[query-defaults])")  # fmt: skip
    for key, value in table.items():
        if not isinstance(value, str) or not value.strip():
            raise ProjectError(f"{path}: setting {key!r} must be non-empty text")
    for query, values in defaults.items():
        if not isinstance(values, dict) or not all(isinstance(v, str) and v.strip() for v in values.values()):
            raise ProjectError(f"{path}: [query-defaults] {query!r} must be a table of parameter = \"value\" "
                               f'(e.g. {query} = {{ inspection = "lea-inspection-2002" }})')  # fmt: skip
    return {**table, "query_defaults": dict(defaults)} if defaults else table


def is_project(folder: Path) -> bool:
    """Whether a folder looks like a project: it has lutonkg.toml or graph/data/."""
    return (folder / CONFIG_FILE).is_file() or (folder / "graph" / "data").is_dir()


def open_project(folder: str | os.PathLike[str]) -> Project:
    """The project in exactly this folder (which need not be built yet)."""
    try:
        root = Path(folder).expanduser().resolve()
    except (OSError, RuntimeError):  # RuntimeError: a symbolic link loop (Python < 3.13)
        raise ProjectError(f"project folder {folder} is a symbolic link that loops") from None
    if not root.is_dir():
        raise ProjectError(f"project folder {folder} not found")
    return Project(root, **_settings(root))


def find_project(explicit: str | os.PathLike[str] | None = None, start: Path | None = None) -> Project:
    """The project to work on: --project, else $LUTONKG_PROJECT, else the current folder or the nearest parent that
    is a project."""
    chosen = explicit or os.environ.get(PROJECT_ENV)
    if chosen:
        return open_project(chosen)
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if is_project(folder):
            return open_project(folder)
    raise ProjectError(
        f"no lutonkg project in {here} or its parents (a project folder holds graph/data/ or {CONFIG_FILE}); "
        "cd into one or pass --project DIR"
    )
