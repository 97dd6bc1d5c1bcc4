"""``genreport template list | new``: a department starts its own template without Python."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from pipeline.cli import app

from .conftest import ROOT, SAMPLE
from .test_golden import document_text

runner = CliRunner()
DEFAULT = ROOT / "templates" / "default"


def test_list_shows_the_shipped_templates() -> None:
    result = runner.invoke(app, ["template", "list"])
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        f"default\t县直部门（默认）\t部门\t县直部门、委办局的部门整体支出绩效自评报告，附自评表、项目自评表和基础数据表\t{DEFAULT}",
        f"township\t乡镇\t乡镇\t乡镇人民政府、街道办事处的自评报告：按单位名称自称“我乡”“我镇”“我街道”，附自评表和基础数据表，带图表，成本指标为一级指标\t"
        f"{DEFAULT.parent / 'township'}",
    ]


def test_new_copies_the_default_and_builds_with_it_by_name() -> None:
    result = runner.invoke(app, ["template", "new", "乡镇"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "已生成模板 templates/乡镇：在 Word 或 WPS 中编辑 templates/乡镇/report.docx，",
        "在记事本中编辑 templates/乡镇/template.toml（模板名称、说明、要用的自定义字段和表），",
        "然后 genreport template check 乡镇；填表人用 genreport init 工作簿.xlsx -t 乡镇 生成空白表，",
        "生成报告：genreport build 工作簿.xlsx -t 乡镇",
    ]
    folder = Path("templates/乡镇")
    assert sorted(p.name for p in folder.iterdir()) == ["report.docx", "rules.toml", "template.toml"]
    assert (folder / "report.docx").read_bytes() == (DEFAULT / "report.docx").read_bytes()
    assert runner.invoke(app, ["template", "list"]).stdout.splitlines()[0] == "乡镇\t乡镇\t部门\t—\ttemplates/乡镇"
    shutil.copy(SAMPLE, "2022.xlsx")
    own = runner.invoke(app, ["build", "2022.xlsx", "-t", "乡镇", "-o", "own"])
    default = runner.invoke(app, ["build", "2022.xlsx", "-o", "default"])
    assert (own.exit_code, default.exit_code) == (0, 0)
    assert document_text(Path("own/2022.docx")) == document_text(Path("default/2022.docx"))


def test_new_from_another_template_and_what_it_refuses() -> None:
    assert runner.invoke(app, ["template", "new", "a"]).exit_code == 0
    Path("templates/a/rules.toml").write_text(
        (DEFAULT / "rules.toml").read_text(encoding="utf-8").replace('min = "90"', 'min = "95"'), encoding="utf-8"
    )
    assert runner.invoke(app, ["template", "new", "b", "--from", "a"]).exit_code == 0
    assert 'min = "95"' in Path("templates/b/rules.toml").read_text(encoding="utf-8")
    again = runner.invoke(app, ["template", "new", "a"])
    assert (again.exit_code, again.stderr) == (1, "错误：templates/a 已存在；如需覆盖请加 --force\n")
    assert runner.invoke(app, ["template", "new", "a", "--force"]).exit_code == 0
    assert 'min = "90"' in Path("templates/a/rules.toml").read_text(encoding="utf-8")
    bad = runner.invoke(app, ["template", "new", "a/b"])
    assert (bad.exit_code, bad.stderr) == (
        2,
        "错误：模板名“a/b”无效：请用字母、数字、汉字、-、_ 或 .，不含空格和斜杠\n",
    )
    missing = runner.invoke(app, ["template", "new", "c", "--from", "nosuch"])
    assert (missing.exit_code, missing.stderr) == (
        1,
        "错误：找不到模板“nosuch”（可用的模板：a、b、default、township；或给出 .docx 文件或文件夹的路径）\n",
    )
    assert not Path("templates/c").exists()
