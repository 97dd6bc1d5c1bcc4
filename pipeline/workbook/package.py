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
from .unused import worksheet_parts

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


@dataclass
class Package:
    """What the check learnt: the worksheets by sheet name, and the cells the form's sheets make openpyxl hold."""

    sheets: dict[str, str] = field(default_factory=dict)  # sheet name → member
    cells: int = 0
    # each member's bytes as inflated here (kept where the caller asked), so that the reader inflates nothing again;
    # absent: a sheet the form does not read
    parts: dict[str, bytes] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)  # every member's name, in the package's order


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
    for index in (WORKBOOK_PART, WORKBOOK_RELS):
        if index not in names:
            continue
        sheets = Counted(_SHEETS)
        for chunk in _chunks(z, z.getinfo(index), shown, [MAX_INDEX_PART, MAX_INDEX_PART]):
            if index == WORKBOOK_PART and sheets.feed(chunk) > schema.MAX_SHEETS + 1:  # <sheets> starts alike
                raise _refused(shown, f"有超过 {schema.MAX_SHEETS} 张工作表（上限 {schema.MAX_SHEETS}）")
    budget = [MAX_UNPACKED, MAX_UNPACKED]
    package = Package(sheets=worksheet_parts(z), names=[i.filename for i in infos])
    counted = {member: name for name, member in package.sheets.items() if name in read}
    unread = {member for name, member in package.sheets.items() if name not in read}
    total_cells = 0
    for info in infos:
        sheet = counted.get(info.filename)
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
            for chunk in stream:
                if strings is not None and strings.feed(chunk) > schema.MAX_STRINGS:
                    raise _refused(shown, f"共享文字表有超过 {schema.MAX_STRINGS:,} 条文字（上限）")
                if tags is not None and tags.feed(chunk) - ends.feed(chunk) > schema.MAX_PART_TAGS:
                    raise _refused(
                        shown, f"其中的 {info.filename[:80]} 有超过 {schema.MAX_PART_TAGS:,} 个 XML 元素（上限）"
                    )
            _kept(package, info, chunks, stream.failed)
            continue
        total_cells += _count_sheet(_Stream(z, info, shown, budget, keep=chunks), shown, sheet, total_cells)
        _kept(package, info, chunks, False)
    package.cells = total_cells
    return package


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
        if data.find(b"mergeCell", 0, end) < 0 and data.find(b"hyperlink", 0, end) < 0:
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
            chunk: bytes = self.fh.read(CHUNK)
        except ZIP_ERRORS as e:  # a header that lies about the size ends here, in a CRC error
            self.fh.close()
            if self.tolerant:
                self.failed = True
                raise StopIteration from e
            raise damaged(self.shown) from e
        if not chunk:
            self.fh.close()
            raise StopIteration
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
