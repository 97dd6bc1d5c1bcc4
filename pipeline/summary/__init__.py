"""The bureau's overview of a batch: 汇总.xlsx (one row per workbook, every finding) and 汇总说明.docx (the note).

Public API, used by ``genreport summary``, ``build --summary``, ``validate --summary`` and the web page::

    from pipeline.summary import overview, write_summary
    paths = write_summary(overview(results), out_dir)   # [out_dir/汇总.xlsx, out_dir/汇总说明.docx]

``results`` are ``Inspection`` (read and checked) or ``BuildResult`` (built) in input order; nothing here prints.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..outfile import atomic_write
from .note import note_template, render_note
from .rows import DEFAULT_THRESHOLD, Overview, Row, overview
from .workbook import write_workbook

BOOK_NAME = "汇总.xlsx"
NOTE_NAME = "汇总说明.docx"

__all__ = [
    "BOOK_NAME",
    "DEFAULT_THRESHOLD",
    "NOTE_NAME",
    "Overview",
    "Row",
    "note_template",
    "overview",
    "write_summary",
]


def write_summary(
    overview: Overview, out_dir: Path, *, template: Path | None = None, today: dt.date | None = None
) -> list[Path]:
    """Write ``out_dir/汇总.xlsx`` and ``out_dir/汇总说明.docx``, each atomically; return their paths.

    ``template``: the note's Word template (default templates/summary/note.docx). The note is rendered before
    anything is written, so a template's mistake (TemplateProblem) leaves neither file behind; a file open in
    Excel, WPS or Word is refused (OutputError), never half-written.
    """
    note = render_note(overview, template, today=today)
    book, note_path = out_dir / BOOK_NAME, out_dir / NOTE_NAME
    write_workbook(overview, book)
    atomic_write(note_path, note)
    return [book, note_path]
