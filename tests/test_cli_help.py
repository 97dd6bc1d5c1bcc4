"""Every command explains itself, and the README names every command."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.cli.help_text import width_of

from .conftest import ROOT

runner = CliRunner()
COMMANDS = ["init", "build", "validate", "explain", "context", "template", "serve"]
HELPS = [[c] for c in COMMANDS] + [["template", "list"], ["template", "new"], ["template", "check"], []]
ENGLISH = re.compile(
    r"Usage|Options|Arguments|Commands|Show this message|default:|required|<[a-z]+|[a-z]+\[[A-Za-z]+\]"
)


@pytest.mark.parametrize("command", HELPS, ids=lambda c: " ".join(c) or "genreport")
def test_help_is_chinese_without_python_types(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"], prog_name="genreport", env={"COLUMNS": "80"})
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith(" ".join(["用法：genreport", *command]))
    assert "选项：" in lines
    assert any(line.split() == ["-h,", "--help", "显示本帮助后退出。"] for line in lines)
    for line in lines:
        assert not ENGLISH.search(line), line
        assert width_of(line) <= 79, f"wider than the terminal: {line}"


def test_help_wraps_by_display_width_and_keeps_every_word() -> None:
    """A narrow terminal wraps Chinese between characters; nothing of the help text is lost or cut with "..."."""
    result = runner.invoke(app, ["build", "--help"], prog_name="genreport", env={"COLUMNS": "61"})
    lines = result.stdout.splitlines()
    assert max(width_of(line) for line in lines) <= 60
    flat = "".join(line.strip() for line in lines)
    assert (
        "Word报告中也不加批注。默认每条警告作为批注标在Word报告中它所说的数字处（数字未印出的，汇总在标题处）。"
        in flat.replace(" ", "")
    )


def test_command_summaries_are_whole() -> None:
    """Click cuts a summary at 45 characters ("再找随 genreport..."); the list shows each first line whole."""
    result = runner.invoke(app, ["template", "--help"], prog_name="genreport", env={"COLUMNS": "200"})
    assert (
        "列出可用的模板（含 report.docx 的文件夹）：名称（-t 和“模板”一栏填它）、显示名称、单位类别、说明和位置。"
        in result.stdout
    )


def test_help_shows_defaults_ranges_and_required_in_chinese() -> None:
    out = runner.invoke(app, ["build", "--help"], env={"COLUMNS": "200"}).stdout
    assert "[默认：outputs]" in out and "[默认：docx]" in out and "[范围：0–6]" in out and "[必填]" in out
    assert "--percent-places 整数" in out and "-t, --template 模板" in out


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
        (["build"], "缺少参数 工作簿"),
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
    assert (out.returncode, out.stderr) == (2, "错误：缺少参数 工作簿\n用 genreport build -h 查看用法。\n")
