"""Reading a workbook's values with python-calamine, giving what the openpyxl reader gives (issue 9 §4).

openpyxl's load is most of a report's cost, and nearly all of it is building a Python object per cell. Here:

- openpyxl still reads everything but the cells — a copy of the package whose form sheets have an empty
  ``sheetData`` (unused sheets are placeholders, as in read_unused) — so sheet names, styles, the 1904 epoch,
  merged ranges, comments and every part it would refuse are exactly its own;
- calamine reads the cell values of the form's sheets;
- read_cells reads with openpyxl's own cell parser the few cells calamine gives otherwise.

Anything either step does not fully understand raises Unusual, and open_workbook then reads the workbook with
openpyxl alone, as before: correctness never rests on calamine's behaviour at an edge.
"""

from __future__ import annotations

import io
import posixpath
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import python_calamine
from openpyxl.cell.cell import MergedCell
from openpyxl.reader.excel import ExcelReader
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.xml.constants import SHARED_STRINGS

from ..budget import DeadlineReached
from .cells import EXCEL_ERRORS, RawCell, SheetCells, Styles, Unusual, check_strings, scan_sheet
from .source import SourceWorkbook
from .unused import EMPTY_SHEET, worksheet_parts

XML_MEMBERS = (".xml", ".rels", ".vml")
SPARSE_CELLS = 1_000_000  # a sheet's extent beyond its cells by this much (a stray cell far below) goes to openpyxl
CALAMINE_STRINGS = "xl/sharedStrings.xml"
_PLAIN = (str, float, int)


@dataclass
class SheetGrid:
    """One form sheet: calamine's values, the cells read_cells took from openpyxl's parser, the positions a merged
    range covers (openpyxl empties them), and where the values are."""

    values: list[list[Any]]
    cells: SheetCells
    erased: frozenset[tuple[int, int]]
    filled: dict[int, list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        found: set[tuple[int, int]] = set()
        for r, line in enumerate(self.values, start=1):
            for c in [c for c, v in enumerate(line, start=1) if v != ""]:
                if type(line[c - 1]) not in _PLAIN and (r, c) not in self.cells.special:
                    raise Unusual(f"calamine's own conversion at {get_column_letter(c)}{r}")
                found.add((r, c))
        for at, raw in self.cells.special.items():
            if raw.value is None and not raw.formula_without_value:
                found.discard(at)
            else:
                found.add(at)
        rows: dict[int, list[int]] = {}
        for r, c in sorted(found - self.erased):
            rows.setdefault(r, []).append(c)
        self.filled = rows

    def cell(self, row: int, column: int) -> RawCell:
        at = (row, column)
        if at in self.erased:
            return RawCell(None, "General")
        special = self.cells.special.get(at)
        if special is not None:
            return special
        line = self.values[row - 1] if 0 < row <= len(self.values) else ()
        value = line[column - 1] if 0 < column <= len(line) else ""
        percent = self.cells.percent
        fmt = percent.get(f"{get_column_letter(column)}{row}", "General") if percent else "General"
        if value == "":
            return RawCell(None, fmt)
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # read_cells leaves here only whole numbers written without "." or "E": int in openpyxl
        return RawCell(value, fmt, error=isinstance(value, str) and value.strip() in EXCEL_ERRORS)


@dataclass
class CalamineWorkbook(SourceWorkbook):
    """A SourceWorkbook whose form sheets' cells come from calamine; ``book`` is openpyxl's cell-less copy."""

    grids: dict[str, SheetGrid] = field(default_factory=dict)
    reader: str = "calamine"

    def cell(self, ws: Worksheet, row: int, column: int) -> RawCell:
        grid = self.grids.get(ws.title)
        return grid.cell(row, column) if grid is not None else super().cell(ws, row, column)

    def filled(self, ws: Worksheet) -> dict[int, list[int]]:
        grid = self.grids.get(ws.title)
        return grid.filled if grid is not None else super().filled(ws)


def open_calamine(path: Path, shown: str, skip: dict[str, str]) -> CalamineWorkbook:
    """The workbook read as described above; raises Unusual for one to read with openpyxl alone."""
    unused = set(skip.values())  # never decompressed: read_unused checked their prologs for a DTD
    try:
        with zipfile.ZipFile(path) as z:
            members = {i.filename: b"" if i.filename in unused else z.read(i.filename) for i in z.infolist()}
            parts = worksheet_parts(z)
    except MemoryError:
        raise  # the job's budget, not a damaged package
    except Exception as e:  # a damaged package: the openpyxl path names the damage
        raise Unusual("package") from e
    for name, data in members.items():
        if name.endswith(XML_MEMBERS) and (b"<!DOCTYPE" in data or b"<!ENTITY" in data):
            raise Unusual(f"DTD in {name}")  # openpyxl (defusedxml) refuses it with its own message
    if any(member not in members for member in parts.values()):
        raise Unusual("a listed sheet's part is missing")
    form = {name: member for name, member in parts.items() if name not in skip}
    for name, member in form.items():
        if _far_rows(members[member]):
            raise Unusual(f"sheet {name} is sparse")  # found before any parsing: the fallback costs nothing extra
    book, strings = _cell_less(members, form, skip)
    if {ws.title for ws in book.worksheets} != set(parts) or len(book.worksheets) != len(parts):
        raise Unusual("sheets openpyxl sees otherwise")
    styles = Styles.of(book)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a date beyond 9999 becomes an error cell, reported in Chinese by normalize
        cells = {name: scan_sheet(members[member], styles, strings) for name, member in form.items()}
    for name, found in cells.items():
        if found.max_row * found.max_column > 4 * found.count + SPARSE_CELLS:
            raise Unusual(f"sheet {name} is sparse")  # calamine would hold its whole extent in memory
    values = _calamine_values(path, list(form))
    source = CalamineWorkbook(path=path, display=shown, book=book, skipped=skip)
    for ws in book.worksheets:
        if ws.title in form:
            erased = frozenset(at for at, c in ws._cells.items() if isinstance(c, MergedCell))
            source.grids[ws.title] = SheetGrid(values[ws.title], cells[ws.title], erased)
            if cells[ws.title].formulas:
                source.formula_cells[ws.title] = cells[ws.title].formulas
    return source


def _cell_less(members: dict[str, bytes], form: dict[str, str], skip: dict[str, str]) -> tuple[Any, list[str]]:
    """openpyxl's workbook from a copy without the form sheets' cells, and its shared strings."""
    emptied = set(skip.values())
    rels = {posixpath.join(posixpath.dirname(m), "_rels", posixpath.basename(m) + ".rels") for m in emptied}
    copy = io.BytesIO()
    with zipfile.ZipFile(copy, "w", zipfile.ZIP_STORED) as out:
        for name, data in members.items():
            if name in rels:
                continue
            if name in emptied:
                data = EMPTY_SHEET
            elif name in form.values():
                data = _without_cells(data)
            out.writestr(name, data)
    copy.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = ExcelReader(copy, read_only=False, keep_vba=False, data_only=False, keep_links=False)
            reader.read()
            package: Any = reader.package
            strings_part = package.find(SHARED_STRINGS)
    except MemoryError:
        raise
    except Exception as e:  # openpyxl refuses the package: the openpyxl path reports why
        raise Unusual("openpyxl refuses the package") from e
    member = strings_part.PartName[1:] if strings_part is not None else None
    if member != (CALAMINE_STRINGS if CALAMINE_STRINGS in members else None):
        raise Unusual("shared strings where calamine does not look")
    check_strings(members.get(member) if member else None)
    return reader.wb, list(reader.shared_strings)


def _far_rows(xml: bytes) -> bool:
    """A last row far beyond the number of rows (a stray cell at row 1,048,576), from the bytes alone."""
    at = xml.rfind(b'<row r="')
    end = xml.find(b'"', at + 8) if at >= 0 else -1
    number = xml[at + 8 : end]
    return end > 0 and number.isdigit() and int(number) > 4 * xml.count(b"<row ") + SPARSE_CELLS


def _without_cells(xml: bytes) -> bytes:
    """The worksheet with an empty sheetData; read_cells has parsed the whole part and checked its shape."""
    if xml.count(b"<sheetData") != 1 or b"<!--" in xml or b"<![CDATA[" in xml:
        raise Unusual("sheetData not found plainly")
    start = xml.find(b"<sheetData")
    tag_end = xml.find(b">", start)
    if tag_end < 0:
        raise Unusual("sheetData not found plainly")
    if xml[tag_end - 1 : tag_end] == b"/":
        return xml
    end = b"</sheetData>"
    if xml.count(end) != 1 or xml.find(end) < tag_end:
        raise Unusual("sheetData not found plainly")
    close = xml.find(end)
    return xml[:start] + b"<sheetData/>" + xml[close + len(end) :]


def _calamine_values(path: Path, names: list[str]) -> dict[str, list[list[Any]]]:
    try:
        with python_calamine.CalamineWorkbook.from_path(str(path)) as book:
            return {name: book.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in names}
    except (KeyboardInterrupt, SystemExit, MemoryError, DeadlineReached):
        raise  # an interruption or the job's budget, not calamine's trouble
    except BaseException as e:  # a Rust panic arrives as PanicException, a BaseException
        raise Unusual(f"calamine: {type(e).__name__}") from e
