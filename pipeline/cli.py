"""Command line: option parsing and error-to-exit-code mapping only; the work is in the library."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from . import __version__
from .build import DEFAULT_OUT_DIR, BuildResult, build
from .errors import GenreportError, WorkbookInvalid, display_path
from .render import RenderOptions

app = typer.Typer(
    help="genreport：把标准填报工作簿生成“部门整体支出绩效自评报告”（Word）。\n\n"
    "Turns the standard workbook into the department's performance self-evaluation report.",
    no_args_is_help=True,
    add_completion=False,
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
    inputs: Annotated[list[Path], typer.Argument(help="一个或多个填报工作簿（.xlsx）。")],
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


def _report_result(result: BuildResult) -> None:
    for finding in result.findings:
        if finding.severity == "warning":
            typer.echo(f"警告：{finding}", err=True)
    if result.error is None:
        assert result.output is not None
        typer.echo(f"已生成 {display_path(result.output)}（{result.seconds:.1f} 秒）")
    elif isinstance(result.error, WorkbookInvalid):
        for finding in result.error.findings:
            typer.echo(f"错误：{finding}", err=True)
        typer.echo(f"{display_path(result.input)}：有 {len(result.error.findings)} 处错误，未生成报告。", err=True)
    else:
        typer.echo(f"错误：{result.error}", err=True)
