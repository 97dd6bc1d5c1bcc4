"""One figure, one meaning (issue 18 §1): every shipped template, built on every sample and on variants (a unit whose
income side differs from its spending, blank figures, zero figures), prints each standard indicator with one value
— in the context, in the chart that draws it, in the 自评表 and 基础数据表, and wherever the body text prints it.

The values come from the one declaration (pipeline/derive/indicators.py); this test reads what was printed and
compares it with the formatted context value, so a template or a renderer that computes a rate of its own fails.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from docx.oxml.ns import qn

from pipeline import build
from pipeline.derive.indicators import DEFINITIONS
from pipeline.model import schema
from pipeline.model.schema import FIRST_DATA_ROW
from pipeline.numbers import format_percent
from pipeline.render import charts
from pipeline.session import load_context, render_options
from pipeline.template.profile import resolve_profile

from .conftest import ROOT, SAMPLE, form_cell, list_column

TOWNSHIP_SAMPLE = ROOT / "inputs" / "township-2023.xlsx"
TEMPLATES = ("default", "township")
B, T, P, A = schema.BUDGET, schema.THREE_PUBLIC, schema.PROCUREMENT, schema.ASSETS
Edit = Callable[[openpyxl.Workbook], None]


def put(sheet: schema.FormSheet, values: dict[str, dict[str, object]]) -> Edit:
    def edit(wb: openpyxl.Workbook) -> None:
        for row, columns in values.items():
            for column, value in columns.items():
                wb[sheet.name][form_cell(sheet, row, column)] = value

    return edit


def blank_staffing_actual(wb: openpyxl.Workbook) -> None:
    ws = wb[schema.STAFFING.name]
    for row in range(FIRST_DATA_ROW, ws.max_row + 1):
        ws.cell(row=row, column=list_column(schema.STAFFING, "actual")).value = None


def all_three_public(value: object) -> Edit:
    rows = ("total", "abroad", "vehicle", "vehicle_purchase", "vehicle_operation", "reception")
    return put(T, {r: {"budget": value, "actual": value} for r in rows})


# The budget rows of a unit that carries funds over: 收入合计 990 of 1000 (99.00 %) while it spends 900 of 1000
# (90.00 %): the two candidate rates differ, so a renderer that divides the other row is caught.
INCOME_SIDE: list[Edit] = [
    put(
        B,
        {
            "income_total": {"initial": 800, "adjusted": 1000, "actual": 990},
            "income_general": {"initial": None, "actual": 690},
            "income_fund": {"actual": 100},
            "income_soe": {"actual": None},
            "income_special": {"actual": None},
            "income_other": {"actual": 200},
            "expense_total": {"initial": 800, "adjusted": 1000, "actual": None},
            "basic": {"initial": 500, "actual": 600},
            "project": {"initial": 300, "actual": 300},
        },
    ),
    put(A, {"usage_rate": {"amount": None}}),  # 资产使用率 computed: 517.91 ÷ 2317.93
]
# Blank where a unit may leave figures out: no 全年预算数 (no 预算执行率, no 自评表 total), no 三公 sheet figures, no
# 实有人数, no 在用固定资产 nor 资产使用率.
BLANK: list[Edit] = [
    put(B, {"income_total": {"adjusted": None}, "expense_total": {"adjusted": None}}),
    all_three_public(None),
    blank_staffing_actual,
    put(A, {"fixed_in_use": {"amount": None}, "usage_rate": {"amount": None}}),
]
# Zeros typed as facts: 三公 all 0 and procurement all 0 (0 ÷ 0 has no rate, never 0 % nor 100 %).
ZERO: list[Edit] = [
    all_three_public(0),
    put(P, {r: {"budget": 0, "actual": 0} for r in ("total", "goods", "works", "services")}),
]

WORKBOOKS: dict[str, tuple[Path, list[Edit]]] = {
    "sample-2022": (SAMPLE, []),
    "township-2023": (TOWNSHIP_SAMPLE, []),
    "income-side": (SAMPLE, INCOME_SIDE),
    "blank": (SAMPLE, BLANK),
    "zero": (SAMPLE, ZERO),
    "zero-township": (TOWNSHIP_SAMPLE, ZERO),
}
# The township sample scores a 一级指标 “成本指标” that only the township template's rules.toml declares: the default
# template refuses it (E_CHOICE), as it should, so those two are not built.
NOT_BUILT = {("default", "township-2023"), ("default", "zero-township")}


def workbook(case: str, folder: Path) -> Path:
    source, edits = WORKBOOKS[case]
    wb = openpyxl.load_workbook(source)
    for edit in edits:
        edit(wb)
    year = re.search(r"\d{4}", source.name)
    path = folder / f"{case}-{year.group(0) if year else ''}.xlsx"
    wb.save(path)
    return path


def cells(table: Any) -> list[list[str]]:
    """Row by row, the text of each real cell (a merged cell once)."""
    return [
        ["\n".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in tc.iter(qn("w:p"))) for tc in tr]
        for tr in ([tc for tc in row.iter(qn("w:tc"))] for row in table._tbl.iter(qn("w:tr")))
    ]


def printed_after(label: str, text: str) -> list[str]:
    """Every percentage printed right after ``label`` (or the dash printed for an absent one)."""
    return re.findall(re.escape(label) + r"(-?\d+(?:\.\d+)?%|—)", text)


BODY_LABELS = {  # how the body text introduces each indicator it prints
    "budget_execution_rate": "预算执行率",
    "budget_control_rate": "预算控制率",
    "three_public_control_rate": "“三公”经费控制率",
    "staffing_control_rate": "在职人员控制率",
    "fixed_asset_utilization": "资产使用率",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], tuple[dict[str, Any], Any, int]]:
    """(template, workbook) → (context, the built .docx, percent places): each combination built once."""
    folder = tmp_path_factory.mktemp("agree")
    out: dict[tuple[str, str], tuple[dict[str, Any], Any, int]] = {}
    for case in WORKBOOKS:
        path = workbook(case, folder)
        for template in TEMPLATES:
            if (template, case) in NOT_BUILT:
                continue
            profile = resolve_profile(template)
            context, _ = load_context(path, profile=profile)
            [result] = build([path], folder / template, template)
            assert result.ok and result.output is not None, (case, template, result.error)
            out[(template, case)] = (
                dict(context),
                docx.Document(str(result.output)),
                render_options(profile).percent_places,
            )
    return out


COMBINATIONS = [(t, case) for t in TEMPLATES for case in WORKBOOKS if (t, case) not in NOT_BUILT]


def _pct(context: dict[str, Any], key: str, places: int) -> str:
    return format_percent(context["indicators"][key]["value"], places)


@pytest.mark.parametrize(("template", "case"), COMBINATIONS)
def test_the_context_holds_one_value_per_indicator(built: dict[Any, Any], template: str, case: str) -> None:
    context, _, _ = built[(template, case)]
    indicators = context["indicators"]
    assert set(indicators) == {d.key for d in DEFINITIONS}
    assert context["evaluation"]["budget"]["rate"] == indicators["budget_execution_rate"]["value"]
    assert context["shares"] == {
        "basic": indicators["basic_share"]["value"],
        "project": indicators["project_share"]["value"],
    }
    assert context["basic_data"]["staff_control_rate"] == indicators["staffing_control_rate"]["value"]
    if context["assets"] is not None:
        assert context["assets"]["usage_rate"] == indicators["fixed_asset_utilization"]["value"]
    for definition in DEFINITIONS:
        entry = indicators[definition.key]
        assert entry["formula"] == definition.formula and entry["sources"] and entry["outline"]


def test_the_variants_tell_the_two_candidate_rates_apart(built: dict[Any, Any]) -> None:
    """The income-side unit is the case that caught the old split: 990 ÷ 1000 on the form, 900 ÷ 1000 spent."""
    context, _, _ = built[("township", "income-side")]
    assert context["indicators"]["budget_execution_rate"]["value"] == Decimal("0.99")
    context, _, _ = built[("default", "blank")]
    assert context["indicators"]["budget_execution_rate"]["value"] is None
    assert context["indicators"]["staffing_control_rate"]["value"] is None
    context, _, _ = built[("default", "zero")]
    assert context["indicators"]["three_public_control_rate"]["value"] is None  # 0 ÷ 0 is no rate, not 0 %


@pytest.mark.parametrize(("template", "case"), COMBINATIONS)
def test_the_charts_draw_the_context_values(built: dict[Any, Any], template: str, case: str) -> None:
    context, _, _ = built[(template, case)]  # the charts print 2 places whatever the template's setting
    figure = charts.build_figure("indicators", context)
    drawn = {d.key for d in DEFINITIONS if d.yardstick and context["indicators"][d.key]["value"] is not None}
    if figure is None:
        assert not drawn
        return
    [ax] = figure.axes
    names = [t.get_text() for t in ax.get_yticklabels()]
    values = [t.get_text() for t in ax.texts][: len(names)]  # the bar labels, then the 100% mark
    assert dict(zip(names, values, strict=True)) == {
        context["indicators"][key]["name"]: _pct(context, key, 2) for key in TARGET_ORDER if key in drawn
    }
    ring = charts.build_figure("structure", context)
    if ring is not None:
        from matplotlib.text import Text

        texts = "\n".join(t.get_text() for t in ring.findobj(Text))
        for key in ("basic_share", "project_share"):
            assert f"占{_pct(context, key, 2)}" in texts


TARGET_ORDER = charts.TARGET_INDICATORS


@pytest.mark.parametrize(("template", "case"), COMBINATIONS)
def test_the_forms_print_the_context_values(built: dict[Any, Any], template: str, case: str) -> None:
    context, document, places = built[(template, case)]
    rows = [row for table in document.tables for row in cells(table)]
    funds = next(row for row in rows if "年度资金总额" in row)  # 附件1 comes first; the project forms follow
    header = next(row for row in rows if "执行率" in row and "年初预算数" in row)
    assert funds[header.index("执行率")] == _pct(context, "budget_execution_rate", places)
    staff = [i for i, row in enumerate(rows) if "控制率" in row and "编制数" in row]  # 附件3, where printed
    for i in staff:
        assert rows[i + 1][rows[i].index("控制率")] == _pct(context, "staffing_control_rate", places)


@pytest.mark.parametrize(("template", "case"), COMBINATIONS)
def test_the_body_prints_the_context_values(built: dict[Any, Any], template: str, case: str) -> None:
    context, document, places = built[(template, case)]
    body = "\n".join(p.text for p in document.paragraphs)
    for key, label in BODY_LABELS.items():
        for shown in printed_after(label, body):
            assert shown == _pct(context, key, places), (key, label)
    shares = re.findall(r"占总支出的(\d+(?:\.\d+)?%)", body)
    if shares:
        assert shares == [_pct(context, "basic_share", places), _pct(context, "project_share", places)]


def test_the_samples_print_their_rates_where_a_reader_looks(built: dict[Any, Any]) -> None:
    """The body checks above only compare what is printed: here, that the samples do print them."""
    _, document, _ = built[("township", "township-2023")]
    body = "\n".join(p.text for p in document.paragraphs)
    assert printed_after("预算执行率", body) == ["99.47%"]  # 2456.8 ÷ 2470, as its 自评表 (the chart said 93.87 %)
    _, document, _ = built[("default", "sample-2022")]
    body = "\n".join(p.text for p in document.paragraphs)
    assert printed_after("预算执行率", body) == ["100.00%"]  # 12668.73 ÷ 12668.73 (the context said 100.08 %)
    assert printed_after("资产使用率", body) == ["100.00%"]  # as typed; the chart and 汇总 now say the same
    assert printed_after("占总支出的", body) == ["21.40%", "78.56%"]
