"""Values no report may print: Excel error values, TRUE/FALSE, numbers only exponent form can show, −0."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.findings import codes
from pipeline.model import schema
from pipeline.model.schema import Kind
from pipeline.workbook.convert import CONVERTERS, WrongValue, shown

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


# Issue 16 §4: no byte of a cell ends in a traceback, and every message quotes what the cell holds.

NUMBER_KINDS = (Kind.MONEY, Kind.DECIMAL, Kind.INT, Kind.YEAR, Kind.PERCENT, Kind.NUMBER_OR_TEXT)


@pytest.mark.parametrize("kind", NUMBER_KINDS, ids=lambda k: k.name)
@pytest.mark.parametrize("text", ["1e999999999", "-1e999999999", "1E+1000000", "1e-999999999", "９e999999999"])
def test_exponents_beyond_the_decimal_context_are_too_large_not_overflow(kind: Kind, text: str) -> None:
    traps = decimal.Context(traps=[decimal.Overflow, decimal.InvalidOperation])
    with decimal.localcontext(traps), pytest.raises(WrongValue) as raised:
        CONVERTERS[kind](text, "General", Decimal(1))
    assert raised.value.code is codes.E_TOO_LARGE
    assert raised.value.message == f"数值过大、过小或无效：“{text}”"


@pytest.mark.parametrize("kind", list(Kind), ids=lambda k: k.name)
@pytest.mark.parametrize(
    ("value", "quoted"),
    [
        (dt.time(12, 0), "时间 12:00:00"),
        (dt.time(8, 30, 15), "时间 8:30:15"),
        (dt.timedelta(days=3), "时长 72:00:00"),
        (dt.timedelta(hours=-5), "时长 -5:00:00"),
    ],
)
def test_times_and_durations_are_refused_in_every_kind_of_cell(kind: Kind, value: object, quoted: str) -> None:
    with pytest.raises(WrongValue) as raised:
        CONVERTERS[kind](value, "h:mm:ss", Decimal(1))
    assert raised.value.code is codes.E_TIME_VALUE
    assert raised.value.message.endswith(f"，实际为“{quoted}”")
    assert shown(value) == quoted


@pytest.mark.parametrize(
    ("typed", "text", "fixes"),
    [
        ("单位_xD800_名称", "单位名称", ["已删除无法显示和保存的无效字符（_xD800_）"]),
        ("_xDFFF_尾_xDC00_", "尾", ["已删除无法显示和保存的无效字符（_xDC00_、_xDFFF_）"]),
        ("笑脸_xD83D__xDE00_", "笑脸😀", []),  # both halves of one character: that character
        ("_x005F_xD800_", "_xD800_", []),  # a literal “_xD800_” as Excel stores it
    ],
)
def test_lone_surrogates_are_removed_with_a_warning(typed: str, text: str, fixes: list[str]) -> None:
    assert CONVERTERS[Kind.TEXT](typed, "General", Decimal(1)) == (text, fixes)
    shown(typed).encode("utf-8")  # a message quoting it prints anywhere


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        (Kind.YEAR, "二〇二二年", "应为整数，实际为“二〇二二年”"),
        (Kind.PERCENT, True, "应为百分比，实际为“TRUE”"),
        (Kind.PERCENT, "约22%", "应为百分比，实际为“约22%”"),
        (Kind.PERCENT, dt.date(2022, 12, 31), "应为百分比，实际为“日期 2022-12-31”"),
    ],
)
def test_messages_quote_the_cell_not_a_part_of_it(kind: Kind, value: object, message: str) -> None:
    with pytest.raises(WrongValue) as raised:
        CONVERTERS[kind](value, "General", Decimal(1))
    assert raised.value.message == message


def test_a_percentage_in_full_width_is_read_with_a_warning() -> None:
    assert CONVERTERS[Kind.PERCENT]("２２.５％ ", "General", Decimal(1)) == (
        Decimal("0.225"),
        ["全角字符已转为半角", "已去除首尾空格"],
    )


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("B3:C3", "“已支付”与同一行的其他单元格合并在一起，无法确定各列的值；请取消合并，分别填写"),
        (
            "B2:B3",
            "合并单元格从第2行一直合并到了第3行以下的数据行，“项目总造价（预算）”的值无法确定；请取消合并，分别填写",
        ),
        (
            "H3:I4",
            "“全年预算数”“全年执行数”的单元格合并跨了 2 行（第3至4行），无法确定每一行的值；请取消合并，分别填写",
        ),
    ],
)
def test_a_merge_that_would_copy_a_figure_is_an_error_at_the_range(
    edited_sample: Callable[..., Path], ref: str, message: str
) -> None:
    def edit(wb: openpyxl.Workbook) -> None:
        wb[schema.PROJECTS.name].merge_cells(ref)

    assert findings(edited_sample(edit, "2022.xlsx")) == [("E_MERGED_CELLS", schema.PROJECTS.name, ref, message)]


def test_text_merged_down_over_records_is_each_records_text(edited_sample: Callable[..., Path]) -> None:
    """进度状态 merged over the three projects: a layout, not a fault (the value is each project's)."""

    def edit(wb: openpyxl.Workbook) -> None:
        wb[schema.PROJECTS.name].merge_cells("D3:D5")

    assert findings(edited_sample(edit, "2022.xlsx")) == []


def test_a_merge_over_two_fields_of_a_form_is_an_error_at_the_range(edited_sample: Callable[..., Path]) -> None:
    """Each row of a form is a field of its own: 单位名称 merged down over 单位简称 is no value for either."""

    def edit(wb: openpyxl.Workbook) -> None:
        wb[schema.BASIC.name].merge_cells(f"{NAME}:{SHORT}")

    assert findings(edited_sample(edit, "2022.xlsx")) == [
        (
            "E_MERGED_CELLS",
            schema.BASIC.name,
            f"{NAME}:{SHORT}",
            "“单位简称”与其他单元格合并在一起，无法确定它的值；请取消合并，分别填写",
        )
    ]
