"""One finding of the template check: how bad, where (as a user finds it in Word), and what to do."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ...errors import TemplateProblem

ERROR = "error"
WARNING = "warning"
SEVERITY_WORD = {ERROR: "错误", WARNING: "警告"}


@dataclass(frozen=True)
class Problem:
    """One mistake or doubt the template check found: where it is and what it is."""

    severity: str
    where: str  # 第3段「…」（位于“…”下）, 表格2 第3行第1列「…」, 页眉第1段「…」
    message: str
    at: int = field(default=0, compare=False)  # the element it is in, for document order

    def text(self, template: str) -> str:
        """As build and ``template check`` both print it, after 错误：/警告："""
        return f"{template}：{self.where}：{self.message}"


def unique(problems: Iterable[Problem]) -> list[Problem]:
    """Once each: one typo inside a loop's row or a merged cell reaches the linter more than once."""
    return list(dict.fromkeys(problems))


class TemplateInvalid(TemplateProblem):
    """The template check found errors; build stops with each of them, in the words ``template check`` uses.

    ``lines`` are the messages; ``str()`` joins them so that a caller printing ``错误：{error}`` prints one
    ``错误：`` line per problem.
    """

    def __init__(self, template: str, problems: list[Problem]) -> None:
        self.problems = problems
        self.lines = [p.text(template) for p in problems if p.severity == ERROR]
        super().__init__("\n错误：".join(self.lines))
