"""The package checked while it is inflated, before anything parses it (issue 16 §1).

A workbook's cost is decided by what its parts hold, not by what its zip headers claim: every part is read through
``ZipFile.open`` in chunks, its bytes counted as they come (a header that understates a part ends in a CRC error
after at most the claimed bytes; the cap holds for what is really inflated), and the sheets the form reads have their
rows and cells counted at the byte level on the way. Over a limit of schema.py the workbook is refused at once, in
Chinese, naming the sheet, with memory never above one chunk: no tree or list the size of an attacker's repetition
is built before it is counted.

Counting is by the bytes of an element's start (``<row``, ``<c``, with any namespace prefix as ``:row``, ``:c``), an
upper bound of the elements an XML parser would see (``<cols>`` or a ``:c`` in text counts too): it can only refuse
earlier, never let more through.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError
from ..model import schema
from .unused import worksheet_parts_of

CHUNK = 2**20
CONVERT_HINT = "请在 Excel 或 WPS 中打开，另存为“Excel 工作簿（*.xlsx）”后再试"
MAX_UNPACKED = schema.MAX_UNPACKED_MB * 2**20
MAX_STORED_ROWS = schema.MAX_SHEET_ROWS + schema.HEADER_ROW  # the title and header rows come on top of the data
WORKBOOK_PART = "xl/workbook.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
XML_PARTS = (".xml", ".rels", ".vml")  # openpyxl parses each whole: its tags are counted (styles: an object each)
MAX_INDEX_PART = 8 * 2**20  # workbook.xml and its relationships are parsed whole: 250 sheets take under 100 KB
STRINGS_PART = "xl/sharedStrings.xml"
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError, ValueError)
_ROWS, _CELLS, _SHEETS, _STRINGS = (b"<row", b":row"), (b"<c", b":c"), (b"<sheet", b":sheet"), (b"<si", b":si")


@dataclass
class Counted:
    """How many times each of some element starts occurs in a stream of chunks (a start split across two chunks
    counts once)."""

    needles: tuple[bytes, ...]
    count: int = 0
    _tail: bytes = b""

    def feed(self, chunk: bytes) -> int:
        # the chunk's own, and those across the seam with the last chunk (tail: its last bytes); a needle whose first
        # byte the chunk lacks (":row" in most sheets) is not counted through (a byte's search is a fraction of that)
        keep = max(len(n) for n in self.needles) - 1
        tail, head = self._tail, chunk[:keep]
        seam = tail + head
        for n in self.needles:
            if n[:1] in chunk:
                self.count += chunk.count(n)
            if tail:
                self.count += seam.count(n) - tail.count(n) - head.count(n)
        self._tail = (seam if len(chunk) <= keep else chunk)[-keep:] if keep else b""
        return self.count


class Held:
    """A part's chunks not yet counted while its bytes alone keep its count within a limit (``room``: the bytes
    that cannot hold more occurrences than the limit allows, as no two occurrences of a needle overlap), so that
    a usual part is never counted (issue 19: counting was most of this check's cost): the count of what is held
    can pass no limit, and is taken, in the same order, only once a part grows past ``room``. At most CHUNK
    bytes are held."""

    def __init__(self, room: int) -> None:
        self.room = min(room, CHUNK)
        self.size = 0
        self.chunks: list[bytes] | None = []

    def keeps(self, chunk: bytes) -> bool:
        if self.chunks is None:
            return False
        self.size += len(chunk)
        if self.size > self.room:
            return False
        self.chunks.append(chunk)
        return True

    def release(self) -> list[bytes]:
        """The chunks held, to be counted now (once: from here on every chunk is counted as it comes)."""
        chunks, self.chunks = self.chunks or [], None
        return chunks


@dataclass
class Tally:
    """The cells of the form's sheets, _count_sheet's sum over them, where a sheet that cannot bring the sum over
    the limit is bounded by its bytes (a "<c" or ":c" takes two no other overlaps) and held uncounted; the held
    ones are counted only when a later sheet needs the exact sum, or when asked (Package.cells). What is held
    stays under 2 × MAX_CELLS bytes (each sheet under CHUNK)."""

    counted: int = 0
    bound: int = 0  # counted, plus the bounds of the sheets held
    held: list[tuple[list[bytes], int]] = field(default_factory=list)  # a sheet's chunks, the cells its ranges cover

    def exact(self) -> int:
        for chunks, covered in self.held:
            cells = Counted(_CELLS)
            for chunk in chunks:
                cells.feed(chunk)
            self.counted += cells.count + covered
        self.held.clear()
        self.bound = self.counted
        return self.counted

    def add(self, cells: int) -> None:
        self.counted += cells
        self.bound += cells


def _plain(info: zipfile.ZipInfo) -> bool:
    return info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


def _kept(package: Package, info: zipfile.ZipInfo, chunks: list[bytes] | None, failed: bool) -> None:
    """A part's bytes kept as ZipFile.read gives them: of the last member of its name (a package may hold two)."""
    if chunks is None:
        return
    if failed:
        package.parts.pop(info.filename, None)
    else:
        package.parts[info.filename] = b"".join(chunks)


def check_sheet(z: zipfile.ZipFile, shown: str, sheet: str, member: str) -> None:
    """One more sheet a template's layout reads after all (one the check above left uncounted), counted alike."""
    _count_sheet(_chunks(z, z.getinfo(member), shown, [MAX_UNPACKED, MAX_UNPACKED]), shown, sheet, 0)


def _count_sheet(chunks: Iterable[bytes], shown: str, sheet: str, before: int) -> int:
    """The cells one worksheet part makes openpyxl hold: its stored cells, and every cell a merged range or a
    hyperlink's range covers (openpyxl makes an object of each); refused over the limits."""
    rows, cells, areas = Counted(_ROWS), Counted(_CELLS), Areas()
    for chunk in chunks:
        if rows.feed(chunk) > MAX_STORED_ROWS:
            raise _too_many_rows(shown, sheet)
        if before + cells.feed(chunk) + areas.feed(chunk) > schema.MAX_CELLS:
            raise _too_many_cells(shown, sheet, areas.total)
    if before + cells.count + areas.finish() > schema.MAX_CELLS:
        raise _too_many_cells(shown, sheet, areas.total)
    return cells.count + areas.total


@dataclass
class Package:
    """What the check learnt: the worksheets by sheet name, and the cells the form's sheets make openpyxl hold."""

    sheets: dict[str, str] = field(default_factory=dict)  # sheet name → member
    # each member's bytes as inflated here (kept where the caller asked), so that the reader inflates nothing again;
    # absent: a sheet the form does not read
    parts: dict[str, bytes] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)  # every member's name, in the package's order
    tally: Tally = field(default_factory=Tally, compare=False, repr=False)

    @property
    def cells(self) -> int:
        """The cells the form's sheets make openpyxl hold (counted now where the check only bounded them)."""
        return self.tally.exact()


def damaged(shown: str) -> InputError:
    return InputError(shown, f"文件已损坏（压缩包不完整），{CONVERT_HINT}")


def check_package(z: zipfile.ZipFile, shown: str, read: Collection[str], *, keep: bool = False) -> Package:
    """Inflate every part of ``z`` once, counting; raise InputError over a limit. ``read``: the names of the sheets
    the form reads (their rows and cells are counted; other sheets are left unparsed and only their bytes count).
    ``keep``: the package's parts are kept in Package.parts (the reader reads them all next)."""
    infos = z.infolist()
    if len(infos) > schema.MAX_PARTS:
        raise _refused(shown, f"由 {len(infos):,} 个部分组成，远超填报工作簿的正常结构（上限 {schema.MAX_PARTS:,}）")
    names = {i.filename for i in infos}
    index_parts: list[bytes] = []  # as ZipFile.read gives them (a part not there: KeyError, as worksheet_parts)
    for index in (WORKBOOK_PART, WORKBOOK_RELS):
        if index not in names:
            continue
        sheets = Counted(_SHEETS)
        inflated: list[bytes] = []
        for chunk in _chunks(z, z.getinfo(index), shown, [MAX_INDEX_PART, MAX_INDEX_PART]):
            inflated.append(chunk)
            if index == WORKBOOK_PART and sheets.feed(chunk) > schema.MAX_SHEETS + 1:  # <sheets> starts alike
                raise _refused(shown, f"有超过 {schema.MAX_SHEETS} 张工作表（上限 {schema.MAX_SHEETS}）")
        index_parts.append(b"".join(inflated))
    budget = [MAX_UNPACKED, MAX_UNPACKED]
    # worksheet_parts(z) of the bytes just read (read whole, without error, or refused above)
    sheets_found = worksheet_parts_of(*index_parts) if len(index_parts) == 2 else {}
    package = Package(sheets=sheets_found, names=[i.filename for i in infos])
    counted = {member: name for name, member in package.sheets.items() if name in read}
    unread = {member for name, member in package.sheets.items() if name not in read}
    # No part yields more than its stated size (ZipFile stops there): where they fit the budget together, a sheet
    # nobody reads (not counted, not kept, tolerated if damaged) needs no inflating (a deflated or stored one: any
    # error reading it is then one the tolerant stream swallows)
    fits = sum(i.file_size for i in infos) <= MAX_UNPACKED
    for info in infos:
        sheet = counted.get(info.filename)
        if sheet is None and fits and info.filename in unread and info.filename != STRINGS_PART and _plain(info):
            continue
        # a sheet nobody reads is not kept: a scratch sheet of a million rows would sit in memory unused
        chunks: list[bytes] | None = [] if keep and info.filename not in unread else None
        if sheet is None:
            strings = Counted(_STRINGS) if info.filename == STRINGS_PART else None
            tags = Counted((b"<",)) if strings is None and info.filename.endswith(XML_PARTS) else None
            ends = Counted((b"</",))
            if info.filename in unread:
                tags = None  # never parsed
            # a damaged sheet nobody reads stays unread, as before: only its bytes count
            stream = _Stream(z, info, shown, budget, tolerant=info.filename in unread, keep=chunks)
            # counted only once the part's bytes could hold more than the limit: a "<si" takes 3 bytes, a "<" one
            held = Held(3 * schema.MAX_STRINGS if strings is not None else schema.MAX_PART_TAGS)
            for chunk in stream:
                if (strings is None and tags is None) or held.keeps(chunk):
                    continue
                for earlier in held.release():  # (each under the limit, by its bytes: nothing to check)
                    if strings is not None:
                        strings.feed(earlier)
                    elif tags is not None:
                        tags.feed(earlier)
                        ends.feed(earlier)
                if strings is not None and strings.feed(chunk) > schema.MAX_STRINGS:
                    raise _refused(shown, f"共享文字表有超过 {schema.MAX_STRINGS:,} 条文字（上限）")
                if tags is not None and tags.feed(chunk) - ends.feed(chunk) > schema.MAX_PART_TAGS:
                    raise _refused(
                        shown, f"其中的 {info.filename[:80]} 有超过 {schema.MAX_PART_TAGS:,} 个 XML 元素（上限）"
                    )
            _kept(package, info, chunks, stream.failed)
            continue
        _count_form_sheet(_Stream(z, info, shown, budget, keep=chunks), shown, sheet, package.tally)
        _kept(package, info, chunks, False)
    return package


def _count_form_sheet(chunks: Iterable[bytes], shown: str, sheet: str, tally: Tally) -> None:
    """_count_sheet's check of one of the form's sheets, added to ``tally``: the same refusals at the same chunk,
    but the rows and the cells are each counted only once the bytes so far could hold more than their limit
    ("<row" takes 4, "<c" 2): until then the chunks are held (a sheet held whole is added to the tally uncounted)."""
    rows, cells, areas = Counted(_ROWS), Counted(_CELLS), Areas()
    rows_held = Held(4 * MAX_STORED_ROWS)
    held: list[bytes] | None = []  # the chunks whose cells are not counted yet
    size = before = 0
    for chunk in chunks:
        if not rows_held.keeps(chunk):
            for earlier in rows_held.release():  # each prefix within the limit by its bytes: nothing to check
                rows.feed(earlier)
            if rows.feed(chunk) > MAX_STORED_ROWS:
                raise _too_many_rows(shown, sheet)
        covered = areas.feed(chunk)  # (always counted: one range can cover more cells than any limit)
        if held is not None:
            size += len(chunk)
            if size <= CHUNK and tally.bound + size // 2 + covered <= schema.MAX_CELLS:
                held.append(chunk)
                continue
            before = tally.exact()
            for earlier in held:  # each prefix within the limit by its bytes: nothing to check
                cells.feed(earlier)
            held = None
        if before + cells.feed(chunk) + covered > schema.MAX_CELLS:
            raise _too_many_cells(shown, sheet, areas.total)
    areas.finish()
    if held is not None:
        bound = size // 2 + areas.total
        if tally.bound + bound <= schema.MAX_CELLS:
            tally.held.append((held, areas.total))
            tally.bound += bound
            return
        before = tally.exact()
        for earlier in held:
            cells.feed(earlier)
    if before + cells.count + areas.total > schema.MAX_CELLS:
        raise _too_many_cells(shown, sheet, areas.total)
    tally.add(cells.count + areas.total)


_RANGED = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,30}:)?(?:mergeCell|hyperlink)[\s/>][^<>]*")
_REF = re.compile(rb"""\bref\s*=\s*(["'])([^"'<>]*)\1""")
_RANGE = re.compile(rb"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})(?::\$?([A-Za-z]{1,3})\$?([0-9]{1,7}))?")
MAX_TAG = 2**16  # a merged range's or a hyperlink's tag is a few dozen bytes


@dataclass
class Areas:
    """The cells covered by the ranges of mergeCell and hyperlink elements, read from a stream of chunks: each tag
    is looked at once it is complete (it ends before the next "<")."""

    total: int = 0
    _tail: bytes = b""

    def feed(self, chunk: bytes) -> int:
        data = self._tail + chunk
        last = data.rfind(b"<")
        if last < 0:
            self._tail = b""
            return self.total
        self._scan(data, last)
        self._tail = data[last:]
        if len(self._tail) > MAX_TAG:
            # a tag this long is no cell range; one that is a range is counted as covering everything
            self.total += schema.MAX_CELLS + 1 if _RANGED.match(self._tail[:64] + b" ") else 0
            self._tail = b""
        return self.total

    def finish(self) -> int:
        self._scan(self._tail, len(self._tail))
        self._tail = b""
        return self.total

    def _scan(self, data: bytes, end: int) -> None:
        """The tags in ``data[:end]`` (looked for in place: most chunks of a sheet hold none)."""
        # (from the end: the ranges follow the cells)
        if data.rfind(b"mergeCell", 0, end) < 0 and data.rfind(b"hyperlink", 0, end) < 0:
            return
        for tag in _RANGED.finditer(data, 0, end):
            ref = _REF.search(tag.group())
            for token in ref.group(2).split() if ref else ():
                found = _RANGE.fullmatch(token)
                if found:
                    self.total += _area(*found.groups())


def _area(first_column: bytes, first_row: bytes, last_column: bytes | None, last_row: bytes | None) -> int:
    if last_column is None or last_row is None:
        return 0  # one cell: openpyxl makes no other
    columns = abs(_column(last_column) - _column(first_column)) + 1
    return columns * (abs(int(last_row) - int(first_row)) + 1)


def _column(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


def _chunks(z: zipfile.ZipFile, info: zipfile.ZipInfo, shown: str, budget: list[int]) -> _Stream:
    return _Stream(z, info, shown, budget)


class _Stream:
    """The inflated bytes of one part, chunk by chunk, drawn from the package's budget of unpacked bytes."""

    def __init__(
        self,
        z: zipfile.ZipFile,
        info: zipfile.ZipInfo,
        shown: str,
        budget: list[int],
        *,
        tolerant: bool = False,
        keep: list[bytes] | None = None,
    ) -> None:
        self.z, self.info, self.shown, self.budget, self.tolerant = z, info, shown, budget, tolerant
        self.fh: Any = None
        self.keep = keep
        self.failed = False  # (tolerant) the part could not be inflated whole

    def __iter__(self) -> _Stream:
        try:
            self.fh = self.z.open(self.info)
        except ZIP_ERRORS as e:
            if not self.tolerant:
                raise damaged(self.shown) from e
            self.failed = True
        return self

    def __next__(self) -> bytes:
        if self.fh is None:
            raise StopIteration
        try:
            chunk = self.fh.read(CHUNK)
        except ZIP_ERRORS as e:  # a header that lies about the size ends here, in a CRC error
            self.fh.close()
            if self.tolerant:
                self.failed = True
                raise StopIteration from e
            raise damaged(self.shown) from e
        if not chunk:
            self.fh.close()
            raise StopIteration
        return self._drawn(chunk)

    def _drawn(self, chunk: bytes) -> bytes:
        self.budget[0] -= len(chunk)
        if self.budget[0] < 0:
            self.fh.close()
            what = "解压后" if self.budget[1] == MAX_UNPACKED else f"其中的 {self.info.filename[:80]} 解压后"
            raise _refused(self.shown, f"{what}超过 {self.budget[1] // 2**20} MB，远超填报工作簿的正常大小")
        if self.keep is not None:
            self.keep.append(chunk)
        return chunk


def _refused(shown: str, what: str, sheet: str = "") -> InputError:
    return InputError(shown, f"{what}，已拒绝读取（可能是损坏或恶意文件）", sheet=sheet)


def _too_many_rows(shown: str, sheet: str) -> InputError:
    return _refused(
        shown,
        f"工作表“{sheet[:60]}”存有超过 {schema.MAX_SHEET_ROWS:,} 行数据（每张表的上限；含设置了格式的空行）",
        sheet,
    )


def _too_many_cells(shown: str, sheet: str, covered: int = 0) -> InputError:
    what = "（含合并单元格和超链接所覆盖的）" if covered else ""
    return _refused(
        shown, f"读到工作表“{sheet[:60]}”时单元格{what}已超过 {schema.MAX_CELLS:,} 个（整个工作簿的上限）", sheet
    )
