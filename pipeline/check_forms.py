"""Checks on the fixed-row sheets: every part–whole relation of 收支预决算, 三公经费, 政府采购 and 资产."""

from __future__ import annotations

from decimal import Decimal

from . import codes
from .check_common import add, column_phrase, compare_parts, form_place, money, quote, unit_hint
from .derive import Derived
from .figures import Totals
from .findings import Findings
from .model import Form, Place
from .numbers import format_percent
from .rules import Rules


def check_forms(out: Findings, d: Derived) -> None:
    report = d.report
    forms: tuple[tuple[Form, Totals], ...] = (
        (report.budget, d.budget),
        (report.three_public, d.three_public),
        (report.procurement, d.procurement),
    )
    for form, totals in forms:
        _form_relations(out, form, totals, d.rules)
    _assets(out, d)
    _sheet_totals(out, d)


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
            compare_parts(out, form_place(form, parent.key, col.key), what, sums, whole, rules.tolerance)
            for f in children:
                value = totals.get(f.key, col.key)
                if value is None:
                    continue
                place = form_place(form, f.key, col.key)
                if f.relation == "part" and value > whole + rules.tolerance:
                    add(
                        out,
                        codes.W_PART_EXCEEDS,
                        place,
                        f"{quote(f.label)}{column_phrase(sheet, col.key)}为 {money(value)}，大于{what} {money(whole)}",
                    )
                _magnitude(out, rules, form.unit, place, f.label, value, parent.label, whole)


def _magnitude(
    out: Findings, rules: Rules, unit: str, place: Place, label: str, value: Decimal, against: str, whole: Decimal
) -> None:
    if whole > 0 and value > whole * rules.magnitude:
        times = (value / whole).quantize(Decimal(1))
        add(
            out,
            codes.W_UNIT_SUSPECT,
            place,
            f"{quote(label)}为 {money(value)}，是{quote(against)}（{money(whole)}）的 {times} 倍，"
            f"数量级异常：{unit_hint(unit)}",
        )


def _assets(out: Findings, d: Derived) -> None:
    assets, rules = d.report.assets, d.rules
    total, liabilities, net = assets.total_assets, assets.liabilities, assets.net_assets
    if net is not None:
        computed = d.assets.difference("net_assets", "amount")
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
    computed_rate = d.indicators["fixed_asset_utilization"].value
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
    forms: tuple[tuple[Form, Totals], ...] = (
        (d.report.three_public, d.three_public),
        (d.report.procurement, d.procurement),
    )
    for form, totals in forms:
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
