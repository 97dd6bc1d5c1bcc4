"""Open a workbook safely and hand out its cells; every openpyxl failure becomes an InputError here."""

from __future__ import annotations

import errno
import os
import stat
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import InputError, display_path
from ..model import schema
from ..model.schema import SHEETS
from .book_parts import Unusual
from .cells import EXCEL_ERRORS, RawCell
from .package import Package, check_package, damaged
from .source import CONVERT_HINT, SourceWorkbook, formula_refs, load_book
from .unused import unused_parts

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls and password-protected .xlsx
# every file name ending open_workbook reads (lower case): a folder's workbooks, the web page's upload form
READABLE_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
USE_ORIGINAL = "请使用原始的 Excel 工作簿（.xlsx、.xls 或 .ods）"
# formats genreport cannot read, by file name ending: what the user should do instead
UNREADABLE = {
    ".et": "这是 WPS 表格文件（.et），genreport 无法读取；请在 WPS 中打开，“另存为”Excel 工作簿（*.xlsx）后再试",
    ".ett": "这是 WPS 表格模板（.ett），genreport 无法读取；请在 WPS 中打开，“另存为”Excel 工作簿（*.xlsx）后再试",
    ".numbers": "这是 Apple Numbers 文件（.numbers），genreport 无法读取；请在 Numbers 中“导出为”Excel（.xlsx）后再试",
    ".xlsb": f"这是 Excel 二进制工作簿（.xlsb），genreport 无法读取；{CONVERT_HINT}",
    ".pdf": f"这是 PDF 文件，genreport 无法从中读取数据；{USE_ORIGINAL}",
    ".csv": "这是文本文件（.csv），不是 Excel 工作簿；请使用 genreport init 生成的 .xlsx 填报模板",
    ".txt": "这是文本文件（.txt），不是 Excel 工作簿；请使用 genreport init 生成的 .xlsx 填报模板",
}


ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"  # as foreign.py's, which imports openpyxl
FORM_SHEETS = frozenset(s.name for s in SHEETS)  # the sheets the standard form reads; others load on demand
# calamine reads the values (read_calamine) unless GENREPORT_READER=openpyxl; either way openpyxl is the fallback
DEFAULT_READER = os.environ.get("GENREPORT_READER") or "calamine"
__all__ = ["EXCEL_ERRORS", "READABLE_SUFFIXES", "RawCell", "SourceWorkbook", "open_workbook"]


def open_workbook(path: Path, *, reader: str | None = None) -> SourceWorkbook:
    """Open ``path`` read-only in effect (never saved back); raise InputError with a Chinese reason.

    ``reader`` ("calamine", the default, or "openpyxl"): calamine reads the values where read_calamine finds the
    workbook usual, openpyxl otherwise, and both give the same cells."""
    shown = display_path(path)
    kind = _file_kind(path, shown)
    if stat.S_ISDIR(kind.st_mode):
        raise InputError(shown, "这是一个文件夹，不是 Excel 工作簿")
    if path.name.startswith("~$"):
        raise InputError(shown, "这是 Excel/WPS 打开工作簿时生成的临时锁定文件，不是填报工作簿；请忽略它")
    if not stat.S_ISREG(kind.st_mode):  # a FIFO would hang the read, a link to /dev/zero never end it
        raise InputError(shown, "这不是普通文件（而是设备、管道等特殊文件），不是 Excel 工作簿，已拒绝读取")
    if kind.st_size > schema.MAX_FILE_MB * 2**20:
        raise InputError(
            shown,
            f"文件有 {kind.st_size // 2**20} MB，超过填报工作簿的上限 {schema.MAX_FILE_MB} MB，已拒绝读取"
            "（可能是损坏或恶意文件）",
        )
    suffix = path.suffix.lower()
    if suffix in UNREADABLE:
        raise InputError(shown, UNREADABLE[suffix])
    try:
        with path.open("rb") as fh:
            head = fh.read(512)
    except OSError as e:
        raise InputError(shown, f"无法读取（{e.strerror or e}）") from e
    if not head:
        raise InputError(shown, "文件是空的，不是 Excel 工作簿")
    if head.startswith(b"%PDF"):
        raise InputError(shown, f"这是 PDF 文件，只是扩展名为“{path.suffix}”；{USE_ORIGINAL}")
    if suffix not in READABLE_SUFFIXES:
        raise InputError(shown, f"不是 Excel 工作簿（扩展名为“{path.suffix or '无'}”）；{CONVERT_HINT}")
    if head.startswith(OLE_MAGIC):
        if _is_encrypted_ooxml(path):
            raise InputError(shown, "工作簿设置了打开密码（已加密），请在 Excel 或 WPS 中取消密码后另存为 .xlsx 再试")
        from .foreign import open_xls  # openpyxl's objects carry what xlrd read

        return open_xls(path, shown)  # by its content: an .xls named .xlsx reads too
    if not zipfile.is_zipfile(path):
        raise InputError(shown, f"{_not_a_workbook(head, suffix)}；{CONVERT_HINT}")
    calamine = (reader or DEFAULT_READER) == "calamine"
    z = _zip(path)  # opened once for the checks below (None: each opens it, and names the failure, as before)
    try:
        if _is_ods(z or path):
            from .foreign import open_ods

            return open_ods(path, shown)
        skip, package = _check_package(z or path, shown, keep=calamine)
    finally:
        if z is not None:
            z.close()
    fallback = ""
    if calamine:
        from .calamine import open_calamine  # python-calamine loads only where it reads

        try:
            return open_calamine(path, shown, skip, package)
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


def _not_a_workbook(head: bytes, suffix: str) -> str:
    """What a file that is neither a compound file nor a zip is: systems that "export to Excel" often write a web
    page or Excel 2003's XML under an .xls name."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<html", b"<!doctype html", b"<table", b"<meta")) or b"<html" in text:
        return f"这是网页（HTML）文件，只是扩展名为“{suffix}”（一些系统导出的“Excel”其实是网页）"
    if text.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in head:
        return f"这是 Excel 2003 XML 表格，只是扩展名为“{suffix}”"
    return f"文件已损坏或不是 {suffix} 工作簿（无法作为 {suffix.lstrip('.')} 打开）"


def _zip(path: Path) -> zipfile.ZipFile | None:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError, RuntimeError, ValueError, KeyError):
        return None


@contextmanager
def _opened(source: zipfile.ZipFile | Path) -> Iterator[zipfile.ZipFile]:
    """``source`` itself if open (its owner closes it), else the package opened here."""
    if isinstance(source, zipfile.ZipFile):
        yield source
    else:
        with zipfile.ZipFile(source) as z:
            yield z


def _is_ods(source: zipfile.ZipFile | Path) -> bool:
    """An OpenDocument spreadsheet, by its mimetype member (whatever its name says)."""
    try:
        with _opened(source) as z:
            info = z.getinfo("mimetype") if "mimetype" in z.namelist() else None
            if info is None or info.file_size >= 4096:
                return False
            return ODS_MIMETYPE in z.read(info).decode("ascii", "replace")
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError, RuntimeError, ValueError):
        return False  # the xlsx path names the damage


def _file_kind(path: Path, shown: str) -> os.stat_result:
    """The file's own kind and size (a link followed), before anything opens it."""
    try:
        return path.stat()
    except FileNotFoundError as e:
        raise InputError(shown, "找不到文件") from e
    except OSError as e:
        if e.errno == errno.ENAMETOOLONG:
            raise InputError(shown, "文件名或路径太长，无法读取") from e
        if e.errno == errno.ENOTDIR:
            raise InputError(shown, "找不到文件") from e
        raise InputError(shown, f"无法读取（{e.strerror or e}）") from e


def _check_package(source: zipfile.ZipFile | Path, shown: str, *, keep: bool = False) -> tuple[dict[str, str], Package]:
    """Name what a zip that is not an .xlsx really is, before openpyxl fails on it obscurely; inflate every part once,
    counting, and refuse one over the form's limits (package.py). Returns the sheets no standard form reads (a
    scratch sheet, the guide), left unparsed unless a layout asks, and what the check learnt (``keep``: with the
    parts' bytes, for the calamine reader)."""
    try:
        with _opened(source) as z:
            names = {i.filename for i in z.infolist()}
            if len(names) <= schema.MAX_PARTS and "mimetype" in names and z.getinfo("mimetype").file_size < 4096:
                mimetype = z.read("mimetype").decode("ascii", "replace")
            else:
                mimetype = ""
            if "opendocument.spreadsheet" in mimetype:
                raise InputError(shown, f"这是 OpenDocument 表格（.ods），只是扩展名为 .xlsx；{CONVERT_HINT}")
            if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
                raise InputError(shown, f"这是一个压缩包，但不是 Excel 工作簿（没有工作簿内容）；{CONVERT_HINT}")
            package = check_package(z, shown, FORM_SHEETS, keep=keep)
            return unused_parts(z, FORM_SHEETS, package.sheets), package
    except (zipfile.BadZipFile, OSError, KeyError, EOFError, zlib.error, NotImplementedError, RuntimeError) as e:
        raise damaged(shown) from e


def _is_encrypted_ooxml(path: Path) -> bool:
    """A password-protected .xlsx is a compound file holding an "EncryptedPackage" stream; an .xls is not."""
    try:
        data = path.read_bytes()
    except OSError:
        return False
    return "EncryptedPackage".encode("utf-16-le") in data
