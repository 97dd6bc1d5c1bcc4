"""Option and argument values: read as typer 0.29 reads them, on click's public ``ParamType``, without pydantic.

Typer 0.29 converts values through pydantic ``TypeAdapter``s (about 125 ms CPU per command to import and build).
These types accept exactly the values typer's adapters accept, give the same Python values, and say what is wrong
in Chinese: ``tests/test_startup.py`` holds them to typer's own conversion over every parameter of every command.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from typing import Any

import click

# What pydantic strips around a number: Unicode's White_Space (Python's str.strip would also take U+001C–U+001F).
_WHITE_SPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B)))
_WHITE_SPACE += "\u2028\u2029\u202f\u205f\u3000"
# pydantic's lax integer: ASCII digits, single underscores between them, a fraction only of zeros ("3.0", "-0.00")
_INTEGER = re.compile(r"[+-]?[0-9](?:_?[0-9])*(?:\.0+)?")
_MAX_DIGITS = 4300  # pydantic refuses more digits before the point (Python's int() has the same limit)


class Text(click.ParamType[str]):
    name = "text"
    kind = "文字"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        return value if isinstance(value, str) else click.STRING.convert(value, param, ctx)


class Integer(click.ParamType[int]):
    """An int, within ``min``–``max`` when given."""

    name = "integer"
    kind = "整数"

    def __init__(self, min: int | None = None, max: int | None = None) -> None:
        self.min, self.max = min, max

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            text = str(value).strip(_WHITE_SPACE)
            whole = text.partition(".")[0]
            if not _INTEGER.fullmatch(text) or sum(ch.isdigit() for ch in whole) > _MAX_DIGITS:
                self.fail("应为整数", param, ctx)
            number = int(whole)
        if self.min is not None and number < self.min:
            self.fail(f"不能小于 {self.min}", param, ctx)
        if self.max is not None and number > self.max:
            self.fail(f"不能大于 {self.max}", param, ctx)
        return number


class Choice(click.ParamType[Enum]):
    """One member of an Enum, named by its value (case-insensitively when the option says so)."""

    name = "choice"

    def __init__(self, enum: type[Enum], case_sensitive: bool = True) -> None:
        self.choices: Sequence[Enum] = tuple(enum)
        self.case_sensitive = case_sensitive
        self.kind = "|".join(str(member.value) for member in self.choices)

    def _normal(self, value: Any, ctx: click.Context | None) -> str:
        text = str(value.value) if isinstance(value, Enum) else str(value)
        if ctx is not None and ctx.token_normalize_func is not None:
            text = ctx.token_normalize_func(text)
        return text if self.case_sensitive else text.casefold()

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Enum:
        if isinstance(value, Enum) and any(value is member for member in self.choices):
            return value
        wanted = self._normal(value, ctx)
        for member in self.choices:
            if self._normal(member, ctx) == wanted:
                return member
        names = ", ".join(repr(self._normal(member, ctx)) for member in self.choices)
        return self.fail(f"应为以下之一：{names}", param, ctx)


class PathValue(click.ParamType[Path]):
    """A ``pathlib.Path``, with typer's checks of an existing path (readable by default) and its other flags."""

    name = "path"
    kind = "路径"

    def __init__(
        self,
        *,
        exists: bool = False,
        file_okay: bool = True,
        dir_okay: bool = True,
        readable: bool = True,
        writable: bool = False,
        resolve_path: bool = False,
    ) -> None:
        self.exists, self.file_okay, self.dir_okay = exists, file_okay, dir_okay
        self.readable, self.writable, self.resolve_path = readable, writable, resolve_path

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Path:
        path = value if isinstance(value, Path) else Path(os.fsdecode(value))
        shown = f"“{os.fsdecode(value)}”"
        if self.resolve_path:
            path = Path(os.path.realpath(path))
        try:
            st = os.stat(path)
        except OSError:
            if self.exists:
                self.fail(f"{shown}不存在", param, ctx)
            return path
        if not self.file_okay and stat.S_ISREG(st.st_mode):
            self.fail(f"{shown}是文件，应为文件夹", param, ctx)
        if not self.dir_okay and stat.S_ISDIR(st.st_mode):
            self.fail(f"{shown}是文件夹，应为文件", param, ctx)
        if self.readable and not os.access(path, os.R_OK):
            self.fail(f"{shown}无法读取（没有权限）", param, ctx)
        if self.writable and not os.access(path, os.W_OK):
            self.fail(f"{shown}无法写入（没有权限）", param, ctx)
        return path
