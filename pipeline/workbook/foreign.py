"""Reading an .xls or .ods workbook (what 预算管理一体化 and many units export or keep) as the .xlsx it would be
saved as (issue 17 §4).

python-calamine reads the values; biff.py (.xls) and odf.py (.ods) read, in one bounded pass over the file before
calamine does, what normalize needs and calamine does not say: which numbers are percentages, the booleans, the
error values, the merged ranges (.ods; calamine gives them for .xls), and how many rows and cells each sheet holds.
What normalize gets is what the .xlsx path gives for the same workbook: a whole number is an int, a date a datetime,
a %-formatted cell has a % number format, the cells a merged range covers read blank, an error cell is an error.

Two things an .xlsx keeps and these formats do not reach normalize: a formula without a saved result (an .xls or
.ods always stores one, so E_FORMULA_NO_VALUE cannot arise) and a number format other than a percentage (normalize
asks of none other). calamine reads every sheet of the file at once, so every sheet — not only the form's — counts
against the limits, and each sheet's grid (its last row × its last column) is capped before calamine builds it.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import python_calamine
from lxml.etree import LxmlError
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.worksheet import Worksheet

from ..budget import DeadlineReached
from ..errors import InputError
from ..model import schema
from ..model.schema import SHEETS
from .biff import NotBiff8, XlsSheet, read_xls
from .cells import EXCEL_ERRORS, RawCell
from .odf import OdsLimit, OdsSheet, read_ods
from .source import CONVERT_HINT, SourceWorkbook

FORM_SHEETS = frozenset(s.name for s in SHEETS)
PERCENT_FORMAT = "0%"  # normalize asks only whether a cell's format holds a %
MAX_STORED_ROWS = schema.MAX_SHEET_ROWS + schema.HEADER_ROW
MAX_ALL_CELLS = 4 * schema.MAX_CELLS  # every sheet, the form's and the others: calamine holds them all
MAX_GRID = 2_000_000  # one sheet's last row × last column: the dense grid calamine builds (65,536 × 30 fits)
ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"


@dataclass
class ForeignGrid:
    """One sheet: calamine's values and what the scan said of its cells."""

    values: list[list[Any]]
    percent: set[tuple[int, int]]
    booleans: dict[tuple[int, int], bool]
    errors: dict[tuple[int, int], str]
    erased: frozenset[tuple[int, int]]
    filled: dict[int, list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        rows: dict[int, list[int]] = {}
        for r, line in enumerate(self.values, start=1):
            columns = [c for c, v in enumerate(line, start=1) if v != "" and (r, c) not in self.erased]
            if columns:
                rows[r] = columns
        for r, c in (self.errors.keys() | self.booleans.keys()) - self.erased:
            if c not in rows.get(r, ()):
                rows.setdefault(r, []).append(c)
                rows[r].sort()
        self.filled = dict(sorted(rows.items()))

    def cell(self, row: int, column: int) -> RawCell:
        at = (row, column)
        if at in self.erased:
            return RawCell(None, "General")
        fmt = PERCENT_FORMAT if at in self.percent else "General"
        if at in self.errors:
            return RawCell(self.errors[at], fmt, error=True)
        if at in self.booleans:
            return RawCell(self.booleans[at], fmt)
        line = self.values[row - 1] if 0 < row <= len(self.values) else ()
        value = line[column - 1] if 0 < column <= len(line) else ""
        if value == "":
            return RawCell(None, fmt)
        return RawCell(_as_openpyxl(value), fmt, error=isinstance(value, str) and value.strip() in EXCEL_ERRORS)


def _as_openpyxl(value: Any) -> Any:
    """A value as openpyxl gives it from the .xlsx: a whole number an int (Excel and WPS write 2022, not 2022.0), a
    date a datetime at midnight."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return value


@dataclass
class ForeignWorkbook(SourceWorkbook):
    """A SourceWorkbook read from an .xls or .ods; ``book`` holds empty worksheets carrying the merged ranges."""

    grids: dict[str, ForeignGrid] = field(default_factory=dict)

    def cell(self, ws: Worksheet, row: int, column: int) -> RawCell:
        return self.grids[ws.title].cell(row, column)

    def filled(self, ws: Worksheet) -> dict[int, list[int]]:
        return self.grids[ws.title].filled


def open_xls(path: Path, shown: str) -> ForeignWorkbook:
    try:
        book = read_xls(path.read_bytes())
    except NotBiff8 as e:
        if e.why == "BIFF5":
            raise InputError(shown, f"这是更早版本的 Excel 文件（Excel 5.0/95 格式），无法读取；{CONVERT_HINT}") from e
        raise InputError(shown, f"文件已损坏，无法作为 Excel 97-2003 工作簿（.xls）读取；{CONVERT_HINT}") from e
    except (OSError, ValueError, IndexError) as e:  # struct.error is a ValueError
        raise InputError(shown, f"文件已损坏，无法作为 Excel 97-2003 工作簿（.xls）读取；{CONVERT_HINT}") from e
    if book.encrypted:
        raise InputError(shown, "工作簿设置了打开密码（已加密），请在 Excel 或 WPS 中取消密码后另存为 .xlsx 再试")
    return _open(path, shown, "xls", book.sheets)


def open_ods(path: Path, shown: str) -> ForeignWorkbook:
    try:
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
            if len(names) > schema.MAX_PARTS:
                raise _refused(shown, f"由 {len(names):,} 个部分组成，远超工作簿的正常结构")
            if "content.xml" not in names:
                raise InputError(shown, f"这是一个压缩包，但不是 OpenDocument 表格（没有 content.xml）；{CONVERT_HINT}")
            if "META-INF/manifest.xml" in names and _encrypted(z):
                raise InputError(shown, "工作簿设置了打开密码（已加密），请取消密码后另存为 .xlsx 再试")
            sheets = read_ods(z, schema.MAX_UNPACKED_MB * 2**20, MAX_ALL_CELLS)
    except OdsLimit as e:
        if e.sheet:
            raise _refused(shown, f"工作表“{e.sheet[:60]}”{e.what}", e.sheet) from e
        raise _refused(shown, e.what) from e
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError, ValueError, RuntimeError, LxmlError) as e:
        raise InputError(shown, f"文件已损坏，无法作为 OpenDocument 表格（.ods）读取；{CONVERT_HINT}") from e
    return _open(path, shown, "ods", sheets)


def _encrypted(z: zipfile.ZipFile) -> bool:
    info = z.getinfo("META-INF/manifest.xml")
    return info.file_size < 2**20 and b"encryption-data" in z.read(info)


def _open(path: Path, shown: str, kind: str, scanned: list[XlsSheet] | list[OdsSheet]) -> ForeignWorkbook:
    if not scanned:
        raise InputError(shown, f"工作簿中没有任何工作表（文件可能已损坏）；{CONVERT_HINT}")
    _check_limits(shown, scanned)
    values, ranges = _calamine_values(path, shown, kind)
    if [s.name for s in scanned] != list(values):
        raise InputError(shown, f"工作表无法一一读出（文件可能已损坏）；{CONVERT_HINT}")
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    source = ForeignWorkbook(path=path, display=shown, book=book, reader=kind)
    for sheet in scanned:
        try:
            ws = book.create_sheet(sheet.name)
        except ValueError as e:  # a name Excel does not allow (a "/", "*", "?" …): no .xlsx could hold it either
            what = "含有 Excel 不允许的字符"
            raise InputError(shown, f"工作表名“{sheet.name[:60]}”{what}，请先改名；{CONVERT_HINT}") from e
        if ws.title != sheet.name:
            what = "与另一张工作表重名（不分大小写）"
            raise InputError(shown, f"工作表名“{sheet.name[:60]}”{what}，请先改名；{CONVERT_HINT}")
        merged = _merged(sheet, ranges[sheet.name])
        for top, left, bottom, right in merged:
            ws.merged_cells.add(CellRange(min_col=left, min_row=top, max_col=right, max_row=bottom))
        erased = frozenset(
            (r, c)
            for top, left, bottom, right in merged
            for r in range(top, bottom + 1)
            for c in range(left, right + 1)
            if (r, c) != (top, left)
        )
        source.grids[sheet.name] = ForeignGrid(values[sheet.name], sheet.percent, sheet.booleans, sheet.errors, erased)
    return source


def _merged(sheet: XlsSheet | OdsSheet, calamine: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """The sheet's merged ranges (the scan's for an .ods, calamine's for an .xls), clipped to its cells: the cells
    they erase are never more than its grid."""
    ranges = sheet.merged if isinstance(sheet, OdsSheet) else calamine
    rows, columns = max(sheet.max_row, 1), max(sheet.max_column, 1)
    return [
        (top, left, min(bottom, rows), min(right, columns))
        for top, left, bottom, right in ranges
        if top <= rows and left <= columns and (bottom, right) != (top, left)
    ]


def _check_limits(shown: str, sheets: list[XlsSheet] | list[OdsSheet]) -> None:
    if len(sheets) > schema.MAX_SHEETS:
        raise _refused(shown, f"有超过 {schema.MAX_SHEETS} 张工作表（上限 {schema.MAX_SHEETS}）")
    form_cells = all_cells = 0
    for sheet in sheets:
        all_cells += sheet.cells
        if sheet.name in FORM_SHEETS:
            form_cells += sheet.cells
            if len(sheet.rows) > MAX_STORED_ROWS:
                what = f"存有超过 {schema.MAX_SHEET_ROWS:,} 行数据（每张表的上限；含设置了格式的空行）"
                raise _refused(shown, f"工作表“{sheet.name[:60]}”{what}", sheet.name)
        if form_cells > schema.MAX_CELLS or all_cells > MAX_ALL_CELLS:
            limit = schema.MAX_CELLS if form_cells > schema.MAX_CELLS else MAX_ALL_CELLS
            raise _refused(shown, f"读到工作表“{sheet.name[:60]}”时单元格已超过 {limit:,} 个（上限）", sheet.name)
        if sheet.max_row * sheet.max_column > MAX_GRID:
            last = f"{get_column_letter(min(sheet.max_column, 16384))}{sheet.max_row}"
            raise _refused(
                shown,
                f"工作表“{sheet.name[:60]}”的数据一直延伸到 {last}，范围超过 {MAX_GRID:,} 个单元格（上限）；"
                "请删除远处多余的单元格",
                sheet.name,
            )


def _refused(shown: str, what: str, sheet: str = "") -> InputError:
    return InputError(shown, f"{what}，已拒绝读取（可能是损坏或恶意文件）", sheet=sheet)


Ranges = dict[str, list[tuple[int, int, int, int]]]


def _calamine_values(path: Path, shown: str, kind: str) -> tuple[dict[str, list[list[Any]]], Ranges]:
    """Every worksheet's values, and its merged ranges (first row, first column, last row, last column, from 1)
    where calamine knows them."""
    values: dict[str, list[list[Any]]] = {}
    ranges: Ranges = {}
    try:
        # from the bytes, not the path: calamine picks its reader by the file name, and an .xls named .xlsx reads too
        with python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(path.read_bytes())) as book:
            for meta in book.sheets_metadata:
                if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
                    continue
                sheet = book.get_sheet_by_name(meta.name)
                values[meta.name] = sheet.to_python(skip_empty_area=False)
                found = sheet.merged_cell_ranges or []
                ranges[meta.name] = [(r0 + 1, c0 + 1, r1 + 1, c1 + 1) for (r0, c0), (r1, c1) in found]
        return values, ranges
    except (KeyboardInterrupt, SystemExit, MemoryError, DeadlineReached):
        raise  # an interruption or the job's budget, not damage in the file
    except python_calamine.PasswordError as e:
        raise InputError(shown, "工作簿设置了打开密码（已加密），请取消密码后另存为 .xlsx 再试") from e
    except BaseException as e:  # a Rust panic arrives as PanicException, a BaseException
        raise InputError(shown, f"文件已损坏，无法作为 .{kind} 工作簿读取；{CONVERT_HINT}") from e
