"""``genreport context``: the exact template context as JSON, amounts as exact decimal strings."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.context import build_context
from pipeline.derive import derive
from pipeline.session import load_report
from pipeline.template.profile import default_rules

from .conftest import SAMPLE

runner = CliRunner()


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in _leaves(v)]
    return [value]


def test_the_sample_context_as_json() -> None:
    shutil.copy(SAMPLE, "2022.xlsx")
    result = runner.invoke(app, ["context", "2022.xlsx"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    report, _ = load_report(Path("2022.xlsx"))
    assert set(data) == set(build_context(derive(report, default_rules())))
    assert data["budget"]["actual"]["expense_total"] == "12678.39"
    assert data["evaluation"]["grade"] == "优"
    assert data["offices_count_cn"] == "十五"
    assert not any(isinstance(leaf, float) for leaf in _leaves(data)), "money is never a float"


def test_a_workbook_with_errors_prints_them_and_no_context() -> None:
    Path("broken.xlsx").write_bytes(b"not a workbook")
    result = runner.invoke(app, ["context", "broken.xlsx"])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.startswith("错误：broken.xlsx：")
