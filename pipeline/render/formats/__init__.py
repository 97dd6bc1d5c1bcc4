"""The formats a report is written in, all made from the one rendered Word document. Each format is one module here
declaring itself (``base.OutputFormat``); ``FORMATS`` is the registry that ``build --format``, its help, the batch
and the web page's download menu read. Adding a format is a module and a line below."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ...errors import UsageError
from . import docx, html, markdown, pdf
from .base import Batch, OutputFormat

FORMATS: dict[str, OutputFormat] = {f.name: f for f in (docx.FORMAT, pdf.FORMAT, html.FORMAT, markdown.FORMAT)}
DOCX = docx.FORMAT

__all__ = ["DOCX", "FORMATS", "Batch", "OutputFormat", "converted", "formats_help", "parse_formats"]


def parse_formats(text: str) -> tuple[str, ...]:
    """ "docx,pdf" → ("docx", "pdf"), in the order given, each once; an unknown name is a usage error."""
    names = [name.strip().lower().lstrip(".") for name in text.replace("，", ",").split(",") if name.strip()]
    unknown = [name for name in names if name not in FORMATS]
    if unknown or not names:
        raise UsageError(f"--format 只能是 {','.join(FORMATS)} 中的一个或几个（用逗号分隔），实际为“{text}”")
    return tuple(dict.fromkeys(names))


def formats_help() -> str:
    """docx（Word）、pdf（经 LibreOffice 转换）、…: the formats as --help lists them."""
    return "、".join(f"{f.name}（{f.description}）" for f in FORMATS.values())


def converted(
    data: bytes, docx_path: Path, formats: Sequence[str], title: str, *, comments: bool = False
) -> list[tuple[Path, bytes]]:
    """The .docx (if asked) and every format made at once from it, each with the place it belongs, in memory: a
    worker process converts, the process that owns the output folder writes. Batched formats are not here.
    ``comments``: the .docx's review comments also in the formats made from it (HTML, Markdown), which otherwise
    leave them out."""
    files: list[tuple[Path, bytes]] = []
    for fmt in FORMATS.values():  # the registry's order: the .docx first, as result.output promises
        if fmt.name not in formats:
            continue
        if fmt is DOCX:
            files.append((docx_path, data))
        elif fmt.convert is not None:
            files.append((fmt.path_for(docx_path), fmt.convert(data, title, comments or fmt.reviewed)))
    return files
