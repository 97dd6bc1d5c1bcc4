"""Values no report may print: Excel error values, TRUE/FALSE, numbers only exponent form can show, −0."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.model import schema

from . import make_corpus
from .conftest import SAMPLE, form_cell
from .test_golden import document_text

runner = CliRunner()
NAME = form_cell(schema.BASIC, "name", "value")
SHORT = form_cell(schema.BASIC, "short_name", "value")
SUPERVISOR = form_cell(schema.BASIC, "supervisor", "value")
GOODS = form_cell(schema.PROCUREMENT, "goods", "actual")


def findings(path: Path) -> list[tuple[str, str, str, str]]:
    result = runner.invoke(app, ["validate", str(path), "--format", "json"])
    return [
        (f["code"], f["sheet"], f["cell"], f["message"]) for f in json.loads(result.stdout) if f["severity"] == "error"
    ]


def set_basic(cell: str, value: object) -> Callable[[openpyxl.Workbook], None]:
    def edit(wb: openpyxl.Workbook) -> None:
        wb[schema.BASIC.name][cell] = value

    return edit


@pytest.mark.parametrize(
    ("cell", "value", "expected"),
    [
        (NAME, "#DIV/0!", ("E_ERROR_VALUE", "单元格为 Excel 错误值“#DIV/0!”，请改正公式或填写实际的值")),
        (NAME, "#N/A", ("E_ERROR_VALUE", "单元格为 Excel 错误值“#N/A”，请改正公式或填写实际的值")),
        (SHORT, True, ("E_NOT_TEXT", "应为文本，实际为逻辑值“TRUE”")),
        (SHORT, 1e-12, ("E_NOT_TEXT", "应为文本，实际为数值“1E-12”")),
        (SHORT, 1e308, ("E_NOT_TEXT", "应为文本，实际为数值“1E+308”")),
        (SUPERVISOR, False, ("E_NOT_TEXT", "应为文本，实际为逻辑值“FALSE”")),
    ],
)
def test_values_that_cannot_print_are_errors_at_their_cell(
    edited_sample: Callable[..., Path], cell: str, value: object, expected: tuple[str, str]
) -> None:
    path = edited_sample(set_basic(cell, value), "2022.xlsx")
    assert findings(path) == [(expected[0], schema.BASIC.name, cell, expected[1])]


def test_a_formula_whose_saved_result_is_an_error(edited_sample: Callable[..., Path], tmp_path: Path) -> None:
    """Excel saves =1/0 with its result #DIV/0! as an error-typed cached value."""
    path = edited_sample(set_basic(NAME, "=1/0"), "formula.xlsx")
    part = make_corpus._sheet_part(schema.BASIC.name)
    pattern = re.compile(rf'<c r="{NAME}"([^>]*)><f>1/0</f><v\s*/?>(</v>)?</c>'.encode())

    def cache_error(name: str, content: bytes) -> bytes:
        if name != part:
            return content
        changed, count = pattern.subn(rf'<c r="{NAME}" t="e"><f>1/0</f><v>#DIV/0!</v></c>'.encode(), content)
        assert count == 1
        return changed

    target = tmp_path / "2022.xlsx"
    target.write_bytes(make_corpus._rezip(path.read_bytes(), cache_error))
    assert findings(target) == [
        ("E_ERROR_VALUE", schema.BASIC.name, NAME, "单元格为 Excel 错误值“#DIV/0!”，请改正公式或填写实际的值")
    ]


def test_a_number_in_a_text_cell_prints_as_excel_shows_it(edited_sample: Callable[..., Path]) -> None:
    path = edited_sample(set_basic(SHORT, 0.1 + 0.2), "2022.xlsx")
    result = runner.invoke(app, ["build", str(path), "-o", "out"])
    assert result.exit_code == 0, result.output
    text = "\n".join(document_text(Path("out/2022.docx")))
    assert "0.3" in text and "0.30000000000000004" not in text


def test_minus_zero_prints_as_zero(edited_sample: Callable[..., Path]) -> None:
    def edit(wb: openpyxl.Workbook) -> None:
        ws = wb[schema.PROCUREMENT.name]
        ws[GOODS] = -0.0
        ws[form_cell(schema.PROCUREMENT, "total", "actual")] = None

    path = edited_sample(edit, "2022.xlsx")
    result = runner.invoke(app, ["build", str(path), "-o", "out"])
    assert result.exit_code == 0, result.output
    assert "-0.00" not in "\n".join(document_text(Path("out/2022.docx")))


def test_a_long_value_outside_the_choices_is_quoted_short(edited_sample: Callable[..., Path]) -> None:
    """A paragraph pasted into the 章节 column must not become a 3,000-character message."""

    def edit(wb: openpyxl.Workbook) -> None:
        wb[schema.TEXTS.name]["A3"] = "很长的段落" * 600

    [(code, sheet, cell, message)] = findings(edited_sample(edit, "2022.xlsx"))
    assert (code, sheet, cell) == ("E_CHOICE", schema.TEXTS.name, "A3")
    assert message.endswith("之一，实际为“" + ("很长的段落" * 8) + "…”")


def test_a_list_field_named_unit_has_its_place() -> None:
    """A KPI's 计量单位 is a field like any other; only a form's "unit" is its sheet's 金额单位."""
    from pipeline.session import load_report

    report, _ = load_report(SAMPLE)
    kpi = next(iter(report.kpis))
    assert kpi.place("unit").cell == f"{report.kpis.letters['unit']}{kpi.row}"
    with pytest.raises(KeyError):
        report.assets.place("unit")
