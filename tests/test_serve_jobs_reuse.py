"""A web job's process reused for the next job (issue 19 §6), with each job's own limits and folder: a process whose
job ended well takes the next; one whose job failed, ran out of memory or time, or grew large is not reused.

The jobs' functions are in this module: the job's process imports them from here.
"""

from __future__ import annotations

import os
import resource
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.web import jobs
from pipeline.web.jobs import JobFailed, Limits

LIMITS = Limits(memory_mb=300, seconds=8)


def where() -> tuple[int, str, str | None, int]:
    """The job's process, its temporary folder (as tempfile and TMPDIR say) and its address-space limit."""
    return os.getpid(), tempfile.gettempdir(), os.environ.get("TMPDIR"), resource.getrlimit(resource.RLIMIT_AS)[0]


def leave_a_file() -> str:
    path = Path(tempfile.mkstemp()[1])
    path.write_text("x")
    return str(path)


def allocate(megabytes: int) -> int:
    """Hold ``megabytes`` for a moment (written, so that they are really mapped)."""
    held = bytearray(megabytes * 2**20)
    held[:: 2**12] = b"x" * len(held[:: 2**12])
    return os.getpid()


def hog() -> None:
    held = []
    while True:
        held.append(bytearray(16 * 2**20))


def slow() -> None:
    time.sleep(60)


def bug() -> None:
    raise KeyError("/srv/genreport/secret")


class Refused(Exception):
    pass


def refuse() -> None:
    raise Refused


@pytest.fixture(autouse=True)
def fresh_pool() -> Iterator[None]:
    """Each test starts without waiting processes and leaves none behind."""
    _drain()
    yield
    _drain()


def _drain() -> None:
    while jobs._idle:
        jobs._end_worker(jobs._idle.pop(), 5.0)


def run(function: object, *args: object, **how: object) -> object:
    return jobs.run(function, args, "x.xlsx", LIMITS, **how)  # type: ignore[arg-type]


def test_a_process_takes_the_next_job_with_its_own_folder_and_limit() -> None:
    first, second = run(where), run(where)
    assert isinstance(first, tuple) and isinstance(second, tuple)
    assert first[0] == second[0]  # the same process
    assert first[1] != second[1] and first[1] == first[2] and second[1] == second[2]
    assert not Path(first[1]).exists()  # each job's folder removed after it
    # the address-space limit set afresh for each job: what the process maps when the job starts plus its memory
    assert abs(second[3] - first[3]) < 200 * 2**20
    made = run(leave_a_file)
    assert isinstance(made, str) and not Path(made).exists()


@pytest.mark.parametrize(
    ("function", "message"),
    [(hog, "需要的内存超过了上限 300 MB"), (slow, None), (bug, "处理时出现程序错误")],
)
def test_a_process_whose_job_failed_is_not_reused(
    function: object, message: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if function is slow:
        monkeypatch.setattr(jobs, "GRACE_SECONDS", 0.0)
        limits = Limits(memory_mb=300, seconds=1)
        before = jobs.run(where, (), "x.xlsx", limits)
        with pytest.raises(JobFailed, match="超过了 1 秒的时限"):
            jobs.run(slow, (), "x.xlsx", limits)
        after = jobs.run(where, (), "x.xlsx", limits)
    else:
        before = run(where)
        with pytest.raises(JobFailed, match=message):
            run(function)
        after = run(where)
    assert isinstance(before, tuple) and isinstance(after, tuple)
    assert before[0] != after[0]


def test_the_memory_limit_holds_for_each_job_of_a_process() -> None:
    """Jobs well within the limit, one after another in one process, then one over it: refused as ever."""
    pids = {run(allocate, 40) for _ in range(3)}
    assert len(pids) == 1
    with pytest.raises(JobFailed, match="需要的内存超过了上限 300 MB"):
        run(allocate, 400)
    assert run(allocate, 40) not in pids  # that process was not kept


def test_a_process_that_grew_is_not_reused() -> None:
    """A job that mapped more than a quarter of the job's memory (but within it) leaves its process to end."""
    grown = run(allocate, 150)
    assert run(allocate, 10) != grown


def test_an_expected_refusal_keeps_the_process() -> None:
    before = run(where)
    with pytest.raises(Refused):
        run(refuse, expected=(Refused,))
    after = run(where)
    assert isinstance(before, tuple) and isinstance(after, tuple) and before[0] == after[0]


def test_one_job_per_process_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jobs, "JOBS_PER_WORKER", 1)
    pids = {run(allocate, 1) for _ in range(3)}
    assert len(pids) == 3
    assert jobs._idle == []


def test_a_process_that_died_while_waiting_is_replaced() -> None:
    first = run(where)
    assert isinstance(first, tuple) and len(jobs._idle) == 1
    os.kill(first[0], 9)
    jobs._idle[0].process.join(5)
    second = run(where)
    assert isinstance(second, tuple) and second[0] != first[0]


def nap(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def test_a_job_that_took_half_its_time_leaves_its_process_to_end() -> None:
    """Its budget's deadline (pipeline.budget) may have stopped it anywhere: the process is not trusted again."""
    limits = Limits(memory_mb=300, seconds=1)
    slow_one = jobs.run(nap, (0.6,), "x.xlsx", limits)
    quick = jobs.run(nap, (0.0,), "x.xlsx", limits)
    assert quick != slow_one and jobs.run(nap, (0.0,), "x.xlsx", limits) == quick


def test_a_check_keeps_nothing_of_its_report(tmp_path: Path) -> None:
    """The reading of the report made for its HTML and Markdown is dropped once the check is done: a reused
    process holds nothing of the last upload's report."""
    from pipeline.render import docx_walk
    from pipeline.web import reports
    from pipeline.web.uploads import Upload

    from .conftest import SAMPLE

    checked = reports.check(Upload("2022.xlsx", SAMPLE.read_bytes(), {}), None, str(tmp_path))
    assert checked.preview is not None and "2022.html" in checked.files
    assert docx_walk._read_document.cache_info().currsize == 0


def collector() -> tuple[int, int]:
    import gc

    return gc.get_threshold()[0], gc.get_freeze_count()


def test_the_collector_of_a_job_process() -> None:
    """Young collections less often, and the preloaded pipeline (frozen by web.warm in the forkserver) out of the
    collector's sight."""
    answer = run(collector)
    assert isinstance(answer, tuple)
    threshold, frozen = answer
    assert threshold == jobs.YOUNG_COLLECTION and frozen > 10_000


def make_patterns() -> int:
    """What a check does with a report's figures and quoted words: patterns made of them."""
    import re

    from pipeline.cache import content_pattern

    content_pattern(r"(?<![\d.,])5165161\.87(?![\d])")
    re.compile("质量安全质量隐患")  # made by any other code of the job
    return os.getpid()


def patterns_seen() -> tuple[int, list[str]]:
    """The patterns of an earlier job this process still holds: in re's cache or in genreport's kept patterns."""
    import re

    from pipeline.cli import compiled_regex

    held = [str(key) for key in [*re._cache, *compiled_regex._kept]]  # type: ignore[attr-defined]
    return os.getpid(), [k for k in held if "5165161" in k or "质量安全质量隐患" in k]


def test_the_next_job_finds_no_pattern_of_the_last() -> None:
    made = run(make_patterns)
    answer = run(patterns_seen)
    assert answer == (made, [])  # the same process, and none of the last job's patterns


def read_texts() -> int:
    """What a check does with a workbook's texts: proofreads each, keeping what it found for the next workbook."""
    from pipeline.checks.text import _READ

    _READ.slips("质量安全质量隐患排查整治", 2022, False)
    return os.getpid()


def texts_kept() -> tuple[int, list[str]]:
    from pipeline.checks.text import _READ

    return os.getpid(), [key[0] for key in [*_READ.kept, *_READ.earlier] if "质量隐患" in key[0]]


def test_the_next_job_finds_no_text_of_the_last() -> None:
    made = run(read_texts)
    assert run(texts_kept) == (made, [])  # the same process, and none of the last job's texts


def read_workbook() -> int:
    """What a check does with a workbook's parts: reads them, keeping their parsed trees for the next workbook."""
    from pipeline.session import inspect

    from .conftest import SAMPLE

    inspect(SAMPLE)
    return os.getpid()


def parts_kept() -> tuple[int, int, int]:
    from pipeline.workbook import book_parts, normalize

    kept = sum(len(r.kept) for r in book_parts._RECENTS)
    return os.getpid(), kept, normalize._short_norm.cache_info().currsize


def test_the_next_job_finds_no_part_of_the_last() -> None:
    """The workbook's parsed parts (its author in core.xml, its comments, its sheets' surroundings) and the labels
    it had compared are let go."""
    made = run(read_workbook)
    assert run(parts_kept) == (made, 0, 0)


def test_under_a_lower_hard_limit_the_job_gets_the_hard_one() -> None:
    """A server started under ulimit -v below a job's memory: each job still runs under a limit (the hard one), and
    the job knows it (its nearness to the limit decides whether its process is reused)."""
    import subprocess
    import sys

    from .conftest import ROOT

    code = (
        "import resource\n"
        "from pipeline.budget import address_space\n"
        "from pipeline.web import jobs\n"
        "hard = address_space() + 3 * 2**30\n"
        "resource.setrlimit(resource.RLIMIT_AS, (hard, hard))\n"
        "limit = jobs._limit(jobs.Limits(memory_mb=64 * 1024, seconds=20))\n"
        "print(limit == hard == resource.getrlimit(resource.RLIMIT_AS)[0])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[-1] == "True"
