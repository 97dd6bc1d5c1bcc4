"""Every “—” of an appendix is told once, with the cells that fill it; a blank 报告日期 is told (issue 18 §4).

The sample (the published report has no 成文日期 and few of the 基础数据表's figures) is built, every cell the
W_APPENDIX_BLANK findings name is filled, and the report built again: no finding is left, and the appendices print
“—” only where no cell of the workbook can fill them.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import docx
import openpyxl
import pytest
from docx.oxml.ns import qn
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.findings.collector import Finding
from pipeline.model import schema
from pipeline.session import validate

from .conftest import ROOT, SAMPLE, form_cell, list_column

runner = CliRunner()
TOWNSHIP_SAMPLE = ROOT / "inputs" / "township-2023.xlsx"
REFS = re.compile(r"（([^（）]*)）即可印出$")


def gaps(path: Path, template: str | None = None) -> list[Finding]:
    from pipeline.template.profile import resolve_profile

    [inspection] = validate([path], resolve_profile(template) if template else None)
    return [f for f in inspection.findings if f.code == "W_APPENDIX_BLANK"]


def appendix_dashes(path: Path) -> list[tuple[str, str]]:
    """(row label, cell) of every “—” cell of 附件1 and 附件3 (the tables after the body's), with its row's label."""
    document = docx.Document(str(path))
    out = []
    for table in document.tables:
        for tr in table._tbl.iter(qn("w:tr")):
            texts = ["".join(t.text or "" for t in tc.iter(qn("w:t"))) for tc in tr.iter(qn("w:tc"))]
            label = next((t for t in texts if t and t != "—"), "")
            out += [(label.strip("\u3000"), t) for t in texts if t == "—" or t.endswith("：—")]
    return out


def fill(path: Path, findings: list[Finding]) -> None:
    """Type 1 into every cell the findings name; add what a cell cannot hold (a paragraph, a fund source's row)."""
    wb = openpyxl.load_workbook(path)
    for f in findings:
        match = REFS.search(f.message)
        refs = match.group(1).split("、") if match else []
        for ref in refs:
            sheet, _, cell = ref.rpartition("!")
            if ":" not in cell:
                wb[sheet or f.sheet][cell] = 1
        if "厉行节约保障措施" in f.message:
            ws = wb[schema.TEXTS.name]
            ws.append(["厉行节约保障措施", "严格执行中央八项规定精神。"])
        for source in re.findall(r"、?([^、（]+)（项目资金来源表中没有这一行）", f.message):
            project = re.search(r"附件2 项目支出绩效自评表（([^）]+)）", f.message)
            assert project is not None
            ws = wb[schema.PROJECT_FUNDS.name]
            row = ws.max_row + 1
            for key, value in (("project", project.group(1)), ("source", source), ("initial", 0)):
                ws.cell(row=row, column=list_column(schema.PROJECT_FUNDS, key), value=value)
            for key in ("adjusted", "actual"):
                ws.cell(row=row, column=list_column(schema.PROJECT_FUNDS, key), value=0)
    wb.save(path)


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    path = tmp_path / "2022.xlsx"
    path.write_bytes(SAMPLE.read_bytes())
    return path


def test_each_missing_source_is_told_once_with_its_cells(sample: Path) -> None:
    found = gaps(sample)
    assert len(found) == 11  # not one per printed dash: 附件3 alone prints more than forty
    assert len({f.message for f in found}) == len(found)
    by_sheet = {(f.sheet, f.cell) for f in found}
    assert ("收支预决算", "E4") in by_sheet  # 按收入性质分: every income source's 全年执行数, E4 to E8
    income = next(f for f in found if f.cell == "E4")
    assert income.message == (
        "附件1 部门整体支出绩效自评表“按收入性质分”的收入来源印为“—”；填写收支预决算“一般公共预算拨款”“政府性基金预算拨款”"
        "“国有资本经营预算拨款”“财政专户管理资金”“单位资金及其他收入”的全年执行数（E4、E5、E6、E7、E8）即可印出"
    )
    staffing = next(f for f in found if f.sheet == "人员编制")
    assert staffing.message.endswith("填写人员编制的“实有人数”（C3、C4）即可印出")
    assert all(REFS.search(f.message) for f in found)


def test_filling_the_named_cells_leaves_no_dash_but_the_forms_own(sample: Path) -> None:
    result = runner.invoke(app, ["build", str(sample), "-o", "before"])
    assert result.exit_code == 0, result.output
    before = appendix_dashes(Path("before/2022.docx"))
    fill(sample, gaps(sample))
    assert gaps(sample) == []
    result = runner.invoke(app, ["build", str(sample), "-o", "after"])
    assert result.exit_code == 0, result.output
    after = appendix_dashes(Path("after/2022.docx"))
    # the forms' own: 政府采购金额 has no 上年决算数 in the workbook, 部门基本支出预算调整 is a budget figure only, and
    # a 项目支出绩效自评表's 其中 rows have no 分值, 执行率 nor 得分 of their own
    funds = [(source, "—") for source in ("其中：当年财政拨款", "上年结转资金", "其他资金") for _ in range(3)]
    assert sorted(after) == sorted(
        [*funds, ("政府采购金额", "—"), ("部门基本支出预算调整", "—"), ("部门基本支出预算调整", "—")]
    )
    assert len(before) > 40


def test_only_the_appendices_a_template_prints_are_looked_at(sample: Path, tmp_path: Path) -> None:
    folder = tmp_path / "tpl"
    folder.mkdir()
    for name in ("report.docx", "rules.toml"):
        (folder / name).write_bytes((ROOT / "templates" / "default" / name).read_bytes())
    (folder / "template.toml").write_text(
        "[appendices]\nbasic_data = false\nproject_evaluations = false\n", encoding="utf-8"
    )
    found = gaps(sample, str(folder))
    assert [f.message.split("印为")[0] for f in found] == ["附件1 部门整体支出绩效自评表“按收入性质分”的收入来源"]


def test_a_blank_report_date_is_a_warning_that_strict_refuses(tmp_path: Path) -> None:
    path = tmp_path / "2023.xlsx"
    path.write_bytes(TOWNSHIP_SAMPLE.read_bytes())
    result = runner.invoke(app, ["validate", "--format", "json", "--strict", str(path)])
    assert result.exit_code == 1
    assert '"code": "W_REPORT_DATE_BLANK"' in result.stdout
    assert "报告日期未填写，报告落款下将没有成文日期" in result.stdout
    wb = openpyxl.load_workbook(path)
    wb[schema.BASIC.name][form_cell(schema.BASIC, "report_date", "value")] = dt.date(2024, 3, 31)
    wb.save(path)
    result = runner.invoke(app, ["validate", "--format", "json", "--strict", str(path)])
    assert "W_REPORT_DATE_BLANK" not in result.stdout
    assert result.exit_code == 0, result.stdout  # what is left (appendix “—”) prints nothing wrong
