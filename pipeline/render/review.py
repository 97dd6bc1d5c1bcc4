"""Review comments (批注): every warning about a figure the report prints becomes a Word comment at that figure.

The reviewer who opens the .docx never sees the console, so a figure ``validate`` doubts must say so where it stands:
"12678.39" in the body and in 附件1 each carry "“支出合计”的全年执行数为 12678.39，而……相差 4.50 万元". A warning
whose figure the report does not print (or prints too often to point at, like 0.00) goes into one short comment at
the title. The figure is found by its printed text, formatted as the template's number style formats it.
"""

from __future__ import annotations

import copy
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import fields
from decimal import Decimal
from typing import Any

from ..findings.codes import Severity
from ..findings.collector import Finding
from ..model import schema
from ..model.figure import CLOSE, MID, OPEN, unmarked
from ..model.record import Form, FormLine, Place, Table
from ..model.records import Report
from ..numbers import format_money, format_percent

AUTHOR, INITIALS = "genreport", "GR"
_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_P, _R, _T, _TBL = f"{_W}p", f"{_W}r", f"{_W}t", f"{_W}tbl"
MOST_PLACES = 3  # a figure printed more often than this is no place to point at (0.00, 100.00%)
TITLE_ITEMS = 8  # warnings listed in the title's comment; the rest are counted


def placed_values(report: Report) -> dict[tuple[str, str], tuple[Any, schema.Kind]]:
    """Every typed value by (sheet, cell), with the kind of its field (a rate prints as a percentage)."""
    out: dict[tuple[str, str], tuple[Any, schema.Kind]] = {}
    for item in (getattr(report, f.name) for f in fields(report)):
        if isinstance(item, Form):
            sheet = item.SHEET
            for row in sheet.rows:
                value = getattr(item, row.key)
                if isinstance(value, FormLine):
                    for column, cell in value.cells.items():
                        out[(sheet.name, cell)] = (getattr(value, column), row.kind)
                elif item.cells.get(row.key):
                    out[(sheet.name, item.cells[row.key])] = (value, row.kind)
        elif isinstance(item, Table):
            kinds = {c.key: c.kind for c in item.sheet.columns}
            for record in item:
                for key, cell in record.cells.items():
                    out[(item.sheet.name, cell)] = (getattr(record, key, None), kinds.get(key, schema.Kind.TEXT))
    return out


def figure_text(value: Any, kind: schema.Kind, decimals: int = 2, thousands: bool = False) -> str | None:
    """The figure as the report prints it, or None for what is not a figure (text, a blank)."""
    if not isinstance(value, Decimal) or value == 0:
        return None
    if kind is schema.Kind.PERCENT:
        return format_percent(value)
    if kind in (schema.Kind.MONEY, schema.Kind.DECIMAL):
        return format_money(value, decimals, thousands)
    return None


def doubted(findings: Sequence[Finding]) -> dict[Place, int]:
    """The cells the warnings are about, each numbered: what the renderer marks where it prints that cell's figure
    (``render.notes``), so the comment lands on that figure and no other that prints the same digits."""
    notes: dict[Place, int] = {}
    for f in findings:
        if f.severity == Severity.WARNING and f.cell and not getattr(f, "anchor", ""):
            notes.setdefault(Place(f.sheet, f.cell), len(notes))
    return notes


def add_review_comments(
    data: bytes,
    findings: Sequence[Finding],
    report: Report,
    *,
    notes: Mapping[Place, int] | None = None,
    decimals: int = 2,
    thousands: bool = False,
) -> bytes:
    """The .docx with a comment at each printed figure a warning concerns, and the other warnings at the title.

    A figure the renderer marked (``notes``: it printed that very cell) carries the comment at each mark; a finding
    with no mark falls back to its figure's printed text (a figure the template printed from a formatted string)."""
    warnings = [f for f in findings if f.severity == Severity.WARNING]
    if not warnings:
        return data
    import docx

    document = docx.Document(io.BytesIO(data))
    values = placed_values(report)
    runs = _Runs(document)
    elsewhere: list[Finding] = []
    for finding in warnings:
        anchor: str = getattr(finding, "anchor", "")  # the words a proofreading finding quotes
        pattern: re.Pattern[str] | None = None
        note = (notes or {}).get(Place(finding.sheet, finding.cell))
        if note is not None:
            pattern = _marked(note)
            found, places = runs.printing(pattern), len(runs.items)
        if pattern is None or not found:
            if anchor:
                pattern, places = re.compile(re.escape(anchor)), MOST_PLACES
            else:
                value, kind = values.get((finding.sheet, finding.cell), (None, schema.Kind.TEXT))
                text = figure_text(value, kind, decimals, thousands)
                pattern = _figure(text) if text else None
                places = _places(text or "")
            found = runs.printing(pattern) if pattern else []
        if pattern is None or not found or len(found) > places:
            elsewhere.append(finding)
            continue
        shift = 0  # runs added before the next found one by splitting the ones before it
        for index in found:
            run, added = runs.split_at(index + shift, pattern)
            shift += added
            document.add_comment(run, text=_note(finding), author=AUTHOR, initials=INITIALS)
    if elsewhere:
        _title_comment(document, elsewhere)
    if notes:
        _unmark(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _marked(note: int) -> re.Pattern[str]:
    """The marks of comment ``note`` around a figure; group 1 is the figure as printed (perhaps with other marks)."""
    return re.compile(f"{OPEN}{note}{MID}(.*?){CLOSE}", re.DOTALL)


def _unmark(document: Any) -> None:
    """Remove every mark the renderer left, in the body and in every other part (headers, footers, footnotes)."""
    for part in document.part.package.iter_parts():
        element = getattr(part, "_element", None)
        if element is not None:
            for t in element.iter(_T):
                if t.text and (OPEN in t.text or CLOSE in t.text):
                    t.text = unmarked(t.text)
        elif any(c.encode() in part.blob for c in (OPEN, CLOSE)):
            part._blob = unmarked(part.blob.decode("utf-8")).encode("utf-8")


def _places(text: str) -> int:
    """How often a figure may print and still be pointed at: 12678.39 is that figure wherever it stands, while
    100.00% or 50.00 could as well be another figure that happens to print the same."""
    return MOST_PLACES if len(re.sub(r"[^1-9]", "", text)) >= 3 else 1


def _note(finding: Finding) -> str:
    return f"{finding.message}（{finding.sheet}!{finding.cell}）" if finding.cell else finding.message


def _title_comment(document: Any, findings: list[Finding]) -> None:
    title = next((p for p in document.paragraphs if p.style.name == "Title" and p.runs), None)
    title = title or next((p for p in document.paragraphs if p.runs), None)
    if title is None:
        return
    lines = [f"genreport 检查发现 {len(findings)} 处问题，正文中无对应数字可标注："]
    where = [f"{f.sheet}!{f.cell}" if f.cell else f.sheet for f in findings]
    lines += [f"{i}. {w}：{f.message}" for i, (w, f) in enumerate(zip(where, findings, strict=True), 1)][:TITLE_ITEMS]
    if len(findings) > TITLE_ITEMS:
        lines.append(f"……另有 {len(findings) - TITLE_ITEMS} 处，见 genreport validate 的结果")
    document.add_comment(title.runs, text="\n".join(lines), author=AUTHOR, initials=INITIALS)


def _figure(text: str) -> re.Pattern[str]:
    """A figure as a whole number: 12678.39, not inside 112678.391."""
    return re.compile(rf"(?<![\d.,]){re.escape(text)}(?![\d])")


class _Runs:
    """Every run of the body's paragraphs, then of its tables', with its text, read once per report.

    Looking each finding's figure up through python-docx (every table cell, with its merge look-ups) cost a
    100-project report 25 s for 49 warnings; the texts are read once here and kept current as runs are split.
    """

    def __init__(self, document: Any) -> None:
        self._body = document._body
        body = document.element.body
        paragraphs = [p for p in body.iterchildren(_P)]
        for table in body.iterchildren(_TBL):
            paragraphs.extend(table.iter(_P))
        self.items: list[tuple[Any, Any, str]] = [  # the run element, its paragraph element, its text
            (r, p, r.text) for p in paragraphs for r in p.iterchildren(_R)
        ]

    def printing(self, pattern: re.Pattern[str]) -> list[int]:
        return [i for i, (_, _, text) in enumerate(self.items) if pattern.search(text)]

    def split_at(self, index: int, pattern: re.Pattern[str]) -> tuple[Any, int]:
        """The run cut in three around the figure (same formatting), so the comment covers the figure alone; a
        run holding more than plain text (a break, a tab) is covered whole. Also: how many runs were added."""
        from docx.text.run import Run

        element, paragraph, full = self.items[index]
        from docx.text.paragraph import Paragraph

        run = Run(element, Paragraph(paragraph, self._body))
        texts = element.findall(_T)
        if len(texts) != 1 or len(element) - (element.rPr is not None) != 1:
            return run, 0
        m = pattern.search(full)
        if m is None:
            return run, 0
        before, after = full[: m.start()], full[m.end() :]
        shown = m.group(1) if m.re.groups else m.group(0)  # a marked figure: its text, without the marks
        texts[0].text = shown
        pieces = [(element, paragraph, shown)]
        for part, place in ((before, "addprevious"), (after, "addnext")):
            if part:
                twin = copy.deepcopy(element)
                twin.findall(_T)[0].text = part
                twin.findall(_T)[0].set(_SPACE, "preserve")
                getattr(element, place)(twin)
                pieces.insert(0 if place == "addprevious" else len(pieces), (twin, paragraph, part))
        self.items[index : index + 1] = pieces
        return run, len(pieces) - 1
