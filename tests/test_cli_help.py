"""Every command explains itself, and the README names every command."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from pipeline.cli import app

from .conftest import ROOT

runner = CliRunner()
COMMANDS = ["init", "build", "validate", "explain", "context", "template"]


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


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["build"], "缺少参数 INPUTS"),
        (["build", "x.xlsx", "--percent-places", "abc"], "--percent-places 的值无效：应为整数"),
        (["build", "x.xlsx", "--percent-places", "9"], "--percent-places 的值无效：不能大于 6"),
        (["validate", "x.xlsx", "--format", "yaml"], "--format 的值无效：应为以下之一：'text', 'json'"),
        (["init", "x.xlsx", "--year", "1800"], "--year 的值无效：不能小于 1990"),
        (["build", "--nope"], "没有选项 --nope"),
        (["build", "x.xlsx", "-o"], "选项 -o 需要一个值"),
        (["nosuch"], "没有命令“nosuch”"),
    ],
)
def test_usage_errors_are_one_chinese_line_and_exit_2(args: list[str], message: str) -> None:
    result = runner.invoke(app, args, prog_name="genreport")
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0] == f"错误：{message}"
    assert lines[1].startswith("用 genreport") and lines[1].endswith(" -h 查看用法。")
    assert result.stdout == ""


def test_usage_error_in_a_real_process() -> None:
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "pipeline", "build"], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert (out.returncode, out.stderr) == (2, "错误：缺少参数 INPUTS\n用 genreport build -h 查看用法。\n")
