"""The reader's own copies of openpyxl's rules (pipeline/workbook/formats.py) agree with openpyxl's on many inputs:
the calamine path reads without importing openpyxl, and must read as it would (issue 19 §5)."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Callable

import pytest
from openpyxl.styles import numbers
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH
from openpyxl.utils.datetime import from_excel as openpyxl_from_excel
from openpyxl.worksheet._reader import _cast_number

from pipeline.workbook import formats

FORMATS = [
    *numbers.BUILTIN_FORMATS.values(),
    'yyyy"年"m"月"d"日"',
    "yyyy-mm-dd",
    "[$-804]yyyy年m月d日",
    "[Red]0.00",
    "[h]:mm:ss",
    "[mm]:ss",
    "[ss].00",
    "[HH]:MM",
    '0.00"天"',
    '"day" 0',
    "0.00_m",
    r"0.00\d",
    "#,##0.00;[Red]-#,##0.00",
    "0;yyyy",
    "@",
    "General",
    "0.0%",
    "[DBNum1][$-804]m月d日",
    "mmss.0",
    "",
    'h"时"mm"分"',
    "e",
    "ge/m/d",
]


@pytest.mark.parametrize("fmt", FORMATS)
def test_date_and_duration_formats_are_openpyxls(fmt: str) -> None:
    assert formats.is_date_format(fmt) == numbers.is_date_format(fmt)
    assert formats.is_timedelta_format(fmt) == numbers.is_timedelta_format(fmt)


def test_random_formats_are_judged_alike() -> None:
    rng = random.Random(19)
    alphabet = 'dmyhsDMYHS0#.,;:%@"[]\\_ -$Red年月日'
    for _ in range(5000):
        fmt = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert formats.is_date_format(fmt) == numbers.is_date_format(fmt), fmt
        assert formats.is_timedelta_format(fmt) == numbers.is_timedelta_format(fmt), fmt


def test_the_builtin_formats_are_openpyxls() -> None:
    assert formats.BUILTIN_FORMATS == numbers.BUILTIN_FORMATS
    assert formats.BUILTIN_FORMATS_MAX_SIZE == numbers.BUILTIN_FORMATS_MAX_SIZE


def test_column_letters_are_openpyxls() -> None:
    for column in itertools.chain(range(1, 1000), range(16_000, 18_279)):
        assert formats.column_letter(column) == get_column_letter(column)
    for outside in (0, -1, 18_279):
        with pytest.raises(ValueError):
            formats.column_letter(outside)


SERIALS = [0, 0.5, 0.99999999, 1, 59, 60, 61, 44926, 44926.75, 2958465, 2958465.99999, 1e-9, 123.456789, 0.000011574]


@pytest.mark.parametrize("epoch", [WINDOWS_EPOCH, MAC_EPOCH])
@pytest.mark.parametrize("timedelta", [False, True])
def test_date_serials_convert_as_openpyxls(epoch: dt.datetime, timedelta: bool) -> None:
    rng = random.Random(9)
    for serial in [*SERIALS, *(rng.uniform(0, 2958465) for _ in range(2000)), *(rng.randint(0, 60) for _ in range(50))]:
        ours = _outcome(lambda s=serial: formats.from_excel(s, epoch, timedelta=timedelta))
        assert ours == _outcome(lambda s=serial: openpyxl_from_excel(s, epoch, timedelta)), serial


def _outcome(convert: Callable[..., object]) -> object:
    """The value, or the kind of error (the reader turns OverflowError/ValueError into #VALUE!, as openpyxl does)."""
    try:
        return convert()
    except (OverflowError, ValueError) as e:
        return type(e)


def test_number_literals_cast_as_openpyxls() -> None:
    for literal in ("0", "-0", "2022", "2022.0", "1.5E3", "1e-12", "-0.0", "12345678901234567890", "1e999", "1_0"):
        assert repr(formats.cast_number(literal)) == repr(_cast_number(literal))
    for bad in ("abc", "1.2.3", "", "INF"):
        with pytest.raises(ValueError):
            _cast_number(bad)
        with pytest.raises(ValueError):
            formats.cast_number(bad)
