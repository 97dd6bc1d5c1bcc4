"""The wheel: built as pip builds it, from a copy of the repository, it ships the templates genreport ships and no
department's own folder under templates/ (issue 15 §7)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from .conftest import ROOT

SHIPPED = {"default", "township", "summary"}  # the templates the project ships; pyproject.toml lists them one by one


def build_wheel(source: Path, out: Path) -> zipfile.ZipFile:
    """The wheel of ``source`` through hatchling's PEP 517 hook, in a fresh process as a build frontend runs it."""
    code = "import sys, hatchling.build; print(hatchling.build.build_wheel(sys.argv[1]))"
    done = subprocess.run(
        [sys.executable, "-c", code, str(out)], cwd=source, capture_output=True, text=True, check=False, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return zipfile.ZipFile(out / done.stdout.strip().splitlines()[-1])


def test_the_wheel_ships_only_the_shipped_templates(tmp_path: Path) -> None:
    source = tmp_path / "repo"  # a copy: the real tree is never touched
    source.mkdir()
    for name in ("pyproject.toml", "README.md", ".gitignore"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(ROOT / "pipeline", source / "pipeline", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "templates", source / "templates")
    department = source / "templates" / "zz-test-dept"  # what `genreport template new zz-test-dept` leaves
    shutil.copytree(ROOT / "templates" / "default", department)
    (tmp_path / "dist").mkdir()

    wheel = build_wheel(source, tmp_path / "dist")

    names = wheel.namelist()
    templates = {n.split("/")[2] for n in names if n.startswith("pipeline/_templates/")}
    assert templates == SHIPPED
    for template in SHIPPED:
        shipped = {p.name for p in (ROOT / "templates" / template).iterdir()}
        assert {n.rsplit("/", 1)[1] for n in names if n.startswith(f"pipeline/_templates/{template}/")} == shipped
    assert not [n for n in names if "zz-test-dept" in n]
    assert "pipeline/cli/__init__.py" in names


def test_every_template_kept_in_the_repository_is_listed_for_the_wheel() -> None:
    """A template added to the repository (tracked by git) is shipped only once pyproject.toml lists it."""
    tracked = subprocess.run(
        ["git", "ls-files", "templates"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert {path.split("/")[1] for path in tracked} == SHIPPED
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert all(f'"templates/{name}" = "pipeline/_templates/{name}"' in pyproject for name in SHIPPED)
