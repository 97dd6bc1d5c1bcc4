"""Markdown: headings as #, tables as pipe tables."""

from __future__ import annotations

from .base import OutputFormat


def _convert(data: bytes, title: str, comments: bool) -> bytes:
    from ..markdown import docx_to_markdown

    return docx_to_markdown(data, comments=comments).encode("utf-8")


FORMAT = OutputFormat(
    name="md",
    extension=".md",
    description="Markdown",
    menu="Markdown（.md）",
    media_type="text/markdown; charset=utf-8",
    convert=_convert,
)
