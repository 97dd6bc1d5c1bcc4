"""``genreport build``: one report per workbook; the session builds, this module prints.

No ``from __future__ import annotations`` here: typer reads build_command's parameters three times (and
usage.py once more), and annotations kept as text are compiled and evaluated on each reading (~2 ms of every
build); evaluated once when the module is imported, they are read as they are. Names imported only for type
checking are quoted.
"""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from ..errors import GenreportError, UsageError, WorkbookInvalid, display_path
from ..findings import codes
from ..outfile import DEFAULT_OUT_DIR, atomic_write
from ..render.formats import formats_help, parse_formats
from .common import InputsArgument, JobsOption, TemplateOption, exit_interrupted, fail
from .summary import SummaryFlag, ThresholdOption

if TYPE_CHECKING:
    from ..session import BuildResult, BuildSession


def build_command(
    inputs: InputsArgument,
    out_dir: Annotated[Path, typer.Option("-o", "--out-dir", help="报告输出文件夹。")] = DEFAULT_OUT_DIR,
    template: TemplateOption = None,
    percent_places: Annotated[
        int | None, typer.Option(help="百分比保留的小数位数；默认按模板设置（2 位）。", min=0, max=6)
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="有警告也不生成报告。")] = False,
    formats: Annotated[
        str,
        typer.Option(
            "--format",
            help=f"输出格式，可多选，用逗号分隔：{formats_help()}。如 --format docx,pdf。",
        ),
    ] = "docx",
    comments: Annotated[
        bool,
        typer.Option(
            "--comments",
            help=(
                "HTML、Markdown 中也标出审阅批注。默认只有 Word 报告带批注，HTML、Markdown、PDF 不带，"
                "可直接发布；PDF 始终不带。"
            ),
        ),
    ] = False,
    no_comments: Annotated[
        bool,
        typer.Option(
            "--no-comments",
            help=(
                "Word 报告中也不加批注。默认每条警告作为批注标在 Word 报告中它所说的数字处"
                "（数字未印出的，汇总在标题处）。"
            ),
        ),
    ] = False,
    jobs: JobsOption = None,
    quiet: Annotated[
        bool, typer.Option("-q", "--quiet", help="只显示失败的工作簿和最后的汇总（不列出生成的文件）。")
    ] = False,
    log: Annotated[
        Path | None,
        typer.Option(
            "--log",
            metavar="文件",
            help="把每个工作簿的每条问题写入这个文件，每行一条 JSON（file、severity、code、sheet、cell、message）。",
        ),
    ] = None,
    summary_files: SummaryFlag = False,
    threshold: ThresholdOption = 90,
) -> None:
    """为每个工作簿生成报告 OUT_DIR/<文件名>.docx（及 --format 要求的 .pdf、.html、.md）。

    有错误的工作簿不生成，其余照常生成。

    模板：-t 指定的模板；不指定时用工作簿“基本信息”表“模板”一行写的模板，再没有则用默认模板。

    多个工作簿时，失败的工作簿随即完整列出它的错误，警告只计数（genreport -v build … 逐条列出），
    最后的汇总表写明每个失败工作簿的第一处错误。加 --summary 另写 汇总.xlsx 和 汇总说明.docx。
    """
    from ..batch import build_all, default_jobs
    from ..session import BuildSession
    from ..template.profile import resolve_profile
    from .progress import Progress, summary

    try:
        if comments and no_comments:
            raise UsageError("--comments 与 --no-comments 不能同时使用")
        wanted = parse_formats(formats)
        profile = resolve_profile(template) if template is not None else None
        session = BuildSession(
            profile,
            out_dir,
            strict=strict,
            percent_places=percent_places,
            formats=wanted,
            comments=not no_comments,
            comments_everywhere=comments,
            keep_inspections=summary_files,  # the summary scores what the build read, not a second reading
        )
        paths = session.plan(inputs)
        if summary_files:
            _refuse_note_name(session, paths)
    except GenreportError as e:
        raise fail(e) from None
    progress = Progress(len(paths), "生成报告")
    done: list[BuildResult] = []
    batch = len(paths) > 1
    warnings = not quiet and (not batch or _verbose())

    def report(index: int, result: "BuildResult") -> None:
        _print_result(result, files=progress.lists_files and not quiet, warnings=warnings)
        done.append(result)
        progress.advance()

    workers = jobs or default_jobs()
    try:
        with progress.running():
            results = build_all(session, paths, workers, report)
        if session.batches:
            _batched(session, results, workers)
    except KeyboardInterrupt:
        _interrupted(done, len(paths))
    if log is not None:
        _write_log(log, results)
    if batch:
        summary(results, progress)
    if summary_files:
        from .summary import write_overview

        write_overview(results, session.out_dir, threshold, profile=session.profile)
    failed = [r for r in results if not r.ok]
    if failed:
        raise typer.Exit(max(r.error.exit_code for r in failed if r.error))


def _refuse_note_name(session: "BuildSession", paths: list[Path]) -> None:
    """A workbook named 汇总说明.xlsx would write its report where the note goes: refused before anything is
    written, as two inputs of the same name are."""
    from ..errors import UsageError
    from ..summary import NOTE_NAME

    for path in paths:
        if session.output_path(path).name.casefold() == NOTE_NAME.casefold():
            raise UsageError(f"{display_path(path)} 的报告与汇总说明同名（{NOTE_NAME}）：请改名，或去掉 --summary")


def _interrupted(done: "list[BuildResult]", total: int) -> NoReturn:
    built = sum(1 for r in done if r.ok)
    exit_interrupted(
        f"已中断（Ctrl-C）：{total} 个工作簿中 {built} 个的报告已完整生成，其余未生成；没有留下不完整的文件。"
    )


def _verbose() -> bool:
    """``genreport -v``: the log's notes, and in a batch every warning."""
    import logging

    return logging.getLogger("genreport").isEnabledFor(logging.INFO)


def _print_result(result: "BuildResult", *, files: bool = True, warnings: bool = True) -> None:
    """A failure whole (every finding that stopped it), the warnings where asked, and what was written where the
    file lines are wanted (not under a bar, whose summary lists them, nor with --quiet)."""
    blocking = result.error.findings if isinstance(result.error, WorkbookInvalid) else []
    for finding in blocking:  # errors first; under --strict, warnings stop it too
        typer.echo(f"{'错误' if finding.severity == 'error' else '警告'}：{finding}", err=True)
    if warnings:  # then the warnings the same run found beside them: one round of fixing
        for finding in result.findings:
            if finding.severity == "warning" and finding not in blocking:
                typer.echo(f"警告：{finding}", err=True)
    if result.error is None:
        if result.outputs and files:
            shown = "、".join(display_path(p) for p in result.outputs)
            typer.echo(f"已生成 {shown}（{result.seconds:.1f} 秒）")
    elif isinstance(result.error, WorkbookInvalid):
        if not (len(blocking) == 1 and blocking[0].code == codes.E_UNREADABLE.code):
            kind = "错误" if all(f.severity == "error" for f in blocking) else "问题（--strict：警告也不放行）"
            typer.echo(f"{display_path(result.input)}：有 {len(blocking)} 处{kind}，未生成报告。", err=True)
    else:
        typer.echo(f"错误：{result.error}", err=True)


def _batched(session: "BuildSession", results: "list[BuildResult]", workers: int) -> None:
    """The batched formats (PDF) of the whole build, after the other formats are written: ``workers`` processes
    (LibreOffice: as many as --jobs) share them, each converting many documents in one start."""
    from ..render.formats import FORMATS
    from ..session import finish_batches

    waiting = [r for r in results if r.waiting]
    if not waiting:
        return
    for name in session.batches:
        fmt = FORMATS[name]
        by = f"用 {fmt.requires} " if fmt.requires else ""
        typer.echo(f"正在{by}生成 {fmt.name.upper()}（{len(waiting)} 份）……", err=True)
    missing = finish_batches(session, results, workers)
    if missing is not None:
        typer.echo(f"错误：{missing}；其他格式已生成。", err=True)
        raise typer.Exit(missing.exit_code)
    for result in waiting:
        if result.error is None:
            typer.echo(f"已生成 {display_path(result.outputs[-1])}")
        else:
            typer.echo(f"错误：{result.error}", err=True)


def _write_log(path: Path, results: "list[BuildResult]") -> None:
    """Every finding of every workbook, in input order, one JSON object a line (an error that is no finding, such
    as a template's, as a line of its own)."""
    import json

    from ..findings.report import JSON_KEYS

    lines = []
    for result in results:
        for finding in result.findings:
            lines.append({k: getattr(finding, k) for k in JSON_KEYS})
        if result.error is not None and not isinstance(result.error, WorkbookInvalid) and not result.findings:
            lines.append(
                {
                    "file": display_path(result.input),
                    "severity": "error",
                    "code": "",
                    "sheet": "",
                    "cell": "",
                    "message": str(result.error),
                }
            )
    text = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    try:
        atomic_write(path, text.encode("utf-8"))
    except GenreportError as e:
        typer.echo(f"错误：{e}", err=True)
