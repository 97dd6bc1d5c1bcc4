"""Command line: option parsing and error-to-exit-code mapping only; the work is in the library."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from . import __version__
from .build import DEFAULT_OUT_DIR, BuildResult, build, validate
from .errors import GenreportError, WorkbookInvalid, display_path
from .render import RenderOptions
from .report_findings import as_json, as_text


class Format(StrEnum):
    text = "text"
    json = "json"


app = typer.Typer(
    help="genreport：把标准填报工作簿生成“部门整体支出绩效自评报告”（Word）。\n\n"
    "Turns the standard workbook into the department's performance self-evaluation report.",
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


def _fail(e: GenreportError) -> typer.Exit:
    typer.echo(f"错误：{e}", err=True)
    return typer.Exit(e.exit_code)


@app.command()
def init(
    path: Annotated[Path, typer.Argument(help="要生成的空白填报模板，如 inputs/2023.xlsx。")],
    year: Annotated[int | None, typer.Option(help="预填的报告年度；默认为上一年。", min=1990, max=2100)] = None,
    force: Annotated[bool, typer.Option("--force", help="文件已存在时覆盖。")] = False,
) -> None:
    """生成空白的标准填报工作簿（含下拉选项和“填报说明”工作表）。"""
    from .blank_form import write_blank_workbook

    year = year or dt.date.today().year - 1
    try:
        write_blank_workbook(path, year, force=force)
    except GenreportError as e:
        raise _fail(e) from None
    typer.echo(f"已生成空白填报模板：{display_path(path)}（{year}年度）")


@app.command("build")
def build_command(
    inputs: Annotated[list[Path], typer.Argument(help="一个或多个填报工作簿（.xlsx），或含工作簿的文件夹。")],
    out_dir: Annotated[Path, typer.Option("-o", "--out-dir", help="报告输出文件夹。")] = DEFAULT_OUT_DIR,
    template: Annotated[
        Path | None,
        typer.Option(
            "-t", "--template", help="报告模板：.docx 文件，或含 report.docx 的文件夹；默认 templates/default。"
        ),
    ] = None,
    percent_places: Annotated[int, typer.Option(help="百分比保留的小数位数。", min=0, max=6)] = 2,
    strict: Annotated[bool, typer.Option("--strict", help="有警告也不生成报告。")] = False,
) -> None:
    """为每个工作簿生成报告 OUT_DIR/<文件名>.docx；有错误的工作簿不生成，其余照常生成。"""
    try:
        results = build(
            inputs,
            out_dir,
            template,
            options=RenderOptions(percent_places=percent_places),
            strict=strict,
            on_result=_report_result,
        )
    except GenreportError as e:
        raise _fail(e) from None
    failed = [r for r in results if not r.ok]
    if len(results) > 1:
        typer.echo(
            f"共 {len(results)} 个工作簿：成功 {len(results) - len(failed)} 个，失败 {len(failed)} 个。", err=True
        )
    if failed:
        raise typer.Exit(max(r.error.exit_code for r in failed if r.error))


@app.command("validate")
def validate_command(
    inputs: Annotated[list[Path], typer.Argument(help="一个或多个填报工作簿（.xlsx），或含工作簿的文件夹。")],
    output_format: Annotated[Format, typer.Option("--format", help="输出格式：text（按文件和工作表分组）或 json。")] = (
        Format.text
    ),
    strict: Annotated[bool, typer.Option("--strict", help="警告也按错误计（退出码 1）。")] = False,
    template: Annotated[
        Path | None, typer.Option("-t", "--template", help="使用该模板文件夹中的 rules.toml（容差、分值）。")
    ] = None,
) -> None:
    """检查工作簿：结构错误、合计不符、数量级异常等，逐条给出工作表和单元格。

    退出码：0 无错误；1 有错误（加 --strict 时警告也算）；2 用法错误。
    """
    try:
        inspections = validate(inputs, template)
    except GenreportError as e:
        raise _fail(e) from None
    findings = [f for i in inspections for f in i.findings]
    if output_format is Format.json:
        typer.echo(as_json(findings))
    else:
        typer.echo(as_text(findings, [display_path(i.path) for i in inspections]))
    if any(i.blocking(strict) for i in inspections):
        raise typer.Exit(1)


def _report_result(result: BuildResult) -> None:
    for finding in result.findings:
        if finding.severity == "warning":
            typer.echo(f"警告：{finding}", err=True)  # under --strict these are also what stopped the build
    if result.error is None:
        assert result.output is not None
        typer.echo(f"已生成 {display_path(result.output)}（{result.seconds:.1f} 秒）")
    elif isinstance(result.error, WorkbookInvalid):
        blocking = result.error.findings
        for finding in blocking:
            if finding.severity == "error":
                typer.echo(f"错误：{finding}", err=True)
        if not (len(blocking) == 1 and blocking[0].code == "E_UNREADABLE"):
            kind = "错误" if all(f.severity == "error" for f in blocking) else "问题（--strict：警告也不放行）"
            typer.echo(f"{display_path(result.input)}：有 {len(blocking)} 处{kind}，未生成报告。", err=True)
    else:
        typer.echo(f"错误：{result.error}", err=True)
