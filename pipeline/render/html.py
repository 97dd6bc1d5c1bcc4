"""The report as one self-contained HTML page, converted from the rendered .docx.

Converting the Word document (rather than rendering the template a second time) keeps one source of truth: the HTML
has exactly the docx's paragraphs, outline and tables. The stylesheet is inline and generated from the document's own
paragraph styles; images are data URIs; an A4 print stylesheet with the document's margins makes the page print like
the report. Every text is escaped: a cell may hold ``&<>"'``.

Word comments (批注) show as marked text: each piece a comment covers is a ``<mark class="review">`` (its comment as
the tooltip), followed after the last piece by a reference ``[N]`` that links to note N in a "审阅意见" section at
the end, printed on a page of its own. A document without comments converts exactly as before (no added CSS).
"""

from __future__ import annotations

import base64
import functools
import re
from html import escape

from .docx_styles import PageSetup, StyleFormat
from .docx_walk import Block, Break, Cell, Comment, Image, Paragraph, Table, Text, read_document

HEADING_TAGS = {"Title": "h1", "Heading 1": "h2", "Heading 2": "h3", "Heading 3": "h4"}
# Free faces of the same kind stand in where the GB/T 9704 faces (not free) are missing: Noto CJK SC.
SERIF = '"Noto Serif CJK SC", "Source Han Serif SC", "Songti SC", serif'
SANS = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif'
_KINDS = (  # (words in a face name, the stack of that kind of face)
    (("黑", "hei", "sans", "雅黑", "yahei"), '"黑体", "SimHei", "Heiti SC", ' + SANS),
    (("楷", "kai"), '"楷体_GB2312", "KaiTi_GB2312", "楷体", "KaiTi", "STKaiti", ' + SERIF),
    (("仿宋", "fangsong"), '"仿宋_GB2312", "FangSong_GB2312", "仿宋", "FangSong", "STFangsong", ' + SERIF),
    (("小标宋", "xiaobiaosong"), '"genreport 小标宋", ' + SERIF),
)
# 小标宋 is a heavy Song face: where it is missing, the bold Noto Serif CJK stands in (as in the PDF), which a plain
# fallback list cannot say; local() sources are tried in order, the first installed one is used
_XIAOBIAOSONG = (
    '@font-face { font-family: "genreport 小标宋"; src: local("方正小标宋简体"), local("方正小标宋_GBK"), '
    'local("FZXiaoBiaoSong-B05S"), local("Noto Serif CJK SC Bold"), local("NotoSerifCJKsc-Bold"), '
    'local("Source Han Serif SC Bold"), local("SourceHanSerifSC-Bold"); }'
)
_BASE_CSS = """
%(font_faces)s
html { background: #eee; }
body { margin: 0; color: #000; font-family: %(body_font)s; font-size: 16pt; }
main { box-sizing: border-box; width: %(width)smm; margin: 8mm auto; background: #fff;
  padding: %(top)smm %(right)smm %(bottom)smm %(left)smm; box-shadow: 0 0 4px #999; }
h1, h2, h3, h4, p { margin: 0; font-size: inherit; font-weight: normal; overflow-wrap: anywhere; }
p:empty::before { content: "\\a0"; }
table { border-collapse: collapse; margin: 0 auto 6pt; table-layout: fixed; width: 100%%; }
td, th { border: 0.5pt solid #000; padding: 1pt 2pt; vertical-align: middle; text-align: center;
  font-weight: normal; overflow-wrap: anywhere; }
img { max-width: 100%%; height: auto; }
.page-break { display: block; }
.tab { white-space: pre; tab-size: 2; }
@media screen and (max-width: %(width)smm) {
  main { width: auto; margin: 0; padding: 6mm; box-shadow: none; }
}
@page { size: A4; margin: %(top)smm %(right)smm %(bottom)smm %(left)smm; }
@media print {
  html { background: none; }
  main { width: auto; margin: 0; padding: 0; box-shadow: none; }
  .page-break { break-after: page; }
  tr, img { break-inside: avoid; }
  thead { display: table-header-group; }
%(print_rules)s
}
"""
# only where the document has comments: marked text in light yellow, on screen and in print; notes on their own page
_REVIEW_CSS = """mark.review { background: #fff3a6; color: inherit; }
mark.review:target { outline: 1pt solid #e0a800; }
.review-ref { font-size: 0.6em; line-height: 0; }
.review-ref a, .review-back { color: #8a5a00; text-decoration: none; }
.review-notes { margin-top: 24pt; padding-top: 12pt; border-top: 0.5pt solid #000; font-size: 12pt; }
.review-notes h2 { font-family: %(heading_font)s; font-size: 16pt; font-weight: bold; margin-bottom: 6pt; }
.review-notes ol { margin: 0; padding-left: 2em; }
.review-notes li { margin: 3pt 0; overflow-wrap: anywhere; }
.review-back { margin-left: 0.5em; font-size: 0.8em; }
@media print {
  mark.review { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .review-notes { break-before: page; margin-top: 0; padding-top: 0; border-top: none; }
  .review-back { display: none; }
}
"""


def docx_to_html(data: bytes, title: str, *, comments: bool = True) -> str:
    """The .docx in ``data`` as a complete HTML document titled ``title``; ``comments=False`` leaves out its review
    comments (marks and notes), as a page for publishing."""
    document = read_document(data, comments=comments)
    used = {b.style.style_id: b.style for b in _paragraphs(document.blocks)}
    review = _Review(document.comments)
    body = "\n".join(_block(b, review) for b in document.blocks)
    css = _stylesheet(document.page, used)
    if document.comments:
        body += "\n" + review.notes()
        css += _REVIEW_CSS % {"heading_font": font_stack("黑体")}
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{css}</style>\n</head>\n"
        f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


class _Review:
    """The document's comments as marks, reference signs and notes: comment N's K-th marked piece is ``r-N-K``, its
    reference sign ``ref-N``, its note ``note-N``."""

    def __init__(self, comments: tuple[Comment, ...]) -> None:
        self.comments = comments
        self.numbers = {c.id: n for n, c in enumerate(comments, 1)}
        self.texts = {c.id: c.text for c in comments}
        self.marked: dict[str, int] = {}  # a comment → how many pieces have been marked

    def text(self, item: Text, html: str) -> str:
        """``html`` (the piece ``item``) inside a mark for each comment covering it, then the signs following it."""
        for comment_id in reversed([c for c in item.comments if c in self.numbers]):
            k = self.marked[comment_id] = self.marked.get(comment_id, 0) + 1
            title = _attribute(self.texts[comment_id])
            html = f'<mark class="review" id="r-{self.numbers[comment_id]}-{k}" title="{title}">{html}</mark>'
        for comment_id in item.notes:
            if comment_id in self.numbers:
                n = self.numbers[comment_id]
                html += f'<sup class="review-ref" id="ref-{n}"><a href="#note-{n}">[{n}]</a></sup>'
        return html

    def notes(self) -> str:
        """The 审阅意见 section: each comment's text, and a link back to where it stands."""
        items = []
        for n, comment in enumerate(self.comments, 1):
            back = f"r-{n}-1" if self.marked.get(comment.id) else f"ref-{n}"
            text = "<br>".join(escape(line) for line in comment.text.split("\n"))
            items.append(f'<li id="note-{n}">{text}<a class="review-back" href="#{back}">返回正文</a></li>')
        return '<section class="review-notes">\n<h2>审阅意见</h2>\n<ol>\n' + "\n".join(items) + "\n</ol>\n</section>"


def _attribute(text: str) -> str:
    """``text`` as the value of a quoted attribute, its line breaks and tabs kept as character references."""
    return escape(text).replace("\r", "").replace("\n", "&#10;").replace("\t", "&#9;")


def font_stack(face: str | None) -> str:
    """The face itself, then free faces of the same kind (a sans face for 黑体, a serif one otherwise)."""
    if not face:
        return SERIF
    lower = face.lower()
    for words, stack in _KINDS:
        if any(w in lower for w in words):
            return stack if f'"{face}"' in stack else f"{_quote(face)}, {stack}"
    return f"{_quote(face)}, {SERIF}"


def _quote(face: str) -> str:
    return '"' + re.sub(r'["\\<>\n\r]', "", face) + '"'  # a face name from the docx cannot close the string or tag


def style_class(style: StyleFormat) -> str:
    """A CSS class for a style id; ids may hold any character (WPS writes Chinese ones)."""
    return _class_of(style.style_id)


@functools.lru_cache(maxsize=256)
def _class_of(style_id: str) -> str:  # a report names a few styles hundreds of times
    return "s-" + re.sub(r"[^A-Za-z0-9_-]", lambda m: f"_{ord(m[0]):x}", style_id)


def _stylesheet(page: PageSetup, used: dict[str, StyleFormat]) -> str:
    margins = {k: f"{getattr(page, k + '_mm'):g}" for k in ("top", "bottom", "left", "right")}
    normal = next((s for s in used.values() if s.name == "Normal"), None)
    breaks = [f"  .{style_class(s)} {{ break-before: page; }}" for s in used.values() if s.page_break_before]
    print_rules = "\n".join(breaks)
    css = _BASE_CSS % {
        **margins,
        "width": f"{page.width_mm:g}",
        "body_font": font_stack(normal.font if normal else "仿宋_GB2312"),
        "font_faces": _XIAOBIAOSONG,
        "print_rules": print_rules + "\n  .page-break-before { break-before: page; }",
    }
    return css + "\n".join(_style_rule(s) for s in used.values()) + "\n"


def _style_rule(s: StyleFormat) -> str:
    decls = [f"font-family: {font_stack(s.font)}"]
    if s.size_pt:
        decls.append(f"font-size: {s.size_pt:g}pt")
    decls.append(f"font-weight: {'bold' if s.bold else 'normal'}")
    if s.align:
        decls.append(f"text-align: {s.align}")
    for prop, value in (("text-indent", s.first_line_pt), ("margin-left", s.left_pt), ("margin-right", s.right_pt)):
        if value:
            decls.append(f"{prop}: {value:g}pt")
    for prop, value in (("margin-top", s.before_pt), ("margin-bottom", s.after_pt)):
        if value:
            decls.append(f"{prop}: {value:g}pt")
    if s.line:
        rule, amount = s.line
        # Word's "single" line of a CJK face is about 1.3 em; an exact or minimum line is a length
        decls.append(f"line-height: {amount * 1.3:.2f}" if rule == "auto" else f"line-height: {amount:g}pt")
    if s.keep_next:
        decls.append("break-after: avoid")
    return f".{style_class(s)} {{ {'; '.join(decls)}; }}"


def _paragraphs(blocks: tuple[Block, ...]) -> list[Paragraph]:
    found: list[Paragraph] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            found.append(block)
        else:
            for cell in block.cells:
                found += _paragraphs(cell.blocks)
    return found


def _block(block: Block, review: _Review) -> str:
    return _paragraph(block, review) if isinstance(block, Paragraph) else _table(block, review)


def _paragraph(p: Paragraph, review: _Review, *, in_cell: bool = False) -> str:
    # an empty heading paragraph (spacing) stays a paragraph: the outline holds only headings with text
    tag = "p" if in_cell or not p.text.strip() else HEADING_TAGS.get(p.style.name, "p")
    classes = [style_class(p.style)]
    if p.page_break_before and not p.style.page_break_before:
        classes.append("page-break-before")
    style = f' style="text-align: {p.align}"' if p.align else ""
    return f'<{tag} class="{" ".join(classes)}"{style}>{_inlines(p, review)}</{tag}>'


def _inlines(p: Paragraph, review: _Review) -> str:
    parts = []
    for item in p.inlines:
        if isinstance(item, Text):
            text = escape(item.text).replace("\t", '<span class="tab">\t</span>')
            text = f"<strong>{text}</strong>" if item.bold and item.text else text
            parts.append(review.text(item, text))
        elif isinstance(item, Break):
            parts.append('<span class="page-break"></span>' if item.page else "<br>")
        elif isinstance(item, Image):
            parts.append(_image(item))
    return "".join(parts)


def _image(image: Image) -> str:
    uri = f"data:{image.content_type};base64,{base64.b64encode(image.data).decode('ascii')}"
    size = f' style="width: {image.width_mm:.1f}mm"' if image.width_mm else ""
    return f'<img src="{uri}" alt="{escape(image.description)}"{size}>'


def _table(table: Table, review: _Review) -> str:
    head = table.header_rows
    # thead repeats on each printed page, as Word repeats header rows; a cell merged down out of the header rows
    # cannot cross from thead into tbody, so such a table keeps all its rows in tbody
    if any(c.row + c.rowspan > head for row in table.rows[:head] for c in row):
        head = 0
    lines = ["<table>"]
    total = sum(table.widths[: table.columns])
    if total > 0 and len(table.widths) >= table.columns:
        cols = "".join(f'<col style="width: {w / total:.2%}">' for w in table.widths[: table.columns])
        lines.append(f"<colgroup>{cols}</colgroup>")
    for r, row in enumerate(table.rows):
        if r == 0 and head:
            lines.append("<thead>")
        if r == head:
            lines.append("<tbody>")
        tag = "th" if r < head else "td"
        lines.append("<tr>" + "".join(_cell(c, tag, review) for c in row) + "</tr>")
        if r == head - 1:
            lines.append("</thead>")
    lines.append("</tbody></table>" if table.rows and len(table.rows) > head else "</table>")
    return "\n".join(lines)


def _cell(cell: Cell, tag: str, review: _Review) -> str:
    attrs = ""
    if cell.rowspan > 1:
        attrs += f' rowspan="{cell.rowspan}"'
    if cell.colspan > 1:
        attrs += f' colspan="{cell.colspan}"'
    styles = [f"text-align: {cell.align}"] if cell.align else []
    styles += [f"border-{side}: none" for side in cell.open_sides]
    if styles:
        attrs += f' style="{"; ".join(styles)}"'
    blocks = cell.blocks
    if len(blocks) == 1 and isinstance(blocks[0], Paragraph):  # the usual cell: its paragraph's style on the cell
        attrs = f' class="{style_class(blocks[0].style)}"' + attrs
        inner = _inlines(blocks[0], review)
    else:
        inner = "".join(
            _paragraph(b, review, in_cell=True) if isinstance(b, Paragraph) else _table(b, review) for b in blocks
        )
    return f"<{tag}{attrs}>{inner}</{tag}>"
