"""The page's adapter to ``genreport init NEW --from LAST`` (``pipeline.workbook.rollover``).

The upload goes into a private temporary folder; the new workbook is read back into memory before the folder is
removed. A workbook that cannot be rolled over becomes RolloverFailed with its errors, one line each.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

from ..errors import GenreportError, WorkbookInvalid
from .reports import TEMP_PREFIX
from .uploads import Upload


class RolloverFailed(Exception):
    """Raised with what stopped the rollover: a message and, for a broken workbook, one line per error."""

    def __init__(self, message: str, details: list[str]) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def __reduce__(self) -> tuple[Any, ...]:  # raised in the job's process, raised again in the server's
        return (RolloverFailed, (self.message, self.details))


def next_name(name: str, year: int | None) -> str:
    """The new workbook's file name: its year (2023.xlsx), else NAME-次年.xlsx."""
    if year is not None:
        return f"{year}.xlsx"
    stem = name.rsplit(".", 1)[0]
    years = set(re.findall(r"(?<!\d)((?:19|20)\d{2})(?!\d)", stem))
    if len(years) == 1:
        found = years.pop()
        return stem.replace(found, str(int(found) + 1)) + ".xlsx"
    return f"{stem}-次年.xlsx"


def roll_over(upload: Upload) -> tuple[str, bytes]:
    """The new year's workbook made from last year's: its file name and bytes."""
    from ..workbook.rollover import roll_over as function  # openpyxl loads when a rollover is asked for

    with tempfile.TemporaryDirectory(prefix=TEMP_PREFIX) as folder:
        last = Path(folder) / "last" / upload.name
        last.parent.mkdir()
        last.write_bytes(upload.data)
        new = Path(folder) / "new.xlsx"  # no year in the name: the year comes from LAST's 年度
        try:
            done = function(last, new)
        except WorkbookInvalid as e:
            lines = [f"{f.sheet}!{f.cell}：{f.message}" if f.cell else f.message for f in e.findings]
            raise RolloverFailed(f"上年工作簿有 {len(lines)} 处错误，请先改正：", lines) from None
        except GenreportError as e:
            raise RolloverFailed(str(e).replace(str(last.parent) + "/", ""), []) from None
        return next_name(upload.name, done.year), new.read_bytes()
