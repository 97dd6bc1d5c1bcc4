"""The township template and the township sample: a unit of another kind, built without Python."""

from __future__ import annotations

import shutil
from pathlib import Path

import docx
import openpyxl
from typer.testing import CliRunner

from pipeline.cli import app

from .conftest import ROOT, SAMPLE

runner = CliRunner()
TOWNSHIP = ROOT / "inputs" / "township-2023.xlsx"


def build(workbook: Path, *args: str) -> tuple[int, list[str], docx.document.Document | None]:
    result = runner.invoke(app, ["build", str(workbook), "-o", "out", *args])
    out = Path("out") / f"{workbook.stem}.docx"
    return result.exit_code, result.stderr.splitlines(), docx.Document(str(out)) if out.exists() else None


def paragraphs(document: docx.document.Document) -> list[str]:
    return [p.text for p in document.paragraphs]


def test_the_township_sample_builds_with_the_template_it_names() -> None:
    shutil.copy(TOWNSHIP, "township-2023.xlsx")
    code, errors, document = build(Path("township-2023.xlsx"))
    assert code == 0
    assert not [e for e in errors if e.startswith("错误")]
    assert document is not None
    texts = paragraphs(document)
    assert texts[0] == "2023年度某某镇人民政府\n部门整体支出绩效自评报告"  # broken where the meaning breaks
    assert [t for t in texts if t[:2] in ("一、", "二、", "三、", "四、", "五、", "六、")] == [
        "一、基本情况",
        "二、收支情况",
        "三、绩效情况",
        "四、存在的问题",
        "五、下一步改进措施",
        "六、自评结果应用和公开情况",
    ]
    assert any(t.endswith("共五个办（站、所）。行政编制26名，实有24人；事业编制32名，实有30人。") for t in texts)
    # income and spending apart; 同比 from last year's figures; the blank 基本支出 computed from its parts
    assert any("全年收入2456.80万元" in t and "与上年决算数2210.40万元相比增加246.40万元" in t for t in texts)
    assert any("基本支出1490.50万元（人员经费1184.90万元，公用经费305.60万元）" in t for t in texts)
    # no 政府采购 and no 资产 figures: nothing is said about them, least of all 0.00
    assert not any("政府采购" in t or "资产" in t for t in texts)
    assert "（三）“三公”经费" in texts
    assert "4.防汛抗旱物资储备（应急）：全年预算36.30万元，执行36.30万元。" in texts
    assert "附件：1.2023年度部门整体支出绩效自评表" in texts
    assert "　　　2.2023年度部门整体支出绩效评价基础数据表" in texts
    assert [t for t in texts if t.startswith("附件")][-2:] == ["附件1", "附件2"]
    assert "2023年度部门整体支出绩效评价基础数据表" in texts
    # 我镇 from the unit's name; the duties typed （一）（二）（三） one level below “（一）主要职能”
    assert "我镇对2023年度部门整体支出开展了绩效自评" in texts[1]
    duties = texts[texts.index("（一）主要职能") + 1 : texts.index("（二）机构设置和人员情况")]
    assert [t[:2] for t in duties] == ["1.", "2.", "3."]
    assert duties[0].startswith("1.贯彻执行党和国家的路线方针政策")
    # the rate the text prints is the indicator's, the one value the chart and the 自评表 print
    assert any(t.startswith("2023年度预算执行率99.47%；") for t in texts)


def test_the_township_self_evaluation_form_scores_cost_indicators() -> None:
    shutil.copy(TOWNSHIP, "township-2023.xlsx")
    _, _, document = build(Path("township-2023.xlsx"))
    assert document is not None
    kpis = document.tables[1]
    header = [c.text for c in kpis.rows[0].cells]
    assert header[-4:] == ["全年实际值", "分值", "得分", "未完成原因及改进措施"]
    levels = [row.cells[1].text for row in kpis.rows[1:-1]]
    assert "成本指标（10分）" in levels
    assert [c.text for c in kpis.rows[-1].cells][-3:] == ["100", "99.01", "自评等级：优"]


def test_the_county_sample_builds_with_the_township_template() -> None:
    shutil.copy(SAMPLE, "2022.xlsx")
    code, _, document = build(Path("2022.xlsx"), "-t", "township")
    assert code == 0 and document is not None
    texts = paragraphs(document)
    assert texts[0] == "2022年度县住房和城乡建设局（县人防办）\n部门整体支出绩效自评报告"
    assert "（四）政府采购" in texts  # the county unit reports procurement: the township outline says so


def test_the_default_template_refuses_a_level_its_rules_do_not_score() -> None:
    """成本指标 is a 一级指标 of the township's province only: under the default rules it is named, not dropped."""
    shutil.copy(TOWNSHIP, "township-2023.xlsx")
    code, errors, _ = build(Path("township-2023.xlsx"), "-t", "default")
    assert code == 1
    assert errors[0] == (
        "错误：township-2023.xlsx › 绩效指标!B7：应为“产出指标”“效益指标”“满意度指标”之一，实际为“成本指标”"
    )


def test_the_township_template_checks_clean() -> None:
    result = runner.invoke(app, ["template", "check", "township", "--input", str(TOWNSHIP)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("模板检查通过：")


def test_the_township_template_draws_its_charts_and_the_default_draws_none() -> None:
    shutil.copy(TOWNSHIP, "township-2023.xlsx")
    _, _, document = build(Path("township-2023.xlsx"))
    assert document is not None
    charts = [p for p in document.paragraphs if p.style.name == "Chart"]
    assert len(charts) == 3 == len(document.inline_shapes)  # structure, budget, indicators (no 功能分类 in its outline)
    assert all(p.text == "" for p in charts)
    shutil.copy(SAMPLE, "2022.xlsx")
    _, _, document = build(Path("2022.xlsx"))
    assert document is not None and len(document.inline_shapes) == 0
    assert not [p for p in document.paragraphs if p.style.name == "Chart"]


def _township_variant(change: dict[str, dict[str, object]]) -> list[str]:
    """The township sample with these cells changed (sheet → cell → value), built; its paragraphs."""
    wb = openpyxl.load_workbook(TOWNSHIP)
    for sheet, cells in change.items():
        for cell, value in cells.items():
            wb[sheet][cell].value = value
    wb.save("variant.xlsx")
    code, errors, document = build(Path("variant.xlsx"))
    assert code == 0 and document is not None, errors
    return paragraphs(document)


def test_a_township_named_xiang_or_jiedao_calls_itself_so() -> None:
    texts = _township_variant({"基本信息": {"B3": "某某县某某乡人民政府", "B4": "某某乡人民政府"}})
    assert "我乡对2023年度部门整体支出开展了绩效自评" in texts[1]
    assert not any("我镇" in t for t in texts)
    texts = _township_variant({"基本信息": {"B3": "某某县某某街道办事处", "B4": "某某街道办事处"}})
    assert "我街道对2023年度部门整体支出开展了绩效自评" in texts[1]
    assert any(t.startswith("我街道内设") for t in texts)


def test_a_total_that_cannot_be_computed_is_said_in_words() -> None:
    texts = _township_variant({"绩效指标": {"G3": None}})  # an indicator without its 实际完成值: no 得分, no total
    sentence = next(t for t in texts if t.startswith("2023年度预算执行率"))
    assert sentence.endswith("部门整体支出绩效自评得分未计算（缺少“农村人居环境整治村数”的得分）。")
    assert not any("—分" in t for t in texts)


def test_three_public_typed_all_zero_prints_not_incurred() -> None:
    zero = {f"{c}{r}": 0 for c in "BCD" for r in (3, 4, 5, 8)}
    texts = _township_variant({"三公经费": zero})
    assert "2023年度未发生“三公”经费支出。" in texts
    assert not any("“三公”经费支出0.00万元" in t or "0.00万元相比持平" in t for t in texts)


def test_three_public_typed_all_zero_in_the_default_template() -> None:
    wb = openpyxl.load_workbook(SAMPLE)
    for row in wb["三公经费"].iter_rows(min_row=3, max_row=10, min_col=2, max_col=4):
        for cell in row:
            if cell.value is not None:
                cell.value = 0
    wb.save("zero.xlsx")
    code, errors, document = build(Path("zero.xlsx"))
    assert code == 0 and document is not None, errors
    texts = paragraphs(document)
    assert "2022年未发生“三公”经费支出。" in texts
    assert not any("0.00万元相比持平" in t or "决算数0.00万元" in t for t in texts)
