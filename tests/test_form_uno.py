"""The blank form guards itself in a real spreadsheet program: values typed into it in LibreOffice Calc, key by key
and committed with Enter as a user does, are refused when wrong and kept when right.

tests/uno_form_input.py does the typing in LibreOffice through its UNO bridge, run with the system Python that has
LibreOffice's ``uno`` module (python3-uno; ``make test`` installs it through scripts/install_office.sh). Typing goes
through Calc's input handler, which applies each cell's validity rule; setting a value through the API would not.
Without LibreOffice or python3-uno this test skips, except in CI, where it fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from openpyxl.utils import get_column_letter
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.model import schema
from pipeline.model.schema import FIRST_DATA_ROW, ListSheet
from pipeline.workbook.blank_form import list_columns

SYSTEM_PYTHON = Path("/usr/bin/python3")
TYPIST = Path(__file__).with_name("uno_form_input.py")


def _office_with_uno() -> bool:
    if shutil.which("soffice") is None or not SYSTEM_PYTHON.exists():
        return False
    return subprocess.run([str(SYSTEM_PYTHON), "-c", "import uno"], capture_output=True).returncode == 0


HAVE_OFFICE = _office_with_uno()
if not HAVE_OFFICE and not os.environ.get("CI"):
    pytest.skip("LibreOffice with python3-uno is not installed (make test installs it)", allow_module_level=True)


def list_cell(sheet: ListSheet, key: str) -> str:
    """The first data cell of a list sheet's column, where the blank form puts it."""
    column = [f.key for f in list_columns(sheet, hints=False)].index(key) + 1
    return f"{get_column_letter(column)}{FIRST_DATA_ROW}"


LEVEL1 = list_cell(schema.KPIS, "level1")
QUOTA = list_cell(schema.STAFFING, "quota")
INCOME = schema.form_cell(schema.BUDGET, "income_total", "prior")
REPORT_DATE = schema.form_cell(schema.BASIC, "report_date", "value")
YEAR = schema.form_cell(schema.BASIC, "year", "value")
NET_ASSETS = schema.form_cell(schema.ASSETS, "net_assets", "amount")
UNIT_NAME = schema.form_cell(schema.BASIC, "name", "value")

# typed in this order; a refused entry is followed by a right one in the same cell
ENTRIES: dict[str, tuple[str, str, str]] = {
    "level1 wrong": (schema.KPIS.name, LEVEL1, "成本指标"),
    "level1 right": (schema.KPIS.name, LEVEL1, "产出指标"),
    "amount text": (schema.BUDGET.name, INCOME, "一百"),
    "amount negative": (schema.BUDGET.name, INCOME, "-5"),
    "amount right": (schema.BUDGET.name, INCOME, "100.5"),
    "count fraction": (schema.STAFFING.name, QUOTA, "1.5"),
    "count right": (schema.STAFFING.name, QUOTA, "12"),
    "date impossible": (schema.BASIC.name, REPORT_DATE, "2023-02-30"),
    "date right": (schema.BASIC.name, REPORT_DATE, "2023-03-31"),
    "year short": (schema.BASIC.name, YEAR, "23"),
    "net assets negative": (schema.ASSETS.name, NET_ASSETS, "-12.5"),
    "free text": (schema.BASIC.name, UNIT_NAME, "一百"),  # no rule: the same keys are kept where text belongs
}


@pytest.fixture(scope="module")
def typed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """What each cell holds after its entry was typed into the blank form ``genreport init`` writes."""
    assert HAVE_OFFICE, "CI must have LibreOffice and python3-uno: scripts/install_office.sh"
    folder = tmp_path_factory.mktemp("form_uno")
    form = folder / "2023.xlsx"
    result = CliRunner().invoke(app, ["init", str(form)])
    assert result.exit_code == 0, result.output
    run = subprocess.run(
        [str(SYSTEM_PYTHON), str(TYPIST), str(form), str(folder / "profile")],
        input=json.dumps(list(ENTRIES.values()), ensure_ascii=False),
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, "HOME": str(folder)},  # a private profile: parallel or repeated runs do not collide
    )
    assert run.returncode == 0, run.stderr
    return dict(zip(ENTRIES, json.loads(run.stdout), strict=True))


def refused(entry: dict[str, Any]) -> bool:
    """Calc discarded the entry: the cell holds what it held before."""
    return bool(entry["after"] == entry["before"])


@pytest.mark.parametrize(
    "case",
    ["level1 wrong", "amount text", "amount negative", "count fraction", "date impossible", "year short"],
)
def test_a_wrong_value_is_refused_with_a_stop_rule_and_its_chinese_message(
    typed: dict[str, dict[str, Any]], case: str
) -> None:
    entry = typed[case]
    assert refused(entry), entry
    assert entry["rule"]["alert"] == "STOP" and entry["rule"]["show_error"], entry["rule"]
    assert entry["rule"]["title"] == "填写有误"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in entry["rule"]["message"]), entry["rule"]


def test_a_refused_year_keeps_the_year_already_there(typed: dict[str, dict[str, Any]]) -> None:
    entry = typed["year short"]
    assert entry["before"]["value"] == entry["after"]["value"] == 2023.0
    assert entry["rule"]["message"] == "“年度”应填四位数的年份，如 2022。"


def test_the_dropdown_takes_one_of_its_choices(typed: dict[str, dict[str, Any]]) -> None:
    assert typed["level1 wrong"]["after"]["type"] == "EMPTY"
    right = typed["level1 right"]
    assert (right["after"]["type"], right["after"]["string"]) == ("TEXT", "产出指标")
    assert right["rule"]["type"] == "LIST"
    assert right["rule"]["message"] == "“一级指标”只能从下拉列表中选择：" + "、".join(schema.KPI_LEVEL1)


def test_an_amount_takes_a_number_and_net_assets_may_be_negative(typed: dict[str, dict[str, Any]]) -> None:
    amount = typed["amount right"]
    assert (amount["after"]["type"], amount["after"]["value"]) == ("VALUE", 100.5)
    assert amount["rule"]["type"] == "DECIMAL"
    net = typed["net assets negative"]
    assert (net["after"]["type"], net["after"]["value"]) == ("VALUE", -12.5)


def test_a_count_takes_a_whole_number(typed: dict[str, dict[str, Any]]) -> None:
    count = typed["count right"]
    assert (count["after"]["type"], count["after"]["value"]) == ("VALUE", 12.0)
    assert count["rule"]["type"] == "WHOLE"


def test_a_date_takes_a_real_date(typed: dict[str, dict[str, Any]]) -> None:
    date = typed["date right"]
    assert (date["after"]["type"], date["after"]["value"]) == ("VALUE", 45016.0)  # 2023-03-31, serial
    assert date["after"]["string"] == "2023年3月31日"  # the form's date format
    assert date["rule"]["type"] == "DATE"


def test_the_same_keys_are_kept_in_a_cell_without_a_rule(typed: dict[str, dict[str, Any]]) -> None:
    """The control: what the rules refuse is not lost to typing itself."""
    entry = typed["free text"]
    assert (entry["after"]["type"], entry["after"]["string"]) == ("TEXT", "一百")
