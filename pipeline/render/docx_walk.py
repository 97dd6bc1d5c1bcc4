"""The body of a rendered report, read in order: what the HTML and Markdown writers turn into their own markup.

Paragraphs carry their style's display name (Title, Heading 1–3, Normal, Closing, Attachment, Table Title …) and
their runs (text with bold, line breaks, images); tables carry their cells with Word's merges (``gridSpan``,
``vMerge``) resolved into row and column spans, as HTML has them. Deleted revisions and field codes are left out;
what Word would display is kept.
"""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO

from lxml import etree

from ..errors import GenreportError
from .docx_model import Block, Break, Cell, Document, Image, Inline, Paragraph, Table, Text
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


__all__ = ["Block", "Break", "Cell", "Document", "Image", "Paragraph", "ReportUnreadable", "Table", "Text"]


class ReportUnreadable(GenreportError):
    """Raised when the bytes given to a converter are not a Word document."""


def read_document(data: bytes) -> Document:
    """The body of the .docx in ``data``."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as package:
            main = _main_part(package)
            body = etree.fromstring(package.read(main), _PARSER).find(W + "body")
            styles_root = _part(package, posixpath.join(posixpath.dirname(main), "styles.xml"))
            walker = _Walker(package, main, *read_styles(styles_root))
            if body is None:
                raise ReportUnreadable("无法读取报告：Word 文档没有正文（word/document.xml 中缺少 w:body）")
            return Document(tuple(walker.blocks(body)), walker.styles, read_page(body))
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
    def __init__(self, package: zipfile.ZipFile, main: str, styles: dict[str, StyleFormat], default: str) -> None:
        self.package, self.styles, self.default = package, styles, default
        self.folder = posixpath.dirname(main)
        rels = _part(package, posixpath.join(self.folder, "_rels", posixpath.basename(main) + ".rels"))
        self.targets = {r.get("Id"): r.get("Target", "") for r in (rels.iter() if rels is not None else ())}

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
        for el in r:
            tag = el.tag
            if tag == W + "t":
                yield Text(el.text or "", bold)
            elif tag == W + "tab":
                yield Text("\t", bold)
            elif tag in (W + "br", W + "cr"):
                yield Break(page=el.get(W + "type") == "page")
            elif tag == W + "noBreakHyphen":
                yield Text("\u2011", bold)
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
                    cell = origin
                else:
                    cell = _Pending(tuple(self.blocks(tc)), r, col, 1, span)
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

    def freeze(self) -> Cell:
        paragraphs = [b for b in self.blocks if isinstance(b, Paragraph)]
        align = paragraphs[0].align if len(self.blocks) == 1 and paragraphs else None
        return Cell(self.blocks, self.row, self.col, self.rowspan, self.colspan, align)


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
    """Adjacent runs of the same weight as one: Word splits text into runs for reasons that do not show."""
    merged: list[Inline] = []
    for item in inlines:
        last = merged[-1] if merged else None
        if isinstance(item, Text) and isinstance(last, Text) and last.bold == item.bold:
            merged[-1] = Text(last.text + item.text, item.bold)
        elif not (isinstance(item, Text) and not item.text):
            merged.append(item)
    return merged
