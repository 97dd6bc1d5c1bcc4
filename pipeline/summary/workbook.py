"""汇总.xlsx: the overview as a real Excel table (frozen header, filters, number formats, 等级 coloured) and every
finding on a second sheet, rows in input order.

Text from the workbooks (unit names, findings that quote a cell) goes in as text, never as a formula: a unit
named "=HYPERLINK(…)" must not become a live formula in the bureau's file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.formatting.rule import Rule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from ..outfile import atomic_save
from .rows import INDICATORS, Overview, Row

OVERVIEW_SHEET, FINDINGS_SHEET = "汇总", "问题清单"
SCORE, RATE, AMOUNT, WHOLE = "0.00", "0.00%", "#,##0.00", "0"
MAX_TEXT = 32767  # characters Excel keeps in a cell
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # what the XML of a cell cannot hold

# 等级 as a bureau colours them: the fills of Excel's own "good / neutral / bad" cell styles
GRADE_FILLS = {"优": "C6EFCE", "良": "DDEBF7", "中": "FFEB9C", "差": "FFC7CE"}
FAILED_FONT = Font(color="9C0006")

Column = tuple[str, Callable[[Row], Any], str | None, int]  # header, value, number format, width


def _indicator(key: str) -> Callable[[Row], Any]:
    return lambda row: row.indicators.get(key)


OVERVIEW_COLUMNS: tuple[Column, ...] = (
    ("序号", lambda r: None, WHOLE, 6),  # filled with the row's position in the batch
    ("单位名称", lambda r: r.unit, None, 30),
    ("年度", lambda r: r.year, WHOLE, 7),
    ("模板", lambda r: r.template, None, 10),
    ("状态", lambda r: r.status, None, 8),
    ("错误数", lambda r: r.errors, WHOLE, 8),
    ("警告数", lambda r: r.warnings, WHOLE, 8),
    ("总分", lambda r: r.score, SCORE, 8),
    ("等级", lambda r: r.grade, None, 7),
    ("全年预算数（万元）", lambda r: r.adjusted, AMOUNT, 19),
    ("全年执行数（万元）", lambda r: r.actual, AMOUNT, 19),
    *((name, _indicator(key), RATE, 15) for key, name in INDICATORS),
    ("第一处错误", lambda r: r.first_error, None, 50),
    ("工作簿", lambda r: r.file, None, 28),
    ("输出文件", lambda r: "、".join(r.outputs), None, 28),
)
FINDING_COLUMNS = ("序号", "单位名称", "工作簿", "工作表", "单元格", "代码", "级别", "说明")
FINDING_WIDTHS = (6, 30, 28, 14, 9, 22, 6, 80)
SEVERITY = {"error": "错误", "warning": "警告"}


def write_workbook(overview: Overview, path: Path) -> None:
    """Write 汇总.xlsx atomically (a file open in Excel or WPS is refused, never half-written)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has its one sheet
    sheet.title = OVERVIEW_SHEET
    _overview_sheet(sheet, overview)
    _findings_sheet(book.create_sheet(FINDINGS_SHEET), overview.rows)
    atomic_save(path, book.save)


def _overview_sheet(sheet: Worksheet, overview: Overview) -> None:
    rows = [
        [_value(col, row) if i else n for i, col in enumerate(OVERVIEW_COLUMNS)]
        for n, row in enumerate(overview.rows, 1)
    ]
    formats = [col[2] for col in OVERVIEW_COLUMNS]
    _table(sheet, "Overview", [col[0] for col in OVERVIEW_COLUMNS], rows, formats, [col[3] for col in OVERVIEW_COLUMNS])
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A3  # 24 columns: on A4 the figures would print too small
    last = len(rows) + 1
    headers = [col[0] for col in OVERVIEW_COLUMNS]
    grade, status, rate = (get_column_letter(headers.index(h) + 1) for h in ("等级", "状态", "预算执行率"))
    for name, colour in GRADE_FILLS.items():
        fill = PatternFill(start_color=colour, end_color=colour, fill_type="solid")
        sheet.conditional_formatting.add(f"{grade}2:{grade}{last}", _when(f'${grade}2="{name}"', fill=fill))
    failed = _when(f'OR(${status}2="有错误",${status}2="未生成")', font=FAILED_FONT)
    sheet.conditional_formatting.add(f"A2:{get_column_letter(len(headers))}{last}", failed)
    low = _when(f"AND(ISNUMBER(${rate}2),${rate}2<{overview.threshold})", font=Font(color="C65911", bold=True))
    sheet.conditional_formatting.add(f"{rate}2:{rate}{last}", low)
    sheet.freeze_panes = "C2"  # the header and the unit stay in view


def _when(formula: str, *, fill: PatternFill | None = None, font: Font | None = None) -> Rule:
    """A conditional format: the style where the formula (written for the range's first row) holds."""
    return Rule(type="expression", formula=[formula], dxf=DifferentialStyle(fill=fill, font=font))


def _findings_sheet(sheet: Worksheet, rows: Sequence[Row]) -> None:
    lines: list[list[Any]] = []
    for row in rows:
        for f in row.findings:
            lines.append(
                [
                    len(lines) + 1,
                    row.unit,
                    row.file,
                    f.sheet,
                    f.cell,
                    f.code,
                    SEVERITY.get(f.severity, f.severity),
                    f.message,
                ]
            )
        if row.failed and not any(f.severity == "error" for f in row.findings) and row.first_error:
            # what stopped a build that is no finding of the workbook (its template, the disk)
            lines.append([len(lines) + 1, row.unit, row.file, "", "", "", "错误", row.first_error])
    formats: list[str | None] = [WHOLE] + [None] * (len(FINDING_COLUMNS) - 1)
    _table(sheet, "Findings", list(FINDING_COLUMNS), lines, formats, list(FINDING_WIDTHS))
    sheet.freeze_panes = "A2"


def _table(
    sheet: Worksheet,
    name: str,
    headers: list[str],
    rows: list[list[Any]],
    formats: Sequence[str | None],
    widths: Sequence[int],
) -> None:
    """Header and rows as an Excel table (its own filter buttons and banded rows); a table needs a data row, so an
    empty one stands for none."""
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for values in rows or [[None] * len(headers)]:
        sheet.append([_safe(v) for v in values])
        for cell, number_format in zip(sheet[sheet.max_row], formats, strict=True):
            if number_format is not None:
                cell.number_format = number_format
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
    for i, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.row_dimensions[1].height = 30
    ref = f"A1:{get_column_letter(len(headers))}{sheet.max_row}"
    table = Table(displayName=name, ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    sheet.add_table(table)
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1  # every column on the page, as many pages down as the rows need
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)


def _value(column: Column, row: Row) -> Any:
    return column[1](row)


def _safe(value: Any) -> Any:
    if isinstance(value, str):
        return _ILLEGAL.sub("\ufffd", value)[:MAX_TEXT]
    if isinstance(value, Decimal):
        return value  # openpyxl writes a Decimal as the number it is
    return value
