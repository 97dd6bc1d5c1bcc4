"""Each upload's job (check, report, rollover) in a process of its own, under a memory limit and a deadline.

A workbook can be made to need gigabytes or minutes; run in the server's own process it would take the server with
it. Here the job runs in a child process forked from a forkserver that imported the pipeline once (so a job starts
in milliseconds, warm), with an address-space limit (RLIMIT_AS: the memory it already maps plus ``memory_mb``) and
a CPU-time backstop set in the child, and a wall-clock deadline kept by the parent, which kills the child's whole
process group (a LibreOffice it started included) when it is up. Whatever happens to the child, the server answers:
the value, the job's own Chinese refusal, or a Chinese message naming the upload and the limit it hit.

A child is reused for the server's next job (up to JOBS_PER_WORKER, one job at a time) while its jobs end well: the
fork and a fresh process's first touches of the preloaded pipeline were ~25 ms CPU of each ~90 ms check. Each job
still has its own limits (the address-space limit set afresh from what the process maps when the job starts, the
CPU backstop from the CPU it has used) and its own folder; a child whose job failed, came near its memory limit, grew
by a quarter of it, took half its time or ran out of it is not reused (ended, or killed with its group), so a
hostile upload costs only its own process. The limits are soft ones now (a hard limit, once lowered, could not be
raised for the next job): the session's budget (pipeline.budget) sets its own for the build, counted the same way
from the same memory_mb, and restores the job's after it. No upload's content runs as code: what a reused child
keeps of an earlier job is what a batch build's worker keeps between workbooks (caches keyed by content; the
report read for its HTML and Markdown is dropped after each build).

The job's temporary files all go into one private folder the parent makes and removes after the job has ended,
killed or not, so nothing stays behind. The job's limits also reach ``pipeline.budget`` (where that module bounds a
session's run) through GENREPORT_JOB_MEMORY_MB and GENREPORT_JOB_SECONDS, so both speak of the same limits.

On a platform without fork (Windows) the child is spawned, and without the ``resource`` module no limit but the
deadline is set.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from .. import cache
from ..budget import SERVER_MEMORY_MB, SERVER_SECONDS, address_space

DEFAULT_MEMORY_MB = SERVER_MEMORY_MB  # sized with every job budget, in pipeline/budget.py
DEFAULT_SECONDS = SERVER_SECONDS
GRACE_SECONDS = 2.0  # the job's own budget (pipeline.budget) may answer first, with its own message
NEAR_BYTES = 64 * 2**20  # a job that failed within this much of its limit ran out of memory
JOBS_PER_WORKER = 50  # jobs one child runs in turn before a fresh one is forked (1: a process per job)
IDLE_WORKERS = 4  # children kept waiting for the next job (the server runs at most BUILDS_AT_ONCE jobs at once)
YOUNG_COLLECTION = 7000  # allocations between the job processes' young collections
TEMP_PREFIX = "genreport-web-"
# imported once by the forkserver, so that each job's process starts with the pipeline loaded
PRELOAD = [
    # a job's process runs the server's main module again (multiprocessing's spawn preparation: `genreport` or
    # `python -m pipeline`), which imports the command line: loaded here, that costs the job nothing
    "pipeline.cli",
    "pipeline.web.reports",
    "pipeline.web.rollover",
    "pipeline.session",
    "pipeline.workbook.reader",
    "pipeline.workbook.calamine",
    "encodings.cp437",  # zip member names
    "encodings.unicode_escape",
    "pipeline.workbook.rollover",
    "pipeline.workbook.blank_form",
    "pipeline.render.docx",
    "pipeline.render.html",
    "pipeline.render.markdown",
    "pipeline.render.pdf",
    "pipeline.template.check",
    "pipeline.web.warm",  # last: prepares the templates with everything above loaded
]

TIMED_OUT = ("timed out", None, False)

log = logging.getLogger("genreport.web")


@dataclass(frozen=True)
class Limits:
    memory_mb: int = DEFAULT_MEMORY_MB
    seconds: float = DEFAULT_SECONDS


class JobFailed(Exception):
    """Raised when a job did not end with a value or its own refusal; the message is for the user."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    def __reduce__(self) -> tuple[Any, ...]:
        return (JobFailed, (self.status, self.message))


_started = threading.Lock()


def _context() -> Any:
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    with _started:
        context.set_forkserver_preload(PRELOAD)
        _start_forkserver()
    return context


def _start_forkserver() -> None:
    from multiprocessing import forkserver

    # Python 3.11 puts the forkserver's socket in a folder of TMPDIR, and a socket's path is limited to about 107
    # bytes: under a long TMPDIR the folder goes to /tmp instead (the jobs' own files still go to TMPDIR)
    previous = tempfile.tempdir
    if len(tempfile.gettempdir()) > 60 and os.path.isdir("/tmp"):
        tempfile.tempdir = "/tmp"
    try:
        forkserver.ensure_running()
    finally:
        tempfile.tempdir = previous


def start() -> None:
    """Start the forkserver now (before the server's threads exist) rather than on the first upload."""
    _context()


def run(
    function: Callable[..., Any],
    args: tuple[Any, ...],
    name: str,
    limits: Limits,
    expected: tuple[type[Exception], ...] = (),
    failed: Callable[[Any], bool] = lambda value: False,
) -> Any:
    """``function(*args)`` in a child process; its value, or the ``expected`` exception it raised, or JobFailed.

    Blocking: called in a worker thread. ``failed(value)`` says whether a value is a failure (a check without a
    preview), which, when the child came near its memory limit, is reported as the limit.
    """
    context = _context()
    folder = tempfile.mkdtemp(prefix=TEMP_PREFIX)
    worker: _Worker | None = None
    outcome: tuple[str, Any, bool] | None = None
    reusable = timed_out = False
    try:
        worker = _give(context, (function, args, expected, limits, folder))
        answer = _wait(worker.conn, limits.seconds + GRACE_SECONDS)
        if answer == TIMED_OUT:
            timed_out = True
        elif answer is not None:
            outcome, reusable = (str(answer[0]), answer[1], bool(answer[2])), bool(answer[3])
    finally:
        exitcode, killed = _done(worker, reusable and outcome is not None, timed_out)
        shutil.rmtree(folder, ignore_errors=True)
    if outcome is None:
        if timed_out or killed:
            raise JobFailed(422, too_slow(name, limits))
        log.warning("the job for %s ended with exit code %s", name, exitcode)
        raise JobFailed(422, died(name, limits))
    kind, payload, near = outcome
    if kind == "ok":
        if near and failed(payload):
            raise JobFailed(422, too_big(name, limits))
        return payload
    if kind == "raised":
        if near:
            raise JobFailed(422, too_big(name, limits))
        raise payload
    if kind == "memory":
        raise JobFailed(422, too_big(name, limits))
    raise JobFailed(500, "处理时出现程序错误，请把所做的操作告诉管理员。")


def too_big(name: str, limits: Limits) -> str:
    return (
        f"处理“{name}”需要的内存超过了上限 {limits.memory_mb} MB，已停止：工作簿可能过大或含有大量多余的行、列或内容。"
        "请删去多余内容后重新上传；如确需处理这样的工作簿，请管理员放宽限制（--job-memory-mb）。"
    )


def too_slow(name: str, limits: Limits) -> str:
    return (
        f"处理“{name}”超过了 {limits.seconds:g} 秒的时限，已停止：工作簿可能过大或含有大量多余的内容。"
        "请删去多余内容后重新上传；如确需处理这样的工作簿，请管理员放宽限制（--job-seconds）。"
    )


def died(name: str, limits: Limits) -> str:
    return (
        f"处理“{name}”的进程意外终止（可能超出了 {limits.memory_mb} MB 的内存上限），未得到结果。"
        "请检查工作簿是否过大后重新上传；若反复出现，请告诉管理员。"
    )


# --- the parent's side -------------------------------------------------------------------------------------------


@dataclass(eq=False)
class _Worker:
    """A child waiting for jobs on its end of ``conn``."""

    process: Any
    conn: Connection
    jobs: int = field(default=0)


_idle: list[_Worker] = []
_idle_lock = threading.Lock()


def _give(context: Any, job: tuple[Any, ...]) -> _Worker:
    """A waiting child (a new one when none is) with ``job`` sent to it."""
    while True:
        with _idle_lock:
            worker = _idle.pop() if _idle else None
        if worker is None:
            break
        if worker.process.is_alive() and _send(worker, job, fresh=False):
            return worker
        _end_worker(worker, 0.0)  # it died while waiting: a fresh one takes the job
    receiving, sending = context.Pipe(duplex=True)
    child = context.Process(target=_serve, args=(sending,), name="genreport-job", daemon=True)
    worker = _Worker(child, receiving)
    try:
        child.start()
    finally:
        sending.close()
    _send(worker, job, fresh=True)
    return worker


def _send(worker: _Worker, job: tuple[Any, ...], fresh: bool) -> bool:
    """Whether ``job`` went to the child; a child that cannot take it is ended (a fresh one's error raised)."""
    try:
        worker.conn.send(job)
    except (OSError, ValueError):
        if fresh:
            _end_worker(worker, 0.0)
            raise
        return False
    except BaseException:  # the job does not pickle: a bug, raised as the start of a process would raise it
        _end_worker(worker, 0.0)
        raise
    worker.jobs += 1
    return True


def _done(worker: _Worker | None, reusable: bool, timed_out: bool) -> tuple[int | None, bool]:
    """After a job: its child waits for the next one when it can take one, else it is ended (killed, with what it
    started, when it does not end within a few seconds or the job ran out of time). Its exit code and whether it
    was killed (None, False for a child kept)."""
    if worker is None:
        return None, False
    if reusable and worker.jobs < JOBS_PER_WORKER:
        with _idle_lock:
            if len(_idle) < IDLE_WORKERS:
                _idle.append(worker)
                return None, False
    return _end_worker(worker, 0.0 if timed_out else 5.0)


def _end_worker(worker: _Worker, wait: float) -> tuple[int | None, bool]:
    with contextlib.suppress(OSError):
        worker.conn.close()  # a child waiting for a job ends on this
    return _end(worker.process, wait)


def _wait(receiving: Connection, seconds: float) -> tuple[Any, ...] | None:
    """The child's answer to the job (kind, value, near its limit, reusable), None when it died without one, or
    TIMED_OUT."""
    if not receiving.poll(seconds):
        return TIMED_OUT
    try:
        outcome: tuple[Any, ...] = receiving.recv()
    except (EOFError, OSError):  # it died before a word
        return None
    except Exception:
        log.exception("the job's answer could not be read")
        return ("bug", None, False, False)
    return outcome


def _end(child: Any, wait: float) -> tuple[int | None, bool]:
    """The child ended, on its own within ``wait`` seconds or killed with everything it started: its exit code and
    whether it was killed."""
    if child.pid is None:  # it never started
        return None, False
    child.join(wait)
    killed = child.exitcode is None
    if killed:
        if hasattr(os, "killpg"):  # not on Windows
            with contextlib.suppress(OSError):
                os.killpg(child.pid, signal.SIGKILL)  # the child leads its own group: a LibreOffice it started too
        with contextlib.suppress(OSError):
            child.kill()
        child.join()
    exitcode: int | None = child.exitcode
    child.close()
    return exitcode, killed


# --- the child's side --------------------------------------------------------------------------------------------


def _serve(conn: Connection) -> None:
    """A child's life: each job sent on ``conn`` run in turn, until the parent closes it or a job leaves the
    process unfit for another."""
    with contextlib.suppress(OSError, AttributeError):
        os.setpgrp()  # a Ctrl-C in the server's terminal is the server's to handle; the parent ends this group
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # a check allocates about a million objects, nearly all freed by reference counting: a young collection every
    # 700 allocations (Python's default) was ~2 ms of each; cyclic garbage still goes within some thousand objects
    gc.set_threshold(YOUNG_COLLECTION, *gc.get_threshold()[1:])
    gc.enable()  # whatever a preloaded module's import left (the CLI pauses the collector while it loads)
    from ..cli import compiled_regex

    compiled_regex.settle()  # the jobs' patterns are the users' (their figures, their words): none is kept
    start = address_space()
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):  # the parent is done with this child
            break
        function, args, expected, limits, folder = job
        if not _child(conn, function, args, expected, limits, folder, start):
            break
    conn.close()


def _child(
    sending: Connection,
    function: Callable[..., Any],
    args: tuple[Any, ...],
    expected: tuple[type[Exception], ...],
    limits: Limits,
    folder: str,
    start: int | None = None,
) -> bool:
    """Run one job and send its outcome; whether this process may take another."""
    os.environ["TMPDIR"] = folder
    tempfile.tempdir = folder  # every temporary file of the job lands in the folder the parent removes
    os.environ["GENREPORT_JOB_MEMORY_MB"] = str(limits.memory_mb)
    os.environ["GENREPORT_JOB_SECONDS"] = f"{limits.seconds:g}"
    limit = _limit(limits)
    started = time.monotonic()
    try:
        value = function(*args)
        outcome: tuple[str, Any, bool] = ("ok", value, _near(limit))
    except MemoryError:
        outcome = ("memory", None, True)
    except expected as e:
        outcome = ("raised", e, _near(limit))
    except Exception:  # noqa: BLE001 - a bug: its traceback goes to the server's log, the user gets a 500
        if _near(limit):
            outcome = ("memory", None, True)
        else:
            traceback.print_exc(file=sys.stderr)
            outcome = ("bug", None, False)
    re.purge()  # re's own cache holds the patterns the job made of its report (figures, quoted words): not the next's
    # and what the pipeline keeps for the next workbook of a batch: proofreading the texts it read, the reader the
    # parts it parsed (workbook.xml, styles, a sheet's surroundings), normalize the labels it compared
    cache.forget_content()
    # a job that took half its time may have been stopped by its budget's deadline (pipeline.budget), at any point
    # of its work: its process is not trusted with another
    quick = time.monotonic() - started < limits.seconds / 2
    reusable = outcome[0] in ("ok", "raised") and not outcome[2] and quick and _small(start, limits)
    try:
        sending.send((*outcome, reusable))
    except MemoryError:
        sending.send(("memory", None, True, False))
        return False
    except Exception:  # noqa: BLE001 - a value that does not pickle: a bug
        traceback.print_exc(file=sys.stderr)
        sending.send(("bug", None, False, False))
        return False
    return reusable


def _small(start: int | None, limits: Limits) -> bool:
    """Whether this process has stayed small enough for another job: its address space never grew by more than a
    quarter of a job's memory (then no earlier job's peak can make a later one look near its limit)."""
    peak = _peak()
    if start is None or peak is None:
        return False
    return peak - start <= max(0, limits.memory_mb * 2**20 - NEAR_BYTES) // 4


def _limit(limits: Limits) -> int | None:
    """Limit this process's address space to what it maps now plus the job's memory; CPU time, counted from what
    the process has used so far, as a backstop for a child whose parent is gone. Soft limits, set afresh for each
    job the process runs. The limit in bytes, or None where none could be set."""
    try:
        import resource
    except ImportError:
        return None
    with contextlib.suppress(ValueError, OSError):
        used = resource.getrusage(resource.RUSAGE_SELF)
        cpu = int(used.ru_utime + used.ru_stime) + int(limits.seconds) + 10
        resource.setrlimit(resource.RLIMIT_CPU, _soft(resource.RLIMIT_CPU, cpu))
    current = address_space()
    if current is None:
        return None
    try:
        limit, hard = _soft(resource.RLIMIT_AS, current + limits.memory_mb * 2**20)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):
        return None
    return limit


def _soft(which: int, wanted: int) -> tuple[int, int]:
    """``wanted`` as the soft limit, the hard one left as it is (unlimited, as the server usually starts: a lowered
    hard limit could not be raised again for the process's next job); under a lower hard limit (the server started
    with ulimit -v, say), the hard one is the job's limit."""
    import resource

    hard = resource.getrlimit(which)[1]
    return (wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)), hard


def _peak() -> int | None:
    """The most address space this process has mapped (VmPeak), or None."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmPeak:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _near(limit: int | None) -> bool:
    if limit is None:
        return False
    peak = _peak()
    return peak is not None and peak > limit - NEAR_BYTES
