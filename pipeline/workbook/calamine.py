"""Reading a workbook's values with python-calamine, giving what the openpyxl reader gives (issue 9 §4, issue 19 §3).

openpyxl's load is most of a report's cost (its import alone about 0.1 s), and nearly all of it is building a Python
object per cell. Here, in one pass over the parts the form uses and without openpyxl:

- book_parts reads the sheet names, the 1904 epoch, each style's number format and the shared strings, as openpyxl
  reads them, within guards (whatever it does not fully understand is unusual);
- calamine reads the cell values of the form's sheets;
- cells.py reads the merged ranges and, by openpyxl's rules, the few cells calamine gives otherwise.

Anything either step does not fully understand raises Unusual, and open_workbook then reads the workbook with
openpyxl alone, as before: correctness never rests on calamine's behaviour at an edge.
"""

from __future__ import annotations

import warnings
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain, compress, count, repeat
from operator import ne
from pathlib import Path
from typing import Any

import python_calamine

from ..budget import DeadlineReached
from .book_parts import STRINGS_PART, Unusual, read_parts
from .cells import BLANK, EXCEL_ERRORS, RawCell, SheetCells, Styles, check_strings
from .formats import column_letter
from .package import Package
from .sheet_stream import read_sheet_cells
from .source import SourceWorkbook
from .unused import worksheet_parts

XML_MEMBERS = (".xml", ".rels", ".vml")
SPARSE_CELLS = 1_000_000  # a sheet's extent beyond its cells by this much (a stray cell far below) goes to openpyxl
_PLAIN = frozenset((str, float, int))
_BLANKS = repeat("")  # (map stops at the shorter: one endless "" serves every row)


class CellRange:
    """A merged range as normalize reads it from openpyxl (min_row … max_col, coord), hashed as openpyxl's, so that a
    set of them iterates in the order openpyxl's own set does: the order findings are reported in."""

    __slots__ = ("max_col", "max_row", "min_col", "min_row")

    def __init__(self, min_row: int, min_col: int, max_row: int, max_col: int) -> None:
        self.min_row, self.min_col, self.max_row, self.max_col = min_row, min_col, max_row, max_col

    def _key(self) -> tuple[int, int, int, int]:
        return (self.min_row, self.min_col, self.max_row, self.max_col)

    def __hash__(self) -> int:
        return hash(self._key())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CellRange) and self._key() == other._key()

    @property
    def coord(self) -> str:
        first = f"{column_letter(self.min_col)}{self.min_row}"
        if (self.min_row, self.min_col) == (self.max_row, self.max_col):
            return first
        return f"{first}:{column_letter(self.max_col)}{self.max_row}"


@dataclass
class MergedRanges:
    ranges: set[CellRange]


@dataclass
class GridSheet:
    """A form sheet read by calamine, as normalize sees a worksheet: its name and its merged ranges."""

    title: str
    merged_cells: MergedRanges
    grid: SheetGrid


@dataclass
class SheetGrid:
    """One form sheet: calamine's values, the cells read_cells took from openpyxl's parser, the positions a merged
    range covers (openpyxl empties them), and where the values are."""

    values: list[list[Any]]
    cells: SheetCells
    erased: frozenset[tuple[int, int]]  # every cell of a merged range but its first: openpyxl empties them
    filled: dict[int, list[int]] = field(default_factory=dict)
    odd_rows: set[int] = field(default_factory=set)
    special_rows: set[int] = field(default_factory=set)
    made: dict[Any, RawCell] = field(default_factory=dict)  # row()'s cells by value (_make)

    def __post_init__(self) -> None:
        special = self.cells.special
        found: dict[int, list[int]] = {}
        # (the types of the whole sheet in one pass first: nearly always all plain, the rows then need no look)
        plain = _PLAIN.issuperset(map(type, chain.from_iterable(self.values)))
        for r, line in enumerate(self.values, start=1):
            if not plain and not _PLAIN.issuperset(map(type, line)):
                for c, v in enumerate(line, start=1):
                    if type(v) not in _PLAIN and (r, c) not in special:
                        raise Unusual(f"calamine's own conversion at {column_letter(c)}{r}")
            columns = list(compress(count(1), map(ne, line, _BLANKS)))
            if columns:
                found[r] = columns
        # the few cells read otherwise (special) and those a merged range empties change their rows only
        added: dict[int, set[int]] = {}
        removed: dict[int, set[int]] = {}
        for (r, c), raw in special.items():
            if raw.value is None and not raw.formula_without_value:
                removed.setdefault(r, set()).add(c)
            else:
                added.setdefault(r, set()).add(c)
        for r, c in self.erased:
            removed.setdefault(r, set()).add(c)
        for r in added.keys() | removed.keys():
            columns_set = (set(found.get(r, ())) | added.get(r, set())) - removed.get(r, set())
            if columns_set:
                found[r] = sorted(columns_set)
            else:
                found.pop(r, None)
        self.filled = {r: found[r] for r in sorted(found)}
        # rows holding a cell that cell() reads otherwise than from calamine's values: row() reads them as it does
        self.odd_rows = {r for r, _ in self.cells.percent} | {r for r, _ in self.erased}
        self.special_rows = {r for r, _ in special}

    def cell(self, row: int, column: int) -> RawCell:
        at = (row, column)
        if at in self.erased:
            return RawCell(None, "General")
        special = self.cells.special.get(at)
        if special is not None:
            return special
        line = self.values[row - 1] if 0 < row <= len(self.values) else ()
        value = line[column - 1] if 0 < column <= len(line) else ""
        fmt = self.cells.percent.get(at, "General")
        if value == "":
            return RawCell(None, fmt)
        if type(value) is float and value.is_integer():
            value = int(value)  # read_cells leaves here only whole numbers written without "." or "E": int in openpyxl
        return RawCell(value, fmt, error=type(value) is str and value.strip() in EXCEL_ERRORS)

    def row(self, row: int, columns: Sequence[int]) -> list[RawCell]:
        """``cell`` of each of ``columns``, for a row of plain cells without a lookup per cell (issue 19: a list of
        20,000 projects is 240,000 cells); a blank one is the shared BLANK."""
        if row in self.odd_rows:
            return [self.cell(row, c) for c in columns]
        line = self.values[row - 1] if 0 < row <= len(self.values) else ()
        width = len(line)
        made = self.made
        if row not in self.special_rows:  # only plain values here (__post_init__): each found by its value
            values = [line[c - 1] if 0 < c <= width else "" for c in columns]
            return [made.get(v) or self._make(v, row, c) for v, c in zip(values, columns, strict=True)]
        special = self.cells.special
        return [
            special[(row, c)] if (row, c) in special else made.get(v) or self._make(v, row, c)
            for c in columns
            for v in (line[c - 1] if 0 < c <= width else "",)
        ]

    def _make(self, value: Any, row: int, column: int) -> RawCell:
        """row()'s cell of a value; equal values make equal cells (1.0 and 1 both RawCell(1)), and nothing changes a
        RawCell, so each is made once (half of a long list's cells are blank, many the same few texts)."""
        kind = type(value)
        if kind is float:
            raw = RawCell(int(value) if value.is_integer() else value, "General")
        elif kind is int:
            raw = RawCell(value, "General")
        elif kind is str:
            raw = RawCell(value, "General", error=value.strip() in EXCEL_ERRORS) if value else BLANK
        else:
            return self.cell(row, column)
        self.made[value] = raw
        return raw


@dataclass
class CalamineWorkbook(SourceWorkbook):
    """A SourceWorkbook whose form sheets' cells come from calamine; ``book`` is None (no openpyxl), a sheet the form
    does not read is loaded with openpyxl if a template's layout asks for it."""

    names: list[str] = field(default_factory=list)
    grids: dict[str, SheetGrid] = field(default_factory=dict)
    sheets: dict[str, GridSheet] = field(default_factory=dict)
    reader: str = "calamine"

    @property
    def sheet_names(self) -> list[str]:
        return list(self.names)

    def sheet(self, name: str) -> Any:
        if name in self.sheets:
            return self.sheets[name]
        return self._load_late(name) if name in self.skipped else None

    def cell(self, ws: Any, row: int, column: int) -> RawCell:
        if type(ws) is GridSheet:
            return ws.grid.cell(row, column)
        return super().cell(ws, row, column)

    def row(self, ws: Any, row: int, columns: Sequence[int]) -> list[RawCell]:
        if type(ws) is GridSheet:
            return ws.grid.row(row, columns)
        return super().row(ws, row, columns)

    def filled(self, ws: Any) -> dict[int, list[int]]:
        return ws.grid.filled if type(ws) is GridSheet else super().filled(ws)


def open_calamine(path: Path, shown: str, skip: dict[str, str], package: Package | None = None) -> CalamineWorkbook:
    """The workbook read as described above; raises Unusual for one to read with openpyxl alone. ``package``: the
    parts as check_package inflated them, where it kept them."""
    members, parts = _members(path, skip, package)
    for name, data in members.items():
        # ("!" first: a byte's search is the fastest pass there is, and a workbook's parts seldom hold one)
        if name.endswith(XML_MEMBERS) and b"!" in data and (b"<!DOCTYPE" in data or b"<!ENTITY" in data):
            raise Unusual(f"DTD in {name}")  # openpyxl (defusedxml) refuses it with its own message
    if any(member not in members for member in parts.values()):
        raise Unusual("a listed sheet's part is missing")
    form = {name: member for name, member in parts.items() if name not in skip}
    for name, member in form.items():
        if _far_rows(members[member]):
            raise Unusual(f"sheet {name} is sparse")  # found before any parsing: the fallback costs nothing extra
    check_strings(members.get(STRINGS_PART))
    styles = Styles.of(read_parts(members, parts, form))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl's parser, for a rare cell, warns in English
        cells = {name: read_sheet_cells(members[member], styles) for name, member in form.items()}
    for name, found in cells.items():
        if found.max_row * found.max_column > 4 * found.count + SPARSE_CELLS:
            raise Unusual(f"sheet {name} is sparse")  # calamine would hold its whole extent in memory
    values = _calamine_values(path, list(form))
    source = CalamineWorkbook(path=path, display=shown, book=None, skipped=skip, names=styles.parts.sheet_names)
    for name in form:
        found = cells[name]
        ranges = [CellRange(*merged) for merged in found.merged]
        source.grids[name] = SheetGrid(values[name], found, _erased(ranges))
        source.sheets[name] = GridSheet(name, MergedRanges(set(ranges)), source.grids[name])
        if found.formulas:
            source.formula_cells[name] = found.formulas
    return source


def _members(path: Path, skip: dict[str, str], package: Package | None) -> tuple[dict[str, bytes], dict[str, str]]:
    """Every member's bytes (b"" for a sheet left unparsed) and the worksheets by name."""
    unused = set(skip.values())  # never decompressed: read_unused checked their prologs for a DTD
    if package is not None and all(name in package.parts or name in unused for name in package.names):
        return {name: b"" if name in unused else package.parts[name] for name in package.names}, package.sheets
    try:  # (a sheet the form does not read, yet not left unparsed: one whose prolog holds a DTD)
        with zipfile.ZipFile(path) as z:
            members = {i.filename: b"" if i.filename in unused else z.read(i.filename) for i in z.infolist()}
            return members, worksheet_parts(z)
    except MemoryError:
        raise  # the job's budget, not a damaged package
    except Exception as e:  # a damaged package: the openpyxl path names the damage
        raise Unusual("package") from e


def _erased(ranges: list[CellRange]) -> frozenset[tuple[int, int]]:
    """The cells openpyxl empties: each merged range's but its first (package.py bounded their number)."""
    return frozenset(
        (r, c)
        for m in ranges
        for r in range(m.min_row, m.max_row + 1)
        for c in range(m.min_col, m.max_col + 1)
        if (r, c) != (m.min_row, m.min_col)
    )


def _far_rows(xml: bytes) -> bool:
    """A last row far beyond the number of rows (a stray cell at row 1,048,576), from the bytes alone."""
    at = xml.rfind(b'<row r="')
    end = xml.find(b'"', at + 8) if at >= 0 else -1
    number = xml[at + 8 : end]
    if end < 0 or not number.isdigit() or int(number) <= SPARSE_CELLS:
        return False  # never far, however few the rows: the rows are not counted (a pass over 18 MB)
    return int(number) > 4 * xml.count(b"<row ") + SPARSE_CELLS


def _calamine_values(path: Path, names: list[str]) -> dict[str, list[list[Any]]]:
    try:
        with python_calamine.CalamineWorkbook.from_path(str(path)) as book:
            return {name: book.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in names}
    except (KeyboardInterrupt, SystemExit, MemoryError, DeadlineReached):
        raise  # an interruption or the job's budget, not calamine's trouble
    except BaseException as e:  # a Rust panic arrives as PanicException, a BaseException
        raise Unusual(f"calamine: {type(e).__name__}") from e
