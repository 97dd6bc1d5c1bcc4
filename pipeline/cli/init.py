"""``genreport init``: the blank standard workbook, or next year's rolled over from last year's (``--from``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import GenreportError, WorkbookInvalid, display_path
from .common import TemplateOption, fail

if TYPE_CHECKING:
    from ..workbook.rollover import Rollover


def init_command(
    path: Annotated[Path, typer.Argument(metavar="新工作簿", help="要生成的填报工作簿，如 inputs/2023.xlsx。")],
    source: Annotated[
        Path | None,
        typer.Option(
            "--from",
            metavar="上年工作簿",
            help="由上年的填报工作簿结转生成本年的（年度加一）：沿用单位信息、职责、机构、编制、决算单位、模板、"
            "自定义字段和绩效指标，上年的全年执行数转为上年决算数，本年数字、得分和文字留空待填。上年工作簿不会被修改。",
        ),
    ] = None,
    year: Annotated[
        int | None,
        typer.Option(
            help="预填的报告年度；默认取文件名中的年份（如 2024.xlsx），文件名中没有则为上一年。"
            "加 --from 时为上年工作簿的年度加一。",
            min=1990,
            max=2100,
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="文件已存在时覆盖。")] = False,
    template: TemplateOption = None,
) -> None:
    """生成空白的标准填报工作簿（含下拉选项和“填报说明”工作表），或由上年的工作簿结转生成本年的。

    加 -t 模板名 时按该模板生成：一级指标的可选值、模板自定义的表，并在“基本信息”的“模板”一行写上模板名。

    加 --from 上年工作簿 时（如 genreport init inputs/2023.xlsx --from inputs/2022.xlsx）：年度为上年加一，
    文件名中的年份须与之一致；沿用基本信息（报告日期除外）、部门职责、内设机构、人员编制、决算单位、模板、
    自定义字段的名称和类型、项目的名称，以及绩效指标的定义（上年的实际完成值放在“上年实际完成值”列供参考）；
    收支预决算和三公经费的“上年决算数”填入上年的全年执行数（决算数）；本年的数字、得分和文字留空。
    上年工作簿有错误时不结转，并列出错误。
    """
    from ..template.layout import STANDARD
    from ..template.profile import resolve_profile
    from ..workbook.blank_form import write_blank_workbook, year_in_name

    if source is not None:
        _roll_over(source, path, year, template, force)
        return
    year = year or year_in_name(path) or dt.date.today().year - 1
    try:
        profile = resolve_profile(template, need_document=False) if template is not None else None
        layout = profile.layout if profile else STANDARD
        named = template if template is not None and Path(template).name == template else None  # a name, not a path
        write_blank_workbook(path, year, force=force, layout=layout, template=named)
    except GenreportError as e:
        raise fail(e) from None
    typer.echo(f"已生成空白填报模板：{display_path(path)}（{year}年度）")


def _roll_over(source: Path, path: Path, year: int | None, template: str | None, force: bool) -> None:
    from ..workbook.rollover import roll_over

    try:
        done = roll_over(source, path, year=year, template=template, force=force)
    except WorkbookInvalid as e:
        stop = fail(e)
        typer.echo(
            f"错误：上年工作簿 {display_path(source)} 有以上 {len(e.findings)} 个错误，未生成 {display_path(path)}"
            "（错误的数据不应带入下一年）；请先改正，genreport validate 可逐项查看",
            err=True,
        )
        raise stop from None
    except GenreportError as e:
        raise fail(e) from None
    _print(done)


def _print(done: Rollover) -> None:
    typer.echo(
        f"已由 {display_path(done.last)}（{done.last_year}年度）结转生成 {display_path(done.new)}（{done.year}年度）"
    )
    typer.echo("沿用：")
    for change in done.changes:
        if change.carried:
            typer.echo(f"  {change.sheet}：{change.carried}")
    typer.echo("已清空（本年待填）：")
    for change in done.changes:
        if change.cleared:
            typer.echo(f"  {change.sheet}：{change.cleared}")
    for note in done.notes:
        typer.echo(f"注意：{note}")
    typer.echo("请填写本年的数字、得分和文字后，用 genreport validate 检查。")
