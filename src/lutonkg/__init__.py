"""lutonkg: build, check and question a knowledge graph of who is responsible for what in a local authority's
education and children's services, from curated data with a citation for every fact."""

from __future__ import annotations

from importlib import metadata

try:
    __version__ = metadata.version("lutonkg")
except metadata.PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
