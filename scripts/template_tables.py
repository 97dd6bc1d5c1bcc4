"""The appendix tables of the default template: 自评表 ×2 and 基础数据表, as real Word tables.

Cells hold docxtpl tags: ``{%tr for … %}`` rows repeat, and ``{% vmerge COND %}`` (genreport's own
tag, see pipeline/render/docx.py) starts a vertically merged cell where COND is true and continues it
elsewhere, which groups the indicator rows by 一级 and 二级 指标.
"""

from __future__ import annotations

from docx.document import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm
from docx.table import Table
from docx.text.paragraph import Paragraph

# (row, first column, last column, text); rows and columns 0-based; a cell spanning rows is given
# in its first row with the last row as a fifth element.
Cell = tuple[int, int, int, str] | tuple[int, int, int, str, int]

# Cells holding running text or a label list read better flush left; the rest are centred.
LEFT_ALIGNED = (
    "goal",
    "outcome",
    "remark",
    "austerity",
    "row.label",
    "其中",
    "按收入",
    "按支出",
    "项目支出：",
    "income_sources",
    "k.level3",
    "a.note",
)

NINE = [14, 15, 15, 20, 21, 21, 11, 17, 22]  # mm, sums to the 156 mm text block

KpiColumns = list[tuple[str, str]]  # (header, cell) for the eight columns right of "绩效指标"

KPI_HEADER = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]
# A page may break only between groups of rows kept together (KPI_KEEP): a 一级 group of at most GROUP_ROWS rows is
# one group, a longer one is split at its 二级 groups and its merged label starts again in each, so every page that
# holds indicator rows shows their 一级 and 二级 labels (Word and LibreOffice print a merged cell's text once only).
GROUP_ROWS = 8
LEVEL1_CELL = "{% vmerge k.first1 or (k.first2 and k.level1 in kc.big) %}{{ k.level1 }}"
LEVEL2_CELL = "{% vmerge k.first2 %}{{ k.level2 }}"
KPI_ROW = [
    LEVEL1_CELL,
    LEVEL2_CELL,
    "{{ k.level3 }}",
    "{{ k.target }}",
    "{{ k.actual }}",
    "{{ k.points|plain }}",
    "{{ k.score|score }}",
    "{{ k.remark }}",
]
DEFAULT_KPIS: KpiColumns = list(zip(KPI_HEADER, KPI_ROW, strict=True))

BUDGET_HEADER = ["年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "自评得分"]


def budget_values(e: str) -> list[str]:
    b = f"{e}.budget"
    return [
        f"{{{{ {b}.initial|money }}}}",
        f"{{{{ {b}.adjusted|money }}}}",
        f"{{{{ {b}.actual|money }}}}",
        f"{{{{ {b}.points|plain }}}}",
        f"{{{{ {b}.rate|pct }}}}",
        f"{{{{ {b}.score|score }}}}",
    ]


def kpi_groups(e: str) -> list[str]:
    """``{%p %}`` lines before an indicator table: ``kc.big`` lists the 一级 groups too long to keep on one page."""
    return [
        "{%p set kc = namespace(big=[]) %}",
        f"{{%p for g in {e}.kpis|groupby('level1') if g.list|length > {GROUP_ROWS} %}}",
        "{%p set kc.big = kc.big + [g.grouper] %}",
        "{%p endfor %}",
    ]


# keep a row with the next unless a group of rows ends there; the last TAIL_ROWS rows (and the groups they reach
# into) stay with 总分, so the form's last page is never its header, a row or two and 总分 (a seventh of a page)
TAIL_ROWS = 5
KPI_KEEP = (
    f"loop.revindex <= {TAIL_ROWS} or not (loop.nextitem.first1 or (loop.nextitem.first2 and k.level1 in kc.big))"
)


def kpi_table(e: str, columns: KpiColumns = DEFAULT_KPIS) -> tuple[list[Cell], int]:
    """The indicator part: a table of its own so that its header row repeats on every page.

    Each indicator row is written twice, kept with the next row (KPI_KEEP_ROW) or not (KPI_FREE_ROW), and
    ``{%tr if %}`` chooses one: keep-with-next is a paragraph property, which no tag can switch in a file Word opens.
    The 绩效指标 label is in the header row, repeated on every page, over an unbordered merged column (a merged cell
    that starts in a repeated header row draws a stray border in LibreOffice).
    """
    cells: list[Cell] = [(0, 0, 0, "绩效指标")]
    cells += [(0, i + 1, i + 1, header) for i, (header, _) in enumerate(columns)]
    cells += [(1, 0, 8, f"{{%tr for k in {e}.kpis %}}"), (2, 0, 8, f"{{%tr if {KPI_KEEP} %}}")]
    for row in (KPI_KEEP_ROW, KPI_FREE_ROW):
        cells += [(row, 0, 0, "{% vmerge loop.first %}")]
        cells += [(row, i + 1, i + 1, cell) for i, (_, cell) in enumerate(columns)]
    cells += [(4, 0, 8, "{%tr else %}"), (6, 0, 8, "{%tr endif %}"), (7, 0, 8, "{%tr endfor %}")]
    cells += adjustment_rows(e, 8)
    cells += [
        (14, 0, 5, "总分"),
        (14, 6, 6, f"{{{{ {e}.total_points|plain }}}}"),
        (14, 7, 7, f"{{{{ {e}.total|score }}}}"),
        (14, 8, 8, f"自评等级：{{{{ {e}.grade or '—' }}}}"),
    ]
    return cells, 15


def adjustment_rows(e: str, first: int) -> list[Cell]:
    """Rows between the indicators and 总分, printed only where rules.toml adjusts the total (a province's 偏离
    deductions, 一级指标 scaling, 预算执行率 band): 各项得分合计, then one row per adjustment saying what it did."""
    r = first
    return [
        (r, 0, 8, f"{{%tr if {e}.adjustments %}}"),
        (r + 1, 0, 5, "各项得分合计"),
        (r + 1, 6, 6, f"{{{{ {e}.total_points|plain }}}}"),
        (r + 1, 7, 7, f"{{{{ {e}.subtotal|score }}}}"),
        (r + 1, 8, 8, ""),
        (r + 2, 0, 8, f"{{%tr for a in {e}.adjustments %}}"),
        (r + 3, 0, 2, "{{ a.label }}"),
        (r + 3, 3, 6, "{{ a.note }}"),
        (r + 3, 7, 7, "{% if a.change is not none %}{{ a.change|score }}{% endif %}"),
        (r + 3, 8, 8, ""),
        (r + 4, 0, 8, "{%tr endfor %}"),
        (r + 5, 0, 8, "{%tr endif %}"),
    ]


KPI_KEEP_ROW, KPI_FREE_ROW = 3, 5  # kpi_table's two indicator rows
# kept with the next row (add_table's keep_with_next): the header, KPI_KEEP_ROW, and the rows between the indicators
# and 总分 (各项得分合计 and an adjustment)
KPI_KEEP_ROWS = (0, KPI_KEEP_ROW, 9, 11)


def department_table() -> tuple[list[Cell], int]:
    e = "evaluation"
    src = f"{e}.income_sources"
    cells: list[Cell] = [
        (0, 0, 1, "预算部门、单位名称"),
        (0, 2, 8, "{{ unit.name }}"),
        (1, 0, 0, "年度预算申请（万元）", 8),
        (1, 1, 2, ""),
        *[(1, 3 + i, 3 + i, h) for i, h in enumerate(BUDGET_HEADER)],
        (2, 1, 2, "年度资金总额"),
        *[(2, 3 + i, 3 + i, v) for i, v in enumerate(budget_values(e))],
        (3, 1, 4, f"按收入性质分：{{{{ {e}.income_total|money }}}}"),
        (3, 5, 8, f"按支出性质分：{{{{ {e}.expense_total|money }}}}"),
        (4, 1, 4, f"其中：{{{{ {src}[0].label }}}}：{{{{ {src}[0].amount|money }}}}"),
        (4, 5, 8, f"其中：基本支出：{{{{ {e}.basic|money }}}}"),
        (5, 1, 4, f"{{{{ {src}[1].label }}}}：{{{{ {src}[1].amount|money }}}}"),
        (5, 5, 8, f"项目支出：{{{{ {e}.project|money }}}}"),
        *[(6 + i, 1, 4, f"{{{{ {src}[{2 + i}].label }}}}：{{{{ {src}[{2 + i}].amount|money }}}}") for i in range(3)],
        *[(6 + i, 5, 8, "") for i in range(3)],
        (9, 0, 0, "年度总体目标", 10),
        (9, 1, 4, "预期目标"),
        (9, 5, 8, "实际完成情况"),
        (10, 1, 4, f"{{{{ {e}.goal|join('\\n') }}}}"),
        (10, 5, 8, f"{{{{ {e}.goal_outcome|join('\\n') }}}}"),
    ]
    return cells, 11


def project_table() -> tuple[list[Cell], int]:
    e = "pe"
    cells: list[Cell] = [
        (0, 0, 1, "项目名称"),
        (0, 2, 8, "{{ pe.name }}"),
        (1, 0, 1, "主管部门"),
        (1, 2, 4, "{{ pe.supervisor }}"),
        (1, 5, 5, "实施单位"),
        (1, 6, 8, "{{ pe.unit }}"),
        (2, 0, 0, "项目资金（万元）", 6),
        (2, 1, 2, ""),
        *[(2, 3 + i, 3 + i, h) for i, h in enumerate(BUDGET_HEADER)],
        (3, 1, 2, "年度资金总额"),
        *[(3, 3 + i, 3 + i, v) for i, v in enumerate(budget_values(e))],
        *[cell for i in range(3) for cell in source_row(4 + i, i)],
        (7, 0, 0, "年度总体目标", 8),
        (7, 1, 4, "预期目标"),
        (7, 5, 8, "实际完成情况"),
        (8, 1, 4, "{{ pe.goal }}"),
        (8, 5, 8, "{{ pe.outcome }}"),
    ]
    return cells, 9


def source_row(row: int, i: int) -> list[Cell]:
    """其中：当年财政拨款 / 上年结转资金 / 其他资金: amounts only, no points (domain.md §1.1)."""
    s = f"pe.sources[{i}]"
    label = ("其中：" if i == 0 else "") + f"{{{{ {s}.label }}}}"
    amounts = [f"{{{{ {s}.{c}|money }}}}" for c in ("initial", "adjusted", "actual")]
    return [
        (row, 1, 2, label),
        *[(row, 3 + j, 3 + j, a) for j, a in enumerate(amounts)],
        *[(row, 6 + j, 6 + j, "—") for j in range(3)],
    ]


def basic_data_table() -> tuple[list[Cell], int]:
    d = "basic_data"
    cells: list[Cell] = [
        (0, 0, 0, "财政供养人员情况（人）", 1),
        (0, 1, 1, "编制数"),
        (0, 2, 2, "{{ year }}年实际在职人数"),
        (0, 3, 3, "控制率"),
        (1, 1, 1, f"{{{{ {d}.staff_quota }}}}"),
        (1, 2, 2, f"{{{{ {d}.staff_actual if {d}.staff_actual is not none else '—' }}}}"),
        (1, 3, 3, f"{{{{ {d}.staff_control_rate|pct }}}}"),
        (2, 0, 0, "经费控制情况（万元）"),
        (2, 1, 1, "上年决算数"),
        (2, 2, 2, "本年预算数"),
        (2, 3, 3, "本年决算数"),
        (3, 0, 3, f"{{%tr for row in {d}.rows %}}"),
        (4, 0, 0, "{{ '　　' * row.indent }}{{ row.label }}"),
        (4, 1, 1, "{{ row.prior|money }}"),
        (4, 2, 2, "{{ row.budget|money }}"),
        (4, 3, 3, "{{ row.actual|money }}"),
        (5, 0, 3, "{%tr endfor %}"),
        (6, 0, 0, "厉行节约保障措施"),
        (6, 1, 3, f"{{{{ {d}.austerity|join('\\n') if {d}.austerity else '—' }}}}"),
    ]
    return cells, 7


def buildings_table() -> tuple[list[Cell], int]:
    b = "basic_data.buildings"
    headers = [
        "项目",
        "批复规模（㎡）",
        "实际规模（㎡）",
        "规模控制",
        "预算投资（万元）",
        "实际投资（万元）",
        "投资概算控制",
    ]
    values = [
        "{{ b.name }}",
        "{{ b.approved_area|plain }}",
        "{{ b.actual_area|plain }}",
        "{{ b.area_rate|pct }}",
        "{{ b.budget|money }}",
        "{{ b.actual|money }}",
        "{{ b.investment_rate|pct }}",
    ]
    cells: list[Cell] = [
        (0, 0, 6, "楼堂馆所控制情况（{{ year }}年完工项目）"),
        *[(1, i, i, h) for i, h in enumerate(headers)],
        (2, 0, 6, f"{{%tr for b in {b} %}}"),
        *[(3, i, i, v) for i, v in enumerate(values)],
        (4, 0, 6, "{%tr endfor %}"),
        (5, 0, 6, f"{{%tr if not {b} %}}"),
        (6, 0, 6, "本年无完工的楼堂馆所项目"),
        (7, 0, 6, "{%tr endif %}"),
    ]
    return cells, 8


BUILDINGS_WIDTHS = [36, 20, 20, 18, 22, 22, 18]


def add_table(
    doc: Document,
    cells: list[Cell],
    rows: int,
    widths_mm: list[int],
    header_rows: int = 1,
    keep_with_next: tuple[int, ...] = (),
) -> Table:
    table = doc.add_table(rows=rows, cols=len(widths_mm))
    table.style = doc.styles["Table Grid"]
    for col, width in zip(table.columns, widths_mm, strict=True):
        col.width = Mm(width)  # the grid (w:gridCol) is what layout engines read first
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    margins = OxmlElement("w:tblCellMar")  # 1 mm each side, so amounts like 12668.73 fit on one line
    for side in ("left", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), "57")
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    look = table._tbl.tblPr.find(qn("w:tblLook"))  # CT_TblPr order: … tblLayout, tblCellMar, tblLook …
    if look is not None:
        look.addprevious(margins)
    else:
        table._tbl.tblPr.append(margins)
    for row in table.rows:
        for i, cell in enumerate(row.cells):
            cell.width = Mm(widths_mm[i])
    for spec in cells:
        r, c1, c2, text = spec[:4]
        r2 = spec[4] if len(spec) == 5 else r  # type: ignore[misc]
        cell = table.cell(r, c1)
        if (r2, c2) != (r, c1):
            cell = cell.merge(table.cell(r2, c2))
        cell.text = text
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        for p in cell.paragraphs:
            p.style = doc.styles["Table Text"]
            if any(marker in text for marker in LEFT_ALIGNED):
                p.alignment = WD_ALIGN_PARAGRAPH.LEFT
    for row in table.rows[:header_rows]:
        tr_pr = row._tr.get_or_add_trPr()
        header = OxmlElement("w:tblHeader")
        header.set(qn("w:val"), "true")
        tr_pr.append(header)
    for row in table.rows:
        tr_pr = row._tr.get_or_add_trPr()
        cant_split = OxmlElement("w:cantSplit")
        tr_pr.insert(0, cant_split)
    for r in keep_with_next:
        # every cell's own paragraphs (row.cells gives a merged cell's first part): LibreOffice keeps a row with the
        # next only when the paragraph of the row's first cell says so, covered or not
        for p in table.rows[r]._tr.iter(qn("w:p")):
            Paragraph(p, table).paragraph_format.keep_with_next = True
    return table


TCPR_AFTER_BORDERS = ("w:shd", "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark")


def open_edge(table: Table, row: int, col: int, side: str) -> None:
    """No border on one side of a cell (both cells of an edge say so: Word draws an edge either cell asks for)."""
    tc_pr = table.rows[row].cells[col]._tc.get_or_add_tcPr()
    borders = tc_pr.find(qn("w:tcBorders"))
    if borders is None:
        borders = OxmlElement("w:tcBorders")
        tc_pr.insert_element_before(borders, *TCPR_AFTER_BORDERS)
    edge = OxmlElement(f"w:{side}")
    edge.set(qn("w:val"), "nil")
    borders.append(edge)


def add_kpi_table(doc: Document, e: str, columns: KpiColumns = DEFAULT_KPIS) -> Table:
    """The indicator table (kpi_table) with its row keeps, and the 绩效指标 column drawn as one cell under its label."""
    table = add_table(doc, *kpi_table(e, columns), NINE, keep_with_next=KPI_KEEP_ROWS)
    open_edge(table, 0, 0, "bottom")
    for row in (KPI_KEEP_ROW, KPI_FREE_ROW):
        open_edge(table, row, 0, "top")
    return table


# GB/T 9704 附件说明: under the body, "附件：1.……", further lines aligned under the first name; the same appendices,
# in the same order and numbering, as the labels above the appended forms (add_appendices).
# how many appendices print: one is named without a number ("附件：…", "附件"), several are numbered
APPENDIX_COUNT = (
    "(1 if appendices.evaluation else 0) + (project_evaluations|length if appendices.project_evaluations else 0)"
    " + (1 if appendices.basic_data else 0)"
)
_ATTACHMENT_LINE = "{{ '附件：' if al.first else '　　　' }}{% set al.first = false %}"
_NUMBER = "{% if al.total > 1 %}{{ al.n }}{% endif %}"
ATTACHMENT_LIST: list[tuple[str, str]] = [
    ("Normal", "{%p set al = namespace(n=0, first=true, total=" + APPENDIX_COUNT + ") %}"),
    (
        "Normal",
        "{%p if appendices.evaluation or (appendices.project_evaluations and project_evaluations) "
        "or appendices.basic_data %}",
    ),
    ("Normal+keep", ""),
    ("Normal", "{%p endif %}"),
    ("Normal", "{%p if appendices.evaluation %}"),
    (
        "Attachment List",
        _ATTACHMENT_LINE
        + "{% set al.n = al.n + 1 %}"
        + _NUMBER
        + "{{ '.' if al.total > 1 }}{{ year }}年度部门整体支出绩效自评表",
    ),
    ("Normal", "{%p endif %}"),
    ("Normal", "{%p if appendices.project_evaluations and project_evaluations %}"),
    ("Normal", "{%p set al.n = al.n + 1 %}"),
    ("Normal", "{%p for pe in project_evaluations %}"),
    (
        "Attachment List",
        _ATTACHMENT_LINE + _NUMBER + "{% if project_evaluations|length > 1 %}-{{ loop.index }}{% endif %}"
        "{{ '.' if al.total > 1 }}"
        "{{ pe.name }}{{ '' if pe.name.endswith('项目') else '项目' }}支出绩效自评表",
    ),
    ("Normal", "{%p endfor %}"),
    ("Normal", "{%p endif %}"),
    ("Normal", "{%p if appendices.basic_data %}"),
    (
        "Attachment List",
        _ATTACHMENT_LINE + "{% set al.n = al.n + 1 %}" + _NUMBER + "{{ '.' if al.total > 1 }}"
        "{{ year }}年度部门整体支出绩效评价基础数据表",
    ),
    ("Normal", "{%p endif %}"),
]


def chart(key: str) -> list[tuple[str, str]]:
    """A chart in a paragraph of its own (style Chart: centred, single line spacing so the picture is not clipped),
    printed where the template draws charts (template.toml charts.enabled) and the data allows it."""
    return [("Normal", f"{{%p if charts.{key} %}}"), ("Chart", f"{{{{ charts.{key} }}}}"), ("Normal", "{%p endif %}")]


# GB/T 9704 7.3.1: a title that needs two lines breaks where its meaning does, and both lines look balanced (梯形):
# before 部门整体支出…, after the year and unit, never inside 绩效自评报告. A title that fits one line stays whole.
# CJK_PER_LINE characters of the title's size fit the 156 mm text block; the year's four digits count as two.
def title_text(per_line: int) -> str:
    limit = per_line + 2
    return (
        "{% set tp = title.partition('部门整体支出') %}"
        f"{{% if title|length > {limit} and tp[0] and tp[1] %}}{{{{ tp[0] ~ '\\n' ~ tp[1] ~ tp[2] }}}}"
        "{% else %}{{ title }}{% endif %}"
    )


# Duties typed with a second-level marker, （一） or 一、, print as third-level items (1. 2. 3.) under the heading
# “（一）主要职责” (GB/T 9704 7.3.3: 一、 →（一）→ 1. →（1）); others (第一条, 1.) print as typed.
_CN_DIGITS = "一二三四五六七八九十"
DUTIES: list[tuple[str, str]] = [
    ("Normal", "{%p set dn = namespace(n=0) %}"),
    ("Normal", "{%p for duty in duties %}"),
    (
        "Normal",
        "{% set dp = duty.partition('）') if duty.startswith('（') else duty.partition('、') %}"
        "{% set dm = dp[0][1:] if duty.startswith('（') else dp[0] %}"
        f"{{% if dp[1] and dm and not dm.strip('{_CN_DIGITS}') %}}{{% set dn.n = dn.n + 1 %}}"
        "{{ dn.n }}.{{ dp[2].lstrip() }}{% else %}{{ duty }}{% endif %}",
    ),
    ("Normal", "{%p endfor %}"),
]


def texts_kept_with_closing(key: str) -> list[tuple[str, str]]:
    """The paragraphs of a 文字 section whose last one is kept with what follows (the 附件 list and the 落款), so that
    the signature never stands alone on a page: keep-with-next is a paragraph property no tag can switch, so the
    last paragraph is written a second time with it."""
    return [
        ("Normal", f"{{%p for t in texts.{key} %}}"),
        ("Normal", "{%p if loop.last %}"),
        ("Normal+keep", "{{ t }}"),
        ("Normal", "{%p else %}"),
        ("Normal", "{{ t }}"),
        ("Normal", "{%p endif %}"),
        ("Normal", "{%p endfor %}"),
    ]


# 落款: the unit's name, the 成文日期 under it; kept together and with the 附件 list above.
CLOSING: list[tuple[str, str]] = [
    ("Closing+keep", ""),
    ("Closing", "{%p if report_date %}"),
    ("Closing+keep", "{{ unit.name }}"),
    ("Closing", "{{ report_date }}"),
    ("Closing", "{%p else %}"),
    ("Closing", "{{ unit.name }}"),
    ("Closing", "{%p endif %}"),
]


# A long narrative enumerates with 一是、二是…, and a point may open a list of its own that starts again at 一是
# (the sample's 四是…1.规范建筑行业监管工作。 then 一是…五是, then back to 五是 of the outer list). A paragraph that
# starts such an inner list, and those that follow it until the outer count goes on, print indented (style Body
# Nested), so that the two lists read as two levels; their text is printed as typed.
NARRATIVE_ORDINALS = "一二三四五六七八九十"


def narrative(key: str) -> list[tuple[str, str]]:
    return [
        ("Normal", "{%p set nl = namespace(outer=0, inner=0) %}"),
        ("Normal", f"{{%p for t in texts.{key} %}}"),
        ("Normal", f"{{%p set k = '{NARRATIVE_ORDINALS}'.find(t[:1]) + 1 if t[1:2] == '是' else 0 %}}"),
        ("Normal", "{%p if k and nl.inner and k == nl.inner + 1 %}"),
        ("Normal", "{%p set nl.inner = k %}"),
        ("Normal", "{%p elif k and k == nl.outer + 1 %}"),
        ("Normal", "{%p set nl.outer = k %}"),
        ("Normal", "{%p set nl.inner = 0 %}"),
        ("Normal", "{%p elif k == 1 %}"),
        ("Normal", "{%p set nl.inner = 1 %}"),
        ("Normal", "{%p endif %}"),
        ("Normal", "{%p if nl.inner %}"),
        ("Body Nested", "{{ t }}"),
        ("Normal", "{%p else %}"),
        ("Normal", "{{ t }}"),
        ("Normal", "{%p endif %}"),
        ("Normal", "{%p endfor %}"),
    ]
