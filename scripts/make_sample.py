"""Build inputs/2022.xlsx: the reference report (衡山县住房和城乡建设局, 2022年度) in the standard workbook.

Every entry cites where it comes from in ../shared/reference/000_d37af7e0298c8694.txt
("L62" = line 62). Published figures are entered as printed, errors included —
genreport's checks are meant to find them (see docs/sample.md). Run:

    python scripts/make_sample.py            # writes inputs/2022.xlsx
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import sample_text as T  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from pipeline import schema  # noqa: E402
from pipeline.blank_form import create_workbook  # noqa: E402
from pipeline.schema import FIRST_DATA_ROW, FormSheet, ListSheet  # noqa: E402

OUT = ROOT / "inputs" / "2022.xlsx"


def set_form(wb: Workbook, sheet: FormSheet, values: dict[str, dict[str, Any]]) -> None:
    """values: {row key: {column key: value}}; positions come from the schema, never typed here."""
    ws = wb[sheet.name]
    for row_key, cols in values.items():
        r = FIRST_DATA_ROW + [f.key for f in sheet.rows].index(row_key)
        for col_key, value in cols.items():
            c = 2 + [c.key for c in sheet.columns].index(col_key)
            ws.cell(row=r, column=c, value=value)


def set_list(wb: Workbook, sheet: ListSheet, records: list[dict[str, Any]]) -> None:
    ws = wb[sheet.name]
    keys = [f.key for f in sheet.columns]
    for i, rec in enumerate(records):
        for key, value in rec.items():
            ws.cell(row=FIRST_DATA_ROW + i, column=1 + keys.index(key), value=value)


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
        + [(sections["overall"], t) for t in T.OVERALL]  # L77
        + [(sections["problems"], t) for t in T.PROBLEMS]  # L88, L90
        + [(sections["measures"], t) for t in T.MEASURES]  # L94, L96
        + [(sections["publicity"], t) for t in T.PUBLICITY]  # L100
        + [(sections["other"], "无")]  # L104
    )
    set_list(wb, schema.TEXTS, [{"section": s, "text": t} for s, t in texts])
    return wb


def main() -> int:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    build().save(OUT)
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
