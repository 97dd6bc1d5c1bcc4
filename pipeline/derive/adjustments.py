"""A province's adjustments of a 自评表's total (rules.toml): 偏离 deductions, 一级指标 scaling, and the deduction,
cap of the total and cap of the grade of the 预算执行率 band.

The 得分 the user typed is never changed: each adjustment is a computed figure of its own, a row under the sum of
the items, which says what the rule did and why. Figures stay unrounded (the 自评表 rounds them for print, half-up),
so the grade is taken from the unrounded adjusted total, as it is from an unadjusted one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from ..findings.collector import short
from ..model.records import Kpi
from ..numbers import format_money, format_percent, format_plain
from ..template.rules import Rules
from ..template.rules_model import ExecutionBand


class Scored(Protocol):
    """An indicator as scored (scoring.ScoredKpi)."""

    @property
    def kpi(self) -> Kpi: ...

    @property
    def score(self) -> Decimal | None: ...

    @property
    def deviation(self) -> Decimal | None: ...

    @property
    def deduction(self) -> Decimal | None: ...


@dataclass(frozen=True)
class Adjustment:
    """A row under 各项得分合计: what a rule did to the total (``change``; None when it changed the grade only)."""

    label: str
    change: Decimal | None
    note: str


def deviation_of(k: Kpi, side: str) -> Decimal | None:
    """|实际完成值 − 指标值| ÷ |指标值| of a quantitative indicator whose 偏离 counts on ``side``; None for a
    qualitative one, a missing or non-numeric value, a target of 0 (no share of it), or a 偏离 on the other side."""
    target, actual = k.target, k.actual
    if k.direction == "定性" or not isinstance(target, Decimal) or not isinstance(actual, Decimal) or target == 0:
        return None
    if k.direction == "≥":
        short_of, beyond = actual < target, actual > target
    elif k.direction == "≤":
        short_of, beyond = actual > target, actual < target
    else:
        short_of = beyond = actual != target
    counts = side == "双向" or (side == "未达" and short_of) or (side == "超额" and beyond)
    return abs(actual - target) / abs(target) if counts or actual == target else None


def deduction_of(k: Kpi, score: Decimal | None, rules: Rules) -> tuple[Decimal | None, Decimal | None]:
    """(偏离, points it takes): 分值 × the band's share, at most the indicator's 得分 (an indicator never counts
    below 0). (None, None) without deviation rules; no deduction where the share is 0 or the 得分 is unknown."""
    if rules.deviation is None:
        return None, None
    deviation = deviation_of(k, rules.deviation.side)
    if deviation is None or score is None:
        return deviation, None
    taken = min(k.points * rules.deviation.share(deviation), max(score, Decimal(0)))
    return deviation, taken if taken > 0 else None


def adjusted(
    subtotal: Decimal, rate: Decimal | None, items: Sequence[Scored], rules: Rules
) -> tuple[Decimal, str, list[Adjustment]]:
    """The total, its grade and the rows that lead from ``subtotal`` to them, in the order the rules apply:
    偏离 deductions, 一级指标 scaling, then the 预算执行率 band's deduction, cap of the total and cap of the grade."""
    rows = _deviation_rows(items, rules) + _scaling_rows(items, rules)
    total = subtotal + sum((r.change for r in rows if r.change is not None), Decimal(0))
    band = rules.execution_band(rate) if rate is not None else None
    if band is None or rate is None:
        return total, rules.grade(total), rows
    return _band(total, rate, band, rules, rows)


def _band(
    total: Decimal, rate: Decimal, band: ExecutionBand, rules: Rules, rows: list[Adjustment]
) -> tuple[Decimal, str, list[Adjustment]]:
    where = f"预算执行率{format_percent(rate)}，在{band.text()}档"
    if band.deduct > 0:
        taken = min(band.deduct, max(total, Decimal(0)))
        rows.append(Adjustment("预算执行率扣分", -taken, f"{where}，总分扣{format_plain(band.deduct)}分"))
        total -= taken
    if band.max_total is not None and total > band.max_total:
        note = f"{where}，总分最高{format_plain(band.max_total)}分"
        rows.append(Adjustment("预算执行率限分", band.max_total - total, note))
        total = band.max_total
    grade = rules.grade(total)
    capped = rules.capped_grade(grade, band.max_grade)
    if capped != grade:
        note = f"{where}，等级最高为“{capped}”（按总分为“{grade}”）"
        rows.append(Adjustment("预算执行率限定等级", None, note))
    return total, capped, rows


def _deviation_rows(items: Sequence[Scored], rules: Rules) -> list[Adjustment]:
    if rules.deviation is None:
        return []
    taken = [(s, s.deduction) for s in items if s.deduction is not None and s.deviation is not None]
    if not taken:
        return []
    notes = [
        f"“{short(s.kpi.level3)}”偏离{format_percent(s.deviation)}，扣{format_money(d)}分"
        for s, d in taken
        if s.deviation is not None
    ]
    return [Adjustment("偏离扣分", -sum((d for _, d in taken), Decimal(0)), "；".join(notes))]


def _scaling_rows(items: Sequence[Scored], rules: Rules) -> list[Adjustment]:
    """Each 一级指标 whose indicators' 分值 do not add up to its points: its 得分 (less 偏离 deductions) scaled to
    them, 得分合计 ÷ 分值合计 × 一级指标分值."""
    if not rules.scale_to_level_points:
        return []
    rows: list[Adjustment] = []
    for level, points in rules.level_points.items():
        mine = [s for s in items if s.kpi.level1 == level and s.score is not None]
        weights = sum((s.kpi.points for s in mine), Decimal(0))
        if not mine or weights == 0 or weights == points:
            continue
        got = sum((s.score - (s.deduction or 0) for s in mine if s.score is not None), Decimal(0))
        scaled = got * points / weights
        less = "（已减偏离扣分）" if any(s.deduction for s in mine) else ""
        note = (
            f"得分合计{format_money(got)}{less} ÷ 分值合计{format_plain(weights)} × {format_plain(points)}分"
            f" = {format_money(scaled)}分"
        )
        rows.append(Adjustment(f"{level}折算", scaled - got, note))
    return rows
