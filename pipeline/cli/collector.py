"""Python's cyclic garbage collector while a genreport command starts and runs.

A command is one short process: it loads some 300 modules and, for a build, allocates several hundred thousand
objects, nearly all freed by reference counting. With Python's defaults the collector ran about 90 times in a
one-report build (~15-20 ms CPU, near a tenth of the command), most of it walking again and again the modules just
loaded. So nothing is collected while the CLI's modules load (paused when this module is imported, resumed at the
end of pipeline/cli/__init__.py); what they made lives as long as the process and is frozen out of the
collector's sight; and a command runs with a young collection every ``YOUNG`` allocations instead of 700, as the
web's job processes do (web/jobs.py): cyclic garbage still goes within some thousand objects. Nothing a command
makes or prints depends on when garbage is collected.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

YOUNG = 10_000  # allocations between young collections while a command runs (Python's default: 700)

_collecting = gc.isenabled()
gc.disable()  # first thing pipeline/cli/__init__.py imports: its modules load without a collection


def resume() -> None:
    """The CLI's modules are loaded: kept out of later collections, and the collector back as it was."""
    gc.freeze()
    if _collecting:
        gc.enable()


@contextlib.contextmanager
def running() -> Iterator[None]:
    """A command's run, with young collections ``YOUNG`` allocations apart; the thresholds restored after it."""
    before = gc.get_threshold()
    gc.set_threshold(max(YOUNG, before[0]), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
