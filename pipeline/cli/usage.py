"""Usage errors in Chinese: a mistyped command line ends in one Chinese line and exit 2, as a user mistake should.

Typer (through its bundled Click) reports usage errors in English inside a box. ``ChineseGroup`` runs the
commands without Click's standalone handling, so those errors reach it, and says them in Chinese.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from typing import Any

import typer
from typer import core
from typer._click import exceptions as click_errors  # Typer 0.29 bundles Click; its exceptions live here

_VALUE_MESSAGES = (
    (re.compile(r"^(?:Input should be a valid integer|'.*' is not a valid integer)"), "应为整数"),
    (re.compile(r"^(?:Input should be a valid number|'.*' is not a valid float)"), "应为数字"),
    (re.compile(r"^Input should be less than or equal to (.+)$"), "不能大于 {0}"),
    (re.compile(r"^Input should be greater than or equal to (.+)$"), "不能小于 {0}"),
    (re.compile(r"^(?:Value error, )?'.*' is not one of (.*?)\.?$"), "应为以下之一：{0}"),
)


def _value(message: str) -> str:
    for pattern, chinese in _VALUE_MESSAGES:
        m = pattern.match(message.strip())
        if m:
            return chinese.format(*(g or "" for g in m.groups()))
    return message


def _hint(e: click_errors.BadParameter) -> str:
    if e.param_hint is not None:
        hint = e.param_hint if isinstance(e.param_hint, str) else " / ".join(e.param_hint)
        return hint.replace("'", "")
    param = e.param
    if param is None:
        return "参数"
    if getattr(param, "param_type_name", "") == "option":
        return " / ".join(param.opts)
    return (param.name or "").upper()


def chinese_usage_error(e: click_errors.UsageError) -> str:
    if isinstance(e, click_errors.MissingParameter):
        what = "选项" if e.param_type == "option" else "参数"
        return f"缺少{what} {_hint(e)}"
    if isinstance(e, click_errors.BadParameter):
        return f"{_hint(e)} 的值无效：{_value(e.message)}"
    if isinstance(e, click_errors.NoSuchOption):
        maybe = f"（是否要用 {'、'.join(sorted(e.possibilities))}？）" if e.possibilities else ""
        return f"没有选项 {e.option_name}{maybe}"
    if isinstance(e, click_errors.BadOptionUsage):
        m = re.match(r"^Option '(.+)' requires an argument\.?$", e.message)
        return f"选项 {m.group(1)} 需要一个值" if m else e.message
    m = re.match(r"^No such command '(.+)'\.?", e.message)
    if m:
        return f"没有命令“{m.group(1)}”"
    m = re.match(r"^Got unexpected extra arguments? \((.+)\)$", e.message)
    if m:
        return f"多余的参数：{m.group(1)}"
    return e.message


class ChineseGroup(core.TyperGroup):
    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        try:
            result = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except click_errors.NoArgsIsHelpError as e:
            typer.echo(e.format_message())  # a bare command shows its help, as before
            sys.exit(2)
        except click_errors.UsageError as e:
            command = e.ctx.command_path if e.ctx is not None else (prog_name or "genreport")
            typer.echo(f"错误：{chinese_usage_error(e)}\n用 {command} -h 查看用法。", err=True)
            sys.exit(2)
        except typer.Abort:
            typer.echo("已中止。", err=True)
            sys.exit(1)
        except click_errors.ClickException as e:
            typer.echo(f"错误：{e.format_message()}", err=True)
            sys.exit(e.exit_code)
        sys.exit(result if isinstance(result, int) else 0)
