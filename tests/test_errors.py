"""First-use mistakes: one Chinese line naming file, sheet and cell; exit 1; no traceback; no output."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.model import schema

from .conftest import SAMPLE, form_cell

runner = CliRunner()


def run_build(path: str | Path) -> tuple[int, str]:
    """genreport build PATH -o out (in the test's own folder): exit code and stderr."""
    result = runner.invoke(app, ["build", str(path), "-o", "out"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stderr


def refusal(err: str) -> list[str]:
    """A refusal's errors and closing line, in order, checking that the warnings printed beside them (one round of
    checking: everything the run could tell) come after every error."""
    lines = err.splitlines()
    first_warning = next((i for i, line in enumerate(lines) if line.startswith("警告：")), len(lines))
    assert not any(line.startswith("错误：") for line in lines[first_warning:]), "errors first"
    return [line for line in lines if not line.startswith("警告：")]


def warned(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("警告：")]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make(edit: Callable[[openpyxl.Workbook], None], name: str = "bad.xlsx") -> Path:
    wb = openpyxl.load_workbook(SAMPLE)
    edit(wb)
    wb.save(name)
    return Path(name)


CASES: dict[str, tuple[Callable[[], Path | str], str]] = {
    "missing_file": (lambda: "inputs/nope.xlsx", "错误：inputs/nope.xlsx：找不到文件\n"),
    "csv": (
        lambda: (Path("data.csv").write_text("a,b\n1,2\n"), Path("data.csv"))[1],
        "错误：data.csv：这是文本文件（.csv），不是 Excel 工作簿；请使用 genreport init 生成的 .xlsx 填报模板\n",
    ),
    "csv_renamed_xlsx": (
        lambda: (Path("renamed.xlsx").write_text("a,b\n1,2\n"), Path("renamed.xlsx"))[1],
        "错误：renamed.xlsx：文件已损坏或不是 .xlsx 工作簿（无法作为 xlsx 打开）；"
        "请在 Excel 或 WPS 中打开，另存为“Excel 工作簿（*.xlsx）”后再试\n",
    ),
    "empty_file": (
        lambda: (Path("empty.xlsx").write_bytes(b""), Path("empty.xlsx"))[1],
        "错误：empty.xlsx：文件是空的，不是 Excel 工作簿\n",
    ),
    "old_xls": (
        lambda: (Path("old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504), Path("old.xls"))[1],
        "错误：old.xls：文件已损坏，无法作为 Excel 97-2003 工作簿（.xls）读取；请在 Excel 或 WPS 中打开，另存为“Excel 工作簿（*.xlsx）”后再试\n",
    ),
    "text_in_number": (
        lambda: make(lambda wb: wb[schema.THREE_PUBLIC.name].__setitem__("C4", "约2万")),
        "错误：bad.xlsx › 三公经费!C4：应为数字，实际为“约2万”\nbad.xlsx：有 1 处错误，未生成报告。\n",
    ),
    "required_sheet_missing": (
        lambda: make(lambda wb: wb.remove(wb[schema.BUDGET.name])),
        "错误：bad.xlsx › 收支预决算：缺少工作表“收支预决算”\nbad.xlsx：有 1 处错误，未生成报告。\n",
    ),
    "required_column_missing": (
        lambda: make(lambda wb: wb[schema.PROJECTS.name].__setitem__("A2", "名称")),
        "警告：bad.xlsx › 项目!A2：未知的列“名称”，已忽略；您是否要写“项目名称”？\n"
        "错误：bad.xlsx › 项目!2:2：第2行缺少必填列“项目名称”\nbad.xlsx：有 1 处错误，未生成报告。\n",
    ),
    "required_value_missing": (
        lambda: make(lambda wb: wb[schema.BASIC.name].__setitem__(form_cell(schema.BASIC, "name", "value"), None)),
        "错误：bad.xlsx › 基本信息!B3：“单位名称”为必填项，未填写\nbad.xlsx：有 1 处错误，未生成报告。\n",
    ),
    "form_row_renamed": (
        lambda: make(lambda wb: wb[schema.BUDGET.name].__setitem__("A16", "项目经费")),
        "警告：bad.xlsx › 收支预决算!A16：未知的行“项目经费”，已忽略；您是否要写“项目支出”？\n"
        "错误：bad.xlsx › 收支预决算!A:A：A列缺少“项目支出”行（请勿修改“项目”列的文字）\n"
        "bad.xlsx：有 1 处错误，未生成报告。\n",
    ),
    "value_outside_choices": (
        lambda: make(lambda wb: wb[schema.TEXTS.name].__setitem__("A3", "前言")),
        "错误：bad.xlsx › 文字!A3：应为“预决算差异说明”“整体绩效目标完成情况”“存在的主要问题”“下一步改进措施”"
        "“自评结果应用和公开”“其他需要说明的情况”“年度总体目标（预期目标）”“年度总体目标（实际完成情况）”“厉行节约保障措施”之一，实际为“前言”\n"
        "bad.xlsx：有 1 处错误，未生成报告。\n",
    ),
    "bad_unit": (
        lambda: make(lambda wb: wb[schema.PROCUREMENT.name].__setitem__("B1", "千元")),
        "错误：bad.xlsx › 政府采购!B1：金额单位应为“万元”或“元”，实际为“千元”\nbad.xlsx：有 1 处错误，未生成报告。\n",
    ),
    "date_in_number": (
        lambda: make(lambda wb: wb[schema.ASSETS.name].__setitem__("B3", __import__("datetime").date(2022, 12, 31))),
        "错误：bad.xlsx › 资产!B3：应为数字，实际为“日期 2022-12-31”\nbad.xlsx：有 1 处错误，未生成报告。\n",
    ),
}


@pytest.mark.parametrize("case", CASES, ids=str)
def test_first_use_errors(case: str) -> None:
    make_input, expected = CASES[case]
    path = Path(make_input())
    before = sha(path) if path.exists() else None
    code, err = run_build(path)
    assert code == 1
    assert refusal(err) == [line for line in expected.splitlines() if not line.startswith("警告：")]
    assert set(warned(expected)) <= set(warned(err))
    assert not Path("out").exists() or not any(Path("out").iterdir()), "no output, not even a temp file"
    if before is not None:
        assert sha(path) == before, "the input is never modified"


def test_all_errors_are_reported_at_once() -> None:
    def edit(wb: openpyxl.Workbook) -> None:
        wb[schema.THREE_PUBLIC.name]["C4"] = "约2万"
        wb[schema.BASIC.name][form_cell(schema.BASIC, "year", "value")] = "二〇二二"
        wb[schema.STAFFING.name]["B3"] = 15.5
        wb.remove(wb[schema.FINAL_UNITS.name])

    make(edit)
    code, err = run_build("bad.xlsx")
    assert code == 1
    assert err.splitlines() == [
        "错误：bad.xlsx › 基本信息!B5：应为整数，实际为“二〇二二”",
        "错误：bad.xlsx › 人员编制!B3：应为整数，实际为“15.5”",
        "错误：bad.xlsx › 决算单位：缺少工作表“决算单位”",
        "错误：bad.xlsx › 三公经费!C4：应为数字，实际为“约2万”",
        "bad.xlsx：有 4 处错误，未生成报告。",
    ]


def test_one_bad_input_does_not_stop_the_others() -> None:
    shutil.copy(SAMPLE, "good.xlsx")
    make(lambda wb: wb[schema.THREE_PUBLIC.name].__setitem__("C4", "约2万"))
    result = runner.invoke(app, ["build", "bad.xlsx", "good.xlsx", "-o", "out"])
    assert result.exit_code == 1
    assert sorted(p.name for p in Path("out").iterdir()) == ["good.docx"]
    assert result.stdout.startswith("已生成 out/good.docx（")
    assert result.stderr.endswith("共 2 个工作簿：成功 1 个，失败 1 个。\n")


def test_same_stem_twice_is_a_usage_error() -> None:
    Path("a").mkdir()
    shutil.copy(SAMPLE, "a/2022.xlsx")
    shutil.copy(SAMPLE, "2022.xlsx")
    result = runner.invoke(app, ["build", "2022.xlsx", "a/2022.xlsx", "-o", "out"])
    assert result.exit_code == 2
    assert result.stderr == "错误：a/2022.xlsx 与另一个输入文件同名，输出会互相覆盖：out/2022.docx\n"


def test_missing_template() -> None:
    shutil.copy(SAMPLE, "2022.xlsx")
    result = runner.invoke(app, ["build", "2022.xlsx", "-t", "mine.docx"])
    assert (result.exit_code, result.stderr) == (
        1,
        "错误：找不到模板“mine.docx”（可用的模板：default、township；或给出 .docx 文件或文件夹的路径）\n",
    )


def test_real_subprocess_error_has_no_traceback(tmp_path: Path) -> None:
    make(lambda wb: wb[schema.THREE_PUBLIC.name].__setitem__("C4", "约2万"))
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline", "build", "bad.xlsx", "-o", "out"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 1
    assert refusal(proc.stderr) == [
        "错误：bad.xlsx › 三公经费!C4：应为数字，实际为“约2万”",
        "bad.xlsx：有 1 处错误，未生成报告。",
    ]
    assert "警告：bad.xlsx › 收支预决算!E9：" in proc.stderr  # and what else the run found: one round of fixing
    assert "Traceback" not in proc.stdout + proc.stderr
    assert not Path("out").exists()


def test_a_folder_builds_every_workbook_in_it_and_skips_lock_files() -> None:
    Path("dept").mkdir()
    shutil.copy(SAMPLE, "dept/a.xlsx")
    shutil.copy(SAMPLE, "dept/b.xlsx")
    Path("dept/~$a.xlsx").write_bytes(b"lock")
    result = runner.invoke(app, ["build", "dept", "-o", "out"])
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in Path("out").iterdir()) == ["a.docx", "b.docx"]
    assert result.stderr.splitlines()[-1] == "共 2 个工作簿：成功 2 个，失败 0 个。"


def test_an_empty_folder_and_a_lock_file() -> None:
    Path("empty").mkdir()
    result = runner.invoke(app, ["build", "empty"])
    assert (result.exit_code, result.stderr) == (2, "错误：empty：文件夹中没有工作簿（.xlsx、.xls、.ods）\n")
    Path("~$2022.xlsx").write_bytes(b"lock")
    code, err = run_build("~$2022.xlsx")
    assert (code, err) == (
        1,
        "错误：~$2022.xlsx：这是 Excel/WPS 打开工作簿时生成的临时锁定文件，不是填报工作簿；请忽略它\n",
    )


def test_output_that_cannot_be_written(tmp_path: Path) -> None:
    shutil.copy(SAMPLE, "2022.xlsx")
    Path("out").write_text("a file where the output folder should be")
    code, err = run_build("2022.xlsx")
    assert code == 1
    assert err.splitlines()[-1] == "错误：无法写入 out/2022.docx：该位置已有同名文件，不是文件夹"


def test_a_zip_bomb_is_refused_before_it_is_unpacked(monkeypatch: pytest.MonkeyPatch) -> None:
    import zipfile

    from pipeline.workbook import package

    shutil.copy(SAMPLE, "big.xlsx")
    with zipfile.ZipFile("big.xlsx", "a", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/padding.bin", b"\0" * (3 * 2**20))
    monkeypatch.setattr(package, "MAX_UNPACKED", 2 * 2**20)  # the real limit is 256 MB: same rule, smaller file
    code, err = run_build("big.xlsx")
    assert code == 1
    assert err.startswith("错误：big.xlsx：解压后超过 2 MB，远超填报工作簿的正常大小，已拒绝读取")


def test_short_help_option() -> None:
    assert runner.invoke(app, ["build", "-h"]).exit_code == 0


def test_a_file_name_with_undecodable_bytes_prints_a_replacement_character(tmp_path: Path) -> None:
    """Linux keeps a name's non-UTF-8 bytes as lone surrogates; a message shows them as �, never as \\udcff."""
    import os

    from pipeline.errors import display_path

    name = os.fsdecode(b"x\xff2022.xlsx")
    assert display_path(Path(name)) == "x\ufffd2022.xlsx"
    (tmp_path / name).write_bytes(b"not a workbook")
    result = CliRunner().invoke(app, ["validate", str(tmp_path / name)])
    assert result.exit_code == 1
    assert "\ufffd2022.xlsx" in result.output and "\\udcff" not in result.output
