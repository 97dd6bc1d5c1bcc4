"""The standard indicators of 部门整体支出绩效评价, one function each (formulas: domain.md §2).

Every indicator is a fraction (0.2140 for 21.40%) or None when its data is absent
— an absent indicator is reported as absent, never as 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .figures import effective
from .model import Building, Report
from .numbers import ratio


@dataclass(frozen=True)
class Indicator:
    key: str
    name: str
    value: Decimal | None
    formula: str


def budget_execution_rate(r: Report) -> Decimal | None:
    """预算执行率 = 全年执行数 / 全年预算数 (支出合计) — domain.md §1.2 and §2.2 (预算完成率)."""
    return ratio(effective(r.budget, "expense_total", "actual"), effective(r.budget, "expense_total", "adjusted"))


def budget_adjustment_rate(r: Report) -> Decimal | None:
    """预算调整率 = (全年预算数 − 年初预算数) / 年初预算数 (支出合计), signed — domain.md §2.2."""
    initial = effective(r.budget, "expense_total", "initial")
    adjusted = effective(r.budget, "expense_total", "adjusted")
    if initial is None or adjusted is None:
        return None
    return ratio(adjusted - initial, initial)


def budget_control_rate(r: Report) -> Decimal | None:
    """预算控制率 = 本年追加预算 / 年初预算数, 追加 = max(全年预算数 − 年初预算数, 0) — domain.md §2.2.

    With only the two budget figures in the workbook it equals the adjustment rate unless the
    budget was cut, in which case nothing was added and the rate is 0.
    """
    rate = budget_adjustment_rate(r)
    return None if rate is None else max(rate, Decimal(0))


def basic_share(r: Report) -> Decimal | None:
    """基本支出占比 = 基本支出 / 支出合计 (全年执行数) — domain.md §2.1 (预算配置)."""
    return ratio(effective(r.budget, "basic", "actual"), effective(r.budget, "expense_total", "actual"))


def project_share(r: Report) -> Decimal | None:
    """项目支出占比 = 项目支出 / 支出合计 (全年执行数) — domain.md §2.1."""
    return ratio(effective(r.budget, "project", "actual"), effective(r.budget, "expense_total", "actual"))


def three_public_control_rate(r: Report) -> Decimal | None:
    """“三公”经费控制率 = “三公”经费决算数 / 预算数 — domain.md §2.2."""
    return ratio(effective(r.three_public, "total", "actual"), effective(r.three_public, "total", "budget"))


def procurement_execution_rate(r: Report) -> Decimal | None:
    """政府采购执行率 = 实际政府采购金额 / 政府采购预算数, only when a budget is given — domain.md §2.2."""
    return ratio(effective(r.procurement, "total", "actual"), effective(r.procurement, "total", "budget"))


def public_funds_control_rate(r: Report) -> Decimal | None:
    """公用经费控制率 = 公用经费全年执行数 / 年初预算数 — domain.md §2.2."""
    return ratio(effective(r.budget, "public", "actual"), effective(r.budget, "public", "initial"))


def fixed_asset_utilization(r: Report) -> Decimal | None:
    """固定资产利用率 = 在用固定资产 / 固定资产原值 — domain.md §2.2."""
    return ratio(r.assets.get("fixed_in_use", "amount"), r.assets.get("fixed_assets", "amount"))


def staffing_control_rate(r: Report) -> Decimal | None:
    """在职人员控制率 = 实有人数 / 编制数, only when every 编制 row gives its 实有人数 — domain.md §1.4, §2.2."""
    if not r.staffing or any(s.actual is None for s in r.staffing):
        return None
    return ratio(Decimal(sum(s.actual or 0 for s in r.staffing)), Decimal(sum(s.quota for s in r.staffing)))


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


def standard_indicators(report: Report) -> dict[str, Indicator]:
    return {key: Indicator(key, name, fn(report), formula) for key, name, fn, formula in STANDARD}
