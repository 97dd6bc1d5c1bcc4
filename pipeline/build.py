"""``inspect``, ``validate`` and ``build``: the library calls behind the CLI commands."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .checks import check_report
from .context import build_context
from .errors import Finding, GenreportError, InputError, UsageError, WorkbookInvalid, display_path
from .model import Report, build_model
from .normalize import normalize
from .read_excel import open_workbook
from .render import RenderOptions, TemplateSource
from .rules import Rules, load_rules
from .templates import resolve_template, rules_for_template

DEFAULT_OUT_DIR = Path("outputs")


@dataclass
class Inspection:
    """Everything known about one workbook: its model (when it could be built) and all findings."""

    path: Path
    report: Report | None
    findings: list[Finding]

    def blocking(self, strict: bool) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error" or strict]


def inspect(path: Path, rules: Rules) -> Inspection:
    """Read, normalize, model and check one workbook; never raises for a user's mistake."""
    try:
        data = normalize(open_workbook(path))
    except InputError as e:
        return Inspection(path, None, [e.as_finding()])
    if data.errors:  # structural: the model cannot be trusted, so consistency is not checked
        return Inspection(path, None, data.findings)
    report = build_model(data)
    return Inspection(path, report, data.findings + check_report(report, rules))


def expand_inputs(inputs: Sequence[Path]) -> list[Path]:
    """Files as given; a folder stands for the workbooks in it (not Excel's ~$ lock files), in name order."""
    out: list[Path] = []
    for path in inputs:
        if path.is_dir():
            found = sorted(p for p in path.glob("*.xlsx") if not p.name.startswith("~$"))
            if not found:
                raise UsageError(f"{display_path(path)}：文件夹中没有 .xlsx 工作簿")
            out.extend(found)
        else:
            out.append(path)
    return out


def validate(inputs: Sequence[Path], template: Path | None = None) -> list[Inspection]:
    """Inspect every input with the rules of ``template`` (its folder's rules.toml, else the default)."""
    rules = load_rules(rules_for_template(template))
    return [inspect(path, rules) for path in expand_inputs(inputs)]


def load_report(path: Path, *, strict: bool = False, rules: Rules | None = None) -> tuple[Report, list[Finding]]:
    """The checked model of one workbook; raise WorkbookInvalid listing every blocking finding."""
    result = inspect(path, rules or load_rules())
    blocking = result.blocking(strict)
    if blocking or result.report is None:
        raise WorkbookInvalid(blocking)
    return result.report, result.findings


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
    for path in expand_inputs(inputs):
        target = output_path(path, out_dir)
        if target in targets.values():
            raise UsageError(f"{display_path(path)} 与另一个输入文件同名，输出会互相覆盖：{display_path(target)}")
        targets[path] = target
    source = TemplateSource(resolve_template(template))
    rules = load_rules(rules_for_template(template))
    results = []
    for path, target in targets.items():
        result = _build_one(path, target, source, rules, options, strict)
        results.append(result)
        if on_result:
            on_result(result)
    return results


def _build_one(
    path: Path, target: Path, source: TemplateSource, rules: Rules, options: RenderOptions, strict: bool
) -> BuildResult:
    started = time.perf_counter()
    inspection = inspect(path, rules)
    result = BuildResult(input=path, findings=inspection.findings)
    blocking = inspection.blocking(strict)
    try:
        if blocking or inspection.report is None:
            raise WorkbookInvalid(blocking)
        source.render_docx(build_context(inspection.report, rules), target, options)
        result.output = target
    except GenreportError as e:
        result.error = e
    result.seconds = time.perf_counter() - started
    return result
