"""``genreport validate``: every finding of every workbook, as grouped text or JSON."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from ..errors import GenreportError, display_path
from .common import InputsArgument, JobsOption, TemplateOption, exit_interrupted, fail


class Format(StrEnum):
    text = "text"
    json = "json"


def validate_command(
    inputs: InputsArgument,
    output_format: Annotated[Format, typer.Option("--format", help="输出格式：text（按文件和工作表分组）或 json。")] = (
        Format.text
    ),
    strict: Annotated[bool, typer.Option("--strict", help="警告也按错误计（退出码 1）。")] = False,
    template: TemplateOption = None,
    jobs: JobsOption = None,
) -> None:
    """检查工作簿：结构错误、合计不符、数量级异常等，逐条给出工作表和单元格。

    退出码：0 无错误；1 有错误（加 --strict 时警告也算）；2 用法错误。
    """
    from ..batch import default_jobs, inspect_all
    from ..findings.report import as_json, as_text
    from ..session import expand_inputs
    from ..template.profile import resolve_profile
    from .progress import Progress

    try:
        profile = resolve_profile(template, need_document=False) if template is not None else None
        paths = expand_inputs(inputs)
    except GenreportError as e:
        raise fail(e) from None
    progress = Progress(len(paths), "检查工作簿", transient=True)
    try:
        with progress.running():
            inspections = inspect_all(paths, profile, jobs or default_jobs(), lambda i, r: progress.advance())
    except KeyboardInterrupt:
        exit_interrupted("已中断（Ctrl-C）：检查未完成。")
    findings = [f for i in inspections for f in i.findings]
    if output_format is Format.json:
        typer.echo(as_json(findings))
    else:
        typer.echo(as_text(findings, [display_path(i.path) for i in inspections]))
    if any(i.blocking(strict) for i in inspections):
        raise typer.Exit(1)
