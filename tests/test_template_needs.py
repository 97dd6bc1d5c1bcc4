"""A template states what it needs (issue 17 §1, §5): template.toml declares its 自定义字段 and tables, with their
totals; the blank form writes them, validate asks the clerk for a missing one in the clerk's words, the checks compare
declared totals, the template check refuses an undeclared ``custom.X``, and ``template new`` / ``list`` say it all."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from decimal import Decimal
from pathlib import Path

import docx
import openpyxl
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.errors import TemplateProblem
from pipeline.session import load_context, validate
from pipeline.template.profile import resolve_profile
from pipeline.template.settings import load_settings
from pipeline.template.settings_file import commented_settings

from .conftest import ROOT, SAMPLE

runner = CliRunner()

SETTINGS = """\
[template]
name = "县直部门（我局）"
description = "多两项绿化数据和一张培训表"

[[fields]]
name = "绿化面积"
type = "数值"
unit = "平方米"
required = true

[[fields]]
name = "开工日期"
type = "日期"
required = true

[[fields]]
name = "公园绿地"
type = "数值"
unit = "平方米"

[[fields]]
name = "道路绿地"
type = "数值"
unit = "平方米"

[[fields]]
name = "绿地合计"
type = "数值"
unit = "平方米"
sum_of = ["公园绿地", "道路绿地"]

[[tables]]
key = "training"
sheet = "培训情况"
name = "干部培训情况"
required = true
total_row = "合计"
[[tables.columns]]
key = "name"
label = "培训班"
[[tables.columns]]
key = "people"
label = "人次"
type = "整数"
[[tables.columns]]
key = "cost"
label = "费用"
type = "金额"

[staffing]
total_row = "小计"
"""

LINE = "绿化{{ custom.绿化面积 }}平方米，绿地{{ custom.绿地合计 }}，培训{{ custom.training_total.people }}人次。"


@pytest.fixture
def mine() -> Path:
    """templates/我局: the default report with one paragraph using the declared fields, and SETTINGS."""
    folder = Path("templates/我局")
    shutil.copytree(ROOT / "templates" / "default", folder)
    (folder / "template.toml").write_text(SETTINGS, encoding="utf-8")
    document = docx.Document(str(folder / "report.docx"))
    document.add_paragraph(LINE)
    document.save(str(folder / "report.docx"))
    return folder


def filled(
    path: Path,
    *,
    fields: dict[str, object] | None = None,
    training: list[tuple[object, ...]] | None = None,
    subtotal: int | None = 23,
) -> Path:
    """The sample with the declared rows filled in: 自定义字段, the 培训情况 sheet, a 人员编制 小计 row."""
    wb = openpyxl.load_workbook(SAMPLE)
    ws = wb["自定义字段"]
    values = {"绿化面积": 1200, "开工日期": "2022-03-01", "公园绿地": 300, "道路绿地": 200, "绿地合计": 500}
    for r, (name, value) in enumerate((values if fields is None else fields).items(), start=3):
        ws.cell(r, 1, name)
        ws.cell(r, 2, value)
    sheet = wb.create_sheet("培训情况")
    sheet["A1"], sheet["B1"] = "金额单位", "万元"
    for c, label in enumerate(("培训班", "人次", "费用"), start=1):
        sheet.cell(2, c, label)
    rows = [("党务培训", 20, 1.5), ("业务培训", 37, 2.5), ("合计", 57, 4)] if training is None else training
    for r, row in enumerate(rows, start=3):
        for c, value in enumerate(row, start=1):
            sheet.cell(r, c, value)
    staffing = wb["人员编制"]  # rows 3 and 4: 机关行政编制 15, 机关后勤服务全额拨款事业编制 8
    staffing.cell(5, 1, "小计")
    staffing.cell(5, 2, subtotal)
    wb.save(path)
    return path


def findings_of(path: Path) -> list[tuple[str, str, str, str]]:
    (inspection,) = validate([path], resolve_profile("我局"))
    return [(f.code, f.sheet, f.cell, f.message) for f in inspection.findings if f.code != "W_UNIT_SUSPECT"]


# -- template.toml


def test_declarations_load_and_their_mistakes_are_named(tmp_path: Path) -> None:
    path = tmp_path / "template.toml"
    path.write_text(SETTINGS, encoding="utf-8")
    settings = load_settings(path)
    assert [f.name for f in settings.fields] == ["绿化面积", "开工日期", "公园绿地", "道路绿地", "绿地合计"]
    assert settings.fields[0].label == "绿化面积（平方米）"
    assert settings.tables[0].total_row == "合计"
    assert settings.get("template.name") == "县直部门（我局）"
    for bad, said in (
        ('[[fields]]\nname = "绿化 面积"', "不能在模板中写成 custom.名称"),
        ('[[fields]]\nname = "a"\ntype = "数字"', "type 应为 文本、整数、金额、数值、百分比、日期 之一"),
        ('[[fields]]\nname = "a"\ntype = "数值"\nsum_of = ["b", "c"]', "sum_of 中的“b”未登记"),
        ('[[fields]]\nname = "a"\nrequired = "是"', "required 应为 true 或 false"),
        ('[[fields]]\nname = "a"\n[[fields]]\nname = "a"', "[[fields]] 的 name“a”重复"),
        ('[[fields]]\nname = "a"\nunits = "个"', "有未知设置 units"),
    ):
        path.write_text(bad, encoding="utf-8")
        with pytest.raises(TemplateProblem) as caught:
            load_settings(path)
        assert said in str(caught.value), bad


# -- the blank form


def test_init_writes_the_declared_rows_and_sheets(mine: Path) -> None:
    result = runner.invoke(app, ["init", "2022.xlsx", "-t", "我局"])
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook("2022.xlsx")
    ws = wb["自定义字段"]
    rows = [tuple(c.value for c in row[:4]) for row in ws.iter_rows(min_row=3, max_row=8)]
    assert rows == [
        ("绿化面积", None, "平方米", "数值"),
        ("开工日期", None, None, "日期"),
        ("公园绿地", None, "平方米", "数值"),
        ("道路绿地", None, "平方米", "数值"),
        ("绿地合计", None, "平方米", "数值"),
        (None, None, None, None),
    ]
    assert ws["B3"].fill.fgColor.rgb.endswith("FCE4D6")  # required: orange like every required cell
    assert "之和" in ws["B7"].comment.text
    rules = {str(dv.sqref): (dv.type, dv.errorStyle, dv.showErrorMessage) for dv in ws.data_validations.dataValidation}
    assert rules["B3"] == ("decimal", "stop", True)
    assert rules["B4"] == ("date", "stop", True)
    assert wb["培训情况"]["B2"].value == "人次"
    guide = [tuple(c.value for c in row) for row in wb["填报说明"].iter_rows(min_row=3) if row[0].value == "自定义字段"]
    assert guide[-5][:4] == ("自定义字段", "绿化面积", "数值（平方米）", "是")


def test_the_blank_form_of_the_template_asks_for_what_is_required(mine: Path) -> None:
    assert runner.invoke(app, ["init", "2022.xlsx", "-t", "我局"]).exit_code == 0
    result = runner.invoke(app, ["validate", "2022.xlsx", "-t", "我局"])
    assert result.exit_code == 1
    assert "B3 错误 [E_FIELD_MISSING] 在“自定义字段”表补填 绿化面积（平方米）：所用模板要求填写" in result.stdout
    assert "B4 错误 [E_FIELD_MISSING] 在“自定义字段”表补填 开工日期（日期）：所用模板要求填写" in result.stdout


# -- validate and build


def test_a_required_field_without_its_row_is_asked_for_in_the_clerks_words(mine: Path) -> None:
    result = runner.invoke(app, ["validate", str(SAMPLE), "-t", "我局"])
    assert result.exit_code == 1
    assert (
        "A3 错误 [E_FIELD_MISSING] 在“自定义字段”表补填 绿化面积（平方米）：所用模板要求填写（新加一行，名称填“绿化面积”）"
        in result.stdout
    )
    assert "[E_SHEET_MISSING] 缺少工作表“培训情况”" in result.stdout
    build = runner.invoke(app, ["build", str(SAMPLE), "-t", "我局", "-o", "out"])
    assert build.exit_code == 1
    assert "在“自定义字段”表补填 绿化面积（平方米）" in build.output
    assert "模板引用了" not in build.output  # never the author's words
    assert not Path("out/2022.docx").exists()


def test_declared_totals_are_checked_at_their_cells(mine: Path) -> None:
    path = filled(
        Path("w.xlsx"),
        fields={"绿化面积": 1200, "开工日期": "2022-03-01", "公园绿地": 300, "道路绿地": 200, "绿地合计": 600},
        training=[("党务培训", 20, 1.5), ("业务培训", 37, 2.5), ("合计", 58, 4)],
        subtotal=24,
    )
    sums = [f for f in findings_of(path) if f[0] == "W_SUM_MISMATCH" and f[1] in ("人员编制", "培训情况", "自定义字段")]
    assert sums == [
        ("W_SUM_MISMATCH", "人员编制", "B5", "“小计”行的“编制数”为 24，而第3至4行合计 23，相差 1"),
        ("W_SUM_MISMATCH", "培训情况", "B5", "“合计”行的“人次”为 58，而第3至4行合计 57，相差 1"),
        ("W_SUM_MISMATCH", "自定义字段", "B7", "“绿地合计”为 600，而“公园绿地”＋“道路绿地”合计 500，相差 100"),
    ]


def test_agreeing_and_blank_totals_give_no_finding_and_blanks_are_computed(mine: Path) -> None:
    fields = {"绿化面积": 1200, "开工日期": "2022-03-01", "公园绿地": 300, "道路绿地": 200, "绿地合计": None}
    path = filled(Path("w.xlsx"), fields=fields, training=[("甲", 20, 1.5), ("乙", 37, 2.5), ("合计", None, None)])
    assert not [
        f for f in findings_of(path) if f[0] == "W_SUM_MISMATCH" and f[1] != "收支预决算" and f[1] != "政府采购"
    ]
    context, _ = load_context(path, profile=resolve_profile("我局"))
    custom = context["custom"]
    assert custom["绿地合计"] == Decimal(500)
    assert custom["training_total"] == {"name": "合计", "people": 57, "cost": Decimal("4.0")}
    assert [r["name"] for r in custom["training"]] == ["甲", "乙"]  # the total row is not a row of its own
    assert [s["kind"] for s in context["staffing"]] == ["机关行政编制", "机关后勤服务全额拨款事业编制"]  # nor 小计


def test_a_declared_type_the_row_contradicts_is_an_error(mine: Path) -> None:
    path = filled(Path("w.xlsx"))
    wb = openpyxl.load_workbook(path)
    wb["自定义字段"]["D3"] = "文本"
    wb.save(path)
    assert (
        "E_CHOICE",
        "自定义字段",
        "D3",
        "“绿化面积”的类型应为“数值”（所用模板这样登记），实际为“文本”",
    ) in findings_of(path)


def test_the_report_prints_the_declared_fields(mine: Path) -> None:
    path = filled(Path("w.xlsx"))
    result = runner.invoke(app, ["build", str(path), "-t", "我局", "-o", "out", "--no-comments"])
    assert result.exit_code == 0, result.output
    text = "\n".join(p.text for p in docx.Document("out/w.docx").paragraphs)
    assert "绿化1200平方米，绿地500，培训57人次。" in text


# -- the template's author


def test_template_check_refuses_an_undeclared_field_and_passes_declared_ones(mine: Path) -> None:
    assert runner.invoke(app, ["template", "check", "我局"]).exit_code == 0
    document = docx.Document(str(mine / "report.docx"))
    document.add_paragraph("{{ custom.乔木数量 }}")
    document.save(str(mine / "report.docx"))
    result = runner.invoke(app, ["template", "check", "我局"])
    assert result.exit_code == 1
    assert "模板引用了未在 template.toml 中登记的自定义字段 custom.乔木数量" in result.stdout
    assert '[[fields]] name = "乔木数量"' in result.stdout


def test_template_new_writes_every_setting_commented_and_list_shows_names(mine: Path) -> None:
    assert runner.invoke(app, ["template", "new", "新局"]).exit_code == 0
    text = Path("templates/新局/template.toml").read_text(encoding="utf-8")
    assert tomllib.loads(text) == {
        "template": {"name": "新局", "description": ""},
        **{key: {} for key in ("report", "words", "sections", "appendices", "numbers", "charts", "cover", "staffing")},
    }
    for key in ("# title =", "# unit_kind =", "# decimals = 2", "# [[fields]]", "# [[tables]]", "# total_row ="):
        assert key in text
    assert text == commented_settings("新局")
    assert runner.invoke(app, ["template", "new", "我局乙", "--from", "我局"]).exit_code == 0
    copied = load_settings(Path("templates/我局乙/template.toml"))
    assert copied.get("template.name") == "我局乙" and len(copied.fields) == 5
    listed = runner.invoke(app, ["template", "list"]).stdout.splitlines()
    assert "我局\t县直部门（我局）\t部门\t多两项绿化数据和一张培训表\ttemplates/我局" in listed
    assert "新局\t新局\t部门\t—\ttemplates/新局" in listed


def test_a_real_process_validates_with_the_template(mine: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "validate", str(SAMPLE), "-t", "我局"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert done.returncode == 1
    assert "在“自定义字段”表补填 绿化面积（平方米）" in done.stdout
    assert "Traceback" not in done.stderr
