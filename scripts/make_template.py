"""Build the default report template, templates/default/report.docx.

Run ``python scripts/make_template.py`` after changing it; the result is committed and
may then be edited in Word (styles, wording). The outline and wording reproduce the
published reference report (../shared/reference), with every figure a template field.
Layout per GB/T 9704-2012: A4, margins 37/35/28/26 mm, 3号仿宋 body on a 28.95 pt grid.
"""

from __future__ import annotations

import copy
import io
import re
import sys
import zipfile
from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.styles.style import BaseStyle

sys.path.insert(0, str(Path(__file__).resolve().parent))
from template_tables import (
    APPENDIX_COUNT,
    ATTACHMENT_LIST,
    BUILDINGS_WIDTHS,
    CLOSING,
    DEFAULT_KPIS,
    DUTIES,
    NINE,
    Cell,
    KpiColumns,
    add_kpi_table,
    add_table,
    basic_data_table,
    buildings_table,
    chart,
    department_table,
    kpi_groups,
    narrative,
    project_table,
    texts_kept_with_closing,
    title_text,
)

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "templates" / "default" / "report.docx"

FANGSONG = "仿宋_GB2312"
HEITI = "黑体"
KAITI = "楷体_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
SONGTI = "宋体"
BODY_PT = 16  # 3号
TITLE_PT = 22  # 2号
COVER_TITLE_PT = 26  # 1号
FOOTER_PT = 14  # 4号
TABLE_PT = 10.5  # 5号
LINE_PT = 28.95  # 22 lines in the 225 mm text block
TITLE_PER_LINE, COVER_TITLE_PER_LINE = 20, 17  # characters of 2号 and 1号 in the 156 mm text block
INDENT = Pt(BODY_PT * 2)  # two characters

# 同比, printed where last year's figures were given (and the template's sections.yoy is on).
YOY_BUDGET: list[tuple[str, str]] = [
    ("Normal", "{%p if sections.yoy and (yoy.budget.get('income_total') or yoy.budget.get('expense_total')) %}"),
    (
        "Normal",
        "{% set yi = yoy.budget.get('income_total') %}{% set ye = yoy.budget.get('expense_total') %}"
        "与上年决算数相比，{% if yi %}总收入{{ yi|delta }}{% if yi.rate is not none and yi.amount != 0 %}"
        "（{{ '增长' if yi.amount > 0 else '下降' }}{{ yi.rate|abs|pct }}）{% endif %}{% endif %}"
        "{% if yi and ye %}，{% endif %}"
        "{% if ye %}总支出{{ ye|delta }}{% if ye.rate is not none and ye.amount != 0 %}"
        "（{{ '增长' if ye.amount > 0 else '下降' }}{{ ye.rate|abs|pct }}）{% endif %}{% endif %}。",
    ),
    ("Normal", "{%p endif %}"),
]

# (style, text). Text holds Jinja; a "{%p …%}" line stands alone in its paragraph.
BODY: list[tuple[str, str]] = [
    ("Title", title_text(TITLE_PER_LINE)),
    (
        "Normal",
        "为进一步规范财政资金管理，切实提高财政资金使用效益，根据{{ basis }}，"
        "现将{{ words.self_name }}部门整体支出绩效评价情况报告如下：",
    ),
    ("Heading 1", "一、单位基本情况"),
    ("Heading 2", "（一）{{ words.unit_kind }}主要职责"),
    *DUTIES,
    ("Heading 2", "（二）内设机构设置及人员编制情况"),
    ("Normal", "内设{{ offices|join('、') }}等{{ offices_count_cn }}个{{ words.office }}。"),
    (
        "Normal",
        "{{ unit.short_name }}{% for s in staffing %}{{ s.kind }}{{ s.quota }}名"
        "{% if s.positions %}，{{ s.positions }}{% endif %}。{% endfor %}",
    ),
    ("Heading 2", "（三）{{ words.unit_kind }}决算单位构成"),
    ("Normal", "{{ unit.name }}{{ year }}年部门决算为{{ final_units|join('、') }}。"),
    ("Heading 1", "二、预算支出及绩效情况"),
    ("Heading 2", "（一）{{ words.unit_kind }}预决算情况"),
    ("Heading 3", "{% set h = namespace(n=1) %}1.{{ words.unit_kind }}预算情况"),
    (
        "Normal",
        # a unit entered from its published 决算 alone has no 年初预算数: said in words, never as “—万元”
        "{% set b = budget.initial %}{% if b.income_total is none and b.expense_total is none %}"
        "{{ year }}年年初预算数未填报，以下按决算数反映。{% else %}"
        "{% if b.income_total is not none %}{{ year }}年年初预算安排收入{{ b.income_total|money }}万元"
        "{% if b.income_sources %}，其中{% for s in b.income_sources %}{{ s.label }}{{ s.amount|money }}万元"
        "{% if not loop.last %}，{% endif %}{% endfor %}{% endif %}；{% endif %}"
        "{% if b.expense_total is not none %}{{ year }}年年初预算安排支出{{ b.expense_total|money }}万元"
        "{% if b.basic is not none and b.project is not none %}，其中：基本支出{{ b.basic|money }}万元，"
        "项目支出{{ b.project|money }}万元{% endif %}。{% endif %}{% endif %}",
    ),
    ("Heading 3", "{% set h.n = 2 %}2.{{ words.unit_kind }}决算情况（含年中预算追加情况）"),
    (
        "Normal",
        "{% set a = budget.actual %}{{ year }}年决算总收入{{ a.income_total|money }}万元"
        "{% if income_change.amount is not none %}，{% if income_change.word == '持平' %}与年初预算持平"
        "{% else %}较预算{{ income_change.word }}{{ income_change.amount|money }}万元{% endif %}{% endif %}，"
        "总支出{{ a.expense_total|money }}万元，"
        "其中：基本支出{{ a.basic|money }}万元，占总支出的{{ shares.basic|pct }}；"
        "项目支出{{ a.project|money }}万元，占总支出的{{ shares.project|pct }}。"
        "{{ texts.variance|join('\\n') }}",  # inline: a line break the user typed stays a line break
    ),
    *YOY_BUDGET,
    ("Normal", "{%p if indicators.budget_execution_rate.value is not none %}"),
    (
        "Normal",
        "全年预算执行率{{ indicators.budget_execution_rate.value|pct }}"
        "{% if indicators.budget_control_rate.value is not none %}，预算控制率"
        "{{ indicators.budget_control_rate.value|pct }}{% endif %}。",
    ),
    ("Normal", "{%p endif %}"),
    *chart("structure"),
    *chart("budget"),
    ("Normal", "{%p if sections.three_public and three_public %}"),
    ("Heading 3", "{% set h.n = h.n + 1 %}{{ h.n }}.“三公”经费执行情况"),
    (
        "Normal",
        "{% set tb = three_public.budget %}{% set ta = three_public.actual %}"
        "{% set yt = yoy.three_public.get('total') %}"
        "{% if ta.total == 0 and not tb.total %}{{ year }}年未发生“三公”经费支出。"
        "{% if sections.yoy and yt and yt.prior %}上年决算数{{ yt.prior|money }}万元。{% endif %}{% else %}"
        "{{ year }}年“三公”经费预算数{{ tb.total|money }}万元，其中：{% for p in tb.parts %}{{ p.label }}"
        "{{ p.amount|money }}万元{% if not loop.last %}，{% endif %}{% endfor %}。"
        "{% if ta.total == 0 %}全年未发生“三公”经费支出。{% else %}"
        "“三公”经费决算数{{ ta.total|money }}万元，其中：{% for p in ta.parts %}{{ p.label }}"
        "{{ p.amount|money }}万元{% if not loop.last %}，{% endif %}{% endfor %}。{% endif %}"
        "{% if indicators.three_public_control_rate.value is not none %}“三公”经费控制率"
        "{{ indicators.three_public_control_rate.value|pct }}。{% endif %}"
        "{% if sections.yoy and yt and (yt.prior or ta.total) %}"
        "与上年决算数{{ yt.prior|money }}万元相比{{ yt|delta }}。{% endif %}{% endif %}",
    ),
    ("Normal", "{%p endif %}"),
    ("Normal", "{%p if sections.procurement and procurement %}"),
    ("Heading 3", "{% set h.n = h.n + 1 %}{{ h.n }}.政府采购执行情况"),
    (
        "Normal",
        "{% set pa = procurement.actual %}{% if pa.total == 0 %}{{ year }}年度未发生政府采购支出。{% else %}"
        "{{ year }}年度政府采购支出{{ pa.total|money }}万元，"
        "其中：货物{{ pa.goods|money }}万元，工程{{ pa.works|money }}万元，服务{{ pa.services|money }}万元。"
        "{% endif %}",
    ),
    ("Normal", "{%p endif %}"),
    ("Normal", "{%p if sections.assets and assets %}"),
    ("Heading 3", "{% set h.n = h.n + 1 %}{{ h.n }}.资产管理情况"),
    (
        "Normal",
        "{{ year }}年年末资产总额{{ assets.total_assets|money }}万元，负债总额{{ assets.liabilities|money }}万元，"
        "净资产{{ assets.net_assets|money }}万元。截至{{ year }}年12月31日，固定资产账面原值"
        "{{ assets.fixed_assets|money }}万元{% if assets.fixed_in_use is not none %}，在用资产"
        "{{ assets.fixed_in_use|money }}万元{% endif %}"
        "{% if indicators.fixed_asset_utilization.value is not none %}，资产使用率"
        "{{ indicators.fixed_asset_utilization.value|pct }}{% endif %}。",
    ),
    ("Normal", "{%p endif %}"),
    ("Heading 2", "（二）资金使用及绩效情况"),
    ("Heading 3", "1.整体绩效目标完成情况"),
    (
        "Normal",
        "（1）根据预算绩效管理要求，{{ words.self_name }}组织对{{ year }}年度项目支出全面开展绩效自评。"
        "本年度项目支出{% if budget.initial.project is not none %}年初预算数{{ budget.initial.project|money }}万元，"
        "{% endif %}实际支出"
        "{{ budget.actual.project|money }}万元{% if function_groups %}，主要项目列支如下："
        "{% for g in function_groups %}{{ g.name }}{{ g.amount|money }}万元{% if g.children %}（"
        "{% for c in g.children %}{{ c.name }}{{ c.amount|money }}万元{% if not loop.last %}，{% endif %}"
        "{% endfor %}）{% endif %}{% if not loop.last %}，{% endif %}{% endfor %}{% endif %}。",
    ),
    *chart("functions"),
    *narrative("overall"),
    ("Normal", "{%p if evaluation.total is not none %}"),
    (
        "Normal",
        "经自评，{{ year }}年度部门整体支出绩效自评得分{{ evaluation.total|score }}分"
        "{% if evaluation.grade %}，等级为“{{ evaluation.grade }}”{% endif %}。",
    ),
    ("Normal", "{%p endif %}"),
    *chart("indicators"),
    ("Normal", "{%p if sections.projects %}"),
    ("Heading 3", "2.项目绩效目标完成情况（仅对{{ threshold|plain }}万元以上的项目资金进行分项说明）"),
    ("Normal", "{%p for p in major_projects %}"),
    (
        "Normal",
        "（{{ loop.index }}）{{ p.name }}。{% if p.description %}{{ p.description }}{% endif %}"
        "{% if p.cost is not none %}该项目工程总造价{{ p.cost|money }}万元{% else %}该项目"
        "{% if p.adjusted is not none %}全年预算{{ p.adjusted|money }}万元{% endif %}"
        "{% if p.adjusted is not none and p.actual is not none %}，{% endif %}"
        "{% if p.actual is not none %}全年执行{{ p.actual|money }}万元{% endif %}{% endif %}"
        "{% if p.paid is not none %}，已支付{{ p.paid|money }}万元{% endif %}"
        "{% if p.status %}，{{ p.status }}{% endif %}。",
    ),
    ("Normal", "{%p endfor %}"),
    ("Normal", "{%p if not major_projects %}"),
    ("Normal", "本年度无{{ threshold|plain }}万元以上的项目。"),
    ("Normal", "{%p endif %}"),
    ("Normal", "{%p endif %}"),
    ("Heading 2", "（三）存在的主要问题及下一步改进措施"),
    ("Heading 3", "1.存在的主要问题"),
    ("Normal", "{%p for t in texts.problems %}"),
    ("Normal", "{{ t }}"),
    ("Normal", "{%p endfor %}"),
    ("Heading 3", "2.下一步改进措施"),
    ("Normal", "{%p for t in texts.measures %}"),
    ("Normal", "{{ t }}"),
    ("Normal", "{%p endfor %}"),
    ("Heading 2", "（四）绩效自评结果拟应用和公开情况"),
    ("Normal", "{%p for t in texts.publicity %}"),
    ("Normal", "{{ t }}"),
    ("Normal", "{%p endfor %}"),
    ("Heading 2", "（五）其他需要说明的情况"),
    *texts_kept_with_closing("other"),
    ("Normal", "{%p if not texts.other %}"),
    ("Normal+keep", "无"),
    ("Normal", "{%p endif %}"),
    *ATTACHMENT_LIST,
    *CLOSING,
]


def set_fonts(style: BaseStyle, east_asia: str, size: float, *, bold: bool = False) -> None:
    """Set every script's font explicitly; theme font attributes would override w:eastAsia."""
    font = style.font  # type: ignore[attr-defined]
    font.size = Pt(size)
    font.bold = bold
    font.italic = False
    font.color.rgb = RGBColor(0, 0, 0)
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), east_asia)


def paragraph_format(
    style: BaseStyle, *, indent: bool, align: int = WD_ALIGN_PARAGRAPH.JUSTIFY, line: float = LINE_PT
) -> None:
    pf = style.paragraph_format  # type: ignore[attr-defined]
    pf.alignment = align
    pf.first_line_indent = INDENT if indent else Pt(0)
    pf.left_indent = Pt(0)
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(line)
    pf.widow_control = True
    ppr = style.element.get_or_add_pPr()
    border = ppr.find(qn("w:pBdr"))
    if border is not None:
        ppr.remove(border)


def define_styles(doc: Document) -> None:  # type: ignore[valid-type]
    styles = doc.styles
    # East Asian text needs zh-CN so Word picks the Chinese font and line breaking rules.
    rpr_default = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = rpr_default.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr_default.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")
    default_fonts = rpr_default.find(qn("w:rFonts"))
    for attr in list(default_fonts.attrib):
        del default_fonts.attrib[attr]
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        default_fonts.set(qn(attr), FANGSONG)
    no_hanging_punctuation(doc)

    normal = styles["Normal"]
    set_fonts(normal, FANGSONG, BODY_PT)
    paragraph_format(normal, indent=True)

    title = styles["Title"]
    set_fonts(title, XIAOBIAOSONG, TITLE_PT)
    paragraph_format(title, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, line=36)
    title.paragraph_format.space_after = Pt(LINE_PT)
    title.paragraph_format.keep_with_next = True

    for name, face, bold in (("Heading 1", HEITI, False), ("Heading 2", KAITI, False), ("Heading 3", FANGSONG, True)):
        style = styles[name]
        set_fonts(style, face, BODY_PT, bold=bold)
        paragraph_format(style, indent=True)
        style.paragraph_format.keep_with_next = True

    closing = styles.add_style("Closing", WD_STYLE_TYPE.PARAGRAPH)
    closing.base_style = normal
    paragraph_format(closing, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    closing.paragraph_format.right_indent = Pt(BODY_PT * 4)  # 右空四字

    table_text = styles.add_style("Table Text", WD_STYLE_TYPE.PARAGRAPH)
    set_fonts(table_text, FANGSONG, TABLE_PT)
    paragraph_format(table_text, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, line=TABLE_PT * 1.3)

    _no_snap(table_text)

    gap = styles.add_style("Table Gap", WD_STYLE_TYPE.PARAGRAPH)  # keeps two tables apart in Word, unseen
    set_fonts(gap, FANGSONG, 1)
    paragraph_format(gap, indent=False, line=1)
    gap.paragraph_format.keep_with_next = True

    table_title = styles.add_style("Table Title", WD_STYLE_TYPE.PARAGRAPH)
    set_fonts(table_title, XIAOBIAOSONG, 18)
    paragraph_format(table_title, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, line=30)
    table_title.paragraph_format.space_after = Pt(6)
    table_title.paragraph_format.keep_with_next = True

    attachment = styles.add_style("Attachment", WD_STYLE_TYPE.PARAGRAPH)
    set_fonts(attachment, HEITI, BODY_PT)
    paragraph_format(attachment, indent=False, align=WD_ALIGN_PARAGRAPH.LEFT)
    attachment.paragraph_format.page_break_before = True
    attachment.paragraph_format.keep_with_next = True

    figure = styles.add_style("Chart", WD_STYLE_TYPE.PARAGRAPH)
    figure.base_style = normal
    paragraph_format(figure, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    figure.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE  # an exact line height would clip the picture
    figure.paragraph_format.space_before = Pt(6)
    figure.paragraph_format.space_after = Pt(6)
    _no_snap(figure)

    # 附件说明: 左空二字 "附件：1.", a long name wraps under its own first character (GB/T 9704 7.3.6)
    listing = styles.add_style("Attachment List", WD_STYLE_TYPE.PARAGRAPH)
    listing.base_style = normal
    paragraph_format(listing, indent=False, align=WD_ALIGN_PARAGRAPH.LEFT)
    listing.paragraph_format.left_indent = Pt(BODY_PT * 6)  # 2 + “附件：” 3 + “1.” (two half-width) 1
    listing.paragraph_format.first_line_indent = Pt(-BODY_PT * 4)
    listing.paragraph_format.keep_with_next = True  # the list is never split, and stays with the 落款 below it
    listing.paragraph_format.keep_together = True

    nested = styles.add_style("Body Nested", WD_STYLE_TYPE.PARAGRAPH)  # an inner 一是… list (template_tables.narrative)
    nested.base_style = normal
    paragraph_format(nested, indent=True)
    nested.paragraph_format.left_indent = INDENT

    table_note = styles.add_style("Table Note", WD_STYLE_TYPE.PARAGRAPH)
    set_fonts(table_note, FANGSONG, TABLE_PT)
    paragraph_format(table_note, indent=False, align=WD_ALIGN_PARAGRAPH.LEFT, line=TABLE_PT * 1.5)
    _no_snap(table_note)

    cover_title = styles.add_style("Cover Title", WD_STYLE_TYPE.PARAGRAPH)
    set_fonts(cover_title, XIAOBIAOSONG, COVER_TITLE_PT)
    paragraph_format(cover_title, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, line=COVER_TITLE_PT * 1.5)
    cover_title.paragraph_format.space_before = Mm(60)
    cover_title.paragraph_format.space_after = Mm(70)
    _no_snap(cover_title)
    cover_line = styles.add_style("Cover Line", WD_STYLE_TYPE.PARAGRAPH)
    cover_line.base_style = normal
    set_fonts(cover_line, KAITI, BODY_PT)
    paragraph_format(cover_line, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)

    footer = styles["Footer"]
    set_fonts(footer, SONGTI, FOOTER_PT)
    paragraph_format(footer, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, line=FOOTER_PT * 1.5)


SNAP_SUCCESSORS = (
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)


# CT_PPrBase order: overflowPunct comes after kinsoku and wordWrap, before these
OVERFLOW_SUCCESSORS = ("w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid")
OVERFLOW_SUCCESSORS += SNAP_SUCCESSORS


def no_hanging_punctuation(doc: Document) -> None:  # type: ignore[valid-type]
    """``w:overflowPunct`` on, for every paragraph (document defaults). Word's default already, it is what
    LibreOffice needs to keep a full-width ，；。 at a line end on the page: LibreOffice reads overflowPunct inverted
    (on → no hanging punctuation) and, left to its own default (hanging), prints no glyph for the punctuation it
    hangs into the margin, so the PDF lost "效益，" and "责任；" (issue 18)."""
    ppr = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:pPrDefault")).find(qn("w:pPr"))
    overflow = OxmlElement("w:overflowPunct")
    overflow.set(qn("w:val"), "1")
    ppr.insert_element_before(overflow, *OVERFLOW_SUCCESSORS)


def _no_snap(style: BaseStyle) -> None:
    """Exact line heights for small text, instead of snapping to the 28.95 pt body grid."""
    no_grid = OxmlElement("w:snapToGrid")
    no_grid.set(qn("w:val"), "0")
    # Word rejects properties out of schema order: snapToGrid comes before spacing, ind and jc
    style.element.get_or_add_pPr().insert_element_before(no_grid, *SNAP_SUCCESSORS)


def page_setup(doc: Document) -> None:  # type: ignore[valid-type]
    section = doc.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(25)
    section.header_distance = Mm(15)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(round(LINE_PT * 20)))
    # GB/T 9704 7.5: "— 1 —" in 4号半角宋体, odd pages right and even pages left, each one character in
    doc.settings.odd_and_even_pages_header_footer = True
    for footer, align, side in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right"),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left"),
    ):
        paragraph = footer.paragraphs[0]
        paragraph.style = doc.styles["Footer"]
        paragraph.alignment = align
        setattr(paragraph.paragraph_format, f"{side}_indent", Pt(FOOTER_PT))
        paragraph.add_run("— ")
        _page_field(paragraph)
        paragraph.add_run(" —")


def _page_field(paragraph) -> None:  # type: ignore[no-untyped-def]
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text == " PAGE ":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        else:
            el = OxmlElement("w:t")
            el.text = text
        run._r.append(el)


# The optional cover (template.toml cover.enabled): a section of its own, without footer, so that it carries no page
# number and the body's numbering starts at "— 1 —" (GB/T 9704 7.5). Its last paragraph ends the section (add_cover).
COVER: list[tuple[str, str]] = [
    ("Normal", "{%p if cover.enabled %}"),
    ("Cover Title", title_text(COVER_TITLE_PER_LINE)),
    ("Cover Line", "{{ unit.name }}"),
    ("Cover Line", "{{ report_date }}"),
    ("Normal", "{%p endif %}"),
]


def add_cover(doc: Document) -> None:  # type: ignore[valid-type]
    """COVER, its date paragraph ending a section laid out as the body's but with no footer and a page of its own."""
    for style, text in COVER:
        add_paragraph(doc, style, text)
    body_sect = doc.sections[-1]._sectPr
    cover_sect = copy.deepcopy(body_sect)
    for ref in cover_sect.findall(qn("w:headerReference")) + cover_sect.findall(qn("w:footerReference")):
        cover_sect.remove(ref)
    title_pg = OxmlElement("w:titlePg")  # a first page of its own: Word and WPS print no footer on it either way
    cover_sect.insert_element_before(title_pg, "w:textDirection", "w:bidi", "w:rtlGutter", "w:docGrid")
    date = doc.paragraphs[-2]
    date._p.get_or_add_pPr().insert_element_before(cover_sect, "w:pPrChange")
    numbering = OxmlElement("w:pgNumType")
    numbering.set(qn("w:start"), "1")
    body_sect.insert_element_before(
        numbering,
        "w:cols",
        "w:formProt",
        "w:vAlign",
        "w:noEndnote",
        "w:titlePg",
        "w:textDirection",
        "w:bidi",
        "w:rtlGutter",
        "w:docGrid",
    )


def build(body_text: list[tuple[str, str]] = BODY, kpis: KpiColumns = DEFAULT_KPIS) -> Document:  # type: ignore[valid-type]
    doc = Document()
    define_styles(doc)
    page_setup(doc)
    body = doc.element.body
    for p in list(doc.paragraphs):
        body.remove(p._p)
    add_cover(doc)
    for style, text in body_text:
        add_paragraph(doc, style, text)
    add_appendices(doc, kpis)
    current_compatibility(doc)
    props = doc.core_properties
    props.title = "部门整体支出绩效自评报告"  # genreport sets title and author of each report from its data
    props.author = "genreport"
    props.last_modified_by = "genreport"
    props.comments = ""
    props.subject = "部门整体支出绩效自评报告"
    return doc


def add_paragraph(doc: Document, style: str, text: str) -> None:  # type: ignore[valid-type]
    """A paragraph of BODY: ``"Normal+keep"`` is the style Normal with keep-with-next set on the paragraph itself."""
    name, _, keep = style.partition("+")
    paragraph = doc.add_paragraph(text, style=name)
    if keep:
        paragraph.paragraph_format.keep_with_next = True


def add_form(doc: Document, label: str, title: str, head: tuple[list[Cell], int], card: str, kpis: KpiColumns) -> None:  # type: ignore[valid-type]
    """A self-evaluation form: its budget part, then its indicator table, then why a total is missing."""
    doc.add_paragraph(label, style="Attachment")
    doc.add_paragraph(title, style="Table Title")
    doc.add_paragraph("金额单位：万元", style="Table Note").alignment = WD_ALIGN_PARAGRAPH.RIGHT
    add_table(doc, *head, NINE)
    doc.add_paragraph("", style="Table Gap")
    for line in kpi_groups(card):
        doc.add_paragraph(line, style="Table Note")
    # a second gap: with one paragraph between the tables, LibreOffice cannot move the indicator table to the next
    # page when its first kept group does not fit, and lets the rows run off the page instead
    second_gap = doc.add_paragraph("", style="Table Gap")
    no_grid = OxmlElement("w:snapToGrid")  # 1 pt, not another line of the body grid: the gap stays as it was
    no_grid.set(qn("w:val"), "0")
    second_gap._p.get_or_add_pPr().append(no_grid)  # after w:pStyle, the only property it has
    add_kpi_table(doc, card, kpis)
    doc.add_paragraph(f"{{%p if {card}.missing %}}", style="Table Note")
    doc.add_paragraph(f"注：总分和等级未计算，缺少{{{{ {card}.missing|join('、') }}}}。", style="Table Note")
    doc.add_paragraph("{%p endif %}", style="Table Note")


def add_appendices(doc: Document, kpis: KpiColumns = DEFAULT_KPIS) -> None:  # type: ignore[valid-type]
    """附件 整体自评表, 项目自评表 (one per project with indicators), 基础数据表: each on or off in template.toml
    (appendices), numbered in the order they print."""
    note = "Table Note"
    doc.add_paragraph("{%p set att = namespace(n=0, total=" + APPENDIX_COUNT + ") %}", style=note)
    doc.add_paragraph("{%p if appendices.evaluation %}", style=note)
    add_form(
        doc,
        "附件{% set att.n = att.n + 1 %}{% if att.total > 1 %}{{ att.n }}{% endif %}",
        "{{ year }}年度部门整体支出绩效自评表",
        department_table(),
        "evaluation",
        kpis,
    )
    doc.add_paragraph("{%p endif %}", style=note)
    doc.add_paragraph("{%p if appendices.project_evaluations and project_evaluations %}", style=note)
    doc.add_paragraph("{%p set att.n = att.n + 1 %}", style=note)
    doc.add_paragraph("{%p for pe in project_evaluations %}", style=note)
    add_form(
        doc,
        "附件{% if att.total > 1 %}{{ att.n }}{% endif %}"
        "{% if project_evaluations|length > 1 %}-{{ loop.index }}{% endif %}",
        "项目支出绩效自评表（{{ year }}年度）",
        project_table(),
        "pe",
        kpis,
    )
    doc.add_paragraph("{%p endfor %}", style=note)
    doc.add_paragraph("{%p endif %}", style=note)

    doc.add_paragraph("{%p if appendices.basic_data %}", style=note)
    doc.add_paragraph("附件{% set att.n = att.n + 1 %}{% if att.total > 1 %}{{ att.n }}{% endif %}", style="Attachment")
    doc.add_paragraph("{{ year }}年度部门整体支出绩效评价基础数据表", style="Table Title")
    add_table(doc, *basic_data_table(), [60, 32, 32, 32])
    doc.add_paragraph("", style="Table Gap")
    add_table(doc, *buildings_table(), BUILDINGS_WIDTHS, header_rows=2)
    doc.add_paragraph(
        "说明：项目支出填报基本支出以外的所有项目支出情况，公用经费填报基本支出中的一般商品和服务支出。",
        style=note,
    )
    doc.add_paragraph("{%p endif %}", style=note)


def current_compatibility(doc: Document) -> None:  # type: ignore[valid-type]
    """Word 2013+ layout (compatibilityMode 15): python-docx's default document declares Word 2010 (14), which makes
    Word open every report in 兼容模式."""
    compat = doc.settings.element.find(qn("w:compat"))
    for setting in compat.findall(qn("w:compatSetting")):
        if setting.get(qn("w:name")) == "compatibilityMode":
            setting.set(qn("w:val"), "15")


_APPLICATION = re.compile(rb"<Application>[^<]*</Application>")


def save(document: Document, out: Path) -> None:  # type: ignore[valid-type]
    """Save, naming genreport as the application (python-docx's default says "Microsoft Macintosh Word")."""
    buffer = io.BytesIO()
    document.save(buffer)
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "docProps/app.xml":
                data = _APPLICATION.sub(b"<Application>genreport</Application>", data)
            target.writestr(item, data)


def main() -> int:
    from township_template import TOWNSHIP_BODY, TOWNSHIP_KPIS, TOWNSHIP_OUT

    for out, document in ((OUT, build()), (TOWNSHIP_OUT, build(TOWNSHIP_BODY, TOWNSHIP_KPIS))):
        out.parent.mkdir(parents=True, exist_ok=True)
        save(document, out)
        print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
