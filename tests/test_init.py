"""genreport init: the blank form carries every sheet, header, dropdown and guide line of the schema."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.datavalidation import DataValidation
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.errors import OutputError
from pipeline.model import schema
from pipeline.model.schema import FIRST_DATA_ROW, HEADER_ROW, FormSheet, ListSheet
from pipeline.workbook.blank_form import guide_entries, write_blank_workbook
from pipeline.workbook.normalize import normalize
from pipeline.workbook.reader import open_workbook

runner = CliRunner()


@pytest.fixture(scope="module")
def blank(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("init") / "blank.xlsx"
    write_blank_workbook(path, 2023)
    return path


def test_every_sheet_in_schema_order(blank: Path) -> None:
    wb = openpyxl.load_workbook(blank)
    assert wb.sheetnames == [schema.GUIDE_SHEET] + [s.name for s in schema.SHEETS]


@pytest.mark.parametrize("sheet", schema.SHEETS, ids=lambda s: s.key)
def test_headers_and_rows_match_the_schema(blank: Path, sheet: schema.Sheet) -> None:
    ws = openpyxl.load_workbook(blank)[sheet.name]
    header = [c.value for c in ws[HEADER_ROW] if c.value is not None]
    if isinstance(sheet, FormSheet):
        assert header == [schema.ITEM_HEADER] + [c.label for c in sheet.columns] + [schema.HELP_HEADER]
        labels = [ws.cell(row=FIRST_DATA_ROW + i, column=1).value for i in range(len(sheet.rows))]
        assert labels == [f.label for f in sheet.rows]
    else:  # a reference column (上年实际完成值) is for a rolled-over workbook only: a new unit has no last year
        assert header == [f.label for f in sheet.columns if not f.hint]
    if sheet.money:
        assert (ws["A1"].value, ws["B1"].value) == (schema.UNIT_LABEL, "万元")


def dropdowns(ws: openpyxl.worksheet.worksheet.Worksheet) -> dict[str, str]:
    """First cell of each list validation → its allowed values."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        if dv.type == "list":
            first = str(dv.sqref).split()[0].split(":")[0]
            out[first] = dv.formula1.strip('"')
    return out


def guards(ws: openpyxl.worksheet.worksheet.Worksheet) -> dict[str, DataValidation]:
    """First cell of each validation → the validation."""
    return {str(dv.sqref).split()[0].split(":")[0]: dv for dv in ws.data_validations.dataValidation}


def test_every_rule_stops_a_wrong_value_with_a_chinese_message(blank: Path) -> None:
    """showErrorMessage off (openpyxl's default) let Excel and WPS take any typed value and never show the hint."""
    wb = openpyxl.load_workbook(blank)
    for ws in wb.worksheets:
        for dv in ws.data_validations.dataValidation:
            assert dv.showErrorMessage and dv.errorStyle == "stop", (ws.title, dv.sqref)
            assert re.search(r"[\u4e00-\u9fff]", dv.error or ""), (ws.title, dv.sqref)


@pytest.mark.parametrize(
    ("sheet", "cell", "kind", "low", "message"),
    [
        (schema.BUDGET, "B3", "decimal", "0", "应填数字（金额，单位见本表第1行），不能填文字，不能为负数"),
        (schema.ASSETS, "B5", "decimal", "-1000000000000", "应填数字（金额，单位见本表第1行），不能填文字。"),  # 净资产
        (schema.STAFFING, "B3", "whole", "0", "应填整数"),
        (schema.BASIC, "B5", "whole", "1990", "应填四位数的年份"),
        (schema.BASIC, "B9", "date", "32874", "应填日期"),
        (schema.PROJECTS, "C3", "decimal", "0", "应填数字（金额"),
    ],
    ids=["amount", "signed-amount", "count", "year", "date", "list-amount"],
)
def test_typed_cells_accept_only_their_kind(
    blank: Path, sheet: schema.Sheet, cell: str, kind: str, low: str, message: str
) -> None:
    dv = guards(openpyxl.load_workbook(blank)[sheet.name])[cell]
    assert (dv.type, dv.operator, dv.formula1) == (kind, "between", low)
    assert message in dv.error


def test_every_sheet_prints_on_a4_at_page_width_with_its_headers(blank: Path) -> None:
    for ws in openpyxl.load_workbook(blank).worksheets:
        assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4 and ws.sheet_properties.pageSetUpPr.fitToPage
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
        assert ws.print_title_rows == "$1:$2", ws.title


@pytest.mark.parametrize("sheet", [s for s in schema.SHEETS if isinstance(s, ListSheet)], ids=lambda s: s.key)
def test_dropdowns_for_every_choice_column(blank: Path, sheet: ListSheet) -> None:
    ws = openpyxl.load_workbook(blank)[sheet.name]
    found = dropdowns(ws)
    for i, f in enumerate(sheet.columns, start=1):
        cell = f"{openpyxl.utils.get_column_letter(i)}{FIRST_DATA_ROW}"
        if f.choices:
            assert found[cell] == ",".join(f.choices)
        else:
            assert cell not in found
    if sheet.money:
        assert found["B1"] == "万元,元"


def test_guide_sheet_lists_every_field(blank: Path) -> None:
    ws = openpyxl.load_workbook(blank)[schema.GUIDE_SHEET]
    rows = [tuple(c.value or "" for c in row) for row in ws.iter_rows(min_row=FIRST_DATA_ROW)]
    assert rows == guide_entries(hints=False)
    fields = sum(len(s.rows) if isinstance(s, FormSheet) else len(s.columns) for s in schema.SHEETS)
    hints = [(s.name, f.label) for s in schema.SHEETS if isinstance(s, ListSheet) for f in s.columns if f.hint]
    assert hints == [("绩效指标", "上年实际完成值")]
    assert len(rows) == fields - len(hints)
    # the docs list every column, the reference ones marked as such
    documented = {(name, label): kind for name, label, kind, *_ in guide_entries()}
    assert documented[hints[0]] == "数值或文本（参考列）"


def test_reference_columns_come_last() -> None:
    """A column added after workbooks were in use goes last: no cell of an existing column moves."""
    for sheet in schema.SHEETS:
        if isinstance(sheet, ListSheet):
            flags = [f.hint for f in sheet.columns]
            assert flags == sorted(flags), sheet.name


def test_blank_form_reads_back_with_only_missing_values(blank: Path) -> None:
    """The reader and the writer agree: a blank form lacks data, never a sheet, row or column."""
    data = normalize(open_workbook(blank))
    codes = {f.code for f in data.findings}
    assert codes <= {"E_REQUIRED", "E_EMPTY_SHEET"}
    assert data.forms["basic"].get("year", "value") == 2023
    assert data.forms["basic"].get("threshold", "value") == 50


def test_refuses_to_overwrite(tmp_path: Path) -> None:
    existing = tmp_path / "mine.xlsx"
    existing.write_bytes(b"someone's work")
    with pytest.raises(OutputError, match="已存在；如需覆盖请加 --force"):
        write_blank_workbook(existing, 2024)
    assert existing.read_bytes() == b"someone's work"


def test_cli_init_and_force(tmp_path: Path) -> None:
    target = Path("new.xlsx")  # the working directory is tmp_path
    result = runner.invoke(app, ["init", str(target), "--year", "2024"])
    assert result.exit_code == 0, result.output
    assert "已生成空白填报模板" in result.output
    again = runner.invoke(app, ["init", str(target)])
    assert again.exit_code == 1
    assert again.output == f"错误：{target} 已存在；如需覆盖请加 --force\n"
    forced = runner.invoke(app, ["init", str(target), "--force", "--year", "2025"])
    assert forced.exit_code == 0
    ws = openpyxl.load_workbook(target)[schema.BASIC.name]
    assert ws.cell(row=FIRST_DATA_ROW + 2, column=2).value == 2025


def test_cli_init_rejects_other_formats(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", "form.xls"])
    assert result.exit_code == 1
    assert result.output == "错误：form.xls：填报模板须保存为 .xlsx 文件\n"


def test_cli_init_takes_the_year_from_the_file_name(tmp_path: Path) -> None:
    """inputs/2024.xlsx is the 2024 workbook: the first validate must not fail on E_YEAR_MISMATCH."""
    Path("inputs").mkdir()
    result = runner.invoke(app, ["init", "inputs/2024.xlsx"])
    assert result.exit_code == 0, result.output
    assert result.output == "已生成空白填报模板：inputs/2024.xlsx（2024年度）\n"
    ws = openpyxl.load_workbook("inputs/2024.xlsx")[schema.BASIC.name]
    assert ws[schema.form_cell(schema.BASIC, "year", "value")].value == 2024
    assert runner.invoke(app, ["init", "2023-2024.xlsx"]).output.endswith(f"（{dt.date.today().year - 1}年度）\n")
    assert runner.invoke(app, ["init", "科室2025年.xlsx", "--year", "2026"]).output.endswith("（2026年度）\n")


def test_list_sheets_are_formatted_by_column_and_hold_no_empty_cells(blank: Path) -> None:
    """The form costs nothing where it is empty (issue 19 §2): a list sheet stores its header rows and nothing
    below; each column carries the format a typed cell takes, and its rules reach as far as the form reads."""
    from pipeline.workbook.blank_form import NUMBER_FORMATS, styled_cell

    wb = openpyxl.load_workbook(blank)
    for sheet in (s for s in schema.SHEETS if isinstance(s, ListSheet)):
        ws = wb[sheet.name]
        assert ws.max_row == HEADER_ROW, sheet.name
        for i, f in enumerate(c for c in sheet.columns if not c.hint):
            letter = openpyxl.utils.get_column_letter(i + 1)
            assert ws.column_dimensions[letter].number_format == NUMBER_FORMATS.get(f.kind, "General")
    last = FIRST_DATA_ROW + schema.MAX_SHEET_ROWS - 1
    kpis = wb[schema.KPIS.name]
    assert any(
        f"{FIRST_DATA_ROW}:" in str(dv.sqref) and str(dv.sqref).endswith(str(last))
        for dv in kpis.data_validations.dataValidation
    )
    money = next(i for i, f in enumerate(schema.PROJECTS.columns, 1) if f.kind is schema.Kind.MONEY)
    cell = styled_cell(wb[schema.PROJECTS.name], FIRST_DATA_ROW, money)  # what the sample and rollover write
    assert cell.number_format == "0.00"
