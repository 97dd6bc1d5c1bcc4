"""The filter registry: every documented example prints what the guide says, through the real environment."""

from __future__ import annotations

import datetime as dt
import pickle
from decimal import Decimal
from typing import Any

import jinja2
import pytest

from pipeline.numbers import (
    capital_amount,
    chinese_count,
    chinese_numeral,
    format_money,
    format_percent,
    format_plain,
    format_yuan,
)
from pipeline.render.environment import RenderOptions, make_environment
from pipeline.render.filters import FILTERS, Example


def render(source: str, options: RenderOptions | None = None, **values: Any) -> str:
    return make_environment(options or RenderOptions()).from_string(source).render(**values)


EXAMPLES = [(f.name, e) for f in FILTERS for e in f.examples]


@pytest.mark.parametrize(("name", "example"), EXAMPLES, ids=[f"{n}:{e.template}" for n, e in EXAMPLES])
def test_every_registry_example_prints_what_it_says(name: str, example: Example) -> None:
    assert f"|{name}" in example.template
    assert render(example.template, **example.values) == example.output


def test_the_registry_is_what_the_environment_installs() -> None:
    names = [f.name for f in FILTERS]
    assert len(names) == len(set(names))
    env = make_environment(RenderOptions())
    assert all(name in env.filters for name in names)
    assert all(f.description and f.examples for f in FILTERS)
    assert {"money", "pct", "plain", "score", "yuan", "delta", "cn_index", "cn_number", "daxie", "cn_date"} <= set(
        names
    )


VALUES = ["0", "0.005", "-0.005", "-0.004", "2.675", "-2.675", "12678.39", "5165161.87", "0.125", "1652"]


@pytest.mark.parametrize("text", VALUES)
def test_default_options_print_exactly_as_before(text: str) -> None:
    """The golden report depends on it: the four original filters with default options are the plain formatters."""
    value = Decimal(text)
    assert render("{{ x|money }}", x=value) == format_money(value)
    assert render("{{ x|score }}", x=value) == format_money(value)
    assert render("{{ x|pct }}", x=value) == format_percent(value, 2)
    assert render("{{ x|plain }}", x=value) == format_plain(value)


@pytest.mark.parametrize(
    ("value", "places", "text"),
    [
        ("0.005", 2, "0.01"),
        ("0.004", 2, "0.00"),
        ("2.675", 2, "2.68"),  # 2.67 under binary floats or banker's rounding
        ("-2.675", 2, "-2.68"),
        ("-0.005", 2, "-0.01"),
        ("-0.004", 2, "0.00"),  # never −0.00
        ("0.5", 0, "1"),
        ("2.5", 0, "3"),
        ("-2.5", 0, "-3"),
        ("1.05", 1, "1.1"),
        ("1.25", 1, "1.3"),
    ],
)
def test_rounding_is_half_up(value: str, places: int, text: str) -> None:
    assert render("{{ x|money }}", RenderOptions(decimals=places), x=Decimal(value)) == text
    assert render(f"{{{{ x|money({places}) }}}}", x=Decimal(value)) == text


def test_yuan_rounds_after_converting() -> None:
    assert format_yuan(Decimal("0.0000005")) == "0.01"  # 0.005 元
    assert format_yuan(Decimal("-0.0000005")) == "-0.01"
    assert render("{{ x|yuan }}", x=Decimal("12678.39")) == "126783900.00"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("-12678.39", "-12,678.39"),
        ("-1234567.891", "-1,234,567.89"),
        ("-999.995", "-1,000.00"),
        ("-0.001", "0.00"),
        ("999.99", "999.99"),
        ("1000", "1,000.00"),
        ("5165161.87", "5,165,161.87"),
    ],
)
def test_thousands_with_negatives(value: str, text: str) -> None:
    assert render("{{ x|money }}", RenderOptions(thousands=True), x=Decimal(value)) == text
    assert render("{{ x|money(thousands=true) }}", x=Decimal(value)) == text


def test_number_style_options() -> None:
    style = RenderOptions(decimals=1, thousands=True, percent_places=0)
    assert render("{{ x|money }}", style, x=Decimal("12678.39")) == "12,678.4"
    assert render("{{ x|yuan }}", style, x=Decimal("1.23456")) == "12,345.6"
    assert render("{{ x|delta }}", style, x=Decimal("-1234.56")) == "减少1,234.6万元"
    assert render("{{ x|delta }}", style, x=Decimal("0.04")) == "持平"  # rounds to 0.0
    assert render("{{ x|pct }}", style, x=Decimal("0.2140")) == "21%"
    assert render("{{ x|score }}", style, x=Decimal("93.456")) == "93.46"  # points are not money
    assert render("{{ x|money(2, false) }}", style, x=Decimal("12678.39")) == "12678.39"  # the argument wins


def test_render_options_stay_frozen_and_picklable() -> None:
    options = RenderOptions(percent_places=1, decimals=0, thousands=True)
    assert pickle.loads(pickle.dumps(options)) == options
    with pytest.raises(AttributeError):
        options.decimals = 3  # type: ignore[misc]


@pytest.mark.parametrize(
    ("source", "values", "text"),
    [
        ("{{ x|delta }}", {"x": Decimal("-0.004")}, "持平"),
        ("{{ x|delta('元') }}", {"x": Decimal("-0.0012")}, "减少12.00元"),
        ("{{ x|delta }}", {"x": None}, "—"),
        ("{{ c|delta }}", {"c": {"word": "", "amount": None}}, "—"),  # Change.between of an absent figure
        ("{{ c|delta }}", {"c": {"word": "持平", "amount": Decimal(0)}}, "持平"),
        ("{{ c|delta }}", {"c": {"word": "减少", "amount": Decimal("4.5")}}, "减少4.50万元"),
        ("{{ r.rate|delta('%') }}", {"r": {"rate": Decimal("0.1234")}}, "增加12.34%"),
    ],
)
def test_delta(source: str, values: dict[str, Any], text: str) -> None:
    assert render(source, **values) == text


@pytest.mark.parametrize(
    ("yuan", "text"),
    [
        ("0", "零元整"),
        ("0.004", "零元整"),
        ("0.005", "壹分"),
        ("0.5", "伍角"),
        ("0.05", "伍分"),
        ("10", "壹拾元整"),
        ("10.05", "壹拾元零伍分"),
        ("10.50", "壹拾元零伍角"),  # 元位 is 0: the rule allows 零 or none; one choice, always
        ("1409.50", "壹仟肆佰零玖元伍角"),
        ("6007.14", "陆仟零柒元壹角肆分"),
        ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
        ("325.04", "叁佰贰拾伍元零肆分"),
        ("1000000", "壹佰万元整"),
        ("100010", "壹拾万零壹拾元整"),
        ("107000.53", "壹拾万零柒仟元零伍角叁分"),
        ("100000000", "壹亿元整"),
        ("100000001", "壹亿零壹元整"),
        ("110000000", "壹亿壹仟万元整"),
        ("100001000", "壹亿零壹仟元整"),
        ("123456789.12", "壹亿贰仟叁佰肆拾伍万陆仟柒佰捌拾玖元壹角贰分"),
        ("-100", "负壹佰元整"),
        ("-0.004", "零元整"),
        ("-1680.325", "负壹仟陆佰捌拾元零叁角叁分"),
    ],
)
def test_capital_amounts(yuan: str, text: str) -> None:
    assert capital_amount(Decimal(yuan)) == text
    assert render("{{ x|daxie('元') }}", x=Decimal(yuan)) == text


def test_daxie_of_a_wan_yuan_amount() -> None:
    assert render("{{ x|daxie }}", x=Decimal("12678.39")) == "壹亿贰仟陆佰柒拾捌万叁仟玖佰元整"
    assert render("{{ x|daxie }}", x=None) == "—"


def test_chinese_numerals() -> None:
    assert all(chinese_numeral(n) == chinese_count(n) for n in range(3, 10000))
    assert [chinese_numeral(n) for n in (0, 2, 10, 10010, 100010, 110000000)] == [
        "零",
        "二",
        "十",
        "一万零一十",
        "十万零一十",
        "一亿一千万",
    ]
    assert render("{{ n|cn_number }}", n=Decimal("12")) == "十二"
    assert render("{{ n|cn_index('第一章') }}", n=21) == "第二十一章"


@pytest.mark.parametrize(
    ("value", "style", "text"),
    [
        (dt.date(2023, 3, 31), "数字", "2023年3月31日"),
        (dt.date(2023, 10, 1), "汉字", "二〇二三年十月一日"),
        (dt.date(2020, 12, 20), "汉字", "二〇二〇年十二月二十日"),
        (dt.datetime(2023, 3, 31, 9, 30), "数字", "2023年3月31日"),
        ("2023/3/31", "数字", "2023年3月31日"),
        ("2023年3月31日", "汉字", "二〇二三年三月三十一日"),
        (2022, "数字", "2022年"),
        ("", "数字", "—"),
    ],
)
def test_cn_date(value: object, style: str, text: str) -> None:
    assert render(f"{{{{ d|cn_date('{style}') }}}}", d=value) == text


@pytest.mark.parametrize(
    ("source", "values", "message"),
    [
        ("{{ x|money }}", {"x": "约2万"}, "过滤器 money：需要数字，实际为“约2万”"),
        ("{{ 2.5|money }}", {}, "过滤器 money：需要数字，实际为“2.5”"),
        ("{{ x|money(9) }}", {"x": Decimal(1)}, "过滤器 money：小数位数应为 0 到 6 的整数，实际为“9”"),
        ("{{ x|cn_number }}", {"x": Decimal("1.5")}, "过滤器 cn_number：需要非负整数，实际为“1.5”"),
        ("{{ x|cn_index('(1)') }}", {"x": 1}, "过滤器 cn_index：样式中应有“一”表示序号的位置"),
        ("{{ d|cn_date('中文') }}", {"d": "2023-03-31"}, "过滤器 cn_date：样式应为 '数字' 或 '汉字'"),
        ("{{ d|cn_date }}", {"d": "2023-02-30"}, "过滤器 cn_date：不是有效的日期：“2023-02-30”"),
        ("{{ x|daxie('美元') }}", {"x": Decimal(1)}, "过滤器 daxie：单位应为 '万元' 或 '元'"),
        ("{{ x|daxie }}", {"x": Decimal("1E+9")}, "过滤器 daxie：数值超出万亿"),
        ("{{ x|money(1, 2, 3) }}", {"x": Decimal(1)}, "过滤器 money 的参数有误"),
    ],
)
def test_misuse_is_a_template_error_naming_the_filter(source: str, values: dict[str, Any], message: str) -> None:
    with pytest.raises(jinja2.exceptions.FilterArgumentError) as caught:
        render(source, **values)
    assert str(caught.value).startswith(message)


def test_an_unknown_field_under_a_filter_still_names_the_field() -> None:
    with pytest.raises(jinja2.UndefinedError, match="'missing' is undefined"):
        render("{{ missing|money }}")
    with pytest.raises(jinja2.UndefinedError, match="'missing' is undefined"):
        render("{{ missing|cn_date }}")
