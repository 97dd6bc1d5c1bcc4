"""The formats a report is written in, all from the one rendered Word document: docx, pdf, html, md.

HTML and Markdown are converted from the .docx bytes at once; PDFs wait until every report of a build is rendered,
so that LibreOffice starts once for all of them (:func:`PdfQueue.convert`). Where the .docx itself was not asked for,
the PDF is made from a copy in a private temporary folder, and only the PDF lands in the output folder.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ..errors import GenreportError, UsageError
from ..outfile import atomic_write

FORMATS = ("docx", "pdf", "html", "md")


def parse_formats(text: str) -> tuple[str, ...]:
    """ "docx,pdf" → ("docx", "pdf"), in the order given, each once; an unknown name is a usage error."""
    names = [name.strip().lower().lstrip(".") for name in text.replace("，", ",").split(",") if name.strip()]
    unknown = [name for name in names if name not in FORMATS]
    if unknown or not names:
        raise UsageError(f"--format 只能是 {','.join(FORMATS)} 中的一个或几个（用逗号分隔），实际为“{text}”")
    return tuple(dict.fromkeys(names))


def converted(data: bytes, docx_path: Path, formats: Sequence[str], title: str) -> list[tuple[Path, bytes]]:
    """The .docx (if asked) and its HTML and Markdown, each with the place it belongs, in memory: a worker process
    converts, the process that owns the output folder writes."""
    files: list[tuple[Path, bytes]] = []
    if "docx" in formats:
        files.append((docx_path, data))
    if "html" in formats:
        from .html import docx_to_html

        files.append((docx_path.with_suffix(".html"), docx_to_html(data, title).encode("utf-8")))
    if "md" in formats:
        from .markdown import docx_to_markdown

        files.append((docx_path.with_suffix(".md"), docx_to_markdown(data).encode("utf-8")))
    return files


class PdfQueue:
    """Reports waiting for their PDF: converted together when the build has rendered them all."""

    def __init__(self) -> None:
        self._pending: dict[Path, Path] = {}  # the .docx LibreOffice reads → where its PDF belongs
        self._staging: Path | None = None

    def add(self, data: bytes, docx_path: Path, docx_written: bool) -> None:
        source = docx_path
        if not docx_written:
            if self._staging is None:
                self._staging = Path(tempfile.mkdtemp(prefix="genreport-pdf-"))
            folder = self._staging / str(len(self._pending))  # two inputs may share a stem in other folders
            folder.mkdir()
            source = folder / docx_path.name
            source.write_bytes(data)
        self._pending[source] = docx_path.with_suffix(".pdf")

    def convert(self, timeout: float | None = None, workers: int = 1) -> dict[Path, Path | GenreportError]:
        """Every PDF, by the place it was meant for: the file written, or the error that stopped it. Raises
        OfficeNotFound (once, for all) where LibreOffice is not installed. ``workers`` LibreOffice processes share
        the documents."""
        from .pdf import DEFAULT_TIMEOUT, convert_to_pdf

        if not self._pending:
            return {}
        try:
            converted = convert_to_pdf(list(self._pending), timeout or DEFAULT_TIMEOUT, workers=workers)
            out: dict[Path, Path | GenreportError] = {}
            for source, target in self._pending.items():
                result = converted.get(source)
                if isinstance(result, Path) and result != target:  # made in the private staging folder
                    atomic_write(target, result.read_bytes())
                    result = target
                out[target] = result if result is not None else GenreportError(f"{target.name}：未生成 PDF")
            return out
        finally:
            self.discard()

    def discard(self) -> None:
        """Forget the reports waiting and remove their private copies (a build that was interrupted)."""
        self._pending.clear()
        if self._staging is not None:
            shutil.rmtree(self._staging, ignore_errors=True)
            self._staging = None
