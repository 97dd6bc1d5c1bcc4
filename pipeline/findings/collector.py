"""Findings: one problem in a workbook, located to its sheet and cell, and the one collector that gathers them.

A finding's severity comes from its code's declaration in ``codes``; nothing else decides it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .codes import Code, Severity


@dataclass(frozen=True)
class Finding:
    """One problem found in a workbook, located to the cell."""

    severity: Severity
    code: str
    file: str
    sheet: str
    cell: str
    message: str
    # the offending text exactly as it stands in the cell, where the finding is about typed text rather than a
    # figure (proofreading): the Word comment is placed where that text prints
    anchor: str = ""

    def __str__(self) -> str:
        where = self.file
        if self.sheet:
            where += f" › {self.sheet}"
            if self.cell:
                where += f"!{self.cell}"
        return f"{where}：{self.message}"

    @classmethod
    def of(cls, code: Code, file: str, sheet: str, cell: str, message: str, anchor: str = "") -> Finding:
        return cls(code.severity, code.code, file, sheet, cell, message, anchor)


def short(text: str, limit: int = 30) -> str:
    """A name quoted in a message: a 20,000-character cell must not flood the terminal."""
    return text if len(text) <= limit else text[:limit] + "…"


class Findings:
    """Every finding of one workbook, in the order found."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.items: list[Finding] = []

    def add(self, code: Code, sheet: str, cell: str, message: str, *, anchor: str = "") -> None:
        self.items.append(Finding.of(code, self.file, sheet, cell, message, anchor))

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.items if f.severity is Severity.ERROR]
