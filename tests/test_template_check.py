"""``genreport template check``: each template mistake found over every branch, said in Chinese with where it is
(paragraph or table cell, and the heading above), and ``build`` saying the same."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import docx
import openpyxl
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.errors import display_path
from pipeline.make import context_shape as make_shape
from pipeline.model import schema
from pipeline.render import RenderOptions
from pipeline.render.environment import make_environment
from pipeline.session import load_context
from pipeline.template.check import check_document
from pipeline.template.check.shape import SHIPPED, to_json
from pipeline.template.profile import TemplateEntry, list_templates

from .conftest import ROOT, SAMPLE

runner = CliRunner()
DEFAULT = ROOT / "templates" / "default" / "report.docx"
BY_SAMPLE = f"（字段按 {SAMPLE} 检查）。"  # tests run in a temporary folder, so the sample shows in full

Paragraph = str | tuple[str, str]  # text, or (style, text)


def template(
    *paragraphs: Paragraph,
    table: list[list[str]] | None = None,
    header: str | None = None,
    footer: str | None = None,
    name: str = "mine.docx",
) -> Path:
    document = docx.Document()
    for item in paragraphs:
        style, text = item if isinstance(item, tuple) else (None, item)
        document.add_paragraph(text, style=style)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, text in enumerate(row):
                grid.cell(r, c).text = text
    if header is not None:
        document.sections[0].header.paragraphs[0].text = header
    if footer is not None:
        document.sections[0].footer.paragraphs[0].text = footer
    document.save(name)
    return Path(name)


def check(path: Path | str, *options: str) -> tuple[int, list[str]]:
    result = runner.invoke(app, ["template", "check", str(path), *options])
    return result.exit_code, result.stdout.splitlines()


def build(path: Path) -> tuple[int, list[str]]:
    shutil.copy(SAMPLE, "2022.xlsx")
    result = runner.invoke(app, ["build", "2022.xlsx", "-t", str(path), "-o", "out"])
    return result.exit_code, [line for line in result.stderr.splitlines() if line.startswith("错误")]


# ---------------------------------------------------------------- the shipped templates pass


def test_the_default_template_checks_clean() -> None:
    code, lines = check("default")
    assert (code, lines) == (0, [f"模板检查通过：{DEFAULT}{BY_SAMPLE}"])


def test_the_default_template_checks_clean_in_a_real_process() -> None:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline", "template", "check", "default", "--input", str(SAMPLE)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, f"模板检查通过：{DEFAULT}{BY_SAMPLE}\n", "")


@pytest.mark.parametrize("entry", list_templates(), ids=lambda e: e.name)
def test_every_shipped_template_checks_clean_with_and_without_the_sample(entry: TemplateEntry) -> None:
    document = entry.folder / "report.docx"
    context, _ = load_context(SAMPLE)
    env = make_environment(RenderOptions())
    assert check_document(document, env, context) == []
    assert check_document(document, env, None) == []  # an installed genreport: the shipped shape alone


def test_the_shipped_shape_is_current() -> None:
    shipped = json.loads(SHIPPED.read_text(encoding="utf-8"))
    assert to_json(make_shape.generate()) == shipped, (
        "pipeline/template/check/context_shape.json is stale: run python -m pipeline.make.context_shape"
    )


def test_without_the_sample_the_shipped_shape_still_finds_typos(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("pipeline.session.SAMPLE", Path("no-such.xlsx"))
    assert check("default") == (0, [f"模板检查通过：{DEFAULT}（字段按 genreport 自带的字段清单 检查）。"])
    code, lines = check(template("{% for b in basic_data.buildings %}{{ b.nmae }}{% endfor %}"))
    assert code == 1
    assert lines[0].endswith("：模板引用了不存在的字段 b.nmae；您是否要写 b.name？")


# ---------------------------------------------------------------- fields, filters, tests


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{{ unit.short_nmae }}", "模板引用了不存在的字段 unit.short_nmae；您是否要写 unit.short_name？"),
        ("{{ unti.name }}", "模板引用了不存在的字段 unti；您是否要写 unit？"),
        ("{{ budget.actual.project|mony }}", "模板使用了不存在的过滤器 mony；您是否要写 money？"),
        ("{% if report_date is nonee %}无{% endif %}", "模板使用了不存在的测试 is nonee；您是否要写 is none？"),
        (
            "{{ evaluation.income_sources[0].lable }}",
            "模板引用了不存在的字段 evaluation.income_sources[0].lable；您是否要写 evaluation.income_sources[0].label？",
        ),
        (
            "{% set b = budget.initial %}{{ b.income_totl|money }}",
            "模板引用了不存在的字段 b.income_totl；您是否要写 b.income_total？",
        ),
        (
            "{% for s in budget.prior.income_sources %}{{ s.lable }}{% endfor %}",
            "模板引用了不存在的字段 s.lable；您是否要写 s.label？",
        ),
        (
            "{% for d in duties %}{{ loop.indx }}{% endfor %}",
            "模板引用了不存在的字段 loop.indx；您是否要写 loop.index？",
        ),
        ("{{ unit.name.short }}", "模板引用了不存在的字段 unit.name.short（unit.name 是单个值，没有下一级字段）"),
        (
            "{{ evaluation.kpis.level1 }}",
            "模板引用了不存在的字段 evaluation.kpis.level1"
            "（evaluation.kpis 是多项的列表，要在 {% for … in evaluation.kpis %} 中逐项引用）",
        ),
        (
            "{{ evaluation.kpis|map(attribute='levle1')|join('、') }}",
            "模板引用了不存在的字段 evaluation.kpis 各项的 levle1；您是否要写 evaluation.kpis 各项的 level1？",
        ),
    ],
    ids=[
        "attribute",
        "name",
        "filter",
        "test",
        "index",
        "set",
        "list_empty_in_sample",
        "loop",
        "scalar",
        "list",
        "map",
    ],
)
def test_unknown_fields_filters_and_tests_with_the_closest_name(text: str, message: str) -> None:
    code, lines = check(template(("Heading 1", "一、单位基本情况"), text))
    shown = text if len(text) <= 30 else None
    assert code == 1
    assert lines[0].startswith("错误：mine.docx：第2段「")
    assert lines[0].endswith(f"（位于“一、单位基本情况”下）：{message}")
    if shown:
        assert lines[0] == f"错误：mine.docx：第2段「{shown}」（位于“一、单位基本情况”下）：{message}"
    assert lines[1:] == [f"模板检查未通过：mine.docx 有 1 处错误{BY_SAMPLE}"]


def test_a_typo_in_a_branch_the_sample_does_not_take_is_found_and_stops_the_build() -> None:
    context, _ = load_context(SAMPLE)
    assert context["year"] <= 3000 and context["basic_data"]["buildings"] == []  # neither branch is taken
    tpl = template(
        "{% if year > 3000 %}{{ unit.nmae }}{% endif %}",
        "{% for b in basic_data.buildings %}{{ b.nmae }}{% endfor %}",
    )
    expected = [
        "错误：mine.docx：第1段「…3000 %}{{ unit.nmae }}{% endif…」：模板引用了不存在的字段 unit.nmae；您是否要写 unit.name？",
        "错误：mine.docx：第2段「…ldings %}{{ b.nmae }}{% endfor…」：模板引用了不存在的字段 b.nmae；您是否要写 b.name？",
    ]
    assert check(tpl) == (1, [*expected, f"模板检查未通过：mine.docx 有 2 处错误{BY_SAMPLE}"])
    assert build(tpl) == (1, expected)
    assert not Path("out/2022.docx").exists()


def test_guarded_fields_are_not_reported() -> None:
    tpl = template("{% if extra is defined %}{{ extra.x }}{% endif %}{{ other|default('') }}{{ 'a'|upper }}")
    assert check(tpl) == (0, [f"模板检查通过：mine.docx{BY_SAMPLE}"])


def test_fields_of_the_workbook_given_with_input(edited_sample: object) -> None:
    def add_custom_field(wb: openpyxl.Workbook) -> None:
        sheet = schema.CUSTOM_FIELDS
        ws = wb[sheet.name] if sheet.name in wb.sheetnames else wb.create_sheet(sheet.name)
        for col, f in enumerate(sheet.columns, 1):
            ws.cell(schema.HEADER_ROW, col).value = f.label
        ws.cell(schema.FIRST_DATA_ROW, 1).value = "绿化面积"
        ws.cell(schema.FIRST_DATA_ROW, 2).value = 12

    workbook = edited_sample(add_custom_field, "green.xlsx")  # type: ignore[operator]
    tpl = template("{{ custom.绿化面积 }}")
    code, lines = check(tpl)
    undeclared = "模板引用了未在 template.toml 中登记的自定义字段 custom.绿化面积"
    advice = '请在模板的 template.toml 中登记：[[fields]] name = "绿化面积"（填表人的空白表才会有这一行）'
    assert (code, lines[0]) == (1, f"错误：mine.docx：第1段「{{{{ custom.绿化面积 }}}}」：{undeclared}；{advice}")
    # the workbook given holds it: this build can go ahead, but the next clerk's form will not ask for it
    assert check(tpl, "--input", str(workbook)) == (
        0,
        [
            f"警告：mine.docx：第1段「{{{{ custom.绿化面积 }}}}」：{undeclared}（所用工作簿中有这一项，这次可以生成）；"
            f"{advice}",
            f"模板检查通过：mine.docx，有 1 处警告（字段按 {display_path(workbook)} 检查）。",
        ],
    )
    typo = check(template("{{ custom.绿化面机 }}"), "--input", str(workbook))
    assert typo[0] == 1
    assert "custom.绿化面机；您是否要写 custom.绿化面积？否则请在模板的 template.toml 中登记" in typo[1][0]


def test_a_workbook_with_errors_given_with_input_is_reported_like_context() -> None:
    Path("bad.xlsx").write_text("not a workbook", encoding="utf-8")
    result = runner.invoke(app, ["template", "check", "default", "--input", "bad.xlsx"])
    assert result.exit_code == 1
    assert result.stderr.startswith("错误：bad.xlsx")
    assert result.stdout == ""


# ---------------------------------------------------------------- where: table cells, headers, footers


def test_table_cell_header_and_footer_locations() -> None:
    tpl = template(
        ("Heading 1", "附件1"),
        table=[
            ["{%tr for k in evaluation.kpis %}", ""],
            ["{% vmerge k.frist1 %}{{ k.level1 }}", "{{ k.levle3 }}"],
            ["{%tr endfor %}", ""],
        ],
        header="{{ unit.nmae }}",
        footer="第{{ loop.index }}页",
    )
    assert check(tpl) == (
        1,
        [
            "错误：mine.docx：表格1 第2行第1列「{% vmerge k.frist1 %}{{ k.leve…」（位于“附件1”下）："
            "模板引用了不存在的字段 k.frist1；您是否要写 k.first1？",
            "错误：mine.docx：表格1 第2行第2列「{{ k.levle3 }}」（位于“附件1”下）：模板引用了不存在的字段 k.levle3；您是否要写 k.level3？",
            "错误：mine.docx：页眉第1段「{{ unit.nmae }}」：模板引用了不存在的字段 unit.nmae；您是否要写 unit.name？",
            "错误：mine.docx：页脚第1段「第{{ loop.index }}页」：模板引用了不存在的字段 loop（loop 只能在 {% for %} 中使用）",
            f"模板检查未通过：mine.docx 有 4 处错误{BY_SAMPLE}",
        ],
    )


# ---------------------------------------------------------------- syntax, at the tag that opens the block


def test_a_deleted_endif_is_reported_at_its_if_in_the_default_template() -> None:
    document = docx.Document(str(DEFAULT))
    tags = [p.text for p in document.paragraphs]
    opening = tags.index("{%p if report_date %}")
    closing = tags.index("{%p endif %}", opening)
    end = document.paragraphs[closing]._p
    end.getparent().remove(end)
    document.save("report.docx")
    code, lines = check("report.docx")
    assert (code, len(lines)) == (1, 2)
    assert re.fullmatch(
        rf"错误：report\.docx：第{opening + 1}段「\{{%p if report_date %\}}」（位于“[^”]+”下）："
        r"\{%p if report_date %\} 没有对应的 \{%p endif %\}",
        lines[0],
    ), lines[0]
    assert build(Path("report.docx")) == (1, lines[:1])


@pytest.mark.parametrize(
    ("paragraphs", "where", "message"),
    [
        (
            ["一、概况", "{%p for d in duties %}", "{{ d }}", "{%p if year %}", "有", "{%p endfor %}"],
            "第4段「{%p if year %}」（位于“一、概况”下）",
            "{%p if year %} 没有对应的 {%p endif %}",
        ),
        (
            ["一、概况", "{% endfor %}"],
            "第2段「{% endfor %}」（位于“一、概况”下）",
            "多余的 {% endfor %}：前面没有对应的 {% for … %}",
        ),
        (
            ["一、概况", "{% else %}"],
            "第2段「{% else %}」（位于“一、概况”下）",
            "{% else %} 前面没有对应的 {% if … %} 或 {% for … %}",
        ),
        (
            ["一、概况", "{{ year 年"],
            "第2段「{{ year 年」（位于“一、概况”下）",
            "标签 {{ year 年 缺少结尾的 }}：标签要在同一段内写完",
        ),
        (
            ["一、概况", "{% iff year %}有{% endif %}"],
            "第2段「{% iff year %}有{% endif %}」（位于“一、概况”下）",
            "未知的标签 {% iff year %}；您是否要写 if？",
        ),
        (
            ["一、概况", "{%p if year %}", "有", "{% endif %}"],
            "第4段「{% endif %}」（位于“一、概况”下）",
            "{% endif %} 与 {%p if year %} 不配套：{%p if year %} 要用 {%p endif %} 结束",
        ),
        (
            ["一、概况", "{% p if year %}", "有", "{%p endif %}"],
            "第2段「{% p if year %}」（位于“一、概况”下）",
            "{% p if year %} 中 p 与 {% 之间不能有空格：应写作 {%p if year %}",
        ),
        (
            ["一、概况", "{{ year + }}"],
            "第2段「{{ year + }}」（位于“一、概况”下）",
            "标签写法有误，无法解析（Jinja：unexpected 'end of print statement'）",
        ),
    ],
    ids=["unclosed_if", "stray_endfor", "stray_else", "unclosed_braces", "unknown_tag", "mismatch", "prefix", "jinja"],
)
def test_syntax_errors_where_they_are(paragraphs: list[str], where: str, message: str) -> None:
    assert check(template(*paragraphs)) == (
        1,
        [f"错误：mine.docx：{where}：{message}", f"模板检查未通过：mine.docx 有 1 处错误{BY_SAMPLE}"],
    )


# ---------------------------------------------------------------- tags typed with a Chinese input method


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "｛｛ year ｝｝",
            "标签 ｛｛ year ｝｝ 中有全角字符：“｛”应改为“{”，“｝”应改为“}”；请在英文输入状态下输入标签",
        ),
        ("{{ year ｝｝", "标签 {{ year ｝｝ 中有全角字符：“｝”应改为“}”；请在英文输入状态下输入标签"),
        (
            "{％ if year ％}有{% endif %}",
            "标签 {％ if year ％} 中有全角字符：“％”应改为“%”；请在英文输入状态下输入标签",
        ),
        (
            "{{ offices|join（'、'） }}",
            "标签 {{ offices|join（'、'） }} 中有全角字符：“（”应改为“(”，“）”应改为“)”；请在英文输入状态下输入标签",
        ),
        (
            "{{ offices|join(「、」) }}",
            "标签 {{ offices|join(「、」) }} 中有全角字符：“「”应改为“'”，“」”应改为“'”；请在英文输入状态下输入标签",
        ),
        ("{{ year｜plain }}", "标签 {{ year｜plain }} 中有全角字符：“｜”应改为“|”；请在英文输入状态下输入标签"),
    ],
    ids=["braces", "closing_braces", "percent", "parentheses", "corner_quotes", "bar"],
)
def test_full_width_characters_in_tags(text: str, message: str) -> None:
    tpl = template(text)
    expected = f"错误：mine.docx：第1段「{text}」：{message}"
    assert check(tpl) == (1, [expected, f"模板检查未通过：mine.docx 有 1 处错误{BY_SAMPLE}"])
    assert build(tpl) == (1, [expected])  # without the check, ｛｛ year ｝｝ would print as typed, exit 0


def test_smart_quotes_in_tags_are_fine_because_docxtpl_straightens_them() -> None:
    tpl = template("{{ offices|join(‘、’) }}", "{{ final_units|join(“、”) }}")
    assert check(tpl) == (0, [f"模板检查通过：mine.docx{BY_SAMPLE}"])
    assert build(tpl) == (0, [])
    texts = [p.text for p in docx.Document("out/2022.docx").paragraphs]
    assert texts[0].startswith("办公室、") and "‘" not in texts[0]


# ---------------------------------------------------------------- text a {%p %} / {%tr %} tag deletes


def test_text_deleted_with_a_paragraph_tag_is_a_warning() -> None:
    tpl = template("说明：{%p if year %}", "有", "{%p endif %}")
    assert check(tpl) == (
        0,
        [
            "警告：mine.docx：第1段「说明：{%p if year %}」：这一段中的“说明：”在生成时会被删除："
            "含 {%p %} 标签的段落整段由标签代替；请把文字移到另一段",
            f"模板检查通过：mine.docx，有 1 处警告{BY_SAMPLE}",
        ],
    )
    code, _ = build(tpl)
    assert code == 0 and [p.text for p in docx.Document("out/2022.docx").paragraphs] == ["有"]  # 说明： is gone


def test_text_deleted_with_a_row_tag_and_a_tag_lost_with_a_paragraph_tag() -> None:
    tpl = template(
        "{%p if year %}{%p endif %}",
        table=[["{%tr for d in duties %}", "备注"], ["{{ d }}", ""], ["{%tr endfor %}", ""]],
    )
    assert check(tpl) == (
        1,
        [
            "错误：mine.docx：第1段「{%p if year %}{%p endif %}」：这一段中的标签 {%p if year %} 在生成时会被删除："
            "含 {%p %} 标签的段落整段由最后一个 {%p %} 标签代替；请把每个 {%p %} 标签单独放在一段",
            "错误：mine.docx：第1段「{%p if year %}{%p endif %}」：多余的 {%p endif %}：前面没有对应的 {%p if … %}",
            "警告：mine.docx：表格1 第1行第1列「{%tr for d in duties %}」：这一行中的“备注”在生成时会被删除："
            "含 {%tr %} 标签的表格行整行由标签代替；请把文字移到另一行",
            f"模板检查未通过：mine.docx 有 2 处错误、1 处警告{BY_SAMPLE}",
        ],
    )


# ---------------------------------------------------------------- build says the same


def test_build_reports_what_check_reports() -> None:
    tpl = template(("Heading 1", "一、单位基本情况"), "{{ unit.short_nmae|plain }}", "{{ year|mony }}")
    code, lines = check(tpl)
    assert code == 1 and len(lines) == 3
    assert build(tpl) == (1, lines[:2])


def test_a_filter_failing_on_a_value_says_where_instead_of_not_a_word_template() -> None:
    code, errors = build(template("一、概况", "{{ unit.name|money }}"))
    assert code == 1 and len(errors) == 1
    assert errors[0].startswith("错误：mine.docx：模板渲染失败：")
    assert errors[0].endswith("（位于“{{ unit.name|money }}”附近）")
