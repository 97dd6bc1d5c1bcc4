"""The sample opened in a real office suite (LibreOffice): the report converts, the workbook survives a save.

``make test`` installs LibreOffice (scripts/install_office.sh). Without it these tests skip, except in CI,
where a missing office suite is a failure rather than a silent pass.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import docx
import pytest

from pipeline import build

from .conftest import SAMPLE

SOFFICE = shutil.which("soffice")
if SOFFICE is None and not os.environ.get("CI"):
    pytest.skip("LibreOffice is not installed (make test installs it)", allow_module_level=True)


def soffice(*args: str, cwd: Path) -> None:
    assert SOFFICE is not None, "CI must have LibreOffice: scripts/install_office.sh"
    env = {**os.environ, "HOME": str(cwd)}  # a private profile: parallel or repeated runs do not collide
    subprocess.run([SOFFICE, "--headless", *args], cwd=cwd, env=env, check=True, capture_output=True, timeout=240)


def test_the_report_converts_to_pdf_with_every_part(tmp_path: Path) -> None:
    [result] = build([SAMPLE], tmp_path)
    assert result.output is not None
    soffice("--convert-to", "pdf", "--outdir", str(tmp_path), str(result.output), cwd=tmp_path)
    pdf = tmp_path / "2022.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    compact = text.replace(" ", "")
    for part in (
        "2022年度部门整体支出绩效自评报告",
        "一、单位基本情况",
        "（五）其他需要说明的情况",
        "2022年度部门整体支出绩效自评表",
        "项目支出绩效自评表（2022年度）",
        "基础数据表",
        "自评等级",
        "94.00",
    ):
        assert part in compact, part
    pages = int(
        next(
            line.split()[-1]
            for line in subprocess.run(
                ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True
            ).stdout.splitlines()
            if line.startswith("Pages:")
        )
    )
    assert pages >= 18  # body and three appendices on A4 at 3号 type


def test_the_workbook_survives_a_save_in_a_spreadsheet_program(tmp_path: Path) -> None:
    """What a user's Excel/WPS does to the file (re-written XML, cached values) changes nothing in the report."""
    saved = tmp_path / "saved"
    soffice("--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(saved), str(SAMPLE), cwd=tmp_path)
    [original] = build([SAMPLE], tmp_path / "a")
    [resaved] = build([saved / "2022.xlsx"], tmp_path / "b")
    assert original.output is not None and resaved.output is not None, resaved.error
    assert [f.message for f in resaved.findings] == [f.message for f in original.findings]

    def paragraphs(path: Path) -> list[str]:
        return [p.text for p in docx.Document(str(path)).paragraphs]

    assert paragraphs(resaved.output) == paragraphs(original.output)


def test_a_spreadsheet_program_reads_the_forms_rules_as_stopping_ones(tmp_path: Path) -> None:
    """The blank form's rules, as LibreOffice Calc understood them: saved back by Calc, every dropdown and typed cell
    still refuses a wrong value (error style stop, message shown) and says why in Chinese."""
    import openpyxl

    from pipeline.model import schema
    from pipeline.workbook.blank_form import write_blank_workbook

    write_blank_workbook(tmp_path / "form.xlsx", 2023)
    saved = tmp_path / "saved"
    soffice("--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(saved), "form.xlsx", cwd=tmp_path)
    wb = openpyxl.load_workbook(saved / "form.xlsx")
    rules = {
        (ws.title, str(dv.sqref).split()[0].split(":")[0]): dv
        for ws in wb.worksheets
        for dv in ws.data_validations.dataValidation
    }
    assert rules, "Calc kept the rules"
    for (sheet, cell), dv in rules.items():
        assert dv.showErrorMessage and dv.errorStyle in (None, "stop"), (sheet, cell)  # stop is the default style
        assert dv.error and any("\u4e00" <= ch <= "\u9fff" for ch in dv.error), (sheet, cell)
    amount = rules[(schema.BUDGET.name, "B3")]
    assert (amount.type, amount.operator, float(amount.formula1)) == ("decimal", "between", 0.0)
    assert any(dv.type == "list" for (sheet, _), dv in rules.items() if sheet == schema.KPIS.name)


def test_the_blank_form_prints_every_column_on_a4(tmp_path: Path) -> None:
    """Printed (LibreOffice's PDF), each sheet fits the page width: the 填报说明 shows all six columns, its header
    repeats, and the blank form is a handful of pages, not 43 with the type column cut."""
    from pipeline.workbook.blank_form import write_blank_workbook

    write_blank_workbook(tmp_path / "form.xlsx", 2023)
    soffice("--convert-to", "pdf", "--outdir", str(tmp_path), "form.xlsx", cwd=tmp_path)
    info = subprocess.run(["pdfinfo", "form.pdf"], cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages <= 25, pages
    first, second = (
        subprocess.run(
            ["pdftotext", "-f", str(n), "-l", str(n), "-layout", "form.pdf", "-"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for n in (1, 2)
    )
    for header in ("工作表", "字段", "类型", "必填", "可选值", "说明"):
        assert header in first and header in second, header
