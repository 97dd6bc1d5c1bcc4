"""The workbook as one template reads it: the standard sheets of ``schema`` with the template's header aliases and
一级指标 choices applied, plus the department's own tables declared in its template.toml.

The reader, the blank form and the template check all take a Layout, so a template that renames a column or adds a
table changes them together; ``STANDARD`` is the default template's.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from ..errors import TemplateProblem
from ..model import schema
from ..model.schema import Field, Kind, ListSheet, Sheet
from .settings import CustomTable, TemplateSettings


@dataclass(frozen=True)
class Layout:
    sheets: tuple[Sheet, ...] = schema.SHEETS
    custom: tuple[ListSheet, ...] = ()  # the template's own tables; key "custom.KEY"
    aliases: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)  # sheet → label → aliases

    @property
    def all_sheets(self) -> tuple[Sheet, ...]:
        return self.sheets + self.custom

    def labels(self, sheet: Sheet, label: str) -> tuple[str, ...]:
        """A column or row label and every alias this template accepts for it, the standard label first."""
        return (label, *self.aliases.get(sheet.name, {}).get(label, ()))


STANDARD = Layout()
CUSTOM_PREFIX = "custom."


def layout_for(settings: TemplateSettings, levels: tuple[str, ...], where: str) -> Layout:
    """The layout of a template whose 一级指标 are ``levels`` (its rules' points, in order)."""
    sheets = tuple(_with_levels(s, levels) if s is schema.KPIS else s for s in schema.SHEETS)
    custom = tuple(_custom_sheet(t) for t in settings.tables)
    standard_names = {s.name for s in sheets} | {schema.GUIDE_SHEET}
    for sheet in custom:
        if sheet.name in standard_names:
            raise TemplateProblem(f"{where}：自定义表的 sheet “{sheet.name}”与标准工作表同名，请换一个名称")
    if len({s.name for s in custom}) != len(custom):
        raise TemplateProblem(f"{where}：两个自定义表用了同一个 sheet 名称")
    if levels == schema.KPI_LEVEL1 and not custom and not settings.aliases:
        return STANDARD
    _check_aliases(settings.aliases, sheets + custom, where)
    return Layout(sheets, custom, settings.aliases)


def _with_levels(sheet: ListSheet, levels: tuple[str, ...]) -> ListSheet:
    columns = tuple(replace(c, choices=levels) if c.key == "level1" else c for c in sheet.columns)
    return replace(sheet, columns=columns)


_KINDS = schema.CUSTOM_TYPES


def _custom_sheet(table: CustomTable) -> ListSheet:
    columns = tuple(
        Field(c.key, c.label, _KINDS[c.type], required=c.required, signed=_KINDS[c.type] is not Kind.TEXT)
        for c in table.columns
    )
    money = any(c.kind is Kind.MONEY for c in columns)
    return ListSheet(
        key=CUSTOM_PREFIX + table.key,
        name=table.sheet,
        record="CustomRow",
        description="模板自定义的表：第1行金额单位，第2行列名，第3行起每行一条。",
        columns=columns,
        money=money,
        required=False,
    )


def _check_aliases(aliases: Mapping[str, Mapping[str, tuple[str, ...]]], sheets: tuple[Sheet, ...], where: str) -> None:
    """An alias for a sheet or label that does not exist would silently do nothing: refuse it by name."""
    by_name = {s.name: s for s in sheets}
    for sheet_name, labels in aliases.items():
        sheet = by_name.get(sheet_name)
        if sheet is None:
            raise TemplateProblem(f"{where}：aliases 中的工作表“{sheet_name}”不存在{_close(sheet_name, by_name)}")
        known = _labels(sheet)
        for label in labels:
            if label not in known:
                raise TemplateProblem(
                    f"{where}：aliases.“{sheet_name}” 中的“{label}”不是该表的列名或行名{_close(label, known)}"
                )


def _labels(sheet: Sheet) -> list[str]:
    if isinstance(sheet, ListSheet):
        return [c.label for c in sheet.columns]
    return [r.label for r in sheet.rows] + [c.label for c in sheet.columns]


def _close(name: str, options: object) -> str:
    close = difflib.get_close_matches(name, list(options), n=1, cutoff=0.5)  # type: ignore[call-overload]
    return f"；您是否要写“{close[0]}”？" if close else ""
