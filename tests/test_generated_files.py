"""Committed generated files (template, sample workbook, docs) match the scripts that make them."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl

from pipeline.schema_docs import workbook_markdown

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
    assert [line.split("：")[0] for line in proc.stderr.splitlines()] == ["警告"] * 5  # the published figures' faults
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["2022.docx"]


def test_every_context_field_is_documented() -> None:
    from pipeline.context import build_context
    from pipeline.derive import derive
    from pipeline.profile import default_rules
    from pipeline.session import load_report

    doc = (ROOT / "docs" / "template.md").read_text(encoding="utf-8")
    report, _ = load_report(SAMPLE)
    for key in build_context(derive(report, default_rules())):
        assert f"`{key}" in doc, f"docs/template.md does not document {key}"


def test_records_module_is_what_the_schema_generates() -> None:
    """pipeline/records.py is generated from the schema (scripts/make_docs.py), never edited by hand."""
    import runpy

    make_docs = runpy.run_path(str(ROOT / "scripts" / "make_docs.py"))
    from pipeline.schema_records import records_source

    expected = make_docs["formatted"](records_source(), "pipeline/records.py")
    assert (ROOT / "pipeline" / "records.py").read_text(encoding="utf-8") == expected, (
        "run: python scripts/make_docs.py"
    )
