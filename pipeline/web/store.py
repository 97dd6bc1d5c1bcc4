"""What one upload's build made, kept for a while under an unguessable token, so that every format of it is served
from that one build (the page's download links, the PDF made on its first request, the 汇总 and the zip of a batch).

Each upload gets a folder of its own inside one private folder of the server (``genreport-kept-…`` in TMPDIR, mode
0700), named by a token of 32 random URL-safe characters (``secrets``): a token is the only way to an upload's
files, a file is served only by a name the entry lists (never a path taken from the request), and a token that is
not well-formed is not looked up at all. An entry is unreachable ``keep_seconds`` after it was made and deleted
within ``sweep_seconds`` more (a sweeper thread; every lookup checks too); the oldest finished entries go first
when the server would hold more than ``max_entries`` uploads or ``max_bytes`` on the disk; everything goes when the
server stops.
"""

from __future__ import annotations

import atexit
import re
import secrets
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

KEEP_SECONDS = 30 * 60
MAX_BYTES = 1024 * 2**20  # on the disk, all uploads together
MAX_ENTRIES = 200
ROOT_PREFIX = "genreport-kept-"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")  # secrets.token_urlsafe(24)


@dataclass
class Making:
    """A file made on its first request (the PDF): done when ``ready`` is set, with ``error`` when it failed."""

    ready: threading.Event = field(default_factory=threading.Event)
    error: str | None = None


@dataclass
class Entry:
    token: str
    folder: Path
    created: float
    expires: float
    until: float  # when it goes, as wall-clock time (time.time()) for the page to state
    files: dict[str, Path] = field(default_factory=dict)  # download name → the file, all inside ``folder``
    done: threading.Event = field(default_factory=threading.Event)
    outcome: Any = None  # what the page shows once done
    progress: tuple[int, int] = (0, 0)  # workbooks done, workbooks in all
    making: dict[str, Making] = field(default_factory=dict)
    size: int = 0  # bytes on the disk, counted when a build or a made file is finished
    gone: bool = False


class Store:
    """The kept uploads of one server. Thread-safe: the event loop and the job threads both use it."""

    def __init__(
        self,
        keep_seconds: float = KEEP_SECONDS,
        max_bytes: int = MAX_BYTES,
        max_entries: int = MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.keep_seconds = keep_seconds
        self.max_bytes = max_bytes
        self.max_entries = max_entries
        self.clock = clock
        self._entries: dict[str, Entry] = {}
        self._lock = threading.Lock()
        self._root: Path | None = None
        self._stop = threading.Event()
        self._sweeper: threading.Thread | None = None

    # --- entries ------------------------------------------------------------------------------------------------

    def create(self) -> Entry:
        """A new, empty entry with its folder; the oldest finished entries go first when the server holds its
        maximum number of them."""
        now = self.clock()
        with self._lock:
            root = self._root_folder()
            token = secrets.token_urlsafe(24)
            folder = root / token
            folder.mkdir(mode=0o700)
            entry = Entry(token, folder, now, now + self.keep_seconds, time.time() + self.keep_seconds)
            self._entries[token] = entry
            doomed = self._expired(now) + self._oldest(lambda: len(self._entries) > self.max_entries, keep=entry)
        self._delete(doomed)
        self._start_sweeper()
        return entry

    def get(self, token: str) -> Entry | None:
        """The entry of a token, or None when the token is malformed, unknown or expired."""
        if not _TOKEN.match(token):
            return None
        self.sweep()
        with self._lock:
            return self._entries.get(token)

    def settle(self, entry: Entry) -> None:
        """Count an entry's bytes after its build (or a made file) finished; the oldest other finished entries go
        while the server holds more than ``max_bytes``. An entry deleted meanwhile has its folder removed again
        (a job may have written into it after it went)."""
        size = sum(p.stat().st_size for p in entry.folder.rglob("*") if p.is_file()) if entry.folder.is_dir() else 0
        with self._lock:
            entry.size = size
            if entry.gone:
                doomed = [entry]
            else:
                doomed = self._oldest(lambda: sum(e.size for e in self._entries.values()) > self.max_bytes, entry)
        self._delete(doomed)

    def discard(self, entry: Entry) -> None:
        """Delete an entry now (a check that made nothing to keep)."""
        self._delete([entry])

    def sweep(self) -> None:
        with self._lock:
            doomed = self._expired(self.clock())
        self._delete(doomed)

    def close(self) -> None:
        """Delete every entry and the store's folder (the server is stopping)."""
        self._stop.set()
        with self._lock:
            doomed = list(self._entries.values())
            root, self._root = self._root, None
        self._delete(doomed)
        if root is not None:
            shutil.rmtree(root, ignore_errors=True)

    @property
    def sweep_seconds(self) -> float:
        """How often the sweeper looks: an entry's files are gone at most this long after it expired."""
        return max(1.0, min(10.0, self.keep_seconds / 10))

    def deleted_by(self, entry: Entry) -> float:
        """The wall-clock time (time.time()) by which an entry's files are surely deleted: what the page states."""
        return entry.until + self.sweep_seconds

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    @property
    def root(self) -> Path | None:
        return self._root

    # --- inside the lock ----------------------------------------------------------------------------------------

    def _root_folder(self) -> Path:
        if self._root is None or not self._root.is_dir():
            self._root = Path(tempfile.mkdtemp(prefix=ROOT_PREFIX))  # 0700: this user's only
            atexit.register(self.close)
        return self._root

    def _expired(self, now: float) -> list[Entry]:
        return [e for e in self._entries.values() if e.expires <= now]

    def _oldest(self, over: Callable[[], bool], keep: Entry) -> list[Entry]:
        """Finished entries (oldest first, never ``keep``) taken out while ``over()`` holds."""
        taken: list[Entry] = []
        for entry in sorted(self._entries.values(), key=lambda e: e.created):
            if not over():
                break
            if entry is not keep and _finished(entry):
                del self._entries[entry.token]
                entry.gone = True
                taken.append(entry)
        return taken

    def _delete(self, doomed: list[Entry]) -> None:
        with self._lock:
            for entry in doomed:
                self._entries.pop(entry.token, None)
                entry.gone = True
        for entry in doomed:
            shutil.rmtree(entry.folder, ignore_errors=True)

    def _start_sweeper(self) -> None:
        with self._lock:
            if self._sweeper is not None or self._stop.is_set():
                return
            self._sweeper = threading.Thread(target=self._sweep_now_and_then, name="genreport-kept", daemon=True)
        self._sweeper.start()

    def _sweep_now_and_then(self) -> None:
        while not self._stop.wait(self.sweep_seconds):
            self.sweep()


def _finished(entry: Entry) -> bool:
    """Nothing is being made for it: its build done, and each file made on request too."""
    return entry.done.is_set() and all(m.ready.is_set() for m in entry.making.values())
