"""The scoring rules as genreport holds them: points, grades, tolerances and a province's adjustments (bands of
预算执行率 that deduct or cap, bands of 偏离 that deduct, 一级指标 scaling). rules.py reads them from rules.toml."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..numbers import format_plain

FULL_MARKS = Decimal(100)  # 总分一般设置为100分 (财预〔2020〕10号): the budget's and the 一级指标' points add up to it
SIDES = ("双向", "未达", "超额")  # which 偏离 of an indicator counts (rules.toml scoring.deviation.side)


@dataclass(frozen=True)
class Band:
    """A 档 of 预算执行率 or of 偏离度: from ``low`` (inclusive) below ``high`` (exclusive; None: no end)."""

    low: Decimal
    high: Decimal | None

    def holds(self, value: Decimal) -> bool:
        return value >= self.low and (self.high is None or value < self.high)

    def text(self) -> str:
        """As the 自评表 names it: “80%（含）至90%”, “90%（含）以上”."""
        low = f"{format_plain(self.low * 100)}%（含）"
        return low + ("以上" if self.high is None else f"至{format_plain(self.high * 100)}%")


@dataclass(frozen=True)
class ExecutionBand(Band):
    """A band of the budget execution rate and what it deducts or caps."""

    deduct: Decimal = Decimal(0)
    max_total: Decimal | None = None
    max_grade: str | None = None


@dataclass(frozen=True)
class DeviationBand(Band):
    """A band of an indicator's deviation and the share of its points deducted."""

    share: Decimal = Decimal(0)


@dataclass(frozen=True)
class Deviation:
    """How far an indicator may miss its target, on which side, before points go."""

    side: str  # one of SIDES
    bands: tuple[DeviationBand, ...]

    def share(self, deviation: Decimal) -> Decimal:
        return next((b.share for b in self.bands if b.holds(deviation)), Decimal(0))


@dataclass(frozen=True)
class Rules:
    """The scoring and checking rules of a template (rules.toml), as numbers."""

    tolerance: Decimal
    rate_tolerance: Decimal
    magnitude: Decimal
    list_magnitude: Decimal
    budget_execution_points: Decimal
    level_points: dict[str, Decimal]
    grades: tuple[tuple[str, Decimal], ...]  # highest first
    scale_to_level_points: bool = False
    execution_bands: tuple[ExecutionBand, ...] = ()
    deviation: Deviation | None = None

    @property
    def total_points(self) -> Decimal:
        return self.budget_execution_points + sum(self.level_points.values(), Decimal(0))

    def grade(self, total: Decimal) -> str:
        for name, minimum in self.grades:
            if total >= minimum:
                return name
        return self.grades[-1][0]

    def capped_grade(self, grade: str, cap: str | None) -> str:
        """``grade``, or ``cap`` where ``grade`` ranks above it."""
        names = [name for name, _ in self.grades]
        return cap if cap in names and names.index(grade) < names.index(cap) else grade

    def execution_band(self, rate: Decimal) -> ExecutionBand | None:
        return next((b for b in self.execution_bands if b.holds(rate)), None)
