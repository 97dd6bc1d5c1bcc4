"""The cache of checked and compiled templates (pipeline/cache.py): used by the next process, private, never
trusted across versions, and harmless when damaged, deleted or turned off."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import cache

from .conftest import ROOT, SAMPLE


@pytest.fixture
def private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "cache"
    monkeypatch.setenv("GENREPORT_CACHE_DIR", str(root))
    monkeypatch.delenv("GENREPORT_CACHE", raising=False)
    return root


def _build(out: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", "build", str(SAMPLE), "-o", out, "--quiet"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        check=False,
    )


def test_a_second_process_reads_what_the_first_wrote_and_builds_the_same(private: Path) -> None:
    first = _build("a")
    assert first.returncode == 0, first.stderr
    entries = {p.parent.name for p in private.rglob("*") if p.is_file()}
    assert entries == {"jinja", "check", "prepared", "code"}  # code: dataclass methods and patterns (cli/compiled*.py)
    before = {p: p.stat().st_mtime_ns for p in private.rglob("*") if p.is_file()}
    second = _build("b")
    assert second.returncode == 0, second.stderr
    assert {p: p.stat().st_mtime_ns for p in private.rglob("*") if p.is_file()} == before  # read, not rewritten
    from .test_golden import document_text

    assert document_text(Path("a/2022.docx")) == document_text(Path("b/2022.docx"))


def test_damaged_entries_are_computed_again(private: Path) -> None:
    assert _build("a").returncode == 0
    for entry in private.rglob("*"):
        if entry.is_file():
            entry.write_bytes(b"\x00garbage")
    again = _build("b")
    assert again.returncode == 0, again.stderr
    assert "Traceback" not in again.stderr


def test_turned_off_it_writes_nothing(private: Path) -> None:
    assert _build("a", GENREPORT_CACHE="0").returncode == 0
    assert not private.exists() or not any(p.is_file() for p in private.rglob("*"))


def test_the_folder_is_closed_to_others_and_a_link_is_never_trusted(
    private: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = cache.folder()
    assert folder is not None
    assert (private.stat().st_mode & 0o777, folder.stat().st_mode & 0o777) == (0o700, 0o700)
    private.chmod(0o755)  # opened by hand: closed again before anything is read
    assert cache.folder() == folder and private.stat().st_mode & 0o777 == 0o700
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    link = tmp_path / "link"
    link.symlink_to(elsewhere)
    monkeypatch.setenv("GENREPORT_CACHE_DIR", str(link))
    assert cache.folder() is None


def test_a_changed_module_changes_the_fingerprint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "pipeline"
    package.mkdir()
    module = package / "a.py"
    module.write_text("x = 1\n")
    monkeypatch.setattr(cache, "PACKAGE", package)
    cache.fingerprint.cache_clear()
    try:
        first = cache.fingerprint()
        cache.fingerprint.cache_clear()
        module.write_text("x = 22\n")
        assert cache.fingerprint() != first
    finally:
        cache.fingerprint.cache_clear()


def test_a_new_version_removes_all_but_the_latest_earlier_folders(private: Path) -> None:
    """Each upgrade makes a folder of its own fingerprint; making one removes the earlier ones beyond the
    KEPT_VERSIONS most recently written, and nothing else in the cache's folder."""
    private.mkdir(mode=0o700)
    earlier = [private / f"{n:016x}" for n in range(cache.KEPT_VERSIONS + 3)]
    for age, folder in enumerate(earlier):
        (folder / "jinja").mkdir(parents=True)
        (folder / "jinja" / "entry").write_bytes(b"x")
        os.utime(folder, (1_000_000 + age, 1_000_000 + age))  # the last is the most recently written
    other = private / "notes"  # not a fingerprint's folder
    other.mkdir()
    current = cache.folder()
    assert current is not None and current.parent == private and current not in earlier
    kept = sorted(p for p in private.iterdir() if p not in (current, other))
    assert kept == earlier[-cache.KEPT_VERSIONS :]
    assert other.is_dir()
    (current / "jinja").mkdir()
    assert cache.folder() == current and sorted(private.iterdir()) == sorted([*kept, other, current])  # once only
