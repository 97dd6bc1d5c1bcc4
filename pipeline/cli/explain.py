"""``genreport explain CODE``: what a finding means and how to fix it, from the registry."""

from __future__ import annotations

from typing import Annotated

import typer

from ..errors import UsageError
from .common import fail


def explain_command(
    code: Annotated[
        str | None, typer.Argument(metavar="代码", help="问题代码，如 W_SUM_MISMATCH；不填则列出全部代码。")
    ] = None,
) -> None:
    """说明某个问题代码的含义、修改方法和示例（代码见 validate 的输出）。"""
    from ..findings.codes import ALL
    from ..findings.docs import explanation, severity_word

    if code is None:
        for entry in ALL:
            typer.echo(f"{entry.code:<22} {severity_word(entry)}  {entry.title}")
        return
    wanted = code.strip().upper()
    found = next((c for c in ALL if c.code == wanted), None)
    if found is None:
        raise fail(UsageError(f"没有问题代码“{code}”；genreport explain 不带参数可列出全部代码"))
    typer.echo(explanation(found))
