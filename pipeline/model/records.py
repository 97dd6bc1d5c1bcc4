"""Typed records of the standard workbook: one class per sheet, and the Report that holds them all.

Generated from pipeline/model/schema.py by `python scripts/make_docs.py`; do not edit by hand.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from . import schema
from .record import Form, FormLine, Place, Record, ReportBase, Table

BasicInfoField = Literal["name", "short_name", "year", "supervisor", "basis", "threshold", "report_date", "template"]


@dataclass(frozen=True, kw_only=True)
class BasicInfo(Form):
    """基本信息, one value per row."""

    SHEET = schema.BASIC
    name: str  # 单位名称
    short_name: str | None  # 单位简称
    year: int  # 年度
    supervisor: str | None  # 主管部门
    basis: str  # 评价依据
    threshold: Decimal  # 项目分项说明金额标准（万元）
    report_date: dt.date | None  # 报告日期
    template: str | None  # 模板

    def at(self, field: BasicInfoField) -> Place:
        return self.place(field)


DutyField = Literal["text"]


@dataclass(frozen=True, kw_only=True)
class Duty(Record):
    """One row of 部门职责."""

    SHEET = schema.DUTIES
    text: str  # 职责内容

    def at(self, field: DutyField) -> Place:
        return self.place(field)


OfficeField = Literal["name"]


@dataclass(frozen=True, kw_only=True)
class Office(Record):
    """One row of 内设机构."""

    SHEET = schema.OFFICES
    name: str  # 机构名称

    def at(self, field: OfficeField) -> Place:
        return self.place(field)


StaffingField = Literal["kind", "quota", "actual", "positions"]


@dataclass(frozen=True, kw_only=True)
class Staffing(Record):
    """One row of 人员编制."""

    SHEET = schema.STAFFING
    kind: str  # 编制类型
    quota: int  # 编制数
    actual: int | None  # 实有人数
    positions: str | None  # 领导职数及说明

    def at(self, field: StaffingField) -> Place:
        return self.place(field)


FinalUnitField = Literal["name"]


@dataclass(frozen=True, kw_only=True)
class FinalUnit(Record):
    """One row of 决算单位."""

    SHEET = schema.FINAL_UNITS
    name: str  # 单位名称

    def at(self, field: FinalUnitField) -> Place:
        return self.place(field)


BudgetRow = Literal[
    "income_total",
    "income_general",
    "income_fund",
    "income_soe",
    "income_special",
    "income_other",
    "expense_total",
    "basic",
    "personnel",
    "public",
    "office",
    "utilities_travel",
    "meeting_training",
    "project",
]


BudgetColumn = Literal["prior", "initial", "adjusted", "actual"]


@dataclass(frozen=True, kw_only=True)
class BudgetLine(FormLine):
    """One row of 收支预决算, by column."""

    SHEET = schema.BUDGET
    prior: Decimal | None  # 上年决算数
    initial: Decimal | None  # 年初预算数
    adjusted: Decimal | None  # 全年预算数
    actual: Decimal | None  # 全年执行数

    def at(self, column: BudgetColumn) -> Place:
        return self.place(column)


@dataclass(frozen=True, kw_only=True)
class Budget(Form):
    """收支预决算, one line per row."""

    SHEET = schema.BUDGET
    income_total: BudgetLine  # 收入合计
    income_general: BudgetLine  # 一般公共预算拨款
    income_fund: BudgetLine  # 政府性基金预算拨款
    income_soe: BudgetLine  # 国有资本经营预算拨款
    income_special: BudgetLine  # 财政专户管理资金
    income_other: BudgetLine  # 单位资金及其他收入
    expense_total: BudgetLine  # 支出合计
    basic: BudgetLine  # 基本支出
    personnel: BudgetLine  # 人员经费
    public: BudgetLine  # 公用经费
    office: BudgetLine  # 其中：办公经费
    utilities_travel: BudgetLine  # 其中：水费、电费、差旅费
    meeting_training: BudgetLine  # 其中：会议费、培训费
    project: BudgetLine  # 项目支出

    def line(self, row: BudgetRow) -> BudgetLine:
        return self.value(row)  # type: ignore[no-any-return]


FunctionLineField = Literal["code", "name", "basic", "project"]


@dataclass(frozen=True, kw_only=True)
class FunctionLine(Record):
    """One row of 支出明细."""

    SHEET = schema.FUNCTIONS
    code: str | None  # 科目编码
    name: str  # 科目名称
    basic: Decimal | None  # 基本支出
    project: Decimal | None  # 项目支出

    def at(self, field: FunctionLineField) -> Place:
        return self.place(field)


ThreePublicRow = Literal["total", "abroad", "vehicle", "vehicle_purchase", "vehicle_operation", "reception"]


ThreePublicColumn = Literal["prior", "budget", "actual"]


@dataclass(frozen=True, kw_only=True)
class ThreePublicLine(FormLine):
    """One row of 三公经费, by column."""

    SHEET = schema.THREE_PUBLIC
    prior: Decimal | None  # 上年决算数
    budget: Decimal | None  # 预算数
    actual: Decimal | None  # 决算数

    def at(self, column: ThreePublicColumn) -> Place:
        return self.place(column)


@dataclass(frozen=True, kw_only=True)
class ThreePublic(Form):
    """三公经费, one line per row."""

    SHEET = schema.THREE_PUBLIC
    total: ThreePublicLine  # “三公”经费合计
    abroad: ThreePublicLine  # 因公出国（境）费
    vehicle: ThreePublicLine  # 公务用车购置及运行维护费
    vehicle_purchase: ThreePublicLine  # 其中：公务用车购置费
    vehicle_operation: ThreePublicLine  # 其中：公务用车运行维护费
    reception: ThreePublicLine  # 公务接待费

    def line(self, row: ThreePublicRow) -> ThreePublicLine:
        return self.value(row)  # type: ignore[no-any-return]


ProcurementRow = Literal["total", "goods", "works", "services"]


ProcurementColumn = Literal["budget", "actual"]


@dataclass(frozen=True, kw_only=True)
class ProcurementLine(FormLine):
    """One row of 政府采购, by column."""

    SHEET = schema.PROCUREMENT
    budget: Decimal | None  # 采购预算数
    actual: Decimal | None  # 实际采购金额

    def at(self, column: ProcurementColumn) -> Place:
        return self.place(column)


@dataclass(frozen=True, kw_only=True)
class Procurement(Form):
    """政府采购, one line per row."""

    SHEET = schema.PROCUREMENT
    total: ProcurementLine  # 政府采购合计
    goods: ProcurementLine  # 货物
    works: ProcurementLine  # 工程
    services: ProcurementLine  # 服务

    def line(self, row: ProcurementRow) -> ProcurementLine:
        return self.value(row)  # type: ignore[no-any-return]


AssetsField = Literal["total_assets", "liabilities", "net_assets", "fixed_assets", "fixed_in_use", "usage_rate"]


@dataclass(frozen=True, kw_only=True)
class Assets(Form):
    """资产, one value per row."""

    SHEET = schema.ASSETS
    total_assets: Decimal  # 资产总额
    liabilities: Decimal  # 负债总额
    net_assets: Decimal | None  # 净资产
    fixed_assets: Decimal  # 固定资产原值
    fixed_in_use: Decimal | None  # 在用固定资产
    usage_rate: Decimal | None  # 资产使用率

    def at(self, field: AssetsField) -> Place:
        return self.place(field)


ProjectField = Literal[
    "name",
    "cost",
    "paid",
    "status",
    "description",
    "unit",
    "initial",
    "adjusted",
    "actual",
    "goal",
    "outcome",
    "category",
]


@dataclass(frozen=True, kw_only=True)
class Project(Record):
    """One row of 项目."""

    SHEET = schema.PROJECTS
    name: str  # 项目名称
    cost: Decimal | None  # 项目总造价（预算）
    paid: Decimal | None  # 已支付
    status: str | None  # 进度状态
    description: str | None  # 项目说明
    unit: str | None  # 实施单位
    initial: Decimal | None  # 年初预算数
    adjusted: Decimal | None  # 全年预算数
    actual: Decimal | None  # 全年执行数
    goal: str | None  # 年度目标
    outcome: str | None  # 实际完成情况
    category: str | None  # 类别

    def at(self, field: ProjectField) -> Place:
        return self.place(field)


ProjectFundField = Literal["project", "source", "initial", "adjusted", "actual"]


@dataclass(frozen=True, kw_only=True)
class ProjectFund(Record):
    """One row of 项目资金来源."""

    SHEET = schema.PROJECT_FUNDS
    project: str  # 项目名称
    source: str  # 资金来源
    initial: Decimal | None  # 年初预算数
    adjusted: Decimal | None  # 全年预算数
    actual: Decimal | None  # 全年执行数

    def at(self, field: ProjectFundField) -> Place:
        return self.place(field)


BuildingField = Literal["name", "approved_area", "actual_area", "budget", "actual"]


@dataclass(frozen=True, kw_only=True)
class Building(Record):
    """One row of 楼堂馆所."""

    SHEET = schema.BUILDINGS
    name: str  # 项目名称
    approved_area: Decimal | None  # 批复规模（平方米）
    actual_area: Decimal | None  # 实际规模（平方米）
    budget: Decimal | None  # 预算投资
    actual: Decimal | None  # 实际投资

    def at(self, field: BuildingField) -> Place:
        return self.place(field)


KpiField = Literal[
    "project",
    "level1",
    "level2",
    "level3",
    "direction",
    "target",
    "actual",
    "unit",
    "points",
    "score",
    "remark",
    "prior_actual",
]


@dataclass(frozen=True, kw_only=True)
class Kpi(Record):
    """One row of 绩效指标."""

    SHEET = schema.KPIS
    project: str | None  # 所属项目
    level1: str  # 一级指标
    level2: str  # 二级指标
    level3: str  # 三级指标
    direction: str  # 指标性质
    target: Decimal | str  # 年度指标值
    actual: Decimal | str | None  # 实际完成值
    unit: str | None  # 计量单位
    points: Decimal  # 分值
    score: Decimal | None  # 得分
    remark: str | None  # 偏差原因分析及改进措施
    prior_actual: Decimal | str | None  # 上年实际完成值

    def at(self, field: KpiField) -> Place:
        return self.place(field)


TextField = Literal["section", "text"]


@dataclass(frozen=True, kw_only=True)
class Text(Record):
    """One row of 文字."""

    SHEET = schema.TEXTS
    section: str  # 章节
    text: str  # 段落

    def at(self, field: TextField) -> Place:
        return self.place(field)


CustomFieldField = Literal["name", "content", "unit", "type"]


@dataclass(frozen=True, kw_only=True)
class CustomField(Record):
    """One row of 自定义字段."""

    SHEET = schema.CUSTOM_FIELDS
    name: str  # 名称
    content: Decimal | str  # 值
    unit: str | None  # 单位
    type: str | None  # 类型

    def at(self, field: CustomFieldField) -> Place:
        return self.place(field)


@dataclass(frozen=True, kw_only=True)
class Report(ReportBase):
    """Every sheet of one workbook, typed."""

    basic: BasicInfo  # 基本信息
    duties: Table[Duty]  # 部门职责
    offices: Table[Office]  # 内设机构
    staffing: Table[Staffing]  # 人员编制
    final_units: Table[FinalUnit]  # 决算单位
    budget: Budget  # 收支预决算
    functions: Table[FunctionLine]  # 支出明细
    three_public: ThreePublic  # 三公经费
    procurement: Procurement  # 政府采购
    assets: Assets  # 资产
    projects: Table[Project]  # 项目
    project_funds: Table[ProjectFund]  # 项目资金来源
    buildings: Table[Building]  # 楼堂馆所
    kpis: Table[Kpi]  # 绩效指标
    texts: Table[Text]  # 文字
    custom_fields: Table[CustomField]  # 自定义字段


RECORDS: dict[str, type[Record]] = {
    "basic": BasicInfo,
    "duties": Duty,
    "offices": Office,
    "staffing": Staffing,
    "final_units": FinalUnit,
    "budget": Budget,
    "functions": FunctionLine,
    "three_public": ThreePublic,
    "procurement": Procurement,
    "assets": Assets,
    "projects": Project,
    "project_funds": ProjectFund,
    "buildings": Building,
    "kpis": Kpi,
    "texts": Text,
    "custom_fields": CustomField,
}
LINES: dict[str, type[FormLine]] = {
    "budget": BudgetLine,
    "three_public": ThreePublicLine,
    "procurement": ProcurementLine,
}
