"""The Word document itself: what the template renders, and what every other format is made from."""

from __future__ import annotations

from .base import OutputFormat

FORMAT = OutputFormat(
    name="docx",
    extension=".docx",
    description="Word",
    menu="Word（.docx）",
    media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    reviewed=True,
)
