"""The standard indicators of 部门整体支出绩效评价, each declared once (formulas: domain.md §1–§2).

A ``Definition`` says what an indicator is — its name, its formula in words, the workbook cells it is computed
from and where the official outline prints it — and computes it. The body text, the charts, the 自评表 and
``genreport context`` all print the one value computed here: the context's ``indicators.KEY.value``. A template
never divides two figures itself.

Every indicator is a fraction (0.2140 for 21.40%) or None when its data is absent — an absent indicator is
reported as absent, never as 0.

预算执行率 is the 自评表's: its row 年度资金总额 is 收入合计 (the published 衡山县 form, domain.md §1.3, prints
全年执行数 2030.12 = 按收入性质分 while 按支出性质分 is 1925.67), and 执行率 = 全年执行数 ÷ 全年预算数 of that row
(column header “执行率(B/A)”, domain.md §1.1–§1.2). 预算调整率 and 预算控制率 read the same row, so the three
rates of the budget speak of one set of figures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from ..model import schema
from ..model.records import Building
from ..numbers import ratio
from .figures import Sums

FUNDS_ROW = "income_total"  # 年度资金总额 of the 自评表 (derive.derive builds its budget line from this row)


@dataclass(frozen=True)
class Source:
    """A figure an indicator is computed from: a form sheet's row and column, or a list sheet's column."""

    sheet: schema.Sheet
    column: str
    row: str | None = None

    @property
    def text(self) -> str:
        """As a message names it: 收支预决算“收入合计”的全年执行数, 人员编制“实有人数”列."""
        if isinstance(self.sheet, schema.FormSheet):
            label = self.sheet.row(self.row or "").label
            column = next(c.label for c in self.sheet.columns if c.key == self.column)
            return (
                f"{self.sheet.name}“{label}”的{column}"
                if len(self.sheet.columns) > 1
                else f"{self.sheet.name}“{label}”"
            )
        return f"{self.sheet.name}“{self.sheet.column(self.column).label}”列"


@dataclass(frozen=True)
class Definition:
    """How an indicator is computed, from which figures, and where the outline prints it."""

    key: str  # the context key: indicators.KEY
    name: str
    formula: str  # in words, as a reader checks it
    sources: tuple[Source, ...]
    outline: str  # where the official outline (and the shipped templates) print it
    compute: Callable[[Sums], Decimal | None]
    yardstick: bool  # 100% is its reference line (the charts draw it); the shares and 调整率 have none

    @property
    def source_text(self) -> str:
        return "、".join(s.text for s in self.sources)


@dataclass(frozen=True)
class Indicator:
    """An indicator's value for one report, with its formula and the figures it came from."""

    key: str
    name: str
    value: Decimal | None
    formula: str
    sources: str = ""
    outline: str = ""


def _budget(row: str, column: str) -> Source:
    return Source(schema.BUDGET, column, row)


def budget_execution_rate(s: Sums) -> Decimal | None:
    """预算执行率 = 全年执行数 ÷ 全年预算数 of 收入合计 (the 自评表's 年度资金总额) — domain.md §1.2, §1.3."""
    return ratio(s.budget.get(FUNDS_ROW, "actual"), s.budget.get(FUNDS_ROW, "adjusted"))


def budget_adjustment_rate(s: Sums) -> Decimal | None:
    """预算调整率 = (全年预算数 − 年初预算数) ÷ 年初预算数 of 收入合计, signed — domain.md §2.2."""
    initial = s.budget.get(FUNDS_ROW, "initial")
    adjusted = s.budget.get(FUNDS_ROW, "adjusted")
    if initial is None or adjusted is None:
        return None
    return ratio(adjusted - initial, initial)


def budget_control_rate(s: Sums) -> Decimal | None:
    """预算控制率 = 本年追加预算 ÷ 年初预算数, 追加 = max(全年预算数 − 年初预算数, 0) — domain.md §2.2.

    With only the two budget figures in the workbook it equals the adjustment rate unless the
    budget was cut, in which case nothing was added and the rate is 0.
    """
    rate = budget_adjustment_rate(s)
    return None if rate is None else max(rate, Decimal(0))


def basic_share(s: Sums) -> Decimal | None:
    """基本支出占比 = 基本支出 ÷ 支出合计 (全年执行数) — domain.md §2.1 (预算配置)."""
    return ratio(s.budget.get("basic", "actual"), s.budget.get("expense_total", "actual"))


def project_share(s: Sums) -> Decimal | None:
    """项目支出占比 = 项目支出 ÷ 支出合计 (全年执行数) — domain.md §2.1."""
    return ratio(s.budget.get("project", "actual"), s.budget.get("expense_total", "actual"))


def three_public_control_rate(s: Sums) -> Decimal | None:
    """“三公”经费控制率 = “三公”经费决算数 ÷ 预算数 — domain.md §2.2; None without 三公 figures."""
    if s.three_public is None:
        return None
    return ratio(s.three_public.get("total", "actual"), s.three_public.get("total", "budget"))


def procurement_execution_rate(s: Sums) -> Decimal | None:
    """政府采购执行率 = 实际政府采购金额 ÷ 政府采购预算数, only when a budget is given — domain.md §2.2."""
    if s.procurement is None:
        return None
    return ratio(s.procurement.get("total", "actual"), s.procurement.get("total", "budget"))


def public_funds_control_rate(s: Sums) -> Decimal | None:
    """公用经费控制率 = 公用经费全年执行数 ÷ 年初预算数 — domain.md §2.2."""
    return ratio(s.budget.get("public", "actual"), s.budget.get("public", "initial"))


def computed_asset_utilization(s: Sums) -> Decimal | None:
    """在用固定资产 ÷ 固定资产原值: what a typed 资产使用率 is checked against (W_RATE_MISMATCH)."""
    if s.assets is None:
        return None
    return ratio(s.assets.get("fixed_in_use", "amount"), s.assets.get("fixed_assets", "amount"))


def fixed_asset_utilization(s: Sums) -> Decimal | None:
    """固定资产利用率 — the 资产使用率 the report prints: as typed (资产!资产使用率; a typed figure is printed as
    typed, a difference from the computed one is W_RATE_MISMATCH), else 在用固定资产 ÷ 固定资产原值 — domain.md §2.2."""
    if s.assets is None:
        return None
    typed = s.assets.get("usage_rate", "amount")
    return typed if typed is not None else computed_asset_utilization(s)


def staffing_control_rate(s: Sums) -> Decimal | None:
    """在职人员控制率 = 实有人数 ÷ 编制数, only when every 编制 row gives its 实有人数 — domain.md §1.4, §2.2."""
    if not s.staffing or any(row.actual is None for row in s.staffing):
        return None
    return ratio(Decimal(sum(row.actual or 0 for row in s.staffing)), Decimal(sum(row.quota for row in s.staffing)))


def building_area_control_rate(b: Building) -> Decimal | None:
    """新建楼堂馆所面积控制率 = 实际建设面积 ÷ 批准建设面积 — domain.md §2.2."""
    return ratio(b.actual_area, b.approved_area)


def building_investment_control_rate(b: Building) -> Decimal | None:
    """新建楼堂馆所投资概算控制率 = 实际投资 ÷ 概算投资 — domain.md §2.2."""
    return ratio(b.actual, b.budget)


DEFINITIONS: tuple[Definition, ...] = (
    Definition(
        "budget_execution_rate",
        "预算执行率",
        "全年执行数 ÷ 全年预算数（收入合计，即自评表“年度资金总额”行）",
        (_budget(FUNDS_ROW, "actual"), _budget(FUNDS_ROW, "adjusted")),
        "附件1 部门整体支出绩效自评表“年度资金总额”行的执行率与得分；正文“部门决算情况”“绩效情况”",
        budget_execution_rate,
        yardstick=True,
    ),
    Definition(
        "budget_adjustment_rate",
        "预算调整率",
        "（全年预算数 − 年初预算数）÷ 年初预算数（收入合计）",
        (_budget(FUNDS_ROW, "adjusted"), _budget(FUNDS_ROW, "initial")),
        "共性指标“预算调整率”（正文不印）",
        budget_adjustment_rate,
        yardstick=False,
    ),
    Definition(
        "budget_control_rate",
        "预算控制率",
        "本年追加预算 ÷ 年初预算数（收入合计；追加 = 全年预算数 − 年初预算数，调减时为 0）",
        (_budget(FUNDS_ROW, "adjusted"), _budget(FUNDS_ROW, "initial")),
        "正文“部门决算情况”（[REF]：预算控制率较高）",
        budget_control_rate,
        yardstick=False,
    ),
    Definition(
        "basic_share",
        "基本支出占比",
        "基本支出 ÷ 支出合计（全年执行数）",
        (_budget("basic", "actual"), _budget("expense_total", "actual")),
        "正文“部门决算情况”：占总支出的……；支出结构图",
        basic_share,
        yardstick=False,
    ),
    Definition(
        "project_share",
        "项目支出占比",
        "项目支出 ÷ 支出合计（全年执行数）",
        (_budget("project", "actual"), _budget("expense_total", "actual")),
        "正文“部门决算情况”：占总支出的……；支出结构图",
        project_share,
        yardstick=False,
    ),
    Definition(
        "three_public_control_rate",
        "“三公”经费控制率",
        "“三公”经费决算数 ÷ 预算数",
        (Source(schema.THREE_PUBLIC, "actual", "total"), Source(schema.THREE_PUBLIC, "budget", "total")),
        "正文““三公”经费执行情况”",
        three_public_control_rate,
        yardstick=True,
    ),
    Definition(
        "procurement_execution_rate",
        "政府采购执行率",
        "实际采购金额 ÷ 采购预算数",
        (Source(schema.PROCUREMENT, "actual", "total"), Source(schema.PROCUREMENT, "budget", "total")),
        "共性指标“政府采购执行率”（正文不印）",
        procurement_execution_rate,
        yardstick=True,
    ),
    Definition(
        "public_funds_control_rate",
        "公用经费控制率",
        "公用经费执行数 ÷ 年初预算数",
        (_budget("public", "actual"), _budget("public", "initial")),
        "共性指标“公用经费控制率”（正文不印）",
        public_funds_control_rate,
        yardstick=True,
    ),
    Definition(
        "fixed_asset_utilization",
        "固定资产利用率",
        "资产使用率（填写的）；未填写时为在用固定资产 ÷ 固定资产原值",
        (
            Source(schema.ASSETS, "amount", "usage_rate"),
            Source(schema.ASSETS, "amount", "fixed_in_use"),
            Source(schema.ASSETS, "amount", "fixed_assets"),
        ),
        "正文“资产管理情况”的资产使用率（assets.usage_rate 是同一个值）",
        fixed_asset_utilization,
        yardstick=True,
    ),
    Definition(
        "staffing_control_rate",
        "在职人员控制率",
        "实有人数 ÷ 编制数",
        (Source(schema.STAFFING, "actual"), Source(schema.STAFFING, "quota")),
        "附件3 基础数据表“控制率”；正文“绩效情况”（乡镇模板）",
        staffing_control_rate,
        yardstick=True,
    ),
)

BY_KEY = {d.key: d for d in DEFINITIONS}

# (key, name, function, formula), as the batch summary reads them
STANDARD = tuple((d.key, d.name, d.compute, d.formula) for d in DEFINITIONS)


def standard_indicators(sums: Sums) -> dict[str, Indicator]:
    return {d.key: Indicator(d.key, d.name, d.compute(sums), d.formula, d.source_text, d.outline) for d in DEFINITIONS}
