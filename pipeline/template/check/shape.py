"""The shape of the template context: which names, keys and list elements a template may use.

A shape is built from a real context (values are thrown away, keys and element shapes kept) and merged with
the shape shipped beside this module (``context_shape.json``, from the sample and a fuller copy of it), so that
a list empty in one workbook (no 楼堂馆所 this year) still says what its items hold.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import abc
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from ..settings import TemplateSettings

SHIPPED = Path(__file__).with_name("context_shape.json")


class Shape:
    """What a value in the context is: unknown, a scalar, a mapping with known keys, or a list of one shape."""


@dataclass(frozen=True)
class Unknown(Shape):
    """Anything goes: the linter cannot know (a call's result, a filter of its own), so it reports nothing."""


ANY = Unknown()


@dataclass(frozen=True)
class Scalar(Shape):
    """A value that is no mapping or list, by the type names seen for it."""

    types: frozenset[str]  # Python type names seen: "str", "Decimal", "NoneType" …


@dataclass
class Mapping(Shape):
    """A mapping whose keys are known, each with its own shape."""

    keys: dict[str, Shape] = field(default_factory=dict)


@dataclass
class Sequence(Shape):
    """A list whose items share one shape."""

    element: Shape | None = None  # None: no item was ever seen


@dataclass
class Declared(Mapping):
    """``custom``: the names the template declares in template.toml; ``present`` the workbook's own others."""

    present: frozenset[str] = frozenset()


_DECLARED_TYPES = {
    "文本": "str",
    "整数": "int",
    "金额": "Decimal",
    "数值": "Decimal",
    "百分比": "Decimal",
    "日期": "date",
}


def declared_custom(settings: TemplateSettings, present: abc.Iterable[str] = ()) -> Declared:
    """The shape of ``custom`` as template.toml declares it: each field a value of its type (or blank), each
    table a list of rows of its columns, a table with a total row its ``KEY_total``."""
    keys: dict[str, Shape] = {f.name: Scalar(frozenset({_DECLARED_TYPES[f.type], "NoneType"})) for f in settings.fields}
    for table in settings.tables:
        row = Mapping({c.key: Scalar(frozenset({_DECLARED_TYPES[c.type], "NoneType"})) for c in table.columns})
        keys[table.key] = Sequence(row)
        if table.total_row:
            keys[f"{table.key}_total"] = Mapping(dict(row.keys))
    return Declared(keys, frozenset(present) - set(keys))


_TYPES: dict[str, type] = {
    "str": str,
    "int": int,
    "float": float,
    "bool": bool,
    "Decimal": Decimal,
    "date": dt.date,
    "datetime": dt.datetime,
}


def scalar_has(shape: Scalar, attr: str) -> bool:
    """Whether ``value.attr`` can exist for a value of this shape (a method such as ``strip`` on text)."""
    known = [_TYPES[t] for t in shape.types if t in _TYPES]
    if len(known) < len(shape.types - {"NoneType"}) or not known:
        return True  # a type not listed here, or only None ever seen: cannot tell
    return any(hasattr(t, attr) for t in known)


def shape_of(value: Any) -> Shape:
    if isinstance(value, dict):
        return _fill_siblings(Mapping({str(k): shape_of(v) for k, v in value.items()}))
    if isinstance(value, list | tuple):
        element: Shape | None = None
        for item in value:
            element = merge(element, shape_of(item))
        return Sequence(element)
    if isinstance(value, Decimal):  # a Figure (a typed figure that knows its cell) is a Decimal to a template
        return Scalar(frozenset({"Decimal"}))
    return Scalar(frozenset({type(value).__name__}))


def _fill_siblings(shape: Mapping) -> Mapping:
    """budget.prior.income_sources is empty where budget.initial's is not: records of one kind (mappings with
    the same keys side by side) lend each other the element shape of a list."""
    records = list(shape.keys.values())
    if len(records) < 2 or not all(isinstance(r, Mapping) for r in records):
        return shape
    maps = [r for r in records if isinstance(r, Mapping)]
    if len({tuple(m.keys) for m in maps}) != 1:
        return shape
    for key in maps[0].keys:
        lists = [m.keys[key] for m in maps]
        if all(isinstance(s, Sequence) for s in lists):
            element: Shape | None = None
            for s in lists:
                element = merge(element, s.element if isinstance(s, Sequence) else None)
            for m in maps:
                m.keys[key] = Sequence(element)
    return shape


def merge(a: Shape | None, b: Shape | None) -> Shape | None:
    """Both shapes at once: keys of either mapping, items of either list; None (absent) yields to the other."""
    if a is None or b is None:
        return a if b is None else b
    if isinstance(a, Unknown) or isinstance(b, Unknown):
        return ANY
    if isinstance(a, Scalar) and a.types <= {"NoneType"} and not isinstance(b, Scalar):
        return b  # a value left blank in one workbook is a missing mapping or list, not another kind of value
    if isinstance(b, Scalar) and b.types <= {"NoneType"} and not isinstance(a, Scalar):
        return a
    if isinstance(a, Scalar) and isinstance(b, Scalar):
        return Scalar(a.types | b.types)
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        keys = dict(a.keys)
        for k, v in b.keys.items():
            keys[k] = merge(keys.get(k), v) or ANY
        return Mapping(keys)
    if isinstance(a, Sequence) and isinstance(b, Sequence):
        return Sequence(merge(a.element, b.element))
    return ANY


# ---------------------------------------------------------------------------------------------------------
# The shipped shape, as JSON: a mapping is an object, a list is [] or [element], a scalar "str|Decimal", "?"
# unknown.


def to_json(shape: Shape | None) -> Any:
    if isinstance(shape, Mapping):
        return {k: to_json(v) for k, v in shape.keys.items()}
    if isinstance(shape, Sequence):
        return [] if shape.element is None else [to_json(shape.element)]
    if isinstance(shape, Scalar):
        return "|".join(sorted(shape.types))
    return "?"


def from_json(data: Any) -> Shape:
    if isinstance(data, dict):
        return Mapping({k: from_json(v) for k, v in data.items()})
    if isinstance(data, list):
        return Sequence(from_json(data[0]) if data else None)
    if isinstance(data, str) and data != "?":
        return Scalar(frozenset(data.split("|")))
    return ANY


def dumps(shape: Shape) -> str:
    return json.dumps(to_json(shape), ensure_ascii=False, indent=1) + "\n"


def compact(shape: Shape | None) -> str:
    """The shape as JSON on one line (json's C encoder: ``dumps`` indents in Python): a key, not a file."""
    return json.dumps(to_json(shape), ensure_ascii=False, separators=(",", ":"))


@cache
def shipped_source() -> bytes:
    """The shipped shape's file as it is (b"" when unreadable): what ``shipped()`` is made from."""
    try:
        return SHIPPED.read_bytes()
    except OSError:
        return b""


@cache
def _shipped_json() -> Any:
    try:
        return json.loads(shipped_source().decode("utf-8"))
    except ValueError:
        return {}  # a damaged install still checks against the workbook's own context


def shipped() -> Shape:
    return from_json(_shipped_json())  # fresh objects: callers merge into them


def context_shape(context: abc.Mapping[str, Any] | None) -> Mapping:
    """The shape a template is checked against: this context's, widened by the shipped one."""
    return widened(shape_of(context) if context is not None else None)


def widened(own: Shape | None) -> Mapping:
    """A context's shape (``shape_of``), widened by the shipped one."""
    combined = merge(shipped(), own)
    return combined if isinstance(combined, Mapping) else Mapping()
