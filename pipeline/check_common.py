"""What every consistency check shares: where findings go, and how figures and names are quoted."""

from __future__ import annotations

from decimal import Decimal

from . import schema
from .normalize import FormValues
from .numbers import format_money


def quote(label: str) -> str:
    """A label in quotation marks; quotes inside it become single ones (“‘三公’经费合计”)."""
    return "“" + label.replace("“", "‘").replace("”", "’") + "”"


def short(text: str, limit: int = 30) -> str:
    """Names quoted in a message: a 20,000-character cell must not flood the terminal."""
    return text if len(text) <= limit else text[:limit] + "…"


def money(value: Decimal) -> str:
    return format_money(value)


def column_phrase(table: FormValues, column: str) -> str:
    if len(table.sheet.columns) == 1:
        return ""
    return "的" + next(c.label for c in table.sheet.columns if c.key == column)


def unit_hint(unit: str) -> str:
    if unit == schema.DEFAULT_UNIT:
        return "可能按元填写（本表金额单位为万元）或多输了数字"
    return "请核对（本表金额单位为元，已换算为万元）"
