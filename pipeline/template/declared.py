"""What a template says it needs from the workbook, beyond the standard sheets: its 自定义字段 ([[fields]]), its own
tables ([[tables]]) and the totals in them and in the staffing lines.

Declared once in template.toml, they reach every hand: the blank form (``init -t``) writes the rows and sheets, the
reader reports a required one that is missing in the clerk's words at the sheet where it belongs, the checks compare
declared totals with their parts, and the template check refuses a ``custom.X`` the template does not declare.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import TemplateProblem

COLUMN_TYPES = ("文本", "整数", "金额", "数值", "百分比", "日期")
NUMERIC_TYPES = ("整数", "金额", "数值", "百分比")
MAX_DECLARED = 200  # fields, tables or columns: a form of thousands of declared rows is a mistake
_NAME_LIMIT = 40  # characters of a field's or column's name


@dataclass(frozen=True)
class CustomField:
    """One row of the 自定义字段 sheet the template relies on: ``{{ custom.<name> }}``."""

    name: str
    type: str = "文本"
    unit: str = ""
    required: bool = False
    help: str = ""
    sum_of: tuple[str, ...] = ()  # the names of the fields this one totals

    @property
    def label(self) -> str:
        """As the clerk reads it: 绿化面积（平方米）."""
        return f"{self.name}（{self.unit}）" if self.unit else self.name


@dataclass(frozen=True)
class CustomColumn:
    """A column of a department's own table, as template.toml declares it."""

    key: str
    label: str
    type: str = "文本"
    required: bool = False
    unit: str = ""
    sum_of: tuple[str, ...] = ()  # the keys of the columns of the same row this one totals


@dataclass(frozen=True)
class CustomTable:
    """A department's own table (a sheet of the workbook), as template.toml declares it."""

    key: str
    sheet: str
    columns: tuple[CustomColumn, ...]
    name: str = ""  # what the table is, for the clerk (defaults to the sheet's name)
    required: bool = False  # the sheet must be there, with at least one row
    total_row: str = ""  # the first column's text of a row that totals the rows before it (小计, 合计)


def _entries(value: Any, key: str, how: str, shown: str) -> list[dict[str, Any]]:
    """The [[key]] tables of template.toml, as many as a template may declare."""
    if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
        raise TemplateProblem(f"{shown}：{key} 应写成一个或多个 [[{key}]]{how}")
    if len(value) > MAX_DECLARED:
        raise TemplateProblem(f"{shown}：[[{key}]] 超过 {MAX_DECLARED} 个")
    return value


def parse_fields(value: Any, shown: str) -> tuple[CustomField, ...]:
    out: list[CustomField] = []
    for i, spec in enumerate(_entries(value, "fields", '，每个有 name = "字段名"', shown), start=1):
        where = f"第{i}个 [[fields]]"
        _known_keys(spec, {"name", "type", "unit", "required", "help", "sum_of"}, where, shown)
        name = _name(spec.get("name"), f"{where} 的 name", shown)
        kind = _kind(spec.get("type", "文本"), where, shown)
        out.append(
            CustomField(
                name,
                kind,
                _text(spec.get("unit", ""), f"{where} 的 unit", shown),
                _flag(spec.get("required", False), where, shown),
                _text(spec.get("help", ""), f"{where} 的 help", shown, limit=200),
                _names(spec.get("sum_of", []), f"{where} 的 sum_of", shown),
            )
        )
    names = [f.name for f in out]
    _unique(names, "[[fields]] 的 name", shown)
    by_name = {f.name: f for f in out}
    for f in out:
        _sum_refs(f.name, f.type, f.sum_of, {n: g.type for n, g in by_name.items()}, "[[fields]]", shown)
    return tuple(out)


def parse_tables(value: Any, shown: str) -> tuple[CustomTable, ...]:
    out: list[CustomTable] = []
    for i, table in enumerate(_entries(value, "tables", "", shown), start=1):
        where = f"第{i}个 [[tables]]"
        _known_keys(table, {"key", "sheet", "name", "required", "total_row", "columns"}, where, shown)
        key, sheet = table.get("key"), table.get("sheet")
        if not isinstance(key, str) or not key.isidentifier() or not isinstance(sheet, str) or not sheet.strip():
            raise TemplateProblem(f"{shown}：{where} 须有 key（字母、数字、下划线或汉字）和 sheet（工作表名）")
        specs = table.get("columns", [])
        if not isinstance(specs, list) or len(specs) > MAX_DECLARED:
            raise TemplateProblem(f"{shown}：{where} 的 columns 应写成不超过 {MAX_DECLARED} 个 [[tables.columns]]")
        columns = tuple(_column(c, f"{where}的第{j}列", shown) for j, c in enumerate(specs, 1))
        if not columns:
            raise TemplateProblem(f"{shown}：{where} 须有 [[tables.columns]]")
        _unique([c.key for c in columns], f"{where} 的列 key", shown)
        _unique([c.label for c in columns], f"{where} 的列名 label", shown)
        types = {c.key: c.type for c in columns}
        for c in columns:
            _sum_refs(c.key, c.type, c.sum_of, types, f"{where} 的列", shown)
        total_row = _text(table.get("total_row", ""), f"{where} 的 total_row", shown)
        if total_row and not any(c.type in NUMERIC_TYPES for c in columns):
            raise TemplateProblem(f"{shown}：{where} 写了 total_row，但没有可以相加的数字列（整数、金额、数值）")
        if total_row and columns[0].type != "文本":
            raise TemplateProblem(f"{shown}：{where} 写了 total_row，第一列应为文本列（合计行在第一列写“{total_row}”）")
        out.append(
            CustomTable(
                key,
                sheet.strip(),
                columns,
                _text(table.get("name", ""), f"{where} 的 name", shown),
                _flag(table.get("required", False), where, shown),
                total_row,
            )
        )
    _unique([t.key for t in out], "[[tables]] 的 key", shown)
    return tuple(out)


def _column(spec: Any, where: str, shown: str) -> CustomColumn:
    if not isinstance(spec, dict):
        raise TemplateProblem(f"{shown}：{where} 应写成 [[tables.columns]] 下的 key、label、type")
    _known_keys(spec, {"key", "label", "type", "required", "unit", "sum_of"}, where, shown)
    key, label = spec.get("key"), spec.get("label")
    if not isinstance(key, str) or not key.isidentifier() or not isinstance(label, str) or not label.strip():
        raise TemplateProblem(f"{shown}：{where} 须有 key（字母、数字、下划线或汉字）和 label（工作簿中的列名）")
    return CustomColumn(
        key,
        label.strip(),
        _kind(spec.get("type", "文本"), where, shown),
        _flag(spec.get("required", False), where, shown),
        _text(spec.get("unit", ""), f"{where} 的 unit", shown),
        _names(spec.get("sum_of", []), f"{where} 的 sum_of", shown),
    )


def _known_keys(spec: Mapping[str, Any], known: set[str], where: str, shown: str) -> None:
    unknown = set(spec) - known
    if unknown:
        raise TemplateProblem(
            f"{shown}：{where} 有未知设置 {'、'.join(sorted(unknown))}（可用 {'、'.join(sorted(known))}）"
        )


def _name(value: Any, where: str, shown: str) -> str:
    """A name a template can write after ``custom.``: no spaces, dots or brackets, as Jinja reads an attribute."""
    if not isinstance(value, str) or not value.strip():
        raise TemplateProblem(f"{shown}：{where} 应为字段名（汉字、字母、数字或下划线）")
    name = value.strip()
    if not name.isidentifier() or len(name) > _NAME_LIMIT:
        raise TemplateProblem(
            f"{shown}：{where}“{name[:_NAME_LIMIT]}”不能在模板中写成 custom.名称：只用汉字、字母、数字和下划线，"
            f"不以数字开头，不含空格和标点，最长 {_NAME_LIMIT} 字"
        )
    return name


def _kind(value: Any, where: str, shown: str) -> str:
    if value not in COLUMN_TYPES:
        raise TemplateProblem(f"{shown}：{where} 的 type 应为 {'、'.join(COLUMN_TYPES)} 之一，实际为 {value!r}")
    return str(value)


def _flag(value: Any, where: str, shown: str) -> bool:
    if not isinstance(value, bool):
        raise TemplateProblem(f"{shown}：{where} 的 required 应为 true 或 false")
    return value


def _text(value: Any, where: str, shown: str, limit: int = _NAME_LIMIT) -> str:
    if not isinstance(value, str) or len(value) > limit:
        raise TemplateProblem(f"{shown}：{where} 应为不超过 {limit} 字的文字（加英文双引号）")
    return value.strip()


def _names(value: Any, where: str, shown: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise TemplateProblem(f'{shown}：{where} 应为名称列表，如 ["公园绿地面积", "道路绿地面积"]')
    return tuple(v.strip() for v in value)


def _unique(names: list[str], what: str, shown: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise TemplateProblem(f"{shown}：{what}“{name}”重复")
        seen.add(name)


def _sum_refs(name: str, kind: str, parts: tuple[str, ...], kinds: Mapping[str, str], what: str, shown: str) -> None:
    """A total's parts exist, are numbers like it, and are not itself: the check adds exactly what it says."""
    if not parts:
        return
    if kind not in NUMERIC_TYPES:
        raise TemplateProblem(f"{shown}：{what}“{name}”是{kind}，不能写 sum_of（只有整数、金额、数值、百分比可以相加）")
    if len(parts) < 2 or name in parts or len(set(parts)) != len(parts):
        raise TemplateProblem(f"{shown}：{what}“{name}”的 sum_of 应列出至少两个其他的、不重复的项")
    for part in parts:
        if part not in kinds:
            raise TemplateProblem(f"{shown}：{what}“{name}”的 sum_of 中的“{part}”未登记")
        if kinds[part] != kind:
            raise TemplateProblem(f"{shown}：{what}“{name}”是{kind}，而 sum_of 中的“{part}”是{kinds[part]}，类型应相同")
