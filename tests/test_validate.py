"""genreport validate and the consistency checks: every part–whole relation, with its cell and figures."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from pipeline.checks import COMPLETENESS
from pipeline.checks.text import PROOFREADING
from pipeline.cli import app
from pipeline.findings.report import JSON_KEYS
from pipeline.model import schema

from .conftest import SAMPLE, form_cell, list_column

runner = CliRunner()

SAMPLE_FINDINGS = [
    (
        "warning",
        "W_SUM_MISMATCH",
        "收支预决算",
        "E9",
        "“支出合计”的全年执行数为 12678.39，而“基本支出”＋“项目支出”合计 12673.89，相差 4.50 万元",
    ),
    (
        "warning",
        "W_SUM_MISMATCH",
        "政府采购",
        "C3",
        "“政府采购合计”的实际采购金额为 1206.56，而“货物”＋“工程”＋“服务”合计 1306.46，相差 99.90 万元",
    ),
    (
        "warning",
        "W_NET_ASSETS",
        "资产",
        "B5",
        "“净资产”为 5165161.87，而资产总额 6391.10 − 负债总额 1229.23 = 5161.87，相差 5160000.00 万元",
    ),
    (
        "warning",
        "W_UNIT_SUSPECT",
        "资产",
        "B5",
        "“净资产”为 5165161.87，是“资产总额”（6391.10）的 808 倍，数量级异常：可能按元填写（本表金额单位为万元）或多输了数字",
    ),
    (
        "warning",
        "W_RATE_MISMATCH",
        "资产",
        "B8",
        "“资产使用率”填写为 100.00%，而在用固定资产 517.91 ÷ 固定资产原值 2317.93 = 22.34%",
    ),
]


# The sample's typed text has the reference's own slips (文号, 全角数字, …): tests/test_proofreading.py lists them;
# here they are left out, so that each consistency finding stands alone.
PROOFREADING_CODES = {c.code for c in PROOFREADING}
SAMPLE_PROOFREADING = 14  # of them on the sample: 基本信息!B7, 项目!E3, 文字!B4 (11), 文字!B8, 文字!B9
# What the sample's report lacks (no 报告日期, “—” in its appendices): tests/test_appendix_gaps.py; left out here too
LEFT_OUT = PROOFREADING_CODES | {c.code for c in COMPLETENESS}
SAMPLE_COMPLETENESS = 12  # 报告日期 and 11 sources of the appendices' “—”


def validate_json(*args: str) -> tuple[int, list[dict[str, str]]]:
    result = runner.invoke(app, ["validate", "--format", "json", *args])
    return result.exit_code, [f for f in json.loads(result.stdout) if f["code"] not in LEFT_OUT]


def test_sample_inconsistencies_are_all_found() -> None:
    """The published report's own faults (domain.md §3), each with its cell and figures."""
    shutil.copy(SAMPLE, "2022.xlsx")
    code, findings = validate_json("2022.xlsx")
    assert code == 0  # warnings only
    assert [tuple(f[k] for k in ("severity", "code", "sheet", "cell", "message")) for f in findings] == SAMPLE_FINDINGS
    assert all(list(f) == list(JSON_KEYS) and f["file"] == "2022.xlsx" for f in findings)


def test_text_format_groups_by_file_and_sheet_and_counts() -> None:
    shutil.copy(SAMPLE, "2022.xlsx")
    result = runner.invoke(app, ["validate", "2022.xlsx"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "2022.xlsx：31 项"
    assert lines[1] == "  基本信息"
    assert lines[6] == "  收支预决算"
    assert lines[7].startswith("    E9 警告 [W_SUM_MISMATCH] “支出合计”的全年执行数为 12678.39")
    assert [ln for ln in lines if not ln.startswith("    ")] == [
        "2022.xlsx：31 项",
        "  基本信息",
        "  人员编制",
        "  收支预决算",
        "  三公经费",
        "  政府采购",
        "  资产",
        "  项目",
        "  文字",
        "共 1 个文件：0 个错误，31 个警告。",
    ]


def test_strict_turns_warnings_into_failure() -> None:
    shutil.copy(SAMPLE, "2022.xlsx")
    assert runner.invoke(app, ["validate", "--strict", "2022.xlsx"]).exit_code == 1
    build = runner.invoke(app, ["build", "--strict", "2022.xlsx", "-o", "out"])
    assert build.exit_code == 1
    # 20: the 19 warnings and the blank 报告日期; the appendices' “—” (W_APPENDIX_BLANK) print nothing wrong
    assert build.stderr.splitlines()[-1] == "2022.xlsx：有 20 处问题（--strict：警告也不放行），未生成报告。"
    assert not Path("out").exists()


def test_build_prints_warnings_and_goes_on() -> None:
    shutil.copy(SAMPLE, "2022.xlsx")
    result = runner.invoke(app, ["build", "2022.xlsx", "-o", "out"])
    assert result.exit_code == 0
    assert result.stderr.splitlines()[0] == (
        "警告：2022.xlsx › 收支预决算!E9：“支出合计”的全年执行数为 12678.39，而“基本支出”＋“项目支出”合计 12673.89，相差 4.50 万元"
    )
    assert Path("out/2022.docx").is_file()


def test_bad_usage_exits_2() -> None:
    shutil.copy(SAMPLE, "2022.xlsx")
    assert runner.invoke(app, ["validate", "--format", "xml", "2022.xlsx"]).exit_code == 2
    assert runner.invoke(app, ["validate"]).exit_code == 2


def edit_sample(edit: Callable[[openpyxl.Workbook], None], name: str = "case.xlsx") -> Path:
    wb = openpyxl.load_workbook(SAMPLE)
    edit(wb)
    wb.save(name)
    return Path(name)


def make_consistent(wb: openpyxl.Workbook) -> None:
    """The sample with its published faults corrected."""
    wb[schema.BUDGET.name][form_cell(schema.BUDGET, "expense_total", "actual")] = 12673.89
    wb[schema.PROCUREMENT.name][form_cell(schema.PROCUREMENT, "total", "actual")] = 1306.46
    wb[schema.ASSETS.name][form_cell(schema.ASSETS, "net_assets", "amount")] = 5161.87
    wb[schema.ASSETS.name][form_cell(schema.ASSETS, "usage_rate", "amount")] = None


def test_consistent_data_gives_no_finding() -> None:
    edit_sample(make_consistent)
    code, findings = validate_json("case.xlsx")
    assert (code, findings) == (0, [])


def setter(sheet: schema.Sheet, cell: str, value: object) -> Callable[[openpyxl.Workbook], None]:
    return lambda wb: wb[sheet.name].__setitem__(cell, value)


def form(sheet: schema.FormSheet, row: str, col: str, value: object) -> Callable[[openpyxl.Workbook], None]:
    return setter(sheet, form_cell(sheet, row, col), value)


def list_cell(sheet: schema.ListSheet, key: str, row: int, value: object) -> Callable[[openpyxl.Workbook], None]:
    return setter(sheet, f"{openpyxl.utils.get_column_letter(list_column(sheet, key))}{row}", value)


B, T, P, A = schema.BUDGET, schema.THREE_PUBLIC, schema.PROCUREMENT, schema.ASSETS

# name → (edits on the consistent sample, the one finding expected: severity, code, sheet, cell, message)
Finding = tuple[str, str, str, str, str]
FAULTS: dict[str, tuple[list[Callable[[openpyxl.Workbook], None]], Finding | list[Finding]]] = {
    "income_sources_vs_total": (
        [
            form(B, "income_general", "initial", 2000),
            form(B, "income_fund", "initial", 1000),
            form(B, "income_soe", "initial", 0),
            form(B, "income_special", "initial", 0),
            form(B, "income_other", "initial", 0),
        ],
        (
            "warning",
            "W_SUM_MISMATCH",
            "收支预决算",
            "C3",
            "“收入合计”的年初预算数为 3020.53，而“一般公共预算拨款”＋“政府性基金预算拨款”＋“国有资本经营预算拨款”＋“财政专户管理资金”＋“单位资金及其他收入”合计 3000.00，相差 20.53 万元",
        ),
    ),
    "given_sources_exceed_total": (
        [form(B, "income_fund", "initial", 700)],
        (
            "warning",
            "W_PARTS_EXCEED",
            "收支预决算",
            "C3",
            "“收入合计”的年初预算数为 3020.53，已填写的“一般公共预算拨款”＋“政府性基金预算拨款”合计 3063.53 已超出 43.00 万元",
        ),
    ),
    "basic_plus_project_initial": (
        [form(B, "basic", "initial", 1368.50)],
        (
            "warning",
            "W_SUM_MISMATCH",
            "收支预决算",
            "C9",
            "“支出合计”的年初预算数为 3020.53，而“基本支出”＋“项目支出”合计 3020.50，相差 0.03 万元",
        ),
    ),
    "basic_plus_project_adjusted": (
        [form(B, "basic", "adjusted", 3000), form(B, "project", "adjusted", 9000)],
        (
            "warning",
            "W_SUM_MISMATCH",
            "收支预决算",
            "D9",
            "“支出合计”的全年预算数为 12668.73，而“基本支出”＋“项目支出”合计 12000.00，相差 668.73 万元",
        ),
    ),
    "personnel_plus_public": (
        [form(B, "personnel", "actual", 2000), form(B, "public", "actual", 700)],
        (
            "warning",
            "W_SUM_MISMATCH",
            "收支预决算",
            "E10",
            "“基本支出”的全年执行数为 2713.30，而“人员经费”＋“公用经费”合计 2700.00，相差 13.30 万元",
        ),
    ),
    "part_of_public_exceeds": (
        [form(B, "public", "initial", 100), form(B, "office", "initial", 120)],
        (
            "warning",
            "W_PART_EXCEEDS",
            "收支预决算",
            "C13",
            "“其中：办公经费”的年初预算数为 120.00，大于“公用经费”的年初预算数 100.00",
        ),
    ),
    "three_public_items_vs_total": (
        [form(T, "total", "budget", 8)],
        (
            "warning",
            "W_SUM_MISMATCH",
            "三公经费",
            "C3",
            "“‘三公’经费合计”的预算数为 8.00，而“因公出国（境）费”＋“公务用车购置及运行维护费”＋“公务接待费”合计 7.00，相差 1.00 万元",
        ),
    ),
    "vehicle_split_vs_vehicle": (
        [form(T, "vehicle", "actual", 1.9), form(T, "total", "actual", 4.33)],
        (
            "warning",
            "W_SUM_MISMATCH",
            "三公经费",
            "D5",
            "“公务用车购置及运行维护费”的决算数为 1.90，而“其中：公务用车购置费”＋“其中：公务用车运行维护费”合计 1.84，相差 0.06 万元",
        ),
    ),
    "net_assets": (
        [form(A, "net_assets", "amount", 5100)],
        (
            "warning",
            "W_NET_ASSETS",
            "资产",
            "B5",
            "“净资产”为 5100.00，而资产总额 6391.10 − 负债总额 1229.23 = 5161.87，相差 61.87 万元",
        ),
    ),
    "in_use_exceeds_fixed": (
        [form(A, "fixed_in_use", "amount", 2400)],
        ("warning", "W_IN_USE_EXCEEDS", "资产", "B7", "“在用固定资产”2400.00 大于“固定资产原值”2317.93"),
    ),
    "typed_rate_vs_computed": (
        [form(A, "usage_rate", "amount", 0.5)],
        (
            "warning",
            "W_RATE_MISMATCH",
            "资产",
            "B8",
            "“资产使用率”填写为 50.00%，而在用固定资产 517.91 ÷ 固定资产原值 2317.93 = 22.34%",
        ),
    ),
    "function_children_vs_parent": (
        [list_cell(schema.FUNCTIONS, "project", 4, 31)],
        (
            "warning",
            "W_CHILDREN_MISMATCH",
            "支出明细",
            "D3",
            "科目 221“住房保障支出”的项目支出为 3470.69，而其下级科目合计 3471.69，相差 1.00 万元",
        ),
    ),
    "function_top_level_vs_total": (
        [list_cell(schema.FUNCTIONS, "project", 15, 128.59)],
        (
            "warning",
            "W_FUNCTIONS_TOTAL",
            "支出明细",
            "D3:D15",
            "各类科目的项目支出合计 9970.58，与“收支预决算”中项目支出全年执行数 9960.59 相差 9.99 万元",
        ),
    ),
    "paid_exceeds_cost": (
        [list_cell(schema.PROJECTS, "paid", 5, 60)],
        (
            "warning",
            "W_PAID_EXCEEDS",
            "项目",
            "C5",
            "项目“107国道（城管处）排水排污改造工程”已支付 60.00，超过项目总造价 52.26",
        ),
    ),
    "score_exceeds_points": (
        [list_cell(schema.KPIS, "score", 9, 12)],
        ("warning", "W_SCORE_EXCEEDS", "绩效指标", "J9", "“房地产市场平稳”得分 12 超过分值 10"),
    ),
    "points_do_not_add_up": (
        [list_cell(schema.KPIS, "points", 3, 15)],
        ("warning", "W_POINTS_TOTAL", "绩效指标", "I3", "部门整体的产出指标分值合计 55，按评分规则应为 50"),
    ),
    "yuan_in_wan_column": (
        [list_cell(schema.PROJECTS, "cost", 4, 787600), list_cell(schema.PROJECTS, "paid", 4, 50)],
        (
            "warning",
            "W_UNIT_SUSPECT",
            "项目",
            "B4",
            "“毛泽建公园至南岳高速新场市入口路灯杆上中国结安装工程”为 787600.00，是同列其他数值中位数（129.36）的 6088 倍，数量级异常：可能按元填写（本表金额单位为万元）或多输了数字",
        ),
    ),
    "function_children_partly_given_exceed": (
        [list_cell(schema.FUNCTIONS, "basic", 3, 2713.30), list_cell(schema.FUNCTIONS, "basic", 4, 2800)],
        (
            "warning",
            "W_PARTS_EXCEED",
            "支出明细",
            "C3",
            "科目 221“住房保障支出”的基本支出为 2713.30，已填写的下级科目合计 2800.00 已超出 86.70 万元",
        ),
    ),
    "three_public_sheet_in_yuan": (
        [
            form(T, "total", "budget", 70000),
            form(T, "abroad", "budget", 0),
            form(T, "vehicle", "budget", 20000),
            form(T, "reception", "budget", 50000),
        ],
        (
            "warning",
            "W_UNIT_SUSPECT",
            "三公经费",
            "C3",
            "“‘三公’经费合计”的预算数为 70000.00，超过部门支出合计 3020.53，数量级异常：可能按元填写（本表金额单位为万元）或多输了数字",
        ),
    ),
    "typed_score_differs_from_computed": (
        [list_cell(schema.KPIS, "score", 5, 10)],
        (
            "warning",
            "W_SCORE_MISMATCH",
            "绩效指标",
            "J5",
            "“既有住宅加装电梯竣工台数”填写的得分 10 与按实际完成值计算的 6.00 不同",
        ),
    ),
    "kpi_not_numeric": (
        [list_cell(schema.KPIS, "actual", 3, "全部完成"), list_cell(schema.KPIS, "score", 3, 10)],
        (
            "warning",
            "W_KPI_NOT_NUMERIC",
            "绩效指标",
            "F3",
            "“棚户区改造完成户数”是定量指标（≥），年度指标值和实际完成值应为数值；将按填写的得分计",
        ),
    ),
    "kpi_unknown_project": (
        [list_cell(schema.KPIS, "project", row, "衡山大道人行道项目") for row in range(12, 17)],
        [
            ("warning", "W_KPI_PROJECT", "绩效指标", f"A{row}", "所属项目“衡山大道人行道项目”不在“项目”表中")
            for row in range(12, 17)
        ],
    ),
    "report_dated_before_the_year": (
        [form(schema.BASIC, "report_date", "value", __import__("datetime").date(2021, 3, 1))],
        ("warning", "W_REPORT_DATE", "基本信息", "B9", "报告日期 2021-03-01 早于所评价的年度 2022"),
    ),
    "no_problems_paragraph": (
        [lambda wb: [wb[schema.TEXTS.name].__setitem__(f"A{r}", "下一步改进措施") for r in (5, 6)]],
        ("warning", "W_TEXT_MISSING", "文字", "A:A", "没有“存在的主要问题”的段落，报告中该节将是空的"),
    ),
    "no_adjusted_budget": (
        [form(B, "income_total", "adjusted", None)],
        (
            "warning",
            "W_SCORE_INCOMPLETE",
            "收支预决算",
            "D3",
            "部门整体支出绩效自评表的总分和等级无法计算，缺少预算执行率（缺全年预算数或全年执行数）",
        ),
    ),
    "function_code_malformed": (
        [list_cell(schema.FUNCTIONS, "code", 4, "22101-03")],
        ("error", "E_CODE", "支出明细", "A4", "科目编码应为 3、5 或 7 位数字，实际为“22101-03”"),
    ),
    "date_not_a_date": (
        [form(schema.BASIC, "report_date", "value", "明年三月")],
        ("error", "E_NOT_DATE", "基本信息", "B9", "应为日期（如 2023-03-31），实际为“明年三月”"),
    ),
    "amount_absurdly_large": (
        [list_cell(schema.PROJECTS, "cost", 4, 1.23e29)],
        ("error", "E_TOO_LARGE", "项目", "B4", "数值过大、过小或无效：“1.23E+29”"),
    ),
    "unit_left_blank": (
        [setter(P, "B1", None)],
        ("warning", "W_UNIT_BLANK", "政府采购", "B1", "金额单位未填写，按“万元”处理"),
    ),
    "optional_sheet_deleted": (
        [lambda wb: wb.remove(wb[schema.FUNCTIONS.name])],
        ("warning", "W_SHEET_MISSING", "支出明细", "", "未找到工作表“支出明细”，按空表处理"),
    ),
    "project_fund_sources_vs_project": (
        [list_cell(schema.PROJECT_FUNDS, "actual", 3, 25)],
        (
            "warning",
            "W_SUM_MISMATCH",
            "项目",
            "I3",
            "项目“衡山大道盛豪世纪城人行道改造项目”的全年执行数为 30.00，而“项目资金来源”中各来源合计 25.00，相差 5.00 万元",
        ),
    ),
    "project_fund_unknown_project": (
        [list_cell(schema.PROJECT_FUNDS, "project", 3, "人行道项目")],
        ("warning", "W_FUND_PROJECT", "项目资金来源", "A3", "项目“人行道项目”不在“项目”表中"),
    ),
    "project_fund_source_twice": (
        [
            list_cell(schema.PROJECT_FUNDS, "project", 4, "衡山大道盛豪世纪城人行道改造项目"),
            list_cell(schema.PROJECT_FUNDS, "source", 4, "当年财政拨款"),
        ],
        (
            "error",
            "E_DUPLICATE_KEY",
            "项目资金来源",
            "B4",
            "项目“衡山大道盛豪世纪城人行道改造项目”的资金来源“当年财政拨款”重复（第3行已有）",
        ),
    ),
    "duplicate_function_code": (
        [list_cell(schema.FUNCTIONS, "code", 13, "212")],
        ("error", "E_DUPLICATE_KEY", "支出明细", "A13", "科目编码“212”重复（第12行已有）"),
    ),
    "duplicate_project_name": (
        [list_cell(schema.PROJECTS, "name", 5, "衡山大道盛豪世纪城人行道改造项目")],
        ("error", "E_DUPLICATE_KEY", "项目", "A5", "项目名称“衡山大道盛豪世纪城人行道改造项目”重复（第3行已有）"),
    ),
    "negative_amount": (
        [form(P, "goods", "actual", -147.34)],
        ("error", "E_NEGATIVE", "政府采购", "C4", "“货物”不能为负数，实际为 -147.34"),
    ),
    "year_not_the_reports": (
        [form(schema.BASIC, "year", "value", 2023)],
        ("error", "E_YEAR_MISMATCH", "基本信息", "B5", "年度为 2023，与文件名中的年份 2022 不一致"),
    ),
}


@pytest.mark.parametrize("fault", FAULTS, ids=str)
def test_each_fault_gives_its_finding(fault: str) -> None:
    edits, expected = FAULTS[fault]

    def edit(wb: openpyxl.Workbook) -> None:
        make_consistent(wb)
        for e in edits:
            e(wb)

    name = "2022.xlsx" if fault == "year_not_the_reports" else "case.xlsx"
    edit_sample(edit, name)
    code, findings = validate_json(name)
    got = [tuple(f[k] for k in ("severity", "code", "sheet", "cell", "message")) for f in findings]
    wanted = expected if isinstance(expected, list) else [expected]
    assert got == wanted
    assert code == (1 if wanted[0][0] == "error" else 0)


def test_a_cent_of_rounding_is_not_a_finding() -> None:
    edit_sample(lambda wb: (make_consistent(wb), form(B, "basic", "initial", 1368.52)(wb)))
    assert validate_json("case.xlsx") == (0, [])


def test_tolerance_is_configurable(tmp_path: Path) -> None:
    Path("tpl").mkdir()
    rules = (Path(__file__).parent.parent / "templates" / "default" / "rules.toml").read_text(encoding="utf-8")
    Path("tpl/rules.toml").write_text(rules.replace('tolerance = "0.01"', 'tolerance = "5"'), encoding="utf-8")
    shutil.copy(SAMPLE, "2022.xlsx")
    code, findings = validate_json("2022.xlsx", "-t", "tpl")
    assert code == 0
    assert [f["code"] for f in findings] == ["W_SUM_MISMATCH", "W_NET_ASSETS", "W_UNIT_SUSPECT", "W_RATE_MISMATCH"]


def test_several_files_and_an_unreadable_one() -> None:
    shutil.copy(SAMPLE, "2022.xlsx")
    Path("broken.xlsx").write_bytes(b"not a zip")
    result = runner.invoke(app, ["validate", "2022.xlsx", "broken.xlsx"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert "broken.xlsx：1 项" in lines
    assert lines[-2].startswith("  错误 [E_UNREADABLE] 文件已损坏或不是 .xlsx 工作簿")
    assert lines[-1] == f"共 2 个文件：1 个错误，{5 + SAMPLE_PROOFREADING + SAMPLE_COMPLETENESS} 个警告。"


def test_consistent_skewed_hierarchy_is_not_a_unit_slip() -> None:
    """Children of very different size that add up to their parent and to the total are fine."""

    def edit(wb: openpyxl.Workbook) -> None:
        make_consistent(wb)
        ws = wb[schema.FUNCTIONS.name]
        for row, (code, name, basic) in enumerate(
            [
                ("201", "一般公共服务支出", 2713.30),
                ("20103", "政府办公厅", 1.3),
                ("2010301", "行政运行", 1.3),
                ("20104", "发展与改革事务", 2.0),
                ("20105", "统计信息事务", 2.0),
                ("20106", "财政事务", 2708.0),
            ],
            start=16,
        ):
            ws.cell(row=row, column=1, value=code)
            ws.cell(row=row, column=2, value=name)
            ws.cell(row=row, column=3, value=basic)

    edit_sample(edit)
    assert validate_json("case.xlsx") == (0, [])


def test_structural_errors_are_collected_in_one_pass() -> None:
    def edit(wb: openpyxl.Workbook) -> None:
        wb[schema.THREE_PUBLIC.name]["C4"] = "约2万"
        list_cell(schema.FUNCTIONS, "code", 13, "212")(wb)
        form(schema.BASIC, "year", "value", 2023)(wb)

    edit_sample(edit, "2022.xlsx")
    code, findings = validate_json("2022.xlsx")
    assert code == 1
    assert [(f["code"], f["sheet"], f["cell"]) for f in findings] == [
        ("E_NOT_NUMBER", "三公经费", "C4"),
        ("E_DUPLICATE_KEY", "支出明细", "A13"),
        ("E_YEAR_MISMATCH", "基本信息", "B5"),
    ]


def test_text_output_lists_each_sheet_once_in_workbook_order() -> None:
    edit_sample(
        lambda wb: (
            wb[schema.ASSETS.name].__setitem__("B3", "6391.10 "),
            form(schema.BASIC, "report_date", "value", __import__("datetime").date(2021, 3, 1))(wb),
        )
    )
    result = runner.invoke(app, ["validate", "case.xlsx"])
    sheets = [ln.strip() for ln in result.stdout.splitlines() if ln.startswith("  ") and not ln.startswith("    ")]
    assert sheets == ["基本信息", "人员编制", "收支预决算", "三公经费", "政府采购", "资产", "项目", "文字"]


def test_percentages_typed_the_excel_way() -> None:
    """Excel keeps a typed “92%” as 0.92 in a %-formatted cell; the KPI is 92 (unit %), not 0.92."""

    def edit(wb: openpyxl.Workbook) -> None:
        ws = wb[schema.KPIS.name]
        ws["G16"], ws["F16"] = 0.92, "90%"
        ws["G16"].number_format = "0%"
        ws = wb[schema.ASSETS.name]
        ws[form_cell(A, "usage_rate", "amount")] = 0.2234
        ws[form_cell(A, "usage_rate", "amount")].number_format = "General"

    edit_sample(edit)
    code, findings = validate_json("case.xlsx")
    assert code == 0
    assert [f["code"] for f in findings if f["sheet"] in ("绩效指标", "资产") and f["code"] != "W_NET_ASSETS"] == [
        "W_UNIT_SUSPECT"
    ]  # the sample's 净资产; no rate mismatch: 0.2234 is 22.34%
    from pipeline.context import build_context
    from pipeline.derive import derive
    from pipeline.session import load_report
    from pipeline.template.profile import default_rules

    report, _ = load_report(Path("case.xlsx"))
    satisfaction = next(k for k in report.kpis if k.level3 == "周边居民满意度")
    assert (satisfaction.target, satisfaction.actual) == (90, 92)
    rows = build_context(derive(report, default_rules()))["project_evaluations"][0]["kpis"]
    assert next(r for r in rows if r["level3"] == "周边居民满意度")["score"] == 10


def test_a_grades_list_left_empty_is_a_clear_error() -> None:
    Path("tpl").mkdir()
    text = (Path(__file__).parent.parent / "templates" / "default" / "rules.toml").read_text(encoding="utf-8")
    Path("tpl/rules.toml").write_text(text[: text.index("[[grades]]")] + "grades = []\n", encoding="utf-8")
    shutil.copy(SAMPLE, "2022.xlsx")
    result = runner.invoke(app, ["validate", "2022.xlsx", "-t", "tpl"])
    assert (result.exit_code, result.stderr) == (1, "错误：tpl/rules.toml：评分规则缺少设置 'grades'\n")


def test_many_extra_sheets_are_named_five_then_counted_in_one_line(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(SAMPLE)
    for i in range(12):
        wb.create_sheet(f"草稿{i}")
    wb.save(tmp_path / "2022.xlsx")
    result = CliRunner().invoke(app, ["validate", str(tmp_path / "2022.xlsx"), "--format", "json"])
    extra = [f for f in json.loads(result.stdout) if f["code"] == "W_EXTRA_SHEET"]
    assert [f["sheet"] for f in extra] == ["草稿0", "草稿1", "草稿2", "草稿3", "草稿4", ""]
    assert extra[-1]["message"] == "另有 7 张不是标准工作表（“草稿5”、“草稿6”、“草稿7”等），已忽略"
