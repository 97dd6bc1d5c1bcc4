"""The reading of a rendered report for HTML and Markdown (render/docx_walk.py) made cheaper for the web page's check
(issue 19 §6) without reading anything differently: an element's properties found as ``find()`` finds them, and the
paragraph styles of a styles part read once per content (web.warm reads each template's before any upload).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from pipeline.render import docx_walk
from pipeline.render.docx_styles import W
from pipeline.render.docx_walk import Paragraph, Table, Text, read_document
from pipeline.render.html import docx_to_html
from pipeline.render.markdown import docx_to_markdown

TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "default" / "report.docx"
NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
STYLES = f"""<w:styles {NS}>
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/>
  <w:rPr><w:rFonts w:eastAsia="仿宋_GB2312"/><w:sz w:val="32"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="A"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/>
  <w:rPr><w:b/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="B"><w:name w:val="Closing"/><w:pPr><w:jc w:val="right"/></w:pPr></w:style>
</w:styles>"""
# properties out of their usual place and given twice: the first of each counts, wherever it stands
BODY = f"""<w:document {NS}><w:body>
<w:p><w:r><w:t>前</w:t></w:r><w:pPr><w:pStyle w:val="A"/><w:jc w:val="center"/><w:pStyle w:val="B"/>
  <w:jc w:val="right"/><w:pageBreakBefore w:val="0"/><w:pageBreakBefore/></w:pPr><w:r><w:t>后</w:t></w:r></w:p>
<w:p><w:pPr><w:pStyle w:val="B"/></w:pPr><w:pPr><w:pStyle w:val="A"/></w:pPr>
  <w:r><w:t>x</w:t><w:rPr><w:b/></w:rPr></w:r><w:r><w:rPr><w:b w:val="0"/></w:rPr><w:rPr><w:b/></w:rPr><w:t>y</w:t></w:r></w:p>
<w:tbl><w:tblGrid><w:gridCol w:w="1000"/><w:gridCol w:w="2000"/><w:gridCol w:w="3000"/></w:tblGrid>
  <w:tr><w:tc><w:p><w:r><w:t>a</w:t></w:r></w:p><w:tcPr><w:gridSpan w:val="2"/><w:gridSpan w:val="3"/>
    <w:vMerge w:val="restart"/><w:tcBorders><w:bottom w:val="nil"/></w:tcBorders>
    <w:tcBorders><w:top w:val="nil"/></w:tcBorders></w:tcPr></w:tc>
    <w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr><w:p><w:r><w:t>b</w:t></w:r></w:p></w:tc></w:tr>
  <w:tr><w:trPr><w:cantSplit/><w:gridBefore w:val="0"/></w:trPr>
    <w:tc><w:tcPr><w:tcW w:w="1"/><w:vMerge/><w:gridSpan w:val="2"/><w:tcBorders><w:top w:val="none"/></w:tcBorders>
    </w:tcPr><w:p/></w:tc><w:tc><w:p><w:r><w:t>c</w:t></w:r></w:p></w:tc></w:tr>
</w:tbl>
<w:sectPr/></w:body></w:document>"""


def package(body: str = BODY, styles: str | None = STYLES) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("word/document.xml", body)
        if styles is not None:
            z.writestr("word/styles.xml", styles)
    return buffer.getvalue()


def test_child_finds_what_find_finds() -> None:
    """Every element of a template and of the odd document above, for every property the walk looks up."""
    roots = [etree.fromstring(zipfile.ZipFile(TEMPLATE).read("word/document.xml")), etree.fromstring(BODY)]
    tags = [W + t for t in ("pPr", "rPr", "tcPr", "trPr", "pStyle", "jc", "b", "tblHeader", "gridBefore", "t")]
    checked = 0
    for root in roots:
        for el in root.iter():
            for tag in tags:
                assert docx_walk._child(el, tag) is el.find(tag)
                checked += 1
    assert checked > 1000


def test_first_property_counts() -> None:
    docx_walk._styles.cache_clear()
    document = read_document(package(), comments=False)
    first, second, table = document.blocks
    assert isinstance(first, Paragraph) and isinstance(second, Paragraph) and isinstance(table, Table)
    assert (first.style.style_id, first.align, first.page_break_before) == ("A", "center", False)
    assert first.text == "前后"
    texts = [(i.text, i.bold) for i in second.inlines if isinstance(i, Text)]
    assert (second.style.style_id, texts) == ("B", [("x", True), ("y", False)])
    (a, b), (c,) = table.rows
    # the first tcBorders of each: its first cell's (bottom open) then its last's (top open, bottom drawn)
    assert (a.colspan, a.rowspan, a.open_sides) == (2, 2, ())
    assert (b.col, b.colspan, b.rowspan) == (2, 1, 1)
    assert (c.row, c.col, c.text) == (1, 2, "c")


def test_styles_read_once_per_content() -> None:
    """A report whose styles part was read before (its template's, by web.warm) reads exactly as one read afresh;
    a different styles part is read for itself."""
    data = package()
    docx_walk._styles.cache_clear()
    docx_walk._read_document.cache_clear()
    fresh = read_document(data), docx_to_html(data, "t"), docx_to_markdown(data)
    docx_walk._read_document.cache_clear()
    docx_walk.remember_styles(data)
    assert docx_walk._styles.cache_info().currsize == 1
    again = read_document(data), docx_to_html(data, "t"), docx_to_markdown(data)
    assert again == fresh
    assert docx_walk._styles.cache_info().hits >= 1
    other = package(styles=STYLES.replace('w:val="Closing"', 'w:val="Attachment"'))
    closing, first = read_document(other).blocks[1], read_document(package(styles=None)).blocks[0]
    assert isinstance(closing, Paragraph) and closing.style.name == "Attachment"
    assert isinstance(first, Paragraph) and first.style.style_id == "Normal"  # no styles part: Normal


def test_styles_not_shared_between_documents() -> None:
    docx_walk._styles.cache_clear()
    one, two = read_document(package(), comments=True), read_document(package(), comments=False)
    assert one.styles == two.styles and one.styles is not two.styles


@pytest.mark.parametrize("data", [b"not a zip", package(styles="<w:styles")])
def test_unreadable_stays_unreadable(data: bytes) -> None:
    with pytest.raises(docx_walk.ReportUnreadable):
        read_document(data)
    docx_walk.remember_styles(data)  # a template that cannot be read is left for its report's own reading


def test_markdown_escaping_as_the_templates_wrote_it() -> None:
    """The escaping by functions and a first-character test writes what the replacement templates wrote."""
    import random
    import re

    from pipeline.render import markdown

    def before(text: str) -> str:
        text = markdown._INLINE.sub(r"\\\1", text)
        lines = (line.lstrip(" \t") for line in text.split("\n"))
        return "\n".join(markdown._ORDERED.sub(r"\1\\\2", markdown._BULLET.sub(r"\\\1", line)) for line in lines)

    pieces = ["1.", "12)", "1234567890.", "１.", "٣)", "-", "+", "=", "#", "*", "\\", "`", "_", "[", "]", "<", ">",
              "|", "~", "&", "$", " ", "\t", "\n", "　", "a", "数", "0", ".", ")", "- x", "10. 项目"]  # fmt: skip
    rng = random.Random(19)
    texts = ["", "1. 项目", "  - 列表", "\n\n", *pieces]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 12))) for _ in range(5000)]
    for text in texts:
        assert markdown.escape(text) == before(text), text
        assert markdown._INLINE.sub(markdown._escaped, text) == re.sub(markdown._INLINE, r"\\\1", text)
