"""A command line that names a command runs a copy of the app holding that command alone (pipeline/cli/__init__.py):
what it prints and how it exits are those of the whole app, which typer's CliRunner and get_command build."""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

from pipeline.cli import _command_named, app

runner = CliRunner()


@pytest.mark.parametrize(
    ("argv", "name"),
    [
        (["build", "x.xlsx"], "build"),
        (["-v", "build", "x.xlsx"], "build"),
        (["--verbose", "-v", "template", "list"], "template"),
        (["biuld"], "biuld"),
        ([], None),
        (["--help"], None),
        (["-h", "build"], None),
        (["--version"], None),
        (["-vh"], None),
        (["--", "build"], None),
        (["-x", "build"], None),
    ],
)
def test_the_command_named_is_the_first_word_after_the_top_flags(argv: list[str], name: str | None) -> None:
    assert _command_named(argv) == name


def test_a_named_command_is_built_alone_and_anything_else_whole() -> None:
    whole = ([c.name for c in app.registered_commands], [g.name for g in app.registered_groups])
    alone = app._for(["-v", "build", "x.xlsx"])
    assert ([c.name for c in alone.registered_commands], alone.registered_groups) == (["build"], [])
    group = app._for(["template", "check"])
    assert (group.registered_commands, [g.name for g in group.registered_groups]) == ([], ["template"])
    for argv in (["--help"], ["biuld"], []):
        assert app._for(argv) is app
    assert ([c.name for c in app.registered_commands], [g.name for g in app.registered_groups]) == whole


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[Any, str, str]:
    with pytest.raises(SystemExit) as ended:
        app(argv, prog_name="genreport")
    out = capsys.readouterr()
    return ended.value.code or 0, out.out, out.err


@pytest.mark.parametrize(
    "argv",
    [
        ["build", "--help"],
        ["-v", "validate", "-h"],
        ["template"],
        ["template", "new", "--help"],
        ["build"],
        ["build", "x.xlsx", "--percent-places", "abc"],
        ["build", "x.xlsx", "--bogus"],
        ["template", "bogus"],
        ["biuld"],
        ["--help"],
    ],
)
def test_one_command_prints_and_exits_as_the_whole_app(
    argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "90")
    code, out, err = _run(argv, capsys)
    whole = runner.invoke(app, argv, prog_name="genreport", env={"COLUMNS": "90"})
    assert (code, out, err) == (whole.exit_code, whole.stdout, whole.stderr)
    assert out or err
