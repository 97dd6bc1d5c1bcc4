"""Reading the command line on click's public API: typer's declarations, click's parser, Chinese messages.

The commands are declared with typer (``typer.Typer``, ``typer.Option``, ``typer.Argument`` in ``pipeline/cli/``).
Typer 0.28 and later run them on a copy of Click they bundle (``typer._click``): their commands are not commands
of the ``click`` package, and typer 0.29 converts every value through a pydantic ``TypeAdapter`` that it builds on
first use in each process (about 125 ms CPU per command); its one public conversion hook, ``parser=``, builds one
too. So ``ChineseGroup.main`` takes what typer built from the declarations — names, options, defaults, help texts
and callbacks, all of them public Click attributes, and each parameter's declared type through
``typer.utils.get_params_from_function`` — and runs it as commands of the ``click`` package: values converted by
``values.py``, help written by ``help_text.py``, usage errors said in Chinese. Nothing imports a private module of
typer or click (``tests/test_startup.py`` checks it), so typer is no longer pinned to one minor version; the same
tests hold the values to what typer 0.29 read, ``tests/test_cli_help.py`` and ``tests/test_errors.py`` the help
and the messages.

A mistyped command line ends in one Chinese line and exit 2, as a user mistake should.
"""

from __future__ import annotations

import contextlib
import inspect
import io
import re
import sys
from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from types import UnionType
from typing import Any, Union, get_args, get_origin

import click
import typer
from click.exceptions import NoArgsIsHelpError, NoSuchCommand
from typer.core import TyperGroup
from typer.models import ParameterInfo, ParamMeta
from typer.utils import get_params_from_function

from .help_text import argument_name, help_text
from .values import Choice, Integer, PathValue, Text

# --- usage errors in Chinese ---------------------------------------------------------------------------------------


def _hint(e: click.BadParameter) -> str:
    if e.param_hint is not None:
        hint = e.param_hint if isinstance(e.param_hint, str) else " / ".join(e.param_hint)
        return hint.replace("'", "")
    param = e.param
    if param is None:
        return "参数"
    if param.param_type_name == "option":
        return " / ".join(param.opts)
    return argument_name(param).removesuffix("...")


def chinese_usage_error(e: click.UsageError) -> str:
    if isinstance(e, click.MissingParameter):
        what = "选项" if e.param_type == "option" else "参数"
        return f"缺少{what} {_hint(e)}"
    if isinstance(e, click.BadParameter):
        return f"{_hint(e)} 的值无效：{e.message}"  # values.py words the value's fault in Chinese
    if isinstance(e, click.NoSuchOption):
        maybe = f"（是否要用 {'、'.join(sorted(e.possibilities))}？）" if e.possibilities else ""
        return f"没有选项 {e.option_name}{maybe}"
    if isinstance(e, NoSuchCommand):
        maybe = f"（是否要用 {'、'.join(e.possibilities)}？）" if e.possibilities else ""
        return f"没有命令“{e.command_name}”{maybe}"
    if isinstance(e, click.BadOptionUsage):
        m = re.match(r"^Option '(.+)' requires an argument\.?$", e.message)
        if m:
            return f"选项 {m.group(1)} 需要一个值"
        m = re.match(r"^Option '(.+)' does not take a value\.?$", e.message)
        return f"选项 {m.group(1)} 不带值" if m else e.message
    m = re.match(r"^No such command '(.+)'\.?", e.message)
    if m:
        return f"没有命令“{m.group(1)}”"
    m = re.match(r"^Got unexpected extra arguments? \((.+)\)$", e.message)
    if m:
        return f"多余的参数：{m.group(1)}"
    return e.message


# --- click commands from typer's -----------------------------------------------------------------------------------


class ClickCommand(click.Command):
    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write(help_text(self, ctx))


class ClickGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)  # in the order they were declared, as typer lists them

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write(help_text(self, ctx))

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            raise click.exceptions.Exit(130) from None  # as typer: a Ctrl-C no command handled ends with 130


def click_command(command: Any) -> click.Command:
    """The command of the ``click`` package that runs ``command``, one typer built from its declarations."""
    attrs: dict[str, Any] = {
        "name": command.name,
        "context_settings": command.context_settings,
        "callback": command.callback,  # typer's own wrapper: it hands the values to the function as typer does
        "params": _params(command),
        "help": command.help,
        "epilog": command.epilog,
        "short_help": command.short_help,
        "add_help_option": command.add_help_option,
        "no_args_is_help": command.no_args_is_help,
        "hidden": command.hidden,
        "deprecated": command.deprecated,
    }
    subcommands = getattr(command, "commands", None)
    if subcommands is None:
        return ClickCommand(**attrs)
    return ClickGroup(
        commands={name: click_command(sub) for name, sub in subcommands.items()},
        invoke_without_command=command.invoke_without_command,
        **attrs,
    )


def _params(command: Any) -> list[click.Parameter]:
    # typer wraps each declared function with functools.update_wrapper: unwrap finds the declaration
    declared = get_params_from_function(inspect.unwrap(command.callback)) if command.callback else {}
    for meta in declared.values():
        if isinstance(meta.annotation, type) and issubclass(meta.annotation, typer.Context):
            raise TypeError(f"{command.name}：命令不能取 typer.Context（命令在 click 的 Context 中运行）")
    return [_param(param, declared[param.name]) for param in command.params]


def _param(param: Any, meta: ParamMeta) -> click.Parameter:
    info = meta.default if isinstance(meta.default, ParameterInfo) else None
    annotation = _without_none(meta.annotation)
    _refuse_unsupported(param, info)
    attrs: dict[str, Any] = {
        "required": param.required,
        "callback": param.callback,  # typer's wrapper of the declared callback
        "metavar": param.metavar,
        "expose_value": param.expose_value,
        "is_eager": param.is_eager,
        "envvar": param.envvar,
        "help": param.help,
        "hidden": param.hidden,
        "shown_default": param.default,
    }
    if param.default is not None:  # typer's None is "no default"; click ≥ 8.3 tells the two apart
        attrs["default"] = param.default
    if param.param_type_name == "argument":
        value_type = _value_type(annotation, info)
        return HelpArgument([param.name], type=value_type, nargs=param.nargs, show_default=param.show_default, **attrs)
    decls = [param.name, *param.opts, *(f"/{opt}" for opt in param.secondary_opts)]
    if param.is_flag:
        return HelpOption(decls, is_flag=True, **attrs)
    return HelpOption(
        decls,
        type=_value_type(annotation, info),
        multiple=param.multiple,
        nargs=param.nargs,
        show_default=param.show_default,
        **attrs,
    )


class HelpOption(click.Option):
    """An option that keeps typer's default for the help to show (``default`` may be click's "not given")."""

    def __init__(self, param_decls: Sequence[str], *, shown_default: Any = None, **attrs: Any) -> None:
        super().__init__(param_decls, **attrs)
        self.shown_default = shown_default


class HelpArgument(click.Argument):
    """An argument that keeps its help text, hidden flag and shown default, as typer's arguments do."""

    def __init__(
        self,
        param_decls: Sequence[str],
        *,
        help: str | None = None,
        hidden: bool = False,
        show_default: bool | str = True,
        shown_default: Any = None,
        **attrs: Any,
    ) -> None:
        super().__init__(param_decls, **attrs)
        self.help, self.hidden, self.show_default, self.shown_default = help, hidden, show_default, shown_default


def _without_none(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, UnionType):
        (annotation,) = (arg for arg in get_args(annotation) if arg is not type(None))
    return annotation


def _value_type(annotation: Any, info: ParameterInfo | None) -> click.ParamType[Any]:
    item = get_args(annotation)[0] if get_origin(annotation) is list else annotation
    options = info or ParameterInfo()
    if item is str:
        return Text()
    if item is int:
        return Integer(_whole(options.min), _whole(options.max))
    if isinstance(item, type) and issubclass(item, Enum):
        return Choice(item, options.case_sensitive)
    if item is Path:
        return PathValue(
            exists=options.exists,
            file_okay=options.file_okay,
            dir_okay=options.dir_okay,
            readable=options.readable,
            writable=options.writable,
            resolve_path=options.resolve_path,
        )
    raise TypeError(f"命令行的值类型 {annotation!r} 尚无转换（pipeline/cli/values.py）")


def _whole(bound: float | None) -> int | None:
    if bound is not None and bound != int(bound):
        raise TypeError(f"整数选项的范围应为整数：{bound}")
    return None if bound is None else int(bound)


def _refuse_unsupported(param: Any, info: ParameterInfo | None) -> None:
    """What typer offers and this reading does not (yet): said when the command line is built, never ignored."""
    if info is None:
        return
    unsupported = {
        "parser": info.parser is not None,
        "clamp": info.clamp,
        "path_type": info.path_type is not None,
        "allow_dash": info.allow_dash,
        "prompt": bool(getattr(info, "prompt", False)),
        "count": bool(getattr(info, "count", False)),
        "envvar on a list": info.envvar is not None and (param.multiple or param.nargs != 1),
    }
    used = [name for name, on in unsupported.items() if on]
    if used:
        raise TypeError(f"{param.name}：pipeline/cli/usage.py 尚不支持 {', '.join(used)}")


# --- typer's classes: how the command line is run -------------------------------------------------------------------


class ChineseGroup(TyperGroup):
    """The top command: runs what typer built as click commands, and says every usage error in Chinese."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        _never_fail_to_print()
        command = click_command(self)
        run = {"standalone_mode": False, "windows_expand_args": windows_expand_args, **extra}
        if not standalone_mode:
            return command.main(args, prog_name, complete_var, **run)
        try:
            result = command.main(args, prog_name, complete_var, **run)
        except NoArgsIsHelpError as e:
            typer.echo(e.format_message())  # a bare command shows its help, as before
            sys.exit(2)
        except click.UsageError as e:
            where = e.ctx.command_path if e.ctx is not None else (prog_name or "genreport")
            typer.echo(f"错误：{chinese_usage_error(e)}\n用 {where} -h 查看用法。", err=True)
            sys.exit(2)
        except (typer.Abort, click.Abort):
            typer.echo("已中止。", err=True)
            sys.exit(1)
        except click.ClickException as e:
            typer.echo(f"错误：{e.format_message()}", err=True)
            sys.exit(e.exit_code)
        except typer.Exit as e:
            sys.exit(e.exit_code)
        sys.exit(result if isinstance(result, int) else 0)


def _never_fail_to_print() -> None:
    """Text a console cannot encode (a lone surrogate from a damaged cell, an emoji on a GBK console) prints as an
    escape instead of ending the command in a UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            with contextlib.suppress(ValueError, OSError):
                stream.reconfigure(errors="backslashreplace")
