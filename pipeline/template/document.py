"""A Word template as genreport reads it: refused when oversized, ``{% vmerge %}`` patched into docxtpl's source, and
the test for a table docxtpl's fix_tables would change. ``word.WordTemplate`` is docxtpl's template with these
(that module loads docxtpl; this one does not, so a report rendered from a prepared template never loads it).

The renderer and ``template check`` both parse a template through ``WordTemplate``, so the check sees exactly the
Jinja source the renderer compiles.

A template is an input like a workbook: ``read_template`` refuses a file far bigger than any Word template, and
``check_package`` (run by ``WordTemplate`` before python-docx reads a byte) inflates every member in small chunks,
counting what comes out, so a member whose zip header understates it, a 3 GB image in a 3 MB file or an XML part
of hundreds of MB is refused before it is held in memory.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from pathlib import Path
from typing import Any

from lxml import etree

from ..errors import TemplateProblem, display_path

MAX_FILE = 64 * 2**20  # the .docx itself; the shipped templates are under 50 KB, a template with photos a few MB
MAX_UNPACKED = 128 * 2**20  # every member inflated
MAX_XML_PART = 16 * 2**20  # one XML part inflated (the shipped body is 70 KB): docxtpl runs regexes over it
MAX_MEMBERS = 2_000
_CHUNK = 2**20
_XML_MEMBERS = (".xml", ".rels", ".vml")
_BAD_ZIP = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError, ValueError)
_TOO_BIG = "远超 Word 模板的正常大小，已拒绝读取（可能是损坏或恶意文件）"
_VERIFIED: dict[tuple[int, int], None] = {}  # (hash, length) of packages that passed, so a batch checks each once


def read_template(path: Path) -> bytes:
    """The bytes of a template file, refused before reading when it is far bigger than a Word template."""
    shown = display_path(path)
    with path.open("rb") as fh:  # OSError: the caller words it, as for any unreadable file
        data = fh.read(MAX_FILE + 1)
    if len(data) > MAX_FILE:
        raise TemplateProblem(f"{shown}：模板文件超过 {MAX_FILE // 2**20} MB，{_TOO_BIG}")
    return data


def _inflate(package: zipfile.ZipFile, info: zipfile.ZipInfo, shown: str, room: int) -> None:
    """Inflate one member a chunk at a time, refused once it passes its cap or the room left in the package."""
    part_cap = MAX_XML_PART if info.filename.lower().endswith(_XML_MEMBERS) else MAX_UNPACKED

    def refused(size: int) -> TemplateProblem:
        name = info.filename if len(info.filename) <= 60 else info.filename[:60] + "…"
        if size > part_cap and part_cap < MAX_UNPACKED:
            return TemplateProblem(f"{shown}：模板中的 {name} 解压后超过 {part_cap // 2**20} MB，{_TOO_BIG}")
        return TemplateProblem(f"{shown}：模板解压后超过 {MAX_UNPACKED // 2**20} MB，{_TOO_BIG}")

    cap = min(part_cap, room)
    if info.file_size > cap:
        raise refused(info.file_size)
    size = 0
    with package.open(info) as member:
        while chunk := member.read(_CHUNK):
            size += len(chunk)
            if size > cap:
                raise refused(size)


def check_package(data: bytes, shown: str) -> None:
    """Refuse a package that inflates beyond the caps, counting the bytes that come out, not the headers' word."""
    key = (hash(data), len(data))
    if key in _VERIFIED:
        return
    total = 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            members = package.infolist()
            if len(members) > MAX_MEMBERS:
                raise TemplateProblem(f"{shown}：模板中有 {len(members)} 个文件（部件），{_TOO_BIG}")
            for info in members:
                _inflate(package, info, shown, MAX_UNPACKED - total)
                total += info.file_size  # inflated, it is exactly this (zipfile stops there; a lie fails the CRC)
    except _BAD_ZIP as e:
        raise TemplateProblem(f"{shown}：不是可用的 Word 模板（{type(e).__name__}: {e}）") from e
    if len(_VERIFIED) >= 64:
        _VERIFIED.clear()
    _VERIFIED[key] = None


_VMERGE_CELL = re.compile(r"<w:tc[ >](?:(?!<w:tc[ >]).)*?\{%\s*vmerge\s+(.*?)\s*%\}.*?</w:tc>", re.DOTALL)
_VMERGE_TAG = re.compile(r"\{%\s*vmerge\s+.*?%\}", re.DOTALL)
_TCPR_HEAD = re.compile(r"<w:tcPr>(?:<w:tcW[^>]*/>)?(?:<w:gridSpan[^>]*/>)?")


def patch_vmerge(xml: str) -> str:
    """Every cell's ``{% vmerge COND %}`` turned into the Jinja and vMerge it stands for."""
    return _VMERGE_CELL.sub(_vmerge_cell, xml)


def _vmerge_cell(m: re.Match[str]) -> str:
    """``{% vmerge COND %}`` in a cell: start a vertical merge where COND holds, continue it elsewhere.

    docxtpl's own ``{% vm %}`` merges a whole loop into one cell; grouping rows by value needs a condition.
    """
    cell, cond = m.group(0), m.group(1)
    merge = f'<w:vMerge w:val="{{% if {cond} %}}restart{{% else %}}continue{{% endif %}}"/>'
    head = _TCPR_HEAD.search(cell)
    if head:  # CT_TcPr order: tcW, gridSpan, then vMerge
        cell = cell[: head.end()] + merge + cell[head.end() :]
    else:
        cell = re.sub(r"(<w:tc[ >][^>]*>|<w:tc>)", lambda t: t.group(1) + f"<w:tcPr>{merge}</w:tcPr>", cell, count=1)
    cell = _VMERGE_TAG.sub(lambda _: f"{{% if {cond} %}}", cell, count=1)
    end = cell.rfind("</w:t>")
    return cell[:end] + "{% endif %}" + cell[end:]


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_NS = {"w": _W[1:-1]}
# fix_tables counts the cells of every row under a table (nested tables' rows too), a cell spanning its first
# tcPr's first gridSpan
_GRID = etree.XPath("boolean(w:tblGrid)", namespaces=_NS)
_COLUMNS = etree.XPath("count(w:tblGrid[1]/w:gridCol)", namespaces=_NS)
_TOO_MANY_CELLS = etree.XPath("boolean(.//w:tr[count(w:tc) > $columns])", namespaces=_NS)
_SPANS_THE_GRID = etree.XPath(
    "boolean(.//w:tr[count(w:tc) - count(w:tc[w:tcPr[1]/w:gridSpan]) + sum(w:tc/w:tcPr[1]/w:gridSpan[1]/@w:val)"
    " >= $columns])",
    namespaces=_NS,
)
_NOT_A_NUMBER = etree.XPath(  # what int() may read otherwise, or fail on: left to docxtpl
    "boolean(.//w:tc/w:tcPr[1]/w:gridSpan[1][not(@w:val) or translate(@w:val, '0123456789', '') != '' or @w:val = ''])",
    namespaces=_NS,
)


def parse_rendered(xml: str) -> Any:
    """A rendered part's XML as a tree; XML that does not parse is the template's mistake (docxtpl would recover
    from it, silently dropping content)."""
    try:
        return etree.fromstring(xml.encode("utf-8"))
    except etree.XMLSyntaxError as e:
        raise TemplateProblem(f"渲染结果不是有效的 Word XML（{e}）；请检查模板中的标签") from e


def tables_to_fix(tree: Any) -> bool:
    """Whether docxtpl's fix_tables would change (or fail on) a table: a row with more cells than the grid has
    columns, or a grid with more columns than the widest row spans. Counted as it counts them, in XPath rather
    than Python loops; anything it might stumble on (no grid, a gridSpan that is not plain digits) answers True."""
    if tree.nsmap.get("w") != _NS["w"]:
        return True
    for table in tree.iter(_W + "tbl"):
        if not _GRID(table) or _NOT_A_NUMBER(table):
            return True
        columns = _COLUMNS(table)
        if _TOO_MANY_CELLS(table, columns=columns) or not _SPANS_THE_GRID(table, columns=columns):
            return True
    return False
