"""Proofreading the typed text (issue 8 §6): exactly the slips the sample and the published reference really have.

What is correct must never be flagged, so these tests list every hit over every paragraph of the sample workbook
and every line of the reference report, and each rule's near misses: numbering “1）”, 叠词, a code “GB/T 9704”, a plan
in 下一步改进措施.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import openpyxl
import pytest

from pipeline.checks import text as text_rules
from pipeline.checks.text import PROOFREADING, proofread
from pipeline.findings import codes
from pipeline.findings.collector import Finding
from pipeline.findings.report import JSON_KEYS, as_json
from pipeline.model import schema
from pipeline.session import inspect

from .conftest import SAMPLE, list_column

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "000_d37af7e0298c8694.txt"
PROOFREADING_CODES = {c.code for c in PROOFREADING}
END = "是年中的写法，年度报告应写明截至2022年12月31日的实际情况"


def hits(text: str, year: int | None = 2022, *, forward: bool = False) -> list[tuple[str, str]]:
    return [(s.code.code, s.anchor) for s in proofread(text, year, forward=forward)]


def proofreading_findings(path: Path) -> list[Finding]:
    return [f for f in inspect(path).findings if f.code in PROOFREADING_CODES]


# The sample: the reference's own text, typed into the workbook. 文字!B4 is the 3,000-character paragraph of L77.
SAMPLE_HITS = [
    ("W_DOC_NUMBER", "基本信息", "B7", "中发2018）34号", "文号“中发2018）34号”格式不规范，应为“中发〔2018〕34号”"),
    ("W_DOC_NUMBER", "项目", "E3", "【2022】41号", "文号“【2022】41号”格式不规范，应为“〔2022〕41号”"),
    ("W_STALE_WORDING", "文字", "B4", "目前正在", f"“目前正在”{END}"),
    ("W_STALE_WORDING", "文字", "B4", "目前建设方正在", f"“目前建设方正在”{END}"),
    ("W_STALE_WORDING", "文字", "B4", "预计12月31日前", f"“预计12月31日前”{END}"),
    ("W_STALE_WORDING", "文字", "B4", "截至目前", f"“截至目前”{END}"),
    ("W_STALE_WORDING", "文字", "B4", "现正在", f"“现正在”{END}"),
    ("W_STALE_WORDING", "文字", "B4", "将在本年度12月底", f"“将在本年度12月底”{END}"),
    ("W_DIGITS", "文字", "B4", "１７", "“１７”用了全角数字，应为半角“17”"),
    ("W_DIGITS", "文字", "B4", "２５.７３", "“２５.７３”用了全角数字，应为半角“25.73”"),
    (
        "W_REPEATED_WORD",
        "文字",
        "B4",
        "质量安全质量隐患",
        "“质量安全质量隐患”中“质量”重复，同一段另写作“质量安全隐患”",
    ),
    ("W_DIGITS", "文字", "B4", "54 %", "数字“54 %”中间有空格，应为“54%”"),
    ("W_STRAY_SPACE", "文字", "B8", "》 ，", "“》 ，”中标点前多了空格，应为“》，”"),
    (
        "W_DOC_NUMBER",
        "文字",
        "B9",
        "山财绩【2023】170号",
        "文号“山财绩【2023】170号”格式不规范，应为“山财绩〔2023〕170号”",
    ),
]

# The reference, line by line (its figures' lines too: “总支出 12678.39万元”, “9960.59 万元” are not slips).
REFERENCE_HITS = [
    (3, "W_DOC_NUMBER", "中发2018）34号"),
    (57, "W_STALE_YEAR", "2021年部门决算"),  # its 部门决算单位构成, kept from the 2021 report
    (68, "W_STRAY_SPACE", "境） 费"),
    (68, "W_UNIT_WORD", "4.27元"),  # “三公”经费决算数 4.27元, 其中 0 + 1.84 + 2.43 万元
    (71, "W_STRAY_SPACE", "日， 固"),
    (77, "W_STALE_WORDING", "目前正在"),
    (77, "W_STALE_WORDING", "目前建设方正在"),
    (77, "W_STALE_WORDING", "预计12月31日前"),
    (77, "W_STALE_WORDING", "截至目前"),
    (77, "W_STALE_WORDING", "现正在"),
    (77, "W_STALE_WORDING", "将在本年度12月底"),
    (77, "W_DIGITS", "１７"),
    (77, "W_DIGITS", "２５.７３"),
    (77, "W_REPEATED_WORD", "质量安全质量隐患"),
    (77, "W_DIGITS", "54 %"),
    (80, "W_DOC_NUMBER", "【2022】41号"),
    (96, "W_STRAY_SPACE", "》 ，"),
    (100, "W_DOC_NUMBER", "山财绩【2023】170号"),
]


def test_the_sample_gives_exactly_its_slips() -> None:
    found = proofreading_findings(SAMPLE)
    assert [(f.code, f.sheet, f.cell, f.anchor, f.message) for f in found] == SAMPLE_HITS
    assert all(f.severity == "warning" for f in found)


def test_each_anchor_stands_in_its_cell_exactly_as_typed() -> None:
    wb = openpyxl.load_workbook(SAMPLE)
    for f in proofreading_findings(SAMPLE):
        assert f.anchor in str(wb[f.sheet][f.cell].value), f


@pytest.mark.skipif(not REFERENCE.is_file(), reason=f"the published reference report is not here: {REFERENCE}")
def test_the_reference_gives_exactly_its_slips() -> None:
    lines = REFERENCE.read_text(encoding="utf-8").splitlines()
    found = [(n, code, anchor) for n, line in enumerate(lines, 1) for code, anchor in hits(line)]
    assert found == REFERENCE_HITS


def test_the_township_sample_is_clean() -> None:
    assert proofreading_findings(SAMPLE.parent / "township-2023.xlsx") == []


# 1. 文号


@pytest.mark.parametrize(
    ("text", "anchor", "fixed"),
    [
        ("《意见》（中发2018）34号）精神", "中发2018）34号", "中发〔2018〕34号"),
        ("根据湘政发〔201910号文件", "湘政发〔201910号", "湘政发〔2019〕10号"),
        ("根据【2022】41号专题会议纪要", "【2022】41号", "〔2022〕41号"),
        ("山财绩[2023]170号", "山财绩[2023]170号", "山财绩〔2023〕170号"),
        ("按照湘财预（2021）5号要求", "湘财预（2021）5号", "湘财预〔2021〕5号"),
        ("国办发2019101号", "国办发2019101号", "国办发〔2019〕101号"),
        ("衡办〔2019〕第06号", "衡办〔2019〕第06号", "衡办〔2019〕6号"),
    ],
)
def test_a_document_number_out_of_form_gets_its_corrected_form(text: str, anchor: str, fixed: str) -> None:
    [slip] = proofread(text, 2022)
    assert (slip.code, slip.anchor, slip.message) == (
        codes.W_DOC_NUMBER,
        anchor,
        f"文号“{anchor}”格式不规范，应为“{fixed}”",
    )


@pytest.mark.parametrize(
    "text",
    [
        "《实施意见》（湘办发〔2019〕10号）和山财绩〔2023〕88号有关要求",
        "（衡办〔2019〕6号）",
        "（2022）湘0423民初123号判决",  # a court's case number keeps its （）
        "3号楼、12号院",
        "共计2019户，完成2022年度目标",
        "编号20221号楼",
    ],
)
def test_a_correct_document_number_or_another_number_is_not_flagged(text: str) -> None:
    assert hits(text) == []


# 2. Brackets and quotation marks


def test_an_unbalanced_bracket_is_quoted_with_the_text_around_it() -> None:
    [slip] = proofread("密切关注项目资金使用情况（专款专用。", 2022)
    assert (slip.code, slip.anchor, slip.message) == (
        codes.W_BRACKETS,
        "项目资金使用情况（专款专用。",
        "括号不成对：“项目资金使用情况（专款专用。”中的左括号“（”没有对应的右括号“）”",
    )


def test_a_quotation_mark_typed_twice_is_counted() -> None:
    [slip] = proofread("打入补贴人员“一卡通“账户内", 2022)
    assert (
        slip.message == "引号不成对：“打入补贴人员“一卡通“账户内”中的左引号没有对应的右引号（该单元格共有 2 处不成对）"
    )


@pytest.mark.parametrize(
    ("text", "anchor"),
    [
        ("总额为25）元", "总额为25）元"),
        ("整治工作1）规范建筑行业", "整治工作1）规范建筑行业"),  # numbering glued to the sentence before it
        ("严格执行《专项资金管理办法，充分发挥", "严格执行《专项资金管理办法"),
        ("“百日行动期间", None),
    ],
)
def test_unmatched_marks(text: str, anchor: str | None) -> None:
    assert [s.code for s in proofread(text)] == [codes.W_BRACKETS]
    if anchor:
        assert proofread(text)[0].anchor == anchor


@pytest.mark.parametrize(
    "text",
    [
        "包括：1）规范建筑行业；2）做好燃气安全",
        "1）规范\n2）加强",
        "一）科学编制预算；二）规范资金使用",
        "a) 预算 b) 决算",
        "（1）预算控制率有待加强。（十一）承担全县物业管理",
        "《中共衡阳市委办公室关于印发〈衡山县机构改革方案〉的通知》（衡办〔2019〕6号）",
        "“百日行动”期间，‘一单四制’",
        "don’t",
    ],
)
def test_numbering_and_balanced_marks_are_not_flagged(text: str) -> None:
    assert hits(text) == []


# 3. Figures


@pytest.mark.parametrize(
    ("text", "anchor", "message"),
    [
        ("办理建筑施工许可项目 １７个", "１７", "“１７”用了全角数字，应为半角“17”"),
        ("总建筑面积２５.７３万平方米", "２５.７３", "“２５.７３”用了全角数字，应为半角“25.73”"),
        ("提高到54 %", "54 %", "数字“54 %”中间有空格，应为“54%”"),
        ("总支出12 678.39万元", "12 678.39", "数字“12 678.39”中间有空格，应为“12678.39”"),
        ("共1 000 000元", "1 000 000", "数字“1 000 000”中间有空格，应为“1000000”"),
        ("比例为５４ ％", "５４ ％", "“５４ ％”用了全角数字且中间有空格，应为“54％”"),
    ],
)
def test_a_figure_in_full_width_or_split_by_a_space(text: str, anchor: str, message: str) -> None:
    [slip] = proofread(text, 2022)
    assert (slip.code, slip.anchor, slip.message) == (codes.W_DIGITS, anchor, message)


@pytest.mark.parametrize(
    "text",
    [
        "按 GB/T 9704 2012 排版",
        "2023-03-31 10:00 报送",
        "2023年 3月",
        "上半年符合发放条件的为 976 户，总支出 12678.39万元，项目支出9960.59 万元",
        "联系电话 0734 5821234",
        "2022 2023 两个年度",
        "绿色建筑占比达到97％，1－12月",
    ],
)
def test_spaces_beside_a_figure_and_codes_are_not_flagged(text: str) -> None:
    assert hits(text) == []


# 4. A word typed twice


@pytest.mark.parametrize(
    ("text", "anchor", "message"),
    [
        ("坚持安全安全生产", "安全安全", "“安全安全”中“安全”重复"),
        ("加强人民防空人民防空工程管理", "人民防空人民防空", "“人民防空人民防空”中“人民防空”重复"),
        ("一是一是加强管理", "一是一是", "“一是一是”中“一是”重复"),
        ("项目的的实施", "的的", "“的的”中“的”重复"),
        ("会计科目的的设置", "的的", "“的的”中“的”重复"),
        (
            "发现质量安全质量隐患，消除了质量安全隐患",
            "质量安全质量隐患",
            "“质量安全质量隐患”中“质量”重复，同一段另写作“质量安全隐患”",
        ),
    ],
)
def test_a_word_typed_twice(text: str, anchor: str, message: str) -> None:
    [slip] = proofread(text, 2022)
    assert (slip.code, slip.anchor, slip.message) == (codes.W_REPEATED_WORD, anchor, message)


@pytest.mark.parametrize(
    "text",
    [
        "常常、人人、年年、个个、一一对应，让群众明明白白消费",
        "一个一个地落实，一步一步推进",
        "实现目的的手段，的的确确，标的的价格",
        "对重点防护目标防护工作进行指导",  # the same shape as 质量安全质量隐患, correct
        "推进住房和城乡建设信息化和信息资料的公共服务",
        "发现质量安全质量隐患",  # no evidence in the text that 质量 is one too many
        "发现质量安全质量隐患\n消除了质量安全隐患",  # nor in its own paragraph
        "2022年年初预算，城市市政工程，公租房房源",
    ],
)
def test_reduplication_and_look_alikes_are_not_flagged(text: str) -> None:
    assert hits(text) == []


# 5. Stale wording


@pytest.mark.parametrize(
    "anchor",
    [
        *("截至目前", "截止目前", "目前正在", "目前建设方正在", "现正在", "下半年将", "2022年下半年将"),
        *("预计12月31日前", "预计年底前", "预计年内", "将于2022年", "将在本年度12月底", "预计今年10月底"),
    ],
)
def test_stale_wording(anchor: str) -> None:
    assert hits(f"项目，{anchor}完成") == [("W_STALE_WORDING", anchor)]


@pytest.mark.parametrize(
    "text",
    [
        "预计2023年3月底前完工",  # next year: a plan
        "将于6月底前完成整改",  # no year, and not December: may well be next year
        "2023年下半年将开展评价",
        "10台正在建设中，现已进入正式实施阶段，目前已初步使用",
        "目前，我县没有一起烂尾楼盘",
        "发现正在施工的违建",
        "绩效评价结果将按照财政有关要求在指定信息平台进行公开",
    ],
)
def test_year_end_facts_and_plans_for_later_are_not_stale(text: str) -> None:
    assert hits(text) == []


def test_a_plan_is_never_stale() -> None:
    assert hits("预计12月31日前全部完工", forward=True) == []
    assert hits("预计12月31日前全部完工") == [("W_STALE_WORDING", "预计12月31日前")]
    assert hits("将于2021年完成", 2022) == []
    assert hits("将于2021年完成", None) == [("W_STALE_WORDING", "将于2021年")]


# 6. A year that is not the report's, where the text names this year's accounts


@pytest.mark.parametrize(
    ("text", "anchor", "fixed"),
    [
        ("衡山县住建局2021年部门决算为本级。", "2021年部门决算", "2022年部门决算"),
        ("2021年年初预算安排收入3020.53万元", "2021年年初预算", "2022年年初预算"),
        ("对2021年度部门整体支出绩效进行评价", "2021年度部门整体支出", "2022年度部门整体支出"),
        ("2021年决算总收入12668.73万元", "2021年决算总收入", "2022年决算总收入"),
        ("2023年部门决算", "2023年部门决算", "2022年部门决算"),  # next year's 决算 does not exist yet
        ("，2020年部门预算编制", "2020年部门预算", "2022年部门预算"),
    ],
)
def test_a_stale_year_before_this_years_accounts(text: str, anchor: str, fixed: str) -> None:
    [slip] = proofread(text, 2022)
    assert (slip.code, slip.anchor, slip.message) == (
        codes.W_STALE_YEAR,
        anchor,
        f"“{anchor}”的年份不是报告年度：本年度的应为“{fixed}”",
    )


@pytest.mark.parametrize(
    "text",
    [
        "2022年部门决算为本级。2022年年初预算安排收入3020.53万元",  # the report's year
        "与2021年部门决算相比，支出增加",  # comparisons
        "较2021年年初预算增加120万元",
        "比上年（2021年部门决算）减少",
        "2021年决算数为12000万元",  # last year's figure, quoted: a bare 决算 is never judged
        "2023年部门预算已按要求编制，2023年年初预算安排收入3100万元",  # next year's budget
        "后山片区已于2021年通气，2021年建成",  # history
    ],
)
def test_the_years_a_report_rightly_names_are_not_flagged(text: str) -> None:
    assert hits(text) == []


def test_a_plan_may_name_any_year_and_without_a_year_nothing_is_judged() -> None:
    assert hits("在编制2024年部门预算时，参照2021年部门决算", forward=True) == []
    assert hits("2021年部门决算", None) == []


# 7. An amount whose unit word differs from the amounts it adds up with


@pytest.mark.parametrize(
    ("text", "anchor", "fixed"),
    [
        (
            "“三公”经费决算数4.27元，其中：因公出国（境）费0万元，公务用车运行维护费1.84万元，公务接待费2.43万元。",
            "4.27元",
            "4.27万元",
        ),
        ("支出合计120万元，其中：基本支出100万元，项目支出20元。", "20元", "20万元"),  # a part the odd one out
        ("收入 1,250.5 万元，其中财政拨款1,000万元，其他收入250.5亿元", "250.5亿元", "250.5万元"),
    ],
)
def test_an_amount_with_the_wrong_unit_word(text: str, anchor: str, fixed: str) -> None:
    [slip] = proofread(text, 2022)
    assert (slip.code, slip.anchor) == (codes.W_UNIT_WORD, anchor)
    assert slip.message.endswith(f"按数字应为“{fixed}”")


@pytest.mark.parametrize(
    "text",
    [
        "总投资1.2亿元，其中：中央资金4000万元，地方资金8000万元。",  # adds up once converted
        "发放住房补贴资金106万元，每户补助1200元，共976户。",  # no sum beside it: never judged
        "预算数7万元，其中：因公出国（境）费0万元，公务用车运行维护费2万元，公务接待费5万元。",
        "决算数4.27元，其中：公务用车运行维护费1.84万元。公务接待费2.43万元。",  # one part per sentence only
        "支出12万元，其中：基本支出5万元，项目支出8元。",  # does not add up: not the unit's fault, not judged
        "合计3元，其中：甲1千元，乙2万元。",  # one of each: no unit most share
    ],
)
def test_amounts_that_do_not_prove_a_wrong_unit_are_not_flagged(text: str) -> None:
    assert hits(text) == []


# 8. A space beside a full-width punctuation mark


@pytest.mark.parametrize(
    ("text", "anchor", "fixed", "where"),
    [
        ("《专项资金管理办法》 ，充分发挥", "》 ，", "》，", "前"),
        ("全部完工　。", "工　。", "工。", "前"),
        ("截至2022年12月31日， 固定资产", "日， 固", "日，固", "后"),
        ("因公出国（境） 费0万元", "境） 费", "境）费", "后"),
    ],
)
def test_a_stray_space_beside_punctuation(text: str, anchor: str, fixed: str, where: str) -> None:
    [slip] = proofread(text, 2022)
    assert (slip.code, slip.anchor, slip.message) == (
        codes.W_STRAY_SPACE,
        anchor,
        f"“{anchor}”中标点{where}多了空格，应为“{fixed}”",
    )


@pytest.mark.parametrize(
    "text",
    [
        "　　一是加强管理。\n　　二是规范使用。",  # indents
        "联系电话： 0734-5821234，网址： www.hsx.gov.cn",  # before a figure or Latin text
        "Budget , not 预算",  # ASCII punctuation is not judged
        "“百日行动”期间，‘一单四制’",
    ],
)
def test_indents_and_spaces_before_figures_or_latin_are_not_flagged(text: str) -> None:
    assert hits(text) == []


# Where the checks look: every printed free-text field of the schema, at its cell


def _write(wb: openpyxl.Workbook, sheet: schema.ListSheet, key: str, row: int, value: object) -> None:
    wb[sheet.name].cell(row=row, column=list_column(sheet, key), value=value)


def test_every_printed_text_field_is_read_and_plans_keep_their_future_tense(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(SAMPLE)
    _write(wb, schema.OFFICES, "name", 3, "办公室（综合股")
    _write(wb, schema.STAFFING, "positions", 3, "设局长１名")
    _write(wb, schema.KPIS, "unit", 3, "平方米（㎡")  # a KPI's 计量单位: the record refuses place("unit")
    _write(wb, schema.KPIS, "remark", 4, "预计12月31日前完成")
    _write(wb, schema.KPIS, "target", 9, "截至目前无烂尾楼盘")  # 年度指标值: a target, not stale
    _write(wb, schema.KPIS, "project", 3, "项目（甲")  # 所属项目 only points at a project: not printed as typed
    _write(wb, schema.PROJECTS, "goal", 3, "预计12月31日前完工")  # 年度目标: a plan
    _write(wb, schema.PROJECTS, "outcome", 3, "预计12月31日前完工")
    texts = wb[schema.TEXTS.name]
    measures = next(r for r in range(3, texts.max_row + 1) if texts.cell(r, 1).value == "下一步改进措施")
    texts.cell(measures, 2).value = "（1）预计12月31日前完成整改，安全安全"
    path = tmp_path / "2022.xlsx"
    wb.save(path)
    found = [(f.code, f.sheet, f.cell, f.anchor) for f in proofreading_findings(path)]
    assert [hit for hit in found if hit not in {(c, s, cell, a) for c, s, cell, a, _ in SAMPLE_HITS}] == [
        ("W_BRACKETS", "内设机构", "A3", "办公室（综合股"),
        ("W_DIGITS", "人员编制", "D3", "１"),
        ("W_STALE_WORDING", "项目", "K3", "预计12月31日前"),  # 实际完成情况, not 年度目标
        ("W_BRACKETS", "绩效指标", "H3", "平方米（㎡"),
        ("W_STALE_WORDING", "绩效指标", "K4", "预计12月31日前"),
        ("W_REPEATED_WORD", "文字", f"B{measures}", "安全安全"),  # a plan is still proofread, only not for tense
    ]


def test_json_output_keeps_its_keys_and_the_anchor_is_optional() -> None:
    plain = Finding.of(codes.W_SUM_MISMATCH, "a.xlsx", "收支预决算", "E9", "相差")
    anchored = Finding.of(codes.W_DIGITS, "a.xlsx", "文字", "B4", "“１７”用了全角数字，应为半角“17”", "１７")
    assert (plain.anchor, anchored.anchor) == ("", "１７")
    assert [list(item) for item in json.loads(as_json([plain, anchored]))] == [list(JSON_KEYS)] * 2
    assert str(anchored) == "a.xlsx › 文字!B4：“１７”用了全角数字，应为半角“17”"


def test_each_codes_example_is_a_message_it_really_gives(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(SAMPLE)
    cell = wb[schema.TEXTS.name]["B8"]  # 下一步改进措施 (2), its 》 deleted
    cell.value = str(cell.value).replace("》 ，", "，")
    wb[schema.TEXTS.name]["B10"] = (  # 其他需要说明的情况: three sentences of the published report (L57, L68, L71)
        "衡山县住房和城乡建设局（人防办）2021年部门决算为县住房和城乡建设局（人防办）本级。"
        "“三公”经费决算数4.27元，其中：因公出国（境）费0万元，公务用车运行维护费1.84万元，公务接待费2.43万元。"
        "截至2022年12月31日， 固定资产账面原值2317.93万元。"
    )
    path = tmp_path / "2022.xlsx"
    wb.save(path)
    given = {f"{f.sheet}!{f.cell}：{f.message}" for f in proofreading_findings(path)}
    assert {c.example for c in PROOFREADING} <= given


def test_a_pasted_block_gives_a_few_findings_that_say_how_many_there_are() -> None:
    slips = proofread("绩效评价" * 5000, 2022)
    assert len(slips) == 10
    assert slips[-1].message == "“绩效评价绩效评价”中“绩效评价”重复（该单元格共有 2500 处同类问题，只列出前 10 处）"
    [digits] = proofread("１" * 20000)
    assert (digits.anchor, digits.message) == (
        "１" * 24,
        f"“{'１' * 24}…”用了全角数字或中间有空格，应为半角数字、连续书写",
    )


# proofread wakes a rule only where the text holds what the rule needs (issue 19 §4). Whatever it skips must be
# what the rule would not have found: the same texts through every rule, one by one, give the very same slips.

PIECES = (
    *"绩效评价质量安全隐患目标防护工作资金管理的地得一是",
    *"0123456789０１２３４５６７８９.．,%％‰:：-/_",
    *" \u3000\u00a0\n",
    *"（）()【】〔〕《》〈〉“”‘’[]［］〖〗",
    *"，。；;：！？、」』Ab",
    "号", "第", "年", "年度", "元", "万元", "千元", "亿元", "其中", "其中：", "发", "办", "函", "字", "根据", "中发",
    "2018", "2021", "2022", "2023", "〔2022〕41号", "【2022】41号", "2018）34号", "12月", "12月底", "本年度", "年内",
    "截至目前", "截止目前", "目前", "正在", "现正在", "下半年将", "预计", "将于", "将在", "的的", "目的的",
    "项目的的", "质量安全质量隐患", "绩效评价绩效评价", "一个一个", "一是一是", "部门决算", "部门预算", "年初预算",
    "决算总支出", "较上年", "4.27元", "1.84万元", "2.43万元", "1,200元", "don’t", "1）", "GB/T 9704",
    "12 678.39", "54 %", "》 ，", "日， 固", "（境） 费", "2021年部门决算", "2023年度部门预算",
    "4.27元，其中：1.84万元，2.43万元", "1.2亿元，其中：4000万元，8000万元", "其中：1.84元，2.43万元",
)  # fmt: skip


def each_rule(text: str, year: int | None, forward: bool) -> list[tuple[str, int, str, str]]:
    """The slips as proofread gave them before it learnt to skip rules: every rule over every text."""
    numbers = text_rules.doc_number_slips(text)
    kinds = [numbers, text_rules.bracket_slips(text, numbers), text_rules.digit_slips(text)]
    kinds.append(text_rules.repeat_slips(text))
    if not forward:
        kinds.append(text_rules.stale_slips(text, year))
    later = text_rules.one_pass_slips(text, year, forward=forward)
    kinds += [[s for s in later if s.code is code] for code in (codes.W_STALE_YEAR, codes.W_UNIT_WORD)]
    kinds.append([s for s in later if s.code is codes.W_STRAY_SPACE])
    slips = sorted((s for k in kinds for s in text_rules._at_most(k)), key=lambda s: s.start)
    return [(s.code.code, s.start, s.anchor, s.message) for s in slips]


def unmatched_by_scanning(text: str) -> list[tuple[int, str, str]]:
    """Each pair of marks counted on its own by reading every character, as bracket_slips once did."""
    unmatched: list[tuple[int, str, str]] = []
    for opener, closer in text_rules._PAIRS.items():
        stack: list[int] = []
        for i, ch in enumerate(text):
            if ch == opener:
                stack.append(i)
            elif ch == closer:
                if stack:
                    stack.pop()
                elif not text_rules._numbering(text, i) and not text_rules._apostrophe(text, i):
                    unmatched.append((i, ch, opener))
        unmatched += [(i, opener, closer) for i in stack]
    return sorted(unmatched)


def test_skipping_rules_that_cannot_fire_changes_no_slip() -> None:
    rng = random.Random(19)
    woken: set[str] = set()
    for n in range(4000):
        text = "".join(rng.choices(PIECES, k=rng.randint(0, 40 if n % 50 else 400)))
        year, forward = rng.choice((2022, 2022, 2023, None)), rng.random() < 0.2
        expected = each_rule(text, year, forward)
        assert [(s.code.code, s.start, s.anchor, s.message) for s in proofread(text, year, forward=forward)] == (
            expected
        ), text
        assert text_rules._unmatched(text) == unmatched_by_scanning(text), text
        woken |= {code for code, *_ in expected}
    assert woken == PROOFREADING_CODES  # the texts wake every rule, so each skip was put to the test


def test_a_text_typed_in_many_cells_is_flagged_in_each(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(SAMPLE)
    for row in (3, 4, 5):  # check_text reads a text once however often it is typed: each cell still gets its slip
        _write(wb, schema.PROJECTS, "outcome", row, "已完工，安全安全")
        _write(wb, schema.PROJECTS, "goal", row, "预计12月31日前完工")  # as a plan: not stale in any row
    _write(wb, schema.PROJECTS, "outcome", 6, "预计12月31日前完工")  # the same words as a result: stale
    path = tmp_path / "2022.xlsx"
    wb.save(path)
    found = [(f.code, f.cell, f.anchor) for f in proofreading_findings(path) if f.sheet == schema.PROJECTS.name]
    assert [hit for hit in found if hit[2] != "【2022】41号"] == [
        ("W_REPEATED_WORD", "K3", "安全安全"),
        ("W_REPEATED_WORD", "K4", "安全安全"),
        ("W_REPEATED_WORD", "K5", "安全安全"),
        ("W_STALE_WORDING", "K6", "预计12月31日前"),
    ]
