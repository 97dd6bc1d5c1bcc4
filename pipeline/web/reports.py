"""The work behind each button, run in a worker thread: the upload written into a private temporary folder, the
pipeline run on it, and what the page shows or sends read back into memory before the folder is removed.

Each call makes its own BuildSession (a build is about a second; preparing the renderer afresh is a small part of
it), so no two requests share anything but the template files they read.
"""

from __future__ import annotations

import contextlib
import functools
import io
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..budget import BudgetExceeded
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


KEPT_FORMATS = ("docx", "html", "md")  # made by the check itself: one render, and html/md are cheap from its bytes


@dataclass(frozen=True)
class Checked:
    rows: list[Row]
    preview: str | None  # the report as self-contained HTML; None where it could not be built
    problem: str | None  # why there is no preview
    files: tuple[str, ...] = ()  # the reports written into the kept folder, by file name
    row: Any = None  # its row of the 汇总 (pipeline.summary.Row), when asked for
    stopped: str | None = None  # why the job's budget stopped it (memory, time): refused as the job's hard limits are


def template_names() -> list[str]:
    """The templates the page offers; a posted template must be one of these names, never a path."""
    from ..template.profile import list_templates

    return [entry.name for entry in list_templates()]


@dataclass(frozen=True)
class Choice:
    """A template as the menu shows it: its name (what the form posts), display name and description."""

    name: str
    label: str
    description: str


def template_choices() -> list[Choice]:
    """The offered templates by display name (template.toml [template] name, else the folder's name); two that
    share a display name are told apart by their folder's."""
    from ..template.profile import list_templates

    choices = [_choice(entry.name, entry.folder) for entry in list_templates()]
    labels = Counter(c.label for c in choices)
    return [replace(c, label=f"{c.label}（{c.name}）") if labels[c.label] > 1 else c for c in choices]


def template_label(name: str | None) -> str | None:
    """The display name of an offered template (None: none was chosen)."""
    if name is None:
        return None
    return next((c.label for c in template_choices() if c.name == name), name)


def _choice(name: str, folder: Path) -> Choice:
    settings = folder / "template.toml"
    try:
        stamp = settings.stat().st_mtime_ns
    except OSError:
        stamp = 0
    return _described(name, str(folder), stamp)


@functools.lru_cache(maxsize=64)
def _described(name: str, folder: str, stamp: int) -> Choice:
    """Read once per version of the template's template.toml (``stamp``): the home page lists them on each visit."""
    from ..template.profile import resolve_profile

    try:
        settings = resolve_profile(Path(folder), need_document=False).settings
    except GenreportError:  # a template that cannot be read is still offered by name: choosing it says why
        return Choice(name, name, "")
    return Choice(name, _setting(settings, "template.name") or name, _setting(settings, "template.description"))


def _setting(settings: Any, key: str) -> str:
    """A text setting, "" where the template (or this genreport) has none."""
    try:
        value = settings.get(key)
    except KeyError:
        return ""
    return str(value).strip() if value else ""


def check(upload: Upload, template: str | None, keep: str | None = None, summarize: bool = False) -> Checked:
    """Findings of the workbook and, when it has no error, its report as HTML for the preview; with ``keep`` (a
    folder of the server's store) the report is also written there as docx, html and md, so that every download
    of this upload is served from this one build (the PDF is made from the kept .docx when first asked for).
    ``summarize``: with its row of the 汇总 (one of several workbooks uploaded together)."""
    with tempfile.TemporaryDirectory(prefix=TEMP_PREFIX) as folder, _forgetting():
        formats = KEPT_FORMATS if keep else ("html",)
        outcome = _Build(Path(folder), upload, template, formats, Path(keep) if keep else None)
        row = outcome.summary_row(upload.name) if summarize else None
        if outcome.error is not None:
            error = outcome.result.error if outcome.result is not None else None
            stopped = error.message if isinstance(error, BudgetExceeded) else None
            return Checked(outcome.rows, None, outcome.error.message, (), row, stopped)
        html = next(f for f in outcome.files if f.suffix == ".html")
        made = tuple(f.name for f in outcome.files)
        return Checked(outcome.rows, html.read_text(encoding="utf-8"), None, made, row)


def unbuilt_row(name: str, message: str) -> Any:
    """The 汇总 row of a workbook whose job gave no row (stopped at its limits, or a template that cannot be read)."""
    from ..summary import Row
    from ..summary.rows import NOT_BUILT

    return Row(
        file=name, unit="", year=None, template="", status=NOT_BUILT, errors=0, warnings=0, first_error=message,
        score=None, grade=None, adjusted=None, actual=None,
    )  # fmt: skip


def summarize(rows: list[Any], out: str) -> list[str]:
    """汇总.xlsx and 汇总说明.docx of an upload's workbooks into ``out``: their file names."""
    from ..summary import Overview, write_summary

    try:
        return [p.name for p in write_summary(Overview(tuple(rows)), Path(out))]
    except GenreportError as e:
        raise NotBuilt(f"未生成汇总：{_scrub(str(e), out)}", [], 422) from None


def make_pdf(docx: str) -> str:
    """The PDF of a kept report, made beside its .docx by LibreOffice (in the job's process: its time limit kills
    LibreOffice too); its file name, or NotBuilt saying why not."""
    from ..errors import GenreportError
    from ..render.pdf import OfficeNotFound, convert_to_pdf

    source = Path(docx)
    try:
        made = convert_to_pdf([source])[source]
    except OfficeNotFound as e:
        raise NotBuilt(f"{e}。请改为下载 Word 版本。", [], 503) from None
    if isinstance(made, GenreportError):
        raise NotBuilt(f"未生成 PDF：{_scrub(str(made), str(source.parent))}", [], 422)
    return made.name


def report(upload: Upload, template: str | None, fmt: str) -> bytes:
    """The report in one format; NotBuilt when the workbook has errors or the format could not be made."""
    with tempfile.TemporaryDirectory(prefix=TEMP_PREFIX) as folder, _forgetting():
        outcome = _Build(Path(folder), upload, template, (fmt,))
        if outcome.error is not None:
            raise outcome.error
        return outcome.files[-1].read_bytes()


@contextlib.contextmanager
def _forgetting() -> Iterator[None]:
    """Nothing of the upload's report kept in the process once its build is done: the job's process may run
    another user's upload next (web.jobs reuses it)."""
    try:
        yield
    finally:
        from ..render.docx_walk import forget_documents

        forget_documents()


class _Build:
    """One build of an upload inside ``folder``: its findings as table rows, the files written, or why not."""

    def __init__(
        self, folder: Path, upload: Upload, template: str | None, formats: tuple[str, ...], out: Path | None = None
    ) -> None:
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
            session = BuildSession(profile, out or folder / "out", formats=formats)
            result = session.run(source)
            if session.batches and result.error is None:
                stopped = finish_batches(session, [result])
                if stopped is not None:
                    result.error = stopped
        except GenreportError as e:  # the template chosen could not be read
            self.rows: list[Row] = []
            self.error = NotBuilt(f"无法生成报告：{e}", [], 422)
            self.result = None
            return
        self.result, self.profile, self.folders = result, profile, (str(folder), str(out or ""))
        self.rows = rows_of(result.findings, str(folder), str(out or ""))
        if result.error is None:
            self.files = result.outputs
        elif isinstance(result.error, WorkbookInvalid):
            count = len(result.error.findings)
            message = f"“{upload.name}”有 {count} 处错误，未生成报告：请按上表改正后重新上传。"
            self.error = NotBuilt(message, self.rows, 422)
        elif isinstance(result.error, OfficeNotFound):
            self.error = NotBuilt(f"{result.error}。请改为下载 Word 版本。", self.rows, 503)
        else:
            shown = _scrub(str(result.error), str(folder), str(out or ""))
            self.error = NotBuilt(f"未生成报告：{shown}", self.rows, 422)

    def summary_row(self, name: str) -> Any:
        """The 汇总 row of this build, naming the file as uploaded, never the private folders."""
        from ..summary import overview

        if self.result is None:
            return unbuilt_row(name, self.error.message if self.error else "")
        row = overview([self.result], profile=self.profile).rows[0]
        findings = tuple(replace(f, file=name, message=_scrub(f.message, *self.folders)) for f in row.findings)
        return replace(row, file=name, first_error=_scrub(row.first_error, *self.folders), findings=findings)


def rows_of(findings: Sequence[Finding], folder: str, out: str = "") -> list[Row]:
    """The table rows in the order ``genreport validate`` lists them: the file's own, then sheet by sheet."""
    ordered = sorted(findings, key=sheet_order)
    return [
        Row(
            severity="error" if f.severity is Severity.ERROR else "warning",
            level="错误" if f.severity is Severity.ERROR else "警告",
            sheet=f.sheet,
            cell=f.cell,
            message=_scrub(f.message, folder, out),
            code=f.code,
        )
        for f in ordered
    ]


def _scrub(text: str, *folders: str) -> str:
    """A message naming a private folder (the job's, the kept one) names only the file the user uploaded."""
    for folder in filter(None, folders):
        for prefix in (folder + "/in/", folder + "/out/", folder + "/", folder):
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
