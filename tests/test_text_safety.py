"""Hostile text in every text field of the workbook prints literally, whole, and keeps the document valid.

The text fields are found by walking ``schema.SHEETS`` (every ``Kind.TEXT`` field without a fixed list of choices),
so a field added to the schema is covered without touching this file. Each field gets the payload followed by a
marker naming the field, e.g. ``a<b>c〔basic.name.value〕``; the marker shows where the text landed in the report.
"""

from __future__ import annotations

import contextlib
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import docx
import openpyxl
import pytest
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from lxml import etree
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from typer.testing import CliRunner, Result

from pipeline.cli import app
from pipeline.model import schema
from pipeline.model.schema import FIRST_DATA_ROW, HEADER_ROW, Field, FormSheet, Kind, ListSheet
from pipeline.workbook.normalize import normalize
from pipeline.workbook.reader import open_workbook

from .conftest import SAMPLE

runner = CliRunner()
NAME = "hostile.xlsx"
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SURROGATE = re.compile(r"[\ud800-\udfff]")  # a lone one: Excel stores it as _xD800_, no file or terminal holds it
UNIT_NAME = "basic.name.value"
# 所属项目 names a row of the 项目 sheet: it gets that row's (hostile) name, so the indicators keep their project
REFERENCES = {"kpis.project": "projects.name", "project_funds.project": "projects.name"}


@dataclass(frozen=True)
class Slot:
    """One text field of the workbook: a row of a form sheet (in one value column) or a column of a list sheet."""

    sheet: schema.Sheet
    field: Field
    column: str | None = None

    @property
    def key(self) -> str:
        return f"{self.sheet.key}.{self.field.key}" + (f".{self.column}" if self.column else "")

    @property
    def marker(self) -> str:
        return f"〔{self.key}〕"


def text_slots() -> list[Slot]:
    slots = []
    for sheet in schema.SHEETS:
        if isinstance(sheet, FormSheet):
            slots += [Slot(sheet, f, c.key) for f in sheet.rows if _free_text(f) for c in sheet.columns]
        else:
            slots += [Slot(sheet, f) for f in sheet.columns if _free_text(f)]
    return slots


def _free_text(f: Field) -> bool:
    # a field with choices accepts only those; 模板 names a template folder, whose lookup has its own tests
    return f.kind is Kind.TEXT and not f.choices and f.key != "template"


SLOTS = text_slots()

PAYLOADS = {
    "ampersand_and_brackets": "A&B a<b>c &<",
    "quotes_and_formula_lookalike": "=1+1 \"双引号\" 'single' “全角引号”",  # text starting with “=” is not a formula
    "xml_lookalikes": "&amp; &lt; &#x41; ]]> </w:t></w:r></w:p><w:p><w:r><w:t>注入",
    "jinja": "{{ x }}{{ 7*7 }}{% if %}{% endif %}{%p for t in texts %}{# 注释 #}",  # printed, never evaluated
    "docxtpl_escapes": "{_{ x }_}{_% y %_}",
    "emoji": "😀👍🏽👨‍👩‍👧🇨🇳",
    "line_breaks_and_tab": "第一行\n第二行\r\n第三行\t列二",
    "long_paragraph": "绩效评价" * 5000,
    "long_paragraph_short_unit_name": "绩效评价" * 5000,
    "control_characters": "前\x01中\x0b后\x1b[1m尾",
    "lone_surrogates": "前\ud800中\udfff后😀",  # removed with a warning; the emoji beside them stays
}
SHORT = {"long_paragraph_short_unit_name": {UNIT_NAME}}  # slots that get only their marker for this payload
XFAIL: dict[str, str] = {}  # payloads the pipeline is known to mishandle (none at present)
assert len(PAYLOADS["long_paragraph"]) == 20_000


def clean(text: str) -> str:
    """What a typed text must read back as: CR LF is one line break, control characters and lone surrogates are
    removed."""
    return SURROGATE.sub("", CONTROL.sub("", text.replace("\r\n", "\n")))


def xlsx_text(text: str) -> str:
    """The text as a .xlsx holds it: control characters and surrogates as _xHHHH_ (openpyxl refuses them raw)."""
    return SURROGATE.sub(lambda m: f"_x{ord(m[0]):04X}_", CONTROL.sub(lambda m: f"_x{ord(m[0]):04X}_", text))


def params(xfail: dict[str, str]) -> list[object]:
    return [
        pytest.param(k, marks=pytest.mark.xfail(strict=True, reason=xfail[k])) if k in xfail else k for k in PAYLOADS
    ]


# ---------------------------------------------------------------- the workbook


def _norm(label: object) -> str:
    return re.sub(r"\s+", "", str(label or ""))


def _row_of(ws: Worksheet, label: str) -> int:
    return next(r for r in range(FIRST_DATA_ROW, ws.max_row + 1) if _norm(ws.cell(r, 1).value) == _norm(label))


def _column_of(ws: Worksheet, label: str, *, add: bool = False) -> int | None:
    for c in range(1, ws.max_column + 1):
        if _norm(ws.cell(HEADER_ROW, c).value) == _norm(label):
            return c
    if not add:
        return None
    ws.cell(HEADER_ROW, ws.max_column + 1, label)  # an optional column the sample does not have (yet)
    return ws.max_column


def _ensure_first_record(ws: Worksheet, sheet: ListSheet) -> None:
    """An empty list sheet gets one record of valid values, so that its text fields have a row to go in."""
    if any(ws.cell(FIRST_DATA_ROW, c).value is not None for c in range(1, ws.max_column + 1)):
        return
    for f in sheet.columns:
        if f.required and (f.kind is not Kind.TEXT or f.choices):
            ws.cell(FIRST_DATA_ROW, _column_of(ws, f.label, add=True), f.choices[0] if f.choices else 1)


def _put(ws: Worksheet, row: int, column: int, text: str) -> None:
    cell = ws.cell(row, column)
    cell.value = xlsx_text(text)
    cell.data_type = "s"  # text even when it starts with “=” (what Excel stores for '=1+1)


@dataclass
class Hostile:
    refs: dict[str, str]  # slot key → A1 reference of its cell
    values: dict[str, str]  # slot key → the text typed there


def write_hostile(path: Path, payload: str, short: set[str] | frozenset[str] = frozenset()) -> Hostile:
    """The sample with ``payload + marker`` typed into every text slot (the first record of each list sheet)."""
    wb = openpyxl.load_workbook(SAMPLE)
    values = {s.key: s.marker if s.key in short else payload + s.marker for s in SLOTS}
    values.update({source: values[target] for source, target in REFERENCES.items()})
    refs: dict[str, str] = {}
    replaced: dict[str, object] = {}
    for slot in SLOTS:
        ws = wb[slot.sheet.name]
        if isinstance(slot.sheet, FormSheet):
            r = _row_of(ws, slot.field.label)
            label = next(c.label for c in slot.sheet.columns if c.key == slot.column)
            c = _column_of(ws, label) or 2  # a one-column form sheet finds its values in column B
        else:
            _ensure_first_record(ws, slot.sheet)
            r, c = FIRST_DATA_ROW, _column_of(ws, slot.field.label, add=True)
        assert c is not None
        replaced[slot.key] = ws.cell(r, c).value
        _put(ws, r, c, values[slot.key])
        refs[slot.key] = f"{get_column_letter(c)}{r}"
    for source, target in REFERENCES.items():  # later records that named the renamed row follow it
        slot = next(s for s in SLOTS if s.key == source)
        ws = wb[slot.sheet.name]
        c = _column_of(ws, slot.field.label)
        for r in range(FIRST_DATA_ROW + 1, ws.max_row + 1):
            if c and replaced[target] is not None and ws.cell(r, c).value == replaced[target]:
                _put(ws, r, c, values[target])
    wb.save(path)
    return Hostile(refs, values)


# ---------------------------------------------------------------- the report


def body_paragraphs(document: docx.document.Document) -> list[Paragraph]:
    """Every paragraph of the body, table cells included, in document order."""
    return [Paragraph(p, document) for p in document.element.body.iter(qn("w:p"))]


@dataclass
class Built:
    hostile: Hostile
    stderr: str
    document: docx.document.Document
    path: Path


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Built]:
    """``genreport build hostile.xlsx -o out`` for one payload, once per module."""
    cache: dict[str, tuple[Hostile, Result, Path]] = {}

    def get(key: str) -> Built:
        if key not in cache:  # a failed build is kept too: the xfail tests that meet it need not repeat it
            folder = tmp_path_factory.mktemp(key)
            with contextlib.chdir(folder):
                written = write_hostile(Path(NAME), PAYLOADS[key], SHORT.get(key, set()))
                cache[key] = written, runner.invoke(app, ["build", NAME, "-o", "out"]), folder / "out" / "hostile.docx"
        written, result, out = cache[key]
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        assert result.exit_code == 0, result.stderr[:2000]
        return Built(written, result.stderr, docx.Document(str(out)), out)

    return get


@pytest.fixture(scope="module")
def printed_in_sample(sample_report: docx.document.Document) -> set[str]:
    """The slots whose value in the sample (first record) the sample report prints: these must print here too."""
    text = "\n".join(p.text for p in body_paragraphs(sample_report))
    wb = openpyxl.load_workbook(SAMPLE)
    printed = set()
    for slot in SLOTS:
        if slot.key in REFERENCES:
            continue  # a reference prints as the slot it refers to
        ws = wb[slot.sheet.name]
        value: object = None
        if isinstance(slot.sheet, FormSheet):
            value = ws.cell(_row_of(ws, slot.field.label), 2).value
        elif (c := _column_of(ws, slot.field.label)) is not None:
            value = ws.cell(FIRST_DATA_ROW, c).value
        if value is not None and str(value).strip() in text:
            printed.add(slot.key)
    return printed


@pytest.mark.parametrize("key", params(XFAIL))
def test_text_prints_literally(key: str, hostile: Callable[[str], Built], printed_in_sample: set[str]) -> None:
    built = hostile(key)
    paragraphs = body_paragraphs(built.document)
    texts = [p.text for p in paragraphs]
    printed = set()
    for slot in SLOTS:
        if slot.key in REFERENCES:
            continue  # holds the text (and marker) of the slot it refers to, which is checked
        expected = clean(built.hostile.values[slot.key])
        found = sum(t.count(slot.marker) for t in texts)
        intact = sum(t.count(expected) for t in texts)
        assert found == intact, f"{slot.key} is printed, but not as typed: {[t for t in texts if slot.marker in t]}"
        if found:
            printed.add(slot.key)
    assert sorted(printed_in_sample - printed) == [], "fields the sample report prints must print here too"
    for p in paragraphs:
        for t in p._p.iter(qn("w:t")):
            assert "\n" not in (t.text or ""), "a line break is a <w:br/>, never a newline inside <w:t>"
    if "\n" in clean(PAYLOADS[key]):
        with_break = [p for p in paragraphs if clean(PAYLOADS[key]) in p.text]
        assert with_break
        assert all(p._p.findall(f".//{qn('w:br')}") for p in with_break)


OUTLINE_STYLES = ("Title", "Heading", "Attachment")


@pytest.mark.parametrize("key", params(XFAIL))
def test_document_is_whole(key: str, hostile: Callable[[str], Built], sample_report: docx.document.Document) -> None:
    """Valid XML in every part, and the same outline and paragraphs as the sample: nothing lost after the text."""
    built = hostile(key)
    with zipfile.ZipFile(built.path) as z:
        for name in z.namelist():
            if name.endswith((".xml", ".rels")):
                etree.fromstring(z.read(name))  # strict: raises on anything malformed
    top, reference = built.document.paragraphs, sample_report.paragraphs
    assert [p.style.name for p in top] == [p.style.name for p in reference]

    def outline(paragraphs: list[Paragraph]) -> list[tuple[str, str]]:
        # the 附件 labels, not the 附件说明 list (which names a project: typed text)
        return [
            (p.style.name, p.text)
            for p in paragraphs
            if p.style.name.startswith(OUTLINE_STYLES) and p.style.name != "Attachment List"
        ]

    assert outline(top) == outline(reference)
    last = max(i for i, p in enumerate(top) if p.style.name.startswith("Heading"))
    assert top[last].text == "（五）其他需要说明的情况"
    assert top[last + 1].text == reference[last + 1].text  # the paragraph of section （五）
    closing = [p.text for p in top if p.style.name == "Closing"]
    assert any(text.endswith(Slot(schema.BASIC, schema.BASIC.row("name"), "value").marker) for text in closing)
    assert top[-1].text == reference[-1].text


def test_every_text_slot_reads_back(hostile: Callable[[str], Built]) -> None:
    """The normalized value of each slot is exactly what was typed, before any template is involved."""
    built = hostile("ampersand_and_brackets")
    data = normalize(open_workbook(built.path.parent.parent / NAME))
    assert len(SLOTS) >= 10
    for slot in SLOTS:
        if isinstance(slot.sheet, FormSheet):
            value = data.forms[slot.sheet.key].get(slot.field.key, slot.column or "")
        else:
            first = data.lists[slot.sheet.key].records[0]
            assert first.row == FIRST_DATA_ROW
            value = first[slot.field.key]
        assert value == built.hostile.values[slot.key], slot.key


@pytest.mark.parametrize("key", params(XFAIL))
def test_document_properties_read_back(key: str, hostile: Callable[[str], Built]) -> None:
    built = hostile(key)
    # as typed, unescaped; Word caps a file property at 255 characters
    assert built.document.core_properties.author == clean(built.hostile.values[UNIT_NAME])[:255]


def test_control_characters_are_removed_with_a_warning_naming_the_cell(hostile: Callable[[str], Built]) -> None:
    built = hostile("control_characters")
    lines = built.stderr.split("\n")  # not splitlines(): a \x0b in a line would split it
    for slot in SLOTS:
        prefix = f"警告：{NAME} › {slot.sheet.name}!{built.hostile.refs[slot.key]}：已删除不可见的控制字符"
        assert sum(line.startswith(prefix) for line in lines) == 1, prefix


def test_warnings_show_no_raw_control_characters(hostile: Callable[[str], Built]) -> None:
    """A warning quoting a cell must not carry its control characters to the terminal (\\x1b[… is an escape)."""
    assert not CONTROL.search(hostile("control_characters").stderr)


def test_lone_surrogates_are_removed_with_a_warning_naming_the_cell(hostile: Callable[[str], Built]) -> None:
    """Issue 16 §4: _xD800_ once crashed validate's output and made build blame the template."""
    built = hostile("lone_surrogates")
    lines = built.stderr.splitlines()
    for slot in SLOTS:
        prefix = f"警告：{NAME} › {slot.sheet.name}!{built.hostile.refs[slot.key]}：已删除无法显示和保存的无效字符（"
        assert sum(line.startswith(prefix) for line in lines) == 1, prefix
    assert not SURROGATE.search(built.stderr)
    assert not any(SURROGATE.search(p.text) for p in body_paragraphs(built.document))
