"""Command line: ``genreport init | build | validate | summary | explain | context | template | serve``.

Each command is a module of its own that imports the pipeline inside the command, so that ``genreport --help``
and ``genreport explain`` start without loading openpyxl or docxtpl. Errors reach the user through ``fail``.

Help is Click's plain text, not typer's Rich panels: the panels cut Chinese help at the column edge ("默认…"),
and Rich with its Markdown parser was a third of ``genreport --help``'s time (about 75 ms).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Annotated

import typer

from .. import __version__
from . import build, context, explain, init, serve, summary, template, validate
from .usage import ChineseGroup

if TYPE_CHECKING:
    from importlib.machinery import ModuleSpec


class _NoNumpyForOpenpyxl:
    """openpyxl imports numpy when it can (about 110 ms and 16 MiB, a tenth of a one-report build) only to accept
    numpy scalars as cell values, which genreport never writes. In a genreport process, numpy stays unseen by that
    one import; charts still import it when a template draws them, and when numpy is already loaded nothing changes.
    A finder of sys.meta_path by shape (importlib.abc would cost 12 ms of start-up).
    """

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname == "numpy":
            numbers = sys.modules.get("openpyxl.compat.numbers")
            if numbers is not None and not hasattr(numbers, "NUMPY"):  # inside its ``try: import numpy``
                raise ModuleNotFoundError("numpy is not offered to openpyxl", name=fullname)
        return None


if not any(isinstance(finder, _NoNumpyForOpenpyxl) for finder in sys.meta_path):
    sys.meta_path.insert(0, _NoNumpyForOpenpyxl())

app = typer.Typer(
    help="genreport：把标准填报工作簿生成“部门整体支出绩效自评报告”（Word）。\n\n"
    "Turns the standard workbook into the department's performance self-evaluation report.",
    cls=ChineseGroup,
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
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
    verbose: Annotated[
        bool,
        typer.Option(
            "-v",
            "--verbose",
            help="显示处理细节（如模板为何改用 docxtpl 逐份渲染）；写在命令前：genreport -v build …",
        ),
    ] = False,
) -> None:
    """genreport：标准填报工作簿 → 部门整体支出绩效自评报告。"""
    if verbose:
        _log_details()


def _log_details() -> None:
    """The genreport log (notes a user may want, never needed to act) on stderr, line by line."""
    import logging

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("说明：%(message)s"))
    log = logging.getLogger("genreport")
    log.addHandler(handler)
    log.setLevel(logging.INFO)


# typer builds each command from its declaration; ChineseGroup runs them as click commands (see usage.py)
app.command("init")(init.init_command)
app.command("build")(build.build_command)
app.command("validate")(validate.validate_command)
app.command("summary")(summary.summary_command)
app.command("explain")(explain.explain_command)
app.command("context")(context.context_command)
app.add_typer(template.app, name="template")
app.command("serve")(serve.serve_command)
