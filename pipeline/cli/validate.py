"""``genreport validate``: every finding of every workbook, as grouped text or JSON."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from ..errors import display_path
from ..outfile import DEFAULT_OUT_DIR
from .common import InputsArgument, JobsOption, TemplateOption, inspect_inputs
from .summary import SummaryFlag, ThresholdOption


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
    summary_files: SummaryFlag = False,
    out_dir: Annotated[
        Path, typer.Option("-o", "--out-dir", help="加 --summary 时，汇总.xlsx 和 汇总说明.docx 的输出文件夹。")
    ] = DEFAULT_OUT_DIR,
    threshold: ThresholdOption = 90,
) -> None:
    """检查工作簿：结构错误、合计不符、数量级异常等，逐条给出工作表和单元格。

    加 --summary 另写 汇总.xlsx 和 汇总说明.docx（同 genreport summary），检查结果照常输出。

    退出码：0 无错误；1 有错误（加 --strict 时警告也算）；2 用法错误。
    """
    from ..findings.report import as_json, as_text

    inspections = inspect_inputs(
        inputs,
        template,
        jobs,
        "检查工作簿",
        "已中断（Ctrl-C）：检查未完成。",
        model=summary_files,
        sections=True,  # the 文字 rows the template would not print are the clerk's to know
    )
    findings = [f for i in inspections for f in i.findings]
    if output_format is Format.json:
        typer.echo(as_json(findings))
    else:
        typer.echo(as_text(findings, [display_path(i.path) for i in inspections]))
    if summary_files:
        from .summary import write_overview

        write_overview(inspections, out_dir, threshold, stdout=output_format is Format.text)
    if any(i.blocking(strict) for i in inspections):
        raise typer.Exit(1)
