"""Golden files: the sample report's text and every finding of the sample and the bad-input corpus.

They pin behaviour through refactoring: a change that alters a sentence, a table cell or a finding fails here,
and a change made on purpose regenerates them (``pytest tests/test_golden.py --update-golden``) and says why in
its commit. Everything is produced through the CLI, so the files do not depend on internal APIs.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from typer.testing import CliRunner

from pipeline.cli import app

from . import make_corpus
from .conftest import SAMPLE, copy_sample

GOLDEN = Path(__file__).resolve().parent / "golden"
runner = CliRunner()


def document_text(path: Path) -> list[str]:
    """Every paragraph of the body, table cells included, in document order."""
    document = docx.Document(str(path))
    return [Paragraph(p, document).text for p in document.element.body.iter(qn("w:p"))]


def _compare(name: str, actual: str, update: bool) -> None:
    path = GOLDEN / name
    if update:
        path.write_text(actual, encoding="utf-8")
        return
    assert path.is_file(), f"{path} is missing: run pytest tests/test_golden.py --update-golden"
    expected = path.read_text(encoding="utf-8")
    assert actual.splitlines() == expected.splitlines(), f"{name} differs from the golden file"


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def test_sample_report_text(tmp_path: Path, update_golden: bool) -> None:
    result = runner.invoke(app, ["build", str(SAMPLE), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    _compare("sample_report.txt", "\n".join(document_text(tmp_path / "2022.docx")) + "\n", update_golden)


def _findings(folder: Path, name: str) -> list[dict[str, str]]:
    with contextlib.chdir(folder):
        result = runner.invoke(app, ["validate", name, "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    return [{k: f[k] for k in ("severity", "code", "sheet", "cell", "message")} for f in json.loads(result.stdout)]


def test_findings_of_sample_and_corpus(tmp_path: Path, update_golden: bool) -> None:
    copy_sample(tmp_path / "2022.xlsx")
    cases = {"2022.xlsx": _findings(tmp_path, "2022.xlsx")}
    for name in make_corpus.CASES:
        module = make_corpus.OPTIONAL.get(name)
        if module:
            pytest.importorskip(module)
        folder = tmp_path / Path(name).stem
        folder.mkdir()
        make_corpus.write_case(name, folder)
        cases[name] = _findings(folder, name)
    _compare("findings.json", json.dumps(cases, ensure_ascii=False, indent=1) + "\n", update_golden)
