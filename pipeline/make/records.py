"""pipeline/model/records.py, generated from the schema: one typed record class per sheet, and the Report.

The schema stays the one declaration of the workbook; generating the classes (rather than building them at run
time) lets mypy check every field a check or the context reads. A test fails when records.py is stale.
"""

from __future__ import annotations

from ..model import schema
from ..model.schema import FormSheet, Kind, ListSheet

TYPES = {
    Kind.TEXT: "str",
    Kind.INT: "int",
    Kind.YEAR: "int",
    Kind.MONEY: "Decimal",
    Kind.DECIMAL: "Decimal",
    Kind.PERCENT: "Decimal",
    Kind.DATE: "dt.date",
    Kind.CODE: "str",
    Kind.NUMBER_OR_TEXT: "Decimal | str",
}

HEADER = '''"""Typed records of the standard workbook: one class per sheet, and the Report that holds them all.

Generated from pipeline/model/schema.py by `python scripts/make_docs.py`; do not edit by hand.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from . import schema
from .record import Form, FormLine, Place, Record, ReportBase, Table
'''


def _constant(sheet: schema.Sheet) -> str:
    return next(name for name, value in vars(schema).items() if value is sheet and name.isupper())


def _literal(name: str, keys: list[str]) -> list[str]:
    return ["", "", f"{name} = Literal[{', '.join(repr(k) for k in keys)}]"]


def _annotation(f: schema.Field, required: bool) -> str:
    return TYPES[f.kind] if required else f"{TYPES[f.kind]} | None"


def _class(name: str, base: str, doc: str, sheet: schema.Sheet, body: list[str]) -> list[str]:
    return [
        "",
        "",
        "@dataclass(frozen=True, kw_only=True)",
        f"class {name}({base}):",
        f'    """{doc}"""',
        "",
        f"    SHEET = schema.{_constant(sheet)}",
        *body,
    ]


def _at(literal: str, argument: str = "field") -> list[str]:
    return ["", f"    def at(self, {argument}: {literal}) -> Place:", f"        return self.place({argument})"]


def _list_sheet(sheet: ListSheet) -> list[str]:
    fields = [f"    {f.key}: {_annotation(f, f.required)}  # {f.label}" for f in sheet.columns]
    literal = f"{sheet.record}Field"
    out = _literal(literal, [f.key for f in sheet.columns])
    return out + _class(sheet.record, "Record", f"One row of {sheet.name}.", sheet, [*fields, *_at(literal)])


def _form_sheet(sheet: FormSheet) -> list[str]:
    if len(sheet.columns) == 1:
        fields = [
            f"    {f.key}: {_annotation(f, f.required or f.default is not None)}  # {f.label}" for f in sheet.rows
        ]
        literal = f"{sheet.record}Field"
        out = _literal(literal, [f.key for f in sheet.rows])
        return out + _class(sheet.record, "Form", f"{sheet.name}, one value per row.", sheet, [*fields, *_at(literal)])
    kinds = {f.kind for f in sheet.rows}
    assert len(kinds) == 1, f"{sheet.name}: a form with several columns holds one kind of value"
    kind = TYPES[kinds.pop()]
    line, row_literal, column_literal = f"{sheet.record}Line", f"{sheet.record}Row", f"{sheet.record}Column"
    out = _literal(row_literal, [f.key for f in sheet.rows]) + _literal(column_literal, [c.key for c in sheet.columns])
    columns = [f"    {c.key}: {kind} | None  # {c.label}" for c in sheet.columns]
    out += _class(
        line, "FormLine", f"One row of {sheet.name}, by column.", sheet, [*columns, *_at(column_literal, "column")]
    )
    rows = [f"    {f.key}: {line}  # {f.label}" for f in sheet.rows]
    accessor = [
        "",
        f"    def line(self, row: {row_literal}) -> {line}:",
        "        return self.value(row)  # type: ignore[no-any-return]",
    ]
    return out + _class(sheet.record, "Form", f"{sheet.name}, one line per row.", sheet, [*rows, *accessor])


def _report() -> list[str]:
    lines = [
        "",
        "",
        "@dataclass(frozen=True, kw_only=True)",
        "class Report(ReportBase):",
        '    """Every sheet of one workbook, typed."""',
        "",
    ]
    for sheet in schema.SHEETS:
        kind = sheet.record if isinstance(sheet, FormSheet) else f"Table[{sheet.record}]"
        lines.append(f"    {sheet.key}: {kind}  # {sheet.name}")
    lines += ["", "", "RECORDS: dict[str, type[Record]] = {"]
    lines += [f"    {sheet.key!r}: {sheet.record}," for sheet in schema.SHEETS]
    lines += ["}", "LINES: dict[str, type[FormLine]] = {"]
    lines += [
        f"    {sheet.key!r}: {sheet.record}Line,"
        for sheet in schema.SHEETS
        if isinstance(sheet, FormSheet) and len(sheet.columns) > 1
    ]
    return [*lines, "}"]


def records_source() -> str:
    """The module's text before ``ruff format`` (scripts/make_docs.py formats it; the test compares formatted)."""
    lines = HEADER.splitlines()
    for sheet in schema.SHEETS:
        lines += _form_sheet(sheet) if isinstance(sheet, FormSheet) else _list_sheet(sheet)
    lines += _report()
    return "\n".join(lines).replace("Table\n\n\n", "Table\n\n", 1) + "\n"
