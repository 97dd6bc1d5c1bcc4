"""The typed report model: what one workbook says, before anything is derived from it.

The record classes themselves (``records.py``) are generated from ``schema.py``; this module holds what they
share. Every value knows where it came from: ``at(field)`` gives its sheet and cell, so a check names a cell
without reaching back into the reader. Nothing here imports the reader.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any, ClassVar, Generic, TypeVar

from . import schema


@dataclass(frozen=True)
class Place:
    """A sheet and, where one cell is at fault, its A1 reference (else a row or column range, or nothing)."""

    sheet: str
    cell: str = ""


def new_place(sheet: str, cell: str) -> Place:
    """``Place(sheet, cell)`` without a frozen dataclass's __init__ (an object.__setattr__ per field): the same
    object, its two fields in its __dict__ in their order (tests/test_record_speed.py pins it to the __init__'s)."""
    place = _new(Place)
    state = place.__dict__
    state["sheet"], state["cell"] = sheet, cell
    return place


_new = object.__new__
_NAMES: dict[type, frozenset[str]] = {}  # asked on every place(): 1.3 s of a 20,000-project workbook uncached


def _names(cls: type) -> frozenset[str]:
    """The sheet's own fields: not where a record was read, nor, for a form, its sheet's 金额单位 and presence
    (a list's "unit" — a KPI's 计量单位, a 自定义字段's 单位 — is a field like any other)."""
    names = _NAMES.get(cls)
    if names is None:
        frame = {"row", "cells"} | ({"unit", "present"} if issubclass(cls, Form) else set())
        names = _NAMES[cls] = frozenset(f.name for f in fields(cls)) - frame
    return names


@dataclass(frozen=True, kw_only=True)
class Record:
    """One row of a list sheet, or the one value column of a form sheet read as a record."""

    SHEET: ClassVar[schema.Sheet]
    row: int = 0
    cells: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    def place(self, name: str) -> Place:
        """Where ``name`` was read; an unknown name is a programming error, never a blank cell."""
        # asked ~2,000 times a report (checks, context, review): the names looked up inline, the Place made directly
        names = _NAMES.get(type(self)) or _names(type(self))
        if name not in names:
            raise KeyError(f"{type(self).__name__} has no field {name!r}")
        return new_place(self.SHEET.name, self.cells.get(name, ""))

    def value(self, name: str) -> Any:
        """The value of ``name``, checked as ``place`` checks it (without making the Place nobody reads)."""
        names = _NAMES.get(type(self)) or _names(type(self))
        if name not in names:
            raise KeyError(f"{type(self).__name__} has no field {name!r}")
        return getattr(self, name)


@dataclass(frozen=True, kw_only=True)
class FormLine(Record):
    """One fixed row of a form sheet with several value columns (年初预算数, 全年执行数 …)."""

    def get(self, column: str) -> Decimal | None:
        return self.value(column)  # type: ignore[no-any-return]


@dataclass(frozen=True, kw_only=True)
class Form(Record):
    """A form sheet: fixed rows found by label. Rows are typed attributes; ``get``/``cell`` walk them by key."""

    SHEET: ClassVar[schema.FormSheet]
    unit: str = schema.DEFAULT_UNIT
    present: bool = True

    def get(self, row: str, column: str) -> Any:
        item = self.value(row)
        if isinstance(item, FormLine):
            return item.get(column)
        self._single(column)
        return item

    def cell(self, row: str, column: str) -> str:
        item = self.value(row)
        if isinstance(item, FormLine):
            return item.place(column).cell
        self._single(column)
        return self.place(row).cell

    def _single(self, column: str) -> None:
        if [c.key for c in self.SHEET.columns] != [column]:
            raise KeyError(f"{type(self).__name__} has no column {column!r}")


R = TypeVar("R", bound=Record)


@dataclass(frozen=True)
class Table(Generic[R]):
    """The records of a list sheet, in sheet order, with the sheet's unit and the letter of each column found."""

    sheet: schema.ListSheet
    records: tuple[R, ...] = ()
    unit: str = schema.DEFAULT_UNIT
    letters: Mapping[str, str] = field(default_factory=dict)
    present: bool = True

    def __iter__(self) -> Iterator[R]:
        return iter(self.records)

    def __len__(self) -> int:
        return len(self.records)

    def __bool__(self) -> bool:
        return bool(self.records)

    def column(self, key: str) -> Place:
        """The whole column of ``key`` (as "B:B"), for a finding about the column rather than one cell."""
        self.sheet.column(key)
        letter = self.letters.get(key, "")
        return Place(self.sheet.name, f"{letter}:{letter}" if letter else "")

    def span(self, key: str) -> Place:
        """The cells of ``key`` from the first record to the last (as "D3:D15"), for a finding about their sum."""
        self.sheet.column(key)
        letter, rows = self.letters.get(key, ""), [r.row for r in self.records]
        return Place(self.sheet.name, f"{letter}{min(rows)}:{letter}{max(rows)}" if letter and rows else "")


@dataclass(frozen=True, kw_only=True)
class CustomRow:
    """One row of a table a template declares in its template.toml: values by the template's column keys."""

    sheet: str
    values: Mapping[str, Any]
    row: int = 0
    cells: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    def place(self, name: str) -> Place:
        if name not in self.values:
            raise KeyError(f"{self.sheet} has no column {name!r}")
        return new_place(self.sheet, self.cells.get(name, ""))


@dataclass(frozen=True, kw_only=True)
class ReportBase:
    """What a Report is besides its sheets (records.Report adds one attribute per sheet)."""

    source: str  # the workbook as the user named it
    custom_tables: Mapping[str, tuple[CustomRow, ...]] = field(default_factory=dict)  # template.toml's tables
    # rows template.toml declares totals of the rows before them (人员编制's 小计, a table's 合计), by sheet key
    # ("staffing", "custom.KEY"): kept out of their sheet's rows, so no sum counts them twice
    total_rows: Mapping[str, tuple[CustomRow, ...]] = field(default_factory=dict)
