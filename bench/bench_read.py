"""Benchmark: reading the standard workbook with openpyxl (the project's path) against python-calamine.

    (python-calamine is a dependency in pyproject; genreport reads with openpyxl, see bench/RESULTS.md)
    python bench/bench_read.py [--runs N] [--corpus N]   # default 7 runs; --corpus: findings over bad inputs

Workbooks: inputs/2022.xlsx, and a copy with 300 filled rows on every list sheet (the sample's rows repeated; a
list sheet the sample leaves empty gets rows made from its columns' kinds), made in a temporary folder.

Per workbook, in one process after a warm-up, the median (min–max) of N runs of:

- openpyxl, the project's path: ``read_excel.open_workbook`` (one ``load_workbook``, two when a sheet has
  formulas) and ``normalize.normalize`` (every cell the reader reads, converted and checked);
- calamine, the values alone: ``CalamineWorkbook.from_path`` and ``to_python()`` of every sheet of the layout;
- the "small pass" a calamine reader needs besides (sketched here, not in pipeline/): one scan of styles.xml and of
  each sheet's XML for the cells calamine cannot describe — number formats with %, formulas without a saved
  value, error values (calamine returns them as "");
- calamine + small pass + the same ``normalize`` over them (a duck-typed SourceWorkbook), and whether its findings
  and values equal the openpyxl path's.

Import cost (a fresh interpreter, ``import openpyxl`` against ``import python_calamine``) is measured apart.
Speed is measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import html
import importlib.metadata
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import openpyxl  # noqa: E402

from pipeline import schema  # noqa: E402
from pipeline.layout import STANDARD  # noqa: E402
from pipeline.normalize import Normalized, normalize  # noqa: E402
from pipeline.read_excel import EXCEL_ERRORS, RawCell, open_workbook  # noqa: E402

try:
    import python_calamine
except ImportError:  # pragma: no cover - the message is the point
    sys.exit("python-calamine is not installed: pip install -e . (it is a dependency)")

FILLED_ROWS = 300


# --- the workbooks ------------------------------------------------------------------------------------------------


def filled_copy(sample: Path, target: Path) -> Path:
    """The sample with FILLED_ROWS data rows on every list sheet, from row 3 on."""
    wb = openpyxl.load_workbook(sample)
    for sheet in STANDARD.all_sheets:
        if not isinstance(sheet, schema.ListSheet) or sheet.name not in wb.sheetnames:
            continue
        ws = wb[sheet.name]
        width = ws.max_column
        rows = [
            [ws.cell(r, c).value for c in range(1, width + 1)]
            for r in range(schema.FIRST_DATA_ROW, ws.max_row + 1)
            if any(ws.cell(r, c).value is not None for c in range(1, width + 1))
        ]
        if not rows:
            headers = [str(ws.cell(schema.HEADER_ROW, c).value or "") for c in range(1, width + 1)]
            rows = [[_made_up(sheet, h, i) for h in headers] for i in range(5)]
        for i in range(FILLED_ROWS):
            for c, value in enumerate(rows[i % len(rows)], start=1):
                ws.cell(schema.FIRST_DATA_ROW + i, c).value = value
    wb.save(target)
    return target


def _made_up(sheet: schema.ListSheet, header: str, i: int) -> Any:
    column = next((f for f in sheet.columns if f.label == header), None)
    if column is None:
        return None
    if column.choices:
        return column.choices[i % len(column.choices)]
    made: dict[schema.Kind, Any] = {
        schema.Kind.TEXT: f"{column.label}{i + 1}",
        schema.Kind.INT: i + 1,
        schema.Kind.YEAR: 2022,
        schema.Kind.MONEY: 10.5 + i,
        schema.Kind.DECIMAL: 1.5 + i,
        schema.Kind.PERCENT: 0.5,
        schema.Kind.DATE: dt.datetime(2022, 6, 30),
        schema.Kind.CODE: "201",
        schema.Kind.NUMBER_OR_TEXT: 90 + i,
    }
    return made.get(column.kind, f"{column.label}{i + 1}")


# --- the small pass: what calamine does not say about a cell --------------------------------------------------------

_CELL_END = re.compile(r"\s*(?:<f\b(?:[^>]*/>|[^>]*>[^<]*</f>)\s*)?(?:<v>([^<]*)</v>)?")
_REF_ATTR = re.compile(r'\br="([A-Z]+)(\d+)"')
_BUILTIN_PERCENT = {9: "0%", 10: "0.00%"}  # the built-in number formats with a % (ECMA-376 §18.8.30)


@dataclass
class SheetExtras:
    """Per sheet, by (row, column) from 1: number formats that matter (%), formula cells without a saved value,
    error cells with their code; and the last row any of these reaches."""

    formats: dict[tuple[int, int], str] = field(default_factory=dict)
    no_value: set[tuple[int, int]] = field(default_factory=set)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    max_row: int = 0
    max_column: int = 0


def small_pass(path: Path) -> dict[str, SheetExtras]:
    with zipfile.ZipFile(path) as z:
        styles = z.read("xl/styles.xml").decode("utf-8")
        percent_styles = _percent_styles(styles)
        book = z.read("xl/workbook.xml").decode("utf-8")
        rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8")
        targets = {m[1]: m[0] for m in re.findall(r'<Relationship\b[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)}
        targets |= {m[0]: m[1] for m in re.findall(r'<Relationship\b[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"', rels)}
        out: dict[str, SheetExtras] = {}
        for name, rid in re.findall(r'<sheet\b[^>]*?name="([^"]*)"[^>]*?r:id="([^"]+)"', book):
            part = targets[rid].lstrip("/")
            part = part if part.startswith("xl/") else f"xl/{part}"
            if part in z.namelist():  # a missing part is calamine's (or openpyxl's) to report
                out[html.unescape(name)] = _scan(z.read(part).decode("utf-8"), percent_styles)
    return out


def _percent_styles(styles: str) -> dict[int, str]:
    """Style index (the s attribute of a cell) → its number format, for the formats holding a %."""
    custom = {
        int(i): html.unescape(code) for i, code in re.findall(r'<numFmt numFmtId="(\d+)" formatCode="([^"]*)"', styles)
    }
    xfs = re.search(r"<cellXfs\b.*?</cellXfs>", styles, re.S)
    found: dict[int, str] = {}
    for index, xf in enumerate(re.findall(r"<xf\b[^>]*>", xfs.group(0) if xfs else "")):
        m = re.search(r'numFmtId="(\d+)"', xf)
        code = custom.get(int(m.group(1)), _BUILTIN_PERCENT.get(int(m.group(1)), "")) if m else ""
        if "%" in code:
            found[index] = code
    return found


def _scan(xml: str, percent_styles: dict[int, str]) -> SheetExtras:
    """Finds the few cells that matter by a marker in their XML (``<f``, ``t="e"``, ``s="N"`` of a % style) and
    reads just those cells: the scan runs at the speed of a substring search, never building an object per cell."""
    extras = SheetExtras()
    for marker in ("<f>", "<f ", "<f/>"):
        for at, value in _cells_with(xml, marker):
            if not value:
                extras.no_value.add(at)
            extras.max_row, extras.max_column = max(extras.max_row, at[0]), max(extras.max_column, at[1])
    for at, value in _cells_with(xml, ' t="e"'):
        extras.errors[at] = value or ""
        extras.max_row, extras.max_column = max(extras.max_row, at[0]), max(extras.max_column, at[1])
    for style, code in percent_styles.items():
        for at, _ in _cells_with(xml, f' s="{style}"'):
            extras.formats[at] = code
    return extras


def _cells_with(xml: str, marker: str) -> list[tuple[tuple[int, int], str | None]]:
    """(row, column) and saved value of every cell whose XML holds ``marker``."""
    found = []
    at = xml.find(marker)
    while at != -1:
        start = xml.rfind("<c ", 0, at)
        if marker.startswith(" ") and xml.rfind("<", 0, at) != start:  # an attribute of <row> or <col>, not a cell
            at = xml.find(marker, at + 1)
            continue
        tag_end = xml.find(">", start)
        if xml[tag_end - 1] == "/":
            value = None
        else:
            m = _CELL_END.match(xml, tag_end + 1)
            value = m.group(1) if m else None
        found.append((_at(xml[start:tag_end]), value))
        at = xml.find(marker, max(tag_end, at + 1))
    return found


def _at(attributes: str) -> tuple[int, int]:
    letters, digits = _REF_ATTR.search(attributes).groups()  # type: ignore[union-attr]
    return int(digits), _column(letters)


def _column(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


# --- a SourceWorkbook over calamine's values and the small pass (duck-typed for normalize) --------------------------


@dataclass
class _Range:
    min_row: int
    min_col: int
    max_row: int
    max_col: int


@dataclass
class _Merged:
    ranges: list[_Range]


@dataclass
class CalamineSheet:
    title: str
    rows: list[list[Any]]
    extras: SheetExtras
    merged_cells: _Merged
    max_row: int
    max_column: int


@dataclass
class CalamineSource:
    path: Path
    display: str
    sheets: dict[str, CalamineSheet]

    @property
    def sheet_names(self) -> list[str]:
        return list(self.sheets)

    def sheet(self, name: str) -> CalamineSheet | None:
        return self.sheets.get(name)

    def filled(self, ws: CalamineSheet) -> dict[int, list[int]]:
        """Row → columns holding a value (as ``SourceWorkbook.filled``): calamine's non-empty cells and the cells
        the small pass found (formulas without a value, errors, which calamine gives as "")."""
        at = {
            (r, c)
            for r, line in enumerate(ws.rows, start=1)
            for c, value in enumerate(line, start=1)
            if value is not None and value != ""
        }
        at |= ws.extras.no_value | set(ws.extras.errors)
        rows: dict[int, list[int]] = {}
        for r, c in sorted(at):
            rows.setdefault(r, []).append(c)
        return rows

    def cell(self, ws: CalamineSheet, row: int, column: int) -> RawCell:
        at = (row, column)
        fmt = ws.extras.formats.get(at, "General")
        if at in ws.extras.no_value:
            return RawCell(None, fmt, formula_without_value=True)
        if at in ws.extras.errors:
            return RawCell(ws.extras.errors[at], fmt, error=True)
        line = ws.rows[row - 1] if row <= len(ws.rows) else ()
        value = line[column - 1] if column <= len(line) else None
        if value == "":
            value = None
        elif isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
            value = int(value)  # openpyxl reads "2022" as int; calamine gives every number as float
        elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            value = dt.datetime(value.year, value.month, value.day)  # openpyxl gives datetimes
        error = isinstance(value, str) and value.strip() in EXCEL_ERRORS
        return RawCell(value, fmt, error=error)


def calamine_values(path: Path) -> dict[str, list[list[Any]]]:
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    wanted = {s.name for s in STANDARD.all_sheets}
    return {n: book.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in book.sheet_names if n in wanted}


def calamine_source(path: Path) -> CalamineSource:
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    extras = small_pass(path)
    wanted = {s.name for s in STANDARD.all_sheets}
    sheets: dict[str, CalamineSheet] = {}
    for name in book.sheet_names:
        if name not in wanted:
            sheets[name] = CalamineSheet(name, [], SheetExtras(), _Merged([]), 0, 0)  # named, never read
            continue
        sheet = book.get_sheet_by_name(name)
        rows = sheet.to_python(skip_empty_area=False)
        extra = extras.get(name, SheetExtras())
        merged = [_Range(a[0] + 1, a[1] + 1, b[0] + 1, b[1] + 1) for a, b in sheet.merged_cell_ranges or []]
        width = max((len(r) for r in rows), default=0)
        sheets[name] = CalamineSheet(
            name, rows, extra, _Merged(merged), max(len(rows), extra.max_row), max(width, extra.max_column)
        )
    return CalamineSource(path, str(path), sheets)


# --- measuring ------------------------------------------------------------------------------------------------------


def timed(runs: int, action: Callable[[], Any]) -> list[float]:
    action()  # warm-up
    out = []
    for _ in range(runs):
        gc.collect()  # the previous run's garbage is not this run's cost
        started = time.perf_counter()
        action()
        out.append(time.perf_counter() - started)
    return out


def same_result(a: Normalized, b: Normalized) -> tuple[bool, str]:
    fa = [(f.code, f.sheet, f.cell, f.message) for f in a.findings]
    fb = [(f.code, f.sheet, f.cell, f.message) for f in b.findings]
    va = {k: (v.values, v.refs) for k, v in a.forms.items()} | {
        k: [r.values for r in v.records] for k, v in a.lists.items()
    }
    vb = {k: (v.values, v.refs) for k, v in b.forms.items()} | {
        k: [r.values for r in v.records] for k, v in b.lists.items()
    }
    if fa != fb:
        only = [f for f in fa if f not in fb][:2] + [f for f in fb if f not in fa][:2]
        return False, f"findings differ ({len(fa)} vs {len(fb)}): {only}"
    if va != vb:
        return False, "values differ: " + ", ".join(k for k in va if va[k] != vb.get(k))
    return True, f"same {len(fa)} findings and values"


def corpus_parity(fuzz_cases: int) -> None:
    """The bad inputs of the test suite that openpyxl opens — tests/make_corpus.py and the first ``fuzz_cases`` of
    tests/fuzz_mutations.py: the calamine path's findings and values against the openpyxl path's."""
    from tests import fuzz_mutations, make_corpus

    cases: dict[str, Callable[[Path], Any]] = dict(make_corpus.CASES)
    for sample in sorted((ROOT / "inputs").glob("*.xlsx")):
        cases[sample.name] = lambda path, sample=sample: shutil.copy(sample, path)
    for m in fuzz_mutations.plan_cases(fuzz_cases):
        cases[m.case_id + ".xlsx"] = lambda path, m=m: path.write_bytes(m.make())
    same, different, unread = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for name, write in cases.items():
            path = Path(tmp) / name
            try:
                write(path)
                expected = normalize(open_workbook(path))
            except Exception:  # noqa: BLE001 - refused before normalize (damage, an optional package missing)
                continue
            try:
                ok, detail = same_result(expected, normalize(calamine_source(path)))
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as e:  # noqa: BLE001 - calamine panics in Rust raise PanicException, a BaseException
                unread.append(f"{name}: {type(e).__name__}: {e}"[:200])
                continue
            (same if ok else different).append(name if ok else f"{name}: {detail}"[:400])
    print()
    print(
        f"inputs/*.xlsx and the bad inputs openpyxl reads (make_corpus + {fuzz_cases} fuzz cases): "
        f"{len(same)} identical, "
        f"{len(different)} different, {len(unread)} that the calamine sketch could not read"
    )
    for line in different + unread:
        print(f"  {line}")


def import_ms(module: str, runs: int = 5) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    return statistics.median(
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout) * 1000
        for _ in range(runs)
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each measurement (default 7)")
    parser.add_argument(
        "--corpus", type=int, metavar="N", help="also compare findings over the bad-input corpus and N fuzz cases"
    )
    args = parser.parse_args()
    print(
        f"Python {sys.version.split()[0]}, openpyxl {openpyxl.__version__}, python-calamine "
        f"{importlib.metadata.version('python-calamine')}; "
        f"{args.runs} runs each, median (min–max), ms"
    )
    print(
        f"import openpyxl: {import_ms('openpyxl'):.0f} ms; "
        f"import python_calamine: {import_ms('python_calamine'):.0f} ms (fresh interpreter, median of 5)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        sample = Path(tmp) / "2022.xlsx"
        shutil.copy(ROOT / "inputs" / "2022.xlsx", sample)
        books = {
            "inputs/2022.xlsx": sample,
            f"{FILLED_ROWS} rows per list sheet": filled_copy(sample, Path(tmp) / "filled-2022.xlsx"),
        }
        for label, path in books.items():
            opened = open_workbook(path)
            rows = {
                "openpyxl: open_workbook": timed(args.runs, lambda p=path: open_workbook(p)),
                "openpyxl: normalize (given the opened book)": timed(args.runs, lambda o=opened: normalize(o)),
                "openpyxl: open_workbook + normalize": timed(args.runs, lambda p=path: normalize(open_workbook(p))),
                "calamine: every layout sheet's values": timed(args.runs, lambda p=path: calamine_values(p)),
                "small pass: % formats, formulas, errors": timed(args.runs, lambda p=path: small_pass(p)),
                "calamine + small pass + normalize": timed(args.runs, lambda p=path: normalize(calamine_source(p))),
            }
            ok, detail = same_result(normalize(open_workbook(path)), normalize(calamine_source(path)))
            print()
            print(f"{label} ({path.stat().st_size // 1024} KiB)")
            width = max(len(k) for k in rows)
            for name, times in rows.items():
                ms = [t * 1000 for t in times]
                print(f"  {name:<{width}}  {statistics.median(ms):7.1f}  ({min(ms):.1f}–{max(ms):.1f})")
            print(f"  calamine path against openpyxl path: {'identical' if ok else 'DIFFERENT'} — {detail}")
    if args.corpus is not None:
        corpus_parity(args.corpus)
    return 0


if __name__ == "__main__":
    sys.exit(main())
