"""The body of a rendered report, read in order: what the HTML and Markdown writers turn into their own markup.

Paragraphs carry their style's display name (Title, Heading 1–3, Normal, Closing, Attachment, Table Title …) and
their runs (text with bold, line breaks, images); tables carry their cells with Word's merges (``gridSpan``,
``vMerge``) resolved into row and column spans, as HTML has them. Deleted revisions and field codes are left out;
what Word would display is kept.

Comments (批注, ``word/comments.xml``) are read with their author, initials and text. In the body, the text between a
``w:commentRangeStart`` and its ``w:commentRangeEnd`` is covered by that comment: the range is followed in document
order, so it may span runs, paragraphs, table cells. The comment's reference sign is placed after the last text it
covers, or, where it covers no text, where its ``w:commentReference`` stands.
"""

from __future__ import annotations

import functools
import itertools
import posixpath
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from io import BytesIO

from lxml import etree

from ..errors import GenreportError
from .docx_model import Block, Break, Cell, Comment, Document, Image, Inline, Paragraph, Table, Text
from .docx_styles import StyleFormat, W, on, read_page, read_styles

R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
V = "{urn:schemas-microsoft-com:vml}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
_SKIPPED = {W + t for t in ("del", "moveFrom", "instrText", "delText", "pPr", "rPr", "commentReference")}
_P, _TBL, _TC, _R, _T, _TAB, _BR, _CR = (W + t for t in ("p", "tbl", "tc", "r", "t", "tab", "br", "cr"))
_BLOCK_WRAPPERS = frozenset(W + t for t in ("sdt", "customXml", "sdtContent", "ins", "moveTo"))
_CELL_WRAPPERS = frozenset(W + t for t in ("sdt", "sdtContent", "customXml"))
_IMAGE_TAGS = frozenset(W + t for t in ("drawing", "pict", "object"))
_ALTERNATE = MC + "AlternateContent"
_NO_BREAK_HYPHEN, _COMMENT_REFERENCE = W + "noBreakHyphen", W + "commentReference"
_PPR, _PSTYLE, _JC, _PAGE_BREAK_BEFORE = (W + t for t in ("pPr", "pStyle", "jc", "pageBreakBefore"))
_TCPR, _GRID_SPAN, _VMERGE, _TC_BORDERS = (W + t for t in ("tcPr", "gridSpan", "vMerge", "tcBorders"))
_RPR, _B, _TR, _TRPR = (W + t for t in ("rPr", "b", "tr", "trPr"))
_VAL = W + "val"
_ALIGN = {"both": "justify", "center": "center", "right": "right", "left": "left"}
_IMAGE_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif"}
_IMAGE_TYPES |= {"svg": "image/svg+xml", "emf": "image/emf", "wmf": "image/wmf"}


__all__ = [
    "Block",
    "Break",
    "Cell",
    "Comment",
    "Document",
    "Image",
    "Paragraph",
    "ReportUnreadable",
    "Table",
    "Text",
]


class ReportUnreadable(GenreportError):
    """Raised when the bytes given to a converter are not a Word document."""


def read_document(data: bytes, *, comments: bool = True) -> Document:
    """The body of the .docx in ``data``; ``comments=False`` reads it as if it had none (a copy for publishing).
    The HTML and the Markdown of one report are made from one reading (the model is never changed)."""
    return _read_document(data, comments)


def forget_documents() -> None:
    """Drop the readings kept for a report's other formats: a process that goes on to another user's upload (a
    web job's reused process) keeps nothing of this one's report."""
    _read_document.cache_clear()


@functools.lru_cache(maxsize=2)
def _read_document(data: bytes, comments: bool) -> Document:
    try:
        with zipfile.ZipFile(BytesIO(data)) as package:
            main = _main_part(package)
            body = etree.fromstring(package.read(main), _PARSER).find(W + "body")
            styles, default = _styles(_bytes(package, posixpath.join(posixpath.dirname(main), "styles.xml")))
            walker = _Walker(package, main, dict(styles), default, comments=comments)
            if body is None:
                raise ReportUnreadable("无法读取报告：Word 文档没有正文（word/document.xml 中缺少 w:body）")
            walker.cover(body)
            blocks = tuple(walker.blocks(body))
            if not walker.comments:
                return Document(blocks, walker.styles, read_page(body))
            blocks, order = _place_notes(blocks)
            ordered = tuple(walker.comments[i] for i in order)
            return Document(blocks, walker.styles, read_page(body), ordered)
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError, OSError) as e:
        raise ReportUnreadable(f"无法读取报告：不是有效的 Word 文档（{e}）") from e


def _main_part(package: zipfile.ZipFile) -> str:
    rels = _part(package, "_rels/.rels")
    for rel in rels.iter() if rels is not None else ():
        if rel.get("Type", "").endswith("/officeDocument"):
            return str(rel.get("Target", "")).lstrip("/")
    return "word/document.xml"


def _part(package: zipfile.ZipFile, name: str) -> etree._Element | None:
    data = _bytes(package, name)
    return None if data is None else etree.fromstring(data, _PARSER)


def _bytes(package: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        return package.read(name)
    except KeyError:
        return None


def remember_styles(data: bytes) -> None:
    """Read the paragraph styles of the .docx in ``data`` (a template) ahead of its reports: a report keeps its
    template's styles part byte for byte, so its reading finds them read (web.warm, in the jobs' forkserver)."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as package:
            _styles(_bytes(package, posixpath.join(posixpath.dirname(_main_part(package)), "styles.xml")))
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError, OSError):
        return  # the report's own reading says what is wrong


@functools.lru_cache(maxsize=8)
def _styles(data: bytes | None) -> tuple[dict[str, StyleFormat], str]:
    """The styles part (a few hundred kB, the same in every report of a template) parsed and resolved once per
    content; callers copy the dict."""
    return read_styles(None if data is None else etree.fromstring(data, _PARSER))


class _Walker:
    def __init__(
        self, package: zipfile.ZipFile, main: str, styles: dict[str, StyleFormat], default: str, *, comments: bool
    ) -> None:
        self.package, self.styles, self.default = package, styles, default
        self.folder = posixpath.dirname(main)
        rels = _part(package, posixpath.join(self.folder, "_rels", posixpath.basename(main) + ".rels"))
        self.targets = {r.get("Id"): r.get("Target", "") for r in (rels.iter() if rels is not None else ())}
        self.comments: dict[str, Comment] = {}
        self.covered: dict[etree._Element, tuple[str, ...]] = {}  # a run → the comments covering it
        for rel in rels.iter() if rels is not None else ():
            if comments and rel.get("Type", "").endswith("/comments") and rel.get("TargetMode") != "External":
                name = posixpath.normpath(posixpath.join(self.folder, rel.get("Target", ""))).lstrip("/")
                self.comments = _read_comments(_part(package, name))

    def cover(self, body: etree._Element) -> None:
        """Which comments cover each run: the ranges followed in document order, across paragraphs and cells."""
        if not self.comments:
            return
        open_ids: dict[str, None] = {}  # in the order they opened
        for el in body.iter(W + "commentRangeStart", W + "commentRangeEnd", W + "r"):
            if el.tag == W + "r":
                if open_ids:
                    self.covered[el] = tuple(open_ids)
                continue
            comment_id = el.get(W + "id", "")
            if el.tag == W + "commentRangeEnd":
                open_ids.pop(comment_id, None)
            elif comment_id in self.comments:
                open_ids[comment_id] = None

    def blocks(self, parent: etree._Element) -> Iterator[Block]:
        for child in parent:
            tag = child.tag
            if tag == _P:
                yield self.paragraph(child)
            elif tag == _TBL:
                yield self.table(child)
            elif tag in _BLOCK_WRAPPERS:
                yield from self.blocks(child)  # content controls and tracked insertions wrap ordinary blocks

    def paragraph(self, p: etree._Element) -> Paragraph:
        ppr = _child(p, _PPR)
        style_el = jc = breaks = None
        for el in ppr if ppr is not None else ():  # the first of each, as find() would take it
            tag = el.tag
            if tag == _PSTYLE:
                style_el = el if style_el is None else style_el
            elif tag == _JC:
                jc = el if jc is None else jc
            elif tag == _PAGE_BREAK_BEFORE:
                breaks = el if breaks is None else breaks
        direct = on(breaks) if ppr is not None else None
        style_id = style_el.get(_VAL, self.default) if style_el is not None else self.default
        style = self.styles.get(style_id) or self.styles[self.default]
        align = _ALIGN.get(jc.get(_VAL, "") if jc is not None else "")
        inlines: list[Inline] = []
        self.inlines(p, inlines)
        return Paragraph(style, tuple(_merge(inlines)), align, style.page_break_before if direct is None else direct)

    def inlines(self, parent: etree._Element, found: list[Inline]) -> None:
        """What ``parent`` displays, appended to ``found`` (a list rather than nested generators: most of a
        report's elements pass through here)."""
        for el in parent:
            tag = el.tag
            if tag.__class__ is not str or tag in _SKIPPED:
                continue
            if tag == _R:
                self.run(el, found)
            elif tag in _IMAGE_TAGS:
                found += self.images(el)
            elif tag == _ALTERNATE:
                if len(el):
                    self.inlines(el[0], found)  # the choice; the fallback repeats it
            elif tag != _P:  # hyperlinks, fields, smart tags, insertions: their runs are displayed
                self.inlines(el, found)

    def run(self, r: etree._Element, found: list[Inline]) -> None:
        rpr = _child(r, _RPR)
        bold = bool(on(next(rpr.iterchildren(_B), None))) if rpr is not None else False  # b: seldom rPr's first
        covered = self.covered.get(r, ()) if self.covered else ()
        for el in r:
            tag = el.tag
            if tag == _T:
                found.append(Text(el.text or "", bold, covered))
            elif tag == _TAB:
                found.append(Text("\t", bold, covered))
            elif tag in (_BR, _CR):
                found.append(Break(page=el.get(W + "type") == "page"))
            elif tag == _NO_BREAK_HYPHEN:
                found.append(Text("\u2011", bold, covered))
            elif tag == _COMMENT_REFERENCE and el.get(W + "id", "") in self.comments:
                found.append(Text("", bold, (), (el.get(W + "id", ""),)))  # where the sign stands if nothing is covered
            elif tag in _IMAGE_TAGS:
                found += self.images(el)
            elif tag == _ALTERNATE and len(el):
                found += self.images(el[0])

    def images(self, el: etree._Element) -> Iterator[Image]:
        extent = next(el.iter(WP + "extent"), None)
        doc_pr = next(el.iter(WP + "docPr"), None)
        description = (doc_pr.get("descr") or doc_pr.get("title") or "") if doc_pr is not None else ""
        width = height = None
        if extent is not None and extent.get("cx", "").isdigit() and extent.get("cy", "").isdigit():
            width, height = int(extent.get("cx")) / 36000, int(extent.get("cy")) / 36000  # EMU → mm
        refs = [b.get(R + "embed") for b in el.iter(A + "blip")] + [d.get(R + "id") for d in el.iter(V + "imagedata")]
        for ref in refs:
            target = self.targets.get(ref)
            if not target:
                continue
            name = posixpath.normpath(posixpath.join(self.folder, target)).lstrip("/")
            try:
                data = self.package.read(name)
            except KeyError:
                continue
            kind = _IMAGE_TYPES.get(name.rsplit(".", 1)[-1].lower(), "application/octet-stream")
            yield Image(data, kind, description, width, height)

    def table(self, tbl: etree._Element) -> Table:
        widths = tuple(int(float(g.get(W + "w", "0") or 0)) for g in tbl.findall(f"{W}tblGrid/{W}gridCol"))
        rows: list[list[_Pending]] = []
        above: dict[int, _Pending] = {}  # grid column → the cell occupying it in the row above
        header_rows, in_header = 0, True
        for r, tr in enumerate(tbl.iterchildren(_TR)):
            trpr = _child(tr, _TRPR)
            in_header = in_header and trpr is not None and bool(on(_child(trpr, W + "tblHeader")))
            header_rows += in_header
            col = _int(_child(trpr, W + "gridBefore") if trpr is not None else None, 0)
            row: list[_Pending] = []
            current: dict[int, _Pending] = {}
            for tc in _cells(tr):
                tcpr = _child(tc, _TCPR)
                grid_span = vmerge = borders = None
                for el in tcpr if tcpr is not None else ():  # the first of each, as find() would take it
                    tag = el.tag
                    if tag == _GRID_SPAN:
                        grid_span = el if grid_span is None else grid_span
                    elif tag == _VMERGE:
                        vmerge = el if vmerge is None else vmerge
                    elif tag == _TC_BORDERS:
                        borders = el if borders is None else borders
                span = max(1, _int(grid_span, 1))
                origin = above.get(col)
                if (
                    vmerge is not None
                    and vmerge.get(_VAL, "continue") == "continue"
                    and origin
                    and (origin.col == col and origin.colspan == span)
                ):
                    origin.rowspan = r - origin.row + 1
                    origin.open_below = "bottom" in _open_sides(borders)  # the merge's bottom is its last cell's
                    cell = origin
                else:
                    sides = _open_sides(borders)
                    cell = _Pending(tuple(self.blocks(tc)), r, col, 1, span, "top" in sides, "bottom" in sides)
                    row.append(cell)
                for c in range(col, col + span):
                    current[c] = cell
                col += span
            above = current
            rows.append(row)
        columns = max([len(widths)] + [c.col + c.colspan for row in rows for c in row])
        frozen = tuple(tuple(c.freeze() for c in row) for row in rows)
        return Table(frozen, columns, widths, header_rows)


@dataclass
class _Pending:
    blocks: tuple[Block, ...]
    row: int
    col: int
    rowspan: int
    colspan: int
    open_above: bool = False
    open_below: bool = False

    def freeze(self) -> Cell:
        only = self.blocks[0] if len(self.blocks) == 1 else None
        align = only.align if isinstance(only, Paragraph) else None  # of a cell that is one paragraph
        sides = _SIDES[self.open_above, self.open_below]
        return Cell(self.blocks, self.row, self.col, self.rowspan, self.colspan, align, sides)


_SIDES = {(above, below): ("top",) * above + ("bottom",) * below for above in (False, True) for below in (False, True)}
_NO_SIDES: frozenset[str] = frozenset()


def _open_sides(borders: etree._Element | None) -> frozenset[str]:
    """The sides a cell draws without a border (its tcBorders nil or none): a label over a merged column, say."""
    if borders is None:
        return _NO_SIDES  # most cells
    return frozenset(el.tag.removeprefix(W) for el in borders if el.get(_VAL) in ("nil", "none"))


def _cells(tr: etree._Element) -> Iterator[etree._Element]:
    for el in tr:
        tag = el.tag
        if tag == _TC:
            yield el
        elif tag in _CELL_WRAPPERS:
            yield from _cells(el)


def _child(el: etree._Element, tag: str) -> etree._Element | None:
    """``el.find(tag)``, its first child ``tag``, faster: the properties (pPr, rPr, tcPr, trPr) are usually an
    element's first child, and otherwise iterchildren saves ElementPath's parsing of the path."""
    for first in el:
        if first.tag == tag:
            return first
        break
    return next(el.iterchildren(tag), None)


def _int(el: etree._Element | None, default: int) -> int:
    value = el.get(_VAL, "") if el is not None else ""
    return int(value) if value.isdigit() else default


def _merge(inlines: list[Inline]) -> list[Inline]:
    """Adjacent runs of the same weight (and comments) as one: Word splits text into runs for reasons that do not
    show. A piece followed by a comment's reference sign ends there."""
    merged: list[Inline] = []
    for item in inlines:
        last = merged[-1] if merged else None
        if (
            isinstance(item, Text)
            and isinstance(last, Text)
            and (last.bold, last.comments) == (item.bold, item.comments)
            and not last.notes
        ):
            merged[-1] = Text(last.text + item.text, item.bold, item.comments, item.notes)
        elif not (isinstance(item, Text) and not item.text and not item.notes):
            merged.append(item)
    return merged


def _read_comments(root: etree._Element | None) -> dict[str, Comment]:
    """``w:comments``: each comment's id → its author, initials and text (its paragraphs joined with line breaks)."""
    comments: dict[str, Comment] = {}
    for el in root.iter(W + "comment") if root is not None else ():
        lines = []
        for p in el.iter(W + "p"):
            parts = []
            for r in p.iter(W + "r"):
                for item in r:
                    if item.tag == W + "t":
                        parts.append(item.text or "")
                    elif item.tag == W + "tab":
                        parts.append("\t")
                    elif item.tag in (W + "br", W + "cr"):
                        parts.append("\n")
            lines.append("".join(parts))
        text = "\n".join(lines).strip("\n")
        comment_id = el.get(W + "id", "")
        comments[comment_id] = Comment(comment_id, text, el.get(W + "author", ""), el.get(W + "initials", ""))
    return comments


def _place_notes(blocks: tuple[Block, ...]) -> tuple[tuple[Block, ...], list[str]]:
    """Each comment's reference sign after the last text it covers (or, covering none, where its reference stands);
    the comments in the order of their signs."""
    last: dict[str, int] = {}  # a comment → the last piece of text it covers, counting pieces in document order
    reference: dict[str, int] = {}  # a comment → the (empty) piece standing for its reference
    pieces = itertools.count()

    def survey(p: Paragraph) -> Paragraph:
        for item in p.inlines:
            if isinstance(item, Text):
                i = next(pieces)
                last.update(dict.fromkeys(item.comments, i))
                for comment_id in item.notes:
                    reference.setdefault(comment_id, i)
        return p

    _map_paragraphs(blocks, survey)
    pieces = itertools.count()
    order: dict[str, None] = {}

    def place(p: Paragraph) -> Paragraph:
        inlines: list[Inline] = []
        for item in p.inlines:
            if isinstance(item, Text):
                i = next(pieces)
                notes = [c for c in item.comments if last[c] == i]
                notes += [c for c in item.notes if c not in last and reference[c] == i]
                order.update(dict.fromkeys(notes))
                item = replace(item, notes=tuple(notes))
            inlines.append(item)
        return replace(p, inlines=tuple(_merge(inlines)))

    return _map_paragraphs(blocks, place), list(order)


def _map_paragraphs(blocks: tuple[Block, ...], change: Callable[[Paragraph], Paragraph]) -> tuple[Block, ...]:
    """``blocks`` with each paragraph, in document order (table cells included), as ``change`` returns it."""
    changed: list[Block] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            changed.append(change(block))
        else:
            rows = tuple(tuple(replace(c, blocks=_map_paragraphs(c.blocks, change)) for c in row) for row in block.rows)
            changed.append(replace(block, rows=rows))
    return tuple(changed)
