"""The report as one self-contained HTML page, converted from the rendered .docx.

Converting the Word document (rather than rendering the template a second time) keeps one source of truth: the HTML
has exactly the docx's paragraphs, outline and tables. The stylesheet is inline and generated from the document's own
paragraph styles; images are data URIs; an A4 print stylesheet with the document's margins makes the page print like
the report. Every text is escaped: a cell may hold ``&<>"'``.
"""

from __future__ import annotations

import base64
import re
from html import escape

from .docx_styles import PageSetup, StyleFormat
from .docx_walk import Block, Break, Cell, Image, Paragraph, Table, Text, read_document

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


def docx_to_html(data: bytes, title: str) -> str:
    """The .docx in ``data`` as a complete HTML document titled ``title``."""
    document = read_document(data)
    used = {b.style.style_id: b.style for b in _paragraphs(document.blocks)}
    body = "\n".join(_block(b) for b in document.blocks)
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{_stylesheet(document.page, used)}</style>\n</head>\n"
        f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


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
    return "s-" + re.sub(r"[^A-Za-z0-9_-]", lambda m: f"_{ord(m[0]):x}", style.style_id)


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


def _block(block: Block) -> str:
    return _paragraph(block) if isinstance(block, Paragraph) else _table(block)


def _paragraph(p: Paragraph, *, in_cell: bool = False) -> str:
    # an empty heading paragraph (spacing) stays a paragraph: the outline holds only headings with text
    tag = "p" if in_cell or not p.text.strip() else HEADING_TAGS.get(p.style.name, "p")
    classes = [style_class(p.style)]
    if p.page_break_before and not p.style.page_break_before:
        classes.append("page-break-before")
    style = f' style="text-align: {p.align}"' if p.align else ""
    return f'<{tag} class="{" ".join(classes)}"{style}>{_inlines(p)}</{tag}>'


def _inlines(p: Paragraph) -> str:
    parts = []
    for item in p.inlines:
        if isinstance(item, Text):
            text = escape(item.text).replace("\t", '<span class="tab">\t</span>')
            parts.append(f"<strong>{text}</strong>" if item.bold else text)
        elif isinstance(item, Break):
            parts.append('<span class="page-break"></span>' if item.page else "<br>")
        elif isinstance(item, Image):
            parts.append(_image(item))
    return "".join(parts)


def _image(image: Image) -> str:
    uri = f"data:{image.content_type};base64,{base64.b64encode(image.data).decode('ascii')}"
    size = f' style="width: {image.width_mm:.1f}mm"' if image.width_mm else ""
    return f'<img src="{uri}" alt="{escape(image.description)}"{size}>'


def _table(table: Table) -> str:
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
        lines.append("<tr>" + "".join(_cell(c, tag) for c in row) + "</tr>")
        if r == head - 1:
            lines.append("</thead>")
    lines.append("</tbody></table>" if table.rows and len(table.rows) > head else "</table>")
    return "\n".join(lines)


def _cell(cell: Cell, tag: str) -> str:
    attrs = ""
    if cell.rowspan > 1:
        attrs += f' rowspan="{cell.rowspan}"'
    if cell.colspan > 1:
        attrs += f' colspan="{cell.colspan}"'
    if cell.align:
        attrs += f' style="text-align: {cell.align}"'
    blocks = cell.blocks
    if len(blocks) == 1 and isinstance(blocks[0], Paragraph):  # the usual cell: its paragraph's style on the cell
        attrs = f' class="{style_class(blocks[0].style)}"' + attrs
        inner = _inlines(blocks[0])
    else:
        inner = "".join(_paragraph(b, in_cell=True) if isinstance(b, Paragraph) else _table(b) for b in blocks)
    return f"<{tag}{attrs}>{inner}</{tag}>"
