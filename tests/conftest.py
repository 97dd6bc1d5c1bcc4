"""Shared fixtures: the sample workbook, a built sample report, and edited copies of the sample."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import docx
import openpyxl
import pytest

from pipeline import build
from pipeline.model import schema
from pipeline.model.schema import ListSheet

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "inputs" / "2022.xlsx"


@pytest.fixture(autouse=True)
def _isolated_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs in its own folder, so nothing ever writes into the repo's outputs/."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def sample_report(tmp_path_factory: pytest.TempPathFactory) -> docx.document.Document:
    out = tmp_path_factory.mktemp("sample")
    [result] = build([SAMPLE], out)
    assert result.ok, result.error
    assert result.output is not None
    return docx.Document(str(result.output))


@pytest.fixture(scope="session")
def sample_text(sample_report: docx.document.Document) -> str:
    return "\n".join(p.text for p in sample_report.paragraphs)


Editor = Callable[[openpyxl.Workbook], None]


@pytest.fixture
def edited_sample(tmp_path: Path) -> Iterator[Callable[..., Path]]:
    """Copy the sample, apply ``edit(wb)`` with openpyxl, save as ``name``; returns the path."""

    def make(edit: Editor, name: str = "edited.xlsx") -> Path:
        wb = openpyxl.load_workbook(SAMPLE)
        edit(wb)
        path = tmp_path / name
        wb.save(path)
        return path

    yield make


form_cell = schema.form_cell


def list_column(sheet: ListSheet, key: str) -> int:
    return 1 + [f.key for f in sheet.columns].index(key)


def copy_sample(dest: Path) -> Path:
    shutil.copy(SAMPLE, dest)
    return dest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/ from the current output")


def pytest_configure(config: pytest.Config) -> None:
    """One cache folder for the whole run (the controller's, inherited by xdist's workers): tests start cold and
    leave nothing in the user's ~/.cache (pipeline/cache.py)."""
    import os
    import tempfile

    if "GENREPORT_CACHE_DIR" not in os.environ:
        os.environ["GENREPORT_CACHE_DIR"] = tempfile.mkdtemp(prefix="genreport-test-cache-")
