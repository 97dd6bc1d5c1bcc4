"""KPI scoring for the 自评表 (domain.md §1.2): budget execution, quantitative and qualitative indicators.

Scores are computed from unrounded ratios and capped at their points; grades are applied to
the unrounded total. Points and grade thresholds come from rules.toml, and so do a province's adjustments
(adjustments.py): the sum of the items is kept as ``subtotal``, and ``total`` is what the adjustments make of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from ..findings.collector import short
from ..model.records import Kpi
from ..numbers import ratio
from ..template.rules import Rules
from .adjustments import Adjustment, adjusted, deduction_of


@dataclass
class ScoredKpi:
    """One performance indicator with its score: computed by the rules, or as the user entered it."""

    kpi: Kpi
    score: Decimal | None
    computed: bool  # False: taken from the 得分 the user entered
    deviation: Decimal | None = None  # |实际完成值 − 指标值| ÷ |指标值|, where the rules deduct for 偏离 and it counts
    deduction: Decimal | None = None  # the points the rules' 偏离 bands take from this indicator (None: none)


@dataclass
class BudgetLine:
    """The budget-execution line of a scorecard: the three budget figures, its rate and points."""

    initial: Decimal | None
    adjusted: Decimal | None
    actual: Decimal | None
    points: Decimal
    rate: Decimal | None
    score: Decimal | None


@dataclass
class Scorecard:
    """A department's or project's score: budget execution, indicators, total and grade."""

    budget: BudgetLine
    kpis: list[ScoredKpi] = field(default_factory=list)
    total: Decimal | None = None  # after the rules' adjustments (the figure the report states)
    grade: str | None = None
    missing: list[str] = field(default_factory=list)
    subtotal: Decimal | None = None  # 预算执行率 + every indicator's 得分, before any adjustment
    adjustments: list[Adjustment] = field(default_factory=list)


def budget_line(
    initial: Decimal | None,
    adjusted: Decimal | None,
    actual: Decimal | None,
    rules: Rules,
    rate: Decimal | None = None,
) -> BudgetLine:
    """得分 = 分值 × 执行率, capped at 分值; absent when the rate is. ``rate``: the declared indicator's value (the
    department's 预算执行率, indicators.py), so the form prints the figure the body and the charts print; a
    project's rate is its own 全年执行数 ÷ 全年预算数."""
    points = rules.budget_execution_points
    if rate is None:
        rate = ratio(actual, adjusted)
    score = None if rate is None else min(points * rate, points)
    return BudgetLine(initial, adjusted, actual, points, rate, score)


def computed_score(k: Kpi) -> Decimal | None:
    """≥: actual/target × 分值; ≤: target/actual × 分值; =: the smaller over the larger; capped at 分值.

    None for a qualitative indicator, a non-numeric value, or a ratio that says nothing (a zero divisor).
    """
    target, actual = k.target, k.actual
    if k.direction == "定性" or not isinstance(target, Decimal) or not isinstance(actual, Decimal):
        return None
    if k.direction == "≥":
        share = Decimal(1) if actual >= target else ratio(actual, target)
    elif k.direction == "≤":
        share = Decimal(1) if actual <= target else ratio(target, actual)
    else:
        low, high = sorted((abs(actual), abs(target)))
        share = Decimal(1) if actual == target else ratio(low, high)
    if share is None:
        return None
    return min(k.points * max(share, Decimal(0)), k.points)


def score_kpi(k: Kpi) -> ScoredKpi:
    """The 得分 the user typed, as typed (a difference from the computed one is a finding); else the computed one."""
    if k.score is not None:
        return ScoredKpi(k, k.score, computed=False)
    score = computed_score(k)
    return ScoredKpi(k, score, computed=score is not None)


def _with_deduction(scored: ScoredKpi, rules: Rules) -> ScoredKpi:
    scored.deviation, scored.deduction = deduction_of(scored.kpi, scored.score, rules)
    return scored


def scorecard(budget: BudgetLine, kpis: Sequence[Kpi], rules: Rules) -> Scorecard:
    card = Scorecard(budget=budget, kpis=[_with_deduction(score_kpi(k), rules) for k in kpis])
    if budget.score is None:
        card.missing.append("预算执行率（缺全年预算数或全年执行数）")
    if not kpis:
        card.missing.append("绩效指标（未填写）")
    card.missing += [f"“{short(s.kpi.level3)}”的得分" for s in card.kpis if s.score is None]
    if not card.missing and budget.score is not None:
        card.subtotal = budget.score + sum((s.score for s in card.kpis if s.score is not None), Decimal(0))
        card.total, card.grade, card.adjustments = adjusted(card.subtotal, budget.rate, card.kpis, rules)
    return card
