"""What the appendices print as “—”, told once per missing source with the cells that would fill it (issue 18 §4).

附件1 部门整体支出绩效自评表, 附件2 项目支出绩效自评表 and 附件3 基础数据表 print an absent figure as “—”, never as
0 and never invented. Each source the appendices lack — a column of a form sheet over the rows printed, a
project's figures, the 实有人数 of 人员编制 — is one W_APPENDIX_BLANK naming its blank cells, not one finding per
printed dash. Only appendices the template prints are looked at (template.toml [appendices]). A “—” that no
cell of the workbook can fill (the 上年决算数 of 政府采购金额 in 附件3) is the form's, and not told.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..derive import Derived
from ..derive.figures import Totals
from ..findings import codes
from ..findings.collector import Finding, Findings
from ..model import schema
from ..model.record import Form, Place
from ..template.settings import TemplateSettings
from .common import add, form_place, labels

# The rows 附件3 prints from each form sheet, and its column headings over the sheet's columns.
BASIC_DATA_THREE_PUBLIC = ("total", "vehicle", "vehicle_purchase", "vehicle_operation", "abroad", "reception")
BASIC_DATA_BUDGET = ("project", "public", "office", "utilities_travel", "meeting_training")
BASIC_DATA_HEADINGS = {"prior": "上年决算数", "budget": "本年预算数", "initial": "本年预算数", "actual": "本年决算数"}
BUDGET_COLUMN = {c.key: c.label for c in schema.BUDGET.columns}
FORM1 = "附件1 部门整体支出绩效自评表"
FORM2 = "附件2 项目支出绩效自评表"
FORM3 = "附件3 基础数据表"


@dataclass(frozen=True)
class _Gap:
    where: str  # what prints “—”, as the reader of the appendix sees it
    cells: Sequence[Place]  # the cells that would fill it, first the one the finding stands at
    what: str  # the figures, as the user finds them in the workbook


def appendix_gaps(d: Derived, settings: TemplateSettings) -> list[Finding]:
    out = Findings(d.report.source)
    gaps: list[_Gap] = []
    if settings.get("appendices.evaluation"):
        gaps += _evaluation(d)
    if settings.get("appendices.project_evaluations"):
        gaps += _projects(d)
    if settings.get("appendices.basic_data"):
        gaps += _basic_data(d)
    for gap in gaps:
        first = gap.cells[0] if gap.cells else Place(schema.BUDGET.name)
        refs = "、".join(p.cell if p.sheet == first.sheet else f"{p.sheet}!{p.cell}" for p in gap.cells if p.cell)
        add(
            out,
            codes.W_APPENDIX_BLANK,
            first,
            f"{gap.where}印为“—”；填写{gap.what}" + (f"（{refs}）" if refs else "") + "即可印出",
        )
    return out.items


def _column_gap(form: Form, totals: Totals, rows: Sequence[str], column: str, where: str) -> list[_Gap]:
    """One gap for a column of a form sheet over the rows an appendix prints: the rows blank there."""
    blank = [r for r in rows if totals.get(r, column) is None]
    if not blank:
        return []
    sheet = form.SHEET
    heading = next(c.label for c in sheet.columns if c.key == column)
    what = f"{sheet.name}{labels(sheet.row(r).label for r in blank)}的{heading}"
    return [_Gap(where, [form_place(form, r, column) for r in blank], what)]


def _evaluation(d: Derived) -> list[_Gap]:
    budget, form = d.budget, d.report.budget
    gaps = []
    for column, printed in (("initial", "年初预算数"), ("adjusted", "全年预算数（及执行率、自评得分）")):
        gaps += _column_gap(form, budget, ("income_total",), column, f"{FORM1}“年度资金总额”的{printed}")
    sources = [f.key for f in schema.BUDGET.rows if f.parent == "income_total"]
    gaps += _column_gap(form, budget, sources, "actual", f"{FORM1}“按收入性质分”的收入来源")
    return gaps


def _projects(d: Derived) -> list[_Gap]:
    gaps = []
    funds = {(f.project, f.source): f for f in d.report.project_funds}
    for p in d.report.projects:
        if p.name not in d.projects:
            continue  # no indicators, no form
        blank = [c for c in ("initial", "adjusted", "actual") if p.value(c) is None]
        cells = [p.place(c) for c in blank]
        named = [schema.PROJECTS.column(c).label for c in blank]
        for source in schema.PROJECT_FUND_SOURCES:
            fund = funds.get((p.name, source))
            if fund is None:
                named.append(f"{source}（项目资金来源表中没有这一行）")
                continue
            empty = [c for c in ("initial", "adjusted", "actual") if fund.value(c) is None]
            cells += [fund.place(c) for c in empty]
            named += [f"{source}的{schema.PROJECT_FUNDS.column(c).label}" for c in empty]
        if named:
            where = f"{FORM2}（{p.name}）中的{'、'.join(named)}"
            gaps.append(_Gap(where, cells or [p.place("name")], "这些数"))
    return gaps


def _basic_data(d: Derived) -> list[_Gap]:
    report = d.report
    gaps = []
    staffing = [s for s in report.staffing if s.actual is None]
    if staffing:
        gaps.append(
            _Gap(f"{FORM3}的实际在职人数和控制率", [s.place("actual") for s in staffing], "人员编制的“实有人数”")
        )
    three = d.three_public
    if three is None:
        gaps.append(_Gap(f"{FORM3}“三公经费”各行", [Place(schema.THREE_PUBLIC.name)], "三公经费表"))
    else:
        for column in ("prior", "budget", "actual"):
            where = f"{FORM3}“三公经费”的{BASIC_DATA_HEADINGS[column]}"
            gaps += _column_gap(report.three_public, three, BASIC_DATA_THREE_PUBLIC, column, where)
    for column in ("prior", "initial", "actual"):
        where = f"{FORM3}“项目支出”“公用经费”的{BASIC_DATA_HEADINGS[column]}"
        gaps += _column_gap(report.budget, d.budget, BASIC_DATA_BUDGET, column, where)
    procurement = d.procurement
    if procurement is None:
        gaps.append(_Gap(f"{FORM3}“政府采购金额”", [Place(schema.PROCUREMENT.name)], "政府采购表"))
    else:
        gaps += _column_gap(report.procurement, procurement, ("total",), "budget", f"{FORM3}“政府采购金额”的本年预算数")
    blank = [c for c in ("initial", "adjusted") if d.budget.get("basic", c) is None]
    if blank:  # 全年预算数 − 年初预算数 of 基本支出: one finding names whichever of the two is blank
        named = "和".join(BUDGET_COLUMN[c] for c in blank)
        cells = [form_place(report.budget, "basic", c) for c in blank]
        gaps.append(_Gap(f"{FORM3}“部门基本支出预算调整”", cells, f"收支预决算“基本支出”的{named}"))
    if not any(t.section == schema.TEXT_SECTIONS["austerity"] for t in report.texts):
        section = schema.TEXT_SECTIONS["austerity"]
        gaps.append(_Gap(f"{FORM3}“厉行节约保障措施”", [report.texts.column("section")], f"文字表中“{section}”的段落"))
    return gaps
