"""The sample report, read back with python-docx: outline, figures, layout, the project threshold."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import docx
import openpyxl
import pytest
from docx.enum.text import WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Length, Pt

from pipeline import build
from pipeline.model import schema

from .conftest import form_cell, list_column

OUTLINE = [
    ("Title", "2022年度部门整体支出绩效自评报告"),
    ("Heading 1", "一、单位基本情况"),
    ("Heading 2", "（一）部门主要职责"),
    ("Heading 2", "（二）内设机构设置及人员编制情况"),
    ("Heading 2", "（三）部门决算单位构成"),
    ("Heading 1", "二、预算支出及绩效情况"),
    ("Heading 2", "（一）部门预决算情况"),
    ("Heading 3", "1.部门预算情况"),
    ("Heading 3", "2.部门决算情况（含年中预算追加情况）"),
    ("Heading 3", "3.“三公”经费执行情况"),
    ("Heading 3", "4.政府采购执行情况"),
    ("Heading 3", "5.资产管理情况"),
    ("Heading 2", "（二）资金使用及绩效情况"),
    ("Heading 3", "1.整体绩效目标完成情况"),
    ("Heading 3", "2.项目绩效目标完成情况（仅对50万元以上的项目资金进行分项说明）"),
    ("Heading 2", "（三）存在的主要问题及下一步改进措施"),
    ("Heading 3", "1.存在的主要问题"),
    ("Heading 3", "2.下一步改进措施"),
    ("Heading 2", "（四）绩效自评结果拟应用和公开情况"),
    ("Heading 2", "（五）其他需要说明的情况"),
]


def headings(document: docx.document.Document) -> list[tuple[str, str]]:
    return [
        (p.style.name, p.text)
        for p in document.paragraphs
        if p.style.name in ("Title",) or p.style.name.startswith("Heading")
    ]


def test_every_heading_in_order(sample_report: docx.document.Document) -> None:
    assert headings(sample_report) == OUTLINE


@pytest.mark.parametrize(
    "expected",
    [
        # typed figures, printed as typed (two decimals)
        "2022年年初预算安排收入3020.53万元，其中一般公共预算拨款2363.53万元；"
        "2022年年初预算安排支出3020.53万元，其中：基本支出1368.53万元，项目支出1652.00万元。",
        # derived: 12668.73 − 3020.53, and the shares of the typed total 12678.39
        "2022年决算总收入12668.73万元，较预算增加9648.20万元，总支出12678.39万元，其中：基本支出2713.30万元，"
        "占总支出的21.40%；项目支出9960.59万元，占总支出的78.56%。差异产生的主要原因是年中追加预算。",
        "2022年“三公”经费预算数7.00万元，其中：因公出国（境）费0.00万元，公务用车购置及运行维护费2.00万元，"
        "公务接待费5.00万元。“三公”经费决算数4.27万元，其中：因公出国（境）费0.00万元，"
        "公务用车运行维护费1.84万元，公务接待费2.43万元。",
        "2022年度政府采购支出1206.56万元，其中：货物147.34万元，工程930.00万元，服务229.12万元。",
        "2022年年末资产总额6391.10万元，负债总额1229.23万元，净资产5165161.87万元。截至2022年12月31日，"
        "固定资产账面原值2317.93万元，在用资产517.91万元，资产使用率100.00%。",
        "主要项目列支如下：住房保障支出3470.69万元（棚户区改造支出30.00万元，农村危房改造321.00万元，"
        "老旧小区改造2588.09万元，保障性住房租金补贴107.63万元，其他保障性安居工程44.11万元，"
        "城乡社区住宅支出379.86万元），基础设施建设与经济发展440.71万元，节能环保支出198.28万元，"
        "城乡社区支出5343.84万元，农林水支出342.47万元，灾害防治及应急管理支出46.00万元，其他项目支出118.59万元。",
        # derived: the count of offices in Chinese numerals
        "招标办、指挥通信股（工程管理股）、住房保障股等十五个股室。",
        "县住房和城乡建设局（县人防办）机关行政编制15名，设局长1名，副局长3名，县人民防空办公室副主任1名，"
        "总工程师1名，股室负责人15名。机关后勤服务全额拨款事业编制8名。",
        # the year comes from the data: not the reference's stale “2021年部门决算”
        "衡山县住房和城乡建设局（人防办）2022年部门决算为县住房和城乡建设局（人防办）本级。",
    ],
)
def test_key_figures(sample_text: str, expected: str) -> None:
    assert expected in sample_text


def test_no_stale_year_or_missing_unit(sample_text: str) -> None:
    assert "2021年部门决算" not in sample_text
    assert "4.27元" not in sample_text
    assert "None" not in sample_text


def test_lists_keep_their_paragraphs(sample_report: docx.document.Document) -> None:
    texts = [p.text for p in sample_report.paragraphs]
    duties = [t for t in texts if t.startswith(("第一条", "第二条", "第三条")) or t.startswith("19.")]
    assert len(duties) == 4
    start = texts.index("1.存在的主要问题")
    assert texts[start + 1].startswith("（1）预算控制率有待加强。")
    assert texts[start + 2].startswith("（2）绩效意识有待提高。")
    assert texts[texts.index("（五）其他需要说明的情况") + 1] == "无"


def test_page_setup_follows_gbt_9704(sample_report: docx.document.Document) -> None:
    section = sample_report.sections[0]

    def mm(*lengths: Length | None) -> list[float]:  # Word stores twips: compare to 0.1 mm
        return [round(length.mm, 1) if length is not None else -1 for length in lengths]

    assert mm(section.page_width, section.page_height) == [210, 297]
    assert mm(section.top_margin, section.bottom_margin, section.left_margin, section.right_margin) == [37, 35, 28, 26]
    footer = section.footer.paragraphs[0]
    assert footer.text.startswith("— ") and footer.text.endswith(" —")
    assert "PAGE" in footer._p.xml


def east_asia_font(style: docx.styles.style.BaseStyle) -> str:
    fonts = style.element.rPr.find(qn("w:rFonts"))
    return str(fonts.get(qn("w:eastAsia")))


@pytest.mark.parametrize(
    ("style", "font", "size", "bold"),
    [
        ("Title", "方正小标宋简体", 22, False),
        ("Normal", "仿宋_GB2312", 16, False),
        ("Heading 1", "黑体", 16, False),
        ("Heading 2", "楷体_GB2312", 16, False),
        ("Heading 3", "仿宋_GB2312", 16, True),
        ("Footer", "宋体", 14, False),
    ],
)
def test_styles(sample_report: docx.document.Document, style: str, font: str, size: int, bold: bool) -> None:
    s = sample_report.styles[style]
    assert east_asia_font(s) == font
    assert s.font.size == Pt(size)
    assert bool(s.font.bold) is bold


def test_body_paragraphs_use_styles_not_direct_formatting(sample_report: docx.document.Document) -> None:
    normal = sample_report.styles["Normal"].paragraph_format
    assert normal.first_line_indent == Pt(32)
    assert normal.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert normal.line_spacing == Pt(28.95)
    for p in sample_report.paragraphs:
        for run in p.runs:
            assert run.font.size is None and run.font.name is None


def set_threshold(wb: openpyxl.Workbook, value: object) -> None:
    wb[schema.BASIC.name][form_cell(schema.BASIC, "threshold", "value")] = value


def add_project(wb: openpyxl.Workbook, name: str, cost: float) -> None:
    ws = wb[schema.PROJECTS.name]
    row = ws.max_row + 1
    ws.cell(row=row, column=list_column(schema.PROJECTS, "name"), value=name)
    ws.cell(row=row, column=list_column(schema.PROJECTS, "cost"), value=cost)


def project_paragraphs(path: Path, out: Path) -> list[str]:
    [result] = build([path], out)
    assert result.ok, result.error
    assert result.output is not None
    texts = [p.text for p in docx.Document(str(result.output)).paragraphs]
    start = next(i for i, t in enumerate(texts) if t.startswith("2.项目绩效目标完成情况"))
    end = texts.index("（三）存在的主要问题及下一步改进措施")
    return texts[start:end]


def test_threshold_includes_projects_at_the_threshold_only(edited_sample, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    def edit(wb: openpyxl.Workbook) -> None:
        add_project(wb, "恰好五十万元项目", 50)
        add_project(wb, "差一分项目", 49.99)

    section = project_paragraphs(edited_sample(edit), tmp_path / "out")
    names = [t.split("。")[0] for t in section[1:]]
    assert names == [
        "（1）衡山大道盛豪世纪城人行道改造项目",
        "（2）毛泽建公园至南岳高速新场市入口路灯杆上中国结安装工程",
        "（3）107国道（城管处）排水排污改造工程",
        "（4）恰好五十万元项目",
    ]


def test_threshold_comes_from_the_workbook(edited_sample, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    section = project_paragraphs(edited_sample(lambda wb: set_threshold(wb, 60)), tmp_path / "out")
    assert section[0] == "2.项目绩效目标完成情况（仅对60万元以上的项目资金进行分项说明）"
    assert [t[:4] for t in section[1:]] == ["（1）衡", "（2）毛"]


def test_no_project_above_threshold_says_so(edited_sample, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    section = project_paragraphs(edited_sample(lambda wb: set_threshold(wb, 1000)), tmp_path / "out")
    assert section[1:] == ["本年度无1000万元以上的项目。"]


def test_year_comes_from_the_data(edited_sample, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = edited_sample(lambda wb: wb[schema.BASIC.name].__setitem__(form_cell(schema.BASIC, "year", "value"), 2023))
    [result] = build([path], tmp_path / "out")
    assert result.output is not None
    text = "\n".join(p.text for p in docx.Document(str(result.output)).paragraphs)
    assert text.startswith("2023年度部门整体支出绩效自评报告")
    for generated in (
        "2023年年初预算安排收入",
        "2023年决算总收入",
        "2023年“三公”经费预算数",
        "2023年度政府采购支出",
        "2023年年末资产总额",
        "截至2023年12月31日",
        "（人防办）2023年部门决算为",
        "对2023年度项目支出",
    ):
        assert generated in text
    assert "2022年年初" not in text and "截至2022年" not in text


def test_money_rounds_half_up(edited_sample, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    def edit(wb: openpyxl.Workbook) -> None:
        ws = wb[schema.PROCUREMENT.name]
        ws[form_cell(schema.PROCUREMENT, "goods", "actual")] = "0.125"  # banker's rounding would give 0.12
        ws[form_cell(schema.PROCUREMENT, "works", "actual")] = 2.675  # float 2.675 is 2.67499…; str() keeps 2.675

    [result] = build([edited_sample(edit)], tmp_path / "out")
    assert result.output is not None
    text = "\n".join(p.text for p in docx.Document(str(result.output)).paragraphs)
    assert "货物0.13万元，工程2.68万元" in text
    assert Decimal("0.125").quantize(Decimal("0.01")) == Decimal("0.12")  # the trap the code avoids


def test_amounts_in_yuan_are_converted(edited_sample, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    def edit(wb: openpyxl.Workbook) -> None:
        ws = wb[schema.PROCUREMENT.name]
        ws["B1"] = "元"
        ws[form_cell(schema.PROCUREMENT, "total", "actual")] = 12065600
        ws[form_cell(schema.PROCUREMENT, "goods", "actual")] = 1473400
        ws[form_cell(schema.PROCUREMENT, "works", "actual")] = 9300000
        ws[form_cell(schema.PROCUREMENT, "services", "actual")] = 2291249.99

    [result] = build([edited_sample(edit)], tmp_path / "out")
    assert result.output is not None
    text = "\n".join(p.text for p in docx.Document(str(result.output)).paragraphs)
    assert "政府采购支出1206.56万元，其中：货物147.34万元，工程930.00万元，服务229.12万元。" in text
