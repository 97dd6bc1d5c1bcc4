"""``genreport template list | new | check``: the templates genreport can use, a copy of one to edit in Word,
and a check of one before it is used."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import GenreportError, TemplateProblem, display_path
from .common import fail

app = typer.Typer(
    help="报告模板：列出可用模板，复制一个模板到 templates/ 下供编辑，或检查模板。",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.command("list")
def list_command() -> None:
    """列出可用的模板（含 report.docx 的文件夹）：名称（-t 和“模板”一栏填它）、显示名称、单位类别、说明和位置。

    先找当前文件夹的 templates/，再找随 genreport 安装的模板；显示名称和说明写在模板的 template.toml 的 [template] 中。
    """
    from ..template.profile import list_templates

    for entry in list_templates():
        shown, unit_kind, description = entry.described()
        typer.echo(f"{entry.name}\t{shown}\t{unit_kind}\t{description or '—'}\t{display_path(entry.folder)}")


@app.command("new")
def new_command(
    name: Annotated[
        str, typer.Argument(metavar="名称", help="新模板的名称，如 乡镇 或 county-bureau；建在 templates/<名称>/。")
    ],
    source: Annotated[
        str | None, typer.Option("--from", metavar="模板", help="复制哪个模板：模板名、.docx 或文件夹；默认 default。")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="templates/<名称> 已存在时覆盖其中的文件。")] = False,
) -> None:
    """复制一个模板（report.docx、rules.toml 和 template.toml）到 templates/<名称>/，编辑后用 -t <名称> 生成报告。

    template.toml 列出全部设置（带说明，去掉行首的 # 生效）：模板的显示名称和说明，以及模板要用的自定义字段和表。
    """
    from ..template.profile import new_template

    try:
        target = new_template(name, source, force=force)
    except GenreportError as e:
        raise fail(e) from None
    typer.echo(f"已生成模板 {display_path(target)}：在 Word 或 WPS 中编辑 {display_path(target / 'report.docx')}，")
    typer.echo(f"在记事本中编辑 {display_path(target / 'template.toml')}（模板名称、说明、要用的自定义字段和表），")
    typer.echo(f"然后 genreport template check {name}；填表人用 genreport init 工作簿.xlsx -t {name} 生成空白表，")
    typer.echo(f"生成报告：genreport build 工作簿.xlsx -t {name}")


@app.command("check")
def check_command(
    path: Annotated[
        str,
        typer.Argument(metavar="模板", help="要检查的模板：templates/ 下的模板名、.docx 或含 report.docx 的文件夹。"),
    ],
    workbook: Annotated[
        Path | None,
        typer.Option(
            "--input",
            metavar="工作簿",
            help="按这个工作簿的字段检查（custom.… 等随工作簿而定的字段要用它）；"
            "默认用示例工作簿 inputs/2022.xlsx，找不到时用 genreport 自带的字段清单。",
        ),
    ] = None,
) -> None:
    """检查报告模板，每处问题一行，指明段落或表格单元格及其所在标题。

    错误（退出码 1，生成报告时同样会报）：引用了不存在的字段、过滤器或测试（给出最接近的正确写法）；
    没有结束的 {% if %}、{% for %} 等（在开始的标签处报告）、多余的结束标签、未知的标签、缺少 }} 或 %} 的标签；
    用中文输入法输入的全角括号、百分号等。模板的每个分支都会检查，不只示例数据用到的分支。

    警告（不影响退出码）：{%p %}、{%tr %}、{%tc %} 标签所在的段落、表格行或单元格整个由标签代替，
    其中的其他文字在生成时会被删除。
    """
    from ..render.chart_font import ChartsUnavailable, require_charts
    from ..render.environment import make_environment
    from ..session import fields_for, render_options
    from ..template.check import ERROR, WARNING, check_document
    from ..template.check.problems import SEVERITY_WORD
    from ..template.profile import resolve_profile

    try:
        profile = resolve_profile(path)
        assert profile.document is not None  # resolve_profile insists on one unless told otherwise
        context, source = fields_for(profile, workbook)
        env = make_environment(render_options(profile))  # the template's own number style, as build renders it
        problems = check_document(profile.document, env, context, settings=profile.settings)
        if profile.settings.get("charts.enabled"):  # the template draws charts: their packages are an extra
            try:
                require_charts()
            except ChartsUnavailable as e:
                raise TemplateProblem(f"{display_path(profile.document)}：{e}") from e
    except GenreportError as e:
        raise fail(e) from None
    shown = display_path(profile.document)
    for problem in problems:
        typer.echo(f"{SEVERITY_WORD[problem.severity]}：{problem.text(shown)}")
    errors = sum(p.severity == ERROR for p in problems)
    warnings = sum(p.severity == WARNING for p in problems)
    counted = "、".join(f"{n} 处{w}" for n, w in ((errors, "错误"), (warnings, "警告")) if n)
    if errors:
        typer.echo(f"模板检查未通过：{shown} 有 {counted}（字段按 {source} 检查）。")
        raise typer.Exit(1)
    typer.echo(f"模板检查通过：{shown}{f'，有 {counted}' if counted else ''}（字段按 {source} 检查）。")
