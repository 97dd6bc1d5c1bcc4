"""What python-calamine does not say about a worksheet's cells, read from the sheet's XML (issue 9 §4, issue 19 §3).

calamine gives values only, and some of them as openpyxl does not: formulas (their saved result, and whether
there is one), error cells, dates (its own conversion), booleans, rich or escaped text, text with spaces at its
ends, numbers written as 1.0 or 1E3 (openpyxl keeps them float). This pass finds those cells with XPath over the
parsed XML (C speed, no Python object per ordinary cell) and reads each as openpyxl's cell parser does: the usual
ones (formulas and their saved results, numbers, dates, errors, booleans, plain text) by the same rules here
(formats.py), the rare rest (rich inline text, ISO dates, unknown types) with openpyxl's own parser, imported only
then. It also notes the number formats normalize asks about and the merged ranges, and raises Unusual at anything
it is not sure calamine reads as openpyxl does: the caller then reads the whole workbook with openpyxl.
"""

from __future__ import annotations

import functools
import io
import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from .book_parts import BookParts, Unusual
from .formats import cast_number, from_excel

MAIN_URI = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS = {"m": MAIN_URI}
EXCEL_ERRORS = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA"))
CELLS = "/m:worksheet/m:sheetData/m:row/m:c"
MAX_ROW, MAX_COLUMN = 1_048_576, 16_384
_REFS = re.compile(r"(?:[A-Z]{1,3}[1-9][0-9]{0,6}\n)*")
_DATEISH = re.compile("[dmyhsDMYHS]")  # wider than openpyxl's date test: calamine's own may differ
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)

# A number literal both readers take alike: an integer of at most 15 digits (int in openpyxl, a float calamine
# gives exactly), or a decimal of at most 15 digits whose fraction is not all zeros (a float that is not whole).
_PLAIN = re.compile(r"-?(?:[0-9]{1,15}|(?=[0-9.]{3,16}$)[0-9]+\.[0-9]*[1-9][0-9]*)")
# A longer decimal (16 or more digits: 78.76000000000001, as Excel and openpyxl write a computed amount) whose value
# is not whole, in a style of the General format: calamine parses it to the float openpyxl's float() gives (both
# round correctly: tests/test_read_speed_paths.py holds calamine to it), and the reader gives it as openpyxl does.
# A whole one (1.0000000000000001 is 1.0) is not: the reader turns calamine's whole floats into ints.
LONG_DECIMAL = r"-?(?=[0-9.]{17,25}$)[0-9]+\.[0-9]+"
_LONG_DECIMAL = re.compile(LONG_DECIMAL)
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_SPACE = " \t\n\r"
_STYLE_ID = re.compile(r"0|[1-9][0-9]*")
_RANGE = re.compile(r"([A-Z]{1,3})([1-9][0-9]{0,6})(?::([A-Z]{1,3})([1-9][0-9]{0,6}))?")
_V, _F, _IS, _TEXT = (f"{{{MAIN_URI}}}{tag}" for tag in ("v", "f", "is", "t"))
LAST_SERIAL = 2958465.99999  # 9999-12-31 23:59:59, the last date openpyxl converts


@dataclass
class RawCell:
    """A cell as the reader hands it to normalize. ``number_format`` is exact where it holds a % or is a date format
    (what normalize asks of it); the calamine reader gives "General" for other formats of plain cells."""

    value: Any
    number_format: str
    formula_without_value: bool = False
    error: bool = False  # an Excel error value (#DIV/0! …), typed or a formula's saved result


# a blank cell, shared by the readers' row(): half of a long list's cells are blank, and nothing changes a RawCell
BLANK = RawCell(None, "General")


def is_error(data_type: str, value: Any) -> bool:
    """openpyxl marks error cells with data_type "e"; a text cell holding exactly an error code (pasted with a
    leading apostrophe) is the same accident and would print the same way."""
    return data_type == "e" or (isinstance(value, str) and value.strip() in EXCEL_ERRORS)


@dataclass
class Styles:
    """What the cell styles mean to a reader (book_parts.py read them as openpyxl does)."""

    parts: BookParts
    count: int
    percent: dict[int, str]  # style index → its number format, for formats holding a %
    dateish: frozenset[int]  # openpyxl's date styles, and any other calamine might take for one
    _openpyxl: dict[bool, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, parts: BookParts) -> Styles:
        percent, dateish = {}, set(parts.date_styles) | set(parts.timedelta_styles)
        for index, (fmt, number) in enumerate(zip(parts.formats, parts.format_ids, strict=True)):
            if "%" in fmt:
                percent[index] = fmt
            if _DATEISH.search(fmt) or 14 <= number <= 22 or 45 <= number <= 47:
                dateish.add(index)
        return cls(parts, len(parts.formats), percent, frozenset(dateish))

    def openpyxl_parser(self, *, data_only: bool) -> Any:
        """openpyxl's own cell parser, set up as its load sets it up for this workbook: for the rare cells this
        module does not read itself (imported only then)."""
        if data_only not in self._openpyxl:
            from openpyxl.worksheet._reader import WorkSheetParser

            p = self.parts
            self._openpyxl[data_only] = WorkSheetParser(
                io.BytesIO(), p.strings, data_only, p.epoch, set(p.date_styles), set(p.timedelta_styles)
            )
        return self._openpyxl[data_only]


@dataclass
class SheetCells:
    """One worksheet's cells that calamine's values do not give as openpyxl would, and where the cells are."""

    special: dict[tuple[int, int], RawCell] = field(default_factory=dict)  # read as openpyxl's parser reads them
    formulas: set[str] = field(default_factory=set)
    percent: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column) → its % number format
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # first row, column, last row, column
    count: int = 0
    max_row: int = 0
    max_column: int = 0


def _styles_in(ids: Any) -> str:
    """An XPath test for a cell whose style is one of ``ids`` (a cell without s has style 0)."""
    tests = [f"@s = '{i}'" for i in sorted(ids)]
    if 0 in ids:
        tests.append("not(@s)")
    return " or ".join(tests) or "false()"


@functools.cache
def xpath(path: str, *, smart_strings: bool = True) -> Any:
    """``path`` compiled once (only this module's own constant paths, never one made of a workbook's content):
    compiling costs more than evaluating on a sheet's few surrounding elements, ten times a sheet."""
    return etree.XPath(path, namespaces=NS, smart_strings=smart_strings)


def _count(root: Any, path: str) -> int:
    return int(xpath(f"count({path})")(root))


def scan_sheet(xml: bytes, styles: Styles) -> SheetCells:
    """The cells of one worksheet part that this reader takes from openpyxl's rules rather than calamine."""
    if b"\r" in xml:  # calamine keeps a raw CR in text, an XML parser reads it as LF
        raise Unusual("carriage return")
    try:
        root = etree.fromstring(xml, _PARSER)
    except (etree.XMLSyntaxError, ValueError) as e:
        raise Unusual("not well-formed") from e
    if root.tag != f"{{{MAIN_URI}}}worksheet" or root.getroottree().docinfo.doctype:
        raise Unusual("not a worksheet")
    out = SheetCells()
    _check_shape(root, styles, out)
    _check_parts(root, styles, out)
    _read_special(root, styles, out)
    if styles.percent:
        for c in root.xpath(f"{CELLS}[m:v and ({_styles_in(styles.percent)})]", namespaces=NS):
            out.percent[_reference(c.get("r"))] = styles.percent[int(c.get("s", 0))]
    return out


def _check_shape(root: Any, styles: Styles, out: SheetCells) -> None:
    """Cells only in rows of the one sheetData, each with a valid reference of its own and a known style:
    anything else is read by openpyxl."""
    rows = "/m:worksheet/m:sheetData/m:row"
    out.count = _count(root, CELLS)
    row_count = _count(root, rows)
    if (
        _count(root, "//m:c") != out.count
        or _count(root, f"{rows}/*") != out.count
        or _count(root, "//m:sheetData") > 1
        or _count(root, "//m:row") != row_count
    ):
        raise Unusual("cells outside rows")
    refs = xpath("//m:c/@r", smart_strings=False)(root)
    if out.count:
        joined = "\n".join(refs) + "\n"
        if len(refs) != out.count or not _REFS.fullmatch(joined) or len(set(refs)) != len(refs):
            raise Unusual("cell references")
        out.max_row = max(int(n) for n in set(re.findall(r"[0-9]+", joined)))
        out.max_column = max(_column(s) for s in set(re.findall(r"[A-Z]+", joined)))
        if out.max_row > MAX_ROW or out.max_column > MAX_COLUMN:
            raise Unusual("cell references")
    row_numbers = xpath(f"{rows}/@r", smart_strings=False)(root)
    if len(row_numbers) != row_count or not all(_STYLE_ID.fullmatch(r) for r in set(row_numbers)):
        raise Unusual("row numbers")
    ids = set(xpath("//m:c/@s", smart_strings=False)(root))
    if not all(_STYLE_ID.fullmatch(i) and int(i) < styles.count for i in ids):
        raise Unusual("cell styles")


def _check_parts(root: Any, styles: Styles, out: SheetCells) -> None:
    """The merged ranges, as openpyxl reads them, and none of the parts of a sheet openpyxl binds to other parts of
    the package (tables, hyperlinks) or to styles (a conditional format's dxfId) where it could fail."""
    if _count(root, "/m:worksheet/m:hyperlinks | /m:worksheet/m:tableParts"):
        raise Unusual("hyperlinks or tables")
    dxf = xpath("//m:cfRule/@dxfId", smart_strings=False)(root)
    if not all(_STYLE_ID.fullmatch(i) and int(i) < styles.parts.dxfs for i in dxf):
        raise Unusual("conditional format style")
    lists = xpath("/m:worksheet/m:mergeCells")(root)
    if len(lists) > 1 or _count(root, "//m:mergeCell") != _count(root, "/m:worksheet/m:mergeCells/m:mergeCell"):
        raise Unusual("merged ranges")
    for merge in lists[0] if lists else ():
        found = _RANGE.fullmatch(merge.get("ref", ""))
        if merge.tag != f"{{{MAIN_URI}}}mergeCell" or found is None:
            raise Unusual("merged range")
        left, top = _column(found[1]), int(found[2])
        right, bottom = (_column(found[3]), int(found[4])) if found[3] else (left, top)
        if not (left <= right <= MAX_COLUMN and top <= bottom <= MAX_ROW):
            raise Unusual("merged range")
        out.merged.append((top, left, bottom, right))
    if lists and lists[0].get("count") is not None and not _STYLE_ID.fullmatch(lists[0].get("count")):
        raise Unusual("merged ranges")


def _read_special(root: Any, styles: Styles, out: SheetCells) -> None:
    """Every cell that holds something is looked at (a blank cell reads alike both ways); the ones calamine may
    give otherwise are read as openpyxl reads them."""
    dateish = {str(i) for i in styles.dateish}
    general = {str(i) for i, fmt in enumerate(styles.parts.formats) if fmt == "General"}
    strings = len(styles.parts.strings)
    rare: list[Any] = []
    for c in xpath(f"{CELLS}[* or @t = 'e']")(root):
        kind = _kind(c, dateish, strings, general)
        if kind == _CALAMINE:
            continue
        dated = c.get("t", "n") == "n" and c.get("s", "0") in dateish and c.findtext(_V)
        if dated and not 0 <= float(c.findtext(_V)) <= LAST_SERIAL:
            raise Unusual("date serial out of range")  # calamine panics on some, converts others its own way
        try:
            read = _read_cell(c, styles.parts)
        except (ValueError, IndexError, OverflowError, TypeError) as e:  # openpyxl's own load fails alike
            raise Unusual("cell openpyxl refuses") from e
        if read is None:
            rare.append(c)
            continue
        at, cell, formula = read
        out.special[at] = cell
        if formula:
            out.formulas.add(c.get("r"))
    if rare:
        _read_rare(rare, styles, out)


def _read_cell(c: Any, parts: BookParts) -> tuple[tuple[int, int], RawCell, bool] | None:
    """One cell as openpyxl reads it with data_only (a formula's saved result), and whether it is a formula; None
    for a cell this function leaves to openpyxl's own parser."""
    t = c.get("t", "n")
    style = int(c.get("s", "0"))
    formula = c.find(_F) is not None
    if t == "inlineStr":
        inline = c.find(_IS)
        if formula or inline is None or len(inline) != 1 or inline[0].tag != _TEXT or len(inline[0]):
            return None  # rich text, or a form openpyxl reads its own way
        value: Any = inline[0].text or ""
        data_type = "s"
    else:
        value, data_type = c.findtext(_V, None) or None, t
        if value is not None:
            if t == "n":
                value = cast_number(value)
                if style in parts.date_styles:
                    data_type = "d"
                    try:
                        value = from_excel(value, parts.epoch, timedelta=style in parts.timedelta_styles)
                    except (OverflowError, ValueError):
                        data_type, value = "e", "#VALUE!"
            elif t == "s":
                value = parts.strings[int(value)]
            elif t == "b":
                value = bool(int(value))
            elif t == "str":
                data_type = "s"
            elif t != "e":
                return None  # an ISO date (t="d") or an unknown type: openpyxl's parser
    row, column = _reference(c.get("r"))
    fmt = parts.formats[style]
    error = is_error(data_type, value)
    return (row, column), RawCell(value, fmt, formula_without_value=formula and value is None, error=error), formula


def _read_rare(cells: list[Any], styles: Styles, out: SheetCells) -> None:
    """The cells _read_cell leaves, read with openpyxl's own parser, in document order (a shared formula's first
    cell first)."""
    formulas, cached = styles.openpyxl_parser(data_only=False), styles.openpyxl_parser(data_only=True)
    for c in cells:
        try:
            read = formulas.parse_cell(c)
            saved = cached.parse_cell(c) if read["data_type"] == "f" else read
            fmt = styles.parts.formats[read["style_id"]]
        except Exception as e:  # whatever fails here makes openpyxl's own load fail: that path reports it
            raise Unusual("cell openpyxl refuses") from e
        value, error = saved["value"], is_error(saved["data_type"], saved["value"])
        formula = read["data_type"] == "f"
        if formula:
            out.formulas.add(c.get("r"))
        out.special[(read["row"], read["column"])] = RawCell(
            value, fmt, formula_without_value=formula and value is None, error=error
        )


def _reference(ref: str) -> tuple[int, int]:
    found = _RANGE.fullmatch(ref)
    if found is None or found[3]:
        raise ValueError(ref)
    return int(found[2]), _column(found[1])


_CALAMINE, _OPENPYXL, _DATE = "calamine", "openpyxl", "date"


def _kind(c: Any, dateish: set[str], strings: int, general: set[str]) -> str:
    """Whose reading of a cell with content to take: calamine's, or openpyxl's rules (a date: also checked)."""
    t = c.get("t", "n")
    tags = [child.tag for child in c]
    if _F in tags or t in ("e", "b", "str"):
        return _OPENPYXL
    if t == "inlineStr":
        plain = tags == [_IS] and len(c[0]) == 1 and c[0][0].tag == _TEXT and not len(c[0][0])
        return _CALAMINE if plain and _plain_text(c[0][0]) else _OPENPYXL
    if tags != [_V]:
        return _OPENPYXL
    literal = c[0].text or ""
    if t == "s":
        if not (literal.isascii() and literal.isdigit() and int(literal) < strings):
            raise Unusual("shared string index")
        return _CALAMINE
    if t != "n":
        raise Unusual("cell type")
    if c.get("s", "0") in dateish:
        return _DATE
    if _PLAIN.fullmatch(literal):
        return _CALAMINE
    long = c.get("s", "0") in general and _LONG_DECIMAL.fullmatch(literal) and not float(literal).is_integer()
    return _CALAMINE if long else _OPENPYXL


def _plain_text(t: Any) -> bool:
    """Text calamine reads as openpyxl does: no _xHHHH_ escape (calamine decodes it), no space at an end unless
    marked xml:space="preserve" (calamine trims it)."""
    text = t.text or ""
    if "_x" in text or "_X" in text:
        return False
    return not text or t.get(_XML_SPACE) == "preserve" or (text[0] not in _SPACE and text[-1] not in _SPACE)


def _column(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def check_strings(xml: bytes | None) -> None:
    """Shared strings calamine reads as openpyxl does: no _xHHHH_ escape (calamine decodes it, openpyxl keeps it
    and drops every "x005F_"), no phonetic runs, no raw CR, no text with spaces at an end that is not marked
    xml:space="preserve" (calamine trims it)."""
    if xml is None:
        return
    if re.search(rb"_[xX][0-9A-Fa-f]{4}_|[xX]005[fF]_|<rPh\b|\r|<!", xml):
        raise Unusual("shared strings calamine may read otherwise")
    try:
        root = etree.fromstring(xml, _PARSER)
    except (etree.XMLSyntaxError, ValueError) as e:
        raise Unusual("shared strings not well-formed") from e
    trimmed = (
        "//m:t[not(@xml:space = 'preserve') and string-length(.) > 0 and (normalize-space(substring(., 1, 1)) = ''"
        " or normalize-space(substring(., string-length(.))) = '')]"
    )
    if _count(root, trimmed):
        raise Unusual("shared strings with end spaces")
