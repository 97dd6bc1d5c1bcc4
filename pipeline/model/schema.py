"""The standard workbook (填报模板), declared once.

The blank form writer, the reader, the checks and the generated documentation
all walk these declarations; nothing else in the code names a sheet, a column
label or a unit.  Two kinds of sheet exist:

* ``FormSheet``: fixed rows, one per ``Field``, found by the label in column A;
  one or more value columns (``ValueColumn``) beside it. A row may be the sum of its parts (``parent``) or the
  difference of two rows (``difference``); ``column_figures`` is the one rule that turns those declarations into
  the figure a blank row stands for.
* ``ListSheet``: free rows, one record each; columns (``Field``) found by
  their header label, so a user may reorder them.

Every sheet has the same frame: row 1 holds the unit cell (``金额单位`` in A1,
万元 or 元 in B1) or a one-line description, row 2 the headers, data from row 3.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum


class Kind(Enum):
    TEXT = "文本"
    INT = "整数"
    MONEY = "金额"
    DECIMAL = "数值"
    PERCENT = "百分比"
    YEAR = "年份"
    DATE = "日期"
    CODE = "科目编码"
    NUMBER_OR_TEXT = "数值或文本"


UNIT_LABEL = "金额单位"
UNITS = {"万元": 1, "元": 10000}  # divisor to 万元
DEFAULT_UNIT = "万元"
TITLE_ROW = 1
HEADER_ROW = 2
FIRST_DATA_ROW = 3
ITEM_HEADER = "项目"
HELP_HEADER = "填报说明"

# What reading a workbook accepts at most (issue 16): far above any real department (the sample has 300 rows per list
# sheet, 20 sheets, under 1 MB unpacked), far below what exhausts a machine. Counted while the package is inflated,
# before anything is parsed; docs/workbook.md states them.
MAX_FILE_MB = 64  # the .xlsx file itself
MAX_UNPACKED_MB = 256  # all its parts, unpacked
MAX_PARTS = 10_000  # parts (files) in the package
MAX_SHEETS = 250  # sheets of any kind
MAX_SHEET_ROWS = 20_000  # data rows of one sheet the form reads (rows the file stores, formatted blank ones included)
MAX_CELLS = 300_000  # cells stored in the sheets the form reads, all together (20,000 rows of 15 columns)
MAX_STRINGS = 1_000_000  # entries of the shared string table
MAX_PART_TAGS = 200_000  # elements of any other XML part (styles, comments, drawings): Excel's 64,000 formats fit


@dataclass(frozen=True)
class Field:
    """A column of a list sheet, or a row of a form sheet."""

    key: str
    label: str
    kind: Kind = Kind.TEXT
    required: bool = False
    help: str = ""
    choices: tuple[str, ...] = ()
    default: str | None = None
    # form rows only: the row this one adds up into ("sum") or is a part of ("part", 其中项)
    parent: str | None = None
    relation: str = "sum"
    signed: bool = False  # amounts may be negative only where this is set (净资产 can be)
    # form rows only: this row equals the first row minus the second (净资产 = 资产总额 − 负债总额)
    difference: tuple[str, str] | None = None
    indent: int = 0
    width: int = 14
    # list columns only: the kind of this cell is named by another column of the same row (自定义字段's 类型)
    kind_from: str | None = None
    # form rows only: added to the form after workbooks were in use, so a workbook without the row is not wrong
    may_be_absent: bool = False
    # list columns only: a reference for the person filling in (上年实际完成值, written by ``init --from``): read
    # without a warning, never required nor checked, printed nowhere; the blank form of a new unit leaves it out
    hint: bool = False
    # list columns only: last year's value of that column, filled by ``init --from`` (上年实际完成值 ← 实际完成值)
    prior_of: str | None = None


@dataclass(frozen=True)
class ValueColumn:
    """A value column of a form sheet (预算数, 执行数 …): its label and whether it must be filled."""

    key: str
    label: str
    required: bool = True
    help: str = ""
    # last year's figure of that column (上年决算数 ← 全年执行数), filled by ``init --from``
    prior_of: str | None = None


@dataclass(frozen=True)
class FormSheet:
    """A sheet of labelled rows (基本信息, 收支预决算 …): one record of its rows' values."""

    key: str
    name: str
    record: str  # the model's class for this sheet (records.py)
    description: str
    rows: tuple[Field, ...]
    columns: tuple[ValueColumn, ...]
    money: bool = True
    # False: a unit without such data leaves the sheet out or blank (no 政府采购, no 资产 data): the model then holds
    # no figures for it, which the report must omit rather than print as 0; a typed 0 stays a fact (未发生)
    required: bool = True

    def row(self, key: str) -> Field:
        found = self._lookups()[0].get(key)
        return found if found is not None else next(r for r in self.rows if r.key == key)  # raises as it did

    def parts(self, key: str) -> tuple[Field, ...]:
        """The rows that add up to row ``key`` (its 其中 rows, relation "part", are not among them)."""
        return self._lookups()[1].get(key, ())

    def _lookups(self) -> tuple[dict[str, Field], dict[str | None, tuple[Field, ...]]]:
        """Each row by key (the first of a key) and each row's parts, made on first use and kept on the sheet (no
        field of it: a sheet compares, hashes and prints as before): derive and the checks ask ~100 times a report."""
        found = self.__dict__.get("_by_key")
        if found is None:
            by_key: dict[str, Field] = {}
            parts: dict[str | None, list[Field]] = {}
            for f in self.rows:
                by_key.setdefault(f.key, f)
                if f.relation == "sum":
                    parts.setdefault(f.parent, []).append(f)
            found = (by_key, {parent: tuple(fields) for parent, fields in parts.items()})
            object.__setattr__(self, "_by_key", found)
        return found


@dataclass(frozen=True)
class ListSheet:
    """A sheet of one record per row (项目, 绩效指标 …), read by its column headers."""

    key: str
    name: str
    record: str  # the model's class for one row of this sheet (records.py)
    description: str
    columns: tuple[Field, ...]
    money: bool = False
    required: bool = True
    min_rows: int = 0
    notes: tuple[str, ...] = field(default=())
    announce_missing: bool = True  # False: a workbook without this optional sheet is ordinary, not worth a warning

    def column(self, key: str) -> Field:
        return next(c for c in self.columns if c.key == key)


Sheet = FormSheet | ListSheet

TEXT_SECTIONS: dict[str, str] = {
    "variance": "预决算差异说明",
    "overall": "整体绩效目标完成情况",
    "problems": "存在的主要问题",
    "measures": "下一步改进措施",
    "publicity": "自评结果应用和公开",
    "other": "其他需要说明的情况",
    "goal": "年度总体目标（预期目标）",
    "goal_outcome": "年度总体目标（实际完成情况）",
    "austerity": "厉行节约保障措施",
}

KPI_LEVEL1 = ("产出指标", "效益指标", "满意度指标")
KPI_DIRECTIONS = ("≥", "≤", "=", "定性")

BASIC = FormSheet(
    key="basic",
    name="基本信息",
    record="BasicInfo",
    description="单位基本信息：每行一项，在“内容”列填写。",
    money=False,
    columns=(ValueColumn("value", "内容"),),
    rows=(
        Field(
            "name",
            "单位名称",
            required=True,
            help="报告中使用的单位全称，如“衡山县住房和城乡建设局（人防办）”；用于决算单位构成和落款。",
        ),
        Field("short_name", "单位简称", help="正文中的简称，如“县住房和城乡建设局（县人防办）”；不填则使用单位名称。"),
        Field("year", "年度", Kind.YEAR, required=True, help="报告所评价的预算年度，四位数字，如 2022。"),
        Field("supervisor", "主管部门", help="主管部门或上级单位名称。"),
        Field(
            "basis",
            "评价依据",
            required=True,
            help="前言“根据……”之后、“，现将……”之前的文字：所依据的法规和文件，按原样填写。",
        ),
        Field(
            "threshold",
            "项目分项说明金额标准（万元）",
            Kind.MONEY,
            default="50",
            help=(
                "项目总造价（预算）达到此金额的项目在“项目绩效目标完成情况”中逐项说明；未填总造价的项目，"
                "全年预算数或全年执行数达到此金额的也逐项说明。不填为 50 万元。"
            ),
        ),
        Field("report_date", "报告日期", Kind.DATE, help="落款日期；不填则落款不写日期。"),
        Field(
            "template",
            "模板",
            help="生成报告所用的模板名（templates/ 下的文件夹名，如“乡镇”）；不填用默认模板。命令行 -t 优先。",
            may_be_absent=True,
        ),
    ),
)

DUTIES = ListSheet(
    key="duties",
    name="部门职责",
    record="Duty",
    description="部门主要职责：每段一行，按报告中的顺序；编号（第一条、（一）等）照原文填写。",
    min_rows=1,
    columns=(Field("text", "职责内容", required=True, help="一段职责文字。", width=100),),
)

OFFICES = ListSheet(
    key="offices",
    name="内设机构",
    record="Office",
    description="内设机构：每个股室（机构）一行，按顺序。报告自动合计个数。",
    min_rows=1,
    columns=(Field("name", "机构名称", required=True, help="如“办公室”“公用事业股（给排水管理办公室）”。", width=40),),
)

STAFFING = ListSheet(
    key="staffing",
    name="人员编制",
    record="Staffing",
    description="人员编制：每种编制一行。",
    min_rows=1,
    columns=(
        Field("kind", "编制类型", required=True, help="如“机关行政编制”“机关后勤服务全额拨款事业编制”。", width=36),
        Field("quota", "编制数", Kind.INT, required=True, help="核定编制人数。", width=10),
        Field("actual", "实有人数", Kind.INT, help="年末实有在职人数；用于在职人员控制率。", width=10),
        Field("positions", "领导职数及说明", help="接在编制数之后的说明，如“设局长1名，副局长3名”。", width=60),
    ),
)

FINAL_UNITS = ListSheet(
    key="final_units",
    name="决算单位",
    record="FinalUnit",
    description="部门决算单位构成：纳入部门决算的单位，每个一行。",
    min_rows=1,
    columns=(Field("name", "单位名称", required=True, help="如“县住房和城乡建设局（人防办）本级”。", width=50),),
)

_BUDGET_COLUMNS = (
    ValueColumn("prior", "上年决算数", required=False, help="上年决算数，用于同比；可不填。", prior_of="actual"),
    # optional: a unit entered from its published 决算 (a CPPCC committee, a township) has no 年初预算数; what
    # depends on it (预算调整率, 预算控制率, 较年初预算的增减, 基本支出预算调整) is then left out, never invented
    ValueColumn(
        "initial",
        "年初预算数",
        required=False,
        help="年初预算数；已公开的决算未列明的可不填，报告中依赖它的内容（预算调整率、较年初预算增减等）不写。",
    ),
    ValueColumn("adjusted", "全年预算数", required=False, help="调整后的全年预算数；可不填。"),
    ValueColumn("actual", "全年执行数", help="全年执行数（决算数）。"),
)

BUDGET = FormSheet(
    key="budget",
    name="收支预决算",
    record="Budget",
    description="本年收入、支出的预算与决算。",
    columns=_BUDGET_COLUMNS,
    rows=(
        Field(
            "income_total",
            "收入合计",
            Kind.MONEY,
            required=True,
            help=(
                "本年收入合计，按报表填列；不填则按各收入来源合计（各来源都要填，没有的填 0）。"
                "部门整体支出绩效自评表的“年度资金总额”和“按收入性质分”取此行。"
            ),
        ),
        Field("income_general", "一般公共预算拨款", Kind.MONEY, parent="income_total", indent=1),
        Field("income_fund", "政府性基金预算拨款", Kind.MONEY, parent="income_total", indent=1),
        Field("income_soe", "国有资本经营预算拨款", Kind.MONEY, parent="income_total", indent=1),
        Field("income_special", "财政专户管理资金", Kind.MONEY, parent="income_total", indent=1),
        Field("income_other", "单位资金及其他收入", Kind.MONEY, parent="income_total", indent=1),
        Field(
            "expense_total",
            "支出合计",
            Kind.MONEY,
            required=True,
            help=(
                "本年支出合计，按报表填列；不填则按基本支出＋项目支出计算。可以小于收入合计（如有结转结余）；"
                "自评表的“按支出性质分”取此行。"
            ),
        ),
        Field(
            "basic",
            "基本支出",
            Kind.MONEY,
            required=True,
            parent="expense_total",
            indent=1,
            help="不填则按人员经费＋公用经费计算（两项都要填）。",
        ),
        Field("personnel", "人员经费", Kind.MONEY, parent="basic", indent=2),
        Field("public", "公用经费", Kind.MONEY, parent="basic", indent=2),
        Field("office", "其中：办公经费", Kind.MONEY, parent="public", relation="part", indent=3),
        Field("utilities_travel", "其中：水费、电费、差旅费", Kind.MONEY, parent="public", relation="part", indent=3),
        Field("meeting_training", "其中：会议费、培训费", Kind.MONEY, parent="public", relation="part", indent=3),
        Field("project", "项目支出", Kind.MONEY, required=True, parent="expense_total", indent=1),
    ),
)

FUNCTIONS = ListSheet(
    key="functions",
    name="支出明细",
    record="FunctionLine",
    description="本年支出决算按功能分类（政府收支分类科目）的明细。",
    money=True,
    required=False,
    notes=(
        "科目编码的位数表示层级：类 3 位、款 5 位、项 7 位；无编码的行视为独立的一类。",
        "报告中“主要项目列支如下”按“项目支出”列生成：每一类及其下最末一级科目。",
    ),
    columns=(
        Field("code", "科目编码", Kind.CODE, help="政府收支分类科目编码（3、5 或 7 位），可不填。", width=12),
        Field("name", "科目名称", required=True, help="科目名称，如“住房保障支出”。", width=30),
        Field("basic", "基本支出", Kind.MONEY, help="该科目的基本支出决算数。", width=14),
        Field("project", "项目支出", Kind.MONEY, help="该科目的项目支出决算数。", width=14),
    ),
)

THREE_PUBLIC = FormSheet(
    key="three_public",
    name="三公经费",
    record="ThreePublic",
    description="“三公”经费预算与决算。没有这方面数据的单位可以整表不填或删除本表，报告中不写这部分；为零的请填 0。",
    required=False,
    columns=(
        ValueColumn("prior", "上年决算数", required=False, help="可不填。", prior_of="actual"),
        ValueColumn("budget", "预算数"),
        ValueColumn("actual", "决算数"),
    ),
    rows=(
        Field("total", "“三公”经费合计", Kind.MONEY, help="不填则按各项合计（各项都要填，没有的填 0）。"),
        Field("abroad", "因公出国（境）费", Kind.MONEY, required=True, parent="total", indent=1),
        Field(
            "vehicle",
            "公务用车购置及运行维护费",
            Kind.MONEY,
            parent="total",
            indent=1,
            help="不填则按购置费与运行维护费合计（两项都要填，没有的填 0）。",
        ),
        Field("vehicle_purchase", "其中：公务用车购置费", Kind.MONEY, parent="vehicle", indent=2),
        Field("vehicle_operation", "其中：公务用车运行维护费", Kind.MONEY, parent="vehicle", indent=2),
        Field("reception", "公务接待费", Kind.MONEY, required=True, parent="total", indent=1),
    ),
)

PROCUREMENT = FormSheet(
    key="procurement",
    name="政府采购",
    record="Procurement",
    description="本年政府采购金额。没有政府采购数据的单位可以整表不填或删除本表，报告中不写这部分；为零的请填 0。",
    required=False,
    columns=(
        ValueColumn("budget", "采购预算数", required=False, help="政府采购预算数；用于政府采购执行率，可不填。"),
        ValueColumn("actual", "实际采购金额"),
    ),
    rows=(
        Field("total", "政府采购合计", Kind.MONEY, help="不填则按货物、工程、服务合计。"),
        Field("goods", "货物", Kind.MONEY, required=True, parent="total", indent=1),
        Field("works", "工程", Kind.MONEY, required=True, parent="total", indent=1),
        Field("services", "服务", Kind.MONEY, required=True, parent="total", indent=1),
    ),
)

ASSETS = FormSheet(
    key="assets",
    name="资产",
    record="Assets",
    description="年末资产情况。没有资产数据的单位可以整表不填或删除本表，报告中不写这部分。",
    required=False,
    columns=(ValueColumn("amount", "年末数"),),
    rows=(
        Field("total_assets", "资产总额", Kind.MONEY, required=True),
        Field("liabilities", "负债总额", Kind.MONEY, required=True),
        Field(
            "net_assets",
            "净资产",
            Kind.MONEY,
            signed=True,
            difference=("total_assets", "liabilities"),
            help="不填则按资产总额减负债总额计算。",
        ),
        Field("fixed_assets", "固定资产原值", Kind.MONEY, required=True, help="固定资产账面原值。"),
        Field("fixed_in_use", "在用固定资产", Kind.MONEY, help="在用固定资产原值。"),
        Field(
            "usage_rate",
            "资产使用率",
            Kind.PERCENT,
            help="如报告中写明的资产使用率（%）；不填则按在用固定资产 ÷ 固定资产原值计算。",
        ),
    ),
)

PROJECTS = ListSheet(
    key="projects",
    name="项目",
    record="Project",
    description="项目情况：每个项目（工程、民生、会议、运转等任何支出事项）一行。",
    money=True,
    required=False,
    columns=(
        Field("name", "项目名称", required=True, width=40),
        Field(
            "cost",
            "项目总造价（预算）",
            Kind.MONEY,
            help="工程项目的总造价或项目预算总额；非工程的支出事项可不填（此时按全年预算数或全年执行数判断是否逐项说明）。",
        ),
        Field("paid", "已支付", Kind.MONEY, help="截至报告期已支付金额。"),
        Field("status", "进度状态", help="接在金额之后的说明，如“剩余资金按进度拨付”。", width=24),
        Field("description", "项目说明", help="项目情况的说明段落，写在金额之前。", width=80),
        Field("unit", "实施单位", help="项目支出绩效自评表的“实施单位”；不填则为本单位。", width=24),
        Field("initial", "年初预算数", Kind.MONEY, help="项目支出绩效自评表用；可不填。"),
        Field("adjusted", "全年预算数", Kind.MONEY, help="调整后全年预算数；用于执行率。"),
        Field("actual", "全年执行数", Kind.MONEY, help="全年执行数；用于执行率。"),
        Field("goal", "年度目标", help="项目支出绩效自评表的“预期目标”。", width=40),
        Field("outcome", "实际完成情况", help="项目支出绩效自评表的“实际完成情况”。", width=40),
        Field("category", "类别", help="项目的类别，自由填写，如“工程”“民生”“会议”“运转”；模板可按类别措辞或分组。"),
    ),
)

PROJECT_FUND_SOURCES = ("当年财政拨款", "上年结转资金", "其他资金")

PROJECT_FUNDS = ListSheet(
    key="project_funds",
    name="项目资金来源",
    record="ProjectFund",
    description="项目支出绩效自评表的“其中”行：每个项目每种资金来源一行。",
    money=True,
    required=False,
    columns=(
        Field("project", "项目名称", required=True, help="与“项目”表中的名称一致。", width=40),
        Field("source", "资金来源", required=True, choices=PROJECT_FUND_SOURCES, width=16),
        Field("initial", "年初预算数", Kind.MONEY),
        Field("adjusted", "全年预算数", Kind.MONEY),
        Field("actual", "全年执行数", Kind.MONEY),
    ),
)

BUILDINGS = ListSheet(
    key="buildings",
    name="楼堂馆所",
    record="Building",
    description="本年完工的楼堂馆所项目（基础数据表“楼堂馆所控制情况”）；没有则不填。",
    money=True,
    required=False,
    columns=(
        Field("name", "项目名称", required=True, width=40),
        Field("approved_area", "批复规模（平方米）", Kind.DECIMAL, width=16),
        Field("actual_area", "实际规模（平方米）", Kind.DECIMAL, width=16),
        Field("budget", "预算投资", Kind.MONEY, help="批复的投资概算。"),
        Field("actual", "实际投资", Kind.MONEY),
    ),
)

KPIS = ListSheet(
    key="kpis",
    name="绩效指标",
    record="Kpi",
    description="绩效指标：每个三级指标一行。“所属项目”不填表示部门整体指标。",
    required=False,
    columns=(
        Field("project", "所属项目", help="项目支出绩效指标填项目名称（与“项目”表一致）；部门整体指标不填。", width=24),
        Field("level1", "一级指标", required=True, choices=KPI_LEVEL1),
        Field("level2", "二级指标", required=True, help="如“数量指标”“社会效益指标”。"),
        Field("level3", "三级指标", required=True, width=30),
        Field(
            "direction",
            "指标性质",
            required=True,
            choices=KPI_DIRECTIONS,
            width=10,
            help="≥ 越大越好；≤ 越小越好；= 等于目标；定性 按等级评价。",
        ),
        Field("target", "年度指标值", Kind.NUMBER_OR_TEXT, required=True, signed=True),
        Field("actual", "实际完成值", Kind.NUMBER_OR_TEXT, signed=True),
        Field("unit", "计量单位", width=10),
        Field("points", "分值", Kind.DECIMAL, required=True, width=8),
        Field("score", "得分", Kind.DECIMAL, width=8, help="定性指标填写自评得分；定量指标可不填，由系统计算。"),
        Field("remark", "偏差原因分析及改进措施", width=40),
        # last: a column added after workbooks were in use must not move any cell of the ones before it
        Field(
            "prior_actual",
            "上年实际完成值",
            Kind.NUMBER_OR_TEXT,
            signed=True,
            hint=True,
            prior_of="actual",
            help="上年的实际完成值，由 genreport init --from 从上年工作簿带入，仅供参考；报告不使用，可删除。",
        ),
    ),
)

TEXTS = ListSheet(
    key="texts",
    name="文字",
    record="Text",
    description="报告中的叙述段落：每段一行，选择所属章节；同一章节按行的先后排列。编号（（1）、一是等）照原文填写。",
    min_rows=0,
    columns=(
        Field("section", "章节", required=True, choices=tuple(TEXT_SECTIONS.values()), width=24),
        Field("text", "段落", required=True, help="一段文字；单元格内换行会保留为换行。", width=100),
    ),
)

CUSTOM_TYPES: dict[str, Kind] = {
    "文本": Kind.TEXT,
    "整数": Kind.INT,
    "金额": Kind.MONEY,
    "数值": Kind.DECIMAL,
    "百分比": Kind.PERCENT,
    "日期": Kind.DATE,
}

CUSTOM_FIELDS = ListSheet(
    key="custom_fields",
    name="自定义字段",
    record="CustomField",
    description="本部门自己的数据：每项一行，模板中用 custom.名称 引用（如 {{ custom.绿化面积 }}）。",
    required=False,
    announce_missing=False,
    columns=(
        Field(
            "name", "名称", required=True, help="字段名，模板中写 custom.名称；用汉字、字母、数字或下划线。", width=24
        ),
        Field("content", "值", Kind.NUMBER_OR_TEXT, required=True, signed=True, kind_from="type", width=30),
        Field("unit", "单位", help="金额填“万元”或“元”（元自动换算为万元）；其他写计量单位，如“平方米”。", width=10),
        Field(
            "type",
            "类型",
            choices=tuple(CUSTOM_TYPES),
            help="值的类型；不填时数字按数值、其余按文本读取。",
            width=10,
        ),
    ),
)

SHEETS: tuple[Sheet, ...] = (
    BASIC,
    DUTIES,
    OFFICES,
    STAFFING,
    FINAL_UNITS,
    BUDGET,
    FUNCTIONS,
    THREE_PUBLIC,
    PROCUREMENT,
    ASSETS,
    PROJECTS,
    PROJECT_FUNDS,
    BUILDINGS,
    KPIS,
    TEXTS,
    CUSTOM_FIELDS,
)
GUIDE_SHEET = "填报说明"


def column_figures(sheet: FormSheet, stated: Mapping[str, Decimal | None]) -> dict[str, Decimal | None]:
    """Every row's figure in one value column of ``sheet``: as stated; else, for a row declared as a difference,
    its two terms' difference; else the sum of its parts when every part has a figure (itself perhaps computed).

    A total is never the sum of some of its parts: with one part blank and another given, its figure is unknown
    (None). A partial sum would print as a wrong total, a wrong share, and a 同比 of several hundred percent
    (上年 基本支出 from 公用经费 alone). A row with neither a figure nor parts is None.
    """
    out: dict[str, Decimal | None] = {}

    def figure(key: str) -> Decimal | None:
        if key not in out:
            out[key] = computed(key)
        return out[key]

    def computed(key: str) -> Decimal | None:
        value = stated.get(key)
        if value is not None:
            return value
        difference = sheet.row(key).difference
        if difference is not None:
            minuend, subtrahend = (figure(term) for term in difference)
            return None if minuend is None or subtrahend is None else minuend - subtrahend
        parts = [figure(p.key) for p in sheet.parts(key)]
        if not parts or any(p is None for p in parts):
            return None
        return sum((p for p in parts if p is not None), Decimal(0))

    for f in sheet.rows:
        figure(f.key)
    return out


def form_cell(sheet: FormSheet, row: str, column: str) -> str:
    """A1 reference of a form value where the blank form puts it (a user may move rows; the reader finds them)."""
    r = FIRST_DATA_ROW + [f.key for f in sheet.rows].index(row)
    c = 2 + [c.key for c in sheet.columns].index(column)
    return f"{_column_letter(c)}{r}"


def _column_letter(n: int) -> str:
    letters = ""
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
