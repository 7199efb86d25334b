"""Entities: every body, school, duty, Act, recommendation, judgement, inspection, document and concept of a built
graph, described for a reader (`describe`), found by name (`search`)."""
