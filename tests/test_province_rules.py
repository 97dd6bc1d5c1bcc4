"""A province's scoring rules (issue 17 §9): 预算执行率 bands that deduct or cap, 偏离 deductions, 一级指标 scaling.

Loading docs/rules-examples/province.toml, each rule's effect on the computed figures (the typed 得分 untouched), the
Chinese messages of ``template check`` for a rules.toml that is inconsistent, and the rows the 自评表 prints.
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from typer.testing import CliRunner, Result

from pipeline.cli import app
from pipeline.derive.scoring import budget_line, scorecard
from pipeline.model.records import Kpi
from pipeline.template.profile import default_rules
from pipeline.template.rules import Rules, load_rules
from pipeline.template.rules_model import Deviation, DeviationBand, ExecutionBand

from .conftest import ROOT, SAMPLE

D = Decimal
runner = CliRunner()
DEFAULT_RULES = (ROOT / "templates" / "default" / "rules.toml").read_text(encoding="utf-8")
PROVINCE_FILE = ROOT / "docs" / "rules-examples" / "province.toml"
PROVINCE = load_rules(PROVINCE_FILE)


def kpi(
    target: str,
    actual: str,
    points: str = "10",
    *,
    direction: str = "≥",
    level1: str = "产出指标",
    score: str | None = None,
) -> Kpi:
    return Kpi(
        project=None,
        level1=level1,
        level2="数量指标",
        level3=f"指标{target}-{actual}",
        direction=direction,
        target=D(target),
        actual=D(actual),
        unit=None,
        points=D(points),
        score=None if score is None else D(score),
        remark=None,
        prior_actual=None,
        row=3,
    )


def rules(**changes: object) -> Rules:
    base = default_rules()
    return Rules(**{**base.__dict__, **changes})  # type: ignore[arg-type]


def card(rate: str, kpis: list[Kpi], rule: Rules) -> object:
    return scorecard(budget_line(None, D(100), D(rate) * 100, rule), kpis, rule)


# ---------------------------------------------------------------- loading


def test_the_province_example_loads_with_every_rule() -> None:
    assert PROVINCE.total_points == D(100)
    assert PROVINCE.scale_to_level_points is True
    assert PROVINCE.execution_bands == (
        ExecutionBand(D(0), D("0.6"), deduct=D(5), max_grade="中"),
        ExecutionBand(D("0.6"), D("0.9"), deduct=D(2), max_total=D(89)),
    )
    assert PROVINCE.deviation == Deviation(
        "双向",
        (
            DeviationBand(D("0.1"), D("0.2"), share=D("0.1")),
            DeviationBand(D("0.2"), D("0.5"), share=D("0.3")),
            DeviationBand(D("0.5"), None, share=D("0.5")),
        ),
    )


def test_the_default_rules_adjust_nothing() -> None:
    plain = default_rules()
    assert (plain.execution_bands, plain.deviation, plain.scale_to_level_points) == ((), None, False)
    scored = card("0.5", [kpi("25", "15")], plain)
    assert (scored.subtotal, scored.total, scored.grade, scored.adjustments) == (D(11), D(11), "差", [])  # type: ignore[attr-defined]


# ---------------------------------------------------------------- 预算执行率 bands

BANDS = (
    ExecutionBand(D(0), D("0.6"), deduct=D(5), max_grade="中"),
    ExecutionBand(D("0.6"), D("0.9"), deduct=D(2), max_total=D(89)),
)


def full_marks() -> list[Kpi]:
    """90 points of indicators, all met: with a full 预算执行率 the total is 100."""
    return [kpi("1", "1", "50"), kpi("1", "1", "30", level1="效益指标"), kpi("1", "1", "10", level1="满意度指标")]


def test_a_band_deducts_then_caps_the_total() -> None:
    scored = card("0.85", full_marks(), rules(execution_bands=BANDS))
    # 8.5 + 90 = 98.5; minus 2 = 96.5; at most 89
    assert (scored.subtotal, scored.total, scored.grade) == (D("98.5"), D(89), "良")  # type: ignore[attr-defined]
    rows = [(a.label, a.change, a.note) for a in scored.adjustments]  # type: ignore[attr-defined]
    assert rows == [
        ("预算执行率扣分", D(-2), "预算执行率85.00%，在60%（含）至90%档，总分扣2分"),
        ("预算执行率限分", D("-7.5"), "预算执行率85.00%，在60%（含）至90%档，总分最高89分"),
    ]


def test_a_band_caps_the_grade_without_touching_the_total() -> None:
    kpis = full_marks()
    scored = card("0.5", kpis, rules(execution_bands=BANDS))
    assert (scored.subtotal, scored.total, scored.grade) == (D(95), D(90), "中")  # type: ignore[attr-defined]
    assert [(a.label, a.change) for a in scored.adjustments] == [  # type: ignore[attr-defined]
        ("预算执行率扣分", D(-5)),
        ("预算执行率限定等级", None),
    ]
    assert scored.adjustments[-1].note == "预算执行率50.00%，在0%（含）至60%档，等级最高为“中”（按总分为“优”）"  # type: ignore[attr-defined]


def test_a_band_is_inclusive_below_and_exclusive_above_and_a_cap_that_does_not_bite_prints_nothing() -> None:
    at_90 = card("0.9", full_marks(), rules(execution_bands=BANDS))
    assert (at_90.total, at_90.adjustments) == (D(99), [])  # type: ignore[attr-defined]
    at_60 = card("0.6", [kpi("1", "0", "50")], rules(execution_bands=BANDS))  # 6 + 0 − 2 = 4: under 89, grade 差
    assert [a.label for a in at_60.adjustments] == ["预算执行率扣分"]  # type: ignore[attr-defined]
    assert (at_60.total, at_60.grade) == (D(4), "差")  # type: ignore[attr-defined]


def test_a_deduction_stops_at_zero() -> None:
    scored = card("0.01", [kpi("1", "0", "50")], rules(execution_bands=BANDS))  # 0.1 points, 5 to deduct
    assert scored.total == 0  # type: ignore[attr-defined]
    assert scored.adjustments[0].change == D("-0.1")  # type: ignore[attr-defined]


# ---------------------------------------------------------------- 偏离


def test_deviation_takes_a_share_of_the_points_and_leaves_the_typed_score() -> None:
    rule = rules(deviation=PROVINCE.deviation)
    typed = kpi("25", "15", score="8")  # 偏离 40%: 30% of 10 points
    scored = card("1", [typed, kpi("100", "105")], rule)  # 5%: under the first band
    first, second = scored.kpis  # type: ignore[attr-defined]
    assert (first.score, first.computed, first.deviation, first.deduction) == (D(8), False, D("0.4"), D(3))
    assert (second.deviation, second.deduction) == (D("0.05"), None)
    assert (scored.subtotal, scored.total) == (D(28), D(25))  # type: ignore[attr-defined]
    assert [(a.label, a.change, a.note) for a in scored.adjustments] == [  # type: ignore[attr-defined]
        ("偏离扣分", D(-3), "“指标25-15”偏离40.00%，扣3.00分")
    ]


@pytest.mark.parametrize(
    ("side", "direction", "target", "actual", "deduction"),
    [
        ("双向", "≥", "100", "130", D(3)),  # over-achieved by 30%: the target was set too low
        ("未达", "≥", "100", "130", None),
        ("超额", "≥", "100", "130", D(3)),
        ("未达", "≥", "100", "70", D(3)),
        ("超额", "≥", "100", "70", None),
        ("未达", "≤", "100", "130", D(3)),  # a cost above its ceiling falls short
        ("超额", "≤", "100", "70", D(3)),
        ("超额", "=", "100", "70", D(3)),  # “=” counts either way
        ("双向", "≥", "0", "5", None),  # no share of a target of 0
        ("双向", "≥", "100", "10", D(5)),  # 90%: the open top band, half the points
    ],
)
def test_which_side_of_the_target_counts(
    side: str, direction: str, target: str, actual: str, deduction: Decimal | None
) -> None:
    assert PROVINCE.deviation is not None
    rule = rules(deviation=Deviation(side, PROVINCE.deviation.bands))
    [scored] = card("1", [kpi(target, actual, direction=direction, score="10")], rule).kpis  # type: ignore[attr-defined]
    assert scored.deduction == deduction


def test_a_deduction_never_takes_more_than_the_score() -> None:
    rule = rules(deviation=PROVINCE.deviation)
    [scored] = card("1", [kpi("100", "10", score="1")], rule).kpis  # type: ignore[attr-defined]
    assert scored.deduction == D(1)  # half of 10 points would be 5


# ---------------------------------------------------------------- 一级指标 scaling


def test_scaling_brings_each_level_to_its_points() -> None:
    rule = rules(scale_to_level_points=True)  # default levels: 产出 50, 效益 30, 满意度 10
    kpis = [kpi("1", "1", "4"), kpi("2", "1", "6"), kpi("1", "1", "30", level1="效益指标")]
    scored = card("1", kpis, rule)
    # 产出: (4 + 3) ÷ 10 × 50 = 35; 效益 already 30 of 30: no row
    assert (scored.subtotal, scored.total) == (D(47), D(75))  # type: ignore[attr-defined]
    assert [(a.label, a.change, a.note) for a in scored.adjustments] == [  # type: ignore[attr-defined]
        ("产出指标折算", D(28), "得分合计7.00 ÷ 分值合计10 × 50分 = 35.00分")
    ]


def test_the_sample_under_the_province_rules() -> None:
    from pipeline.derive import derive
    from pipeline.session import load_report

    report, _ = load_report(SAMPLE)
    department = derive(report, PROVINCE).department
    assert (department.subtotal, department.grade) == (D(94), "优")
    assert department.total is not None and department.total.quantize(D("0.01")) == D("92.07")
    assert [a.label for a in department.adjustments] == ["偏离扣分", "产出指标折算", "效益指标折算"]
    assert derive(report, default_rules()).department.adjustments == []


# ---------------------------------------------------------------- template check


def invoke(*args: str) -> Result:
    result = runner.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def folder_with(rules_text: str) -> None:
    Path("templates/t").mkdir(parents=True)
    shutil.copy(ROOT / "templates" / "default" / "report.docx", "templates/t/report.docx")
    Path("templates/t/rules.toml").write_text(rules_text, encoding="utf-8")


def check_errors(rules_text: str) -> list[str]:
    folder_with(rules_text)
    result = invoke("template", "check", "t")
    assert result.exit_code == 1
    prefix = "错误：templates/t/rules.toml：评分规则"
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line]
    assert all(line.startswith(prefix) for line in lines), lines
    return [line.removeprefix(prefix) for line in lines]


PROVINCE_TEXT = PROVINCE_FILE.read_text(encoding="utf-8")


def test_the_province_example_passes_the_template_check() -> None:
    folder_with(PROVINCE_TEXT)
    result = invoke("template", "check", "t")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("模板检查通过：templates/t/report.docx")


@pytest.mark.parametrize(
    ("edit", "messages"),
    [
        (
            lambda r: r.replace('max = "0.6"\ndeduct', 'max = "0.7"\ndeduct'),
            [" scoring.execution_bands 第1项（0 至 0.7）与第2项（0.6 至 0.9）重叠：预算执行率在两档中的按哪一档不确定"],
        ),
        (
            lambda r: r.replace('min = "0.6"\nmax = "0.9"', 'min = "0.65"\nmax = "0.9"'),
            [" scoring.execution_bands 第1项止于 0.6，第2项从 0.65 起：预算执行率在两者之间的没有档次"],
        ),
        (
            lambda r: r.replace('min = "0"\nmax = "0.6"', 'min = "0.3"\nmax = "0.6"'),
            [" scoring.execution_bands 最低一档的 min 应为 0（实际为 0.3）：否则执行率低于它的反而不扣分、不限分"],
        ),
        (
            lambda r: r.replace('min = "0.5"\nshare', 'min = "0.5"\nmax = "1"\nshare'),
            [" scoring.deviation.bands 最高一档不应写 max（实际为 1）：否则偏离超过它的反而不扣分"],
        ),
        (
            lambda r: r.replace('"效益指标" = "40"', '"效益指标" = "30"'),
            [
                " scoring.level_points 各一级指标的分值（产出指标 40、效益指标 30、满意度指标 10）与 "
                "scoring.budget_execution_points 10 合计 90，应为 100"
            ],
        ),
        (
            lambda r: r.replace('deduct = "2"', 'deduct = "2"\nmax_totl = "89"'),
            ["中没有设置 scoring.execution_bands.max_totl，您是否要写 scoring.execution_bands.max_total？"],
        ),
        (
            lambda r: r.replace('deduct = "5"', "deduct = true"),
            [" scoring.execution_bands 第1项的 deduct 应为 0 到 1000000 之间、最多 6 位小数的数，实际为 True"],
        ),
        (
            lambda r: r.replace("scale_to_level_points = true", 'scale_to_level_points = "是"'),
            [" scoring.scale_to_level_points 应为 true 或 false（不加引号），实际为 '是'"],
        ),
        (
            lambda r: r.replace('max_grade = "中"', 'max_grade = "合格"'),
            [" scoring.execution_bands 第1项的 max_grade“合格”不是 grades 中的等级（优、良、中、差）"],
        ),
        (
            lambda r: r.replace('side = "双向"', 'side = "both"'),
            [" scoring.deviation.side 应为 “双向”、“未达”、“超额” 之一，实际为 'both'"],
        ),
        (
            lambda r: r.replace('share = "0.5"', 'share = "5"'),
            [" scoring.deviation.bands 第3项的 share 5 应在 0 到 1 之间（0.2 即扣该指标分值的 20%）"],
        ),
        (
            lambda r: r.replace('name = "差"\nmin = "0"', 'name = "差"\nmin = "10"'),
            [" grades 最低一档“差”的 min 应为 0（实际为 10）：否则低于它的总分没有等级"],
        ),
    ],
    ids=[
        "overlap",
        "gap",
        "execution-from-0",
        "deviation-open-top",
        "weights",
        "unknown-key",
        "type",
        "flag",
        "max-grade",
        "side",
        "share",
        "grades-from-0",
    ],
)
def test_an_inconsistent_rules_file_is_named_key_by_key(edit: object, messages: list[str]) -> None:
    assert check_errors(edit(PROVINCE_TEXT)) == messages  # type: ignore[operator]


def test_every_problem_of_a_rules_file_is_listed_at_once() -> None:
    text = (
        PROVINCE_TEXT.replace('tolerance = "0.01"', 'tolerance = "abc"')
        .replace('side = "双向"', 'side = "全部"')
        .replace("[checks]", "[checks]\nextra = 1")
    )
    assert check_errors(text) == [
        "中没有设置 checks.extra；可用的设置见 docs/template-guide.md",
        " checks.tolerance 应为 0 到 1000000 之间、最多 6 位小数的数，实际为 'abc'",
        " scoring.deviation.side 应为 “双向”、“未达”、“超额” 之一，实际为 '全部'",
    ]


def test_validate_and_build_refuse_the_same_rules_file() -> None:
    folder_with(DEFAULT_RULES.replace('"满意度指标" = "10"', '"满意度指标" = "20"'))
    shutil.copy(SAMPLE, "2022.xlsx")
    for command in (["validate", "2022.xlsx", "-t", "t"], ["build", "2022.xlsx", "-t", "t", "-o", "out"]):
        result = invoke(*command)
        assert result.exit_code == 1
        assert "scoring.level_points 各一级指标的分值（产出指标 50、效益指标 30、满意度指标 20）" in result.stderr
    assert not Path("out/2022.docx").exists()


# ---------------------------------------------------------------- the 自评表 as printed


def table_rows(path: Path) -> list[list[str]]:
    document = docx.Document(str(path))
    rows = []
    for table in document.tables:
        for row in table.rows:
            cells: list[str] = []
            for cell in row.cells:
                if not cells or cell.text != cells[-1]:  # a merged cell once
                    cells.append(cell.text)
            rows.append(cells)
    return rows


def build_sample(template: str | None) -> Path:
    shutil.copy(SAMPLE, "2022.xlsx")
    args = ["build", "2022.xlsx", "-o", "out", *(["-t", template] if template else [])]
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    return Path("out/2022.docx")


def test_the_forms_print_how_the_province_reached_the_total() -> None:
    folder_with(PROVINCE_TEXT)
    rows = table_rows(build_sample("t"))
    start = rows.index(["各项得分合计", "100", "94.00", ""])
    assert rows[start + 1 : start + 5] == [
        ["偏离扣分", "“既有住宅加装电梯竣工台数”偏离40.00%，扣3.00分", "-3.00", ""],
        ["产出指标折算", "得分合计43.00（已减偏离扣分） ÷ 分值合计50 × 40分 = 34.40分", "-8.60", ""],
        ["效益指标折算", "得分合计29.00 ÷ 分值合计30 × 40分 = 38.67分", "9.67", ""],
        ["总分", "100", "92.07", "自评等级：优"],
    ]
    project = rows.index(["各项得分合计", "100", "83.45", ""])
    assert rows[project + 3 : project + 5] == [
        ["预算执行率扣分", "预算执行率14.53%，在0%（含）至60%档，总分扣5分", "-5.00", ""],
        ["总分", "100", "77.39", "自评等级：中"],
    ]
    body = "\n".join(p.text for p in docx.Document("out/2022.docx").paragraphs)
    assert "部门整体支出绩效自评得分92.07分，等级为“优”" in body


def test_the_default_forms_go_from_the_indicators_straight_to_the_total() -> None:
    rows = table_rows(build_sample(None))
    assert not any(r[0] in ("各项得分合计", "偏离扣分", "预算执行率扣分") for r in rows)
    totals = [i for i, r in enumerate(rows) if r[0] == "总分"]
    assert [rows[i] for i in totals] == [
        ["总分", "100", "94.00", "自评等级：优"],
        ["总分", "100", "83.45", "自评等级：良"],
    ]
    assert [rows[i - 1][1] for i in totals] == ["满意度指标（10分）"] * 2  # the row above is the last indicator
