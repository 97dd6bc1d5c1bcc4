"""One round of checking (issue 17 §2): while an error stands, validate still lists every warning that can be computed
beside it, errors first, and none that the blocked cell could have fed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.model import schema
from pipeline.session import validate

from .conftest import SAMPLE, list_column

runner = CliRunner()
Edit = Callable[[openpyxl.Workbook], None]


def _findings(path: Path) -> list[tuple[str, str, str, str]]:
    (inspection,) = validate([path])
    return [(f.severity, f.code, f.sheet, f.cell) for f in inspection.findings]


@pytest.fixture(scope="module")
def sample_warnings() -> set[tuple[str, str, str]]:
    return {(code, sheet, cell) for severity, code, sheet, cell in _findings(SAMPLE) if severity == "warning"}


def _set(sheet: str, cell: str, value: object) -> Edit:
    def edit(wb: openpyxl.Workbook) -> None:
        wb[sheet][cell] = value

    return edit


KPI_SCORE = f"{openpyxl.utils.get_column_letter(list_column(schema.KPIS, 'score'))}3"
KPI_LEVEL1 = f"{openpyxl.utils.get_column_letter(list_column(schema.KPIS, 'level1'))}3"

EDITS: dict[str, Edit] = {
    "text in an amount": _set("政府采购", "C4", "约一百"),
    "blank unit name": _set("基本信息", "B3", None),
    "text in a budget figure": _set("收支预决算", "C5", "见附表"),
    "a level not in the dropdown": _set("绩效指标", KPI_LEVEL1, "产出"),
    "text in a score": _set("绩效指标", KPI_SCORE, "满分"),
    "a negative asset": _set("资产", "B3", -5),
}


@pytest.mark.parametrize("name", list(EDITS))
def test_warnings_beside_an_error_are_the_ones_it_cannot_have_fed(
    name: str, tmp_path: Path, sample_warnings: set[tuple[str, str, str]]
) -> None:
    wb = openpyxl.load_workbook(SAMPLE)
    EDITS[name](wb)
    path = tmp_path / "2022.xlsx"
    wb.save(path)
    found = _findings(path)
    severities = [s for s, *_ in found]
    assert "error" in severities
    assert severities == sorted(severities, key=lambda s: s != "error")  # errors first
    warnings = {(code, sheet, cell) for severity, code, sheet, cell in found if severity == "warning"}
    assert warnings <= sample_warnings, warnings - sample_warnings  # nothing the blank cell made up
    texts = {w for w in sample_warnings if w[1] == "文字"}
    assert texts <= warnings  # proofreading never depends on a figure
    assert len(warnings) >= len(sample_warnings) - 4  # only the few the blocked cell could feed are left out


def test_an_error_no_longer_hides_a_score_over_its_points_or_yuan_under_wanyuan(tmp_path: Path) -> None:
    """The issue's clerk: an error in 政府采购, a 得分 over its 分值 and an amount typed in 元 are told in one run."""
    wb = openpyxl.load_workbook(SAMPLE)
    wb["政府采购"]["C4"] = "约一百"
    wb["绩效指标"][KPI_SCORE] = 99
    wb["三公经费"]["B4"] = 120000  # 元 typed under 万元
    path = tmp_path / "2022.xlsx"
    wb.save(path)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1
    assert "C4 错误 [E_NOT_NUMBER] 应为数字，实际为“约一百”" in result.stdout
    assert f"{KPI_SCORE} 警告 [W_SCORE_EXCEEDS]" in result.stdout
    assert "B4 警告 [W_UNIT_SUSPECT]" in result.stdout
    build = runner.invoke(app, ["build", str(path), "-o", "out"])
    assert build.exit_code == 1 and "W_SCORE_EXCEEDS" not in build.stderr  # the refusal names the error
    assert not Path("out/2022.docx").exists()


def test_a_missing_sheet_still_stops_the_checks(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(SAMPLE)
    del wb["收支预决算"]
    path = tmp_path / "2022.xlsx"
    wb.save(path)
    found = _findings(path)
    assert ("error", "E_SHEET_MISSING", "收支预决算", "") in found
    assert not [f for f in found if f[1] == "W_SUM_MISMATCH"]  # no figure is where it is expected
