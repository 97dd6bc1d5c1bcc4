"""The typed report model: what one workbook says, before anything is derived from it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from . import schema
from .normalize import FormValues, ListValues, Normalized


@dataclass(frozen=True)
class Unit:
    name: str
    short_name: str
    year: int
    supervisor: str | None
    basis: str
    threshold: Decimal
    report_date: dt.date | None


@dataclass(frozen=True)
class Staffing:
    kind: str
    quota: int
    actual: int | None
    positions: str | None


@dataclass(frozen=True)
class FunctionLine:
    code: str | None
    name: str
    basic: Decimal | None
    project: Decimal | None
    row: int


@dataclass(frozen=True)
class Project:
    name: str
    cost: Decimal
    paid: Decimal | None
    status: str | None
    description: str | None
    row: int
    unit: str | None = None
    initial: Decimal | None = None
    adjusted: Decimal | None = None
    actual: Decimal | None = None
    goal: str | None = None
    outcome: str | None = None


@dataclass(frozen=True)
class ProjectFund:
    project: str
    source: str
    initial: Decimal | None
    adjusted: Decimal | None
    actual: Decimal | None
    row: int


@dataclass(frozen=True)
class Building:
    name: str
    approved_area: Decimal | None
    actual_area: Decimal | None
    budget: Decimal | None
    actual: Decimal | None
    row: int


@dataclass(frozen=True)
class Kpi:
    project: str | None
    level1: str
    level2: str
    level3: str
    direction: str
    target: Decimal | str
    actual: Decimal | str | None
    unit: str | None
    points: Decimal
    score: Decimal | None
    remark: str | None
    row: int


@dataclass
class Report:
    source: str
    unit: Unit
    basic: FormValues
    duties: list[str]
    offices: list[str]
    staffing: list[Staffing]
    final_units: list[str]
    budget: FormValues
    three_public: FormValues
    procurement: FormValues
    assets: FormValues
    functions: list[FunctionLine]
    projects: list[Project]
    kpis: list[Kpi]
    project_funds: list[ProjectFund] = field(default_factory=list)
    buildings: list[Building] = field(default_factory=list)
    texts: dict[str, list[str]] = field(default_factory=dict)
    lists: dict[str, ListValues] = field(default_factory=dict)


def build_model(data: Normalized) -> Report:
    """Assemble the model; only called when normalization found no errors, so required values exist."""
    basic = data.forms[schema.BASIC.key]

    def info(key: str) -> object:
        return basic.get(key, "value")

    name = str(info("name"))
    threshold = info("threshold")
    unit = Unit(
        name=name,
        short_name=str(info("short_name") or name),
        year=int(str(info("year"))),
        supervisor=_opt_str(info("supervisor")),
        basis=str(info("basis")),
        threshold=threshold if isinstance(threshold, Decimal) else Decimal(50),
        report_date=report_date if isinstance(report_date := info("report_date"), dt.date) else None,
    )
    lists = data.lists
    section_keys = {label: key for key, label in schema.TEXT_SECTIONS.items()}
    texts: dict[str, list[str]] = {key: [] for key in schema.TEXT_SECTIONS}
    for rec in lists["texts"].records:
        texts[section_keys[rec["section"]]].append(rec["text"])
    return Report(
        source=data.display,
        unit=unit,
        basic=basic,
        duties=[r["text"] for r in lists["duties"].records],
        offices=[r["name"] for r in lists["offices"].records],
        staffing=[Staffing(r["kind"], r["quota"], r["actual"], r["positions"]) for r in lists["staffing"].records],
        final_units=[r["name"] for r in lists["final_units"].records],
        budget=data.forms["budget"],
        three_public=data.forms["three_public"],
        procurement=data.forms["procurement"],
        assets=data.forms["assets"],
        functions=[
            FunctionLine(r["code"], r["name"], r["basic"], r["project"], r.row) for r in lists["functions"].records
        ],
        projects=[
            Project(
                r["name"],
                r["cost"],
                r["paid"],
                r["status"],
                r["description"],
                r.row,
                r["unit"],
                r["initial"],
                r["adjusted"],
                r["actual"],
                r["goal"],
                r["outcome"],
            )
            for r in lists["projects"].records
        ],
        kpis=[
            Kpi(
                r["project"],
                r["level1"],
                r["level2"],
                r["level3"],
                r["direction"],
                r["target"],
                r["actual"],
                r["unit"],
                r["points"],
                r["score"],
                r["remark"],
                r.row,
            )
            for r in lists["kpis"].records
        ],
        project_funds=[
            ProjectFund(r["project"], r["source"], r["initial"], r["adjusted"], r["actual"], r.row)
            for r in lists["project_funds"].records
        ],
        buildings=[
            Building(r["name"], r["approved_area"], r["actual_area"], r["budget"], r["actual"], r.row)
            for r in lists["buildings"].records
        ],
        texts=texts,
        lists=dict(lists),
    )


def _opt_str(value: object) -> str | None:
    return None if value is None else str(value)
