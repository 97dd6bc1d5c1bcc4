"""Command line: ``genreport init | build | validate | summary | explain | context | template | serve``.

Each command is a module of its own that imports the pipeline inside the command, so that ``genreport --help``
and ``genreport explain`` start without loading openpyxl or docxtpl. Errors reach the user through ``fail``.

Help is Click's plain text, not typer's Rich panels: the panels cut Chinese help at the column edge ("默认…"),
and Rich with its Markdown parser was a third of ``genreport --help``'s time (about 75 ms).
"""

from . import collector  # first: the CLI's modules load without a garbage collection (collector.py)

# isort: split
from . import compiled, compiled_regex  # noqa: F401  # next: what is made from here on is compiled once

# isort: split
import copy
import os
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Annotated, Any

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
    ) -> "ModuleSpec | None":
        if fullname == "numpy":
            numbers = sys.modules.get("openpyxl.compat.numbers")
            if numbers is not None and not hasattr(numbers, "NUMPY"):  # inside its ``try: import numpy``
                raise ModuleNotFoundError("numpy is not offered to openpyxl", name=fullname)
        return None


if not any(isinstance(finder, _NoNumpyForOpenpyxl) for finder in sys.meta_path):
    sys.meta_path.insert(0, _NoNumpyForOpenpyxl())


class _OneCommand(typer.Typer):
    """typer builds every command of an app from its declarations (their type hints, each parameter) before it
    runs the one asked for: about 20 ms of every start. A command line that names a command is run by a copy of
    the app that holds that command alone, built alone; help, ``--version``, a name that is no command and shell
    completion see the whole app, as before. Tests and ``typer.main.get_command`` build the whole app too.
    """

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        argv = kwargs.get("args", args[0] if args else None)
        collector.running()
        return typer.Typer.__call__(self._for(sys.argv[1:] if argv is None else argv), *args, **kwargs)

    def _for(self, argv: Sequence[str]) -> typer.Typer:
        name = _command_named(argv)
        if name is None or any(k.startswith("_") and k.endswith("_COMPLETE") for k in os.environ):
            return self
        commands = [c for c in self.registered_commands if c.name == name]
        groups = [g for g in self.registered_groups if g.name == name]
        if not commands and not groups:
            return self  # a mistyped name: the error lists the commands it may have meant
        alone = copy.copy(self)
        alone.registered_commands, alone.registered_groups = commands, groups
        return alone


_TOP_FLAGS = frozenset({"-v", "--verbose"})  # the top command's options that do not end it (--version, -h do)


def _command_named(argv: Sequence[str]) -> str | None:
    """The command a command line runs: the first word after the top command's flags, which take no value."""
    for arg in argv:
        if arg not in _TOP_FLAGS:
            return None if arg.startswith("-") else arg
    return None


app = _OneCommand(
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

collector.resume()  # last: everything above is loaded
