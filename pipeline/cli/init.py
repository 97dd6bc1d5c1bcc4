"""``genreport init``: the blank standard workbook."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from ..errors import GenreportError, display_path
from .common import fail


def init_command(
    path: Annotated[Path, typer.Argument(help="要生成的空白填报模板，如 inputs/2023.xlsx。")],
    year: Annotated[int | None, typer.Option(help="预填的报告年度；默认为上一年。", min=1990, max=2100)] = None,
    force: Annotated[bool, typer.Option("--force", help="文件已存在时覆盖。")] = False,
) -> None:
    """生成空白的标准填报工作簿（含下拉选项和“填报说明”工作表）。"""
    from ..blank_form import write_blank_workbook

    year = year or dt.date.today().year - 1
    try:
        write_blank_workbook(path, year, force=force)
    except GenreportError as e:
        raise fail(e) from None
    typer.echo(f"已生成空白填报模板：{display_path(path)}（{year}年度）")
