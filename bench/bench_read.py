"""Benchmark: the workbook reader both ways — openpyxl alone, and python-calamine with the openpyxl fallback.

    python bench/bench_read.py [--runs N] [--corpus N]   # default 7 runs; --corpus: both readers over bad inputs

Workbooks: inputs/2022.xlsx, and a copy with 300 filled rows on every list sheet (the sample's rows repeated; a
list sheet the sample leaves empty gets rows made from its columns' kinds), made in a temporary folder.

Per workbook, in one process after a warm-up, the median (min–max) of N runs of:

- ``read_excel.open_workbook(path, reader="openpyxl")``, alone and followed by ``normalize.normalize``;
- ``open_workbook(path, reader="calamine")`` (the default: pipeline/workbook/calamine.py, read_cells.py), alone and
  followed by ``normalize``; which reader it took, and whether findings and values equal the openpyxl path's;
- calamine's values alone (``CalamineWorkbook.from_path`` and ``to_python()`` of every sheet of the layout), the
  floor of the calamine path;
- the package check alone (pipeline/workbook/package.py: every part inflated once, the form's rows and cells
  counted), the share of either path that bounds a hostile workbook (issue 16).

Import cost (a fresh interpreter, ``import openpyxl`` against ``import python_calamine``) is measured apart.
Speed is measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import gc
import importlib.metadata
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import openpyxl  # noqa: E402

from pipeline.errors import InputError  # noqa: E402
from pipeline.model import schema  # noqa: E402
from pipeline.template.layout import STANDARD  # noqa: E402
from pipeline.workbook.normalize import Normalized, normalize  # noqa: E402
from pipeline.workbook.package import check_package  # noqa: E402
from pipeline.workbook.reader import FORM_SHEETS, open_workbook  # noqa: E402

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


def calamine_values(path: Path) -> dict[str, list[list[Any]]]:
    with python_calamine.CalamineWorkbook.from_path(str(path)) as book:
        wanted = {s.name for s in STANDARD.all_sheets}
        return {n: book.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in book.sheet_names if n in wanted}


def package_check(path: Path) -> None:
    with zipfile.ZipFile(path) as z:
        check_package(z, path.name, FORM_SHEETS)


def _copy(sample: Path, path: Path) -> None:
    shutil.copy(sample, path)


def _write(make: Callable[[], bytes], path: Path) -> None:
    path.write_bytes(make())


def read(path: Path, reader: str) -> Normalized:
    return normalize(open_workbook(path, reader=reader))


def corpus_parity(fuzz_cases: int) -> None:
    """The bad inputs of the test suite — tests/make_corpus.py, inputs/*.xlsx and the first ``fuzz_cases`` of
    tests/fuzz_mutations.py: the default reader's findings and values against the openpyxl reader's, and which
    reader the default path took (tests/test_reader_equivalence.py asserts the same)."""
    from tests import fuzz_mutations, make_corpus

    cases: dict[str, Callable[[Path], Any]] = dict(make_corpus.CASES)
    for sample in sorted((ROOT / "inputs").glob("*.xlsx")):
        cases[sample.name] = functools.partial(_copy, sample)
    for m in fuzz_mutations.plan_cases(fuzz_cases):
        cases[m.case_id + ".xlsx"] = functools.partial(_write, m.make)
    taken: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    different: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, write in cases.items():
            path = Path(tmp) / name
            try:
                write(path)
            except Exception:  # noqa: BLE001 - a case needing an optional package
                continue
            try:
                source = open_workbook(path, reader="calamine")
            except InputError:
                taken["refused before reading (both ways)"] += 1
                continue
            taken[source.reader] += 1
            if source.reader != "calamine":
                reasons[source.fallback.split(" at ")[0][:60]] += 1
                continue
            ok, detail = same_result(normalize(open_workbook(path, reader="openpyxl")), normalize(source))
            if not ok:
                different.append(f"{name}: {detail}"[:400])
    print()
    print(f"inputs/*.xlsx, make_corpus and {fuzz_cases} fuzz cases: {dict(taken)}; {len(different)} different")
    print(f"  handed to openpyxl because: {dict(reasons)}")
    for line in different:
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
            rows = {
                "openpyxl: open_workbook": timed(args.runs, functools.partial(open_workbook, path, reader="openpyxl")),
                "openpyxl: open_workbook + normalize": timed(args.runs, functools.partial(read, path, "openpyxl")),
                "calamine: open_workbook": timed(args.runs, functools.partial(open_workbook, path, reader="calamine")),
                "calamine: open_workbook + normalize": timed(args.runs, functools.partial(read, path, "calamine")),
                "calamine's values alone (the floor)": timed(args.runs, functools.partial(calamine_values, path)),
                "package check alone (in both)": timed(args.runs, functools.partial(package_check, path)),
            }
            source = open_workbook(path, reader="calamine")
            ok, detail = same_result(normalize(open_workbook(path, reader="openpyxl")), normalize(source))
            print()
            print(f"{label} ({path.stat().st_size // 1024} KiB), read by {source.reader} {source.fallback}")
            width = max(len(k) for k in rows)
            for name, times in rows.items():
                ms = [t * 1000 for t in times]
                print(f"  {name:<{width}}  {statistics.median(ms):7.1f}  ({min(ms):.1f}–{max(ms):.1f})")
            print(f"  calamine reader against openpyxl reader: {'identical' if ok else 'DIFFERENT'} — {detail}")
    if args.corpus is not None:
        corpus_parity(args.corpus)
    return 0


if __name__ == "__main__":
    sys.exit(main())
