"""Money and percentage arithmetic: Decimal only, rounded half-up (四舍五入) for display."""

from __future__ import annotations

import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
WAN = Decimal(10000)  # 1 万元 = 10000 元
HUNDRED = Decimal(100)

_CN_DIGITS = "零一二三四五六七八九"
_CN_UNITS = ["", "十", "百", "千"]


def quantize(value: Decimal, places: int = 2) -> Decimal:
    """Round half-up to ``places`` decimals; the built-in round() is banker's rounding. A result of zero is
    unsigned: −0.001 and a typed −0 print as 0.00, never −0.00."""
    return unsigned(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def unsigned(value: Decimal) -> Decimal:
    """Zero without its sign: Decimal keeps −0, which no report prints."""
    return value.copy_abs() if value == 0 else value


def format_money(value: Decimal | None) -> str:
    """万元 amount with two decimals and no thousands separator, as finance prose prints it."""
    if value is None:
        return "—"
    return f"{quantize(value, 2):f}"


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
