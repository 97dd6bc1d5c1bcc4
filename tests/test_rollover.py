"""genreport init NEW --from LAST: next year's workbook from last year's.

Both workbooks are read back through the reader (open_workbook + normalize with the template's layout), so
"carried" means the same typed values, not merely the same cells; LAST is hashed before and after.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import docx
import openpyxl
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.errors import UsageError, WorkbookInvalid
from pipeline.model import schema
from pipeline.model.schema import FIRST_DATA_ROW, HEADER_ROW, FormSheet, ListSheet
from pipeline.template.profile import resolve_profile
from pipeline.workbook.blank_form import guide_entries
from pipeline.workbook.normalize import Normalized, normalize
from pipeline.workbook.reader import open_workbook
from pipeline.workbook.rollover import BASIC_CLEARED, CARRIED_COLUMNS, roll_over

from .conftest import ROOT, SAMPLE

TOWNSHIP = ROOT / "inputs" / "township-2023.xlsx"
runner = CliRunner()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read(path: Path, template: str | None) -> Normalized:
    return normalize(open_workbook(path), resolve_profile(template, need_document=False).layout)


@dataclass
class Rolled:
    last: Normalized
    new: Normalized
    path: Path
    template: str | None
    last_year: int


CASES = {"sample": (SAMPLE, "2023.xlsx", None, 2022), "township": (TOWNSHIP, "township-2024.xlsx", "township", 2023)}


@pytest.fixture(scope="module", params=list(CASES))
def rolled(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Rolled:
    last, name, template, year = CASES[request.param]
    before = digest(last)
    path = tmp_path_factory.mktemp("rollover") / name
    done = roll_over(last, path)
    assert digest(last) == before, "LAST must stay byte-identical"
    assert (done.last_year, done.year, done.template) == (year, year + 1, template)
    return Rolled(read(last, template), read(path, template), path, template, year)


def test_the_year_moves_on_and_the_rest_of_basic_info_is_carried(rolled: Rolled) -> None:
    last, new = rolled.last.forms["basic"], rolled.new.forms["basic"]
    assert new.get("year", "value") == rolled.last_year + 1
    assert new.get("report_date", "value") is None
    for row in schema.BASIC.rows:
        if row.key not in BASIC_CLEARED:
            assert new.get(row.key, "value") == last.get(row.key, "value"), row.label
    assert new.get("template", "value") == rolled.template


@pytest.mark.parametrize("key", ["duties", "offices", "staffing", "final_units"])
def test_lists_that_describe_the_department_are_carried_whole(rolled: Rolled, key: str) -> None:
    last, new = rolled.last.lists[key], rolled.new.lists[key]
    assert last.records, "the sample has rows to carry"
    assert [r.values for r in new.records] == [r.values for r in last.records]
    assert [r.row for r in new.records] == list(range(FIRST_DATA_ROW, FIRST_DATA_ROW + len(last.records)))


def test_indicator_definitions_are_carried_with_last_years_result_as_a_hint(rolled: Rolled) -> None:
    last, new = rolled.last.lists["kpis"].records, rolled.new.lists["kpis"].records
    assert len(new) == len(last) > 0
    kept = CARRIED_COLUMNS["kpis"]
    for old, now in zip(last, new, strict=True):
        assert {k: now[k] for k in kept} == {k: old[k] for k in kept}
        assert now["prior_actual"] == old["actual"]
        assert (now["actual"], now["score"], now["remark"]) == (None, None, None)
    assert any(now["prior_actual"] is not None for now in new)


def test_projects_keep_their_names_so_carried_indicators_still_name_them(rolled: Rolled) -> None:
    last, new = rolled.last.lists["projects"].records, rolled.new.lists["projects"].records
    assert [r["name"] for r in new] == [r["name"] for r in last]
    kept = set(CARRIED_COLUMNS["projects"])
    for old, now in zip(last, new, strict=True):
        assert {k: now[k] for k in kept} == {k: old[k] for k in kept}
        assert all(v is None for k, v in now.values.items() if k not in kept)
    names = {r["name"] for r in new}
    assert {k["project"] for k in rolled.new.lists["kpis"].records} - {None} <= names


def test_prior_year_columns_hold_last_years_final_figures_cell_for_cell(rolled: Rolled) -> None:
    sheets = [s for s in schema.SHEETS if isinstance(s, FormSheet) and any(c.prior_of for c in s.columns)]
    assert [s.name for s in sheets] == ["收支预决算", "三公经费"]
    last_book = openpyxl.load_workbook(CASES_BY_YEAR[rolled.last_year], data_only=True)
    new_book = openpyxl.load_workbook(rolled.path)
    moved = 0
    for sheet in sheets:
        last, new = rolled.last.forms[sheet.key], rolled.new.forms[sheet.key]
        for row in sheet.rows:
            assert new.get(row.key, "prior") == last.get(row.key, "actual"), f"{sheet.name} {row.label}"
            old_cell = last_book[sheet.name][last.refs[(row.key, "actual")]].value
            new_cell = new_book[sheet.name][new.refs[(row.key, "prior")]].value
            assert new_cell == old_cell, f"{sheet.name} {row.label}"
            moved += old_cell is not None
    assert moved >= 9


CASES_BY_YEAR = {year: last for last, _, _, year in CASES.values()}


def test_this_years_figures_scores_and_narrative_are_cleared(rolled: Rolled) -> None:
    new = rolled.new
    for key, form in new.forms.items():
        if key == "basic":
            continue
        priors = {c.key for c in form.sheet.columns if c.prior_of}
        assert all(v is None for (row, column), v in form.values.items() if column not in priors), key
    for key, values in new.lists.items():
        if key not in CARRIED_COLUMNS:
            assert values.records == [], key
    assert all(values.records == [] for values in new.custom.values())
    assert all(r["content"] is None for r in new.lists["custom_fields"].records)


def test_the_rolled_workbook_reads_with_only_this_years_blanks(rolled: Rolled) -> None:
    """No unknown column (the hint column is declared), no wrong value: only what is left to fill in."""
    assert {f.code for f in rolled.new.findings} == {"E_REQUIRED"}
    assert all(f.sheet in ("收支预决算", "三公经费") for f in rolled.new.findings)


def test_the_rolled_workbook_is_the_blank_form_with_its_reference_column(rolled: Rolled) -> None:
    wb = openpyxl.load_workbook(rolled.path)
    layout = resolve_profile(rolled.template, need_document=False).layout
    assert wb.sheetnames == [schema.GUIDE_SHEET] + [s.name for s in layout.all_sheets]
    kpis = wb[schema.KPIS.name]
    assert [c.value for c in kpis[HEADER_ROW]] == [f.label for f in schema.KPIS.columns]
    assert kpis.cell(row=HEADER_ROW, column=len(schema.KPIS.columns)).value == "上年实际完成值"
    levels = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in kpis.data_validations.dataValidation}
    [kpi_sheet] = [s for s in layout.sheets if isinstance(s, ListSheet) and s.key == "kpis"]
    assert levels["B3"].strip('"').split(",") == list(kpi_sheet.column("level1").choices)
    guide = [tuple(c.value or "" for c in row) for row in wb[schema.GUIDE_SHEET].iter_rows(min_row=FIRST_DATA_ROW)]
    assert guide == guide_entries(layout, hints=True)


# ---- filled in, it builds, and its 同比 is against last year's figures -------------------------------------------

# (row, 年初预算数, 全年执行数): consistent totals (sources add up, 基本 = 人员 + 公用, 支出 = 基本 + 项目)
BUDGET = (
    ("income_total", "3100", "13000"),
    ("income_general", "3100", "13000"),
    ("income_fund", "0", "0"),
    ("income_soe", "0", "0"),
    ("income_special", "0", "0"),
    ("income_other", "0", "0"),
    ("expense_total", "3100", "12900"),
    ("basic", "1400", "2900"),
    ("personnel", "1000", "2000"),
    ("public", "400", "900"),
    ("project", "1700", "10000"),
)
# (row, 预算数, 决算数); the totals are left to the parts
THREE_PUBLIC = (
    ("abroad", "0", "0"),
    ("vehicle_purchase", "0", "0"),
    ("vehicle_operation", "2", "1.5"),
    ("reception", "5", "2"),
)


def fill(path: Path, template: str | None) -> None:
    """What the finance officer types: this year's budget, 三公 and each indicator's result."""
    data = read(path, template)
    wb = openpyxl.load_workbook(path)
    budget, three = data.forms["budget"], data.forms["three_public"]
    for row, initial, actual in BUDGET:
        wb["收支预决算"][budget.refs[(row, "initial")]] = float(initial)
        wb["收支预决算"][budget.refs[(row, "actual")]] = float(actual)
    for row, planned, actual in THREE_PUBLIC:
        wb["三公经费"][three.refs[(row, "budget")]] = float(planned)
        wb["三公经费"][three.refs[(row, "actual")]] = float(actual)
    kpis = data.lists["kpis"]
    ws = wb[schema.KPIS.name]
    for record in kpis.records:
        ws[kpis.ref(record, "actual")] = ws[kpis.ref(record, "target")].value  # met exactly
    wb.save(path)


def test_a_filled_rollover_builds_and_compares_with_last_year(tmp_path: Path) -> None:
    new = tmp_path / "2023.xlsx"
    result = runner.invoke(app, ["init", str(new), "--from", str(SAMPLE)])
    assert result.exit_code == 0, result.output
    fill(new, None)
    built = runner.invoke(app, ["build", str(new), "-o", str(tmp_path / "out")])
    assert built.exit_code == 0, built.output
    text = "\n".join(p.text for p in docx.Document(str(tmp_path / "out" / "2023.docx")).paragraphs)
    # the sample's 全年执行数 of 2022, now this report's 上年决算数: 收入 12668.73, 支出 12678.39, “三公” 4.27
    assert "与上年决算数相比，总收入增加331.27万元（增长2.61%），总支出增加221.61万元（增长1.75%）。" in text
    assert "“三公”经费决算数3.50万元" in text
    assert "与上年决算数4.27万元相比减少0.77万元。" in text
    # a year later again: 2023's own figures move on, not the 2022 ones it held as its 上年
    later = tmp_path / "2024.xlsx"
    roll_over(new, later)
    rolled_twice = read(later, None)
    assert rolled_twice.forms["budget"].get("expense_total", "prior") == Decimal("12900")
    assert rolled_twice.forms["three_public"].get("reception", "prior") == Decimal("2")
    kpis = read(new, None).lists["kpis"].records
    assert [r["prior_actual"] for r in rolled_twice.lists["kpis"].records] == [r["actual"] for r in kpis]
    assert [r["actual"] for r in kpis] == [r["target"] for r in kpis]


def test_the_township_rollover_builds_with_its_template(tmp_path: Path) -> None:
    new = tmp_path / "township-2024.xlsx"
    roll_over(TOWNSHIP, new)
    fill(new, "township")
    built = runner.invoke(app, ["build", str(new), "-o", str(tmp_path / "out")])
    assert built.exit_code == 0, built.output
    text = "\n".join(p.text for p in docx.Document(str(tmp_path / "out" / "township-2024.docx")).paragraphs)
    # the township's 2023 全年执行数; its 基本支出 was blank, so 2024's 上年 comes from 人员经费 + 公用经费 as before
    assert "2024年度全年收入13000.00万元" in text
    assert "与上年决算数2456.80万元相比增加10543.20万元。" in text
    assert "与上年决算数2318.50万元相比增加10581.50万元。" in text


# ---- what the command prints, and what it refuses ------------------------------------------------------------------


def test_it_prints_what_it_carried_and_cleared_sheet_by_sheet(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", "2023.xlsx", "--from", str(SAMPLE)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"已由 {SAMPLE}（2022年度）结转生成 2023.xlsx（2023年度）"
    carried = lines[lines.index("沿用：") + 1 : lines.index("已清空（本年待填）：")]
    assert "  收支预决算：上年数 4 项（全年执行数→上年决算数）" in carried
    assert "  三公经费：上年数 5 项（决算数→上年决算数）" in carried
    assert "  部门职责：22 行" in carried
    assert any(line.startswith("  绩效指标：14 行的所属项目、一级指标") for line in carried)
    cleared = lines[lines.index("已清空（本年待填）：") + 1 : -1]
    assert "  文字：10 行" in cleared
    assert "  支出明细：13 行" in cleared
    assert lines[-1] == "请填写本年的数字、得分和文字后，用 genreport validate 检查。"


def test_a_carried_basis_that_names_a_year_is_pointed_out(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", "township-2024.xlsx", "--from", str(TOWNSHIP)])
    assert result.exit_code == 0, result.output
    assert "注意：基本信息!B7“评价依据”沿用上年的文字，其中写有 2023，请核对是否应改为本年的文件\n" in result.output
    # the sample cites 中发2018 (a law's year, which stays) and 山财绩〔2023〕88号 (the notice of its evaluation)
    sample = runner.invoke(app, ["init", "2023.xlsx", "--from", str(SAMPLE)])
    assert "注意：基本信息!B7“评价依据”沿用上年的文字，其中写有 2023，请核对是否应改为本年的文件\n" in sample.output


def test_a_missing_last_workbook(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", "2023.xlsx", "--from", "2022.xlsx"])
    assert (result.exit_code, result.output) == (1, "错误：2022.xlsx：找不到文件\n")
    assert not Path("2023.xlsx").exists()


def test_a_last_workbook_that_is_not_one(tmp_path: Path) -> None:
    Path("2022.xlsx").write_text("年度,2022\n", encoding="utf-8")
    result = runner.invoke(app, ["init", "2023.xlsx", "--from", "2022.xlsx"])
    assert result.exit_code == 1
    assert result.output.startswith("错误：2022.xlsx：文件已损坏或不是 .xlsx 工作簿")
    assert not Path("2023.xlsx").exists()


def test_a_last_workbook_with_errors_is_refused_with_all_of_them(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(SAMPLE)
    wb["三公经费"]["D4"] = "约2万"
    wb["收支预决算"]["C3"] = "#REF!"
    wb.save("2022.xlsx")
    before = digest(Path("2022.xlsx"))
    result = runner.invoke(app, ["init", "2023.xlsx", "--from", "2022.xlsx"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("错误：2022.xlsx › 收支预决算!C3：单元格为 Excel 错误值")
    assert lines[1].startswith("错误：2022.xlsx › 三公经费!D4：")
    assert lines[-1] == (
        "错误：上年工作簿 2022.xlsx 有以上 2 个错误，未生成 2023.xlsx（错误的数据不应带入下一年）；"
        "请先改正，genreport validate 可逐项查看"
    )
    assert not Path("2023.xlsx").exists()
    assert digest(Path("2022.xlsx")) == before
    with pytest.raises(WorkbookInvalid):
        roll_over(Path("2022.xlsx"), Path("2023.xlsx"))


def test_an_existing_new_workbook_needs_force(tmp_path: Path) -> None:
    Path("2023.xlsx").write_bytes(b"this year's work")
    result = runner.invoke(app, ["init", "2023.xlsx", "--from", str(SAMPLE)])
    assert (result.exit_code, result.output) == (1, "错误：2023.xlsx 已存在；如需覆盖请加 --force\n")
    assert Path("2023.xlsx").read_bytes() == b"this year's work"
    forced = runner.invoke(app, ["init", "2023.xlsx", "--from", str(SAMPLE), "--force"])
    assert forced.exit_code == 0, forced.output
    assert read(Path("2023.xlsx"), None).forms["basic"].get("year", "value") == 2023


def test_the_new_name_must_hold_the_next_year(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", "2024.xlsx", "--from", str(SAMPLE)])
    assert result.exit_code == 2
    assert result.output == (
        "错误：2024.xlsx：文件名中的年份 2024 与结转后的年度 2023（上年 2022 + 1）不一致；请改用如 2023.xlsx 的文件名\n"
    )
    assert not Path("2024.xlsx").exists()
    year = runner.invoke(app, ["init", "next.xlsx", "--from", str(SAMPLE), "--year", "2025"])
    assert (year.exit_code, year.output) == (
        2,
        "错误：--year 2025 与上年工作簿的年度 2022 不相接：结转后的年度只能是 2023\n",
    )
    assert runner.invoke(app, ["init", "next.xlsx", "--from", str(SAMPLE), "--year", "2023"]).exit_code == 0


def test_the_new_workbook_cannot_be_last_years(tmp_path: Path) -> None:
    shutil.copy(SAMPLE, "2022.xlsx")
    before = digest(Path("2022.xlsx"))
    with pytest.raises(UsageError, match="不能与上年工作簿是同一个文件"):
        roll_over(Path("2022.xlsx"), Path("./2022.xlsx"), force=True)
    assert digest(Path("2022.xlsx")) == before


def test_a_real_process_rolls_over_and_leaves_last_untouched(tmp_path: Path) -> None:
    shutil.copy(SAMPLE, "2022.xlsx")
    before = digest(Path("2022.xlsx"))
    genreport = Path(sys.executable).parent / "genreport"
    proc = subprocess.run(
        [str(genreport), "init", "2023.xlsx", "--from", "2022.xlsx"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("已由 2022.xlsx（2022年度）结转生成 2023.xlsx（2023年度）\n沿用：\n")
    assert proc.stderr == ""
    assert digest(Path("2022.xlsx")) == before
    assert read(Path("2023.xlsx"), None).forms["budget"].get("expense_total", "prior") == Decimal("12678.39")
    bad = subprocess.run(
        [str(genreport), "init", "2030.xlsx", "--from", "2022.xlsx"], capture_output=True, text=True, check=False
    )
    assert (bad.returncode, bad.stdout) == (2, "")
    assert bad.stderr.startswith("错误：2030.xlsx：文件名中的年份 2030")


def test_help_explains_from() -> None:
    result = runner.invoke(app, ["init", "--help"], terminal_width=200)
    assert result.exit_code == 0
    assert "--from" in result.output
    assert "上年工作簿不会被修改" in result.output


# ---- a department's own template, its own fields and tables, a sheet kept in 元 --------------------------------


def own_template() -> None:
    result = runner.invoke(app, ["template", "new", "greening"])
    assert result.exit_code == 0, result.output
    Path("templates/greening/template.toml").write_text(
        '[[tables]]\nkey = "greening"\nsheet = "绿化项目"\n'
        '[[tables.columns]]\nkey = "name"\nlabel = "项目"\nrequired = true\n'
        '[[tables.columns]]\nkey = "amount"\nlabel = "投资"\ntype = "金额"\n',
        encoding="utf-8",
    )


def departments_workbook(path: Path) -> None:
    """The sample as a department using its own template keeps it: 收支预决算 in 元, two 自定义字段, a table."""
    wb = openpyxl.load_workbook(SAMPLE)
    wb[schema.BASIC.name][schema.form_cell(schema.BASIC, "template", "value")] = "greening"
    budget = wb["收支预决算"]
    budget["B1"] = "元"
    for row in budget.iter_rows(min_row=FIRST_DATA_ROW, min_col=2, max_col=5):
        for cell in row:
            if isinstance(cell.value, int | float):
                cell.value = float(Decimal(str(cell.value)) * 10000)
    fields = wb["自定义字段"]
    fields.append(["辖区面积", 86.5, "平方公里", "数值"])
    fields.append(["专项经费", 363000, "元", "金额"])
    table = wb.create_sheet("绿化项目")
    table.append(["金额单位", "元"])
    table.append(["项目", "投资"])
    table.append(["滨河绿道", 250000])
    wb.save(path)


def test_own_template_fields_tables_and_units_carry_over(tmp_path: Path) -> None:
    own_template()
    departments_workbook(Path("2022.xlsx"))
    result = runner.invoke(app, ["init", "2023.xlsx", "--from", "2022.xlsx"])
    assert result.exit_code == 0, result.output
    assert "  绿化项目：1 行" in result.output.split("已清空（本年待填）：")[1]
    last, new = read(Path("2022.xlsx"), "greening"), read(Path("2023.xlsx"), "greening")
    assert new.forms["basic"].get("template", "value") == "greening"
    assert "绿化项目" in openpyxl.load_workbook("2023.xlsx").sheetnames
    assert new.custom["greening"].present and new.custom["greening"].records == []
    carried = [{k: r[k] for k in ("name", "unit", "type")} for r in new.lists["custom_fields"].records]
    assert carried == [
        {"name": "辖区面积", "unit": "平方公里", "type": "数值"},
        {"name": "专项经费", "unit": "元", "type": "金额"},
    ]
    assert all(r["content"] is None for r in new.lists["custom_fields"].records)
    # kept in 元: the 上年决算数 cells hold last year's 元 figures, which read as the same 万元
    new_budget = openpyxl.load_workbook("2023.xlsx")["收支预决算"]
    assert new_budget["B1"].value == "元"
    assert new_budget[new.forms["budget"].refs[("expense_total", "prior")]].value == 126783900
    assert new.forms["budget"].get("expense_total", "prior") == last.forms["budget"].get("expense_total", "actual")
    assert new.forms["budget"].get("expense_total", "prior") == Decimal("12678.39")


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(SAMPLE)
    duty = wb["部门职责"]["A3"]
    duty.value, duty.data_type = "=一、贯彻执行（原文如此）", "s"
    wb.save("2022.xlsx")
    roll_over(Path("2022.xlsx"), Path("2023.xlsx"))
    carried = openpyxl.load_workbook("2023.xlsx")["部门职责"]["A3"]
    assert (carried.value, carried.data_type) == ("=一、贯彻执行（原文如此）", "s")


def test_a_template_given_with_t_replaces_last_years(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", "2023.xlsx", "--from", str(SAMPLE), "-t", "township"])
    assert result.exit_code == 0, result.output
    new = read(Path("2023.xlsx"), "township")
    assert new.forms["basic"].get("template", "value") == "township"
    assert len(new.lists["kpis"].records) == 14
    assert {f.code for f in new.findings} == {"E_REQUIRED"}  # its 一级指标 offer last year's
