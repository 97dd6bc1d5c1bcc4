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


@functools.lru_cache(maxsize=2)
def _read_document(data: bytes, comments: bool) -> Document:
    try:
        with zipfile.ZipFile(BytesIO(data)) as package:
            main = _main_part(package)
            body = etree.fromstring(package.read(main), _PARSER).find(W + "body")
            styles_root = _part(package, posixpath.join(posixpath.dirname(main), "styles.xml"))
            walker = _Walker(package, main, *read_styles(styles_root), comments=comments)
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
    try:
        return etree.fromstring(package.read(name), _PARSER)
    except KeyError:
        return None


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
            if child.tag == W + "p":
                yield self.paragraph(child)
            elif child.tag == W + "tbl":
                yield self.table(child)
            elif child.tag in (W + "sdt", W + "customXml", W + "sdtContent", W + "ins", W + "moveTo"):
                yield from self.blocks(child)  # content controls and tracked insertions wrap ordinary blocks

    def paragraph(self, p: etree._Element) -> Paragraph:
        ppr = p.find(W + "pPr")
        style_el = ppr.find(W + "pStyle") if ppr is not None else None
        style_id = style_el.get(W + "val", self.default) if style_el is not None else self.default
        style = self.styles.get(style_id) or self.styles[self.default]
        jc = ppr.find(W + "jc") if ppr is not None else None
        align = {"both": "justify", "center": "center", "right": "right", "left": "left"}.get(
            jc.get(W + "val", "") if jc is not None else ""
        )
        direct = on(ppr.find(W + "pageBreakBefore")) if ppr is not None else None
        inlines = _merge(list(self.inlines(p)))
        return Paragraph(style, tuple(inlines), align, style.page_break_before if direct is None else direct)

    def inlines(self, parent: etree._Element) -> Iterator[Inline]:
        for el in parent:
            if el.tag in _SKIPPED or not isinstance(el.tag, str):
                continue
            if el.tag == W + "r":
                yield from self.run(el)
            elif el.tag in (W + "drawing", W + "pict", W + "object"):
                yield from self.images(el)
            elif el.tag == MC + "AlternateContent":
                yield from self.inlines(el[0]) if len(el) else ()  # the choice; the fallback repeats it
            elif el.tag != W + "p":  # hyperlinks, fields, smart tags, insertions: their runs are displayed
                yield from self.inlines(el)

    def run(self, r: etree._Element) -> Iterator[Inline]:
        rpr = r.find(W + "rPr")
        bold = bool(on(rpr.find(W + "b"))) if rpr is not None else False
        covered = self.covered.get(r, ())
        for el in r:
            tag = el.tag
            if tag == W + "t":
                yield Text(el.text or "", bold, covered)
            elif tag == W + "tab":
                yield Text("\t", bold, covered)
            elif tag in (W + "br", W + "cr"):
                yield Break(page=el.get(W + "type") == "page")
            elif tag == W + "noBreakHyphen":
                yield Text("\u2011", bold, covered)
            elif tag == W + "commentReference" and el.get(W + "id", "") in self.comments:
                yield Text("", bold, (), (el.get(W + "id", ""),))  # where the sign stands if nothing is covered
            elif tag in (W + "drawing", W + "pict", W + "object"):
                yield from self.images(el)
            elif tag == MC + "AlternateContent" and len(el):
                yield from self.images(el[0])

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
        for r, tr in enumerate(tbl.findall(W + "tr")):
            trpr = tr.find(W + "trPr")
            in_header = in_header and trpr is not None and bool(on(trpr.find(W + "tblHeader")))
            header_rows += in_header
            col = _int(trpr.find(W + "gridBefore") if trpr is not None else None, 0)
            row: list[_Pending] = []
            current: dict[int, _Pending] = {}
            for tc in _cells(tr):
                tcpr = tc.find(W + "tcPr")
                span = max(1, _int(tcpr.find(W + "gridSpan") if tcpr is not None else None, 1))
                vmerge = tcpr.find(W + "vMerge") if tcpr is not None else None
                origin = above.get(col)
                if (
                    vmerge is not None
                    and vmerge.get(W + "val", "continue") == "continue"
                    and origin
                    and (origin.col == col and origin.colspan == span)
                ):
                    origin.rowspan = r - origin.row + 1
                    origin.open_below = "bottom" in _open_sides(tcpr)  # the merge's bottom is its last cell's
                    cell = origin
                else:
                    sides = _open_sides(tcpr)
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
        paragraphs = [b for b in self.blocks if isinstance(b, Paragraph)]
        align = paragraphs[0].align if len(self.blocks) == 1 and paragraphs else None
        sides = tuple(side for side, is_open in (("top", self.open_above), ("bottom", self.open_below)) if is_open)
        return Cell(self.blocks, self.row, self.col, self.rowspan, self.colspan, align, sides)


def _open_sides(tcpr: etree._Element | None) -> set[str]:
    """The sides a cell draws without a border (tcBorders nil or none): a label over a merged column, say."""
    borders = tcpr.find(W + "tcBorders") if tcpr is not None else None
    if borders is None:
        return set()
    return {el.tag.removeprefix(W) for el in borders if el.get(W + "val") in ("nil", "none")}


def _cells(tr: etree._Element) -> Iterator[etree._Element]:
    for el in tr:
        if el.tag == W + "tc":
            yield el
        elif el.tag in (W + "sdt", W + "sdtContent", W + "customXml"):
            yield from _cells(el)


def _int(el: etree._Element | None, default: int) -> int:
    value = el.get(W + "val", "") if el is not None else ""
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
