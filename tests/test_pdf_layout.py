"""The PDF's pages as a finance officer reads them before submitting: GB/T 9704 page numbers, no page of table
headers alone, the 一级/二级 labels on every page an indicator group runs over, the optional cover without a number.
Needs LibreOffice and poppler (skipped with the reason outside CI, failing in CI)."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import shutil
import subprocess
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from docx.oxml.ns import qn
from lxml import etree
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.render.office_copy import W, copy_for_office
from pipeline.render.pdf import convert_to_pdf
from pipeline.session import load_context

from .conftest import ROOT, SAMPLE
from .test_formats import needs_office

runner = CliRunner()
CHAR_PT = 14  # 四号: the page number sits one character in from the text block's edge
MARGIN_LEFT_PT, MARGIN_RIGHT_PT = 28 / 25.4 * 72, 26 / 25.4 * 72
PT_PER_MM = 72 / 25.4
# the 自评表's first columns (scripts/template_tables.NINE): 绩效指标, 一级, 二级, 三级
KPI_COLUMNS_MM = [14, 15, 15, 20]


@pytest.fixture(scope="module")
def sample_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pdf")
    shutil.copy(SAMPLE, folder / "2022.xlsx")
    result = runner.invoke(app, ["build", str(folder / "2022.xlsx"), "--format", "pdf", "-o", str(folder)])
    assert result.exit_code == 0, result.output
    return folder / "2022.pdf"


def pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


Word = tuple[float, float, float, str]  # xMin, yMin, xMax, text


def words(pdf: Path) -> list[tuple[float, float, list[Word]]]:
    """Each page's width, height and words with their place (pdftotext -bbox)."""
    bbox = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True)
    found = re.findall(
        r'<page width="([\d.]+)" height="([\d.]+)"|<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)"[^>]*>([^<]*)</word>',
        bbox.stdout,
    )
    result: list[tuple[float, float, list[Word]]] = []
    for page_width, page_height, x_min, y_min, x_max, text in found:
        if page_width:
            result.append((float(page_width), float(page_height), []))
        else:
            result[-1][2].append((float(x_min), float(y_min), float(x_max), text))
    return result


def page_number_marks(pdf: Path) -> list[tuple[float, list[tuple[float, float]]]]:
    """Each page's width and the "—" of its footer (below the text block, not a "—" in a table)."""
    return [
        (width, [(x0, x1) for x0, y0, x1, text in page if text == "—" and y0 > height - 35 * PT_PER_MM])
        for width, height, page in words(pdf)
    ]


def assert_gbt9704_numbers(marks: list[tuple[float, list[tuple[float, float]]]]) -> None:
    """“— N —” on each page, numbered from 1: odd pages right and even pages left, one character in."""
    for number, (width, dashes) in enumerate(marks, start=1):
        assert len(dashes) == 2, f"page {number}: “— N —” expected, found {dashes}"
        if number % 2:
            assert abs(dashes[1][1] - (width - MARGIN_RIGHT_PT - CHAR_PT)) < 3, f"page {number} is not right"
        else:
            assert abs(dashes[0][0] - (MARGIN_LEFT_PT + CHAR_PT)) < 3, f"page {number} is not left"


@needs_office
def test_page_numbers_right_on_odd_pages_and_left_on_even(sample_pdf: Path) -> None:
    marks = page_number_marks(sample_pdf)
    assert len(marks) > 10
    assert_gbt9704_numbers(marks)


@needs_office
def test_no_page_holds_only_table_headers(sample_pdf: Path) -> None:
    context, _ = load_context(SAMPLE)
    indicators = [k["level3"] for k in context["kpis"]]
    for number, text in enumerate(pages(sample_pdf), start=1):
        if "三级指标" in text:  # the indicator table's header, repeated on each page it runs over
            assert any(name[:4] in text for name in indicators), f"page {number} holds the header and no indicator"


# 48 department indicators: 产出 (29 rows in four 二级 groups) runs over pages and is split at its 二级 groups,
# 效益 (13) too, 满意度 (6) is kept whole; the three-character names never contain a label
GROUPS = [
    ("产出指标", ["数量指标", "质量指标", "时效指标", "成本指标"], 29, 50),
    ("效益指标", ["社会效益指标", "可持续影响指标"], 13, 30),
    ("满意度指标", ["服务对象满意度指标"], 6, 10),
]
REMARK = "部分点位受汛期影响延后开工，已督促施工单位倒排工期"


Groups = list[tuple[str, list[str], int, int]]  # 一级, its 二级 in order, rows, points


def form_workbook(path: Path, groups: Groups, remark_every: int, remark: str = REMARK) -> dict[str, tuple[str, str]]:
    """The sample with these department indicators instead of its own (named 考核项NN, a remark on every
    ``remark_every``-th row so that rows differ in height); each indicator's 一级 and 二级 label."""
    wb = openpyxl.load_workbook(SAMPLE)
    ws = wb["绩效指标"]
    projects: list[list[Any]] = [[c.value for c in row] for row in ws.iter_rows(min_row=3, max_col=11) if row[0].value]
    for row in ws.iter_rows(min_row=3, max_col=11):
        for cell in row:
            cell.value = None
    rows: list[list[Any]] = []
    labels: dict[str, tuple[str, str]] = {}
    for level1, level2s, count, points in groups:
        for i in range(count):
            level2 = level2s[i * len(level2s) // count]
            name = f"考核项{len(rows) + 1:02d}"
            labels[name] = (level1, level2)
            note = remark if len(rows) % remark_every == 0 else None
            rows.append([None, level1, level2, name, "≥", 100, 100, "%", round(points / count, 2), None, note])
    for r, values in enumerate(rows + projects, start=3):
        for c, value in enumerate(values, start=1):
            ws.cell(r, c).value = value
    wb.save(path)
    return labels


def build_pdf(workbook: Path) -> Path:
    result = runner.invoke(app, ["build", str(workbook), "--format", "docx,pdf", "-o", str(workbook.parent)])
    assert result.exit_code == 0, result.output
    return workbook.with_suffix(".pdf")


@pytest.fixture(scope="module")
def long_form(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, tuple[str, str]]]:
    """A workbook whose 自评表 runs over several pages, its PDF, and each indicator's 一级 and 二级 label."""
    workbook = tmp_path_factory.mktemp("long") / "long.xlsx"
    labels = form_workbook(workbook, GROUPS, remark_every=3)
    return build_pdf(workbook), labels


def kpi_columns(page: list[Word]) -> list[str]:
    """The text of the 自评表's 一级, 二级 and 三级 columns on a page, each read top to bottom."""
    edges = [MARGIN_LEFT_PT + sum(KPI_COLUMNS_MM[:i]) * PT_PER_MM for i in range(len(KPI_COLUMNS_MM) + 1)]
    columns = []
    for left, right in itertools.pairwise(edges[1:]):
        inside = sorted((y0, x0, text) for x0, y0, x1, text in page if x0 >= left and x1 <= right)
        columns.append("".join(text for _, _, text in inside))
    return columns


@needs_office
def test_every_page_of_a_long_form_shows_its_groups_labels(long_form: tuple[Path, dict[str, tuple[str, str]]]) -> None:
    pdf, labels = long_form
    form_pages = 0
    pages_of: dict[str, set[int]] = {}
    for number, (_, _, page) in enumerate(words(pdf), start=1):
        text = "".join(w[3] for w in page)
        if "三级指标" not in text or "考核项" not in text:
            continue
        form_pages += 1
        level1, level2, level3 = kpi_columns(page)
        shown = [name for name in labels if name in level3]
        assert shown, f"page {number} holds the header and no indicator"
        for name in shown:
            assert labels[name][0] in level1, f"page {number}: {name} without its 一级 label {labels[name][0]}"
            assert labels[name][1] in level2, f"page {number}: {name} without its 二级 label {labels[name][1]}"
            pages_of.setdefault(labels[name][0], set()).add(number)
    assert form_pages >= 3
    assert max(len(numbers) for numbers in pages_of.values()) >= 2  # a 一级 group did break across pages


@needs_office
def test_no_page_of_a_long_form_holds_only_headers_or_the_total(
    long_form: tuple[Path, dict[str, tuple[str, str]]],
) -> None:
    pdf, labels = long_form
    context, _ = load_context(pdf.with_suffix(".xlsx"))
    names = list(labels) + [k["level3"][:4] for pe in context["project_evaluations"] for k in pe["kpis"]]
    for number, text in enumerate(pages(pdf), start=1):
        if "三级指标" in text or "总分" in text:  # the indicator table's header, or its last row
            flat = re.sub(r"\s", "", text)
            assert any(name in flat for name in names), f"page {number} holds no indicator row"


@pytest.fixture(scope="module")
def cover_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The sample built with the default template and ``[cover] enabled = true``: its .docx and PDF."""
    folder = tmp_path_factory.mktemp("cover")
    template = folder / "with-cover"
    shutil.copytree(ROOT / "templates" / "default", template)
    (template / "template.toml").write_text("[cover]\nenabled = true\n", encoding="utf-8")
    shutil.copy(SAMPLE, folder / "2022.xlsx")
    args = ["build", str(folder / "2022.xlsx"), "-t", str(template), "--format", "docx,pdf", "-o", str(folder)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return folder / "2022.docx", folder / "2022.pdf"


def test_the_cover_is_a_section_without_footer_and_the_body_starts_at_1(cover_report: tuple[Path, Path]) -> None:
    document = docx.Document(str(cover_report[0]))
    cover, body = document.sections
    assert cover.different_first_page_header_footer  # titlePg
    assert cover._sectPr.findall(qn("w:footerReference")) == []  # nothing to inherit: the first section
    assert {r.get(qn("w:type")) for r in body._sectPr.findall(qn("w:footerReference"))} == {"default", "even"}
    assert body._sectPr.find(qn("w:pgNumType")).get(qn("w:start")) == "1"
    cover_text = [p.text for p in document.paragraphs[:3]]
    assert cover_text == ["2022年度部门整体支出绩效自评报告", "衡山县住房和城乡建设局（人防办）", ""]
    assert document.paragraphs[3].text == "2022年度部门整体支出绩效自评报告"  # the body's title


def test_without_the_setting_there_is_no_cover(sample_report: docx.document.Document) -> None:
    assert len(sample_report.sections) == 1
    assert sample_report.sections[0]._sectPr.find(qn("w:pgNumType")).get(qn("w:start")) == "1"


@needs_office
def test_the_cover_has_no_page_number_and_the_body_starts_at_1(cover_report: tuple[Path, Path]) -> None:
    marks = page_number_marks(cover_report[1])
    assert marks[0][1] == [], "a page number on the cover"
    assert_gbt9704_numbers(marks[1:])
    first = pages(cover_report[1])[1]
    assert re.search(r"—\s*1\s*—", first), "the body does not start at — 1 —"


@needs_office
def test_a_first_group_too_tall_for_the_first_page_moves_the_table(tmp_path: Path) -> None:
    """The first kept group (6 rows of three lines) does not fit under the budget part, so the indicator table starts
    on the next page. With one paragraph between the two tables LibreOffice let 34 of these 40 rows run off the page,
    out of the PDF."""
    groups: Groups = [(GROUPS[0][0], GROUPS[0][1], 24, 50), (GROUPS[1][0], GROUPS[1][1], 11, 30)]
    groups.append((GROUPS[2][0], GROUPS[2][1], 5, 10))
    labels = form_workbook(tmp_path / "tall.xlsx", groups, remark_every=1, remark="偏差说明偏差说明偏差说明")
    flat = [re.sub(r"\s", "", text) for text in pages(build_pdf(tmp_path / "tall.xlsx"))]
    form = next(i for i, text in enumerate(flat) if "部门整体支出绩效自评表" in text and "预算部门" in text)
    assert "考核项" not in flat[form]  # the budget part alone on the form's first page
    end = next(i for i in range(form, len(flat)) if "总分" in flat[i])
    assert all(any(name in text for text in flat[form + 1 : end + 1]) for name in labels), "rows lost"
    assert all("考核项" in text for text in flat[form + 1 : end + 1]), "a page without indicator rows"


# --- issue 18: what the PDF prints is what the .docx holds, and its pages need no hand edit ---------------------------

TEXT_BLOCK_TOP_PT, TEXT_BLOCK_BOTTOM_PT = 37 * PT_PER_MM, 842 - 35 * PT_PER_MM  # A4, GB/T 9704 margins
FULL_WIDTH_MARKS = "，。；：、！？）》”"
TOWNSHIP = ROOT / "inputs" / "township-2023.xlsx"


def pdf_text(pdf: Path) -> str:
    """The PDF's text above the footer (the page numbers are not the document's text), without white space."""
    crop = ["-x", "0", "-y", "0", "-W", "595", "-H", str(round(TEXT_BLOCK_BOTTOM_PT + 2))]
    text = subprocess.run(["pdftotext", *crop, str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s", "", text)


def assert_pdf_prints_every_character(docx_path: Path, pdf: Path) -> None:
    """Every character of the .docx body is in the PDF as often (table headers repeat, so the PDF may hold more), and
    every paragraph outside the tables reads in the PDF as in the document."""
    document = docx.Document(str(docx_path))
    typed = re.sub(r"\s", "", "".join(t.text or "" for t in document.element.body.iter(qn("w:t"))))
    printed = pdf_text(pdf)
    lost = Counter(typed) - Counter(printed)
    assert not lost, f"{pdf.name}: characters of the document missing from the PDF: {dict(lost)}"
    for paragraph in document.paragraphs:
        text = re.sub(r"\s", "", paragraph.text)
        assert text in printed, f"{pdf.name}: the paragraph “{text[:30]}…” does not read the same in the PDF"


def fullness(page: tuple[float, float, list[Word]]) -> float:
    """How much of the text block a page fills, from its top to its lowest word above the footer."""
    _, _, found = page
    bottoms = [y0 for _, y0, _, _ in found if y0 < TEXT_BLOCK_BOTTOM_PT]
    return (max(bottoms, default=TEXT_BLOCK_TOP_PT) - TEXT_BLOCK_TOP_PT) / (TEXT_BLOCK_BOTTOM_PT - TEXT_BLOCK_TOP_PT)


def assert_pages_read_well(docx_path: Path, pdf: Path) -> None:
    """No page under a quarter full but the last of a section (before a 附件 or at the end); the 附件 list on one page
    with text above it and the 落款 below; the title on one line or broken before 部门整体支出."""
    document = docx.Document(str(docx_path))
    laid = words(pdf)
    flat = [re.sub(r"\s", "", text) for text in pages(pdf)]
    for number, page in enumerate(laid, start=1):
        last_of_section = number == len(laid) or re.match(r"附件\d*(-\d+)?(?!：)", flat[number])
        form_end = "总分" in flat[number - 1] and not flat[number - 1].startswith("附件")
        if form_end or not last_of_section:  # a form's last page is not its header, two rows and 总分
            assert fullness(page) >= 0.25, f"{pdf.name} page {number} is {fullness(page):.0%} full"
    texts = [p.text for p in document.paragraphs]
    listing = [re.sub(r"\s", "", t) for t in texts if t.startswith("附件：") or t.startswith("　　　")]
    unit, *dated = [p.text for p in document.paragraphs if p.style.name == "Closing" and p.text]
    holding = [i for i, text in enumerate(flat) if listing and listing[0] in text]
    assert len(holding) == 1, f"{pdf.name}: the 附件 list is on pages {holding}"
    page = flat[holding[0]]
    assert all(line in page for line in listing), f"{pdf.name}: the 附件 list is split"
    assert page.index(listing[0]) > 0, f"{pdf.name}: the 附件 list opens a page, apart from the text it closes"
    signed = page[page.index(listing[-1]) :]
    assert re.sub(r"\s", "", unit) in signed, f"{pdf.name}: the 落款 is not under the list"
    for date in dated:  # the 成文日期 under the unit's name, on its page
        assert signed.index(re.sub(r"\s", "", unit)) < signed.index(re.sub(r"\s", "", date)), f"{pdf.name}: 成文日期"
    title = texts[0].split("\n")
    first_lines = [line.strip() for line in pages(pdf)[0].splitlines() if line.strip()]
    assert [re.sub(r"\s", "", line) for line in first_lines[: len(title)]] == title, f"{pdf.name}: title {title}"
    assert len(title) == 1 or title[1].startswith("部门整体支出")


def punctuation_workbook(path: Path) -> None:
    """The sample with three paragraphs under 其他需要说明的情况 that end lines on each full-width mark: runs of 26,
    27 and 28 characters, each closed by a mark, so that marks fall at the end of a 27-character line."""
    wb = openpyxl.load_workbook(SAMPLE)
    ws = wb["文字"]
    row = ws.max_row + 1
    while ws.cell(row - 1, 1).value is None:
        row -= 1
    for n in (26, 27, 28):
        text = "".join("字" * (n - 1 - (2 if i == 0 else 0)) + mark for i, mark in enumerate(FULL_WIDTH_MARKS))
        ws.cell(row, 1).value, ws.cell(row, 2).value = "其他需要说明的情况", text
        row += 1
    wb.save(path)


def township_workbook(path: Path, indicators: int, paragraphs: int) -> None:
    """The township sample with its first ``indicators`` indicators and ``paragraphs`` paragraphs per 文字 section,
    dated 15 March of the next year."""
    wb = openpyxl.load_workbook(TOWNSHIP)
    basic = wb["基本信息"]
    next(row for row in basic.iter_rows(min_row=3, max_col=2) if row[0].value == "报告日期")[1].value = dt.date(
        2024, 3, 15
    )
    kpis = wb["绩效指标"]
    for row in kpis.iter_rows(min_row=3 + indicators, max_col=11):
        for cell in row:
            cell.value = None
    texts, seen = wb["文字"], Counter[str]()
    for row in texts.iter_rows(min_row=3, max_col=2):
        if row[0].value:
            seen[row[0].value] += 1
            if seen[row[0].value] > paragraphs:
                row[0].value = row[1].value = None
    wb.save(path)


@pytest.fixture(scope="module")
def variants(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Path, Path]]:
    """The .docx and PDF of both samples and of variants: long paragraphs ending lines on punctuation (default
    template, no charts), a township with one indicator and one paragraph a section, one with all its indicators
    (with charts); built in one call, so one LibreOffice start."""
    folder = tmp_path_factory.mktemp("variants")
    shutil.copy(SAMPLE, folder / "2022.xlsx")
    shutil.copy(TOWNSHIP, folder / "township-2023.xlsx")
    punctuation_workbook(folder / "punctuation.xlsx")
    township_workbook(folder / "township-short.xlsx", indicators=1, paragraphs=1)
    names = ["2022", "township-2023", "punctuation", "township-short"]
    result = runner.invoke(
        app, ["build", *(str(folder / f"{n}.xlsx") for n in names), "--format", "docx,pdf", "-o", str(folder)]
    )
    assert result.exit_code == 0, result.output
    return [(folder / f"{n}.docx", folder / f"{n}.pdf") for n in names]


@needs_office
def test_the_pdf_prints_every_character_of_the_document(variants: list[tuple[Path, Path]]) -> None:
    for docx_path, pdf in variants:
        assert_pdf_prints_every_character(docx_path, pdf)


@needs_office
def test_each_full_width_mark_ends_a_line_and_prints(variants: list[tuple[Path, Path]]) -> None:
    """The punctuation paragraphs do put every mark at a line end (else the test above proves nothing for it)."""
    docx_path, pdf = next(v for v in variants if v[0].stem == "punctuation")
    line_ends = {line.rstrip()[-1:] for line in pages_text(pdf).splitlines() if "字字字" in line}
    assert set(FULL_WIDTH_MARKS) <= line_ends
    assert_pdf_prints_every_character(docx_path, pdf)


def pages_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


@needs_office
def test_pages_read_well_without_edits(variants: list[tuple[Path, Path]]) -> None:
    for docx_path, pdf in variants:
        assert_pages_read_well(docx_path, pdf)
    dated = docx.Document(str(next(d for d, _ in variants if d.stem == "township-short")))
    assert [p.text for p in dated.paragraphs if p.style.name == "Closing" and p.text][-1] == "2024年3月15日"


@needs_office
def test_a_long_form_reads_well_too(long_form: tuple[Path, dict[str, tuple[str, str]]]) -> None:
    pdf, _ = long_form
    assert_pages_read_well(pdf.with_suffix(".docx"), pdf)


def test_an_inner_list_of_a_long_narrative_reads_as_a_level_of_its_own(sample_report: docx.document.Document) -> None:
    """The sample's 四是 opens a list of its own (一是…五是, then 一是 二是 under its 2.) before 五是 goes on."""
    enumerated = [p for p in sample_report.paragraphs if p.text[1:2] == "是"]
    assert [p.text[:2] for p in enumerated] == [
        "一是",
        "二是",
        "三是",
        "四是",
        "一是",
        "二是",
        "三是",
        "四是",
        "五是",
        "一是",
        "二是",
        "五是",
        "六是",
        "七是",
        "八是",
    ]
    assert [p.style.name for p in enumerated] == ["Normal"] * 4 + ["Body Nested"] * 7 + ["Normal"] * 4
    nested, normal = sample_report.styles["Body Nested"], sample_report.styles["Normal"]
    assert nested.paragraph_format.left_indent == normal.paragraph_format.first_line_indent  # two characters in


def hanging_punctuation_docx(source: Path, target: Path) -> None:
    """``source`` as a template without the setting would render it: nothing in the document defaults, and turned
    off (Word's "允许标点溢出边界" unticked) on the style Normal."""
    with zipfile.ZipFile(source) as package, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        for item in package.infolist():
            data = package.read(item)
            if item.filename == "word/styles.xml":
                data = re.sub(rb"<w:overflowPunct[^>]*/>", b"", data)
                data = re.sub(
                    rb'(<w:style [^>]*w:styleId="Normal"[^>]*>.*?<w:pPr>)', rb'\1<w:overflowPunct w:val="0"/>', data
                )
            copy.writestr(item, data)


def test_the_copy_libreoffice_converts_has_no_hanging_punctuation(tmp_path: Path) -> None:
    report = tmp_path / "report.docx"
    hanging_punctuation_docx(ROOT / "templates" / "default" / "report.docx", report)
    before = report.read_bytes()
    (tmp_path / "in").mkdir()
    copy = copy_for_office(report, tmp_path / "in")
    assert copy == tmp_path / "in" / "report.docx" and report.read_bytes() == before  # the user's file untouched
    with zipfile.ZipFile(copy) as package:
        styles = etree.fromstring(package.read("word/styles.xml"))
    settings = styles.findall(f".//{W}overflowPunct")
    assert settings and {s.get(f"{W}val") for s in settings} == {"1"}
    assert styles.find(f"{W}docDefaults/{W}pPrDefault/{W}pPr/{W}overflowPunct") is not None
    (tmp_path / "broken.docx").write_bytes(b"not a zip")
    assert copy_for_office(tmp_path / "broken.docx", tmp_path / "in") == tmp_path / "broken.docx"


@needs_office
def test_a_report_of_a_template_that_hangs_punctuation_still_prints_every_character(
    variants: list[tuple[Path, Path]], tmp_path: Path
) -> None:
    docx_path, _ = next(v for v in variants if v[0].stem == "punctuation")
    old = tmp_path / "old.docx"
    hanging_punctuation_docx(docx_path, old)
    assert convert_to_pdf([old]) == {old: tmp_path / "old.pdf"}
    assert_pdf_prints_every_character(old, tmp_path / "old.pdf")
