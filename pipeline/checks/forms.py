"""Checks on the fixed-row sheets: every part–whole relation of 收支预决算, 三公经费, 政府采购 and 资产, blank totals
whose parts are only partly given, and amounts far too large for the unit (元 typed under a 万元 label).

An optional sheet the workbook leaves out or blank has no figures and nothing to check."""

from __future__ import annotations

from decimal import Decimal

from ..derive import Derived
from ..derive.figures import Totals
from ..derive.indicators import computed_asset_utilization
from ..findings import codes
from ..findings.collector import Findings
from ..model.record import Form, Place
from ..model.schema import Kind
from ..numbers import format_percent
from ..template.rules import Rules
from .common import (
    add,
    column_phrase,
    flagged_cell,
    form_place,
    labels,
    money,
    parts_disagree,
    quote,
    times,
    unit_hint,
)

# 资产 are stocks, not a year's flows: a unit may own many years' budget, not a thousand years' (元 gives 10000)
ASSETS_SCALE = Decimal(1000)
# 基本支出 pays the staff and runs the offices: no unit spends 1亿元 a year per 编制, while 元 typed under a 万元
# label turns the usual 10–100万元 into 10–100亿元
BASIC_PER_POST_CEILING = Decimal(10000)


def _present(d: Derived) -> list[tuple[Form, Totals]]:
    """The fixed-row sheets with figures, in sheet order (资产 has its own checks)."""
    report = d.report
    forms: list[tuple[Form, Totals | None]] = [
        (report.budget, d.budget),
        (report.three_public, d.three_public),
        (report.procurement, d.procurement),
    ]
    return [(form, totals) for form, totals in forms if totals is not None]


def check_forms(out: Findings, d: Derived) -> None:
    for form, totals in _present(d):
        _form_relations(out, form, totals, d.rules)
        _partial_totals(out, form, totals)
    if d.assets is not None:
        _assets(out, d, d.assets)
    _sheet_totals(out, d)
    _against_scale(out, d)
    _basic_per_post(out, d)


def _form_relations(out: Findings, form: Form, totals: Totals, rules: Rules) -> None:
    sheet = form.SHEET
    for parent in sheet.rows:
        children = [f for f in sheet.rows if f.parent == parent.key]
        if not children:
            continue
        for col in sheet.columns:
            whole = form.get(parent.key, col.key)
            if whole is None:
                continue
            what = f"{quote(parent.label)}{column_phrase(sheet, col.key)}"
            sums = [(f.label, totals.get(f.key, col.key)) for f in children if f.relation == "sum"]
            found = parts_disagree(what, sums, whole, rules.tolerance)
            if found is not None:
                add(out, found[0], form_place(form, parent.key, col.key), found[1])
            for f in children:  # a child's place is made only for a finding
                value = totals.get(f.key, col.key)
                if value is None:
                    continue
                if f.relation == "part" and value > whole + rules.tolerance:
                    add(
                        out,
                        codes.W_PART_EXCEEDS,
                        form_place(form, f.key, col.key),
                        f"{quote(f.label)}{column_phrase(sheet, col.key)}为 {money(value)}，大于{what} {money(whole)}",
                    )
                if _beyond(rules, value, whole):
                    _magnitude(
                        out, rules, form.unit, form_place(form, f.key, col.key), f.label, value, parent.label, whole
                    )


def _magnitude(
    out: Findings,
    rules: Rules,
    unit: str,
    place: Place,
    label: str,
    value: Decimal | None,
    against: str,
    whole: Decimal | None,
) -> None:
    if whole is not None and value is not None and _beyond(rules, value, whole):
        times = (value / whole).quantize(Decimal(1))
        add(
            out,
            codes.W_UNIT_SUSPECT,
            place,
            f"{quote(label)}为 {money(value)}，是{quote(against)}（{money(whole)}）的 {times} 倍，"
            f"数量级异常：{unit_hint(unit)}",
        )


def _beyond(rules: Rules, value: Decimal, whole: Decimal) -> bool:
    """What _magnitude reports: a value more than ``rules.magnitude`` times its positive whole."""
    return whole > 0 and value > whole * rules.magnitude


def _partial_totals(out: Findings, form: Form, totals: Totals) -> None:
    """A blank total whose parts are only partly given has no figure (a partial sum is never used): say which part
    is missing, at the total's cell. A part that is itself such a total is reported instead of its parent."""
    sheet = form.SHEET
    for col in sheet.columns:
        incomplete: dict[str, tuple[list[str], list[str]]] = {}
        for row in sheet.rows:
            parts = sheet.parts(row.key)
            if not parts or form.get(row.key, col.key) is not None or totals.get(row.key, col.key) is not None:
                continue
            given = [p.key for p in parts if totals.get(p.key, col.key) is not None]
            if given:
                incomplete[row.key] = (given, [p.key for p in parts if p.key not in given])
        for row_key, (given, missing) in incomplete.items():
            if any(m in incomplete for m in missing):
                continue
            add(
                out,
                codes.W_PARTS_MISSING,
                form_place(form, row_key, col.key),
                f"{quote(sheet.row(row_key).label)}{column_phrase(sheet, col.key)}未填写，其组成项只填了"
                f"{labels(sheet.row(k).label for k in given)}，缺{labels(sheet.row(k).label for k in missing)}："
                "不按部分之和计算，该数空缺",
            )


def _assets(out: Findings, d: Derived, figures: Totals) -> None:
    assets, rules = d.report.assets, d.rules
    total, liabilities, net = assets.total_assets, assets.liabilities, assets.net_assets
    if net is not None:
        computed = figures.difference("net_assets", "amount")
        if computed is not None and abs(net - computed) > rules.tolerance:
            add(
                out,
                codes.W_NET_ASSETS,
                assets.at("net_assets"),
                f"“净资产”为 {money(net)}，而资产总额 {money(total)} − 负债总额 {money(liabilities)} "
                f"= {money(computed)}，相差 {money(abs(net - computed))} 万元",
            )
        _magnitude(out, rules, assets.unit, assets.at("net_assets"), "净资产", net, "资产总额", total)
    fixed, in_use, rate = assets.fixed_assets, assets.fixed_in_use, assets.usage_rate
    if in_use is not None and in_use > fixed + rules.tolerance:
        add(
            out,
            codes.W_IN_USE_EXCEEDS,
            assets.at("fixed_in_use"),
            f"“在用固定资产”{money(in_use)} 大于“固定资产原值”{money(fixed)}",
        )
    computed_rate = computed_asset_utilization(d.sums)  # the indicator itself is the typed rate
    if (
        rate is not None
        and computed_rate is not None
        and in_use is not None
        and abs(rate - computed_rate) > rules.rate_tolerance
    ):
        add(
            out,
            codes.W_RATE_MISMATCH,
            assets.at("usage_rate"),
            f"“资产使用率”填写为 {format_percent(rate)}，而在用固定资产 {money(in_use)} ÷ 固定资产原值 "
            f"{money(fixed)} = {format_percent(computed_rate)}",
        )


def _sheet_totals(out: Findings, d: Derived) -> None:
    """“三公” and procurement are parts of what the department spends: a total above it is a unit slip."""
    spent = {"budget": d.budget.get("expense_total", "initial"), "actual": d.budget.get("expense_total", "actual")}
    for form, totals in _present(d)[1:]:
        for col in ("budget", "actual"):
            total, whole = totals.get("total", col), spent[col]
            if total is None or whole is None or total <= whole + d.rules.tolerance:
                continue
            add(
                out,
                codes.W_UNIT_SUSPECT,
                form_place(form, "total", col),
                f"{quote(form.SHEET.row('total').label)}{column_phrase(form.SHEET, col)}为 {money(total)}，"
                f"超过部门支出合计 {money(whole)}，数量级异常：{unit_hint(form.unit)}",
            )


def _against_scale(out: Findings, d: Derived) -> None:
    """Amounts beyond the unit's own size (``Derived.scale``), once per sheet column, at the largest typed one.

    三公 and procurement are parts of a year's spending: any of their figures above the unit's size is a slip.
    Assets are stocks: beyond a thousand times it. 收支预决算's own 上年决算数 (not part of the size): beyond a
    hundred times this year's. A small unit's 元-for-万元 slip is caught here, where comparing a part with its own
    total finds nothing (the whole sheet, or column, is in 元)."""
    scale = d.scale
    if scale is None or scale <= 0:
        return
    sheets: list[tuple[Form, Decimal, tuple[str, ...]]] = [
        (form, Decimal(1), tuple(c.key for c in form.SHEET.columns)) for form, _ in _present(d)[1:]
    ]
    if d.assets is not None:
        sheets.append((d.report.assets, ASSETS_SCALE, ("amount",)))
    sheets.append((d.report.budget, d.rules.magnitude, ("prior",)))
    for form, factor, columns in sheets:
        sheet = form.SHEET
        for col in columns:
            cells = {f.key: form.cell(f.key, col) for f in sheet.rows}
            if flagged_cell(out, sheet.name, cells.values()):
                continue  # already reported against its own total
            typed = [(form.get(f.key, col), f) for f in sheet.rows if f.kind is Kind.MONEY]
            over = [(v, f) for v, f in typed if isinstance(v, Decimal) and v > scale * factor + d.rules.tolerance]
            if not over:
                continue
            value, row = max(over, key=lambda item: item[0])
            beyond = (
                f"超过本单位全年收支规模 {money(scale)}"
                if factor == 1
                else f"是本单位全年收支规模 {money(scale)} 的 {times(value, scale)} 倍"
            )
            add(
                out,
                codes.W_UNIT_SUSPECT,
                Place(sheet.name, cells[row.key]),
                f"{quote(row.label)}{column_phrase(sheet, col)}为 {money(value)}，{beyond}，"
                f"数量级异常：{unit_hint(form.unit)}",
            )


def _basic_per_post(out: Findings, d: Derived) -> None:
    """收支预决算 typed in 元 under its 万元 label: every figure of the unit is then 10000 times too large, which its
    own totals cannot show; its staff can (基本支出 per 编制)."""
    posts = d.staff_quota
    if posts <= 0:
        return
    budget = d.report.budget
    figures = [(d.budget.get("basic", c.key), c.key) for c in budget.SHEET.columns]
    given = [(v, c) for v, c in figures if v is not None]
    if not given:
        return
    value, col = max(given, key=lambda item: item[0])
    if flagged_cell(out, budget.SHEET.name, (budget.cell(f.key, col) for f in budget.SHEET.rows)):
        return  # the column is already reported (its 上年决算数 against this year's)
    per_post = value / posts
    if per_post > BASIC_PER_POST_CEILING:
        add(
            out,
            codes.W_UNIT_SUSPECT,
            form_place(budget, "basic", col),
            f"“基本支出”{column_phrase(budget.SHEET, col)}为 {money(value)}，按编制数 {posts} 人计每人 "
            f"{money(per_post)} 万元，数量级异常：{unit_hint(budget.unit)}",
        )
