"""Committed generated files (template, sample workbook, docs) match the scripts that make them."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from pipeline.make.summary_guide import summary_guide_markdown
from pipeline.make.template_guide import UndocumentedFields, field_rows, guide_markdown, sample_context
from pipeline.make.workbook_docs import workbook_markdown

from .conftest import ROOT, SAMPLE

sys.path.insert(0, str(ROOT / "scripts"))

import make_sample
import make_template


def parts(path: Path, names: tuple[str, ...]) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in names}


def test_default_template_is_what_the_script_makes(tmp_path: Path) -> None:
    fresh = tmp_path / "report.docx"
    make_template.build().save(str(fresh))
    names = ("word/document.xml", "word/styles.xml", "word/footer1.xml")
    committed = ROOT / "templates" / "default" / "report.docx"
    assert parts(fresh, names) == parts(committed, names), "run: python scripts/make_template.py"


def values(wb: openpyxl.Workbook) -> dict[str, list[tuple[object, ...]]]:
    return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def test_sample_workbook_is_what_the_script_makes(tmp_path: Path) -> None:
    make_sample.build().save(tmp_path / "fresh.xlsx")
    fresh = openpyxl.load_workbook(tmp_path / "fresh.xlsx")
    assert values(openpyxl.load_workbook(SAMPLE)) == values(fresh), "run: python scripts/make_sample.py"


def test_workbook_docs_are_current() -> None:
    committed = (ROOT / "docs" / "workbook.md").read_text(encoding="utf-8")
    assert committed == workbook_markdown(), "run: python scripts/make_docs.py"


def test_console_script_builds_the_sample(tmp_path: Path) -> None:
    """The installed entry point, in a real process, as the README tells a user to run it."""
    genreport = Path(sys.executable).parent / "genreport"
    proc = subprocess.run(
        [str(genreport), "build", str(SAMPLE), "-o", "out"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("已生成 out/2022.docx（")
    # the published figures' faults (5) and the slips of its typed text (14: tests/test_proofreading.py)
    assert [line.split("：")[0] for line in proc.stderr.splitlines()] == ["警告"] * 31
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["2022.docx"]


def test_summary_guide_is_current() -> None:
    committed = (ROOT / "docs" / "summary-guide.md").read_text(encoding="utf-8")
    assert committed == summary_guide_markdown(), "run: python scripts/make_docs.py"


def test_template_guide_is_current() -> None:
    committed = (ROOT / "docs" / "template-guide.md").read_text(encoding="utf-8")
    assert committed == guide_markdown(sample_context(ROOT)), "run: python scripts/make_docs.py"


def test_every_context_field_filter_and_setting_is_in_the_guide() -> None:
    from pipeline.render.filters import FILTERS
    from pipeline.template.settings import SETTINGS

    context = sample_context(ROOT)
    guide = guide_markdown(context)
    for key in context:
        assert f"`{key}" in guide, f"docs/template-guide.md does not document {key}"
    for row in field_rows(context):
        assert f"| `{row.path}` |" in guide
    for f in FILTERS:
        assert f"### {f.name}\n" in guide
    for s in SETTINGS:
        assert f"| `{s.key}` |" in guide
    assert str(ROOT) not in guide  # the same text on every machine


def test_a_new_context_field_without_a_meaning_fails_the_generator() -> None:
    """A key added to the context must be explained in MEANINGS (or be a workbook figure) before docs build."""
    context = sample_context(ROOT)
    with pytest.raises(UndocumentedFields) as caught:
        field_rows({**context, "mystery": "x", "unit": {**context["unit"], "nickname": "y"}})
    assert sorted(caught.value.paths) == ["mystery", "unit.nickname"]
    # an amount, a ratio or an absent value must also say which it is: the guide prints its unit
    with pytest.raises(UndocumentedFields, match=r"shares\.extra"):
        field_rows({**context, "shares": {**context["shares"], "extra": Decimal("0.5")}})
    with pytest.raises(UndocumentedFields, match=r"basic_data\.maybe"):
        field_rows({**context, "basic_data": {**context["basic_data"], "maybe": None}})


def test_documented_fields_take_their_label_from_the_schema() -> None:
    rows = {row.path: row for row in field_rows(sample_context(ROOT))}
    total = rows["budget.actual.expense_total"]
    assert (total.meaning, total.kind, total.unit, total.sample) == (
        "收支预决算 › 全年执行数 › 支出合计",
        "金额",
        "万元",
        "12678.39",
    )
    assert rows["shares.basic"].sample == "0.2140…"
    assert rows["staffing[].quota"].meaning == "人员编制 › 编制数"


def test_records_module_is_what_the_schema_generates() -> None:
    """pipeline/model/records.py is generated from the schema (scripts/make_docs.py), never edited by hand."""
    import runpy

    make_docs = runpy.run_path(str(ROOT / "scripts" / "make_docs.py"))
    from pipeline.make.records import records_source

    expected = make_docs["formatted"](records_source(), "pipeline/model/records.py")
    assert (ROOT / "pipeline" / "model" / "records.py").read_text(encoding="utf-8") == expected, (
        "run: python scripts/make_docs.py"
    )
