"""Checks on the fixed-row sheets: every part–whole relation of 收支预决算, 三公经费, 政府采购 and 资产."""

from __future__ import annotations

from decimal import Decimal

from . import codes, schema
from .check_common import column_phrase, money, quote, unit_hint
from .figures import effective
from .findings import Findings
from .indicators import fixed_asset_utilization
from .model import Report
from .normalize import FormValues
from .numbers import format_percent
from .rules import Rules


def check_forms(out: Findings, report: Report, rules: Rules) -> None:
    for table in (report.budget, report.three_public, report.procurement):
        _form_relations(out, table, rules)
    _assets(out, report, rules)
    _sheet_totals(out, report, rules)


def _form_relations(out: Findings, table: FormValues, rules: Rules) -> None:
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
            what = f"{quote(parent.label)}{column_phrase(table, col.key)}"
            if given:
                total = sum((v for _, v in given), Decimal(0))
                names = "＋".join(quote(f.label) for f, _ in given)
                diff = total - whole
                if len(given) == len(parts) and abs(diff) > rules.tolerance:
                    out.add(
                        codes.W_SUM_MISMATCH,
                        sheet.name,
                        ref,
                        f"{what}为 {money(whole)}，而{names}合计 {money(total)}，相差 {money(abs(diff))} 万元",
                    )
                elif len(given) < len(parts) and diff > rules.tolerance:
                    out.add(
                        codes.W_PARTS_EXCEED,
                        sheet.name,
                        ref,
                        f"{what}为 {money(whole)}，已填写的{names}合计 {money(total)} 已超出 {money(diff)} 万元",
                    )
            for f in children:
                value = effective(table, f.key, col.key)
                if value is None:
                    continue
                part_ref = table.refs.get((f.key, col.key), "")
                if f.relation == "part" and value > whole + rules.tolerance:
                    out.add(
                        codes.W_PART_EXCEEDS,
                        sheet.name,
                        part_ref,
                        f"{quote(f.label)}{column_phrase(table, col.key)}为 {money(value)}，大于{what} {money(whole)}",
                    )
                _magnitude(out, rules, table, part_ref, f.label, value, parent.label, whole)


def _magnitude(
    out: Findings, rules: Rules, table: FormValues, ref: str, label: str, value: Decimal, against: str, whole: Decimal
) -> None:
    if whole > 0 and value > whole * rules.magnitude:
        times = (value / whole).quantize(Decimal(1))
        out.add(
            codes.W_UNIT_SUSPECT,
            table.sheet.name,
            ref,
            f"{quote(label)}为 {money(value)}，是{quote(against)}（{money(whole)}）的 {times} 倍，"
            f"数量级异常：{unit_hint(table.unit)}",
        )


def _assets(out: Findings, report: Report, rules: Rules) -> None:
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
                codes.W_NET_ASSETS,
                sheet,
                ref("net_assets"),
                f"“净资产”为 {money(net)}，而资产总额 {money(total)} − 负债总额 {money(liabilities)} "
                f"= {money(computed)}，相差 {money(abs(net - computed))} 万元",
            )
        _magnitude(out, rules, table, ref("net_assets"), "净资产", net, "资产总额", total)
    fixed, in_use, rate = get("fixed_assets"), get("fixed_in_use"), get("usage_rate")
    if fixed is not None and in_use is not None and in_use > fixed + rules.tolerance:
        out.add(
            codes.W_IN_USE_EXCEEDS,
            sheet,
            ref("fixed_in_use"),
            f"“在用固定资产”{money(in_use)} 大于“固定资产原值”{money(fixed)}",
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
            codes.W_RATE_MISMATCH,
            sheet,
            ref("usage_rate"),
            f"“资产使用率”填写为 {format_percent(rate)}，而在用固定资产 {money(in_use)} ÷ 固定资产原值 {money(fixed)}"
            f" = {format_percent(computed_rate)}",
        )


def _sheet_totals(out: Findings, report: Report, rules: Rules) -> None:
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
                codes.W_UNIT_SUSPECT,
                table.sheet.name,
                ref,
                f"{quote(table.sheet.row('total').label)}{column_phrase(table, col)}为 {money(total)}，"
                f"超过部门支出合计 {money(whole)}，数量级异常：{unit_hint(table.unit)}",
            )
