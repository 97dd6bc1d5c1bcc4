"""A list sheet's columns converted at once (normalize.read_list, issue 19) read as the cell-by-cell loop they
replace: the same values, totals and findings in the same order, for every case of the reader equivalence corpus
(samples, bad workbooks, fuzz mutations); and each column kind's quick conversion is its converter's answer, or
leaves the cell to the converter (_SLOW) where the converter makes a finding or changes the value."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from pipeline.errors import InputError, WorkbookInvalid
from pipeline.findings import codes
from pipeline.findings.collector import Findings
from pipeline.model import schema
from pipeline.model.schema import Kind, ListSheet
from pipeline.session import Profiles, chosen_profile
from pipeline.workbook import normalize as normalize_module
from pipeline.workbook.cells import BLANK, RawCell
from pipeline.workbook.declared import computed_when_blank, is_total_row
from pipeline.workbook.normalize import _SLOW, INVALID, ListValues, RawRecord, _SheetReader, normalize
from pipeline.workbook.reader import open_workbook

from .test_reader_equivalence import _cases


def _read_list_before(self: _SheetReader, sheet: ListSheet) -> ListValues:
    """read_list as it was before its columns were converted at once (commit eae57fa), every cell but a blank one
    through its field's converter (quick left the others to it, or answered as it does)."""
    out = ListValues(sheet, unit=self.unit)
    headers = self.header_map()
    columns = self.columns(headers, sheet.columns, lambda f: f"第2行缺少必填列“{f.label}”" if f.required else None)
    out.letters.update((key, normalize_module.get_column_letter(c)) for key, c in columns.items())
    self.unknown(headers, set(columns.values()), [f.label for f in sheet.columns], rows=False)
    ordered = sorted(sheet.columns, key=lambda f: f.kind_from is not None)
    fixed = {f.key: self.converter(f, None) for f in ordered if f.key in columns and f.kind_from is None}
    unread = self.merged_over_rows(sheet, columns)
    numbers = list(columns.values())
    at = {key: i for i, key in enumerate(columns)}
    plan = [(f, f.key, at.get(f.key), fixed.get(f.key), out.letters.get(f.key, "")) for f in ordered]
    merged_rows = {r for r, _ in self.merged}
    for r in self.rows(numbers, merged=False):
        if r in merged_rows:
            cells = [self.raw(r, c) for c in numbers]
            own = [raw for raw, c in zip(cells, numbers, strict=True) if (r, c) not in self.merged]
        else:
            cells = own = self.source.row(self.ws, r, numbers)
        if all(_blank(raw.value) and not raw.formula_without_value for raw in own):
            continue
        values: dict[str, Any] = {}
        for f, key, i, by_column, letter in plan:
            if i is None:
                values[key] = None
                continue
            if unread and (r, numbers[i]) in unread:
                values[key] = None
                continue
            raw, ref = cells[i], f"{letter}{r}"
            if by_column is not None:
                value = None if raw is BLANK else by_column(raw, ref)
            else:
                value = self.convert(raw, *self.typed_by(f, values, ref), ref)
            if value is None and f.required and not computed_when_blank(self.layout, sheet, values):
                self.col.add(codes.E_REQUIRED, sheet.name, ref, f"“{f.label}”为必填项，未填写")
            values[key] = None if value is INVALID else value
        (out.totals if is_total_row(self.layout, sheet, values) else out.records).append(RawRecord(r, values))
    if len(out.records) < sheet.min_rows:
        self.col.add(
            codes.E_EMPTY_SHEET,
            sheet.name,
            "A3",
            f"至少需要填写 {sheet.min_rows} 行（从第3行开始）",
        )
    return out


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _shown(values: ListValues) -> list[Any]:
    def rows(records: list[RawRecord]) -> list[Any]:
        return [(r.row, [(k, type(v), repr(v)) for k, v in r.values.items()]) for r in records]

    return [rows(values.records), rows(values.totals), values.letters, values.unit, values.present]


def _lists(path: Path, reader: str, read: Any) -> Any:
    source = open_workbook(path, reader=reader)
    profile, _ = chosen_profile(source, Profiles().get)
    saved = _SheetReader.read_list
    _SheetReader.read_list = read  # type: ignore[method-assign]
    try:
        data = normalize(source, profile.layout)
    finally:
        _SheetReader.read_list = saved  # type: ignore[method-assign]
    lists = {k: _shown(v) for k, v in (data.lists | {"custom." + k: v for k, v in data.custom.items()}).items()}
    return lists, [(f.code, f.severity, f.sheet, f.cell, f.message) for f in data.findings]


@pytest.mark.parametrize("name", list(_cases()))
def test_columns_read_as_cells_did(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    _cases()[name](path)
    for reader in ("calamine", "openpyxl"):
        try:
            now = _lists(path, reader, _SheetReader.read_list)
        except (InputError, WorkbookInvalid):
            return
        assert now == _lists(path, reader, _read_list_before), reader


_FORMATS = ("General", "0%", "0.00%", "yyyy-mm-dd")
_VALUES: list[Any] = [
    None, "", " ", "201", "20101", "2010101", "0201", " 201", "201 ", "２０１", "2010", "20a", "-201", "²⁰¹", "201\u200b",
    201, 20101, 2010101, 2010, -201, 201.0, 201.5, 0, 0.0, -0.0, -0, 1, -1, 1.5, -1.5, 0.3, 1e-10, 1e12, 999999999999.0,
    1e300, float("nan"), float("inf"), -float("inf"), 10**20, True, False, "1", "1.5", "92%", "约2万", "完成",
    dt.datetime(2023, 3, 31), dt.date(2023, 3, 31), dt.time(12, 0), dt.timedelta(hours=1), "#N/A", "#DIV/0!",
]  # fmt: skip


def _field(kind: Kind, signed: bool) -> schema.Field:
    return schema.Field("x", "某列", kind, signed=signed)


@pytest.mark.parametrize("kind", [Kind.CODE, Kind.DECIMAL, Kind.INT, Kind.NUMBER_OR_TEXT, Kind.MONEY, Kind.TEXT])
@pytest.mark.parametrize("signed", [False, True])
@pytest.mark.parametrize("long", [False, True])
def test_quick_is_the_converters_answer(kind: Kind, signed: bool, long: bool) -> None:
    class Source:
        path, display = Path("x.xlsx"), "x.xlsx"

    reader: Any = object.__new__(_SheetReader)
    reader.sheet, reader.divisor, reader.source = schema.PROJECTS, Decimal(10000), Source()
    field = _field(kind, signed)
    quick = reader.quick(field, long)
    cells = [RawCell(v, fmt, error=isinstance(v, str) and v.startswith("#")) for v in _VALUES for fmt in _FORMATS]
    cells += [RawCell(None, "General", formula_without_value=True), BLANK]
    answered = 0
    for _ in range(2):  # a long column remembers: each answer again after every other
        for raw in cells:
            reader.col = Findings("x.xlsx")
            exact = reader.converter(field, None)(raw, "A3")
            answer = quick(raw)
            if answer is _SLOW:
                continue
            assert not reader.col.items, (raw, answer)
            assert (type(answer), repr(answer)) == (type(exact), repr(exact)), raw
            answered += answer is not None
    assert answered > 8  # the quick path is taken: blank cells aside, a kind's usual values
