"""The other submitted formats, converted from the rendered report: HTML, Markdown and PDF.

HTML and Markdown are checked against the .docx as python-docx reads it (an independent reader): every heading, every
table with the same cell texts and the same merged-cell structure. The PDF tests need LibreOffice and poppler
(``bash scripts/install_office.sh``); without them they skip, except in CI, where they fail.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import signal
import struct
import subprocess
import threading
import time
import zlib
from html.parser import HTMLParser
from pathlib import Path

import docx
import openpyxl
import pytest
from docx.oxml.ns import qn
from docx.shared import Mm
from typer.testing import CliRunner

from pipeline import build
from pipeline.cli import app
from pipeline.errors import GenreportError
from pipeline.render import pdf
from pipeline.render.html import HEADING_TAGS, docx_to_html
from pipeline.render.markdown import docx_to_markdown

from .conftest import SAMPLE

runner = CliRunner()
TITLE = "2022年度部门整体支出绩效自评报告"
HOSTILE = "A&B <i>x</i> \"q\" 's' {{ 7*7 }} | *y* _z_ #h [l](u) `c` \\ $1"
HAVE_PDF_TOOLS = pdf.find_soffice() is not None and all(shutil.which(t) for t in ("pdftotext", "pdffonts", "fc-match"))
needs_office = pytest.mark.skipif(
    not HAVE_PDF_TOOLS and not os.environ.get("CI"),
    reason="LibreOffice or poppler is not installed (bash scripts/install_office.sh installs them)",
)
posix_only = pytest.mark.skipif(os.name == "nt", reason="the fake soffice is a shell script")


# ---------------------------------------------------------------- what the docx holds (python-docx's reading)

Cells = list[tuple[frozenset[tuple[int, int]], str]]  # each cell: the grid positions it covers, its text


def docx_headings(document: docx.document.Document) -> list[tuple[str, str]]:
    return [
        (HEADING_TAGS[p.style.name], p.text) for p in document.paragraphs if p.style.name in HEADING_TAGS and p.text
    ]


def docx_tables(document: docx.document.Document) -> list[Cells]:
    tables = []
    for table in document.tables:
        columns = len(table.columns)
        groups: dict[int, tuple[set[tuple[int, int]], str]] = {}
        for i, cell in enumerate(table._cells):  # python-docx repeats a merged cell at each position it covers
            groups.setdefault(id(cell._tc), (set(), cell.text))[0].add(divmod(i, columns))
        tables.append(sorted((frozenset(positions), text) for positions, text in groups.values()))
    return tables


# ---------------------------------------------------------------- what the HTML holds


class Page(HTMLParser):
    """Headings and tables of an HTML page, and every tag that was closed out of order. The review comments' signs
    and notes (``sup.review-ref``, ``section.review-notes``) are not text of the docx: they are left out."""

    VOID = frozenset({"br", "img", "meta", "col", "link", "hr"})

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.misnested: list[str] = []
        self.headings: list[tuple[str, str]] = []
        self.tables: list[list[list[dict[str, object]]]] = []
        self.attrs: dict[str, dict[str, str | None]] = {}
        self.text: list[str] = []
        self._heading: list[str] | None = None
        self._cell: dict[str, object] | None = None
        self._review: int | None = None  # the depth of the review sign or notes being skipped
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attrs.setdefault(tag, dict(attrs))
        if tag not in self.VOID:
            self.stack.append(tag)
        if self._review is None and dict(attrs).get("class") in ("review-ref", "review-notes"):
            self._review = len(self.stack)
        if self._review is not None:
            return
        if tag in ("h1", "h2", "h3", "h4"):
            self._heading = [tag, ""]
        elif tag == "table":
            assert self._cell is None, "no table inside a cell in the sample"
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            a = dict(attrs)
            self._cell = {"text": "", "rowspan": int(a.get("rowspan") or 1), "colspan": int(a.get("colspan") or 1)}
            self.tables[-1][-1].append(self._cell)
        elif tag == "br" or (tag == "p" and self._cell is not None and self._cell["text"]):
            self._add("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()
        else:
            self.misnested.append(tag)
        if self._review is not None:
            if len(self.stack) < self._review:
                self._review = None
            return
        if tag in ("h1", "h2", "h3", "h4") and self._heading is not None:
            self.headings.append((self._heading[0], self._heading[1]))
            self._heading = None
        elif tag in ("td", "th"):
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._review is not None or (self.stack and self.stack[-1] in ("style", "title")):
            return
        self._add(data)

    def _add(self, text: str) -> None:
        self.text.append(text)
        if self._heading is not None:
            self._heading[1] += text
        if self._cell is not None:
            self._cell["text"] = str(self._cell["text"]) + text

    def table_cells(self) -> list[Cells]:
        """Each table as cells over grid positions, placing row and column spans as a browser does."""
        found = []
        for rows in self.tables:
            taken: set[tuple[int, int]] = set()
            cells = []
            for r, row in enumerate(rows):
                c = 0
                for cell in row:
                    while (r, c) in taken:
                        c += 1
                    span = {
                        (r + dr, c + dc) for dr in range(int(cell["rowspan"])) for dc in range(int(cell["colspan"]))
                    }
                    taken |= span
                    cells.append((frozenset(span), str(cell["text"])))
            found.append(sorted(cells))
        return found


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def sample_docx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    [result] = build([SAMPLE], tmp_path_factory.mktemp("formats"))
    assert result.output is not None, result.error
    return result.output


@pytest.fixture(scope="module")
def sample_html(sample_docx: Path) -> str:
    return docx_to_html(sample_docx.read_bytes(), TITLE)


def header_column(ws: openpyxl.worksheet.worksheet.Worksheet, label: str) -> int:
    return next(c for c in range(1, ws.max_column + 1) if ws.cell(2, c).value == label)


@pytest.fixture(scope="module")
def hostile_docx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample with hostile text in a body paragraph (a duty) and in a table cell (an indicator's name)."""
    folder = tmp_path_factory.mktemp("hostile")
    wb = openpyxl.load_workbook(SAMPLE)
    wb["部门职责"].cell(3, 1).value = HOSTILE + "\n第二行"
    ws = wb["绩效指标"]
    ws.cell(3, header_column(ws, "三级指标")).value = HOSTILE + "\n第二行"
    wb.save(folder / "2022.xlsx")
    [result] = build([folder / "2022.xlsx"], folder / "out")
    assert result.output is not None, result.error
    return result.output


def without_footnotes(markdown: str) -> str:
    """The Markdown without the review comments' footnote references and footnotes."""
    return re.sub(r"\[\^\d+\]", "", re.sub(r"\n\n\[\^1\]: .*", "\n", markdown, flags=re.S))


def markdown_as_html(markdown: str) -> str:
    markdown_it = pytest.importorskip("markdown_it")  # installed with typer (through rich)
    # a hard line break renders as "<br />" and a newline: one line break, as in the docx
    return str(markdown_it.MarkdownIt("commonmark").enable("table").render(markdown)).replace("<br />\n", "<br>")


# ---------------------------------------------------------------- HTML


def test_html_is_a_complete_chinese_page(sample_html: str) -> None:
    page = Page(sample_html)
    assert page.misnested == [] and page.stack == [], (page.misnested, page.stack)
    assert page.attrs["html"]["lang"] == "zh-CN" and page.attrs["meta"]["charset"] == "utf-8"
    assert f"<title>{TITLE}</title>" in sample_html
    for rule in ("@page { size: A4; margin: 37mm 26mm 35mm 28mm; }", "Noto Serif CJK SC", "Noto Sans CJK SC"):
        assert rule in sample_html, rule
    assert "break-before: page" in sample_html  # each 附件 starts a printed page
    assert "http://" not in sample_html.replace("http://www.w3.org", "") and "https://" not in sample_html


def test_html_has_every_heading_of_the_docx(sample_html: str, sample_docx: Path) -> None:
    expected = docx_headings(docx.Document(str(sample_docx)))
    assert ("h1", TITLE) in expected and len(expected) > 15
    assert Page(sample_html).headings == expected


def test_html_has_every_table_with_its_merged_cells(sample_html: str, sample_docx: Path) -> None:
    expected = docx_tables(docx.Document(str(sample_docx)))
    found = Page(sample_html).table_cells()
    assert len(found) == len(expected) == 6
    for table, (want, got) in enumerate(zip(expected, found, strict=True)):
        assert got == want, f"table {table + 1}"
    assert 'rowspan="' in sample_html and 'colspan="' in sample_html


def test_hostile_text_is_escaped_in_html(hostile_docx: Path) -> None:
    html = docx_to_html(hostile_docx.read_bytes(), "<标题> & \"'")
    assert "<title>&lt;标题&gt; &amp; &quot;&#x27;</title>" in html
    escaped = "A&amp;B &lt;i&gt;x&lt;/i&gt; &quot;q&quot; &#x27;s&#x27; {{ 7*7 }}"
    assert html.count(escaped + " | *y*") == 2, "in a paragraph and in a table cell"
    assert "<i>" not in html
    page = Page(html)
    assert page.misnested == []
    text = "".join(page.text)
    assert text.count(HOSTILE + "\n第二行") == 2  # <w:br/> is <br>
    cells = [cell for table in page.tables for row in table for cell in row]
    assert any(cell["text"] == HOSTILE + "\n第二行" for cell in cells)
    assert page.table_cells() == docx_tables(docx.Document(str(hostile_docx)))


def test_html_and_markdown_keep_images_bold_breaks_and_merges(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_heading("标题", level=1)
    p = document.add_paragraph("前")
    p.add_run("加粗").bold = True
    p.add_run("后").add_break()
    p.add_run("下一行")
    document.add_picture(io.BytesIO(png_1x1()), width=Mm(20))
    table = document.add_table(rows=3, cols=3)
    table.cell(0, 0).merge(table.cell(1, 1)).text = "合并"
    table.cell(2, 0).text = "a|b"
    buffer = io.BytesIO()
    document.save(buffer)
    html = docx_to_html(buffer.getvalue(), "t")
    assert '<h2 class="s-Heading1">标题</h2>' in html
    assert "前<strong>加粗</strong>后<br>下一行" in html
    assert '<img src="data:image/png;base64,' in html and 'style="width: 20.0mm"' in html
    assert 'rowspan="2" colspan="2">合并</td>' in html
    assert Page(html).table_cells() == docx_tables(document)
    markdown = docx_to_markdown(buffer.getvalue())
    assert "## 标题" in markdown and "前**加粗**后\\\n下一行" in markdown and "![](data:image/png;base64," in markdown
    assert "| 合并 |  |  |\n|---|---|---|\n| 合并 |  |  |\n| a\\|b |  |  |" in markdown


def png_1x1() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0\0\0\0")) + chunk(b"IEND", b"")
    )


# ---------------------------------------------------------------- Markdown


def test_markdown_has_every_heading_and_table_row(sample_docx: Path) -> None:
    document = docx.Document(str(sample_docx))
    markdown = without_footnotes(docx_to_markdown(sample_docx.read_bytes()))
    for tag, text in docx_headings(document):
        assert f"{'#' * int(tag[1])} {text}\n" in markdown, text
    page = Page(markdown_as_html(markdown))
    assert page.headings == docx_headings(document)
    assert len(page.tables) == len(document.tables)
    for rows, table in zip(page.tables, document.tables, strict=True):
        columns = len(table.columns)
        assert [len(row) for row in rows] == [columns] * len(table.rows)  # one pipe-table row per docx row
        shown: list[str] = []  # what the row above showed
        for r, (row, docx_row) in enumerate(zip(rows, table.rows, strict=True)):
            cells = docx_row.cells
            # documented: a cell merged down repeats its text; one merged across prints in its first column only
            want = [cells[c].text if c == 0 or cells[c]._tc is not cells[c - 1]._tc else "" for c in range(columns)]
            if r:  # and an empty cell under a label, no border between them, reads as the label (绩效指标)
                above = table.rows[r - 1].cells
                for c in range(columns):
                    same = cells[c]._tc is above[c]._tc  # one cell merged down: what the row above showed
                    if not want[c] and (same or (border_off(cells[c], "top") and border_off(above[c], "bottom"))):
                        want[c] = shown[c]
            shown = want
            # markdown-it trims a cell's leading full-width spaces (an indent), which the file keeps (test_markdown_…)
            assert [str(cell["text"]) for cell in row] == [w.lstrip("\u3000") for w in want], f"row {r + 1}"


def border_off(cell: docx.table._Cell, side: str) -> bool:
    borders = cell._tc.tcPr.find(qn("w:tcBorders")) if cell._tc.tcPr is not None else None
    edge = borders.find(qn(f"w:{side}")) if borders is not None else None
    return edge is not None and edge.get(qn("w:val")) in ("nil", "none")


def test_hostile_text_is_literal_in_markdown(hostile_docx: Path) -> None:
    markdown = without_footnotes(docx_to_markdown(hostile_docx.read_bytes()))
    page = Page(markdown_as_html(markdown))
    assert page.misnested == []
    assert "".join(page.text).count(HOSTILE + "\n第二行") == 2  # rendered literally: no emphasis, link, code, html
    assert page.table_cells()  # the pipe tables still parse as tables


# ---------------------------------------------------------------- PDF


def fc_family(face: str, conf: Path) -> str:
    env = {**os.environ, "FONTCONFIG_FILE": str(conf)}
    return subprocess.run(
        ["fc-match", "-f", "%{family[0]}:%{weight}", face], env=env, capture_output=True, text=True
    ).stdout


@needs_office
def test_fontconfig_maps_official_faces_to_cjk_faces_of_their_kind(tmp_path: Path) -> None:
    conf = tmp_path / "fonts.conf"
    conf.write_text(pdf.fonts_conf(), encoding="utf-8")
    for face in ("仿宋_GB2312", "宋体", "楷体_GB2312"):
        assert fc_family(face, conf).startswith("Noto Serif CJK SC:"), face
    assert fc_family("黑体", conf).startswith("Noto Sans CJK SC:")
    assert fc_family("方正小标宋简体", conf) == "Noto Serif CJK SC:200"  # bold: 小标宋 is a heavy face


@needs_office
def test_the_sample_converts_to_pdf_with_every_heading_and_embedded_cjk_fonts(
    sample_docx: Path, tmp_path: Path
) -> None:
    docx_path = tmp_path / "2022.docx"
    shutil.copy(sample_docx, docx_path)
    assert pdf.convert_to_pdf([docx_path]) == {docx_path: tmp_path / "2022.pdf"}
    out = tmp_path / "2022.pdf"
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    compact = "".join(text.split())
    for _, heading in docx_headings(docx.Document(str(docx_path))):
        assert "".join(heading.split()) in compact, heading
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert fonts
    for line in fonts:  # name type encoding emb sub uni object ID: "emb" is the 5th column from the right
        name, emb = line.split()[0], line.split()[-5]
        assert emb == "yes", line
        assert "CJK" in name, f"{name}: a CJK face replaced by a non-CJK one"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary or lock file left


@needs_office
def test_parallel_conversions_do_not_collide(sample_docx: Path, tmp_path: Path) -> None:
    paths = []
    for i in range(2):
        (tmp_path / str(i)).mkdir()
        paths.append(Path(shutil.copy(sample_docx, tmp_path / str(i) / "2022.docx")))
    results: list[dict[Path, Path | Exception]] = []
    threads = [threading.Thread(target=lambda p=p: results.append(pdf.convert_to_pdf([p]))) for p in paths]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(str(v) for r in results for v in r.values()) == [str(p.with_suffix(".pdf")) for p in paths]


def test_missing_libreoffice_is_a_chinese_message(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(pdf, "_KNOWN_PLACES", ())
    assert pdf.find_soffice() is None
    with pytest.raises(pdf.OfficeNotFound) as raised:
        pdf.convert_to_pdf([tmp_path / "2022.docx"])
    assert str(raised.value) == (
        "未找到 LibreOffice（soffice），无法生成 PDF：请安装 LibreOffice 后重试"
        "（Debian/Ubuntu：sudo apt-get install libreoffice-writer-nogui fonts-noto-cjk）"
    )
    assert isinstance(raised.value, GenreportError)


def gone(pid: int, wait: float = 5.0) -> bool:
    """The process has ended (a killed orphan is reaped by init a moment later: a zombie counts as ended)."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return True
        except OSError:  # no /proc (macOS): ask the process itself
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return True
            state = "R"
        if state in ("Z", "X"):
            return True
        time.sleep(0.05)
    return False


# A stand-in for soffice that writes "%PDF-1.4 <stem>" for each .docx into --outdir, as LibreOffice names its PDFs.
WRITES_PDFS = """while [ $# -gt 0 ]; do
  case "$1" in
    --outdir) out=$2; shift ;;
    *.docx) name=$(basename "$1" .docx); mkdir -p "$out"; printf '%%PDF-1.4 %s' "$name" > "$out/$name.pdf" ;;
  esac
  shift
done
"""


def fake_soffice(tmp_path: Path, body: str) -> str:
    script = tmp_path / "soffice"
    script.write_text("#!/bin/sh\nPATH=/usr/bin:/bin:$PATH\n" + body, encoding="utf-8")
    script.chmod(0o755)
    return str(script)


def docx_files(folder: Path, *names: str) -> list[Path]:
    paths = []
    for name in names:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"PK")
        paths.append(path)
    return paths


@posix_only
def test_a_hanging_libreoffice_is_killed_with_its_children(tmp_path: Path) -> None:
    pidfile = tmp_path / "child.pid"
    exe = fake_soffice(tmp_path, f"sleep 60 &\necho $! > {pidfile}\nwait\n")
    [doc] = docx_files(tmp_path, "2022.docx")
    started = time.monotonic()
    result = pdf.convert_to_pdf([doc], timeout=1, soffice=exe)[doc]
    assert time.monotonic() - started < 15
    assert isinstance(result, pdf.PdfConversionFailed)
    assert str(result) == "无法生成 PDF：2022.docx 转换超时（1 秒），已终止 LibreOffice"
    child = int(pidfile.read_text())
    assert gone(child), "the whole process group is killed, not just the script"
    assert not doc.with_suffix(".pdf").exists()


@posix_only
def test_soffice_exiting_0_without_a_pdf_is_an_error(tmp_path: Path) -> None:
    exe = fake_soffice(tmp_path, "echo 'Error: source file could not be loaded' >&2\nexit 0\n")
    docs = docx_files(tmp_path, "a.docx", "b.docx")
    results = pdf.convert_to_pdf(docs, soffice=exe)
    assert [str(r) for r in results.values()] == [
        f"无法生成 PDF：{d.name}：LibreOffice 未生成 PDF（Error: source file could not be loaded）；请确认该文件能在 Word/WPS 中打开"
        for d in docs
    ]
    assert not any(d.with_suffix(".pdf").exists() for d in docs)


@posix_only
def test_many_documents_share_calls_and_each_pdf_lands_beside_its_docx(tmp_path: Path) -> None:
    """Documents go to soffice together, except two of the same name (one output folder per call); each call has a
    private profile that is removed afterwards, and the fontconfig file with the aliases."""
    log = tmp_path / "calls.log"
    exe = fake_soffice(
        tmp_path,
        f"""echo "$@" >> {log}
cp "$FONTCONFIG_FILE" {tmp_path}/fonts.conf
{WRITES_PDFS}""",
    )
    docs = docx_files(tmp_path, "a/2022.docx", "a/2023.docx", "b/2022.docx")
    results = pdf.convert_to_pdf(docs, soffice=exe)
    assert results == {d: d.with_suffix(".pdf") for d in docs}
    assert [d.with_suffix(".pdf").read_bytes() for d in docs] == [b"%PDF-1.4 2022", b"%PDF-1.4 2023", b"%PDF-1.4 2022"]
    calls = log.read_text(encoding="utf-8").splitlines()
    assert len(calls) == 2 and calls[0].count(".docx") == 2
    profile = calls[0].split()[0].removeprefix("-env:UserInstallation=file://")
    assert "genreport-pdf-" in profile and not Path(profile).exists()
    conf = (tmp_path / "fonts.conf").read_text(encoding="utf-8")
    assert "<family>仿宋_GB2312</family><prefer><family>Noto Serif CJK SC</family>" in conf
    assert "<family>黑体</family><prefer><family>Noto Sans CJK SC</family>" in conf


def test_a_missing_docx_is_reported_per_document(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf, "find_soffice", lambda: "soffice-that-is-never-run")
    result = pdf.convert_to_pdf([tmp_path / "缺少.docx"])[tmp_path / "缺少.docx"]
    assert isinstance(result, pdf.PdfConversionFailed) and "找不到" in str(result) and "缺少.docx" in str(result)


# ---------------------------------------------------------------- genreport build --format


def test_build_writes_each_format_asked_for() -> None:
    shutil.copy(SAMPLE, "2022.xlsx")
    result = runner.invoke(app, ["build", "2022.xlsx", "--format", "html，md", "-o", "out"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in Path("out").iterdir()) == ["2022.html", "2022.md"]
    assert "已生成 out/2022.html、out/2022.md（" in result.stdout
    html = Path("out/2022.html").read_text(encoding="utf-8")
    assert f"<title>{TITLE}</title>" in html
    assert without_footnotes(Path("out/2022.md").read_text(encoding="utf-8")).startswith(f"# {TITLE}\n")


def test_an_unknown_format_is_a_usage_error() -> None:
    shutil.copy(SAMPLE, "2022.xlsx")
    result = runner.invoke(app, ["build", "2022.xlsx", "--format", "docx,xls"])
    assert (result.exit_code, result.stderr) == (
        2,
        "错误：--format 只能是 docx,pdf,html,md 中的一个或几个（用逗号分隔），实际为“docx,xls”\n",
    )


def test_without_libreoffice_the_other_formats_are_still_written(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf, "find_soffice", lambda: None)
    shutil.copy(SAMPLE, "2022.xlsx")
    result = runner.invoke(app, ["build", "2022.xlsx", "--format", "docx,pdf,html", "-o", "out"])
    assert result.exit_code == 1
    assert sorted(p.name for p in Path("out").iterdir()) == ["2022.docx", "2022.html"]
    assert result.stderr.splitlines()[-1] == (
        "错误：未找到 LibreOffice（soffice），无法生成 PDF：请安装 LibreOffice 后重试"
        "（Debian/Ubuntu：sudo apt-get install libreoffice-writer-nogui fonts-noto-cjk）；其他格式已生成。"
    )


@needs_office
def test_build_pdf_alone_leaves_only_the_pdf() -> None:
    shutil.copy(SAMPLE, "2022.xlsx")
    Path("b").mkdir()
    shutil.copy(SAMPLE, "b/other.xlsx")
    result = runner.invoke(app, ["build", "2022.xlsx", "b/other.xlsx", "--format", "pdf", "-o", "out"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in Path("out").iterdir()) == ["2022.pdf", "other.pdf"]
    assert "正在用 LibreOffice 生成 PDF（2 份）……" in result.stderr
    assert Path("out/2022.pdf").read_bytes().startswith(b"%PDF")


@posix_only
def test_workers_share_the_documents_between_libreoffices_running_at_once(tmp_path: Path) -> None:
    """--jobs 2 converts with two LibreOffice processes, each with its own profile and half the documents, both
    running at once; every PDF lands beside its .docx."""
    log = tmp_path / "calls.log"
    exe = fake_soffice(
        tmp_path,
        f"""echo "start $$" >> {log}
sleep 1
{WRITES_PDFS}echo "end $$" >> {log}
""",
    )
    docs = docx_files(tmp_path, "a.docx", "b.docx", "c.docx", "d.docx", "e.docx")
    results = pdf.convert_to_pdf(docs, soffice=exe, workers=2)
    assert results == {d: d.with_suffix(".pdf") for d in docs}
    assert [d.with_suffix(".pdf").read_bytes() for d in docs] == [f"%PDF-1.4 {d.stem}".encode() for d in docs]
    events = [line.split()[0] for line in log.read_text(encoding="utf-8").splitlines()]
    assert events == ["start", "start", "end", "end"], "both run at once, not one after the other"


@posix_only
def test_an_interrupt_stops_every_libreoffice_of_a_parallel_conversion(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    exe = fake_soffice(tmp_path, f"sleep 60 &\necho $! >> {pids}\nwait\n")
    docs = docx_files(tmp_path, "a.docx", "b.docx")
    timer = threading.Timer(1.0, lambda: signal.raise_signal(signal.SIGINT))  # as Ctrl-C reaches the command
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        pdf.convert_to_pdf(docs, soffice=exe, workers=2)
    children = [int(p) for p in pids.read_text().split()]
    assert len(children) == 2 and all(gone(child) for child in children)


def test_html_draws_no_border_where_the_docx_draws_none(sample_html: str) -> None:
    """The 自评表's 绩效指标 label sits over its merged column without a line between them, as in Word and the PDF."""
    assert re.search(r'<th class="s-TableText" style="border-bottom: none">绩效指标</th>', sample_html)
    assert re.search(r'<td class="s-TableText" rowspan="\d+" style="border-top: none">', sample_html)
    assert sample_html.count("border-bottom: none") == sample_html.count("绩效指标</th>")
