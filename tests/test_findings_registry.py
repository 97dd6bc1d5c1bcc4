"""Finding codes are declared once (pipeline/findings/codes.py): every code used exists, docs and explain come from it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.findings import codes
from pipeline.findings.docs import findings_markdown

from .conftest import ROOT

runner = CliRunner()
PIPELINE = ROOT / "pipeline"


def _used_codes() -> set[str]:
    used: set[str] = set()
    for path in PIPELINE.rglob("*.py"):
        if path.name != "codes.py":
            used |= set(re.findall(r"\bcodes\.([EW]_[A-Z_]+)\b", path.read_text(encoding="utf-8")))
    return used


def test_every_code_used_is_declared_and_every_declared_code_is_used() -> None:
    declared = {c.code for c in codes.ALL}
    assert len(declared) == len(codes.ALL), "a code is declared twice"
    assert _used_codes() <= declared
    assert declared - _used_codes() == set(), "a declared code that nothing reports"


def test_no_code_is_a_string_literal_outside_the_registry() -> None:
    for path in PIPELINE.rglob("*.py"):
        if path.name != "codes.py":
            assert not re.search(r"[\"'][EW]_[A-Z_]{3,}[\"']", path.read_text(encoding="utf-8")), path


@pytest.mark.parametrize("code", codes.ALL, ids=lambda c: c.code)
def test_each_entry_is_complete(code: codes.Code) -> None:
    assert getattr(codes, code.code) is code
    assert code.severity is (codes.Severity.ERROR if code.code.startswith("E_") else codes.Severity.WARNING)
    for text in (code.title, code.meaning, code.fix, code.example):
        assert re.search(r"[\u4e00-\u9fff]", text), f"{code.code}: Chinese text expected"


def test_findings_doc_is_current() -> None:
    committed = (ROOT / "docs" / "findings.md").read_text(encoding="utf-8")
    assert committed == findings_markdown(), "run: python scripts/make_docs.py"


def test_explain_prints_the_entry() -> None:
    result = runner.invoke(app, ["explain", "w_sum_mismatch"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == f"W_SUM_MISMATCH  {codes.W_SUM_MISMATCH.title}"
    assert lines[1] == "级别：警告（照常生成；--strict 时不生成）"
    assert lines[2:] == [
        f"含义：{codes.W_SUM_MISMATCH.meaning}",
        f"怎么改：{codes.W_SUM_MISMATCH.fix}",
        f"示例：{codes.W_SUM_MISMATCH.example}",
    ]


def test_explain_lists_every_code_and_refuses_an_unknown_one() -> None:
    listing = runner.invoke(app, ["explain"])
    assert [line.split()[0] for line in listing.stdout.splitlines()] == [c.code for c in codes.ALL]
    unknown = runner.invoke(app, ["explain", "W_NOPE"])
    assert (unknown.exit_code, unknown.stderr) == (
        2,
        "错误：没有问题代码“W_NOPE”；genreport explain 不带参数可列出全部代码\n",
    )


def test_every_finding_the_sample_and_corpus_give_has_an_entry() -> None:
    import json

    golden = json.loads((ROOT / "tests" / "golden" / "findings.json").read_text(encoding="utf-8"))
    seen = {f["code"] for findings in golden.values() for f in findings}
    assert seen <= {c.code for c in codes.ALL}


HEAVY = ("openpyxl", "docxtpl", "docx", "lxml")
PROBE = """
import sys
from pipeline.cli import app
try:
    app(sys.argv[1:], prog_name="genreport")
except SystemExit as e:
    code = e.code
print(sorted({m.split(".")[0] for m in sys.modules} & set(sys.argv[0].split(","))), code)
"""


@pytest.mark.parametrize("args", [["--help"], ["build", "--help"], ["explain", "E_UNREADABLE"], ["--version"]])
def test_help_and_explain_load_neither_openpyxl_nor_docxtpl(args: list[str]) -> None:
    """A real process: --help and explain stay fast because the pipeline is imported inside the commands."""
    out = subprocess.run(
        [sys.executable, "-c", PROBE.replace("sys.argv[0]", repr(",".join(HEAVY))), *args],
        capture_output=True,
        text=True,
        cwd=Path(ROOT),
        check=False,
    )
    assert out.stdout.splitlines()[-1] == "[] 0", out.stdout + out.stderr
