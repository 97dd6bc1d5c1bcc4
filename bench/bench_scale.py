"""Benchmark: validate's cost against a sheet's extent, not its data (issue 9 §5).

    python bench/bench_scale.py [--only NAME ...] [--keep DIR]

Workbooks, each made from inputs/2022.xlsx in a temporary folder:

- the sample itself (the baseline);
- one stray cell at row 1,048,576 of 绩效指标 (a user who formatted a whole column, or pressed Ctrl+↓ and typed);
- the same stray cell on three sheets (绩效指标, 项目, 收支预决算);
- one on a list sheet (支出明细);
- a 1,000,000-row junk sheet (a sheet the form does not use);
- 5,000 and 20,000 projects (distinct names, the sample's money figures).

Each is validated (``genreport validate``'s own path, ``session.inspect``) in a fresh subprocess, which reports
its wall time and peak RSS (``ru_maxrss``), once per reader (``--reader``, default both: GENREPORT_READER=calamine,
the default reader with its openpyxl fallback, and =openpyxl); "read by" is the reader that read it. Speed is
measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import openpyxl  # noqa: E402

from pipeline.model import schema  # noqa: E402

LAST_ROW = 1_048_576
JUNK_ROWS = 1_000_000


def stray(sheets: tuple[str, ...]) -> Callable[[Path, Path], None]:
    def make(sample: Path, target: Path) -> None:
        wb = openpyxl.load_workbook(sample)
        for name in sheets:
            wb[name].cell(LAST_ROW, 1).value = "x"
        wb.save(target)

    return make


def junk_sheet(sample: Path, target: Path) -> None:
    """A sheet named 草稿 holding a number in A1:A1000000, written as XML directly (openpyxl takes minutes)."""
    wb = openpyxl.load_workbook(sample)
    wb.create_sheet("草稿")
    wb.save(target)
    with zipfile.ZipFile(target) as z:
        members = {i.filename: z.read(i.filename) for i in z.infolist()}
    part = f"xl/worksheets/sheet{len(wb.sheetnames)}.xml"
    assert part in members, part
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, JUNK_ROWS + 1))
    members[part] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{rows}</sheetData></worksheet>"
    ).encode()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)


def projects(count: int) -> Callable[[Path, Path], None]:
    """``count`` projects with distinct names, repeating the sample's rows; a project's figures stay the sample's."""

    def make(sample: Path, target: Path) -> None:
        wb = openpyxl.load_workbook(sample)
        ws = wb[schema.PROJECTS.name]
        width = ws.max_column
        first = schema.FIRST_DATA_ROW
        rows = [
            [ws.cell(r, c).value for c in range(1, width + 1)]
            for r in range(first, ws.max_row + 1)
            if ws.cell(r, 1).value is not None
        ]
        for i in range(count):
            line = list(rows[i % len(rows)])
            line[0] = f"{line[0]}（{i + 1}）" if i >= len(rows) else line[0]
            for c, value in enumerate(line, start=1):
                ws.cell(first + i, c).value = value
        wb.save(target)

    return make


def copy(sample: Path, target: Path) -> None:
    shutil.copy(sample, target)


WORKBOOKS: dict[str, Callable[[Path, Path], None]] = {
    "sample (inputs/2022.xlsx)": copy,
    "stray cell at row 1,048,576 of 绩效指标": stray((schema.KPIS.name,)),
    "stray cell at row 1,048,576 on three sheets": stray((schema.KPIS.name, schema.PROJECTS.name, "收支预决算")),
    "stray cell at row 1,048,576 of 支出明细": stray(("支出明细",)),
    "1,000,000-row junk sheet": junk_sheet,
    "5,000 projects": projects(5000),
    "20,000 projects": projects(20000),
}


def measure(path: Path) -> dict[str, object]:
    """Run in the child: one validate, timed, with the findings' codes for comparison."""
    from collections import Counter

    from pipeline.session import inspect
    from pipeline.workbook.reader import open_workbook

    started = time.perf_counter()
    result = inspect(path)
    seconds = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "seconds": seconds,
        "rss_mb": rss,
        "findings": dict(Counter(f.code for f in result.findings)),
        "reader": open_workbook(path).reader,  # after the measurement: which reader inspect's own open took
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="only workbooks whose label contains one of these")
    parser.add_argument("--keep", type=Path, help="write the workbooks here and keep them")
    parser.add_argument("--reader", choices=("calamine", "openpyxl", "both"), default="both")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--make", nargs=2, metavar=("INDEX", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child)))
        return 0
    if args.make:  # in its own process: ru_maxrss survives fork and exec, so a big parent would inflate the children's
        list(WORKBOOKS.values())[int(args.make[0])](ROOT / "inputs" / "2022.xlsx", Path(args.make[1]))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        print(f"Python {sys.version.split()[0]}, openpyxl {openpyxl.__version__}; one validate per fresh process")
        print(f"{'workbook':<46} {'KiB':>6} {'read by':>8} {'validate s':>10} {'peak RSS MB':>11}  findings")
        readers = ("calamine", "openpyxl") if args.reader == "both" else (args.reader,)
        for i, label in enumerate(WORKBOOKS):
            if args.only and not any(o in label for o in args.only):
                continue
            path = folder / f"scale-{i}.xlsx"
            if not path.exists():
                subprocess.run([sys.executable, __file__, "--make", str(i), str(path)], check=True)
            for reader in readers:
                out = subprocess.run(
                    [sys.executable, __file__, "--child", str(path)],
                    capture_output=True,
                    text=True,
                    check=True,
                    env={**os.environ, "GENREPORT_READER": reader},
                )
                got = json.loads(out.stdout.strip().splitlines()[-1])
                size = path.stat().st_size // 1024
                codes = ", ".join(f"{k}×{v}" for k, v in sorted(got["findings"].items()))
                print(
                    f"{label:<46} {size:>6} {got['reader']:>8} {got['seconds']:>10.2f} {got['rss_mb']:>11.0f}  {codes}",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
