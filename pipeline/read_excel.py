"""Open a workbook safely and hand out its cells; every openpyxl failure becomes an InputError here."""

from __future__ import annotations

import os
import re
import warnings
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from .errors import InputError, display_path
from .read_cells import EXCEL_ERRORS, RawCell, Unusual, is_error
from .read_diagnose import diagnose
from .read_unused import unused_parts, without
from .schema import SHEETS

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls and password-protected .xlsx
MAX_UNPACKED = 256 * 2**20  # a filled standard workbook unpacks to well under 1 MB; a zip bomb to gigabytes
CONVERT_HINT = "请在 Excel 或 WPS 中打开，另存为“Excel 工作簿（*.xlsx）”后再试"


FORM_SHEETS = frozenset(s.name for s in SHEETS)  # the sheets the standard form reads; others load on demand
# calamine reads the values (read_calamine) unless GENREPORT_READER=openpyxl; either way openpyxl is the fallback
DEFAULT_READER = os.environ.get("GENREPORT_READER") or "calamine"
__all__ = ["EXCEL_ERRORS", "RawCell", "SourceWorkbook", "open_workbook"]


@dataclass
class SourceWorkbook:
    """The cells of one input workbook, with formula cells replaced by their cached values.

    Cells are looked up, never created: asking for a cell past the data costs nothing, and ``filled`` says where
    the values are, so a reader walks the data, not the sheet's extent (a stray cell at row 1,048,576)."""

    path: Path
    display: str
    book: Workbook
    cached: Workbook | None = None
    formula_cells: dict[str, set[str]] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # sheet name → part left unparsed (read_unused)
    _late: dict[str, tuple[Worksheet, Worksheet | None]] = field(default_factory=dict)
    _filled: dict[int, dict[int, list[int]]] = field(default_factory=dict)
    reader: str = "openpyxl"
    fallback: str = ""  # why the calamine reader handed this workbook to openpyxl

    @property
    def sheet_names(self) -> list[str]:
        return list(self.book.sheetnames)

    def sheet(self, name: str) -> Worksheet | None:
        if name not in self.book.sheetnames:
            return None
        if name in self.skipped:
            return self._load_late(name)
        ws = self.book[name]
        return ws if isinstance(ws, Worksheet) else None

    def cell(self, ws: Worksheet, row: int, column: int) -> RawCell:
        c = ws._cells.get((row, column))
        if c is None:
            return RawCell(None, "General")
        if c.data_type == "f":
            twin = self._cached_sheet(ws)
            if twin is not None:
                cached = twin._cells.get((row, column))
                value = cached.value if cached is not None else None
                error = cached is not None and is_error(cached.data_type, cached.value)
                return RawCell(value, c.number_format, formula_without_value=value is None, error=error)
        return RawCell(c.value, c.number_format, error=is_error(c.data_type, c.value))

    def filled(self, ws: Worksheet) -> dict[int, list[int]]:
        """Row → the columns (ascending) of its cells holding a value, formulas included; rows ascending."""
        key = id(ws)
        if key not in self._filled:
            rows: dict[int, list[int]] = {}
            for (r, c), cell in ws._cells.items():
                if cell.value is not None:
                    rows.setdefault(r, []).append(c)
            self._filled[key] = {r: sorted(rows[r]) for r in sorted(rows)}
        return self._filled[key]

    def _cached_sheet(self, ws: Worksheet) -> Worksheet | None:
        if ws.title in self._late:
            return self._late[ws.title][1]
        if self.cached is None:
            return None
        twin = self.cached[ws.title]
        return twin if isinstance(twin, Worksheet) else None

    def _load_late(self, name: str) -> Worksheet | None:
        """A sheet left unparsed at open that a template's layout reads after all: loaded on its own."""
        if name not in self._late:
            others = {n: m for n, m in self.skipped.items() if n != name}
            book = _load(self.path, self.display, data_only=False, skip=others)
            ws = book[name]
            if not isinstance(ws, Worksheet):
                return None
            cached = None
            if _formulas(ws):
                twin = _load(self.path, self.display, data_only=True, skip=others)[name]
                cached = twin if isinstance(twin, Worksheet) else None
            self._late[name] = (ws, cached)
        return self._late[name][0]


def _formulas(ws: Worksheet) -> set[str]:
    return {c.coordinate for c in ws._cells.values() if c.data_type == "f"}


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
        from .read_calamine import open_calamine  # it builds on SourceWorkbook, defined here

        try:
            return open_calamine(path, shown, skip)
        except Unusual as e:
            fallback = str(e)
    book = _load(path, shown, data_only=False, skip=skip)
    source = SourceWorkbook(path=path, display=shown, book=book, skipped=skip, fallback=fallback)
    for ws in book.worksheets:
        if ws.title not in skip:
            refs = _formulas(ws)
            if refs:
                source.formula_cells[ws.title] = refs
    if source.formula_cells:
        # Formula results live only in the cached values Excel/WPS wrote on save.
        source.cached = _load(path, shown, data_only=True, skip=skip)
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


def _causes(e: BaseException) -> list[str]:
    names: list[str] = []
    seen: BaseException | None = e
    while seen is not None and len(names) < 10:
        names.append(type(seen).__name__)
        seen = seen.__cause__ or seen.__context__
    return names


def _load(path: Path, shown: str, *, data_only: bool, skip: dict[str, str] | None = None) -> Workbook:
    try:
        with warnings.catch_warnings():
            # openpyxl warns in English on stderr (a date serial beyond 9999-12-31 becomes an error cell, which
            # normalize reports at its cell in Chinese); the user must see the finding, not the warning
            warnings.simplefilter("ignore")
            if not skip:
                return openpyxl.load_workbook(path, data_only=data_only, keep_links=False)
            with zipfile.ZipFile(path) as z:
                package = without(z, set(skip.values()))
            return openpyxl.load_workbook(package, data_only=data_only, keep_links=False)
    except (zipfile.BadZipFile, zlib.error, EOFError) as e:
        raise InputError(shown, f"文件已损坏（压缩包不完整），{CONVERT_HINT}") from e
    except KeyError as e:
        member = re.search(r"named '([^']{1,120})'", str(e))
        what = f"缺少其中的组成部分 {member.group(1)}" if member else "缺少必要的组成部分"
        raise InputError(shown, f"不是有效的 .xlsx 工作簿（{what}），{CONVERT_HINT}") from e
    except Exception as e:
        causes = _causes(e)
        # defusedxml refuses entity declarations; openpyxl wraps that in a ValueError
        if any(n in ("EntitiesForbidden", "DTDForbidden", "ExternalReferenceForbidden") for n in causes):
            raise InputError(shown, f"工作簿中含有不安全的 XML 实体定义，已拒绝读取；{CONVERT_HINT}") from e
        if any(n in ("error", "BadZipFile") for n in causes):
            raise InputError(shown, f"文件已损坏（压缩包不完整），{CONVERT_HINT}") from e
        damage = diagnose(str(path), skip=frozenset((skip or {}).values()))
        if damage is not None:
            raise InputError(shown, f"{damage.message}；{CONVERT_HINT}", sheet=damage.sheet, cell=damage.cell) from e
        raise InputError(shown, f"文件已损坏，无法读取其中的内容；{CONVERT_HINT}") from e
