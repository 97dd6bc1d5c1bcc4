"""Benchmark: how long genreport takes per workbook (validate and build), on copies of the sample.

    python bench/bench_build.py [COPIES]     # default 20

Speed is measured here, never asserted in tests. Prints per-stage medians and the batch total.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline import build  # noqa: E402
from pipeline.session import inspect  # noqa: E402
from pipeline.template.profile import resolve_profile  # noqa: E402


def main() -> int:
    copies = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        inputs = []
        for i in range(copies):
            path = folder / f"dept{i:03d}.xlsx"
            shutil.copy(ROOT / "inputs" / "2022.xlsx", path)
            inputs.append(path)
        profile = resolve_profile(None)
        checks = []
        for path in inputs:
            started = time.perf_counter()
            inspect(path, profile)
            checks.append(time.perf_counter() - started)
        started = time.perf_counter()
        results = build(inputs, folder / "out")
        total = time.perf_counter() - started
        assert all(r.ok for r in results)
        per = [r.seconds for r in results]
    print(f"workbooks: {copies}")
    print(f"read+check per workbook: median {statistics.median(checks) * 1000:.0f} ms")
    print(f"build per workbook:      median {statistics.median(per) * 1000:.0f} ms, max {max(per) * 1000:.0f} ms")
    print(f"batch total:             {total:.2f} s ({copies / total:.1f} workbooks/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
