"""The context's fast paths (issue 19) give what the plain code they replace gave: ``_plain``'s records copied from
their __dict__ with their Figures made inline, the major projects' dicts copied from the projects', 支出明细's groups
from top codes tested once, each project's funds grouped once, and Record.place/value without a Place per value."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from pipeline.context import _plain, _plain_projects, build_context
from pipeline.context.evaluation import _fund_sources, _funds_by_project
from pipeline.derive.figures import FunctionTree
from pipeline.model import schema
from pipeline.model.figure import Figure
from pipeline.model.record import Place, Record, new_place
from pipeline.model.records import FunctionLine, Project, ProjectFund, Staffing
from pipeline.session import load_derived

from .conftest import ROOT, SAMPLE

TOWNSHIP = ROOT / "inputs" / "township-2023.xlsx"


def _plain_before(record: Record) -> dict[str, Any]:
    """context._plain as it was: every value by getattr, a Figure made by its __init__ for each number read."""
    names = tuple(f.name for f in dataclasses.fields(record) if f.name != "cells")
    out: dict[str, Any] = {}
    for name in names:
        value = getattr(record, name)
        if isinstance(value, Decimal) and not isinstance(value, Figure) and record.cells.get(name):
            value = Figure(value, Place(record.SHEET.name, record.cells[name]))
        out[name] = value
    return out


def _same(made: Any, expected: Any) -> None:
    """Equal, key order, types and each Figure's place included."""
    assert list(made) == list(expected)
    for key, value in expected.items():
        assert type(made[key]) is type(value), key
        assert made[key] == value, key
        if isinstance(value, Figure):
            assert list(vars(made[key]).items()) == list(vars(value).items()), key
            assert list(vars(made[key].place).items()) == list(vars(value.place).items()), key


@pytest.mark.parametrize("path", [SAMPLE, TOWNSHIP])
def test_plain_records_are_what_they_were(path: Path) -> None:
    derived, _ = load_derived(path)
    report = derived.report
    for records in (report.projects, report.kpis, report.staffing, report.functions, report.project_funds):
        made = _plain(records)
        assert len(made) == len(records)
        for record, plain in zip(records, made, strict=True):
            _same(plain, _plain_before(record))
    projects, major = _plain_projects(report.projects.records, derived.major_projects)
    assert major and all(m is not p for m in major for p in projects)  # a dict of its own
    for record, plain in zip(derived.major_projects, major, strict=True):
        _same(plain, _plain_before(record))
    context = build_context(derived)
    assert context["major_projects"] == major


def _project(**values: Any) -> Project:
    given = {f.name: None for f in dataclasses.fields(Project) if f.name not in ("row", "cells")}
    return Project(**(given | {"name": "项目", "cells": {"cost": "C3", "paid": "", "name": "B3"}} | values))


def test_plain_of_records_made_otherwise() -> None:
    """A record whose __dict__ is not its fields in order (made field by field, or holding one more attribute), a
    Figure already, a Decimal subclass, numbers without a cell: read attribute by attribute, as before."""

    class Money(Decimal):
        pass

    placed = Figure(Decimal(7), Place("其他", "Z9"))
    plain = _project(cost=Decimal("1.50"), paid=Decimal("-0"), adjusted=placed, actual=Money("2"), row=4)
    backwards = object.__new__(Project)
    for name in reversed([f.name for f in dataclasses.fields(Project)]):
        object.__setattr__(backwards, name, getattr(plain, name))
    extra = _project(cost=Decimal(3))
    object.__setattr__(extra, "note", "附加")
    no_cells = _project(cost=Decimal(3), cells={})
    records = [plain, backwards, extra, no_cells, plain]
    for record, made in zip(records, _plain(records), strict=True):
        _same(made, _plain_before(record))
    assert "note" not in _plain([extra])[0]
    staffing = Staffing(kind="行政", quota=3, actual=None, positions=None, cells={"kind": "A3"})
    mixed = [staffing, plain, staffing]  # another class between records of one
    for record, made in zip(mixed, _plain(mixed), strict=True):
        _same(made, _plain_before(record))


def test_a_class_reading_a_field_otherwise_is_read_by_attribute() -> None:
    """A record class with a property over a field's name, or its own __getattribute__: getattr, not __dict__."""

    @dataclasses.dataclass(frozen=True, kw_only=True)
    class Read(Project):
        def __getattribute__(self, name: str) -> Any:
            value = object.__getattribute__(self, name)
            return Decimal(9) if name == "cost" else value

    record = Read(**{f.name: getattr(_project(cost=Decimal(1)), f.name) for f in dataclasses.fields(Project)})
    (made,) = _plain([record])
    assert made["cost"] == Decimal(9) and made["cost"].place == Place(schema.PROJECTS.name, "C3")


def _groups_before(tree: FunctionTree, column: str = "project") -> list[dict[str, object]]:
    """FunctionTree.groups as it was: is_top and is_leaf asked of each line."""
    tops = {line.code for line in tree.lines if line.code and tree.is_top(line)}
    under: dict[str, list[dict[str, Any]]] = {}
    for c in tree.lines:
        if c.code and tree.is_leaf(c) and c.value(column) is not None:
            for k in range(1, len(c.code)):
                if c.code[:k] in tops:
                    under.setdefault(c.code[:k], []).append({"code": c.code, "name": c.name, "amount": c.value(column)})
    out = []
    for line in tree.lines:
        if not tree.is_top(line):
            continue
        children = list(under.get(line.code, [])) if line.code else []
        amount = line.value(column)
        if amount is None and children:
            amount = sum((c["amount"] for c in children), Decimal(0))
        if amount is None:
            continue
        out.append({"code": line.code, "name": line.name, "amount": amount, "children": children})
    return out


def _line(code: str | None, project: str | None, basic: str | None = "1") -> FunctionLine:
    def number(text: str | None) -> Decimal | None:
        return None if text is None else Decimal(text)

    return FunctionLine(code=code, name=f"科目{code}", basic=number(basic), project=number(project))


TREES = {
    "standard": ["201:10", "20101:", "2010101:4", "2010102:6", "205:", "20502:3", "2050201:2", "208:1"],
    "no top amount": ["201:", "2010101:4", "2010102:", "2010103:-0.00"],
    "codes of every length": ["2:1", "20:2", "201:3", "2011:4", "20111:5", "30:", "3011:1", "301101:2"],
    "without codes": ["-:5", "201:1", "-:", "2010101:2", "-:0"],
    "a code twice": ["201:1", "2010101:2", "201:3", "2010101:4", "2010101:"],
    "orphans": ["2010101:1", "2050201:2", "20502:3", "301:"],
    "empty": [],
}


@pytest.mark.parametrize("name", list(TREES))
def test_function_groups_are_what_they_were(name: str) -> None:
    lines = []
    for spec in TREES[name]:
        code, amount = spec.split(":")
        lines.append(_line(None if code == "-" else code, amount or None))
    tree = FunctionTree(lines)
    for column in ("project", "basic"):
        assert tree.groups(column) == _groups_before(tree, column)
    if lines:
        with pytest.raises(KeyError):
            tree.groups("nonexistent")


@pytest.mark.parametrize("path", [SAMPLE, TOWNSHIP])
def test_sample_groups_and_funds_are_what_they_were(path: Path) -> None:
    derived, _ = load_derived(path)
    assert derived.functions.groups() == _groups_before(derived.functions)
    report = derived.report
    by_project = _funds_by_project(report)
    for project in report.projects:
        funds = {f.source: f for f in report.project_funds if f.project == project.name}
        assert by_project.get(project.name, {}) == funds


def test_a_source_given_twice_is_its_last_row() -> None:
    def fund(project: str, source: str, actual: str, row: int) -> ProjectFund:
        given = {f.name: None for f in dataclasses.fields(ProjectFund) if f.name not in ("row", "cells")}
        values = {"project": project, "source": source, "actual": Decimal(actual), "row": row}
        return ProjectFund(**(given | values | {"cells": {"actual": f"E{row}"}}))

    rows = [fund("甲", "当年财政拨款", "1", 3), fund("乙", "当年财政拨款", "2", 4), fund("甲", "当年财政拨款", "5", 5)]
    by_project = _funds_by_project(SimpleNamespace(project_funds=rows))  # type: ignore[arg-type]
    (first, *_) = _fund_sources(by_project["甲"])
    assert first["actual"] == Decimal(5) and first["actual"].place == Place(schema.PROJECT_FUNDS.name, "E5")  # type: ignore[union-attr]


def test_place_and_value_are_what_they_were() -> None:
    record = _project(cost=Decimal("1.5"))
    assert record.place("cost") == Place(schema.PROJECTS.name, "C3")
    assert vars(record.place("cost")) == vars(Place(schema.PROJECTS.name, "C3"))
    assert record.place("paid") == Place(schema.PROJECTS.name, "")
    assert record.value("cost") == Decimal("1.5") and record.value("name") == "项目"
    for unknown in ("cells", "row", "SHEET", "nonexistent"):
        with pytest.raises(KeyError, match="Project has no field"):
            record.place(unknown)
        with pytest.raises(KeyError, match="Project has no field"):
            record.value(unknown)
    made = new_place("表", "A1")
    assert made == Place("表", "A1") and hash(made) == hash(Place("表", "A1")) and repr(made) == repr(Place("表", "A1"))
    assert list(vars(made).items()) == list(vars(Place("表", "A1")).items())
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.cell = "B2"  # type: ignore[misc]


@pytest.mark.parametrize("sheet", [s for s in schema.SHEETS if isinstance(s, schema.FormSheet)], ids=lambda s: s.key)
def test_form_rows_and_parts_are_what_the_scans_gave(sheet: schema.FormSheet) -> None:
    fresh = dataclasses.replace(sheet)
    assert fresh == sheet and hash(fresh) == hash(sheet) and repr(fresh) == repr(sheet)
    for key in [f.key for f in sheet.rows] + ["nonexistent", None]:
        parts = tuple(f for f in sheet.rows if f.parent == key and f.relation == "sum")
        assert sheet.parts(key) == parts  # type: ignore[arg-type]
        if key in {f.key for f in sheet.rows}:
            assert sheet.row(key) is next(r for r in sheet.rows if r.key == key)  # type: ignore[arg-type]
        else:
            with pytest.raises(StopIteration):
                sheet.row(key)  # type: ignore[arg-type]
    assert fresh == sheet and hash(fresh) == hash(sheet) and repr(fresh) == repr(sheet)  # the kept lookups aside
    assert dataclasses.replace(sheet, rows=sheet.rows[:1]).parts(sheet.rows[0].key) == ()


def test_is_leaf_is_what_the_prefixes_gave() -> None:
    codes = ["2", "20", "201", "2011", "20111", "30", "3011", "301101", "2010101", "205", "2050201"]
    tree = FunctionTree([_line(code, "1") for code in codes])
    others = ["2", "20", "201", "2010", "20101", "201010", "2010101", "20101011", "3", "301", "30110", "9", "2050"]
    for code in codes + others:
        before = not any(len(c) > len(code) and c[: len(code)] == code for c in codes)
        assert tree.is_leaf(_line(code, "1")) == before, code
    assert tree.is_leaf(_line(None, "1"))
