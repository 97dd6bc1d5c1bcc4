"""A small load with hostile uploads mixed in (bench/bench_serve_hostile.py sized for CI): 20 requests, two of them
hostile (a workbook whose check needs more than the job's memory limit, a malformed form). The other 18 are
answered with their findings, the hostile ones with their Chinese refusal, nothing stays in the server's TMPDIR and
the server's memory does not grow. The 200-request run and its figures are the benchmark's."""

from __future__ import annotations

import sys

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))

from bench_serve_hostile import bench


def test_a_small_load_with_hostile_uploads_serves_the_others() -> None:
    run = bench(20, 2, 4, job_memory_mb=200, upload_seconds=5, among=("memory", "malformed"))
    outcome = run.outcome
    assert outcome.normal_failed == [] and outcome.normal_ok == 18
    assert [(kind, status, well) for kind, status, well, _, _ in sorted(outcome.hostile)] == [
        ("malformed", 400, True),
        ("memory", 422, True),
    ], outcome.hostile
    assert run.left == []
    assert "Traceback" not in run.server_log, run.server_log
    start, _, _, end = run.memory["server"]
    assert end < start + 30  # MiB: a hostile upload leaves nothing behind in the server
