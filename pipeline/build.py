"""``build``: workbooks in, reports out. The library call behind ``genreport build``."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .context import build_context
from .errors import Finding, GenreportError, UsageError, WorkbookInvalid, display_path
from .model import Report, build_model
from .normalize import normalize
from .read_excel import open_workbook
from .render import RenderOptions, TemplateSource, resolve_template

DEFAULT_OUT_DIR = Path("outputs")


@dataclass
class BuildResult:
    """What happened to one input: the report written, or the error that stopped it."""

    input: Path
    output: Path | None = None
    findings: list[Finding] = field(default_factory=list)
    error: GenreportError | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


def load_report(path: Path, *, strict: bool = False) -> tuple[Report, list[Finding]]:
    """Read, normalize and model one workbook; raise WorkbookInvalid listing every error found."""
    data = normalize(open_workbook(path))
    blocking = [f for f in data.findings if f.severity == "error" or strict]
    if blocking:
        raise WorkbookInvalid(blocking)
    return build_model(data), data.findings


def output_path(input_path: Path, out_dir: Path) -> Path:
    return out_dir / f"{input_path.stem}.docx"


def build(
    inputs: Sequence[Path],
    out_dir: Path = DEFAULT_OUT_DIR,
    template: Path | None = None,
    *,
    options: RenderOptions | None = None,
    strict: bool = False,
    on_result: Callable[[BuildResult], None] | None = None,
) -> list[BuildResult]:
    """Build one report per input; an input that fails does not stop the others."""
    options = options or RenderOptions()
    targets: dict[Path, Path] = {}
    for path in inputs:
        target = output_path(path, out_dir)
        if target in targets.values():
            raise UsageError(f"{display_path(path)} 与另一个输入文件同名，输出会互相覆盖：{display_path(target)}")
        targets[path] = target
    source = TemplateSource(resolve_template(template))
    results = []
    for path, target in targets.items():
        result = _build_one(path, target, source, options, strict)
        results.append(result)
        if on_result:
            on_result(result)
    return results


def _build_one(path: Path, target: Path, source: TemplateSource, options: RenderOptions, strict: bool) -> BuildResult:
    started = time.perf_counter()
    result = BuildResult(input=path)
    try:
        report, result.findings = load_report(path, strict=strict)
        source.render_docx(build_context(report), target, options)
        result.output = target
    except GenreportError as e:
        result.error = e
    result.seconds = time.perf_counter() - started
    return result
