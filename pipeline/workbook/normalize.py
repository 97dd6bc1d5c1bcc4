"""Turn raw cells into typed values, following the schema, collecting every problem on the way.

Nothing here stops at the first problem: a user fixes a workbook in one sitting
only if told everything at once.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from dataclasses import fields as dataclass_fields
from decimal import Decimal
from itertools import repeat
from operator import is_
from typing import Any, cast

from .. import cache
from ..findings import codes
from ..findings.collector import Finding, Findings
from ..model import schema
from ..model.record import CustomRow, Form, Record, Table
from ..model.records import LINES, RECORDS, Report
from ..model.schema import FIRST_DATA_ROW, HEADER_ROW, TITLE_ROW, Field, FormSheet, Kind, ListSheet
from ..template.layout import STANDARD, Layout
from .convert import CONVERTERS, WrongValue, plain_code, plain_money, shown, unclean
from .declared import check_declared_fields, computed_when_blank, declared_field, is_total_row
from .formats import column_letter as get_column_letter
from .formats import is_date_format
from .reader import RawCell, SourceWorkbook
from .stored import beyond_dates

HEADER_REF = f"{HEADER_ROW}:{HEADER_ROW}"  # the whole header row, in A1 notation
_FIGURES = (Decimal, int)  # the values that can be negative
INVALID = object()  # a cell that held something unusable; its finding is already recorded
_SLOW = object()  # a cell a column's quick conversion leaves to its converter


@dataclass
class FormValues:
    sheet: FormSheet
    unit: str = schema.DEFAULT_UNIT
    values: dict[tuple[str, str], Any] = field(default_factory=dict)
    refs: dict[tuple[str, str], str] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)  # the sheet row each field was found on
    present: bool = True

    def get(self, row: str, column: str) -> Any:
        return self.values.get((row, column))


@dataclass
class RawRecord:
    row: int
    values: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.values.get(key)


@dataclass
class ListValues:
    sheet: ListSheet
    unit: str = schema.DEFAULT_UNIT
    records: list[RawRecord] = field(default_factory=list)
    letters: dict[str, str] = field(default_factory=dict)
    present: bool = True
    totals: list[RawRecord] = field(default_factory=list)  # rows the template declares totals (小计, 合计)

    def ref(self, record: RawRecord, key: str) -> str:
        return f"{self.letters.get(key, '?')}{record.row}"


@dataclass
class Normalized:
    display: str
    forms: dict[str, FormValues] = field(default_factory=dict)
    lists: dict[str, ListValues] = field(default_factory=dict)
    custom: dict[str, ListValues] = field(default_factory=dict)  # the template's own tables, by key
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    def report(self, *, blocked: bool = False) -> Report:
        """The typed model, built by keyword from the schema's keys; only when no finding is an error, so every
        required value is there. ``blocked``: built all the same, each cell an error was found in left blank (for
        the warnings that can be checked beside the errors, checks/blocked.py), never to be rendered."""
        assert blocked or not self.errors, "the model is built from a workbook without structural errors"
        sheets: dict[str, object] = {key: _form_record(values) for key, values in self.forms.items()}
        sheets |= {key: _table(values) for key, values in self.lists.items()}
        custom = {key: _custom_rows(values) for key, values in self.custom.items()}
        totals = {
            values.sheet.key: _custom_rows(values, values.totals)
            for values in (*self.lists.values(), *self.custom.values())
            if values.totals
        }
        return Report(
            source=self.display,
            custom_tables=custom,
            total_rows=totals,
            **sheets,  # type: ignore[arg-type]
        )


def _form_record(values: FormValues) -> Form:
    sheet, cls = values.sheet, cast(Any, RECORDS[values.sheet.key])
    if len(sheet.columns) == 1:
        column = sheet.columns[0].key
        fields = {f.key: values.get(f.key, column) for f in sheet.rows}
        cells = {f.key: values.refs.get((f.key, column), "") for f in sheet.rows}
        return cls(**fields, cells=cells, unit=values.unit, present=values.present)  # type: ignore[no-any-return]
    lines = {
        f.key: LINES[sheet.key](
            **{c.key: values.get(f.key, c.key) for c in sheet.columns},
            cells={c.key: values.refs.get((f.key, c.key), "") for c in sheet.columns},
            row=values.rows.get(f.key, 0),
        )
        for f in sheet.rows
    }
    return cls(**lines, unit=values.unit, present=values.present)  # type: ignore[no-any-return]


def _table(values: ListValues) -> Table[Record]:
    cls = cast(Any, RECORDS[values.sheet.key])
    letters = list(values.letters.items())
    own = _own_fields(cls)
    made: list[Record] = []
    for rec in values.records:  # _record and _cells inline for the usual record (a bench report's ~340)
        number, given = str(rec.row), rec.values
        cells = {key: letter + number for key, letter in letters}
        if own is not None and tuple(given) == own:  # its fields alone, read in their order: set at once
            record = _new_object(cls)
            state = record.__dict__
            state["row"], state["cells"] = rec.row, cells
            state.update(given)
            made.append(record)
        else:
            made.append(_record(cls, own, rec, cells))
    return Table(values.sheet, tuple(made), values.unit, dict(values.letters), values.present)


_new_object = object.__new__


_OWN_FIELDS: dict[type, tuple[str, ...] | None] = {}


def _own_fields(cls: type) -> tuple[str, ...] | None:
    """A record class's fields after row and cells, in order; None where _record must call its __init__ (a
    __post_init__, or fields in another order)."""
    if cls not in _OWN_FIELDS:
        names = tuple(f.name for f in dataclass_fields(cls))
        plain = names[:2] == ("row", "cells") and not hasattr(cls, "__post_init__")
        _OWN_FIELDS[cls] = names[2:] if plain else None
    return _OWN_FIELDS[cls]


def _record(cls: Any, own: tuple[str, ...] | None, rec: RawRecord, cells: dict[str, str]) -> Record:
    """``cls(**rec.values, row=rec.row, cells=cells)``, as its __init__ leaves it (each field set in its order), but
    without a frozen dataclass's object.__setattr__ per field: 20,000 projects × 14 fields."""
    given = rec.values
    if own is None or len(given) != len(own) or not all(map(given.__contains__, own)):
        return cast(Record, cls(**given, row=rec.row, cells=cells))  # raises as it always did
    record = object.__new__(cls)
    state = record.__dict__
    state["row"], state["cells"] = rec.row, cells
    for name in own:
        state[name] = given[name]
    return cast(Record, record)


def _custom_rows(values: ListValues, records: list[RawRecord] | None = None) -> tuple[CustomRow, ...]:
    letters = list(values.letters.items())
    return tuple(
        CustomRow(sheet=values.sheet.name, values=dict(rec.values), row=rec.row, cells=_cells(letters, rec.row))
        for rec in (values.records if records is None else records)
    )


def _cells(letters: list[tuple[str, str]], row: int) -> dict[str, str]:
    """Each column's cell on ``row`` (the row number written once, not once per column: 20,000 rows × 12)."""
    number = str(row)
    return {key: letter + number for key, letter in letters}


EXTRA_SHEETS_LISTED = 5  # extra sheets named one by one; more are counted in one line


def normalize(source: SourceWorkbook, layout: Layout = STANDARD) -> Normalized:
    out = Normalized(source.display)
    col = Findings(source.display)
    known = {s.name for s in layout.all_sheets} | {schema.GUIDE_SHEET}
    extra = [name for name in source.sheet_names if name not in known]
    for name in extra[:EXTRA_SHEETS_LISTED]:
        col.add(codes.W_EXTRA_SHEET, name, "", "不是标准工作表，已忽略")
    if len(extra) > EXTRA_SHEETS_LISTED:  # a workbook of 200 scratch sheets gets one line for the rest, not 195
        rest = extra[EXTRA_SHEETS_LISTED:]
        named = "、".join(f"“{shown(name)}”" for name in rest[:3]) + ("等" if len(rest) > 3 else "")
        col.add(codes.W_EXTRA_SHEET, "", "", f"另有 {len(rest)} 张不是标准工作表（{named}），已忽略")
    for sheet in layout.all_sheets:
        ws = source.sheet(sheet.name)
        if ws is None:
            if sheet.required or (isinstance(sheet, FormSheet) and _renamed(source, sheet.name)):
                # an optional form renamed by a slip ("资产 ") holds data the user meant to give: not an absence
                col.add(codes.E_SHEET_MISSING, sheet.name, "", f"缺少工作表“{sheet.name}”")
            elif isinstance(sheet, ListSheet) and not sheet.announce_missing:
                pass
            elif sheet in layout.custom:
                col.add(codes.W_SHEET_MISSING, sheet.name, "", f"未找到模板自定义的工作表“{sheet.name}”，按空表处理")
            elif isinstance(sheet, FormSheet):
                col.add(
                    codes.W_SHEET_MISSING, sheet.name, "", f"未找到工作表“{sheet.name}”，按未填写处理，报告中不写这部分"
                )
            else:
                col.add(codes.W_SHEET_MISSING, sheet.name, "", f"未找到工作表“{sheet.name}”，按空表处理")
        reader = _SheetReader(source, ws, sheet, col, layout) if ws is not None else None
        if isinstance(sheet, FormSheet):
            out.forms[sheet.key] = reader.read_form(sheet) if reader else FormValues(sheet, present=False)
        elif sheet in layout.custom:
            key = sheet.key.removeprefix("custom.")
            out.custom[key] = reader.read_list(sheet) if reader else ListValues(sheet, present=False)
        else:
            out.lists[sheet.key] = reader.read_list(sheet) if reader else ListValues(sheet, present=False)
    _unique_keys(out, col)
    fields = out.lists.get(schema.CUSTOM_FIELDS.key) or ListValues(schema.CUSTOM_FIELDS)
    check_declared_fields(fields.records, fields.letters, layout, col)
    _year_matches_file_name(out, col)
    out.findings = col.items
    return out


def _renamed(source: SourceWorkbook, name: str) -> bool:
    """A sheet whose name differs from ``name`` only in spaces or full-width forms."""
    return any(other != name and _norm(other) == _norm(name) for other in source.sheet_names)


def named_template(source: SourceWorkbook) -> tuple[str, str] | None:
    """The template a workbook names in 基本信息 (模板) and its cell, read before the layout is known (the template
    decides the layout)."""
    ws = source.sheet(schema.BASIC.name)
    if ws is None:
        return None
    label = _norm(schema.BASIC.row("template").label)
    for r in _rows_with(source.filled(ws), (1,)):
        if _norm(_text(source.cell(ws, r, 1).value)) == label:
            value = _text(source.cell(ws, r, 2).value)
            return (value, f"B{r}") if value else None
    return None


# sheet, the columns that identify a row, how a message names the key ({0}, {1}: the key's parts)
_UNIQUE: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("functions", ("code",), "科目编码“{0}”"),
    ("projects", ("name",), "项目名称“{0}”"),
    ("project_funds", ("project", "source"), "项目“{0}”的资金来源“{1}”"),
    ("custom_fields", ("name",), "自定义字段“{0}”"),
)


def _unique_keys(out: Normalized, col: Findings) -> None:
    """A key given twice makes parents, totals and links to projects ambiguous."""
    for sheet_key, columns, describe in _UNIQUE:
        values = out.lists.get(sheet_key)
        if values is None or not set(columns) <= set(values.letters):
            continue
        seen: dict[tuple[str, ...], int] = {}
        for rec in values.records:
            key: tuple[Any, ...] = tuple(map(rec.values.get, columns))  # rec[c] of each column
            if None in key:
                continue
            if key in seen:
                what = describe.format(*(shown(k) for k in key))
                col.add(
                    codes.E_DUPLICATE_KEY,
                    values.sheet.name,
                    values.ref(rec, columns[-1]),
                    f"{what}重复（第{seen[key]}行已有）",
                )
            else:
                seen[key] = rec.row


_YEAR_IN_NAME = re.compile(r"(?<!\d)(19|20)\d{2}(?!\d)")


def _year_matches_file_name(out: Normalized, col: Findings) -> None:
    """inputs/2022.xlsx holding 年度 2023 is last year's workbook copied forward and half edited."""
    basic = out.forms.get(schema.BASIC.key)
    year = basic.get("year", "value") if basic else None
    if not isinstance(year, int):
        return
    stem = re.sub(r"\.[^.]*$", "", out.display.replace("\\", "/").rsplit("/", 1)[-1])
    years = {int(m.group(0)) for m in _YEAR_IN_NAME.finditer(stem)}
    if len(years) == 1 and year not in years:
        col.add(
            codes.E_YEAR_MISMATCH,
            schema.BASIC.name,
            basic.refs[("year", "value")] if basic else "",
            f"年度为 {year}，与文件名中的年份 {years.pop()} 不一致",
        )


class _SheetReader:
    def __init__(
        self, source: SourceWorkbook, ws: Any, sheet: schema.Sheet, col: Findings, layout: Layout = STANDARD
    ) -> None:
        """``ws``: openpyxl's worksheet, or the calamine reader's (calamine.GridSheet): its title and merged ranges."""
        self.layout = layout
        self.source = source
        self.ws = ws
        self.sheet = sheet
        self.col = col
        # each merged range whose top-left cell holds something, clipped to the cells holding values: a range past
        # them copies its value only into rows nothing else is in (blank, skipped), and A1:XFD1048576 is 17e9 cells
        filled = source.filled(ws)
        # A1 reference, first row, first column, last row, last column
        self.ranges: list[tuple[str, int, int, int, int]] = []
        self.merged: dict[tuple[int, int], tuple[int, int]] = {}
        merged = ws.merged_cells.ranges
        if merged:  # the extent of the values, for the ranges alone (most sheets have none)
            last_row = max(filled, default=0)
            last_column = max((cs[-1] for cs in filled.values() if cs), default=0)
        for rng in merged:
            if rng.min_col not in filled.get(rng.min_row, ()):
                continue  # nothing to copy: every cell of it reads blank
            bottom, right = min(rng.max_row, last_row), min(rng.max_col, last_column)
            self.ranges.append((rng.coord, rng.min_row, rng.min_col, bottom, right))
            for r in range(rng.min_row, bottom + 1):
                for c in range(rng.min_col, right + 1):
                    if (r, c) != (rng.min_row, rng.min_col):
                        self.merged[(r, c)] = (rng.min_row, rng.min_col)
        self._beyond_dates: dict[str, str] | None = None
        self.divisor = Decimal(1)
        self.unit = schema.DEFAULT_UNIT
        if sheet.money:
            self._read_unit()

    def raw(self, row: int, column: int) -> RawCell:
        row, column = self.merged.get((row, column), (row, column))
        return self.source.cell(self.ws, row, column)

    def _read_unit(self) -> None:
        label = _text(self.raw(TITLE_ROW, 1).value)
        value = _text(self.raw(TITLE_ROW, 2).value)
        if _norm(label) != _norm(schema.UNIT_LABEL):
            self.col.add(
                codes.E_UNIT_MISSING,
                self.sheet.name,
                "A1",
                f"第1行应为金额单位（A1 填“{schema.UNIT_LABEL}”，B1 选“万元”或“元”）",
            )
            return
        if not value:
            self.col.add(codes.W_UNIT_BLANK, self.sheet.name, "B1", "金额单位未填写，按“万元”处理")
            return
        if value not in schema.UNITS:
            self.col.add(codes.E_UNIT, self.sheet.name, "B1", f"金额单位应为“万元”或“元”，实际为“{shown(value)}”")
            return
        self.unit = value
        self.divisor = Decimal(schema.UNITS[value])

    def rows(self, columns: Iterable[int], *, merged: bool) -> list[int]:
        """The data rows (ascending) where one of ``columns`` holds a value, or with ``merged`` is covered by a
        merged range: every row whose cells in ``columns`` can read as other than blank, and no row past the data."""
        wanted = set(columns)
        rows = set(_rows_with(self.source.filled(self.ws), wanted))
        if merged:
            rows |= {r for r, c in self.merged if c in wanted and r >= FIRST_DATA_ROW}
        return sorted(rows)

    def header_map(self) -> dict[str, int]:
        found: dict[str, int] = {}
        columns = set(self.source.filled(self.ws).get(HEADER_ROW, ()))
        columns |= {c for r, c in self.merged if r == HEADER_ROW}
        for c in sorted(columns):
            label = _norm(_text(self.raw(HEADER_ROW, c).value))
            if label and label not in found:
                found[label] = c
        return found

    def find(self, found: dict[str, int], label: str) -> int | None:
        """The column (or row) of a label, or of the first of the template's aliases for it that is present."""
        return next((found[n] for n in map(_norm, self.layout.labels(self.sheet, label)) if n in found), None)

    def unknown(self, found: dict[str, int], used: set[int], known: list[str], *, rows: bool) -> None:
        """Warn of every label nothing reads: a renamed or added column or row is never dropped silently."""
        for label, index in found.items():
            if index in used:
                continue
            if rows:
                ref, what = f"A{index}", "行"
                hint = "；本部门自己的数据请填到“自定义字段”表"
            else:
                ref, what = f"{get_column_letter(index)}{HEADER_ROW}", "列"
                hint = ""
            original = _text(self.raw(*((index, 1) if rows else (HEADER_ROW, index))).value)
            close = difflib.get_close_matches(label, [_norm(k) for k in known], n=1, cutoff=0.5)
            if close:
                label_of = {_norm(k): k for k in known}
                hint = f"；您是否要写“{label_of[close[0]]}”？"
            self.col.add(
                codes.W_UNKNOWN_ROW if rows else codes.W_UNKNOWN_COLUMN,
                self.sheet.name,
                ref,
                f"未知的{what}“{shown(original)}”，已忽略{hint}",
            )

    def columns(
        self,
        headers: dict[str, int],
        fields: Sequence[Any],
        missing: Callable[[Any], str | None],
        fallback: int | None = None,
    ) -> dict[str, int]:
        """Each field's column, found by its header (or an alias); one not found is reported in the words
        ``missing`` gives it (None: an optional column, silently absent), or takes ``fallback``."""
        found: dict[str, int] = {}
        for f in fields:
            c = self.find(headers, f.label)
            if c is None:
                c = fallback
            if c is None:
                message = missing(f)
                if message:
                    self.col.add(codes.E_COLUMN_MISSING, self.sheet.name, HEADER_REF, message)
                continue
            found[f.key] = c
        return found

    def read_form(self, sheet: FormSheet) -> FormValues:
        out = FormValues(sheet, unit=self.unit)
        headers = self.header_map()
        columns = self.columns(
            headers,
            sheet.columns,
            lambda vc: f"第{HEADER_ROW}行缺少列“{vc.label}”",
            fallback=2 if len(sheet.columns) == 1 else None,  # a one-column form needs no exact header
        )
        helps = {c for label, c in headers.items() if label == _norm(schema.HELP_HEADER)}
        self.unknown(headers, {1, *columns.values(), *helps}, [c.label for c in sheet.columns], rows=False)
        rows: dict[str, int] = {}
        for r in self.rows((1,), merged=True):
            label = _norm(_text(self.raw(r, 1).value))
            if label:
                rows.setdefault(label, r)
        found_at = {f.key: self.find(rows, f.label) for f in sheet.rows}  # each field's row, found once
        found_rows = set(found_at.values())
        self.unknown(rows, {r for r in found_rows if r is not None}, [f.label for f in sheet.rows], rows=True)
        blank_required: list[tuple[Field, schema.ValueColumn, str]] = []
        given: set[tuple[str, str]] = set()  # cells holding something, usable or not
        value_cells = {
            (at_row, at_column): (f, vc)
            for f in sheet.rows
            if (at_row := found_at[f.key]) is not None
            for vc in sheet.columns
            if (at_column := columns.get(vc.key)) is not None
        }
        unread = self.merged_over_fields(sheet, value_cells)
        for f in sheet.rows:
            found = found_at[f.key]
            if found is None and f.may_be_absent:
                continue
            if found is None:
                self.col.add(codes.E_ROW_MISSING, sheet.name, "A:A", f"A列缺少“{f.label}”行（请勿修改“项目”列的文字）")
                continue
            r = out.rows[f.key] = found
            convert = self.converter(f, None)  # the field's, for each of its columns
            for vc in sheet.columns:
                c = columns.get(vc.key)
                if c is None:
                    continue
                ref = f"{get_column_letter(c)}{r}"
                if (r, c) in unread:  # its merged range is reported; unusable, as a cell with a wrong value is
                    given.add((f.key, vc.key))
                    out.values[(f.key, vc.key)], out.refs[(f.key, vc.key)] = None, ref
                    continue
                value = convert(self.raw(r, c), ref)
                if value is not None:
                    given.add((f.key, vc.key))
                if value is None and f.default is not None:
                    value = convert(RawCell(f.default, "General"), ref)
                if value is None and f.required and vc.required:
                    blank_required.append((f, vc, ref))
                out.values[(f.key, vc.key)] = None if value is INVALID else value
                out.refs[(f.key, vc.key)] = ref
        if not sheet.required and not given:
            out.present = False  # a unit without such data: no figures, and nothing is required of it
            return out
        missing = [(f, vc, ref) for f, vc, ref in blank_required if not self.computable(out, given, f, vc)]
        reported = {(f.key, vc.key) for f, vc, _ in missing}
        for f, vc, ref in missing:
            self.required_missing(out, given, f, vc, ref, reported)
        return out

    def figures(self, out: FormValues, given: set[tuple[str, str]], column: str) -> dict[str, Decimal | None]:
        """One column's figures as derive will compute them (``schema.column_figures``). An unusable cell counts as
        given: its own error is reported, and a total's would only repeat it."""
        stated = {
            row: value if isinstance(value, Decimal) else Decimal(0) if (row, c) in given else None
            for (row, c), value in out.values.items()
            if c == column
        }
        return schema.column_figures(out.sheet, stated)

    def computable(self, out: FormValues, given: set[tuple[str, str]], f: Field, vc: schema.ValueColumn) -> bool:
        """A blank required value is still there when it is a total its parts (or a difference its terms) give."""
        if not out.sheet.parts(f.key) and f.difference is None:
            return False
        return self.figures(out, given, vc.key)[f.key] is not None

    def required_missing(
        self,
        out: FormValues,
        given: set[tuple[str, str]],
        f: Field,
        vc: schema.ValueColumn,
        ref: str,
        reported: set[tuple[str, str]],
    ) -> None:
        """E_REQUIRED for a blank required value; for a total, which of its parts would compute it. A total whose
        missing part is itself reported is not: filling that part in fixes both."""
        sheet = out.sheet
        what = f"“{f.label}”" if len(sheet.columns) == 1 else f"“{f.label}”的“{vc.label}”"
        parts = sheet.parts(f.key)
        figures = self.figures(out, given, vc.key)
        named = [p for p in parts if figures[p.key] is not None]
        missing = [p for p in parts if figures[p.key] is None]
        if any((p.key, vc.key) in reported for p in missing):
            return
        if parts and named:
            self.col.add(
                codes.E_REQUIRED,
                sheet.name,
                ref,
                f"{what}未填写，其组成项只填了{_labels(named)}，缺{_labels(missing)}（没有的填 0），无法合计",
            )
        elif parts:
            self.col.add(
                codes.E_REQUIRED,
                sheet.name,
                ref,
                f"{what}为必填项，未填写；也可填写其组成项{_labels(parts)}，由系统合计",
            )
        else:
            self.col.add(codes.E_REQUIRED, sheet.name, ref, f"{what}为必填项，未填写")

    def read_list(self, sheet: ListSheet) -> ListValues:
        out = ListValues(sheet, unit=self.unit)
        headers = self.header_map()
        columns = self.columns(
            headers, sheet.columns, lambda f: f"第{HEADER_ROW}行缺少必填列“{f.label}”" if f.required else None
        )
        out.letters.update((key, get_column_letter(c)) for key, c in columns.items())
        self.unknown(headers, set(columns.values()), [f.label for f in sheet.columns], rows=False)
        ordered = sorted(sheet.columns, key=lambda f: f.kind_from is not None)  # a 类型 before its 值
        # a column of one kind converts every row alike: its converter is chosen here, once
        fixed = {f.key: self.converter(f, None) for f in ordered if f.key in columns and f.kind_from is None}
        unread = self.merged_over_rows(sheet, columns)
        numbers = list(columns.values())
        at = {key: i for i, key in enumerate(columns)}
        # each field: its key, place in a row's cells (None: no such column), converter (None: by its row's 类型), the
        # converter of its usual cells (quick), column letter
        rows = self.rows(numbers, merged=False)
        long = len(rows) > _LONG_LIST
        plan = [
            (f, f.key, at.get(f.key), fixed.get(f.key), self.quick(f, long), out.letters.get(f.key, ""))
            for f in ordered
        ]
        found, cells_of = self.data_rows(rows, numbers)
        # each column's usual cells converted at once: quick() makes no finding, so a column converted before its
        # rows are walked is what each cell converted on its row was; what quick leaves (_SLOW: a finding may come
        # of it) and a blank required cell are done field by field on their row, in the order they always were
        n = len(found)
        blank = [None] * n
        converted = [
            list(map(quick, [cells[i] for cells in cells_of])) if i is not None and by_column is not None else blank
            for _f, _key, i, by_column, quick, _letter in plan
        ]
        by_field = self.by_field_rows(plan, found, converted, unread, numbers)
        keys = [key for _f, key, *_ in plan]
        total = self.layout.total_row(sheet)  # None: no row of this sheet is a total (most sheets)
        for j, (r, quicked) in enumerate(zip(found, zip(*converted, strict=True), strict=True)):
            if j in by_field:
                values = self.row_values(sheet, plan, r, cells_of[j], quicked, unread, numbers)
            else:
                values = dict(zip(keys, quicked, strict=True))
            if total is not None and is_total_row(self.layout, sheet, values):
                out.totals.append(RawRecord(r, values))
            else:
                out.records.append(RawRecord(r, values))
        if len(out.records) < sheet.min_rows:
            self.col.add(
                codes.E_EMPTY_SHEET,
                sheet.name,
                f"A{FIRST_DATA_ROW}",
                f"至少需要填写 {sheet.min_rows} 行（从第{FIRST_DATA_ROW}行开始）",
            )
        return out

    def data_rows(self, rows: list[int], numbers: list[int]) -> tuple[list[int], list[list[RawCell]]]:
        """The rows of ``rows`` that are not blank, and each one's cells in ``numbers``. A merged cell reads as its
        range's first; blank separator rows (merged cells reaching into them included) are harmless."""
        found: list[int] = []
        cells_of: list[list[RawCell]] = []
        merged, merged_rows, row = self.merged, {r for r, _ in self.merged}, self.source.row
        for r in rows:
            if r in merged_rows:
                cells = [self.raw(r, c) for c in numbers]
                own = [raw for raw, c in zip(cells, numbers, strict=True) if (r, c) not in merged]
            else:  # no merged range reaches into the row: its cells read at once
                cells = own = row(self.ws, r, numbers)
            for raw in own:  # the first cell holding something ends the test (a row's first, most often)
                value = raw.value
                if raw.formula_without_value or not (value is None or (isinstance(value, str) and not value.strip())):
                    break
            else:
                continue
            found.append(r)
            cells_of.append(cells)
        return found, cells_of

    def by_field_rows(
        self,
        plan: list[tuple[Field, str, int | None, Any, Callable[[RawCell], Any], str]],
        found: list[int],
        converted: list[list[Any]],
        unread: set[tuple[int, int]],
        numbers: list[int],
    ) -> set[int]:
        """The rows (their places in ``found``) to read field by field: a cell quick left (_SLOW), a required cell
        read blank, a cell under a merged range reported, a 自定义字段 value typed by its row; others are their
        quick values as they stand."""
        rows: set[int] = set()
        for (f, _key, i, by_column, _quick, _letter), column in zip(plan, converted, strict=True):
            if i is None:
                continue
            if by_column is None:  # typed by its row's 类型
                return set(range(len(found)))
            # by identity, in C: ``in`` would compare each Decimal with == (an ABC isinstance test each)
            if any(map(is_, column, repeat(_SLOW))):
                rows.update(j for j, value in enumerate(column) if value is _SLOW)
            if f.required and any(map(is_, column, repeat(None))):
                rows.update(j for j, value in enumerate(column) if value is None)
        if unread:
            covered = {r for r, _ in unread}
            rows.update(j for j, r in enumerate(found) if r in covered)
        return rows

    def row_values(
        self,
        sheet: ListSheet,
        plan: list[tuple[Field, str, int | None, Any, Callable[[RawCell], Any], str]],
        r: int,
        cells: list[RawCell],
        quicked: tuple[Any, ...],
        unread: set[tuple[int, int]],
        numbers: list[int],
    ) -> dict[str, Any]:
        """One row's values field by field, each cell's finding made in the fields' order; ``quicked``: each field's
        quick value (read_list converted the columns at once)."""
        values: dict[str, Any] = {}
        for (f, key, i, by_column, _quick, letter), quick_value in zip(plan, quicked, strict=True):
            if i is None:
                values[key] = None
                continue
            if unread and (r, numbers[i]) in unread:
                values[key] = None  # its merged range is reported
                continue
            raw = cells[i]
            ref = f"{letter}{r}"
            if by_column is not None:
                value = quick_value
                if value is not _SLOW:
                    if value is not None or not f.required:
                        values[key] = value
                        continue
                else:
                    value = by_column(raw, ref)
            else:  # a 自定义字段 value takes its kind from its row's 类型
                value = self.convert(raw, *self.typed_by(f, values, ref), ref)
            if value is None and f.required and not computed_when_blank(self.layout, sheet, values):
                self.col.add(codes.E_REQUIRED, sheet.name, ref, f"“{f.label}”为必填项，未填写")
            values[key] = None if value is INVALID else value
        return values

    def merged_over_fields(
        self, sheet: FormSheet, cells: dict[tuple[int, int], tuple[Field, schema.ValueColumn]]
    ) -> set[tuple[int, int]]:
        """E_MERGED_CELLS for each merged range that would copy one cell's value into another field of a form (each
        row of a form is a field of its own: no merge over two of them means anything); returns the value cells such
        ranges cover, which are not read."""
        unread: set[tuple[int, int]] = set()
        for ref, top, left, bottom, right in self.ranges:
            covered = [
                (r, c)
                for r in range(top, bottom + 1)
                for c in range(left, right + 1)
                if (r, c) in cells and (r, c) != (top, left)
            ]
            if not covered:
                continue
            unread.update(covered)
            one = len(sheet.columns) == 1
            named = "".join(
                f"“{cells[at][0].label}”" if one else f"“{cells[at][0].label}”的“{cells[at][1].label}”"
                for at in sorted(covered, key=lambda at: (at[1], at[0]))[:3]
            )
            more = "等" if len(covered) > 3 else ""
            self.col.add(
                codes.E_MERGED_CELLS,
                self.sheet.name,
                ref,
                f"{named}{more}与其他单元格合并在一起，无法确定它的值；请取消合并，分别填写",
            )
        return unread

    def merged_over_rows(self, sheet: ListSheet, columns: dict[str, int]) -> set[tuple[int, int]]:
        """E_MERGED_CELLS for each merged range that would copy one value into the figures, dates or codes of other
        records (B3:B5 over three projects' 总造价), or a label of the header rows into the data; returns the data
        cells such ranges cover, which are not read. Text merged down over rows (所属项目, 章节) stays each row's."""
        by_column = {c: sheet.column(key) for key, c in columns.items()}
        unread: set[tuple[int, int]] = set()
        for ref, top, left, bottom, right in self.ranges:
            covered = [
                (r, c)
                for r in range(max(top, FIRST_DATA_ROW), bottom + 1)
                for c in range(left, right + 1)
                if c in by_column and (r, c) != (top, left)
            ]
            columns_covered = sorted({c for _, c in covered})  # named in the sheet's order
            figures = [
                by_column[c] for c in columns_covered if by_column[c].kind is not Kind.TEXT or by_column[c].kind_from
            ]
            if not covered or not (figures or top < FIRST_DATA_ROW):
                continue
            unread.update(covered)
            labels = _labels(figures or [by_column[c] for c in columns_covered])
            if top < FIRST_DATA_ROW:
                message = f"合并单元格从第{top}行一直合并到了第{FIRST_DATA_ROW}行以下的数据行，{labels}的值无法确定"
            elif bottom > top:
                message = f"{labels}的单元格合并跨了 {bottom - top + 1} 行（第{top}至{bottom}行），无法确定每一行的值"
            else:
                message = f"{labels}与同一行的其他单元格合并在一起，无法确定各列的值"
            self.col.add(codes.E_MERGED_CELLS, self.sheet.name, ref, f"{message}；请取消合并，分别填写")
        return unread

    def beyond_dates(self) -> dict[str, str]:
        """The numbers of this sheet's date-formatted cells that openpyxl reads as #VALUE! (stored.py), read once."""
        if self._beyond_dates is None:
            self._beyond_dates = beyond_dates(self.source.path, self.ws.title)
        return self._beyond_dates

    def typed_by(self, f: Field, values: dict[str, Any], ref: str) -> tuple[Field, Decimal | None]:
        """A 自定义字段 value takes its kind from the 类型 of its row, and a 金额 its divisor from its 单位."""
        if f.kind_from is None:
            return f, None
        declared = declared_field(self.layout, values.get("name"))
        typed = values.get(f.kind_from) or (declared.type if declared else "")
        kind = schema.CUSTOM_TYPES.get(typed, f.kind)
        divisor = None
        if kind is schema.Kind.MONEY:
            unit = values.get("unit") or schema.DEFAULT_UNIT
            if unit not in schema.UNITS:
                self.col.add(codes.E_UNIT, self.sheet.name, ref, f"金额的单位应为“万元”或“元”，实际为“{shown(unit)}”")
            divisor = Decimal(schema.UNITS.get(unit, 1))
        return replace(f, kind=kind), divisor

    def convert(self, raw: RawCell, f: Field, divisor: Decimal | None, ref: str) -> Any:
        """The typed value of one cell: None when blank, INVALID (finding recorded) when unusable."""
        return self.converter(f, divisor)(raw, ref)

    def quick(self, f: Field, long: bool = False) -> Callable[[RawCell], Any]:
        """The conversion of a column's usual cells, which convert without a finding: a blank one, an amount (a float
        or int within bounds) and a text with nothing to clean; _SLOW for any other, which ``converter`` takes.
        ``long``: a long list's column, whose repeated values are worth remembering."""
        plain = _quick(f.kind, f.choices, f.signed, self.divisor)
        if not long or f.kind is Kind.NUMBER_OR_TEXT:  # a KPI value's answer is its format's too (“92%”)
            return plain
        # a column's values repeat (a status, a category, the same amount): each converts once. The answer is the
        # value's alone, by kind (1 and 1.0 are equal keys, so each kind has its own), but for a zero, whose sign
        # Decimal keeps.
        done: dict[type, dict[Any, Any]] = {float: {}, int: {}, str: {}}

        def quick(raw: RawCell) -> Any:
            value = raw.value
            known = done.get(type(value))
            if known is None or raw.error or raw.formula_without_value:
                return plain(raw)
            found = known.get(value)
            if found is None:
                found = plain(raw)
                if found is not _SLOW and found is not None and value:
                    known[value] = found
            return found

        return quick

    def converter(self, f: Field, divisor: Decimal | None) -> Callable[[RawCell, str], Any]:
        """The conversion of the cells of one field, chosen once for a column (issue 19 §4): its kind's converter,
        divisor, sign and choices are looked up here, not per cell."""
        name, col, label, signed, choices = self.sheet.name, self.col, f.label, f.signed, f.choices
        to_kind = CONVERTERS[f.kind]
        not_a_date = _NOT_A_DATE.get(f.kind, codes.E_NOT_NUMBER)
        by = self.divisor if divisor is None else divisor

        def convert(raw: RawCell, ref: str) -> Any:
            value = raw.value
            if raw.formula_without_value:
                col.add(
                    codes.E_FORMULA_NO_VALUE,
                    name,
                    ref,
                    "此单元格是公式，但文件中没有保存计算结果（常见于程序生成的文件）；"
                    "请在 Excel 或 WPS 中打开并保存后再试",
                )
                return INVALID
            if raw.error:
                if value == "#VALUE!" and is_date_format(raw.number_format):
                    stored = self.beyond_dates().get(ref)
                    if stored is not None:
                        col.add(
                            not_a_date,
                            name,
                            ref,
                            f"单元格设置了日期格式，其中的数值“{shown(_number_literal(stored))}”超出了日期的范围"
                            "（Excel 中显示为一串“#”）；请把单元格格式改为“常规”，填写正确的值",
                        )
                        return INVALID
                col.add(
                    codes.E_ERROR_VALUE, name, ref, f"单元格为 Excel 错误值“{shown(value)}”，请改正公式或填写实际的值"
                )
                return INVALID
            if value is None or (isinstance(value, str) and not value.strip()):
                return None
            try:
                result, fixes = to_kind(value, raw.number_format, by)
            except WrongValue as e:
                col.add(e.code, name, ref, e.message)
                return INVALID
            for fix in fixes:
                col.add(codes.W_NORMALIZED, name, ref, f"{fix}（原值“{shown(value)}”）")
            if not signed and isinstance(result, _FIGURES) and result < 0:
                col.add(codes.E_NEGATIVE, name, ref, f"“{label}”不能为负数，实际为 {shown(value)}")
                return INVALID
            if choices and result not in choices:
                col.add(codes.E_CHOICE, name, ref, f"应为“{'”“'.join(choices)}”之一，实际为“{shown(result)}”")
                return INVALID
            return result

        return convert


_LONG_LIST = 1000  # rows from which a list's columns remember their conversions (below, a department's few hundred
# rows: the remembering costs more than the repeats save, ~+3 % of normalize measured)


def _quick(kind: Kind, choices: tuple[str, ...], signed: bool, by: Decimal) -> Callable[[RawCell], Any]:
    """_SheetReader.quick without remembering: the quick conversion of a column of ``kind``."""
    if kind is Kind.MONEY and not choices:
        return _quick_money(signed, by)
    if kind is Kind.TEXT:
        return _quick_text(choices)
    if kind is Kind.CODE and not choices:
        return _quick_code
    if kind in _NUMBERS and not choices:
        return _quick_number(kind, signed)
    return _quick_blank


def _quick_blank(raw: RawCell) -> Any:
    """A blank cell (None, as every converter makes of it); _SLOW for any other."""
    if raw.error or raw.formula_without_value or raw.value is not None:
        return _SLOW
    return None


def _quick_money(signed: bool, by: Decimal) -> Callable[[RawCell], Any]:
    """An amount: a float or int within bounds (and not negative, unless ``signed``), divided by ``by``."""

    def quick(raw: RawCell) -> Any:
        if raw.error or raw.formula_without_value:
            return _SLOW
        value = raw.value
        if value is None:
            return None
        kind = type(value)
        if kind is float or kind is int:
            amount = plain_money(value, by)
            if amount is not None and (signed or not amount < 0):
                return amount
        return _SLOW

    return quick


def _quick_text(choices: tuple[str, ...]) -> Callable[[RawCell], Any]:
    """A text with nothing to clean (and one of ``choices``, where the field has them)."""

    def quick(raw: RawCell) -> Any:
        if raw.error or raw.formula_without_value:
            return _SLOW
        value = raw.value
        if value is None:
            return None
        if type(value) is str and not unclean(value):  # plain_text, inline: ~1,000 cells a bench workbook
            typed = value.strip()
            if typed and (not choices or typed in choices):
                return typed
        return _SLOW

    return quick


def _quick_code(raw: RawCell) -> Any:
    """A 科目编码 of plain digits (3, 5 or 7 of them, typed as text or a number)."""
    if raw.error or raw.formula_without_value:
        return _SLOW
    value = raw.value
    if value is None:
        return None
    code = plain_code(value)
    return _SLOW if code is None else code


_NUMBERS = (Kind.DECIMAL, Kind.INT, Kind.NUMBER_OR_TEXT)


def _quick_number(kind: Kind, signed: bool) -> Callable[[RawCell], Any]:
    """A 分值, a count or a KPI value typed as a float or int within bounds (an INT: an int), as a Decimal (a KPI
    value in a %-formatted cell in points, its converter's × 100; an INT as the int), not negative unless ``signed``."""
    whole, points = kind is Kind.INT, kind is Kind.NUMBER_OR_TEXT

    def quick(raw: RawCell) -> Any:
        if raw.error or raw.formula_without_value:
            return _SLOW
        value = raw.value
        if value is None:
            return None
        typed = type(value)
        if typed is int or (typed is float and not whole):
            number = plain_money(value, _ONE)
            if number is not None and (signed or not number < 0):
                if whole:
                    return value
                return number * 100 if points and "%" in raw.number_format else number
        return _SLOW

    return quick


_ONE = Decimal(1)


# the finding for a date-formatted number no date can show, by the kind of value the cell should hold
_NOT_A_DATE = {Kind.DATE: codes.E_NOT_DATE, Kind.TEXT: codes.E_NOT_TEXT, Kind.CODE: codes.E_CODE}


def _number_literal(literal: str) -> float | str:
    """A number as the XML stores it, as a float for shown() (1E+20), or the literal when no float holds it."""
    try:
        return float(literal)
    except ValueError:
        return literal


def _rows_with(filled: dict[int, list[int]], columns: Collection[int]) -> list[int]:
    """The data rows of ``filled`` (ascending) with a value in one of ``columns``."""
    wanted = columns if isinstance(columns, set | frozenset) else set(columns)
    return [r for r, cs in filled.items() if r >= FIRST_DATA_ROW and not wanted.isdisjoint(cs)]


def _labels(fields: list[Field] | tuple[Field, ...]) -> str:
    return "".join(f"“{f.label}”" for f in fields)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _norm(label: str) -> str:
    """Labels compare without regard to full/half-width forms and spaces."""
    if len(label) > _SHORT_LABEL:
        return _SPACES.sub("", unicodedata.normalize("NFKC", label))
    return _short_norm(label)


_SPACES = re.compile(r"\s+")
_SHORT_LABEL = 100  # labels up to this long are remembered (a form's and a header's, a few hundred), a long text not


@functools.lru_cache(maxsize=4096)
def _short_norm(label: str) -> str:
    """_norm of a label, each asked once per process: a form's labels are asked of every workbook, and each
    template label of every sheet thrice (find)."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", label))


@cache.forgets
def forget_labels() -> None:
    """Let go of the labels remembered (some typed by the user): a web job's process takes the next user's job."""
    _short_norm.cache_clear()
