"""Questions to the built graph: the query library, parameters, the embedded engines and the SPARQL server.

>>> from lutonkg.query import run
>>> rows = run("inspection-grades")                      # a library query, its default parameters
>>> rows = run("recommendations-to-body", {"body": "luton-lea"})
"""

from lutonkg.query.runner import (
    DEFAULT_TIMEOUT,
    EngineCrash,
    OxigraphEngine,
    Prepared,
    QueryError,
    QueryLimitError,
    QueryMemoryError,
    QueryRefused,
    QueryTimeout,
    RdflibEngine,
    execute,
    load_rdflib,
    open_engine,
    prepare,
    run,
    run_full,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "EngineCrash",
    "OxigraphEngine",
    "Prepared",
    "QueryError",
    "QueryLimitError",
    "QueryMemoryError",
    "QueryRefused",
    "QueryTimeout",
    "RdflibEngine",
    "execute",
    "load_rdflib",
    "open_engine",
    "prepare",
    "run",
    "run_full",
]
