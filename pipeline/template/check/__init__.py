"""``genreport template check`` and build's own check of a template: a linter for docxtpl report templates.

``check_document`` returns every ``Problem`` of a Word template: fields, filters and tests the context does not
provide (with the closest valid name), tags that do not close (at the tag that opens the block), tags typed
with a Chinese input method, and text that a ``{%p %}``/``{%tr %}``/``{%tc %}`` tag would delete. Each says
where it is as the author finds it in Word (paragraph, table cell, header) and what to do, in Chinese.
"""

from __future__ import annotations

from .problems import ERROR, WARNING, Problem, TemplateInvalid
from .run import check_document

__all__ = ["ERROR", "WARNING", "Problem", "TemplateInvalid", "check_document"]
