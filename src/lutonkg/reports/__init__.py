"""Briefings for review papers: a body, duty, recommendation or theme written up in plain English, every fact with a
numbered note (document, locator, anchor phrase) and the documents' full references, as Markdown, HTML or Word.

>>> from lutonkg.reports import briefing, render
>>> doc = briefing("lscb")                                 # the current project's built graph
>>> text = render(doc, "md")                               # or "html"; write(doc, path) for files and .docx
>>> review = briefing(theme="safeguarding")                # a thematic review across 2000-2020
"""

from lutonkg.reports.build import ReportError, briefing
from lutonkg.reports.context import Period, ReportGraph
from lutonkg.reports.model import Briefing

__all__ = ["Briefing", "Period", "ReportError", "ReportGraph", "briefing"]
