from __future__ import annotations

from decimal import Decimal

import pytest

from pipeline.numbers import chinese_count, format_money, format_percent, format_plain, parse_decimal, ratio


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("0.125", "0.13"),
        ("0.135", "0.14"),
        ("2.675", "2.68"),
        ("-0.125", "-0.13"),
        ("9648.2", "9648.20"),
        ("5165161.87", "5165161.87"),
        ("0", "0.00"),
    ],
)
def test_money_half_up(value: str, text: str) -> None:
    assert format_money(Decimal(value)) == text


def test_percent_places() -> None:
    share = Decimal("2713.3") / Decimal("12678.39")
    assert format_percent(share) == "21.40%"
    assert format_percent(share, 0) == "21%"
    assert format_percent(Decimal("0.00005"), 2) == "0.01%"
    assert format_percent(None) == "—"


def test_ratio_absent_is_none_not_zero() -> None:
    assert ratio(Decimal(1), None) is None
    assert ratio(Decimal(1), Decimal(0)) is None
    assert ratio(Decimal(1), Decimal(4)) == Decimal("0.25")


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (1, "一"),
        (2, "两"),
        (12, "十二"),
        (10, "十"),
        (15, "十五"),
        (20, "二十"),
        (21, "二十一"),
        (100, "一百"),
        (105, "一百零五"),
        (110, "一百一十"),
        (1001, "一千零一"),
    ],
)
def test_chinese_count(n: int, text: str) -> None:
    assert chinese_count(n) == text


@pytest.mark.parametrize(
    ("text", "value", "fixes"),
    [
        ("17", "17", []),
        ("１７", "17", ["全角字符已转为半角"]),
        ("1,206.56", "1206.56", ["已去除千分位逗号"]),
        ("17 ", "17", ["已去除首尾空格"]),
        ("约2万", None, []),
        ("NaN", None, []),
    ],
)
def test_parse_decimal(text: str, value: str | None, fixes: list[str]) -> None:
    parsed, applied = parse_decimal(text)
    assert parsed == (Decimal(value) if value else None)
    assert applied == fixes


def test_plain() -> None:
    assert format_plain(Decimal("50")) == "50"
    assert format_plain(Decimal("50.50")) == "50.5"


def test_zero_is_never_negative() -> None:
    assert format_money(Decimal("-0")) == "0.00"
    assert format_money(Decimal("-0.004")) == "0.00"
    assert format_percent(Decimal("-0.00001")) == "0.00%"
    assert format_plain(Decimal("-0.0")) == "0"
    assert format_money(Decimal("-0.005")) == "-0.01"
