"""The township (乡镇) template's own outline and wording, and its 自评表 columns in another province's layout.

A township government reports its revenue and spending as a whole, its 站所 and staffing, and the indicators of the
province that uses 成本指标 as a 一级指标 (its rules.toml); the styles, tables and page setup are the default's.
"""

from __future__ import annotations

from pathlib import Path

from template_tables import ATTACHMENT_LIST, LEVEL1_CELL, LEVEL2_CELL, KpiColumns, chart

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


TOWNSHIP_BODY: list[tuple[str, str]] = [
    ("Title", "{{ title }}"),
    (
        "Normal",
        "根据{{ basis }}，{{ words.self_name }}对{{ year }}年度部门整体支出开展了绩效自评，现将有关情况报告如下：",
    ),
    ("Heading 1", "一、基本情况"),
    ("Heading 2", "（一）主要职能"),
    ("Normal", "{%p for duty in duties %}"),
    ("Normal", "{{ duty }}"),
    ("Normal", "{%p endfor %}"),
    ("Heading 2", "（二）机构设置和人员情况"),
    (
        "Normal",
        "{{ words.self_name }}内设{{ offices|join('、') }}，共{{ offices_count_cn }}个{{ words.office }}。"
        "{% for s in staffing %}{{ s.kind }}{{ s.quota }}名{% if s.actual is not none %}，实有{{ s.actual }}人"
        "{% endif %}{% if s.positions %}（{{ s.positions }}）{% endif %}{{ '。' if loop.last else '；' }}{% endfor %}",
    ),
    ("Heading 1", "二、收支情况"),
    ("Heading 2", "（一）收入情况"),
    (
        "Normal",
        "{% set a = budget.actual %}{{ year }}年度全年收入{{ a.income_total|money }}万元"
        "{% if a.income_sources %}，其中{% for s in a.income_sources %}{{ s.label }}{{ s.amount|money }}万元"
        "{% if not loop.last %}、{% endif %}{% endfor %}{% endif %}；"
        "年初预算收入{{ budget.initial.income_total|money }}万元，"
        "{% if income_change.word == '持平' %}与年初预算持平{% else %}较年初预算{{ income_change|delta }}"
        "{% endif %}。{% set yi = yoy.budget.get('income_total') %}{% if sections.yoy and yi %}"
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
        "{% set ta = three_public.actual %}{{ year }}年度“三公”经费支出{{ ta.total|money }}万元"
        "{% if ta.parts %}，其中{% for p in ta.parts %}{{ p.label }}{{ p.amount|money }}万元"
        "{% if not loop.last %}，{% endif %}{% endfor %}{% endif %}；预算{{ three_public.budget.total|money }}万元。",
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
        + "{% if evaluation.budget.rate is not none %}预算执行率{{ evaluation.budget.rate|pct }}；{% endif %}"
        + _rate("three_public_control_rate", "“三公”经费控制率")
        + _rate("staffing_control_rate", "在职人员控制率")
        + "部门整体支出绩效自评得分{{ evaluation.total|score }}分{% if evaluation.grade %}，等级为"
        "“{{ evaluation.grade }}”{% endif %}。",
    ),
    *chart("indicators"),
    *_texts("overall"),
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
    *_texts("publicity"),
    ("Normal", "{%p if texts.other %}"),
    ("Heading 1", "七、其他需要说明的情况"),
    *_texts("other"),
    ("Normal", "{%p endif %}"),
    *ATTACHMENT_LIST,
    ("Closing", ""),
    ("Closing", "{{ unit.name }}"),
    ("Closing", "{%p if report_date %}"),
    ("Closing", "{{ report_date }}"),
    ("Closing", "{%p endif %}"),
]
