"""PDF: LibreOffice converts the rendered .docx. PDFs wait until every report of a build is rendered, so that
LibreOffice starts once for all of them (``PdfQueue.convert``); where the .docx itself was not asked for, the PDF is
made from a copy in a private temporary folder, and only the PDF lands in the output folder."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from ...errors import GenreportError
from ...outfile import atomic_write
from .base import OutputFormat


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

    def convert(self, workers: int = 1, timeout: float | None = None) -> dict[Path, Path | GenreportError]:
        """Every PDF, by the place it was meant for: the file written, or the error that stopped it. Raises
        OfficeNotFound (once, for all) where LibreOffice is not installed. ``workers`` LibreOffice processes share
        the documents."""
        from ..pdf import DEFAULT_TIMEOUT, convert_to_pdf

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


FORMAT = OutputFormat(
    name="pdf",
    extension=".pdf",
    description="经 LibreOffice 转换",
    menu="PDF",
    media_type="application/pdf",
    requires="LibreOffice",
    batch=PdfQueue,
)
