"""Atomic output: nothing open in Word is overwritten, nothing read-only, no temporary file left behind."""

from __future__ import annotations

import os
import shutil
import stat
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.errors import OutputError
from pipeline.outfile import NAME_MAX, STALE_SECONDS, atomic_write, fit_name, lock_files, scratch_beside

from .conftest import SAMPLE

runner = CliRunner()


def test_writes_atomically_with_the_umask_applied(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        atomic_write(tmp_path / "a" / "r.docx", b"data")
        assert os.umask(0o027) == 0o027, "the process umask is left as it was"
    finally:
        os.umask(old)
    target = tmp_path / "a" / "r.docx"
    assert target.read_bytes() == b"data"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [p.name for p in target.parent.iterdir()] == ["r.docx"]


@pytest.mark.parametrize("lock", ["~$2022.docx", "~$22.docx", ".~lock.2022.docx#"])
def test_a_report_open_in_word_or_wps_is_not_overwritten(tmp_path: Path, lock: str) -> None:
    target = tmp_path / "2022.docx"
    target.write_bytes(b"old")
    (tmp_path / lock).write_bytes(b"owner")
    assert tmp_path / lock in lock_files(target)
    with pytest.raises(OutputError, match="正在 Word/WPS 中打开"):
        atomic_write(target, b"new")
    assert target.read_bytes() == b"old"


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else False, reason="root may write anything")
def test_a_read_only_report_is_not_overwritten_as_user(tmp_path: Path) -> None:
    target = tmp_path / "2022.docx"
    target.write_bytes(b"old")
    target.chmod(0o444)
    with pytest.raises(OutputError, match="只读"):
        atomic_write(target, b"new")


def test_a_read_only_report_is_not_overwritten(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """os.replace would overwrite a read-only file (only the folder's permission counts); refuse first."""
    target = tmp_path / "2022.docx"
    target.write_bytes(b"old")
    target.chmod(0o444)
    monkeypatch.setattr(os, "access", lambda path, mode: Path(path) != target)
    with pytest.raises(OutputError, match="该文件是只读的"):
        atomic_write(target, b"new")
    assert target.read_bytes() == b"old"


def test_stale_temporary_files_of_a_killed_build_are_removed(tmp_path: Path) -> None:
    stale = tmp_path / ".2022.docx.4242.deadbeef.tmp"
    fresh = tmp_path / ".2022.docx.4343.cafebabe.tmp"
    other = tmp_path / ".2023.docx.4242.deadbeef.tmp"
    for p in (stale, fresh, other):
        p.write_bytes(b"partial")
    old = time.time() - STALE_SECONDS - 60
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    atomic_write(tmp_path / "2022.docx", b"new")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["2022.docx", fresh.name, other.name])


def test_build_refuses_a_report_open_in_word_and_says_so() -> None:
    shutil.copy(SAMPLE, "2022.xlsx")
    Path("out").mkdir()
    Path("out/2022.docx").write_bytes(b"old")
    Path("out/~$2022.docx").write_bytes(b"owner")
    result = runner.invoke(app, ["build", "2022.xlsx", "-o", "out"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == "错误：无法写入 out/2022.docx：该文件正在 Word/WPS 中打开，请关闭后重试"
    assert Path("out/2022.docx").read_bytes() == b"old"


def test_a_full_disk_is_a_message_not_a_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_space(fd: int, mode: str = "wb") -> object:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fdopen", no_space)
    with pytest.raises(OutputError, match="磁盘空间不足"):
        atomic_write(tmp_path / "2022.docx", b"data")
    assert list(tmp_path.iterdir()) == []


def test_folder_build_takes_every_case_of_xlsx_and_xlsm() -> None:
    Path("in").mkdir()
    for name in ("a.XLSX", "b.xlsm", "c.xlsx", "~$c.xlsx", "notes.txt"):
        shutil.copy(SAMPLE, Path("in") / name)
    result = runner.invoke(app, ["validate", "in"])
    files = [line.split("：")[0] for line in result.stdout.splitlines() if line.startswith("in/")]
    assert files == ["in/a.XLSX", "in/b.xlsm", "in/c.xlsx"]


def test_a_name_at_the_file_system_limit_is_written_and_its_temporary_name_fits(tmp_path: Path) -> None:
    """254 bytes of name: the target fits, ".name.pid.random.tmp" would not; the temporary name is cut to fit."""
    target = tmp_path / f"{'报' * 83}.docx"
    assert len(target.name.encode()) == 254
    atomic_write(target, b"data")
    assert target.read_bytes() == b"data"
    assert [p.name for p in tmp_path.iterdir()] == [target.name]
    assert len(fit_name("报" * 90, ".docx").encode()) <= NAME_MAX


def test_scratch_folders_are_removed_and_stale_ones_swept(tmp_path: Path) -> None:
    target = tmp_path / f"{'报' * 83}.xlsx"
    with scratch_beside(target) as folder:
        (folder / "openpyxl.sheet.xml").write_bytes(b"x")
        assert folder.parent == tmp_path and len(folder.name.encode()) <= NAME_MAX
    assert list(tmp_path.iterdir()) == []
    with scratch_beside(target) as folder:
        (folder / "left.xml").write_bytes(b"x")
        os.utime(folder, (time.time() - STALE_SECONDS - 10,) * 2)
        kept = folder
        shutil.copytree(folder, tmp_path / "copy")  # what a kill would leave: the folder itself
    shutil.move(str(tmp_path / "copy"), str(kept))
    os.utime(kept, (time.time() - STALE_SECONDS - 10,) * 2)
    atomic_write(target, b"data")
    assert [p.name for p in tmp_path.iterdir()] == [target.name]
