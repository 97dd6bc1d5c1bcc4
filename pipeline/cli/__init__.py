"""Command line: ``genreport init | build | validate | explain | context | template``.

Each command is a module of its own that imports the pipeline inside the command, so that ``genreport --help``
and ``genreport explain`` start without loading openpyxl or docxtpl. Errors reach the user through ``fail``.
"""

from __future__ import annotations

from typing import Annotated

import typer

from .. import __version__
from . import build, context, explain, init, template, validate
from .usage import ChineseGroup

app = typer.Typer(
    help="genreport：把标准填报工作簿生成“部门整体支出绩效自评报告”（Word）。\n\n"
    "Turns the standard workbook into the department's performance self-evaluation report.",
    cls=ChineseGroup,
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"genreport {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="显示版本号后退出。")
    ] = False,
) -> None:
    """genreport：标准填报工作簿 → 部门整体支出绩效自评报告。"""


app.command("init")(init.init_command)
app.command("build")(build.build_command)
app.command("validate")(validate.validate_command)
app.command("explain")(explain.explain_command)
app.command("context")(context.context_command)
app.add_typer(template.app, name="template")
