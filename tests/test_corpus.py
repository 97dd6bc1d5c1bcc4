"""The corpus of bad and odd workbooks (tests/make_corpus.py) through ``genreport build CASE -o out``.

Every case, whatever its outcome: no traceback, the input byte-identical afterwards, quick, and either a report
and nothing else in out/ or nothing at all there (not even a temp file). Then each case's exact messages: errors
for the faults, and for the tolerated oddities exactly the warning lines they add to the sample's own.
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.model.records import Report
from pipeline.session import load_report

from . import make_corpus
from .conftest import SAMPLE
from .test_errors import refusal, warned

runner = CliRunner()
HINT = "请在 Excel 或 WPS 中打开，另存为“Excel 工作簿（*.xlsx）”后再试"
SUMMARY = "{f}：有 {n} 处错误，未生成报告。"


@dataclass(frozen=True)
class Fails:
    """The build stops: exit 1 and exactly these stderr lines ({f} is the file name)."""

    lines: tuple[str, ...]
    xfail: str = ""


@dataclass(frozen=True)
class Builds:
    """The build succeeds: exit 0, with exactly these warning lines on top of the sample's own."""

    warnings: tuple[str, ...] = ()
    xfail: str = ""
    # the sample's own warnings at cells this case moves (blank rows push the 文字 paragraphs down): (old, new)
    moved: tuple[tuple[str, str], ...] = ()

    def as_moved(self, line: str) -> str:
        for old, new in self.moved:
            line = line.replace(old, new)
        return line


def errors(*lines: str) -> Fails:
    return Fails((*(f"错误：{line}" for line in lines), SUMMARY.replace("{n}", str(len(lines)))))


def unreadable(message: str, xfail: str = "") -> Fails:
    return Fails((f"错误：{{f}}：{message}",), xfail)


XML_ENTITIES = unreadable(f"工作簿中含有不安全的 XML 实体定义，已拒绝读取；{HINT}")
FORMULA = "此单元格是公式，但文件中没有保存计算结果（常见于程序生成的文件）；请在 Excel 或 WPS 中打开并保存后再试"

_LISTS_ABSENT = ("支出明细",)
_FORMS_ABSENT = ("三公经费", "政府采购", "资产")
_BASIC_ROWS = ("单位名称", "单位简称", "年度", "主管部门", "评价依据", "项目分项说明金额标准（万元）", "报告日期")
_SHEETS_REQUIRED = ("部门职责", "内设机构", "人员编制", "决算单位", "收支预决算", "文字")
# an .ods holding one cell of 基本信息: read as the .xlsx it would be saved as, everything else missing
ODS_STUB = Fails(
    (
        *(f"警告：{{f}} › {s}：未找到工作表“{s}”，按空表处理" for s in _LISTS_ABSENT),
        *(f"警告：{{f}} › {s}：未找到工作表“{s}”，按未填写处理，报告中不写这部分" for s in _FORMS_ABSENT),
        *(
            f"警告：{{f}} › {s}：未找到工作表“{s}”，按空表处理"
            for s in ("项目", "项目资金来源", "楼堂馆所", "绩效指标")
        ),
        *(f"错误：{{f}} › 基本信息!A:A：A列缺少“{r}”行（请勿修改“项目”列的文字）" for r in _BASIC_ROWS),
        *(f"错误：{{f}} › {s}：缺少工作表“{s}”" for s in _SHEETS_REQUIRED),
        SUMMARY.replace("{n}", "13"),
    )
)

NO_DEPARTMENT_KPIS = "警告：{f} › 收支预决算!D3：部门整体支出绩效自评表的总分和等级无法计算，缺少绩效指标（未填写）"

EXPECTED: dict[str, Fails | Builds] = {
    # 1. not a workbook
    "empty_file.xlsx": unreadable("文件是空的，不是 Excel 工作簿"),
    "csv_renamed.xlsx": unreadable(f"文件已损坏或不是 .xlsx 工作簿（无法作为 xlsx 打开）；{HINT}"),
    "truncated_zip.xlsx": unreadable(f"文件已损坏或不是 .xlsx 工作簿（无法作为 xlsx 打开）；{HINT}"),
    "bad_crc.xlsx": unreadable(f"文件已损坏（压缩包不完整），{HINT}"),
    "corrupt_deflate.xlsx": unreadable(f"文件已损坏（压缩包不完整），{HINT}"),
    "zip_without_workbook.xlsx": unreadable(f"这是一个压缩包，但不是 Excel 工作簿（没有工作簿内容）；{HINT}"),
    "encrypted_cfb.xlsx": unreadable("工作簿设置了打开密码（已加密），请在 Excel 或 WPS 中取消密码后另存为 .xlsx 再试"),
    "encrypted_password.xlsx": unreadable(
        "工作簿设置了打开密码（已加密），请在 Excel 或 WPS 中取消密码后另存为 .xlsx 再试"
    ),
    "billion_laughs_shared_strings.xlsx": XML_ENTITIES,
    "billion_laughs_worksheet.xlsx": XML_ENTITIES,
    "external_entity_worksheet.xlsx": XML_ENTITIES,
    # 2. old and foreign formats: the message names the conversion
    # .xls and .ods are read, by content whatever the name (issue 17 §4): these are stubs, so what they lack is listed
    "old_excel_97.xls": unreadable(f"工作簿中没有任何工作表（文件可能已损坏）；{HINT}"),
    "xls_renamed.xlsx": unreadable(f"工作簿中没有任何工作表（文件可能已损坏）；{HINT}"),
    "opendocument.ods": ODS_STUB,
    "ods_renamed.xlsx": ODS_STUB,
    # 3. formulas
    "formula_without_cached_value.xlsx": errors(
        f"{{f}} › 支出明细!D3：{FORMULA}", f"{{f}} › 三公经费!C3：{FORMULA}", f"{{f}} › 项目!C4：{FORMULA}"
    ),
    "formula_with_cached_value.xlsx": Builds(),
    # 4. merged cells and blank rows
    # both put every indicator under one project, so the department's 自评表 has none
    "merged_cells_and_blank_rows.xlsx": Builds(
        (NO_DEPARTMENT_KPIS,),
        moved=(
            ("› 文字!B4：", "› 文字!B5："),
            ("› 文字!B8：", "› 文字!B11："),
            ("› 文字!B9：", "› 文字!B13："),
            ("“实有人数”（C3、C4）", "“实有人数”（C3、C5）"),  # the blank row between the two 编制 rows
        ),
    ),
    "merge_spanning_blank_row.xlsx": Builds((NO_DEPARTMENT_KPIS,)),  # the row only holds the merged 所属项目's tail
    # 5. numbers typed as text
    "numeric_text.xlsx": Builds(
        (
            "警告：{f} › 人员编制!B3：全角字符已转为半角（原值“１５”）",
            "警告：{f} › 政府采购!C3：已去除千分位逗号（原值“1,206.56”）",
            "警告：{f} › 政府采购!C5：已去除首尾空格（原值“930 ”）",
        )
    ),
    # 6. sheets that are not part of the form
    "extra_sheets.xlsx": Builds(
        ("警告：{f} › 附表：不是标准工作表，已忽略", "警告：{f} › Sheet1：不是标准工作表，已忽略")
    ),
    "sheet_name_with_space.xlsx": Fails(
        (
            "警告：{f} › 资产 ：不是标准工作表，已忽略",
            "错误：{f} › 资产：缺少工作表“资产”",
            SUMMARY.replace("{n}", "1"),
        )
    ),
    # 7. one wrong thing each
    "required_sheet_missing.xlsx": errors("{f} › 基本信息：缺少工作表“基本信息”"),
    "required_header_renamed.xlsx": Fails(
        (
            "警告：{f} › 人员编制!B2：未知的列“编制人数”，已忽略；您是否要写“编制数”？",
            "错误：{f} › 人员编制!2:2：第2行缺少必填列“编制数”",
            "{f}：有 1 处错误，未生成报告。",
        )
    ),
    "value_outside_choices.xlsx": errors(
        "{f} › 绩效指标!E3：应为“≥”“≤”“=”“定性”之一，实际为“>=”",
        "{f} › 绩效指标!B4：应为“产出指标”“效益指标”“满意度指标”之一，实际为“成本指标”",
    ),
    "text_in_number.xlsx": errors("{f} › 政府采购!C4：应为数字，实际为“约147万”"),
    "date_in_number.xlsx": errors("{f} › 政府采购!C4：应为数字，实际为“日期 2022-12-31”"),
    "negative_quota.xlsx": errors("{f} › 人员编制!B3：“编制数”不能为负数，实际为 -15"),
    "fractional_quota.xlsx": errors("{f} › 人员编制!B3：应为整数，实际为“15.5”"),
    # 8. damage openpyxl reports as an internal exception: named by sheet (and cell), no class name
    "damaged_sheet_xml.xlsx": Fails(
        (f"错误：{{f}} › 部门职责：此工作表的内容已损坏（XML 第 1 行第 13279 列无法解析）；{HINT}",)
    ),
    "invalid_cell_reference.xlsx": Fails((f"错误：{{f}} › 收支预决算：单元格位置“ZZZZZZZ9”无效；{HINT}",)),
    # 9. removed with a warning, or refused at the cell, quoting what the cell holds (issue 16 §4)
    "lone_surrogate.xlsx": Builds(
        (
            "警告：{f} › 基本信息!B4：已删除无法显示和保存的无效字符（_xD800_）（原值“山城区财政局�”）",
            "警告：{f} › 项目!M2：未知的列“备注�”，已忽略",
            "警告：{f} › 文字!B3：已删除无法显示和保存的无效字符（_xD800_）（原值“差异产生的主要原因是年中追加预算。�😀”）",
        )
    ),
    "huge_exponent.xlsx": errors("{f} › 政府采购!C4：数值过大、过小或无效：“1e999999999”"),
    "time_values.xlsx": errors(
        "{f} › 基本信息!B4：应为文本，实际为“时间 12:00:00”", "{f} › 政府采购!C4：应为数字，实际为“时长 72:00:00”"
    ),
    "merged_figures_over_rows.xlsx": errors(
        "{f} › 项目!B3:B5：“项目总造价（预算）”的单元格合并跨了 3 行（第3至5行），无法确定每一行的值；请取消合并，分别填写"
    ),
    "date_serial_beyond_dates.xlsx": errors(
        *(
            f"{{f}} › {cell}：单元格设置了日期格式，其中的数值“2958466”超出了日期的范围（Excel 中显示为一串“#”）；"
            "请把单元格格式改为“常规”，填写正确的值"
            for cell in ("基本信息!B9", "政府采购!C4")
        )
    ),
}
STRICT_CASES = [name for name, e in EXPECTED.items() if isinstance(e, Builds) and e.warnings]
SAME_REPORT_AS_SAMPLE = ["formula_with_cached_value.xlsx", "numeric_text.xlsx", "extra_sheets.xlsx"]


@dataclass
class Run:
    name: str
    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None
    outputs: list[str]
    unchanged: bool
    seconds: float
    folder: Path

    @property
    def lines(self) -> list[str]:
        return self.stderr.splitlines()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def run_case(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Run]]:
    """Generate a case in a folder of its own and build it there, once per (case, options)."""
    cache: dict[tuple[str, tuple[str, ...]], Run] = {}

    def run(name: str, *options: str, writer: Callable[[Path], None] | None = None) -> Run:
        key = (name, options)
        if key in cache:
            return cache[key]
        module = make_corpus.OPTIONAL.get(name)
        if module:
            pytest.importorskip(module, reason=f"{name} is made with {module}")
        folder = tmp_path_factory.mktemp(Path(name).stem)
        with contextlib.chdir(folder):
            (writer or make_corpus.CASES[name])(Path(name))
            before = _sha(Path(name))
            started = time.perf_counter()
            result = runner.invoke(app, ["build", name, "-o", "out", *options])
            seconds = time.perf_counter() - started
            out = Path("out")
            cache[key] = Run(
                name=name,
                exit_code=result.exit_code,
                stdout=result.stdout,
                stderr=result.stderr,
                exception=result.exception,
                outputs=sorted(p.name for p in out.iterdir()) if out.exists() else [],
                unchanged=_sha(Path(name)) == before,
                seconds=seconds,
                folder=folder,
            )
        return cache[key]

    yield run


@pytest.fixture(scope="module")
def baseline(run_case: Callable[..., Run]) -> Callable[[str], list[str]]:
    """The warning lines of the unedited sample, as they would read under another file name."""
    run = run_case("sample.xlsx", writer=lambda path: shutil.copy(SAMPLE, path))
    assert run.exit_code == 0, run.stderr
    return lambda name: [line.replace("sample.xlsx", name) for line in run.lines]


def _param(name: str) -> object:
    reason = EXPECTED[name].xfail
    return pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=reason)) if reason else name


def test_every_case_has_an_expectation() -> None:
    assert set(EXPECTED) == set(make_corpus.CASES)


@pytest.mark.parametrize("name", list(make_corpus.CASES))
def test_no_traceback_no_partial_output_input_untouched(name: str, run_case: Callable[..., Run]) -> None:
    run = run_case(name)
    assert run.exception is None or isinstance(run.exception, SystemExit), repr(run.exception)
    assert "Traceback" not in run.stdout + run.stderr
    assert run.exit_code in (0, 1), run.stderr
    if run.exit_code == 0:
        assert run.outputs == [f"{Path(name).stem}.docx"], "the report and nothing else (no temp file)"
    else:
        assert run.outputs == [], "no report, not even a temp file"
    assert run.unchanged, "the input is never modified"
    assert run.seconds < 10, "refused or built quickly (an entity bomb must not be expanded)"


@pytest.mark.parametrize("name", [_param(n) for n in EXPECTED])
def test_messages(name: str, run_case: Callable[..., Run], baseline: Callable[[str], list[str]]) -> None:
    run = run_case(name)
    expected = EXPECTED[name]
    if isinstance(expected, Fails):
        lines = [line.replace("{f}", name) for line in expected.lines]
        assert run.exit_code == 1
        # the errors in order and first; beside them the warnings the same run could tell (one round of checking)
        assert refusal("\n".join(run.lines)) == [line for line in lines if not line.startswith("警告：")]
        assert set(warned("\n".join(lines))) <= set(warned("\n".join(run.lines)))
        assert run.stdout == ""
    else:
        extra = [line.replace("{f}", name) for line in expected.warnings]
        assert (run.exit_code, sorted(run.lines)) == (0, sorted([expected.as_moved(x) for x in baseline(name)] + extra))
        assert [line for line in run.lines if line in extra] == extra, "in sheet order"
        assert run.stdout.startswith(f"已生成 out/{Path(name).stem}.docx（")


@pytest.mark.parametrize("name", STRICT_CASES)
def test_strict_stops_on_the_warnings(name: str, run_case: Callable[..., Run]) -> None:
    tolerant, strict = run_case(name), run_case(name, "--strict")
    assert tolerant.exit_code == 0
    warnings = tolerant.lines
    assert (strict.exit_code, strict.outputs) == (1, [])
    # every warning is told; the appendices' “—” (W_APPENDIX_BLANK) print nothing wrong, so --strict lets them pass
    refused = [w for w in warnings if "印为“—”；填写" not in w]
    assert sorted(strict.lines[:-1]) == sorted(warnings)
    assert strict.lines[: len(refused)] == refused  # the refusing ones first, in order
    assert strict.lines[-1] == f"{name}：有 {len(refused)} 处问题（--strict：警告也不放行），未生成报告。"
    assert strict.unchanged
    assert strict.exception is None or isinstance(strict.exception, SystemExit)


def document_text(path: Path) -> list[str]:
    """Every paragraph of the body, table cells included, in document order."""
    document = docx.Document(str(path))
    return [Paragraph(p, document).text for p in document.element.body.iter(qn("w:p"))]


@pytest.mark.parametrize("name", SAME_REPORT_AS_SAMPLE)
def test_tolerated_oddities_print_the_sample_report(name: str, run_case: Callable[..., Run]) -> None:
    run, sample = run_case(name), run_case("sample.xlsx", writer=lambda path: shutil.copy(SAMPLE, path))
    assert document_text(run.folder / "out" / f"{Path(name).stem}.docx") == document_text(
        sample.folder / "out" / "sample.docx"
    )


@pytest.mark.parametrize("name", ["merged_cells_and_blank_rows.xlsx", "merge_spanning_blank_row.xlsx"])
def test_merged_cells_and_blank_rows_read_as_the_plain_layout(name: str, run_case: Callable[..., Run]) -> None:
    """A merged cell's value applies to every row of the merge; blank rows between records are skipped."""
    merged = run_case(name)
    plain = run_case("plain.xlsx", writer=make_corpus.plain_equivalent)
    assert (merged.exit_code, plain.exit_code) == (0, 0)
    assert document_text(merged.folder / "out" / f"{Path(name).stem}.docx") == document_text(
        plain.folder / "out" / "plain.docx"
    )
    expected = EXPECTED[name]
    assert isinstance(expected, Builds)
    assert merged.lines == [expected.as_moved(line.replace("plain.xlsx", name)) for line in plain.lines]
    report, _ = load_report(merged.folder / name)
    reference, _ = load_report(plain.folder / "plain.xlsx")
    assert [(k.project, k.level1, k.level3, k.points) for k in report.kpis] == [
        (k.project, k.level1, k.level3, k.points) for k in reference.kpis
    ]
    assert [k.project for k in report.kpis] == [make_corpus.KPI_PROJECT] * len(make_corpus.KPI_ROWS)
    assert [p.status for p in report.projects] == ["剩余资金按进度拨付"] * 3

    def values(r: Report) -> list[tuple[object, ...]]:
        """What the sheets say, not which rows they were on (blank rows move records down)."""
        rows = [*r.texts, *r.duties, *r.offices, *r.staffing]
        return [tuple(getattr(x, f.name) for f in fields(x) if f.name not in ("row", "cells")) for x in rows]

    assert values(report) == values(reference)
