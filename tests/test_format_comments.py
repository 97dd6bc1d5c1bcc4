"""Word comments (批注) in the HTML and Markdown converted from a report (issue 8 §3).

The .docx carries comments anchored at doubted figures (python-docx's ``add_comment``). The HTML marks exactly the
covered text, follows it with a reference to a note in a "审阅意见" section at the end; the Markdown follows it with a
footnote reference. A document without comments converts exactly as it would without any of this.
"""

from __future__ import annotations

import copy
import io
import re
import zipfile
from html.parser import HTMLParser

import docx
import pytest
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml import etree

from pipeline import build
from pipeline.render.docx_walk import read_document
from pipeline.render.html import docx_to_html
from pipeline.render.markdown import docx_to_markdown

from .conftest import SAMPLE

TITLE = "2022年度部门整体支出绩效自评报告"
HOSTILE_COMMENT = "总支出 12678.39 与 基本 + 项目 12673.89 相差 4.50\n<b>A&B</b> \"q\" 's'"
TITLE_COMMENT = "未印出的数字：收入合计 & 支出合计 <不一致>"
CELL_COMMENT = "执行率 99.50% 与 全年执行数 ÷ 全年预算数 不符"


def comment(document: docx.document.Document, runs: Run | list[Run], text: str) -> None:
    document.add_comment(runs, text, author="genreport", initials="GR")


def saved(document: docx.document.Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def commented() -> bytes:
    """A title, a paragraph whose one figure is commented, a table cell with a commented figure."""
    document = docx.Document()
    title = document.add_paragraph(TITLE, style="Title")
    paragraph = document.add_paragraph("总支出")
    figure = paragraph.add_run("12678.39")
    paragraph.add_run("万元，")
    paragraph.add_run("其中").bold = True
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text, table.cell(1, 0).text = "指标", "执行率", "预算执行率"
    cell = table.cell(1, 1).paragraphs[0]
    cell_figure = cell.add_run("99.50")
    cell.add_run("%")
    comment(document, figure, HOSTILE_COMMENT)
    comment(document, title.runs, TITLE_COMMENT)
    comment(document, cell_figure, CELL_COMMENT)
    return saved(document)


class Marks(HTMLParser):
    """The marks of an HTML page (id → title, text), its reference signs (note numbers, in order), its notes (id →
    text, back link), and every tag closed out of order."""

    VOID = frozenset({"br", "img", "meta", "col", "link", "hr"})

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict[str, str | None]]] = []
        self.misnested: list[str] = []
        self.marks: dict[str, tuple[str, str]] = {}
        self.refs: list[str] = []
        self.notes: dict[str, list[str]] = {}
        self.backs: dict[str, str] = {}
        self.feed(html)
        self.close()

    def inside(self, tag: str, cls: str | None = None) -> dict[str, str | None] | None:
        return next((a for t, a in reversed(self.stack) if t == tag and (cls is None or a.get("class") == cls)), None)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "mark":
            self.marks[str(a["id"])] = (str(a["title"]), "")
        elif tag == "a" and self.inside("sup", "review-ref"):
            self.refs.append(str(a["href"]))
        elif tag == "a" and (li := self.inside("li")) is not None:
            self.backs[str(li["id"])] = str(a["href"])
        elif tag == "li":
            self.notes[str(a["id"])] = [""]
        elif tag == "br" and (li := self.inside("li")) is not None:
            self.notes[str(li["id"])].append("")
        if tag not in self.VOID:
            self.stack.append((tag, a))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        if self.stack and self.stack[-1][0] == tag:
            self.stack.pop()
        else:
            self.misnested.append(tag)

    def handle_data(self, data: str) -> None:
        for tag, a in self.stack:
            if tag == "mark":
                title, text = self.marks[str(a["id"])]
                self.marks[str(a["id"])] = (title, text + data)
        li = self.inside("li")
        if li is not None and not self.inside("a"):
            self.notes[str(li["id"])][-1] += data


# ---------------------------------------------------------------- HTML


def test_html_marks_exactly_the_commented_figures(commented: bytes) -> None:
    html = docx_to_html(commented, TITLE)
    page = Marks(html)
    assert page.misnested == []
    # numbered in reading order: the title's comment first, though it was added second
    assert page.marks == {
        "r-1-1": (TITLE_COMMENT, TITLE),
        "r-2-1": (HOSTILE_COMMENT, "12678.39"),
        "r-3-1": (CELL_COMMENT, "99.50"),
    }
    assert page.refs == ["#note-1", "#note-2", "#note-3"]
    assert (
        '<p class="s-Normal">总支出<mark class="review" id="r-2-1" title="总支出 12678.39 与 基本 + 项目 12673.89 相差'
        ' 4.50&#10;&lt;b&gt;A&amp;B&lt;/b&gt; &quot;q&quot; &#x27;s&#x27;">12678.39</mark>'
        '<sup class="review-ref" id="ref-2"><a href="#note-2">[2]</a></sup>万元，<strong>其中</strong></p>'
    ) in html
    assert re.search(r'<h1 class="s-Title"><mark class="review" id="r-1-1" title="[^"]*">' + TITLE + "</mark>", html)
    assert re.search(r'<td class="s-Normal"><mark class="review" id="r-3-1" title="[^"]*">99.50</mark><sup ', html)
    assert '<a href="#note-3">[3]</a></sup>%</td>' in html


def test_html_notes_hold_each_comment_escaped_with_a_back_link(commented: bytes) -> None:
    html = docx_to_html(commented, TITLE)
    page = Marks(html)
    assert page.notes == {
        "note-1": [TITLE_COMMENT],
        "note-2": HOSTILE_COMMENT.split("\n"),  # each paragraph of the comment on its own line
        "note-3": [CELL_COMMENT],
    }
    assert page.backs == {"note-1": "#r-1-1", "note-2": "#r-2-1", "note-3": "#r-3-1"}
    notes = html[html.index('<section class="review-notes">') :]
    assert notes.startswith('<section class="review-notes">\n<h2>审阅意见</h2>\n<ol>\n<li id="note-1">')
    assert "&lt;b&gt;A&amp;B&lt;/b&gt;" in notes and "<b>" not in html
    assert notes.endswith("</ol>\n</section>\n</main>\n</body>\n</html>\n")


def test_html_marks_are_yellow_on_screen_and_in_print_with_notes_on_their_own_page(commented: bytes) -> None:
    html = docx_to_html(commented, TITLE)
    css = html[html.index("<style>") : html.index("</style>")]
    assert "mark.review { background: #fff3a6;" in css
    printed = css.split("@media print {\n  mark.review")[1]
    assert "print-color-adjust: exact" in printed.split("}")[0]  # browsers drop backgrounds in print otherwise
    assert ".review-notes { break-before: page;" in printed


def test_a_range_over_several_runs_and_paragraphs_is_one_note() -> None:
    document = docx.Document()
    first = document.add_paragraph("甲")
    runs = [first.add_run("12"), first.add_run("678"), first.add_run(".39")]
    runs[1].bold = True
    second = document.add_paragraph("乙")
    runs.append(second.add_run("丙"))
    second.add_run("丁")
    comment(document, runs, "跨段落的意见")
    html = docx_to_html(saved(document), "t")
    assert (
        '<p class="s-Normal">甲<mark class="review" id="r-1-1" title="跨段落的意见">12</mark>'
        '<mark class="review" id="r-1-2" title="跨段落的意见"><strong>678</strong></mark>'
        '<mark class="review" id="r-1-3" title="跨段落的意见">.39</mark></p>\n'
        '<p class="s-Normal"><mark class="review" id="r-1-4" title="跨段落的意见">乙丙</mark>'
        '<sup class="review-ref" id="ref-1"><a href="#note-1">[1]</a></sup>丁</p>'
    ) in html  # "乙" lies between the range's start and end in document order: covered, as in Word
    assert Marks(html).refs == ["#note-1"]
    markdown = docx_to_markdown(saved(document))
    assert "甲12**678**.39\n\n乙丙[^1]丁\n\n[^1]: 审阅意见：跨段落的意见\n" in markdown


def test_overlapping_comments_nest_and_a_comment_covering_no_text_stands_at_its_reference() -> None:
    document = docx.Document()
    paragraph = document.add_paragraph()
    a, b, c = paragraph.add_run("一"), paragraph.add_run("二"), paragraph.add_run("三")
    comment(document, [a, b], "外")
    comment(document, [b, c], "内")
    lone = document.add_paragraph("无范围")
    comment(document, lone.runs, "只有引用")
    # the last comment keeps its reference but loses its range: Word anchors it at the reference
    body = document.element.body
    for tag in ("w:commentRangeStart", "w:commentRangeEnd"):
        for el in body.iter(qn(tag)):
            if el.get(qn("w:id")) == "2":
                el.getparent().remove(el)
    html = docx_to_html(saved(document), "t")
    assert (
        '<mark class="review" id="r-1-1" title="外">一</mark>'
        '<mark class="review" id="r-1-2" title="外"><mark class="review" id="r-2-1" title="内">二</mark></mark>'
        '<sup class="review-ref" id="ref-1"><a href="#note-1">[1]</a></sup>'
        '<mark class="review" id="r-2-2" title="内">三</mark>'
        '<sup class="review-ref" id="ref-2"><a href="#note-2">[2]</a></sup>'
    ) in html
    assert '无范围<sup class="review-ref" id="ref-3"><a href="#note-3">[3]</a></sup>' in html
    assert Marks(html).backs["note-3"] == "#ref-3"
    assert Marks(html).misnested == []


# ---------------------------------------------------------------- Markdown


def test_markdown_follows_each_commented_figure_with_a_footnote(commented: bytes) -> None:
    markdown = docx_to_markdown(commented)
    assert markdown.startswith(f"# {TITLE}[^1]\n\n总支出12678.39[^2]万元，**其中**\n\n")
    assert "| 预算执行率 | 99.50[^3]% |" in markdown
    notes = markdown[markdown.index("\n[^1]: ") + 1 :]
    assert notes == (
        "[^1]: 审阅意见：未印出的数字：收入合计 \\& 支出合计 \\<不一致\\>\n"
        "[^2]: 审阅意见：总支出 12678.39 与 基本 + 项目 12673.89 相差 4.50\\\n"
        "    \\<b\\>A\\&B\\</b\\> \"q\" 's'\n"
        "[^3]: 审阅意见：执行率 99.50% 与 全年执行数 ÷ 全年预算数 不符\n"
    )
    markdown_it = pytest.importorskip("markdown_it")
    html = markdown_it.MarkdownIt("commonmark").enable("table").render(markdown)
    assert "<b>" not in html and "<table>" in html  # escaped as the module escapes; the pipe table still parses


def test_a_reference_before_a_colon_does_not_define_a_footnote() -> None:
    document = docx.Document()
    paragraph = document.add_paragraph()
    comment(document, paragraph.add_run("12678.39"), "意见")
    paragraph.add_run(": 说明")
    markdown = docx_to_markdown(saved(document))
    assert markdown.startswith("12678.39[^1]\\: 说明\n")


# ---------------------------------------------------------------- without comments: as before


@pytest.fixture(scope="module")
def sample_docx(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The built sample report without any comment (whether or not the build adds some)."""
    [result] = build([SAMPLE], tmp_path_factory.mktemp("comments"))
    assert result.output is not None, result.error
    return without_comments(result.output.read_bytes())


def without_comments(data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "word/document.xml":
                root = etree.fromstring(content)
                for el in list(root.iter(qn("w:commentRangeStart"), qn("w:commentRangeEnd"))):
                    el.getparent().remove(el)
                for el in list(root.iter(qn("w:commentReference"))):
                    run = el.getparent()
                    run.getparent().remove(run)
                content = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            target.writestr(info, content)
    return buffer.getvalue()


def isolate(paragraph: Paragraph, figure: str) -> Run:
    """The run holding ``figure`` split in three, as the build does to anchor a comment at a figure."""
    run = next(r for r in paragraph.runs if figure in r.text)
    before, _, after = run.text.partition(figure)
    for text in (after, figure, before):
        clone = copy.deepcopy(run._r)
        run._r.addnext(clone)
        Run(clone, paragraph).text = text
    run._r.getparent().remove(run._r)
    return next(r for r in paragraph.runs if r.text == figure)


def test_a_document_without_comments_converts_as_before(sample_docx: bytes) -> None:
    html, markdown = docx_to_html(sample_docx, TITLE), docx_to_markdown(sample_docx)
    assert read_document(sample_docx).comments == ()
    for added in ("review", "审阅意见", "<mark", "<sup", "note-"):
        assert added not in html, added
    assert "[^" not in markdown and "审阅意见" not in markdown

    # the same report with comments at a body figure, a table cell and the title: only the marks, the signs,
    # the notes and their stylesheet differ
    document = docx.Document(io.BytesIO(sample_docx))
    plain = saved(document)
    body = next(p for p in document.paragraphs if "12678.39" in p.text)
    comment(document, isolate(body, "12678.39"), HOSTILE_COMMENT)
    cell = next(p for t in document.tables for c in t._cells for p in c.paragraphs if p.text == "3020.53")
    comment(document, cell.runs, CELL_COMMENT)
    comment(document, document.paragraphs[0].runs, TITLE_COMMENT)
    commented = docx_to_html(saved(document), TITLE)
    assert docx_to_html(plain, TITLE) == html
    assert [t for t, _ in Marks(commented).marks.values()] == [TITLE_COMMENT, HOSTILE_COMMENT, CELL_COMMENT]
    stripped = re.sub(r'<mark class="review"[^>]*>|</mark>|<sup class="review-ref".*?</sup>', "", commented)
    stripped = re.sub(r'\n<section class="review-notes">.*</section>', "", stripped, flags=re.S)
    stripped = re.sub(r"mark\.review \{.*\n\}\n(?=</style>)", "", stripped, flags=re.S)
    assert stripped == html

    commented_md = docx_to_markdown(saved(document))
    assert "12678.39[^2]万元" in commented_md and "| 3020.53[^3] |" in commented_md
    stripped_md = re.sub(r"\[\^\d\]", "", commented_md.split("\n\n[^1]: ")[0]) + "\n"
    assert stripped_md == markdown
