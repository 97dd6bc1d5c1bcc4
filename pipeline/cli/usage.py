"""Reading the command line: usage errors in Chinese, and option values converted without pydantic.

Typer (through its bundled Click) reports usage errors in English inside a box. ``ChineseGroup`` runs the
commands without Click's standalone handling, so those errors reach it, and says them in Chinese: a mistyped
command line ends in one Chinese line and exit 2, as a user mistake should.

Typer 0.29 converts every parameter's value, even an option left out and the help flag, through a pydantic
``TypeAdapter`` that it builds on first use in each process (``_TyperParameter.process_value`` →
``get_runtime_param``): importing pydantic and building the adapters of one ``build`` cost about 125 ms CPU, on
every command. Commands of class ``PlainCommand`` / ``PlainGroup`` give each parameter whose type the commands use
(str, int, bool, Path, an Enum, a list of them) a converter that returns what typer's adapter returns for the
values it can vouch for, and hands every other value (a malformed number, one out of range, an unknown choice) to
typer's own adapter: errors keep typer's exact wording, which ``chinese_usage_error`` translates.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, get_args, get_origin

import typer
from typer import core
from typer._click import Command, Context, HelpFormatter, Parameter
from typer._click import exceptions as click_errors  # Typer 0.29 bundles Click; its exceptions live here
from typer._coercion import RuntimeParam, TypeDescriptor, build_runtime_param
from typer._param_types import coerce_cli_choice, coerce_cli_path

from .help_text import argument_name, help_text

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
    return argument_name(param).removesuffix("...")


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


_PLAIN_INT = re.compile(r"[+-]?[0-9]{1,18}")  # read alike by int() and pydantic; "3.0", " 3", "1_0" go to typer


class _Unsure(Exception):
    """A value the plain converter does not vouch for: typer's own adapter decides."""


@dataclass(frozen=True)
class PlainParam(RuntimeParam):
    """Typer's conversion of one parameter, without building its pydantic adapter for the values seen in practice."""

    def _coerce_value(self, value: Any, param: core._TyperParameter, ctx: Context) -> Any:
        annotation: Any = self.annotation
        try:
            if get_origin(annotation) is list:
                (item_type,) = get_args(annotation)
                items = value if isinstance(value, list | tuple) else [value]
                return [self._leaf(item_type, item, param, ctx) for item in items]
            return self._leaf(annotation, value, param, ctx)
        except _Unsure:
            return build_runtime_param(param.type_descriptor)._coerce_value(value, param=param, ctx=ctx)

    def _leaf(self, annotation: Any, value: Any, param: core._TyperParameter, ctx: Context) -> Any:
        info = self.parameter_info
        if isinstance(annotation, type) and issubclass(annotation, Enum):
            try:
                return coerce_cli_choice(value, choices=tuple(annotation), case_sensitive=info.case_sensitive, ctx=ctx)
            except ValueError:
                raise _Unsure from None
        if annotation is Path and isinstance(value, str | Path):
            # typer's own path checks (exists, readable …), handed a Path so that they need no adapter either
            return coerce_cli_path(Path(value), info, path_type=Path, param=param, ctx=ctx)
        if annotation is str and isinstance(value, str):
            return value
        if annotation is bool and isinstance(value, bool):
            return value
        if annotation is int and isinstance(value, int | str) and not isinstance(value, bool):
            if isinstance(value, str) and not _PLAIN_INT.fullmatch(value):
                raise _Unsure
            number = int(value)
            if (info.min is not None and number < info.min) or (info.max is not None and number > info.max):
                raise _Unsure  # typer words the range error
            return number
        raise _Unsure


def _plain_type(annotation: Any) -> bool:
    if get_origin(annotation) is list:
        (annotation,) = get_args(annotation)
    return annotation in (str, int, bool, Path) or (isinstance(annotation, type) and issubclass(annotation, Enum))


def _convertible(descriptor: TypeDescriptor) -> bool:
    info = descriptor.parameter_info
    return (
        descriptor.file_annotation is None
        and info.parser is None
        and not info.clamp
        and info.path_type is None
        and _plain_type(descriptor.annotation)
    )


def use_plain_conversion(params: Sequence[Parameter]) -> None:
    """Give each parameter whose type PlainParam knows that converter, before Click processes its value.

    Typer builds its converter lazily into ``_runtime_param``; one set beforehand is used instead. A parameter of
    any other type keeps typer's.
    """
    for param in params:
        if isinstance(param, core._TyperParameter) and getattr(param, "_runtime_param", False) is None:
            descriptor = param.type_descriptor
            if _convertible(descriptor):
                param._runtime_param = PlainParam(
                    parameter_info=descriptor.parameter_info, annotation=descriptor.annotation
                )


class PlainParams(Command):
    """A command whose parameters, its help option included (Click makes that one per command on first use), are
    converted by PlainParam: ``cls=`` of every command and group."""

    def get_params(self, ctx: Context) -> list[Parameter]:
        params = super().get_params(ctx)
        use_plain_conversion(params)
        return params

    def format_help(self, ctx: Context, formatter: HelpFormatter) -> None:
        formatter.write(help_text(self, ctx))


class PlainCommand(PlainParams, core.TyperCommand):
    pass


class PlainGroup(PlainParams, core.TyperGroup):
    pass


class ChineseGroup(PlainGroup):
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
