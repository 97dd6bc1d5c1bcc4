"""Checks on the list sheets: 科目 hierarchy, projects and their funds, KPI points and scores, and amounts far too
large for the unit (元 typed under a 万元 label)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from decimal import Decimal
from typing import Any

from ..derive import Derived
from ..derive.figures import is_major
from ..findings import codes
from ..findings.collector import Findings, short
from ..model import schema
from ..model.record import Place, Record, Table
from ..model.records import Building, Project, ProjectFund
from ..numbers import format_plain
from ..template.rules import Rules
from .common import add, flagged, money, parts_disagree, quote, times, unit_hint

# How many times the unit's yearly size (Derived.scale) an amount may be. A year's figures (a 科目's spending, a
# project's 年初/全年预算数 and 执行数, its funds) are parts of the year: above the whole is impossible. A project's
# 总造价 and 已支付, and a building's investment, span years: several years' budget, not ten. 元 typed under a
# 万元 label is ten thousand times the real figure, so even a small item of a small unit passes these.
SCALE_FACTORS: dict[str, dict[str, Decimal]] = {
    "functions": {"basic": Decimal(1), "project": Decimal(1)},
    "projects": {
        "cost": Decimal(10),
        "paid": Decimal(10),
        "initial": Decimal(1),
        "adjusted": Decimal(1),
        "actual": Decimal(1),
    },
    "project_funds": {"initial": Decimal(1), "adjusted": Decimal(1), "actual": Decimal(1)},
    "buildings": {"budget": Decimal(10), "actual": Decimal(10)},
}


def check_lists(out: Findings, d: Derived) -> None:
    _functions(out, d)
    _projects(out, d)
    _against_scale(out, d)
    _kpis(out, d)


def _functions(out: Findings, d: Derived) -> None:
    table, tree, rules = d.report.functions, d.functions, d.rules
    if not table:
        return
    siblings = tree.siblings()
    for column, label in (("basic", "基本支出"), ("project", "项目支出")):
        letter = table.letters.get(column)
        if letter is None:
            continue
        # the column's name checked once (value() checks it), then read as an attribute on every line
        table.records[0].value(column)
        for code, children in siblings.items():
            parent = tree.by_code.get(code) if code else None
            stated = getattr(parent, column) if parent else None
            if parent is None or stated is None:
                continue
            found = parts_disagree(
                f"科目 {code}“{short(parent.name)}”的{label}",
                [(c.name, getattr(c, column)) for c in children],
                stated,
                rules.tolerance,
                named="其下级科目",
                named_given="下级科目",
                mismatch=codes.W_CHILDREN_MISMATCH,
            )
            if found is not None:
                add(out, found[0], parent.place(column), found[1])
        whole = d.budget.get(column, "actual")
        top = [v for v in (getattr(ln, column) for ln in siblings.get(None, [])) if v is not None]
        if top and whole is not None:
            total = sum(top, Decimal(0))
            if abs(total - whole) > rules.tolerance:
                add(
                    out,
                    codes.W_FUNCTIONS_TOTAL,
                    table.span(column),
                    f"各类科目的{label}合计 {money(total)}，与“收支预决算”中{label}全年执行数 {money(whole)} "
                    f"相差 {money(abs(total - whole))} 万元",
                )
        for group in siblings.values():
            items = [(ln.name, getattr(ln, column), ln) for ln in group]
            _outliers(out, rules, table.unit, column, items, whole, Decimal(1))


def _outliers(
    out: Findings,
    rules: Rules,
    unit: str,
    column: str,
    items: Sequence[tuple[str, Decimal | None, Record]],
    whole: Decimal | None,
    whole_factor: Decimal,
) -> None:
    """A value far above its siblings' median and above what the whole department spends. ``items``: each
    record's name and value in ``column``, and the record (its place is made only for a finding)."""
    values = [(name, v, record) for name, v, record in items if v is not None and v > 0]
    if len(values) < 3:
        return
    # within one sheet a place is its cell: the medians are told the cells, and the places are made for findings
    cells = [record.cells.get(column, "") for _, _, record in values]
    if whole is not None and len(set(cells)) == len(cells) and max(v for _, v, _ in values) <= whole * whole_factor:
        return  # none above the whole: no outlier whatever the medians, which need a sort
    others = _medians_of_others([(name, v, cell) for (name, v, _), cell in zip(values, cells, strict=True)])
    for (name, value, record), typical in zip(values, others, strict=True):
        beyond_whole = whole is None or value > whole * whole_factor
        if typical > 0 and value > typical * rules.list_magnitude and beyond_whole:
            times = (value / typical).quantize(Decimal(1))
            add(
                out,
                codes.W_UNIT_SUSPECT,
                record.place(column),
                f"{quote(short(name))}为 {money(value)}，是同列其他数值中位数（{money(typical)}）的 {times} 倍，"
                f"数量级异常：{unit_hint(unit)}",
            )


def _medians_of_others(values: Sequence[tuple[str, Decimal, Hashable]]) -> list[Decimal]:
    """For each value, the median of the others (those at another place), as ``statistics.median`` gives it: one
    sort for all, not one per value, so 20,000 projects cost what their sorting does. The third of each triple is
    where the value stands (a Place, or a cell within one sheet)."""
    places = [place for _, _, place in values]
    if len(set(places)) != len(places):  # a place shared: "the others" are fewer than n - 1
        from statistics import median  # here only: statistics and fractions are ~1.5 ms of every build's start

        return [Decimal(median([v for _, v, p in values if p != place])) for place in places]
    ordered = sorted(range(len(values)), key=lambda i: values[i][1])
    rank = [0] * len(values)
    for at, index in enumerate(ordered):
        rank[index] = at
    s = [values[i][1] for i in ordered]
    n = len(s) - 1  # how many the others are
    mid = n // 2

    def median_without(skip: int) -> Decimal:  # the k-th of the others is s[k] below the one left out, else s[k + 1]
        def nth(k: int) -> Decimal:
            return s[k] if k < skip else s[k + 1]

        return Decimal(nth(mid) if n % 2 else (nth(mid - 1) + nth(mid)) / 2)

    # which one is left out matters only as below, at or above the middle: three medians serve every value
    below, middle, above = median_without(0), median_without(mid), median_without(n)
    return [below if at < mid else middle if at == mid else above for at in rank]


def _projects(out: Findings, d: Derived) -> None:
    projects, rules = d.report.projects, d.rules
    if not projects:
        return
    for p in projects:
        if p.paid is not None and p.cost is not None and p.paid > p.cost + rules.tolerance:
            add(
                out,
                codes.W_PAID_EXCEEDS,
                p.at("paid"),
                f"项目“{short(p.name)}”已支付 {money(p.paid)}，超过项目总造价 {money(p.cost)}",
            )
    # a project may cost more than a year's project spending, not ten times more
    whole = d.budget.get("project", "actual")
    _outliers(out, rules, projects.unit, "cost", [(p.name, p.cost, p) for p in projects], whole, Decimal(10))
    _project_funds(out, d)


def _against_scale(out: Findings, d: Derived) -> None:
    """Every amount of the list sheets against the unit's size (``SCALE_FACTORS``), at its cell; a cell already
    reported against its siblings is not reported twice. A project that the amount makes one of the projects
    described one by one says so: a 36.3万元 item typed as 363000 must not become a major project silently."""
    scale, rules, report = d.scale, d.rules, d.report
    if scale is None or scale <= 0:
        return
    tables: tuple[Table[Any], ...] = (report.functions, report.projects, report.project_funds, report.buildings)
    threshold = report.basic.threshold
    for table in tables:
        # each column's limit once, not on each of 20,000 rows; its name checked once (record.value checks it)
        limits = [
            (column, factor, scale * factor + (rules.tolerance if factor == 1 else 0))
            for column, factor in SCALE_FACTORS[table.sheet.key].items()
        ]
        for record in table.records[:1]:
            for column, _, _ in limits:
                record.place(column)
        for record in table:
            for column, factor, limit in limits:
                value = getattr(record, column)
                if value is None or value <= limit or flagged(out, record.place(column)):
                    continue
                beyond = (
                    f"超过本单位全年收支规模 {money(scale)}"
                    if factor == 1
                    else f"是本单位全年收支规模 {money(scale)} 的 {times(value, scale)} 倍"
                )
                major = ""
                if isinstance(record, Project) and _decides_major(record, column) and is_major(record, threshold):
                    major = f"；按此数，该项目将作为{format_plain(threshold)}万元以上的项目逐项说明"
                add(
                    out,
                    codes.W_UNIT_SUSPECT,
                    record.place(column),
                    f"{_name(record)}的{quote(table.sheet.column(column).label)}为 {money(value)}，{beyond}，"
                    f"数量级异常：{unit_hint(table.unit)}{major}",
                )


def _decides_major(project: Project, column: str) -> bool:
    """Whether ``column`` is the figure ``figures.is_major`` measures the project by: 总造价, else its 全年预算数
    and 全年执行数."""
    return column == "cost" if project.cost is not None else column in ("adjusted", "actual")


def _name(record: Record) -> str:
    if isinstance(record, ProjectFund):
        return f"项目“{short(record.project)}”（{record.source}）"
    if isinstance(record, Project):
        return f"项目“{short(record.name)}”"
    if isinstance(record, Building):
        return f"楼堂馆所“{short(record.name)}”"
    return f"科目“{short(str(record.value('name')))}”"


def _project_funds(out: Findings, d: Derived) -> None:
    """The 其中 rows of a project's 资金: sources add up to its 年初/全年/执行 figures (a blank source is 0)."""
    by_name = {p.name: p for p in d.report.projects}
    grouped: dict[str, list[ProjectFund]] = defaultdict(list)
    for f in d.report.project_funds:
        if f.project not in by_name:
            add(out, codes.W_FUND_PROJECT, f.at("project"), f"项目“{short(f.project)}”不在“项目”表中")
        else:
            grouped[f.project].append(f)
    labels = {c.key: c.label for c in schema.PROJECTS.columns}
    columns = ("initial", "adjusted", "actual")
    for column in columns if grouped else ():  # the names checked once (value() checks them), then read as attributes
        d.report.projects.records[0].value(column)
        d.report.project_funds.records[0].value(column)
    for name, rows in grouped.items():
        project = by_name[name]
        for column in columns:
            stated = getattr(project, column)
            if stated is None:
                continue
            found = parts_disagree(
                f"项目“{short(name)}”的{labels[column]}",
                [(f.source, getattr(f, column)) for f in rows],
                stated,
                d.rules.tolerance,
                named=f"“{schema.PROJECT_FUNDS.name}”中各来源",
                blank_is_zero=True,
            )
            if found is not None:
                add(out, found[0], project.place(column), found[1])


def _kpis(out: Findings, d: Derived) -> None:
    kpis, rules = d.report.kpis, d.rules
    if not kpis:
        return
    names = {p.name for p in d.report.projects}
    groups: dict[str | None, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    first: dict[str | None, Place] = {}
    for k in kpis:
        if k.project is not None and k.project not in names:
            add(out, codes.W_KPI_PROJECT, k.at("project"), f"所属项目“{short(k.project)}”不在“项目”表中")
        if k.score is not None and k.score > k.points:
            add(out, codes.W_SCORE_EXCEEDS, k.at("score"), f"“{short(k.level3)}”得分 {k.score:f} 超过分值 {k.points:f}")
        computed = d.computed_scores[k.row]
        if computed is not None and k.score is not None and abs(k.score - computed) > rules.tolerance:
            add(
                out,
                codes.W_SCORE_MISMATCH,
                k.at("score"),
                f"“{short(k.level3)}”填写的得分 {k.score:f} 与按实际完成值计算的 {money(computed)} 不同",
            )
        if k.direction != "定性" and not (isinstance(k.target, Decimal) and isinstance(k.actual, Decimal | None)):
            add(
                out,
                codes.W_KPI_NOT_NUMERIC,
                k.at("target"),
                f"“{short(k.level3)}”是定量指标（{k.direction}），年度指标值和实际完成值应为数值；将按填写的得分计",
            )
        groups[k.project][k.level1] += k.points
        if k.project not in first:  # not setdefault: the place is made once per project, not on every indicator
            first[k.project] = k.at("points")
    if rules.scale_to_level_points:
        return  # the indicators' 分值 are weights, scaled to their 一级指标's points: no sum to match
    for project, points in groups.items():
        if project is not None and project not in names:
            continue  # already reported: its points cannot be judged without its project
        who = f"项目“{short(project)}”" if project else "部门整体"
        for level, expected in rules.level_points.items():
            got = points.get(level, Decimal(0))
            if got != expected:
                add(
                    out,
                    codes.W_POINTS_TOTAL,
                    first[project],
                    f"{who}的{level}分值合计 {got.normalize():f}，按评分规则应为 {expected.normalize():f}",
                )
