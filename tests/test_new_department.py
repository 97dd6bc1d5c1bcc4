"""The README's path for a new department: init, fill the required fields, validate, build."""

from __future__ import annotations

from pathlib import Path

import docx
import openpyxl
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.model import schema
from pipeline.model.schema import FIRST_DATA_ROW

runner = CliRunner()


def fill_minimum(path: Path) -> None:
    wb = openpyxl.load_workbook(path)
    basic = wb[schema.BASIC.name]
    basic[schema.form_cell(schema.BASIC, "name", "value")] = "某某县统计局"
    basic[schema.form_cell(schema.BASIC, "basis", "value")] = "《中华人民共和国预算法》"
    for sheet, values in (
        (schema.DUTIES, ["负责全县统计工作。"]),
        (schema.OFFICES, ["办公室", "综合股"]),
        (schema.FINAL_UNITS, ["县统计局本级"]),
    ):
        for i, value in enumerate(values):
            wb[sheet.name].cell(row=FIRST_DATA_ROW + i, column=1, value=value)
    wb[schema.STAFFING.name].cell(row=FIRST_DATA_ROW, column=1, value="机关行政编制")
    wb[schema.STAFFING.name].cell(row=FIRST_DATA_ROW, column=2, value=8)
    budget = wb[schema.BUDGET.name]
    for row, (initial, actual) in {
        "income_total": (300, 320),
        "expense_total": (300, 318),
        "basic": (200, 210),
        "project": (100, 108),
    }.items():
        budget[schema.form_cell(schema.BUDGET, row, "initial")] = initial
        budget[schema.form_cell(schema.BUDGET, row, "actual")] = actual
    for key in ("abroad", "reception"):
        for col in ("budget", "actual"):
            wb[schema.THREE_PUBLIC.name][schema.form_cell(schema.THREE_PUBLIC, key, col)] = 1
    for key in ("goods", "works", "services"):
        wb[schema.PROCUREMENT.name][schema.form_cell(schema.PROCUREMENT, key, "actual")] = 2
    for key, value in (("total_assets", 100), ("liabilities", 20), ("fixed_assets", 50)):
        wb[schema.ASSETS.name][schema.form_cell(schema.ASSETS, key, "amount")] = value
    wb.save(path)


def test_init_fill_validate_build() -> None:
    assert runner.invoke(app, ["init", "2023.xlsx", "--year", "2023"]).exit_code == 0
    blank = runner.invoke(app, ["validate", "2023.xlsx"])
    assert blank.exit_code == 1 and "E_REQUIRED" in blank.stdout

    fill_minimum(Path("2023.xlsx"))
    checked = runner.invoke(app, ["validate", "--format", "json", "2023.xlsx"])
    assert checked.exit_code == 0, checked.stdout
    assert "W_TEXT_MISSING" in checked.stdout and "W_SCORE_INCOMPLETE" in checked.stdout  # honest about gaps

    built = runner.invoke(app, ["build", "2023.xlsx", "-o", "out"])
    assert built.exit_code == 0, built.stderr
    text = "\n".join(p.text for p in docx.Document("out/2023.docx").paragraphs)
    assert text.startswith("2023年度部门整体支出绩效自评报告")
    assert "内设办公室、综合股等两个股室。" in text
    assert "某某县统计局2023年部门决算为县统计局本级。" in text
    assert "2023年决算总收入320.00万元，较预算增加20.00万元，总支出318.00万元" in text
    assert "净资产80.00万元" in text  # blank total: computed from its parts
    assert "本年度无50万元以上的项目。" in text
