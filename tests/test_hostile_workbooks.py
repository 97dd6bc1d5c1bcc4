"""Hostile workbooks and files end within seconds, in little memory, with a Chinese message and exit 1 (issue 16 §1,
§6): repetition that would build a tree as big as itself, a zip whose headers understate a part, a million rows, ten
thousand sheets, a FIFO or a link to /dev/zero named .xlsx, names at the file system's limit, and a kill while a
workbook is being written.

Each workbook is made here with zipfile, sized for CI; GENREPORT_HOSTILE_SCALE=full (``make fuzz``) makes them at
the issue's sizes (250 MB of rows, 1,000,000 rows, 10,000 sheets, a 1 GB part). Each job runs as its own process,
and its peak memory is read from that process's own accounting: a wrapper process runs genreport and reports
``RUSAGE_CHILDREN`` of its only child.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from pipeline.errors import InputError
from pipeline.model import schema
from pipeline.outfile import NAME_MAX, fit_name
from pipeline.workbook.reader import open_workbook
from pipeline.workbook.unused import worksheet_parts

from .conftest import ROOT, SAMPLE

FULL = os.environ.get("GENREPORT_HOSTILE_SCALE") == "full"
MEMORY_MB = 512
SECONDS = 10.0
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
Replace = Callable[[str, bytes], bytes | None]

# Worksheet parts of the sample, by sheet (xl/workbook.xml's order)
DUTIES, OFFICES, BUDGET = "xl/worksheets/sheet3.xml", "xl/worksheets/sheet4.xml", "xl/worksheets/sheet7.xml"

_WRAPPER = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(json.dumps({"code": done.returncode, "out": done.stdout, "err": done.stderr,
                  "seconds": time.perf_counter() - started,
                  "maxrss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


def genreport(*args: str, timeout: float = 120) -> dict[str, object]:
    """Run ``genreport ARGS`` as its own process: exit code, output, wall time and the peak memory (KB) of that
    process alone."""
    command = [sys.executable, "-c", _WRAPPER, sys.executable, "-m", "pipeline", *args]
    done = subprocess.run(command, capture_output=True, text=True, env=ENV, timeout=timeout, check=True)
    result: dict[str, object] = json.loads(done.stdout)
    return result


def refused(path: Path, *expected: str) -> dict[str, object]:
    """``validate`` refuses ``path`` within the limits, in Chinese, with every ``expected`` text."""
    run = genreport("validate", str(path))
    text = f"{run['out']}{run['err']}"
    assert run["code"] == 1, text
    assert "Traceback" not in text
    assert "E_UNREADABLE" in text, text
    for words in expected:
        assert words in text, text
    assert isinstance(run["seconds"], float) and run["seconds"] < SECONDS, run["seconds"]
    assert isinstance(run["maxrss_kb"], int) and run["maxrss_kb"] < MEMORY_MB * 1024, run["maxrss_kb"]
    return run


def rewritten(target: Path, replace: Replace, extra: dict[str, bytes] | None = None) -> Path:
    """The sample with each part ``replace(name, data)`` (None drops it) and ``extra`` parts added."""
    with zipfile.ZipFile(SAMPLE) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = replace(info.filename, src.read(info))
            if data is not None:
                out.writestr(info.filename, data)
        for name, data in (extra or {}).items():
            out.writestr(name, data)
    return target


def with_rows(member: str, rows: bytes) -> Replace:
    def replace(name: str, data: bytes) -> bytes:
        if name != member:
            return data
        at = data.index(b"</sheetData>")
        return data[:at] + rows + data[at:]

    return replace


def test_repeated_rows_are_refused_before_any_tree_is_built(tmp_path: Path) -> None:
    """Issue: 250 MB of repeated <row><c> in one sheet of a 0.8 MB workbook cost 7.5 GB and 106 s."""
    size = 250 * 2**20 if FULL else 4 * 2**20
    unit = b"<row><c/></row>"
    path = rewritten(tmp_path / "rows.xlsx", with_rows(DUTIES, unit * (size // len(unit))))
    refused(path, "部门职责", f"{schema.MAX_SHEET_ROWS:,} 行")


def test_a_million_rows_in_a_list_sheet_are_refused(tmp_path: Path) -> None:
    """Issue: 1,000,000 rows in 内设机构 (7.9 MB) took 90 s and 2.3 GB."""
    count = 1_000_000 if FULL else schema.MAX_SHEET_ROWS + 100
    rows = b"".join(
        b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>office</t></is></c></row>' % (r, r)
        for r in range(400, 400 + count)
    )
    refused(rewritten(tmp_path / "offices.xlsx", with_rows(OFFICES, rows)), "内设机构", "已拒绝读取")


def test_cells_over_the_limit_are_refused_naming_the_sheet(tmp_path: Path) -> None:
    cells = b"<c/>" * (schema.MAX_CELLS + 10)
    path = rewritten(tmp_path / "cells.xlsx", with_rows(BUDGET, b'<row r="90">' + cells + b"</row>"))
    refused(path, "收支预决算", f"{schema.MAX_CELLS:,} 个")


def test_prefixed_elements_are_counted_too(tmp_path: Path) -> None:
    """A namespace prefix (<x:row>) is the same element to an XML parser: it counts the same."""
    unit = b"<x:row xmlns:x='http://schemas.openxmlformats.org/spreadsheetml/2006/main'><x:c/></x:row>"
    path = rewritten(tmp_path / "prefixed.xlsx", with_rows(DUTIES, unit * (schema.MAX_SHEET_ROWS + 10)))
    with pytest.raises(InputError, match="部门职责"):
        open_workbook(path)


def _many_sheets(count: int) -> tuple[Replace, dict[str, bytes]]:
    r = b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    entries = b"".join(
        b'<sheet %s name="extra%d" sheetId="%d" r:id="rIdX%d"/>' % (r, i, 1000 + i, i) for i in range(count)
    )
    rels = b"".join(
        b'<Relationship Id="rIdX%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'worksheet" Target="worksheets/extra%d.xml"/>' % (i, i)
        for i in range(count)
    )
    empty = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>'

    def replace(name: str, data: bytes) -> bytes:
        if name == "xl/workbook.xml":
            return data.replace(b"</sheets>", entries + b"</sheets>")
        if name == "xl/_rels/workbook.xml.rels":
            return data.replace(b"</Relationships>", rels + b"</Relationships>")
        return data

    return replace, {f"xl/worksheets/extra{i}.xml": empty for i in range(count)}


def test_ten_thousand_sheets_are_refused_in_one_message(tmp_path: Path) -> None:
    """Issue: 10,000 extra sheets took 46 s and printed 10,018 warning lines."""
    replace, extra = _many_sheets(9_000 if FULL else schema.MAX_SHEETS + 20)
    run = refused(rewritten(tmp_path / "sheets.xlsx", replace, extra), f"超过 {schema.MAX_SHEETS} 张工作表")
    assert len(str(run["out"]).splitlines()) < 10


def test_a_package_of_too_many_parts_is_refused(tmp_path: Path) -> None:
    extra = {f"xl/media/p{i}.bin": b"" for i in range(schema.MAX_PARTS + 1)}
    refused(rewritten(tmp_path / "parts.xlsx", lambda n, d: d, extra), f"{schema.MAX_PARTS:,}")


def _understating(path: Path, member: str, size: int) -> None:
    """Append ``member`` of ``size`` zero bytes (deflated: about a thousandth of it), then make both its headers
    claim 1,000 bytes."""
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z, z.open(member, "w") as fh:
        block = b"\0" * 2**20
        for _ in range(size // len(block)):
            fh.write(block)
    with zipfile.ZipFile(path) as z:
        local = z.getinfo(member).header_offset
    data = bytearray(path.read_bytes())
    central = data.rindex(member.encode()) - 46  # the member added last: its entry ends the central directory
    assert data[local : local + 4] == b"PK\x03\x04" and data[central : central + 4] == b"PK\x01\x02"
    struct.pack_into("<I", data, local + 22, 1000)
    struct.pack_into("<I", data, central + 24, 1000)
    path.write_bytes(bytes(data))


def test_a_part_whose_headers_understate_it_is_refused_while_inflating(tmp_path: Path) -> None:
    """Issue: a zip whose headers understate a member cost 2.1 GB before it was refused."""
    path = tmp_path / "understated.xlsx"
    shutil.copy(SAMPLE, path)
    _understating(path, "xl/media/padding.bin", (2**30 if FULL else 64 * 2**20))
    with zipfile.ZipFile(path) as z:
        assert z.getinfo("xl/media/padding.bin").file_size == 1000
    refused(path, "已损坏")


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "huge.xlsx"
    shutil.copy(SAMPLE, path)
    with path.open("r+b") as fh:
        fh.truncate((schema.MAX_FILE_MB + 1) * 2**20)  # sparse: no disk used
    refused(path, f"{schema.MAX_FILE_MB} MB")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_named_xlsx_is_refused_at_once(tmp_path: Path) -> None:
    """Issue: a FIFO named .xlsx hung."""
    path = tmp_path / "pipe.xlsx"
    os.mkfifo(path)
    refused(path, "不是普通文件")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_link_to_dev_zero_is_refused_at_once(tmp_path: Path) -> None:
    """Issue: a link to /dev/zero read up to 2 GB, then a MemoryError traceback."""
    path = tmp_path / "zero.xlsx"
    path.symlink_to("/dev/zero")
    refused(path, "不是普通文件")


def test_a_layout_reading_an_unused_sheet_late_counts_it_first(tmp_path: Path) -> None:
    """A sheet left unparsed at open (not the form's) is counted before a template's layout loads it."""
    import openpyxl

    wb = openpyxl.load_workbook(SAMPLE)
    wb.create_sheet("绿化项目")["A1"] = "x"
    small = tmp_path / "small.xlsx"
    wb.save(small)
    with zipfile.ZipFile(small) as z:
        member = worksheet_parts(z)["绿化项目"]
    rows = b"<row><c/></row>" * (schema.MAX_SHEET_ROWS + 10)

    def replace(name: str, data: bytes) -> bytes:
        if name != member:
            return data
        return data.replace(b"</sheetData>", rows + b"</sheetData>") if b"</sheetData>" in data else data

    with zipfile.ZipFile(small) as src, zipfile.ZipFile(tmp_path / "late.xlsx", "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            out.writestr(info.filename, replace(info.filename, src.read(info)))
    source = open_workbook(tmp_path / "late.xlsx")  # not read by the form: only its bytes count
    assert "绿化项目" in source.skipped
    with pytest.raises(InputError, match="绿化项目"):
        source.sheet("绿化项目")


# --- §6 files: names at the limit, a kill while writing ----------------------------------------------------------


def test_fit_name_keeps_names_within_the_file_system_limit() -> None:
    assert fit_name("2022", ".docx") == "2022.docx"
    long = "部门整体支出绩效自评报告" * 10
    name = fit_name(long, ".docx")
    assert len(name.encode()) <= NAME_MAX and name.endswith(".docx") and long.startswith(name[:-5])


@pytest.mark.parametrize("characters", [80, 82, 83])
def test_a_long_chinese_input_name_builds(tmp_path: Path, characters: int) -> None:
    """Issue: ~80 Chinese characters could not be written (the temp name was over 255 bytes), 82 gave a traceback."""
    stem = ("某县农业农村局部门整体支出绩效自评" * 6)[: characters - 4] + "2022"
    path = tmp_path / f"{stem}.xlsx"
    shutil.copy(SAMPLE, path)
    run = genreport("build", str(path), "-o", str(tmp_path / "out"))
    text = f"{run['out']}{run['err']}"
    assert run["code"] == 0, text
    assert "Traceback" not in text
    written = list((tmp_path / "out").iterdir())
    assert [p.suffix for p in written] == [".docx"], written
    assert len(written[0].name.encode()) <= NAME_MAX


def test_a_long_chinese_name_for_a_new_workbook_is_written(tmp_path: Path) -> None:
    stem = ("某县农业农村局部门整体支出绩效自评" * 6)[:79] + "2023"
    run = genreport("init", str(tmp_path / f"{stem}.xlsx"), "--from", str(SAMPLE))
    text = f"{run['out']}{run['err']}"
    assert run["code"] == 0, text
    assert [p.name for p in tmp_path.iterdir()] == [f"{stem}.xlsx"]


_SLOW_SAVE = """
import sys, time
from openpyxl.worksheet import _writer
original = _writer.WorksheetWriter.write
def write(self):
    original(self)
    print("saving", flush=True)
    time.sleep(60)
_writer.WorksheetWriter.write = write
from pipeline.cli import app
sys.argv = ["genreport", *sys.argv[1:]]
app()
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX")
def test_a_killed_init_from_leaves_nothing_in_the_system_temp_folder(tmp_path: Path) -> None:
    """Issue: a killed `init --from` left openpyxl's temporary sheets in the system's temporary folder. The child
    is held inside openpyxl's save, its temporary sheet written, and killed there."""
    system_temp = tmp_path / "tmp"
    system_temp.mkdir()
    out = tmp_path / "out"
    child = subprocess.Popen(
        [sys.executable, "-c", _SLOW_SAVE, "init", str(out / "2023.xlsx"), "--from", str(SAMPLE)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**ENV, "TMPDIR": str(system_temp)},
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == b"saving"
        hidden = [p for p in out.iterdir() if p.name.startswith(".")]
        assert hidden and any(hidden[0].iterdir()), "openpyxl's temporary sheet is in the output folder"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert list(system_temp.iterdir()) == []
    assert not (out / "2023.xlsx").exists()
    # the next write of that workbook sweeps what the kill left, once it is old enough to be nobody's
    for left in out.iterdir():
        os.utime(left, (time.time() - 7200, time.time() - 7200))
    run = genreport("init", str(out / "2023.xlsx"), "--from", str(SAMPLE))
    assert run["code"] == 0, run
    assert [p.name for p in out.iterdir()] == ["2023.xlsx"]


@pytest.mark.parametrize("command", ["validate", "build", "init"])
def test_a_name_too_long_for_the_file_system_is_a_chinese_message(tmp_path: Path, command: str) -> None:
    """A name over 255 bytes cannot exist, and Path.is_dir/exists raise for it: a message, never a traceback."""
    for path in (tmp_path / f"{'很' * 100}.xlsx", tmp_path / ("很" * 100) / "2023.xlsx"):
        run = genreport(command, str(path))
        text = f"{run['out']}{run['err']}"
        assert run["code"] == 1, text
        assert "Traceback" not in text
        assert "路径太长" in text, text


@pytest.mark.parametrize(
    "ranged",
    [
        b'<mergeCells count="1"><mergeCell ref="A1:Z100000"/></mergeCells>',
        b'<hyperlinks><hyperlink ref="A1:Z100000" location="A1" display="x"/></hyperlinks>',
    ],
    ids=["merged", "hyperlink"],
)
def test_a_range_covering_millions_of_cells_is_refused(tmp_path: Path, ranged: bytes) -> None:
    """openpyxl makes an object for every cell a merged range (or a hyperlink's range) covers: a 100-byte tag cost
    44 s and 1 GB; the ranges count as the cells they cover."""

    def replace(name: str, data: bytes) -> bytes:
        if name != DUTIES:
            return data
        at = data.index(b"</sheetData>") + len(b"</sheetData>")
        return data[:at] + ranged + data[at:]

    refused(rewritten(tmp_path / "ranged.xlsx", replace), "部门职责", "合并单元格和超链接")


def test_a_million_cell_formats_are_refused(tmp_path: Path) -> None:
    """openpyxl makes an object of each cell format: 1,000,000 <xf/> in a 260 KB workbook took 46 s and 1.6 GB."""
    count = 1_000_000 if FULL else schema.MAX_PART_TAGS + 10
    xf = b'<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'

    def replace(name: str, data: bytes) -> bytes:
        if name != "xl/styles.xml":
            return data
        at = data.index(b"</cellXfs>")
        return data[:at] + xf * count + data[at:]

    refused(rewritten(tmp_path / "styles.xlsx", replace), "xl/styles.xml", f"{schema.MAX_PART_TAGS:,}")
