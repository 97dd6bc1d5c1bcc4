"""The template context: the model plus every derived figure, as plain dicts and lists.

The keys here are the vocabulary of report templates; docs/template.md lists them.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from . import figures, indicators
from .evaluation import basic_data, department_evaluation, project_evaluations
from .indicators import standard_indicators
from .model import Report
from .numbers import chinese_count
from .rules import Rules


def build_context(report: Report, rules: Rules) -> dict[str, Any]:
    unit = report.unit
    budget: dict[str, dict[str, Any]] = {
        col.key: figures.column_values(report.budget, col.key) for col in report.budget.sheet.columns
    }
    for col, values in budget.items():
        values["income_sources"] = figures.labelled_parts(report.budget, "income_total", col, skip_zero=True)
    actual = budget["actual"]
    three = report.three_public
    procurement = {c.key: figures.column_values(report.procurement, c.key) for c in report.procurement.sheet.columns}
    assets = figures.column_values(report.assets, "amount")
    if assets["net_assets"] is None and assets["total_assets"] is not None and assets["liabilities"] is not None:
        assets["net_assets"] = assets["total_assets"] - assets["liabilities"]
    if assets["usage_rate"] is None:
        assets["usage_rate"] = indicators.fixed_asset_utilization(report)
    major = figures.major_projects(report.projects, unit.threshold)
    return {
        "document": {"title": f"{unit.year}年度部门整体支出绩效自评报告", "author": unit.name},
        "year": unit.year,
        "unit": {
            "name": unit.name,
            "short_name": unit.short_name,
            "supervisor": unit.supervisor or "",
        },
        "basis": unit.basis,
        "threshold": unit.threshold,
        "report_date": (
            f"{unit.report_date.year}年{unit.report_date.month}月{unit.report_date.day}日" if unit.report_date else ""
        ),
        "duties": report.duties,
        "offices": report.offices,
        "offices_count": len(report.offices),
        "offices_count_cn": chinese_count(len(report.offices)),
        "staffing": [asdict(s) for s in report.staffing],
        "final_units": report.final_units,
        "budget": budget,
        "income_change": asdict(figures.Change.between(actual["income_total"], budget["initial"]["income_total"])),
        "shares": {
            "basic": indicators.basic_share(report),
            "project": indicators.project_share(report),
        },
        "three_public": {
            col.key: {
                "total": figures.effective(three, "total", col.key),
                "parts": figures.vehicle_aware_parts(three, col.key),
            }
            for col in three.sheet.columns
        },
        "procurement": procurement,
        "assets": assets,
        "function_groups": figures.function_groups(report.functions),
        "projects": [asdict(p) for p in report.projects],
        "major_projects": [asdict(p) for p in major],
        "kpis": [asdict(k) for k in report.kpis],
        "texts": report.texts,
        "yoy": {
            "budget": figures.year_on_year(report.budget, "actual"),
            "three_public": figures.year_on_year(three, "actual"),
        },
        "indicators": {k: asdict(v) for k, v in standard_indicators(report).items()},
        "evaluation": department_evaluation(report, rules),
        "project_evaluations": project_evaluations(report, rules),
        "basic_data": basic_data(report),
    }
