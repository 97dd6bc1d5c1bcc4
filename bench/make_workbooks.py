"""Synthetic department workbooks for the batch benchmark: the sample (inputs/2022.xlsx) with lists of realistic,
varied length — projects 5–200, KPIs 10–60, expenditure lines (支出明细) 20–300 — seeded, so a run is repeatable.

    python bench/make_workbooks.py OUT_DIR --n 50 [--seed 9] [--distinct 100]

Each workbook is the sample with its 项目, 绩效指标 and 支出明细 sheets refilled through the schema's column order
(never hard-coded cells), its department renamed, and checked to validate without errors (warnings, as the sample's
own, are expected). Beyond ``--distinct`` workbooks the files are copies of the first ones under other names: the
work per report is the same, and generating 1,000 distinct files with openpyxl would take longer than building them.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from openpyxl import Workbook, load_workbook  # noqa: E402

from pipeline.model import schema  # noqa: E402
from pipeline.model.schema import FIRST_DATA_ROW, ListSheet  # noqa: E402

SAMPLE = ROOT / "inputs" / "2022.xlsx"
SIZES = {"projects": (5, 200), "kpis": (10, 60), "functions": (20, 300)}

BUREAUS = ("住房和城乡建设局", "交通运输局", "农业农村局", "水利局", "教育局", "卫生健康局", "民政局", "自然资源局")
PLACES = ("城东", "城西", "南岳", "店门", "开云", "白果", "岭坡", "萱洲", "长江", "贯塘")
WORKS = ("道路提质改造", "排水管网建设", "农村饮水安全巩固", "老旧小区改造", "学校校舍维修", "乡镇卫生院设备购置")
KINDS = ("工程", "民生", "运转", "会议")
LEVEL2 = {
    "产出指标": ("数量指标", "质量指标", "时效指标", "成本指标"),
    "效益指标": ("社会效益指标", "经济效益指标", "可持续影响指标"),
    "满意度指标": ("服务对象满意度指标",),
}
CLASSES = ("一般公共服务支出", "教育支出", "社会保障和就业支出", "卫生健康支出", "节能环保支出", "城乡社区支出")


def money(rng: random.Random, low: float, high: float) -> Decimal:
    """An amount in 万元 with two decimals, as typed."""
    return Decimal(str(round(rng.uniform(low, high), 2)))


def write_rows(wb: Workbook, sheet: ListSheet, records: list[dict[str, Any]], start: int = 0) -> None:
    """Records from data row ``start`` on, by column key; rows below are cleared (the sample's own are replaced)."""
    ws = wb[sheet.name]
    keys = [f.key for f in sheet.columns]
    first = FIRST_DATA_ROW + start
    for row in range(first, max(ws.max_row, first + len(records)) + 1):
        for column in range(1, len(keys) + 1):
            ws.cell(row=row, column=column).value = None
    for i, record in enumerate(records):
        for key, value in record.items():
            ws.cell(
                row=first + i, column=1 + keys.index(key), value=float(value) if isinstance(value, Decimal) else value
            )


def projects(rng: random.Random, n: int) -> list[dict[str, Any]]:
    out = []
    for i in range(n):
        cost = money(rng, 5, 800)
        adjusted = cost if rng.random() < 0.7 else money(rng, 5, float(cost))
        actual = (adjusted * Decimal(str(rng.uniform(0.4, 1.0)))).quantize(Decimal("0.01"))
        paid = min(actual, cost)
        place, work = rng.choice(PLACES), rng.choice(WORKS)
        out.append(
            {
                "name": f"{place}片区{work}项目（第{i + 1}批）",
                "cost": cost,
                "paid": paid,
                "status": rng.choice(("剩余资金按进度拨付", "已完工待结算", "正在施工")),
                "description": f"该项目位于{place}片区，主要建设内容为{work}，"
                f"总投资{cost}万元，年内完成投资{actual}万元。" * rng.randint(1, 3),
                "adjusted": adjusted,
                "actual": actual,
                "goal": f"按期完成{place}片区{work}建设任务。",
                "outcome": f"已完成{work}主体工程，完成投资{actual}万元。",
                "category": rng.choice(KINDS),
            }
        )
    return out


def kpis(rng: random.Random, n: int, project_names: list[str]) -> list[dict[str, Any]]:
    out = []
    for i in range(n):
        level1 = rng.choice(schema.KPI_LEVEL1)
        target = rng.randint(10, 500)
        qualitative = rng.random() < 0.2
        # about a third of the indicators belong to a project, so its 项目支出绩效自评表 is printed
        project = rng.choice(project_names[:10]) if project_names and rng.random() < 0.35 else None
        out.append(
            {
                "project": project,
                "level1": level1,
                "level2": rng.choice(LEVEL2[level1]),
                "level3": f"{rng.choice(WORKS)}完成情况{i + 1}",
                "direction": "定性" if qualitative else "≥",
                "target": "按期完成" if qualitative else target,
                "actual": "基本完成" if qualitative else rng.randint(target * 8 // 10, target),
                "unit": None if qualitative else rng.choice(("个", "户", "公里", "%")),
                "points": rng.choice((5, 10)),
                "score": rng.choice((4, 5)) if qualitative else None,
            }
        )
    return out


def functions(rng: random.Random, n: int) -> list[dict[str, Any]]:
    """Lines of the 政府收支分类科目 tree (类 3, 款 5, 项 7 digits), parents the sums of their children."""
    lines: list[dict[str, Any]] = []
    c = 0
    while len(lines) < n:
        code = f"2{c + 1:02d}"
        parent = {"code": code, "name": CLASSES[c % len(CLASSES)] + ("" if c < len(CLASSES) else f"（{c}）")}
        lines.append(parent)
        items = []
        for k in range(1, 99):
            if len(lines) + len(items) >= n or (k > 1 and rng.random() < 0.15):
                break
            items.append(
                {
                    "code": f"{code}{k // 10 + 1:02d}{k % 10 + 1:02d}",
                    "name": f"{rng.choice(WORKS)}支出{k}",
                    "basic": money(rng, 0, 50),
                    "project": money(rng, 0, 300),
                }
            )
        parent["basic"] = sum((i["basic"] for i in items), Decimal(0))
        parent["project"] = sum((i["project"] for i in items), Decimal(0))
        lines.extend(items)
        c += 1
    return lines[:n]


def make(index: int, seed: int) -> tuple[Workbook, dict[str, int]]:
    rng = random.Random(seed * 100_003 + index)
    sizes = {key: rng.randint(*bounds) for key, bounds in SIZES.items()}
    wb = load_workbook(SAMPLE)
    basic = wb[schema.BASIC.name]
    basic[schema.form_cell(schema.BASIC, "name", "value")] = f"某县{rng.choice(BUREAUS)}（第{index + 1}号）"
    made = projects(rng, sizes["projects"] - 3)  # after the sample's three, whose funds and KPIs refer to them
    write_rows(wb, schema.PROJECTS, made, start=3)
    write_rows(wb, schema.KPIS, kpis(rng, sizes["kpis"] - 14, [p["name"] for p in made]), start=14)
    write_rows(wb, schema.FUNCTIONS, functions(rng, sizes["functions"]))
    return wb, sizes


def generate(out_dir: Path, n: int, seed: int = 9, distinct: int = 100, *, check: bool = True) -> list[Path]:
    """``n`` workbooks dept0000.xlsx … in ``out_dir`` (made once: files already there are kept)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / f"dept{i:04d}.xlsx" for i in range(n)]
    for i, path in enumerate(paths):
        if path.exists():
            continue
        if i >= distinct:
            shutil.copyfile(paths[i % distinct], path)
            continue
        wb, _ = make(i, seed)
        wb.save(path)
        if check:
            _check(path)
    return paths


def _check(path: Path) -> None:
    from pipeline.session import inspect

    errors = [f for f in inspect(path).findings if f.severity == "error"]
    if errors:
        raise SystemExit(f"{path}: generated workbook has errors: {[str(e) for e in errors[:3]]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--distinct", type=int, default=100, help="distinct workbooks; the rest are copies")
    args = parser.parse_args()
    paths = generate(args.out_dir, args.n, args.seed, args.distinct)
    print(f"{len(paths)} workbooks in {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
