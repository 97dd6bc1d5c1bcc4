"""Context for the appendices: 部门整体支出绩效自评表, 项目支出绩效自评表 and 基础数据表 (domain.md §1)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from ..derive import Derived
from ..derive.figures import Totals
from ..derive.scoring import Scorecard
from ..model import schema
from ..model.figure import placed
from ..model.records import Kpi, ProjectFund, Report
from ..numbers import format_plain
from ..template.rules import Rules

if TYPE_CHECKING:  # types only (see __init__.py)
    from .vocabulary import (
        Adjustment,
        BasicData,
        BasicDataRow,
        CardBudget,
        Evaluation,
        FundSource,
        KpiRow,
        ProjectEvaluation,
    )


def _value_text(value: Decimal | str | None, unit: str | None) -> str:
    if value is None:
        return "—"
    text = format_plain(value) if isinstance(value, Decimal) else value
    return f"{text}{unit or ''}" if isinstance(value, Decimal) else text


_ORDER1 = {name: i for i, name in enumerate(schema.KPI_LEVEL1)}


def _kpi_rows(card: Scorecard, rules: Rules) -> list[KpiRow]:
    """Rows grouped by 一级 then 二级 指标 (order of first appearance), flagged where a merged cell starts."""
    order1 = _ORDER1
    first_seen: dict[tuple[str, str], int] = {}
    for i, s in enumerate(card.kpis):
        first_seen.setdefault((s.kpi.level1, s.kpi.level2), i)
    ordered = sorted(
        enumerate(card.kpis),
        key=lambda item: (
            order1.get(item[1].kpi.level1, 99),
            first_seen[(item[1].kpi.level1, item[1].kpi.level2)],
            item[0],
        ),
    )
    rows: list[KpiRow] = []
    previous: tuple[str, str] | None = None
    for _, s in ordered:
        k: Kpi = s.kpi
        points = rules.level_points.get(k.level1)
        direction = "" if k.direction == "定性" else k.direction
        rows.append(
            {
                "level1": f"{k.level1}（{format_plain(points)}分）" if points is not None else k.level1,
                "level2": k.level2,
                "level3": k.level3,
                "first1": previous is None or previous[0] != k.level1,
                "first2": previous is None or previous != (k.level1, k.level2),
                "target": (direction + _value_text(k.target, k.unit)) if isinstance(k.target, Decimal) else k.target,
                "actual": _value_text(k.actual, k.unit),
                "points": k.points,
                "score": s.score,
                "computed": s.computed,
                "remark": k.remark or "",
                "deviation": s.deviation,
                "deduction": s.deduction,
            }
        )
        previous = (k.level1, k.level2)
    return rows


def _adjustments(card: Scorecard) -> list[Adjustment]:
    return [{"label": a.label, "change": a.change, "note": a.note} for a in card.adjustments]


def _budget_row(card: Scorecard) -> CardBudget:
    b = card.budget
    return {
        "initial": b.initial,
        "adjusted": b.adjusted,
        "actual": b.actual,
        "points": b.points,
        "rate": b.rate,
        "score": b.score,
    }


def department_evaluation(d: Derived, texts: dict[str, list[str]]) -> Evaluation:
    budget, card = d.budget, d.department
    income_rows = [f for f in schema.BUDGET.rows if f.parent == "income_total"]
    return {
        "budget": _budget_row(card),  # the same row; the declaration says what it means on the 收入 side
        "kpis": _kpi_rows(card, d.rules),
        "total": card.total,
        "grade": card.grade,
        "missing": card.missing,
        "total_points": d.rules.total_points,
        "subtotal": card.subtotal,
        "adjustments": _adjustments(card),
        "income_total": budget.get("income_total", "actual"),
        "income_sources": [{"label": f.label, "amount": budget.get(f.key, "actual")} for f in income_rows],
        "expense_total": budget.get("expense_total", "actual"),
        "basic": budget.get("basic", "actual"),
        "project": budget.get("project", "actual"),
        "goal": texts.get("goal", []),
        "goal_outcome": texts.get("goal_outcome", []),
    }


def project_evaluations(d: Derived) -> list[ProjectEvaluation]:
    """One 项目支出绩效自评表 for each project that has indicators."""
    report = d.report
    out: list[ProjectEvaluation] = []
    funds: dict[str, dict[str, ProjectFund]] | None = None
    for p in report.projects:
        card = d.projects.get(p.name)
        if card is None:
            continue
        if funds is None:  # read once for all the projects, not once a project (~100 funds × each project)
            funds = _funds_by_project(report)
        out.append(
            {
                "budget": _budget_row(card),
                "kpis": _kpi_rows(card, d.rules),
                "total": card.total,
                "grade": card.grade,
                "missing": card.missing,
                "total_points": d.rules.total_points,
                "subtotal": card.subtotal,
                "adjustments": _adjustments(card),
                "sources": _fund_sources(funds.get(p.name, {})),
                "name": p.name,
                "supervisor": report.basic.supervisor or report.basic.name,
                "unit": p.unit or report.basic.name,
                "goal": p.goal or "",
                "outcome": p.outcome or "",
            }
        )
    return out


def _funds_by_project(report: Report) -> dict[str, dict[str, ProjectFund]]:
    """Each project's funds by source (a source given twice: its last row, as the form reads it)."""
    funds: dict[str, dict[str, ProjectFund]] = {}
    for f in report.project_funds:
        funds.setdefault(f.project, {})[f.source] = f
    return funds


def _fund_sources(funds: dict[str, ProjectFund]) -> list[FundSource]:
    """当年财政拨款 / 上年结转资金 / 其他资金 of one project (``funds``: its funds by source), in the form's order,
    absent ones as None."""

    def amount(source: str, column: str) -> Decimal | None:
        fund = funds.get(source)
        return None if fund is None else placed(fund.value(column), fund.place(column))

    return [
        {
            "label": source,
            "initial": amount(source, "initial"),
            "adjusted": amount(source, "adjusted"),
            "actual": amount(source, "actual"),
        }
        for source in schema.PROJECT_FUND_SOURCES
    ]


UNDER_QIZHONG = "\u3000" * 3  # aligns a line with the item after “其中：” above it


def basic_data(d: Derived, texts: dict[str, list[str]]) -> BasicData:
    """部门整体支出绩效评价基础数据表 (domain.md §1.4)."""
    report, three, budget, procurement = d.report, d.three_public, d.budget, d.procurement

    def row(table: Totals | None, budget_column: str, label: str, key: str, indent: int) -> BasicDataRow:
        """A row of the form; without the sheet's figures (no 三公经费 sheet) its cells are absent ("—"), not 0."""

        def get(column: str) -> Decimal | None:
            return None if table is None else table.get(key, column)

        return {
            "label": label,
            "indent": indent,
            "prior": get("prior"),
            "budget": get(budget_column),
            "actual": get("actual"),
        }

    def three_row(label: str, key: str, indent: int) -> BasicDataRow:
        return row(three, "budget", label, key, indent)

    def budget_row(label: str, key: str, indent: int) -> BasicDataRow:
        return row(budget, "initial", label, key, indent)

    rows: list[BasicDataRow] = [
        three_row("三公经费", "total", 0),
        three_row("1、公务用车购置和维护经费", "vehicle", 1),
        three_row("其中：公车购置", "vehicle_purchase", 2),
        three_row(f"{UNDER_QIZHONG}公车运行维护", "vehicle_operation", 2),
        three_row("2、出国经费", "abroad", 1),
        three_row("3、公务接待", "reception", 1),
        budget_row("项目支出", "project", 0),
        budget_row("公用经费", "public", 0),
        budget_row("其中：办公经费", "office", 1),
        budget_row(f"{UNDER_QIZHONG}水费、电费、差旅费", "utilities_travel", 1),
        budget_row(f"{UNDER_QIZHONG}会议费、培训费", "meeting_training", 1),
        {
            "label": "政府采购金额",
            "indent": 0,
            "prior": None,
            "budget": procurement.get("total", "budget") if procurement is not None else None,
            "actual": procurement.get("total", "actual") if procurement is not None else None,
        },
        {
            "label": "部门基本支出预算调整",
            "indent": 0,
            "prior": None,
            "budget": d.basic_budget_adjustment,
            "actual": None,
        },
    ]
    return {
        "staff_quota": d.staff_quota,
        "staff_actual": d.staff_actual,
        "staff_control_rate": d.indicators["staffing_control_rate"].value,
        "rows": rows,
        "austerity": texts.get("austerity", []),
        "buildings": [
            {
                "name": b.name,
                "approved_area": b.approved_area,
                "actual_area": b.actual_area,
                "area_rate": area_rate,
                "budget": b.budget,
                "actual": b.actual,
                "investment_rate": investment_rate,
            }
            for b, (area_rate, investment_rate) in zip(report.buildings, d.building_rates, strict=True)
        ],
    }
