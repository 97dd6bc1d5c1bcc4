"""Every command the README shows runs as typed, in README order, in a fresh copy of the repository (issue 15 §6).

The commands are the lines of the README's ```sh blocks. They run one by one through bash in a folder holding the
repository's tracked files (what a clone holds: no outputs, no .venv of its own), with this environment's
``genreport`` first on PATH and its .venv linked in, and each must exit 0. A ``#`` line between them is a step
done by hand (filling a workbook in Excel, editing a template in Word): MANUAL says what the test does for each. A
command that cannot run in a test is in SUBSTITUTED (run another way) or SKIPPED, each with its reason.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import ROOT
from .test_new_department import fill_minimum

BLOCK = re.compile(r"^```sh\n(.*?)^```", re.DOTALL | re.MULTILINE)
VENV = Path(sys.executable).parent.parent

# Lines run differently, as a fresh clone would need them here; the key is the command without its comment.
SUBSTITUTED = {
    # the recipe as typed, but make must not reinstall genreport into this environment's .venv (linked in below)
    "make sample": "make -o .venv/bin/genreport sample",
    # make test is this very suite: only shown (dry run), so the target and its prerequisites are checked
    "make test": "make -n -o .venv/bin/genreport test",
}
SKIPPED = {
    # a shell variable for the next line only (the server, skipped)
    'export GENREPORT_TOKEN=$(python -c "import secrets; print(secrets.token_urlsafe(16))")',
    # a server runs until stopped: tests/test_serve.py starts it on a free port
    "genreport serve --host 0.0.0.0 --port 8000",
}
# What the test does for each step the README leaves to the user (a comment line, by how it begins).
MANUAL: dict[str, Callable[[Path], None] | None] = {
    # the new department's form, filled with the required fields (as tests/test_new_department.py fills it)
    "# fill it in Excel or WPS": lambda clone: fill_minimum(clone / "inputs" / "2023.xlsx"),
    # the template copied by `template new` is checked as it is
    "# edit templates/我局/report.docx in Word or WPS": None,
}


def readme_lines() -> list[str]:
    """The lines of the README's sh blocks in order, each without its trailing comment; manual steps as comments."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = []
    for block in BLOCK.finditer(text):
        for line in block.group(1).splitlines():
            line = line.strip()
            if line.startswith("#"):
                lines.append(line)
            elif line:
                lines.append(re.sub(r"\s+#\s.*$", "", line))
    return lines


def fresh_clone(target: Path) -> Path:
    """The tracked files of the working tree (as committed, plus edits not yet committed), and this .venv."""
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True, check=False
    )  # fmt: skip
    if listed.returncode != 0:
        pytest.skip("not a git checkout: no way to tell the repository's files from generated ones")
    for name in listed.stdout.decode("utf-8").split("\0"):
        source = ROOT / name
        if name and source.is_file():  # a file deleted but not yet committed is gone from the clone too
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    (target / ".venv").symlink_to(VENV)
    return target


def test_the_readme_commands_run_as_typed_in_order(tmp_path: Path) -> None:
    lines = readme_lines()
    assert "genreport build inputs/2022.xlsx" in lines and "make sample" in lines  # the blocks were found
    clone = fresh_clone(tmp_path / "genreport")
    environ = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    environ["PATH"] = f"{VENV / 'bin'}{os.pathsep}{environ.get('PATH', '')}"
    ran = []
    for line in lines:
        if line.startswith("#"):
            step = next((MANUAL[k] for k in MANUAL if line.startswith(k)), ...)
            assert step is not ..., f"a step by hand the test does not know: {line!r} (add it to MANUAL)"
            if step is not None:
                step(clone)
            continue
        if line in SKIPPED:
            continue
        command = SUBSTITUTED.get(line, line)
        proc = subprocess.run(
            ["bash", "-c", command], cwd=clone, env=environ, capture_output=True, text=True, timeout=300, check=False
        )  # fmt: skip
        assert proc.returncode == 0, (
            f"README command {line!r} exits {proc.returncode} after {ran}:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}"
        )
        ran.append(line)
    assert not {*SUBSTITUTED, *SKIPPED} - set(lines), "a listed command is no longer in the README"
    # what the README says the commands leave behind
    for made in ("outputs/2022.docx", "outputs/2023.docx", "inputs/2024.xlsx", "templates/我局/report.docx"):
        assert (clone / made).is_file(), made
