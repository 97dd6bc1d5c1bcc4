"""The template filters, declared once: each with its function, a one-line Chinese description and examples.

``make_environment`` installs them from ``FILTERS``; docs/template-guide.md prints the same entries, and a test
renders every example through the real environment and compares the output, so the guide cannot drift from
what a template prints. Amounts in the context are Decimal 万元 and ratios are fractions; every filter prints an
absent value (None) as "—", never as 0.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import jinja2

from ..derive.figures import Change
from ..numbers import (
    HUNDRED,
    WAN,
    capital_amount,
    chinese_numeral,
    format_money,
    format_percent,
    format_plain,
    format_yuan,
    quantize,
)
from .notes import mark

if TYPE_CHECKING:
    from ..template.number_style import RenderOptions

ABSENT = "—"


class FilterMisuse(ValueError):
    """A filter given a value or argument it cannot print; becomes a template error naming the filter."""


@dataclass(frozen=True)
class Example:
    """``template`` rendered with ``values`` prints ``output`` (a test checks it)."""

    template: str
    values: Mapping[str, Any]
    output: str


@dataclass(frozen=True)
class TemplateFilter:
    name: str
    function: Callable[..., str]  # (options, value, *arguments) → text
    description: str
    arguments: str = ""  # what the arguments in parentheses do, for the guide
    examples: tuple[Example, ...] = field(default=())


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 20 else text[:19] + "…"


def _number(value: Any) -> Decimal | None:
    """The value as a Decimal; None stays None (absent). Text, floats and booleans are refused: amounts in the
    context are Decimal, and a template literal like 2.5 is a float that would print binary noise."""
    if isinstance(value, jinja2.Undefined):
        str(value)  # StrictUndefined raises here, naming the missing field
        return None
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    raise FilterMisuse(f"需要数字，实际为“{_short(value)}”")


def _whole(value: Any) -> int | None:
    number = _number(value)
    if number is None:
        return None
    if number != number.to_integral_value() or number < 0:
        raise FilterMisuse(f"需要非负整数，实际为“{_short(value)}”")
    return int(number)


def _places(places: Any, default: int) -> int:
    if places is None:
        return default
    if not isinstance(places, int) or isinstance(places, bool) or not 0 <= places <= 6:
        raise FilterMisuse(f"小数位数应为 0 到 6 的整数，实际为“{_short(places)}”")
    return places


def money(options: RenderOptions, value: Any, places: Any = None, thousands: Any = None) -> str:
    number = _number(value)
    sep = options.thousands if thousands is None else bool(thousands)
    return format_money(number, _places(places, options.decimals), sep)


def yuan(options: RenderOptions, value: Any, places: Any = None, thousands: Any = None) -> str:
    number = _number(value)
    sep = options.thousands if thousands is None else bool(thousands)
    return format_yuan(number, _places(places, options.decimals), sep)


def pct(options: RenderOptions, value: Any, places: Any = None) -> str:
    return format_percent(_number(value), _places(places, options.percent_places))


def plain(options: RenderOptions, value: Any) -> str:
    return format_plain(_number(value))


def score(options: RenderOptions, value: Any) -> str:
    # points are not money: the template's number style (decimals, thousands) does not apply
    return format_money(_number(value))


def _change(value: Any) -> Change | None:
    """A signed number, or a prepared difference such as ``income_change`` or a ``yoy`` row (word, amount)."""
    if isinstance(value, Change):
        return value
    if isinstance(value, Mapping):
        if "word" not in value or "amount" not in value:
            raise FilterMisuse("需要数字，或含 word 和 amount 的增减额（如 income_change）")
        amount = _number(value["amount"])
        return Change(str(value["word"]), amount) if value["word"] and amount is not None else None
    number = _number(value)
    return None if number is None else Change.between(number, Decimal(0))


def delta(options: RenderOptions, value: Any, unit: str = "万元") -> str:
    change = _change(value)
    if change is None or change.amount is None:
        return ABSENT
    amount = abs(change.amount)
    if unit == "万元":
        shown, text = quantize(amount, options.decimals), format_money(amount, options.decimals, options.thousands)
    elif unit == "元":
        shown, text = quantize(amount * WAN, options.decimals), format_yuan(amount, options.decimals, options.thousands)
    elif unit == "%":
        shown, text = quantize(amount * HUNDRED, options.percent_places), format_percent(amount, options.percent_places)
        unit = ""  # format_percent's text ends in % already
    else:
        shown, text = amount, format_plain(amount)
    # a difference that rounds to nothing reads 持平, never "增加0.00万元"
    if shown == 0 or change.word == "持平":
        return "持平"
    return f"{change.word}{text}{unit}"


def cn_number(options: RenderOptions, value: Any) -> str:
    n = _whole(value)
    if n is None:
        return ABSENT
    return "两" if n == 2 else chinese_numeral(n)  # before a measure word: 两个股室, not 二个


def cn_index(options: RenderOptions, value: Any, style: str = "一、") -> str:
    if not isinstance(style, str) or "一" not in style:
        raise FilterMisuse(f"样式中应有“一”表示序号的位置，如 '一、' 或 '（一）'，实际为“{_short(style)}”")
    n = _whole(value)
    if n is None:
        return ABSENT
    return style.replace("一", chinese_numeral(n), 1)


_DATE_TEXT = re.compile(r"\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*")
_YEAR_DIGITS = "〇一二三四五六七八九"
DATE_STYLES = ("数字", "汉字")


def _date_parts(value: Any) -> tuple[int, int | None, int | None] | None:
    if isinstance(value, jinja2.Undefined):
        str(value)
        return None
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value.year, value.month, value.day
    if isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 9999:
        return value, None, None  # a year alone: 2022 → 2022年
    if isinstance(value, str) and (m := _DATE_TEXT.fullmatch(value)):
        try:
            day = dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            raise FilterMisuse(f"不是有效的日期：“{_short(value)}”") from None
        return day.year, day.month, day.day
    raise FilterMisuse(f"需要日期（如 2023-03-31）或年份，实际为“{_short(value)}”")


def cn_date(options: RenderOptions, value: Any, style: str = "数字") -> str:
    if style not in DATE_STYLES:
        raise FilterMisuse(f"样式应为 '数字' 或 '汉字'，实际为“{_short(style)}”")
    parts = _date_parts(value)
    if parts is None:
        return ABSENT
    year, month, day = parts
    if style == "数字":
        text = f"{year}年"
        return text if month is None else f"{text}{month}月{day}日"
    # 汉字: the year digit by digit with 〇, month and day as numbers (二〇二三年三月三十一日)
    text = "".join(_YEAR_DIGITS[int(d)] for d in str(year)) + "年"
    if month is None or day is None:
        return text
    return f"{text}{chinese_numeral(month)}月{chinese_numeral(day)}日"


def daxie(options: RenderOptions, value: Any, unit: str = "万元") -> str:
    if unit not in ("万元", "元"):
        raise FilterMisuse(f"单位应为 '万元' 或 '元'，实际为“{_short(unit)}”")
    number = _number(value)
    if number is None:
        return ABSENT
    return capital_amount(number * WAN if unit == "万元" else number)


FILTERS: tuple[TemplateFilter, ...] = (
    TemplateFilter(
        "money",
        money,
        "万元金额：默认两位小数、四舍五入、不加千分位；template.toml 的 numbers.decimals、numbers.thousands 可改。",
        "money(位数) 指定小数位数；money(thousands=true) 加千分位逗号。",
        (
            Example("{{ x|money }}", {"x": Decimal("12678.39")}, "12678.39"),
            Example("{{ x|money }}", {"x": Decimal("2.675")}, "2.68"),
            Example("{{ x|money }}", {"x": Decimal("1652")}, "1652.00"),
            Example("{{ x|money(thousands=true) }}", {"x": Decimal("-12678.39")}, "-12,678.39"),
            Example("{{ x|money(0) }}", {"x": Decimal("1652.5")}, "1653"),
            Example("{{ x|money }}", {"x": None}, ABSENT),
        ),
    ),
    TemplateFilter(
        "yuan",
        yuan,
        "把万元金额换算为元（×10000）打印，小数位数和千分位同 money。",
        "yuan(位数)、yuan(thousands=true) 同 money。",
        (
            Example("{{ x|yuan }}", {"x": Decimal("1.2345")}, "12345.00"),
            Example("{{ x|yuan(thousands=true) }}", {"x": Decimal("12678.39")}, "126,783,900.00"),
            Example("{{ x|yuan(0) }}", {"x": Decimal("0.00005")}, "1"),
        ),
    ),
    TemplateFilter(
        "pct",
        pct,
        "比率（0.214）打印为百分数（21.40%）；小数位数默认取 numbers.percent_places 或命令行 --percent-places。",
        "pct(位数) 指定小数位数。",
        (
            Example("{{ x|pct }}", {"x": Decimal("0.214")}, "21.40%"),
            Example("{{ x|pct(1) }}", {"x": Decimal("0.78564")}, "78.6%"),
            Example("{{ x|pct }}", {"x": None}, ABSENT),
        ),
    ),
    TemplateFilter(
        "plain",
        plain,
        "数字去掉末尾的零，用于金额标准、个数等（50、0.5）。",
        "",
        (
            Example("{{ x|plain }}", {"x": Decimal("50.00")}, "50"),
            Example("{{ x|plain }}", {"x": Decimal("0.50")}, "0.5"),
        ),
    ),
    TemplateFilter(
        "score",
        score,
        "得分、分值：两位小数，四舍五入（不受 numbers 设置影响）。",
        "",
        (Example("{{ x|score }}", {"x": Decimal("93.456")}, "93.46"), Example("{{ x|score }}", {"x": 10}, "10.00")),
    ),
    TemplateFilter(
        "delta",
        delta,
        "有正负的差额写成“增加……/减少……/持平”；四舍五入后为零也写“持平”。也可直接用于 income_change 和 yoy 各行。",
        "delta('元') 以元为单位；delta('%') 把比率写成百分数；delta('人') 等其他单位按原数字加单位。默认万元。",
        (
            Example("{{ x|delta }}", {"x": Decimal("12.3")}, "增加12.30万元"),
            Example("{{ x|delta }}", {"x": Decimal("-4.5")}, "减少4.50万元"),
            Example("{{ x|delta }}", {"x": Decimal("0.001")}, "持平"),
            Example("{{ (a - b)|delta }}", {"a": Decimal("12668.73"), "b": Decimal("3020.53")}, "增加9648.20万元"),
            Example(
                "{{ income_change|delta }}",
                {"income_change": {"word": "增加", "amount": Decimal("9648.20")}},
                "增加9648.20万元",
            ),
            Example("{{ x|delta('%') }}", {"x": Decimal("-0.0512")}, "减少5.12%"),
            Example("{{ x|delta('人') }}", {"x": 3}, "增加3人"),
        ),
    ),
    TemplateFilter(
        "cn_number",
        cn_number,
        "整数写成中文数字，用于“N个”：2 写作“两”；序号请用 cn_index。",
        "",
        (
            Example("等{{ n|cn_number }}个股室", {"n": 15}, "等十五个股室"),
            Example("{{ n|cn_number }}", {"n": 105}, "一百零五"),
            Example("{{ n|cn_number }}个项目", {"n": 2}, "两个项目"),
        ),
    ),
    TemplateFilter(
        "cn_index",
        cn_index,
        "序号写成中文标题编号：默认“一、”；样式中的“一”换成序号。",
        "cn_index('（一）') 写成（一）（二）……；cn_index('第一') 写成第一、第二……",
        (
            Example("{{ n|cn_index }}", {"n": 1}, "一、"),
            Example("{{ n|cn_index('（一）') }}", {"n": 3}, "（三）"),
            Example("{{ n|cn_index }}", {"n": 12}, "十二、"),
            Example(
                "{% for t in items %}{{ loop.index|cn_index }}{{ t }}{% endfor %}",
                {"items": ["职责", "机构"]},
                "一、职责二、机构",
            ),
        ),
    ),
    TemplateFilter(
        "daxie",
        daxie,
        "人民币大写金额（四舍五入到分；中间的零写“零”，没有角分写“整”，负数前写“负”）；默认把万元金额换算为元。",
        "daxie('元') 用于以元为单位的数字。",
        (
            Example("{{ x|daxie }}", {"x": Decimal("12.345678")}, "壹拾贰万叁仟肆佰伍拾陆元柒角捌分"),
            Example("{{ x|daxie }}", {"x": Decimal("100")}, "壹佰万元整"),
            Example("{{ x|daxie('元') }}", {"x": Decimal("10.05")}, "壹拾元零伍分"),
            Example("{{ x|daxie('元') }}", {"x": Decimal("1680.32")}, "壹仟陆佰捌拾元零叁角贰分"),
        ),
    ),
    TemplateFilter(
        "cn_date",
        cn_date,
        "日期写成“2023年3月31日”（GB/T 9704-2012 成文日期用阿拉伯数字）；也接受 2023-03-31 这样的文字和年份。",
        "cn_date('汉字') 写成二〇二三年三月三十一日。",
        (
            Example("{{ d|cn_date }}", {"d": dt.date(2023, 3, 31)}, "2023年3月31日"),
            Example("{{ d|cn_date('汉字') }}", {"d": dt.date(2023, 3, 31)}, "二〇二三年三月三十一日"),
            Example("{{ d|cn_date }}", {"d": "2023-03-31"}, "2023年3月31日"),
            Example("{{ report_date|cn_date('汉字') }}", {"report_date": "2023年3月31日"}, "二〇二三年三月三十一日"),
            Example("{{ year|cn_date('汉字') }}", {"year": 2022}, "二〇二二年"),
            Example("{{ d|cn_date }}", {"d": None}, ABSENT),
        ),
    ),
)


# the filters that print one figure as it is (in its unit or another): a doubted figure's text carries its comment
MARKED = frozenset({"money", "yuan", "pct", "plain", "score", "daxie"})


def _bound(spec: TemplateFilter, options: RenderOptions) -> Callable[..., str]:
    """The filter with the session's number style, its misuse turned into a template error that names it (a
    plain ValueError would read as a damaged Word file)."""

    marks = spec.name in MARKED

    @functools.wraps(spec.function)
    def apply(value: Any, *args: Any, **kwargs: Any) -> str:
        try:
            text = spec.function(options, value, *args, **kwargs)
            return mark(value, text) if marks else text
        except FilterMisuse as e:
            raise jinja2.exceptions.FilterArgumentError(f"过滤器 {spec.name}：{e}") from e
        except TypeError as e:  # wrong arguments in the template, e.g. money(2, 3, 4)
            raise jinja2.exceptions.FilterArgumentError(f"过滤器 {spec.name} 的参数有误（{e}）") from e
        except ValueError as e:
            raise jinja2.exceptions.FilterArgumentError(f"过滤器 {spec.name}：{e}") from e

    return apply


def blank_default(value: Any, default_value: Any = "", boolean: bool = False) -> Any:
    """Jinja's ``default``, with a blank cell (None) counted as missing: ``{{ custom.草坪|default('未统计') }}`` says
    未统计 for a 自定义字段 left blank, as a template's author means it."""
    if value is None or isinstance(value, jinja2.Undefined) or (boolean and not value):
        return default_value
    return value


def install(env: jinja2.Environment, options: RenderOptions) -> None:
    for spec in FILTERS:
        env.filters[spec.name] = _bound(spec, options)
    env.filters["default"] = env.filters["d"] = blank_default
