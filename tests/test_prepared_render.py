"""A prepared template (pipeline/render/prepared.py) renders exactly what docxtpl renders.

The reference is docxtpl's own ``render(context, jinja_env=env, autoescape=True)`` of the same patched template,
with genreport's file properties set after it, saved by python-docx. Rendered parts must be equal as canonical
XML, every other part byte for byte, and the member list the same, in the same order.
"""

from __future__ import annotations

import io
import logging
import re
import warnings
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docxtpl import DocxTemplate
from lxml import etree

from pipeline.errors import TemplateProblem
from pipeline.render.docx import DocxRenderer, _set_properties, _with_charts
from pipeline.render.environment import RenderOptions
from pipeline.render.notes import noting
from pipeline.render.prepared import PreparedTemplate, render_xml_part
from pipeline.render.properties import clean_package
from pipeline.render.review import Review
from pipeline.session import inspect, load_context, render_options
from pipeline.template.profile import TemplateProfile, resolve_profile
from pipeline.template.word import WordTemplate

from .conftest import ROOT, SAMPLE

TOWNSHIP = ROOT / "inputs" / "township-2023.xlsx"
RENDERED = re.compile(r"word/(document|header\d*|footer\d*|footnotes)\.xml|docProps/core\.xml")
HOSTILE = "A&B <b>c</b> \"双引号\" 'single' &amp; &lt; ]]> {_{ x }_} {{ y }}\n第二行\r\n\t制表\n"


def renderer_for(workbook: Path, profile: TemplateProfile | None = None) -> tuple[DocxRenderer, dict[str, Any]]:
    """The renderer ``genreport build`` uses for a workbook (its own template unless one is given), and its context."""
    inspection = inspect(workbook, profile)
    assert inspection.profile is not None and inspection.profile.document is not None
    context, _ = load_context(workbook, profile=inspection.profile)
    return DocxRenderer(inspection.profile.document, render_options(inspection.profile)), context


class DocxtplTables(WordTemplate):
    """The renderer's template with docxtpl's own fix_tables on every render (the renderer skips it, and its
    second parse, where no table needs fixing)."""

    def fix_tables(self, xml: str) -> Any:
        etree.fromstring(xml.encode("utf-8"))  # the renderer's check: the rendered XML parses as it is
        return DocxTemplate.fix_tables(self, xml)


def docxtpl_render(renderer: DocxRenderer, context: dict[str, Any]) -> bytes:
    """docxtpl's own path, written out here rather than taken from the renderer."""
    doc = DocxtplTables(renderer.data, {})
    context = _with_charts(lambda: doc, context)
    renderer.env.run_bounded(doc.render, context, jinja_env=renderer.env, autoescape=True)
    _set_properties(doc.docx.core_properties, context.get("document", {}))
    clean_package(doc.docx.part.package)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def prepared_render(renderer: DocxRenderer, context: dict[str, Any], review: Review | None = None) -> bytes:
    """The prepared path only: a NeedsDocxtpl here fails the test instead of falling back."""
    prepared = renderer._prepare()
    assert isinstance(prepared, PreparedTemplate)
    return renderer._render_prepared(prepared, context, review)


@pytest.fixture(autouse=True)
def one_making_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Both paths stamp the time a report is made (core.xml): the same time, whenever each one runs."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


def members(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.testzip() is None
        return [(info.filename, z.read(info)) for info in z.infolist()]


def canonical(xml: bytes) -> bytes:
    return bytes(etree.tostring(etree.fromstring(xml), method="c14n"))


def assert_equivalent(ours: bytes, theirs: bytes, rendered: re.Pattern[str] = RENDERED) -> None:
    mine, reference = members(ours), members(theirs)
    assert [n for n, _ in mine] == [n for n, _ in reference]
    for (name, a), (_, b) in zip(mine, reference, strict=True):
        if rendered.fullmatch(name):
            assert canonical(a) == canonical(b), name
        else:
            assert a == b, name


def hostile(value: Any) -> Any:
    """Every text of the context with markup characters, quotes, braces and line breaks appended."""
    if isinstance(value, str):
        return value + HOSTILE
    if isinstance(value, dict):
        return {k: hostile(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(hostile(v) for v in value)
    return value


@pytest.fixture(scope="module")
def sample() -> tuple[DocxRenderer, dict[str, Any]]:
    return renderer_for(SAMPLE)


@pytest.fixture(scope="module")
def township() -> tuple[DocxRenderer, dict[str, Any]]:
    return renderer_for(TOWNSHIP)


def test_the_sample_renders_as_docxtpl_renders_it(sample: tuple[DocxRenderer, dict[str, Any]]) -> None:
    renderer, context = sample
    assert_equivalent(prepared_render(renderer, context), docxtpl_render(renderer, context))


def test_the_township_sample_with_its_charts_renders_as_docxtpl_renders_it(
    township: tuple[DocxRenderer, dict[str, Any]],
) -> None:
    renderer, context = township
    ours = prepared_render(renderer, context)
    assert_equivalent(ours, docxtpl_render(renderer, context))
    images = [n for n, _ in members(ours) if n.startswith("word/media/")]
    assert len(images) >= 2  # the charts are there, each its own part
    assert len(docx.Document(io.BytesIO(ours)).inline_shapes) == len(images)


@pytest.mark.parametrize("workbook", [SAMPLE, TOWNSHIP], ids=["sample", "township"])
def test_markup_quotes_braces_and_line_breaks_in_every_text(workbook: Path) -> None:
    renderer, context = renderer_for(workbook)
    context = hostile(context)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # matplotlib has no glyph for a tab in a chart label
        ours = prepared_render(renderer, context)
        assert_equivalent(ours, docxtpl_render(renderer, context))
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(ours)).paragraphs)
    assert "A&B <b>c</b> \"双引号\" 'single' &amp; &lt; ]]> {_{ x }_} {{ y }}\n第二行" in text
    assert "\t制表" in text


@pytest.mark.parametrize("workbook", [SAMPLE, TOWNSHIP], ids=["sample", "township"])
def test_review_comments_are_placed_as_on_docxtpl_path(workbook: Path) -> None:
    """Comments anchored while rendering, their part written by the prepared zip writer, equal docxtpl's path where
    python-docx adds the part: the same members, document and comments."""
    inspection = inspect(workbook)
    assert inspection.derived is not None
    renderer, context = renderer_for(workbook)
    options = renderer.options
    review = Review.of(inspection.findings, inspection.derived.report, options.decimals, options.thousands)
    assert review.warnings
    with noting(review.notes):
        ours = prepared_render(renderer, context, review)
        theirs = renderer._render_docxtpl(context, review)
    assert_equivalent(ours, theirs, re.compile(f"{RENDERED.pattern}|word/comments\\.xml"))
    with zipfile.ZipFile(io.BytesIO(ours)) as z:
        assert z.read("word/comments.xml").count(b"<w:comment ") >= 1
        assert all("\ufdd0".encode() not in z.read(name) for name in z.namelist())


def test_a_template_prepared_by_an_earlier_process_renders_the_same(
    sample: tuple[DocxRenderer, dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the disk cache keeps of a prepared template (pickled plain data) renders exactly what a template
    prepared in this process renders, and the second renderer never runs docxtpl's preparation."""
    monkeypatch.setenv("GENREPORT_CACHE_DIR", str(tmp_path / "cache"))
    renderer, context = sample
    fresh = DocxRenderer(renderer.path, renderer.options)
    expected = fresh.render_bytes(context)
    assert list((tmp_path / "cache").glob("*/prepared/*")), "the prepared template was stored"
    again = DocxRenderer(renderer.path, renderer.options)
    monkeypatch.setattr(DocxRenderer, "_prepare_source", lambda self: pytest.fail("prepared again"))
    assert isinstance(again._prepare(), PreparedTemplate)
    assert_equivalent(again.render_bytes(context), expected)


def test_one_prepared_template_renders_different_reports_in_a_row(
    township: tuple[DocxRenderer, dict[str, Any]],
) -> None:
    renderer, township_context = township
    sample_context, _ = load_context(SAMPLE, profile=resolve_profile("township"))
    contexts = [township_context, sample_context, hostile(sample_context), township_context]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        outputs = [prepared_render(renderer, c) for c in contexts]
        for ours, context in zip(outputs, contexts, strict=True):
            assert_equivalent(ours, docxtpl_render(renderer, context))
    assert members(outputs[0]) == members(outputs[3])  # nothing of the reports between stayed behind
    charts = [{n: b for n, b in members(o) if n.startswith("word/media/")} for o in outputs[:2]]
    assert charts[0].keys() & charts[1].keys() and charts[0] != charts[1]  # other data, other pictures


def test_the_renderer_uses_the_prepared_template(sample: tuple[DocxRenderer, dict[str, Any]]) -> None:
    renderer, context = sample
    assert_equivalent(renderer.render_bytes(context), docxtpl_render(renderer, context))
    assert isinstance(renderer._prepared, PreparedTemplate)


def _rewrite(source: Path, target: Path, edit: dict[str, bytes | None]) -> Path:
    """A copy of a .docx with members replaced (bytes) or dropped (None)."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = edit.get(info.filename, zin.read(info))
            if data is not None:
                zout.writestr(info.filename, data)
        for name, data in edit.items():
            if name not in zin.namelist() and data is not None:
                zout.writestr(name, data)
    return target


def _without_core_properties(tmp_path: Path) -> Path:
    """The default template without docProps/core.xml (and the references to it): one the module leaves to docxtpl."""
    source = ROOT / "templates" / "default" / "report.docx"
    with zipfile.ZipFile(source) as z:
        rels = re.sub(r"<Relationship [^>]*core-properties[^>]*/>", "", z.read("_rels/.rels").decode("utf-8"))
        types = re.sub(r'<Override PartName="/docProps/core.xml"[^>]*/>', "", z.read("[Content_Types].xml").decode())
    return _rewrite(
        source,
        tmp_path / "no-core.docx",
        {"docProps/core.xml": None, "_rels/.rels": rels.encode(), "[Content_Types].xml": types.encode()},
    )


def test_a_template_without_core_properties_falls_back_to_docxtpl(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    renderer = DocxRenderer(_without_core_properties(tmp_path), RenderOptions())
    context, _ = load_context(SAMPLE)
    with caplog.at_level(logging.INFO, logger="genreport"):
        data = renderer.render_bytes(context)
    assert renderer._prepared is False
    assert "模板没有 docProps/core.xml" in caplog.text and "每份报告由 docxtpl 渲染" in caplog.text
    assert docx.Document(io.BytesIO(data)).paragraphs[0].text.startswith("2022年度")


def test_a_template_with_comments_of_its_own_keeps_them_beside_the_reviews(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The author's own comment in the template stays; the review's are added after it, numbered on from it."""
    template = docx.Document(str(ROOT / "templates" / "default" / "report.docx"))
    template.add_comment(template.paragraphs[0].runs, text="作者的批注", author="模板作者")
    template.save(str(tmp_path / "commented.docx"))
    inspection = inspect(SAMPLE)
    assert inspection.derived is not None
    renderer = DocxRenderer(tmp_path / "commented.docx", RenderOptions())
    context, _ = load_context(SAMPLE)
    review = Review.of(inspection.findings, inspection.derived.report)
    with caplog.at_level(logging.INFO, logger="genreport"), noting(review.notes):
        data = renderer.render_bytes(context, review)
    assert "模板自带批注" in caplog.text
    comments = list(docx.Document(io.BytesIO(data)).comments)
    assert comments[0].text == "作者的批注" and comments[0].author == "模板作者"
    assert [c.comment_id for c in comments] == list(range(len(comments))) and len(comments) > 10
    assert {c.author for c in comments[1:]} == {"genreport"}


def test_a_chart_in_a_footer_falls_back_to_docxtpl_for_that_report(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    source = ROOT / "templates" / "township" / "report.docx"
    with zipfile.ZipFile(source) as z:
        footer = z.read("word/footer1.xml").decode("utf-8")
    footer = footer.replace(
        '<w:t xml:space="preserve">— </w:t>', '<w:t xml:space="preserve">— {{ charts.budget }}</w:t>'
    )
    path = _rewrite(source, tmp_path / "footer-chart.docx", {"word/footer1.xml": footer.encode()})
    renderer, context = renderer_for(TOWNSHIP)
    renderer = DocxRenderer(path, renderer.options)
    with caplog.at_level(logging.INFO, logger="genreport"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = renderer.render_bytes(context)
        assert_equivalent(data, docxtpl_render(renderer, context))
    assert "页眉、页脚、脚注或文件属性中有图片，这份报告改由 docxtpl 渲染" in caplog.text
    assert isinstance(renderer._prepared, PreparedTemplate)  # the template stays prepared for other reports
    assert "image" in dict(members(data))["word/_rels/footer1.xml.rels"].decode("utf-8")


FOOTNOTES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
    '<w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:id="1"><w:p><w:r><w:t>注：{{ title }}</w:t></w:r></w:p></w:footnote>'
    "</w:footnotes>"
)


@pytest.mark.parametrize("sections", [1, 2])
def test_footnotes_render_once_per_section_as_docxtpl_does(tmp_path: Path, sections: int) -> None:
    source = ROOT / "templates" / "default" / "report.docx"
    with zipfile.ZipFile(source) as z:
        rels = z.read("word/_rels/document.xml.rels").decode("utf-8")
        types = z.read("[Content_Types].xml").decode("utf-8")
        body = z.read("word/document.xml").decode("utf-8")
    rels = rels.replace(
        "</Relationships>", f'<Relationship Id="rId99" Type="{RT.FOOTNOTES}" Target="footnotes.xml"/></Relationships>'
    )
    types = types.replace(
        "</Types>",
        '<Override PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-officedocument'
        '.wordprocessingml.footnotes+xml"/></Types>',
    )
    if sections == 2:  # a first paragraph ending a section of its own
        body = body.replace("<w:body>", "<w:body><w:p><w:pPr><w:sectPr/></w:pPr></w:p>", 1)
    edit = {"word/_rels/document.xml.rels": rels, "[Content_Types].xml": types, "word/document.xml": body}
    edit["word/footnotes.xml"] = FOOTNOTES
    path = _rewrite(source, tmp_path / "footnotes.docx", {k: v.encode() for k, v in edit.items()})
    renderer = DocxRenderer(path, RenderOptions())
    context, _ = load_context(SAMPLE)
    ours = prepared_render(renderer, context)
    assert_equivalent(ours, docxtpl_render(renderer, context))
    assert f"注：{context['title']}</w:t>" in dict(members(ours))["word/footnotes.xml"].decode("utf-8")


def test_tables_docxtpl_widens_or_narrows_render_as_it_renders_them(tmp_path: Path) -> None:
    document = docx.Document()
    plain = document.add_table(rows=2, cols=2).rows
    plain[0].cells[0].text, plain[1].cells[1].text = "{{ title }}", "甲"
    wider = document.add_table(rows=1, cols=3).rows[0].cells  # a cell per item: 4 cells on a 3-column grid
    wider[0].text, wider[1].text, wider[2].text = "{%tc for x in [1, 2, 3, 4] %}", "{{ x }}", "{%tc endfor %}"
    narrower = document.add_table(rows=1, cols=3).rows[0].cells  # two cells left out: 1 cell on 3 columns
    narrower[0].text, narrower[1].text, narrower[2].text = "乙", "{%tc if false %}", "{%tc endif %}"
    path = tmp_path / "tables.docx"
    document.save(str(path))
    renderer = DocxRenderer(path, RenderOptions())
    context = {"title": "A&B"}
    ours = prepared_render(renderer, context)
    assert_equivalent(ours, docxtpl_render(renderer, context))
    tables = docx.Document(io.BytesIO(ours)).tables
    assert [len(t._tbl.tblGrid.gridCol_lst) for t in tables] == [2, 4, 1]


@pytest.mark.parametrize(
    "text",
    ["{_{ title }_} 与 {_% if x %_}", "仅有左括号 {_% 在此", "仅有右括号 %_} 在此", "无括号"],
    ids=["escapes", "open-brace", "close-brace", "none"],
)
def test_the_authors_brace_escapes_print_as_docxtpl_prints_them(tmp_path: Path, text: str) -> None:
    """docxtpl's {_{ }_} {_% %_} in the template's own text print as {{ }} {% %}; the renderer looks for them only
    where the rendered part holds a brace at all."""
    document = docx.Document()
    document.add_paragraph(text)
    document.add_paragraph("{{ title }}")
    path = tmp_path / "braces.docx"
    document.save(str(path))
    renderer = DocxRenderer(path, RenderOptions())
    context = {"title": "{_{ 值 }_} A&B"}  # a value's own escapes print as typed
    ours = prepared_render(renderer, context)
    assert_equivalent(ours, docxtpl_render(renderer, context))
    printed = [p.text for p in docx.Document(io.BytesIO(ours)).paragraphs]
    assert printed == [text.replace("{_", "{").replace("_}", "}"), "{_{ 值 }_} A&B"]


@pytest.mark.parametrize("text", ["{_{ a }_}", "{_% b", "c %_}", "}_} d", "e", "{ f }"])
def test_a_part_turns_the_brace_escapes_whatever_braces_it_holds(text: str) -> None:
    env = DocxRenderer(ROOT / "templates" / "default" / "report.docx", RenderOptions()).env
    rendered = render_xml_part(f"<w:t>{text}</w:t>", None, {}, None, env)
    expected = text.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
    assert rendered == f"<w:t>{expected}</w:t>"


def test_errors_read_the_same_on_both_paths(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("标题 {{ title }}")
    document.add_paragraph("金额 {{ (title | length) / 0 }} 元")
    path = tmp_path / "broken.docx"
    document.save(str(path))
    renderer = DocxRenderer(path, RenderOptions())
    context, _ = load_context(SAMPLE)
    prepared = renderer._prepare()
    assert isinstance(prepared, PreparedTemplate)
    with pytest.raises(TemplateProblem) as ours:
        renderer._render_prepared(prepared, context)
    with pytest.raises(TemplateProblem) as theirs:
        renderer._render_docxtpl(context)
    assert str(ours.value) == str(theirs.value)
    assert "ZeroDivisionError" in str(ours.value) and "（位于“金额" in str(ours.value)


def test_verbose_build_says_why_a_template_is_rendered_by_docxtpl(tmp_path: Path) -> None:
    """``genreport -v`` shows the fallback note in a real process; without -v the build is quiet about it."""
    import subprocess
    import sys

    template = _without_core_properties(tmp_path)
    base = [sys.executable, "-m", "pipeline"]
    args = ["build", str(SAMPLE), "-t", str(template), "-o", str(tmp_path / "out"), "--no-comments"]
    loud = subprocess.run([*base, "-v", *args], capture_output=True, text=True, cwd=ROOT, check=False)
    quiet = subprocess.run([*base, *args], capture_output=True, text=True, cwd=ROOT, check=False)
    assert loud.returncode == quiet.returncode == 0, loud.stderr
    assert "说明：" in loud.stderr and "每份报告由 docxtpl 渲染" in loud.stderr
    assert "docxtpl" not in quiet.stderr
