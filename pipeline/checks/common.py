"""What every consistency check shares: the one part–whole comparison, and how figures and names are quoted."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from weakref import WeakKeyDictionary

from ..findings import codes
from ..findings.codes import Code
from ..findings.collector import Findings
from ..model import schema
from ..model.record import Form, Place
from ..numbers import format_money


def add(out: Findings, code: Code, place: Place, message: str) -> None:
    out.add(code, place.sheet, place.cell, message)


def compare_parts(
    out: Findings,
    place: Place,
    whole: str,
    parts: Sequence[tuple[str, Decimal | None]],
    stated: Decimal,
    tolerance: Decimal,
    *,
    named: str = "",
    named_given: str = "",
    mismatch: Code = codes.W_SUM_MISMATCH,
    blank_is_zero: bool = False,
) -> None:
    """A stated whole against its parts. With every part given (or blanks counting as 0), a difference beyond the
    tolerance is ``mismatch``; with some parts blank, only given parts that already exceed the whole are reported.

    ``whole`` names the stated figure ("“支出合计”的全年执行数"); the parts are named by their labels joined with ＋,
    or by ``named`` / ``named_given`` ("其下级科目" / "下级科目").
    """
    found = parts_disagree(
        whole,
        parts,
        stated,
        tolerance,
        named=named,
        named_given=named_given,
        mismatch=mismatch,
        blank_is_zero=blank_is_zero,
    )
    if found is not None:
        add(out, found[0], place, found[1])


def parts_disagree(
    whole: str,
    parts: Sequence[tuple[str, Decimal | None]],
    stated: Decimal,
    tolerance: Decimal,
    *,
    named: str = "",
    named_given: str = "",
    mismatch: Code = codes.W_SUM_MISMATCH,
    blank_is_zero: bool = False,
) -> tuple[Code, str] | None:
    """compare_parts' finding (its code and message) without its place, or None where the parts agree: a check of
    many wholes (a 科目 per parent, a project per column) makes the place only for the few that disagree."""
    given = [(label, value) for label, value in parts if value is not None]
    if not given:
        return None
    total = sum((value for _, value in given), Decimal(0))
    if not all(type(label) is str for label, _ in given):
        _joined(given)  # raises where a label cannot be quoted (a blanked one is None), as quoting them first did
    diff = total - stated
    complete = blank_is_zero or len(given) == len(parts)
    if complete and abs(diff) > tolerance:
        names = named or _joined(given)
        return mismatch, f"{whole}为 {money(stated)}，而{names}合计 {money(total)}，相差 {money(abs(diff))} 万元"
    if not complete and diff > tolerance:
        names = named_given or _joined(given)
        return (
            codes.W_PARTS_EXCEED,
            f"{whole}为 {money(stated)}，已填写的{names}合计 {money(total)} 已超出 {money(diff)} 万元",
        )
    return None


def _joined(given: Sequence[tuple[str, Decimal]]) -> str:
    """The parts' labels joined with ＋, each quoted: quoted only for a message, not for every sum that agrees."""
    return "＋".join(quote(label) for label, _ in given)


_REPORTED: WeakKeyDictionary[Findings, tuple[int, set[tuple[str, str, str]]]] = WeakKeyDictionary()


def flagged(out: Findings, place: Place, code: Code = codes.W_UNIT_SUSPECT) -> bool:
    """Whether ``code`` was already reported at ``place``: one slip, one finding. Findings are only ever appended,
    so an index of what was reported grows with them instead of every question rescanning the list (a check asks
    once per amount of 20,000 projects)."""
    return (code.code, place.sheet, place.cell) in _reported(out)


def flagged_cell(out: Findings, sheet: str, cells: Iterable[str], code: Code = codes.W_UNIT_SUSPECT) -> bool:
    """Whether ``code`` was already reported at any of ``cells`` of ``sheet``: flagged for a sheet's column at once,
    without a Place made for each of its cells."""
    seen = _reported(out)
    return any((code.code, sheet, cell) in seen for cell in cells)


def _reported(out: Findings) -> set[tuple[str, str, str]]:
    count, seen = _REPORTED.get(out, (0, set()))
    if count > len(out.items):  # not the list indexed: start over
        count, seen = 0, set()
    seen.update((f.code, f.sheet, f.cell) for f in out.items[count:])
    _REPORTED[out] = (len(out.items), seen)
    return seen


def times(value: Decimal, whole: Decimal) -> Decimal:
    """How many times ``whole`` a value is, to the unit (四舍五入)."""
    return (value / whole).quantize(Decimal(1), rounding=ROUND_HALF_UP)


def labels(names: Iterable[str]) -> str:
    """Labels quoted one after another: “人员经费”“公用经费”."""
    return "".join(quote(name) for name in names)


def quote(label: str) -> str:
    """A label in quotation marks; quotes inside it become single ones (“‘三公’经费合计”)."""
    return "“" + label.replace("“", "‘").replace("”", "’") + "”"


def money(value: Decimal) -> str:
    return format_money(value)


def column_phrase(sheet: schema.FormSheet, column: str) -> str:
    if len(sheet.columns) == 1:
        return ""
    return "的" + next(c.label for c in sheet.columns if c.key == column)


def form_place(form: Form, row: str, column: str) -> Place:
    return Place(form.SHEET.name, form.cell(row, column))


def unit_hint(unit: str) -> str:
    if unit == schema.DEFAULT_UNIT:
        return "可能按元填写（本表金额单位为万元）或多输了数字"
    return "请核对（本表金额单位为元，已换算为万元）"
