"""The template context: the model and the derived figures, as plain dicts and lists; nothing is computed here.

Its shape is declared in ``vocabulary.Context`` (each field with its meaning; docs/template-guide.md is generated
from it), and mypy holds ``build_context`` to that declaration. Each typed figure is a ``Figure`` that knows its
cell, so a review comment lands on the figure a finding is about.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import fields
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from ..derive import Derived, figures
from ..derive.declared import custom_values
from ..model import schema
from ..model.figure import Figure
from ..model.record import Place, Record
from ..model.records import Report
from ..numbers import chinese_count, unsigned
from ..template.settings import TemplateSettings, default_settings, format_title
from .evaluation import basic_data, department_evaluation, project_evaluations

if TYPE_CHECKING:  # types only: declaring them (vocabulary.py, 28 TypedDicts) is ~3 ms of every build's start
    from .vocabulary import (
        BudgetColumn,
        Change,
        Context,
        FunctionGroup,
        Rows,
        ThreePublicColumn,
        ThreePublicPart,
        YoyRow,
    )

CHART_KEYS = ("structure", "functions", "budget", "indicators")  # the charts render may draw: vocabulary.Charts's
# keys but "enabled" (tests/test_build_start.py holds the two together)


def sections(report: Report) -> dict[str, list[str]]:
    """The 文字 sheet's paragraphs by section key, in row order; every section present, perhaps empty.

    A line break typed in a cell (Alt+Enter) starts a new paragraph of the report: a page-long cell stays the
    user's paragraphs, not one block running over five pages.
    """
    keys = {label: key for key, label in schema.TEXT_SECTIONS.items()}
    texts: dict[str, list[str]] = {key: [] for key in schema.TEXT_SECTIONS}
    for paragraph in report.texts:
        lines = [line.strip() for line in paragraph.text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
        texts[keys[paragraph.section]].extend(line for line in lines if line)
    return texts


def _plain(record: Record) -> dict[str, Any]:
    """A record as the template sees it: its values (and row), each number a Figure that knows its cell."""
    # shallow: a record's values are flat (asdict deep-copied every record with its cells: 36 ms of a report)
    sheet, cells = record.SHEET.name, record.cells
    out: dict[str, Any] = {}
    for name in _names(type(record)):  # placed(), its Place made only for a number (most values are text)
        value = getattr(record, name)
        if isinstance(value, Decimal) and not isinstance(value, Figure) and cells.get(name):
            value = Figure(value, Place(sheet, cells[name]))
        out[name] = value
    return out


_NAMES: dict[type, tuple[str, ...]] = {}


def _names(kind: type[Record]) -> tuple[str, ...]:
    """A record type's value fields (``dataclasses.fields`` builds its tuple again on every call)."""
    names = _NAMES.get(kind)
    if names is None:
        names = _NAMES[kind] = tuple(f.name for f in fields(kind) if f.name != "cells")
    return names


def build_context(d: Derived, settings: TemplateSettings | None = None) -> Context:
    report, basic = d.report, d.report.basic
    settings = settings or default_settings()
    title = format_title(settings.get("report.title"), year=basic.year, unit=basic.name, short_name=d.short_name)
    texts = sections(report)
    budget: dict[str, BudgetColumn] = {}
    for col in schema.BUDGET.columns:
        rows: dict[str, Any] = d.budget.column(col.key)  # the rows by key, beside the declared income_sources
        rows["income_sources"] = figures.labelled_parts(d.budget, "income_total", col.key, skip_zero=True)
        budget[col.key] = cast("BudgetColumn", rows)
    offices = [o.name for o in report.offices]
    return {
        "document": {"title": title, "author": basic.name},
        "title": title,
        "words": settings.group("words"),
        "sections": settings.group("sections"),
        "appendices": settings.group("appendices"),
        # the pictures are drawn by the Word renderer, which alone can make docx images; here only their slots
        "charts": {
            "enabled": settings.get("charts.enabled"),
            "structure": None,
            "functions": None,
            "budget": None,
            "indicators": None,
        },
        "cover": {"enabled": settings.get("cover.enabled")},
        "custom": custom_values(report, settings),
        "custom_fields": [
            {"name": f.name, "value": f.content, "unit": f.unit or "", "type": f.type or ""}
            for f in report.custom_fields
        ],
        "year": basic.year,
        "unit": {"name": basic.name, "short_name": d.short_name, "supervisor": basic.supervisor or ""},
        "basis": basic.basis,
        "threshold": basic.threshold,
        "report_date": (
            f"{basic.report_date.year}年{basic.report_date.month}月{basic.report_date.day}日"
            if basic.report_date
            else ""
        ),
        "duties": [duty.text for duty in report.duties],
        "offices": offices,
        "offices_count": len(offices),
        "offices_count_cn": chinese_count(len(offices)),
        "staffing": [{k: v for k, v in _plain(s).items() if k != "row"} for s in report.staffing],
        "final_units": [u.name for u in report.final_units],
        "budget": budget,
        "income_change": _change(
            figures.Change.between(d.budget.get("income_total", "actual"), d.budget.get("income_total", "initial"))
        ),
        "shares": {
            "basic": d.indicators["basic_share"].value,
            "project": d.indicators["project_share"].value,
        },
        # None, not zeros, where the workbook has no such figures (sheet left out or blank): {%p if procurement %}
        "three_public": _three_public(d),
        "procurement": _procurement(d),
        "assets": _assets(d),
        "function_groups": cast("list[FunctionGroup]", d.functions.groups()),  # derive's dicts, declared here
        "projects": [_plain(p) for p in report.projects],
        "major_projects": [_plain(p) for p in d.major_projects],
        "kpis": [_plain(k) for k in report.kpis],
        "texts": texts,
        "yoy": cast("dict[str, dict[str, YoyRow]]", d.yoy),
        "indicators": {
            k: {
                "key": v.key,
                "name": v.name,
                "value": v.value,
                "formula": v.formula,
                "sources": v.sources,
                "outline": v.outline,
            }
            for k, v in d.indicators.items()
        },
        "evaluation": department_evaluation(d, texts),
        "project_evaluations": project_evaluations(d),
        "basic_data": basic_data(d, texts),
    }


def _change(change: figures.Change) -> Change:
    return {"word": change.word, "amount": change.amount}


def _three_public(d: Derived) -> dict[str, ThreePublicColumn] | None:
    three = d.three_public
    if three is None:
        return None
    return {
        col.key: {
            "total": three.get("total", col.key),
            "parts": cast("list[ThreePublicPart]", figures.vehicle_aware_parts(three, col.key)),
        }
        for col in schema.THREE_PUBLIC.columns
    }


def _procurement(d: Derived) -> dict[str, Rows] | None:
    if d.procurement is None:
        return None
    return {c.key: d.procurement.column(c.key) for c in schema.PROCUREMENT.columns}


def _assets(d: Derived) -> Rows | None:
    if d.assets is None:
        return None
    assets: dict[str, Any] = d.assets.column("amount")
    assets["usage_rate"] = d.usage_rate
    return assets


def context_json(context: Mapping[str, Any]) -> str:
    """The context as JSON for template authors and automation: amounts and rates as exact decimal strings
    (never floats), dates as ISO dates."""

    def plain(value: Any) -> Any:
        if isinstance(value, Decimal):
            return f"{unsigned(value):f}"
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, dict):
            return {str(k): plain(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        return value

    return json.dumps(plain(context), ensure_ascii=False, indent=2)
