"""Next year's workbook from last year's (``genreport init NEW --from LAST``).

What a department states once stays (基本信息, 部门职责, 内设机构, 人员编制, 决算单位, its template, the names of its
own fields, its projects' names and its indicator definitions); last year's final figures become this year's
上年 columns (every column the schema declares ``prior_of``); everything else is this year's to fill in and starts
blank. LAST is read by the same reader as ``build``, so a broken one is refused with the usual findings: carrying a
wrong figure forward would spread it into a second year. NEW is the blank form of the template, filled in, written
atomically; LAST is only read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl.worksheet.worksheet import Worksheet

from ..errors import UsageError, WorkbookInvalid, display_path
from ..model import schema
from ..model.schema import FIRST_DATA_ROW, TITLE_ROW, FormSheet, Kind, ListSheet
from ..template.layout import CUSTOM_PREFIX, Layout
from ..template.profile import resolve_profile
from .blank_form import check_target, create_workbook, list_columns, save_workbook, styled_cell, year_in_name
from .normalize import FormValues, ListValues, Normalized, normalize
from .reader import open_workbook
from .template_row import chosen_profile

ALL = ("*",)
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")

# List sheets: the columns that describe the department rather than the year, carried as they were. A project's
# identity stays so that the indicators carried with it still name it; its figures and narrative are this year's.
CARRIED_COLUMNS: dict[str, tuple[str, ...]] = {
    "duties": ALL,
    "offices": ALL,
    "staffing": ALL,
    "final_units": ALL,
    "projects": ("name", "unit", "category"),
    "kpis": ("project", "level1", "level2", "level3", "direction", "target", "unit", "points"),
    "custom_fields": ("name", "unit", "type"),
}
# 基本信息 rows that belong to the year: 年度 moves on by one, 报告日期 is this year's to give
BASIC_CLEARED = ("year", "report_date")


@dataclass(frozen=True)
class SheetChange:
    """What rolling over did to one sheet, in the words the CLI prints."""

    sheet: str
    carried: str = ""
    cleared: str = ""


@dataclass
class Rollover:
    last: Path
    new: Path
    last_year: int
    year: int
    template: str | None  # the 模板 row of NEW
    changes: list[SheetChange] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # carried text that may name last year's documents


def roll_over(
    last: Path, new: Path, *, year: int | None = None, template: str | None = None, force: bool = False
) -> Rollover:
    """Write NEW, next year's workbook, from LAST; ``template`` (-t) replaces the one LAST names."""
    if new.resolve() == last.resolve():
        raise UsageError(f"{display_path(new)}：新工作簿不能与上年工作簿是同一个文件")
    check_target(new, force=force)
    data, layout, named = _read_last(last)
    last_year = data.forms[schema.BASIC.key].get("year", "value")
    assert isinstance(last_year, int), "年度 is required: a workbook without it has errors"
    new_year = _next_year(new, last_year, year)
    if template is not None:
        layout = resolve_profile(template, need_document=False).layout
        named = template if Path(template).name == template else None  # a name, not a path
    wb = create_workbook(new_year, layout, named, hints=True)
    changes = [_roll_sheet(wb[sheet.name], sheet, data) for sheet in layout.all_sheets]
    save_workbook(new, wb)
    return Rollover(last, new, last_year, new_year, named, changes, _dated_text(data, last_year))


def _dated_text(data: Normalized, last_year: int) -> list[str]:
    """评价依据 usually names the year's own notice (“关于开展2023年度…的通知”, 〔2023〕88号): carried word for word, it
    would cite last year's; worth a look, not a guess at this year's. Older years are the laws' and stay."""
    basic = data.forms[schema.BASIC.key]
    text = basic.get("basis", "value")
    found = _YEAR.findall(text) if isinstance(text, str) else []
    years = sorted({y for y in found if int(y) >= last_year})
    if not years:
        return []
    cell = schema.form_cell(schema.BASIC, "basis", "value")
    label = schema.BASIC.row("basis").label
    written = "、".join(years)
    return [f"{schema.BASIC.name}!{cell}“{label}”沿用上年的文字，其中写有 {written}，请核对是否应改为本年的文件"]


def _read_last(path: Path) -> tuple[Normalized, Layout, str | None]:
    """LAST as ``build`` reads it (its own 模板 row chooses the layout); refused, with every error, if broken.
    Returns its values, its layout and the template it names."""
    source = open_workbook(path)
    profile, named = chosen_profile(source, lambda name: resolve_profile(name, need_document=False))
    data = normalize(source, profile.layout)
    if data.errors:
        raise WorkbookInvalid(data.errors)
    return data, profile.layout, named


def _next_year(new: Path, last_year: int, year: int | None) -> int:
    following = last_year + 1
    if year is not None and year != following:
        raise UsageError(f"--year {year} 与上年工作簿的年度 {last_year} 不相接：结转后的年度只能是 {following}")
    in_name = year_in_name(new)
    if in_name is not None and in_name != following:
        raise UsageError(
            f"{display_path(new)}：文件名中的年份 {in_name} 与结转后的年度 {following}（上年 {last_year} + 1）不一致；"
            f"请改用如 {following}.xlsx 的文件名"
        )
    return following


def _roll_sheet(ws: Worksheet, sheet: schema.Sheet, data: Normalized) -> SheetChange:
    if isinstance(sheet, FormSheet):
        form = data.forms.get(sheet.key)
        return _roll_form(ws, sheet, form) if form is not None and form.present else SheetChange(sheet.name)
    if sheet.key.startswith(CUSTOM_PREFIX):
        rows = data.custom.get(sheet.key.removeprefix(CUSTOM_PREFIX))
    else:
        rows = data.lists.get(sheet.key)
    return _roll_list(ws, sheet, rows) if rows is not None and rows.present else SheetChange(sheet.name)


def _roll_form(ws: Worksheet, sheet: FormSheet, values: FormValues) -> SheetChange:
    if sheet.key == schema.BASIC.key:
        return _roll_basic(ws, values)
    _keep_unit(ws, sheet, values.unit)
    moved = cleared = 0
    for column in sheet.columns:
        for row in sheet.rows:
            if column.prior_of is not None:  # last year's own 上年 figures go: the moved ones replace them
                value = values.get(row.key, column.prior_of)
                if value is not None:
                    _put(ws, schema.form_cell(sheet, row.key, column.key), value, _unit(row, values.unit))
                    moved += 1
            elif values.get(row.key, column.key) is not None:
                cleared += 1
    moves = [(_label(sheet, c.prior_of), c.label) for c in sheet.columns if c.prior_of is not None]
    carried = f"上年数 {moved} 项（{'、'.join(f'{a}→{b}' for a, b in moves)}）" if moves and moved else ""
    return SheetChange(sheet.name, carried, f"本年数 {cleared} 项" if cleared else "")


def _roll_basic(ws: Worksheet, values: FormValues) -> SheetChange:
    sheet = schema.BASIC
    column = sheet.columns[0].key
    carried = cleared = 0
    for row in sheet.rows:
        value = values.get(row.key, column)
        if value is None or row.key == "template":  # the 模板 row is the blank form's: LAST's, or -t's
            continue
        if row.key in BASIC_CLEARED:
            cleared += row.key != "year"
            continue
        _put(ws, schema.form_cell(sheet, row.key, column), value, schema.DEFAULT_UNIT)
        carried += 1
    return SheetChange(sheet.name, f"{carried} 项（年度改为下一年）", f"报告日期 {cleared} 项" if cleared else "")


def _roll_list(ws: Worksheet, sheet: ListSheet, values: ListValues) -> SheetChange:
    _keep_unit(ws, sheet, values.unit)
    keep = CARRIED_COLUMNS.get(sheet.key, ())
    fields = {f.key: f for f in sheet.columns}
    columns = {f.key: i for i, f in enumerate(list_columns(sheet, hints=True), start=1)}
    moved = {f.key: f.prior_of for f in sheet.columns if f.prior_of is not None} if keep else {}
    written = cleared = 0
    for record in values.records:
        given = {k: v for k, v in record.values.items() if v is not None and not fields[k].hint}
        carried = {k: v for k, v in given.items() if keep == ALL or k in keep}
        carried |= {k: given[source] for k, source in moved.items() if source in given}
        cleared += len(given.keys() - carried.keys())
        if not carried:
            continue
        for key, value in carried.items():
            cell = styled_cell(ws, FIRST_DATA_ROW + written, columns[key])
            _put(ws, cell.coordinate, value, _unit(fields[key], values.unit))
        written += 1
    return SheetChange(
        sheet.name, _carried_words(sheet, keep, moved, written), _cleared_words(keep, len(values.records), cleared)
    )


def _carried_words(sheet: ListSheet, keep: tuple[str, ...], moved: dict[str, str], rows: int) -> str:
    if not keep or not rows:
        return ""
    if keep == ALL:
        return f"{rows} 行"
    labels = "、".join(sheet.column(k).label for k in keep)
    moves = "".join(f"；{sheet.column(source).label}→{sheet.column(k).label}" for k, source in moved.items())
    return f"{rows} 行的{labels}{moves}"


def _cleared_words(keep: tuple[str, ...], rows: int, cells: int) -> str:
    if not rows:
        return ""
    if not keep:
        return f"{rows} 行"
    return f"{cells} 个单元格" if cells else ""


def _label(sheet: FormSheet, key: str | None) -> str:
    return next(c.label for c in sheet.columns if c.key == key)


def _unit(f: schema.Field, unit: str) -> str:
    """Only an amount is written in its sheet's unit; a count or a 分值 is the same in 元 and 万元."""
    return unit if f.kind is Kind.MONEY else schema.DEFAULT_UNIT


def _keep_unit(ws: Worksheet, sheet: schema.Sheet, unit: str) -> None:
    """A department that keeps a sheet in 元 keeps it so: its figures are written back in 元."""
    if sheet.money and unit != schema.DEFAULT_UNIT:
        ws.cell(row=TITLE_ROW, column=2, value=unit)


def _put(ws: Worksheet, ref: str, value: Any, unit: str) -> None:
    cell = ws[ref]
    cell.value = _excel(value, unit)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text that looks like a formula stays the text it was


def _excel(value: Any, unit: str) -> Any:
    """A typed value as a cell holds it: an amount back in its sheet's unit, a number as a number."""
    if not isinstance(value, Decimal):
        return value
    scaled = value * schema.UNITS[unit]
    if scaled == scaled.to_integral_value():
        return int(scaled)
    as_float = float(scaled)
    return as_float if Decimal(str(as_float)) == scaled else scaled
