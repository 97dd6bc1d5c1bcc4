"""An uploaded workbook, read with a size limit and checked for what it claims to be before anything opens it.

The body is counted while it streams in, so an oversized upload is refused without being held, and must arrive
within a deadline, so a body that trickles or stalls is cut off (408); a refused body is still drained (up to a
bound of bytes and time) so that the browser sees the message instead of a reset connection. The file part stays
in memory (never spooled to a named file), and is written only into the request's private temporary folder.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import AsyncGenerator
from dataclasses import dataclass

import anyio
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import ClientDisconnect, Request

from ..workbook.reader import READABLE_SUFFIXES

DEFAULT_SECONDS = 120.0  # the whole body must arrive within this: 20 MB at 170 kB/s
BROKEN_FORM = "上传的表单不完整或格式不对，请重新选择文件后再提交。"
FORM_SLACK = 64 * 1024  # the form's other fields and multipart headers, beyond the file itself
DRAIN_FACTOR = 4  # a refused body is read (and dropped) up to this many times the limit, then the connection closes
ZIP_MAGIC = b"PK\x03\x04"  # .xlsx, .xlsm and .ods are zip packages
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls
MAX_FILES = 50  # workbooks in one upload: a county's departments
WORKBOOK_SUFFIXES = READABLE_SUFFIXES
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


async def read_upload(request: Request, limit: int, seconds: float = DEFAULT_SECONDS) -> Upload:
    """The one workbook of a multipart form under ``limit`` bytes, read within ``seconds``, or UploadRejected
    saying what is wrong."""
    return (await read_uploads(request, limit, seconds, max_files=1))[0]


async def read_uploads(
    request: Request, limit: int, seconds: float = DEFAULT_SECONDS, max_files: int = MAX_FILES
) -> list[Upload]:
    """The workbooks of a multipart form (at most ``max_files``, under ``limit`` bytes together), read within
    ``seconds``, each with the form's other fields; two of the same name are told apart (2022.xlsx, 2022-2.xlsx).
    UploadRejected saying what is wrong with the first one that is."""
    fields, files = await _read_form(request, limit, seconds, max_files)
    uploads: list[Upload] = []
    taken: set[str] = set()
    try:
        for file in files:
            data = await file.read()
            name = _unique(safe_name(file.filename or ""), taken)
            check_workbook(name, data, limit)
            uploads.append(Upload(name, data, fields))
    finally:
        for file in files:
            await file.close()
    return uploads


def _unique(name: str, taken: set[str]) -> str:
    """``name``, or NAME-2.xlsx…: reports are named after the workbook's stem (2022.xlsx and 2022.xls would both
    give 2022.docx), and Windows keeps one file for names that differ in case."""
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    candidate, n = stem, 1
    while candidate.casefold() in taken:
        n += 1
        candidate = f"{stem}-{n}"
    taken.add(candidate.casefold())
    return f"{candidate}{dot}{suffix}"


def declared_size(request: Request) -> int | None:
    declared = request.headers.get("content-length", "")
    return int(declared) if declared.isdigit() and len(declared) < 20 else None


async def refuse(request: Request, status: int, message: str, seconds: float, limit: int) -> UploadRejected:
    """The refusal of a request whose body is still coming: the rest is read and dropped (up to a bound of bytes
    and time) so that the browser sees the message rather than a reset connection."""
    await _Body(request, 0).drain((limit + FORM_SLACK) * DRAIN_FACTOR, seconds)
    return UploadRejected(status, message)


async def _read_form(
    request: Request, limit: int, seconds: float, max_files: int
) -> tuple[dict[str, str], list[UploadFile]]:
    bound = limit + FORM_SLACK
    body = _Body(request, bound)
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        await body.drain(bound * DRAIN_FACTOR, seconds)
        raise UploadRejected(400, "请求格式不对：请用本页的表单上传工作簿。")
    declared = declared_size(request)
    if declared is not None and declared > bound:
        await body.drain(bound * DRAIN_FACTOR, seconds)
        raise UploadRejected(413, too_big(limit))
    parser = MultiPartParser(
        request.headers, body.chunks(), max_files=max_files, max_fields=20, max_part_size=FORM_SLACK
    )
    parser.spool_max_size = bound  # held in memory, never rolled over into a file outside the private folder
    try:
        with anyio.fail_after(seconds):
            form = await parser.parse()
    except TimeoutError:  # a body that trickles or stalls: answered, and the connection closed
        raise UploadRejected(408, too_slow(seconds)) from None
    except _TooBig:
        await body.drain(bound * DRAIN_FACTOR, seconds)
        raise UploadRejected(413, too_big(limit)) from None
    except ClientDisconnect:  # a client that left gets the answer no one reads, not a 500
        raise UploadRejected(400, BROKEN_FORM) from None
    except MultiPartException as e:
        await body.drain(bound * DRAIN_FACTOR, seconds)
        if str(e).startswith("Too many files") and max_files > 1:
            raise UploadRejected(400, f"一次最多上传 {max_files} 个工作簿：请分几次上传。") from None
        raise UploadRejected(400, BROKEN_FORM) from None
    except (ValueError, KeyError, UnicodeError):
        # two files, a missing boundary, a part without a name, headers that are not text: the form is not ours
        await body.drain(bound * DRAIN_FACTOR, seconds)
        raise UploadRejected(400, BROKEN_FORM) from None
    fields: dict[str, str] = {}
    files: list[UploadFile] = []
    stray = False
    for key, value in form.multi_items():
        if not isinstance(value, UploadFile):
            fields[key] = value
        elif key != "workbook":
            stray = True
        elif value.filename:  # a browser sends an empty part for a file input left empty
            files.append(value)
    if stray or not files:
        await form.close()
    if stray:
        raise UploadRejected(400, BROKEN_FORM)
    if not files:
        raise UploadRejected(400, "没有收到文件：请先选择要上传的工作簿（.xlsx）再提交。")
    return fields, files


class _TooBig(Exception):
    pass


class _Body:
    """The request body as it streams in, counted against ``bound``; what is left of it can be drained."""

    def __init__(self, request: Request, bound: int) -> None:
        self.receive = request.receive
        self.bound = bound
        self.total = 0
        self.done = False

    async def chunks(self) -> AsyncGenerator[bytes, None]:
        while not self.done:
            chunk = await self._next()
            self.total += len(chunk)
            if self.total > self.bound:
                raise _TooBig
            if chunk:
                yield chunk

    async def _next(self) -> bytes:
        message = await self.receive()
        if message["type"] != "http.request":
            self.done = True
            raise ClientDisconnect
        if not message.get("more_body", False):
            self.done = True
        body: bytes = message.get("body", b"")
        return body

    async def drain(self, bound: int, seconds: float) -> None:
        """Read and drop the rest, up to ``bound`` bytes in all and ``seconds``; then the connection closes."""
        with anyio.move_on_after(seconds):
            while not self.done and self.total <= bound:
                try:
                    self.total += len(await self._next())
                except ClientDisconnect:
                    return


def too_slow(seconds: float) -> str:
    return f"上传超时：{seconds:g} 秒内没有收完文件，已停止接收。请检查网络后重新上传。"


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
    """Refuse what is not a workbook genreport reads: by its name first (the clearer message), then by its bytes."""
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    if suffix not in WORKBOOK_SUFFIXES:
        kinds = "、".join(WORKBOOK_SUFFIXES)
        raise UploadRejected(415, f"“{name}”不是 Excel 工作簿：请上传 {kinds} 文件（可在 Excel 中“另存为” .xlsx）。")
    if not data:
        raise UploadRejected(400, f"“{name}”是空文件：请重新选择填好的工作簿。")
    if len(data) > limit:
        raise UploadRejected(413, too_big(limit))
    if not data.startswith(OLE_MAGIC if suffix == ".xls" else ZIP_MAGIC):
        raise UploadRejected(
            415,
            f"“{name}”的内容不是 Excel 工作簿（可能已损坏，或只是改了扩展名）：请在 Excel 中另存为 .xlsx 后再上传。",
        )
