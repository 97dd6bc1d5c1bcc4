"""The template context: the model and the derived figures, as plain dicts and lists; nothing is computed here.

Its shape is declared in ``vocabulary.Context`` (each field with its meaning; docs/template-guide.md is generated
from it), and mypy holds ``build_context`` to that declaration. Each typed figure is a ``Figure`` that knows its
cell, so a review comment lands on the figure a finding is about.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import fields
from decimal import Decimal
from operator import attrgetter
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


def _plain(records: Iterable[Record]) -> list[dict[str, Any]]:
    """Records as the template sees them: each its values (and row), each number a Figure that knows its cell."""
    # shallow: a record's values are flat (asdict deep-copied every record with its cells: 36 ms of a report); a
    # report's ~130 projects and KPIs with ~500 numbers: the Figure and Place made inline (figure.py, record.py)
    out: list[dict[str, Any]] = []
    kind: type | None = None
    for record in records:
        if type(record) is not kind:
            kind = type(record)
            names, every, values_of = _GETTERS.get(kind) or _getters(kind)
            sheet = record.SHEET.name
        state = record.__dict__
        if every is not None and tuple(state) == every:  # its fields alone, in order: copied in one C call
            plain = state.copy()
            del plain["cells"]
        else:
            plain = dict(zip(names, values_of(record), strict=True))
        cells = record.cells
        numbers = [name for name, v in plain.items() if isinstance(v, Decimal) and not isinstance(v, Figure)]
        for name in numbers:  # a Place made only for a number (most values are text)
            if cell := cells.get(name):
                place = _new_object(Place)
                place_state = place.__dict__
                place_state["sheet"], place_state["cell"] = sheet, cell
                figure = _new_decimal(Figure, plain[name])
                figure.place = place
                plain[name] = figure
        out.append(plain)
    return out


_new_object, _new_decimal = object.__new__, Decimal.__new__


def _plain_projects(projects: Sequence[Record], major: Sequence[Record]) -> tuple[list[Any], list[Any]]:
    """``_plain`` of the projects and of the major projects, the latter (most of the former, the same records) each
    a copy of the former's dict: the same values and Figures, a dict of its own."""
    plain = _plain(projects)
    by_record = {id(p): made for p, made in zip(projects, plain, strict=True)}
    return plain, [dict(by_record[id(p)]) if id(p) in by_record else _plain((p,))[0] for p in major]


_GETTERS: dict[type, tuple[tuple[str, ...], tuple[str, ...] | None, Callable[[Record], tuple[Any, ...]]]] = {}


def _getters(kind: type[Record]) -> tuple[tuple[str, ...], tuple[str, ...] | None, Callable[[Record], tuple[Any, ...]]]:
    """A record type's value fields (``dataclasses.fields`` builds its tuple again on every call); every field in
    order, row and cells first, where a record's __dict__ holds its values as attributes read them (no property or
    other data descriptor of the class takes a field's name), else None; the getter of the values as a tuple."""
    found = _GETTERS.get(kind)
    if found is None:
        every = tuple(f.name for f in fields(kind))
        names = tuple(name for name in every if name != "cells")
        direct = (
            every[:2] == ("row", "cells")
            and kind.__getattribute__ is object.__getattribute__
            and not any(_data_descriptor(kind, name) for name in every)
        )
        getter = attrgetter(*names) if len(names) > 1 else lambda record: tuple(getattr(record, n) for n in names)
        found = _GETTERS[kind] = (names, every if direct else None, getter)
    return found


def _data_descriptor(kind: type, name: str) -> bool:
    """Whether ``kind`` (or a base) has a data descriptor ``name``, which getattr reads before the instance dict."""
    attribute = next((vars(base)[name] for base in kind.__mro__ if name in vars(base)), None)
    return hasattr(type(attribute), "__set__") or hasattr(type(attribute), "__delete__")


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
    projects, major_projects = _plain_projects(report.projects.records, d.major_projects)
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
        "staffing": [{k: v for k, v in s.items() if k != "row"} for s in _plain(report.staffing)],
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
        "projects": projects,
        "major_projects": major_projects,
        "kpis": _plain(report.kpis),
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
