"""The PDF's pages as a finance officer reads them before submitting: GB/T 9704 page numbers, no page of table
headers alone. Needs LibreOffice and poppler (skipped with the reason outside CI, failing in CI)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.session import load_context

from .conftest import SAMPLE
from .test_formats import needs_office

runner = CliRunner()
CHAR_PT = 14  # 四号: the page number sits one character in from the text block's edge
MARGIN_LEFT_PT, MARGIN_RIGHT_PT = 28 / 25.4 * 72, 26 / 25.4 * 72


@pytest.fixture(scope="module")
def sample_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pdf")
    shutil.copy(SAMPLE, folder / "2022.xlsx")
    result = runner.invoke(app, ["build", str(folder / "2022.xlsx"), "--format", "pdf", "-o", str(folder)])
    assert result.exit_code == 0, result.output
    return folder / "2022.pdf"


def pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


@needs_office
def test_page_numbers_right_on_odd_pages_and_left_on_even(sample_pdf: Path) -> None:
    bbox = subprocess.run(["pdftotext", "-bbox", str(sample_pdf), "-"], capture_output=True, text=True, check=True)
    found = re.findall(
        r'<page width="([\d.]+)" height="([\d.]+)"|<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)"[^>]*>—</word>',
        bbox.stdout,
    )
    dashes: list[list[tuple[float, float]]] = []
    width = height = 0.0
    for page_width, page_height, x_min, y_min, x_max in found:
        if page_width:
            width, height = float(page_width), float(page_height)
            dashes.append([])
        elif float(y_min) > height - 35 / 25.4 * 72:  # below the text block: the footer, not a "—" in a table
            dashes[-1].append((float(x_min), float(x_max)))
    assert len(dashes) > 10
    for number, marks in enumerate(dashes, start=1):
        assert len(marks) == 2, f"page {number}: “— N —” expected, found {marks}"
        if number % 2:
            assert abs(marks[1][1] - (width - MARGIN_RIGHT_PT - CHAR_PT)) < 3, f"page {number} is not right"
        else:
            assert abs(marks[0][0] - (MARGIN_LEFT_PT + CHAR_PT)) < 3, f"page {number} is not left"


@needs_office
def test_no_page_holds_only_table_headers(sample_pdf: Path) -> None:
    context, _ = load_context(SAMPLE)
    indicators = [k["level3"] for k in context["kpis"]]
    for number, text in enumerate(pages(sample_pdf), start=1):
        if "三级指标" in text:  # the indicator table's header, repeated on each page it runs over
            assert any(name[:4] in text for name in indicators), f"page {number} holds the header and no indicator"
