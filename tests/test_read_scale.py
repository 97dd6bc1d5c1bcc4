"""Reading costs what the data holds, not the sheet's extent (issue 9 §5): a stray cell at row 1,048,576, a big
sheet the form does not use, and the checks over many rows. Work is bounded by counting, never by timing."""

from __future__ import annotations

import random
import statistics
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.checks.common import flagged
from pipeline.checks.lists import _medians_of_others
from pipeline.errors import InputError
from pipeline.findings import codes
from pipeline.findings.collector import Findings
from pipeline.model import schema
from pipeline.model.record import Place
from pipeline.session import inspect
from pipeline.workbook.calamine import CalamineWorkbook
from pipeline.workbook.normalize import normalize
from pipeline.workbook.reader import RawCell, SourceWorkbook, open_workbook
from pipeline.workbook.unused import worksheet_parts

from .conftest import SAMPLE

LAST_ROW = 1_048_576
Editor = Callable[[openpyxl.Workbook], None]


def _made(tmp_path: Path, edit: Editor, name: str = "edited.xlsx") -> Path:
    wb = openpyxl.load_workbook(SAMPLE)
    edit(wb)
    path = tmp_path / name
    wb.save(path)
    return path


def _asked_rows(monkeypatch: pytest.MonkeyPatch) -> dict[str, set[int]]:
    """Every row the reader asks a cell of, by sheet."""
    asked: dict[str, set[int]] = {}
    original = SourceWorkbook.cell

    def cell(self: SourceWorkbook, ws: Worksheet, row: int, column: int) -> RawCell:
        asked.setdefault(ws.title, set()).add(row)
        return original(self, ws, row, column)

    monkeypatch.setattr(SourceWorkbook, "cell", cell)
    return asked


def _keys(path: Path) -> list[tuple[str, str, str, str]]:
    return [(f.code, f.sheet, f.cell, f.message) for f in inspect(path).findings]


def test_a_stray_cell_at_the_last_row_is_reported_and_nothing_between_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def stray(wb: openpyxl.Workbook) -> None:
        wb["支出明细"].cell(LAST_ROW, 1).value = "x"
        wb[schema.KPIS.name].cell(LAST_ROW, 2).value = "产出指标"
        wb["收支预决算"].cell(LAST_ROW, 1).value = "备注"

    path = _made(tmp_path, stray)
    # calamine would hold the sheet's whole extent (a million rows) in memory: openpyxl reads it, cell by cell
    assert open_workbook(path).fallback.startswith("sheet ") and "sparse" in open_workbook(path).fallback
    normal = set(_keys(SAMPLE))
    asked = _asked_rows(monkeypatch)
    found = _keys(path)
    added = [f for f in found if f not in normal]
    # reported as stray data is wherever it stands: a row of the list, an unknown row of the form
    assert ("E_CODE", "支出明细", f"A{LAST_ROW}", "科目编码应为 3、5 或 7 位数字，实际为“x”") in added
    assert ("E_REQUIRED", "支出明细", f"B{LAST_ROW}", "“科目名称”为必填项，未填写") in added
    assert ("E_REQUIRED", schema.KPIS.name, f"A{LAST_ROW}", "“所属项目”为必填项，未填写") not in added  # optional
    assert any(f[1:3] == (schema.KPIS.name, f"C{LAST_ROW}") and f[0] == "E_REQUIRED" for f in added)
    assert ("W_UNKNOWN_ROW", "收支预决算", f"A{LAST_ROW}") in {f[:3] for f in added}
    read = [(f.code, f.sheet, f.cell, f.message) for f in normalize(open_workbook(path)).findings]
    sample = [(f.code, f.sheet, f.cell, f.message) for f in normalize(open_workbook(SAMPLE)).findings]
    assert [f for f in read if not f[2].endswith(str(LAST_ROW))] == sample
    for sheet in ("支出明细", schema.KPIS.name, "收支预决算"):
        past_data = {r for r in asked[sheet] if 400 < r < LAST_ROW}
        assert not past_data, (sheet, sorted(past_data)[:5])
        assert LAST_ROW in asked[sheet]
    assert sum(len(rows) for rows in asked.values()) < 2000


def test_a_sheet_the_form_does_not_read_is_not_parsed(tmp_path: Path) -> None:
    def scratch(wb: openpyxl.Workbook) -> None:
        ws = wb.create_sheet("草稿")
        for r in range(1, 2001):
            ws.cell(r, 1).value = r

    path = _made(tmp_path, scratch)
    source = open_workbook(path)
    assert source.reader == "calamine"
    assert "草稿" in source.sheet_names and "草稿" in source.skipped
    assert schema.GUIDE_SHEET in source.skipped
    assert isinstance(source, CalamineWorkbook) and "草稿" not in source.grids  # never parsed, nor read by calamine
    found = [(f.code, f.sheet, f.cell, f.message) for f in inspect(path).findings]
    assert found == [("W_EXTRA_SHEET", "草稿", "", "不是标准工作表，已忽略"), *_keys(SAMPLE)]


def test_a_sheet_left_unparsed_is_read_when_a_layout_asks_for_it(tmp_path: Path) -> None:
    def scratch(wb: openpyxl.Workbook) -> None:
        ws = wb.create_sheet("绿化项目")
        ws["A2"], ws["B2"], ws["A3"], ws["B3"] = "项目", "投资", "行道树", 12.5
        ws["C3"] = "=B3*2"

    source = open_workbook(_made(tmp_path, scratch))
    assert source.reader == "calamine"  # the form's sheets; the template's own is loaded with openpyxl on demand
    ws = source.sheet("绿化项目")
    assert ws is not None
    assert source.cell(ws, 3, 1).value == "行道树"
    assert source.cell(ws, 3, 2).value == 12.5
    assert source.cell(ws, 3, 3).formula_without_value  # openpyxl saves no result: still detected
    assert source.filled(ws) == {2: [1, 2], 3: [1, 2, 3]}


def test_an_unused_sheet_declaring_entities_is_still_refused(tmp_path: Path) -> None:
    import zipfile

    path = _made(tmp_path, lambda wb: wb.create_sheet("草稿"))
    with zipfile.ZipFile(path) as z:
        members = {i.filename: z.read(i.filename) for i in z.infolist()}
        part = worksheet_parts(z)["草稿"]
    members[part] = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>'
    )
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    with pytest.raises(InputError, match="不安全的 XML 实体"):
        open_workbook(path)


def test_the_median_of_the_others_is_statistics_median_for_each() -> None:
    rng = random.Random(9)
    for n in (3, 4, 5, 10, 51):
        for _ in range(20):
            values = [
                (
                    f"p{i}",
                    Decimal(rng.choice(["1", "1.0", "1.00", "2.5", "3", str(rng.randint(1, 9999))])),
                    Place("s", f"A{i}"),
                )
                for i in range(n)
            ]
            expected = [Decimal(statistics.median([v for _, v, p in values if p != place])) for _, _, place in values]
            got = _medians_of_others(values)
            assert [str(g) for g in got] == [str(e) for e in expected]


def test_flagged_sees_findings_added_after_it_was_first_asked() -> None:
    out = Findings("f.xlsx")
    place = Place("项目", "C3")
    assert not flagged(out, place)
    out.add(codes.W_UNIT_SUSPECT, "项目", "C4", "…")
    assert not flagged(out, place)
    out.add(codes.W_UNIT_SUSPECT, "项目", "C3", "…")
    assert flagged(out, place)
    assert not flagged(out, place, codes.W_SUM_MISMATCH)


def test_the_parts_the_package_check_keeps_are_those_the_reader_would_inflate(tmp_path: Path) -> None:
    """The package check keeps what it inflates, for the calamine reader to read nothing twice: every member as
    ZipFile.read gives it but the sheets the form does not read (a scratch sheet is never held in memory)."""
    import zipfile

    from pipeline.workbook.calamine import open_calamine
    from pipeline.workbook.package import check_package
    from pipeline.workbook.reader import FORM_SHEETS
    from pipeline.workbook.unused import unused_parts

    def scratch(wb: openpyxl.Workbook) -> None:
        ws = wb.create_sheet("草稿")
        for r in range(1, 201):
            ws.cell(r, 1).value = r

    path = _made(tmp_path, scratch)
    with zipfile.ZipFile(path) as z:
        package = check_package(z, path.name, FORM_SHEETS, keep=True)
        skip = unused_parts(z, FORM_SHEETS, package.sheets)
        unread = {member for name, member in package.sheets.items() if name not in FORM_SHEETS}
        assert "草稿" in skip and unread
        assert package.names == [i.filename for i in z.infolist()]
        assert package.parts == {i.filename: z.read(i.filename) for i in z.infolist() if i.filename not in unread}
    assert open_calamine(path, path.name, skip, package) == open_calamine(path, path.name, skip)


def test_counting_in_chunks_counts_what_the_whole_holds() -> None:
    """package.Counted, fed a part in chunks of every size (a needle across two or more chunks), counts each
    needle's occurrences in the whole, as the limits require."""
    from pipeline.workbook.package import Counted

    rng = random.Random(19)
    for _ in range(2000):
        data = bytes(rng.choice(b"<:rowc/ x") for _ in range(rng.randint(0, 60)))
        for needles in [(b"<row", b":row"), (b"<c", b":c"), (b"<",), (b"</",), (b"<si", b":si")]:
            counted, at = Counted(needles), 0
            while at < len(data):
                size = rng.randint(0, 7)
                counted.feed(data[at : at + size])
                at += size
            assert counted.count == sum(data.count(n) for n in needles), (data, needles)


def test_the_ranges_counted_in_chunks_are_those_of_the_whole() -> None:
    from pipeline.workbook.package import Areas

    rng = random.Random(20)
    tags = [b'<mergeCell ref="A1:B2"/>', b'<x:hyperlink ref="C3:C9"/>', b"<row>", b"text", b'<mergeCell ref="D4"/>']
    for _ in range(500):
        data = b"".join(rng.choice(tags) for _ in range(rng.randint(0, 12)))
        whole = Areas()
        whole.feed(data)
        expected = whole.finish()
        chunked, at = Areas(), 0
        while at < len(data):
            size = rng.randint(1, 9)
            chunked.feed(data[at : at + size])
            at += size
        assert chunked.finish() == expected, data
