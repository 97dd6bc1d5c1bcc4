"""``make bench`` (bench/run_all.py) at its smallest size: every part of issue 19's measurement gets a line with a
figure and a verdict in the run's own results file, the temporary folder is left as it was, and the tracked
bench/RESULTS.md is not touched. The figures themselves are never asserted (speed is measured, not tested)."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

DRIVER = ROOT / "bench" / "run_all.py"
TRACKED = ROOT / "bench" / "RESULTS.md"
TITLES = ("1. per report", "2. one report", "3. PDFs", "4. `genreport validate`", "5. web check", "6. peak RSS")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """One run of the driver at N = 1 without the web and PDF parts; → its results folder, its TMPDIR, the
    tracked results' digest before the run."""
    base = tmp_path_factory.mktemp("bench")
    out, tmp, cache = base / "out", base / "tmp", base / "cache"
    tmp.mkdir()
    before = digest(TRACKED)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BENCH_")} | {"TMPDIR": str(tmp)}
    argv = [sys.executable, str(DRIVER), "--quick", "--n", "1", "--skip", "web,pdf", "--out", str(out)]
    done = subprocess.run(
        [*argv, "--cache", str(cache)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out, tmp, before


def test_every_part_has_a_figure_and_a_verdict(quick_run: tuple[Path, Path, str]) -> None:
    out, _, _ = quick_run
    text = (out / "RESULTS.md").read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| ") and not line.startswith("| part")]
    assert len(rows) == len(TITLES), text
    for title, row in zip(TITLES, rows, strict=True):
        assert title in row, row
        if title.startswith(("3.", "5.")):
            assert "SKIPPED" in row, row  # left out by --skip, and saying so
            continue
        assert re.search(r"\*\*\d+(\.\d+)? ", row), f"no figure in {row}"
        assert re.search(r"\| (PASS|MISS)( |$)", row + " "), f"no verdict in {row}"
        assert "≤" in row or "≥" in row, f"no goal in {row}"
    # part 1 states the libraries' floor beside its goal: the most any pipeline on calamine, Jinja and zlib reaches
    assert re.search(r"the libraries' floor: \d+ \(\d+–\d+\) ms per report.*plain ÷ floor \*\*\d+\.\d\d ", text), text


def test_the_run_leaves_only_its_results(quick_run: tuple[Path, Path, str]) -> None:
    out, tmp, _ = quick_run
    assert sorted(p.name for p in out.iterdir()) == ["RESULTS.md"]
    assert list(tmp.iterdir()) == []
    assert "temporary files left by the run's processes (TMPDIR pointed into the run's folder, removed after): 0." in (
        out / "RESULTS.md"
    ).read_text(encoding="utf-8")


def test_the_tracked_results_are_untouched(quick_run: tuple[Path, Path, str]) -> None:
    _, _, before = quick_run
    assert digest(TRACKED) == before


def test_an_unknown_part_is_refused() -> None:
    done = subprocess.run(
        [sys.executable, str(DRIVER), "--skip", "webb"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "webb" in done.stderr


def test_the_stage_breakdown_names_every_stage_and_leaves_nothing(tmp_path: Path) -> None:
    """bench/bench_stages.py: each stage of a report with its ms, cold or not, and no temporary file left."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(tmp)}
    script = ROOT / "bench" / "bench_stages.py"
    for cold in ([], ["--cold"]):
        done = subprocess.run(
            [sys.executable, str(script), "--n", "2", "--cache", str(tmp_path / "books"), *cold],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        assert re.match(r"2 workbooks( \(each read cold\))?: \d+\.\d ms a report in all", done.stdout), done.stdout
        for stage in ("open_workbook", "normalize", "check_report", "build_context", "render_xml_part", "save"):
            assert re.search(rf"{stage} +\d+\.\d\d ms", done.stdout), (stage, done.stdout)
    assert list(tmp.iterdir()) == []
