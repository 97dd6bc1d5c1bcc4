"""The parts of a package the calamine reader needs besides the values, read without openpyxl (issue 19 §3).

A guarded parse: the content types, workbook.xml (sheet names, the 1904 epoch), its relationships, styles.xml (each
cell style's number format), the shared strings, and each form sheet's relationships and comments. It accepts only
what it fully understands and openpyxl would read alike (root elements, references, indexes in range, sheet names
openpyxl keeps as they are); anything else raises Unusual, and the workbook is read with openpyxl as before. Every
XML part is parsed by lxml without DTD, entities or network, within package.py's limits (checked before).
"""

from __future__ import annotations

import posixpath
import re
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from .. import cache
from .formats import (
    BUILTIN_FORMATS,
    BUILTIN_FORMATS_MAX_SIZE,
    MAC_EPOCH,
    WINDOWS_EPOCH,
    is_date_format,
    is_timedelta_format,
)

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"
RELS_URI = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
WORKBOOK_TYPES = frozenset(
    f"application/vnd.{kind}.main+xml"
    for kind in ("openxmlformats-officedocument.spreadsheetml.sheet", "ms-excel.sheet.macroEnabled")
)
STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
STRINGS_PART = "xl/sharedStrings.xml"
WORKBOOK_PART = "xl/workbook.xml"
# a form sheet's relationships the reader knows openpyxl reads without fail (tables, drawings, pivots: openpyxl)
SHEET_RELS = frozenset(RELS_URI + t for t in ("comments", "vmlDrawing", "hyperlink", "printerSettings"))
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
_CELL_REF = re.compile(r"([A-Z]{1,3})([1-9][0-9]{0,6})")
_INDEX = re.compile(r"0|[1-9][0-9]{0,8}")
_INVALID_TITLE = re.compile(r"[\\*?:/\[\]]")
_BOOLEANS = {"1": True, "true": True, "0": False, "false": False}


class Unusual(Exception):
    """Raised for a workbook the calamine reader does not fully understand; it is then read with openpyxl alone."""


@dataclass
class BookParts:
    """What the calamine reader takes from the package besides the values."""

    sheet_names: list[str]
    epoch: Any
    formats: list[str]  # cell style index → its number format, as openpyxl's Cell.number_format reads it
    format_ids: list[int]  # cell style index → its numFmtId as stored
    date_styles: frozenset[int]
    timedelta_styles: frozenset[int]
    dxfs: int  # the differential styles conditional formats refer to
    strings: list[str] = field(default_factory=list)


class Recent:
    """The answers of a pure function of a part's bytes for the parts seen lately, by their exact bytes (issue 19):
    a batch of one form repeats most parts word for word (the bench's 50 workbooks hold 52 different parts but
    sheets among 2,200, and 132 different sheet surroundings among 850), and parsing them again was a tenth of the
    reader's cost. Only trees nobody changes are kept (their users read them), so an answer given again is the
    very one the function would give; bounded by the bytes of the parts kept (oldest first out). An lxml tree takes
    up to some 33 times its XML's bytes (``<a/>`` repeated): 512 KB of parts, none over 64 KB, hold at most some
    17 MB of trees (a form's parts are a few KB: the bench's batch keeps ~150 KB in each)."""

    def __init__(self, limit: int = 512 * 2**10, largest: int = 64 * 2**10) -> None:
        self.limit, self.largest = limit, largest
        self.kept: dict[Any, tuple[int, Any]] = {}  # the bytes (or a tuple of them) → their size, the answer
        self.size = 0
        _RECENTS.add(self)

    def forget(self) -> None:
        self.kept.clear()
        self.size = 0

    def get(self, data: Any, make: Callable[[Any], Any]) -> Any:
        """``make(data)``, or the answer it gave for the same ``data`` (bytes, or a tuple of bytes) lately."""
        if data in self.kept:
            return self.kept[data][1]
        found = make(data)
        size = len(data) if isinstance(data, bytes) else sum(map(len, data))
        if size <= self.largest:
            while self.kept and self.size + size > self.limit:
                oldest = next(iter(self.kept))
                self.size -= self.kept.pop(oldest)[0]
            self.kept[data] = (size, found)
            self.size += size
        return found


_RECENTS: weakref.WeakSet[Recent] = weakref.WeakSet()


@cache.forgets
def forget_parts() -> None:
    """Let go of every part kept between workbooks (each Recent): a web job's process takes the next user's job,
    which must not find the last one's parts (nor read them any faster for them)."""
    for recent in list(_RECENTS):
        recent.forget()


_PARSED = Recent()


def parsed(data: bytes) -> Any:
    """``data`` parsed as every part is (the same tree for the same bytes lately seen); XMLSyntaxError or
    ValueError where it is not well-formed (not kept: parsed again)."""
    return _PARSED.get(data, _parse)


def _parse(data: bytes) -> Any:
    return etree.fromstring(data, _PARSER)


def xml_root(members: dict[str, bytes], name: str, tag: str) -> Any:
    """The parsed part ``name``, whose root must be ``tag``."""
    try:
        root = parsed(members[name])
    except (KeyError, etree.XMLSyntaxError, ValueError) as e:
        raise Unusual(f"{name} not read") from e
    if root.tag != tag or root.getroottree().docinfo.doctype:
        raise Unusual(f"{name}: root {root.tag}")
    return root


def read_parts(members: dict[str, bytes], parts: dict[str, str], form: dict[str, str]) -> BookParts:
    """The book's parts as described above; ``parts``: sheet name → member of every worksheet workbook.xml lists,
    ``form``: those of the form's sheets."""
    overrides = {
        o.get("PartName", ""): o.get("ContentType", "")
        for o in xml_root(members, "[Content_Types].xml", f"{TYPES}Types").iter(f"{TYPES}Override")
    }
    if (
        overrides.get("/" + WORKBOOK_PART) not in WORKBOOK_TYPES
        or sum(t in WORKBOOK_TYPES for t in overrides.values()) != 1
    ):
        raise Unusual("workbook part")
    strings = [name for name, kind in overrides.items() if kind == STRINGS_TYPE]
    if strings[:1] != (["/" + STRINGS_PART] if STRINGS_PART in members else []):
        raise Unusual("shared strings where calamine does not look")  # openpyxl takes the first one listed
    _properties(members)
    names, epoch = _workbook(members, parts)
    styles = _styles(members)
    for member in form.values():
        _sheet_relations(members, member)
    return BookParts(names, epoch, *styles, strings=_strings(members) if strings else [])


CORE, CUSTOM = "docProps/core.xml", "docProps/custom.xml"
CORE_ROOT = "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}coreProperties"
CUSTOM_ROOT = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}Properties"
DCTERMS = "{http://purl.org/dc/terms/}"
_W3CDTF = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?Z?")


def _properties(members: dict[str, bytes]) -> None:
    """The document properties openpyxl parses: well-formed, its dates as Excel and WPS write them."""
    if CORE in members:
        root = xml_root(members, CORE, CORE_ROOT)
        for stamp in (*root.iter(f"{DCTERMS}created"), *root.iter(f"{DCTERMS}modified")):
            if not _W3CDTF.fullmatch((stamp.text or "").strip()):
                raise Unusual("a document date openpyxl may refuse")
    if CUSTOM in members:
        xml_root(members, CUSTOM, CUSTOM_ROOT)


def _workbook(members: dict[str, bytes], parts: dict[str, str]) -> tuple[list[str], Any]:
    root = xml_root(members, WORKBOOK_PART, f"{MAIN}workbook")
    xml_root(members, "xl/_rels/workbook.xml.rels", f"{PKG_REL}Relationships")
    names = [s.get("name") for s in root.iter(f"{MAIN}sheet")]
    if (
        len(root.findall(f"{MAIN}sheets")) != 1
        or names != list(parts)  # each a worksheet (no chartsheet), listed once, its part found
        or len({n.lower() for n in names}) != len(names)  # openpyxl renames a duplicate
        or not all(n and not _INVALID_TITLE.search(n) for n in names)  # openpyxl refuses these
        or root.find(f"{MAIN}externalReferences") is not None
    ):
        raise Unusual("sheets openpyxl sees otherwise")
    properties = root.findall(f"{MAIN}workbookPr")
    flag = properties[0].get("date1904", "0") if len(properties) == 1 else "0" if not properties else None
    if flag not in _BOOLEANS:
        raise Unusual("workbookPr")
    return [str(n) for n in names], MAC_EPOCH if _BOOLEANS[flag] else WINDOWS_EPOCH


def _index(value: str | None, default: str = "0") -> int:
    text = default if value is None else value
    if not _INDEX.fullmatch(text):
        raise Unusual("an index in styles.xml")
    return int(text)


def _styles(members: dict[str, bytes]) -> tuple[list[str], list[int], frozenset[int], frozenset[int], int]:
    """Each cellXfs style's number format as openpyxl reads it: a custom one by its code, a built-in one by its id
    ("General" for an id Excel does not define), and the styles openpyxl reads as dates and as durations."""
    if "xl/styles.xml" not in members:
        raise Unusual("no styles.xml")  # openpyxl's default styles: left to it
    root = xml_root(members, "xl/styles.xml", f"{MAIN}styleSheet")
    custom: dict[int, str] = {}
    for defined in root.iterfind(f"{MAIN}numFmts/{MAIN}numFmt"):
        code = defined.get("formatCode")
        if code is None:
            raise Unusual("numFmt without code")
        custom[_index(defined.get("numFmtId"), "")] = code
    counts = {tag: len(root.findall(f"{MAIN}{tag}/{MAIN}{child}")) for tag, child in _STYLE_LISTS}
    named = root.findall(f"{MAIN}cellStyleXfs/{MAIN}xf")
    for style in root.iterfind(f"{MAIN}cellStyles/{MAIN}cellStyle"):
        xf = named[_index(style.get("xfId"), "")] if _index(style.get("xfId"), "") < len(named) else None
        if xf is None or any(_index(xf.get(a)) >= counts[t] for t, a in _STYLE_REFS):
            raise Unusual("a named style openpyxl cannot expand")
    formats: list[str] = []
    ids: list[int] = []
    dates: set[int] = set()
    durations: set[int] = set()
    for index, xf in enumerate(root.iterfind(f"{MAIN}cellXfs/{MAIN}xf")):
        number = _index(xf.get("numFmtId"))
        if number in custom:
            fmt: str | None = custom[number]
        elif number < BUILTIN_FORMATS_MAX_SIZE:
            fmt = BUILTIN_FORMATS.get(number)
        else:
            raise Unusual("a number format styles.xml does not define")
        formats.append("General" if fmt is None else fmt)
        ids.append(number)
        if is_date_format(fmt):
            dates.add(index)
        if is_timedelta_format(fmt):
            durations.add(index)
    dxfs = len(root.findall(f"{MAIN}dxfs/{MAIN}dxf"))
    return formats, ids, frozenset(dates), frozenset(durations), dxfs


_STYLE_LISTS = (("fonts", "font"), ("fills", "fill"), ("borders", "border"))
_STYLE_REFS = (("fonts", "fontId"), ("fills", "fillId"), ("borders", "borderId"))


def _strings(members: dict[str, bytes]) -> list[str]:
    """The shared strings as openpyxl reads them (check_strings has refused escapes, phonetic runs, raw CR): each
    item's text, or its runs' texts joined."""
    root = xml_root(members, STRINGS_PART, f"{MAIN}sst")
    out: list[str] = []
    for si in root:
        if si.tag != f"{MAIN}si":
            raise Unusual("shared strings: unknown element")
        tags = [child.tag for child in si]
        if tags == [f"{MAIN}t"]:
            out.append(_text(si[0]))
        elif all(tag == f"{MAIN}r" for tag in tags):
            out.append("".join(_run(r) for r in si))
        else:
            raise Unusual("shared strings: an item read otherwise")
    return out


def _text(t: Any) -> str:
    if len(t):
        raise Unusual("text with elements")
    return str(t.text or "")


def _run(r: Any) -> str:
    tags = [child.tag for child in r]
    if tags not in ([f"{MAIN}t"], [f"{MAIN}rPr", f"{MAIN}t"]):
        raise Unusual("a run read otherwise")
    return _text(r[-1])


def _sheet_relations(members: dict[str, bytes], member: str) -> None:
    """A form sheet's relationships are of kinds openpyxl reads without fail, its comments well-formed with each
    reference a cell and each author listed."""
    rels = posixpath.join(posixpath.dirname(member), "_rels", posixpath.basename(member) + ".rels")
    if rels not in members:
        return
    for r in xml_root(members, rels, f"{PKG_REL}Relationships"):
        kind = r.get("Type", "")
        if r.tag != f"{PKG_REL}Relationship" or kind not in SHEET_RELS:
            raise Unusual(f"a sheet relationship of type {kind[-40:]}")
        if r.get("TargetMode") == "External":
            continue
        target = r.get("Target", "")
        part = (
            target.lstrip("/")
            if target.startswith("/")
            else posixpath.normpath(posixpath.join(posixpath.dirname(member), target))
        )
        if kind.endswith("/comments"):
            _comments(members, part)


def _comments(members: dict[str, bytes], part: str) -> None:
    root = xml_root(members, part, f"{MAIN}comments")
    authors = len(root.findall(f"{MAIN}authors/{MAIN}author"))
    for comment in root.iterfind(f"{MAIN}commentList/{MAIN}comment"):
        if not _CELL_REF.fullmatch(comment.get("ref", "")) or _index(comment.get("authorId")) >= authors:
            raise Unusual("a comment openpyxl refuses")
