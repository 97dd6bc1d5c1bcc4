"""PDF from the rendered .docx through LibreOffice headless: the layout Word shows, with the fonts embedded.

Each ``soffice`` call gets a private user profile (``-env:UserInstallation``), removed afterwards, so builds running
side by side never share or lock one; it converts several documents at once (LibreOffice starts once), under a time
limit after which its whole process group is killed. The profile is a copy of one kept in genreport's cache
(:func:`pipeline.cache.folder`, per LibreOffice installation): a new profile costs LibreOffice's first start (about
0.3 s: configuration, extension registration, graphics tests). The kept one is the profile of the first successful
call, moved into place whole; a call that cannot copy it starts fresh, and one that failed with it where a fresh
profile then succeeded throws it away. The documents are shared between the processes by size, so they finish
together. ``soffice`` exits 0 even when a conversion fails, so each
PDF is checked to exist and be a PDF, then written next to its .docx atomically (:func:`pipeline.outfile.atomic_write`).
LibreOffice converts a copy of each document without hanging punctuation (:mod:`.office_copy`): hung into the
margin, a full-width ，；。 would not print.

The GB/T 9704 faces (仿宋_GB2312, 方正小标宋简体, 楷体_GB2312, 黑体, 宋体) are not free and mostly not installed.
Left to itself, LibreOffice then sets Latin text in DejaVu Sans and Chinese text in the Japanese Noto face. A
fontconfig file (``FONTCONFIG_FILE``, the system configuration plus aliases) maps each to a free face of the same
kind: Noto Serif CJK SC for the Song, FangSong and Kai faces (Bold for the heavy 小标宋), Noto Sans CJK SC for 黑体.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path

from .. import cache
from ..errors import GenreportError, display_path
from ..outfile import atomic_write
from .office_copy import copy_for_office

DEFAULT_TIMEOUT = 120.0  # seconds per document: LibreOffice converts the sample in about 2 s
INSTALL_HINT = (
    "请安装 LibreOffice 后重试（Debian/Ubuntu：sudo apt-get install libreoffice-writer-nogui fonts-noto-cjk）"
)
SERIF, SANS = "Noto Serif CJK SC", "Noto Sans CJK SC"
# the faces Chinese official documents name, by kind → the free face that stands in
FONT_ALIASES = {
    **dict.fromkeys(("仿宋_GB2312", "仿宋", "FangSong", "FangSong_GB2312", "方正仿宋_GBK", "方正仿宋简体"), SERIF),
    **dict.fromkeys(("宋体", "SimSun", "新宋体", "NSimSun", "方正书宋_GBK", "方正书宋简体"), SERIF),
    **dict.fromkeys(("楷体_GB2312", "楷体", "KaiTi", "KaiTi_GB2312", "方正楷体_GBK", "方正楷体简体"), SERIF),
    **dict.fromkeys(("黑体", "SimHei", "方正黑体_GBK", "方正黑体简体", "微软雅黑", "Microsoft YaHei"), SANS),
}
BOLD_ALIASES = {face: SERIF for face in ("方正小标宋简体", "方正小标宋_GBK", "小标宋", "FZXiaoBiaoSong-B05S")}
_SYSTEM_CONFIGS = ("/etc/fonts/fonts.conf", "/usr/local/etc/fonts/fonts.conf", "/opt/homebrew/etc/fonts/fonts.conf")
_KNOWN_PLACES = (
    "/usr/lib/libreoffice/program/soffice",
    "/opt/libreoffice/program/soffice",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    r"C:\Program Files\LibreOffice\program\soffice.exe",
)


class OfficeNotFound(GenreportError):
    """Raised when LibreOffice is not installed: no PDF can be made, the other formats still can."""

    def __init__(self) -> None:
        super().__init__(f"未找到 LibreOffice（soffice），无法生成 PDF：{INSTALL_HINT}")


class PdfConversionFailed(GenreportError):
    """Raised (or returned, per document) when LibreOffice did not produce a PDF of a document."""


def find_soffice() -> str | None:
    """The LibreOffice command: on PATH (soffice, libreoffice) or where its installers put it."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return next((p for p in _KNOWN_PLACES if os.access(p, os.X_OK)), None)


def fonts_conf() -> str:
    """A fontconfig file: the configuration in force, then the aliases for the official-document faces."""
    current = os.environ.get("FONTCONFIG_FILE")
    candidates = [current] if current and Path(current).is_file() else _SYSTEM_CONFIGS
    system = next((c for c in candidates if Path(c).is_file()), None)
    lines = ['<?xml version="1.0"?>', '<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">', "<fontconfig>"]
    if system:
        lines.append(f'  <include ignore_missing="yes">{escape(system)}</include>')
    for face, free in FONT_ALIASES.items():
        lines.append(f'  <alias binding="same"><family>{face}</family><prefer><family>{free}</family></prefer></alias>')
    for face, free in BOLD_ALIASES.items():  # a heavy face: its stand-in in bold, else the title looks thin
        lines += [
            '  <match target="pattern">',
            f'    <test name="family" qual="any"><string>{face}</string></test>',
            f'    <edit name="family" mode="assign" binding="strong"><string>{free}</string></edit>',
            '    <edit name="weight" mode="assign" binding="strong"><const>bold</const></edit>',
            "  </match>",
        ]
    return "\n".join([*lines, "</fontconfig>", ""])


def convert_to_pdf(
    docx_paths: Sequence[Path], timeout: float = DEFAULT_TIMEOUT, *, soffice: str | None = None, workers: int = 1
) -> dict[Path, Path | GenreportError]:
    """Convert each .docx to ``<stem>.pdf`` beside it; → each path given, with its PDF or the error that stopped it.

    Raises :class:`OfficeNotFound` when LibreOffice is not installed (then nothing can be converted). ``timeout`` is
    per document: a call converting n documents may take n × ``timeout`` seconds before it is killed. ``workers``
    LibreOffice processes (each with its own profile) share the documents: one converts a document at a time.
    """
    exe = soffice or find_soffice()
    if exe is None:
        raise OfficeNotFound()
    results: dict[Path, Path | GenreportError] = {}
    pending = []
    for path in dict.fromkeys(docx_paths):
        if path.is_file():
            pending.append(path)
        else:
            results[path] = PdfConversionFailed(f"无法生成 PDF：找不到 {display_path(path)}")
    kept = _kept_profile(exe)
    for batch in _batches(pending):
        copied = kept is not None and _usable(kept)
        done = _convert(exe, _shares(batch, workers), timeout, kept)
        retry = [p for p in batch if isinstance(done[p], PdfConversionFailed) and not isinstance(done[p], _TimedOut)]
        # one bad document may stop LibreOffice for the rest of its call, and so may a damaged kept profile: each
        # once more alone, in a fresh profile
        if len(batch) > 1 or copied:
            for path in retry:
                done.update(_convert(exe, [[path]], timeout, None))
                if copied and kept is not None and isinstance(done[path], Path):
                    _discard(kept)  # the kept profile may be what failed: the next call makes a new one
        results.update(done)
    return {path: results[path] for path in dict.fromkeys(docx_paths)}


class _TimedOut(PdfConversionFailed):
    pass


def _batches(paths: list[Path]) -> list[list[Path]]:
    """Groups in which no two documents share a file name: one call writes all its PDFs into one folder."""
    batches: list[list[Path]] = []
    for path in paths:
        batch = next((b for b in batches if all(p.stem.lower() != path.stem.lower() for p in b)), None)
        if batch is None:
            batches.append(batch := [])
        batch.append(path)
    return batches


def _shares(batch: list[Path], workers: int) -> list[list[Path]]:
    """The documents dealt to ``workers`` processes, largest first to the least loaded: a report's text is most of
    its conversion time, so the processes finish together instead of one waiting for another."""
    shares: list[list[Path]] = [[] for _ in range(max(1, min(workers, len(batch))))]
    loads = [0] * len(shares)
    for size, path in sorted(((_size(p), p) for p in batch), key=lambda sp: -sp[0]):
        least = loads.index(min(loads))
        shares[least].append(path)
        loads[least] += size
    return shares


def _size(docx: Path) -> int:
    """The text of a report: its main part unpacked (the package's size where it is not a Word package)."""
    try:
        with zipfile.ZipFile(docx) as package:
            return package.getinfo("word/document.xml").file_size
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        try:
            return docx.stat().st_size
        except OSError:
            return 0


def _kept_profile(exe: str) -> Path | None:
    """Where this LibreOffice's kept profile is (or is to be) in genreport's cache; None when the cache is off."""
    folder = cache.folder()
    if folder is None:
        return None
    return folder / f"libreoffice-profile-{_installation(exe)}"


def _installation(exe: str) -> str:
    """This LibreOffice installation and version: the resolved command and its version file (an upgrade rewrites
    it), so a kept profile never serves another LibreOffice."""
    digest = hashlib.sha256()
    real = Path(os.path.realpath(exe))
    for part in (real, real.parent / "versionrc", real.parent.parent / "Resources" / "versionrc"):
        with contextlib.suppress(OSError):
            info = part.stat()
            digest.update(f"{part}:{info.st_size}:{info.st_mtime_ns}\n".encode())
            if part.name == "versionrc":
                digest.update(part.read_bytes())
    return digest.hexdigest()[:16]


def _usable(profile: Path) -> bool:
    return (profile / "user").is_dir() and (profile / "user" / "registrymodifications.xcu").is_file()


def _copy_profile(kept: Path | None, target: Path) -> bool:
    """The kept profile copied to ``target``; False (nothing at ``target``) where there is none or it cannot be."""
    if kept is None or not _usable(kept):
        return False
    try:
        shutil.copytree(kept, target, symlinks=True)
    except (OSError, shutil.Error):
        shutil.rmtree(target, ignore_errors=True)
        return False
    return True


def _keep(profile: Path, kept: Path) -> None:
    """A profile LibreOffice made and converted with, moved to be the kept one (unless another call was first)."""
    if not _usable(profile) or kept.exists():
        return
    staging = kept.with_name(f".{kept.name}-{uuid.uuid4().hex}")
    try:
        os.rename(profile, staging)  # the work folder and the cache are usually on different disks
    except OSError:
        try:
            shutil.copytree(profile, staging, symlinks=True)
        except (OSError, shutil.Error):
            shutil.rmtree(staging, ignore_errors=True)
            return
    try:
        os.rename(staging, kept)  # whole or not at all: a call copying it never sees half a profile
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)


def _discard(kept: Path) -> None:
    trash = kept.with_name(f".{kept.name}-{uuid.uuid4().hex}")
    with contextlib.suppress(OSError):
        os.rename(kept, trash)  # out of the way at once: a call copying it meanwhile fails and starts fresh
    shutil.rmtree(trash, ignore_errors=True)


@dataclass
class _Office:
    """One LibreOffice process converting its share of the documents, in a work folder of its own."""

    batch: list[Path]
    work: Path
    seconds: float  # its time limit: the per-document time-out for each of its documents
    limit: float  # the monotonic clock's reading at which it is stopped
    process: subprocess.Popen[bytes] | None = None
    failed: GenreportError | None = None
    fresh: bool = True  # LibreOffice makes its profile (no kept one was copied)


def _convert(
    exe: str, shares: list[list[Path]], timeout: float, kept: Path | None
) -> dict[Path, Path | GenreportError]:
    """Each share converted by a LibreOffice of its own, all running at once; an interrupt or any error ends every
    one of them (with the process group each starts). Each work folder goes as soon as its LibreOffice is done,
    while the others still run."""
    results: dict[Path, Path | GenreportError] = {}
    # ignore_cleanup_errors: a killed LibreOffice may still be letting go of its profile; a leftover is only a temp dir
    with contextlib.ExitStack() as stack:
        offices, folders = [], []
        for share in shares:
            tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="genreport-pdf-", ignore_cleanup_errors=True))
            folders.append(tmp)
            offices.append(_start(exe, share, Path(tmp), timeout, kept))
        try:
            for office, tmp in zip(offices, folders, strict=True):
                done = _finish(office, exe)
                results.update(done)
                if kept is not None and office.fresh and all(isinstance(r, Path) for r in done.values()):
                    _keep(office.work / "profile", kept)
                shutil.rmtree(tmp, ignore_errors=True)
        except BaseException:
            for office in offices:
                if office.process is not None:
                    _kill_group(office.process, os.name == "nt")
            raise
    return results


def _start(exe: str, batch: list[Path], work: Path, timeout: float, kept: Path | None) -> _Office:
    (work / "fonts.conf").write_text(fonts_conf(), encoding="utf-8")
    (work / "in").mkdir()
    fresh = not _copy_profile(kept, work / "profile")
    command = [
        exe,
        f"-env:UserInstallation={(work / 'profile').as_uri()}",
        *("--headless", "--invisible", "--norestore", "--nologo", "--nodefault", "--nolockcheck"),
        *("--convert-to", "pdf:writer_pdf_Export", "--outdir", str(work / "out")),
        *(str(copy_for_office(p.resolve(), work / "in")) for p in batch),
    ]
    env = {**os.environ, "FONTCONFIG_FILE": str(work / "fonts.conf")}
    seconds = timeout * len(batch)
    office = _Office(batch, work, seconds, time.monotonic() + seconds, fresh=fresh)
    windows = os.name == "nt"
    try:
        # its messages go to a file: several run at once, and a full pipe would stop the one not being read
        with (work / "stderr.txt").open("wb") as err:
            office.process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err,
                env=env,
                start_new_session=not windows,
                creationflags=getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0) if windows else 0,
            )
    except OSError as e:
        office.failed = PdfConversionFailed(f"无法生成 PDF：无法运行 {exe}（{e.strerror or e}）")
    return office


def _finish(office: _Office, exe: str) -> dict[Path, Path | GenreportError]:
    if office.failed is not None or office.process is None:
        failed = office.failed or PdfConversionFailed(f"无法生成 PDF：无法运行 {exe}")
        return dict.fromkeys(office.batch, failed)
    try:
        office.process.wait(timeout=max(0.0, office.limit - time.monotonic()))
    except subprocess.TimeoutExpired:
        _kill_group(office.process, os.name == "nt")  # the leader is not reaped yet: its group id is still its own
        message = "无法生成 PDF：{} 转换超时（{:g} 秒），已终止 LibreOffice"
        return {p: _TimedOut(message.format(display_path(p), office.seconds)) for p in office.batch}
    stderr = (office.work / "stderr.txt").read_bytes().decode("utf-8", "replace")
    return {p: _collect(p, office.work / "out" / f"{p.stem}.pdf", stderr) for p in office.batch}


def _kill_group(process: subprocess.Popen[bytes], windows: bool) -> None:
    if windows:
        if process.poll() is None:
            subprocess.run(["taskkill", "/F", "/T", "/PID", str(process.pid)], capture_output=True, check=False)
    else:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.communicate(timeout=10)


def _collect(docx: Path, produced: Path, stderr: str) -> Path | GenreportError:
    shown = display_path(docx)
    try:
        data = produced.read_bytes()
    except OSError:
        data = b""
    if not data.startswith(b"%PDF"):
        said = " ".join(line.strip() for line in stderr.splitlines() if "warn" not in line.lower())[-200:]
        reason = f"LibreOffice 未生成 PDF（{said}）" if said else "LibreOffice 未生成 PDF"
        return PdfConversionFailed(f"无法生成 PDF：{shown}：{reason}；请确认该文件能在 Word/WPS 中打开")
    target = docx.with_suffix(".pdf")
    try:
        atomic_write(target, data)
    except GenreportError as e:
        return e
    return target
