"""Batch builds: many inputs (files, folders, globs), worker processes, progress and summary, and safety: names
that would collide are refused before any work, one bad workbook never stops the others, Ctrl-C leaves only
complete reports. Speed is measured in bench/bench_batch.py, never here."""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import docx
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.cli.progress import plain_table
from pipeline.errors import InputError, WorkbookInvalid
from pipeline.findings import codes
from pipeline.findings.collector import Finding
from pipeline.session import BuildResult, expand_inputs

from .conftest import ROOT, SAMPLE

runner = CliRunner()
ENV = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONPATH": str(ROOT)}


def copies(folder: str, *names: str) -> list[Path]:
    Path(folder).mkdir(parents=True, exist_ok=True)
    paths = [Path(folder) / name for name in names]
    for path in paths:
        shutil.copy(SAMPLE, path)
    return paths


def genreport(*args: str, **kwargs: object) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=ENV,
        **kwargs,  # type: ignore[call-overload]
    )


def first_line(process: subprocess.Popen[bytes]) -> str:
    """The first line of its output, read byte by byte from the pipe: a buffered readline could take the next
    lines along, which communicate() (reading the pipe itself) would then never see."""
    assert process.stdout is not None
    line = b""
    while not line.endswith(b"\n"):
        byte = os.read(process.stdout.fileno(), 1)
        if not byte:
            break
        line += byte
    return line.decode("utf-8")


def finished(process: subprocess.Popen[bytes], timeout: float) -> tuple[str, str]:
    stdout, stderr = process.communicate(timeout=timeout)
    return stdout.decode("utf-8"), stderr.decode("utf-8")


def left_behind(folder: Path) -> list[str]:
    """Anything in an output folder that is not a finished report: temporary or hidden files."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") or p.suffix != ".docx")


# ---------------------------------------------------------------- Ctrl-C


def test_ctrl_c_mid_batch_stops_the_workers_and_leaves_only_complete_reports() -> None:
    copies("dept", *(f"d{i:02d}.xlsx" for i in range(12)))
    # a session of its own, so the signal can also go to the whole group, as a terminal's Ctrl-C does
    process = genreport("build", "dept", "-j", "2", "-o", "out", start_new_session=True)
    first = first_line(process)
    assert first.startswith("已生成 out/d"), first
    os.killpg(process.pid, signal.SIGINT)
    interrupted = time.monotonic()
    stdout, stderr = finished(process, 60)
    stopped_after = time.monotonic() - interrupted
    assert process.returncode == 130, stderr
    assert stopped_after < 30  # a bound for a hung pool, not a speed figure
    assert stderr.splitlines()[-1].startswith("已中断（Ctrl-C）：12 个工作簿中 ")
    assert "Traceback" not in stdout + stderr
    with pytest.raises(ProcessLookupError):  # no worker outlived the command
        os.killpg(process.pid, 0)
    out = Path("out")
    assert left_behind(out) == []
    built = sorted(out.iterdir())
    assert 1 <= len(built) < 12, "interrupted mid-batch"
    for report in built:
        assert docx.Document(str(report)).paragraphs, report
    reported = {line[4:].split("（")[0] for line in (first + stdout).splitlines() if line.startswith("已生成")}
    assert reported == {f"out/{p.name}" for p in built}, "every report said to be made is there, and only those"


def test_ctrl_c_to_the_command_alone_also_stops_its_workers() -> None:
    copies("dept", *(f"d{i:02d}.xlsx" for i in range(6)))
    process = genreport("build", "dept", "-j", "2", "-o", "out", start_new_session=True)
    first_line(process)
    process.send_signal(signal.SIGINT)
    _, stderr = finished(process, 60)
    assert process.returncode == 130, stderr
    with pytest.raises(ProcessLookupError):
        os.killpg(process.pid, 0)
    assert left_behind(Path("out")) == []


# ---------------------------------------------------------------- inputs


def test_folders_and_quoted_globs_are_expanded_and_lock_files_skipped() -> None:
    copies("dept", "a.xlsx", "B.XLSX")
    copies("more", "c.xlsx", "d.xlsm")
    Path("dept/~$a.xlsx").write_bytes(b"lock")
    Path("more/~$c.xlsx").write_bytes(b"lock")
    Path("more/notes.txt").write_text("not a workbook")
    result = runner.invoke(app, ["build", "dept", "more/*.xls?", "dept/a.xlsx", "-o", "out", "-j", "1"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in Path("out").iterdir()) == ["B.docx", "a.docx", "c.docx", "d.docx"]
    assert result.stderr.splitlines()[-1] == "共 4 个工作簿：成功 4 个，失败 0 个。", "dept/a.xlsx is built once"


def test_expand_inputs_keeps_name_order_and_says_when_a_glob_matches_nothing() -> None:
    copies("dept", "b.xlsx", "a.xlsx")
    assert expand_inputs([Path("dept/*.xlsx"), Path("dept")]) == [Path("dept/a.xlsx"), Path("dept/b.xlsx")]
    assert expand_inputs([Path("missing.xlsx")]) == [Path("missing.xlsx")], "the reader reports a missing file"
    result = runner.invoke(app, ["build", "nowhere/*.xlsx"])
    assert (result.exit_code, result.stderr) == (2, "错误：nowhere/*.xlsx：没有匹配的工作簿（.xlsx、.xls、.ods）\n")


@pytest.mark.parametrize(
    ("names", "refused"),
    [
        (["x/2022.xlsx", "y/2022.xlsx"], "y/2022.xlsx"),
        (["x/Dept.xlsx", "y/dept.xlsx"], "y/dept.xlsx"),  # one file on Windows
        (["x/a.xlsx", "y/a.xlsm"], "y/a.xlsm"),
    ],
)
def test_inputs_that_would_write_the_same_report_are_refused_before_anything_is_written(
    names: list[str], refused: str
) -> None:
    for name in names:
        copies(str(Path(name).parent), Path(name).name)
    result = runner.invoke(app, ["build", "x", "*/*.xls?", "-o", "out"])  # folder and glob reach the same files
    assert result.exit_code == 2
    stem = Path(refused).stem
    assert result.stderr == f"错误：{refused} 与另一个输入文件同名，输出会互相覆盖：out/{stem}.docx\n"
    assert not Path("out").exists()


# ---------------------------------------------------------------- one bad input among good ones


def test_a_corrupt_workbook_among_good_ones_fails_alone() -> None:
    copies("dept", "a.xlsx", "c.xlsx")
    Path("dept/b.xlsx").write_bytes(b"PK\x03\x04 this is not a workbook")
    result = runner.invoke(app, ["build", "dept", "-o", "out", "-j", "2"])
    assert result.exit_code == 1
    assert sorted(p.name for p in Path("out").iterdir()) == ["a.docx", "c.docx"]
    lines = result.stderr.splitlines()
    table = lines[lines.index(next(line for line in lines if line.startswith("工作簿"))) :]
    assert [row.split()[:2] for row in (table[1], table[3])] == [["dept/a.xlsx", "成功"], ["dept/c.xlsx", "成功"]]
    assert table[2].startswith("dept/b.xlsx  失败：文件已损坏或不是 .xlsx 工作簿"), "its first error, named"
    assert table[1].split()[3] == "a.docx" and table[2].split()[-3:-1] == ["0", "—"]
    assert lines[-1] == "共 3 个工作簿：成功 2 个，失败 1 个。"
    assert sum(line.startswith("错误：dept/b.xlsx：") for line in lines) == 1, "the failure printed whole, once"


def test_a_batch_counts_warnings_and_lists_them_with_v_and_logs_every_finding() -> None:
    copies("dept", "a.xlsx", "b.xlsx")
    quiet = runner.invoke(app, ["build", "dept", "-o", "out", "-j", "1", "--log", "findings.jsonl"])
    assert quiet.exit_code == 0, quiet.output
    assert not any(line.startswith("警告：") for line in quiet.stderr.splitlines()), "counted, not listed"
    assert [row.split()[2] for row in quiet.stderr.splitlines() if row.startswith("dept/")] == ["31", "31"]
    logged = [json.loads(line) for line in Path("findings.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(logged) == 62 and {e["file"] for e in logged} == {"dept/a.xlsx", "dept/b.xlsx"}
    assert set(logged[0]) == {"file", "severity", "code", "sheet", "cell", "message"}
    verbose = runner.invoke(app, ["-v", "build", "dept", "-o", "out2", "-j", "1"])
    assert sum(line.startswith("警告：") for line in verbose.stderr.splitlines()) == 62


def test_quiet_prints_only_failures_and_the_summary() -> None:
    copies("dept", "a.xlsx")
    Path("dept/b.xlsx").write_bytes(b"PK\x03\x04 this is not a workbook")
    result = runner.invoke(app, ["build", "dept", "-o", "out", "-j", "1", "--quiet"])
    assert result.exit_code == 1
    assert result.stdout == "", "no 已生成 lines"
    lines = result.stderr.splitlines()
    assert lines[0].startswith("错误：dept/b.xlsx：") and lines[-1] == "共 2 个工作簿：成功 1 个，失败 1 个。"
    assert not any(line.startswith("警告：") for line in lines)


def test_a_bug_on_one_workbook_of_many_is_its_error_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline import session

    real = session.inspect

    def broken(path: Path, *args: object) -> session.Inspection:
        if path.name == "b.xlsx":
            raise ZeroDivisionError("a bug")
        return real(path, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(session, "inspect", broken)
    copies("dept", "a.xlsx", "b.xlsx")
    result = runner.invoke(app, ["build", "dept", "-o", "out", "-j", "1"])
    assert result.exit_code == 1
    assert sorted(p.name for p in Path("out").iterdir()) == ["a.docx"]
    assert "错误：dept/b.xlsx：程序内部错误，请报告此问题：\nTraceback" in result.stderr
    assert "ZeroDivisionError: a bug" in result.stderr
    alone = runner.invoke(app, ["build", "dept/b.xlsx", "-o", "out"])
    assert isinstance(alone.exception, ZeroDivisionError), "a single build shows the bug as it is"


@pytest.mark.skipif(
    __import__("multiprocessing").get_start_method() != "fork", reason="the workers must inherit the patched reader"
)
def test_a_worker_that_dies_fails_only_the_workbook_it_was_on(monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline import session

    real = session.inspect

    def dies_on_b(path: Path, *args: object) -> session.Inspection:
        if path.name == "b.xlsx":
            os._exit(9)  # as the kernel's OOM killer would end it: no exception, no cleanup
        return real(path, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(session, "inspect", dies_on_b)
    copies("dept", "a.xlsx", "b.xlsx", "c.xlsx", "d.xlsx")
    result = runner.invoke(app, ["build", "dept", "-o", "out", "-j", "2"])
    assert result.exit_code == 1, result.output
    assert sorted(p.name for p in Path("out").iterdir()) == ["a.docx", "c.docx", "d.docx"]
    assert "错误：dept/b.xlsx：处理该工作簿的进程意外退出（可能是内存不足），未生成报告" in result.stderr
    assert result.stderr.splitlines()[-1] == "共 4 个工作簿：成功 3 个，失败 1 个。"


# ---------------------------------------------------------------- the same reports in or out of process


def test_one_job_and_two_jobs_write_the_same_documents() -> None:
    copies("dept", "a.xlsx", "b.xlsx", "c.xlsx")
    for jobs in ("1", "2"):
        # the file properties say when a report was made: one fixed time, as for a reproducible build
        env = {"SOURCE_DATE_EPOCH": "1700000000"}
        result = runner.invoke(app, ["build", "dept", "-o", f"out{jobs}", "-j", jobs, "--no-comments"], env=env)
        assert result.exit_code == 0, result.output
    for name in ("a.docx", "b.docx", "c.docx"):
        one, two = zipfile.ZipFile(f"out1/{name}"), zipfile.ZipFile(f"out2/{name}")
        assert one.namelist() == two.namelist()
        assert all(one.read(part) == two.read(part) for part in one.namelist()), name  # zip dates may differ


def test_validate_in_workers_prints_in_input_order() -> None:
    copies("dept", "a.xlsx", "b.xlsx", "c.xlsx")
    Path("dept/b2.xlsx").write_bytes(b"not a workbook")
    one = runner.invoke(app, ["validate", "dept", "-j", "1"])
    two = runner.invoke(app, ["validate", "dept", "-j", "2"])
    assert (one.exit_code, two.exit_code) == (1, 1)
    assert one.stdout == two.stdout
    order = [line for line in two.stdout.splitlines() if line.startswith("dept/")]
    assert [line.split()[0].rstrip("：") for line in order] == sorted({line.split()[0].rstrip("：") for line in order})


# ---------------------------------------------------------------- progress and summary without a terminal


def test_without_a_terminal_progress_is_plain_lines_and_a_plain_summary() -> None:
    copies("dept", "a.xlsx", "b.xlsx", "c.xlsx")
    process = genreport("build", "dept", "-o", "out", "-j", "2", "--no-comments")
    stdout, stderr = finished(process, 300)
    assert process.returncode == 0, stderr
    assert sorted(stdout.splitlines(), key=lambda line: line.split()[1]) == [
        line for name in "abc" for line in stdout.splitlines() if line.startswith(f"已生成 out/{name}.docx（")
    ]
    assert len(stdout.splitlines()) == 3
    assert "\x1b" not in stdout + stderr and "━" not in stderr, "no bar, no colour"
    lines = stderr.splitlines()
    start = lines.index(next(line for line in lines if line.startswith("工作簿")))
    assert lines[start].split() == ["工作簿", "状态", "警告", "输出", "用时（秒）"]
    assert [row.split()[:4] for row in lines[start + 1 : start + 4]] == [
        [f"dept/{n}.xlsx", "成功", "31", f"{n}.docx"] for n in "abc"
    ]
    assert lines[-1] == "共 3 个工作簿：成功 3 个，失败 0 个。"


@pytest.mark.skipif(sys.platform == "win32", reason="a pseudo-terminal is POSIX")
def test_on_a_terminal_a_bar_shows_progress_and_a_table_the_results() -> None:
    import pty

    copies("dept", "a.xlsx", "b.xlsx", "c.xlsx")
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "build", "dept", "-o", "out", "-j", "2", "--no-comments"],
        stdout=follower,
        stderr=follower,
        env={**ENV, "COLUMNS": "100"},
    )
    os.close(follower)
    seen = b""
    with contextlib.suppress(OSError):  # EIO once the command has closed the terminal
        while chunk := os.read(leader, 65536):
            seen += chunk
    assert process.wait(timeout=300) == 0
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", seen.decode("utf-8", "replace"))
    assert "生成报告" in text and "3/3" in text, "the bar, at its end"
    assert "生成结果" in text and "│ dept/b.xlsx │ 成功" in text, "the summary as a table"
    assert "已生成" not in text, "under a bar the table lists the files"
    assert text.rstrip().endswith("共 3 个工作簿：成功 3 个，失败 0 个。")
    assert sorted(p.name for p in Path("out").iterdir()) == ["a.docx", "b.docx", "c.docx"]


def test_a_one_report_build_prints_no_summary() -> None:
    copies(".", "2022.xlsx")
    result = runner.invoke(app, ["build", "2022.xlsx", "-o", "out"])
    assert result.exit_code == 0
    assert "工作簿" not in result.stderr and "共 " not in result.stderr


def test_the_plain_table_aligns_chinese_by_display_width() -> None:
    lines = plain_table([("部门甲.xlsx", "成功", "3", "部门甲.docx", "0.4"), ("b.xlsx", "失败", "12", "—", "10.0")])
    assert lines[0] == "工作簿       状态  警告  输出         用时（秒）"
    assert lines[1] == "部门甲.xlsx  成功     3  部门甲.docx         0.4"
    assert lines[2] == "b.xlsx       失败    12  —                  10.0"


# ---------------------------------------------------------------- what crosses between processes


def test_a_result_with_an_error_survives_the_trip_from_a_worker() -> None:
    finding = Finding.of(codes.E_UNREADABLE, "a.xlsx", "基本信息", "B5", "应为整数")
    for error in (WorkbookInvalid([finding]), InputError("a.xlsx", "无法打开", sheet="项目", cell="A3")):
        result = BuildResult(Path("a.xlsx"), error=error, findings=[finding])
        back = pickle.loads(pickle.dumps(result))
        assert type(back.error) is type(error) and back.error.__dict__ == error.__dict__
        assert str(back.error) == str(error) and back.findings == [finding]
    assert pickle.loads(pickle.dumps(BuildResult(Path("b.xlsx")))).ok
