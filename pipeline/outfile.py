"""Atomic file output: a reader never sees a half-written report or workbook."""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from .errors import OutputError, display_path


def atomic_save(path: Path, save: Callable[[str], None]) -> None:
    """Call ``save(tmp_name)`` for a temp file beside ``path``, then rename it over ``path``."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix + ".tmp", dir=path.parent)
    except OSError as e:
        raise OutputError(f"无法写入 {display_path(path)}：{_reason(e)}") from e
    os.close(fd)
    try:
        save(tmp)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; a report is an ordinary file
        os.replace(tmp, path)
    except PermissionError as e:
        raise OutputError(f"无法写入 {display_path(path)}：没有权限，或文件正在 Word/WPS 中打开（请关闭后重试）") from e
    except OSError as e:
        raise OutputError(f"无法写入 {display_path(path)}：{_reason(e)}") from e
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


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


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
