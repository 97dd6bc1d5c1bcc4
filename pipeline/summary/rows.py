"""One overview row per workbook of a batch: who it is, how it fared, and its scores, as the bureau tabulates them.

A row is made from an ``Inspection`` (read and checked: ``validate``, ``summary``) or a ``BuildResult`` with the
inspection of the same input (``build``), and is small and picklable, so worker processes can send it back.
Figures stay Decimal, rounded half-up as the report prints them: 总分 to 0.01, rates to 0.01 % (4 places of
the fraction), amounts to 0.01 万元.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ..derive.indicators import FUNDS_ROW, STANDARD
from ..errors import WorkbookInvalid, display_path
from ..findings.collector import Finding
from ..numbers import quantize
from ..session import BuildResult, Inspection, Profiles, inspect
from ..template.profile import TemplateProfile

DEFAULT_THRESHOLD = Decimal("0.9")  # 预算执行率 below this is named in the note (90 %)
INDICATORS: tuple[tuple[str, str], ...] = tuple((key, name) for key, name, _, _ in STANDARD)
RATE_PLACES = 4  # a fraction to 0.01 %

PASSED, HAS_ERRORS, BUILT, NOT_BUILT = "通过", "有错误", "已生成", "未生成"


@dataclass(frozen=True)
class Row:
    """One workbook of the batch, as a line of 汇总.xlsx."""

    file: str  # the input as the console names it
    unit: str  # 单位名称; "" where the workbook could not be read that far
    year: int | None
    template: str  # the template it was read for; "" where none was chosen
    status: str  # 通过 / 有错误 (checked), 已生成 / 未生成 (built)
    errors: int
    warnings: int
    first_error: str  # "工作表!单元格 message" of the first error, or what stopped the build
    score: Decimal | None  # 总分 of the 部门整体支出绩效自评表
    grade: str | None  # 等级
    adjusted: Decimal | None  # 收入合计 全年预算数（万元）: the figures 预算执行率 divides (indicators.FUNDS_ROW)
    actual: Decimal | None  # 收入合计 全年执行数（万元）
    indicators: dict[str, Decimal | None] = field(default_factory=dict)  # by key of INDICATORS, fractions
    outputs: tuple[str, ...] = ()  # names of the files written for it
    findings: tuple[Finding, ...] = ()

    @property
    def failed(self) -> bool:
        return self.status in (HAS_ERRORS, NOT_BUILT)

    @property
    def execution_rate(self) -> Decimal | None:
        """预算执行率 (全年执行数 ÷ 全年预算数 of 支出合计)."""
        return self.indicators.get("budget_execution_rate")

    @property
    def name(self) -> str:
        """The unit, or the file's name where the workbook did not say."""
        return self.unit or Path(self.file).name


@dataclass(frozen=True)
class Overview:
    """The rows of a batch in input order, and the 预算执行率 below which the note names a unit."""

    rows: tuple[Row, ...]
    threshold: Decimal = DEFAULT_THRESHOLD


def overview(
    results: Sequence[Inspection | BuildResult | Row],
    *,
    inspections: Sequence[Inspection] = (),
    profile: TemplateProfile | None = None,
    threshold: Decimal = DEFAULT_THRESHOLD,
) -> Overview:
    """The overview of a batch, rows in the order of ``results``.

    A BuildResult carries no model: its unit, year and scores come from the Inspection of the same input among
    ``inspections`` (as ``batch.inspect_all(..., model=True)`` returns them), else from reading it again here with
    ``profile`` (None: each workbook's 模板 row, as build chooses).
    """
    by_path = {i.path: i for i in inspections}
    profiles = Profiles()
    rows = []
    for result in results:
        if isinstance(result, Row):
            rows.append(result)
        elif isinstance(result, Inspection):
            rows.append(row_of(result))
        else:
            found = result.inspection or by_path.get(result.input) or inspect(result.input, profile, profiles)
            rows.append(row_of_build(result, found))
    return Overview(tuple(rows), threshold)


def row_of(inspection: Inspection) -> Row:
    """The row of a workbook that was read and checked."""
    errors = [f for f in inspection.findings if f.severity == "error"]
    return _row(inspection, HAS_ERRORS if errors else PASSED, _first(errors), inspection.findings, ())


def row_of_build(result: BuildResult, inspection: Inspection) -> Row:
    """The row of a workbook built (or refused): its findings and files from the build, its figures from the
    inspection of the same input."""
    findings = list(result.findings)
    if result.error is None:
        return _row(inspection, BUILT, "", findings, tuple(p.name for p in result.outputs))
    if isinstance(result.error, WorkbookInvalid) and result.error.findings:
        first = _first(result.error.findings)  # under --strict a warning stops it, and is named
    else:  # the template, the disk or LibreOffice, not the workbook
        first = str(result.error).removeprefix(f"{display_path(result.input)}：")
    return _row(inspection, NOT_BUILT, first, findings, tuple(p.name for p in result.outputs))


def _row(
    inspection: Inspection, status: str, first_error: str, findings: Sequence[Finding], outputs: tuple[str, ...]
) -> Row:
    derived = inspection.derived
    card = derived.department if derived is not None else None
    return Row(
        file=display_path(inspection.path),
        unit=derived.report.basic.name if derived is not None else "",
        year=derived.report.basic.year if derived is not None else None,
        template=Path(inspection.profile.name).name if inspection.profile is not None else "",  # as 模板 names it
        status=status,
        errors=sum(1 for f in findings if f.severity == "error"),
        warnings=sum(1 for f in findings if f.severity == "warning"),
        first_error=first_error,
        score=_round(card.total, 2) if card is not None else None,
        grade=card.grade if card is not None else None,
        adjusted=_round(derived.budget.get(FUNDS_ROW, "adjusted"), 2) if derived is not None else None,
        actual=_round(derived.budget.get(FUNDS_ROW, "actual"), 2) if derived is not None else None,
        indicators={key: _round(derived.indicators[key].value, RATE_PLACES) for key, _ in INDICATORS}
        if derived is not None
        else {},
        outputs=outputs,
        findings=tuple(findings),
    )


def _first(findings: Sequence[Finding]) -> str:
    if not findings:
        return ""
    first = findings[0]
    where = f"{first.sheet}!{first.cell} " if first.cell else (f"{first.sheet} " if first.sheet else "")
    return where + first.message


def _round(value: Decimal | None, places: int) -> Decimal | None:
    return None if value is None else quantize(value, places)
