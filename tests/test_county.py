"""Issue 17, tried as a county would: the bureau hands out a template with required custom fields and a table with a
declared total; clerks fill and check; the bureau builds the folder with one command and gets the reports, 汇总.xlsx
and the note, the failures printed whole. Sized for CI (eight workbooks, one .xls, one .ods); bench/ has the big run."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import docx
import openpyxl
import pytest
from typer.testing import CliRunner

from pipeline.cli import app

from .test_foreign_formats import SOFFICE, _soffice
from .test_template_needs import LINE, SETTINGS, filled

runner = CliRunner()

needs_office = pytest.mark.skipif(
    SOFFICE is None and not os.environ.get("CI"), reason="LibreOffice is not installed (make test installs it)"
)


def _edited(path: Path, sheet: str, cell: str, value: object) -> Path:
    wb = openpyxl.load_workbook(path)
    wb[sheet][cell] = value
    wb.save(path)
    return path


@pytest.fixture
def county(tmp_path: Path) -> Path:
    """templates/我局 and the folder the clerks send in: 甲–丁 good (丁 with a 合计 one off), 戊 text in an amount,
    己 a value outside a dropdown, 庚 no 绿化面积 row, 辛 a blank required cell; 壬.xls and 癸.ods saved by LibreOffice."""
    folder = Path("templates/我局")
    shutil.copytree(Path(__file__).resolve().parents[1] / "templates" / "default", folder)
    (folder / "template.toml").write_text(SETTINGS, encoding="utf-8")
    document = docx.Document(str(folder / "report.docx"))
    document.add_paragraph(LINE)
    document.save(str(folder / "report.docx"))
    inbox = Path("inbox")
    inbox.mkdir()
    for name in ("甲", "乙", "丙"):
        filled(inbox / f"{name}.xlsx")
    filled(inbox / "丁.xlsx", training=[("党务培训", 20, 1.5), ("业务培训", 37, 2.5), ("合计", 58, 4)])
    _edited(filled(inbox / "戊.xlsx"), "政府采购", "C4", "约一百")
    _edited(filled(inbox / "己.xlsx"), "文字", "A3", "前言")
    filled(inbox / "庚.xlsx", fields={"开工日期": "2022-03-01", "公园绿地": 1, "道路绿地": 2, "绿地合计": 3})
    _edited(filled(inbox / "辛.xlsx"), "基本信息", "B3", None)
    scratch = tmp_path / "convert"
    scratch.mkdir()
    for name, fmt in (("壬", "xls"), ("癸", "ods")):
        source = filled(scratch / f"{name}.xlsx")
        shutil.move(_soffice(source, fmt, scratch), inbox / f"{name}.{fmt}")
    return inbox


@needs_office
def test_a_county_runs_its_season(county: Path) -> None:
    # each clerk: one run names every problem, in the clerk's words
    clerk = runner.invoke(app, ["validate", str(county / "庚.xlsx"), "-t", "我局"])
    assert clerk.exit_code == 1
    assert "在“自定义字段”表补填 绿化面积（平方米）" in clerk.stdout
    assert "警告 [W_STALE_WORDING]" in clerk.stdout  # the warnings too, in the same run
    wrong = runner.invoke(app, ["validate", str(county / "戊.xlsx"), "-t", "我局"])
    assert "C4 错误 [E_NOT_NUMBER] 应为数字，实际为“约一百”" in wrong.stdout
    assert "B5 警告 [W_SUM_MISMATCH]" not in wrong.stdout  # 培训情况 agrees in 戊
    off = runner.invoke(app, ["validate", str(county / "丁.xlsx"), "-t", "我局"])
    assert "B5 警告 [W_SUM_MISMATCH] “合计”行的“人次”为 58，而第3至4行合计 57，相差 1" in off.stdout

    # the bureau: one command
    result = runner.invoke(app, ["build", str(county), "-t", "我局", "-o", "out", "--summary", "-j", "2"])
    assert result.exit_code == 1  # four workbooks failed
    built = sorted(p.name for p in Path("out").glob("*.docx"))
    assert built == sorted(["甲.docx", "乙.docx", "丙.docx", "丁.docx", "壬.docx", "癸.docx", "汇总说明.docx"])
    for name in ("戊", "己", "庚", "辛"):
        assert f"{name}.xlsx：有" in result.stderr  # each failure whole, once
        assert result.stderr.count(f"{name}.xlsx：有") == 1
    text = "\n".join(p.text for p in docx.Document("out/壬.docx").paragraphs)
    assert "绿化1200平方米，绿地500，培训57人次。" in text  # the .xls reads as its .xlsx does
    book = openpyxl.load_workbook("out/汇总.xlsx")
    rows = list(book.worksheets[0].iter_rows(min_row=2, values_only=True))
    files = [next(str(v) for v in row if isinstance(v, str) and v.endswith((".xlsx", ".xls", ".ods"))) for row in rows]
    assert [Path(f).name for f in files] == sorted(p.name for p in county.iterdir())  # input order: the folder's
    failed = [row for row in rows if any(isinstance(v, str) and "未生成" in v for v in row)]
    assert len(failed) == 4
    findings = list(book.worksheets[1].iter_rows(min_row=2, values_only=True))
    assert any("补填 绿化面积（平方米）" in str(row) for row in findings)
