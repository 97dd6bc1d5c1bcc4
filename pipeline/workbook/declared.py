"""The workbook read against what its template declares (template/declared.py): the 自定义字段 it must hold, the
type a declared field takes when its row leaves 类型 blank, and the total rows that need no figure of their own.

An error here is written for the clerk who fills the form, not for the template's author: which row of which
sheet to fill, with its unit, at the cell where it goes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..findings import codes
from ..findings.collector import Findings
from ..model import schema
from ..model.schema import FIRST_DATA_ROW, Sheet
from ..template.declared import CustomField
from ..template.layout import Layout


def declared_field(layout: Layout, name: Any) -> CustomField | None:
    if not layout.fields or not isinstance(name, str):
        return None
    return next((f for f in layout.fields if f.name == name.strip()), None)


def is_total_row(layout: Layout, sheet: Sheet, values: dict[str, Any]) -> bool:
    """A row the template declares a total (小计, 合计): left blank, its figures are computed, not missing."""
    total = layout.total_row(sheet)
    return total is not None and _label(values.get(total[0])) == total[1]


def computed_when_blank(layout: Layout, sheet: Sheet, values: dict[str, Any]) -> bool:
    """A row whose blank figures are computed rather than missing: a declared total row, or the 自定义字段 row of a
    field declared the sum of others."""
    if is_total_row(layout, sheet, values):
        return True
    declared = declared_field(layout, values.get("name")) if sheet.key == schema.CUSTOM_FIELDS.key else None
    return declared is not None and bool(declared.sum_of)


def _label(value: Any) -> str:
    return "".join(str(value).split()) if isinstance(value, str) else ""


def check_declared_fields(records: Sequence[Any], letters: Mapping[str, str], layout: Layout, out: Findings) -> None:
    """E_FIELD_MISSING for each required declared field without a row or without a value; E_CHOICE for a row
    whose 类型 contradicts the declared type (the template would print a text where it counts on a number).
    ``records``: the sheet's rows as read (``row`` and values by key), ``letters`` its columns' letters."""
    sheet = schema.CUSTOM_FIELDS
    for record in records:
        _check_name(record, letters, out)
    if not layout.fields:
        return
    by_name = {_label(r["name"]): r for r in records if _label(r["name"])}
    next_row = max((r.row for r in records), default=FIRST_DATA_ROW - 1) + 1
    for declared in layout.fields:
        row = by_name.get(declared.name)
        what = _described(declared)
        if row is None:
            if not declared.required:
                continue
            out.add(
                codes.E_FIELD_MISSING,
                sheet.name,
                f"A{next_row}",
                f"在“{sheet.name}”表补填 {what}：所用模板要求填写（新加一行，名称填“{declared.name}”）",
            )
            next_row += 1
            continue
        typed = row["type"]
        if typed and typed != declared.type:
            out.add(
                codes.E_CHOICE,
                sheet.name,
                f"{letters.get('type', 'D')}{row.row}",
                f"“{declared.name}”的类型应为“{declared.type}”（所用模板这样登记），实际为“{typed}”",
            )
        elif declared.required and row["content"] is None and not declared.sum_of:
            out.add(
                codes.E_FIELD_MISSING,
                sheet.name,
                f"{letters.get('content', 'B')}{row.row}",
                f"在“{sheet.name}”表补填 {what}：所用模板要求填写",
            )


def _check_name(record: Any, letters: Mapping[str, str], out: Findings) -> None:
    """A name a template cannot write after ``custom.`` (a space, a dot, a leading digit) is a value no report
    prints: said at its cell, with the name it could have."""
    name = record["name"]
    if not isinstance(name, str) or not name.strip() or name.strip().isidentifier():
        return
    name = name.strip()
    fixed = "".join(ch for ch in name if ch.isidentifier() or ch.isdigit() or ch == "_" or ("_" + ch).isidentifier())
    why = "含空格" if any(ch.isspace() for ch in name) else "以数字开头" if name[0].isdigit() else "含标点"
    if fixed.isidentifier():
        better = f"；请改为“{fixed}”"
    elif fixed[:1].isdigit():
        better = "；请改为不以数字开头的写法，数字放在后面"
    else:
        better = "；只用汉字、字母、数字和下划线"
    out.add(
        codes.W_FIELD_NAME,
        schema.CUSTOM_FIELDS.name,
        f"{letters.get('name', 'A')}{record.row}",
        f"名称“{name}”不能在模板中写成 custom.名称（{why}）{better}",
    )


def _described(declared: CustomField) -> str:
    """绿化面积（平方米）; a field of another type says which: 开工日期（日期）."""
    if declared.unit:
        return declared.label
    return declared.name if declared.type == "文本" else f"{declared.name}（{declared.type}）"
