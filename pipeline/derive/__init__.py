"""Derive once: everything a report states that can be computed, computed once per report.

Totals from parts and declared differences, the 科目 hierarchy, 同比, the standard indicators, every KPI's
computed score, the 自评表 scorecards and their 等级. The checks compare typed values against these figures and the
context only formats them; neither computes a figure of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ..model.record import Form
from ..model.records import Kpi, Project, Report
from ..template.rules import Rules
from .figures import FunctionTree, Sums, Totals, major_projects, totals_of, year_on_year
from .indicators import (
    FUNDS_ROW,
    Indicator,
    building_area_control_rate,
    building_investment_control_rate,
    standard_indicators,
)
from .scoring import Scorecard, budget_line, computed_score, scorecard


@dataclass(frozen=True)
class Derived:
    """A report with everything computed from it: sums, function tree, indicators, scores."""

    report: Report
    rules: Rules
    sums: Sums
    functions: FunctionTree
    indicators: dict[str, Indicator]
    department: Scorecard
    projects: dict[str, Scorecard]  # by project name, for each project with indicators, in sheet order
    computed_scores: dict[int, Decimal | None]  # every indicator's computed 得分, by its row
    major_projects: list[Project]
    yoy: dict[str, dict[str, dict[str, object]]] = field(default_factory=dict)
    building_rates: list[tuple[Decimal | None, Decimal | None]] = field(default_factory=list)  # 面积, 投资概算

    @property
    def staff_quota(self) -> int:
        return sum(s.quota for s in self.report.staffing)

    @property
    def staff_actual(self) -> int | None:
        """实有人数 of every 编制 row, or None when any row leaves it blank (a partial sum would mislead)."""
        actual = [s.actual for s in self.report.staffing]
        return None if any(a is None for a in actual) else sum(a or 0 for a in actual)

    @property
    def basic_budget_adjustment(self) -> Decimal | None:
        """部门基本支出预算调整: 全年预算数 − 年初预算数 of 基本支出 (a budget figure)."""
        initial, adjusted = self.budget.get("basic", "initial"), self.budget.get("basic", "adjusted")
        return None if initial is None or adjusted is None else adjusted - initial

    @property
    def budget(self) -> Totals:
        return self.sums.budget

    @property
    def three_public(self) -> Totals | None:
        """None: the workbook has no 三公经费 figures (sheet left out or blank)."""
        return self.sums.three_public

    @property
    def procurement(self) -> Totals | None:
        return self.sums.procurement

    @property
    def assets(self) -> Totals | None:
        return self.sums.assets

    @property
    def usage_rate(self) -> Decimal | None:
        """资产使用率 as typed, else 在用固定资产 ÷ 固定资产原值."""
        return self.indicators["fixed_asset_utilization"].value  # the one declaration: typed, else computed

    @property
    def scale(self) -> Decimal | None:
        """The unit's size: the largest 收入合计 or 支出合计 of this year (年初预算数, 全年预算数, 全年执行数). Amounts
        on the other sheets are judged against it (元 typed under a 万元 label is ten thousand times too large)."""
        figures = [
            self.budget.get(row, column)
            for row in ("income_total", "expense_total")
            for column in ("initial", "adjusted", "actual")
        ]
        given = [f for f in figures if f is not None]
        return max(given) if given else None

    @property
    def short_name(self) -> str:
        return self.report.basic.short_name or self.report.basic.name


def _totals(form: Form) -> Totals | None:
    """An optional sheet left out or blank (``present`` False; its values are all None) has no figures."""
    return totals_of(form) if form.present else None


def derive(report: Report, rules: Rules) -> Derived:
    sums = Sums(
        budget=totals_of(report.budget),
        three_public=_totals(report.three_public),
        procurement=_totals(report.procurement),
        assets=_totals(report.assets),
        staffing=tuple(report.staffing),
    )
    kpis = list(report.kpis)
    indicators = standard_indicators(sums)
    # 年度资金总额 of the 自评表 is the income side (收入合计), as the published 衡山县 form prints it: the
    # year's funds by source (按收入性质分); 按支出性质分 is the expenditure side, which may be smaller (结转结余,
    # domain.md §1.3). Its 执行率 is the declared 预算执行率, the one value the body and the charts print too.
    department = scorecard(
        budget_line(
            sums.budget.get(FUNDS_ROW, "initial"),
            sums.budget.get(FUNDS_ROW, "adjusted"),
            sums.budget.get(FUNDS_ROW, "actual"),
            rules,
            indicators["budget_execution_rate"].value,
        ),
        [k for k in kpis if k.project is None],
        rules,
    )
    return Derived(
        report=report,
        rules=rules,
        sums=sums,
        functions=FunctionTree(list(report.functions)),
        indicators=indicators,
        department=department,
        projects=_project_scorecards(report, kpis, rules),
        computed_scores={k.row: computed_score(k) for k in kpis},
        major_projects=major_projects(list(report.projects), report.basic.threshold),
        yoy={
            "budget": year_on_year(sums.budget, "actual"),
            "three_public": year_on_year(sums.three_public, "actual"),
        },
        building_rates=[(building_area_control_rate(b), building_investment_control_rate(b)) for b in report.buildings],
    )


def _project_scorecards(report: Report, kpis: list[Kpi], rules: Rules) -> dict[str, Scorecard]:
    """One 项目支出绩效自评表 for each project that has indicators."""
    out = {}
    by_project: dict[str, list[Kpi]] = {}
    for k in kpis:
        if k.project is not None:
            by_project.setdefault(k.project, []).append(k)
    for p in report.projects:
        mine = by_project.get(p.name, [])
        if mine:
            out[p.name] = scorecard(budget_line(p.initial, p.adjusted, p.actual, rules), mine, rules)
    return out
