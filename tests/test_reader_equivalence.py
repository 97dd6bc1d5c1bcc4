"""The calamine reader and the openpyxl reader give the same findings and the same values (issue 9 §4).

Every workbook of the bad-input corpus — tests/make_corpus.py, the first 200 cases of tests/fuzz_mutations.py,
inputs/*.xlsx — and workbooks made here for what calamine reads otherwise (% formats, formulas with and without a
saved result, error cells, dates at the edges, merged labels, the 1904 epoch, an escape typed literally, a stray
cell at the last row) is opened both ways: the same InputError, or the same findings (code, sheet, cell, message)
and the same normalized values (compared by repr, so 2022 is not 2022.0 and Decimal("1.0") not Decimal("1")).
Where the calamine reader must hand a workbook to openpyxl, the test says so.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import shutil
import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from lxml import etree

from pipeline.errors import InputError
from pipeline.model import schema
from pipeline.workbook.normalize import Normalized, normalize
from pipeline.workbook.reader import open_workbook

from . import fuzz_mutations, make_corpus
from .conftest import ROOT, SAMPLE

FUZZ_CASES = 200
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
LAST_ROW = 1_048_576
Writer = Callable[[Path], None]


def _outcome(path: Path, reader: str) -> tuple[str, Any]:
    """What a reader makes of ``path``: the InputError, or findings and values; and which reader read it."""
    try:
        source = open_workbook(path, reader=reader)
    except InputError as e:
        return "refused", (str(e), e.sheet, e.cell)
    data = normalize(source)
    return source.reader, (_findings(data), _values(data))


def _findings(data: Normalized) -> list[tuple[str, str, str, str]]:
    return [(f.code, f.sheet, f.cell, f.message) for f in data.findings]


def _values(data: Normalized) -> dict[str, str]:
    forms = {
        k: repr((sorted(v.values.items()), sorted(v.refs.items()), v.rows, v.unit, v.present))
        for k, v in data.forms.items()
    }
    lists = {
        k: repr(([(r.row, sorted(r.values.items())) for r in v.records], v.letters, v.unit, v.present))
        for k, v in (data.lists | data.custom).items()
    }
    return forms | lists


def _same(path: Path) -> str:
    """Asserts both readers agree on ``path``; returns the reader the default path took. A workbook refused before
    reading, or handed to openpyxl, took the openpyxl path's own code both ways: read once."""
    kind, got = _outcome(path, "calamine")
    if kind == "calamine":
        expected_kind, expected = _outcome(path, "openpyxl")
        assert got == expected, path.name
        assert expected_kind == "openpyxl"
    return kind


def _edited(edit: Callable[[openpyxl.Workbook], None]) -> Writer:
    def write(path: Path) -> None:
        wb = openpyxl.load_workbook(SAMPLE)
        edit(wb)
        wb.save(path)

    return write


def _set(sheet: str, ref: str, value: Any, number_format: str | None = None) -> Callable[[openpyxl.Workbook], None]:
    def edit(wb: openpyxl.Workbook) -> None:
        cell = wb[sheet][ref]
        cell.value = value
        if number_format is not None:
            cell.number_format = number_format

    return edit


def _both(*edits: Callable[[openpyxl.Workbook], None]) -> Callable[[openpyxl.Workbook], None]:
    def edit(wb: openpyxl.Workbook) -> None:
        for e in edits:
            e(wb)

    return edit


def _xml_cell(sheet: str, ref: str, cell_xml: str) -> Writer:
    """The sample with one cell of ``sheet`` written as ``cell_xml`` (its <c> element, as a file could hold it);
    "{date}" stands for the sample's date style."""
    xml = cell_xml.replace("{date}", str(fuzz_mutations.layout().date_style)).encode()

    def write(path: Path) -> None:
        part = fuzz_mutations.layout().parts[sheet]
        marker = fuzz_mutations.Written(t="n", value="987654321")

        def change(name: str, content: bytes) -> bytes:
            if name != part:
                return content
            marked = fuzz_mutations._set_cell(content, ref, marker)
            found = re.search(rb'<c r="' + ref.encode() + rb'"[^>]*><v>987654321</v></c>', marked)
            assert found is not None
            return marked[: found.start()] + xml + marked[found.end() :]

        path.write_bytes(fuzz_mutations.rezip(SAMPLE.read_bytes(), change))

    return write


def _shared_strings(first: str = "") -> Writer:
    """The sample as Excel and WPS save it: every text in the shared-string table (the sample holds inline strings);
    ``first`` (XML), if given, replaces the first string, in 基本信息 A1."""

    def write(path: Path) -> None:
        table: list[bytes] = []

        def shared(content: bytes) -> bytes:
            root = etree.fromstring(content)
            for c in root.iter(f"{{{MAIN}}}c"):
                inline = c.find(f"{{{MAIN}}}is")
                if c.get("t") == "inlineStr" and inline is not None:
                    body = b"".join(etree.tostring(child) for child in inline)
                    table.append(first.encode() if first and not table else body)
                    c.remove(inline)
                    c.set("t", "s")
                    etree.SubElement(c, f"{{{MAIN}}}v").text = str(len(table) - 1)
            return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

        parts = sorted(fuzz_mutations.layout().parts.values(), key=lambda p: p != fuzz_mutations.layout().parts[BASIC])
        with zipfile.ZipFile(SAMPLE) as z:
            members = {i.filename: z.read(i.filename) for i in z.infolist()}
        for part in parts:
            members[part] = shared(members[part])
        sst = f'<sst xmlns="{MAIN}" count="{len(table)}" uniqueCount="{len(table)}">'.encode()
        members["xl/sharedStrings.xml"] = sst + b"".join(b"<si>" + t + b"</si>" for t in table) + b"</sst>"
        members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
            b"</Types>",
            b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        )
        members["xl/_rels/workbook.xml.rels"] = members["xl/_rels/workbook.xml.rels"].replace(
            b"</Relationships>",
            b'<Relationship Id="rIdSst" Target="sharedStrings.xml" Type="http://schemas.openxmlformats.org/'
            b'officeDocument/2006/relationships/sharedStrings"/></Relationships>',
        )
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in members.items():
                z.writestr(name, data)

    return write


def _epoch_1904(path: Path) -> None:
    wb = openpyxl.load_workbook(SAMPLE)
    wb.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    wb.save(path)


BASIC = schema.BASIC.name
KPIS = schema.KPIS.name

# workbooks made here: name → (writer, the reader the default path must take)
MADE: dict[str, tuple[Writer, str]] = {
    "percent_cells.xlsx": (
        _edited(_both(_set(KPIS, "F3", 0.925, "0.00%"), _set(KPIS, "F4", 1, "0%"), _set(KPIS, "F5", "92%"))),
        "calamine",
    ),
    "formula_without_value.xlsx": (_edited(_set("支出明细", "C3", "=1+1")), "calamine"),
    "formulas_with_values.xlsx": (
        _xml_cell("支出明细", "C3", '<c r="C3" t="n"><f>1+1</f><v>2</v></c>'),
        "calamine",
    ),
    "formula_text_result.xlsx": (
        _xml_cell(BASIC, "B6", '<c r="B6" t="str"><f>"衡山"&amp;"县"</f><v>衡山县</v></c>'),
        "calamine",
    ),
    "formula_error_result.xlsx": (
        _xml_cell("支出明细", "C3", '<c r="C3" t="e"><f>1/0</f><v>#DIV/0!</v></c>'),
        "calamine",
    ),
    "error_cell.xlsx": (_xml_cell("支出明细", "D3", '<c r="D3" t="e"><v>#N/A</v></c>'), "calamine"),
    "error_as_text.xlsx": (_edited(_set("支出明细", "D3", "#REF!")), "calamine"),
    "boolean_cell.xlsx": (_xml_cell("支出明细", "D3", '<c r="D3" t="b"><v>1</v></c>'), "calamine"),
    "whole_number_as_float.xlsx": (_xml_cell(BASIC, "B5", '<c r="B5"><v>2022.0</v></c>'), "calamine"),
    "number_in_exponent_form.xlsx": (_xml_cell("支出明细", "C3", '<c r="C3"><v>1.5E3</v></c>'), "calamine"),
    "negative_zero.xlsx": (_xml_cell("支出明细", "C3", '<c r="C3"><v>-0.0</v></c>'), "calamine"),
    "long_integer.xlsx": (_xml_cell("支出明细", "C3", '<c r="C3"><v>12345678901234567890</v></c>'), "calamine"),
    "text_with_end_spaces.xlsx": (
        _xml_cell(BASIC, "B6", '<c r="B6" t="inlineStr"><is><t>  衡山县  </t></is></c>'),
        "calamine",
    ),
    "escape_typed_literally.xlsx": (
        _xml_cell(BASIC, "B6", '<c r="B6" t="inlineStr"><is><t>_x005F_x0041_ 与 _x0041_</t></is></c>'),
        "calamine",
    ),
    "rich_text.xlsx": (
        _xml_cell(BASIC, "B6", '<c r="B6" t="inlineStr"><is><r><t>衡山</t></r><r><t>县</t></r></is></c>'),
        "calamine",
    ),
    "escape_typed_with_openpyxl.xlsx": (_edited(_set(BASIC, "B6", "_x0041_ 县")), "calamine"),
    "date_cells.xlsx": (
        _edited(
            _both(
                _set(BASIC, "B9", dt.datetime(2023, 3, 31), "yyyy-mm-dd"),
                _set(BASIC, "B10", dt.datetime(1900, 1, 1), "yyyy-mm-dd"),
            )
        ),
        "calamine",
    ),
    "date_serial_60.xlsx": (_xml_cell(BASIC, "B9", '<c r="B9" s="{date}"><v>60</v></c>'), "calamine"),
    "date_serial_fraction.xlsx": (_xml_cell(BASIC, "B9", '<c r="B9" s="{date}"><v>0.5</v></c>'), "calamine"),
    "date_beyond_9999.xlsx": (_xml_cell(BASIC, "B9", '<c r="B9" s="{date}"><v>2958466</v></c>'), "openpyxl"),
    "date_negative.xlsx": (_xml_cell(BASIC, "B9", '<c r="B9" s="{date}"><v>-0.001</v></c>'), "openpyxl"),
    "date_minus_1e308.xlsx": (_xml_cell(BASIC, "B9", '<c r="B9" s="{date}"><v>-1e308</v></c>'), "openpyxl"),
    "date_last_day.xlsx": (_xml_cell(BASIC, "B9", '<c r="B9" s="{date}"><v>2958465</v></c>'), "calamine"),
    "merged_labels.xlsx": (
        _edited(lambda wb: (wb["项目"].merge_cells("A3:A5"), wb[BASIC].merge_cells("A20:A21"))),
        "calamine",
    ),
    "epoch_1904.xlsx": (_epoch_1904, "calamine"),
    "shared_strings.xlsx": (_shared_strings(), "calamine"),
    "shared_strings_rich_text.xlsx": (
        _shared_strings("<r><t>单位</t></r><r><rPr><b/></rPr><t>基本信息</t></r>"),
        "calamine",
    ),
    "shared_strings_end_spaces.xlsx": (_shared_strings('<t xml:space="preserve"> 单位基本信息 </t>'), "calamine"),
    "shared_strings_trimmed_by_calamine.xlsx": (_shared_strings("<t> 单位基本信息 </t>"), "openpyxl"),
    "shared_strings_escape.xlsx": (_shared_strings("<t>_x0041_ 单位基本信息</t>"), "openpyxl"),
    "stray_cell_last_row.xlsx": (_edited(_set(KPIS, f"B{LAST_ROW}", "产出指标")), "openpyxl"),
    "sheet_part_missing.xlsx": (
        lambda path: path.write_bytes(
            fuzz_mutations.rezip(
                SAMPLE.read_bytes(),
                lambda name, content: None if name == fuzz_mutations.layout().parts["资产"] else content,
            )
        ),
        "openpyxl",
    ),
}


@functools.cache
def _cases() -> dict[str, Writer]:
    cases: dict[str, Writer] = {}
    for name, writer in make_corpus.CASES.items():
        if name not in make_corpus.OPTIONAL:
            cases[name] = writer
    for sample in sorted((ROOT / "inputs").glob("*.xlsx")):
        cases[sample.name] = lambda path, sample=sample: shutil.copy(sample, path)
    for m in fuzz_mutations.plan_cases(FUZZ_CASES):
        cases[m.case_id + ".xlsx"] = lambda path, m=m: path.write_bytes(m.make())
    return cases


# what the default path must take for a few cases of the corpus (any reader for the rest)
EXPECTED = {
    "2022.xlsx": {"calamine"},
    "township-2023.xlsx": {"calamine"},
    # calamine panics on -1e308 in a date cell, refuses a sheet whose part is gone: those go to openpyxl
    "fuzz-0116-extreme_number_date.xlsx": {"openpyxl"},
    "fuzz-0048-zip_delete_member.xlsx": {"openpyxl", "refused"},
}


@pytest.fixture(scope="session")
def readers_taken(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder where each corpus case records the reader it took, shared by the xdist workers of one run."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    base = tmp_path_factory.getbasetemp()
    folder = base.parent / f"readers-taken-{run}" if run else base / "readers-taken"
    folder.mkdir(exist_ok=True)
    return folder


# One case a test, so that pytest-xdist spreads the corpus over every core (as one test it held one worker a minute).
@pytest.mark.parametrize("name", list(_cases()))
def test_the_corpus_reads_the_same_both_ways(tmp_path: Path, readers_taken: Path, name: str) -> None:
    path = tmp_path / name
    _cases()[name](path)
    taken = _same(path)
    if name in EXPECTED:
        assert taken in EXPECTED[name], name
    record = readers_taken / f"{name}.{os.getpid()}"
    record.write_text(taken, encoding="utf-8")
    record.replace(readers_taken / name)  # whole, for a reader in another worker


def test_the_ordinary_cases_of_the_corpus_are_read_by_calamine(tmp_path: Path, readers_taken: Path) -> None:
    """Not all handed to openpyxl: counted over the readers the cases above recorded; a case not (yet) run in this
    session (another worker still at it, or deselected) is made and opened here the default way."""
    taken: Counter[str] = Counter()
    for name, write in _cases().items():
        record = readers_taken / name
        if record.exists():
            taken[record.read_text(encoding="utf-8")] += 1
        else:
            write(tmp_path / name)
            taken[_outcome(tmp_path / name, "calamine")[0]] += 1
    assert taken["calamine"] > 150, taken


@pytest.mark.parametrize("name", sorted(MADE))
def test_a_workbook_calamine_reads_otherwise_reads_the_same(tmp_path: Path, name: str) -> None:
    writer, reader = MADE[name]
    path = tmp_path / name
    writer(path)
    assert _same(path) == reader
