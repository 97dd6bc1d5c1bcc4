"""docs/workbook.md, generated from the schema (tests fail when the committed copy is stale)."""

from __future__ import annotations

from ..model import schema
from ..model.schema import FormSheet
from ..workbook.blank_form import guide_entries


def workbook_markdown() -> str:
    lines = [
        "# 标准填报工作簿 / The standard workbook",
        "",
        "<!-- Generated from pipeline/model/schema.py by `python scripts/make_docs.py`; do not edit by hand. -->",
        "",
        "`genreport init PATH` writes this workbook. Every sheet has the same frame: row 1 holds the unit",
        f"(`{schema.UNIT_LABEL}` in A1, 万元 or 元 in B1) or a description, row {schema.HEADER_ROW} the headers,"
        f" data from row {schema.FIRST_DATA_ROW}.",
        "Form sheets have fixed rows found by the label in column A; list sheets have one record per row,",
        "columns found by their header, blank rows ignored. Amounts are in 万元 unless the sheet says 元.",
        "",
        "`genreport init NEW --from LAST` writes next year's from last year's: 年度 + 1; what describes the",
        "department is carried (基本信息 but 报告日期, 部门职责, 内设机构, 人员编制, 决算单位, the names and types",
        "of 自定义字段, the names of 项目, the indicators' definitions); each column marked “← …” below receives",
        "last year's figure of that column; every other figure, score and paragraph starts blank. A 参考列 is for",
        "the person filling in: read without a warning, printed nowhere.",
        "",
    ]
    lines += _limits()
    entries = guide_entries()
    for sheet in schema.SHEETS:
        kind = "固定行 / form" if isinstance(sheet, FormSheet) else "列表 / list"
        need = "必需" if sheet.required else "可缺省"
        lines += [f"## {sheet.name}", "", f"{sheet.description}（{kind}，{need}）", ""]
        if isinstance(sheet, FormSheet):
            lines.append(
                "值列 / value columns: "
                + "、".join(c.label + ("" if c.required else "（可不填）") + _prior(sheet, c) for c in sheet.columns)
            )
            lines.append("")
        for note in getattr(sheet, "notes", ()):
            lines += [f"- {note}"]
        if getattr(sheet, "notes", ()):
            lines.append("")
        lines += ["| 字段 | 类型 | 必填 | 可选值 | 说明 |", "|---|---|---|---|---|"]
        for name, label, kind_text, required, choices, help_text in entries:
            if name == sheet.name:
                help_text += _prior(sheet, next((c for c in _fields(sheet) if c.label == label), None))
                cells = [label, kind_text, required, choices, help_text.replace("|", "\\|")]
                lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def _limits() -> list[str]:
    """What reading accepts at most (schema.py), each far above a real department's workbook: over one, the workbook
    is refused at once with a message naming the limit (and the sheet), before anything is parsed."""
    return [
        "## 读取上限 / Limits",
        "",
        "A workbook over one of these is refused at once (E_UNREADABLE, naming the sheet where there is one), before",
        "any of it is parsed; the sample is far below each. Rows and cells are counted in the sheets the form reads;",
        "a sheet it does not read (a scratch sheet) counts only towards the size.",
        "",
        "| 上限 / limit | 值 / value |",
        "|---|---|",
        f"| 文件大小 / file size | {schema.MAX_FILE_MB} MB |",
        f"| 解压后大小 / all parts unpacked | {schema.MAX_UNPACKED_MB} MB |",
        f"| 组成部分 / parts in the package | {schema.MAX_PARTS:,} |",
        f"| 工作表 / sheets | {schema.MAX_SHEETS} |",
        f"| 每张表的数据行 / data rows per sheet (formatted blank rows count) | {schema.MAX_SHEET_ROWS:,} |",
        f"| 单元格 / cells in the sheets read, all together | {schema.MAX_CELLS:,} |",
        f"| 共享文字 / shared strings | {schema.MAX_STRINGS:,} |",
        f"| 其他部分的 XML 元素 / elements of any other part (styles, comments, drawings) | {schema.MAX_PART_TAGS:,} |",
        "",
    ]


def _fields(sheet: schema.Sheet) -> tuple[schema.Field, ...]:
    return () if isinstance(sheet, FormSheet) else sheet.columns


def _prior(sheet: schema.Sheet, column: schema.Field | schema.ValueColumn | None) -> str:
    """“ ← 全年执行数”: the column ``init --from`` fills with last year's figure of another."""
    if column is None or column.prior_of is None:
        return ""
    columns: tuple[schema.Field | schema.ValueColumn, ...] = sheet.columns
    labels = {c.key: c.label for c in columns}
    return f" ← 上年的{labels[column.prior_of]}"
