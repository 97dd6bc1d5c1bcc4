"""Many workbooks through one build session: in this process, or in worker processes.

Workers only read and render: each gets the session once (its initializer), prepares its template on its first
report and reuses it for the rest, and sends back every output in memory. The parent writes them (atomically, with
Ctrl-C held back until the files of a report are all in place), so a worker can be stopped at any moment without
leaving a file behind. Workers ignore SIGINT: a Ctrl-C (which a terminal sends to the whole process group) is the
parent's to handle; it stops the workers, drops what was not yet written and raises KeyboardInterrupt.

Results come back to the caller as they finish (``on_result``, completion order) and as a list in input order.
"""

from __future__ import annotations

import contextlib
import os
import signal
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .errors import GenreportError, display_path

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

    from .session import BuildResult, BuildSession, Inspection
    from .template.profile import TemplateProfile

T = TypeVar("T")
Done = Callable[[int, T], None]
Failed = Callable[[Path, Exception], T]  # what a workbook whose processing hit a bug (or lost its worker) becomes
POLL_SECONDS = 0.25  # a Windows lock wait cannot be interrupted by Ctrl-C: wait in short slices instead


class InternalError(GenreportError):
    """Raised (as a result) when building one workbook of a batch hit a bug: the others are still built."""


def default_jobs() -> int:
    """The CPUs this process may use (os.process_cpu_count from Python 3.13, else all of them)."""
    count = getattr(os, "process_cpu_count", os.cpu_count)()
    return max(1, count or 1)


def build_all(
    session: BuildSession, paths: Sequence[Path], jobs: int, on_result: Done[BuildResult] | None = None
) -> list[BuildResult]:
    """Build every path, its files written by this process as each finishes; a bug on one workbook of many is
    that workbook's error. KeyboardInterrupt stops everything and leaves only complete files."""
    finish = _committing(session, on_result)
    try:
        if min(jobs, len(paths)) <= 1:
            return _in_process(session.render, paths, finish, _failed if len(paths) > 1 else None)
        return _in_pool(_render, session, paths, min(jobs, len(paths)), finish, _failed)
    except BaseException:
        from .session import discard_batches

        discard_batches(session)
        raise


def inspect_all(
    paths: Sequence[Path],
    profile: TemplateProfile | None,
    jobs: int,
    on_result: Done[Inspection] | None = None,
    *,
    model: bool = False,
    sections: bool = False,
) -> list[Inspection]:
    """Every workbook's findings, in input order (checked in worker processes when jobs > 1). A worker sends back
    the findings alone unless ``model`` asks for the model and the template too (the overview scores them).
    ``sections``: see ``session.inspect``."""
    from .session import Profiles, inspect

    finish = on_result or (lambda i, r: None)
    if min(jobs, len(paths)) <= 1:
        profiles = Profiles()
        return _in_process(lambda p: inspect(p, profile, profiles, sections=sections), paths, finish, None)
    return _in_pool(_inspect, (profile, model, sections), paths, min(jobs, len(paths)), finish, None)


def _committing(session: BuildSession, on_result: Done[BuildResult] | None) -> Done[BuildResult]:
    def finish(index: int, result: BuildResult) -> None:
        # written and announced as one: a Ctrl-C in between would leave a report nobody was told of
        with _interrupt_deferred():
            session.commit(result)
            if on_result is not None:
                on_result(index, result)

    return finish


def _in_process(work: Callable[[Path], T], paths: Sequence[Path], finish: Done[T], failed: Failed[T] | None) -> list[T]:
    results = []
    for index, path in enumerate(paths):
        try:
            result = work(path)
        except Exception as e:  # one workbook's bug must not stop a batch; alone, it is raised
            if failed is None:
                raise
            result = failed(path, e)
        finish(index, result)
        results.append(result)
    return results


def _in_pool(
    work: Callable[[Path], T], state: Any, paths: Sequence[Path], jobs: int, finish: Done[T], failed: Failed[T] | None
) -> list[T]:
    """Every path through a pool of ``jobs`` workers. A worker that dies (killed for memory, a crash in a library)
    breaks the whole pool and fails every unfinished future with it: those are run again in a pool of one worker,
    where a break can only be the workbook it was on, which alone is failed."""
    from concurrent.futures.process import BrokenProcessPool

    results: list[T | None] = [None] * len(paths)
    todo = list(range(len(paths)))
    while todo:
        unfinished = _pool_round(work, state, paths, todo, jobs, finish, failed, results)
        if unfinished and jobs == 1:
            culprit, unfinished = unfinished[0], unfinished[1:]
            error = BrokenProcessPool("a worker process died")
            if failed is None:
                raise error
            results[culprit] = failed(paths[culprit], error)
            finish(culprit, results[culprit])  # type: ignore[arg-type]
        todo, jobs = unfinished, 1
    return [r for r in results if r is not None]


def _pool_round(
    work: Callable[[Path], T],
    state: Any,
    paths: Sequence[Path],
    todo: list[int],
    jobs: int,
    finish: Done[T],
    failed: Failed[T] | None,
    results: list[T | None],
) -> list[int]:
    """Run ``todo`` (indexes into paths) in one pool; → the indexes left unfinished because the pool broke."""
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    broken: list[int] = []
    executor = ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker, initargs=(state,))
    try:
        with _interrupt_deferred():  # workers forked now inherit this handler until they ignore SIGINT for good
            futures: dict[Future[T], int] = {executor.submit(work, paths[i]): i for i in todo}
        waiting = set(futures)
        while waiting:
            done, waiting = wait(waiting, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=futures.__getitem__):
                index = futures.pop(future)
                if isinstance(future.exception(), BrokenProcessPool):
                    broken.append(index)
                    continue
                result = _outcome(future, paths[index], failed)
                finish(index, result)
                results[index] = result
    except BaseException:
        _stop(executor)
        raise
    executor.shutdown()
    return sorted(broken)


def _outcome(future: Future[T], path: Path, failed: Failed[T] | None) -> T:
    try:
        return future.result()
    except Exception as e:  # a bug on one workbook fails that workbook, not the batch
        if failed is None:
            raise
        return failed(path, e)


def _failed(path: Path, error: Exception) -> BuildResult:
    from concurrent.futures.process import BrokenProcessPool

    from .session import BuildResult

    shown = display_path(path)
    if isinstance(error, BrokenProcessPool):
        message = f"{shown}：处理该工作簿的进程意外退出（可能是内存不足），未生成报告"
    else:  # a worker's own traceback comes along as the cause, and is printed with it
        detail = "".join(traceback.format_exception(error)).rstrip()
        message = f"{shown}：程序内部错误，请报告此问题：\n{detail}"
    return BuildResult(input=path, error=InternalError(message))


def _stop(executor: ProcessPoolExecutor) -> None:
    """Stop at once: queued work cancelled, running workers terminated (they hold nothing that must be saved)."""
    processes = list((getattr(executor, "_processes", None) or {}).values())
    executor.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(timeout=5)
        if process.is_alive():
            process.kill()
            process.join(timeout=5)
    # A worker terminated while sending its result leaves half a message in the result pipe, and the executor's
    # manager thread waits for the rest forever; the interpreter then hangs at exit joining it. With every worker
    # gone, closing this process's own write end lets that read end in EOF, which the manager takes as a broken pool.
    writer = getattr(getattr(executor, "_result_queue", None), "_writer", None)
    if writer is not None:
        with contextlib.suppress(OSError):
            writer.close()


# --- in the worker processes ---------------------------------------------------------------------------------------

_STATE: Any = None  # the session (build), or the profile and whether to send the model (validate)


def _start_worker(state: Any) -> None:
    global _STATE
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _STATE = state


def _render(path: Path) -> BuildResult:
    result: BuildResult = _STATE.render(path)
    return result


def _inspect(path: Path) -> Inspection:
    from .session import Inspection, Profiles, inspect

    global _PROFILES
    if _PROFILES is None:
        _PROFILES = Profiles()
    profile, model, sections = _STATE
    found = inspect(path, profile, _PROFILES, sections=sections)
    if model:
        return found
    return Inspection(found.path, None, found.findings)  # the model stays here: the parent prints findings only


_PROFILES: Any = None


# --- Ctrl-C ---------------------------------------------------------------------------------------------------------


@contextmanager
def _interrupt_deferred() -> Iterator[None]:
    """Hold a Ctrl-C until the block is done (a report's files are all written), then raise it."""
    hit: list[int] = []
    try:
        previous = signal.signal(signal.SIGINT, lambda signum, frame: hit.append(signum))
    except ValueError:  # not the main thread (the web server): signals are not ours to handle there
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler if previous is None else previous)
    if hit:
        raise KeyboardInterrupt
