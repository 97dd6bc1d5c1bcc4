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
# any character _to_text cleans or decodes: an escape's "_", a CR, a surrogate, a joiner, a control character
_UNCLEAN = re.compile(r"[_\r\ud800-\udfff\u200c\u200d" + _CONTROL.pattern[1:])
_LINE_BREAK = re.compile(r"\r\n|[\n\r\u2028\u2029]")
# a UTF-16 surrogate left alone (an escape such as _xD800_ whose pair is missing): no file or terminal can hold it
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_CODE_LENGTHS = (3, 5, 7)
LARGEST = Decimal(10) ** 12
SMALLEST = Decimal("1e-9")
_SMALLEST_EXPONENT, _LARGEST_EXPONENT = SMALLEST.adjusted(), LARGEST.adjusted()
TEXT_NUMBER_LIMIT = 10**15  # Excel shows larger numbers in exponent form


class WrongValue(Exception):
    """Raised for a cell whose value is not of its field's kind; carries a finding code and a Chinese message."""

    def __init__(self, code: Code, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def shown(value: Any) -> str:
    """A cell value as a message quotes it (as Excel shows it): short, and with no raw control characters and no
    character that cannot be printed or saved (a lone surrogate)."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float | int):
        return _general(value)
    if isinstance(value, dt.datetime | dt.date):
        return f"日期 {value:%Y-%m-%d}"
    if isinstance(value, dt.time | dt.timedelta):
        return clock(value)
    text = unescaped(str(value))
    text = _CONTROL.sub("�", _STRAY_JOINER.sub("�", _LINE_BREAK.sub("↵", text)))  # a message stays on its line
    text = _SURROGATE.sub("�", text)
    return text if len(text) <= 40 else text[:40] + "…"


def unescaped(text: str) -> str:
    """Text with Excel's _xHHHH_ escapes decoded; an escaped surrogate pair becomes its one character, a lone
    surrogate stays (callers remove or replace it)."""
    if "_x" not in text and "_X" not in text:
        return text
    text = _XML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    if _SURROGATE.search(text):
        # two escaped halves of one character (an emoji) are that character; the lone ones are left for removal
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    return text


def without_surrogates(text: str) -> tuple[str, list[str]]:
    """``text`` without lone surrogates, and the clean-up to report when there were some."""
    if not _SURROGATE.search(text):
        return text, []
    escapes = sorted({f"_x{ord(c):04X}_" for c in _SURROGATE.findall(text)})
    return _SURROGATE.sub("", text), [f"已删除无法显示和保存的无效字符（{'、'.join(escapes[:3])}）"]


def clock(value: dt.time | dt.timedelta) -> str:
    """A time of day or a duration as Excel shows it (h:mm:ss, a duration in [h]:mm:ss), with its kind."""
    if isinstance(value, dt.time):
        return f"时间 {value.hour}:{value.minute:02d}:{value.second:02d}"
    seconds = round(value.total_seconds())
    sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
    return f"时长 {sign}{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _no_time(value: Any, expected: str) -> None:
    """A time of day or a duration (a cell formatted as time, or "12:00" typed and taken by Excel as a time) is no
    value of any field: refused like a number in a text cell, quoted as Excel shows it."""
    if isinstance(value, dt.time | dt.timedelta):
        raise WrongValue(codes.E_TIME_VALUE, f"应为{expected}，实际为“{clock(value)}”")


def _number(value: Any, expected: str = "数字", typed: Any = None) -> tuple[Decimal, list[str]]:
    """``value`` as a bounded number; messages quote ``typed`` (the cell's own value, where ``value`` is a part of
    it, as “2022” of “2022年”)."""
    typed = value if typed is None else typed
    if type(value) is float or type(value) is int:  # most cells: no time, boolean or date to refuse first
        return _bounded(Decimal(str(value)), typed), []
    _no_time(value, expected)
    if isinstance(value, bool | dt.datetime | dt.date):
        raise WrongValue(codes.E_NOT_NUMBER, f"应为{expected}，实际为“{shown(typed)}”")
    if isinstance(value, int | float):
        return _bounded(Decimal(str(value)), typed), []
    parsed, fixes = parse_decimal(str(value))
    if parsed is None:
        raise WrongValue(codes.E_NOT_NUMBER, f"应为{expected}，实际为“{shown(typed)}”")
    return _bounded(parsed, typed), fixes


def _bounded(number: Decimal, value: Any) -> Decimal:
    """No figure in a department's report reaches a trillion, or has a non-zero digit beyond the ninth decimal
    place; such a cell is a typing or paste accident, and printing it would fill pages.

    Tested on the exponent alone (``adjusted``, exact, no context): abs() or a comparison of 1e999999999 would round
    it in the decimal context first and trap Overflow."""
    if not number.is_finite() or (
        not number.is_zero() and not _SMALLEST_EXPONENT <= number.adjusted() < _LARGEST_EXPONENT
    ):
        raise WrongValue(codes.E_TOO_LARGE, f"数值过大、过小或无效：“{shown(value)}”")
    return number


def plain_money(value: float | int, divisor: Decimal) -> Decimal | None:
    """_to_money of a float or int cell that converts without a finding (most of a long list's amounts), in one call;
    None where _to_money must be asked (out of bounds: it says so)."""
    number = Decimal(str(value))
    if not number.is_finite() or (
        not number.is_zero() and not _SMALLEST_EXPONENT <= number.adjusted() < _LARGEST_EXPONENT
    ):
        return None
    return number / divisor if divisor != 1 else number


def plain_text(value: str) -> str | None:
    """_to_text of a text cell nothing below would change (the usual one), in one search; None otherwise."""
    return None if unclean(value) else value.strip()


unclean = _UNCLEAN.search  # plain_text's test, for a caller that converts a column's texts without a call each


def plain_code(value: Any) -> str | None:
    """_to_code of a cell of plain ASCII digits, 3, 5 or 7 of them (a str, or a non-negative int), which it returns
    as it is; None where _to_code must be asked (any other: it cleans, converts or refuses)."""
    kind = type(value)
    if kind is int:
        value = str(value)
    elif kind is not str:
        return None
    return value if len(value) in _CODE_LENGTHS and value.isascii() and value.isdigit() else None


def _to_money(value: Any, fmt: str, divisor: Decimal) -> tuple[Decimal, list[str]]:
    number, fixes = _number(value)
    return (number / divisor if divisor != 1 else number), fixes


def _to_decimal(value: Any, fmt: str, divisor: Decimal) -> tuple[Decimal, list[str]]:
    return _number(value)


def _to_int(value: Any, fmt: str, divisor: Decimal, typed: Any = None) -> tuple[int, list[str]]:
    number, fixes = _number(value, "整数", typed)
    if number != number.to_integral_value():
        raise WrongValue(codes.E_NOT_INT, f"应为整数，实际为“{shown(value if typed is None else typed)}”")
    return int(number), fixes


def _to_year(value: Any, fmt: str, divisor: Decimal) -> tuple[int, list[str]]:
    year, fixes = _to_int(value.removesuffix("年") if isinstance(value, str) else value, fmt, divisor, value)
    if not 1990 <= year <= 2100:
        raise WrongValue(codes.E_YEAR, f"年度应为四位年份，实际为“{shown(value)}”")
    return year, fixes


def _to_percent(value: Any, fmt: str, divisor: Decimal) -> tuple[Decimal, list[str]]:
    """As a ratio. A %-formatted cell holds 0.2234 for 22.34%; text "22.34%" is 22.34%; a plain number
    is a fraction up to 1 (0.2234, 1 = 100%) and percentage points above (22.34), as people type both."""
    if not isinstance(value, str):  # a number, or a value no percentage is (a boolean, a date, a time)
        number, fixes = _number(value, "百分比")
        if "%" in fmt:
            return number, fixes
    else:
        text = unicodedata.normalize("NFKC", value)
        fixes = ["全角字符已转为半角"] if text != value else []
        fixes += ["已去除首尾空格"] if text.strip() != text else []
        text = text.strip()
        number, more = _number(text.removesuffix("%"), "百分比", value)
        fixes += more
        if text.endswith("%"):
            return number / 100, fixes
    return (number if abs(number) <= 1 else number / 100), fixes


def _to_date(value: Any, fmt: str, divisor: Decimal) -> tuple[dt.date, list[str]]:
    _no_time(value, "日期（如 2023-03-31）")
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
    _no_time(value, "科目编码")
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
    if type(value) is str and not _UNCLEAN.search(value):
        return value.strip(), []  # nothing below would change it: the usual cell, in one search
    _no_time(value, "文本")
    if isinstance(value, bool):
        raise WrongValue(codes.E_NOT_TEXT, f"应为文本，实际为逻辑值“{shown(value)}”")
    if isinstance(value, int | float):
        value = _number_as_text(value)
    if isinstance(value, dt.datetime | dt.date):
        value = f"{value.year}年{value.month}月{value.day}日"
    # Excel stores characters XML cannot hold as _xHHHH_ (and a literal "_x" as _x005F_x); openpyxl leaves them
    text, fixes = without_surrogates(unescaped(str(value)))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _CONTROL.search(text) or _STRAY_JOINER.search(text):
        text = _STRAY_JOINER.sub("", _CONTROL.sub("", text))
        fixes.append("已删除不可见的控制字符")
    return text.strip(), fixes


def _to_number_or_text(value: Any, fmt: str, divisor: Decimal) -> tuple[Decimal | str, list[str]]:
    """A KPI value: a number (percentages in points, as their unit “%” says) or a qualitative text."""
    _no_time(value, "数值或文字")
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
