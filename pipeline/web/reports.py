"""The work behind each button, run in a worker thread: the upload written into a private temporary folder, the
pipeline run on it, and what the page shows or sends read back into memory before the folder is removed.

Each call makes its own BuildSession (a build is about a second; preparing the renderer afresh is a small part of
it), so no two requests share anything but the template files they read.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import GenreportError, WorkbookInvalid
from ..findings.codes import Severity
from ..findings.collector import Finding
from ..findings.report import sheet_order
from .page import Row
from .uploads import Upload

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"  # the blank form, rollover
TEMP_PREFIX = "genreport-web-"


class NotBuilt(Exception):
    """Raised when no report came out of a workbook: its blocking findings, or the error that stopped it."""

    def __init__(self, message: str, rows: Sequence[Row], status: int) -> None:
        super().__init__(message)
        self.message = message
        self.rows = list(rows)
        self.status = status

    def __reduce__(self) -> tuple[Any, ...]:  # raised in the job's process, raised again in the server's
        return (NotBuilt, (self.message, self.rows, self.status))


@dataclass(frozen=True)
class Checked:
    rows: list[Row]
    preview: str | None  # the report as self-contained HTML; None where it could not be built
    problem: str | None  # why there is no preview


def template_names() -> list[str]:
    """The templates the page offers; a posted template must be one of these names, never a path."""
    from ..template.profile import list_templates

    return [entry.name for entry in list_templates()]


def check(upload: Upload, template: str | None) -> Checked:
    """Findings of the workbook and, when it has no error, its report as HTML for the preview."""
    with tempfile.TemporaryDirectory(prefix=TEMP_PREFIX) as folder:
        outcome = _Build(Path(folder), upload, template, "html")
        if outcome.error is not None:
            return Checked(outcome.rows, None, outcome.error.message)
        return Checked(outcome.rows, outcome.files[0].read_text(encoding="utf-8"), None)


def report(upload: Upload, template: str | None, fmt: str) -> bytes:
    """The report in one format; NotBuilt when the workbook has errors or the format could not be made."""
    with tempfile.TemporaryDirectory(prefix=TEMP_PREFIX) as folder:
        outcome = _Build(Path(folder), upload, template, fmt)
        if outcome.error is not None:
            raise outcome.error
        return outcome.files[-1].read_bytes()


class _Build:
    """One build of an upload inside ``folder``: its findings as table rows, the files written, or why not."""

    def __init__(self, folder: Path, upload: Upload, template: str | None, fmt: str) -> None:
        from ..render.pdf import OfficeNotFound
        from ..session import BuildSession, finish_batches
        from ..template.profile import resolve_profile, template_named

        source = folder / "in" / upload.name  # the reports are named after it: 2022.xlsx → 2022.docx
        source.parent.mkdir()
        source.write_bytes(upload.data)
        self.files: list[Path] = []
        self.error: NotBuilt | None = None
        try:
            # a name among the offered templates, never a folder the server happens to have in its working folder
            profile = resolve_profile(template_named(template).folder) if template else None
            session = BuildSession(profile, folder / "out", formats=(fmt,))
            result = session.run(source)
            if session.batches and result.error is None:
                stopped = finish_batches(session, [result])
                if stopped is not None:
                    result.error = stopped
        except GenreportError as e:  # the template chosen could not be read
            self.rows: list[Row] = []
            self.error = NotBuilt(f"无法生成报告：{e}", [], 422)
            return
        self.rows = rows_of(result.findings, str(folder))
        if result.error is None:
            self.files = result.outputs
        elif isinstance(result.error, WorkbookInvalid):
            count = len(result.error.findings)
            message = f"“{upload.name}”有 {count} 处错误，未生成报告：请按上表改正后重新上传。"
            self.error = NotBuilt(message, self.rows, 422)
        elif isinstance(result.error, OfficeNotFound):
            self.error = NotBuilt(f"{result.error}。请改为下载 Word 版本。", self.rows, 503)
        else:
            self.error = NotBuilt(f"未生成报告：{_scrub(str(result.error), str(folder))}", self.rows, 422)


def rows_of(findings: Sequence[Finding], folder: str) -> list[Row]:
    """The table rows in the order ``genreport validate`` lists them: the file's own, then sheet by sheet."""
    ordered = sorted(findings, key=sheet_order)
    return [
        Row(
            severity="error" if f.severity is Severity.ERROR else "warning",
            level="错误" if f.severity is Severity.ERROR else "警告",
            sheet=f.sheet,
            cell=f.cell,
            message=_scrub(f.message, folder),
            code=f.code,
        )
        for f in ordered
    ]


def _scrub(text: str, folder: str) -> str:
    """A message naming the private folder names only the file the user uploaded."""
    for prefix in (folder + "/in/", folder + "/out/", folder):
        text = text.replace(prefix, "")
    return text


def blank_form(template: str | None, year: int) -> bytes:
    """The blank standard workbook of a template, as ``genreport init -t TEMPLATE`` writes it."""
    from ..template.layout import STANDARD
    from ..template.profile import DEFAULT_NAME, resolve_profile, template_named
    from ..workbook.blank_form import create_workbook, openpyxl_temp_in

    profile = resolve_profile(template_named(template).folder, need_document=False) if template else None
    layout = profile.layout if profile else STANDARD
    named = template if template and template != DEFAULT_NAME else None
    buffer = io.BytesIO()
    # openpyxl's temporary sheets in a private folder of this request, removed even if the save fails
    with tempfile.TemporaryDirectory(prefix=TEMP_PREFIX) as folder, openpyxl_temp_in(Path(folder)):
        create_workbook(year, layout, named).save(buffer)
    return buffer.getvalue()
