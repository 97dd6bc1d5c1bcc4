"""Every format right (issue 18 §7): the files a department publishes, opened as their readers open them.

- Markdown carries the text of every cell of the 自评表 (the 绩效指标 label in every indicator row) and writes every
  character as itself (a full-width space is one, not ``&#x3000;``).
- HTML, Markdown and PDF are clean for publishing: review marks only with ``--comments``; the .docx carries the
  review comments unless ``--no-comments``.
- The .docx's properties say genreport, the time it was made, and no count copied from the template.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from lxml import etree
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.render import pdf
from pipeline.render.markdown import docx_to_markdown

from .conftest import SAMPLE

runner = CliRunner()
TOWNSHIP = SAMPLE.parent / "township-2023.xlsx"
EP = "{http://schemas.openxmlformats.org/officeDocument/2006/extended-properties}"
needs_office = pytest.mark.skipif(
    (pdf.find_soffice() is None or shutil.which("pdftotext") is None) and not os.environ.get("CI"),
    reason="LibreOffice or poppler is not installed (bash scripts/install_office.sh installs them)",
)


def build(*args: str, source: Path = SAMPLE, out: str = "out") -> Path:
    shutil.copy(source, source.name)
    result = runner.invoke(app, ["build", source.name, "-o", out, *args])
    assert result.exit_code == 0, result.output
    return Path(out)


def table_texts(path: Path) -> list[list[str]]:
    """Every table's every cell text, as python-docx reads the .docx (a merged cell once)."""
    document = docx.Document(str(path))
    texts = []
    for table in document.tables:
        seen: dict[int, str] = {}
        for cell in table._cells:
            seen.setdefault(id(cell._tc), cell.text)
        texts.append([t for t in seen.values() if t.strip()])
    return texts


def pipe_rows(markdown: str) -> list[list[str]]:
    rows = (line.removeprefix("| ").removesuffix(" |") for line in markdown.splitlines() if line.startswith("| "))
    return [[c.strip(" ") for c in row.split(" | ")] for row in rows]


# ---------------------------------------------------------------- Markdown


@pytest.mark.parametrize("source", [SAMPLE, TOWNSHIP], ids=["sample", "township"])
def test_markdown_carries_every_table_cell_and_the_label_of_every_indicator_row(source: Path) -> None:
    out = build("--format", "docx,md", source=source)
    docx_path = out / f"{source.stem}.docx"
    markdown = (out / f"{source.stem}.md").read_text(encoding="utf-8")
    cells = {c for row in pipe_rows(markdown) for c in row}
    for table in table_texts(docx_path):
        for text in table:
            shown = text.replace("\n", "<br>").strip(" ")
            assert shown in cells or any(shown in c for c in cells), text
    indicator_rows = [
        row for row in pipe_rows(markdown) if len(row) > 1 and re.fullmatch(r"(产出|效益|满意度)指标（\d+分）", row[1])
    ]
    assert indicator_rows, "the 自评表 has indicator rows"
    assert {row[0] for row in indicator_rows} == {"绩效指标"}  # the label column is no longer empty


def test_markdown_writes_full_width_spaces_as_themselves() -> None:
    out = build("--format", "md")
    markdown = (out / "2022.md").read_text(encoding="utf-8")
    assert "&#x" not in markdown and "&#" not in markdown
    assert "| \u3000\u30001、公务用车购置和维护经费 |" in markdown  # the 三公 breakdown keeps its indent
    assert "| \u3000\u3000\u3000\u3000其中：公车购置 |" in markdown
    assert "\n\u3000\u3000\u30002.衡山大道盛豪世纪城人行道改造项目支出绩效自评表\n" in markdown  # the 附件 list


def test_markdown_escapes_only_markup_and_keeps_an_indent_it_was_given(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("\u3000\u3000一是加强*预算*管理，占比 5% & 10%")
    table = document.add_table(rows=1, cols=1)
    table.cell(0, 0).text = "\u3000\u3000其中：a|b"
    path = tmp_path / "t.docx"
    document.save(str(path))
    markdown = docx_to_markdown(path.read_bytes())
    assert "\u3000\u3000一是加强\\*预算\\*管理，占比 5% \\& 10%" in markdown
    assert "| \u3000\u3000其中：a\\|b |" in markdown


# ---------------------------------------------------------------- review comments: where they go


def review_marks(out: Path) -> dict[str, int]:
    html = (out / "2022.html").read_text(encoding="utf-8")
    markdown = (out / "2022.md").read_text(encoding="utf-8")
    with zipfile.ZipFile(out / "2022.docx") as z:
        docx_comments = len(etree.fromstring(z.read("word/comments.xml"))) if "word/comments.xml" in z.namelist() else 0
    return {
        "html marks": html.count('<mark class="review"'),
        "html notes": html.count('class="review-notes"'),
        "md footnotes": len(re.findall(r"^\[\^\d+\]: 审阅意见：", markdown, re.M)),
        "docx comments": docx_comments,
    }


def test_by_default_only_the_docx_carries_the_review_comments() -> None:
    marks = review_marks(build("--format", "docx,html,md"))
    assert marks["docx comments"] > 0
    assert (marks["html marks"], marks["html notes"], marks["md footnotes"]) == (0, 0, 0)
    html = Path("out/2022.html").read_text(encoding="utf-8")
    assert "审阅意见" not in html and "mark.review" not in html  # not even the style of the marks


def test_comments_puts_them_in_html_and_markdown_too() -> None:
    marks = review_marks(build("--format", "docx,html,md", "--comments"))
    assert marks["docx comments"] > 0 and marks["html marks"] > 0 and marks["html notes"] == 1
    assert marks["md footnotes"] == marks["docx comments"]


def test_no_comments_leaves_them_out_of_the_docx_as_well() -> None:
    marks = review_marks(build("--format", "docx,html,md", "--no-comments"))
    assert marks == {"html marks": 0, "html notes": 0, "md footnotes": 0, "docx comments": 0}


def test_comments_and_no_comments_together_is_a_usage_error() -> None:
    shutil.copy(SAMPLE, "2022.xlsx")
    result = runner.invoke(app, ["build", "2022.xlsx", "--comments", "--no-comments"])
    assert result.exit_code == 2
    assert "--comments 与 --no-comments 不能同时使用" in result.output
    assert not Path("outputs").exists()


@needs_office
def test_the_pdf_never_carries_the_review_comments() -> None:
    out = build("--format", "docx,pdf", "--comments")
    text = subprocess.run(["pdftotext", str(out / "2022.pdf"), "-"], capture_output=True, text=True).stdout
    comments = etree.fromstring(zipfile.ZipFile(out / "2022.docx").read("word/comments.xml"))
    assert len(comments) > 0
    assert "审阅意见" not in text and "相差 4.50 万元" not in text  # the comment on 支出合计 (收支预决算!E9)
    assert b"/Annot" not in (out / "2022.pdf").read_bytes()


# ---------------------------------------------------------------- the .docx's properties


def properties(path: Path) -> tuple[docx.opc.coreprops.CoreProperties, etree._Element]:
    with zipfile.ZipFile(path) as z:
        app_xml = etree.fromstring(z.read("docProps/app.xml"))
    return docx.Document(str(path)).core_properties, app_xml


def test_the_docx_says_who_made_it_when_and_no_count_of_the_template() -> None:
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    out = build()  # with its review comments: that pass saves the document again
    after = dt.datetime.now(dt.UTC)
    core, app_xml = properties(out / "2022.docx")
    assert core.title == "2022年度部门整体支出绩效自评报告"
    assert core.author == "衡山县住房和城乡建设局（人防办）"  # the unit wrote the report
    assert core.last_modified_by == "genreport"
    assert core.created is not None and before <= core.created <= after
    assert core.modified == core.created and core.revision == 1
    assert app_xml.findtext(EP + "Application") == "genreport"
    kept = {child.tag.removeprefix(EP) for child in app_xml}
    stale = {"Pages", "Words", "Characters", "CharactersWithSpaces", "Lines", "Paragraphs", "TotalTime"}
    assert not kept & (stale | {"AppVersion", "Template", "HeadingPairs", "TitlesOfParts"})
    with zipfile.ZipFile(out / "2022.docx") as z:  # nor the template's thumbnail (a blank page), nor a link to it
        assert not [n for n in z.namelist() if "thumbnail" in n]
        assert b"thumbnail" not in z.read("_rels/.rels") + z.read("[Content_Types].xml")


def test_source_date_epoch_fixes_the_time_for_reproducible_builds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1680220800")  # 2023-03-31 00:00 UTC
    out = build("--no-comments", "-t", "township", source=TOWNSHIP)
    core, _ = properties(out / "township-2023.docx")
    assert core.created == core.modified == dt.datetime(2023, 3, 31, tzinfo=dt.UTC)
    assert core.last_modified_by == "genreport" and core.title.endswith("部门整体支出绩效自评报告")
