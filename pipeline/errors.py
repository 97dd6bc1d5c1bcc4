"""Every error genreport raises to a user, under one base class.

The CLI catches ``GenreportError`` and nothing else: anything that is not one
of these is a bug and is allowed to show its traceback.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from .findings import codes
from .findings.collector import Finding

MESSAGE_LIMIT = 400  # a message quotes what it found; a damaged file must not flood the terminal


class GenreportError(Exception):
    """Raised for any mistake a user can fix; ``exit_code`` is what the CLI returns."""

    exit_code = 1


class InputError(GenreportError):
    """Raised when an input file is missing, unreadable or not an .xlsx workbook."""

    def __init__(self, file: str, message: str, *, sheet: str = "", cell: str = "") -> None:
        self.file = file
        self.message = message if len(message) <= MESSAGE_LIMIT else message[:MESSAGE_LIMIT] + "…"
        self.sheet = sheet
        self.cell = cell
        super().__init__(f"{file}：{self.message}")

    def as_finding(self) -> Finding:
        return Finding.of(codes.E_UNREADABLE, self.file, self.sheet, self.cell, self.message)


class WorkbookInvalid(GenreportError):
    """Raised when a workbook has structural errors; carries all of them, not just the first."""

    def __init__(self, findings: Sequence[Finding]) -> None:
        self.findings = list(findings)
        super().__init__("\n".join(str(f) for f in self.findings))


class TemplateProblem(GenreportError):
    """Raised when a report template is missing, malformed or refers to an unknown field."""


class OutputError(GenreportError):
    """Raised when the report cannot be written where it was asked to go."""


class UsageError(GenreportError):
    """Raised for a bad combination of command-line arguments."""

    exit_code = 2


def display_path(path: Path) -> str:
    """The path as the user would recognise it: relative to the working directory when inside it. Bytes of a name
    that are not text in the file system's encoding (Python keeps them as lone surrogates) show as �."""
    try:
        shown = str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        shown = str(path)
    return shown.encode("utf-8", "surrogateescape").decode("utf-8", "replace") if _SURROGATE.search(shown) else shown


_SURROGATE = re.compile("[\ud800-\udfff]")
