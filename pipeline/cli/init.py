"""``genreport init``: the blank standard workbook."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated

import typer

from ..errors import GenreportError, display_path
from .common import TemplateOption, fail


def init_command(
    path: Annotated[Path, typer.Argument(help="要生成的空白填报模板，如 inputs/2023.xlsx。")],
    year: Annotated[
        int | None,
        typer.Option(
            help="预填的报告年度；默认取文件名中的年份（如 2024.xlsx），文件名中没有则为上一年。", min=1990, max=2100
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="文件已存在时覆盖。")] = False,
    template: TemplateOption = None,
) -> None:
    """生成空白的标准填报工作簿（含下拉选项和“填报说明”工作表）。

    加 -t 模板名 时按该模板生成：一级指标的可选值、模板自定义的表，并在“基本信息”的“模板”一行写上模板名。
    """
    from ..blank_form import write_blank_workbook
    from ..layout import STANDARD
    from ..profile import resolve_profile

    year = year or year_in_name(path) or dt.date.today().year - 1
    try:
        profile = resolve_profile(template, need_document=False) if template is not None else None
        layout = profile.layout if profile else STANDARD
        named = template if template is not None and Path(template).name == template else None  # a name, not a path
        write_blank_workbook(path, year, force=force, layout=layout, template=named)
    except GenreportError as e:
        raise fail(e) from None
    typer.echo(f"已生成空白填报模板：{display_path(path)}（{year}年度）")


def year_in_name(path: Path) -> int | None:
    """inputs/2024.xlsx is the 2024 workbook: the year ``validate`` will hold its 年度 against (E_YEAR_MISMATCH)."""
    years = {int(m) for m in re.findall(r"(?<!\d)((?:19|20)\d{2})(?!\d)", path.stem)}
    return years.pop() if len(years) == 1 else None
