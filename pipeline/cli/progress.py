"""How the results of many workbooks reach the user: a bar on a terminal, plain lines otherwise, and a summary.

Rich (typer's own dependency) draws the bar; it is imported only when stderr is a terminal and there is more than
one input, so a one-report build and any piped output load nothing of it. Lines keep their plain form in both
cases (on a terminal Rich prints them above the bar), so scripts and tests read the same text.
"""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Any

import typer

from ..errors import WorkbookInvalid, display_path

if TYPE_CHECKING:
    from ..session import BuildResult

HEADERS = ("工作簿", "状态", "警告", "输出", "用时（秒）")
FIRST_ERROR_WIDTH = 48  # the summary names a failure's first error, cut to this many terminal columns


class Progress:
    """Counts finished inputs; with a bar on a terminal, else silent (the result lines are the progress)."""

    def __init__(self, total: int, description: str, *, transient: bool = False) -> None:
        self.total = total
        self._bar: Any = None
        self._task: Any = None
        if total > 1 and _is_terminal(sys.stderr):
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self._bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("剩余"),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=transient,
                redirect_stdout=_is_terminal(sys.stdout),  # a piped stdout keeps its lines to itself
                redirect_stderr=True,
            )
            self._task = self._bar.add_task(description, total=total)

    @property
    def is_bar(self) -> bool:
        return self._bar is not None

    @property
    def lists_files(self) -> bool:
        """Whether each report's "已生成" line is printed: not under a bar on the terminal (the summary lists
        them), but always into a pipe or file, where a script may read them."""
        return self._bar is None or not _is_terminal(sys.stdout)

    def running(self) -> AbstractContextManager[Any]:
        return self._bar if self._bar is not None else nullcontext()

    def advance(self) -> None:
        if self._bar is not None:
            self._bar.advance(self._task)


def summary(results: Sequence[BuildResult], progress: Progress) -> None:
    """One row per input, in input order: status, warnings, outputs, seconds; then the totals line."""
    rows = [_row(r) for r in results]
    if progress.is_bar:
        _rich_table(rows)
    else:
        for line in plain_table(rows):
            typer.echo(line, err=True)
    failed = sum(1 for r in results if not r.ok)
    typer.echo(f"共 {len(results)} 个工作簿：成功 {len(results) - failed} 个，失败 {failed} 个。", err=True)


def _row(result: BuildResult) -> tuple[str, ...]:
    warnings = sum(1 for f in result.findings if f.severity == "warning")
    if result.error is None:
        status = "成功"
    elif isinstance(result.error, WorkbookInvalid) and result.error.findings:
        first = result.error.findings[0]
        where = f"{first.sheet}!{first.cell} " if first.cell else (f"{first.sheet} " if first.sheet else "")
        more = f"（共 {len(result.error.findings)} 处）" if len(result.error.findings) > 1 else ""
        status = f"失败：{_shortened(where + first.message, FIRST_ERROR_WIDTH)}{more}"
    else:
        message = str(result.error).removeprefix(f"{display_path(result.input)}：")
        status = f"失败：{_shortened(message, FIRST_ERROR_WIDTH)}"
    outputs = "、".join(p.name for p in result.outputs) or "—"
    return (display_path(result.input), status, str(warnings), outputs, f"{result.seconds:.1f}")


def _shortened(text: str, width: int) -> str:
    """``text`` on one line, cut to ``width`` display columns."""
    text = " ".join(text.split())
    if _width(text) <= width:
        return text
    out = ""
    for ch in text:
        if _width(out + ch) > width - 1:
            break
        out += ch
    return out + "…"


def plain_table(rows: Sequence[tuple[str, ...]]) -> list[str]:
    """Columns padded by display width: a Chinese character takes two columns of a terminal or a log viewer."""
    table = [HEADERS, *rows]
    widths = [max(_width(row[i]) for row in table) for i in range(len(HEADERS))]
    numeric = {2, 4}
    lines = []
    for row in table:
        cells = [_pad(cell, widths[i], right=i in numeric and row is not HEADERS) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
    return lines


def _pad(text: str, width: int, *, right: bool) -> str:
    fill = " " * (width - _width(text))
    return fill + text if right else text + fill


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _rich_table(rows: Sequence[tuple[str, ...]]) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(*HEADERS, title="生成结果")
    for column in (2, 4):
        table.columns[column].justify = "right"
    for row in rows:  # as Text: a file name such as “报告[1].xlsx” is not markup
        table.add_row(*(Text(cell) for cell in row), style=None if row[1] == "成功" else "red")
    Console(stderr=True, highlight=False).print(table)


def _is_terminal(stream: Any) -> bool:
    isatty: Callable[[], bool] | None = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False
