"""An upload's check, kept: each workbook checked and built in a job of its own (``reports.check``, once), its
reports written into the upload's entry of the store; for several workbooks, the 汇总 and a zip of the reports; the
PDF of a report made from its kept .docx when first asked for. Blocking: run in a worker thread, or in a thread of
its own while the page polls (``wait``).

Files are kept under keys ``N/NAME`` (the N-th workbook's reports, each in a folder of its own) and ``all/NAME`` (the
upload's), so that no workbook's file can take the place of another's or of the 汇总.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..render.formats import FORMATS
from . import reports
from .jobs import JobFailed
from .page import Item, Kept, Link
from .store import Entry, Making, Store
from .uploads import Upload

ZIP_NAME = "全部报告.zip"
BATCH = "all"
MAKING_AT_ONCE = 8  # PDFs waiting or being made, server-wide: more get “服务器繁忙”

# (upload's name, function, args, expected exceptions, failed) → the job's value; raises JobFailed (jobs.run under
# the server's limit of jobs at once)
Job = Callable[..., Any]


@dataclass
class Workbook:
    """One workbook of the upload: what its check found, or the job's failure."""

    name: str
    checked: reports.Checked | None
    failure: JobFailed | None = None


@dataclass
class Outcome:
    workbooks: list[Workbook]
    template: str | None  # as chosen on the page, by its display name
    batch: list[str] = field(default_factory=list)  # keys of the upload's own files (汇总, zip)
    problem: str | None = None  # why there is no 汇总


class Busy(Exception):
    """Raised when too many files are being made at once."""


def check_all(
    store: Store, entry: Entry, uploads: list[Upload], template: str | None, label: str | None, job: Job
) -> Outcome:
    """Check (and build) each workbook in turn with ``template`` (shown as ``label``), keep what was made, and mark
    the entry done whatever happens."""
    workbooks: list[Workbook] = []
    entry.progress = (0, len(uploads))
    try:
        for n, upload in enumerate(uploads, 1):
            folder = entry.folder / str(n)
            try:
                args = (upload, template, str(folder), len(uploads) > 1)
                checked = job(upload.name, reports.check, args, failed=_no_preview)
            except JobFailed as e:
                workbooks.append(Workbook(upload.name, None, e))
            else:
                if checked.stopped is not None:  # its budget answered before the job's hard limit: the same refusal
                    workbooks.append(Workbook(upload.name, None, JobFailed(422, f"“{upload.name}”：{checked.stopped}")))
                else:
                    workbooks.append(Workbook(upload.name, checked))
                    entry.files.update({f"{n}/{name}": folder / name for name in checked.files})
            entry.progress = (n, len(uploads))
        outcome = Outcome(workbooks, label)
        if len(uploads) > 1:
            outcome.batch, outcome.problem = _write_batch(entry, workbooks, job)
        entry.outcome = outcome
        return outcome
    finally:
        store.settle(entry)
        entry.done.set()


def _no_preview(checked: reports.Checked) -> bool:
    return checked.preview is None


def _write_batch(entry: Entry, workbooks: list[Workbook], job: Job) -> tuple[list[str], str | None]:
    """The upload's 汇总 (汇总.xlsx and its note, in a job of its own: the note is a rendered Word template) and
    the zip of every report made; their keys, and why there is no 汇总 if there is none."""
    folder = entry.folder / BATCH
    folder.mkdir(exist_ok=True)
    rows = [_row(w) for w in workbooks]
    keys, problem = [], None
    try:
        names = job("汇总", reports.summarize, (rows, str(folder)), expected=(reports.NotBuilt,))
    except (reports.NotBuilt, JobFailed) as e:
        problem = e.message
    else:
        for name in names:
            keys.append(f"{BATCH}/{name}")
            entry.files[keys[-1]] = folder / name
    made = [path for path in entry.files.values() if path.suffix == ".docx" and path.parent != folder]
    if made:
        target = folder / ZIP_NAME
        partial = target.with_name(f".{ZIP_NAME}.{os.getpid()}.tmp")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in made:
                archive.write(path, path.name)
        partial.replace(target)
        keys.append(f"{BATCH}/{ZIP_NAME}")
        entry.files[keys[-1]] = target
    return keys, problem


def _row(workbook: Workbook) -> Any:
    if workbook.checked is not None and workbook.checked.row is not None:
        return workbook.checked.row
    return reports.unbuilt_row(workbook.name, workbook.failure.message if workbook.failure else "")


# --- a file made on its first request ----------------------------------------------------------------------------

_making_lock = threading.Lock()
_making_now = [0]


def pdf_key(docx_key: str) -> str:
    return docx_key.rsplit(".", 1)[0] + ".pdf"


def start_pdf(store: Store, entry: Entry, key: str, job: Job) -> Making | None:
    """The making of ``key`` (N/NAME.pdf), started in a thread of its own unless it already was; None when the
    upload has no report to make it from. Busy when too many are being made at once."""
    docx = entry.files.get(key[: -len(".pdf")] + ".docx") if key.endswith(".pdf") else None
    if docx is None:
        return None
    with _making_lock:
        making = entry.making.get(key)
        if making is not None:
            return making
        if _making_now[0] >= MAKING_AT_ONCE:
            raise Busy
        _making_now[0] += 1
        making = entry.making[key] = Making()
    threading.Thread(target=_make_pdf, args=(store, entry, key, docx, making, job), daemon=True).start()
    return making


def _make_pdf(store: Store, entry: Entry, key: str, docx: Path, making: Making, job: Job) -> None:
    try:
        name = job(docx.name, reports.make_pdf, (str(docx),), expected=(reports.NotBuilt,))
        entry.files[key] = docx.parent / name
    except reports.NotBuilt as e:
        making.error = e.message
    except JobFailed as e:
        making.error = e.message
    except Exception:  # a bug: the page says so instead of waiting for ever
        making.error = "处理时出现程序错误，请把所做的操作告诉管理员。"
        raise
    finally:
        with _making_lock:
            _making_now[0] -= 1
        store.settle(entry)
        making.ready.set()


# --- what the page shows -----------------------------------------------------------------------------------------


def items(entry: Entry, outcome: Outcome, root: str) -> list[Item]:
    """Each workbook with its findings and its downloads (every format of its one build; the PDF opening in the
    page's progress frame, since it is made on the first click)."""
    shown = []
    for n, workbook in enumerate(outcome.workbooks, 1):
        if workbook.checked is None:
            problem = workbook.failure.message if workbook.failure else None
            shown.append(Item(workbook.name, [], None, problem))
            continue
        checked = workbook.checked
        shown.append(Item(workbook.name, checked.rows, checked.preview, checked.problem, _links(entry, n, root)))
    return shown


def _links(entry: Entry, n: int, root: str) -> list[Link]:
    keys = list(entry.files)  # a snapshot: a PDF's thread may add to it meanwhile
    docx_key = next((k for k in keys if k.startswith(f"{n}/") and k.endswith(".docx")), None)
    if docx_key is None:
        return []
    stem = docx_key[: -len(".docx")]
    links = []
    for fmt in FORMATS.values():
        key = stem + fmt.extension
        if fmt.name == "pdf":
            links.append(Link(fmt.menu, f"{root}making/{entry.token}/{key}", target="fetch"))
        elif key in keys:
            links.append(Link(fmt.menu, f"{root}files/{entry.token}/{key}"))
    return links


def kept(store: Store, entry: Entry, outcome: Outcome, root: str) -> Kept:
    """What the page states: the minute by which the files are surely deleted (rounded up, never before), and the
    upload's own downloads."""
    gone = dt.datetime.fromtimestamp(store.deleted_by(entry))
    if gone.second or gone.microsecond:
        gone = gone.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    labels = {ZIP_NAME: "全部报告（zip）", "汇总.xlsx": "汇总表（汇总.xlsx）", "汇总说明.docx": "汇总说明（Word）"}
    batch = [Link(labels.get(key.split("/", 1)[1], key.split("/", 1)[1]), f"{root}files/{entry.token}/{key}")
             for key in outcome.batch]  # fmt: skip
    return Kept(gone.strftime("%H:%M"), round(store.keep_seconds / 60), batch)
