"""Python's cyclic garbage collector while a genreport command starts, runs and ends.

A command is one short process: it loads some 300 modules and, for a build, allocates several hundred thousand
objects, nearly all freed by reference counting. With Python's defaults the collector ran about 90 times in a
one-report build (~15-20 ms CPU, near a tenth of the command), most of it walking again and again the modules just
loaded, and once more over everything when the interpreter ends (~4 ms). So nothing is collected while the CLI's
modules load (paused when this module is imported, resumed at the end of pipeline/cli/__init__.py); what they
made lives as long as the process and is frozen out of the collector's sight; a command runs with a young
collection every ``YOUNG`` allocations instead of 700 (the web's job processes: 7,000, web/jobs.py), and the process
keeps that threshold (set back at the end of a command, it cost one more collection just before the exit); and
when the process ends, what is left is frozen too, so that the interpreter's last collection walks nothing:
reference counting frees it as before. Cyclic garbage still goes within some ten thousand objects while a command
runs, and nothing a command makes or prints depends on when garbage is collected. What stays in a reference cycle at
the exit is not finalized (no ``__del__``): genreport closes every file it writes (``with``, outfile.py), and
temporary folders go through weakref.finalize, which runs at the exit whatever the collector does. Should the CLI's
import fail half-way, the collector stays paused in that process: a command line ends there with the traceback, and
a web job's process enables it again (web/jobs.py).
"""

from __future__ import annotations

import atexit
import gc

# allocations (net) between young collections while a command runs (Python's default: 700). A one-report build of
# the sample makes ~27,000 after start-up: at 10,000 it still paid two young collections and an older one (~5 ms);
# a large workbook or a batch is still collected every so many allocations
YOUNG = 50_000

_collecting = gc.isenabled()
gc.disable()  # first thing pipeline/cli/__init__.py imports: its modules load without a collection


def resume() -> None:
    """The CLI's modules are loaded: kept out of later collections, and the collector back as it was."""
    gc.freeze()
    if _collecting:
        gc.enable()


def running() -> None:
    """A command runs: young collections ``YOUNG`` allocations apart from now on, and nothing for the last
    collection at the exit (atexit runs before the interpreter's own collection)."""
    young, *older = gc.get_threshold()
    if young < YOUNG:
        gc.set_threshold(YOUNG, *older)
        atexit.register(gc.freeze)
