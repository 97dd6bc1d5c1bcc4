"""Help in Chinese for people: no Python type names, nothing cut short, wrapped by what a terminal shows.

Click's plain help says "Usage", "Options", "Show this message and exit", shows typer's metavars (``<list[Path]>``,
``<int range>``), cuts a command's summary at 45 characters ("再找随 genreport...") and wraps by characters, so a
Chinese line two columns a character breaks at the wrong place. ``format_help`` writes the whole help itself.
"""

from __future__ import annotations

import inspect
import shutil
import unicodedata
from enum import Enum
from typing import Any

from click import Command, Context, Parameter, types

# click's own types, for a parameter whose type does not say its ``kind`` (those of values.py do)
_KIND_WORDS: tuple[tuple[type[types.ParamType[Any]], str], ...] = (
    (types.IntParamType, "整数"),
    (types.FloatParamType, "数字"),
    (types.StringParamType, "文字"),
    (types.Path, "路径"),
)
_HELP_WORDS = "显示本帮助后退出。"
_MIN_WIDTH, _DEFAULT_WIDTH = 60, 100
_MAX_NAME = 30  # a longer option name puts its help on the next line


def width_of(text: str) -> int:
    """Terminal columns: CJK characters and full-width punctuation take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` columns: Chinese breaks between any two characters, other text at spaces."""
    lines: list[str] = []
    line, used = "", 0
    for token in _tokens(text):
        size = width_of(token)
        if used + size > width and line.strip():
            lines.append(line.rstrip())
            token = token.lstrip()
            line, used = "", 0
            size = width_of(token)
        line += token
        used += size
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


def _tokens(text: str) -> list[str]:
    """Words (with the space before them) and single wide characters: the units a line may break between."""
    tokens: list[str] = []
    word = ""
    for ch in text:
        if unicodedata.east_asian_width(ch) in "WF":
            if word:
                tokens.append(word)
                word = ""
            tokens.append(ch)
        elif ch == " " and word.strip():
            tokens.append(word)
            word = " "
        else:
            word += ch
    if word:
        tokens.append(word)
    return tokens


def _joined(paragraph: str) -> str:
    """A docstring paragraph's lines as one line, as Click rewraps it: no space where Chinese meets Chinese."""
    text = ""
    for line in (part.strip() for part in paragraph.splitlines()):
        if text and line and not (width_of(text[-1]) == 2 and width_of(line[0]) == 2):
            text += " "
        text += line
    return text


def terminal_width() -> int:
    return max(_MIN_WIDTH, shutil.get_terminal_size((_DEFAULT_WIDTH, 24)).columns - 1)


def _kind(value_type: types.ParamType[Any]) -> str:
    """What a value is, in a word: 整数, 文字, 路径, or the choices (text|json)."""
    kind = getattr(value_type, "kind", None)
    if isinstance(kind, str):
        return kind
    if isinstance(value_type, types.Choice):
        return "|".join(str(choice.value if isinstance(choice, Enum) else choice) for choice in value_type.choices)
    return next((word for cls, word in _KIND_WORDS if isinstance(value_type, cls)), "值")


def _is_flag(param: Parameter) -> bool:
    return bool(getattr(param, "is_flag", False)) or getattr(param, "count", False) is True


def argument_name(param: Parameter) -> str:
    """How an argument is shown in the usage line and in messages: its metavar, else its name in capitals."""
    name = param.metavar or (param.name or "").upper()
    return f"{name}..." if param.nargs != 1 and not name.endswith(("...", "…")) else name


def option_name(param: Parameter) -> str:
    names = ", ".join(sorted(param.opts, key=lambda o: (o.startswith("--"), o)))
    if _is_flag(param):
        return names
    return f"{names} {param.metavar or _kind(param.type)}"


def _extras(param: Parameter) -> str:
    """[默认：…] [必填] [范围：…], as Click shows them in English."""
    extras = []
    default = getattr(param, "shown_default", None)  # usage.py's parameters keep typer's default for the help
    if (
        getattr(param, "show_default", False)
        and not _is_flag(param)
        and default is not None
        and not callable(default)
        and default != []
    ):
        shown = default.value if isinstance(default, Enum) else default
        extras.append(f"默认：{shown}")
    low, high = getattr(param.type, "min", None), getattr(param.type, "max", None)
    if low is not None or high is not None:
        extras.append(f"范围：{'' if low is None else low}–{'' if high is None else high}")
    if param.required:
        extras.append("必填")
    return f"[{'；'.join(extras)}]" if extras else ""


def _help_of(param: Parameter, help_option: Parameter | None) -> str:
    if param is help_option:
        return _HELP_WORDS
    text = getattr(param, "help", None) or ""
    extras = _extras(param)
    return f"{text}  {extras}".strip() if extras else text


def _definitions(rows: list[tuple[str, str]], width: int) -> list[str]:
    """Name and help in two columns; help wrapped within its column, a long name giving its help a line below."""
    if not rows:
        return []
    name_width = min(_MAX_NAME, max(width_of(name) for name, _ in rows))
    help_col = 2 + name_width + 2
    out = []
    for name, text in rows:
        help_lines = wrap(text, max(20, width - help_col)) if text else []
        if width_of(name) > name_width:
            out.append(f"  {name}")
            out.extend(" " * help_col + line for line in help_lines)
            continue
        first = help_lines[0] if help_lines else ""
        out.append(f"  {name}{' ' * (name_width - width_of(name))}  {first}".rstrip())
        out.extend(" " * help_col + line for line in help_lines[1:])
    return out


def _is_group(command: Command) -> bool:
    return hasattr(command, "list_commands")


def usage_line(command: Command, ctx: Context) -> str:
    pieces = ["[选项]"] if any(p.param_type_name == "option" for p in command.get_params(ctx)) else []
    for param in command.get_params(ctx):
        if param.param_type_name == "argument":
            name = argument_name(param)
            pieces.append(name if param.required else f"[{name}]")
    if _is_group(command):
        pieces.append("命令 [参数]...")
    return f"用法：{ctx.command_path} {' '.join(pieces)}"


def summary(command: Command) -> str:
    """A command's first line of help, whole (Click cuts it at 45 characters)."""
    text = inspect.cleandoc(command.short_help or command.help or "")
    return text.split("\n\n", 1)[0].replace("\n", "")


def help_text(command: Command, ctx: Context) -> str:
    width = terminal_width()
    out = [usage_line(command, ctx), ""]
    if command.help:
        for paragraph in inspect.cleandoc(command.help).split("\n\n"):
            out.extend("  " + part for part in wrap(_joined(paragraph), width - 2))
            out.append("")
    params = command.get_params(ctx)
    help_option = command.get_help_option(ctx)
    for title, kind in (("参数：", "argument"), ("选项：", "option")):
        rows = [
            (argument_name(p) if kind == "argument" else option_name(p), _help_of(p, help_option))
            for p in params
            if p.param_type_name == kind and not getattr(p, "hidden", False)
        ]
        if rows:
            out.extend([title, *_definitions(rows, width), ""])
    if _is_group(command):
        rows = []
        group: Any = command
        for name in group.list_commands(ctx):
            sub = group.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                rows.append((name, summary(sub)))
        if rows:
            out.extend(["命令：", *_definitions(rows, width), ""])
    if command.epilog:
        out.extend(wrap(inspect.cleandoc(command.epilog), width))
    return "\n".join(out).rstrip() + "\n"
