"""汇总说明.docx: the bureau's note on a batch, its figures computed here, its wording in the summary template.

The template is a Word document like any report template (templates/summary/note.docx, editable in Word or WPS),
rendered by the report's own renderer: sandboxed, autoescaping, strict about a misspelt field.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from ..errors import TemplateProblem, display_path
from ..findings import codes
from ..findings.codes import Severity
from ..findings.collector import Finding
from ..numbers import quantize
from ..render.docx import DocxRenderer
from ..template.check import ERROR, TemplateInvalid
from ..template.check.parts import template_parts
from ..template.check.run import check_parts
from ..template.check.shape import Mapping, shape_of
from ..template.number_style import RenderOptions
from ..template.profile import default_rules, template_roots
from ..template.word import WordTemplate
from .rows import HAS_ERRORS, INDICATORS, PASSED, Overview, Row
from .vocabulary import CommonFinding, Failure, GradeCount, Scores, SummaryContext, UnitLine, UnitRate

NOTE_FOLDER, NOTE_FILE = "summary", "note.docx"  # not report.docx: no workbook may choose it as its report template
COMMON = 5  # kinds of finding the note names
SEVERITY = {"error": "错误", "warning": "警告"}
_TITLES = {c.code: c.title for c in codes.ALL}


def note_template() -> Path:
    """templates/summary/note.docx of the working folder (a bureau's own edit), else the checkout's or the
    installed one."""
    for root in template_roots():
        candidate = root / NOTE_FOLDER / NOTE_FILE
        if candidate.is_file():
            return candidate
    raise TemplateProblem(f"找不到汇总说明模板 templates/{NOTE_FOLDER}/{NOTE_FILE}")


def render_note(overview: Overview, template: Path | None = None, *, today: dt.date | None = None) -> bytes:
    """The note as .docx bytes. The template is checked first over every branch, as ``build`` checks a report's
    (a field misspelt where this batch's figures do not lead is found all the same): TemplateInvalid lists each
    mistake at its paragraph, TemplateProblem names a file that is no Word template."""
    path = template or note_template()
    renderer = DocxRenderer(path, RenderOptions())
    check_note(renderer)
    return renderer.render_bytes(note_context(overview, today=today))


def check_note(renderer: DocxRenderer) -> None:
    """Raise TemplateInvalid for the note template's errors, its fields checked against the declared context
    (an example that takes every branch: each list with an item)."""
    shown = display_path(renderer.path)
    try:
        parts = template_parts(WordTemplate(renderer.data, {}, shown))
    except TemplateProblem:
        raise
    except Exception as e:  # whatever python-docx raises for a file that is no Word document
        raise TemplateProblem(f"{shown}：不是可用的 Word 模板（{type(e).__name__}: {e}）") from e
    problems = check_parts(parts, renderer.env, _example_shape())
    errors = [p for p in problems if p.severity == ERROR]
    if errors:
        raise TemplateInvalid(shown, errors)


def _example_shape() -> Mapping:
    """The shape of a note context in which every list has an item and every optional figure a value."""
    finding = Finding(Severity.WARNING, codes.W_SUM_MISMATCH.code, "甲.xlsx", "收支预决算", "E9", "合计不符")
    scored = Row(
        file="甲.xlsx",
        unit="甲",
        year=2022,
        template="default",
        status=PASSED,
        errors=0,
        warnings=1,
        first_error="",
        score=Decimal("90.00"),
        grade="优",
        adjusted=Decimal(1),
        actual=Decimal(1),
        indicators={key: Decimal("0.5") for key, _ in INDICATORS},
        findings=(finding,),
    )
    failed = replace(scored, file="乙.xlsx", unit="乙", status=HAS_ERRORS, errors=1, first_error="错误", indicators={})
    shape = shape_of(note_context(Overview((scored, failed))))
    return shape if isinstance(shape, Mapping) else Mapping()


def note_context(overview: Overview, *, today: dt.date | None = None) -> SummaryContext:
    rows = overview.rows
    year = _year(rows)
    title = f"{year}年度部门整体支出绩效自评汇总说明" if year else "部门整体支出绩效自评汇总说明"
    day = today or dt.date.today()
    failed = [r for r in rows if r.failed]
    modelled = [r for r in rows if r.unit]
    rated = [(r, r.execution_rate) for r in modelled]
    below = sorted(
        ((r, rate) for r, rate in rated if rate is not None and rate < overview.threshold), key=lambda pair: pair[1]
    )
    return {
        "title": title,
        "document": {"title": title, "author": "genreport"},
        "year": year,
        "date": f"{day.year}年{day.month}月{day.day}日",
        "total": len(rows),
        "passed": len(rows) - len(failed),
        "failed": len(failed),
        "failures": [_failure(r) for r in failed],
        "scored": sum(1 for r in rows if r.score is not None),
        "grades": _grades(rows),
        "score": _scores(rows),
        "threshold": overview.threshold,
        "below": [UnitRate(unit=r.name, rate=rate) for r, rate in below],
        "no_rate": [r.name for r, rate in rated if rate is None],
        "findings": {
            "errors": sum(r.errors for r in rows),
            "warnings": sum(r.warnings for r in rows),
        },
        "common": _common(rows),
        "units": [_line(n, r) for n, r in enumerate(rows, 1)],
    }


def _year(rows: tuple[Row, ...]) -> int | None:
    years = Counter(r.year for r in rows if r.year is not None)
    return years.most_common(1)[0][0] if years else None


def _failure(row: Row) -> Failure:
    return Failure(unit=row.unit, file=row.file, first_error=row.first_error, errors=row.errors)


def _grades(rows: tuple[Row, ...]) -> list[GradeCount]:
    """Every grade of the default rules (with 0 where no unit has it), then any other a template's rules gave."""
    counts = Counter(r.grade for r in rows if r.grade is not None)
    names = [name for name, _ in default_rules().grades]
    names += [g for g in counts if g not in names]
    return [GradeCount(name=name, count=counts.get(name, 0)) for name in names]


def _scores(rows: tuple[Row, ...]) -> Scores:
    scored = [(r, r.score) for r in rows if r.score is not None]
    if not scored:
        return Scores(average=None, min=None, max=None, lowest=[], highest=[])
    values = [s for _, s in scored]
    low, high = min(values), max(values)
    return Scores(
        average=quantize(sum(values, Decimal(0)) / len(values), 2),
        min=low,
        max=high,
        lowest=[r.name for r, s in scored if s == low],
        highest=[r.name for r, s in scored if s == high],
    )


def _common(rows: tuple[Row, ...]) -> list[CommonFinding]:
    """The kinds of finding met most often (by count, then by units, then errors first), with how many units."""
    count: Counter[str] = Counter()
    units: dict[str, set[int]] = {}
    severity: dict[str, str] = {}
    for n, row in enumerate(rows):
        for f in row.findings:
            count[f.code] += 1
            units.setdefault(f.code, set()).add(n)
            severity[f.code] = f.severity
    ranked = sorted(count, key=lambda c: (-count[c], -len(units[c]), severity[c] != "error", c))
    return [
        CommonFinding(
            code=c,
            title=_TITLES.get(c, c),
            severity=SEVERITY.get(severity[c], severity[c]),
            count=count[c],
            units=len(units[c]),
        )
        for c in ranked[:COMMON]
    ]


def _line(index: int, row: Row) -> UnitLine:
    return UnitLine(
        index=index,
        unit=row.name,
        status=row.status,
        score=row.score,
        grade=row.grade,
        rate=row.execution_rate,
        errors=row.errors,
        warnings=row.warnings,
    )
