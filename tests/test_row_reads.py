"""A list's rows read at once (SourceWorkbook.row, calamine's SheetGrid.row) give the cells read one by one, and the
text converter's one-search path leaves nothing uncleaned (issue 19 §4: 20,000 projects are 240,000 cells)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from pipeline.errors import InputError
from pipeline.workbook.calamine import GridSheet
from pipeline.workbook.convert import _to_text
from pipeline.workbook.reader import open_workbook

from .test_reader_equivalence import _cases


@pytest.mark.parametrize("name", list(_cases()))
def test_a_row_reads_as_its_cells(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    _cases()[name](path)
    for reader in ("calamine", "openpyxl"):
        try:
            source = open_workbook(path, reader=reader)
        except InputError:
            return
        for sheet in source.sheet_names:
            ws = source.sheet(sheet)
            if ws is None:
                continue
            filled = source.filled(ws)
            width = max((cs[-1] for cs in filled.values() if cs), default=0) + 2
            columns = [*range(1, width + 1), 2, 1]  # any order, a column twice
            for r in [0, 1, *filled, max(filled, default=0) + 1]:
                assert source.row(ws, r, columns) == [source.cell(ws, r, c) for c in columns], (sheet, r)
            if type(ws) is GridSheet:
                assert ws.grid.odd_rows or ws.grid.special_rows or not (ws.grid.erased or ws.grid.cells.special)


# every kind of character _to_text removes, decodes or rewrites: the one-search path must not pass over any
UNCLEAN = [
    "_x000D_",
    "a_x0041_b",
    "\r\n",
    "\r",
    "\ud83d",
    "a\u200db",
    "\u200c",
    *map(chr, [*range(0, 9), 11, 12, *range(14, 32), *range(0x7F, 0xA0)]),
    *"\u200b\u200e\u200f\u202a\u202e\u2060\u2064\u2066\u2069\ufdd0\ufdef\ufeff\ufffe\uffff",
]


@pytest.mark.parametrize("text", UNCLEAN, ids=lambda t: t.encode("unicode_escape").decode())
def test_text_with_what_the_converter_cleans_is_cleaned(text: str) -> None:
    cleaned, fixes = _to_text(f" 测{text}试 ", "General", Decimal(1))
    assert fixes or cleaned != f"测{text}试"


@pytest.mark.parametrize("text", ["测试", "  两端空格 ", "a\nb", "a\tb", "x-1", "(括号)", "emoji 👨\u200d👩", "_"])
def test_plain_text_is_only_trimmed(text: str) -> None:
    assert _to_text(text, "General", Decimal(1)) == (text.strip(), [])
