"""The streamed reading of a sheet's cells (workbook/sheet_stream.py) finds what the tree scan (cells.scan_sheet)
finds, on every sheet of the corpus and on cells written every way the grammar does or does not take (issue 19 §3).

Where the stream declines a sheet (None), scan_sheet reads it: these tests also assert it declines only the odd
ones, so that the comparison is not empty.
"""

from __future__ import annotations

import dataclasses
import functools
import random
import re
import zipfile
import zlib
from pathlib import Path

import pytest

from pipeline.workbook import sheet_stream
from pipeline.workbook.book_parts import Unusual, read_parts
from pipeline.workbook.cells import LONG_DECIMAL, SheetCells, Styles, scan_sheet
from pipeline.workbook.common_cells import below, common_cells
from pipeline.workbook.unused import worksheet_parts

from .conftest import SAMPLE
from .test_reader_equivalence import _cases

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _outcome(scan: object, xml: bytes, styles: Styles) -> SheetCells | str | None:
    try:
        return scan(xml, styles)  # type: ignore[operator,no-any-return]
    except Unusual as e:
        return f"Unusual: {e}"


def _agree(xml: bytes, styles: Styles) -> bool:
    """Asserts the stream finds what scan_sheet finds (or declines); returns whether it took the sheet."""
    streamed = _outcome(sheet_stream.stream_sheet, xml, styles)
    if streamed is None:
        return False
    assert streamed == _outcome(scan_sheet, xml, styles)
    return True


def _book(path: Path) -> tuple[dict[str, bytes], dict[str, str], Styles] | None:
    try:
        with zipfile.ZipFile(path) as z:
            members = {i.filename: z.read(i.filename) for i in z.infolist()}
            parts = worksheet_parts(z)
        return members, parts, Styles.of(read_parts(members, parts, parts))
    except (Unusual, zipfile.BadZipFile, zlib.error, OSError, KeyError, ValueError, EOFError, NotImplementedError):
        return None


@pytest.mark.parametrize("name", list(_cases()))
def test_every_sheet_of_the_corpus_streams_as_it_scans(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    _cases()[name](path)
    book = _book(path)
    if book is None:
        return
    members, parts, styles = book
    for member in parts.values():
        if member in members:
            _agree(members[member], styles)


def test_the_sample_streams_every_sheet() -> None:
    book = _book(SAMPLE)
    assert book is not None
    members, parts, styles = book
    assert all(_agree(members[m], styles) for m in parts.values())


@functools.cache
def _sample_styles() -> Styles:
    book = _book(SAMPLE)
    assert book is not None
    return book[2]


def _sheet(cells: str, *, row: str = '<row r="1">', head: str = "", root: str = f'xmlns="{MAIN}"') -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet {root}>{head}'
        f"<sheetData>{row}{cells}</row></sheetData>"
        '<mergeCells count="1"><mergeCell ref="A5:B6"/></mergeCells></worksheet>'
    ).encode()


def _styles() -> tuple[int, int, int]:
    """A plain style, a % style and a date style of the sample."""
    styles = _sample_styles()
    percent = min(styles.percent)
    date = min(styles.parts.date_styles)
    plain = next(i for i in range(styles.count) if i not in styles.percent and i not in styles.dateish)
    return plain, percent, date


# cells in a sheet the stream takes (True: read by it, or by scan_sheet's code on a tree of the odd cells alone),
# or leaves to scan_sheet whole (False)
def _cells() -> dict[str, tuple[str, bool]]:
    plain, percent, date = _styles()
    return {
        "integer": (f'<c r="A1" s="{plain}"><v>12</v></c>', True),
        "decimal": ('<c r="A1" t="n"><v>0.25</v></c>', True),
        "long decimal": ('<c r="A1"><v>78.76000000000001</v></c>', True),
        "long negative decimal": ('<c r="A1"><v>-0.30000000000000004</v></c>', True),
        "long decimal, whole": ('<c r="A1"><v>1.0000000000000001</v></c>', True),
        "long decimal, whole by nines": ('<c r="A1"><v>0.99999999999999999</v></c>', True),
        "long decimal, styled": (f'<c r="A1" s="{plain}"><v>78.76000000000001</v></c>', True),
        "long decimal, %": (f'<c r="A1" s="{percent}"><v>0.12345678901234567</v></c>', True),
        "long decimal, date": (f'<c r="A1" s="{date}"><v>44927.123456789012</v></c>', True),
        "very long decimal": ('<c r="A1"><v>1.2345678901234567890123456789</v></c>', True),
        "whole written 1.0": ('<c r="A1"><v>1.0</v></c>', True),
        "exponent": ('<c r="A1"><v>1E3</v></c>', True),
        "negative zero": ('<c r="A1"><v>-0</v></c>', True),
        "spaced number": ('<c r="A1"><v> 5</v></c>', True),
        "not a number": ('<c r="A1"><v>abc</v></c>', False),  # openpyxl refuses it: scan_sheet says how
        "empty value": ('<c r="A1"><v></v></c>', True),
        "percent": (f'<c r="A1" s="{percent}"><v>0.5</v></c>', True),
        "percent text": (f'<c r="A1" s="{percent}" t="s"><v>0</v></c>', True),
        "date": (f'<c r="A1" s="{date}"><v>44927</v></c>', True),
        "date far": (f'<c r="A1" s="{date}"><v>9999999</v></c>', True),
        "shared string": ('<c r="A1" t="s"><v>0</v></c>', True),
        "shared string out of range": ('<c r="A1" t="s"><v>99999</v></c>', True),
        "shared string negative": ('<c r="A1" t="s"><v>-1</v></c>', True),
        "inline": ('<c r="A1" t="inlineStr"><is><t>项目</t></is></c>', True),
        "inline by reference": ('<c r="A1" t="inlineStr"><is><t>&#39033;&#30446;&amp;&lt;</t></is></c>', True),
        "inline end space": ('<c r="A1" t="inlineStr"><is><t>项目 </t></is></c>', True),
        "inline preserved space": ('<c r="A1" t="inlineStr"><is><t xml:space="preserve"> 项目 </t></is></c>', True),
        "inline escape": ('<c r="A1" t="inlineStr"><is><t>a_x000D_b</t></is></c>', True),
        "inline preserved escape": ('<c r="A1" t="inlineStr"><is><t xml:space="preserve">_X0041_</t></is></c>', True),
        "inline empty": ('<c r="A1" t="inlineStr"><is><t></t></is></c>', True),
        "inline ASCII reference": ('<c r="A1" t="inlineStr"><is><t>a&#32;</t></is></c>', False),
        "inline reference to _": ('<c r="A1" t="inlineStr"><is><t>&#95;x0041_</t></is></c>', False),
        "inline hex reference": ('<c r="A1" t="inlineStr"><is><t>&#x4e2d;</t></is></c>', False),
        "reference XML refuses": ('<c r="A1" t="inlineStr"><is><t>&#1;</t></is></c>', False),
        "surrogate reference": ('<c r="A1" t="inlineStr"><is><t>&#55296;</t></is></c>', False),
        "reference with zero": ('<c r="A1" t="inlineStr"><is><t>&#0128;</t></is></c>', False),
        "unknown entity": ('<c r="A1" t="inlineStr"><is><t>&nbsp;</t></is></c>', False),
        "rich text": ('<c r="A1" t="inlineStr"><is><r><rPr><b/></rPr><t>a</t></r><r><t>b</t></r></is></c>', True),
        "inline on a string type": ('<c r="A1" t="s"><is><t>a</t></is></c>', True),
        "formula": ('<c r="A1"><f>SUM(B1:B2)</f><v>3</v></c>', True),
        "formula without value": ('<c r="A1"><f>SUM(B1:B2)</f></c>', True),
        "shared formula": (
            '<c r="A1"><f t="shared" ref="A1:A2" si="0">B1*2</f><v>2</v></c><c r="A2"><f t="shared" si="0"/><v>4</v></c>',
            True,
        ),
        "error": ('<c r="A1" t="e"><v>#DIV/0!</v></c>', True),
        "error without value": ('<c r="A1" t="e"/>', True),
        "boolean": ('<c r="A1" t="b"><v>1</v></c>', True),
        "formula string": ('<c r="A1" t="str"><f>A2</f><v>x</v></c>', True),
        "ISO date": ('<c r="A1" t="d"><v>2023-01-01</v></c>', True),
        "unknown type": ('<c r="A1" t="q"><v>1</v></c>', True),
        "blank": ('<c r="A1" s="3"/>', True),
        "blank open": ('<c r="A1" s="3"></c>', True),
        "text only": ('<c r="A1">junk</c>', True),
        "style out of range": ('<c r="A1" s="99999"><v>1</v></c>', False),
        "style with zero": ('<c r="A1" s="01"><v>1</v></c>', False),
        "duplicate": ('<c r="A1"><v>1</v></c><c r="A1"><v>2</v></c>', False),
        "past the last column": ('<c r="XFE1"><v>1</v></c>', False),
        "type before style": ('<c r="A1" t="n" s="1"><v>1</v></c>', False),
        "other attribute": ('<c r="A1" cm="1"><v>1</v></c>', False),
        "no reference": ("<c><v>1</v></c>", False),
        "comment": ('<c r="A1"><!-- x --><v>1</v></c>', False),
        "CDATA": ('<c r="A1" t="inlineStr"><is><t><![CDATA[a]]></t></is></c>', False),
        "end of CDATA in text": ('<c r="A1" t="inlineStr"><is><t>a]]>b</t></is></c>', False),
        "cell in a cell": ('<c r="A1" t="inlineStr"><is><c r="B1"><v>1</v></c></is></c>', False),
        "merge in a cell": ('<c r="A1"><mergeCell ref="A1:B1"/></c>', False),
        "namespace in a cell": ('<c r="A1"><v xmlns="urn:x">1</v></c>', False),
        "control character": ('<c r="A1" t="inlineStr"><is><t>a\x01</t></is></c>', False),
        "not closed": ('<c r="A1"><f>SUM(</c>', False),
        "spaces between": (' <c r="A1"><v>1</v></c>\n<c r="B1"><v>2</v></c> ', True),
        "text between": ('<c r="A1"><v>1</v></c>x<c r="B1"><v>2</v></c>', False),
    }


@pytest.mark.parametrize("name", list(_cells()))
def test_a_cell_streams_as_it_scans(name: str) -> None:
    cells, streamed = _cells()[name]
    assert _agree(_sheet(cells), _sample_styles()) == streamed


@pytest.mark.parametrize(
    "row, taken",
    [
        ('<row r="1" spans="1:3" ht="15" customHeight="1">', True),
        ('<row r="1" x14ac:dyDescent="0.25">', False),  # its prefix is not declared: not well-formed
        ('<row r="1" ht="15" spans="1:3">', False),
        ('<row r="01">', False),
        ("<row>", False),
        ('<row r="1" xmlns="urn:x">', False),
    ],
)
def test_a_row_streams_as_it_scans(row: str, taken: bool) -> None:
    assert _agree(_sheet('<c r="A1"><v>1</v></c>', row=row), _sample_styles()) == taken


def test_a_declared_row_prefix_streams() -> None:
    root = f'xmlns="{MAIN}" xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"'
    xml = _sheet('<c r="A1"><v>1</v></c>', row='<row r="1" x14ac:dyDescent="0.25">', root=root)
    assert _agree(xml, _sample_styles())


@pytest.mark.parametrize(
    "head, root, taken",
    [
        ('<hyperlinks><hyperlink ref="A1"/></hyperlinks>', f'xmlns="{MAIN}"', True),  # Unusual both ways
        ('<sheetData><row r="9"><c r="A9"><v>1</v></c></row></sheetData>', f'xmlns="{MAIN}"', False),
        ("", f'xmlns:m="{MAIN}" xmlns="urn:other"', False),
        ("", 'xmlns="urn:other"', False),
        ('<dimension ref="A1"/><!-- <sheetData> -->', f'xmlns="{MAIN}"', False),
    ],
)
def test_the_rest_of_the_sheet_streams_as_it_scans(head: str, root: str, taken: bool) -> None:
    assert _agree(_sheet('<c r="A1"><v>1</v></c>', head=head, root=root), _sample_styles()) == taken


def test_a_prefixed_root_streams_as_it_scans() -> None:
    xml = (
        f'<x:worksheet xmlns:x="{MAIN}" xmlns="{MAIN}"><sheetData><row r="1"><c r="A1"><f>1+1</f><v>2</v></c>'
        '<c r="B1"><v>1</v></c></row></sheetData></x:worksheet>'
    ).encode()
    assert _agree(xml, _sample_styles())


def test_a_long_sheet_streams_as_it_scans() -> None:
    _, percent, date = _styles()
    rows = "".join(
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>&#39033;{r}</t></is></c><c r="B{r}"><v>{r}.10</v></c>'
        f'<c r="C{r}" s="{percent}"><v>0.{r}</v></c><c r="D{r}" s="{date}"><v>{40000 + r}</v></c>'
        f'<c r="E{r}"><f>B{r}*2</f><v>{r * 2}</v></c></row>'
        for r in range(1, 3001)
    )
    xml = f'<worksheet xmlns="{MAIN}"><sheetData>{rows}</sheetData></worksheet>'.encode()
    assert _agree(xml, _sample_styles())


def test_every_decimal_reference_the_stream_takes_is_a_character_it_may_judge_by_bytes() -> None:
    """Brute force over every code point: a reference the stream lets through decodes to a character XML allows,
    from U+0080 on (never a space, "_" or "x"); every character from U+0080 on in the BMP written as a reference
    without leading zeros is let through, but U+FFFE and U+FFFF."""
    for n in range(0x110000):
        taken = sheet_stream._text_ok(f"&#{n};".encode())
        allowed = 0x80 <= n <= 0xD7FF or 0xE000 <= n <= 0xFFFD or 0x10000 <= n <= 99999
        assert taken == allowed, n


# the reference pattern as first written (each odd kind named once), which the faster one must equal
_ODD_AS_WRITTEN = re.compile(
    rb"&(?:#(?:0|1(?:[01][0-9]|2[0-7]);|5(?:529[6-9]|5[3-9][0-9]{2}|6[0-9]{3}|7[0-2][0-9]{2}|73[0-3][0-9]|734[0-3]);"
    rb"|6553[45];|(?![0-9]{3,5};))|(?!#|amp;|lt;|gt;|quot;|apos;))"
)


def _first_odd(pattern: re.Pattern[bytes], data: bytes) -> int:
    found = pattern.search(data)
    return -1 if found is None else found.start()


def test_the_odd_reference_search_finds_what_the_pattern_as_written_finds() -> None:
    """Every decimal reference of up to five digits (and some of six), with and without leading zeros or its ";",
    and random runs of references, names and text: the search finds the same first odd "&" as the pattern it
    replaced."""
    for n in [*range(100_000), *range(100_000, 1_000_000, 997)]:
        for text in (b"&#%d;" % n, b"&#0%d;" % n, b"&#%d" % n):
            assert _first_odd(sheet_stream._ODD_REFERENCE, text) == _first_odd(_ODD_AS_WRITTEN, text), text
    rng = random.Random(1919)
    pieces = [b"&#39033;", b"&#128;", b"&#127;", b"&#55296;", b"&#65535;", b"&#65534;", b"&#8220;", b"&amp;", b"&ap"]
    pieces += [b"&", b"#", b"1", b";", b"a", b"&#", b"&#0", b"&#1", b"&#5", b"&#6553", b"&#100000;", b"&#57344;"]
    for _ in range(20000):
        data = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        assert _first_odd(sheet_stream._ODD_REFERENCE, data) == _first_odd(_ODD_AS_WRITTEN, data), data


_COMMON = '<c r="X{r}"><v>1</v></c><c r="Y{r}" t="inlineStr"><is><t>&#39033;</t></is></c><c r="Z{r}" s="3"/>'


@pytest.mark.parametrize("name", list(_cells()))
def test_a_cell_among_common_cells_streams_as_it_scans(name: str) -> None:
    """common_cells.py takes the usual cells apart: an odd cell between them is read (or declined) as alone."""
    cells, streamed = _cells()[name]
    around = _COMMON.format(r=1) + cells + _COMMON.replace("X", "U").replace("Y", "V").replace("Z", "W").format(r=1)
    row2 = f'</row><row r="2">{_COMMON.format(r=2)}'
    assert _agree(_sheet(around + row2), _sample_styles()) == streamed


def test_the_common_cells_are_those_the_stream_passes_over() -> None:
    """Every cell the common pattern matches, _ordinary would have left as calamine reads it (nothing noted)."""
    styles = _sample_styles()
    excluded = styles.dateish.union(styles.percent)
    for name, (cells, streamed) in _cells().items():
        if not streamed:
            continue  # declined before any cell is looked at (a reference, a control character)
        pattern = common_cells(styles.count, excluded, len(styles.parts.strings), "_x" in cells or "_X" in cells)
        assert pattern is not None
        if pattern.fullmatch(cells.encode()):
            found = sheet_stream.stream_sheet(_sheet(cells), styles)
            assert found is not None and not found.special and not found.percent and not found.formulas, name


@pytest.mark.parametrize("n", [*range(0, 1200), 9999, 10000, 10001, 65430, 99999, 100000, 123456789])
def test_below_is_the_numbers_below_n_without_leading_zeros(n: int) -> None:
    pattern = re.compile(below(n))
    for k in {*range(0, min(n + 30, 1300)), n - 1, n, n + 1, 10 * n}:
        assert bool(pattern.fullmatch(str(k).encode())) == (0 <= k < n), (n, k)
    assert not pattern.fullmatch(b"01") and not pattern.fullmatch(b"") and not pattern.fullmatch(b"-0")


@pytest.mark.parametrize("index", ["0", "2", "3", "10", "02", "-1", "1.0", "0000000000000001", ""])
def test_a_shared_string_among_common_cells_streams_as_it_scans(index: str) -> None:
    sample = _sample_styles()
    styles = dataclasses.replace(sample, parts=dataclasses.replace(sample.parts, strings=["a", " b", "_x0041_"]))
    cells = f'<c r="A1" t="s"><v>{index}</v></c><c r="B1" s="3" t="s"><v>1</v></c>' + _COMMON.format(r=1)
    assert _agree(_sheet(cells), styles)


@pytest.mark.parametrize(
    "text, taken",
    [
        (b"&amp;&lt;&gt;&quot;&apos;&#39033;", True),
        (b"a & b", False),
        (b"&am", False),
        (b"&amp", False),
        (b"&", False),
        (b"&#", False),
        (b"&#;", False),
        (b"&#x41;", False),
        (b"&nbsp;", False),
        (b"&#39033;&", False),
        (b"]]", True),
        (b"] ]>", True),
        (b"]]>", False),
        ("\ufffd，".encode(), True),
        ("\ufffe".encode(), False),
        ("\uffff".encode(), False),
        (b"a\x1fb", False),
        (b"a\tb\nc", True),
        (b"\xe9", False),
    ],
)
def test_the_text_the_stream_judges_by_its_bytes(text: bytes, taken: bool) -> None:
    assert sheet_stream._text_ok(text) == taken


def test_calamine_reads_a_long_decimal_as_openpyxl_does(tmp_path: Path) -> None:
    """cells.LONG_DECIMAL: the reader takes calamine's float for a decimal of 16 or more digits (78.76000000000001),
    which holds only while calamine rounds as correctly as Python's float(): random ones, near-halfway ones."""
    import openpyxl
    import python_calamine

    from pipeline.workbook.formats import cast_number

    rng = random.Random(17)
    pattern = re.compile(LONG_DECIMAL)
    literals: list[str] = []
    while len(literals) < 20000:
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(16, 22)))
        point = rng.randint(1, len(digits) - 1)
        literal = rng.choice(["", "-"]) + (digits[:point].lstrip("0") or "0") + "." + digits[point:]
        if rng.random() < 0.4:
            literal = repr(rng.uniform(0, 10 ** rng.randint(0, 12)))
        elif rng.random() < 0.3:
            literal = literal[:-1] + rng.choice(["5", "49999", "50001"])
        if pattern.fullmatch(literal):
            literals.append(literal)
    rows = "".join(
        f'<row r="{r + 1}">'
        + "".join(f'<c r="{"ABCDEFGHIJ"[c]}{r + 1}"><v>{v}</v></c>' for c, v in enumerate(line))
        + "</row>"
        for r, line in enumerate(literals[i : i + 10] for i in range(0, len(literals), 10))
    )
    path = tmp_path / "decimals.xlsx"
    openpyxl.Workbook().save(path)
    with zipfile.ZipFile(path) as z:
        members = {i.filename: z.read(i.filename) for i in z.infolist()}
    members["xl/worksheets/sheet1.xml"] = (
        f'<worksheet xmlns="{MAIN}"><sheetData>{rows}</sheetData></worksheet>'.encode()
    )
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    with python_calamine.CalamineWorkbook.from_path(str(path)) as book:
        values = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    read = [v for line in values for v in line]
    assert len(read) == len(literals)
    for literal, value in zip(literals, read, strict=True):
        assert type(value) is float and repr(value) == repr(cast_number(literal)), literal
