"""What an output format declares: its name and extension, what it needs installed, and how it is made from the
rendered Word document — at once, in memory (``convert``), or together with the build's other reports
(``batch``: PDF, so that LibreOffice starts once for a whole build)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ...errors import GenreportError


class Batch(Protocol):
    """Reports waiting for a batched format, made together when the build has rendered them all."""

    def add(self, data: bytes, docx_path: Path, docx_written: bool) -> None:
        """Queue the report rendered as ``data``, whose .docx belongs at ``docx_path`` (already written there, or
        not asked for)."""

    def convert(self, workers: int = 1) -> Mapping[Path, Path | GenreportError]:
        """Every queued report's file, by the place it was meant for: the file written, or the error that stopped
        it. Raises GenreportError (once, for all) when none can be made, e.g. a program not installed."""

    def discard(self) -> None:
        """Forget what waits (an interrupted build) and remove private copies."""


@dataclass(frozen=True)
class OutputFormat:
    name: str  # as --format and the web page's menu take it
    extension: str
    description: str  # for --help: what the file is
    menu: str  # the web page's download choice
    media_type: str
    requires: str = ""  # what must be installed besides genreport, in words ("" for nothing)
    # (.docx bytes, title, with its review comments) → this format's bytes
    convert: Callable[[bytes, str, bool], bytes] | None = None
    batch: Callable[[], Batch] | None = None  # made after the build's reports, all together
    # the review comments (批注) are written where the .docx has them: the copy a reviewer opens. Every other
    # format is what a department submits or publishes, clean unless asked (build --comments)
    reviewed: bool = False

    def path_for(self, docx_path: Path) -> Path:
        return docx_path.with_suffix(self.extension)
