"""Consistency checks on a well-formed workbook: every part–whole relation it holds, a few plausibility rules.

Each finding names the cell of the figure that disagrees and gives the figures and the
difference. Nothing here changes a value. Income-side and expenditure-side totals are
never compared: real reports legitimately differ (domain.md §1.3).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from statistics import median

from . import schema
from .errors import Finding
from .figures import effective
from .indicators import fixed_asset_utilization
from .model import FunctionLine, ProjectFund, Report
from .normalize import FormValues
from .numbers import format_money, format_percent
from .rules import Rules
from .scoring import budget_line, computed_score, scorecard


class _Out:
    def __init__(self, report: Report) -> None:
        self.file = report.source
        self.findings: list[Finding] = []

    def add(self, severity: str, code: str, sheet: str, cell: str, message: str) -> None:
        self.findings.append(Finding(severity, code, self.file, sheet, cell, message))


def check_report(report: Report, rules: Rules) -> list[Finding]:
    out = _Out(report)
    for table in (report.budget, report.three_public, report.procurement):
        _form_relations(out, table, rules)
    _assets(out, report, rules)
    _functions(out, report, rules)
    _projects(out, report, rules)
    _sheet_totals(out, report, rules)
    _completeness(out, report, rules)
    _kpis(out, report, rules)
    _year(out, report)
    return out.findings


def _q(label: str) -> str:
    """A label in quotation marks; quotes inside it become single ones (“‘三公’经费合计”)."""
    return "“" + label.replace("“", "‘").replace("”", "’") + "”"


def _short(text: str, limit: int = 30) -> str:
    """Names quoted in a message: a 20,000-character cell must not flood the terminal."""
    return text if len(text) <= limit else text[:limit] + "…"


def _m(value: Decimal) -> str:
    return format_money(value)


def _column_phrase(table: FormValues, column: str) -> str:
    if len(table.sheet.columns) == 1:
        return ""
    return "的" + next(c.label for c in table.sheet.columns if c.key == column)


def _form_relations(out: _Out, table: FormValues, rules: Rules) -> None:
    sheet = table.sheet
    for parent in sheet.rows:
        children = [f for f in sheet.rows if f.parent == parent.key]
        if not children:
            continue
        for col in sheet.columns:
            whole = table.get(parent.key, col.key)
            if whole is None:
                continue
            ref = table.refs[(parent.key, col.key)]
            sums = [f for f in children if f.relation == "sum"]
            parts = [(f, effective(table, f.key, col.key)) for f in sums]
            given = [(f, v) for f, v in parts if v is not None]
            what = f"{_q(parent.label)}{_column_phrase(table, col.key)}"
            if given:
                total = sum((v for _, v in given), Decimal(0))
                names = "＋".join(_q(f.label) for f, _ in given)
                diff = total - whole
                if len(given) == len(parts) and abs(diff) > rules.tolerance:
                    out.add(
                        "warning",
                        "W_SUM_MISMATCH",
                        sheet.name,
                        ref,
                        f"{what}为 {_m(whole)}，而{names}合计 {_m(total)}，相差 {_m(abs(diff))} 万元",
                    )
                elif len(given) < len(parts) and diff > rules.tolerance:
                    out.add(
                        "warning",
                        "W_PARTS_EXCEED",
                        sheet.name,
                        ref,
                        f"{what}为 {_m(whole)}，已填写的{names}合计 {_m(total)} 已超出 {_m(diff)} 万元",
                    )
            for f in children:
                value = effective(table, f.key, col.key)
                if value is None:
                    continue
                part_ref = table.refs.get((f.key, col.key), "")
                if f.relation == "part" and value > whole + rules.tolerance:
                    out.add(
                        "warning",
                        "W_PART_EXCEEDS",
                        sheet.name,
                        part_ref,
                        f"{_q(f.label)}{_column_phrase(table, col.key)}为 {_m(value)}，大于{what} {_m(whole)}",
                    )
                _magnitude(out, rules, table, part_ref, f.label, value, parent.label, whole)


def _magnitude(
    out: _Out, rules: Rules, table: FormValues, ref: str, label: str, value: Decimal, against: str, whole: Decimal
) -> None:
    if whole > 0 and value > whole * rules.magnitude:
        times = (value / whole).quantize(Decimal(1))
        out.add(
            "warning",
            "W_UNIT_SUSPECT",
            table.sheet.name,
            ref,
            f"{_q(label)}为 {_m(value)}，是{_q(against)}（{_m(whole)}）的 {times} 倍，"
            f"数量级异常：{_unit_hint(table.unit)}",
        )


def _assets(out: _Out, report: Report, rules: Rules) -> None:
    table, sheet = report.assets, schema.ASSETS.name

    def get(key: str) -> Decimal | None:
        return table.get(key, "amount")  # type: ignore[no-any-return]

    def ref(key: str) -> str:
        return table.refs[(key, "amount")]

    total, liabilities, net = get("total_assets"), get("liabilities"), get("net_assets")
    if total is not None and liabilities is not None and net is not None:
        computed = total - liabilities
        if abs(net - computed) > rules.tolerance:
            out.add(
                "warning",
                "W_NET_ASSETS",
                sheet,
                ref("net_assets"),
                f"“净资产”为 {_m(net)}，而资产总额 {_m(total)} − 负债总额 {_m(liabilities)} = {_m(computed)}，"
                f"相差 {_m(abs(net - computed))} 万元",
            )
        _magnitude(out, rules, table, ref("net_assets"), "净资产", net, "资产总额", total)
    fixed, in_use, rate = get("fixed_assets"), get("fixed_in_use"), get("usage_rate")
    if fixed is not None and in_use is not None and in_use > fixed + rules.tolerance:
        out.add(
            "warning",
            "W_IN_USE_EXCEEDS",
            sheet,
            ref("fixed_in_use"),
            f"“在用固定资产”{_m(in_use)} 大于“固定资产原值”{_m(fixed)}",
        )
    computed_rate = fixed_asset_utilization(report)
    if (
        rate is not None
        and computed_rate is not None
        and in_use is not None
        and fixed is not None
        and abs(rate - computed_rate) > rules.rate_tolerance
    ):
        out.add(
            "warning",
            "W_RATE_MISMATCH",
            sheet,
            ref("usage_rate"),
            f"“资产使用率”填写为 {format_percent(rate)}，而在用固定资产 {_m(in_use)} ÷ 固定资产原值 {_m(fixed)}"
            f" = {format_percent(computed_rate)}",
        )


def _functions(out: _Out, report: Report, rules: Rules) -> None:
    sheet, lines = schema.FUNCTIONS.name, report.functions
    if not lines:
        return
    values = report.lists["functions"]
    codes = {ln.code: ln for ln in lines if ln.code}

    def parent_of(code: str | None) -> str | None:
        for length in (5, 3):
            if code and len(code) > length and code[:length] in codes:
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
            stated = getattr(codes[code], column) if code else None
            if code is None or stated is None or not given:
                continue
            total = sum(given, Decimal(0))
            where = f"{letter}{codes[code].row}"
            what = f"科目 {code}“{_short(codes[code].name)}”的{label}为 {_m(stated)}"
            if len(given) == len(children) and abs(total - stated) > rules.tolerance:
                out.add(
                    "warning",
                    "W_CHILDREN_MISMATCH",
                    sheet,
                    where,
                    f"{what}，而其下级科目合计 {_m(total)}，相差 {_m(abs(total - stated))} 万元",
                )
            elif len(given) < len(children) and total > stated + rules.tolerance:
                out.add(
                    "warning",
                    "W_PARTS_EXCEED",
                    sheet,
                    where,
                    f"{what}，已填写的下级科目合计 {_m(total)} 已超出 {_m(total - stated)} 万元",
                )
        whole = effective(report.budget, column, "actual")
        top = [v for v in (getattr(ln, column) for ln in siblings[None]) if v is not None]
        if top and whole is not None:
            total = sum(top, Decimal(0))
            if abs(total - whole) > rules.tolerance:
                rows = [ln.row for ln in lines]
                out.add(
                    "warning",
                    "W_FUNCTIONS_TOTAL",
                    sheet,
                    f"{letter}{min(rows)}:{letter}{max(rows)}",
                    f"各类科目的{label}合计 {_m(total)}，与“收支预决算”中{label}全年执行数 {_m(whole)} "
                    f"相差 {_m(abs(total - whole))} 万元",
                )
        for group in siblings.values():
            items = [(ln.name, getattr(ln, column), ln.row) for ln in group]
            _outliers(out, rules, sheet, letter, values.unit, items, whole, Decimal(1))


def _outliers(
    out: _Out,
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
                "warning",
                "W_UNIT_SUSPECT",
                sheet,
                f"{letter}{row}",
                f"{_q(_short(name))}为 {_m(value)}，是同列其他数值中位数（{_m(typical)}）的 {times} 倍，"
                f"数量级异常：{_unit_hint(unit)}",
            )


def _unit_hint(unit: str) -> str:
    if unit == schema.DEFAULT_UNIT:
        return "可能按元填写（本表金额单位为万元）或多输了数字"
    return "请核对（本表金额单位为元，已换算为万元）"


def _sheet_totals(out: _Out, report: Report, rules: Rules) -> None:
    """“三公” and procurement are parts of what the department spends: a total above it is a unit slip."""
    spent = {
        "budget": effective(report.budget, "expense_total", "initial"),
        "actual": effective(report.budget, "expense_total", "actual"),
    }
    for table in (report.three_public, report.procurement):
        for col in ("budget", "actual"):
            total, whole = effective(table, "total", col), spent[col]
            if total is None or whole is None or total <= whole + rules.tolerance:
                continue
            ref = table.refs.get(("total", col), "")
            out.add(
                "warning",
                "W_UNIT_SUSPECT",
                table.sheet.name,
                ref,
                f"{_q(table.sheet.row('total').label)}{_column_phrase(table, col)}为 {_m(total)}，"
                f"超过部门支出合计 {_m(whole)}，数量级异常：{_unit_hint(table.unit)}",
            )


NARRATIVE_NEEDED = ("overall", "problems", "measures", "publicity")


def _completeness(out: _Out, report: Report, rules: Rules) -> None:
    """What would leave the report needing edits: an empty section, a 自评表 without a total."""
    texts = report.lists["texts"]
    for key in NARRATIVE_NEEDED:
        if not report.texts.get(key):
            label = schema.TEXT_SECTIONS[key]
            out.add(
                "warning",
                "W_TEXT_MISSING",
                schema.TEXTS.name,
                f"{texts.letters.get('section', 'A')}:{texts.letters.get('section', 'A')}",
                f"没有“{label}”的段落，报告中该节将是空的",
            )
    budget = report.budget
    line = budget_line(
        None, effective(budget, "expense_total", "adjusted"), effective(budget, "expense_total", "actual"), rules
    )
    card = scorecard(line, [k for k in report.kpis if k.project is None], rules)
    if card.missing:
        out.add(
            "warning",
            "W_SCORE_INCOMPLETE",
            schema.BUDGET.name,
            budget.refs.get(("expense_total", "adjusted"), ""),
            f"部门整体支出绩效自评表的总分和等级无法计算，缺少{'、'.join(card.missing)}",
        )


def _projects(out: _Out, report: Report, rules: Rules) -> None:
    sheet, projects = schema.PROJECTS.name, report.projects
    if not projects:
        return
    values = report.lists["projects"]
    letters = values.letters
    for p in projects:
        if p.paid is not None and p.paid > p.cost + rules.tolerance:
            out.add(
                "warning",
                "W_PAID_EXCEEDS",
                sheet,
                f"{letters['paid']}{p.row}",
                f"项目“{_short(p.name)}”已支付 {_m(p.paid)}，超过项目总造价 {_m(p.cost)}",
            )
    # a project may cost more than a year's project spending, not ten times more
    whole = effective(report.budget, "project", "actual")
    _outliers(
        out, rules, sheet, letters["cost"], values.unit, [(p.name, p.cost, p.row) for p in projects], whole, Decimal(10)
    )
    _project_funds(out, report, rules)


def _project_funds(out: _Out, report: Report, rules: Rules) -> None:
    """The 其中 rows of a project's 资金: sources add up to its 年初/全年/执行 figures (a blank source is 0)."""
    funds, values = report.project_funds, report.lists["project_funds"]
    by_name = {p.name: p for p in report.projects}
    sheet = schema.PROJECT_FUNDS.name
    grouped: dict[str, list[ProjectFund]] = defaultdict(list)
    for f in funds:
        if f.project not in by_name:
            out.add(
                "warning",
                "W_FUND_PROJECT",
                sheet,
                f"{values.letters['project']}{f.row}",
                f"项目“{_short(f.project)}”不在“项目”表中",
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
                    "warning",
                    "W_SUM_MISMATCH",
                    schema.PROJECTS.name,
                    f"{letter}{project.row}",
                    f"项目“{_short(name)}”的{labels[column]}为 {_m(stated)}，而“{sheet}”中各来源合计 {_m(total)}，"
                    f"相差 {_m(abs(total - stated))} 万元",
                )


def _kpis(out: _Out, report: Report, rules: Rules) -> None:
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
                "warning",
                "W_KPI_PROJECT",
                sheet,
                f"{letters['project']}{k.row}",
                f"所属项目“{k.project}”不在“项目”表中",
            )
        if k.score is not None and k.score > k.points:
            out.add(
                "warning",
                "W_SCORE_EXCEEDS",
                sheet,
                f"{letters['score']}{k.row}",
                f"“{k.level3}”得分 {k.score} 超过分值 {k.points}",
            )
        computed = computed_score(k)
        if computed is not None and k.score is not None and abs(k.score - computed) > rules.tolerance:
            out.add(
                "warning",
                "W_SCORE_MISMATCH",
                sheet,
                f"{letters['score']}{k.row}",
                f"“{_short(k.level3)}”填写的得分 {k.score} 与按实际完成值计算的 {_m(computed)} 不同",
            )
        if k.direction != "定性" and not (isinstance(k.target, Decimal) and isinstance(k.actual, Decimal | None)):
            out.add(
                "warning",
                "W_KPI_NOT_NUMERIC",
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
                    "warning",
                    "W_POINTS_TOTAL",
                    sheet,
                    f"{letters['points']}{first_row[project]}",
                    f"{who}的{level}分值合计 {got.normalize():f}，按评分规则应为 {expected.normalize():f}",
                )


def _year(out: _Out, report: Report) -> None:
    basic = report.unit
    if basic.report_date is not None and basic.report_date.year < basic.year:
        out.add(
            "warning",
            "W_REPORT_DATE",
            schema.BASIC.name,
            report.basic.refs[("report_date", "value")],
            f"报告日期 {basic.report_date:%Y-%m-%d} 早于所评价的年度 {basic.year}",
        )
