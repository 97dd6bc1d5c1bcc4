"""Build inputs/township-2023.xlsx: a township government's workbook for the township template.

示例数据: the township and its figures are invented, in the proportions of a small township's published
self-evaluation (revenue on the income side larger than the spending split, no procurement and no asset sheet,
last year's figures for 同比, spending items rather than construction projects, the 成本指标 of a province that
scores it). It shows what the default sample cannot: a unit of another kind. Run:

    python scripts/make_township_sample.py    # writes inputs/township-2023.xlsx
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from make_sample import kpi, mark_illustrative, set_form, set_list  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from pipeline.model import schema  # noqa: E402
from pipeline.template.profile import resolve_profile  # noqa: E402
from pipeline.workbook.blank_form import create_workbook  # noqa: E402

OUT = ROOT / "inputs" / "township-2023.xlsx"
EXAMPLE = "示例数据：乡镇及其数字均为演示所设"


KPIS = [
    kpi("产出指标", "数量指标", "农村人居环境整治村数", "≥", 12, 12, "个", 10),
    kpi("产出指标", "数量指标", "农村公路养护里程", "≥", 85, 85, "公里", 10),
    kpi("产出指标", "质量指标", "防汛物资储备达标率", "≥", 100, 100, "%", 10),
    kpi("产出指标", "时效指标", "村级运转经费按季拨付", "定性", "按季拨付", "按季拨付到村", None, 10, 10),
    kpi("成本指标", "经济成本指标", "公用经费控制", "≤", 320, 305.6, "万元", 10),
    kpi("效益指标", "社会效益指标", "群众信访按期办结率", "≥", 98, 99, "%", 15),
    kpi("效益指标", "可持续影响指标", "村级集体经济收入5万元以上村占比", "≥", 80, 75, "%", 15),
    kpi("满意度指标", "服务对象满意度指标", "群众满意度", "≥", 90, 93, "%", 10),
]

TEXTS = [
    ("variance", "全年收入较年初预算增加，主要是上级转移支付和专项债券项目资金增加；收支差额为结转下年的项目资金。"),
    ("overall", "（1）乡村振兴有序推进。12个村完成人居环境整治，村庄清洁行动常态化开展。"),
    ("overall", "（2）基层治理持续加强。信访矛盾按期化解，全年未发生重大安全事故。"),
    ("problems", "一是部分项目资金拨付滞后于工程进度；二是绩效目标设置偏重产出，效益指标量化不足。"),
    ("measures", "一是按月调度项目资金拨付进度；二是细化效益指标，提高绩效目标的可衡量性。"),
    ("publicity", "自评结果在镇政府公示栏和县人民政府门户网站公开，并作为下年预算安排的参考。"),
    ("goal", "保障机构正常运转，推进乡村振兴，加强基层治理，做好防汛抗旱和安全生产。"),
    ("goal_outcome", "机构运转正常，12个村完成人居环境整治，85公里农村公路完成养护，全年无重大安全事故。"),
]


def build() -> Workbook:
    profile = resolve_profile("township")
    wb = create_workbook(2023, profile.layout)
    info = {
        "name": "某某县某某镇人民政府",
        "short_name": "某某镇人民政府",
        "year": 2023,
        "supervisor": "某某县人民政府",
        "basis": "《中华人民共和国预算法》和县财政局关于开展2023年度部门整体支出绩效自评工作的通知",
        "threshold": 50,
        "template": "township",
    }
    set_form(wb, schema.BASIC, {k: {"value": v} for k, v in info.items()})
    set_list(
        wb,
        schema.DUTIES,
        [
            {"text": "（一）贯彻执行党和国家的路线方针政策，落实县委、县政府的工作部署，促进经济社会协调发展。"},
            {"text": "（二）做好乡村振兴、农业农村、生态环境保护和人居环境整治工作。"},
            {"text": "（三）负责社会治理、平安建设、应急管理和防汛抗旱工作，维护社会稳定。"},
        ],
    )
    offices = ["党政综合办公室", "经济发展办公室", "社会事务办公室", "综合行政执法办公室", "农业综合服务中心"]
    set_list(wb, schema.OFFICES, [{"name": n} for n in offices])
    set_list(
        wb,
        schema.STAFFING,
        [
            {"kind": "行政编制", "quota": 26, "actual": 24},
            {"kind": "事业编制", "quota": 32, "actual": 30},
        ],
    )
    set_list(wb, schema.FINAL_UNITS, [{"name": "某某镇人民政府本级"}])
    set_form(
        wb,
        schema.BUDGET,
        {
            "income_total": {"prior": 2210.4, "initial": 1980.0, "adjusted": 2470.0, "actual": 2456.8},
            "income_general": {"prior": 2060.4, "initial": 1980.0, "actual": 2296.8},
            "income_fund": {"prior": 150.0, "initial": 0, "actual": 160.0},
            "expense_total": {"prior": 2150.2, "initial": 1980.0, "adjusted": 2470.0, "actual": 2318.5},
            "basic": {"prior": 1402.3, "initial": 1460.0},  # 全年执行数 left blank: computed from its parts
            "personnel": {"prior": 1130.1, "initial": 1150.0, "actual": 1184.9},
            "public": {"prior": 272.2, "initial": 310.0, "actual": 305.6},
            "project": {"prior": 747.9, "initial": 520.0, "actual": 828.0},
        },
    )
    set_form(
        wb,
        schema.THREE_PUBLIC,
        {
            "total": {"prior": 9.8, "budget": 10.0, "actual": 8.6},
            "abroad": {"prior": 0, "budget": 0, "actual": 0},
            "vehicle": {"prior": 6.5, "budget": 6.5, "actual": 5.9},
            "reception": {"prior": 3.3, "budget": 3.5, "actual": 2.7},
        },
    )
    # 政府采购, 资产 and 楼堂馆所 are left blank: the township did not report them, and the report must not invent 0.00
    set_list(
        wb,
        schema.PROJECTS,
        [
            {"name": "农村人居环境整治", "category": "乡村振兴", "adjusted": 260.0, "actual": 251.4},
            {"name": "村级组织运转经费", "category": "基层运转", "adjusted": 312.0, "actual": 312.0},
            {"name": "农村公路养护", "category": "民生", "adjusted": 180.0, "actual": 171.2},
            {"name": "防汛抗旱物资储备", "category": "应急", "adjusted": 36.3, "actual": 36.3},
        ],
    )
    set_list(wb, schema.KPIS, KPIS)
    # marked where typed, in cell comments: the report prints nothing of it
    mark_illustrative(wb, schema.KPIS, ("points", "score"), len(KPIS), EXAMPLE)
    mark_illustrative(wb, schema.DUTIES, ("text",), 1, EXAMPLE)
    section = schema.TEXT_SECTIONS
    set_list(wb, schema.TEXTS, [{"section": section[k], "text": t} for k, t in TEXTS])
    return wb


def main() -> int:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    build().save(OUT)
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
