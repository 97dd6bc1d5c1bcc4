"""Where a workbook that openpyxl cannot load is damaged: the sheet and cell, in words a user can act on.

openpyxl reports damage as an internal exception (ValueError, ExpatError …) naming neither sheet nor cell. This
walks the package itself, part by part, and names the first damaged part, or the first cell whose stored value
cannot be what its type says.
"""

from __future__ import annotations

import datetime as dt
import math
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_REF = re.compile(r"^([A-Z]{1,3})([1-9][0-9]{0,6})$")
MAX_COLUMN, MAX_ROW = 16384, 1048576


@dataclass(frozen=True)
class Damage:
    sheet: str  # "" when the damaged part is not a worksheet
    cell: str
    message: str


def diagnose(path: str, skip: frozenset[str] = frozenset()) -> Damage | None:
    """The first damage found, or None when every part parses and every cell is what its type says. ``skip``:
    parts the reader left unparsed (read_unused), whose damage is not what failed."""
    try:
        with zipfile.ZipFile(path) as z:
            sheets = _sheet_parts(z)
            strings = _shared_string_count(z)
            for name in z.namelist():
                if not name.endswith((".xml", ".rels")) or name in skip:
                    continue
                found = _part(z, name, sheets.get(name, ""), strings)
                if found:
                    return found
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, EOFError, NotImplementedError, RuntimeError):
        return None
    return None


def _parse(data: bytes) -> Element:
    return fromstring(data)  # type: ignore[no-any-return]


def _part(z: zipfile.ZipFile, name: str, sheet: str, strings: int | None) -> Damage | None:
    try:
        data = z.read(name)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError):
        what = "此工作表的内容" if sheet else f"工作簿的组成部分 {name[:80]}"
        return Damage(sheet, "", f"{what}已损坏（压缩数据无法解开）")
    try:
        root = _parse(data)
    except (ParseError, DefusedXmlException, ValueError) as e:
        where = _position(e)
        if sheet:
            return Damage(sheet, "", f"此工作表的内容已损坏{where}")
        return Damage("", "", f"工作簿的组成部分 {name[:80]} 已损坏{where}")
    if not sheet:
        return None
    for c in root.iter(f"{MAIN}c"):
        problem = _cell(c, strings)
        if problem:
            ref = c.get("r", "")
            return Damage(sheet, ref if _REF.match(ref) else "", f"单元格{problem}")
    return None


def _position(e: Exception) -> str:
    position = getattr(e, "position", None)
    if position:
        return f"（XML 第 {position[0]} 行第 {position[1]} 列无法解析）"
    return ""


def _cell(c: Element, strings: int | None) -> str:
    ref = c.get("r", "")
    m = _REF.match(ref)
    if ref and (not m or _column(m.group(1)) > MAX_COLUMN or int(m.group(2)) > MAX_ROW):
        return f"位置“{ref[:20]}”无效"
    kind, v = c.get("t", "n"), c.find(f"{MAIN}v")
    text = (v.text or "") if v is not None else None
    if text is None or kind in ("str", "inlineStr", "e"):
        return ""
    if kind == "n" and not _is_float(text):
        return f" {ref} 的数值已损坏"
    if kind == "b" and text.strip() not in ("0", "1"):
        return f" {ref} 的逻辑值已损坏"
    if kind == "s" and not (text.strip().isdigit() and (strings is None or int(text) < strings)):
        return f" {ref} 的文字已损坏"
    if kind == "d" and not _is_date(text):
        return f" {ref} 的日期已损坏"
    return ""


def _column(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _is_float(text: str) -> bool:
    """A stored number; openpyxl refuses INF and NAN, which Excel never writes."""
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def _is_date(text: str) -> bool:
    try:
        dt.datetime.fromisoformat(text.strip())
    except ValueError:
        return False
    return True


def _sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    """Package member → sheet name, from the workbook and its relationships."""
    try:
        book = _parse(z.read("xl/workbook.xml"))
        rels = _parse(z.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ParseError, DefusedXmlException, ValueError):
        return {}
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{PKG_REL}Relationship")}
    out = {}
    for s in book.iter(f"{MAIN}sheet"):
        target = targets.get(s.get(f"{REL}id"), "")
        member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        out[member] = s.get("name", "")
    return out


def _shared_string_count(z: zipfile.ZipFile) -> int | None:
    try:
        root = _parse(z.read("xl/sharedStrings.xml"))
    except (KeyError, ParseError, DefusedXmlException, ValueError):
        return None
    return len(root.findall(f"{MAIN}si"))
