"""What every command shares: how an error reaches the user and which exit status it gives."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from ..errors import GenreportError

if TYPE_CHECKING:
    from ..session import Inspection

TemplateOption = Annotated[
    str | None,
    typer.Option(
        "-t",
        "--template",
        metavar="模板",
        help="报告模板：templates/ 下的模板名，或 .docx 文件，或含 report.docx（及 rules.toml）的文件夹；"
        "默认 templates/default。",
    ),
]
InputsArgument = Annotated[
    list[Path],
    typer.Argument(
        metavar="工作簿",
        help="一个或多个填报工作簿（.xlsx/.xlsm）、含工作簿的文件夹（跳过 ~$ 临时文件），"
        '或通配符如 "inputs/*.xlsx"（请加引号，由 genreport 展开）。',
    ),
]
JobsOption = Annotated[
    int | None,
    typer.Option(
        "-j",
        "--jobs",
        help="同时处理几个工作簿（工作进程数）；默认为本机 CPU 核数，1 表示在本进程中逐个处理。",
        min=1,
    ),
]


INTERRUPTED = 130  # a shell's status for a command stopped by Ctrl-C (128 + SIGINT)


def exit_interrupted(message: str) -> NoReturn:
    """Say what an interrupted batch left and end the process at once. Every file is complete or absent by now; a
    worker pool stopped mid-result can leave Python's own exit waiting forever on the pool's manager thread (a
    result half sent by a terminated worker), so the process ends without that wait."""
    typer.echo(message, err=True)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(INTERRUPTED)


def fail(e: GenreportError) -> typer.Exit:
    """The one place an error becomes output and an exit status (GenreportError.exit_code: 1, usage 2); a
    workbook's blocking findings are one line each."""
    from ..errors import WorkbookInvalid

    for line in e.findings if isinstance(e, WorkbookInvalid) else [e]:
        typer.echo(f"错误：{line}", err=True)
    return typer.Exit(e.exit_code)


def inspect_inputs(
    inputs: Sequence[Path],
    template: str | None,
    jobs: int | None,
    what: str,
    interrupted: str,
    *,
    model: bool = False,
    sections: bool = False,
) -> list[Inspection]:
    """The inputs read and checked (``validate``, ``summary``): the template resolved for its rules alone, the
    inputs expanded, the work shared by worker processes under a transient progress bar named ``what``. A usage
    mistake ends the command in Chinese, Ctrl-C with ``interrupted``."""
    from ..batch import default_jobs, inspect_all
    from ..session import expand_inputs
    from ..template.profile import resolve_profile
    from .progress import Progress

    try:
        profile = resolve_profile(template, need_document=False) if template is not None else None
        paths = expand_inputs(inputs)
    except GenreportError as e:
        raise fail(e) from None
    progress = Progress(len(paths), what, transient=True)
    try:
        with progress.running():
            return inspect_all(
                paths, profile, jobs or default_jobs(), lambda i, r: progress.advance(), model=model, sections=sections
            )
    except KeyboardInterrupt:
        exit_interrupted(interrupted)
