"""A department's own template folder, without Python: template.toml (title, words, sections, appendices, number
style, aliases, its own tables), the workbook's own figures (自定义字段), and the workbook naming its template."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import docx
import openpyxl
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.errors import TemplateProblem
from pipeline.model import schema
from pipeline.session import load_context
from pipeline.template.profile import resolve_profile

from .conftest import SAMPLE

runner = CliRunner()


def new_template(name: str, toml: str) -> Path:
    result = runner.invoke(app, ["template", "new", name])
    assert result.exit_code == 0, result.output
    folder = Path("templates") / name
    (folder / "template.toml").write_text(toml, encoding="utf-8")
    return folder


def build(workbook: Path, *args: str) -> tuple[int, list[str], list[str]]:
    """Build into out/; return the exit code, the stderr lines and the report's paragraphs (and table cells)."""
    result = runner.invoke(app, ["build", str(workbook), "-o", "out", *args])
    out = Path("out") / f"{workbook.stem}.docx"
    texts: list[str] = []
    if out.exists():
        document = docx.Document(str(out))
        texts = [p.text for p in document.paragraphs]
        texts += [c.text for t in document.tables for row in t.rows for c in row.cells]
    return result.exit_code, result.stderr.splitlines(), texts


def sample(edit: object = None, name: str = "2022.xlsx") -> Path:
    wb = openpyxl.load_workbook(SAMPLE)
    if callable(edit):
        edit(wb)
    wb.save(name)
    return Path(name)


def add_custom_field(wb: openpyxl.Workbook, *rows: tuple[object, ...]) -> None:
    ws = wb[schema.CUSTOM_FIELDS.name]
    labels = [f.label for f in schema.CUSTOM_FIELDS.columns]
    for r, values in enumerate(rows, start=schema.FIRST_DATA_ROW):
        for label, value in zip(("名称", "值", "单位", "类型"), values, strict=False):
            ws.cell(r, labels.index(label) + 1, value)


def test_a_customized_template_builds_with_its_wording_sections_and_own_figure() -> None:
    folder = new_template(
        "mine",
        '[report]\ntitle = "{short_name}{year}年度部门整体支出绩效自评报告"\n'
        '[words]\noffice = "科室"\n[sections]\nprocurement = false\n[appendices]\nbasic_data = false\n'
        "[numbers]\nthousands = true\n",
    )
    document = docx.Document(str(folder / "report.docx"))
    document.add_paragraph("绿化面积{{ custom.绿化面积|plain }}平方米，专项经费{{ custom.专项经费|money }}万元。")
    document.tables[0].style = document.styles["Table Grid"]  # restyled in Word
    document.save(str(folder / "report.docx"))
    workbook = sample(
        lambda wb: add_custom_field(wb, ("绿化面积", 1200, "平方米", "数值"), ("专项经费", 123456, "元", "金额"))
    )

    code, errors, texts = build(workbook, "-t", "mine")

    assert code == 0, errors
    assert texts[0] == "县住房和城乡建设局（县人防办）2022年度\n部门整体支出绩效自评报告"  # two lines, broken by phrase
    assert any(t.endswith("等十五个科室。") for t in texts)
    assert not any("政府采购" in t for t in texts)
    assert "4.资产管理情况" in texts  # numbered on: 3.“三公”, then 资产 (政府采购 is off)
    assert not any("基础数据表" in t for t in texts)
    assert "绿化面积1200平方米，专项经费12.35万元。" in texts
    assert any("12,678.39万元" in t for t in texts)  # numbers.thousands


def test_the_default_template_keeps_every_section_on() -> None:
    code, _, texts = build(sample())
    assert code == 0
    assert [t for t in texts if t[:2] in ("3.", "4.", "5.") and "情况" in t] == [
        "3.“三公”经费执行情况",
        "4.政府采购执行情况",
        "5.资产管理情况",
    ]
    assert [t for t in texts if t.startswith("附件") and len(t) == 3] == ["附件1", "附件2", "附件3"]


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[numbers]\ndecimal = 1\n", "未知设置 numbers.decimal；您是否要写 numbers.decimals？"),
        ("[words]\noffice = 3\n", "words.office 应为非空文字（加英文双引号），实际为 3"),
        ('[sections]\nprocurement = "否"\n', "sections.procurement 应为true 或 false，实际为 '否'"),
        ('[report]\ntitle = "{年度}报告"\n', "report.title 中的占位符只能是 {year}、{unit}、{short_name}"),
        ("[numbers]\ndecimals = 9\n", "numbers.decimals 和 numbers.percent_places 应为 0 到 6 的整数"),
        ("[words\n", "模板设置第1行第7列：表名缺少结尾的 ]"),
        (
            '[aliases."项目"]\n"项目总价" = ["总价"]\n',
            "aliases.“项目” 中的“项目总价”不是该表的列名或行名；您是否要写“项目总造价（预算）”？",
        ),
        ('[aliases."项目表"]\n"项目名称" = ["名称"]\n', "aliases 中的工作表“项目表”不存在；您是否要写“项目”？"),
        ('[[tables]]\nkey = "x"\nsheet = "项目"\n[[tables.columns]]\nkey = "a"\nlabel = "A"\n', "与标准工作表同名"),
        (
            '[[tables]]\nkey = "x"\nsheet = "表"\n[[tables.columns]]\nkey = "a"\nlabel = "A"\ntype = "货币"\n',
            "type 应为",
        ),
    ],
)
def test_template_toml_mistakes_name_the_setting(toml: str, message: str) -> None:
    new_template("bad", toml)
    with pytest.raises(TemplateProblem) as caught:
        resolve_profile("bad")
    assert str(caught.value).startswith("templates/bad/template.toml：")
    assert message in str(caught.value)
    code, errors, _ = build(sample(), "-t", "bad")
    assert code == 1 and errors == [f"错误：{caught.value}"]


def test_aliases_read_a_renamed_column_and_unknown_columns_are_warned() -> None:
    new_template("alias", '[aliases."项目"]\n"项目总造价（预算）" = ["总造价"]\n')
    label = schema.PROJECTS.column("cost").label

    def rename(wb: openpyxl.Workbook) -> None:
        ws = wb[schema.PROJECTS.name]
        column = next(c for c in ws[schema.HEADER_ROW] if c.value == label).column
        ws.cell(schema.HEADER_ROW, column, "总造价")
        ws.cell(schema.HEADER_ROW, ws.max_column + 1, "备注")

    workbook = sample(rename)
    code, errors, texts = build(workbook, "-t", "alias")
    assert code == 0
    assert any("该项目工程总造价206.46万元" in t for t in texts)
    unknown = [e for e in errors if "W_UNKNOWN" in e or "未知的列" in e]
    assert len(unknown) == 1 and "未知的列“备注”，已忽略" in unknown[0]
    # without the alias the renamed column is an unknown column with the standard name suggested
    _, errors, _ = build(workbook)
    assert any("未知的列“总造价”，已忽略；您是否要写“项目总造价（预算）”？" in e for e in errors)


def test_an_unknown_basic_row_is_warned_not_dropped() -> None:
    def add_row(wb: openpyxl.Workbook) -> None:
        ws = wb[schema.BASIC.name]
        ws.cell(ws.max_row + 1, 1, "绿化面积")
        ws.cell(ws.max_row, 2, 1200)

    code, errors, _ = build(sample(add_row))
    assert code == 0
    assert any(
        "基本信息!A" in e and "未知的行“绿化面积”，已忽略；本部门自己的数据请填到“自定义字段”表" in e for e in errors
    )


def test_the_workbook_names_its_template_and_t_wins() -> None:
    new_template("county", '[words]\noffice = "科室"\n')
    cell = schema.form_cell(schema.BASIC, "template", "value")
    workbook = sample(lambda wb: wb[schema.BASIC.name].__setitem__(cell, "county"))
    _, _, texts = build(workbook)
    assert any(t.endswith("个科室。") for t in texts)
    _, _, texts = build(workbook, "-t", "default")
    assert any(t.endswith("个股室。") for t in texts)
    validate = runner.invoke(app, ["validate", str(workbook)])
    assert validate.exit_code == 0

    unknown = sample(lambda wb: wb[schema.BASIC.name].__setitem__(cell, "nosuch"), name="other.xlsx")
    code, errors, _ = build(unknown)
    assert code == 1
    # the cell holds a name, never a path: the names offered, not "or give a path" (that is -t's business)
    assert (
        errors[0]
        == f"错误：other.xlsx › 基本信息!{cell}：没有名为“nosuch”的模板；可用的模板：county、default、township"
    )


def test_a_custom_table_is_read_typed_converted_and_checked() -> None:
    new_template(
        "greening",
        '[[tables]]\nkey = "greening"\nsheet = "绿化项目"\n'
        '[[tables.columns]]\nkey = "name"\nlabel = "项目"\nrequired = true\n'
        '[[tables.columns]]\nkey = "amount"\nlabel = "投资"\ntype = "金额"\n'
        '[[tables.columns]]\nkey = "done"\nlabel = "完成率"\ntype = "百分比"\n',
    )

    def add_sheet(wb: openpyxl.Workbook, amount: object = 250000) -> None:
        ws = wb.create_sheet("绿化项目")
        ws.append(["金额单位", "元"])
        ws.append(["项目", "投资", "完成率"])
        ws.append(["滨河绿道", amount, 0.95])
        ws["C3"].number_format = "0%"

    context, findings = load_context(sample(add_sheet), profile=resolve_profile("greening"))
    assert context["custom"]["greening"] == [{"name": "滨河绿道", "amount": Decimal("25"), "done": Decimal("0.95")}]
    assert not [f for f in findings if f.sheet == "绿化项目"]

    code, errors, _ = build(sample(lambda wb: add_sheet(wb, "约25万"), name="bad.xlsx"), "-t", "greening")
    assert code == 1
    assert "错误：bad.xlsx › 绿化项目!B3：应为数字，实际为“约25万”" in errors

    code, errors, _ = build(sample(name="none.xlsx"), "-t", "greening")
    assert code == 0
    assert any("未找到模板自定义的工作表“绿化项目”，按空表处理" in e for e in errors)


def test_custom_fields_take_their_type_and_unit() -> None:
    workbook = sample(
        lambda wb: add_custom_field(
            wb,
            ("辖区面积", 86.5, "平方公里", "数值"),
            ("专项经费", 363000, "元", "金额"),
            ("完成率", 0.875, None, "百分比"),
            ("备注", "按季度拨付", None, None),
        )
    )
    context, _ = load_context(workbook)
    assert context["custom"] == {
        "辖区面积": Decimal("86.5"),
        "专项经费": Decimal("36.3"),
        "完成率": Decimal("0.875"),
        "备注": "按季度拨付",
    }
    bad = sample(
        lambda wb: add_custom_field(wb, ("专项经费", 1, "美元", "金额"), ("专项经费", 2, None, "货币")), "bad.xlsx"
    )
    code, errors, _ = build(bad)
    assert code == 1
    assert any("自定义字段!B3：金额的单位应为“万元”或“元”，实际为“美元”" in e for e in errors)
    assert any("自定义字段!D4：应为“文本”“整数”“金额”“数值”“百分比”“日期”之一，实际为“货币”" in e for e in errors)
    assert any("自定义字段“专项经费”重复" in e for e in errors)


def test_init_with_a_template_offers_its_levels_and_names_it() -> None:
    result = runner.invoke(app, ["init", "2023.xlsx", "--year", "2023", "-t", "township"])
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook("2023.xlsx")
    assert wb[schema.BASIC.name][schema.form_cell(schema.BASIC, "template", "value")].value == "township"
    formulas = [dv.formula1 for dv in wb[schema.KPIS.name].data_validations.dataValidation]
    assert '"产出指标,成本指标,效益指标,满意度指标"' in formulas


def test_charts_switched_on_in_template_toml() -> None:
    new_template("pictures", "[charts]\nenabled = true\n")
    code, errors, _ = build(sample(), "-t", "pictures")
    assert code == 0, errors
    document = docx.Document("out/2022.docx")
    assert len(document.inline_shapes) == 4  # structure, budget, functions, indicators
