"""A worksheet's cells read from its XML without a tree of it (issue 19 §3): cells.scan_sheet's answer at the cost
of one regular-expression pass, for the sheets the usual writers produce.

scan_sheet parses the whole sheet into an lxml tree and looks at every cell with content from Python: for 20,000
projects, 18 MB of XML and 110,000 cells, more than calamine's own read. Here the sheet is cut at its sheetData:
what surrounds it (merged ranges, validations, conditional formats) is parsed by lxml as before, with an empty
sheetData in its place; the cells are matched by one strict grammar of the forms Excel, WPS, LibreOffice and
openpyxl write (``<c r="B7" s="3" t="s"><v>12</v></c>``, an inline string, a number). An ordinary cell, the kind
calamine reads as openpyxl does, costs no Python object; every other cell (a formula, a date, rich text, a number
written 1.0 or 1E3) is handed to the very code scan_sheet runs, on an lxml tree of those cells alone.

Whatever the grammar does not describe exactly (another attribute order, a comment, a CDATA section, a character
reference this pass does not judge with certainty, a namespace of its own) makes ``stream_sheet`` give the sheet
to scan_sheet whole: it never guesses. tests/test_read_speed_paths.py holds both to the same answer.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from .book_parts import Recent, Unusual
from .cells import (
    _PARSER,
    _STYLE_ID,
    CELLS,
    LONG_DECIMAL,
    MAIN_URI,
    MAX_COLUMN,
    MAX_ROW,
    NS,
    RawCell,
    SheetCells,
    Styles,
    _check_parts,
    _column,
    _count,
    _read_special,
    _styles_in,
    scan_sheet,
    xpath,
)
from .common_cells import _NUMBER, _TEXT_MAX, MARK, common_cells, split_common
from .formats import cast_number

_OPEN, _CLOSE = b"<sheetData>", b"</sheetData>"
_PLACEHOLDER = b'<sheetData _stream="1"/>'

# every attribute a row may carry, each at most once and in the order the usual writers give them
_ROW_ATTRIBUTES = [
    "spans",
    "s",
    "customFormat",
    "ht",
    "hidden",
    "customHeight",
    "outlineLevel",
    "collapsed",
    "thickTop",
    "thickBot",
    "ph",
    "x14ac:dyDescent",
]
_ROW = (
    rb'<row r="(?:0|[1-9][0-9]{0,6})"'
    + b"".join(rb'(?: %s="[^"<&]{0,64}")?' % name.encode() for name in _ROW_ATTRIBUTES)
    + rb"[ \t\n]*(?:/>|>(?:[ \t\n]*\x00)*[ \t\n]*</row>)"
)
_ROWS = re.compile(rb"(?:[ \t\n]*" + _ROW + rb")*[ \t\n]*")  # the sheetData with each cell replaced by \0
# the rows most writers give, a few of _ROWS's forms in one: tried first, as _ROW's dozen optional attributes cost
# more than the rest of the row (20,000 rows: ~40 ms)
_PLAIN_ROWS = re.compile(rb'(?:<row r="(?:0|[1-9][0-9]{0,6})"(?: spans="[^"<&]{0,64}")?>\x00*</row>)*')

# A cell's content other than a plain value or inline string: the elements a cell's formula, value and rich text
# are made of, unprefixed, with unprefixed (or xml:space) attributes; lxml reads these cells as scan_sheet would.
_ELEMENTS = [
    "f",
    "v",
    "is",
    "t",
    "r",
    "rPr",
    "rPh",
    "phoneticPr",
    "b",
    "i",
    "u",
    "strike",
    "sz",
    "color",
    "rFont",
    "family",
    "charset",
    "scheme",
    "vertAlign",
    "outline",
    "shadow",
    "condense",
    "extend",
]
_TAG = (
    rb"</?(?:%s)(?: (?:(?!xmlns)[A-Za-z]{1,32}|xml:space)=\"[^\"<]{0,1024}\")*[ \t\n]*/?>"
    % "|".join(_ELEMENTS).encode()
)
_CELL = re.compile(
    rb'<c r="([A-Z]{1,3}[1-9][0-9]{0,6})"(?: s="([0-9]{1,9})")?(?: t="([A-Za-z]{1,9})")?'
    rb"(?:/>|>(?:"
    rb"<v>(" + _NUMBER + rb")</v>"  # a number both readers take alike, or a shared string's index
    rb"|<v>([^<&]{1,1000})</v>"  # another value written plainly
    rb'|<is><t xml:space="preserve">([^<]*+)</t></is>'  # an inline string calamine reads as is (but _xHHHH_)
    rb"|<is><t>((?![ \t\n])[^<]*+(?<![ \t\n]))</t></is>"  # one it does not trim
    rb'|<is><t( xml:space="preserve")?>([^<]*+)</t></is>'  # another inline string
    rb"|((?:[^<]++|" + _TAG + rb")*+)"  # anything else a cell holds: scan_sheet's code reads it
    rb")</c>)"
)
_GROUPS = 11  # re.split gives the text before each cell, then its 10 groups

# A character reference decodes to a character from U+0080 on, never to a space, an underscore or an x (what makes
# an inline string other than plain to calamine): such text is judged on its bytes. Only decimal references of
# three to five digits and the five named ones are taken; any other (ASCII, hexadecimal, one XML refuses) leaves the
# sheet to scan_sheet. One search finds the first "&" that starts none of those: a decimal one without a leading
# zero, from U+0080 on, neither a surrogate nor U+FFFE or U+FFFF. A workbook's text is written this way (every
# Chinese character a reference: 25,000 in a bench workbook), so the search is a cost of every sheet: the
# references of the CJK blocks (five digits from 1 to 4) are passed by the first, short test; the rest are spelt
# out range by range (tests/test_read_speed_paths.py holds it to the plain description above for 0 … 999,999).
_D = b"[0-9]"
_TAKEN = b"|".join(
    (
        b"12[89]|1[3-9]" + _D + b"|[2-9]" + _D * 2,  # 128 … 999
        b"[1-9]" + _D * 3,  # 1000 … 9999
        b"[1-4]" + _D * 4 + b"|5[0-4]" + _D * 3 + b"|55[01]" + _D * 2 + b"|552[0-8]" + _D + b"|5529[0-5]",  # … 55295
        b"57[4-9]" + _D * 2 + b"|573[5-9]" + _D + b"|5734[4-9]|5[89]" + _D * 3,  # 57344 … 59999
        b"6[0-4]" + _D * 3 + b"|65[0-4]" + _D * 2 + b"|655[0-2]" + _D + b"|6553[0-3]",  # … 65533
        b"6553[6-9]|655[4-9]" + _D + b"|65[6-9]" + _D * 2 + b"|6[6-9]" + _D * 3 + b"|[7-9]" + _D * 4,  # 65536 … 99999
    )
)
_ODD_REFERENCE = re.compile(b"&(?!#[1-4]" + _D * 4 + b";)(?!#(?:" + _TAKEN + b");|amp;|lt;|gt;|quot;|apos;)")
# what XML refuses in text: control characters (each looked for alone: a byte's search is the fastest pass there
# is), U+FFFE, U+FFFF, "]]>"
_CONTROLS = [bytes((c,)) for c in (*range(0, 9), *range(11, 32))]
_REFUSED = (b"\xef\xbf\xbe", b"\xef\xbf\xbf", b"]]>")
_LONG_DECIMAL = re.compile(LONG_DECIMAL.encode())
_SPACE = b" \t\n"
_LETTERS, _DIGITS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", b"0123456789"


def read_sheet_cells(xml: bytes, styles: Styles) -> SheetCells:
    """scan_sheet's answer for one worksheet part, streamed where the sheet is of the usual form."""
    found = stream_sheet(xml, styles)
    return found if found is not None else scan_sheet(xml, styles)


def stream_sheet(xml: bytes, styles: Styles) -> SheetCells | None:
    """The cells as scan_sheet finds them, or None for a sheet this pass leaves to scan_sheet. Raises Unusual only
    where scan_sheet raises the same."""
    start, end = xml.find(_OPEN), xml.rfind(_CLOSE)
    if start < 0 or end < start or b"\r" in xml:
        return None
    body = xml[start + len(_OPEN) : end]
    if not _text_ok(body):
        return None
    around = xml[:start] + _PLACEHOLDER + xml[end + len(_CLOSE) :]
    root = _surroundings(around)
    if root is None:
        return None
    escapes = b"_" in body and (b"_x" in body or b"_X" in body)  # (a byte's search first: the fastest pass)
    common = common_cells(styles.count, styles.dateish.union(styles.percent), len(styles.parts.strings), escapes)
    rest, common_refs = split_common(body, common) if common is not None else (body, [])
    parts = _CELL.split(rest)
    rows = b"\x00".join(parts[0::_GROUPS]).replace(MARK, b"\x00")
    if not (_PLAIN_ROWS.fullmatch(rows) or _ROWS.fullmatch(rows)) or (b" x14ac:" in rows and "x14ac" not in root.nsmap):
        return None  # (an undeclared prefix is not well-formed)
    refs: list[bytes] = parts[1::_GROUPS]
    # (a text is a piece of ``rest``: none can be longer where ``rest`` is not)
    long = len(rest) > _TEXT_MAX
    if long and any(max(map(len, filter(None, parts[g::_GROUPS])), default=0) > _TEXT_MAX for g in range(6, _GROUPS)):
        return None  # lxml refuses a text of 10 MB; scan_sheet says so
    out = SheetCells(count=len(refs) + len(common_refs))
    if not _shape(common_refs + refs, parts[2::_GROUPS], styles, out):
        return None
    _checked_parts(around, root, styles, out)  # scan_sheet's own check, on the same elements: raises as it does
    others = _ordinary(parts, escapes, styles, out)
    if others is None:
        return None
    if others:
        cells = _tree_of(root, others)
        if cells is None:
            return None
        _read_special(cells, styles, out)
        if styles.percent:
            for c in cells.xpath(f"{CELLS}[m:v and ({_styles_in(styles.percent)})]", namespaces=NS):
                out.percent[_at(c.get("r"))] = styles.percent[int(c.get("s", 0))]
    return out


def _text_ok(body: bytes) -> bool:
    """UTF-8 that XML takes as text, whose references are of the kinds this pass reads."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    if any(map(body.__contains__, _CONTROLS)) or (b"]" in body and b"]]>" in body):
        return False
    if b"\xef" in body and b"\xef\xbf" in body and any(b in body for b in _REFUSED):
        return False
    return b"&" not in body or not _ODD_REFERENCE.search(body)


def _surroundings(xml: bytes) -> Any:
    """The worksheet without its cells, parsed; None unless its sheetData is the placeholder, in the main
    namespace (so the cells' unprefixed names are too), and no cell or row lies outside it. The same tree for the
    same bytes lately seen (book_parts.Recent: only read by its users)."""
    return _RECENT.get(xml, _surroundings_of)


_RECENT = Recent()


def _surroundings_of(xml: bytes) -> Any:
    try:
        root = etree.fromstring(xml, _PARSER)
    except (etree.XMLSyntaxError, ValueError):
        return None
    tree = root.getroottree()
    if root.tag != f"{{{MAIN_URI}}}worksheet" or tree.docinfo.doctype:
        return None
    if (tree.docinfo.encoding or "").upper() != "UTF-8":
        return None
    data = xpath("/m:worksheet/m:sheetData")(root)
    if len(data) != 1 or data[0].get("_stream") != "1" or len(data[0]) or data[0].text:
        return None
    if _count(root, "//m:sheetData") != 1 or _count(root, "//m:c") or _count(root, "//m:row"):
        return None
    return root


def _checked_parts(around: bytes, root: Any, styles: Styles, out: SheetCells) -> None:
    """_check_parts on the surroundings ``root`` was parsed from: its answer (the merged ranges it notes, or the
    Unusual it raises) for the same surroundings and number of differential styles (all it reads of ``styles``)
    lately seen is given again."""
    merged, fault = _PARTS.get((around, b"%d" % styles.parts.dxfs), lambda _: _parts_answer(root, styles))
    if fault is not None:
        raise Unusual(fault)
    out.merged.extend(merged)


_PARTS = Recent()


def _parts_answer(root: Any, styles: Styles) -> tuple[list[tuple[int, int, int, int]], str | None]:
    found = SheetCells()
    try:
        _check_parts(root, styles, found)
    except Unusual as e:
        return [], str(e)
    return found.merged, None


def _shape(refs: list[bytes], style_ids: list[bytes | None], styles: Styles, out: SheetCells) -> bool:
    """scan_sheet's checks of the cells' references and styles; False where it would find fault."""
    if len(set(refs)) != len(refs):
        return False
    if refs:  # each ref is letters then digits (_CELL): each part is had by deleting the other kind
        joined = b"\n".join(refs)
        out.max_row = max(map(int, set(joined.translate(None, _LETTERS).split(b"\n"))))
        out.max_column = max(_column(s.decode()) for s in set(joined.translate(None, _DIGITS).split(b"\n")))
        if out.max_row > MAX_ROW or out.max_column > MAX_COLUMN:
            return False
    ids = set(style_ids)
    ids.discard(None)
    return all(i is not None and _STYLE_ID.fullmatch(i.decode()) and int(i) < styles.count for i in ids)


def _ordinary(parts: list[Any], escapes: bool, styles: Styles, out: SheetCells) -> list[bytes] | None:
    """Notes the % formats of plain values and reads the numbers calamine writes otherwise (1.0, 1E3); returns the
    cells left for scan_sheet's code, in document order, as XML; None for a number openpyxl would refuse."""
    dateish = {str(i).encode() for i in styles.dateish}
    general = {str(i).encode() for i, fmt in enumerate(styles.parts.formats) if fmt == "General"}
    percent = {str(i).encode(): fmt for i, fmt in styles.percent.items()}
    strings = len(styles.parts.strings)
    formats = styles.parts.formats
    others: list[bytes] = []
    refs, styled, types, plains, values = (parts[g::_GROUPS] for g in range(1, 6))
    if percent:
        for ref, s, plain, value in zip(refs, styled, plains, values, strict=True):
            if (plain is not None or value is not None) and (b"0" if s is None else s) in percent:
                out.percent[_at(ref.decode())] = percent[b"0" if s is None else s]
    # the usual cells, an unstyled number and an inline string, need nothing more: only the rest are looked at
    numbers = b"0" not in dateish
    strings_kept = not escapes
    unusual = [
        i
        for i, (s, t, plain, kept, untrimmed) in enumerate(
            zip(styled, types, plains, parts[6::_GROUPS], parts[7::_GROUPS], strict=True)
        )
        if not (
            (numbers and plain is not None and s is None and (t is None or t == b"n"))
            or (strings_kept and t == b"inlineStr" and (kept is not None or untrimmed is not None))
        )
    ]
    for i in unusual:
        ref, s, t, plain, value, kept, untrimmed, preserve, text, content = parts[i * _GROUPS + 1 : (i + 1) * _GROUPS]
        style = b"0" if s is None else s
        if plain is not None:
            if t is None or t == b"n":
                if style not in dateish:
                    continue
            elif t == b"s" and plain.isdigit() and int(plain) < strings:
                continue
            value = plain
        elif value is not None:
            if (t is None or t == b"n") and style not in dateish:
                if style in general and _LONG_DECIMAL.fullmatch(value) and not float(value).is_integer():
                    continue  # calamine reads it as openpyxl does (cells.LONG_DECIMAL)
                try:  # as scan_sheet's _read_cell reads a number
                    number = cast_number(value.decode())
                except (ValueError, OverflowError):
                    return None  # scan_sheet raises, perhaps at another cell first
                out.special[_at(ref.decode())] = RawCell(number, formats[int(style)])
                continue
        elif kept is not None or untrimmed is not None:
            inline = kept if kept is not None else untrimmed
            if t == b"inlineStr" and not (escapes and (b"_x" in inline or b"_X" in inline)):
                continue  # calamine decodes an _xHHHH_ escape, openpyxl keeps it
            text, preserve = (kept, b' xml:space="preserve"') if kept is not None else (untrimmed, None)
        elif text is None and not content and t != b"e":
            continue  # a blank cell (an error type with no value still goes to scan_sheet's code)
        if value is not None:
            content = b"<v>" + value + b"</v>"
        elif text is not None:
            content = b"<is><t" + (preserve or b"") + b">" + text + b"</t></is>"
        attributes = b"" if s is None else b' s="' + s + b'"'
        attributes += b"" if t is None else b' t="' + t + b'"'
        others.append(b'<c r="' + ref + b'"' + attributes + b">" + (content or b"") + b"</c>")
    return others


def _tree_of(root: Any, cells: list[bytes]) -> Any:
    """The cells left for scan_sheet's code as a worksheet of their own, with the sheet's namespaces; None where
    lxml finds them other than single, well-formed cells."""
    shell = etree.tostring(etree.Element(root.tag, nsmap=root.nsmap))
    close = b"</" + shell[1 : shell.index(b" ") if b" " in shell else -2] + b">"
    xml = shell[:-2] + b"><sheetData><row>" + b"".join(cells) + b"</row></sheetData>" + close
    try:
        tree = etree.fromstring(xml, _PARSER)
    except (etree.XMLSyntaxError, ValueError):
        return None
    if _count(tree, CELLS) != len(cells) or _count(tree, "//m:c") != len(cells) or _count(tree, "//m:row") != 1:
        return None
    return tree


def _at(ref: str) -> tuple[int, int]:
    letters = ref.rstrip("0123456789")
    return int(ref[len(letters) :]), _column(letters)
