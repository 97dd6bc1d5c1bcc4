"""Figures derived from what the user typed: effective totals, differences, shares, groupings.

A total the user typed is kept as typed (a mismatch is a finding, not a fix);
a blank total is computed from its parts.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .model import FunctionLine, Project
from .normalize import FormValues
from .numbers import ratio


def effective(table: FormValues, row: str, column: str) -> Decimal | None:
    """The stated value, or for a blank total the sum of its given parts (None when none is given)."""
    value = table.get(row, column)
    if value is not None:
        return value  # type: ignore[no-any-return]
    children = [f.key for f in table.sheet.rows if f.parent == row and f.relation == "sum"]
    parts = [effective(table, child, column) for child in children]
    given = [p for p in parts if p is not None]
    return sum(given, Decimal(0)) if given else None


def column_values(table: FormValues, column: str) -> dict[str, Decimal | None]:
    return {f.key: effective(table, f.key, column) for f in table.sheet.rows}


@dataclass(frozen=True)
class Change:
    """A signed difference as prose states it: 增加 / 减少 / 持平 and the absolute amount."""

    word: str
    amount: Decimal | None

    @classmethod
    def between(cls, new: Decimal | None, old: Decimal | None) -> Change:
        if new is None or old is None:
            return cls("", None)
        diff = new - old
        word = "增加" if diff > 0 else "减少" if diff < 0 else "持平"
        return cls(word, abs(diff))


def year_on_year(table: FormValues, current: str) -> dict[str, dict[str, object]]:
    """同比 for every row with both 上年决算数 and this year's figure: word, amount (增减额), rate (增减率)."""
    out: dict[str, dict[str, object]] = {}
    for f in table.sheet.rows:
        prior, now = effective(table, f.key, "prior"), effective(table, f.key, current)
        if prior is None or now is None:
            continue
        change = Change.between(now, prior)
        out[f.key] = {
            "word": change.word,
            "amount": change.amount,
            "rate": ratio(now - prior, prior),
            "prior": prior,
            "current": now,
        }
    return out


def labelled_parts(table: FormValues, parent: str, column: str, *, skip_zero: bool) -> list[dict[str, object]]:
    """Children of ``parent`` as {label, amount}, in schema order, for "其中：……" sentences."""
    out: list[dict[str, object]] = []
    for f in table.sheet.rows:
        if f.parent != parent:
            continue
        amount = effective(table, f.key, column)
        if amount is None or (skip_zero and amount == 0):
            continue
        out.append({"key": f.key, "label": f.label.removeprefix("其中："), "amount": amount})
    return out


def vehicle_aware_parts(table: FormValues, column: str) -> list[dict[str, object]]:
    """三公 items; the vehicle line is split into 购置/运行维护 when both are given, naming only non-zero ones."""
    out: list[dict[str, object]] = []
    for part in labelled_parts(table, "total", column, skip_zero=False):
        if part["key"] == "vehicle":
            split = labelled_parts(table, "vehicle", column, skip_zero=False)
            if len(split) == 2:
                nonzero = [p for p in split if p["amount"] != 0]
                out.extend(nonzero or split[1:])
                continue
        out.append(part)
    return out


def function_groups(lines: list[FunctionLine], column: str = "project") -> list[dict[str, object]]:
    """Top-level lines (类, or lines without a code) with the leaf lines under each."""
    codes = [ln.code for ln in lines if ln.code]

    def is_leaf(code: str) -> bool:
        return not any(other != code and other.startswith(code) for other in codes)

    def top(line: FunctionLine) -> bool:
        if not line.code:
            return True
        return not any(c != line.code and line.code.startswith(c) for c in codes)

    groups = []
    for line in lines:
        if not top(line):
            continue
        children = [
            {"code": c.code, "name": c.name, "amount": getattr(c, column)}
            for c in lines
            if line.code
            and c.code
            and c.code != line.code
            and c.code.startswith(line.code)
            and is_leaf(c.code)
            and getattr(c, column) is not None
        ]
        amount = getattr(line, column)
        if amount is None and children:
            amount = sum((c["amount"] for c in children), Decimal(0))
        if amount is None:
            continue
        groups.append({"code": line.code, "name": line.name, "amount": amount, "children": children})
    return groups


def major_projects(projects: list[Project], threshold: Decimal) -> list[Project]:
    """Projects described one by one: 总造价 at or above the threshold (“50万元以上” includes 50)."""
    return [p for p in projects if p.cost >= threshold]
