"""The checks of rules.toml across its keys: points adding up to 100, grades starting at 0, bands that neither
overlap nor leave a gap. Each problem names its key; ``load_rules`` prefixes the file and 评分规则."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from ..numbers import format_plain
from .rules_model import FULL_MARKS, Band, Rules


def check_rules(rules: Rules) -> list[str]:
    return [*_points(rules), *_grades(rules), *_execution(rules), *_deviation(rules)]


def _points(rules: Rules) -> list[str]:
    if rules.total_points == FULL_MARKS:
        return []
    parts = "、".join(f"{name} {format_plain(points)}" for name, points in rules.level_points.items())
    return [
        f"scoring.level_points 各一级指标的分值（{parts}）与 scoring.budget_execution_points "
        f"{format_plain(rules.budget_execution_points)} 合计 {format_plain(rules.total_points)}，应为 "
        f"{format_plain(FULL_MARKS)}"
    ]


def _grades(rules: Rules) -> list[str]:
    out: list[str] = []
    names = [name for name, _ in rules.grades]
    for name in sorted({n for n in names if names.count(n) > 1}):
        out.append(f"grades 中的等级“{name}”写了不止一次")
    minimums = [minimum for _, minimum in rules.grades]
    for minimum in sorted({m for m in minimums if minimums.count(m) > 1}):
        out.append(f"grades 中有几个等级的 min 都是 {format_plain(minimum)}，总分达到它时等级不确定")
    lowest = rules.grades[-1]
    if lowest[1] != 0:
        out.append(
            f"grades 最低一档“{lowest[0]}”的 min 应为 0（实际为 {format_plain(lowest[1])}）：否则低于它的总分没有等级"
        )
    out += [
        f"grades 中“{name}”的 min {format_plain(minimum)} 超过满分 {format_plain(FULL_MARKS)}"
        for name, minimum in rules.grades
        if minimum > FULL_MARKS
    ]
    return out


def _execution(rules: Rules) -> list[str]:
    key, bands = "scoring.execution_bands", rules.execution_bands
    out = _bands(key, bands, "预算执行率")
    if bands and not out and min(b.low for b in bands) != 0:
        lowest = min(b.low for b in bands)
        out.append(
            f"{key} 最低一档的 min 应为 0（实际为 {format_plain(lowest)}）：否则执行率低于它的反而不扣分、不限分"
        )
    names = [name for name, _ in rules.grades]
    for i, band in enumerate(bands, 1):
        if band.max_grade is not None and band.max_grade not in names:
            out.append(f"{key} 第{i}项的 max_grade“{band.max_grade}”不是 grades 中的等级（{'、'.join(names)}）")
        for name, value in (("deduct", band.deduct), ("max_total", band.max_total)):
            if value is not None and value > FULL_MARKS:
                out.append(f"{key} 第{i}项的 {name} {format_plain(value)} 超过满分 {format_plain(FULL_MARKS)}")
    return out


def _deviation(rules: Rules) -> list[str]:
    if rules.deviation is None:
        return []
    key, bands = "scoring.deviation.bands", rules.deviation.bands
    if not bands:
        return [f"{key} 没有一档：不扣分就不要写 [scoring.deviation]"]
    out = _bands(key, bands, "偏离度")
    top = max(bands, key=lambda b: b.low)
    if not out and top.high is not None:
        out.append(f"{key} 最高一档不应写 max（实际为 {format_plain(top.high)}）：否则偏离超过它的反而不扣分")
    out += [
        f"{key} 第{i}项的 share {format_plain(b.share)} 应在 0 到 1 之间（0.2 即扣该指标分值的 20%）"
        for i, b in enumerate(bands, 1)
        if b.share > 1
    ]
    return out


def _bands(key: str, bands: Sequence[Band], what: str) -> list[str]:
    """Each band below its max, only the highest without one, and each starting where the one below it ends."""
    out: list[str] = []
    numbered = sorted(enumerate(bands, 1), key=lambda item: item[1].low)
    for i, band in numbered:
        if band.high is not None and band.high <= band.low:
            out.append(f"{key} 第{i}项的 max {format_plain(band.high)} 应大于 min {format_plain(band.low)}")
    for (i, lower), (j, upper) in pairwise(numbered):
        if lower.high is None:
            out.append(f"{key} 第{i}项没有写 max，只有最高的一档可以不写（第{j}项从 {format_plain(upper.low)} 起）")
        elif lower.high > upper.low:
            out.append(
                f"{key} 第{i}项（{_span(lower)}）与第{j}项（{_span(upper)}）重叠：{what}在两档中的按哪一档不确定"
            )
        elif lower.high < upper.low:
            out.append(
                f"{key} 第{i}项止于 {format_plain(lower.high)}，第{j}项从 {format_plain(upper.low)} 起："
                f"{what}在两者之间的没有档次"
            )
    return out


def _span(band: Band) -> str:
    high = "以上" if band.high is None else f"至 {format_plain(band.high)}"
    return f"{format_plain(band.low)} {high}"
