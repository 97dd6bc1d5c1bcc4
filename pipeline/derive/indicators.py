"""The standard indicators of 部门整体支出绩效评价, one function each (formulas: domain.md §2).

Every indicator is a fraction (0.2140 for 21.40%) or None when its data is absent
— an absent indicator is reported as absent, never as 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..model.records import Building
from ..numbers import ratio
from .figures import Sums


@dataclass(frozen=True)
class Indicator:
    key: str
    name: str
    value: Decimal | None
    formula: str


def budget_execution_rate(s: Sums) -> Decimal | None:
    """预算执行率 = 全年执行数 / 全年预算数 (支出合计) — domain.md §1.2 and §2.2 (预算完成率)."""
    return ratio(s.budget.get("expense_total", "actual"), s.budget.get("expense_total", "adjusted"))


def budget_adjustment_rate(s: Sums) -> Decimal | None:
    """预算调整率 = (全年预算数 − 年初预算数) / 年初预算数 (支出合计), signed — domain.md §2.2."""
    initial = s.budget.get("expense_total", "initial")
    adjusted = s.budget.get("expense_total", "adjusted")
    if initial is None or adjusted is None:
        return None
    return ratio(adjusted - initial, initial)


def budget_control_rate(s: Sums) -> Decimal | None:
    """预算控制率 = 本年追加预算 / 年初预算数, 追加 = max(全年预算数 − 年初预算数, 0) — domain.md §2.2.

    With only the two budget figures in the workbook it equals the adjustment rate unless the
    budget was cut, in which case nothing was added and the rate is 0.
    """
    rate = budget_adjustment_rate(s)
    return None if rate is None else max(rate, Decimal(0))


def basic_share(s: Sums) -> Decimal | None:
    """基本支出占比 = 基本支出 / 支出合计 (全年执行数) — domain.md §2.1 (预算配置)."""
    return ratio(s.budget.get("basic", "actual"), s.budget.get("expense_total", "actual"))


def project_share(s: Sums) -> Decimal | None:
    """项目支出占比 = 项目支出 / 支出合计 (全年执行数) — domain.md §2.1."""
    return ratio(s.budget.get("project", "actual"), s.budget.get("expense_total", "actual"))


def three_public_control_rate(s: Sums) -> Decimal | None:
    """“三公”经费控制率 = “三公”经费决算数 / 预算数 — domain.md §2.2; None without 三公 figures."""
    if s.three_public is None:
        return None
    return ratio(s.three_public.get("total", "actual"), s.three_public.get("total", "budget"))


def procurement_execution_rate(s: Sums) -> Decimal | None:
    """政府采购执行率 = 实际政府采购金额 / 政府采购预算数, only when a budget is given — domain.md §2.2."""
    if s.procurement is None:
        return None
    return ratio(s.procurement.get("total", "actual"), s.procurement.get("total", "budget"))


def public_funds_control_rate(s: Sums) -> Decimal | None:
    """公用经费控制率 = 公用经费全年执行数 / 年初预算数 — domain.md §2.2."""
    return ratio(s.budget.get("public", "actual"), s.budget.get("public", "initial"))


def fixed_asset_utilization(s: Sums) -> Decimal | None:
    """固定资产利用率 = 在用固定资产 / 固定资产原值 — domain.md §2.2."""
    if s.assets is None:
        return None
    return ratio(s.assets.get("fixed_in_use", "amount"), s.assets.get("fixed_assets", "amount"))


def staffing_control_rate(s: Sums) -> Decimal | None:
    """在职人员控制率 = 实有人数 / 编制数, only when every 编制 row gives its 实有人数 — domain.md §1.4, §2.2."""
    if not s.staffing or any(row.actual is None for row in s.staffing):
        return None
    return ratio(Decimal(sum(row.actual or 0 for row in s.staffing)), Decimal(sum(row.quota for row in s.staffing)))


def building_area_control_rate(b: Building) -> Decimal | None:
    """新建楼堂馆所面积控制率 = 实际建设面积 / 批准建设面积 — domain.md §2.2."""
    return ratio(b.actual_area, b.approved_area)


def building_investment_control_rate(b: Building) -> Decimal | None:
    """新建楼堂馆所投资概算控制率 = 实际投资 / 概算投资 — domain.md §2.2."""
    return ratio(b.actual, b.budget)


STANDARD = (
    ("budget_execution_rate", "预算执行率", budget_execution_rate, "全年执行数 ÷ 全年预算数"),
    ("budget_adjustment_rate", "预算调整率", budget_adjustment_rate, "（全年预算数 − 年初预算数）÷ 年初预算数"),
    ("budget_control_rate", "预算控制率", budget_control_rate, "本年追加预算 ÷ 年初预算数"),
    ("basic_share", "基本支出占比", basic_share, "基本支出 ÷ 支出合计"),
    ("project_share", "项目支出占比", project_share, "项目支出 ÷ 支出合计"),
    ("three_public_control_rate", "“三公”经费控制率", three_public_control_rate, "“三公”经费决算数 ÷ 预算数"),
    ("procurement_execution_rate", "政府采购执行率", procurement_execution_rate, "实际采购金额 ÷ 采购预算数"),
    ("public_funds_control_rate", "公用经费控制率", public_funds_control_rate, "公用经费执行数 ÷ 年初预算数"),
    ("fixed_asset_utilization", "固定资产利用率", fixed_asset_utilization, "在用固定资产 ÷ 固定资产原值"),
    ("staffing_control_rate", "在职人员控制率", staffing_control_rate, "实有人数 ÷ 编制数"),
)


def standard_indicators(sums: Sums) -> dict[str, Indicator]:
    return {key: Indicator(key, name, fn(sums), formula) for key, name, fn, formula in STANDARD}
