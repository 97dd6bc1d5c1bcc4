"""Build the summary template, templates/summary/note.docx: the bureau's note on a batch (汇总说明).

Run ``python scripts/summary_template.py`` after changing it; the result is committed and may then be edited in Word
like any template (styles Title, Heading 1, Normal, Closing, Table Text). The page, fonts and styles are the default
report's (GB/T 9704-2012: A4, 3号仿宋 body, 黑体 headings, 小标宋 title, “— 1 —” page numbers). Its fields are
listed in docs/summary-guide.md. The file is not called report.docx, so that no workbook can choose it as the
template of its report.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_template import ROOT, current_compatibility, define_styles, page_setup, save
from template_tables import Cell, add_table

OUT = ROOT / "templates" / "summary" / "note.docx"

BODY: list[tuple[str, str]] = [
    ("Title", "{{ title }}"),
    (
        "Normal",
        "本次汇总{{ total }}个单位报送的{% if year %}{{ year }}年度{% endif %}部门整体支出绩效自评工作簿，"
        "其中{{ passed }}个没有错误{% if failed %}，{{ failed }}个有错误、需退回修改{% endif %}；"
        "全部工作簿共有错误{{ findings.errors }}处、警告{{ findings.warnings }}处。",
    ),
    ("Heading 1", "一、自评得分和等级"),
    ("Normal", "{%p if scored %}"),
    (
        "Normal",
        "{{ scored }}个单位算出了自评总分，平均{{ score.average|score }}分；最高{{ score.max|score }}分"
        "（{{ score.highest|join('、') }}），最低{{ score.min|score }}分（{{ score.lowest|join('、') }}）。"
        "按等级分：{% for g in grades %}“{{ g.name }}”{{ g.count }}个{{ '。' if loop.last else '，' }}{% endfor %}",
    ),
    ("Normal", "{%p else %}"),
    ("Normal", "没有单位算出自评总分。"),
    ("Normal", "{%p endif %}"),
    ("Normal", "{%p if scored < total %}"),
    ("Normal", "另有{{ total - scored }}个单位未算出总分（工作簿有错误，或自评表缺少数据），未计入以上统计。"),
    ("Normal", "{%p endif %}"),
    ("Heading 1", "二、预算执行"),
    ("Normal", "{%p if below %}"),
    (
        "Normal",
        "预算执行率低于{{ threshold|pct(0) }}的单位有{{ below|length }}个："
        "{% for u in below %}{{ u.unit }}{{ u.rate|pct }}{{ '。' if loop.last else '；' }}{% endfor %}",
    ),
    ("Normal", "{%p else %}"),
    ("Normal", "算出预算执行率的单位，预算执行率均不低于{{ threshold|pct(0) }}。"),
    ("Normal", "{%p endif %}"),
    ("Normal", "{%p if no_rate %}"),
    ("Normal", "{{ no_rate|join('、') }}缺少全年预算数或全年执行数，未算出预算执行率。"),
    ("Normal", "{%p endif %}"),
    ("Heading 1", "三、填报中的主要问题"),
    ("Normal", "{%p if common %}"),
    ("Normal", "出现较多的问题是："),
    ("Normal", "{%p for c in common %}"),
    (
        "Normal",
        "{{ loop.index }}．{{ c.title }}（{{ c.code }}，{{ c.severity }}）：{{ c.count }}处，涉及{{ c.units }}个单位。",
    ),
    ("Normal", "{%p endfor %}"),
    ("Normal", "{%p else %}"),
    ("Normal", "各工作簿均未发现问题。"),
    ("Normal", "{%p endif %}"),
    ("Normal", "{%p if failures %}"),
    ("Normal", "以下{{ failures|length }}个工作簿有错误，请退回有关单位修改后重新报送："),
    ("Normal", "{%p for f in failures %}"),
    (
        "Normal",
        "{{ loop.index }}．{% if f.unit %}{{ f.unit }}（{{ f.file }}）{% else %}{{ f.file }}{% endif %}："
        "{{ f.first_error }}{% if f.errors > 1 %}（共{{ f.errors }}处错误）{% endif %}",
    ),
    ("Normal", "{%p endfor %}"),
    ("Normal", "{%p endif %}"),
    ("Heading 1", "四、各单位自评情况"),
    ("Normal", "各单位情况见下表，逐条问题见汇总.xlsx的“问题清单”表。"),
]

HEADERS = ("序号", "单位", "总分", "等级", "预算执行率", "状态")
CELLS = (
    "{{ u.index }}",
    "{{ u.unit }}",
    "{{ u.score|score }}",
    "{{ u.grade or '—' }}",
    "{{ u.rate|pct }}",
    "{{ u.status }}",
)
WIDTHS = [12, 62, 18, 14, 26, 24]  # mm, the 156 mm text block


def units_table() -> list[Cell]:
    """Header, then one row per unit: the ``{%tr %}`` rows are removed by the renderer, the middle one repeated."""
    cells: list[Cell] = [(0, i, i, text) for i, text in enumerate(HEADERS)]
    cells.append((1, 0, len(HEADERS) - 1, "{%tr for u in units %}"))
    cells += [(2, i, i, text) for i, text in enumerate(CELLS)]
    cells.append((3, 0, len(HEADERS) - 1, "{%tr endfor %}"))
    return cells


def build() -> Document:  # type: ignore[valid-type]
    doc = Document()
    define_styles(doc)
    page_setup(doc)
    body = doc.element.body
    for p in list(doc.paragraphs):
        body.remove(p._p)
    for style, text in BODY:
        doc.add_paragraph(text, style=style)
    table = add_table(doc, units_table(), 4, WIDTHS)
    for row in table.rows[2:3]:
        row.cells[1].paragraphs[0].alignment = 0  # the unit's name flush left
    doc.add_paragraph("", style="Closing")
    doc.add_paragraph("{{ date }}", style="Closing")
    current_compatibility(doc)
    props = doc.core_properties
    props.title = "部门整体支出绩效自评汇总说明"  # genreport sets the title of each note from its batch
    props.author = "genreport"
    props.last_modified_by = "genreport"
    props.comments = ""
    props.subject = "部门整体支出绩效自评汇总说明"
    return doc


def main() -> int:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    save(build(), OUT)
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
