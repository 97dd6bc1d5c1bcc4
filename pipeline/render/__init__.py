"""Rendering: one shared Jinja environment and its filters, and one renderer per output format.

``environment`` builds the sandboxed, autoescaping environment every format shares; ``docx`` renders the
Word template. Other formats (HTML, Markdown, PDF) and charts sit beside them as sibling modules.
"""

from __future__ import annotations

from ..template.number_style import RenderOptions

__all__ = ["RenderOptions"]
