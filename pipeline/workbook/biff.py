"""What calamine does not say about an .xls (Excel 97-2003, BIFF8) workbook, read from its records (issue 17 §4).

calamine gives an .xls's values only: a %-formatted number as the bare fraction, TRUE as 1.0, an error cell
(#DIV/0!) as blank. This walks the compound file's Workbook stream once — records are length-prefixed, so the walk
costs one pass over bytes the file size already bounds — and notes, per sheet, the cells whose number format holds
a %, the booleans and the error values, with every sheet's stored rows, cells and extent, so that a workbook over
the form's limits is refused before calamine builds its dense grid of the sheet.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from openpyxl.styles.numbers import BUILTIN_FORMATS

FREE, END_OF_CHAIN = 0xFFFFFFFF, 0xFFFFFFFE
ERROR_CODES = {
    0x00: "#NULL!",
    0x07: "#DIV/0!",
    0x0F: "#VALUE!",
    0x17: "#REF!",
    0x1D: "#NAME?",
    0x24: "#NUM!",
    0x2A: "#N/A",
    0x2B: "#GETTING_DATA",
}
BOF, EOF, FILEPASS, BOUNDSHEET, FORMAT, XF, CONTINUE = 0x0809, 0x000A, 0x002F, 0x0085, 0x041E, 0x00E0, 0x003C
NUMBER, RK, MULRK, FORMULA, BOOLERR = 0x0203, 0x027E, 0x00BD, 0x0006, 0x0205
LABELSST, LABEL, BLANK, MULBLANK, RSTRING = 0x00FD, 0x0204, 0x0201, 0x00BE, 0x00D6
BIFF8 = 0x0600


class NotBiff8(Exception):
    """Raised for a compound file that holds no BIFF8 workbook stream (an older Excel, a Word file, damage)."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


@dataclass
class XlsSheet:
    """One worksheet's cells calamine gives otherwise, by (row, column) from 1, and where its cells are."""

    name: str
    percent: set[tuple[int, int]] = field(default_factory=set)
    booleans: dict[tuple[int, int], bool] = field(default_factory=dict)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    rows: set[int] = field(default_factory=set)
    cells: int = 0
    max_row: int = 0
    max_column: int = 0


@dataclass
class XlsBook:
    sheets: list[XlsSheet]
    encrypted: bool = False


def read_xls(data: bytes) -> XlsBook:
    """The .xls's sheets as above; NotBiff8 when ``data`` is a compound file of another kind or damaged."""
    stream = _workbook_stream(data)
    return _scan(stream)


def _workbook_stream(data: bytes) -> bytes:
    """The "Workbook" stream of a compound file (MS-CFB), following its sector chain; every index is checked, and a
    chain longer than the file has sectors is damage."""
    if len(data) < 512:
        raise NotBiff8("short")
    shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
    if shift not in (9, 12) or mini_shift != 6:
        raise NotBiff8("sector size")
    size = 1 << shift
    sectors = (len(data) + size - 1) // size - 1  # the header takes the first sector's place
    first_dir, _, cutoff, first_mini, _, first_difat, n_difat = struct.unpack_from("<7I", data, 0x30)

    def sector(i: int) -> bytes:
        if i >= sectors:
            raise NotBiff8("sector index")
        start = size * (i + 1)
        return data[start : start + size]

    fat_sectors: list[int] = [i for i in struct.unpack_from("<109I", data, 0x4C) if i != FREE]
    nxt, seen = first_difat, 0
    while nxt not in (FREE, END_OF_CHAIN):
        if seen > min(n_difat, sectors) or len(fat_sectors) > sectors:
            raise NotBiff8("DIFAT")
        difat = struct.unpack(f"<{size // 4}I", sector(nxt))
        fat_sectors += [i for i in difat[:-1] if i != FREE]
        nxt, seen = difat[-1], seen + 1
    if len(fat_sectors) > sectors:
        raise NotBiff8("FAT")
    fat = [n for s in fat_sectors for n in struct.unpack(f"<{size // 4}I", sector(s))]

    def chain(first: int, table: list[int], limit: int) -> list[int]:
        out: list[int] = []
        at = first
        while at not in (END_OF_CHAIN, FREE):
            if at >= len(table) or len(out) > limit:
                raise NotBiff8("chain")
            out.append(at)
            at = table[at]
        return out

    directory = b"".join(sector(i) for i in chain(first_dir, fat, sectors))
    entries = [directory[i : i + 128] for i in range(0, len(directory) - 127, 128)]
    root, found = None, None
    for entry in entries:
        length = min(struct.unpack_from("<H", entry, 0x40)[0], 64)
        name = entry[: max(length - 2, 0)].decode("utf-16-le", "replace")
        kind = entry[0x42]
        if kind == 5:
            root = entry
        elif kind == 2 and name in ("Workbook", "Book") and found is None:
            found = (name, entry)
    if found is None or root is None:
        raise NotBiff8("no workbook stream")
    name, entry = found
    if name == "Book":
        raise NotBiff8("BIFF5")  # Excel 5.0/95: older than BIFF8
    start, length = struct.unpack_from("<II", entry, 0x74)
    if length >= cutoff:
        stream = b"".join(sector(i) for i in chain(start, fat, sectors))
    else:  # a small stream lives in the mini stream, 64-byte sectors of the root entry's chain
        mini_fat = [n for s in chain(first_mini, fat, sectors) for n in struct.unpack(f"<{size // 4}I", sector(s))]
        container = b"".join(sector(i) for i in chain(struct.unpack_from("<I", root, 0x74)[0], fat, sectors))
        stream = b"".join(container[i * 64 : i * 64 + 64] for i in chain(start, mini_fat, sectors * (size // 64)))
    if len(stream) < length:
        raise NotBiff8("stream shorter than its size")
    return stream[:length]


def _records(stream: bytes, start: int) -> list[tuple[int, bytes]]:
    """The records of one substream, from its BOF to its EOF."""
    out: list[tuple[int, bytes]] = []
    at = start
    while at + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, at)
        out.append((kind, stream[at + 4 : at + 4 + length]))
        at += 4 + length
        if kind == EOF:
            break
    return out


def _scan(stream: bytes) -> XlsBook:
    globals_ = _records(stream, 0)
    if not globals_ or globals_[0][0] != BOF or struct.unpack_from("<H", globals_[0][1] + b"\0\0")[0] != BIFF8:
        raise NotBiff8("not BIFF8")
    formats: dict[int, str] = dict(BUILTIN_FORMATS)
    xf_formats: list[int] = []
    bound: list[tuple[int, str, int]] = []  # stream offset, name, sheet type
    for kind, body in globals_:
        if kind == FILEPASS:
            return XlsBook([], encrypted=True)
        if kind == FORMAT and len(body) >= 5:
            formats[struct.unpack_from("<H", body)[0]] = _unicode(body, 2, 2)
        elif kind == XF and len(body) >= 4:
            xf_formats.append(struct.unpack_from("<H", body, 2)[0])
        elif kind == BOUNDSHEET and len(body) >= 8:
            offset, kind_byte = struct.unpack_from("<I", body)[0], body[5]
            bound.append((offset, _unicode(body, 6, 1), kind_byte))
    percent_xf = {i for i, f in enumerate(xf_formats) if "%" in formats.get(f, "")}
    sheets = [_sheet(stream, offset, name, percent_xf) for offset, name, kind in bound if kind == 0]
    return XlsBook(sheets)


def _sheet(stream: bytes, offset: int, name: str, percent_xf: set[int]) -> XlsSheet:
    sheet = XlsSheet(name)

    def seen(row: int, column: int, xf: int) -> tuple[int, int]:
        at = (row + 1, column + 1)
        sheet.rows.add(at[0])
        sheet.cells += 1
        sheet.max_row, sheet.max_column = max(sheet.max_row, at[0]), max(sheet.max_column, at[1])
        if xf in percent_xf:
            sheet.percent.add(at)
        return at

    if offset >= len(stream):
        return sheet
    for kind, body in _records(stream, offset)[1:]:
        if kind in (NUMBER, RK, FORMULA, BOOLERR, LABELSST, LABEL, BLANK, RSTRING) and len(body) >= 6:
            at = seen(*struct.unpack_from("<HHH", body))
            if kind == BOOLERR and len(body) >= 8:
                _bool_or_error(sheet, at, body[7], body[6])
            elif kind == FORMULA and len(body) >= 14 and body[12:14] == b"\xff\xff" and body[6] in (1, 2):
                _bool_or_error(sheet, at, body[6] - 1, body[8])
        elif kind in (MULRK, MULBLANK) and len(body) >= 6:
            row, first = struct.unpack_from("<HH", body)
            step = 6 if kind == MULRK else 2
            for i, pos in enumerate(range(4, len(body) - 2, step)):
                seen(row, first + i, struct.unpack_from("<H", body, pos)[0])
    return sheet


def _bool_or_error(sheet: XlsSheet, at: tuple[int, int], is_error: int, value: int) -> None:
    if is_error:
        sheet.errors[at] = ERROR_CODES.get(value, "#VALUE!")
    else:
        sheet.booleans[at] = bool(value)


def _unicode(body: bytes, at: int, count_bytes: int) -> str:
    """An XLUnicodeString (``count_bytes`` 2) or ShortXLUnicodeString (1) at ``at``: compressed Latin-1 or UTF-16."""
    if len(body) < at + count_bytes + 1:
        return ""
    count = body[at] if count_bytes == 1 else struct.unpack_from("<H", body, at)[0]
    flags = body[at + count_bytes]
    start = at + count_bytes + 1
    if flags & 1:
        return body[start : start + 2 * count].decode("utf-16-le", "replace")
    return body[start : start + count].decode("latin-1")
