"""One round of checking: the warnings a workbook earns while an error still stands in it.

A cell-level error (text in an amount, a blank required cell, a value not in its dropdown) leaves its cell blank in
the model and every other figure as typed, so the consistency checks can still run. What they say is kept only where
no blocked cell can have fed it: a warning on the same row or column of a sheet as a blocked cell may be built on
the blank (on a list sheet, any warning of that sheet: a row's key links it to totals and other sheets), and so may
one that compares sheets when a sheet it reads holds one. Proofreading reads only text and
always stands. An error that leaves the workbook's shape in doubt (a sheet, a column or a row missing, a key given
twice) stops the checks as before: then no figure can be trusted to be where it is expected.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from ..findings import codes
from ..findings.collector import Finding
from ..model import schema

# errors that leave one cell blank in the model, and nothing else in doubt
CELL_ERRORS = frozenset(
    c.code
    for c in (
        codes.E_REQUIRED,
        codes.E_FIELD_MISSING,
        codes.E_FORMULA_NO_VALUE,
        codes.E_ERROR_VALUE,
        codes.E_NOT_NUMBER,
        codes.E_NOT_INT,
        codes.E_NOT_TEXT,
        codes.E_NOT_DATE,
        codes.E_CODE,
        codes.E_TIME_VALUE,
        codes.E_TOO_LARGE,
        codes.E_NEGATIVE,
        codes.E_CHOICE,
        codes.E_MERGED_CELLS,
        codes.E_YEAR_MISMATCH,
        codes.E_UNIT,
    )
)

# warnings read from the text alone
TEXT_ONLY = frozenset(
    c.code
    for c in (
        codes.W_DOC_NUMBER,
        codes.W_BRACKETS,
        codes.W_DIGITS,
        codes.W_REPEATED_WORD,
        codes.W_STALE_WORDING,
        codes.W_TEXT_MISSING,
        codes.W_STALE_YEAR,
        codes.W_UNIT_WORD,
        codes.W_STRAY_SPACE,
    )
)

# warnings that compare figures of other sheets than their own: the sheets they read (None: every sheet)
READS: dict[str, frozenset[str] | None] = {
    codes.W_FUNCTIONS_TOTAL.code: frozenset({"支出明细", "收支预决算"}),
    codes.W_FUND_PROJECT.code: frozenset({"项目", "项目资金来源"}),
    codes.W_KPI_PROJECT.code: frozenset({"绩效指标", "项目"}),
    codes.W_POINTS_TOTAL.code: frozenset({"绩效指标"}),
    codes.W_UNIT_SUSPECT.code: frozenset({"收支预决算"}),  # judged against the unit's size, its 收入合计/支出合计
    codes.W_SCORE_INCOMPLETE.code: None,
}

_CELL = re.compile(r"^([A-Z]{1,3})(\d+)$")
# sheets of fixed rows, where a figure feeds only its column's totals and its row's comparisons
_FORMS = frozenset(s.name for s in schema.SHEETS if isinstance(s, schema.FormSheet))


def checkable(errors: Iterable[Finding]) -> bool:
    """Whether the checks can run beside these errors: each blocks one cell and leaves the shape as it was."""
    return all(e.code in CELL_ERRORS for e in errors)


def unblocked(warnings: Sequence[Finding], errors: Sequence[Finding]) -> list[Finding]:
    """The warnings no blocked cell can have fed (see the module's docstring)."""
    rows: set[tuple[str, str]] = set()
    columns: set[tuple[str, str]] = set()
    sheets: set[str] = set()
    for error in errors:
        sheets.add(error.sheet)
        match = _CELL.match(error.cell or "")
        if match and error.sheet in _FORMS:
            columns.add((error.sheet, match.group(1)))
            rows.add((error.sheet, match.group(2)))
        else:  # a list's row (its key may be what links it to others), a range, no cell: the whole sheet
            columns.add((error.sheet, "*"))
    kept = []
    for warning in warnings:
        if warning.code in TEXT_ONLY:
            kept.append(warning)
            continue
        reads = READS.get(warning.code, frozenset())
        if (reads is None and errors) or (reads and reads & sheets):
            continue
        match = _CELL.match(warning.cell or "")
        if (warning.sheet, "*") in columns:
            continue
        if match and ((warning.sheet, match.group(1)) in columns or (warning.sheet, match.group(2)) in rows):
            continue
        if not match and warning.sheet in sheets:
            continue
        kept.append(warning)
    return kept
