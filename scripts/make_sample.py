"""Build inputs/2022.xlsx: the reference report (衡山县住房和城乡建设局, 2022年度) in the standard workbook.

Every entry cites where it comes from in ../shared/reference/000_d37af7e0298c8694.txt
("L62" = line 62). Published figures are entered as printed, errors included —
genreport's checks are meant to find them (`genreport validate inputs/2022.xlsx`). Run:

    python scripts/make_sample.py            # writes inputs/2022.xlsx
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import sample_text as T  # noqa: E402
from openpyxl import Workbook  # noqa: E402
from openpyxl.comments import Comment  # noqa: E402

from pipeline.model import schema  # noqa: E402
from pipeline.model.schema import FIRST_DATA_ROW, FormSheet, ListSheet  # noqa: E402
from pipeline.workbook.blank_form import create_workbook, styled_cell  # noqa: E402

OUT = ROOT / "inputs" / "2022.xlsx"


def set_form(wb: Workbook, sheet: FormSheet, values: dict[str, dict[str, Any]]) -> None:
    """values: {row key: {column key: value}}; positions come from the schema, never typed here."""
    ws = wb[sheet.name]
    for row_key, cols in values.items():
        for col_key, value in cols.items():
            ws[schema.form_cell(sheet, row_key, col_key)] = value


def set_list(wb: Workbook, sheet: ListSheet, records: list[dict[str, Any]]) -> None:
    ws = wb[sheet.name]
    keys = [f.key for f in sheet.columns]
    for i, rec in enumerate(records):
        for key, value in rec.items():
            styled_cell(ws, FIRST_DATA_ROW + i, 1 + keys.index(key)).value = value


def paragraphs(text: str) -> str:
    """The reference's 一是…八是 parts, each typed on its own line of the cell (Alt+Enter), as its printed edition
    sets them: the text extracted to one line would otherwise print as a single paragraph over five pages."""
    return re.sub(r"(?<=[。：])(?=[一二三四五六七八九十]是)", "\n", text)


def money(text: str) -> float:
    """A published amount; float is only the cell's storage, the reader goes back through str()."""
    return float(text)


def build() -> Workbook:
    wb = create_workbook(2022)
    info = {
        "name": "衡山县住房和城乡建设局（人防办）",  # L57
        "short_name": "县住房和城乡建设局（县人防办）",  # L54
        "year": 2022,  # L1
        "supervisor": "衡山县人民政府",  # L9 “是县政府工作部门”
        "basis": T.BASIS,  # L3
        "threshold": 50,  # L79 “仅对50万元以上的项目资金进行分项说明”
    }
    set_form(wb, schema.BASIC, {k: {"value": v} for k, v in info.items()})
    set_list(wb, schema.DUTIES, [{"text": t} for t in T.DUTIES])
    set_list(wb, schema.OFFICES, [{"name": n} for n in T.OFFICES])
    set_list(
        wb,
        schema.STAFFING,
        [  # L54
            {
                "kind": "机关行政编制",
                "quota": 15,
                "positions": "设局长1名，副局长3名，县人民防空办公室副主任1名，总工程师1名，股室负责人15名",
            },
            {"kind": "机关后勤服务全额拨款事业编制", "quota": 8},
        ],
    )
    set_list(wb, schema.FINAL_UNITS, [{"name": "县住房和城乡建设局（人防办）本级"}])  # L57
    set_form(
        wb,
        schema.BUDGET,
        {
            "income_total": {"initial": money("3020.53"), "actual": money("12668.73")},  # L62, L64
            "income_general": {"initial": money("2363.53")},  # L62 “其中一般公共财政拨款”
            "expense_total": {
                "initial": money("3020.53"),
                "actual": money("12678.39"),
            },  # L62, L64 (parts add to 12673.89)
            "basic": {"initial": money("1368.53"), "actual": money("2713.3")},  # L62, L64
            "project": {"initial": money("1652.00"), "actual": money("9960.59")},  # L62, L64
        },
    )
    # L76: project expenditure by function. The report prints no codes; the 2022 政府收支分类科目
    # codes are added where the name identifies one, so that parents and children can be told apart.
    set_list(
        wb,
        schema.FUNCTIONS,
        [
            {"code": "221", "name": "住房保障支出", "project": money("3470.69")},
            {"code": "2210103", "name": "棚户区改造支出", "project": money("30")},
            {"code": "2210105", "name": "农村危房改造", "project": money("321")},
            {"code": "2210108", "name": "老旧小区改造", "project": money("2588.09")},
            {"code": "2210107", "name": "保障性住房租金补贴", "project": money("107.63")},
            {"code": "2210199", "name": "其他保障性安居工程", "project": money("44.11")},
            {"code": "22103", "name": "城乡社区住宅支出", "project": money("379.86")},
            {"name": "基础设施建设与经济发展", "project": money("440.71")},
            {"code": "211", "name": "节能环保支出", "project": money("198.28")},
            {"code": "212", "name": "城乡社区支出", "project": money("5343.84")},
            {"code": "213", "name": "农林水支出", "project": money("342.47")},
            {"code": "224", "name": "灾害防治及应急管理支出", "project": money("46")},
            {"name": "其他项目支出", "project": money("118.59")},
        ],
    )
    set_form(
        wb,
        schema.THREE_PUBLIC,
        {  # L68
            "total": {"budget": money("7"), "actual": money("4.27")},  # printed “4.27元”: the 万 is missing
            "abroad": {"budget": money("0"), "actual": money("0")},
            "vehicle": {"budget": money("2")},  # budget gives only 购置及运行维护费 together
            "vehicle_purchase": {"actual": money("0")},  # not printed: 4.27 − 0 − 1.84 − 2.43 = 0
            "vehicle_operation": {"actual": money("1.84")},
            "reception": {"budget": money("5"), "actual": money("2.43")},
        },
    )
    set_form(
        wb,
        schema.PROCUREMENT,
        {  # L70 (the items add to 1306.46)
            "total": {"actual": money("1206.56")},
            "goods": {"actual": money("147.34")},
            "works": {"actual": money("930")},
            "services": {"actual": money("229.12")},
        },
    )
    set_form(
        wb,
        schema.ASSETS,
        {  # L71
            "total_assets": {"amount": money("6391.10")},
            "liabilities": {"amount": money("1229.23")},
            "net_assets": {"amount": money("5165161.87")},  # as printed; 6391.10 − 1229.23 = 5161.87
            "fixed_assets": {"amount": money("2317.93")},
            "fixed_in_use": {"amount": money("517.91")},
            "usage_rate": {"amount": 1},  # “资产使用率100%”; the cell is %-formatted, 1 = 100%
        },
    )
    set_list(
        wb,
        schema.PROJECTS,
        [  # L80, L82, L84
            {
                "name": "衡山大道盛豪世纪城人行道改造项目",
                "cost": money("206.46"),
                "paid": money("30"),
                "status": "剩余资金按进度拨付",
                "description": T.PROJECT1_DESCRIPTION,
            },
            {
                "name": "毛泽建公园至南岳高速新场市入口路灯杆上中国结安装工程",
                "cost": money("78.76"),
                "paid": money("50"),
                "status": "剩余资金按进度拨付",
            },
            {
                "name": "107国道（城管处）排水排污改造工程",
                "cost": money("52.26"),
                "paid": money("20"),
                "status": "剩余资金按进度拨付",
            },
        ],
    )
    sections = schema.TEXT_SECTIONS
    texts = (
        [(sections["variance"], "差异产生的主要原因是年中追加预算。")]  # L64
        + [(sections["overall"], paragraphs(t)) for t in T.OVERALL]  # L77
        + [(sections["problems"], t) for t in T.PROBLEMS]  # L88, L90
        + [(sections["measures"], t) for t in T.MEASURES]  # L94, L96
        + [(sections["publicity"], t) for t in T.PUBLICITY]  # L100
        + [(sections["other"], "无")]  # L104
    )
    set_list(wb, schema.TEXTS, [{"section": s, "text": t} for s, t in texts + ILLUSTRATIVE_TEXTS])
    add_illustrative(wb)
    return wb


# ---------------------------------------------------------------------------------------------------------
# ILLUSTRATIVE entries. The published report prints no 自评表, so it gives no 绩效指标, no 全年预算数 and no
# project funds. To show the appendices with computed scores, the sample adds the entries below. Each is a
# statement of the report's narrative (cited) put into the form's shape; points, and the scores of the
# qualitative (定性) indicators, are invented for the illustration and marked so in their remark.
# ---------------------------------------------------------------------------------------------------------
ILLUSTRATIVE_TEXTS = [
    (
        schema.TEXT_SECTIONS["goal"],  # the 一是…八是 headings of L77
        "全面推进基础设施项目建设，持续抓好重点民生实事，切实做好住房保障工作，坚持安全生产，做好房地产监管，"
        "全面优化营商环境，推动经济高质量发展。",
    ),
    (
        schema.TEXT_SECTIONS["goal_outcome"],  # L77
        "棚改任务完成150户，完成率100%；农村危房改造180户，开工率、竣工率、验收率、入住率均为100%；"
        "老旧小区改造25个项目均已开工；既有住宅加装电梯已竣工15台，10台正在建设中。",
    ),
]

# Illustrative values are marked where they are typed, as cell comments (批注) that Excel and WPS show on hover;
# nothing of the mark prints in the report.
EXAMPLE = "示例数据：分值和定性得分为演示所设（参考报告未附自评表）"


def kpi(
    level1: str,
    level2: str,
    level3: str,
    direction: str,
    target: object,
    actual: object,
    unit: str | None,
    points: int,
    score: int | None = None,
    remark: str | None = None,
    project: str | None = None,
) -> dict[str, Any]:
    return {
        "project": project,
        "level1": level1,
        "level2": level2,
        "level3": level3,
        "direction": direction,
        "target": target,
        "actual": actual,
        "unit": unit,
        "points": points,
        "score": score,
        "remark": remark,
    }


PROJECT1 = "衡山大道盛豪世纪城人行道改造项目"

KPIS = [
    # 部门整体 (L77)
    kpi("产出指标", "数量指标", "棚户区改造完成户数", "≥", 150, 150, "户", 10),
    kpi("产出指标", "数量指标", "农村危房改造户数", "≥", 180, 180, "户", 10),
    kpi(
        "产出指标",
        "数量指标",
        "既有住宅加装电梯竣工台数",
        "≥",
        25,
        15,
        "台",
        10,
        remark="10台正在建设中",  # L77
    ),
    kpi("产出指标", "质量指标", "招标文件抽查率", "≥", 100, 100, "%", 10),
    kpi("产出指标", "时效指标", "老旧小区改造项目开工率", "≥", 100, 100, "%", 10),
    kpi("效益指标", "社会效益指标", "城乡自建房安全隐患排查率", "≥", 100, 100, "%", 10),
    kpi("效益指标", "社会效益指标", "房地产市场平稳", "定性", "无烂尾楼盘", "没有一起烂尾楼盘", None, 10, 10),
    kpi(
        "效益指标",
        "可持续影响指标",
        "城乡治理标准化",
        "定性",
        "有标可依，有标可行",
        "逐步做到有标可依、有标可行",
        None,
        10,
        9,
    ),
    kpi(
        "满意度指标",
        "服务对象满意度指标",
        "社会评价",
        "定性",
        "群众认可",
        "农村住房质量安全管理工作获省市媒体报道",
        None,
        10,
        9,
    ),
    # 项目 (L80)
    kpi("产出指标", "数量指标", "人行道改造面积", "≥", 8098, 8098, "平方米", 20, project=PROJECT1),
    kpi("产出指标", "成本指标", "工程总造价", "≤", 206.46, 206.46, "万元", 15, project=PROJECT1),
    kpi(
        "产出指标",
        "时效指标",
        "迎接二季度城区标准化治理验收",
        "定性",
        "二季度前实施",
        "已组织实施",
        None,
        15,
        12,
        project=PROJECT1,
    ),
    kpi(
        "效益指标",
        "社会效益指标",
        "盛豪世纪城周边人行道移交市政管理",
        "定性",
        "完成移交",
        "已组织实施改造",
        None,
        30,
        25,
        project=PROJECT1,
    ),
    kpi("满意度指标", "服务对象满意度指标", "周边居民满意度", "≥", 90, 92, "%", 10, project=PROJECT1),
]


ILLUSTRATIVE_BUDGET = "示例数据：全年预算数 = 年初预算 3020.53 + 年中追加 9648.20（参考报告 L64）"
ILLUSTRATIVE_PROJECT = "示例数据：由参考报告 L80 的总造价、已支付和项目说明整理，供项目支出绩效自评表演示"


def mark_illustrative(wb: Workbook, sheet: ListSheet, keys: tuple[str, ...], rows: int, note: str) -> None:
    """A cell comment on each illustrative value: seen in Excel, never printed in the report."""
    ws = wb[sheet.name]
    columns = [f.key for f in sheet.columns]
    for r in range(FIRST_DATA_ROW, FIRST_DATA_ROW + rows):
        for key in keys:
            ws.cell(row=r, column=1 + columns.index(key)).comment = Comment(note, "genreport")


def add_illustrative(wb: Workbook) -> None:
    # 全年预算数 = 年初预算 3020.53 + 年中追加 9648.20 (L64 “较预算增加9648.2万元…主要原因是年中追加预算”)
    set_form(
        wb,
        schema.BUDGET,
        {
            "income_total": {"adjusted": money("12668.73")},
            "expense_total": {"adjusted": money("12668.73")},
        },
    )
    ws = wb[schema.PROJECTS.name]
    keys = [f.key for f in schema.PROJECTS.columns]
    project_funds = {
        "adjusted": money("206.46"),  # = 总造价 (L80)
        "actual": money("30"),  # = 已支付 (L80)
        "goal": "完成衡山大道盛豪世纪城人行道改造8098平方米，迎接二季度城区标准化治理验收。",
        "outcome": "已组织实施8098平方米人行道改造，已支付30万元，剩余资金按进度拨付。",
    }
    for key, value in project_funds.items():
        ws.cell(row=FIRST_DATA_ROW, column=1 + keys.index(key), value=value)
    set_list(wb, schema.KPIS, KPIS)
    mark_illustrative(wb, schema.KPIS, ("points", "score"), len(KPIS), EXAMPLE)
    mark_illustrative(wb, schema.PROJECTS, ("adjusted", "actual", "goal", "outcome"), 1, ILLUSTRATIVE_PROJECT)
    for row in ("income_total", "expense_total"):
        cell = wb[schema.BUDGET.name][schema.form_cell(schema.BUDGET, row, "adjusted")]
        cell.comment = Comment(ILLUSTRATIVE_BUDGET, "genreport")
    set_list(
        wb,
        schema.PROJECT_FUNDS,
        [  # the same figures, all from the current year's appropriation
            {"project": PROJECT1, "source": "当年财政拨款", "adjusted": money("206.46"), "actual": money("30")},
        ],
    )


def main() -> int:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    build().save(OUT)
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
