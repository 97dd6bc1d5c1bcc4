"""Scoring and checking rules (points, grades, tolerances): configuration, read from rules.toml.

Provinces differ, so nothing here is a constant in code: the default file sits in
templates/default/, and a department's template folder may carry its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from ..errors import TemplateProblem, display_path
from .settings import read_toml


@dataclass(frozen=True)
class Rules:
    tolerance: Decimal
    rate_tolerance: Decimal
    magnitude: Decimal
    list_magnitude: Decimal
    budget_execution_points: Decimal
    level_points: dict[str, Decimal]
    grades: tuple[tuple[str, Decimal], ...]

    @property
    def total_points(self) -> Decimal:
        return self.budget_execution_points + sum(self.level_points.values(), Decimal(0))

    def grade(self, total: Decimal) -> str:
        for name, minimum in self.grades:
            if total >= minimum:
                return name
        return self.grades[-1][0]


MAX_VALUE = Decimal(1_000_000)  # points, tolerances and ratios are small numbers; beyond this is a typo or worse
MAX_PLACES = 6
MAX_ENTRIES = 50  # 一级指标 or grades


def load_rules(path: Path) -> Rules:
    shown = display_path(path)
    data = read_toml(path, "评分规则")
    try:
        checks, scoring = data["checks"], data["scoring"]
        grades = tuple((_name(g["name"], "grades", shown), _dec(g["min"], "grades.min", shown)) for g in data["grades"])
        if not grades:
            raise KeyError("grades")
        levels = scoring["level_points"]
        if len(grades) > MAX_ENTRIES or len(levels) > MAX_ENTRIES:
            raise TemplateProblem(f"{shown}：评分规则中的等级或一级指标超过 {MAX_ENTRIES} 个")
        return Rules(
            tolerance=_dec(checks["tolerance"], "checks.tolerance", shown),
            rate_tolerance=_dec(checks["rate_tolerance"], "checks.rate_tolerance", shown),
            magnitude=_dec(checks["magnitude"], "checks.magnitude", shown),
            list_magnitude=_dec(checks["list_magnitude"], "checks.list_magnitude", shown),
            budget_execution_points=_dec(scoring["budget_execution_points"], "scoring.budget_execution_points", shown),
            level_points={
                _name(k, "scoring.level_points", shown): _dec(v, f"scoring.level_points.{k}", shown)
                for k, v in levels.items()
            },
            grades=tuple(sorted(grades, key=lambda g: g[1], reverse=True)),
        )
    except KeyError as e:
        raise TemplateProblem(f"{shown}：评分规则缺少设置 {e}") from e
    except (TypeError, AttributeError) as e:  # a table where a value belongs, or the other way round
        raise TemplateProblem(
            f"{shown}：评分规则的结构不对（应为 [checks]、[scoring]、[[grades]]，见默认模板的 rules.toml）"
        ) from e


def _name(value: Any, key: str, shown: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 40:
        raise TemplateProblem(f"{shown}：评分规则 {key} 中的名称应为不超过 40 个字的文字，实际为 {_quote(value)}")
    return value


def _dec(value: Any, key: str, shown: str) -> Decimal:
    """A number of the rules: 0 to 1,000,000 with at most 6 decimals, written "0.01" or 0.01. NaN, infinities and
    exponents like 1e999999999 would make every later comparison or sum raise."""
    number: Decimal | None = None
    if isinstance(value, (int, float, str)) and not isinstance(value, bool) and len(str(value)) <= 40:
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            number = None
    if number is None or not number.is_finite() or not 0 <= number <= MAX_VALUE or _places(number) > MAX_PLACES:
        raise TemplateProblem(
            f"{shown}：评分规则 {key} 应为 0 到 {MAX_VALUE} 之间、最多 {MAX_PLACES} 位小数的数，实际为 {_quote(value)}"
        )
    return number


def _places(number: Decimal) -> int:
    exponent = number.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _quote(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:40] + "…"
