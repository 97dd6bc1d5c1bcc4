"""Money and percentage arithmetic: Decimal only, rounded half-up (四舍五入) for display."""

from __future__ import annotations

import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

WAN = Decimal(10000)  # 1 万元 = 10000 元
HUNDRED = Decimal(100)

_EXPONENTS = tuple(Decimal(1).scaleb(-places) for places in range(7))  # 1, 0.1, …: quantize's, made once
_CN_DIGITS = "零一二三四五六七八九"
_CN_UNITS = ["", "十", "百", "千"]
_CN_GROUPS = ["", "万", "亿"]
_DAXIE_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_DAXIE_UNITS = ["", "拾", "佰", "仟"]


def quantize(value: Decimal, places: int = 2) -> Decimal:
    """Round half-up to ``places`` decimals; the built-in round() is banker's rounding. A result of zero is
    unsigned: −0.001 and a typed −0 print as 0.00, never −0.00."""
    exponent = _EXPONENTS[places] if 0 <= places < len(_EXPONENTS) else Decimal(1).scaleb(-places)
    return unsigned(value.quantize(exponent, rounding=ROUND_HALF_UP))


def unsigned(value: Decimal) -> Decimal:
    """Zero without its sign: Decimal keeps −0, which no report prints."""
    return value.copy_abs() if value == 0 else value


def format_money(value: Decimal | None, places: int = 2, thousands: bool = False) -> str:
    """万元 amount with two decimals and no thousands separator, as finance prose prints it; a template's number
    style may ask for other places or for separators (12,678.39)."""
    if value is None:
        return "—"
    return f"{quantize(value, places):,f}" if thousands else f"{quantize(value, places):f}"


def format_yuan(value: Decimal | None, places: int = 2, thousands: bool = False) -> str:
    """A 万元 amount printed in 元 (× 10000), for tables and forms that state 元."""
    if value is None:
        return "—"
    return format_money(value * WAN, places, thousands)


def format_percent(ratio: Decimal | None, places: int = 2) -> str:
    """A ratio (0.2140) as a percentage string ("21.40%")."""
    if ratio is None:
        return "—"
    return f"{quantize(ratio * HUNDRED, places):f}%"


def format_plain(value: Decimal | int | None) -> str:
    """A number without trailing zeros (50, 0.5), for thresholds and counts."""
    if value is None:
        return "—"
    if isinstance(value, int):
        return str(value)
    text = f"{unsigned(value):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def ratio(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    """part / whole, or None when either is absent or the whole is zero (absent, never 0)."""
    if part is None or whole is None or whole == 0:
        return None
    return part / whole


def parse_decimal(text: str) -> tuple[Decimal | None, list[str]]:
    """Parse numeric text a person typed; return the number and the clean-ups applied.

    Accepts full-width digits (１７), thousands separators and surrounding spaces,
    because finance staff paste figures from other systems; each such fix is
    reported so that it can become a warning instead of a silent change.
    """
    fixes: list[str] = []
    cleaned = unicodedata.normalize("NFKC", text)
    if cleaned != text:
        fixes.append("全角字符已转为半角")
    stripped = cleaned.strip()
    if stripped != cleaned:
        fixes.append("已去除首尾空格")
    if "," in stripped:
        fixes.append("已去除千分位逗号")
        stripped = stripped.replace(",", "")
    if not stripped:
        return None, fixes
    try:
        value = Decimal(stripped)
    except InvalidOperation:
        return None, []
    if not value.is_finite():
        return None, []
    return value, fixes


def chinese_count(n: int) -> str:
    """A count in Chinese numerals as prose writes it: 2 → 两, 15 → 十五, 21 → 二十一, 105 → 一百零五."""
    if n < 0:
        raise ValueError(n)
    if n == 0:
        return "零"
    if n == 2:
        return "两"  # before a measure word: 两个股室, not 二个
    if n >= 10000:
        return str(n)
    digits = [int(d) for d in str(n)]
    out = ""
    zero_pending = False
    for i, d in enumerate(digits):
        unit = _CN_UNITS[len(digits) - 1 - i]
        if d == 0:
            zero_pending = bool(out)
            continue
        if zero_pending:
            out += "零"
            zero_pending = False
        out += _CN_DIGITS[d] + unit
    if 10 <= n < 20:
        out = out[1:]  # 十五, not 一十五
    return out


def _spell(n: int, digits: str, units: list[str]) -> tuple[str, bool]:
    """n ≥ 0 in Chinese numerals by groups of four digits (万, 亿); one 零 stands for any run of zeros between two
    written digits, and a zero group writes no group unit. Also returns whether the last digit was a zero that is
    still pending, which a 大写 amount must write before its 角 or 分."""
    if n >= 10**12:  # 万亿 would need a second level of groups; no department reports that much
        raise ValueError(f"数值超出万亿：{n}")
    text = str(n)
    out: list[str] = []
    pending = False
    for i, ch in enumerate(text):
        place = len(text) - 1 - i
        d = int(ch)
        if d == 0:
            pending = bool(out)
        else:
            if pending:
                out.append(digits[0])
                pending = False
            out.append(digits[d] + units[place % 4])
        if place % 4 == 0 and place > 0 and text[max(0, i - 3) : i + 1].strip("0"):
            out.append(_CN_GROUPS[place // 4])  # an all-zero group writes no 万: 一亿零一, not 一亿万零一
    return "".join(out), pending


def chinese_numeral(n: int) -> str:
    """n ≥ 0 as a Chinese numeral: 0 → 零, 15 → 十五, 105 → 一百零五, 100010 → 十万零一十, 2 → 二."""
    if n < 0:
        raise ValueError(n)
    if n == 0:
        return _CN_DIGITS[0]
    text, _ = _spell(n, _CN_DIGITS, _CN_UNITS)
    return text[1:] if text.startswith("一十") else text  # 十五, not 一十五


def capital_amount(yuan: Decimal) -> str:
    """An amount in 元 in 大写, as cheques and forms write it (《支付结算办法》附件一): rounded half-up to 分;
    零 for a run of zeros between two written digits, including before 角, and always before 分 when 角 is zero;
    整 when there are no 角 and 分; a negative amount starts with 负.

    123456.78 → 壹拾贰万叁仟肆佰伍拾陆元柒角捌分, 10.05 → 壹拾元零伍分, 1000000 → 壹佰万元整, 0 → 零元整.
    """
    cents = quantize(yuan, 2)
    sign = "负" if cents < 0 else ""
    integer, rest = divmod(int(abs(cents) * 100), 100)
    jiao, fen = divmod(rest, 10)
    text, pending = _spell(integer, _DAXIE_DIGITS, _DAXIE_UNITS) if integer else ("", False)
    if integer:
        text += "元"
    if not jiao and not fen:
        return sign + (text or "零元") + "整"
    if jiao:
        text += ("零" if pending else "") + _DAXIE_DIGITS[jiao] + "角"
    if fen:
        text += ("零" if integer and not jiao else "") + _DAXIE_DIGITS[fen] + "分"
    return sign + text
