"""The appendices of the sample report: 自评表 ×2 and 基础数据表, read back from the .docx XML."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import docx
import openpyxl
import pytest
from docx.oxml.ns import qn

from pipeline import build
from pipeline.context import build_context
from pipeline.derive import derive
from pipeline.model import schema
from pipeline.session import load_report
from pipeline.template.profile import default_rules

from .conftest import form_cell


def grid(table: docx.table.Table) -> list[list[str]]:
    """Row by row, the text of each real cell (a merged cell appears once, continuation cells as '')."""
    rows = []
    for tr in table._tbl.iter(qn("w:tr")):
        cells = []
        for tc in tr.iter(qn("w:tc")):
            texts = ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in tc.iter(qn("w:p"))]
            cells.append("\n".join(texts))
        rows.append(cells)
    return rows


def vmerge_starts(table: docx.table.Table, column: int) -> list[str]:
    """Texts of the cells in ``column`` that start a vertical merge, in order."""
    out = []
    for tr in table._tbl.iter(qn("w:tr")):
        tcs = list(tr.iter(qn("w:tc")))
        if len(tcs) <= column:
            continue
        merge = tcs[column].find(qn("w:tcPr") + "/" + qn("w:vMerge"))
        if merge is not None and merge.get(qn("w:val")) == "restart":
            out.append("".join(t.text or "" for t in tcs[column].iter(qn("w:t"))))
    return out


@pytest.fixture(scope="module")
def tables(sample_report: docx.document.Document) -> list[docx.table.Table]:
    return sample_report.tables


def test_appendix_titles(sample_text: str) -> None:
    for title in (
        "附件1",
        "2022年度部门整体支出绩效自评表",
        "附件2",
        "项目支出绩效自评表（2022年度）",
        "附件3",
        "2022年度部门整体支出绩效评价基础数据表",
    ):
        assert f"\n{title}\n" in sample_text


def test_department_budget_part(tables: list[docx.table.Table]) -> None:
    rows = grid(tables[0])
    assert rows[0] == ["预算部门、单位名称", "衡山县住房和城乡建设局（人防办）"]
    assert rows[1][2:] == ["年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "自评得分"]
    # 年度资金总额 is the income side (收入合计), as the form prints it; 按支出性质分 is 支出合计
    assert rows[2][1:] == ["年度资金总额", "3020.53", "12668.73", "12668.73", "10", "100.00%", "10.00"]
    assert rows[3][1:] == ["按收入性质分：12668.73", "按支出性质分：12678.39"]
    assert rows[4][1:] == ["其中：一般公共预算拨款：—", "其中：基本支出：2713.30"]
    assert rows[9][1:] == ["预期目标", "实际完成情况"]


def test_department_indicators_grouped_and_scored(tables: list[docx.table.Table]) -> None:
    kpis = tables[1]
    rows = grid(kpis)
    assert rows[0] == [
        "绩效指标",
        "一级指标",
        "二级指标",
        "三级指标",
        "年度指标值",
        "实际完成值",
        "分值",
        "得分",
        "偏差原因分析及改进措施",
    ]
    assert len(rows) == 1 + 9 + 1
    elevator = next(r for r in rows if "既有住宅加装电梯竣工台数" in r)
    assert elevator[3:8] == ["既有住宅加装电梯竣工台数", "≥25台", "15台", "10", "6.00"]  # 15/25 × 10
    assert rows[-1] == ["总分", "100", "94.00", "自评等级：优"]
    assert vmerge_starts(kpis, 1) == ["产出指标（50分）", "效益指标（30分）", "满意度指标（10分）"]
    assert vmerge_starts(kpis, 2) == [
        "数量指标",
        "质量指标",
        "时效指标",
        "社会效益指标",
        "可持续影响指标",
        "服务对象满意度指标",
    ]
    header = kpis._tbl.find(qn("w:tr")).find(qn("w:trPr")).find(qn("w:tblHeader"))
    assert header is not None, "the header row repeats on every page"


def test_project_form(tables: list[docx.table.Table]) -> None:
    rows = grid(tables[2])
    assert rows[0] == ["项目名称", "衡山大道盛豪世纪城人行道改造项目"]
    assert rows[1] == ["主管部门", "衡山县人民政府", "实施单位", "衡山县住房和城乡建设局（人防办）"]
    assert rows[3][1:] == ["年度资金总额", "—", "206.46", "30.00", "10", "14.53%", "1.45"]
    assert [r[1:] for r in rows[4:7]] == [
        ["其中：当年财政拨款", "—", "206.46", "30.00", "—", "—", "—"],
        ["上年结转资金", "—", "—", "—", "—", "—", "—"],
        ["其他资金", "—", "—", "—", "—", "—", "—"],
    ]
    assert grid(tables[3])[-1] == ["总分", "100", "83.45", "自评等级：良"]


def test_basic_data_table(tables: list[docx.table.Table]) -> None:
    rows = grid(tables[4])
    assert rows[1] == ["", "23", "—", "—"]
    assert ["三公经费", "—", "7.00", "4.27"] in rows
    assert ["　　　　　　　公车运行维护", "—", "—", "1.84"] in rows
    assert ["项目支出", "—", "1652.00", "9960.59"] in rows
    assert ["政府采购金额", "—", "—", "1206.56"] in rows


def test_tables_use_the_table_styles(tables: list[docx.table.Table]) -> None:
    for table in tables:
        assert table.style.name == "Table Grid"
        for row in table.rows:
            for cell in row.cells:
                assert all(p.style.name == "Table Text" for p in cell.paragraphs)


def test_without_project_indicators_there_is_no_project_form(edited_sample, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    def edit(wb: openpyxl.Workbook) -> None:
        ws = wb[schema.KPIS.name]
        for row in range(3, ws.max_row + 1):
            if ws.cell(row=row, column=1).value:
                for col in range(1, 12):
                    ws.cell(row=row, column=col).value = None

    [result] = build([edited_sample(edit)], tmp_path / "out")
    assert result.output is not None
    document = docx.Document(str(result.output))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "项目支出绩效自评表" not in text
    assert "\n附件2\n2022年度部门整体支出绩效评价基础数据表" in text
    assert len(document.tables) == 4  # 整体 ×2, 基础数据, 楼堂馆所


def test_missing_budget_figure_leaves_total_absent(edited_sample, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = edited_sample(
        lambda wb: wb[schema.BUDGET.name].__setitem__(form_cell(schema.BUDGET, "income_total", "adjusted"), None)
    )
    [result] = build([path], tmp_path / "out")
    assert result.output is not None
    document = docx.Document(str(result.output))
    assert grid(document.tables[1])[-1] == ["总分", "100", "—", "自评等级：—"]
    assert "注：总分和等级未计算，缺少预算执行率（缺全年预算数或全年执行数）。" in [p.text for p in document.paragraphs]


def test_year_on_year_when_last_year_is_given(edited_sample) -> None:  # type: ignore[no-untyped-def]
    def edit(wb: openpyxl.Workbook) -> None:
        wb[schema.BUDGET.name][form_cell(schema.BUDGET, "expense_total", "prior")] = 10000
        wb[schema.THREE_PUBLIC.name][form_cell(schema.THREE_PUBLIC, "total", "prior")] = 5

    report, _ = load_report(edited_sample(edit, "2022.xlsx"))
    yoy = build_context(derive(report, default_rules()))["yoy"]
    assert set(yoy["budget"]) == {"expense_total"}
    change = yoy["budget"]["expense_total"]
    assert (change["word"], change["amount"]) == ("增加", Decimal("2678.39"))
    assert change["rate"].quantize(Decimal("0.0001")) == Decimal("0.2678")
    assert yoy["three_public"]["total"]["word"] == "减少"


def test_buildings_block(edited_sample, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    def edit(wb: openpyxl.Workbook) -> None:
        ws = wb[schema.BUILDINGS.name]
        for col, value in enumerate(["综合楼", 1200, 1260, 800, 780], start=1):
            ws.cell(row=3, column=col, value=value)

    [result] = build([edited_sample(edit)], tmp_path / "out")
    assert result.output is not None
    rows = grid(docx.Document(str(result.output)).tables[-1])
    assert rows[0] == ["楼堂馆所控制情况（2022年完工项目）"]
    assert rows[2:] == [["综合楼", "1200", "1260", "105.00%", "800.00", "780.00", "97.50%"]]


def test_no_buildings_says_so(tables: list[docx.table.Table]) -> None:
    assert grid(tables[-1])[2:] == [["本年无完工的楼堂馆所项目"]]
