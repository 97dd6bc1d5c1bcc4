"""The template context is declared (pipeline/context/vocabulary.py) and its typed figures know their cells."""

from __future__ import annotations

import copy
import pickle
from decimal import Decimal
from typing import Annotated, Any, Union, get_args, get_origin, get_type_hints, is_typeddict

import pytest

from pipeline.context.vocabulary import OPEN, Context, declared_meanings
from pipeline.make.context_shape import declared_shape
from pipeline.model.figure import Figure, marked, unmarked
from pipeline.model.record import Place
from pipeline.session import load_context
from pipeline.template.check.shape import Mapping, to_json

from .conftest import ROOT, SAMPLE

TOWNSHIP = ROOT / "inputs" / "township-2023.xlsx"


def _undeclared(value: Any, hint: Any, path: str) -> list[str]:
    """Paths where the value has keys its declaration lacks, or lacks keys it declares."""
    if get_origin(hint) is Annotated:
        hint = get_args(hint)[0]
    if get_origin(hint) is Union or type(hint).__name__ == "UnionType":
        members = [a for a in get_args(hint) if a is not type(None)]
        return [] if value is None else _undeclared(value, members[0], path)
    if is_typeddict(hint):
        declared = get_type_hints(hint, include_extras=True)
        rows = {f.key for f in OPEN[hint].rows} if hint in OPEN else set()
        found = [f"{path}.{k}: not declared" for k in value if k not in declared and k not in rows]
        found += [f"{path}.{k}: declared, missing" for k in declared if k not in value]
        for key in set(declared) & set(value):
            found += _undeclared(value[key], declared[key], f"{path}.{key}")
        return found
    if get_origin(hint) is list:
        return [p for item in value for p in _undeclared(item, get_args(hint)[0], f"{path}[]")]
    if get_origin(hint) is dict:
        return [p for k, item in value.items() for p in _undeclared(item, get_args(hint)[1], f"{path}.{k}")]
    return []


@pytest.mark.parametrize("workbook", [SAMPLE, TOWNSHIP], ids=["default", "township"])
def test_the_context_holds_exactly_the_declared_fields(workbook: Any) -> None:
    context, _ = load_context(workbook)
    assert _undeclared(context, Context, "") == []


def test_the_check_finds_an_undeclared_field() -> None:
    context, _ = load_context(SAMPLE)
    broken = {**context, "unit": {**context["unit"], "nickname": "x"}}
    del broken["title"]
    assert sorted(_undeclared(broken, Context, "")) == [".title: declared, missing", ".unit.nickname: not declared"]


def test_the_guides_meanings_come_from_the_declaration() -> None:
    meanings = declared_meanings()
    assert meanings["evaluation.budget.rate"].text == (
        "执行率：收入合计的全年执行数 ÷ 全年预算数，即 indicators.budget_execution_rate.value"
    )
    assert meanings["project_evaluations[].budget.rate"].text == "预算执行率（执行数 ÷ 全年预算数）"
    assert meanings["projects[].row"].text == "在工作表中的行号"
    assert meanings["custom.**"].deep


def test_the_shipped_shape_holds_every_declared_field() -> None:
    shape = declared_shape()
    assert isinstance(shape, Mapping)
    assert set(shape.keys) == set(get_type_hints(Context))
    assert to_json(shape)["evaluation"]["kpis"] == [
        to_json(declared_shape(get_type_hints(Context)["evaluation"]))["kpis"][0]
    ]


def test_a_typed_figure_knows_its_cell_and_a_computed_one_does_not() -> None:
    context, _ = load_context(SAMPLE)
    total = context["budget"]["actual"]["expense_total"]
    assert isinstance(total, Figure) and total.place == Place("收支预决算", "E9")
    assert total == Decimal("12678.39") and str(total) == "12678.39"
    assert type(total + 1) is Decimal and type(-total) is Decimal  # a sum has no one cell
    assert context["evaluation"]["expense_total"].place == total.place  # 附件1 prints the same figure
    project = context["projects"][0]
    assert isinstance(project["actual"], Figure) and project["actual"].place.sheet == "项目"
    assert not isinstance(context["shares"]["basic"], Figure)  # a computed ratio


def test_a_figure_survives_pickle_and_copy() -> None:
    figure = Figure(Decimal("1.50"), Place("资产", "B3"))
    for other in (pickle.loads(pickle.dumps(figure)), copy.copy(figure), copy.deepcopy(figure)):
        assert isinstance(other, Figure) and other == figure and other.place == figure.place
        assert str(other) == "1.50"


def test_marks_come_off_whole() -> None:
    text = f"合计{marked('12678.39', 3)}万元，{marked('1.00', 12)}"
    assert unmarked(text) == "合计12678.39万元，1.00"
