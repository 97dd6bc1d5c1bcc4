"""The township (乡镇) template's own outline and wording, and its 自评表 columns in another province's layout.

A township government reports its revenue and spending as a whole, its 站所 and staffing, and the indicators of the
province that uses 成本指标 as a 一级指标 (its rules.toml); the styles, tables and page setup are the default's.
"""

from __future__ import annotations

from pathlib import Path

from template_tables import (
    ATTACHMENT_LIST,
    CLOSING,
    DUTIES,
    LEVEL1_CELL,
    LEVEL2_CELL,
    KpiColumns,
    chart,
    narrative,
    texts_kept_with_closing,
    title_text,
)

TOWNSHIP_OUT = Path(__file__).resolve().parent.parent / "templates" / "township" / "report.docx"

# Another province's 自评表: 全年实际值, the unit of measure with the value, 未完成原因 instead of 偏差原因.
TOWNSHIP_KPIS: KpiColumns = [
    ("一级指标", LEVEL1_CELL),
    ("二级指标", LEVEL2_CELL),
    ("三级指标", "{{ k.level3 }}"),
    ("年度指标值", "{{ k.target }}"),
    ("全年实际值", "{{ k.actual }}"),
    ("分值", "{{ k.points|plain }}"),
    ("得分", "{{ k.score|score }}"),
    ("未完成原因及改进措施", "{{ k.remark }}"),
]

_TEXTS = "{%p for t in texts.KEY %}", "{{ t }}", "{%p endfor %}"


def _texts(key: str) -> list[tuple[str, str]]:
    return [("Normal", line.replace("KEY", key)) for line in _TEXTS]


def _rate(key: str, label: str) -> str:
    return f"{{% if indicators.{key}.value is not none %}}{label}{{{{ indicators.{key}.value|pct }}}}；{{% endif %}}"


# The government speaks of itself by its kind, read from its name: 某某乡人民政府 → 我乡, 某某街道办事处 → 我街道,
# else 我镇; a self_name set in template.toml (anything but the default 我单位) wins.
_KIND = "{% set tk = unit.name.replace('人民政府', '').replace('办事处', '') %}"
_SELF = (
    "{% set we = words.self_name if words.self_name != '我单位' else '我' ~ "
    "('街道' if tk.endswith('街道') else '乡' if tk.endswith('乡') else '镇') %}"
)

TOWNSHIP_BODY: list[tuple[str, str]] = [
    ("Title", _KIND + _SELF + title_text(20)),
    (
        "Normal",
        "根据{{ basis }}，{{ we }}对{{ year }}年度部门整体支出开展了绩效自评，现将有关情况报告如下：",
    ),
    ("Heading 1", "一、基本情况"),
    ("Heading 2", "（一）主要职能"),
    *DUTIES,
    ("Heading 2", "（二）机构设置和人员情况"),
    (
        "Normal",
        "{{ we }}内设{{ offices|join('、') }}，共{{ offices_count_cn }}个{{ words.office }}。"
        "{% for s in staffing %}{{ s.kind }}{{ s.quota }}名{% if s.actual is not none %}，实有{{ s.actual }}人"
        "{% endif %}{% if s.positions %}（{{ s.positions }}）{% endif %}{{ '。' if loop.last else '；' }}{% endfor %}",
    ),
    ("Heading 1", "二、收支情况"),
    ("Heading 2", "（一）收入情况"),
    (
        "Normal",
        "{% set a = budget.actual %}{{ year }}年度全年收入{{ a.income_total|money }}万元"
        "{% if a.income_sources %}，其中{% for s in a.income_sources %}{{ s.label }}{{ s.amount|money }}万元"
        "{% if not loop.last %}、{% endif %}{% endfor %}{% endif %}"
        "{% if budget.initial.income_total is not none %}；年初预算收入{{ budget.initial.income_total|money }}万元，"
        "{% if income_change.word == '持平' %}与年初预算持平{% else %}较年初预算{{ income_change|delta }}"
        "{% endif %}{% endif %}。{% set yi = yoy.budget.get('income_total') %}{% if sections.yoy and yi %}"
        "与上年决算数{{ yi.prior|money }}万元相比{{ yi|delta }}。{% endif %}",
    ),
    ("Heading 2", "（二）支出情况"),
    (
        "Normal",
        "{{ year }}年度全年支出{{ a.expense_total|money }}万元。其中：基本支出{{ a.basic|money }}万元"
        "{% if a.personnel is not none and a.public is not none %}（人员经费{{ a.personnel|money }}万元，"
        "公用经费{{ a.public|money }}万元）{% endif %}，项目支出{{ a.project|money }}万元。"
        "{% set ye = yoy.budget.get('expense_total') %}{% if sections.yoy and ye %}"
        "与上年决算数{{ ye.prior|money }}万元相比{{ ye|delta }}。{% endif %}"
        "{{ texts.variance|join('\\n') }}",  # inline: a line break the user typed stays a line break
    ),
    *chart("structure"),
    *chart("budget"),
    ("Normal", "{%p set h = namespace(n=2) %}"),
    ("Normal", "{%p if sections.three_public and three_public %}"),
    ("Heading 2", "{% set h.n = h.n + 1 %}（{{ h.n|cn_number }}）“三公”经费"),
    (
        "Normal",
        "{% set ta = three_public.actual %}{% set tb = three_public.budget %}"
        "{% if ta.total == 0 %}{{ year }}年度未发生“三公”经费支出"
        "{% if tb.total %}（预算{{ tb.total|money }}万元）{% endif %}。{% else %}"
        "{{ year }}年度“三公”经费支出{{ ta.total|money }}万元"
        "{% if ta.parts %}，其中{% for p in ta.parts %}{{ p.label }}{{ p.amount|money }}万元"
        "{% if not loop.last %}，{% endif %}{% endfor %}{% endif %}"
        "{% if tb.total is not none %}；预算{{ tb.total|money }}万元{% endif %}。{% endif %}",
    ),
    ("Normal", "{%p endif %}"),
    ("Normal", "{%p if sections.procurement and procurement %}"),
    ("Heading 2", "{% set h.n = h.n + 1 %}（{{ h.n|cn_number }}）政府采购"),
    (
        "Normal",
        "{% set pa = procurement.actual %}{% if pa.total == 0 %}{{ year }}年度未发生政府采购。{% else %}"
        "{{ year }}年度政府采购{{ pa.total|money }}万元。{% endif %}",
    ),
    ("Normal", "{%p endif %}"),
    ("Heading 1", "三、绩效情况"),
    (
        "Normal",
        "{{ year }}年度"
        + _rate("budget_execution_rate", "预算执行率")
        + _rate("three_public_control_rate", "“三公”经费控制率")
        + _rate("staffing_control_rate", "在职人员控制率")
        + "{% if evaluation.total is not none %}部门整体支出绩效自评得分{{ evaluation.total|score }}分"
        "{% if evaluation.grade %}，等级为“{{ evaluation.grade }}”{% endif %}。{% else %}"
        "部门整体支出绩效自评得分未计算{% if evaluation.missing %}（缺少{{ evaluation.missing|join('、') }}）"
        "{% endif %}。{% endif %}",
    ),
    *chart("indicators"),
    *narrative("overall"),
    ("Normal", "{%p if sections.projects and projects %}"),
    ("Normal", "重点支出项目如下："),
    ("Normal", "{%p for p in projects %}"),
    (
        "Normal",
        "{{ loop.index }}.{{ p.name }}{% if p.category %}（{{ p.category }}）{% endif %}："
        "{% if p.adjusted is not none %}全年预算{{ p.adjusted|money }}万元{% endif %}"
        "{% if p.adjusted is not none and p.actual is not none %}，{% endif %}"
        "{% if p.actual is not none %}执行{{ p.actual|money }}万元{% endif %}"
        "{% if p.description %}。{{ p.description }}{% endif %}。",
    ),
    ("Normal", "{%p endfor %}"),
    ("Normal", "{%p endif %}"),
    ("Heading 1", "四、存在的问题"),
    *_texts("problems"),
    ("Heading 1", "五、下一步改进措施"),
    *_texts("measures"),
    ("Heading 1", "六、自评结果应用和公开情况"),
    *texts_kept_with_closing("publicity"),
    ("Normal", "{%p if texts.other %}"),
    ("Heading 1", "七、其他需要说明的情况"),
    *texts_kept_with_closing("other"),
    ("Normal", "{%p endif %}"),
    *ATTACHMENT_LIST,
    *CLOSING,
]
