"""Consistency checks on a well-formed workbook: every part–whole relation it holds, a few plausibility rules.

Each finding names the cell of the figure that disagrees and gives the figures and the difference. Nothing here
changes or computes a figure: typed values are compared with what ``derive`` computed. Income-side and
expenditure-side totals are never compared: real reports legitimately differ (domain.md §1.3).
"""

from __future__ import annotations

from collections.abc import Callable

from ..derive import Derived
from ..findings import codes
from ..findings.collector import Finding, Findings
from ..model import schema
from .appendices import appendix_gaps
from .common import add
from .forms import check_forms
from .lists import check_lists
from .text import check_text

__all__ = ["COMPLETENESS", "appendix_gaps", "check_report"]

# What a report ready to sign still lacks (issue 18 §4): no date under the signature, a “—” in an appendix. True of
# the samples too (the published report has neither a 成文日期 nor a 基础数据表's figures), so tests of other checks
# leave these out as they leave out the proofreading of the sample's typed text.
COMPLETENESS = (codes.W_REPORT_DATE_BLANK, codes.W_APPENDIX_BLANK)

NARRATIVE_NEEDED = ("overall", "problems", "measures", "publicity")


def check_report(d: Derived, *, blocked: bool = False) -> list[Finding]:
    """Every check's findings. ``blocked``: the model has cells left blank by errors (checks/blocked.py), which a
    check may meet where a well-formed workbook never has a blank; such a check says nothing, the others still do."""
    out = Findings(d.report.source)
    checks: tuple[Callable[[Findings, Derived], None], ...] = (
        check_forms,
        check_lists,
        _completeness,
        _year,
        lambda out, d: check_text(out, d.report),
    )
    for check in checks:
        if not blocked:
            check(out, d)
            continue
        mark = len(out.items)
        try:
            check(out, d)
        except (TypeError, ValueError, ArithmeticError, AttributeError, KeyError, IndexError):
            del out.items[mark:]  # what it said before it met the blank may rest on it
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
    if basic.report_date is None:
        add(out, codes.W_REPORT_DATE_BLANK, basic.at("report_date"), "报告日期未填写，报告落款下将没有成文日期")
    if basic.report_date is not None and basic.report_date.year < basic.year:
        add(
            out,
            codes.W_REPORT_DATE,
            basic.at("report_date"),
            f"报告日期 {basic.report_date:%Y-%m-%d} 早于所评价的年度 {basic.year}",
        )
