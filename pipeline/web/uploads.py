"""An uploaded workbook, read with a size limit and checked for what it claims to be before anything opens it.

The body is counted while it streams in, so an oversized upload is refused without being held; a refused body is
still drained (up to a bound) so that the browser sees the message instead of a reset connection. The file part stays
in memory (never spooled to a named file), and is written only into the request's private temporary folder.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import AsyncGenerator
from dataclasses import dataclass

from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import ClientDisconnect, Request

FORM_SLACK = 64 * 1024  # the form's other fields and multipart headers, beyond the file itself
DRAIN_FACTOR = 4  # a refused body is read (and dropped) up to this many times the limit, then the connection closes
ZIP_MAGIC = b"PK\x03\x04"  # .xlsx and .xlsm are zip packages
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
_UNSAFE = re.compile(r"[^\w\u4e00-\u9fff.()（）\-]+")


class UploadRejected(Exception):
    """Raised for an upload the page refuses; ``status`` is the HTTP status, the message is for the user."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Upload:
    """A workbook as uploaded: its safe base name and its bytes; ``fields`` are the form's other values."""

    name: str
    data: bytes
    fields: dict[str, str]


async def read_upload(request: Request, limit: int) -> Upload:
    """The one workbook of a multipart form under ``limit`` bytes, or UploadRejected saying what is wrong."""
    fields, file = await _read_form(request, limit)
    if file is None or not file.filename:
        raise UploadRejected(400, "没有收到文件：请先选择要上传的工作簿（.xlsx）再提交。")
    try:
        data = await file.read()
    finally:
        await file.close()
    name = safe_name(file.filename)
    check_workbook(name, data, limit)
    return Upload(name, data, fields)


async def read_fields(request: Request, limit: int) -> dict[str, str]:
    """The text fields of a form that carries no file."""
    fields, file = await _read_form(request, limit)
    if file is not None:
        await file.close()
    return fields


async def _read_form(request: Request, limit: int) -> tuple[dict[str, str], UploadFile | None]:
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise UploadRejected(400, "请求格式不对：请用本页的表单上传工作簿。")
    bound = limit + FORM_SLACK
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > bound:
        await _drain(request, bound * DRAIN_FACTOR)
        raise UploadRejected(413, too_big(limit))
    parser = MultiPartParser(request.headers, _limited(request, bound), max_files=1, max_fields=20)
    parser.spool_max_size = bound  # held in memory, never rolled over into a file outside the private folder
    try:
        form = await parser.parse()
    except _TooBig:
        await _drain(request, bound * DRAIN_FACTOR)
        raise UploadRejected(413, too_big(limit)) from None
    except (MultiPartException, ClientDisconnect):  # a client that left gets the answer no one reads, not a 500
        raise UploadRejected(400, "上传的表单不完整或格式不对，请重新选择文件后再提交。") from None
    fields: dict[str, str] = {}
    file: UploadFile | None = None
    for key, value in form.multi_items():
        if isinstance(value, UploadFile):
            file = value
        else:
            fields[key] = value
    return fields, file


class _TooBig(Exception):
    pass


async def _limited(request: Request, bound: int) -> AsyncGenerator[bytes, None]:
    total = 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > bound:
            raise _TooBig
        yield chunk


async def _drain(request: Request, bound: int) -> None:
    total = 0
    try:
        async for chunk in request.stream():
            total += len(chunk)
            if total > bound:
                return
    except Exception:  # noqa: BLE001 - the stream was partly consumed or the client left: nothing more to read
        return


def too_big(limit: int) -> str:
    return f"文件太大：上传的工作簿不能超过 {limit // (1024 * 1024)} MB。"


def safe_name(filename: str) -> str:
    """The base name of an uploaded file, whatever path the browser sent (``../x.xlsx``, ``C:\\x.xlsx``), with
    only letters, digits, Chinese characters and a few marks kept; refused when nothing usable is left."""
    base = re.split(r"[\\/]", unicodedata.normalize("NFC", filename))[-1].strip()
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = _UNSAFE.sub("_", stem).strip("._")[:80]
    suffix = _UNSAFE.sub("", suffix)[:8].lower()
    if not stem:
        raise UploadRejected(400, f"文件名“{filename[:60]}”无效：请上传名为“年度.xlsx”之类的工作簿。")
    return f"{stem}.{suffix}" if suffix else stem


def check_workbook(name: str, data: bytes, limit: int) -> None:
    """Refuse what is not an Excel 2007+ workbook: by its name first (the clearer message), then by its bytes."""
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    if suffix == ".xls":
        raise UploadRejected(
            415, f"“{name}”是旧版 Excel 97-2003 工作簿（.xls）：请在 Excel 或 WPS 中“另存为” .xlsx 后再上传。"
        )
    if suffix not in WORKBOOK_SUFFIXES:
        raise UploadRejected(415, f"“{name}”不是 Excel 工作簿：请上传 .xlsx 文件（可在 Excel 中“另存为” .xlsx）。")
    if not data:
        raise UploadRejected(400, f"“{name}”是空文件：请重新选择填好的工作簿。")
    if len(data) > limit:
        raise UploadRejected(413, too_big(limit))
    if not data.startswith(ZIP_MAGIC):
        raise UploadRejected(
            415,
            f"“{name}”的内容不是 Excel 工作簿（可能已损坏，或只是改了扩展名）：请在 Excel 中另存为 .xlsx 后再上传。",
        )
