"""Assisted curation of new documents: a document's structure, candidate facts with locators, anchors and selectors,
and merging the ones a curator accepts (stage: after data and rdf; deterministic and model-free)."""
