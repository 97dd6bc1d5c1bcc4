"""Start-up: a command loads only what it uses, and the command line is read without typer's pydantic adapters.

Speed itself is measured in bench/bench_startup.py, never asserted; these tests check which modules a real
process has loaded when the command is done, and that the plain conversion gives what typer's own would.
"""

from __future__ import annotations

import json
import subprocess
import sys
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
from typer._click.exceptions import BadParameter
from typer._coercion import build_runtime_param
from typer.main import get_command

from pipeline.cli import app
from pipeline.cli.usage import PlainParam

from .conftest import ROOT, SAMPLE

HEAVY = (
    "openpyxl", "docxtpl", "docx", "matplotlib", "numpy", "jinja2", "pydantic", "rich", "lxml",
    "starlette", "uvicorn", "python_multipart", "anyio",
)  # fmt: skip


def loaded_after(*args: str) -> set[str]:
    """The HEAVY packages a fresh ``genreport ARGS`` process has imported by the time the command has finished."""
    code = (
        "import json, sys\n"
        "from pipeline.cli import app\n"
        "try:\n"
        f"    app({list(args)!r}, prog_name='genreport')\n"
        "except SystemExit as e:\n"
        "    assert e.code in (0, None), e.code\n"
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False)
    assert out.returncode == 0, out.stderr
    return set(json.loads(out.stdout.splitlines()[-1]))


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["--version"],
        ["build", "--help"],
        ["validate", "-h"],
        ["template", "--help"],
        ["explain"],
        ["serve", "-h"],
    ],
)
def test_help_and_light_commands_load_no_library(args: list[str]) -> None:
    assert loaded_after(*args) == set()


def test_a_build_loads_no_pydantic_rich_numpy_or_matplotlib(tmp_path: Path) -> None:
    loaded = loaded_after("build", str(SAMPLE), "-o", str(tmp_path))
    assert (tmp_path / "2022.docx").exists()
    assert {"openpyxl", "docxtpl", "jinja2"} <= loaded  # what it uses
    assert not loaded & {"pydantic", "rich", "numpy", "matplotlib"}  # the default template draws no chart


def test_a_template_with_charts_still_gets_matplotlib_and_numpy(tmp_path: Path) -> None:
    loaded = loaded_after("build", str(ROOT / "inputs" / "township-2023.xlsx"), "-o", str(tmp_path))
    assert (tmp_path / "township-2023.docx").exists()
    assert {"matplotlib", "numpy"} <= loaded and "pydantic" not in loaded


def test_validate_loads_no_pydantic() -> None:
    code = (
        "import sys\n"
        "from pipeline.cli import app\n"
        "try:\n"
        f"    app(['validate', {str(SAMPLE)!r}, '--format', 'json'], prog_name='genreport')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('pydantic' in sys.modules, 'numpy' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False)
    assert out.stdout.splitlines()[-1] == "False False", out.stderr


# --- the plain conversion gives what typer's adapter gives --------------------------------------------------------


def _typer_params() -> list[Any]:
    """Every typer parameter of the commands registered with PlainCommand, their help options included."""
    root = get_command(app)
    ctx = root.make_context("genreport", [], resilient_parsing=True)
    params = list(root.get_params(ctx))
    for command in root.commands.values():  # type: ignore[attr-defined]
        for leaf in getattr(command, "commands", {command.name: command}).values():  # template's list/new/check
            params += leaf.get_params(leaf.make_context(leaf.name, [], parent=ctx, resilient_parsing=True))
    return params


SAMPLES: dict[Any, list[Any]] = {
    str: ["docx", "", " 我局 ", "a,b"],
    int: ["0", "6", "+3", "007", "-0", 5, "2022", "9", "abc", "3.0"],
    bool: [True, False],
    Path: ["inputs/2022.xlsx", "", "a/../b/", "报告", Path("outputs")],
}


def test_every_command_parameter_is_converted_without_pydantic() -> None:
    params = [p for p in _typer_params() if hasattr(p, "type_descriptor")]
    assert params
    assert all(isinstance(p._runtime_param, PlainParam) for p in params), [
        p.name for p in params if not isinstance(p._runtime_param, PlainParam)
    ]


def test_plain_conversion_equals_typers() -> None:
    compared = 0
    for param in _typer_params():
        if not isinstance(getattr(param, "_runtime_param", None), PlainParam):
            continue
        annotation = param.type_descriptor.annotation
        item = annotation.__args__[0] if getattr(annotation, "__origin__", None) is list else annotation
        if isinstance(item, type) and issubclass(item, Enum):
            values = [*(e.value for e in item), *item, "yaml", item(next(iter(item))).value.upper()]
        else:
            values = SAMPLES[item]
        if item is not annotation:
            values = [tuple(values)]
        typers = build_runtime_param(param.type_descriptor)
        for value in values:
            mine, theirs = outcome(param._runtime_param, param, value), outcome(typers, param, value)
            assert (mine, type(mine)) == (theirs, type(theirs)), (param.name, value)
            compared += 1
    assert compared > 20


def outcome(converter: Any, param: Any, value: Any) -> Any:
    try:
        return converter.coerce(value, param=param, ctx=None)
    except BadParameter as e:
        return ("error", e.message)


@pytest.mark.parametrize("value", ["3.0", " 3", "1_0", "３", "abc", "", "9", "-1"])
def test_values_the_plain_conversion_does_not_vouch_for_go_to_typer(value: str) -> None:
    """Malformed or out-of-range numbers are typer's to judge: the same result, or the same error."""
    [param] = [p for p in _typer_params() if p.name == "percent_places"]
    typers = build_runtime_param(param.type_descriptor)
    assert outcome(param._runtime_param, param, value) == outcome(typers, param, value)


def test_help_is_plain_text_and_shows_every_option_in_full() -> None:
    """Rich's panels cut Chinese help at the column edge; Click's plain help prints it whole."""
    from typer.testing import CliRunner

    result = CliRunner().invoke(app, ["build", "--help"], prog_name="genreport")
    assert result.exit_code == 0
    text = "".join(result.stdout.split())  # lines may wrap anywhere
    assert "汇总在标题处" in text and "百分比保留的小数位数；默认按模板设置（2位）。" in text
    assert "╭" not in result.stdout and "…" not in result.stdout
