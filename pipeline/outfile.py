"""Atomic file output: a reader never sees a half-written report or workbook, and nothing open is overwritten.

The file is produced in memory, written to a hidden temporary file beside the target and renamed over it. The
temporary file is created with mode 0666 so the kernel applies the user's umask, as for any ordinary file,
without the process umask ever being changed (threads and the web server share it). A library that needs temporary
files of its own while producing the file (openpyxl) gets a hidden folder beside the target (``scratch_beside``):
whatever a kill leaves is in the output folder, and the next write of that target sweeps it.

Names fit the file system: 255 bytes per name (``NAME_MAX``), which a long Chinese name reaches at 85 characters;
an output or temporary name is shortened to fit (``fit_name``), never refused.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import io
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from .errors import OutputError, display_path

DEFAULT_OUT_DIR = Path("outputs")
STALE_SECONDS = 3600  # a temporary file this old belongs to a build that was killed, not one still writing
NAME_MAX = 255  # bytes in one file name (ext4, XFS, APFS, NTFS in UTF-16 units: bytes are the stricter)
TEMP_ROOM = 48  # what a temporary name adds to the target's: ".", ".<pid>.<random>.tmp"


def fit_name(stem: str, suffix: str) -> str:
    """``stem + suffix``, the stem cut (at a character) so that the name fits in NAME_MAX bytes."""
    return _cut(stem, NAME_MAX - len(suffix.encode())) + suffix


def _cut(text: str, size: int) -> str:
    data = text.encode("utf-8", "surrogatepass")
    if len(data) <= size:
        return text
    return data[:size].decode("utf-8", "ignore")


def _temp_prefix(path: Path) -> str:
    """The hidden prefix of ``path``'s temporary files and folders, short enough for any name built on it."""
    return f".{_cut(path.name, NAME_MAX - TEMP_ROOM)}."


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file beside it, refusing a report open in Word/WPS."""
    shown = display_path(path)
    _refuse_locked(path, shown)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"无法写入 {shown}：{_reason(e)}") from e
    _remove_stale(path)
    tmp = path.parent / f"{_temp_prefix(path)}{os.getpid()}.{os.urandom(4).hex()}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except PermissionError as e:
        raise OutputError(f"无法写入 {shown}：没有权限，或文件正在 Word/WPS 中打开（请关闭后重试）") from e
    except OSError as e:
        raise OutputError(f"无法写入 {shown}：{_reason(e)}") from e
    finally:
        _unlink(tmp)


def atomic_save(path: Path, save: Callable[[io.BytesIO], None]) -> None:
    """``save(buffer)`` in memory, then write atomically: a full disk fails here, not inside a zip writer."""
    buffer = io.BytesIO()
    save(buffer)
    atomic_write(path, buffer.getvalue())


@contextlib.contextmanager
def scratch_beside(path: Path) -> Iterator[Path]:
    """A private folder beside ``path`` for a library's own temporary files while ``path`` is produced; removed
    after, and swept by a later write of ``path`` when a kill left it."""
    shown = display_path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale(path)
        folder = Path(tempfile.mkdtemp(prefix=_temp_prefix(path), suffix=".tmp", dir=path.parent))
    except OSError as e:
        raise OutputError(f"无法写入 {shown}：{_reason(e)}") from e
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def lock_files(path: Path) -> list[Path]:
    """The owner files Word (~$name, or ~$ over the first two characters), WPS and LibreOffice keep beside
    a document while it is open."""
    name = path.name
    names = {f"~${name}", f"~${name[2:]}", f".~lock.{name}#"}
    return [path.parent / n for n in sorted(names)]


def _exists(path: Path) -> bool:
    """``path.exists()``, false for a name too long to exist (Path.exists raises for it)."""
    try:
        path.stat()
    except (OSError, ValueError):
        return False
    return True


def _refuse_locked(path: Path, shown: str) -> None:
    if any(_exists(lock) for lock in lock_files(path)):
        raise OutputError(f"无法写入 {shown}：该文件正在 Word/WPS 中打开，请关闭后重试")
    if _exists(path) and not os.access(path, os.W_OK):
        raise OutputError(f"无法写入 {shown}：该文件是只读的，请取消只读属性或换一个输出文件夹")


def _remove_stale(path: Path) -> None:
    """Temporary files and folders of this target left by a killed build; a live build's are younger."""
    now = time.time()
    try:
        found = list(path.parent.glob(f"{glob.escape(_temp_prefix(path))}*.tmp"))
    except OSError:
        return
    for tmp in found:
        try:
            if now - tmp.lstat().st_mtime <= STALE_SECONDS:
                continue
            if tmp.is_dir() and not tmp.is_symlink():
                shutil.rmtree(tmp, ignore_errors=True)
            else:
                tmp.unlink()
        except OSError:
            continue


def _unlink(path: Path) -> None:
    with contextlib.suppress(OSError):  # the write's or rename's own error, if any, is the one to report
        path.unlink()


_REASONS = {
    errno.EEXIST: "该位置已有同名文件，不是文件夹",
    errno.ENOTDIR: "路径中有一段是文件，不是文件夹",
    errno.EISDIR: "该位置是一个文件夹",
    errno.ENOSPC: "磁盘空间不足",
    errno.EROFS: "该位置只读",
    errno.EACCES: "没有写入权限",
    errno.ENAMETOOLONG: "路径太长",
}


def _reason(e: OSError) -> str:
    """The operating system's reason, in Chinese where it is a common one."""
    return _REASONS.get(e.errno or 0, e.strerror or str(e))
