"""One job's budget (pipeline/budget.py): a workbook that needs too much memory or time ends in a Chinese message
naming it and the limit, the other workbooks go on, and the limits are put back after the job."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.budget import Budget, BudgetExceeded, within
from pipeline.cli import app

from .conftest import ROOT, SAMPLE

GENREPORT = Path(sys.executable).with_name("genreport")


def run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(GENREPORT), *args], cwd=cwd, capture_output=True, text=True, timeout=120, env={**os.environ, **env}
    )


def test_a_job_over_its_memory_budget_is_refused_by_name(tmp_path: Path) -> None:
    shutil.copy(SAMPLE, tmp_path / "2022.xlsx")
    out = run(["build", "2022.xlsx", "-o", "out"], tmp_path, GENREPORT_JOB_MEMORY_MB="1")
    assert out.returncode == 1, out.stderr
    assert "2022.xlsx：内存超过上限 1 MB，已停止处理这个工作簿" in out.stderr
    assert "Traceback" not in out.stderr + out.stdout
    assert not (tmp_path / "out" / "2022.docx").exists()


def test_a_job_over_its_time_budget_is_refused_by_name(tmp_path: Path) -> None:
    shutil.copy(SAMPLE, tmp_path / "2022.xlsx")
    out = run(["build", "2022.xlsx", "-o", "out"], tmp_path, GENREPORT_JOB_SECONDS="0.001")
    assert out.returncode == 1, out.stderr
    assert "2022.xlsx：处理时间超过上限 0.001 秒" in out.stderr
    assert "Traceback" not in out.stderr + out.stdout


def test_validate_lists_the_budget_as_the_workbooks_error(tmp_path: Path) -> None:
    shutil.copy(SAMPLE, tmp_path / "2022.xlsx")
    out = run(["validate", "2022.xlsx", "--format", "json"], tmp_path, GENREPORT_JOB_SECONDS="0.001")
    assert out.returncode == 1
    assert '"code": "E_JOB_LIMIT"' in out.stdout


def test_in_a_batch_the_other_workbooks_go_on(tmp_path: Path) -> None:
    """Two workers, each job under its own budget: a budget every job exceeds fails each by name."""
    for name in ("a.xlsx", "b.xlsx"):
        shutil.copy(SAMPLE, tmp_path / name)
    out = run(["build", "a.xlsx", "b.xlsx", "-o", "out", "-j", "2"], tmp_path, GENREPORT_JOB_SECONDS="0.001")
    assert out.returncode == 1
    assert "a.xlsx：处理时间超过上限" in out.stderr and "b.xlsx：处理时间超过上限" in out.stderr
    assert "Traceback" not in out.stderr


def test_the_limits_are_put_back_after_a_job(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = resource.getrlimit(resource.RLIMIT_AS)
    monkeypatch.chdir(tmp_path)
    shutil.copy(SAMPLE, "2022.xlsx")
    result = CliRunner().invoke(app, ["build", "2022.xlsx", "-o", "out"])
    assert result.exit_code == 0, result.output
    assert resource.getrlimit(resource.RLIMIT_AS) == before


def test_within_raises_budget_exceeded_and_restores() -> None:
    before = resource.getrlimit(resource.RLIMIT_AS)
    with pytest.raises(BudgetExceeded, match="内存超过上限 8 MB"), within("x.xlsx", Budget(8, 60)):
        _ = bytearray(64 * 2**20)
    assert resource.getrlimit(resource.RLIMIT_AS) == before
    with within("x.xlsx", Budget(8, 60)):
        pass  # a job within its budget


def test_outside_the_main_thread_nothing_is_set() -> None:
    seen: list[tuple[int, int]] = []

    def job() -> None:
        with within("x.xlsx", Budget(1, 0.001)):
            seen.append(resource.getrlimit(resource.RLIMIT_AS))

    thread = threading.Thread(target=job)
    thread.start()
    thread.join()
    assert seen == [resource.getrlimit(resource.RLIMIT_AS)]


def test_a_budget_never_raises_the_soft_limit_it_runs_under() -> None:
    """A web job's memory limit is a soft one (web/jobs.py, so that a reused process can set the next job's): the
    build's budget inside it stays under it, however much the budget itself would allow."""
    code = (
        "import resource\n"
        "from pipeline import budget\n"
        "current = budget.address_space()\n"
        "soft = current + 200 * 2**20\n"
        "resource.setrlimit(resource.RLIMIT_AS, (soft, resource.RLIM_INFINITY))\n"
        "memory = budget._limit_memory(100_000)\n"
        "print(memory.limit <= soft, resource.getrlimit(resource.RLIMIT_AS)[0] <= soft)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "True"]
