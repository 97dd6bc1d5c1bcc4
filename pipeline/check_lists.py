"""Checks on the list sheets: 科目 hierarchy, projects and their funds, KPI points and scores."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from statistics import median

from . import codes, schema
from .check_common import money, quote, short, unit_hint
from .figures import effective
from .findings import Findings
from .model import FunctionLine, ProjectFund, Report
from .rules import Rules
from .scoring import computed_score


def check_lists(out: Findings, report: Report, rules: Rules) -> None:
    _functions(out, report, rules)
    _projects(out, report, rules)
    _kpis(out, report, rules)


def _functions(out: Findings, report: Report, rules: Rules) -> None:
    sheet, lines = schema.FUNCTIONS.name, report.functions
    if not lines:
        return
    values = report.lists["functions"]
    by_code = {ln.code: ln for ln in lines if ln.code}

    def parent_of(code: str | None) -> str | None:
        for length in (5, 3):
            if code and len(code) > length and code[:length] in by_code:
                return code[:length]
        return None

    for column, label in (("basic", "基本支出"), ("project", "项目支出")):
        letter = values.letters.get(column)
        if letter is None:
            continue
        siblings: dict[str | None, list[FunctionLine]] = defaultdict(list)
        for ln in lines:
            siblings[parent_of(ln.code)].append(ln)
        for code, children in siblings.items():
            given = [v for v in (getattr(c, column) for c in children) if v is not None]
            stated = getattr(by_code[code], column) if code else None
            if code is None or stated is None or not given:
                continue
            total = sum(given, Decimal(0))
            where = f"{letter}{by_code[code].row}"
            what = f"科目 {code}“{short(by_code[code].name)}”的{label}为 {money(stated)}"
            if len(given) == len(children) and abs(total - stated) > rules.tolerance:
                out.add(
                    codes.W_CHILDREN_MISMATCH,
                    sheet,
                    where,
                    f"{what}，而其下级科目合计 {money(total)}，相差 {money(abs(total - stated))} 万元",
                )
            elif len(given) < len(children) and total > stated + rules.tolerance:
                out.add(
                    codes.W_PARTS_EXCEED,
                    sheet,
                    where,
                    f"{what}，已填写的下级科目合计 {money(total)} 已超出 {money(total - stated)} 万元",
                )
        whole = effective(report.budget, column, "actual")
        top = [v for v in (getattr(ln, column) for ln in siblings[None]) if v is not None]
        if top and whole is not None:
            total = sum(top, Decimal(0))
            if abs(total - whole) > rules.tolerance:
                rows = [ln.row for ln in lines]
                out.add(
                    codes.W_FUNCTIONS_TOTAL,
                    sheet,
                    f"{letter}{min(rows)}:{letter}{max(rows)}",
                    f"各类科目的{label}合计 {money(total)}，与“收支预决算”中{label}全年执行数 {money(whole)} "
                    f"相差 {money(abs(total - whole))} 万元",
                )
        for group in siblings.values():
            items = [(ln.name, getattr(ln, column), ln.row) for ln in group]
            _outliers(out, rules, sheet, letter, values.unit, items, whole, Decimal(1))


def _outliers(
    out: Findings,
    rules: Rules,
    sheet: str,
    letter: str,
    unit: str,
    items: list[tuple[str, Decimal | None, int]],
    whole: Decimal | None,
    whole_factor: Decimal,
) -> None:
    """A value far above its siblings' median and above what the whole department spends."""
    values = [(name, v, row) for name, v, row in items if v is not None and v > 0]
    if len(values) < 3:
        return
    for name, value, row in values:
        typical = Decimal(median([v for _, v, r in values if r != row]))
        beyond_whole = whole is None or value > whole * whole_factor
        if typical > 0 and value > typical * rules.list_magnitude and beyond_whole:
            times = (value / typical).quantize(Decimal(1))
            out.add(
                codes.W_UNIT_SUSPECT,
                sheet,
                f"{letter}{row}",
                f"{quote(short(name))}为 {money(value)}，是同列其他数值中位数（{money(typical)}）的 {times} 倍，"
                f"数量级异常：{unit_hint(unit)}",
            )


def _projects(out: Findings, report: Report, rules: Rules) -> None:
    sheet, projects = schema.PROJECTS.name, report.projects
    if not projects:
        return
    values = report.lists["projects"]
    letters = values.letters
    for p in projects:
        if p.paid is not None and p.paid > p.cost + rules.tolerance:
            out.add(
                codes.W_PAID_EXCEEDS,
                sheet,
                f"{letters['paid']}{p.row}",
                f"项目“{short(p.name)}”已支付 {money(p.paid)}，超过项目总造价 {money(p.cost)}",
            )
    # a project may cost more than a year's project spending, not ten times more
    whole = effective(report.budget, "project", "actual")
    _outliers(
        out, rules, sheet, letters["cost"], values.unit, [(p.name, p.cost, p.row) for p in projects], whole, Decimal(10)
    )
    _project_funds(out, report, rules)


def _project_funds(out: Findings, report: Report, rules: Rules) -> None:
    """The 其中 rows of a project's 资金: sources add up to its 年初/全年/执行 figures (a blank source is 0)."""
    funds, values = report.project_funds, report.lists["project_funds"]
    by_name = {p.name: p for p in report.projects}
    sheet = schema.PROJECT_FUNDS.name
    grouped: dict[str, list[ProjectFund]] = defaultdict(list)
    for f in funds:
        if f.project not in by_name:
            out.add(
                codes.W_FUND_PROJECT,
                sheet,
                f"{values.letters['project']}{f.row}",
                f"项目“{short(f.project)}”不在“项目”表中",
            )
        else:
            grouped[f.project].append(f)
    labels = {c.key: c.label for c in schema.PROJECTS.columns}
    for name, rows in grouped.items():
        project = by_name[name]
        for column in ("initial", "adjusted", "actual"):
            given = [v for v in (getattr(f, column) for f in rows) if v is not None]
            stated = getattr(project, column)
            if not given or stated is None:
                continue
            total = sum(given, Decimal(0))
            if abs(total - stated) > rules.tolerance:
                letter = report.lists["projects"].letters.get(column, "?")
                out.add(
                    codes.W_SUM_MISMATCH,
                    schema.PROJECTS.name,
                    f"{letter}{project.row}",
                    f"项目“{short(name)}”的{labels[column]}为 {money(stated)}，而“{sheet}”中各来源合计 {money(total)}，"
                    f"相差 {money(abs(total - stated))} 万元",
                )


def _kpis(out: Findings, report: Report, rules: Rules) -> None:
    sheet, kpis = schema.KPIS.name, report.kpis
    if not kpis:
        return
    letters = report.lists["kpis"].letters
    names = {p.name for p in report.projects}
    groups: dict[str | None, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    first_row: dict[str | None, int] = {}
    for k in kpis:
        if k.project is not None and k.project not in names:
            out.add(
                codes.W_KPI_PROJECT,
                sheet,
                f"{letters['project']}{k.row}",
                f"所属项目“{k.project}”不在“项目”表中",
            )
        if k.score is not None and k.score > k.points:
            out.add(
                codes.W_SCORE_EXCEEDS,
                sheet,
                f"{letters['score']}{k.row}",
                f"“{k.level3}”得分 {k.score} 超过分值 {k.points}",
            )
        computed = computed_score(k)
        if computed is not None and k.score is not None and abs(k.score - computed) > rules.tolerance:
            out.add(
                codes.W_SCORE_MISMATCH,
                sheet,
                f"{letters['score']}{k.row}",
                f"“{short(k.level3)}”填写的得分 {k.score} 与按实际完成值计算的 {money(computed)} 不同",
            )
        if k.direction != "定性" and not (isinstance(k.target, Decimal) and isinstance(k.actual, Decimal | None)):
            out.add(
                codes.W_KPI_NOT_NUMERIC,
                sheet,
                f"{letters['target']}{k.row}",
                f"“{k.level3}”是定量指标（{k.direction}），年度指标值和实际完成值应为数值；将按填写的得分计",
            )
        groups[k.project][k.level1] += k.points
        first_row.setdefault(k.project, k.row)
    for project, points in groups.items():
        if project is not None and project not in names:
            continue  # already reported: its points cannot be judged without its project
        who = f"项目“{project}”" if project else "部门整体"
        for level, expected in rules.level_points.items():
            got = points.get(level, Decimal(0))
            if got != expected:
                out.add(
                    codes.W_POINTS_TOTAL,
                    sheet,
                    f"{letters['points']}{first_row[project]}",
                    f"{who}的{level}分值合计 {got.normalize():f}，按评分规则应为 {expected.normalize():f}",
                )
