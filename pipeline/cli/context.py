"""``genreport context``: the exact context a template sees, as JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import GenreportError
from .common import TemplateOption, fail


def context_command(
    input_path: Annotated[Path, typer.Argument(metavar="工作簿", help="一个填报工作簿（.xlsx）。")],
    template: TemplateOption = None,
) -> None:
    """以 JSON 输出模板可用的全部字段及其取值（金额为精确的十进制字符串），供编写模板和自动化使用。

    工作簿有错误时不输出，逐条列出错误（退出码 1）。
    """
    from ..context import context_json
    from ..session import load_context
    from ..template.profile import resolve_profile

    try:
        profile = resolve_profile(template, need_document=False) if template is not None else None
        context, _ = load_context(input_path, profile=profile)
    except GenreportError as e:
        raise fail(e) from None
    typer.echo(context_json(context))
