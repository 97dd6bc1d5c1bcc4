"""Consistency checks on a well-formed workbook: every part–whole relation it holds, a few plausibility rules.

Each finding names the cell of the figure that disagrees and gives the figures and the
difference. Nothing here changes a value. Income-side and expenditure-side totals are
never compared: real reports legitimately differ (domain.md §1.3).
"""

from __future__ import annotations

from . import codes, schema
from .check_forms import check_forms
from .check_lists import check_lists
from .evaluation import department_scorecard
from .findings import Finding, Findings
from .model import Report
from .rules import Rules


def check_report(report: Report, rules: Rules) -> list[Finding]:
    out = Findings(report.source)
    check_forms(out, report, rules)
    check_lists(out, report, rules)
    _completeness(out, report, rules)
    _year(out, report)
    return out.items


NARRATIVE_NEEDED = ("overall", "problems", "measures", "publicity")


def _completeness(out: Findings, report: Report, rules: Rules) -> None:
    """What would leave the report needing edits: an empty section, a 自评表 without a total."""
    texts = report.lists["texts"]
    for key in NARRATIVE_NEEDED:
        if not report.texts.get(key):
            label = schema.TEXT_SECTIONS[key]
            out.add(
                codes.W_TEXT_MISSING,
                schema.TEXTS.name,
                f"{texts.letters.get('section', 'A')}:{texts.letters.get('section', 'A')}",
                f"没有“{label}”的段落，报告中该节将是空的",
            )
    budget = report.budget
    card = department_scorecard(report, rules)
    if card.missing:
        out.add(
            codes.W_SCORE_INCOMPLETE,
            schema.BUDGET.name,
            budget.refs.get(("expense_total", "adjusted"), ""),
            f"部门整体支出绩效自评表的总分和等级无法计算，缺少{'、'.join(card.missing)}",
        )


def _year(out: Findings, report: Report) -> None:
    basic = report.unit
    if basic.report_date is not None and basic.report_date.year < basic.year:
        out.add(
            codes.W_REPORT_DATE,
            schema.BASIC.name,
            report.basic.refs[("report_date", "value")],
            f"报告日期 {basic.report_date:%Y-%m-%d} 早于所评价的年度 {basic.year}",
        )
