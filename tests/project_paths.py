"""Where the tests find the Luton project: the checkout they belong to (its data, its built graph, its queries)."""

from __future__ import annotations

from pathlib import Path

from lutonkg.project import open_project
from lutonkg.resources import queries_dir

REPO_ROOT = Path(__file__).resolve().parents[1]
PROJECT = open_project(REPO_ROOT)
DATA_DIR = PROJECT.data_dir
GRAPH_DIR = PROJECT.graph_dir
NQUADS = PROJECT.nquads
QUERIES_DIR = queries_dir()
