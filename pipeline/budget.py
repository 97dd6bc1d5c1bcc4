"""One job's budget: the memory and the time one workbook may take to be read, checked and rendered.

Each value a workbook or a template holds is bounded where it is read; this bounds the job as a whole, so that what
slips past those bounds (a shape nobody foresaw) ends as a Chinese message naming the workbook and the limit, not
as a machine out of memory. The process enforces it: a soft address-space limit (RLIMIT_AS) over what the process
already uses, and a deadline (SIGALRM), both set for the job and restored after it. They are process-wide, so they
are set only in a process's main thread — a CLI command, a batch worker, the web page's job worker — and a job
running in another thread relies on the per-value bounds. Where the platform has neither (Windows), nothing is set.

The sizes are set here, once; GENREPORT_JOB_MEMORY_MB and GENREPORT_JOB_SECONDS override them.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .errors import GenreportError
from .findings import codes
from .findings.collector import Finding

DEFAULT_MEMORY_MB = 1536  # the sample needs about 60 MB; 20,000 projects about 400 MB
DEFAULT_SECONDS = 300.0  # the sample takes 0.3 s; 20,000 projects about 15 s
# genreport serve: up to four jobs at once on a machine others use, and a person waiting for each answer
SERVER_MEMORY_MB = 1024
SERVER_SECONDS = 120.0


def _env_number(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, ""))
    except ValueError:
        return default
    return value if value > 0 else default


@dataclass(frozen=True)
class Budget:
    """What one workbook may spend: memory in MiB and seconds of CPU."""

    memory_mb: float
    seconds: float

    @classmethod
    def configured(cls) -> Budget:
        return cls(
            _env_number("GENREPORT_JOB_MEMORY_MB", DEFAULT_MEMORY_MB),
            _env_number("GENREPORT_JOB_SECONDS", DEFAULT_SECONDS),
        )


class BudgetExceeded(GenreportError):
    """Raised when one workbook's job needs more memory or time than its budget allows."""

    def __init__(self, shown: str, what: str) -> None:
        self.shown = shown
        self.message = f"{what}，已停止处理这个工作簿（工作簿可能过大或内容异常；其余工作簿不受影响）"
        super().__init__(f"{shown}：{self.message}")

    def as_finding(self) -> Finding:
        return Finding.of(codes.E_JOB_LIMIT, self.shown, "", "", self.message)


class DeadlineReached(BaseException):
    """The job's time is up (BaseException: no ``except Exception`` in the job may swallow it)."""


_active = threading.local()


def active() -> bool:
    """Whether this thread runs a job under a budget: a MemoryError there is the budget's, not a file's fault."""
    return bool(getattr(_active, "on", False))


@contextlib.contextmanager
def within(shown: str, budget: Budget | None = None) -> Iterator[None]:
    """Run the job of the workbook ``shown`` under ``budget`` (the configured one by default); BudgetExceeded when
    it is exceeded. Nested calls run under the outermost one."""
    if getattr(_active, "on", False) or threading.current_thread() is not threading.main_thread():
        yield
        return
    budget = budget or Budget.configured()
    _active.on = True
    memory = _limit_memory(budget.memory_mb)
    timer = _start_deadline(budget.seconds)
    try:
        yield
    except MemoryError as e:
        raise BudgetExceeded(shown, f"内存超过上限 {budget.memory_mb:g} MB") from e
    except DeadlineReached as e:
        raise BudgetExceeded(shown, f"处理时间超过上限 {budget.seconds:g} 秒") from e
    except GenreportError:
        raise
    except Exception as e:
        if memory is not None and _near(memory):  # an allocation failed inside a library (lxml's XPath, say)
            raise BudgetExceeded(shown, f"内存超过上限 {budget.memory_mb:g} MB") from e
        raise
    finally:
        _stop_deadline(timer)
        _restore_memory(memory)
        _active.on = False


# --- memory -----------------------------------------------------------------------------------------------------


@dataclass
class _Memory:
    """The address-space limit a budget set, and the one it replaced (restored after)."""

    previous: tuple[int, int]
    limit: int


def address_space() -> int | None:
    """Bytes of address space this process maps now (Linux), or None where that cannot be read."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            pages = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE")


def _limit_memory(megabytes: float) -> _Memory | None:
    try:
        import resource
    except ImportError:  # Windows
        return None
    current = address_space()
    if current is None:
        return None
    previous = resource.getrlimit(resource.RLIMIT_AS)
    limit = current + int(megabytes * 2**20)
    soft, hard = previous
    for bound in (soft, hard):  # a web job's own limit is a soft one (web/jobs.py): the build never goes past it
        if bound != resource.RLIM_INFINITY:
            limit = min(limit, bound)
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):
        return None
    return _Memory(previous, limit)


def _near(memory: _Memory) -> bool:
    current = address_space()
    return current is not None and current > memory.limit - 64 * 2**20


def _restore_memory(memory: _Memory | None) -> None:
    if memory is None:
        return
    import resource

    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, memory.previous)


# --- time -------------------------------------------------------------------------------------------------------


def _start_deadline(seconds: float) -> Any:
    import signal

    if not hasattr(signal, "setitimer"):  # Windows
        return None

    def expire(signum: int, frame: Any) -> None:
        raise DeadlineReached

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    return previous


def _stop_deadline(previous: Any) -> None:
    if previous is None:
        return
    import signal

    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, previous)
