"""The township template and the township sample: a unit of another kind, built without Python."""

from __future__ import annotations

import shutil
from pathlib import Path

import docx
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


def test_the_township_sample_builds_with_the_template_it_names_and_no_warning() -> None:
    shutil.copy(TOWNSHIP, "township-2023.xlsx")
    code, errors, document = build(Path("township-2023.xlsx"))
    assert (code, errors) == (0, [])
    assert document is not None
    texts = paragraphs(document)
    assert texts[0] == "2023年度某某镇人民政府部门整体支出绩效自评报告"
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
    assert "附件：2023年度部门整体支出绩效自评表" in texts
    assert [t for t in texts if t.startswith("附件")][-1] == "附件"  # one appendix: no number, no 基础数据表


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
    assert texts[0] == "2022年度县住房和城乡建设局（县人防办）部门整体支出绩效自评报告"
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
