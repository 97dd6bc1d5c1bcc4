"""The cells of one opened workbook (``SourceWorkbook``) and openpyxl's loading of a package, each of its failures
an InputError in Chinese. Both readers build on it: openpyxl's (reader.py) and calamine's (calamine.py)."""

from __future__ import annotations

import re
import warnings
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from .cells import RawCell, is_error
from .diagnose import diagnose
from .package import check_sheet, damaged
from .unused import without

if TYPE_CHECKING:  # openpyxl is imported where a workbook is loaded with it: the calamine path does without
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

CONVERT_HINT = "请在 Excel 或 WPS 中打开，另存为“Excel 工作簿（*.xlsx）”后再试"


@dataclass
class SourceWorkbook:
    """The cells of one input workbook, with formula cells replaced by their cached values.

    Cells are looked up, never created: asking for a cell past the data costs nothing, and ``filled`` says where
    the values are, so a reader walks the data, not the sheet's extent (a stray cell at row 1,048,576)."""

    path: Path
    display: str
    book: Workbook | None  # openpyxl's workbook; None where calamine read the form (calamine.py)
    cached: Workbook | None = None
    formula_cells: dict[str, set[str]] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # sheet name → part left unparsed (read_unused)
    _late: dict[str, tuple[Worksheet, Worksheet | None]] = field(default_factory=dict)
    _filled: dict[int, dict[int, list[int]]] = field(default_factory=dict)
    reader: str = "openpyxl"
    fallback: str = ""  # why the calamine reader handed this workbook to openpyxl

    @property
    def sheet_names(self) -> list[str]:
        return list(self.book.sheetnames) if self.book is not None else []

    def sheet(self, name: str) -> Any:
        """The worksheet named ``name`` (openpyxl's, or calamine.py's), None for none or a chartsheet."""
        if self.book is None or name not in self.book.sheetnames:
            return None
        if name in self.skipped:
            return self._load_late(name)
        from openpyxl.worksheet.worksheet import Worksheet

        ws = self.book[name]
        return ws if isinstance(ws, Worksheet) else None

    def cell(self, ws: Any, row: int, column: int) -> RawCell:
        c = ws._cells.get((row, column))
        if c is None:
            return RawCell(None, "General")
        if c.data_type == "f":
            twin = self._cached_sheet(ws)
            if twin is not None:
                cached = twin._cells.get((row, column))
                value = cached.value if cached is not None else None
                error = cached is not None and is_error(cached.data_type, cached.value)
                return RawCell(value, c.number_format, formula_without_value=value is None, error=error)
        return RawCell(c.value, c.number_format, error=is_error(c.data_type, c.value))

    def row(self, ws: Any, row: int, columns: Sequence[int]) -> list[RawCell]:
        """``cell`` of each of ``columns`` of one row, in that order; a reader may answer a row at once (calamine's
        does, for the 20,000 rows of a long list)."""
        return [self.cell(ws, row, c) for c in columns]

    def filled(self, ws: Any) -> dict[int, list[int]]:
        """Row → the columns (ascending) of its cells holding a value, formulas included; rows ascending."""
        key = id(ws)
        if key not in self._filled:
            rows: dict[int, list[int]] = {}
            for (r, c), cell in ws._cells.items():
                if cell.value is not None:
                    rows.setdefault(r, []).append(c)
            self._filled[key] = {r: sorted(rows[r]) for r in sorted(rows)}
        return self._filled[key]

    def _cached_sheet(self, ws: Worksheet) -> Worksheet | None:
        if ws.title in self._late:
            return self._late[ws.title][1]
        if self.cached is None:
            return None
        from openpyxl.worksheet.worksheet import Worksheet

        twin = self.cached[ws.title]
        return twin if isinstance(twin, Worksheet) else None

    def _load_late(self, name: str) -> Worksheet | None:
        """A sheet left unparsed at open that a template's layout reads after all: loaded on its own."""
        if name not in self._late:
            try:
                with zipfile.ZipFile(self.path) as z:
                    check_sheet(z, self.display, name, self.skipped[name])  # left uncounted at open: counted now
            except (zipfile.BadZipFile, OSError, KeyError, EOFError, zlib.error) as e:
                raise damaged(self.display) from e
            others = {n: m for n, m in self.skipped.items() if n != name}
            from openpyxl.worksheet.worksheet import Worksheet

            book = load_book(self.path, self.display, data_only=False, skip=others)
            ws = book[name]
            if not isinstance(ws, Worksheet):
                return None
            cached = None
            if formula_refs(ws):
                twin = load_book(self.path, self.display, data_only=True, skip=others)[name]
                cached = twin if isinstance(twin, Worksheet) else None
            self._late[name] = (ws, cached)
        return self._late[name][0]


def formula_refs(ws: Worksheet) -> set[str]:
    return {c.coordinate for c in ws._cells.values() if c.data_type == "f"}


def _causes(e: BaseException) -> list[str]:
    names: list[str] = []
    seen: BaseException | None = e
    while seen is not None and len(names) < 10:
        names.append(type(seen).__name__)
        seen = seen.__cause__ or seen.__context__
    return names


def load_book(path: Path, shown: str, *, data_only: bool, skip: dict[str, str] | None = None) -> Workbook:
    import openpyxl

    try:
        with warnings.catch_warnings():
            # openpyxl warns in English on stderr (a date serial beyond 9999-12-31 becomes an error cell, which
            # normalize reports at its cell in Chinese); the user must see the finding, not the warning
            warnings.simplefilter("ignore")
            if not skip:
                return openpyxl.load_workbook(path, data_only=data_only, keep_links=False)
            with zipfile.ZipFile(path) as z:
                package = without(z, set(skip.values()))
            return openpyxl.load_workbook(package, data_only=data_only, keep_links=False)
    except (zipfile.BadZipFile, zlib.error, EOFError) as e:
        raise InputError(shown, f"文件已损坏（压缩包不完整），{CONVERT_HINT}") from e
    except KeyError as e:
        member = re.search(r"named '([^']{1,120})'", str(e))
        what = f"缺少其中的组成部分 {member.group(1)}" if member else "缺少必要的组成部分"
        raise InputError(shown, f"不是有效的 .xlsx 工作簿（{what}），{CONVERT_HINT}") from e
    except MemoryError:
        raise  # the job's budget (pipeline/budget.py) names it; it is no damage in the file
    except Exception as e:
        causes = _causes(e)
        # defusedxml refuses entity declarations; openpyxl wraps that in a ValueError
        if any(n in ("EntitiesForbidden", "DTDForbidden", "ExternalReferenceForbidden") for n in causes):
            raise InputError(shown, f"工作簿中含有不安全的 XML 实体定义，已拒绝读取；{CONVERT_HINT}") from e
        if any(n in ("error", "BadZipFile") for n in causes):
            raise InputError(shown, f"文件已损坏（压缩包不完整），{CONVERT_HINT}") from e
        damage = diagnose(str(path), skip=frozenset((skip or {}).values()))
        if damage is not None:
            raise InputError(shown, f"{damage.message}；{CONVERT_HINT}", sheet=damage.sheet, cell=damage.cell) from e
        raise InputError(shown, f"文件已损坏，无法读取其中的内容；{CONVERT_HINT}") from e
