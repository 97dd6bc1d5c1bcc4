"""The bureau's overview of a batch (issue 17 §6): 汇总.xlsx opened with openpyxl, 汇总说明.docx with python-docx,
``genreport summary`` through CliRunner and one real process, ``build --summary`` and ``validate --summary``.

The batch: two copies of the sample (one renamed 乙单位 with a 全年预算数 that puts its 预算执行率 at 84.46 %), the
township sample, a workbook with text in an amount cell and a file that is no workbook at all, given out of name
order so that input order shows.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import docx
import openpyxl
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.errors import TemplateProblem
from pipeline.model import schema
from pipeline.session import build, validate
from pipeline.summary import BOOK_NAME, NOTE_NAME, overview, write_summary
from pipeline.summary.rows import HAS_ERRORS, NOT_BUILT, PASSED

from .conftest import ROOT, SAMPLE, form_cell

runner = CliRunner()
TOWNSHIP = ROOT / "inputs" / "township-2023.xlsx"
SAMPLE_UNIT = "衡山县住房和城乡建设局（人防办）"
TOWNSHIP_UNIT = "某某县某某镇人民政府"


def make_batch(folder: Path) -> list[Path]:
    """丙 (text in an amount), 甲 (the sample), 丁 (no workbook), 乙 (low execution), the township sample."""
    folder.mkdir(parents=True, exist_ok=True)
    wrong = openpyxl.load_workbook(SAMPLE)
    wrong[schema.PROCUREMENT.name][form_cell(schema.PROCUREMENT, "goods", "actual")] = "约2万"
    wrong.save(folder / "丙.xlsx")
    shutil.copy(SAMPLE, folder / "甲.xlsx")
    (folder / "丁.xlsx").write_bytes(b"this is no workbook")
    low = openpyxl.load_workbook(SAMPLE)
    low[schema.BUDGET.name][form_cell(schema.BUDGET, "income_total", "adjusted")] = 15000  # 12668.73 / 15000
    low[schema.BASIC.name][form_cell(schema.BASIC, "name", "value")] = "乙单位"
    low.save(folder / "乙.xlsx")
    shutil.copy(TOWNSHIP, folder / "township-2023.xlsx")
    return [folder / name for name in ("丙.xlsx", "甲.xlsx", "丁.xlsx", "乙.xlsx", "township-2023.xlsx")]


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return make_batch(tmp_path_factory.mktemp("batch"))


@pytest.fixture(scope="module")
def written(batch: list[Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("summary")
    paths = write_summary(overview(validate(batch)), out, today=dt.date(2026, 12, 7))
    assert [p.name for p in paths] == [BOOK_NAME, NOTE_NAME]
    return {p.name: p for p in paths}


def table_rows(path: Path, sheet: str) -> list[dict[str, object]]:
    ws = openpyxl.load_workbook(path)[sheet]
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def note_text(path: Path) -> str:
    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


# ------------------------------------------------------------------------------------------------ 汇总.xlsx


def test_the_overview_is_a_real_excel_table_with_a_frozen_header(written: dict[str, Path]) -> None:
    ws = openpyxl.load_workbook(written[BOOK_NAME])["汇总"]
    assert ws.freeze_panes == "C2"  # the header row and the unit's name stay in view
    [table] = ws.tables.values()
    assert table.ref == "A1:X6"  # header and five workbooks
    assert table.autoFilter is not None and table.autoFilter.ref == "A1:X6"
    assert table.tableStyleInfo.showRowStripes
    headers = [c.value for c in ws[1]]
    assert headers[:11] == [
        "序号",
        "单位名称",
        "年度",
        "模板",
        "状态",
        "错误数",
        "警告数",
        "总分",
        "等级",
        "全年预算数（万元）",
        "全年执行数（万元）",
    ]
    assert {"预算执行率", "预算调整率", "基本支出占比", "“三公”经费控制率", "在职人员控制率", "第一处错误"} <= set(
        headers
    )
    column = {name: i + 1 for i, name in enumerate(headers)}
    sample = 3  # 甲, the second input
    assert ws.cell(sample, column["总分"]).number_format == "0.00"
    assert ws.cell(sample, column["预算执行率"]).number_format == "0.00%"
    assert ws.cell(sample, column["全年执行数（万元）"]).number_format == "#,##0.00"
    assert ws.cell(sample, column["预算执行率"]).value == pytest.approx(1)  # 收入合计 12668.73 / 12668.73


def test_rows_follow_the_input_order_with_each_workbooks_figures(written: dict[str, Path]) -> None:
    rows = table_rows(written[BOOK_NAME], "汇总")
    assert [r["工作簿"].rsplit("/", 1)[-1] for r in rows] == [  # type: ignore[union-attr]
        "丙.xlsx",
        "甲.xlsx",
        "丁.xlsx",
        "乙.xlsx",
        "township-2023.xlsx",
    ]
    assert [r["序号"] for r in rows] == [1, 2, 3, 4, 5]
    assert [r["单位名称"] for r in rows] == [None, SAMPLE_UNIT, None, "乙单位", TOWNSHIP_UNIT]
    assert [r["状态"] for r in rows] == [HAS_ERRORS, PASSED, HAS_ERRORS, PASSED, PASSED]
    assert [r["年度"] for r in rows] == [None, 2022, None, 2022, 2023]
    assert [r["模板"] for r in rows] == ["default", "default", None, "default", "township"]
    assert [r["总分"] for r in rows] == [None, 94, None, 92.45, 99.01]
    assert [r["等级"] for r in rows] == [None, "优", None, "优", "优"]
    assert rows[3]["预算执行率"] == pytest.approx(0.8446)
    assert rows[1]["全年执行数（万元）"] == pytest.approx(12668.73)  # 收入合计: what 预算执行率 divides
    assert rows[1]["警告数"] == 31 and rows[1]["错误数"] == 0  # 19, 报告日期 and 11 sources of appendix “—”


def test_a_failing_workbook_has_its_first_error_and_one_that_cannot_be_read_says_so(
    written: dict[str, Path],
) -> None:
    rows = table_rows(written[BOOK_NAME], "汇总")
    wrong, unreadable = rows[0], rows[2]
    goods = form_cell(schema.PROCUREMENT, "goods", "actual")
    assert wrong["第一处错误"] == f"政府采购!{goods} 应为数字，实际为“约2万”"
    assert wrong["错误数"] == 1
    assert unreadable["错误数"] == 1
    assert "不是" in str(unreadable["第一处错误"]) or "无法" in str(unreadable["第一处错误"])


def test_grades_and_failures_are_coloured(written: dict[str, Path]) -> None:
    ws = openpyxl.load_workbook(written[BOOK_NAME])["汇总"]
    rules = {str(cf.sqref): [r for r in cf.rules] for cf in ws.conditional_formatting}
    grade_rules = rules["I2:I6"]
    fills = {r.formula[0]: r.dxf.fill.fgColor.rgb for r in grade_rules}
    assert fills['$I2="优"'].endswith("C6EFCE") and fills['$I2="差"'].endswith("FFC7CE")
    assert any("有错误" in r.formula[0] for r in rules["A2:X6"])
    assert any("<0.9" in r.formula[0] for r in rules["L2:L6"])  # 预算执行率 under the threshold


def test_the_findings_sheet_lists_every_finding_in_input_order(batch: list[Path], written: dict[str, Path]) -> None:
    lines = table_rows(written[BOOK_NAME], "问题清单")
    expected = [f for i in validate(batch) for f in i.findings]
    assert len(lines) == len(expected) > 30  # the sample has 30 of its own, in each of its two copies
    assert [(r["代码"], r["工作表"], r["单元格"], r["说明"]) for r in lines] == [
        (f.code, f.sheet or None, f.cell or None, f.message) for f in expected
    ]
    assert lines[0]["级别"] == "错误" and lines[0]["工作簿"].endswith("丙.xlsx")  # type: ignore[union-attr]
    assert lines[-1]["单位名称"] == TOWNSHIP_UNIT  # the township sample: only what its report lacks
    assert {r["代码"] for r in lines if r["单位名称"] == TOWNSHIP_UNIT} == {"W_REPORT_DATE_BLANK", "W_APPENDIX_BLANK"}
    assert [r["序号"] for r in lines] == list(range(1, len(lines) + 1))
    ws = openpyxl.load_workbook(written[BOOK_NAME])["问题清单"]
    assert ws.freeze_panes == "A2" and len(ws.tables) == 1


def test_text_from_a_workbook_never_becomes_a_formula(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(SAMPLE)
    cell = wb[schema.BASIC.name][form_cell(schema.BASIC, "name", "value")]
    cell.value, cell.data_type = '=HYPERLINK("http://example.com","点此")', "s"
    wb.save(tmp_path / "injected.xlsx")
    [book, _] = write_summary(overview(validate([tmp_path / "injected.xlsx"])), tmp_path / "out")
    unit = openpyxl.load_workbook(book)["汇总"]["B2"]
    assert unit.data_type == "s" and unit.value == '=HYPERLINK("http://example.com","点此")'


# ------------------------------------------------------------------------------------------------ 汇总说明.docx


def test_the_note_counts_grades_and_gives_average_and_range(written: dict[str, Path]) -> None:
    text = note_text(written[NOTE_NAME])
    assert text.startswith("2022年度部门整体支出绩效自评汇总说明\n")  # the year most workbooks give
    assert "本次汇总5个单位报送的2022年度部门整体支出绩效自评工作簿，其中3个没有错误，2个有错误、需退回修改" in text
    # 乙单位's 预算执行率 84.46 % scores 8.45 of 10 in its 自评表: the rate the note names is the form's
    average = (Decimal("94.00") + Decimal("92.45") + Decimal("99.01")) / 3  # 95.15
    assert f"3个单位算出了自评总分，平均{average:.2f}分；最高99.01分（{TOWNSHIP_UNIT}），" in text
    assert "最低92.45分（乙单位）" in text
    assert "按等级分：“优”3个，“良”0个，“中”0个，“差”0个。" in text
    assert "另有2个单位未算出总分" in text
    assert text.rstrip().endswith("2026年12月7日")


def test_the_note_names_the_units_below_the_threshold_and_the_common_findings(
    batch: list[Path], written: dict[str, Path]
) -> None:
    text = note_text(written[NOTE_NAME])
    told = [f.file for i in validate(batch) for f in i.findings if f.code == "W_APPENDIX_BLANK"]
    dashes, units = len(told), len(set(told))
    assert "预算执行率低于90%的单位有1个：乙单位84.46%。" in text
    # what the appendices print as “—” (11 sources in each copy of the sample, the township's as its template's
    # appendices go, 丙's beside its error), then the sample's six stale phrases, in each of its three copies (丙's error hides no warning)
    assert dashes > 22 and f"1．附件中有印为“—”的数（W_APPENDIX_BLANK，警告）：{dashes}处，涉及{units}个单位。" in text
    assert "2．年中的措辞（W_STALE_WORDING，警告）：18处，涉及3个单位。" in text
    assert "以下2个工作簿有错误，请退回有关单位修改后重新报送：" in text
    goods = form_cell(schema.PROCUREMENT, "goods", "actual")
    assert f"丙.xlsx：政府采购!{goods} 应为数字，实际为“约2万”" in text


def test_the_note_has_one_table_row_per_unit(written: dict[str, Path]) -> None:
    [table] = docx.Document(str(written[NOTE_NAME])).tables
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0] == ["序号", "单位", "总分", "等级", "预算执行率", "状态"]
    assert rows[2] == ["2", SAMPLE_UNIT, "94.00", "优", "100.00%", "通过"]
    assert rows[4] == ["4", "乙单位", "92.45", "优", "84.46%", "通过"]
    assert rows[3][1:] == ["丁.xlsx", "—", "—", "—", "有错误"]  # no unit to name: the file's name
    assert len(rows) == 6


def test_a_threshold_of_80_names_no_unit(batch: list[Path], tmp_path: Path) -> None:
    summary = overview(validate(batch[3:4]), threshold=Decimal("0.8"))
    [_, note] = write_summary(summary, tmp_path)
    assert "算出预算执行率的单位，预算执行率均不低于80%。" in note_text(note)


def test_a_mistake_in_the_note_template_writes_neither_file(tmp_path: Path) -> None:
    """Checked over every branch before rendering: a misspelt field where this batch does not lead is found too."""
    source = docx.Document(str(ROOT / "templates" / "summary" / "note.docx"))
    source.add_paragraph(
        "{% if failed > 1000 %}{{ units_count }}{% endif %}{% for u in below %}{{ u.units }}{% endfor %}"
    )
    source.save(str(tmp_path / "note.docx"))
    with pytest.raises(TemplateProblem) as raised:
        write_summary(overview(validate([SAMPLE])), tmp_path / "out", template=tmp_path / "note.docx")
    message = str(raised.value)
    assert "模板引用了不存在的字段 units_count" in message
    assert "模板引用了不存在的字段 u.units；您是否要写 u.unit？" in message
    assert "（位于“四、各单位自评情况”下）" in message
    assert not (tmp_path / "out").exists()


def test_a_note_template_mistake_ends_the_command_in_chinese(tmp_path: Path) -> None:
    source = docx.Document(str(ROOT / "templates" / "summary" / "note.docx"))
    source.add_paragraph("{{ nonesuch }}")
    source.save("note.docx")
    result = runner.invoke(app, ["summary", str(SAMPLE), "-o", "out", "--note-template", "note.docx"])
    assert result.exit_code == 1
    assert result.stderr.startswith("错误：note.docx：") and "模板引用了不存在的字段 nonesuch" in result.stderr
    assert "Traceback" not in result.output and not Path("out").exists()


def test_the_committed_note_template_is_what_the_script_makes(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    import summary_template

    summary_template.build().save(str(tmp_path / "note.docx"))
    names = ("word/document.xml", "word/styles.xml", "word/footer1.xml")
    with zipfile.ZipFile(tmp_path / "note.docx") as fresh, zipfile.ZipFile(summary_template.OUT) as committed:
        assert [fresh.read(n) for n in names] == [committed.read(n) for n in names], (
            "run: python scripts/summary_template.py"
        )


# ------------------------------------------------------------------------------------------------ commands


def test_genreport_summary_writes_both_files_and_builds_no_report(batch: list[Path], tmp_path: Path) -> None:
    result = runner.invoke(app, ["summary", *map(str, batch), "-o", "out", "-j", "1", "--threshold", "85"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in Path("out").iterdir()) == sorted([BOOK_NAME, NOTE_NAME])
    assert f"已生成 out/{BOOK_NAME}、out/{NOTE_NAME}" in result.stdout
    assert "汇总 5 个工作簿：没有错误 3 个，有错误 2 个；算出总分 3 个。" in result.stderr
    assert "预算执行率低于85%的单位有1个：乙单位84.46%。" in note_text(Path("out") / NOTE_NAME)


def test_genreport_summary_of_a_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    Path("empty").mkdir()
    result = runner.invoke(app, ["summary", "empty"])
    assert result.exit_code == 2
    assert "文件夹中没有工作簿（.xlsx、.xls、.ods）" in result.stderr
    assert not Path("outputs").exists()


def test_genreport_summary_in_a_real_process_with_workers(batch: list[Path], tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "summary", str(batch[0].parent), "-o", "out", "-j", "2"],
        capture_output=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode("utf-8")
    rows = table_rows(Path("out") / BOOK_NAME, "汇总")
    # a folder is taken in name order; the model crossed from the workers: scores and units are there
    assert [r["工作簿"].rsplit("/", 1)[-1] for r in rows] == sorted(p.name for p in batch)  # type: ignore[union-attr]
    assert {r["单位名称"]: r["总分"] for r in rows if r["单位名称"]} == {
        SAMPLE_UNIT: 94,
        "乙单位": 92.45,
        TOWNSHIP_UNIT: 99.01,
    }


def test_build_summary_names_the_reports_and_what_was_not_built(batch: list[Path], tmp_path: Path) -> None:
    result = runner.invoke(app, ["build", *map(str, batch[:3]), "-o", "out", "-j", "1", "--summary"])
    assert result.exit_code == 1  # 丙 and 丁 were not built
    assert sorted(p.name for p in Path("out").iterdir()) == sorted(["甲.docx", BOOK_NAME, NOTE_NAME])
    rows = table_rows(Path("out") / BOOK_NAME, "汇总")
    assert [(r["状态"], r["输出文件"]) for r in rows] == [(NOT_BUILT, None), ("已生成", "甲.docx"), (NOT_BUILT, None)]
    assert rows[1]["总分"] == 94 and rows[1]["警告数"] == 31
    assert "其中1个没有错误，2个有错误" in note_text(Path("out") / NOTE_NAME)


def test_build_without_summary_writes_only_reports(tmp_path: Path) -> None:
    paths = make_batch(tmp_path / "in")
    results = build(paths[1:2], tmp_path / "out")
    assert results[0].ok
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["甲.docx"]


def test_a_workbook_named_like_the_note_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    shutil.copy(SAMPLE, "汇总说明.xlsx")
    shutil.copy(SAMPLE, "a.xlsx")
    result = runner.invoke(app, ["build", "汇总说明.xlsx", "a.xlsx", "-o", "out", "--summary"])
    assert result.exit_code == 2
    assert "汇总说明.xlsx 的报告与汇总说明同名（汇总说明.docx）" in result.stderr
    assert not Path("out").exists()


def test_validate_summary_prints_the_findings_and_writes_the_overview(batch: list[Path], tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(batch[1]), str(batch[4]), "--summary", "-o", "out", "-j", "1"])
    assert result.exit_code == 0, result.output
    assert "W_STALE_WORDING" in result.stdout or "年中" in result.stdout
    rows = table_rows(Path("out") / BOOK_NAME, "汇总")
    assert [r["单位名称"] for r in rows] == [SAMPLE_UNIT, TOWNSHIP_UNIT]


def test_a_build_stopped_by_its_template_names_the_template_in_the_overview(tmp_path: Path) -> None:
    """Not the workbook's fault: the row says what stopped it, and the findings sheet has that line too."""
    source = docx.Document(str(ROOT / "templates" / "default" / "report.docx"))
    source.add_paragraph("{{ unit.nmae }}")
    source.save("broken.docx")
    shutil.copy(SAMPLE, "a.xlsx")
    shutil.copy(SAMPLE, "b.xlsx")
    result = runner.invoke(app, ["build", "a.xlsx", "b.xlsx", "-t", "broken.docx", "-o", "out", "-j", "1", "--summary"])
    assert result.exit_code == 1
    rows = table_rows(Path("out") / BOOK_NAME, "汇总")
    assert [r["状态"] for r in rows] == [NOT_BUILT, NOT_BUILT]
    assert str(rows[0]["第一处错误"]).startswith("broken.docx：") and "unit.nmae" in str(rows[0]["第一处错误"])
    assert rows[0]["总分"] == 94 and rows[0]["警告数"] == 31  # read and scored all the same
    lines = table_rows(Path("out") / BOOK_NAME, "问题清单")
    assert [r["说明"] for r in lines if r["级别"] == "错误"] == [rows[0]["第一处错误"], rows[1]["第一处错误"]]


def test_validate_json_with_summary_keeps_standard_output_json(batch: list[Path], tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(batch[1]), "--format", "json", "--summary", "-o", "out", "-j", "1"])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) == 31
    assert f"已生成 out/{BOOK_NAME}、out/{NOTE_NAME}" in result.stderr
