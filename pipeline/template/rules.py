"""Scoring and checking rules (points, grades, tolerances, a province's adjustments): configuration, read from
rules.toml.

Provinces differ, so nothing here is a constant in code: the default file sits in templates/default/, and a
department's template folder may carry its own. Every key is declared once in ``RULE_KEYS`` (the loader's unknown-key
check and the rules part of docs/template-guide.md walk it). Reading collects every problem of the file, each naming
its key, and stops with all of them; ``rules_check`` holds the checks across keys (bands, weights, grades).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from ..errors import TemplateProblem, display_path
from .rules_check import check_rules
from .rules_model import SIDES, Deviation, DeviationBand, ExecutionBand, Rules
from .settings import read_toml

__all__ = ["RULE_KEYS", "Rules", "RulesInvalid", "load_rules"]


@dataclass(frozen=True)
class RuleKey:
    """A key of rules.toml as the guide explains it: an example and its meaning."""

    key: str  # dotted as written in rules.toml; "[]" marks a key of each table of an array of tables
    example: str  # a TOML literal, as the guide prints it
    meaning: str
    required: bool = False


RULE_KEYS: tuple[RuleKey, ...] = (
    RuleKey("checks.tolerance", '"0.01"', "部分与合计相差不超过这么多万元算作尾差，不报告。", True),
    RuleKey(
        "checks.rate_tolerance", '"0.005"', "填写的比率与计算值相差不超过这么多（0.005 即 0.5 个百分点）不报告。", True
    ),
    RuleKey("checks.magnitude", '"100"', "部分超过合计这么多倍，视为可能按元填进了万元列。", True),
    RuleKey("checks.list_magnitude", '"1000"', "清单中的一项超过同类中位数这么多倍（且超过该类支出），同上。", True),
    RuleKey("scoring.budget_execution_points", '"10"', "预算执行率的分值：得分 = 分值 × 执行率，最高为分值。", True),
    RuleKey(
        "scoring.level_points",
        '{ "产出指标" = "50", "效益指标" = "30", "满意度指标" = "10" }',
        "各一级指标的分值，按自评表上的次序写；与预算执行率的分值合计应为 100。",
        True,
    ),
    RuleKey(
        "scoring.scale_to_level_points",
        "false",
        "true：工作簿中指标的分值只作权重，各一级指标的得分按“得分合计 ÷ 分值合计 × 一级指标分值”折算；"
        "false（默认）：指标分值之和应等于一级指标分值，不相等时 validate 警告。",
    ),
    RuleKey("scoring.execution_bands[].min", '"0"', "预算执行率档次的下限（含），比例：0.9 即 90%。", True),
    RuleKey("scoring.execution_bands[].max", '"0.9"', "档次的上限（不含）；最高一档可以不写，表示没有上限。"),
    RuleKey("scoring.execution_bands[].deduct", '"2"', "执行率在这一档时，总分扣这么多分（扣至 0 为止）。"),
    RuleKey("scoring.execution_bands[].max_total", '"89"', "执行率在这一档时，总分最高为这么多分。"),
    RuleKey(
        "scoring.execution_bands[].max_grade", '"良"', "执行率在这一档时，等级最高为这一等（[[grades]] 中的名称）。"
    ),
    RuleKey(
        "scoring.deviation.side",
        '"双向"',
        "计入偏离的方向：未达（没有达到指标值）、超额（超过指标值）、双向。只计定量指标（≥、≤、＝）。",
        True,
    ),
    RuleKey(
        "scoring.deviation.bands[].min",
        '"0.1"',
        "偏离度档次的下限（含）：偏离度 = |实际完成值 − 年度指标值| ÷ |年度指标值|，0.1 即 10%。",
        True,
    ),
    RuleKey(
        "scoring.deviation.bands[].max", '"0.2"', "档次的上限（不含）；最高一档不写（偏离越大扣得越多，不能不扣）。"
    ),
    RuleKey(
        "scoring.deviation.bands[].share",
        '"0.2"',
        "偏离在这一档时，扣该指标分值的这一比例（0.2 即 20%），最多扣到该指标得 0 分。",
        True,
    ),
    RuleKey("grades[].name", '"优"', "等级名称。", True),
    RuleKey("grades[].min", '"90"', "等级的最低总分（含），按未四舍五入的总分比较；最低一档应为 0。", True),
)
_KEYS = {k.key for k in RULE_KEYS}
_TABLES = {"checks", "scoring", "scoring.level_points", "scoring.deviation", "grades"}
_ARRAYS = {"scoring.execution_bands", "scoring.deviation.bands", "grades"}


MAX_VALUE = Decimal(1_000_000)  # points, tolerances and ratios are small numbers; beyond this is a typo or worse
MAX_PLACES = 6
MAX_ENTRIES = 50  # 一级指标, grades or bands


class RulesInvalid(TemplateProblem):
    """A rules.toml with mistakes; ``str()`` puts one per line, so that the CLI's ``错误：{e}`` prints each on its
    own ``错误：`` line, as ``TemplateInvalid`` does for the Word template."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        super().__init__("\n错误：".join(lines))


def load_rules(path: Path) -> Rules:
    reader = _Reader(display_path(path))
    rules = reader.rules(read_toml(path, "评分规则"))
    if not reader.problems:
        reader.problems += [f"{reader.shown}：评分规则 {p}" for p in check_rules(rules)]
    if reader.problems:
        raise RulesInvalid(reader.problems)
    return rules


class _Reader:
    """Reads rules.toml into ``Rules``, noting every problem (each naming its key) instead of stopping at the first;
    a table where a value belongs, or the other way round, stops at once: nothing after it reads as meant."""

    def __init__(self, shown: str) -> None:
        self.shown = shown
        self.problems: list[str] = []

    def problem(self, text: str) -> None:
        self.problems.append(f"{self.shown}：{text}")

    def rules(self, data: dict[str, Any]) -> Rules:
        for part in ("checks", "scoring", "grades"):  # without a whole part, nothing else reads as meant
            if part not in data:
                raise TemplateProblem(f"{self.shown}：评分规则缺少设置 '{part}'")
        self.unknown(data, "")
        checks, scoring = self.table(data, "checks"), self.table(data, "scoring")
        levels = self.table(scoring, "level_points", "scoring.")
        grades = tuple(
            (self.name(g.get("name"), "grades"), self.dec(g, "min", "grades.min")) for g in self.array(data, "grades")
        )
        if "grades" in data and not grades and not any("grades" in p for p in self.problems):
            self.problem("评分规则缺少设置 'grades'")
        if len(levels) > MAX_ENTRIES:
            self.problem(f"评分规则中的等级或一级指标超过 {MAX_ENTRIES} 个")
        deviation = self.table(scoring, "deviation", "scoring.", required=False)
        return Rules(
            tolerance=self.dec(checks, "tolerance", "checks.tolerance"),
            rate_tolerance=self.dec(checks, "rate_tolerance", "checks.rate_tolerance"),
            magnitude=self.dec(checks, "magnitude", "checks.magnitude"),
            list_magnitude=self.dec(checks, "list_magnitude", "checks.list_magnitude"),
            budget_execution_points=self.dec(scoring, "budget_execution_points", "scoring.budget_execution_points"),
            level_points={
                self.name(k, "scoring.level_points"): self.dec(levels, k, f"scoring.level_points.{k}") for k in levels
            },
            grades=tuple(sorted(grades, key=lambda g: g[1], reverse=True)),
            scale_to_level_points=self.flag(scoring, "scale_to_level_points", "scoring.scale_to_level_points"),
            execution_bands=tuple(
                self.execution_band(b, f"scoring.execution_bands 第{i}项的 ")
                for i, b in enumerate(self.array(scoring, "execution_bands", "scoring.", required=False), 1)
            ),
            deviation=self.deviation(deviation) if "deviation" in scoring else None,
        )

    def execution_band(self, band: dict[str, Any], at: str) -> ExecutionBand:
        return ExecutionBand(
            low=self.dec(band, "min", at + "min"),
            high=self.dec(band, "max", at + "max") if "max" in band else None,
            deduct=self.dec(band, "deduct", at + "deduct") if "deduct" in band else Decimal(0),
            max_total=self.dec(band, "max_total", at + "max_total") if "max_total" in band else None,
            max_grade=self.name(band["max_grade"], at + "max_grade") if "max_grade" in band else None,
        )

    def deviation(self, table: dict[str, Any]) -> Deviation:
        side = table.get("side")
        if side not in SIDES:
            shown = "（未填写）" if side is None else f"，实际为 {_quote(side)}"
            self.problem(f"评分规则 scoring.deviation.side 应为 {'、'.join(f'“{s}”' for s in SIDES)} 之一{shown}")
        bands = tuple(
            DeviationBand(
                low=self.dec(b, "min", f"scoring.deviation.bands 第{i}项的 min"),
                high=self.dec(b, "max", f"scoring.deviation.bands 第{i}项的 max") if "max" in b else None,
                share=self.dec(b, "share", f"scoring.deviation.bands 第{i}项的 share"),
            )
            for i, b in enumerate(self.array(table, "bands", "scoring.deviation."), 1)
        )
        return Deviation(side if isinstance(side, str) else "", bands)

    def unknown(self, table: dict[str, Any], prefix: str) -> None:
        """Every key the rules do not declare, with the closest declared one: a misspelt key silently ignored is a
        total scored wrong."""
        for k, v in table.items():
            key = f"{prefix}{k}"
            if key in _TABLES and isinstance(v, dict) and key != "scoring.level_points":
                self.unknown(v, key + ".")
            elif key in _ARRAYS and isinstance(v, list):
                for item in v:
                    if isinstance(item, dict):
                        self.unknown(item, key + "[].")
            elif key not in _KEYS and key not in _TABLES and key not in _ARRAYS:
                hint = _suggest(key)
                self.problem(f"评分规则中没有设置 {key.replace('[]', '')}{hint}")

    def table(self, data: dict[str, Any], key: str, prefix: str = "", *, required: bool = True) -> dict[str, Any]:
        if key not in data:
            if required:
                self.problem(f"评分规则缺少设置 '{prefix}{key}'")
            return {}
        value = data[key]
        if not isinstance(value, dict):
            raise self.structure(f"{prefix}{key} 应为表 [{prefix}{key}]")
        return value

    def array(self, data: dict[str, Any], key: str, prefix: str = "", *, required: bool = True) -> list[dict[str, Any]]:
        if key not in data:
            if required:
                self.problem(f"评分规则缺少设置 '{prefix}{key}'")
            return []
        value = data[key]
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.structure(f"{prefix}{key} 应写作一个个 [[{prefix}{key}]] 表")
        if len(value) > MAX_ENTRIES:
            self.problem(f"评分规则中的 {prefix}{key} 超过 {MAX_ENTRIES} 项")
            return value[:MAX_ENTRIES]
        return value

    def structure(self, what: str) -> TemplateProblem:
        return TemplateProblem(
            f"{self.shown}：评分规则的结构不对：{what}（应为 [checks]、[scoring]、[[grades]]，见默认模板的 rules.toml）"
        )

    def name(self, value: Any, key: str) -> str:
        if not isinstance(value, str) or not value.strip() or len(value) > 40:
            self.problem(f"评分规则 {key} 中的名称应为不超过 40 个字的文字，实际为 {_quote(value)}")
            return "?"
        return value

    def flag(self, table: dict[str, Any], name: str, key: str) -> bool:
        value = table.get(name, False)
        if not isinstance(value, bool):
            self.problem(f"评分规则 {key} 应为 true 或 false（不加引号），实际为 {_quote(value)}")
            return False
        return value

    def dec(self, table: dict[str, Any], name: str, key: str) -> Decimal:
        """A number of the rules: 0 to 1,000,000 with at most 6 decimals, written "0.01" or 0.01. NaN, infinities
        and exponents like 1e999999999 would make every later comparison or sum raise."""
        if name not in table:
            self.problem(f"评分规则缺少设置 '{key}'")
            return Decimal(0)
        value = table[name]
        if isinstance(value, dict | list):
            raise self.structure(f"{key} 应为一个数")
        number: Decimal | None = None
        if isinstance(value, int | float | str) and not isinstance(value, bool) and len(str(value)) <= 40:
            try:
                number = Decimal(str(value).strip())
            except InvalidOperation:
                number = None
        if number is None or not number.is_finite() or not 0 <= number <= MAX_VALUE or _places(number) > MAX_PLACES:
            self.problem(
                f"评分规则 {key} 应为 0 到 {MAX_VALUE} 之间、最多 {MAX_PLACES} 位小数的数，实际为 {_quote(value)}"
            )
            return Decimal(0)
        return number


def _suggest(key: str) -> str:
    """The declared key closest to a misspelt one: among its table's keys by the last part, else among all."""
    known = sorted(_KEYS | _TABLES | _ARRAYS)
    head, _, last = key.rpartition(".")
    siblings = {k.rpartition(".")[2]: k for k in known if k.rpartition(".")[0] == head}
    close = difflib.get_close_matches(last, list(siblings), n=1, cutoff=0.6)
    found = siblings[close[0]] if close else next(iter(difflib.get_close_matches(key, known, n=1, cutoff=0.8)), None)
    return f"，您是否要写 {found.replace('[]', '')}？" if found else "；可用的设置见 docs/template-guide.md"


def _places(number: Decimal) -> int:
    exponent = number.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _quote(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:40] + "…"
