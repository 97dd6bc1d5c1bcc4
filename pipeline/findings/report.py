"""Findings as people and programs read them: grouped text, or a JSON array."""

from __future__ import annotations

import json
from collections.abc import Sequence
from itertools import groupby

from ..model import schema
from .collector import Finding

SEVERITY = {"error": "错误", "warning": "警告"}
JSON_KEYS = ("file", "severity", "code", "sheet", "cell", "message")


def as_json(findings: Sequence[Finding]) -> str:
    return json.dumps([{k: getattr(f, k) for k in JSON_KEYS} for f in findings], ensure_ascii=False, indent=2)


_ORDER = {name: i for i, name in enumerate([schema.GUIDE_SHEET, *(s.name for s in schema.SHEETS)])}


def sheet_order(f: Finding) -> int:
    """File-level findings first, then the standard sheets in workbook order, then any other sheet."""
    return -1 if not f.sheet else _ORDER.get(f.sheet, len(_ORDER))


def as_text(findings: Sequence[Finding], files: Sequence[str]) -> str:
    """Grouped by file, then sheet (in the order found); ends with the counts."""
    lines: list[str] = []
    for file in files:
        mine = sorted((f for f in findings if f.file == file), key=sheet_order)
        lines.append(f"{file}：{'未发现问题' if not mine else f'{len(mine)} 项'}")
        for sheet, group in groupby(mine, key=lambda f: f.sheet):
            indent = "  "
            if sheet:
                lines.append(f"  {sheet}")
                indent = "    "
            for f in group:
                where = f"{f.cell} " if f.cell else ""
                lines.append(f"{indent}{where}{SEVERITY[f.severity]} [{f.code}] {f.message}")
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    lines.append(f"共 {len(files)} 个文件：{errors} 个错误，{warnings} 个警告。")
    return "\n".join(lines)
