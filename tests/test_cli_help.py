"""Every command explains itself, and the README names every command."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from pipeline.cli import app

from .conftest import ROOT

runner = CliRunner()
COMMANDS = ["init", "build", "validate", "explain"]


@pytest.mark.parametrize("command", COMMANDS)
def test_help(command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert f"Usage: genreport {command}" in result.stdout or f"Usage: root {command}" in result.stdout
    assert any("\u4e00" <= ch <= "\u9fff" for ch in result.stdout), "help is in Chinese"


@pytest.mark.parametrize("command", COMMANDS)
def test_readme_documents_the_command(command: str) -> None:
    assert f"genreport {command}" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_version_and_bare_invocation() -> None:
    assert runner.invoke(app, ["--version"]).stdout.startswith("genreport ")
    bare = runner.invoke(app, [])
    assert "build" in bare.stdout and "validate" in bare.stdout
