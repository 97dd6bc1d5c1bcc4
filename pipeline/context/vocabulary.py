"""The template context, declared: every field a template may use, its type and its meaning in Chinese.

``Context`` is what ``build_context`` returns (mypy holds the builder to it), and what docs/template-guide.md and
the shape ``template check`` ships are generated from: a field is declared here once, with its meaning, or it
cannot reach a template. A field annotated ``Annotated[T, M("…", KIND)]`` carries its meaning and, where its
Python type does not say it (an amount, a ratio, points), its kind. Fields that mirror the workbook (the rows of
收支预决算, a project's columns, 基本信息 rows) are labelled from the workbook schema by the guide; they are
declared here by their container (``Rows``, ``Column``), with what the schema cannot say.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from types import UnionType
from typing import Annotated, Any, TypedDict, Union, get_args, get_origin, get_type_hints, is_typeddict

from ..model import schema

MONEY, RATIO, POINTS, NUMBER, INT, TEXT, BOOL, TEXTS, LIST, DICT, DATE, MIXED, ANY = (
    "金额",
    "比率",
    "分值",
    "数值",
    "整数",
    "文本",
    "真假",
    "文本列表",
    "列表",
    "字典",
    "日期",
    "数值或文本",
    "按填报的类型",
)


@dataclass(frozen=True)
class Meaning:
    text: str
    kind: str | None = None  # overrides the schema's kind and the value's (a formatted date is text)
    deep: bool = False  # the meaning of every path below too (custom.**: each department's own names)


def M(text: str, kind: str | None = None, *, deep: bool = False) -> Meaning:
    return Meaning(text, kind, deep)


@dataclass(frozen=True)
class SheetRecords:
    """Marks a list of a list sheet's records: each item's fields are the sheet's columns (labelled by the schema)
    and ``row``, the record's row in the sheet."""

    sheet: str  # the schema key of the sheet


ROW = M("在工作表中的行号", INT)

Amount = Decimal | None  # 万元; None where the workbook has no figure (printed “—” by the filters)
Rows = dict[str, Any]  # a form sheet's column: its rows by key (schema), each an amount


class Document(TypedDict):
    title: Annotated[str, M("文件属性“标题”：即 title", TEXT)]
    author: Annotated[str, M("文件属性“作者”：单位名称", TEXT)]


class Charts(TypedDict):
    enabled: Annotated[bool, M("template.toml 的 charts.enabled：是否画图", BOOL)]
    structure: Annotated[Any, M("图：基本支出与项目支出（全年执行数）", ANY)]
    functions: Annotated[Any, M("图：项目支出按功能分类", ANY)]
    budget: Annotated[Any, M("图：收入、支出、基本支出、项目支出的年初预算数、全年预算数、全年执行数", ANY)]
    indicators: Annotated[Any, M("图：预算执行率等指标与 100% 的对比", ANY)]


class Cover(TypedDict):
    enabled: Annotated[bool, M("template.toml 的 cover.enabled：是否加封面；模板中写 {%p if cover.enabled %}", BOOL)]


class CustomField(TypedDict):
    name: str
    value: Any
    unit: str
    type: str


class Unit(TypedDict):
    name: str
    short_name: str
    supervisor: str


class Part(TypedDict):
    key: Annotated[str, M("收入行的字段名（income_general 等）", TEXT)]
    label: Annotated[str, M("收入来源名称", TEXT)]
    amount: Annotated[Amount, M("金额", MONEY)]


class BudgetColumn(TypedDict):
    """One column of 收支预决算: its rows by key (labelled by the schema: budget.actual.expense_total), and:"""

    income_sources: Annotated[list[Part], M("该列不为零的收入来源，每项 {key, label, amount}；用于“其中……”句", LIST)]


# declared keys beside which the workbook's own stand: budget's column holds the rows of 收支预决算 by key
OPEN: dict[type, schema.FormSheet] = {BudgetColumn: schema.BUDGET}


class ThreePublicPart(TypedDict):
    key: Annotated[str, M("该项的字段名", TEXT)]
    label: Annotated[str, M("该项名称", TEXT)]
    amount: Annotated[Amount, M("金额", MONEY)]


class Change(TypedDict):
    word: Annotated[str, M("增加、减少或持平", TEXT)]
    amount: Annotated[Amount, M("差额的绝对值", MONEY)]


class Shares(TypedDict):
    basic: Annotated[Decimal | None, M("基本支出 ÷ 支出合计", RATIO)]
    project: Annotated[Decimal | None, M("项目支出 ÷ 支出合计", RATIO)]


class ThreePublicColumn(TypedDict):
    total: Amount
    parts: Annotated[
        list[ThreePublicPart],
        M(
            "各项 {key, label, amount}：因公出国（境）费、公务用车购置及运行维护费、公务接待费；"
            "公务用车两项都填时分为购置费和运行维护费（只列不为零的）",
            LIST,
        ),
    ]


class FunctionItem(TypedDict):
    code: Annotated[str, M("科目编码", TEXT)]
    name: Annotated[str, M("科目名称", TEXT)]
    amount: Annotated[Amount, M("项目支出", MONEY)]


class FunctionGroup(TypedDict):
    code: Annotated[str | None, M("科目编码；没有编码的行为空", TEXT)]
    name: Annotated[str, M("科目名称", TEXT)]
    amount: Annotated[Amount, M("该类的项目支出", MONEY)]
    children: Annotated[list[FunctionItem], M("其下最末一级科目，每项 {code, name, amount}", LIST)]


class YoyRow(TypedDict):
    word: Annotated[str, M("增加、减少或持平", TEXT)]
    amount: Annotated[Amount, M("增减额（绝对值）", MONEY)]
    rate: Annotated[Decimal | None, M("增减率（本年 − 上年）÷ 上年；上年为 0 时为空", RATIO)]
    prior: Annotated[Amount, M("上年决算数", MONEY)]
    current: Annotated[Amount, M("本年数（全年执行数或决算数）", MONEY)]


class Indicator(TypedDict):
    key: Annotated[str, M("指标的字段名", TEXT)]
    name: Annotated[str, M("指标名称", TEXT)]
    value: Annotated[Decimal | None, M("指标值", RATIO)]
    formula: Annotated[str, M("计算公式", TEXT)]
    sources: Annotated[str, M("计算所用的工作簿数据（表、行、列）", TEXT)]
    outline: Annotated[str, M("报告中印出它的位置（正文、附件、图）", TEXT)]


class CardBudget(TypedDict):
    initial: Annotated[Amount, M("年初预算数", MONEY)]
    adjusted: Annotated[Amount, M("全年预算数", MONEY)]
    actual: Annotated[Amount, M("全年执行数", MONEY)]
    points: Annotated[Decimal, M("预算执行率的分值", POINTS)]
    rate: Annotated[Decimal | None, M("预算执行率（执行数 ÷ 全年预算数）", RATIO)]
    score: Annotated[Decimal | None, M("预算执行率的得分", POINTS)]


class EvaluationBudget(TypedDict):
    initial: Annotated[Amount, M("收入合计的年初预算数", MONEY)]
    adjusted: Annotated[Amount, M("收入合计的全年预算数", MONEY)]
    actual: Annotated[Amount, M("收入合计的全年执行数", MONEY)]
    points: Annotated[Decimal, M("预算执行率的分值", POINTS)]
    rate: Annotated[
        Decimal | None, M("执行率：收入合计的全年执行数 ÷ 全年预算数，即 indicators.budget_execution_rate.value", RATIO)
    ]
    score: Annotated[Decimal | None, M("预算执行率的得分", POINTS)]


class KpiRow(TypedDict):
    level1: Annotated[str, M("带分值，如“产出指标（50分）”", TEXT)]
    level2: Annotated[str, M("", TEXT)]
    level3: Annotated[str, M("", TEXT)]
    first1: Annotated[bool, M("是否开始新的一级指标组：与 {% vmerge k.first1 %} 合用，合并同组单元格", BOOL)]
    first2: Annotated[bool, M("是否开始新的二级指标组（{% vmerge k.first2 %}）", BOOL)]
    target: Annotated[str | None, M("带方向和单位，如“≥150户”", TEXT)]
    actual: Annotated[str, M("带单位；未填为“—”", TEXT)]
    points: Annotated[Decimal | None, M("", POINTS)]
    score: Annotated[Decimal | None, M("无法计算时为空", POINTS)]
    computed: Annotated[bool, M("得分是否由 genreport 计算（false：按填报的得分）", BOOL)]
    remark: Annotated[str, M("未填为空文字", TEXT)]
    deviation: Annotated[
        Decimal | None,
        M("偏离度 |实际完成值 − 年度指标值| ÷ |年度指标值|；rules.toml 不按偏离扣分或这一方向不计时为空", RATIO),
    ]
    deduction: Annotated[Decimal | None, M("按 rules.toml 的偏离档次扣的分（不改动得分）；不扣分时为空", POINTS)]


class Adjustment(TypedDict):
    label: Annotated[str, M("如“偏离扣分”“产出指标折算”“预算执行率扣分”“预算执行率限分”“预算执行率限定等级”", TEXT)]
    change: Annotated[Decimal | None, M("对总分的增减（扣分为负数）；只限定等级时为空", POINTS)]
    note: Annotated[str, M("怎样算出的，如“预算执行率85.00%，在80%（含）至90%档，总分扣2分”", TEXT)]


KPI_ROWS = M("绩效指标各行，按一级、二级指标分组排列；用 {%tr for k in … %} 逐行打印")
TOTAL = M("总分（rules.toml 的调整之后，见 adjustments）；缺少数据时为空（原因见 missing）", POINTS)
GRADE = M("等级：优、良、中、差（按调整后的总分和限定）；总分为空时为空", TEXT)
MISSING = M("总分为空的原因：缺少的数据", TEXTS)
TOTAL_POINTS = M("满分（rules.toml）", POINTS)
SUBTOTAL = M(
    "各项得分合计：预算执行率与各指标的得分之和，rules.toml 的扣分、限分、折算之前；没有这些规则时等于 total", POINTS
)
ADJUSTMENTS = M(
    "rules.toml 对总分的调整，依次（偏离扣分、一级指标折算、预算执行率扣分、限分、限定等级），每项一行，"
    "从 subtotal 算到 total；默认规则下为空列表。用 {%tr for a in … %} 印在总分之上",
    LIST,
)


class IncomeSource(TypedDict):
    label: Annotated[str, M("收入来源名称", TEXT)]
    amount: Annotated[Amount, M("金额", MONEY)]


class Evaluation(TypedDict):
    budget: Annotated[
        EvaluationBudget,
        M(
            "“年度资金总额”一行：收入合计的年初预算数、全年预算数、全年执行数，执行率 = 全年执行数 ÷ 全年预算数"
            "（与衡山县公开的自评表一致：年度资金总额在收入一侧；支出一侧见 expense_total，可以更小，如有结转结余）"
        ),
    ]
    kpis: Annotated[list[KpiRow], KPI_ROWS]
    total: Annotated[Decimal | None, TOTAL]
    grade: Annotated[str | None, GRADE]
    missing: Annotated[list[str], MISSING]
    total_points: Annotated[Decimal, TOTAL_POINTS]
    subtotal: Annotated[Decimal | None, SUBTOTAL]
    adjustments: Annotated[list[Adjustment], ADJUSTMENTS]
    income_total: Annotated[Amount, M("按收入性质分：收入合计（全年执行数），即年度资金总额的全年执行数", MONEY)]
    income_sources: Annotated[list[IncomeSource], M("按收入性质的各行 {label, amount}，未填的为空", LIST)]
    expense_total: Annotated[
        Amount,
        M(
            "按支出性质分：支出合计（全年执行数；未填时为基本支出＋项目支出）；可以小于收入合计（结转结余），"
            "只在它与基本支出＋项目支出不符时才有警告",
            MONEY,
        ),
    ]
    basic: Annotated[Amount, M("按支出性质分的基本支出（全年执行数）", MONEY)]
    project: Annotated[Amount, M("按支出性质分的项目支出（全年执行数）", MONEY)]
    goal: Annotated[list[str], M("年度总体目标（预期目标）段落", TEXTS)]
    goal_outcome: Annotated[list[str], M("年度总体目标（实际完成情况）段落", TEXTS)]


class FundSource(TypedDict):
    label: Annotated[str, M("资金来源", TEXT)]
    initial: Annotated[Amount, M("年初预算数", MONEY)]
    adjusted: Annotated[Amount, M("全年预算数", MONEY)]
    actual: Annotated[Amount, M("全年执行数", MONEY)]


class ProjectEvaluation(TypedDict):
    budget: Annotated[CardBudget, M("预算执行情况一行")]
    kpis: Annotated[list[KpiRow], KPI_ROWS]
    total: Annotated[Decimal | None, TOTAL]
    grade: Annotated[str | None, GRADE]
    missing: Annotated[list[str], MISSING]
    total_points: Annotated[Decimal, TOTAL_POINTS]
    subtotal: Annotated[Decimal | None, SUBTOTAL]
    adjustments: Annotated[list[Adjustment], ADJUSTMENTS]
    sources: Annotated[list[FundSource], M("“其中”行：当年财政拨款、上年结转资金、其他资金，依次", LIST)]
    name: Annotated[str, M("项目名称", TEXT)]
    supervisor: Annotated[str, M("主管部门（未填为单位名称）", TEXT)]
    unit: Annotated[str, M("实施单位（未填为单位名称）", TEXT)]
    goal: Annotated[str, M("预期目标", TEXT)]
    outcome: Annotated[str, M("实际完成情况", TEXT)]


class BasicDataRow(TypedDict):
    label: Annotated[str, M("行名", TEXT)]
    indent: Annotated[int, M("缩进级数（0、1、2）", INT)]
    prior: Annotated[Amount, M("上年决算数", MONEY)]
    budget: Annotated[Amount, M("预算数", MONEY)]
    actual: Annotated[Amount, M("决算数", MONEY)]


class Building(TypedDict):
    name: str
    approved_area: Decimal | None
    actual_area: Decimal | None
    area_rate: Annotated[Decimal | None, M("面积控制率", RATIO)]
    budget: Amount
    actual: Amount
    investment_rate: Annotated[Decimal | None, M("投资概算控制率", RATIO)]


class BasicData(TypedDict):
    staff_quota: Annotated[int, M("编制数合计", INT)]
    staff_actual: Annotated[int | None, M("实有人数合计；未填为空", INT)]
    staff_control_rate: Annotated[Decimal | None, M("在职人员控制率", RATIO)]
    rows: Annotated[
        list[BasicDataRow],
        M(
            "表中各行 {label, indent, prior, budget, actual}；没有三公经费或政府采购数据时，这些行的数为空（打印“—”）",
            LIST,
        ),
    ]
    austerity: Annotated[list[str], M("厉行节约保障措施段落", TEXTS)]
    buildings: Annotated[
        list[Building],
        M(
            "本年完工的楼堂馆所，每项 {name, approved_area, actual_area, area_rate 面积控制率, budget, actual, "
            "investment_rate 投资概算控制率}",
            LIST,
        ),
    ]


YOY_TABLE = M("同比的一张表（budget 收支预决算、three_public 三公经费），按行", DICT)


class Context(TypedDict):
    """The template context: the vocabulary of every report template (docs/template-guide.md)."""

    document: Annotated[Document, M("报告文件的属性（Word 的“文件 › 信息”），不打印在正文")]
    title: Annotated[str, M("报告标题：template.toml 的 report.title 填入年度和单位后的文字")]
    words: Annotated[dict[str, str], M("随单位类别而变的用词（template.toml 的 [words]），如 {{ words.office }}")]
    sections: Annotated[
        dict[str, bool], M("正文各段是否打印（template.toml 的 [sections]），如 {%p if sections.yoy %}")
    ]
    appendices: Annotated[dict[str, bool], M("各附件是否打印（template.toml 的 [appendices]）")]
    charts: Annotated[
        Charts,
        M(
            "报告中的图表（template.toml 的 charts.enabled 为 true 时才画）：各项是一幅图，数据不足或未开启时为空；"
            "写在单独一段：{%p if charts.budget %}…{{ charts.budget }}…{%p endif %}"
        ),
    ]
    cover: Annotated[Cover, M("封面（template.toml 的 [cover]）：打印报告标题、单位名称和成文日期，不编页码")]
    custom: Annotated[
        dict[str, Annotated[Any, M("自定义字段或自定义表的值", ANY, deep=True)]],
        M(
            "本部门自己的数据：“自定义字段”表的每一项按名称（{{ custom.绿化面积 }}），template.toml 中 [[tables]] "
            "声明的表按 key（{%tr for r in custom.KEY %}，每行一条，列按 columns 的 key）",
            DICT,
        ),
    ]
    custom_fields: Annotated[
        list[CustomField],
        M("“自定义字段”表的各行，按行的顺序（名称、值、单位、类型）", LIST),
        SheetRecords("custom_fields"),
    ]
    year: int
    unit: Annotated[Unit, M("单位名称、简称和主管部门（基本信息表）")]
    basis: Annotated[str | None, M("前言“根据……”之后的文字")]
    threshold: Annotated[Decimal, M("项目逐项说明的金额标准；用 |plain 打印（50）")]
    report_date: Annotated[str, M("落款日期，已写成“2023年3月31日”；未填为空文字。汉字写法用 |cn_date('汉字')", TEXT)]
    duties: list[str]
    offices: list[str]
    offices_count: Annotated[int, M("内设机构的个数")]
    offices_count_cn: Annotated[str, M("内设机构个数的中文写法（十五；2 写作“两”）")]
    staffing: Annotated[list[dict[str, Any]], M("人员编制表的各行"), SheetRecords("staffing")]
    final_units: list[str]
    budget: Annotated[
        dict[str, Annotated[BudgetColumn, M("收支预决算表的一列")]],
        M(
            "收支预决算表：budget.列.行。列：prior 上年决算数、initial 年初预算数、adjusted 全年预算数、"
            "actual 全年执行数；合计未填时为各分项之和"
        ),
    ]
    income_change: Annotated[Change, M("决算总收入与年初预算收入的差额；{{ income_change|delta }} 写成“增加……万元”")]
    shares: Annotated[Shares, M("基本支出、项目支出各占支出合计（全年执行数）的比率")]
    three_public: Annotated[
        dict[str, Annotated[ThreePublicColumn, M("“三公”经费的一列")]] | None,
        M(
            "“三公”经费：three_public.列.total 与 .parts；列：prior 上年决算数、budget 预算数、actual 决算数。"
            "工作簿没有三公经费数据（删除了该表或整表空白）时为空（none），不是 0：用 {%p if three_public %} 判断；"
            "填写的 0 照样是 0（未发生）",
            DICT,
        ),
    ]
    procurement: Annotated[
        dict[str, Annotated[Rows, M("政府采购表的一列")]] | None,
        M(
            "政府采购表：procurement.列.行；列：budget 采购预算数、actual 实际采购金额。"
            "没有政府采购数据（删除了该表或整表空白）时为空（none），不是 0：用 {%p if procurement %} 判断",
            DICT,
        ),
    ]
    assets: Annotated[
        Rows | None,
        M(
            "资产表；净资产未填时按资产总额 − 负债总额计算，资产使用率未填时按在用 ÷ 原值计算。"
            "没有资产数据（删除了该表或整表空白）时为空（none）：用 {%p if assets %} 判断",
            DICT,
        ),
    ]
    function_groups: Annotated[list[FunctionGroup], M("支出明细按类汇总（项目支出列）：每一类及其下最末一级科目")]
    projects: Annotated[
        list[dict[str, Any]],
        M(
            "项目表的全部项目（工程、民生、会议、运转等任何支出事项），按行的顺序；非工程事项的 cost（总造价）"
            "可以为空，category（类别）是填报的文字"
        ),
        SheetRecords("projects"),
    ]
    major_projects: Annotated[
        list[dict[str, Any]],
        M(
            "逐项说明的项目：总造价达到 threshold 的；未填总造价的，全年预算数或全年执行数达到 threshold 的。"
            "字段同 projects"
        ),
        SheetRecords("projects"),
    ]
    kpis: Annotated[
        list[dict[str, Any]], M("绩效指标表的各行（未分组、未计分；自评表用 evaluation.kpis）"), SheetRecords("kpis")
    ]
    texts: Annotated[
        dict[str, list[str]],
        M("文字表的段落，按章节，每章节是段落列表（可能为空）；用 {%p for t in texts.章节 %} 逐段打印"),
    ]
    yoy: Annotated[
        dict[str, Annotated[dict[str, Annotated[YoyRow, M("一行的同比")]], YOY_TABLE]],
        M(
            "同比：yoy.budget.行、yoy.three_public.行，各有 prior 上年数、current 本年数、word（增加/减少/持平）、"
            "amount 增减额、rate 增减率（上年为 0 时为空）；{{ yoy.budget.expense_total|delta }} 写成“增加……万元”。"
            "只含两年的数都有的行：上年决算数（或本年数）未填、且不能由全部组成项合计的行不在其中，"
            "从不用部分之和（如上年只填了公用经费时没有基本支出的同比）；没有三公经费数据时 yoy.three_public 为空。"
            "用 {% if yoy.budget.expense_total is defined %} 判断某行是否有同比"
        ),
    ]
    indicators: Annotated[
        dict[str, Indicator],
        M(
            "标准指标（pipeline/derive/indicators.py，每项只定义一次），每项 {key, name, value, formula, sources, "
            "outline}；缺数据时 value 为空（没有三公经费、政府采购或资产数据时相应指标为空，不是 0）。"
            "正文、图和自评表印的都是这个值，模板不要自己相除：预算执行率写 "
            "{{ indicators.budget_execution_rate.value|pct }}（按收入合计，即自评表“年度资金总额”行，"
            "与 evaluation.budget.rate 相同）"
        ),
    ]
    evaluation: Annotated[Evaluation, M("部门整体支出绩效自评表（附件1）")]
    project_evaluations: Annotated[
        list[ProjectEvaluation],
        M("项目支出绩效自评表（附件2）：每个有绩效指标的项目一张，字段同 evaluation，另有下列"),
    ]
    basic_data: Annotated[BasicData, M("部门整体支出绩效评价基础数据表（附件3）")]


def declared_meanings(root: type = Context) -> dict[str, Meaning]:
    """Every declared meaning by its path pattern: ``a.b`` a field, ``a.*`` any key of a mapping, ``a[]`` the items
    of a list, ``a.**`` any path below (the guide picks the most specific pattern that matches a path)."""
    out: dict[str, Meaning] = {}
    _typed_dict(root, "", out)
    return out


def _typed_dict(tp: type, path: str, out: dict[str, Meaning]) -> None:
    for key, hint in get_type_hints(tp, include_extras=True).items():
        _field(hint, f"{path}.{key}" if path else key, out)


def _field(hint: Any, path: str, out: dict[str, Meaning]) -> None:
    if get_origin(hint) is Annotated:
        hint, *extras = get_args(hint)
        for extra in extras:
            if isinstance(extra, Meaning):
                out[f"{path.removesuffix('.*')}.**" if extra.deep else path] = extra
            elif isinstance(extra, SheetRecords):
                out[f"{path}[].row"] = ROW
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Union, UnionType):
        for arg in args:
            if arg is not type(None):
                _field(arg, path, out)
    elif origin is list:
        _field(args[0], f"{path}[]", out)
    elif origin is dict:
        _field(args[1], f"{path}.*", out)
    elif is_typeddict(hint):
        _typed_dict(hint, path, out)
