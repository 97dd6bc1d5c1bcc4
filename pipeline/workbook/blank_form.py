"""Write the blank standard workbook (``genreport init``), entirely from the schema."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import tempfile
from collections.abc import Iterator
from contextvars import ContextVar
from copy import copy
from pathlib import Path
from typing import Literal

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet import _writer as openpyxl_writer
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from ..model import schema
from ..model.schema import FIRST_DATA_ROW, HEADER_ROW, TITLE_ROW, FormSheet, Kind, ListSheet
from ..outfile import atomic_save, scratch_beside
from ..template.layout import STANDARD, Layout

# rows of a list sheet its dropdowns and rules cover: all the form reads. Formats are the columns' (one <col> each),
# so an empty row costs nothing: the file holds no cell the clerk did not fill
LIST_ROWS = schema.MAX_SHEET_ROWS

_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")
_HINT_FILL = PatternFill("solid", fgColor="EDEDED")  # grey: a reference column, nothing to fill in
_HELP_FONT = Font(color="808080", size=9)
_WRAP = Alignment(wrap_text=True, vertical="top")

NUMBER_FORMATS = {
    Kind.MONEY: "0.00",
    Kind.DECIMAL: "0.00",
    Kind.INT: "0",
    Kind.YEAR: "0",
    Kind.PERCENT: "0.00%",
    Kind.DATE: 'yyyy"年"m"月"d"日"',
    Kind.CODE: "@",
    Kind.TEXT: "@",
}


def kind_description(f: schema.Field, money_sheet: bool) -> str:
    if f.kind is Kind.MONEY:
        return "金额（万元，可在第1行改为元）" if money_sheet else "金额（万元）"
    return f"{f.kind.value}（参考列）" if f.hint else str(f.kind.value)


def create_workbook(
    year: int | None = None, layout: Layout = STANDARD, template: str | None = None, *, hints: bool = False
) -> Workbook:
    """The blank form as an openpyxl Workbook (also the base of the sample workbook): the sheets of a template's
    layout (its 一级指标 choices and its own tables), naming the template in 基本信息 when it is not the default.
    ``hints``: with the reference columns (上年实际完成值) a rolled-over workbook fills; a new unit has none."""
    wb = Workbook()
    guide = wb.active
    assert guide is not None
    guide.title = schema.GUIDE_SHEET
    _write_guide(guide, layout, hints)
    for sheet in layout.all_sheets:
        ws = wb.create_sheet(sheet.name)
        _write_title(ws, sheet)
        if isinstance(sheet, FormSheet):
            _write_form(ws, sheet)
        else:
            _write_list(ws, sheet, hints)
    if layout.fields:
        _prefill_fields(wb[schema.CUSTOM_FIELDS.name], layout)
    if year is not None:
        basic = wb[schema.BASIC.name]
        basic[schema.form_cell(schema.BASIC, "year", "value")] = year
    if template is not None:
        wb[schema.BASIC.name][schema.form_cell(schema.BASIC, "template", "value")] = template
    return wb


def save_workbook(path: Path, wb: Workbook) -> None:
    """Write ``wb`` to ``path`` atomically; openpyxl's temporary sheets live in a folder beside ``path`` that is
    removed after, so a kill leaves nothing in the system's temporary folder."""
    with scratch_beside(path) as folder, openpyxl_temp_in(folder):
        atomic_save(path, wb.save)


# openpyxl writes each sheet to a NamedTemporaryFile in the system's temporary folder and removes it at exit, which a
# kill skips. Its one factory is replaced, once, by one that uses the folder openpyxl_temp_in sets for this thread
# (a context variable), and openpyxl's own where none is set.
_SCRATCH: ContextVar[Path | None] = ContextVar("openpyxl_scratch", default=None)
_OPENPYXL_TEMPORARY = openpyxl_writer.create_temporary_file


def _temporary_file(suffix: str = "") -> str:
    folder = _SCRATCH.get()
    if folder is None:
        return str(_OPENPYXL_TEMPORARY(suffix))
    fd, name = tempfile.mkstemp(suffix=suffix, prefix="openpyxl.", dir=folder)
    os.close(fd)
    openpyxl_writer.ALL_TEMP_FILES.append(name)
    return name


openpyxl_writer.create_temporary_file = _temporary_file


@contextlib.contextmanager
def openpyxl_temp_in(folder: Path) -> Iterator[None]:
    """openpyxl's temporary files, in this thread, in ``folder``."""
    token = _SCRATCH.set(folder)
    try:
        yield
    finally:
        _SCRATCH.reset(token)


def write_blank_workbook(
    path: Path, year: int | None = None, *, force: bool = False, layout: Layout = STANDARD, template: str | None = None
) -> None:
    check_target(path, force=force)
    save_workbook(path, create_workbook(year, layout, template))


def year_in_name(path: Path) -> int | None:
    """inputs/2024.xlsx is the 2024 workbook: the year ``validate`` will hold its 年度 against (E_YEAR_MISMATCH)."""
    years = {int(m) for m in re.findall(r"(?<!\d)((?:19|20)\d{2})(?!\d)", path.stem)}
    return years.pop() if len(years) == 1 else None


def check_target(path: Path, *, force: bool) -> None:
    """Where a new workbook may be written: an .xlsx name, and not over an existing file unless asked."""
    from ..errors import OutputError, display_path

    if path.suffix.lower() != ".xlsx":
        raise OutputError(f"{display_path(path)}：填报模板须保存为 .xlsx 文件")
    try:
        exists = path.exists()
    except OSError:  # a name too long to exist: writing it says so, in Chinese
        exists = False
    if exists and not force:
        raise OutputError(f"{display_path(path)} 已存在；如需覆盖请加 --force")


def _write_title(ws: Worksheet, sheet: schema.Sheet) -> None:
    if sheet.money:
        ws.cell(row=TITLE_ROW, column=1, value=schema.UNIT_LABEL).font = Font(bold=True)
        unit = ws.cell(row=TITLE_ROW, column=2, value=schema.DEFAULT_UNIT)
        unit.border = _BORDER
        dv = _stopping(
            DataValidation(type="list", formula1='"' + ",".join(schema.UNITS) + '"', allow_blank=False),
            "金额单位只能是“万元”或“元”，请从下拉列表中选择。",
        )
        dv.add(unit)
        ws.add_data_validation(dv)
        ws.cell(row=TITLE_ROW, column=3, value=sheet.description).font = _HELP_FONT
    else:
        ws.cell(row=TITLE_ROW, column=1, value=sheet.description).font = _HELP_FONT


def _header(ws: Worksheet, column: int, label: str, width: int, required: bool) -> None:
    cell = ws.cell(row=HEADER_ROW, column=column, value=label)
    cell.font = Font(bold=True)
    cell.fill = _REQUIRED_FILL if required else _HEADER_FILL
    cell.border = _BORDER
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.column_dimensions[get_column_letter(column)].width = width


def _write_form(ws: Worksheet, sheet: FormSheet) -> None:
    label_width = max(len(r.label) for r in sheet.rows) * 2 + 4
    _header(ws, 1, schema.ITEM_HEADER, label_width, True)
    for i, col in enumerate(sheet.columns, start=2):
        _header(ws, i, col.label, 40 if not sheet.money else 14, col.required)
    help_col = len(sheet.columns) + 2
    _header(ws, help_col, schema.HELP_HEADER, 60, False)
    for r, f in enumerate(sheet.rows, start=FIRST_DATA_ROW):
        label_cell = ws.cell(row=r, column=1, value=f.label)
        label_cell.font = Font(bold=f.required)
        label_cell.alignment = Alignment(indent=f.indent)
        label_cell.border = _BORDER
        for c in range(2, help_col):
            value_cell = ws.cell(row=r, column=c)
            value_cell.border = _BORDER
            value_cell.number_format = NUMBER_FORMATS.get(f.kind, "General")
            value_cell.alignment = _WRAP if f.kind is Kind.TEXT else Alignment()
        if not f.choices:
            _guard(ws, f, f"B{r}:{get_column_letter(help_col - 1)}{r}")
        if f.default is not None:
            ws.cell(row=r, column=2, value=float(f.default) if f.kind is Kind.MONEY else f.default)
        note = ("【必填】" if f.required else "") + f.help
        help_cell = ws.cell(row=r, column=help_col, value=note or None)
        help_cell.font = _HELP_FONT
        help_cell.alignment = _WRAP
    ws.freeze_panes = f"B{FIRST_DATA_ROW}"
    _print_setup(ws, label_width + (40 if not sheet.money else 14) * len(sheet.columns) + 60)


def list_columns(sheet: ListSheet, hints: bool) -> tuple[schema.Field, ...]:
    """The columns a list sheet is written with; hint columns are last, so leaving them out moves no other."""
    return tuple(f for f in sheet.columns if hints or not f.hint)


def _write_list(ws: Worksheet, sheet: ListSheet, hints: bool) -> None:
    last = FIRST_DATA_ROW + LIST_ROWS - 1
    for i, f in enumerate(list_columns(sheet, hints), start=1):
        _header(ws, i, f.label, f.width, f.required)
        if f.hint:
            ws.cell(row=HEADER_ROW, column=i).fill = _HINT_FILL
        letter = get_column_letter(i)
        if f.help or f.required:
            ws.cell(row=HEADER_ROW, column=i).comment = Comment(
                ("【必填】" if f.required else "") + (f.help or f.label), "genreport"
            )
        column = ws.column_dimensions[letter]  # what a cell typed in this column takes, in Excel, WPS and Calc
        column.number_format = NUMBER_FORMATS.get(f.kind, "General")
        if f.kind is Kind.TEXT:
            column.alignment = _WRAP
        if f.choices:
            dv = _stopping(
                DataValidation(type="list", formula1='"' + ",".join(f.choices) + '"', allow_blank=True),
                f"“{f.label}”只能从下拉列表中选择：{'、'.join(f.choices)}",
            )
            dv.add(f"{letter}{FIRST_DATA_ROW}:{letter}{last}")
            ws.add_data_validation(dv)
        else:
            _guard(ws, f, f"{letter}{FIRST_DATA_ROW}:{letter}{last}")
    ws.freeze_panes = f"A{FIRST_DATA_ROW}"
    _print_setup(ws, sum(f.width for f in list_columns(sheet, hints)))


def _prefill_fields(ws: Worksheet, layout: Layout) -> None:
    """The template's declared 自定义字段, one row each: name, unit and type written, the value left to the clerk,
    orange where required, and guarded by the declared type (the 值 column as a whole takes any type)."""
    letters = {f.key: get_column_letter(i) for i, f in enumerate(list_columns(schema.CUSTOM_FIELDS, False), 1)}
    for r, declared in enumerate(layout.fields, start=FIRST_DATA_ROW):
        ws[f"{letters['name']}{r}"] = declared.name
        ws[f"{letters['unit']}{r}"] = declared.unit or ("万元" if declared.type == "金额" else None)
        ws[f"{letters['type']}{r}"] = declared.type
        value = ws[f"{letters['content']}{r}"]
        value.number_format = NUMBER_FORMATS.get(schema.CUSTOM_TYPES[declared.type], "General")
        if declared.required and not declared.sum_of:
            value.fill = _REQUIRED_FILL
        note = "【必填】" if declared.required and not declared.sum_of else ""
        if declared.sum_of:
            note += f"为{'＋'.join(declared.sum_of)}之和；留空时自动相加。"
        if note or declared.help:
            value.comment = Comment(note + declared.help, "genreport")
        field = schema.Field(declared.name, declared.name, schema.CUSTOM_TYPES[declared.type], signed=True)
        _guard(ws, field, value.coordinate)


def styled_cell(ws: Worksheet, row: int, column: int) -> Cell:
    """The cell at (row, column) with its column's number format and alignment, as a clerk's typing gets them:
    what openpyxl writes into a list sheet (the sample, a rolled-over workbook) reads back as typed in Excel."""
    cell = ws.cell(row=row, column=column)
    assert isinstance(cell, Cell), "a list sheet's data rows are never merged by the form"
    dimension = ws.column_dimensions[get_column_letter(column)]
    if dimension.has_style:
        cell.number_format = dimension.number_format
        cell.alignment = Alignment(**vars(copy(dimension.alignment)))
    return cell


def _write_guide(ws: Worksheet, layout: Layout, hints: bool) -> None:
    ws.cell(
        row=1,
        column=1,
        value="填报说明：每个工作表的第2行为表头，数据从第3行开始；"
        "金额默认以万元填列，可在该表第1行把金额单位改为“元”（系统自动换算）。"
        "请勿修改表头和“项目”列的文字；浅橙色表头为必填。",
    ).font = Font(bold=True)
    headers = ("工作表", "字段", "类型", "必填", "可选值", "说明")
    widths = (14, 30, 22, 8, 30, 80)
    for i, (h, w) in enumerate(zip(headers, widths, strict=True), start=1):
        _header(ws, i, h, w, False)
    row = FIRST_DATA_ROW
    for entry in guide_entries(layout, hints=hints):
        for i, value in enumerate(entry, start=1):
            guide_cell = ws.cell(row=row, column=i, value=value)
            guide_cell.alignment = _WRAP
            guide_cell.border = _BORDER
        row += 1
    ws.freeze_panes = f"A{FIRST_DATA_ROW}"
    _print_setup(ws, sum(widths))


def guide_entries(layout: Layout = STANDARD, *, hints: bool = True) -> list[tuple[str, str, str, str, str, str]]:
    """One line per field of every sheet: what the 填报说明 sheet and docs/workbook.md list (the docs every
    column, a blank form the columns it has)."""
    out = []
    for sheet in layout.all_sheets:
        if isinstance(sheet, FormSheet):
            fields = sheet.rows
            cols = "、".join(c.label + ("" if c.required else "（可不填）") for c in sheet.columns)
            where = f"填列：{cols}" if len(sheet.columns) > 1 else ""
        else:
            fields, where = list_columns(sheet, hints), ""
        for f in fields:
            required = "是" if f.required else "否"
            note = " ".join(part for part in (f.help, where) if part)
            out.append((sheet.name, f.label, kind_description(f, sheet.money), required, "、".join(f.choices), note))
    for declared in layout.fields:  # the rows of 自定义字段 this template relies on
        required = "是" if declared.required and not declared.sum_of else "否"
        total = f"为{'＋'.join(declared.sum_of)}之和，留空时自动相加。" if declared.sum_of else ""
        note = f"“自定义字段”表中名称为“{declared.name}”的一行的值。{total}{declared.help}"
        unit = f"（{declared.unit}）" if declared.unit else ""
        out.append((schema.CUSTOM_FIELDS.name, declared.name, declared.type + unit, required, "", note))
    return out


# --- a form that guards itself ----------------------------------------------------------------------------------

EPOCH = dt.date(1899, 12, 30)  # serial 1 is 1900-01-01 (Excel's phantom 1900-02-29 lies before our range)

# what a typed cell accepts (Excel's and WPS's own data validation), and what they say when it is refused
_LARGEST = 10**12  # as normalize bounds amounts: no department's figure comes near
_DATES = ((dt.date(1990, 1, 1) - EPOCH).days, (dt.date(2100, 12, 31) - EPOCH).days)  # Excel's serial numbers


def _stopping(dv: DataValidation, message: str) -> DataValidation:
    """The rule enforced, not merely noted: Excel and WPS refuse the value and show ``message``."""
    dv.showErrorMessage = True
    dv.errorStyle = "stop"
    dv.errorTitle = "填写有误"
    dv.error = message
    return dv


_Kind = Literal["whole", "decimal", "date"]


def _rule(f: schema.Field) -> tuple[_Kind, object, object, str] | None:
    """(type, minimum, maximum, message) of the values a field's cells accept; None for text."""
    lowest = -_LARGEST if f.signed else 0
    sign = "" if f.signed else "，不能为负数"
    if f.kind is Kind.MONEY:
        return "decimal", lowest, _LARGEST, f"“{f.label}”应填数字（金额，单位见本表第1行），不能填文字{sign}。"
    if f.kind in (Kind.DECIMAL, Kind.PERCENT):
        return "decimal", lowest, _LARGEST, f"“{f.label}”应填数字，不能填文字{sign}。"
    if f.kind is Kind.INT:
        return "whole", 0, _LARGEST, f"“{f.label}”应填整数（如 12），不能填文字或小数，不能为负数。"
    if f.kind is Kind.YEAR:
        return "whole", 1990, 2100, f"“{f.label}”应填四位数的年份，如 2022。"
    if f.kind is Kind.DATE:
        return "date", _DATES[0], _DATES[1], f"“{f.label}”应填日期，如 2023-03-31（1990 至 2100 年之间）。"
    return None


def _guard(ws: Worksheet, f: schema.Field, ref: str) -> None:
    rule = _rule(f)
    if rule is None:
        return
    kind, lowest, highest, message = rule
    dv = _stopping(
        DataValidation(type=kind, operator="between", formula1=str(lowest), formula2=str(highest), allow_blank=True),
        message,
    )
    dv.add(ref)
    ws.add_data_validation(dv)


def _print_setup(ws: Worksheet, width: int) -> None:
    """A4, every column on the page (scaled to its width), the header rows repeated on every page."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if width > 110 else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = f"{TITLE_ROW}:{HEADER_ROW}"
    ws.print_options.gridLines = False
