"""Rewrite ``context_shape.json``: ``python -m pipeline.make.context_shape`` (in the checkout).

The shape comes from the context's declaration (``context.vocabulary.Context``: every field and its types),
and, for the keys the workbook gives (budget's columns and rows, a sheet's columns), from the sample workbook and
from a fuller copy of it: every blank amount of the money forms filled (so 上年 figures give 同比 and the 上年
parts of 收入 and 三公), one row on each list sheet the sample leaves empty (楼堂馆所), one paragraph for each 文字
section it leaves empty. A template may then use the items of a list that this year's sample does not fill, and
an installed genreport checks templates without the sample. ``tests/test_template_check.py`` fails when the file
is stale.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin, get_type_hints, is_typeddict

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

from ..context.vocabulary import Context
from ..errors import WorkbookInvalid
from ..model import schema
from ..session import SAMPLE, load_context
from ..template.check.shape import ANY, SHIPPED, Mapping, Scalar, Sequence, Shape, dumps, merge, shape_of
from ..template.profile import PACKAGE_DIR

# sheets whose rows become context keys named by the user (custom.名称): their shape is each workbook's own
OWN_NAMES = ("custom_fields",)
_EXAMPLE: dict[schema.Kind, Any] = {
    schema.Kind.TEXT: "示例",
    schema.Kind.DATE: dt.datetime(2022, 12, 31),
    schema.Kind.CODE: "201",
    schema.Kind.YEAR: 2022,
}


def _headers(ws: Worksheet) -> dict[str, int]:
    return {str(c.value).strip(): c.column for c in ws[schema.HEADER_ROW] if c.value is not None}


def _fill_form(ws: Worksheet, sheet: schema.FormSheet) -> None:
    columns = [col for label, col in _headers(ws).items() if label in {c.label for c in sheet.columns}]
    labels = {f.label for f in sheet.rows}
    for row in range(schema.FIRST_DATA_ROW, ws.max_row + 1):
        if str(ws.cell(row, 1).value or "").strip() in labels:
            for col in columns:
                if ws.cell(row, col).value is None:
                    ws.cell(row, col).value = 1


def _add_row(ws: Worksheet, sheet: schema.ListSheet, values: dict[str, Any] | None = None) -> None:
    headers = _headers(ws)
    used = [
        r
        for r in range(schema.FIRST_DATA_ROW, ws.max_row + 1)
        if any(ws.cell(r, c).value is not None for c in headers.values())
    ]
    row = (used[-1] if used else schema.FIRST_DATA_ROW - 1) + 1
    for f in sheet.columns:
        if f.label in headers:
            value = (values or {}).get(f.key, f.choices[0] if f.choices else _EXAMPLE.get(f.kind, 1))
            ws.cell(row, headers[f.label]).value = value


def _has_rows(ws: Worksheet) -> bool:
    headers = _headers(ws).values()
    return any(ws.cell(r, c).value is not None for r in range(schema.FIRST_DATA_ROW, ws.max_row + 1) for c in headers)


def fuller_sample(dest: Path) -> Path:
    wb = openpyxl.load_workbook(SAMPLE)
    for sheet in schema.SHEETS:
        if sheet.name not in wb.sheetnames or sheet.key in OWN_NAMES:
            continue
        ws = wb[sheet.name]
        if isinstance(sheet, schema.FormSheet) and sheet.money:
            _fill_form(ws, sheet)
        elif isinstance(sheet, schema.ListSheet) and not _has_rows(ws):
            _add_row(ws, sheet)
    texts = wb[schema.TEXTS.name]
    typed = {str(texts.cell(r, 1).value or "").strip() for r in range(schema.FIRST_DATA_ROW, texts.max_row + 1)}
    for label in schema.TEXT_SECTIONS.values():
        if label not in typed:
            _add_row(texts, schema.TEXTS, {"section": label})
    wb.save(dest)
    return dest


def declared_shape(declared: Any = Context) -> Shape | None:
    """The shape the context's declaration gives (pipeline/context/vocabulary.py): every declared field, with its
    types; a mapping keyed by the workbook (budget's columns, a sheet's rows) is open, its keys come from the
    sample. None where the declaration says nothing (Any)."""
    if get_origin(declared) is Annotated:
        return declared_shape(get_args(declared)[0])
    if is_typeddict(declared):
        hints = get_type_hints(declared, include_extras=True)
        return Mapping({key: declared_shape(hint) or ANY for key, hint in hints.items()})
    origin, args = get_origin(declared), get_args(declared)
    if origin in (Union, UnionType):
        shape: Shape | None = None
        for arg in args:
            shape = merge(shape, declared_shape(arg))
        return shape
    if origin is list:
        return Sequence(declared_shape(args[0]))
    if origin is dict:
        return Mapping()
    if isinstance(declared, type) and declared is not Any:
        return Scalar(frozenset({declared.__name__}))
    return None


def generate() -> Shape:

    shape = declared_shape()
    with tempfile.TemporaryDirectory() as folder:
        for path in (SAMPLE, fuller_sample(Path(folder) / SAMPLE.name)):
            try:
                context, _ = load_context(path)
            except WorkbookInvalid as e:
                raise SystemExit(f"{path.name}: {e}") from None
            shape = merge(shape, shape_of(context))
    assert shape is not None
    return shape


def main() -> int:
    SHIPPED.write_text(dumps(generate()), encoding="utf-8")
    print(f"wrote {SHIPPED.relative_to(PACKAGE_DIR.parent)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
