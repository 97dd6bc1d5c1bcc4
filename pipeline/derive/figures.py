"""Figures derived from what the user typed: effective totals, differences, the 科目 hierarchy, groupings.

A total the user typed is kept as typed (a mismatch is a finding, not a fix); a blank total is computed from all of
its parts (never from some of them: ``schema.column_figures``), and a blank row declared as a difference
(净资产 = 资产总额 − 负债总额) from its two terms.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..model import schema
from ..model.figure import placed
from ..model.record import Form, Place
from ..model.records import FunctionLine, Project, Staffing
from ..numbers import ratio


@dataclass(frozen=True)
class Totals:
    """A form sheet's figures after derivation, by (row, column); a key the sheet lacks is an error, not None."""

    sheet: schema.FormSheet
    values: Mapping[tuple[str, str], Decimal | None]

    def get(self, row: str, column: str) -> Decimal | None:
        return self.values[(row, column)]

    def difference(self, row: str, column: str) -> Decimal | None:
        """A row declared as a difference, computed from its terms even where the row itself was typed."""
        terms = self.sheet.row(row).difference
        if terms is None:
            raise KeyError(f"{self.sheet.name}: {row} is not declared as a difference")
        minuend, subtrahend = (self.get(key, column) for key in terms)
        return None if minuend is None or subtrahend is None else minuend - subtrahend

    def column(self, column: str) -> dict[str, Decimal | None]:
        return {f.key: self.get(f.key, column) for f in self.sheet.rows}


def totals_of(form: Form) -> Totals:
    """Every figure of a form sheet, by ``schema.column_figures``: typed figures as typed, blank totals from all of
    their parts, never from some of them."""
    sheet = form.SHEET
    values: dict[tuple[str, str], Decimal | None] = {}
    for c in sheet.columns:
        stated = {f.key: _stated(form, f.key, c.key) for f in sheet.rows}
        for row, figure in schema.column_figures(sheet, stated).items():
            values[(row, c.key)] = figure
    return Totals(sheet, values)


def _decimal(value: Any) -> Decimal | None:
    return value if isinstance(value, Decimal) else None


def _stated(form: Form, row: str, column: str) -> Decimal | None:
    """A typed figure, as a Figure that knows its cell (a computed one has no cell, and stays a Decimal)."""
    value = _decimal(form.get(row, column))
    return None if value is None else placed(value, Place(form.SHEET.name, form.cell(row, column)))


@dataclass(frozen=True)
class Sums:
    """What the indicators are computed from: the form sheets' totals and the staffing list. An optional sheet the
    workbook leaves out or blank has no totals (None): its figures are absent, not 0."""

    budget: Totals
    three_public: Totals | None
    procurement: Totals | None
    assets: Totals | None
    staffing: Sequence[Staffing]


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


def year_on_year(totals: Totals | None, current: str) -> dict[str, dict[str, object]]:
    """同比 for every row with both 上年决算数 and this year's figure: word, amount (增减额), rate (增减率).

    Both figures are typed or computed from all of their parts (``totals_of``), so no 同比 compares a partial sum.
    """
    out: dict[str, dict[str, object]] = {}
    if totals is None:
        return out
    for f in totals.sheet.rows:
        prior, now = totals.get(f.key, "prior"), totals.get(f.key, current)
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


def labelled_parts(totals: Totals, parent: str, column: str, *, skip_zero: bool) -> list[dict[str, object]]:
    """Children of ``parent`` as {label, amount}, in schema order, for "其中：……" sentences."""
    out: list[dict[str, object]] = []
    for f in totals.sheet.rows:
        if f.parent != parent:
            continue
        amount = totals.get(f.key, column)
        if amount is None or (skip_zero and amount == 0):
            continue
        out.append({"key": f.key, "label": f.label.removeprefix("其中："), "amount": amount})
    return out


def vehicle_aware_parts(totals: Totals, column: str) -> list[dict[str, object]]:
    """三公 items; the vehicle line is split into 购置/运行维护 when both are given, naming only non-zero ones."""
    out: list[dict[str, object]] = []
    for part in labelled_parts(totals, "total", column, skip_zero=False):
        if part["key"] == "vehicle":
            split = labelled_parts(totals, "vehicle", column, skip_zero=False)
            if len(split) == 2:
                nonzero = [p for p in split if p["amount"] != 0]
                out.extend(nonzero or split[1:])
                continue
        out.append(part)
    return out


class FunctionTree:
    """The 科目 hierarchy of 支出明细, declared by code length (类 3, 款 5, 项 7 digits): the one place it is read.

    A line's parent is the longest given code that its own code extends; a line without a code stands alone.
    """

    def __init__(self, lines: Sequence[FunctionLine]) -> None:
        self.lines = list(lines)
        self.by_code = {ln.code: ln for ln in self.lines if ln.code}
        # every proper prefix of a given code that is as long as some given code: a line is a leaf unless its code
        # is one (a set lookup per line, not a scan of every code, so 支出明细 of thousands of lines costs what it
        # holds; and 2 prefixes of a 7-digit code, not 6)
        self._lengths = {len(code) for code in self.by_code}
        self._extended = {code[:k] for code in self.by_code for k in self._lengths if k < len(code)}

    def parent(self, line: FunctionLine) -> FunctionLine | None:
        code = line.code
        for length in (5, 3):
            if code and len(code) > length and code[:length] in self.by_code:
                return self.by_code[code[:length]]
        return None

    def is_top(self, line: FunctionLine) -> bool:
        code = line.code
        return not code or not any(code[:k] in self.by_code for k in range(1, len(code)))

    def is_leaf(self, line: FunctionLine) -> bool:
        code = line.code
        if not code:
            return True
        if len(code) in self._lengths:  # every line of the tree's own: its prefixes of that length were kept
            return code not in self._extended
        return not any(len(c) > len(code) and c.startswith(code) for c in self.by_code)

    def siblings(self) -> dict[str | None, list[FunctionLine]]:
        """Lines grouped by their parent's code (None: the top level), in sheet order."""
        groups: dict[str | None, list[FunctionLine]] = {}
        for line in self.lines:
            parent = self.parent(line)
            groups.setdefault(parent.code if parent else None, []).append(line)
        return groups

    def groups(self, column: str = "project") -> list[dict[str, object]]:
        """Top-level lines (类, or lines without a code) with the leaf lines under each, for the report's prose."""
        lines, extended = self.lines, self._extended
        tops = self._top_codes()
        lengths = sorted({len(code) for code in tops})
        under: dict[str, list[dict[str, Any]]] = {}  # a top code → its leaf lines, in sheet order
        for c in lines:
            code = c.code
            if not code or code in extended:  # not a leaf with a code
                continue
            amount = c.value(column)
            if amount is None:
                continue
            for k in lengths:  # each proper prefix of the length of a top code (most are 类, 3 digits)
                if k < len(code) and code[:k] in tops:
                    under.setdefault(code[:k], []).append({"code": code, "name": c.name, "amount": amount})
        out = []
        for line in lines:
            code = line.code
            if code and code not in tops:  # not is_top
                continue
            children = list(under.get(code, [])) if code else []
            amount = line.value(column)
            if amount is None and children:
                amount = sum((c["amount"] for c in children), Decimal(0))
            if amount is None:
                continue
            out.append({"code": code, "name": line.name, "amount": amount, "children": children})
        return out

    def _top_codes(self) -> set[str]:
        """The codes of the lines ``is_top`` holds (a line without a code is one too), each code tested once."""
        by_code = self.by_code
        lengths = sorted({len(code) for code in by_code})  # a proper prefix in by_code has one of their lengths
        return {code for code in by_code if not _prefix_in(code, by_code, lengths)}


def _prefix_in(code: str, codes: Mapping[str, object], lengths: list[int]) -> bool:
    """Whether a proper prefix of ``code`` is one of ``codes``, whose lengths are ``lengths``."""
    for k in lengths:  # noqa: SIM110 - a loop, not any() of a generator: asked of each code of 支出明细
        if k < len(code) and code[:k] in codes:
            return True
    return False


def is_major(project: Project, threshold: Decimal) -> bool:
    """Described one by one: 总造价 at or above the threshold (“50万元以上” includes 50). A spending item without a
    总造价 (a 民生 or 会议 item) is measured by what the year gave it: its 全年预算数 or 全年执行数."""
    if project.cost is not None:
        return project.cost >= threshold
    return any(v is not None and v >= threshold for v in (project.adjusted, project.actual))


def major_projects(projects: Sequence[Project], threshold: Decimal) -> list[Project]:
    return [p for p in projects if is_major(p, threshold)]
