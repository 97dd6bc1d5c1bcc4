"""What calamine does not say about an .ods (OpenDocument spreadsheet) workbook, read from its content.xml
(issue 17 §4).

calamine gives an .ods's values only: a percentage as the bare fraction, an error cell (#DIV/0!) as blank, and no
merged ranges. This streams content.xml once (its inflated bytes counted against the package's limit, elements
dropped as they end) and notes, per sheet, the percentage cells, booleans, error values and merged ranges, with
every sheet's stored rows, cells and extent — a value repeated by ``number-columns-repeated`` counts once per cell
it fills — so that a workbook over the form's limits is refused before calamine builds its grid of the sheet.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from .cells import EXCEL_ERRORS

TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
CALCEXT = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_T, _O = f"{{{TABLE}}}", f"{{{OFFICE}}}"
CELL_TAGS = (f"{_T}table-cell", f"{_T}covered-table-cell")
MAX_REPEAT = 1_048_576 * 16_384  # a repeat beyond a sheet's size is damage


class OdsLimit(Exception):
    """Raised when content.xml goes over a limit while it is read; ``what`` says which, in Chinese."""

    def __init__(self, what: str, sheet: str = "") -> None:
        super().__init__(what)
        self.what = what
        self.sheet = sheet


@dataclass
class OdsSheet:
    """One sheet's cells calamine gives otherwise, by (row, column) from 1, its merged ranges and its extent."""

    name: str
    percent: set[tuple[int, int]] = field(default_factory=set)
    booleans: dict[tuple[int, int], bool] = field(default_factory=dict)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # first row, first column, last row, last
    rows: set[int] = field(default_factory=set)
    cells: int = 0
    max_row: int = 0
    max_column: int = 0


@dataclass
class _Counter:
    """content.xml's inflated bytes drawn from a budget while lxml reads them."""

    fh: Any
    left: int

    def read(self, n: int = -1) -> bytes:
        chunk: bytes = self.fh.read(2**16 if n < 0 else min(n, 2**16))
        self.left -= len(chunk)
        if self.left < 0:
            raise OdsLimit("content.xml 解压后超过上限")
        return chunk


def read_ods(z: zipfile.ZipFile, max_bytes: int, max_cells: int) -> list[OdsSheet]:
    """Every sheet of content.xml as above; OdsLimit over ``max_bytes`` inflated or ``max_cells`` stored cells."""
    with z.open("content.xml") as fh:
        return list(_sheets(_Counter(fh, max_bytes), max_cells))


def _sheets(source: _Counter, max_cells: int) -> Iterator[OdsSheet]:
    events = etree.iterparse(
        source,
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
    )
    sheet: OdsSheet | None = None
    depth = 0  # tables inside a cell (a chart's data, a sub-table) are not the sheet's own
    row = repeat_rows = column = 0
    total = 0
    for event, el in events:
        tag = el.tag
        if tag == f"{_T}table":
            if event == "start":
                depth += 1
                if depth == 1:
                    sheet, row = OdsSheet(el.get(f"{_T}name", "")), 0
            else:
                depth -= 1
                if depth == 0 and sheet is not None:
                    yield sheet
                    sheet = None
                el.clear(keep_tail=False)
            continue
        if sheet is None or depth != 1:
            continue
        if tag == f"{_T}table-row":
            if event == "start":
                repeat_rows, column = _repeat(el, "number-rows-repeated"), 0
            else:
                row += repeat_rows
                _drop(el)
        elif tag in CELL_TAGS and event == "end":
            repeat = _repeat(el, "number-columns-repeated")
            if _holds_value(el):
                cells = repeat * repeat_rows
                total += cells
                if total > max_cells:
                    raise OdsLimit("单元格数超过上限", sheet.name)
                for r in range(row + 1, row + repeat_rows + 1):
                    sheet.rows.add(r)
                    for c in range(column + 1, column + repeat + 1):
                        _note(sheet, el, (r, c))
                sheet.cells += cells
                sheet.max_row = max(sheet.max_row, row + repeat_rows)
                sheet.max_column = max(sheet.max_column, column + repeat)
            span_r, span_c = _repeat(el, "number-rows-spanned"), _repeat(el, "number-columns-spanned")
            if tag == CELL_TAGS[0] and (span_r > 1 or span_c > 1):
                sheet.merged.append((row + 1, column + 1, row + span_r, column + span_c))
            column += repeat
            el.clear(keep_tail=False)  # the row drops its cells when it ends


def _drop(el: Any) -> None:
    """An ended row, and the rows before it, gone from the tree: memory stays one row's."""
    el.clear(keep_tail=False)
    parent = el.getparent()
    while parent is not None and el.getprevious() is not None:
        del parent[0]


def _repeat(el: Any, name: str) -> int:
    text = el.get(f"{_T}{name}", "1")
    if not text.isascii() or not text.isdigit() or not 0 < int(text) <= MAX_REPEAT:
        raise OdsLimit(f"{name} 无效")
    return int(text)


def _holds_value(el: Any) -> bool:
    return el.get(f"{_O}value-type") is not None or len(el) > 0


def _note(sheet: OdsSheet, el: Any, at: tuple[int, int]) -> None:
    kind = el.get(f"{_O}value-type")
    if el.get(f"{{{CALCEXT}}}value-type") == "error":
        shown = "".join(el.itertext()).strip()
        sheet.errors[at] = shown if shown in EXCEL_ERRORS else "#VALUE!"
    elif kind == "percentage":
        sheet.percent.add(at)
    elif kind == "boolean":
        sheet.booleans[at] = el.get(f"{_O}boolean-value", "false") == "true"
