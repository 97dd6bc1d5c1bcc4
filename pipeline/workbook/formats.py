"""What openpyxl decides about number formats, columns and date serials, without importing openpyxl (issue 19 §5).

Importing any of openpyxl imports all of it (about 0.1 s); the reader's fast path needs only these few rules. Each
is openpyxl 3.1's own, and tests/test_formats_local.py checks that they agree with openpyxl's on many inputs.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

# openpyxl.styles.numbers.BUILTIN_FORMATS: the number formats Excel knows by id without storing them
BUILTIN_FORMATS: dict[int, str] = {
    0: "General",
    1: "0",
    2: "0.00",
    3: "#,##0",
    4: "#,##0.00",
    5: '"$"#,##0_);("$"#,##0)',
    6: '"$"#,##0_);[Red]("$"#,##0)',
    7: '"$"#,##0.00_);("$"#,##0.00)',
    8: '"$"#,##0.00_);[Red]("$"#,##0.00)',
    9: "0%",
    10: "0.00%",
    11: "0.00E+00",
    12: "# ?/?",
    13: "# ??/??",
    14: "mm-dd-yy",
    15: "d-mmm-yy",
    16: "d-mmm",
    17: "mmm-yy",
    18: "h:mm AM/PM",
    19: "h:mm:ss AM/PM",
    20: "h:mm",
    21: "h:mm:ss",
    22: "m/d/yy h:mm",
    37: "#,##0_);(#,##0)",
    38: "#,##0_);[Red](#,##0)",
    39: "#,##0.00_);(#,##0.00)",
    40: "#,##0.00_);[Red](#,##0.00)",
    41: r'_(* #,##0_);_(* \(#,##0\);_(* "-"_);_(@_)',
    42: r'_("$"* #,##0_);_("$"* \(#,##0\);_("$"* "-"_);_(@_)',
    43: r'_(* #,##0.00_);_(* \(#,##0.00\);_(* "-"??_);_(@_)',
    44: r'_("$"* #,##0.00_)_("$"* \(#,##0.00\)_("$"* "-"??_)_(@_)',
    45: "mm:ss",
    46: "[h]:mm:ss",
    47: "mmss.0",
    48: "##0.0E+0",
    49: "@",
}
BUILTIN_FORMATS_MAX_SIZE = 164  # custom formats are numbered from here
_STRIP = re.compile(r'".*?"|\[(?!hh?\]|mm?\]|ss?\])[^\]]*\]')  # quoted literals, [$-804] and [Red], not [h]
_DATE_PART = re.compile(r"(?<![_\\])[dmhysDMHYS]")
_TIMEDELTA = re.compile(r"\[hh?\](:mm(:ss(\.0*)?)?)?|\[mm?\](:ss(\.0*)?)?|\[ss?\](\.0*)?", re.I)
WINDOWS_EPOCH = dt.datetime(1899, 12, 30)
MAC_EPOCH = dt.datetime(1904, 1, 1)
SECS_PER_DAY = 86400
MAX_COLUMN = 18278  # ZZZ, the last column openpyxl names


@cache
def is_date_format(fmt: str | None) -> bool:
    """openpyxl's test: the first section of the format, without literals and locale/colour brackets, holds a date
    or time letter (not escaped by _ or \\)."""
    if fmt is None:
        return False
    return _DATE_PART.search(_STRIP.sub("", fmt.split(";")[0])) is not None


@cache
def is_timedelta_format(fmt: str | None) -> bool:
    """openpyxl's test for a duration format ([h]:mm:ss …): such a date-styled number reads as a timedelta."""
    if fmt is None:
        return False
    return _TIMEDELTA.search(fmt.split(";")[0]) is not None


@cache
def column_letter(column: int) -> str:
    """1 → A, 27 → AA, as openpyxl's get_column_letter (ValueError outside 1…18278)."""
    if not 1 <= column <= MAX_COLUMN:
        raise ValueError(f"Invalid column index {column}")
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def from_excel(value: float | int, epoch: dt.datetime, *, timedelta: bool) -> dt.datetime | dt.time | dt.timedelta:
    """openpyxl.utils.datetime.from_excel, step by step (the same float arithmetic, the same rounding): a serial as
    a datetime, a time of day (under one day) or a duration; OverflowError/ValueError out of range."""
    if timedelta:
        td = dt.timedelta(days=value)
        if td.microseconds:
            td = dt.timedelta(seconds=td.total_seconds() // 1, microseconds=round(td.microseconds, -3))
        return td
    day, fraction = divmod(value, 1)
    diff = dt.timedelta(milliseconds=round(fraction * SECS_PER_DAY * 1000))
    if 0 <= value < 1 and diff.days == 0:
        minutes, seconds = divmod(diff.seconds, 60)
        hours, minutes = divmod(minutes, 60)
        return dt.time(hours, minutes, seconds, diff.microseconds)
    if 0 < value < 60 and epoch == WINDOWS_EPOCH:
        day += 1
    return epoch + dt.timedelta(days=day) + diff


def cast_number(literal: str) -> float | int:
    """A number cell's literal as openpyxl casts it: float when written with "." or an exponent, int otherwise."""
    if "." in literal or "E" in literal or "e" in literal:
        return float(literal)
    return int(literal)
