"""A typed figure that knows its cell, and the marks that carry a doubted figure's place into the rendered document.

``Figure`` is the Decimal the user typed, with the sheet and cell it was read from. It prints, compares and computes
as that Decimal (arithmetic gives plain Decimals: a sum or a difference has no one cell), so templates, filters and
checks see no difference. Where a warning doubts a figure, the renderer wraps its printed text in private-use
marks naming the comment it belongs to; the review pass anchors that comment on exactly those characters and removes
the marks, so a figure printed twice with the same digits is told apart from another figure that prints the same.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from .record import Place

# Unicode noncharacters, "never for interchange": normalize removes them from every cell (convert._CONTROL), XML
# holds them, and Word and LibreOffice never see them (the review pass removes every mark)
OPEN, MID, CLOSE = "\ufdd0", "\ufdd1", "\ufdd2"
MARK = re.compile(f"{OPEN}(\\d+){MID}(.*?){CLOSE}", re.DOTALL)
ANY_MARK = re.compile(f"{OPEN}\\d+{MID}|{CLOSE}")


class Figure(Decimal):
    """A Decimal read from one cell; ``place`` says which."""

    place: Place

    def __new__(cls, value: Decimal | str, place: Place) -> Figure:
        self = super().__new__(cls, value)
        self.place = place
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (Figure, (str(self), self.place))

    def __copy__(self) -> Figure:
        return self

    def __deepcopy__(self, memo: Any) -> Figure:
        return self


def placed(value: Any, place: Place) -> Any:
    """``value`` as a Figure of ``place`` where it is a number read from a cell; anything else as it is."""
    if isinstance(value, Decimal) and not isinstance(value, Figure) and place.cell:
        return Figure(value, place)
    return value


def marked(text: str, note: int) -> str:
    """``text`` wrapped in the marks of comment ``note``."""
    return f"{OPEN}{note}{MID}{text}{CLOSE}"


def unmarked(text: str) -> str:
    return ANY_MARK.sub("", text)
