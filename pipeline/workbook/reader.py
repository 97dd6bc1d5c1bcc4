"""Open a workbook safely and hand out its cells; every openpyxl failure becomes an InputError here."""

from __future__ import annotations

import os
import zipfile
import zlib
from pathlib import Path

from ..errors import InputError, display_path
from ..model.schema import SHEETS
from .cells import EXCEL_ERRORS, RawCell, Unusual
from .source import CONVERT_HINT, SourceWorkbook, formula_refs, load_book
from .unused import unused_parts

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls and password-protected .xlsx
MAX_UNPACKED = 256 * 2**20  # a filled standard workbook unpacks to well under 1 MB; a zip bomb to gigabytes


FORM_SHEETS = frozenset(s.name for s in SHEETS)  # the sheets the standard form reads; others load on demand
# calamine reads the values (read_calamine) unless GENREPORT_READER=openpyxl; either way openpyxl is the fallback
DEFAULT_READER = os.environ.get("GENREPORT_READER") or "calamine"
__all__ = ["EXCEL_ERRORS", "RawCell", "SourceWorkbook", "open_workbook"]


def open_workbook(path: Path, *, reader: str | None = None) -> SourceWorkbook:
    """Open ``path`` read-only in effect (never saved back); raise InputError with a Chinese reason.

    ``reader`` ("calamine", the default, or "openpyxl"): calamine reads the values where read_calamine finds the
    workbook usual, openpyxl otherwise, and both give the same cells."""
    shown = display_path(path)
    if not path.exists():
        raise InputError(shown, "找不到文件")
    if path.is_dir():
        raise InputError(shown, "这是一个文件夹，不是 Excel 工作簿")
    if path.name.startswith("~$"):
        raise InputError(shown, "这是 Excel/WPS 打开工作簿时生成的临时锁定文件，不是填报工作簿；请忽略它")
    suffix = path.suffix.lower()
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as e:
        raise InputError(shown, f"无法读取（{e.strerror or e}）") from e
    if not head:
        raise InputError(shown, "文件是空的，不是 Excel 工作簿")
    if head == OLE_MAGIC:
        if _is_encrypted_ooxml(path):
            raise InputError(shown, "工作簿设置了打开密码（已加密），请在 Excel 或 WPS 中取消密码后另存为 .xlsx 再试")
        raise InputError(shown, f"这是旧版 Excel 97-2003 格式（.xls），{CONVERT_HINT}")
    if suffix == ".ods":
        raise InputError(shown, f"这是 OpenDocument 表格（.ods），{CONVERT_HINT}")
    if suffix in (".csv", ".txt"):
        raise InputError(
            shown, f"这是文本文件（{suffix}），不是 Excel 工作簿；请使用 genreport init 生成的 .xlsx 填报模板"
        )
    if suffix not in (".xlsx", ".xlsm"):
        raise InputError(shown, f"不是 .xlsx 文件（扩展名为“{path.suffix or '无'}”）；{CONVERT_HINT}")
    if not zipfile.is_zipfile(path):
        raise InputError(shown, f"文件已损坏或不是 .xlsx 工作簿（无法作为 xlsx 打开）；{CONVERT_HINT}")
    _check_package(path, shown)
    skip = _unused(path)
    fallback = ""
    if (reader or DEFAULT_READER) == "calamine":
        from .calamine import open_calamine  # python-calamine loads only where it reads

        try:
            return open_calamine(path, shown, skip)
        except Unusual as e:
            fallback = str(e)
    book = load_book(path, shown, data_only=False, skip=skip)
    source = SourceWorkbook(path=path, display=shown, book=book, skipped=skip, fallback=fallback)
    for ws in book.worksheets:
        if ws.title not in skip:
            refs = formula_refs(ws)
            if refs:
                source.formula_cells[ws.title] = refs
    if source.formula_cells:
        # Formula results live only in the cached values Excel/WPS wrote on save.
        source.cached = load_book(path, shown, data_only=True, skip=skip)
    return source


def _unused(path: Path) -> dict[str, str]:
    """The sheets no standard form reads (a scratch sheet, the guide), left unparsed unless a layout asks."""
    try:
        with zipfile.ZipFile(path) as z:
            return unused_parts(z, FORM_SHEETS)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError, RuntimeError):
        return {}


def _check_package(path: Path, shown: str) -> None:
    """Name what a zip that is not an .xlsx really is, before openpyxl fails on it obscurely."""
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            mimetype = z.read("mimetype").decode("ascii", "replace") if "mimetype" in names else ""
            unpacked = sum(info.file_size for info in z.infolist())
    except (zipfile.BadZipFile, OSError, KeyError, EOFError, zlib.error, NotImplementedError, RuntimeError) as e:
        raise InputError(shown, f"文件已损坏（压缩包不完整），{CONVERT_HINT}") from e
    if "opendocument.spreadsheet" in mimetype:
        raise InputError(shown, f"这是 OpenDocument 表格（.ods），只是扩展名为 .xlsx；{CONVERT_HINT}")
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise InputError(shown, f"这是一个压缩包，但不是 Excel 工作簿（没有工作簿内容）；{CONVERT_HINT}")
    if unpacked > MAX_UNPACKED:
        raise InputError(
            shown, f"解压后有 {unpacked // 2**20} MB，远超填报工作簿的正常大小，已拒绝读取（可能是损坏或恶意文件）"
        )


def _is_encrypted_ooxml(path: Path) -> bool:
    """A password-protected .xlsx is a compound file holding an "EncryptedPackage" stream; an .xls is not."""
    try:
        data = path.read_bytes()
    except OSError:
        return False
    return "EncryptedPackage".encode("utf-16-le") in data
