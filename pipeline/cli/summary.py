"""``genreport summary``: the bureau's overview of many workbooks (汇总.xlsx and 汇总说明.docx) without building the
reports; ``build --summary`` and ``validate --summary`` write the same two files through ``write_overview``."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import GenreportError, display_path
from ..outfile import DEFAULT_OUT_DIR
from .common import InputsArgument, JobsOption, TemplateOption, fail, inspect_inputs

if TYPE_CHECKING:
    from ..session import BuildResult, Inspection
    from ..template.profile import TemplateProfile

ThresholdOption = Annotated[
    int,
    typer.Option(
        "--threshold",
        metavar="百分数",
        help="预算执行率低于此百分数的单位在汇总说明中逐个列出，汇总.xlsx 中标色；默认 90（即 90%）。",
        min=0,
        max=1000,
    ),
]
SummaryFlag = Annotated[
    bool,
    typer.Option(
        "--summary",
        help="另在输出文件夹写 汇总.xlsx（每个工作簿一行：单位、状态、错误和警告数、总分、等级、预算执行率等指标；"
        "“问题清单”表列出每条问题）和 汇总说明.docx（按 templates/summary/note.docx）。",
    ),
]


def summary_command(
    inputs: InputsArgument,
    out_dir: Annotated[Path, typer.Option("-o", "--out-dir", help="汇总.xlsx 和 汇总说明.docx 的输出文件夹。")] = (
        DEFAULT_OUT_DIR
    ),
    template: TemplateOption = None,
    threshold: ThresholdOption = 90,
    note_template: Annotated[
        Path | None,
        typer.Option(
            "--note-template",
            metavar="文件",
            help="汇总说明的 Word 模板；默认 templates/summary/note.docx（当前文件夹的 templates/ 中有则用它）。",
        ),
    ] = None,
    jobs: JobsOption = None,
) -> None:
    """汇总多个工作簿：写 汇总.xlsx 和 汇总说明.docx，不生成报告。

    每个工作簿只读取、检查和计分（同 validate），有错误的工作簿也列入汇总并写明第一处错误。
    汇总写成即退出码 0（工作簿有错误不算失败：汇总就是为了列出它们）；用法错误 2，写文件失败 1。
    """
    found = inspect_inputs(
        inputs, template, jobs, "读取并检查工作簿", "已中断（Ctrl-C）：汇总未完成，没有写入文件。", model=True
    )
    write_overview(found, out_dir, threshold, note_template=note_template)


def write_overview(
    results: Sequence[Inspection | BuildResult],
    out_dir: Path,
    threshold: int,
    *,
    inspections: Sequence[Inspection] = (),
    profile: TemplateProfile | None = None,
    note_template: Path | None = None,
    stdout: bool = True,
) -> None:
    """Write the two files and say so (with the counts a bureau reads first); a failure to write ends the command.
    ``stdout`` False keeps the "已生成" line off standard output (validate --format json prints JSON alone there)."""
    from ..summary import overview, write_summary

    summary = overview(results, inspections=inspections, profile=profile, threshold=Decimal(threshold) / Decimal(100))
    try:
        written = write_summary(summary, out_dir, template=note_template)
    except GenreportError as e:
        raise fail(e) from None
    failed = sum(1 for row in summary.rows if row.failed)
    scored = [row for row in summary.rows if row.score is not None]
    typer.echo(f"已生成 {'、'.join(display_path(p) for p in written)}", err=not stdout)
    typer.echo(
        f"汇总 {len(summary.rows)} 个工作簿：没有错误 {len(summary.rows) - failed} 个，有错误 {failed} 个；"
        f"算出总分 {len(scored)} 个。",
        err=True,
    )
