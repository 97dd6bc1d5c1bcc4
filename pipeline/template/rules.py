"""Scoring and checking rules (points, grades, tolerances): configuration, read from rules.toml.

Provinces differ, so nothing here is a constant in code: the default file sits in
templates/default/, and a department's template folder may carry its own.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from ..errors import TemplateProblem, display_path


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


def load_rules(path: Path) -> Rules:
    shown = display_path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        checks, scoring = data["checks"], data["scoring"]
        grades = tuple((str(g["name"]), _dec(g["min"])) for g in data["grades"])
        if not grades:
            raise KeyError("grades")
        return Rules(
            tolerance=_dec(checks["tolerance"]),
            rate_tolerance=_dec(checks["rate_tolerance"]),
            magnitude=_dec(checks["magnitude"]),
            list_magnitude=_dec(checks["list_magnitude"]),
            budget_execution_points=_dec(scoring["budget_execution_points"]),
            level_points={str(k): _dec(v) for k, v in scoring["level_points"].items()},
            grades=tuple(sorted(grades, key=lambda g: g[1], reverse=True)),
        )
    except OSError as e:
        raise TemplateProblem(f"{shown}：无法读取评分规则（{e.strerror or e}）") from e
    except tomllib.TOMLDecodeError as e:
        raise TemplateProblem(f"{shown}：评分规则格式错误（{e}）") from e
    except KeyError as e:
        raise TemplateProblem(f"{shown}：评分规则缺少设置 {e}") from e
    except (InvalidOperation, TypeError, ValueError) as e:
        raise TemplateProblem(f"{shown}：评分规则中的数值无效（{e}）") from e


def _dec(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise TypeError(value)
    return Decimal(str(value))
