"""Units of every kind (issue 7 §5): a township whose total is on the income side, a unit without procurement or
三公 figures, blank totals computed from their parts, 上年 figures never from a partial sum, 元 typed under a 万元
label in a small unit, and spending items that are not construction projects.

Each case is the sample made into a small, consistent unit (``township``) with one thing changed; each checks the
figures the template sees, that no false finding appears, and the exact finding where one is due.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import docx
import openpyxl
from docx.oxml.ns import qn
from typer.testing import CliRunner

from pipeline.checks import COMPLETENESS
from pipeline.checks.text import PROOFREADING
from pipeline.cli import app
from pipeline.model import schema
from pipeline.model.schema import FIRST_DATA_ROW
from pipeline.session import load_context

from .conftest import SAMPLE, form_cell, list_column

runner = CliRunner()
B, T, P, A = schema.BUDGET, schema.THREE_PUBLIC, schema.PROCUREMENT, schema.ASSETS
Edit = Callable[[openpyxl.Workbook], None]
D = Decimal


def put(sheet: schema.FormSheet, values: dict[str, dict[str, object]]) -> Edit:
    def edit(wb: openpyxl.Workbook) -> None:
        for row, columns in values.items():
            for column, value in columns.items():
                wb[sheet.name][form_cell(sheet, row, column)] = value

    return edit


def put_list(sheet: schema.ListSheet, row: int, values: dict[str, object]) -> Edit:
    def edit(wb: openpyxl.Workbook) -> None:
        for key, value in values.items():
            wb[sheet.name].cell(row=row, column=list_column(sheet, key), value=value)

    return edit


def clear_rows(sheet: schema.ListSheet, first: int = FIRST_DATA_ROW) -> Edit:
    def edit(wb: openpyxl.Workbook) -> None:
        ws = wb[sheet.name]
        for row in range(first, ws.max_row + 1):
            for column in range(1, len(sheet.columns) + 1):
                ws.cell(row=row, column=column).value = None

    return edit


# A township of 1000万元 in the year: income by source 700 + 100 + 200; it spends 600 (基本) + 300 (项目) = 900, and
# carries 100 over (结转结余). 支出合计 全年执行数 is left blank: computed from its two parts.
TOWNSHIP: list[Edit] = [
    put(
        B,
        {
            "income_total": {"initial": 800, "adjusted": 1000, "actual": 1000},
            "income_general": {"initial": None, "actual": 700},
            "income_fund": {"actual": 100},
            "income_other": {"actual": 200},
            "expense_total": {"initial": 800, "adjusted": 1000, "actual": None},
            "basic": {"initial": 500, "actual": 600},
            "project": {"initial": 300, "actual": 300},
        },
    ),
    clear_rows(schema.FUNCTIONS),
    put(P, {"total": {"actual": None}, "goods": {"actual": 2}, "works": {"actual": 5}, "services": {"actual": 3}}),
    put(A, {"net_assets": {"amount": None}, "usage_rate": {"amount": None}}),
]


def workbook(*edits: Edit, name: str = "2022.xlsx") -> Path:
    wb = openpyxl.load_workbook(SAMPLE)
    for edit in (*TOWNSHIP, *edits):
        edit(wb)
    wb.save(name)
    return Path(name)


def findings(path: Path) -> list[tuple[str, str, str, str, str]]:
    result = runner.invoke(app, ["validate", "--format", "json", str(path)])
    assert result.exit_code in (0, 1), result.output
    keys = ("severity", "code", "sheet", "cell", "message")
    # the sample's own slips of typing (tests/test_proofreading.py) and what its report lacks (no 报告日期, “—” in
    # its appendices: tests/test_appendix_gaps.py)
    typed_text = {c.code for c in (*PROOFREADING, *COMPLETENESS)}
    found = [f for f in json.loads(result.stdout) if f["code"] not in typed_text]
    return [tuple(f[k] for k in keys) for f in found]  # type: ignore[misc]


def context(path: Path) -> dict[str, Any]:
    ctx, _ = load_context(path)
    return ctx


def grid(table: Any) -> list[list[str]]:
    """Row by row, the text of each real cell (a merged cell once)."""
    return [
        ["\n".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in tc.iter(qn("w:p"))) for tc in tr]
        for tr in ([tc for tc in row.iter(qn("w:tc"))] for row in table._tbl.iter(qn("w:tr")))
    ]


def build(path: Path, *options: str) -> docx.document.Document:
    result = runner.invoke(app, ["build", str(path), "-o", "out", *options])
    assert result.exit_code == 0, result.output
    return docx.Document(str(Path("out") / f"{path.stem}.docx"))


def test_township_states_income_total_and_a_smaller_expenditure_split() -> None:
    """年度资金总额 is the income side; 按支出性质分 the expenditure side (600 + 300 = 900 < 1000): no warning."""
    path = workbook()
    assert findings(path) == []
    evaluation = context(path)["evaluation"]
    budget = evaluation["budget"]
    assert (budget["initial"], budget["adjusted"], budget["actual"]) == (D(800), D(1000), D(1000))
    assert (budget["rate"], budget["score"]) == (D(1), D(10))
    assert (evaluation["income_total"], evaluation["expense_total"]) == (D(1000), D(900))
    assert (evaluation["basic"], evaluation["project"]) == (D(600), D(300))
    assert [s["amount"] for s in evaluation["income_sources"]] == [D(700), D(100), None, None, D(200)]

    rows = grid(build(path).tables[0])
    assert rows[2][1:] == ["年度资金总额", "800.00", "1000.00", "1000.00", "10", "100.00%", "10.00"]
    assert rows[3][1:] == ["按收入性质分：1000.00", "按支出性质分：900.00"]
    assert rows[4][1:] == ["其中：一般公共预算拨款：700.00", "其中：基本支出：600.00"]
    assert rows[5][1:] == ["政府性基金预算拨款：100.00", "项目支出：300.00"]


def test_township_typing_its_income_total_as_expenditure_is_warned_once() -> None:
    """The one finding due: 支出合计 typed as the income-side 1000 while its parts add up to 900."""
    path = workbook(put(B, {"expense_total": {"actual": 1000}}))
    assert findings(path) == [
        (
            "warning",
            "W_SUM_MISMATCH",
            "收支预决算",
            "E9",
            "“支出合计”的全年执行数为 1000.00，而“基本支出”＋“项目支出”合计 900.00，相差 100.00 万元",
        )
    ]


def test_no_procurement_sheet_and_a_blank_three_public_sheet() -> None:
    """No invented 0: the figures are None; one warning for the deleted sheet, none for the blank one."""

    def edit(wb: openpyxl.Workbook) -> None:
        wb.remove(wb[P.name])
        ws = wb[T.name]
        for row in T.rows:
            for column in T.columns:
                ws[form_cell(T, row.key, column.key)] = None

    path = workbook(edit)
    assert findings(path) == [
        ("warning", "W_SHEET_MISSING", "政府采购", "", "未找到工作表“政府采购”，按未填写处理，报告中不写这部分")
    ]
    ctx = context(path)
    assert (ctx["procurement"], ctx["three_public"]) == (None, None)
    assert ctx["yoy"]["three_public"] == {}
    indicators = ctx["indicators"]
    assert indicators["procurement_execution_rate"]["value"] is None
    assert indicators["three_public_control_rate"]["value"] is None
    rows = {r["label"]: r for r in ctx["basic_data"]["rows"]}
    for label in ("三公经费", "3、公务接待", "政府采购金额"):
        assert (rows[label]["prior"], rows[label]["budget"], rows[label]["actual"]) == (None, None, None)
    assert rows["项目支出"]["actual"] == D(300)  # the other rows keep their figures

    # the report renders with the figures absent: a template that asks, and the 基础数据表 with “—”
    Path("tpl").mkdir()
    document = docx.Document()
    for text in (
        "{%p if procurement %}",
        "政府采购支出{{ procurement.actual.total|money }}万元。",
        "{%p else %}",
        "本年度未发生政府采购。",
        "{%p endif %}",
        "{%p if not three_public %}",
        "无“三公”经费数据。",
        "{%p endif %}",
        "{%p for row in basic_data.rows %}",
        "{{ row.label }}：{{ row.actual|money }}",
        "{%p endfor %}",
    ):
        document.add_paragraph(text)
    document.save("tpl/report.docx")
    text = [p.text for p in build(path, "-t", "tpl").paragraphs]
    assert "本年度未发生政府采购。" in text and "无“三公”经费数据。" in text
    assert "政府采购金额：—" in text and "三公经费：—" in text and "项目支出：300.00" in text
    assert not any("0.00" in t for t in text if "政府采购" in t or "三公" in t)


def test_blank_assets_sheet_and_a_typed_zero_procurement() -> None:
    """A blank 资产 sheet is no data (None); procurement typed as 0 is a fact: 0, not None."""

    def edit(wb: openpyxl.Workbook) -> None:
        for row in A.rows:
            wb[A.name][form_cell(A, row.key, "amount")] = None

    path = workbook(edit, put(P, {key: {"actual": 0} for key in ("goods", "works", "services")}))
    assert findings(path) == []
    ctx = context(path)
    assert ctx["assets"] is None
    assert ctx["indicators"]["fixed_asset_utilization"]["value"] is None
    assert ctx["procurement"]["actual"]["total"] == D(0)  # computed from three typed zeros
    assert ctx["procurement"]["actual"]["goods"] == D(0)


def test_a_half_filled_optional_sheet_still_needs_its_required_rows() -> None:
    path = workbook(put(A, {"total_assets": {"amount": None}}))
    assert ("error", "E_REQUIRED", "资产", "B3", "“资产总额”为必填项，未填写") in findings(path)


def test_blank_basic_expenditure_is_computed_from_its_parts() -> None:
    path = workbook(put(B, {"basic": {"actual": None}, "personnel": {"actual": 450}, "public": {"actual": 150}}))
    assert findings(path) == []
    actual = context(path)["budget"]["actual"]
    assert (actual["basic"], actual["expense_total"]) == (D(600), D(900))
    assert context(path)["shares"]["basic"] == D(600) / D(900)


def test_blank_basic_expenditure_with_one_part_is_an_error_naming_the_missing_part() -> None:
    path = workbook(put(B, {"basic": {"actual": None}, "public": {"actual": 150}}))
    assert findings(path) == [
        (
            "error",
            "E_REQUIRED",
            "收支预决算",
            "E10",
            "“基本支出”的“全年执行数”未填写，其组成项只填了“公用经费”，缺“人员经费”（没有的填 0），无法合计",
        ),
    ]  # 支出合计 (blank too) is not reported again: filling in 人员经费 computes both


def test_blank_income_total_without_sources_says_what_would_compute_it() -> None:
    # 全年执行数: 年初预算数 is optional (issue 18 §5), a unit's published 决算 may not give it
    sources = ("income_general", "income_fund", "income_soe", "income_special", "income_other")
    path = workbook(put(B, {"income_total": {"actual": None}, **{k: {"actual": None} for k in sources}}))
    assert findings(path) == [
        (
            "error",
            "E_REQUIRED",
            "收支预决算",
            "E3",
            "“收入合计”的“全年执行数”为必填项，未填写；也可填写其组成项“一般公共预算拨款”“政府性基金预算拨款”"
            "“国有资本经营预算拨款”“财政专户管理资金”“单位资金及其他收入”，由系统合计",
        )
    ]


def test_last_year_from_all_parts_gives_year_on_year() -> None:
    path = workbook(put(B, {"personnel": {"prior": 250}, "public": {"prior": 100}, "project": {"prior": 500}}))
    assert findings(path) == []
    yoy = context(path)["yoy"]["budget"]
    assert set(yoy) == {"basic", "project", "expense_total"}  # 人员/公用经费 have no 全年执行数 this year
    change = yoy["expense_total"]
    assert (change["prior"], change["current"], change["word"], change["amount"]) == (D(850), D(900), "增加", D(50))
    assert change["rate"] == D(50) / D(850)
    assert (yoy["basic"]["prior"], yoy["basic"]["current"]) == (D(350), D(600))


def test_last_year_from_a_partial_sum_is_absent_not_a_661_percent_increase() -> None:
    """公用经费 上年 alone (人员经费 上年 blank): no 上年 基本支出, so no 同比 of it or of 支出合计, and one warning."""
    path = workbook(put(B, {"public": {"prior": 100}, "project": {"prior": 500}}))
    assert findings(path) == [
        (
            "warning",
            "W_PARTS_MISSING",
            "收支预决算",
            "B10",
            "“基本支出”的上年决算数未填写，其组成项只填了“公用经费”，缺“人员经费”：不按部分之和计算，该数空缺",
        )
    ]
    ctx = context(path)
    assert set(ctx["yoy"]["budget"]) == {"project"}
    assert (ctx["budget"]["prior"]["basic"], ctx["budget"]["prior"]["expense_total"]) == (None, None)


def test_three_public_last_year_from_a_partial_vehicle_split_is_absent() -> None:
    path = workbook(
        put(T, {"abroad": {"prior": 0}, "vehicle_operation": {"prior": 2}, "reception": {"prior": 3}}),
    )
    assert findings(path) == [
        (
            "warning",
            "W_PARTS_MISSING",
            "三公经费",
            "B5",
            "“公务用车购置及运行维护费”的上年决算数未填写，其组成项只填了“其中：公务用车运行维护费”，"
            "缺“其中：公务用车购置费”：不按部分之和计算，该数空缺",
        )
    ]
    yoy = context(path)["yoy"]["three_public"]
    assert set(yoy) == {"abroad", "vehicle_operation", "reception"}  # no 合计 from 0 + 2 + 3 without 购置费


# A unit of 800万元: 元 typed under the 万元 label is found against its own size, on every sheet.
SMALL = put(
    B,
    {
        "income_total": {"initial": 800, "adjusted": 800, "actual": 800},
        "income_general": {"actual": 500},
        "income_fund": {"actual": 100},
        "income_other": {"actual": 200},
        "expense_total": {"initial": 800, "adjusted": 800},
        "basic": {"actual": 500},
    },
)


def test_a_small_units_project_typed_in_yuan_is_flagged_and_not_silently_major() -> None:
    """36.3万元 typed as 363000: 454 times the unit's 800万元; it would be described as a project above 50万元."""
    path = workbook(
        SMALL,
        clear_rows(schema.PROJECTS, FIRST_DATA_ROW + 1),
        put_list(schema.PROJECTS, FIRST_DATA_ROW + 1, {"name": "村道硬化工程", "cost": 363000, "category": "工程"}),
    )
    assert findings(path) == [
        (
            "warning",
            "W_UNIT_SUSPECT",
            "项目",
            "B4",
            "项目“村道硬化工程”的“项目总造价（预算）”为 363000.00，是本单位全年收支规模 800.00 的 454 倍，"
            "数量级异常：可能按元填写（本表金额单位为万元）或多输了数字；按此数，该项目将作为50万元以上的项目逐项说明",
        )
    ]
    typed_right = workbook(
        SMALL,
        clear_rows(schema.PROJECTS, FIRST_DATA_ROW + 1),
        put_list(schema.PROJECTS, FIRST_DATA_ROW + 1, {"name": "村道硬化工程", "cost": 36.3, "category": "工程"}),
        name="2022b.xlsx",
    )
    assert findings(typed_right) == []
    assert [p["name"] for p in context(typed_right)["major_projects"]] == ["衡山大道盛豪世纪城人行道改造项目"]


def test_a_small_units_last_year_three_public_in_yuan_is_flagged_once() -> None:
    path = workbook(
        SMALL,
        put(
            T,
            {
                "total": {"prior": 42700},
                "abroad": {"prior": 0},
                "vehicle": {"prior": 18400},
                "reception": {"prior": 24300},
            },
        ),
    )
    assert findings(path) == [
        (
            "warning",
            "W_UNIT_SUSPECT",
            "三公经费",
            "B3",
            "“‘三公’经费合计”的上年决算数为 42700.00，超过本单位全年收支规模 800.00，"
            "数量级异常：可能按元填写（本表金额单位为万元）或多输了数字",
        )
    ]


def test_a_project_fund_typed_in_yuan_is_flagged_at_its_cell() -> None:
    path = workbook(SMALL, put_list(schema.PROJECT_FUNDS, FIRST_DATA_ROW, {"adjusted": 2064600}))
    got = findings(path)
    assert (
        "warning",
        "W_UNIT_SUSPECT",
        "项目资金来源",
        "D3",
        "项目“衡山大道盛豪世纪城人行道改造项目”（当年财政拨款）的“全年预算数”为 2064600.00，"
        "超过本单位全年收支规模 800.00，数量级异常：可能按元填写（本表金额单位为万元）或多输了数字",
    ) in got
    assert [f[1] for f in got] == ["W_SUM_MISMATCH", "W_UNIT_SUSPECT"]  # and the project's own sum


def test_last_years_budget_column_in_yuan_is_flagged() -> None:
    path = workbook(put(B, {"expense_total": {"prior": 8500000}}))
    assert findings(path) == [
        (
            "warning",
            "W_UNIT_SUSPECT",
            "收支预决算",
            "B9",
            "“支出合计”的上年决算数为 8500000.00，是本单位全年收支规模 1000.00 的 8500 倍，"
            "数量级异常：可能按元填写（本表金额单位为万元）或多输了数字",
        )
    ]


def test_a_whole_budget_sheet_in_yuan_is_flagged_by_its_staff() -> None:
    """Every figure of 收支预决算 10000 times too large: its own totals agree, its 23 编制 do not."""
    yuan = {
        "income_total": {"initial": 8000000, "adjusted": 10000000, "actual": 10000000},
        "income_general": {"actual": 7000000},
        "income_fund": {"actual": 1000000},
        "income_other": {"actual": 2000000},
        "expense_total": {"initial": 8000000, "adjusted": 10000000},
        "basic": {"initial": 5000000, "actual": 6000000},
        "project": {"initial": 3000000, "actual": 3000000},
    }
    path = workbook(put(B, yuan))
    assert findings(path) == [
        (
            "warning",
            "W_UNIT_SUSPECT",
            "收支预决算",
            "E10",
            "“基本支出”的全年执行数为 6000000.00，按编制数 23 人计每人 260869.57 万元，"
            "数量级异常：可能按元填写（本表金额单位为万元）或多输了数字",
        )
    ]


def test_spending_items_without_cost_and_with_a_category() -> None:
    """总造价 is optional; an item without it is a major project when its 全年预算数 or 执行数 reaches 50万元."""
    path = workbook(
        clear_rows(schema.PROJECTS, FIRST_DATA_ROW + 1),
        put_list(
            schema.PROJECTS,
            FIRST_DATA_ROW + 1,
            {"name": "春节慰问困难群众", "category": "民生", "adjusted": 60, "actual": 58.5},
        ),
        put_list(
            schema.PROJECTS,
            FIRST_DATA_ROW + 2,
            {"name": "业务培训会议", "category": "会议", "adjusted": 8, "actual": 8},
        ),
        put_list(schema.PROJECTS, FIRST_DATA_ROW, {"category": "工程"}),
    )
    assert findings(path) == []
    ctx = context(path)
    assert [(p["name"], p["category"], p["cost"]) for p in ctx["projects"]] == [
        ("衡山大道盛豪世纪城人行道改造项目", "工程", D("206.46")),
        ("春节慰问困难群众", "民生", None),
        ("业务培训会议", "会议", None),
    ]
    assert [p["name"] for p in ctx["major_projects"]] == ["衡山大道盛豪世纪城人行道改造项目", "春节慰问困难群众"]
    build(path)  # the default template builds with an item that has no 总造价
