"""Where the project's files live, in one place so that every module agrees."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
ONTOLOGY_DIR = REPO_ROOT / "ontology"
GRAPH_DIR = REPO_ROOT / "graph"
DATA_DIR = GRAPH_DIR / "data"
QUERIES_DIR = REPO_ROOT / "queries"
