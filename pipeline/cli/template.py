"""``genreport template list | new``: the templates genreport can use, and a copy of one to edit in Word."""

from __future__ import annotations

from typing import Annotated

import typer

from ..errors import GenreportError, display_path
from .common import fail

app = typer.Typer(
    help="报告模板：列出可用模板，或复制一个模板到 templates/ 下供编辑。",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.command("list")
def list_command() -> None:
    """列出可用的模板（含 report.docx 的文件夹）：先找当前文件夹的 templates/，再找随 genreport 安装的模板。"""
    from ..profile import list_templates

    for entry in list_templates():
        typer.echo(f"{entry.name}\t{display_path(entry.folder)}")


@app.command("new")
def new_command(
    name: Annotated[str, typer.Argument(help="新模板的名称，如 乡镇 或 county-bureau；建在 templates/NAME/。")],
    source: Annotated[
        str | None, typer.Option("--from", help="复制哪个模板：模板名、.docx 或文件夹；默认 default。")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="templates/NAME 已存在时覆盖其中的文件。")] = False,
) -> None:
    """复制一个模板（report.docx 和 rules.toml）到 templates/NAME/，在 Word 或 WPS 中编辑后用 -t NAME 生成报告。"""
    from ..profile import new_template

    try:
        target = new_template(name, source, force=force)
    except GenreportError as e:
        raise fail(e) from None
    typer.echo(f"已生成模板 {display_path(target)}：在 Word 或 WPS 中编辑 {display_path(target / 'report.docx')}，")
    typer.echo(f"然后 genreport build 工作簿.xlsx -t {name}")
