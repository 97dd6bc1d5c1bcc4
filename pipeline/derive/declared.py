"""Totals a template declares in its template.toml, computed: a 自定义字段 that is the sum of others, a column of its
own table that is the sum of others in the row, and the rows (合计, 小计) that total the rows before them.

A typed total is kept as typed (the check compares it with what is computed here); a blank one is computed when
every part has a figure. A total is never the sum of some of its parts: one blank part leaves it unknown, as the
standard sheets do (schema.column_figures).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..model.record import CustomRow
from ..model.records import Report
from ..template.declared import NUMERIC_TYPES, CustomTable
from ..template.settings import TemplateSettings


@dataclass(frozen=True)
class Total:
    """One declared total: where it is typed (sheet, cell), what it says, and its parts (label, figure)."""

    sheet: str
    cell: str
    name: str  # how the total is named in a message: “绿地合计”, “合计”行的“人次”
    stated: Decimal | None
    parts: tuple[tuple[str, Decimal | None], ...]
    money: bool = False
    described: str = ""  # the parts as a message names them, where their labels would not do (第3至12行)

    @property
    def computed(self) -> Decimal | None:
        figures = [figure for _, figure in self.parts]
        if not figures or any(f is None for f in figures):
            return None
        return sum((f for f in figures if f is not None), Decimal(0))

    @property
    def figure(self) -> Decimal | None:
        return self.stated if self.stated is not None else self.computed


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return None
    return Decimal(value)


def field_totals(report: Report, settings: TemplateSettings) -> list[Total]:
    """Each declared 自定义字段 with sum_of, against the fields it adds up."""
    rows = {f.name: f for f in report.custom_fields}
    out = []
    for declared in settings.fields:
        if not declared.sum_of:
            continue
        row = rows.get(declared.name)
        parts = tuple((name, _number(rows[name].content) if name in rows else None) for name in declared.sum_of)
        cell = row.cells.get("content", "") if row is not None else ""
        stated = _number(row.content) if row is not None else None
        out.append(Total("自定义字段", cell, f"“{declared.name}”", stated, parts, declared.type == "金额"))
    return out


def column_totals(table: CustomTable, rows: Sequence[CustomRow]) -> list[Total]:
    """Each row's columns declared the sum of other columns of that row."""
    labels = {c.key: c.label for c in table.columns}
    out = []
    for column in table.columns:
        if not column.sum_of:
            continue
        for row in rows:
            parts = tuple((labels[p], _number(row.values.get(p))) for p in column.sum_of)
            name = f"第{row.row}行的“{column.label}”"
            stated = _number(row.values.get(column.key))
            out.append(Total(row.sheet, row.cells.get(column.key, ""), name, stated, parts, column.type == "金额"))
    return out


def row_totals(
    rows: Sequence[Any], totals: Sequence[CustomRow], columns: Iterable[tuple[str, str, bool]], sheet: str
) -> list[Total]:
    """Each total row against the rows between the total row before it (or the first row) and itself, column by
    column (key, label, money). ``rows`` are records or CustomRows with ``row`` and values by key."""
    out = []
    start = 0
    for total in sorted(totals, key=lambda t: t.row):
        above = [r for r in rows if start < r.row < total.row]
        start = total.row
        label = next(iter(total.values.values()), "")
        for key, column_label, money in columns:
            parts = tuple((f"第{r.row}行", _number(_value(r, key))) for r in above)
            stated = _number(total.values.get(key))
            name = f"“{label}”行的“{column_label}”"
            rows_named = f"第{above[0].row}至{above[-1].row}行" if len(above) > 1 else f"第{total.row - 1}行"
            out.append(Total(sheet, total.cells.get(key, ""), name, stated, parts, money, rows_named))
    return out


def _value(row: Any, key: str) -> Any:
    return row.values.get(key) if isinstance(row, CustomRow) else getattr(row, key, None)


def table_totals(report: Report, table: CustomTable) -> list[Total]:
    rows = report.custom_tables.get(table.key, ())
    totals = report.total_rows.get("custom." + table.key, ())
    numeric = [(c.key, c.label, c.type == "金额") for c in table.columns if c.type in NUMERIC_TYPES]
    return column_totals(table, rows) + column_totals(table, totals) + row_totals(rows, totals, numeric, table.sheet)


STAFFING_COLUMNS = (("quota", "编制数", False), ("actual", "实有人数", False))


def staffing_totals(report: Report) -> list[Total]:
    totals = report.total_rows.get("staffing", ())
    return row_totals(list(report.staffing), totals, STAFFING_COLUMNS, "人员编制") if totals else []


def declared_totals(report: Report, settings: TemplateSettings) -> list[Total]:
    """Every total the template declares, in the order the workbook's sheets come."""
    out = staffing_totals(report)
    for table in settings.tables:
        out += table_totals(report, table)
    return out + field_totals(report, settings)


class CustomValues(dict[str, Any]):
    """``custom``: a declared field the workbook leaves blank reads as None (``{{ custom.X }}`` prints nothing,
    ``is not none`` is false) yet is not held, so ``custom.get('X', '未统计')`` gives its default as it would for
    any name the workbook lacks."""

    def __init__(self, declared: frozenset[str]) -> None:
        super().__init__()
        self.declared = declared

    def __missing__(self, key: str) -> None:
        if key not in self.declared:
            raise KeyError(key)


def custom_values(report: Report, settings: TemplateSettings) -> dict[str, Any]:
    """``custom`` of the context: the typed value of every 自定义字段 by name (a declared one left blank reads as
    None, see CustomValues), blank declared totals computed; each table's rows by key with their blank row-wise
    totals computed, and its total row (typed, blanks computed; computed from every row when none is typed) as
    ``KEY_total``."""
    values = CustomValues(frozenset(f.name for f in settings.fields))
    values |= {f.name: f.content for f in report.custom_fields if f.content is not None}
    for total in field_totals(report, settings):
        name = total.name.strip("“”")
        if values.get(name) is None and total.computed is not None:
            values[name] = total.computed
    by_key = {t.key: t for t in settings.tables}
    for key, rows in report.custom_tables.items():
        table = by_key.get(key)
        values[key] = [_filled(row, table) for row in rows]
        if table is not None and table.total_row:
            values[f"{key}_total"] = _total_row(table, rows, report.total_rows.get("custom." + key, ()))
    return values


def _filled(row: CustomRow, table: CustomTable | None) -> dict[str, Any]:
    out = dict(row.values)
    if table is None:
        return out
    for column in table.columns:
        if column.sum_of and out.get(column.key) is None:
            figures = [_number(out.get(p)) for p in column.sum_of]
            if all(f is not None for f in figures):
                out[column.key] = sum((f for f in figures if f is not None), Decimal(0))
    return out


def _total_row(table: CustomTable, rows: Sequence[CustomRow], typed: Sequence[CustomRow]) -> dict[str, Any]:
    """The table's last total row as the template prints it: typed figures as typed, blanks summed from the rows
    it totals; with no total row typed, the sum of every row."""
    numeric = [(c.key, c.label, c.type == "金额") for c in table.columns if c.type in NUMERIC_TYPES]
    if not typed:
        typed = (CustomRow(sheet=table.sheet, values={table.columns[0].key: table.total_row}, row=10**9),)
    last = max(typed, key=lambda t: t.row)
    out: dict[str, Any] = dict(last.values)
    computed = row_totals(rows, typed, numeric, table.sheet)[-len(numeric) :] if numeric else []
    for (key, _, _), total in zip(numeric, computed, strict=True):  # the last total row's, column by column
        if out.get(key) is None:
            out[key] = total.computed
    return out


def field_names(settings: TemplateSettings) -> Mapping[str, str]:
    """Every name ``custom.`` may be followed by in this template: declared fields and tables (with their totals)."""
    names = {f.name: "field" for f in settings.fields}
    for table in settings.tables:
        names[table.key] = "table"
        if table.total_row:
            names[f"{table.key}_total"] = "total"
    return names
