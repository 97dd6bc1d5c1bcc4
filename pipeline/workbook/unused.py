"""Sheets the form does not read are not parsed: their parts become empty worksheets before openpyxl loads the
package, so a 1,000,000-row scratch sheet costs what an empty one does (issue 9 §5).

The sheet keeps its name and place (normalize still names it as not standard), and is loaded on demand when a
template's layout turns out to read it. A part that declares a DTD is left in place: openpyxl refuses it, as it
would have before.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Collection
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from .book_parts import Recent
from .diagnose import MAIN, PKG_REL, REL

WORKSHEET_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
EMPTY_SHEET = f'<worksheet xmlns="{MAIN[1:-1]}"><sheetData/></worksheet>'.encode()
PROLOG_BYTES = 4096  # a DTD comes before the root element, so within the first few KB of a part
STORED_LIMIT = 64 * 2**20  # above this the copy is compressed, so that memory stays near the file's size


def worksheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → package member, for the worksheets (not chartsheets) workbook.xml lists; {} when it or its
    relationships cannot be read (openpyxl then reports that as before)."""
    try:
        book, rels = z.read(WORKBOOK), z.read(WORKBOOK_RELS)
    except _UNREAD:
        return {}
    return worksheet_parts_of(book, rels)


def worksheet_parts_of(book: bytes, rels: bytes) -> dict[str, str]:
    """worksheet_parts of workbook.xml's and its relationships' bytes (the same answer for the same bytes lately
    seen: book_parts.Recent)."""
    return dict(_RECENT.get((book, rels), _parts_of))


WORKBOOK, WORKBOOK_RELS = "xl/workbook.xml", "xl/_rels/workbook.xml.rels"
_UNREAD = (KeyError, ParseError, DefusedXmlException, ValueError, zipfile.BadZipFile, OSError, EOFError)
_RECENT = Recent()


def _parts_of(parts: tuple[bytes, bytes]) -> dict[str, str]:
    try:
        book, rels = fromstring(parts[0]), fromstring(parts[1])
    except _UNREAD:
        return {}
    targets = {
        r.get("Id"): r.get("Target", "") for r in rels.iter(f"{PKG_REL}Relationship") if r.get("Type") == WORKSHEET_TYPE
    }
    out: dict[str, str] = {}
    for s in book.iter(f"{MAIN}sheet"):
        target = targets.get(s.get(f"{REL}id"))
        if target:
            member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            out[s.get("name", "")] = member
    return out


def unused_parts(z: zipfile.ZipFile, read: Collection[str], parts: dict[str, str] | None = None) -> dict[str, str]:
    """The worksheets not named in ``read`` that can be left unparsed: sheet name → member. ``parts``: what
    worksheet_parts(z) gives, where the caller has it."""
    names = set(z.namelist())
    out = {}
    for name, member in (worksheet_parts(z) if parts is None else parts).items():
        if name in read or member not in names:
            continue
        try:
            with z.open(member) as fh:
                prolog = fh.read(PROLOG_BYTES)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError, ValueError):
            continue  # damaged: openpyxl reports it as before
        if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
            continue
        out[name] = member
    return out


def without(z: zipfile.ZipFile, members: Collection[str]) -> io.BytesIO:
    """A copy of the package in memory in which ``members`` are empty worksheets (and their relationships gone)."""
    rels = {posixpath.join(posixpath.dirname(m), "_rels", posixpath.basename(m) + ".rels") for m in members}
    kept = sum(i.file_size for i in z.infolist() if i.filename not in members)
    method = zipfile.ZIP_STORED if kept <= STORED_LIMIT else zipfile.ZIP_DEFLATED
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method, compresslevel=1) as copy:
        for info in z.infolist():
            if info.filename in rels:
                continue
            data = EMPTY_SHEET if info.filename in members else z.read(info.filename)
            copy.writestr(info.filename, data)
    out.seek(0)
    return out
