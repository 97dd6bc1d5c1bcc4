"""Seeded mutations of the sample workbook ``inputs/2022.xlsx``, for the fuzz test (tests/test_fuzz.py).

Case ``i`` is made by a ``random.Random`` seeded with ``i`` (and the base seed), so ``fuzz-0042-error_value_text``
is the same workbook on every machine and every run. Each case makes one fault:

* one cell rewritten in its worksheet's XML: a wrong-typed value, an Excel error value (as a value, or as the
  cached result of a formula), a boolean, a formula without a cached result, a formula with one, an extreme
  number, text with control or zero-width characters; in a cell the schema reads, or in any cell at all; a lone
  surrogate (_xD800_) in text, a header or a row label; a number beyond the decimal context (1e999999999); a time or
  a duration; an error value or a date serial no date can show in a typed cell;
* the structure changed: a sheet deleted or renamed (in workbook.xml), a header or a row label deleted or renamed
  (its cell), a row deleted, blank rows inserted, cells merged over data or down over a list's records (with
  openpyxl, which moves the rows);
* the .xlsx package damaged: bytes flipped, the file truncated, a member deleted, a member's XML corrupted.

    python -m tests.fuzz_mutations OUTDIR [N]    # write cases 0..N-1 and an index (cases.tsv), for review

``GENREPORT_FUZZ_CASES`` sets how many cases there are (default ``DEFAULT_CASES``), ``GENREPORT_FUZZ_SEED`` the
base seed (another seed is another set of cases of the same mix).
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import os
import random
import re
import sys
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from lxml import etree
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.cell import coordinate_from_string
from openpyxl.workbook.workbook import Workbook

from pipeline.model import schema
from pipeline.model.schema import FIRST_DATA_ROW, HEADER_ROW, FormSheet, Kind

SAMPLE = Path(__file__).resolve().parent.parent / "inputs" / "2022.xlsx"
DEFAULT_CASES = 200
CASES = int(os.environ.get("GENREPORT_FUZZ_CASES") or DEFAULT_CASES)
BASE_SEED = int(os.environ.get("GENREPORT_FUZZ_SEED") or 20221231)

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"

# What Excel writes for a failed formula (openpyxl.cell.cell.ERROR_CODES), each with a formula that yields it.
ERROR_FORMULAS = {
    "#NULL!": "SUM(B3 C3)",
    "#DIV/0!": "1/0",
    "#VALUE!": '"文字"+1',
    "#REF!": "#REF!+1",
    "#NAME?": "SUMM(B3:B5)",
    "#NUM!": "SQRT(-1)",
    "#N/A": "VLOOKUP(A3,附表!A:B,2,FALSE)",
}
ERROR_VALUES = tuple(ERROR_FORMULAS)

# Formulas saved without a result, as openpyxl and other programs save them (only Excel/WPS compute on save).
FORMULAS = ("SUM(B3:B5)", "C4*2", "ROUND(D3/10000,2)", "TODAY()", '"第"&ROW()&"条"', "SUM(资产!B3:B4)")

# <v> texts exactly as they stand in the file. "1e309" overflows to inf when read; "INF" and "NaN" are what some
# programs (not Excel, not openpyxl) write for a float that is not finite.
EXTREME_NUMBERS = (
    "1e308",
    "-1e308",
    "1.7976931348623157E+308",
    "1e309",
    "-1e309",
    "1e-12",
    "-1e-12",
    "-0.001",
    "-0.0",
    "0",
    "100000000000000000000",
    "1E+20",
    "1e15",
    "1E+15",
    "5E-324",
    "9007199254740993",
    "0.30000000000000004",
    "999999999999.995",
    "INF",
    "NaN",
    "1e999999999",  # beyond every float: inf to openpyxl and calamine alike
    "-1E+999999999",
)

# Extreme numbers as text (pasted from another system, or typed with a leading apostrophe).
EXTREME_TEXT = ("1e-30000", "-1e-30000", "1e400", "-0", "-0.00", "0.000000000001", "999999999999.999", "1E+11")
# Exponents beyond the decimal context's (Emax 999999): Decimal reads them exactly, and abs() or a comparison traps.
HUGE_EXPONENTS = ("1e999999999", "-1e999999999", "1E+1000000", "1e-999999999", "9.99e999999", "1e99999999999999999999")

# Numbers a person might type into a text cell, or a formula leave there (=0.1+0.2, =0.1+0.2-0.3).
NUMBERS_FOR_TEXT = ("42", "3.14", "2022", "15", "1234567.891", "0.30000000000000004", "5.551115123125783E-17", "100")

# Text a person might type into a number cell: some of it genuinely numeric (tolerated with a warning).
TEXT_FOR_NUMBER = (
    "约147万",
    "待定",
    "—",
    "十五",
    "1.2.3",
    "见附件",
    "１２３．４",
    "12,345.6",
    " 42 ",
    "45%",
    "1e5",
    "1E+3",
    "-0",
    "N/A",
)
TEXT_FOR_DATE = ("去年年底", "2023/13/45", "2023年3月31日", "待定", "2023.3.31")
TEXT_FOR_CODE = ("22101", "2210x", "住房保障", "221.01", "２２１")

# Date serials, written with the sample's date style: 2022-12-31, with a time of day, Excel's day 0 and its
# phantom 1900-02-29, before day 0, and beyond 9999-12-31.
DATE_SERIALS = ("44926", "44926.75", "0", "60", "-1", "2958466")

# Characters XML 1.0 cannot hold are stored as _xHHHH_, as Excel stores them; tab, newline and CR as themselves.
# A lone UTF-16 surrogate (half of an emoji cut off) can only be stored so.
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Lone surrogates, and a pair of escaped halves that together are one emoji (decoded, it must stay that emoji).
SURROGATES = ("\ud800", "\udfff", "\udc00", "\ud83d", "\ud83d\ude00")

# Times and durations, as openpyxl writes them (h:mm:ss, [hh]:mm:ss): what "12:00" typed in a cell becomes.
TIMES = (
    dt.time(12, 0),
    dt.time(0, 0),
    dt.time(8, 30, 15),
    dt.timedelta(days=3),
    dt.timedelta(hours=-5),
    dt.timedelta(days=40000),
    dt.timedelta(seconds=1),
)
# Drawn group first, then a character of it: otherwise the 29 C0 controls would crowd out the rest.
INVISIBLE = (
    tuple(chr(c) for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)),
    ("\t", "\n", "\r"),
    ("\x7f",),  # DEL: a control character that XML 1.0 allows, so Excel stores it as it is
    (
        "\u200b",  # zero width space
        "\u200c",  # zero width non-joiner
        "\u200d",  # zero width joiner
        "\u2060",  # word joiner
        "\ufeff",  # byte order mark / zero width no-break space
        "\u202e",  # right-to-left override: displays the rest of the line reversed
        "\u2066",  # left-to-right isolate
    ),
)

SHEET_RENAMES = ("{} ", "{}1", "{}（2022）", "Sheet1", " {}", "{}表", "{}_xD800_")
HEADER_RENAMES = ("{}（万元）", "{}1", " {} ", "{}数", "备注")


# ---------------------------------------------------------------- the sample's layout, read once


@dataclass(frozen=True)
class Slot:
    """One place the schema reads: a field of a sheet (a form row in one value column), and the cells it covers."""

    sheet: str
    label: str
    kind: Kind
    choices: bool
    cells: tuple[str, ...]

    @property
    def target(self) -> str:
        """The class of value the cell holds, as it appears in case ids."""
        if self.kind is Kind.TEXT:
            return "choice" if self.choices else "text"
        if self.kind is Kind.NUMBER_OR_TEXT:
            return "kpi"
        if self.kind in (Kind.DATE, Kind.CODE):
            return self.kind.name.lower()
        return "number"


@dataclass(frozen=True)
class Layout:
    slots: tuple[Slot, ...]
    values: dict[tuple[str, str], object]  # (sheet, cell) -> the sample's value, where one is typed
    extent: dict[str, tuple[int, int]]  # sheet -> (last row, last column) holding a value
    headers: dict[str, tuple[str, ...]]  # schema sheet -> its header cells in row 2
    row_labels: dict[str, tuple[str, ...]]  # form sheet -> its row-label cells in column A
    parts: dict[str, str]  # sheet -> the package member holding it
    date_style: int  # index of a cell style (cellXfs) with a date format


@functools.cache
def sample_bytes() -> bytes:
    return SAMPLE.read_bytes()


@functools.cache
def layout() -> Layout:
    wb = openpyxl.load_workbook(io.BytesIO(sample_bytes()))
    values: dict[tuple[str, str], object] = {}
    extent: dict[str, tuple[int, int]] = {}
    for ws in wb.worksheets:
        last_row = last_col = 1
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None:
                    values[(ws.title, c.coordinate)] = c.value
                    last_row, last_col = max(last_row, c.row), max(last_col, c.column)
        extent[ws.title] = (last_row, last_col)
    slots: list[Slot] = []
    headers: dict[str, tuple[str, ...]] = {}
    row_labels: dict[str, tuple[str, ...]] = {}
    for sheet in schema.SHEETS:
        ws = wb[sheet.name]
        found = {_norm(c.value): c.column_letter for c in ws[HEADER_ROW] if c.value is not None}
        headers[sheet.name] = tuple(f"{letter}{HEADER_ROW}" for letter in found.values())
        if isinstance(sheet, FormSheet):
            rows = {_norm(ws.cell(r, 1).value): r for r in range(FIRST_DATA_ROW, extent[sheet.name][0] + 1)}
            row_labels[sheet.name] = tuple(f"A{r}" for label, r in rows.items() if label)
            for f in sheet.rows:
                for vc in sheet.columns:
                    letter = found.get(_norm(vc.label), "B")  # a one-column form reads column B, whatever its header
                    cell = f"{letter}{rows[_norm(f.label)]}"
                    slots.append(Slot(sheet.name, f"{f.label}/{vc.label}", f.kind, bool(f.choices), (cell,)))
        else:
            # the records, and the row after them (a new, partly filled record)
            last = max(FIRST_DATA_ROW, extent[sheet.name][0])
            for f in sheet.columns:
                if _norm(f.label) not in found:  # an optional column the sample leaves out (上年实际完成值)
                    continue
                letter = found[_norm(f.label)]
                cells = tuple(f"{letter}{r}" for r in range(FIRST_DATA_ROW, last + 2))
                slots.append(Slot(sheet.name, f.label, f.kind, bool(f.choices), cells))
    return Layout(tuple(slots), values, extent, headers, row_labels, _sheet_parts(sample_bytes()), _date_style())


def _norm(value: object) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value))) if value is not None else ""


def _sheet_parts(data: bytes) -> dict[str, str]:
    """Sheet name -> package member, from workbook.xml and its relationships."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        book = etree.fromstring(z.read("xl/workbook.xml"))
        rels = etree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels.iter(f"{{{PKG_REL_NS}}}Relationship")}
    parts = {}
    for sheet in book.iter(f"{{{MAIN_NS}}}sheet"):
        target = targets[sheet.get(f"{{{REL_NS}}}id")]
        parts[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return parts


def _date_style() -> int:
    """The first cell style of the sample whose number format is a date (built-in 14-22, or a custom one with y/d)."""
    with zipfile.ZipFile(io.BytesIO(sample_bytes())) as z:
        styles = etree.fromstring(z.read("xl/styles.xml"))
    custom = {
        int(n.get("numFmtId")): n.get("formatCode") for n in styles.iter(f"{{{MAIN_NS}}}numFmt") if n.get("numFmtId")
    }
    xfs = styles.find(f"{{{MAIN_NS}}}cellXfs")
    for i, xf in enumerate(xfs if xfs is not None else []):
        fmt = int(xf.get("numFmtId", "0"))
        if 14 <= fmt <= 22 or re.search(r"[yd]", custom.get(fmt, "")):
            return i
    raise AssertionError("the sample has no date style")


# ---------------------------------------------------------------- a mutation


@dataclass(frozen=True)
class Mutation:
    """One fuzz case: what it does (``description``), and ``make()`` for the workbook's bytes."""

    index: int
    family: str
    target: str  # class of the cell written (text, number, ..., any); empty for structure and package damage
    description: str
    make: Callable[[], bytes] = field(repr=False, compare=False)
    sheet: str = ""  # the sheet the mutation changed, where it changed one
    cell: str = ""  # the one cell it changed, where it changed one
    typed_text: tuple[str, ...] = ()  # plain text the mutation typed: a report may print it as the user's own

    @property
    def case_id(self) -> str:
        return f"fuzz-{self.index:04d}-{self.family}" + (f"_{self.target}" if self.target else "")


@dataclass(frozen=True)
class Written:
    """A cell as it stands in the worksheet XML: type attribute, formula, cached value or inline text, style."""

    t: str | None = None
    formula: str | None = None
    value: str | None = None
    inline: str | None = None
    style: int | None = None  # None keeps the cell's own style
    empty_value: bool = True  # a formula without a result: <v/> (what openpyxl writes) or no <v> at all

    def describe(self) -> str:
        parts = [f't="{self.t}"'] if self.t else []
        if self.formula is not None:
            parts.append(f"<f>{self.formula}</f>")
        if self.value is not None:
            parts.append(f"<v>{visible(self.value)}</v>")
        elif self.formula is not None:
            parts.append("<v/>" if self.empty_value else "no <v>")
        if self.inline is not None:
            parts.append(f"inline “{visible(self.inline)}”")
        if self.style is not None:
            parts.append("date style")
        return " ".join(parts)


def visible(text: str) -> str:
    """Text with its invisible characters spelled out (\\x01, \\u200b), for descriptions and failure output."""
    return "".join(
        c if c.isprintable() and unicodedata.category(c) != "Cf" else ascii(c)[1:-1] for c in text.replace("\\", "\\\\")
    )


Family = Callable[[random.Random, int], Mutation]
FAMILIES: dict[str, tuple[int, Family]] = {}  # name -> (weight in the schedule, planner)


def family(name: str, weight: int) -> Callable[[Family], Family]:
    def register(planner: Family) -> Family:
        FAMILIES[name] = (weight, planner)
        return planner

    return register


@functools.cache
def schedule(seed: int = BASE_SEED) -> tuple[str, ...]:
    """Families in a fixed shuffled cycle, each as often as its weight: every few dozen cases cover them all."""
    cycle = [name for name, (weight, _) in FAMILIES.items() for _ in range(weight)]
    random.Random(seed).shuffle(cycle)
    return tuple(cycle)


def plan(index: int, seed: int = BASE_SEED) -> Mutation:
    """Case ``index``: every random choice is made here, from its own seeded generator; bytes come from make()."""
    rng = random.Random(f"genreport-fuzz-{seed}-{index}")
    cycle = schedule(seed)
    return FAMILIES[cycle[index % len(cycle)]][1](rng, index)


def plan_cases(count: int = CASES, seed: int = BASE_SEED) -> list[Mutation]:
    return [plan(i, seed) for i in range(count)]


# ---------------------------------------------------------------- one cell, in the worksheet XML


@dataclass(frozen=True)
class Place:
    sheet: str
    cell: str
    target: str  # Slot.target, or "any"
    label: str  # what the schema calls it, or "" anywhere else


# How often each class of cell is the target: by class, not by slot, or the 56 amounts of 收支预决算 would drown
# the few text fields that reach the report verbatim.
TARGET_WEIGHTS = {"text": 4, "number": 3, "kpi": 1, "choice": 1, "date": 1, "code": 1}


def _place(rng: random.Random, classes: tuple[str, ...] = ()) -> Place:
    """A cell the schema reads (four times in five; of one of ``classes`` when given), or any cell at all."""
    lay = layout()
    weights = {k: w for k, w in TARGET_WEIGHTS.items() if not classes or k in classes}
    if rng.random() < 0.8:
        target = rng.choices(list(weights), list(weights.values()))[0]
        slot = rng.choice([s for s in lay.slots if s.target == target])
        return Place(slot.sheet, rng.choice(slot.cells), slot.target, slot.label)
    sheet = rng.choice(list(lay.parts))
    last_row, last_col = lay.extent[sheet]
    cell = f"{get_column_letter(rng.randint(1, last_col + 1))}{rng.randint(1, last_row + 2)}"
    return Place(sheet, cell, "any", "")


def _sample_text(place: Place) -> str:
    value = layout().values.get((place.sheet, place.cell))
    return value if isinstance(value, str) and value.strip() else "测试文字"


def _cell_case(
    index: int, name: str, place: Place, written: Written, what: str, typed: tuple[str, ...] = ()
) -> Mutation:
    label = f"（{place.label}）" if place.label else ""
    return Mutation(
        index=index,
        family=name,
        target=place.target,
        description=f"{place.sheet}!{place.cell}{label} ← {what}: {written.describe()}",
        make=lambda: rewrite_cell(sample_bytes(), place.sheet, place.cell, written),
        sheet=place.sheet,
        cell=place.cell,
        typed_text=typed,
    )


def rewrite_cell(data: bytes, sheet: str, ref: str, written: Written) -> bytes:
    """The package with one cell of one sheet replaced (created, with its row, where the sheet has none)."""
    part = layout().parts[sheet]

    def change(name: str, content: bytes) -> bytes:
        return _set_cell(content, ref, written) if name == part else content

    return rezip(data, change)


def _set_cell(xml: bytes, ref: str, written: Written) -> bytes:
    root = etree.fromstring(xml)
    sheet_data = root.find(f"{{{MAIN_NS}}}sheetData")
    assert sheet_data is not None
    letters, row_number = coordinate_from_string(ref)
    row = _child_in_order(sheet_data, "row", "r", row_number, int)
    c = _child_in_order(row, "c", "r", column_index_from_string(letters), _column_of, ref)
    style = c.get("s")
    c.attrib.clear()
    c.set("r", ref)
    if written.style is not None or style is not None:
        c.set("s", str(written.style if written.style is not None else style))
    if written.t:
        c.set("t", written.t)
    for child in list(c):
        c.remove(child)
    if written.formula is not None:
        etree.SubElement(c, f"{{{MAIN_NS}}}f").text = written.formula
        if written.value is None and written.empty_value:
            etree.SubElement(c, f"{{{MAIN_NS}}}v")
    if written.value is not None:
        etree.SubElement(c, f"{{{MAIN_NS}}}v").text = written.value
    if written.inline is not None:
        t = etree.SubElement(etree.SubElement(c, f"{{{MAIN_NS}}}is"), f"{{{MAIN_NS}}}t")
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        t.text = excel_escaped(written.inline)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _column_of(ref: str) -> int:
    return column_index_from_string(coordinate_from_string(ref)[0])


def _child_in_order(
    parent: etree._Element, tag: str, attr: str, key: int, keyed: Callable[[str], int], value: str | None = None
) -> etree._Element:
    """The child ``tag`` whose ``attr`` is ``key`` (rows by number, cells by column), inserted in order if absent."""
    children = parent.findall(f"{{{MAIN_NS}}}{tag}")
    for child in children:
        have = keyed(child.get(attr))
        if have == key:
            return child
        if have > key:
            new = etree.Element(f"{{{MAIN_NS}}}{tag}", {attr: value or str(key)})
            child.addprevious(new)
            return new
    return etree.SubElement(parent, f"{{{MAIN_NS}}}{tag}", {attr: value or str(key)})


def excel_escaped(text: str) -> str:
    """How Excel stores text XML 1.0 cannot hold: _xHHHH_ for each such character (and _x005F_ for a literal _x)."""
    text = re.sub(r"_(x[0-9A-Fa-f]{4}_)", r"_x005F_\1", text)
    return XML_ILLEGAL.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)


def _typed_text(value: str) -> Written:
    return Written(t="inlineStr", inline=value)


def _number(value: str) -> Written:
    return Written(t="n", value=value)


def _date(rng: random.Random) -> tuple[Written, str]:
    serial = rng.choice(DATE_SERIALS)
    return Written(t="n", value=serial, style=layout().date_style), f"a date (serial {serial})"


@family("wrong_type", 4)
def _wrong_type(rng: random.Random, index: int) -> Mutation:
    place = _place(rng)
    # anywhere else, a value of any class; the description then names no class of cell
    target = place.target if place.target != "any" else rng.choice(("text", "number", "date", "code"))
    where = f"a {target} cell" if place.target != "any" else "a cell"
    typed: tuple[str, ...] = ()
    if target in ("text", "choice") and rng.random() < 0.7:
        value = rng.choice(NUMBERS_FOR_TEXT)
        written, what = _number(value), f"a number in {where}"
    elif target == "date" and rng.random() < 0.3:
        value = rng.choice(NUMBERS_FOR_TEXT)
        written, what = _number(value), f"a plain number in {where}"
    elif target in ("text", "choice", "kpi") or (target != "date" and rng.random() < 0.25):
        # a 绩效指标 value takes numbers and text alike: only a date is of the wrong type there
        written, what = _date(rng)
        what += f" in {where}"
    else:
        pool = {"date": TEXT_FOR_DATE, "code": TEXT_FOR_CODE}.get(target, TEXT_FOR_NUMBER)
        value = rng.choice(pool)
        written, what, typed = _typed_text(value), f"text in {where}", (value,)
    return _cell_case(index, "wrong_type", place, written, what, typed)


@family("error_value", 3)
def _error_value(rng: random.Random, index: int) -> Mutation:
    error = rng.choice(ERROR_VALUES)
    written = Written(t="e", value=error)
    return _cell_case(index, "error_value", _place(rng), written, f"the Excel error value {error}")


@family("cached_error", 3)
def _cached_error(rng: random.Random, index: int) -> Mutation:
    error = rng.choice(ERROR_VALUES)
    written = Written(t="e", formula=ERROR_FORMULAS[error], value=error)
    return _cell_case(index, "cached_error", _place(rng), written, f"a formula whose cached result is {error}")


@family("boolean", 2)
def _boolean(rng: random.Random, index: int) -> Mutation:
    value = rng.choice(("1", "0"))
    written = Written(t="b", value=value)
    what = f"the boolean {'TRUE' if value == '1' else 'FALSE'}"
    return _cell_case(index, "boolean", _place(rng), written, what)


@family("formula_no_cache", 2)
def _formula_no_cache(rng: random.Random, index: int) -> Mutation:
    written = Written(formula=rng.choice(FORMULAS), empty_value=rng.random() < 0.7)
    return _cell_case(index, "formula_no_cache", _place(rng), written, "a formula without a cached result")


@family("cached_formula", 1)
def _cached_formula(rng: random.Random, index: int) -> Mutation:
    """A formula with the sample's own value as its cached result (0 in a blank cell), as Excel saves it."""
    place = _place(rng)
    value = layout().values.get((place.sheet, place.cell))
    formula = rng.choice(FORMULAS)
    if isinstance(value, int | float) and not isinstance(value, bool):
        written = Written(t="n", formula=formula, value=repr(value))
    elif isinstance(value, str):
        written = Written(t="str", formula=formula, value=value)
    else:  # a blank cell: a formula giving 0, a result Excel stores as such
        written = Written(formula=formula, value="0")
    return _cell_case(index, "cached_formula", place, written, "a formula with a cached result")


@family("extreme_number", 4)
def _extreme_number(rng: random.Random, index: int) -> Mutation:
    place = _place(rng)
    if rng.random() < 0.4:  # pasted as text: Decimal, not float, reads it, so exponents go far beyond 1e308
        value = rng.choice(EXTREME_TEXT)
        return _cell_case(index, "extreme_number", place, _typed_text(value), f"the text “{value}”", (value,))
    value = rng.choice(EXTREME_NUMBERS)
    return _cell_case(index, "extreme_number", place, _number(value), f"the number {value}")


@family("control_chars", 4)
def _control_chars(rng: random.Random, index: int) -> Mutation:
    place = _place(rng, ("text", "choice", "kpi"))
    text = _sample_text(place)
    added = [rng.choice(rng.choice(INVISIBLE)) for _ in range(rng.randint(1, 3))]
    for ch in added:
        at = rng.randint(0, len(text))
        text = text[:at] + ch + text[at:]
    what = "text with " + " ".join(ascii(ch)[1:-1] for ch in added)
    return _cell_case(index, "control_chars", place, _typed_text(text), what)


@family("surrogate", 3)
def _surrogate(rng: random.Random, index: int) -> Mutation:
    """A lone surrogate (stored as Excel stores it, _xD800_) in a text cell, a header or a row label."""
    where = rng.random()
    added = rng.choice(SURROGATES)
    if where < 0.6:
        place = _place(rng, ("text", "choice", "kpi"))
        text = _sample_text(place)
        at = rng.randint(0, len(text))
        what = f"text with {ascii(added)[1:-1]}"
        return _cell_case(index, "surrogate", place, _typed_text(text[:at] + added + text[at:]), what)
    sheet = _schema_sheet(rng) if where < 0.85 else rng.choice(list(layout().row_labels))
    cells = layout().headers[sheet] if where < 0.85 else layout().row_labels[sheet]
    cell = rng.choice(cells)
    label = str(layout().values[(sheet, cell)])
    make = _cells_rewritten(sheet, {cell: _typed_text(label + added)})
    what = f"{'header' if where < 0.85 else 'row label'} “{label}” + {ascii(added)[1:-1]}"
    return _structure_case(index, "surrogate", sheet, what, make, cell)


@family("huge_exponent", 2)
def _huge_exponent(rng: random.Random, index: int) -> Mutation:
    """A number far beyond the decimal context (1e999999999), as text in a typed cell."""
    place = _place(rng, ("number", "kpi", "date", "code"))
    value = rng.choice(HUGE_EXPONENTS)
    return _cell_case(index, "huge_exponent", place, _typed_text(value), f"the text “{value}”", (value,))


@family("time_value", 2)
def _time_value(rng: random.Random, index: int) -> Mutation:
    """A time of day or a duration in a cell the schema reads (saved by openpyxl with a time format)."""
    place = _place(rng)
    value = rng.choice(TIMES)

    def edit(wb: Workbook) -> None:
        wb[place.sheet][place.cell] = value

    label = f"（{place.label}）" if place.label else ""
    return Mutation(
        index=index,
        family="time_value",
        target=place.target,
        description=f"{place.sheet}!{place.cell}{label} ← {value!r}",
        make=_edited(edit),
        sheet=place.sheet,
        cell=place.cell,
    )


@family("typed_error", 2)
def _typed_error(rng: random.Random, index: int) -> Mutation:
    """An error value, or a date serial no date can show (openpyxl's #VALUE!), in a number, date, code or KPI cell."""
    place = _place(rng, ("number", "kpi", "date", "code"))
    if rng.random() < 0.5:
        serial = rng.choice(("-1", "2958466", "1e20", "-44926"))
        written = Written(t="n", value=serial, style=layout().date_style)
        return _cell_case(index, "typed_error", place, written, f"a date-styled number beyond the dates ({serial})")
    error = rng.choice(ERROR_VALUES)
    if rng.random() < 0.5:
        written = Written(t="e", value=error)
    else:
        written = Written(t="e", formula=ERROR_FORMULAS[error], value=error)
    return _cell_case(index, "typed_error", place, written, f"the Excel error value {error}")


# ---------------------------------------------------------------- structure


def _edited(edit: Callable[[Workbook], None]) -> Callable[[], bytes]:
    """The sample loaded from its bytes (cheaper than deep-copying a loaded workbook), edited and saved.

    Used where openpyxl does the bookkeeping (moving rows, merging); it costs ~0.25 s a case, an XML edit ~10 ms.
    """

    def make() -> bytes:
        wb = openpyxl.load_workbook(io.BytesIO(sample_bytes()))
        edit(wb)
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()

    return make


def _structure_case(
    index: int, name: str, sheet: str, what: str, make: Callable[[], bytes], cell: str = ""
) -> Mutation:
    where = f"{sheet}!{cell}" if cell else sheet
    return Mutation(index, name, "", f"{where}: {what}", make, sheet=sheet, cell=cell)


def _any_sheet(rng: random.Random) -> str:
    return rng.choice(list(layout().parts))


def _schema_sheet(rng: random.Random) -> str:
    return rng.choice([s.name for s in schema.SHEETS])


def _book_edited(change: Callable[[etree._Element], None], drop: str = "") -> Callable[[], bytes]:
    """The sample with ``change`` applied to xl/workbook.xml; and the worksheet part ``drop`` removed, as Excel
    removes a deleted sheet: the part, its relationships, and the references to it in the package."""
    drop_rels = drop.replace("worksheets/", "worksheets/_rels/") + ".rels"

    def edit(name: str, content: bytes) -> bytes | None:
        if drop and name in (drop, drop_rels):
            return None
        if name == "xl/workbook.xml":
            root = etree.fromstring(content)
            change(root)
            return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        if drop and name in ("xl/_rels/workbook.xml.rels", "[Content_Types].xml"):
            root = etree.fromstring(content)
            for e in list(root):
                if (e.get("Target") or e.get("PartName") or "").lstrip("/") in (drop, drop.removeprefix("xl/")):
                    root.remove(e)
            return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        return content

    return lambda: rezip(sample_bytes(), edit)


def _sheet_element(root: etree._Element, name: str) -> etree._Element:
    return next(e for e in root.iter(f"{{{MAIN_NS}}}sheet") if e.get("name") == name)


@family("delete_sheet", 1)
def _delete_sheet(rng: random.Random, index: int) -> Mutation:
    sheet = _any_sheet(rng)

    def change(root: etree._Element) -> None:
        element = _sheet_element(root, sheet)
        element.getparent().remove(element)

    make = _book_edited(change, drop=layout().parts[sheet])
    return _structure_case(index, "delete_sheet", sheet, "sheet deleted", make)


@family("rename_sheet", 1)
def _rename_sheet(rng: random.Random, index: int) -> Mutation:
    sheet = _schema_sheet(rng)
    if rng.random() < 0.25:
        other = rng.choice([s.name for s in schema.SHEETS if s.name != sheet])

        def swap(root: etree._Element) -> None:
            first, second = _sheet_element(root, sheet), _sheet_element(root, other)
            first.set("name", other)
            second.set("name", sheet)

        return _structure_case(index, "rename_sheet", sheet, f"names swapped with sheet “{other}”", _book_edited(swap))
    new = rng.choice(SHEET_RENAMES).format(sheet)

    def rename(root: etree._Element) -> None:
        _sheet_element(root, sheet).set("name", new)

    return _structure_case(index, "rename_sheet", sheet, f"renamed “{new}”", _book_edited(rename))


def _cells_rewritten(sheet: str, cells: dict[str, Written]) -> Callable[[], bytes]:
    def make() -> bytes:
        data = sample_bytes()
        for ref, written in cells.items():
            data = rewrite_cell(data, sheet, ref, written)
        return data

    return make


@family("delete_header", 1)
def _delete_header(rng: random.Random, index: int) -> Mutation:
    sheet = _schema_sheet(rng)
    cell = rng.choice(layout().headers[sheet])
    make = _cells_rewritten(sheet, {cell: Written()})
    return _structure_case(index, "delete_header", sheet, "header deleted", make, cell)


@family("rename_header", 1)
def _rename_header(rng: random.Random, index: int) -> Mutation:
    sheet = _schema_sheet(rng)
    headers = layout().headers[sheet]
    cell = rng.choice(headers)
    label = str(layout().values[(sheet, cell)])
    if len(headers) > 1 and rng.random() < 0.3:
        other = rng.choice([h for h in headers if h != cell])
        other_label = str(layout().values[(sheet, other)])
        make = _cells_rewritten(sheet, {cell: _typed_text(other_label), other: _typed_text(label)})
        what = f"header swapped with {other} “{other_label}”"
        return _structure_case(index, "rename_header", sheet, what, make, cell)
    new = rng.choice(HEADER_RENAMES).format(label)
    make = _cells_rewritten(sheet, {cell: _typed_text(new)})
    return _structure_case(index, "rename_header", sheet, f"header “{label}” renamed “{new}”", make, cell)


@family("rename_row_label", 1)
def _rename_row_label(rng: random.Random, index: int) -> Mutation:
    sheet = rng.choice(list(layout().row_labels))
    cell = rng.choice(layout().row_labels[sheet])
    label = str(layout().values[(sheet, cell)])
    new = rng.choice(("", "{}（万元）", "  {}  ", "{}合计", "１{}")).format(label)
    make = _cells_rewritten(sheet, {cell: _typed_text(new) if new else Written()})
    what = f"row label “{label}” " + (f"renamed “{new}”" if new else "deleted")
    return _structure_case(index, "rename_row_label", sheet, what, make, cell)


@family("delete_row", 1)
def _delete_row(rng: random.Random, index: int) -> Mutation:
    sheet = _any_sheet(rng)
    row = rng.randint(1, layout().extent[sheet][0])
    what = f"row {row} deleted (rows below move up)"
    return _structure_case(index, "delete_row", sheet, what, _edited(lambda wb: wb[sheet].delete_rows(row)))


@family("insert_blank_rows", 1)
def _insert_blank_rows(rng: random.Random, index: int) -> Mutation:
    sheet = _any_sheet(rng)
    row = rng.randint(1, layout().extent[sheet][0] + 1)
    count = rng.randint(1, 3)

    def edit(wb: Workbook) -> None:
        wb[sheet].insert_rows(row, count)

    what = f"{count} blank row(s) inserted at row {row}"
    return _structure_case(index, "insert_blank_rows", sheet, what, _edited(edit))


@family("merge_cells", 2)
def _merge_cells(rng: random.Random, index: int) -> Mutation:
    sheet = _schema_sheet(rng)
    last_row, last_col = layout().extent[sheet]
    rows, cols = rng.choice(((2, 1), (3, 1), (1, 2), (2, 2), (4, 1), (1, 3)))
    top = rng.randint(HEADER_ROW if rng.random() < 0.2 else FIRST_DATA_ROW, max(FIRST_DATA_ROW, last_row))
    left = rng.randint(1, max(1, last_col - cols + 1))
    ref = f"{get_column_letter(left)}{top}:{get_column_letter(left + cols - 1)}{top + rows - 1}"

    def edit(wb: Workbook) -> None:
        wb[sheet].merge_cells(ref)  # keeps the top-left value and empties the rest, as Excel does

    return _structure_case(index, "merge_cells", sheet, f"cells {ref} merged", _edited(edit))


@family("merge_list_rows", 2)
def _merge_list_rows(rng: random.Random, index: int) -> Mutation:
    """One column of a list sheet merged down over two or more of its records (Excel keeps the top value)."""
    sheets = [s for s in schema.SHEETS if not isinstance(s, FormSheet) and layout().extent[s.name][0] > FIRST_DATA_ROW]
    sheet = rng.choice(sheets).name
    last_row = layout().extent[sheet][0]
    letter = rng.choice(layout().headers[sheet])[:-1] if layout().headers[sheet] else "A"
    top = rng.randint(FIRST_DATA_ROW, last_row - 1)
    ref = f"{letter}{top}:{letter}{rng.randint(top + 1, last_row + 1)}"

    def edit(wb: Workbook) -> None:
        wb[sheet].merge_cells(ref)

    return _structure_case(index, "merge_list_rows", sheet, f"cells {ref} merged over records", _edited(edit))


# ---------------------------------------------------------------- the package, byte by byte


def rezip(data: bytes, change: Callable[[str, bytes], bytes | None]) -> bytes:
    """Rewrite a package member by member: ``change(name, content)`` returns the new content, or None to drop it."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = change(info.filename, src.read(info.filename))
            if content is not None:
                dst.writestr(info.filename, content, compresslevel=1)  # level 1: fast, and the size is irrelevant
    return out.getvalue()


def _members() -> list[str]:
    with zipfile.ZipFile(io.BytesIO(sample_bytes())) as z:
        return z.namelist()


def _package_case(index: int, name: str, what: str, make: Callable[[], bytes]) -> Mutation:
    return Mutation(index, name, "", what, make)


@family("zip_flip_bytes", 1)
def _flip_bytes(rng: random.Random, index: int) -> Mutation:
    data = sample_bytes()
    directory = data.find(b"PK\x01\x02")  # the central directory: member names, sizes, offsets
    where = rng.choice(("anywhere", "anywhere", "directory"))
    low = directory if where == "directory" else 0
    flips = sorted((rng.randrange(low, len(data)), rng.randint(1, 255)) for _ in range(rng.randint(1, 8)))

    def make() -> bytes:
        damaged = bytearray(data)
        for at, mask in flips:
            damaged[at] ^= mask
        return bytes(damaged)

    shown = ", ".join(f"{at}^{mask:#04x}" for at, mask in flips)
    return _package_case(index, "zip_flip_bytes", f"{len(flips)} byte(s) flipped ({where}): {shown}", make)


@family("zip_truncate", 1)
def _truncate(rng: random.Random, index: int) -> Mutation:
    data = sample_bytes()
    at = rng.randrange(len(data) - 200, len(data)) if rng.random() < 0.3 else rng.randrange(len(data))
    return _package_case(index, "zip_truncate", f"truncated to {at} of {len(data)} bytes", lambda: sample_bytes()[:at])


@family("zip_delete_member", 1)
def _delete_member(rng: random.Random, index: int) -> Mutation:
    member = rng.choice(_members())
    return _package_case(
        index,
        "zip_delete_member",
        f"member {member} deleted",
        lambda: rezip(sample_bytes(), lambda name, content: None if name == member else content),
    )


def _corruptions(rng: random.Random) -> tuple[str, Callable[[bytes], bytes]]:
    """One way to break an XML member, chosen now; applied to its content later."""
    kind = rng.choice(("truncated", "garbage", "unclosed", "invalid_utf8", "char_reference", "root_renamed", "bad_ref"))
    fraction = rng.random()
    noise = rng.randbytes(rng.randint(1, 16))

    def at(content: bytes) -> int:
        return int(len(content) * fraction)

    corrupt: dict[str, Callable[[bytes], bytes]] = {
        "truncated": lambda c: c[: at(c)],
        "garbage": lambda c: c[: at(c)] + noise + c[at(c) :],
        "unclosed": lambda c: re.sub(rb"</[^>]+>\s*$", b"", c),
        "invalid_utf8": lambda c: c[: at(c)] + b"\xff\xfe\xc3" + c[at(c) :],
        # a reference to a character XML 1.0 forbids, in the first text node after the chosen point
        "char_reference": lambda c: c[: at(c)] + re.sub(rb"(<t[^>]*>)", rb"\1&#1;", c[at(c) :], count=1),
        "root_renamed": lambda c: re.sub(rb"<(\w+)([ >])", rb"<\1x\2", c, count=1),
        "bad_ref": lambda c: re.sub(rb' r="([A-Z]+)(\d+)"', rb' r="\2\1"', c, count=1),
    }
    return kind, corrupt[kind]


@family("zip_corrupt_xml", 2)
def _corrupt_xml(rng: random.Random, index: int) -> Mutation:
    members = [m for m in _members() if m.endswith((".xml", ".rels"))]
    # the members every reader needs, or that hold the form's data, more often than comments and drawings
    important = [m for m in members if m.startswith(("xl/workbook", "xl/worksheets/sheet", "xl/styles", "[Content"))]
    member = rng.choice(important if rng.random() < 0.7 else members)
    kind, corrupt = _corruptions(rng)
    return _package_case(
        index,
        "zip_corrupt_xml",
        f"member {member}: XML corrupted ({kind})",
        lambda: rezip(sample_bytes(), lambda name, content: corrupt(content) if name == member else content),
    )


# ---------------------------------------------------------------- review


def mix(mutations: list[Mutation]) -> Counter[str]:
    return Counter(m.family + (f"_{m.target}" if m.target else "") for m in mutations)


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help") or len(argv) > 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    outdir = Path(argv[0])
    outdir.mkdir(parents=True, exist_ok=True)
    mutations = plan_cases(int(argv[1]) if len(argv) > 1 else CASES)
    index = ["case\tfamily\tsheet\tcell\tdescription"]
    for m in mutations:
        path = outdir / f"{m.case_id}.xlsx"
        path.write_bytes(m.make())
        index.append(f"{m.case_id}\t{m.family}\t{m.sheet}\t{m.cell}\t{m.description}")
        print(path)
    (outdir / "cases.tsv").write_text("\n".join(index) + "\n", encoding="utf-8")
    for name, count in sorted(mix(mutations).items()):
        print(f"{count:5d}  {name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
