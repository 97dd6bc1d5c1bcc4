"""Cell values to typed values, one converter per schema Kind: numbers, dates, codes, text.

Each converter returns the value and the clean-ups it applied (reported as warnings), or raises
WrongValue with a finding code and a Chinese message.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from ..findings import codes
from ..findings.codes import Code
from ..model.schema import Kind
from ..numbers import parse_decimal

_XML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
# control characters (C0 but tab and line breaks, DEL, C1) and invisible format characters: zero-width space and
# joiners, word joiner, BOM, the bidirectional marks and overrides that reorder a printed line, and noncharacters
# (U+FDD0–U+FDEF: the renderer's own marks, model/figure.py)
_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069"
    r"\ufdd0-\ufdef\ufeff\ufffe\uffff]"
)
# zero-width (non-)joiners belong inside emoji sequences (👨‍👩‍👧); anywhere else they are invisible debris
_EMOJI = r"[\u2600-\u27bf\ufe0f\U0001f000-\U0001faff]"
_STRAY_JOINER = re.compile(rf"(?<!{_EMOJI})[\u200c\u200d]|[\u200c\u200d](?!{_EMOJI})")
_LINE_BREAK = re.compile(r"\r\n|[\n\r\u2028\u2029]")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_CODE_LENGTHS = (3, 5, 7)
LARGEST = Decimal(10) ** 12
SMALLEST = Decimal("1e-9")
TEXT_NUMBER_LIMIT = 10**15  # Excel shows larger numbers in exponent form


class WrongValue(Exception):
    """Raised for a cell whose value is not of its field's kind; carries a finding code and a Chinese message."""

    def __init__(self, code: Code, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def shown(value: Any) -> str:
    """A cell value as a message quotes it (as Excel shows it): short, and with no raw control characters."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float | int):
        return _general(value)
    if isinstance(value, dt.datetime | dt.date):
        return f"日期 {value:%Y-%m-%d}"
    text = _XML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), str(value))
    text = _CONTROL.sub("�", _STRAY_JOINER.sub("�", _LINE_BREAK.sub("↵", text)))  # a message stays on its line
    return text if len(text) <= 40 else text[:40] + "…"


def _number(value: Any, expected: str = "数字") -> tuple[Decimal, list[str]]:
    if isinstance(value, bool | dt.datetime | dt.date | dt.time):
        raise WrongValue(codes.E_NOT_NUMBER, f"应为{expected}，实际为“{shown(value)}”")
    if isinstance(value, int | float):
        return _bounded(Decimal(str(value)), value), []
    parsed, fixes = parse_decimal(str(value))
    if parsed is None:
        raise WrongValue(codes.E_NOT_NUMBER, f"应为{expected}，实际为“{shown(value)}”")
    return _bounded(parsed, value), fixes


def _bounded(number: Decimal, value: Any) -> Decimal:
    """No figure in a department's report reaches a trillion, or has a non-zero digit beyond the ninth decimal
    place; such a cell is a typing or paste accident, and printing it would fill pages."""
    if not number.is_finite() or abs(number) >= LARGEST or (number != 0 and abs(number) < SMALLEST):
        raise WrongValue(codes.E_TOO_LARGE, f"数值过大、过小或无效：“{shown(value)}”")
    return number


def _to_money(value: Any, fmt: str, divisor: Decimal) -> tuple[Decimal, list[str]]:
    number, fixes = _number(value)
    return (number / divisor if divisor != 1 else number), fixes


def _to_decimal(value: Any, fmt: str, divisor: Decimal) -> tuple[Decimal, list[str]]:
    return _number(value)


def _to_int(value: Any, fmt: str, divisor: Decimal) -> tuple[int, list[str]]:
    number, fixes = _number(value, "整数")
    if number != number.to_integral_value():
        raise WrongValue(codes.E_NOT_INT, f"应为整数，实际为“{shown(value)}”")
    return int(number), fixes


def _to_year(value: Any, fmt: str, divisor: Decimal) -> tuple[int, list[str]]:
    year, fixes = _to_int(str(value).removesuffix("年") if isinstance(value, str) else value, fmt, divisor)
    if not 1990 <= year <= 2100:
        raise WrongValue(codes.E_YEAR, f"年度应为四位年份，实际为“{shown(value)}”")
    return year, fixes


def _to_percent(value: Any, fmt: str, divisor: Decimal) -> tuple[Decimal, list[str]]:
    """As a ratio. A %-formatted cell holds 0.2234 for 22.34%; text "22.34%" is 22.34%; a plain number
    is a fraction up to 1 (0.2234, 1 = 100%) and percentage points above (22.34), as people type both."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        number, fixes = _number(value, "百分比")
        if "%" in fmt:
            return number, fixes
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip()
        number, fixes = _number(text.removesuffix("%"), "百分比")
        if text.endswith("%"):
            return number / 100, fixes
    return (number if abs(number) <= 1 else number / 100), fixes


def _to_date(value: Any, fmt: str, divisor: Decimal) -> tuple[dt.date, list[str]]:
    if isinstance(value, dt.datetime):
        return value.date(), []
    if isinstance(value, dt.date):
        return value, []
    m = _DATE.match(unicodedata.normalize("NFKC", str(value)).strip())
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3])), []
        except ValueError:
            pass
    raise WrongValue(codes.E_NOT_DATE, f"应为日期（如 2023-03-31），实际为“{shown(value)}”")


def _to_code(value: Any, fmt: str, divisor: Decimal) -> tuple[str, list[str]]:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if not text.isdigit() or len(text) not in _CODE_LENGTHS:
        raise WrongValue(codes.E_CODE, f"科目编码应为 3、5 或 7 位数字，实际为“{shown(value)}”")
    return text, []


def _general(value: float | int) -> str:
    """A number as Excel's General format shows it: up to 15 significant digits, exponent form outside
    1E-9 … 1E+15 (where a report must not print it)."""
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        return "#NUM!"
    if number == 0:
        return "0"
    if abs(number) >= TEXT_NUMBER_LIMIT or abs(number) < Decimal("1e-9"):
        mantissa, exponent = f"{number:.5E}".split("E")
        return f"{mantissa.rstrip('0').rstrip('.')}E{exponent[0]}{exponent[1:].lstrip('0')}"
    rounded = round(number, 15 - number.adjusted() - 1)
    text = f"{rounded:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _number_as_text(value: int | float) -> str:
    """A number in a text cell prints as Excel shows it; one that only exponent form can show is not text."""
    if isinstance(value, int) and abs(value) < TEXT_NUMBER_LIMIT:
        return str(value)
    text = _general(value)
    if not re.fullmatch(r"-?\d+(\.\d+)?", text):
        raise WrongValue(codes.E_NOT_TEXT, f"应为文本，实际为数值“{text}”")
    return text


def _to_text(value: Any, fmt: str, divisor: Decimal) -> tuple[str, list[str]]:
    if isinstance(value, bool):
        raise WrongValue(codes.E_NOT_TEXT, f"应为文本，实际为逻辑值“{shown(value)}”")
    if isinstance(value, int | float):
        value = _number_as_text(value)
    if isinstance(value, dt.datetime | dt.date):
        value = f"{value.year}年{value.month}月{value.day}日"
    # Excel stores characters XML cannot hold as _xHHHH_ (and a literal "_x" as _x005F_x); openpyxl leaves them
    text = _XML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), str(value))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    fixes = []
    if _CONTROL.search(text) or _STRAY_JOINER.search(text):
        text = _STRAY_JOINER.sub("", _CONTROL.sub("", text))
        fixes.append("已删除不可见的控制字符")
    return text.strip(), fixes


def _to_number_or_text(value: Any, fmt: str, divisor: Decimal) -> tuple[Decimal | str, list[str]]:
    """A KPI value: a number (percentages in points, as their unit “%” says) or a qualitative text."""
    if isinstance(value, bool):
        raise WrongValue(codes.E_NOT_TEXT, f"应为数值或文字，实际为逻辑值“{shown(value)}”")
    if isinstance(value, int | float):
        number, fixes = _number(value)
        return (number * 100 if "%" in fmt else number), fixes  # Excel keeps “92%” as 0.92
    text, fixes = _to_text(value, fmt, divisor)
    parsed, more = parse_decimal(text.removesuffix("%") if text.endswith("%") else text)
    return (_bounded(parsed, value), fixes + more) if parsed is not None else (text, fixes)


CONVERTERS: dict[Kind, Callable[[Any, str, Decimal], tuple[Any, list[str]]]] = {
    Kind.TEXT: _to_text,
    Kind.INT: _to_int,
    Kind.YEAR: _to_year,
    Kind.MONEY: _to_money,
    Kind.DECIMAL: _to_decimal,
    Kind.PERCENT: _to_percent,
    Kind.DATE: _to_date,
    Kind.CODE: _to_code,
    Kind.NUMBER_OR_TEXT: _to_number_or_text,
}
