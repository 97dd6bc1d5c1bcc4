"""KPI scoring and the standard indicators (domain.md §1.2, §2)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from pipeline.derive import derive
from pipeline.derive.indicators import computed_asset_utilization
from pipeline.derive.scoring import budget_line, score_kpi, scorecard
from pipeline.model.records import Kpi
from pipeline.session import load_report
from pipeline.template.profile import default_rules
from pipeline.template.rules import load_rules

from .conftest import SAMPLE

D = Decimal
RULES = default_rules()


def kpi(direction: str, target: object, actual: object, points: str = "10", score: str | None = None) -> Kpi:
    return Kpi(
        project=None,
        level1="产出指标",
        level2="数量指标",
        level3="x",
        direction=direction,
        target=target,  # type: ignore[arg-type]
        actual=actual,  # type: ignore[arg-type]
        unit=None,
        points=D(points),
        score=None if score is None else D(score),
        remark=None,
        prior_actual=None,
        row=3,
    )


@pytest.mark.parametrize(
    ("direction", "target", "actual", "expected"),
    [
        ("≥", D(25), D(15), D(6)),  # 15/25 × 10
        ("≥", D(25), D(30), D(10)),  # capped at 分值
        ("≤", D(200), D(250), D(8)),  # 200/250 × 10
        ("≤", D(200), D(150), D(10)),
        ("=", D(100), D(80), D(8)),
        ("=", D(100), D(100), D(10)),
    ],
)
def test_quantitative_scores(direction: str, target: Decimal, actual: Decimal, expected: Decimal) -> None:
    scored = score_kpi(kpi(direction, target, actual))
    assert (scored.score, scored.computed) == (expected, True)


def test_qualitative_and_absent() -> None:
    assert score_kpi(kpi("定性", "达成", "达成", score="9")).score == D(9)
    assert score_kpi(kpi("定性", "达成", "达成")).score is None  # absent, never 0
    assert score_kpi(kpi("≥", D(10), None)).score is None
    assert score_kpi(kpi("≥", D(0), D(5))).score == D(10)
    assert score_kpi(kpi("≤", D(0), D(5))).score == D(0)  # e.g. 安全事故 ≤ 0, five happened


def test_budget_execution_is_capped_and_absent_without_a_budget() -> None:
    assert budget_line(None, D(100), D(120), RULES).score == D(10)
    assert budget_line(None, D(100), D(80), RULES).score == D(8)
    line = budget_line(D(50), None, D(80), RULES)
    assert (line.rate, line.score) == (None, None)


def test_grade_uses_the_unrounded_total() -> None:
    assert RULES.grade(D("89.995")) == "良"  # prints as 90.00, but is below 90
    assert RULES.grade(D(90)) == "优"
    assert RULES.grade(D("59.99")) == "差"


def test_total_is_absent_when_a_part_is() -> None:
    card = scorecard(budget_line(None, None, D(1), RULES), [kpi("≥", D(1), D(1))], RULES)
    assert card.total is None and card.grade is None
    assert card.missing == ["预算执行率（缺全年预算数或全年执行数）"]


def test_points_and_grades_come_from_the_rules_file(tmp_path: Path) -> None:
    text = (Path(__file__).parent.parent / "templates" / "default" / "rules.toml").read_text(encoding="utf-8")
    custom = tmp_path / "rules.toml"
    custom.write_text(
        text.replace('budget_execution_points = "10"', 'budget_execution_points = "20"')
        .replace('"产出指标" = "50"', '"产出指标" = "40"')
        .replace('min = "90"', 'min = "95"'),
        encoding="utf-8",
    )
    rules = load_rules(custom)
    assert budget_line(None, D(100), D(50), rules).score == D(10)
    assert rules.grade(D(94)) == "良"
    assert rules.total_points == D(100)
    assert rules.level_points["产出指标"] == D(40)


def test_standard_indicators_of_the_sample() -> None:
    report, _ = load_report(SAMPLE)
    got = {k: v.value for k, v in derive(report, RULES).indicators.items()}
    assert got["budget_control_rate"].quantize(D("0.0001")) == D("3.1942")  # 9648.20 / 3020.53: “预算控制率较高”
    # one value wherever it prints: the typed 资产使用率 (100%), which W_RATE_MISMATCH holds against 517.91 ÷ 2317.93
    assert got["fixed_asset_utilization"] == D(1)
    derived = derive(report, RULES)
    assert computed_asset_utilization(derived.sums).quantize(D("0.0001")) == D("0.2234")
    assert got["budget_execution_rate"] == derived.department.budget.rate == D(1)  # 收入合计 12668.73 ÷ 12668.73
    assert got["three_public_control_rate"] == D("0.61")  # 4.27 / 7
    assert got["basic_share"].quantize(D("0.0001")) == D("0.2140")
    # absent data is absent, not zero
    assert got["procurement_execution_rate"] is None
    assert got["staffing_control_rate"] is None
    assert got["public_funds_control_rate"] is None


def test_a_typed_score_is_used_as_typed() -> None:
    """Typed figures are never silently changed: the check reports the difference (W_SCORE_MISMATCH)."""
    scored = score_kpi(kpi("≥", D(25), D(15), score="8"))
    assert (scored.score, scored.computed) == (D(8), False)
