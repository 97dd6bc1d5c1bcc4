"""A list column converts each repeated value once (issue 19 §4): the answer is the one a cell alone gets, whatever
came before it in the column."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from pipeline.model import schema
from pipeline.model.schema import Kind
from pipeline.workbook.cells import RawCell
from pipeline.workbook.normalize import _SheetReader

VALUES: list[Any] = [
    1,
    1.0,
    1.5,
    0,
    0.0,
    -0.0,
    -0,
    -1,
    -1.0,
    True,
    False,
    1e300,
    float("nan"),
    float("inf"),
    -float("inf"),
    10**20,
    "1",
    "a",
    " a ",
    "a\u3000",
    "",
    " ",
    "完成",
    "未完成",
    "#N/A",
    None,
]


def _field(kind: Kind, *, signed: bool = False, choices: tuple[str, ...] = ()) -> schema.Field:
    return schema.Field("x", "某列", kind, signed=signed, choices=choices)


def _shown(value: Any) -> tuple[type, str]:
    return type(value), repr(value)


@pytest.mark.parametrize(
    "field",
    [
        _field(Kind.MONEY),
        _field(Kind.MONEY, signed=True),
        _field(Kind.TEXT),
        _field(Kind.TEXT, choices=("完成", "未完成")),
        _field(Kind.DATE),
    ],
    ids=["money", "signed money", "text", "text of choices", "date"],
)
@pytest.mark.parametrize("divisor", [Decimal(1), Decimal(10000)])
def test_a_repeated_value_converts_as_it_does_alone(field: schema.Field, divisor: Decimal) -> None:
    reader = SimpleNamespace(divisor=divisor)
    cells = [RawCell(v, "General", error=v == "#N/A") for v in VALUES]
    column = _SheetReader.quick(reader, field, True)  # type: ignore[arg-type]
    for _ in range(3):  # every value after every other, twice over
        for raw in cells + cells[::-1]:
            alone = _SheetReader.quick(reader, field)(raw)  # type: ignore[arg-type]
            assert _shown(column(raw)) == _shown(alone), raw
