"""The totals a template declares (derive/declared.py), checked like the standard ones: a typed total that differs
from its parts by more than the rules' tolerance is W_SUM_MISMATCH at the total's cell."""

from __future__ import annotations

from decimal import Decimal

from ..derive.declared import Total, declared_totals
from ..findings import codes
from ..findings.collector import Finding, Findings
from ..model.records import Report
from ..numbers import format_money
from ..template.rules import Rules
from ..template.settings import TemplateSettings


def check_declared(report: Report, settings: TemplateSettings, rules: Rules) -> list[Finding]:
    out = Findings(report.source)
    for total in declared_totals(report, settings):
        stated, computed = total.stated, total.computed
        if stated is None or computed is None or abs(stated - computed) <= rules.tolerance:
            continue
        parts = total.described or "＋".join(f"“{label}”" for label, _ in total.parts)
        out.add(
            codes.W_SUM_MISMATCH,
            total.sheet,
            total.cell,
            f"{total.name}为 {_shown(stated, total)}，而{parts}合计 {_shown(computed, total)}，"
            f"相差 {_shown(abs(stated - computed), total)}",
        )
    return out.items


def _shown(value: Decimal, total: Total) -> str:
    if total.money:
        return f"{format_money(value)} 万元"
    return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)
