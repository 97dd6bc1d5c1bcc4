"""One self-contained web page (styles and pictures inside) that prints on A4 with the GB/T 9704 margins."""

from __future__ import annotations

from .base import OutputFormat


def _convert(data: bytes, title: str, comments: bool) -> bytes:
    from ..html import docx_to_html  # lxml and the document reader load only when HTML is asked for

    return docx_to_html(data, title, comments=comments).encode("utf-8")


FORMAT = OutputFormat(
    name="html",
    extension=".html",
    description="单个网页文件",
    menu="网页（.html）",
    media_type="text/html; charset=utf-8",
    convert=_convert,
)
