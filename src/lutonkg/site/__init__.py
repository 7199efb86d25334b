"""The review website: `lutonkg site` writes the graph as static pages (one per entity, one per source document,
overviews), with citations that open the source passage and source passages that list the facts drawn from them.

>>> from lutonkg.site import Settings, build_site
>>> report = build_site(Settings(graph=Path("graph/lutonkg.nq"), out=Path("output/site"), sources=Path("sources")))
"""

from lutonkg.site.build import DEFAULT_ENDPOINT, Report, Settings, SiteError, build_site

__all__ = ["DEFAULT_ENDPOINT", "Report", "Settings", "SiteError", "build_site"]
