"""A private cache on disk for work that depends only on a template and genreport itself: a template's check and its
compiled parts, and the code Python would compile again in every process for the dataclasses and regular
expressions a build makes (pipeline/cli/compiled.py, compiled_regex.py). A one-report build is one process; without
it, every build re-checks and re-compiles the same template (about 0.2 s of a 0.7 s build).

Safe to delete at any time. Never trusted across versions: every key holds a fingerprint of genreport's own code
(each module's size and modification time), its version, Python's bytecode magic and the versions of Jinja and
docxtpl, so a changed module or an upgrade misses the cache instead of reading what an older build wrote. Compiled
code is executed when loaded, so the folder must be the user's own and closed to others (0700, owned by this user);
a folder that is not is never read. ``GENREPORT_CACHE_DIR`` moves it (default ``$XDG_CACHE_HOME/genreport``, else
``~/.cache/genreport``); ``GENREPORT_CACHE=0`` turns it off. Each fingerprint has a folder of its own; making a new
one removes the earlier ones beyond the five most recently written.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import marshal
import os
import re
import stat
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, AnyStr

PACKAGE = Path(__file__).resolve().parent
MAX_ENTRY = 64 * 2**20  # bytes of one entry: a compiled template is a few hundred KB


def folder() -> Path | None:
    """The cache folder, made private if new; None when turned off or not safely ours."""
    if os.environ.get("GENREPORT_CACHE", "1") == "0":
        return None
    configured = os.environ.get("GENREPORT_CACHE_DIR")
    if configured:
        root = Path(configured)
    else:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        root = Path(base) / "genreport"
    path = root / fingerprint()[:16]
    try:
        root.parent.mkdir(parents=True, exist_ok=True)
        new = not path.exists()
        for checked in (root, path):
            checked.mkdir(mode=0o700, exist_ok=True)
            info = checked.lstat()
            if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
                return None  # another user's, or a link: what it holds could run as us
            if info.st_mode & 0o077:
                checked.chmod(0o700)  # ours, made open by a umask or by hand: closed before anything is read
    except (OSError, AttributeError):  # no home, a read-only disk; Windows has no getuid: no cache
        return None
    if new:
        _prune(root, path)
    return path


KEPT_VERSIONS = 5  # other fingerprints' folders kept beside the one in use (two installs side by side keep theirs)
_FINGERPRINT = re.compile(r"[0-9a-f]{16}")


def _prune(root: Path, current: Path) -> None:
    """The folders of other fingerprints (earlier versions of genreport or its libraries, a few MB each with the
    compiled code and LibreOffice's profile) beyond the KEPT_VERSIONS most recently written, removed when a new one
    is made: each upgrade leaves one behind that nothing reads again. One still in use by another install is only
    made again, as after a deletion."""
    import shutil

    try:
        others = [
            (entry.stat(follow_symlinks=False).st_mtime, entry.path)
            for entry in os.scandir(root)
            if entry.is_dir(follow_symlinks=False) and _FINGERPRINT.fullmatch(entry.name) and entry.path != str(current)
        ]
    except OSError:
        return
    for _, old in sorted(others, reverse=True)[KEPT_VERSIONS:]:
        shutil.rmtree(old, ignore_errors=True)


@functools.cache
def fingerprint() -> str:
    """What a cached result depends on besides its own key: genreport's code and the libraries it runs through."""
    digest = hashlib.sha256()
    versions = [sys.version, importlib.util.MAGIC_NUMBER.hex()]
    installed = _installed()
    for name in ("genreport", "jinja2", "docxtpl", "python-docx", "lxml"):
        versions.append(f"{name}={installed.get(_normalized(name)) or _metadata_version(name)}")
    digest.update("\n".join(versions).encode())
    modules: list[tuple[str, os.stat_result]] = []
    _modules(str(PACKAGE), "", modules)
    digest.update("".join(f"{name}:{info.st_size}:{info.st_mtime_ns}\n" for name, info in sorted(modules)).encode())
    return digest.hexdigest()


def _modules(folder: str, prefix: str, found: list[tuple[str, os.stat_result]]) -> None:
    """Every ``*.py`` under ``folder`` with its stat, named from the package (what Path.rglob finds, folder links
    not followed, in a tenth of its time: ~3 ms of every command)."""
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                _modules(entry.path, f"{prefix}{entry.name}/", found)
            elif entry.name.endswith(".py"):
                found.append((prefix + entry.name, entry.stat()))


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _installed() -> dict[str, str]:
    """Installed distributions' versions by normalized name, read off the ``NAME-VERSION.dist-info`` folders on
    sys.path: what importlib.metadata finds, without importing it (tens of milliseconds of a one-report build)."""
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for folder in names:
            if folder.endswith(".dist-info") and "-" in folder:
                name, _, version = folder[: -len(".dist-info")].partition("-")
                found.setdefault(_normalized(name), version)
    return found


def _metadata_version(name: str) -> str:
    """The version importlib.metadata gives (an install that keeps no dist-info folder), or ?."""
    import importlib.metadata

    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "?"


def key(*parts: bytes | str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def read(kind: str, name: str) -> bytes | None:
    """The entry ``kind/name``, or None: absent, unreadable, oversized, or no usable cache."""
    root = folder()
    if root is None:
        return None
    try:
        with (root / kind / name).open("rb") as fh:
            data = fh.read(MAX_ENTRY + 1)
    except OSError:
        return None
    return data if len(data) <= MAX_ENTRY else None


def write(kind: str, name: str, data: bytes) -> None:
    """Store an entry atomically (another process may be writing the same one); a cache that cannot be written
    is only a slower build, never an error."""
    root = folder()
    if root is None or len(data) > MAX_ENTRY:
        return
    target = root / kind / name
    tmp = target.with_name(f".{name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    try:
        target.parent.mkdir(mode=0o700, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()


_CONTENT = threading.local()


def content_pattern(pattern: AnyStr, flags: int = 0) -> re.Pattern[AnyStr]:
    """``re.compile`` of a pattern made from a workbook's or a report's content (a figure, a quoted phrase, a sheet's
    style numbers): kept in no cache. The code kind keeps only the patterns genreport and its libraries make of their
    own text (pipeline/cli/compiled_regex.py), the same in every build and saying nothing of anyone's data."""
    _CONTENT.on = True
    try:
        return re.compile(pattern, flags)
    finally:
        _CONTENT.on = False


def compiling_content() -> bool:
    """Whether the pattern being compiled is one of ``content_pattern``'s."""
    return bool(getattr(_CONTENT, "on", False))


_FORGETTERS: list[Callable[[], None]] = []


def forgets(forget: Callable[[], None]) -> Callable[[], None]:
    """Register ``forget``, which lets go of what its module keeps in memory of the workbooks it read (parts, texts,
    labels kept for the next workbook of a batch): ``forget_content`` calls it. Whatever keeps users' content between
    workbooks registers here, so a web job's process that takes the next user's job holds nothing of the last."""
    _FORGETTERS.append(forget)
    return forget


def forget_content() -> None:
    """Call every registered ``forgets`` function (those of the modules loaded: one not loaded kept nothing)."""
    for forget in _FORGETTERS:
        forget()


def read_marshal(kind: str, name: str) -> Any:
    """An entry written by ``write_marshal``, None where there is none or it does not load (torn, or of another
    Python: made again)."""
    data = read(kind, name)
    if not data:
        return None
    try:
        return marshal.loads(data)
    except (EOFError, ValueError, TypeError):
        return None


def write_marshal(kind: str, name: str, value: Any) -> None:
    """``value`` (plain data and code objects) kept as ``marshal`` writes it; nothing where it holds what marshal
    cannot write."""
    try:
        data = marshal.dumps(value)
    except ValueError:
        return
    write(kind, name, data)
