"""Only what a unit publishes is required (issue 18 §5).

A CPPCC committee or a township entered from its published 决算 has no 年初预算数: the workbook builds, nothing that
depends on the missing figures is printed (no 预算调整率, no 较年初预算的增减), nothing is invented, and the only
findings are the appendices' “—” — which --strict lets pass, since nothing prints wrong. A part typed without its
sibling (公用经费 上年 without 人员经费 上年) prints as typed and is told once.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from typer.testing import CliRunner

from pipeline.checks import COMPLETENESS
from pipeline.checks.text import PROOFREADING
from pipeline.cli import app
from pipeline.model import schema
from pipeline.session import load_context
from pipeline.template.profile import resolve_profile

from .conftest import ROOT, SAMPLE, form_cell

runner = CliRunner()
B = schema.BUDGET
TOWNSHIP_SAMPLE = ROOT / "inputs" / "township-2023.xlsx"


def published_only(source: Path, name: str, *, dated: bool = True) -> tuple[Path, list[str]]:
    """``source`` with every 年初预算数 blank (and a 报告日期); returns the path and the figures only those cells held."""
    wb = openpyxl.load_workbook(source)
    ws = wb[B.name]
    removed = []
    kept = {f"{Decimal(str(c.value)):.2f}" for row in ws.iter_rows() for c in row if isinstance(c.value, int | float)}
    for row in B.rows:
        cell = ws[form_cell(B, row.key, "initial")]
        if isinstance(cell.value, int | float) and cell.value:
            removed.append(f"{Decimal(str(cell.value)):.2f}")
        cell.value = None
    kept -= {f"{Decimal(str(c.value)):.2f}" for row in ws.iter_rows() for c in row if isinstance(c.value, int | float)}
    removed = [figure for figure in removed if figure in kept]  # not also another cell's figure
    if dated:
        wb[schema.BASIC.name][form_cell(schema.BASIC, "report_date", "value")] = dt.date(2024, 3, 31)
    wb.save(name)
    return Path(name), removed


def findings(path: Path, *options: str) -> list[dict[str, str]]:
    result = runner.invoke(app, ["validate", "--format", "json", *options, str(path)])
    assert result.exit_code in (0, 1), result.output
    return list(json.loads(result.stdout))


def document_text(path: Path) -> str:
    document = docx.Document(str(path))
    cells = ["".join(c.text for c in row.cells) for table in document.tables for row in table.rows]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_the_sample_without_budget_figures_is_told_only_what_its_appendices_lack() -> None:
    path, _ = published_only(SAMPLE, "2022.xlsx", dated=False)
    plain = {(f["code"], f["sheet"], f["cell"]) for f in findings(SAMPLE) if f["code"] != "W_APPENDIX_BLANK"}
    now = findings(path)
    assert {(f["code"], f["sheet"], f["cell"]) for f in now if f["code"] != "W_APPENDIX_BLANK"} == plain
    assert all(f["severity"] == "warning" for f in now)
    assert not any(f["code"] == "E_REQUIRED" for f in now)
    told = [
        f["cell"] for f in now if f["code"] == "W_APPENDIX_BLANK" and f["sheet"] == B.name and "年初" in f["message"]
    ]
    # 附件1 年度资金总额; 附件3 项目支出、公用经费 的本年预算数 (C16, C12…C15); 部门基本支出预算调整 (C10, D10): one each
    assert told == ["C3", "C16", "C10"]


@pytest.mark.parametrize(("source", "template"), [(SAMPLE, "default"), (TOWNSHIP_SAMPLE, "township")])
def test_a_unit_entered_from_its_published_accounts_builds_with_no_invented_figure(source: Path, template: str) -> None:
    path, removed = published_only(source, source.name)
    assert removed  # the samples give 年初预算数: they are what must not print
    # the township sample has none of the published report's own faults: --strict builds it, nothing prints wrong
    strict = ["--strict"] if template == "township" else []
    result = runner.invoke(app, ["build", str(path), "-t", template, "-o", "out", *strict])
    assert result.exit_code == 0, result.output
    text = document_text(Path("out") / f"{path.stem}.docx")
    for figure in removed:
        assert figure not in text, figure
    assert "预算控制率" not in text.replace("预算控制率有待加强", "").replace("导致预算控制率较高", "")
    context: dict[str, Any] = dict(load_context(path, profile=resolve_profile(template))[0])
    initial = context["budget"]["initial"]
    assert all(initial[row.key] is None for row in B.rows) and initial["income_sources"] == []
    indicators = context["indicators"]
    for key in ("budget_adjustment_rate", "budget_control_rate", "public_funds_control_rate"):
        assert indicators[key]["value"] is None, key
    assert context["income_change"]["amount"] is None
    assert context["evaluation"]["budget"]["initial"] is None
    assert context["evaluation"]["budget"]["rate"] == indicators["budget_execution_rate"]["value"] is not None
    codes = {f["code"] for f in findings(path, "-t", template)} - {c.code for c in PROOFREADING}
    assert codes - {"W_APPENDIX_BLANK"} <= {"W_SUM_MISMATCH", "W_NET_ASSETS", "W_UNIT_SUSPECT", "W_RATE_MISMATCH"}
    if template == "township":  # the township sample has none of the published report's own faults
        assert codes <= {c.code for c in COMPLETENESS} - {"W_REPORT_DATE_BLANK"}


@pytest.mark.parametrize(("source", "template"), [(SAMPLE, "default"), (TOWNSHIP_SAMPLE, "township")])
def test_no_sentence_prints_a_dash_for_a_budget_figure_not_published(source: Path, template: str) -> None:
    path, _ = published_only(source, source.name)
    result = runner.invoke(app, ["build", str(path), "-t", template, "-o", "out"])
    assert result.exit_code == 0, result.output
    body = "\n".join(p.text for p in docx.Document(str(Path("out") / f"{path.stem}.docx")).paragraphs)
    assert "—万元" not in body and "较年初预算—" not in body and "较预算—" not in body
    if template == "default":  # the 年初预算 sentence says in words that there is none
        assert "年初预算数未填报，以下按决算数反映。" in body


def test_a_part_typed_without_its_sibling_prints_as_typed_and_is_told_once() -> None:
    """公用经费 上年 272.20 without 人员经费 上年: 基本支出 上年 has no figure (no partial sum), one W_PARTS_MISSING,
    and --strict builds, since every figure printed is right."""
    wb = openpyxl.load_workbook(TOWNSHIP_SAMPLE)
    ws = wb[B.name]
    for row in ("personnel", "basic"):
        ws[form_cell(B, row, "prior")] = None
    wb[schema.BASIC.name][form_cell(schema.BASIC, "report_date", "value")] = dt.date(2024, 3, 31)
    wb.save("2023.xlsx")
    found = findings(Path("2023.xlsx"), "-t", "township")
    parts = [f for f in found if f["code"] == "W_PARTS_MISSING"]
    assert [(f["cell"], f["message"]) for f in parts] == [
        (
            form_cell(B, "basic", "prior"),
            "“基本支出”的上年决算数未填写，其组成项只填了“公用经费”，缺“人员经费”：不按部分之和计算，该数空缺",
        )
    ]
    result = runner.invoke(app, ["build", "2023.xlsx", "-t", "township", "-o", "out", "--strict"])
    assert result.exit_code == 0, result.output
    context: dict[str, Any] = dict(load_context(Path("2023.xlsx"), profile=resolve_profile("township"))[0])
    assert context["budget"]["prior"]["public"] == Decimal("272.2")  # as typed
    assert context["budget"]["prior"]["basic"] is None  # never 272.2 alone
    assert "basic" not in context["yoy"]["budget"]
    public = next(r for r in context["basic_data"]["rows"] if r["label"] == "公用经费")
    assert public["prior"] == Decimal("272.2")
