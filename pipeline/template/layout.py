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
from .declared import CustomField, CustomTable
from .settings import TemplateSettings


@dataclass(frozen=True)
class Layout:
    """The sheets a workbook has for a template: the standard ones, the template's own and their aliases."""

    sheets: tuple[Sheet, ...] = schema.SHEETS
    custom: tuple[ListSheet, ...] = ()  # the template's own tables; key "custom.KEY"
    aliases: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)  # sheet → label → aliases
    fields: tuple[CustomField, ...] = ()  # the 自定义字段 the template declares
    tables: tuple[CustomTable, ...] = ()  # the declarations behind ``custom``, in the same order
    staffing_total: str = ""  # the 编制类型 of a 人员编制 row that totals the rows before it

    def total_row(self, sheet: Sheet) -> tuple[str, str] | None:
        """(first column's key, its text) of the rows of ``sheet`` that total the rows before them, if declared."""
        if sheet.key == schema.STAFFING.key and self.staffing_total:
            return "kind", self.staffing_total
        table = self.table(sheet)
        if table is not None and table.total_row:
            return table.columns[0].key, table.total_row
        return None

    def table(self, sheet: Sheet) -> CustomTable | None:
        return next((t for t in self.tables if CUSTOM_PREFIX + t.key == sheet.key), None)

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
    staffing_total = settings.get("staffing.total_row")
    plain = not custom and not settings.aliases and not settings.fields and not staffing_total
    if levels == schema.KPI_LEVEL1 and plain:
        return STANDARD
    _check_aliases(settings.aliases, sheets + custom, where)
    return Layout(sheets, custom, settings.aliases, settings.fields, settings.tables, staffing_total)


def _with_levels(sheet: ListSheet, levels: tuple[str, ...]) -> ListSheet:
    columns = tuple(replace(c, choices=levels) if c.key == "level1" else c for c in sheet.columns)
    return replace(sheet, columns=columns)


_KINDS = schema.CUSTOM_TYPES


def _custom_sheet(table: CustomTable) -> ListSheet:
    columns = tuple(
        Field(
            c.key,
            c.label,
            _KINDS[c.type],
            # a total is computed where it is left blank, so the clerk need not type it
            required=c.required and not c.sum_of,
            signed=_KINDS[c.type] is not Kind.TEXT,
            help=_column_help(c.unit, c.sum_of, table),
        )
        for c in table.columns
    )
    money = any(c.kind is Kind.MONEY for c in columns)
    what = f"{table.name}：" if table.name else "模板自定义的表："
    total = f"第一列写“{table.total_row}”的行是它之前各行之和（留空时自动相加）；" if table.total_row else ""
    return ListSheet(
        key=CUSTOM_PREFIX + table.key,
        name=table.sheet,
        record="CustomRow",
        description=f"{what}第1行金额单位，第2行列名，第3行起每行一条。{total}",
        columns=columns,
        money=money,
        required=table.required,
        min_rows=1 if table.required else 0,
    )


def _column_help(unit: str, parts: tuple[str, ...], table: CustomTable) -> str:
    labels = {c.key: c.label for c in table.columns}
    said = [f"单位：{unit}。"] if unit else []
    if parts:
        said.append(f"为{'＋'.join(labels[p] for p in parts)}之和；留空时自动相加。")
    return "".join(said)


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
