"""The rules.toml part of docs/template-guide.md: every key (from ``RULE_KEYS``, as the loader checks them), the
default file and one province's variant as shipped, and what that variant makes of the sample's 自评表."""

from __future__ import annotations

from pathlib import Path

from ..numbers import format_money
from ..template.profile import RULES_FILE, default_template_file
from ..template.rules import RULE_KEYS, load_rules

ROOT = Path(__file__).resolve().parents[2]
PROVINCE = Path("docs") / "rules-examples" / "province.toml"
SAMPLE = Path("inputs") / "2022.xlsx"


def rules_markdown() -> list[str]:
    lines = [*INTRO, "| 设置 | 例 | 必填 | 含义 |", "|---|---|---|---|"]
    for k in RULE_KEYS:
        cells = [f"`{k.key}`", f"`{k.example}`", "是" if k.required else "", k.meaning]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    lines += ["", *HOW]
    lines += ["### 默认规则", "", f"`templates/default/{RULES_FILE}`：", "", "```toml"]
    lines += [default_template_file(RULES_FILE).read_text(encoding="utf-8").rstrip("\n"), "```", ""]
    lines += ["### 一个省的规则", "", f"`{PROVINCE.as_posix()}`：", "", "```toml"]
    lines += [(ROOT / PROVINCE).read_text(encoding="utf-8").rstrip("\n"), "```", ""]
    return lines + province_example()


def province_example() -> list[str]:
    """The rows the province's rules add under the sample's 自评表, as the report prints them."""
    from ..derive import derive
    from ..session import load_report

    report, _ = load_report(ROOT / SAMPLE)
    derived = derive(report, load_rules(ROOT / PROVINCE))
    lines = [
        f"样例工作簿 `{SAMPLE.as_posix()}` 按这个省的规则生成时，自评表在总分之上多出这些行（默认规则下没有）：",
        "",
    ]
    cards = [("部门整体支出绩效自评表", derived.department), *derived.projects.items()]
    for name, card in cards[:2]:
        lines += [f"{name}：", "", "| 行 | 说明 | 得分 |", "|---|---|---|"]
        lines.append(f"| 各项得分合计 |  | {format_money(card.subtotal)} |")
        for a in card.adjustments:
            change = "" if a.change is None else format_money(a.change)
            lines.append(f"| {a.label} | {a.note} | {change} |")
        lines += [f"| 总分 | 自评等级：{card.grade or '—'} | {format_money(card.total)} |", ""]
    return lines


INTRO = [
    "## rules.toml 评分规则",
    "",
    "模板文件夹中的 `rules.toml` 写自评表怎样计分：预算执行率和各一级指标的分值、等级线、核对时的容差，以及各省不同的"
    "扣分、限分和折算。没有这个文件的模板用默认模板的规则。写错的设置名、类型不对的值、重叠或有空档的档次、"
    "合计不是 100 的分值，`genreport template check`、`validate` 和 `build` 都会逐条指出（写明设置名），"
    '并且不生成报告。数一律加英文双引号（`"0.9"`），比率写小数（0.9 即 90%）。',
    "",
]

HOW = [
    "怎样计算（各项都不改动填报的得分；每项调整都是单独算出的数，印在自评表总分之上，说明怎样得来）：",
    "",
    "1. 各项得分合计 = 预算执行率得分 + 各指标得分（填报的得分照用，没填的按实际完成值计算）。",
    "2. 偏离扣分（`[scoring.deviation]`）：定量指标的偏离度 = |实际完成值 − 年度指标值| ÷ |年度指标值|，落在哪一档"
    "就扣该指标分值的 share，最多扣到该指标得 0 分；年度指标值为 0、定性指标、未填实际完成值的不计。",
    "3. 一级指标折算（`scale_to_level_points = true`）：指标分值之和与一级指标分值不同的一级指标，"
    "其得分（减去偏离扣分）按“得分合计 ÷ 分值合计 × 一级指标分值”折算，差额为一行。",
    "4. 预算执行率分档（`[[scoring.execution_bands]]`）：执行率（自评表“执行率”一栏，未四舍五入）落在哪一档，"
    "总分先扣 deduct 分（扣至 0 为止），再以 max_total 为上限；等级按调整后的总分确定，再以 max_grade 为上限。"
    "限分和限定等级只在起作用时印出。",
    "5. 总分 = 各项得分合计加上述各行；正文和汇总用的总分、等级都是调整后的。各数不舍入地计算，印出时四舍五入到"
    "两位小数，所以各行印出的数相加可能与总分差 0.01。",
    "",
    "档次的 min 含、max 不含；按 min 排好后，每一档的 max 必须等于下一档的 min（不重叠、无空档），只有最高一档可以不写 "
    "max。预算执行率的档次从 0 起（执行率越低越要调整）；偏离的档次最高一档不写 max（偏离越大扣得越多）。"
    "等级最低一档的 min 为 0，等级名和最低分都不重复；max_grade 必须是 `[[grades]]` 中的等级名。",
    "",
    "默认模板的自评表在总分之上有一组 `{%tr if evaluation.adjustments %}` 行（各项得分合计，和每项调整一行："
    "`a.label`、`a.note`、`a.change`），没有调整时整组不印；自己的模板要印这些行，照默认模板复制即可。",
    "",
]
