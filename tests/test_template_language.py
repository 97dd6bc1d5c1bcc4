"""The template language people write (issue 18 §6): the guards on custom fields work and pass the check; a lone
{% if %}/{% for %} paragraph, a section the template no longer prints and a name a template cannot write are told;
template.toml saved with a BOM is read and its mistakes are Chinese with line and column."""

from __future__ import annotations

import shutil
from pathlib import Path

import docx
import openpyxl
import pytest
from typer.testing import CliRunner

from pipeline.cli import app

from .conftest import ROOT, SAMPLE

runner = CliRunner()


def template(*paragraphs: str, settings: str = "", drop: str | None = None) -> Path:
    """templates/t: the default report with ``paragraphs`` added at its end (and, with ``drop``, every paragraph
    naming that text deleted)."""
    folder = Path("templates/t")
    shutil.copytree(ROOT / "templates" / "default", folder)
    if settings:
        (folder / "template.toml").write_bytes(settings.encode("utf-8"))
    document = docx.Document(str(folder / "report.docx"))
    if drop is not None:  # the section's loop prints another section's list instead: its own is printed nowhere
        for paragraph in document.paragraphs:
            for run in paragraph.runs:
                run.text = run.text.replace(drop, "texts.measures")
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(str(folder / "report.docx"))
    return folder


GUARDS = (
    "{% if custom.乔木 is defined %}乔木{{ custom.乔木 }}株{% endif %}",
    "{% if custom.灌木 is not none %}灌木{{ custom.灌木 }}株{% endif %}",
    "草坪{{ custom.草坪|default('未统计') }}；花卉{{ custom.get('花卉', '未统计') }}",
)
DECLARED = '[[fields]]\nname = "灌木"\ntype = "整数"\n[[fields]]\nname = "草坪"\n[[fields]]\nname = "花卉"\n'


def test_the_guards_on_custom_fields_pass_the_check_and_render() -> None:
    template(*GUARDS, settings=DECLARED)
    check = runner.invoke(app, ["template", "check", "t"])
    assert check.exit_code == 0, check.stdout
    assert "错误" not in check.stdout
    wb = openpyxl.load_workbook(SAMPLE)
    wb["自定义字段"]["A3"], wb["自定义字段"]["B3"] = "灌木", 12
    wb.save("2022.xlsx")
    build = runner.invoke(app, ["build", "2022.xlsx", "-t", "t", "-o", "out", "--no-comments"])
    assert build.exit_code == 0, build.output
    text = [p.text for p in docx.Document("out/2022.docx").paragraphs]
    assert "灌木12株" in text  # is not none: declared and given
    assert "草坪未统计；花卉未统计" in text  # default() and .get() on declared fields left blank
    assert not any("乔木" in t for t in text)  # is defined: not declared, not in the workbook, left out


def test_a_lone_block_tag_in_a_paragraph_is_a_warning_suggesting_p() -> None:
    template("{% for d in duties %}", "{{ d }}", "{% endfor %}")
    result = runner.invoke(app, ["template", "check", "t"])
    assert result.exit_code == 0
    warnings = [line for line in result.stdout.splitlines() if line.startswith("警告：")]
    assert len(warnings) == 2
    assert "这一段只有 {% for d in duties %} 标签，生成后会留下一个空段落（每一项一个）" in warnings[0]
    assert "请写成 {%p for d in duties %}" in warnings[0]
    assert "{% endfor %}" in warnings[1]


def test_a_section_the_template_no_longer_prints_is_told_to_author_and_clerk() -> None:
    template(drop="texts.other")
    result = runner.invoke(app, ["template", "check", "t"])
    assert (
        "警告：templates/t/report.docx：“其他需要说明的情况”一节：模板中没有印出这一节的地方（texts.other）"
        in result.stdout
    )
    wb = openpyxl.load_workbook(SAMPLE)
    texts = wb["文字"]
    row = texts.max_row + 1
    while row > 3 and texts.cell(row - 1, 1).value is None:
        row -= 1
    texts.cell(row, 1, "其他需要说明的情况")
    texts.cell(row, 2, "无。")
    wb.save("2022.xlsx")
    clerk = runner.invoke(app, ["validate", "2022.xlsx", "-t", "t"])
    assert (
        f"A{row} 警告 [W_TEXT_UNPRINTED] “其他需要说明的情况”的段落不会出现在报告中：所用模板没有这一节" in clerk.stdout
    )
    assert "W_TEXT_UNPRINTED" not in runner.invoke(app, ["validate", "2022.xlsx"]).stdout  # the default prints it


def test_template_toml_with_a_bom_is_read() -> None:
    template(settings='\ufeff[template]\nname = "带BOM"\n')
    assert "t\t带BOM\t" in runner.invoke(app, ["template", "list"]).stdout


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("[words]\nunit_kind = 部门\n", "第2行第13列：等号右边的值写法有误：文字要加英文双引号"),
        ('[words]\nunit kind = "部门"\n', "第2行第6列：名称后面缺少等号，或名称中有空格"),
        ('[words]\nunit_kind = "部门\n', "文字缺少结尾的英文双引号"),
        ('[words]\nunit_kind = "a"\nunit_kind = "b"\n', "同一项设置写了两次"),
    ],
)
def test_toml_mistakes_are_chinese_with_line_and_column(text: str, said: str) -> None:
    template(settings=text)
    result = runner.invoke(app, ["template", "check", "t"])
    assert result.exit_code == 1
    assert said in result.stderr
    assert "Invalid" not in result.stderr and "Expected" not in result.stderr


def test_a_custom_field_name_a_template_cannot_write_is_warned_at_its_cell() -> None:
    wb = openpyxl.load_workbook(SAMPLE)
    ws = wb["自定义字段"]
    for row, name in enumerate(("绿化 面积", "面积(㎡)", "绿化面积"), start=3):
        ws.cell(row, 1, name)
        ws.cell(row, 2, 1)
    wb.save("2022.xlsx")
    out = runner.invoke(app, ["validate", "2022.xlsx"]).stdout
    assert "A3 警告 [W_FIELD_NAME] 名称“绿化 面积”不能在模板中写成 custom.名称（含空格）；请改为“绿化面积”" in out
    assert "A4 警告 [W_FIELD_NAME] 名称“面积(㎡)”不能在模板中写成 custom.名称（含标点）；请改为“面积”" in out
    assert "A5 警告 [W_FIELD_NAME]" not in out


def test_a_tag_typed_in_two_looks_is_warned_and_one_look_split_in_runs_is_not() -> None:
    folder = template()
    document = docx.Document(str(folder / "report.docx"))
    mixed = document.add_paragraph("单位：")
    mixed.add_run("{{ unit.")
    mixed.add_run("name }}").bold = True
    split = document.add_paragraph("简称：")
    split.add_run("{{ unit.")
    split.add_run("short_name }}")
    document.save(str(folder / "report.docx"))
    result = runner.invoke(app, ["template", "check", "t"])
    assert result.exit_code == 0
    warnings = [line for line in result.stdout.splitlines() if line.startswith("警告：")]
    assert len(warnings) == 1
    assert (
        "标签 {{ unit.name }} 的各部分格式不同（字体、字号、加粗或颜色）：生成时整个值按其中第一部分的格式印出"
        in warnings[0]
    )
