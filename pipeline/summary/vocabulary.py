"""The summary note's context, declared: every field the summary template (templates/summary/note.docx) may use,
with its meaning in Chinese. ``note_context`` returns it (mypy holds it to this), and docs/summary-guide.md is
generated from it, as the report's context is declared in pipeline/context/vocabulary.py."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, TypedDict

from ..context.vocabulary import INT, POINTS, RATIO, TEXT, TEXTS, M


class NoteDocument(TypedDict):
    title: Annotated[str, M("文件属性“标题”：即 title", TEXT)]
    author: Annotated[str, M("文件属性“作者”：genreport", TEXT)]


class Failure(TypedDict):
    unit: Annotated[str, M("单位名称；工作簿读不出单位名称时为空", TEXT)]
    file: Annotated[str, M("工作簿文件", TEXT)]
    first_error: Annotated[str, M("第一处错误：工作表!单元格 及说明", TEXT)]
    errors: Annotated[int, M("错误处数", INT)]


class GradeCount(TypedDict):
    name: Annotated[str, M("等级名称（优、良、中、差，按 rules.toml）", TEXT)]
    count: Annotated[int, M("该等级的单位数", INT)]


class Scores(TypedDict):
    average: Annotated[Decimal | None, M("总分平均值（保留两位，四舍五入）；没有单位算出总分时为空", POINTS)]
    min: Annotated[Decimal | None, M("最低总分", POINTS)]
    max: Annotated[Decimal | None, M("最高总分", POINTS)]
    lowest: Annotated[list[str], M("总分最低的单位", TEXTS)]
    highest: Annotated[list[str], M("总分最高的单位", TEXTS)]


class UnitRate(TypedDict):
    unit: Annotated[str, M("单位名称", TEXT)]
    rate: Annotated[Decimal, M("预算执行率", RATIO)]


class FindingTotals(TypedDict):
    errors: Annotated[int, M("全部工作簿的错误处数", INT)]
    warnings: Annotated[int, M("全部工作簿的警告处数", INT)]


class CommonFinding(TypedDict):
    code: Annotated[str, M("问题代码，如 W_SUM_MISMATCH（genreport explain 代码 可查说明）", TEXT)]
    title: Annotated[str, M("问题名称，如“合计与各项之和不符”", TEXT)]
    severity: Annotated[str, M("错误或警告", TEXT)]
    count: Annotated[int, M("出现处数", INT)]
    units: Annotated[int, M("涉及单位数", INT)]


class UnitLine(TypedDict):
    index: Annotated[int, M("序号（按输入顺序）", INT)]
    unit: Annotated[str, M("单位名称（读不出时为工作簿的文件名）", TEXT)]
    status: Annotated[str, M("状态：通过、有错误（检查），已生成、未生成（生成报告）", TEXT)]
    score: Annotated[Decimal | None, M("总分", POINTS)]
    grade: Annotated[str | None, M("等级", TEXT)]
    rate: Annotated[Decimal | None, M("预算执行率", RATIO)]
    errors: Annotated[int, M("错误处数", INT)]
    warnings: Annotated[int, M("警告处数", INT)]


class SummaryContext(TypedDict):
    title: Annotated[str, M("标题，如“2022年度部门整体支出绩效自评汇总说明”", TEXT)]
    document: Annotated[NoteDocument, M("汇总说明的文件属性")]
    year: Annotated[int | None, M("本批工作簿的年度（各工作簿年度不一时取最多的那个）", INT)]
    date: Annotated[str, M("成文日期：生成当天，如“2026年12月7日”", TEXT)]
    total: Annotated[int, M("工作簿个数", INT)]
    passed: Annotated[int, M("没有错误的工作簿个数（检查通过或报告已生成）", INT)]
    failed: Annotated[int, M("有错误或未生成报告的工作簿个数", INT)]
    failures: Annotated[list[Failure], M("有错误或未生成报告的工作簿，按输入顺序")]
    scored: Annotated[int, M("算出总分的单位数", INT)]
    grades: Annotated[list[GradeCount], M("各等级的单位数，按等级从高到低，没有单位的等级计 0")]
    score: Annotated[Scores, M("总分的平均值和范围")]
    threshold: Annotated[Decimal, M("预算执行率的提示线（--threshold，默认 90%）", RATIO)]
    below: Annotated[list[UnitRate], M("预算执行率低于提示线的单位，从低到高")]
    no_rate: Annotated[list[str], M("算不出预算执行率的单位（缺全年预算数或全年执行数）", TEXTS)]
    findings: Annotated[FindingTotals, M("问题总数")]
    common: Annotated[list[CommonFinding], M("出现最多的问题（最多 5 种），按处数从多到少")]
    units: Annotated[list[UnitLine], M("各单位一行，按输入顺序")]
