"""Review comments (批注): every warning about a figure the report prints becomes a Word comment at that figure.

The reviewer who opens the .docx never sees the console, so a figure ``validate`` doubts must say so where it stands:
"12678.39" in the body and in 附件1 each carry "“支出合计”的全年执行数为 12678.39，而……相差 4.50 万元". A warning
whose figure the report does not print (or prints too often to point at, like 0.00) goes into one short comment at
the title. The figure is found by its printed text, formatted as the template's number style formats it.

The comments are placed in the rendered body while it is still a tree (``place_comments``, called by the renderer
between rendering and serializing): one walk over the runs, no second parse or zip of the document. What they say
becomes word/comments.xml (``comments_xml``), which the renderer adds to the package it writes.
"""

from __future__ import annotations

import bisect
import itertools
import operator
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from lxml import etree

from ..cache import content_pattern
from ..findings.codes import Severity
from ..findings.collector import Finding
from ..model import schema
from ..model.figure import CLOSE, MID, OPEN, unmarked
from ..model.record import Form, FormLine, Place, Table
from ..model.records import Report
from ..numbers import format_money, format_percent
from .properties import made_at

AUTHOR, INITIALS = "genreport", "GR"
_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_NS_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = f"{{{_NS_W}}}"
_P, _R, _T, _TBL, _RPR, _PPR = f"{_W}p", f"{_W}r", f"{_W}t", f"{_W}tbl", f"{_W}rPr", f"{_W}pPr"
_ID, _VAL = f"{_W}id", f"{_W}val"
_TEXT_OF = {f"{_W}tab": "\t", f"{_W}ptab": "\t", f"{_W}cr": "\n", f"{_W}noBreakHyphen": "-"}
_BR, _BR_TYPE, _TC, _TR = f"{_W}br", f"{_W}type", f"{_W}tc", f"{_W}tr"
_TEXT_TAGS = (_T, _BR, *_TEXT_OF)  # a run's children that give it text
_SEPARATOR = "\x00"  # in no run's text: XML cannot hold it
_MARK_OPEN = re.compile(f"{OPEN}\\d+{MID}")
_MARK_CHAR = re.compile(f"[{OPEN}{CLOSE}]")
MOST_PLACES = 3  # a figure printed more often than this is no place to point at (0.00, 100.00%)
TITLE_ITEMS = 8  # warnings listed in the title's comment; the rest are counted
COMMENTS_PART = "/word/comments.xml"
COMMENTS_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"
COMMENTS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"
# the namespaces python-docx's own empty comments part declares (docx/templates/default-comments.xml)
_COMMENTS_NSMAP = {
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "pic": "http://schemas.openxmlformats.org/drawingml/2006/picture",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "w": _NS_W,
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "a14": "http://schemas.microsoft.com/office/drawing/2010/main",
    "w14": "http://schemas.microsoft.com/office/word/2010/wordml",
    "wpc": "http://schemas.microsoft.com/office/word/2010/wordprocessingCanvas",
}


def placed_values(report: Report, sheet_name: str | None = None) -> dict[tuple[str, str], tuple[Any, schema.Kind]]:
    """Every typed value by (sheet, cell), with the kind of its field (a rate prints as a percentage); only those of
    sheet ``sheet_name`` where it is given."""
    return _placed([getattr(report, f.name) for f in fields(report)], sheet_name)


def _placed(items: Iterable[Any], sheet_name: str | None) -> dict[tuple[str, str], tuple[Any, schema.Kind]]:
    """``placed_values`` of the report whose fields hold ``items``."""
    out: dict[tuple[str, str], tuple[Any, schema.Kind]] = {}
    for item in items:
        if isinstance(item, Form):
            sheet = item.SHEET
            if sheet_name is not None and sheet.name != sheet_name:
                continue
            for row in sheet.rows:
                value = getattr(item, row.key)
                if isinstance(value, FormLine):
                    for column, cell in value.cells.items():
                        out[(sheet.name, cell)] = (getattr(value, column), row.kind)
                elif item.cells.get(row.key):
                    out[(sheet.name, item.cells[row.key])] = (value, row.kind)
        elif isinstance(item, Table):
            if sheet_name is not None and item.sheet.name != sheet_name:
                continue
            kinds = _kinds(item)
            for record in item:
                for key, cell in record.cells.items():
                    out[(item.sheet.name, cell)] = (getattr(record, key, None), kinds.get(key, schema.Kind.TEXT))
    return out


def _kinds(table: Table[Any]) -> dict[str, schema.Kind]:
    return {c.key: c.kind for c in table.sheet.columns}


class _SheetValues:
    """``placed_values`` looked up a cell at a time: a form sheet read whole on its first need, a list found by the
    row of the cell (a list's record lies on one row; one that does not is found by reading its sheet whole).
    Reading every list's every cell cost a report of some hundred rows about 3 ms, for the few it comments on.
    Several warnings about one cell (and a figure printed too often, looked for again) ask for it again: each
    answer is kept."""

    def __init__(self, report: Report) -> None:
        self._sheet_items: dict[str, list[Any]] = {}  # the report's forms and lists of each sheet, in field order
        for item in (getattr(report, f.name) for f in fields(report)):
            if isinstance(item, Form):
                self._sheet_items.setdefault(item.SHEET.name, []).append(item)
            elif isinstance(item, Table):
                self._sheet_items.setdefault(item.sheet.name, []).append(item)
        self._sheets: dict[str, dict[tuple[str, str], tuple[Any, schema.Kind]]] = {}
        self._lists: set[str] = set()  # the list sheets read whole
        self._tables = {t.sheet.name: t for items in self._sheet_items.values() for t in items if isinstance(t, Table)}
        self._rows: dict[str, dict[str, Any]] = {}
        self._kinds: dict[int, dict[str, schema.Kind]] = {}  # by id: a Table hashes its every record
        self._got: dict[tuple[str, str, bool], tuple[Any, schema.Kind]] = {}
        self._asked: dict[str, int] = {}  # cells asked of each list read whole
        self._cells: dict[str, dict[str, tuple[Any, Any, str]]] = {}  # such a list's cells, once asked often

    def get(self, sheet: str, cell: str) -> tuple[Any, schema.Kind]:
        key = (sheet, cell, self._whole(sheet))  # kept apart: an answer read by row, and one from the whole sheet
        got = self._got.get(key)
        if got is None:
            got = self._got[key] = self._get(sheet, cell)
        return got

    def _whole(self, sheet: str) -> bool:
        return sheet in self._sheets or sheet in self._lists

    def _get(self, sheet: str, cell: str) -> tuple[Any, schema.Kind]:
        table = self._tables.get(sheet)
        if table is not None and not self._whole(sheet):
            rows = self._rows.get(sheet)
            if rows is None:
                rows = self._rows[sheet] = _rows(table)
            record = rows.get(_row(cell))
            for key, at in record.cells.items() if record is not None else ():
                if at == cell:
                    return getattr(record, key, None), self._kind(table, key)
        if not self._whole(sheet):
            self._read_whole(sheet)
        if sheet not in self._lists:
            return self._sheets[sheet].get((sheet, cell), (None, schema.Kind.TEXT))
        index = self._cells.get(sheet)
        if index is None:
            asked = self._asked[sheet] = self._asked.get(sheet, 0) + 1
            if asked > _SEARCHED:  # asked often: every cell indexed once, rather than every record searched each time
                index = self._cells[sheet] = _cell_index(self._sheet_items.get(sheet, []))
        if index is not None:
            found = index.get(cell)
            return (getattr(found[1], found[2], None), self._kind(found[0], found[2])) if found else (None, _TEXT)
        for table in reversed(self._sheet_items.get(sheet, [])):  # the last to name it, as placed_values keeps it
            for record in reversed(tuple(table)):
                if cell in record.cells.values():
                    key = [key for key, at in record.cells.items() if at == cell][-1]
                    return getattr(record, key, None), self._kind(table, key)
        return None, schema.Kind.TEXT

    def _kind(self, table: Table[Any], key: str) -> schema.Kind:
        kinds = self._kinds.get(id(table))
        if kinds is None:
            kinds = self._kinds[id(table)] = _kinds(table)
        return kinds.get(key, schema.Kind.TEXT)

    def _read_whole(self, sheet: str) -> None:
        """``placed_values`` of the sheet; a sheet only lists fill is instead searched for each cell asked, from
        its last record back (the record ``placed_values`` would take the value from): a cell no record names
        (a list's 合计 row) costs a look at each record's cells, instead of some hundred values read."""
        items = self._sheet_items.get(sheet, [])
        if any(isinstance(i, Form) for i in items):
            self._sheets[sheet] = _placed(items, sheet)  # the sheet's items give all placed_values gives of it
            return
        self._lists.add(sheet)


_SEARCHED = 3  # cells of a list read whole searched for record by record before its every cell is indexed
_TEXT = schema.Kind.TEXT


def _cell_index(items: Sequence[Any]) -> dict[str, tuple[Any, Any, str]]:
    """(table, record, key) by cell, the last to name a cell kept, as placed_values keeps it."""
    index: dict[str, tuple[Any, Any, str]] = {}
    for table in items:
        for record in table:
            for key, at in record.cells.items():
                index[at] = (table, record, key)
    return index


def _rows(table: Table[Any]) -> dict[str, Any]:
    """Each record by the row of its first cell (the last of a row), in one loop: a list of some hundred records
    is read so in every report that comments on it."""
    rows: dict[str, Any] = {}
    column, strip = _COLUMN, "ABCDEFGHIJKLMNOPQRSTUVWXYZ$"
    for record in table:
        for first in record.cells.values():
            if len(first) > 1 and first[0] in column and first[1] not in column:
                rows[first[1:]] = record
            else:
                rows[first.lstrip(strip)] = record
            break
    return rows


def _row(cell: str) -> str:
    if len(cell) > 1 and cell[0] in _COLUMN and cell[1] not in _COLUMN:  # B12: lstrip's answer, 3x sooner
        return cell[1:]
    return cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ$")


_COLUMN = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ$")


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


@dataclass(frozen=True)
class TitleStyles:
    """Which paragraph styles are named Title, as python-docx resolves ``paragraph.style`` (an unknown or missing
    style id is the default paragraph style): worked out once per template, so a report needs no style look-up."""

    ids: frozenset[str] = frozenset()
    known: frozenset[str] = frozenset()  # every paragraph style id
    default_is_title: bool = False

    @classmethod
    def of(cls, styles: Any) -> TitleStyles:
        """From python-docx's ``Document.styles``."""
        from docx.enum.style import WD_STYLE_TYPE

        paragraph = [s for s in styles if s.type == WD_STYLE_TYPE.PARAGRAPH]
        default = styles.default(WD_STYLE_TYPE.PARAGRAPH)
        return cls(
            frozenset(s.style_id for s in paragraph if s.name == "Title"),
            frozenset(s.style_id for s in paragraph),
            default is not None and default.name == "Title",
        )

    def __call__(self, p: Any) -> bool:
        style = p.find(f"{_PPR}/{_W}pStyle")
        style_id = style.get(_VAL) if style is not None else None
        if style_id and style_id in self.known:
            return style_id in self.ids
        return self.default_is_title


@dataclass
class Review:
    """One report's warnings, to become comments where the report prints their figures."""

    warnings: Sequence[Finding]
    report: Report
    notes: Mapping[Place, int] = field(default_factory=dict)
    decimals: int = 2
    thousands: bool = False

    @classmethod
    def of(cls, findings: Sequence[Finding], report: Report, decimals: int = 2, thousands: bool = False) -> Review:
        warnings = [f for f in findings if f.severity == Severity.WARNING]
        return cls(warnings, report, doubted(warnings), decimals, thousands)


def place_comments(body: Any, review: Review, is_title: Callable[[Any], bool], first_id: int = 0) -> list[Any]:
    """Anchor a comment at each printed figure a warning concerns, and the other warnings at the title, in the
    rendered ``body`` (an lxml tree); return the comments' ``w:comment`` elements, numbered from ``first_id``.

    A figure the renderer marked (``review.notes``: it printed that very cell) carries the comment at each mark; a
    finding with no mark falls back to its figure's printed text (a figure the template printed from a formatted
    string). Every mark is removed from the body."""
    comments: list[str] = []  # what each says, numbered from first_id
    runs: _Runs | None = None
    date = ""
    if review.warnings:
        values = _SheetValues(review.report)
        runs = _Runs(body)
        date = made_at().strftime("%Y-%m-%dT%H:%M:%SZ")  # when the report was made, as its file properties say
        elsewhere: list[Finding] = []
        # Place(sheet, cell) as the key it equals (a frozen dataclass hashes in Python: ~1 µs a finding)
        notes = {(p.sheet, p.cell): n for p, n in review.notes.items() if type(p) is Place}
        for finding in review.warnings:
            anchor: str = getattr(finding, "anchor", "")  # the words a proofreading finding quotes
            pattern: re.Pattern[str] | None = None
            found: list[tuple[int, int]] = []
            note = notes.get((finding.sheet, finding.cell))
            if note is not None:
                mark = f"{OPEN}{note}{MID}"
                if runs.holds(mark):  # most doubted figures do not print: no pattern made for them
                    pattern = _marked(note)
                    found = runs.printing(pattern, mark)
                places = len(found)  # every mark is that very figure: no limit
            if not found:
                literal = anchor
                if anchor:
                    if runs.holds(anchor):
                        pattern, places = content_pattern(re.escape(anchor)), MOST_PLACES
                else:
                    value, kind = values.get(finding.sheet, finding.cell)
                    literal = figure_text(value, kind, review.decimals, review.thousands) or ""
                    if literal and runs.holds(literal):
                        pattern, places = _figure(literal), _places(literal)
                found = runs.printing(pattern, literal) if pattern else []
            if pattern is None or not found or len(found) > places:
                elsewhere.append(finding)
                continue
            added: dict[int, int] = {}  # pieces added before the next found one of a run by splitting it
            for run_at, piece in found:
                run, more = runs.split_at(run_at, piece + added.get(run_at, 0), pattern)
                added[run_at] = added.get(run_at, 0) + more
                comments.append(_note(finding))
                _anchor(run, run, first_id + len(comments) - 1)
        if elsewhere:
            title = _title_runs(body, is_title)
            if title:
                comments.append(_title_note(elsewhere))
                _anchor(title[0], title[-1], first_id + len(comments) - 1)
    if review.notes:
        if runs is not None:
            runs.unmark(body)
        else:
            unmark_tree(body)
    return _comments(comments, first_id, date)


def comments_xml(comments: Iterable[Any]) -> bytes:
    """word/comments.xml holding ``comments``, as python-docx writes the part."""
    root = etree.Element(f"{_W}comments", nsmap=_COMMENTS_NSMAP)
    root.extend(comments)
    return bytes(etree.tostring(root, encoding="UTF-8", standalone=True))


def unmark_tree(element: Any) -> None:
    """Remove every mark the renderer left in the text of ``element``."""
    for t in element.iter(_T):
        if t.text and (OPEN in t.text or CLOSE in t.text):
            t.text = unmarked(t.text)


def unmark_xml(xml: str) -> str:
    """A rendered part's XML without the marks (they stand only in text)."""
    return unmarked(xml) if OPEN in xml or CLOSE in xml else xml


def _anchor(first: Any, last: Any, comment_id: int) -> None:
    """python-docx's ``Run.mark_comment_range``: the range starts before ``first`` and ends after ``last``, followed
    by the run that holds the reference. (Made apart and moved in, as there: where the body's w is its default
    namespace alone, an element made in place would declare its prefixes otherwise.)"""
    at = str(comment_id)
    first.addprevious(first.makeelement(_RANGE_START, {_ID: at}))
    reference = last.makeelement(_R, {})
    _sub(_sub(reference, _RPR), _RSTYLE, {_VAL: "CommentReference"})
    _sub(reference, _REFERENCE, {_ID: at})
    last.addnext(reference)
    last.addnext(last.makeelement(_RANGE_END, {_ID: at}))


_sub = etree.SubElement
_RANGE_START, _RANGE_END = f"{_W}commentRangeStart", f"{_W}commentRangeEnd"
_RSTYLE, _REFERENCE = f"{_W}rStyle", f"{_W}commentReference"


def _comments(texts: Sequence[str], first_id: int, date: str) -> list[Any]:
    """``_comment`` of each text, numbered from ``first_id``: written as XML and parsed at once, which costs half of
    making them element by element (their every element is made in a document of its own, as there)."""
    if not texts:
        return []
    if any(_SURROGATE.search(text) for text in texts):  # encoding them raises there; a parse would join a pair
        return [_comment(comment_id, text, date) for comment_id, text in enumerate(texts, first_id)]
    xml = [f'<w:comments xmlns:w="{_NS_W}">']
    for comment_id, text in enumerate(texts, first_id):
        xml.append(f'<w:comment w:id="{comment_id}" w:author="{AUTHOR}" w:initials="{INITIALS}" w:date="{date}">')
        for n, line in enumerate(text.split("\n")):
            xml.append('<w:p><w:pPr><w:pStyle w:val="CommentText"/></w:pPr>')
            if n == 0:
                xml.append('<w:r><w:rPr><w:rStyle w:val="CommentReference"/></w:rPr><w:annotationRef/></w:r>')
            xml.append(_run_xml(line, empty=n == 0))
            xml.append("</w:p>")
        xml.append("</w:comment>")
    xml.append("</w:comments>")
    try:
        return list(etree.fromstring("".join(xml), _COMMENTS_PARSER))
    except etree.XMLSyntaxError:  # a character XML cannot hold: made as python-docx makes them, which says so
        return [_comment(comment_id, text, date) for comment_id, text in enumerate(texts, first_id)]


_COMMENTS_PARSER = etree.XMLParser(resolve_entities=False, huge_tree=True)
_SURROGATE = re.compile("[\ud800-\udfff]")


def _run_xml(text: str, *, empty: bool) -> str:
    """``_run`` as XML."""
    if not text and not empty:
        return ""
    xml = ["<w:r>"]
    for piece in re.split(r"([\t\r])", text) if "\t" in text or "\r" in text else (text,):
        if piece == "\t":
            xml.append("<w:tab/>")
        elif piece == "\r":
            xml.append("<w:br/>")
        elif piece:
            space = ' xml:space="preserve"' if piece != piece.strip() else ""
            escaped = piece.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")  # translate: 4x slower
            xml.append(f"<w:t{space}>{escaped}</w:t>")
    xml.append("</w:r>")
    return "".join(xml)


def _comment(comment_id: int, text: str, date: str) -> Any:
    """python-docx's ``Comments.add_comment(text, author, initials)``: one paragraph of style CommentText per line,
    the first opening with the annotation reference."""
    comment = etree.Element(
        f"{_W}comment",
        {_ID: str(comment_id), f"{_W}author": AUTHOR, f"{_W}initials": INITIALS, f"{_W}date": date},
        nsmap={"w": _NS_W},
    )
    for n, line in enumerate(text.split("\n")):
        p = etree.SubElement(comment, _P)
        etree.SubElement(etree.SubElement(p, _PPR), f"{_W}pStyle", {_VAL: "CommentText"})
        if n == 0:
            reference = etree.SubElement(p, _R)
            etree.SubElement(etree.SubElement(reference, _RPR), f"{_W}rStyle", {_VAL: "CommentReference"})
            etree.SubElement(reference, f"{_W}annotationRef")
        _run(p, line, empty=n == 0)
    return comment


def _run(p: Any, text: str, *, empty: bool) -> None:
    """python-docx's ``Paragraph.add_run(text)`` (``empty``: a run even for no text, as the first line gets one)."""
    if not text and not empty:
        return
    r = etree.SubElement(p, _R)
    for piece in re.split(r"([\t\r])", text):
        if piece == "\t":
            etree.SubElement(r, f"{_W}tab")
        elif piece == "\r":
            etree.SubElement(r, f"{_W}br")
        elif piece:
            t = etree.SubElement(r, _T)
            t.text = piece
            if piece != piece.strip():
                t.set(_SPACE, "preserve")


def _marked(note: int) -> re.Pattern[str]:
    """The marks of comment ``note`` around a figure; group 1 is the figure as printed (perhaps with other marks)."""
    return content_pattern(f"{OPEN}{note}{MID}(.*?){CLOSE}", re.DOTALL)


def _places(text: str) -> int:
    """How often a figure may print and still be pointed at: 12678.39 is that figure wherever it stands, while
    100.00% or 50.00 could as well be another figure that happens to print the same."""
    return MOST_PLACES if len(re.sub(r"[^1-9]", "", text)) >= 3 else 1


def _note(finding: Finding) -> str:
    return f"{finding.message}（{finding.sheet}!{finding.cell}）" if finding.cell else finding.message


def _title_runs(body: Any, is_title: Callable[[Any], bool]) -> list[Any]:
    """The runs of the title paragraph (the first of style Title with runs, else the first with runs)."""
    first: list[Any] = []
    for p in body.iterchildren(_P):  # the title leads the body: the walk stops there
        runs = p.findall(_R)
        if runs and is_title(p):
            return list(runs)
        first = first or list(runs)
    return first


def _title_note(findings: list[Finding]) -> str:
    lines = [f"genreport 检查发现 {len(findings)} 处问题，正文中无对应数字可标注："]
    where = [f"{f.sheet}!{f.cell}" if f.cell else f.sheet for f in findings]
    lines += [f"{i}. {w}：{f.message}" for i, (w, f) in enumerate(zip(where, findings, strict=True), 1)][:TITLE_ITEMS]
    if len(findings) > TITLE_ITEMS:
        lines.append(f"……另有 {len(findings) - TITLE_ITEMS} 处，见 genreport validate 的结果")
    return "\n".join(lines)


def _figure(text: str) -> re.Pattern[str]:
    """A figure as a whole number: 12678.39, not inside 112678.391."""
    return content_pattern(rf"(?<![\d.,]){re.escape(text)}(?![\d])")


def _run_text(r: Any) -> str:
    """python-docx's ``CT_R.text``: the run's text, a tab as \\t and a line break as \\n."""
    out = []
    for child in r:
        tag = child.tag
        if tag == _T:
            out.append(child.text or "")
        elif tag in _TEXT_OF:
            out.append(_TEXT_OF[tag])
        elif tag == _BR and child.get(_BR_TYPE, "textWrapping") == "textWrapping":
            out.append("\n")
    return "".join(out)


@dataclass
class _Read:
    """The runs of a body in ``_Runs`` order with their texts; ``marked``: every w:t of the body outside those runs
    whose text holds a mark (None where not gathered: the marks are then looked for in every w:t)."""

    elements: list[Any]
    texts: list[str]
    marked: list[Any] | None


def _read_exact(body: Any) -> _Read:
    """Every run of the body's paragraphs, then of its tables' (at any depth), each with its text."""
    paragraphs = list(body.iterchildren(_P))
    for table in body.iterchildren(_TBL):
        paragraphs.extend(table.iter(_P))
    elements = [r for p in paragraphs for r in p.iterchildren(_R)]
    return _Read(elements, [_run_text(r) for r in elements], None)


def _read(body: Any) -> _Read | None:
    """``_read_exact`` in one walk over the elements that give a run text (and the paragraphs and tables they stand
    in), which also finds every marked w:t: about a third of its cost, which was two thirds spent making an lxml
    proxy per paragraph, run and child. A run that gives no text (none of its children does) is left out: it can
    hold no figure. None where the walk cannot promise ``_read_exact``'s order: a paragraph nested in another's run
    (a text box) whose runs the walk would meet between the outer one's.

    Which paragraphs count: those of the body, and those under a table of the body. A paragraph in a table cell is
    under the table most recently begun that does not stand in a cell (a cell always lies in a table): the walk
    decides that once per such table instead of looking up every cell's ancestors; any other paragraph's (in a
    content control, a text box) are looked up. (Names are local: the loop runs some 3,000 times a report.)"""
    p_tag, tbl_tag, t_tag, r_tag, tc_tag, br_tag, text_of = _P, _TBL, _T, _R, _TC, _BR, _TEXT_OF
    body_elements: list[Any] = []
    body_texts: list[str] = []
    table_elements: list[Any] = []
    table_texts: list[str] = []
    marked: list[Any] = []
    in_table = False  # whether the table most recently begun that does not stand in a cell is under one of the body
    paragraph: Any = None  # the paragraph being read
    elements: list[Any] | None = None  # where its runs go, None if they do not count
    texts: list[str] = body_texts
    run: Any = None  # the run being read
    past: Any = None  # inside a table of the body, the element the walk meets after it (see _after), else None
    for element in body.iter(p_tag, tbl_tag, *_TEXT_TAGS):
        tag = element.tag
        if tag == t_tag:
            text = element.text or ""
        elif tag == p_tag:
            if past is not None and element is not past:  # in a table of the body: it counts, wherever it stands
                elements, texts = table_elements, table_texts
                paragraph, run = element, None
                continue
            past = None
            up = element.getparent()
            if up is body:
                elements, texts = body_elements, body_texts
            elif up.tag == tc_tag and not _in_a_row(up):
                return None  # a cell outside a table's row (malformed, or rows in a content control): looked up
            elif in_table if up.tag == tc_tag else _under_a_table(element, body):
                elements, texts = table_elements, table_texts
            else:
                elements = None
            paragraph, run = element, None
            continue
        elif tag == tbl_tag:
            if past is not None and element is not past:
                continue  # a table in a table of the body
            past = None
            up = element.getparent()
            if up is body:
                in_table = True
                past = _after(element)
            elif up.tag != tc_tag:
                in_table = _under_a_table(element, body)
            continue
        elif tag == br_tag:
            if element.get(_BR_TYPE, "textWrapping") != "textWrapping":
                continue
            text = "\n"
        else:
            text = text_of[tag]
        parent = element.getparent()
        if parent is run:
            texts[-1] += text
            continue
        above = parent.getparent()
        if above is paragraph and elements is not None and parent.tag == r_tag:
            run = parent
            elements.append(run)
            texts.append(text)
            continue
        # not a run that counts: a tab stop (w:tabs/w:tab), a run in a hyperlink, a field or a paragraph that does
        # not count, a w:t outside a run (a counted run's marks are found in its text, later)
        if tag == t_tag and (OPEN in text or CLOSE in text):
            marked.append(element)
        if (
            above is not paragraph
            and above is not None
            and above.tag == p_tag
            and (above.getparent() is body or _under_a_table(above, body))
        ):
            return None  # a run of a paragraph that counts, met again after a paragraph nested in it
    return _Read(body_elements + table_elements, body_texts + table_texts, marked)


def _in_a_row(cell: Any) -> bool:
    """Whether a w:tc stands in a row of a table: only then does the table most recently begun hold it."""
    row = cell.getparent()
    return row is not None and row.tag == _TR and (table := row.getparent()) is not None and table.tag == _TBL


def _after(table: Any) -> Any:
    """What the walk meets first after the body's ``table``: the next paragraph or table of the body, or _PAST_ALL
    where nothing after it holds one; None where a sibling before those has children (a content control, whose
    paragraphs the walk must look up). Until then every paragraph the walk meets is the table's: no cell's paragraph
    need be looked up (two thirds of a report's paragraphs stand in cells)."""
    sibling = table.getnext()
    while sibling is not None:
        if sibling.tag in (_P, _TBL):
            return sibling
        if len(sibling):
            return None
        sibling = sibling.getnext()
    return _PAST_ALL


_PAST_ALL = object()  # a marker the walk never meets


def _under_a_table(element: Any, body: Any) -> bool:
    """Whether ``element`` lies under a table of the body."""
    node = element.getparent()
    while node is not None and node is not body:
        if node.tag == _TBL and node.getparent() is body:
            return True
        node = node.getparent()
    return False


class _Runs:
    """Every run of the body's paragraphs, then of its tables', with its text, read once per report; a run split
    around a figure is kept as its pieces, in place.

    Looking each finding's figure up through python-docx (every table cell, with its merge look-ups) cost a
    100-project report 25 s for 49 warnings. Here each finding's figure is looked for in all texts joined, as it was
    first read: every run whose text holds the figure's literal core (its digits, the quoted words, its mark) holds
    it there too, since a piece is a part of its run's text; only those runs' pieces are searched with the pattern.
    """

    def __init__(self, body: Any) -> None:
        read = _read(body) or _read_exact(body)
        self._elements, self._texts = read.elements, read.texts
        self.marked = read.marked  # the w:t that may hold a mark, split pieces included (None: any may)
        self._pieces: dict[int, list[tuple[Any, str]]] = {}  # a run's pieces, once it was split
        # where each run's text starts in the joined string: the lengths before it, plus one separator per run
        self._starts = [0, *map(operator.add, itertools.accumulate(map(len, self._texts)), itertools.count(1))]
        self._joined = _SEPARATOR.join(self._texts)
        self._marks: dict[str, list[int]] | None = None
        if self.marked is not None:  # and the w:t of the runs whose text holds a mark
            at = {bisect.bisect_right(self._starts, m.start()) - 1 for m in _MARK_CHAR.finditer(self._joined)}
            self.marked += [t for run in sorted(at) for t in self._elements[run].iterchildren(_T)]
        self._held: dict[str, list[int]] = {}

    def pieces(self, run: int) -> list[tuple[Any, str]]:
        """The run's pieces (the run whole, until it is split), each with its text."""
        return self._pieces.get(run) or [(self._elements[run], self._texts[run])]

    def holds(self, literal: str) -> bool:
        """Whether a run's first-read text holds ``literal`` (else none prints it: no pattern need be made)."""
        return bool(self._holding(literal))

    def printing(self, pattern: re.Pattern[str], literal: str) -> list[tuple[int, int]]:
        """The (run, piece) whose text holds ``pattern``, in document order; ``literal`` is in every match."""
        found: list[tuple[int, int]] = []
        for run in self._holding(literal):
            pieces = self._pieces.get(run)
            if pieces is None:
                if pattern.search(self._texts[run]):
                    found.append((run, 0))
            else:
                found += [(run, n) for n, (_, text) in enumerate(pieces) if pattern.search(text)]
        return found

    def _holding(self, literal: str) -> list[int]:
        """The runs whose first-read text holds ``literal``, each once, in document order (a figure printed too
        often to point at is looked for again by each warning about it)."""
        held = self._held.get(literal)
        if held is None:
            held = self._held[literal] = list(self._find(literal))
        return held

    def _find(self, literal: str) -> Iterator[int]:
        joined, starts = self._joined, self._starts
        if literal.startswith(OPEN):  # a mark: every mark was indexed in one pass, not looked for note by note
            if self._marks is None:
                self._marks = {}
                for m in _MARK_OPEN.finditer(joined):
                    self._marks.setdefault(m.group(), []).append(m.start())
            last = -1
            for at in self._marks.get(literal, ()):
                run = bisect.bisect_right(starts, at) - 1
                if run != last:
                    yield run
                last = run
            return
        at = joined.find(literal) if literal else -1
        while at != -1:
            run = bisect.bisect_right(starts, at) - 1
            yield run
            at = joined.find(literal, starts[run + 1]) if run + 1 < len(self._texts) else -1

    def split_at(self, run: int, piece: int, pattern: re.Pattern[str]) -> tuple[Any, int]:
        """The run cut in three around the figure (same formatting), so the comment covers the figure alone; a
        run holding more than plain text (a break, a tab) is covered whole. Also: how many pieces were added."""
        pieces = self.pieces(run)
        element, full = pieces[piece]
        texts = list(element.iterchildren(_T))  # findall and find, without ElementPath's parsing of the path
        if len(texts) != 1 or len(element) - (next(element.iterchildren(_RPR), None) is not None) != 1:
            return element, 0
        m = pattern.search(full)
        if m is None:
            return element, 0
        before, after = full[: m.start()], full[m.end() :]
        shown = m.group(1) if m.re.groups else m.group(0)  # a marked figure: its text, without the marks
        texts[0].text = shown
        cut = [(element, shown)]
        for part, first in ((before, True), (after, False)):
            if part:
                twin = element.__copy__()  # what copy.deepcopy calls, without its dispatch
                twin_text = next(twin.iterchildren(_T))
                twin_text.text = part
                twin_text.set(_SPACE, "preserve")
                if first:
                    element.addprevious(twin)
                    cut.insert(0, (twin, part))
                else:
                    element.addnext(twin)
                    cut.append((twin, part))
                if self.marked is not None and (OPEN in part or CLOSE in part):
                    self.marked.append(twin_text)
        pieces[piece : piece + 1] = cut
        self._pieces[run] = pieces
        return element, len(cut) - 1

    def unmark(self, body: Any) -> None:
        """``unmark_tree(body)``, looking only at the w:t that may hold a mark where those are known."""
        if self.marked is None:
            unmark_tree(body)
            return
        for t in self.marked:
            if t.text and (OPEN in t.text or CLOSE in t.text):
                t.text = unmarked(t.text)


def review_document(document: Any, review: Review) -> None:
    """The comments placed in a python-docx ``Document`` (docxtpl's own rendering path, or a finished .docx), its
    comments part made or extended, and the marks removed from every part."""
    existing = document.part.package.parts
    has_part = any(str(p.partname) == COMMENTS_PART for p in existing)
    first_id = 0
    if has_part:
        first_id = max((c.comment_id for c in document.comments), default=-1) + 1
    comments = place_comments(document.element.body, review, TitleStyles.of(document.styles), first_id)
    if comments:
        document.part._comments_part.element.extend(comments)  # made and related, as add_comment does
    if review.notes:
        for part in document.part.package.iter_parts():
            element = getattr(part, "_element", None)
            if element is not None:
                unmark_tree(element)
            elif any(c.encode() in part.blob for c in (OPEN, CLOSE)):
                part._blob = unmarked(part.blob.decode("utf-8")).encode("utf-8")


def add_review_comments(
    data: bytes,
    findings: Sequence[Finding],
    report: Report,
    *,
    decimals: int = 2,
    thousands: bool = False,
) -> bytes:
    """A finished .docx with the review comments of ``findings`` (a document rendered without marks: each figure
    found by its printed text)."""
    import io

    import docx

    review = Review.of(findings, report, decimals, thousands)
    review.notes = {}
    document = docx.Document(io.BytesIO(data))
    review_document(document, review)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
