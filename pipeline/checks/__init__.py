"""Consistency checks on a well-formed workbook: every part–whole relation it holds, a few plausibility rules.

Each finding names the cell of the figure that disagrees and gives the figures and the difference. Nothing here
changes or computes a figure: typed values are compared with what ``derive`` computed. Income-side and
expenditure-side totals are never compared: real reports legitimately differ (domain.md §1.3).
"""

from __future__ import annotations

from ..derive import Derived
from ..findings import codes
from ..findings.collector import Finding, Findings
from ..model import schema
from .common import add
from .forms import check_forms
from .lists import check_lists
from .text import check_text

NARRATIVE_NEEDED = ("overall", "problems", "measures", "publicity")


def check_report(d: Derived) -> list[Finding]:
    out = Findings(d.report.source)
    check_forms(out, d)
    check_lists(out, d)
    _completeness(out, d)
    _year(out, d)
    check_text(out, d.report)
    return out.items


def _completeness(out: Findings, d: Derived) -> None:
    """What would leave the report needing edits: an empty section, a 自评表 without a total."""
    texts = d.report.texts
    present = {paragraph.section for paragraph in texts}
    for key in NARRATIVE_NEEDED:
        label = schema.TEXT_SECTIONS[key]
        if label not in present:
            add(out, codes.W_TEXT_MISSING, texts.column("section"), f"没有“{label}”的段落，报告中该节将是空的")
    if d.department.missing:
        add(
            out,
            codes.W_SCORE_INCOMPLETE,
            d.report.budget.income_total.at("adjusted"),  # 年度资金总额 is 收入合计 (derive)
            f"部门整体支出绩效自评表的总分和等级无法计算，缺少{'、'.join(d.department.missing)}",
        )


def _year(out: Findings, d: Derived) -> None:
    basic = d.report.basic
    if basic.report_date is not None and basic.report_date.year < basic.year:
        add(
            out,
            codes.W_REPORT_DATE,
            basic.at("report_date"),
            f"报告日期 {basic.report_date:%Y-%m-%d} 早于所评价的年度 {basic.year}",
        )
